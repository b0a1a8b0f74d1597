"""The capstone, nightly backups for a fleet: the model answer and another right design pass; each plausible
mistake is caught on the night it first shows, with a verdict that says what went wrong; garbage never raises."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.exercises.base import Exercise
from ecs_snap_lab.exercises.capstone import (
    FLEET,
    KEEP_NIGHTS,
    NIGHTLY_BACKUPS,
    NIGHTS,
    SLOW_SECONDS,
    TAG,
    TROUBLES,
    Trouble,
)

EX = Exercise(16, **NIGHTLY_BACKUPS)


def verdict(answer: Any, capsys: pytest.CaptureFixture[str]) -> tuple[bool, str]:
    ok = EX.check(answer)
    return ok, capsys.readouterr().out


# ---------------------------------------------------------------- a job with one knob per design decision


def per_night(disk: str, night: str, take: int) -> str | None:
    return f"nightly-{disk}-{night}-{take}"


@dataclass(frozen=True)
class Job:
    """The model answer's shape, one field per design decision: each wrong answer below changes one."""

    token: Callable[[str, str, int], str | None] = per_night
    token_each_try: bool = False
    dated_name: bool = False
    tags: tuple[tuple[str, str], ...] | None = (TAG,)
    retention: int | None = KEEP_NIGHTS
    clean_after_days: int | None = KEEP_NIGHTS
    clean_only_unretained: bool = False
    room_by_oldest: bool = False
    first_wait: int = 1
    growth: int = 2
    max_wait: int | None = None
    tries: int | None = 6
    retry_refusals: bool = False
    not_yet_is_final: bool = False
    raise_on_refusal: bool = False
    verify: bool = True

    def __call__(self, lab: Lab, disk_ids: list[str]) -> None:
        night = f"{lab.now:%Y%m%d}"
        for disk in disk_ids:
            self.clean(lab, disk)
            for take in (1, 2):
                sid = self.create(lab, disk, self.token(disk, night, take))
                if sid is None or not self.verify or self.status(lab, sid) == "accomplished":
                    break

    def create(self, lab: Lab, disk: str, token: str | None) -> str | None:
        wait, attempt = self.first_wait, 0
        while self.tries is None or attempt < self.tries:
            attempt += 1
            token = str(uuid.uuid4()) if self.token_each_try else token
            name = f"nightly-{lab.now:%Y%m%d}" if self.dated_name else "nightly"
            r = lab.create_snapshot(disk, name=name, retention_days=self.retention, tags=self.tags, client_token=token)
            if r.ok:
                return r.data["SnapshotId"]
            retryable = r.status >= 500 or (r.code == "IdempotentProcessing" and not self.not_yet_is_final)
            if not retryable and not self.retry_refusals:
                if self.raise_on_refusal:
                    raise RuntimeError(f"{disk}: {r.code}")
                return None
            lab.advance(seconds=wait)
            wait = wait * self.growth if self.max_wait is None else min(wait * self.growth, self.max_wait)
        return None

    def status(self, lab: Lab, sid: str) -> str:
        while True:
            [snap] = lab.describe_snapshots(SnapshotIds=f'["{sid}"]')
            if snap["Status"] != "progressing":
                return snap["Status"]
            lab.advance(seconds=max(snap["RemainTime"], 1))

    def clean(self, lab: Lab, disk: str) -> None:
        snaps = lab.describe_snapshots(DiskId=disk)  # newest first
        if self.room_by_oldest and len(snaps) >= lab.snapshot_quota - 1:
            lab.delete_snapshot(snaps[-1]["SnapshotId"])  # the oldest, whatever it is
        if self.clean_after_days is None:
            return
        cutoff = lab.now - timedelta(days=self.clean_after_days)
        for snap in snaps:
            tags = {(t["TagKey"], t["TagValue"]) for t in snap["Tags"]["Tag"]}
            if self.clean_only_unretained and "RetentionDays" in snap:
                continue
            if TAG in tags and datetime.fromisoformat(snap["CreationTime"]) < cutoff:
                lab.delete_snapshot(snap["SnapshotId"])


def pruning_nightly(lab: Lab, disk_ids: list[str]) -> None:
    """Another right design: no RetentionDays, uuid4 tokens, backoff from 2 s, fixed-step polling, and a prune
    that keeps the newest accomplished backups and deletes failed ones."""

    class Skip(Exception):
        pass

    def backup(disk: str) -> None:
        for _ in range(2):
            token, wait = str(uuid.uuid4()), 2
            for attempt in range(7):
                r = lab.create_snapshot(disk, name="backup", tags={"backup": "nightly"}, client_token=token)
                if r.ok or (r.status < 500 and r.code != "IdempotentProcessing") or attempt == 6:
                    break
                lab.advance(seconds=wait)
                wait = min(wait * 2, 60)
            if not r.ok:
                raise Skip(r.code)
            ids = f'["{r.data["SnapshotId"]}"]'
            while (status := lab.describe_snapshots(SnapshotIds=ids)[0]["Status"]) == "progressing":
                lab.advance(seconds=30)  # fixed steps, no RemainTime
            if status == "accomplished":
                return

    def prune(disk: str) -> None:
        ours = [
            s
            for s in lab.describe_snapshots(DiskId=disk)  # newest first
            if {"TagKey": "backup", "TagValue": "nightly"} in s["Tags"]["Tag"]
        ]
        good = [s for s in ours if s["Status"] == "accomplished"]
        for s in good[KEEP_NIGHTS:] + [s for s in ours if s["Status"] == "failed"]:
            lab.delete_snapshot(s["SnapshotId"])

    for disk in disk_ids:
        try:
            backup(disk)
        except Skip:
            continue
        finally:
            prune(disk)


# ---------------------------------------------------------------- right answers


def test_the_model_answer_passes_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    answer = EX.solution()
    assert capsys.readouterr().out.startswith("Solution:\n")
    ok, out = verdict(answer, capsys)
    assert ok, out
    assert f"{NIGHTS} nights" in out
    assert "none missed or doubled" in out
    forgiven = sum(t.forgiven for t in TROUBLES)
    backups = NIGHTS * len(FLEET) - forgiven
    assert f"{backups} backups" in out
    assert "against the quota of 64" in out


def test_the_printed_solution_is_the_answer_and_fills_every_placeholder(capsys: pytest.CaptureFixture[str]) -> None:
    EX.solution()
    code = capsys.readouterr().out.removeprefix("Solution:\n")
    assert "$" not in code
    namespace: dict[str, Any] = {EX.variable: EX}
    exec(code, namespace)
    ok, _ = verdict(namespace["nightly"], capsys)
    assert ok


def test_the_shared_job_shape_with_the_model_answers_choices_passes(capsys: pytest.CaptureFixture[str]) -> None:
    ok, out = verdict(Job(), capsys)  # so that each wrong answer below differs in one decision only
    assert ok, out


def test_another_right_design_passes_pruning_with_uuid_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    ok, out = verdict(pruning_nightly, capsys)
    assert ok, out
    again_ok, again = verdict(pruning_nightly, capsys)
    assert again_ok and again == out  # random tokens, the same verdict


# ---------------------------------------------------------------- wrong answers, each caught where it first shows

WRONG = {
    "no ClientToken": (
        Job(token=lambda disk, night, take: None),
        ["Night 3 (2026-01-07), disk db", "IncorrectDiskStatus.CreatingSnapshot", "no ClientToken", "lost answer"],
    ),
    "a ClientToken per disk, not per night": (
        Job(token=lambda disk, night, take: f"nightly-{disk}-{take}"),
        ["Night 2 (2026-01-06), disk web", "made nothing", "sent on night 1", "ClientToken of night 1"],
    ),
    "a new ClientToken on every try": (
        Job(token_each_try=True, first_wait=60),
        ["Night 3 (2026-01-07), disk db", "2 backups were made tonight", "Each try used another ClientToken"],
    ),
    "the old backups never cleaned up": (
        Job(clean_after_days=None),
        ["Night 7 (2026-01-11), disk db", "QuotaExceed.Snapshot", "52 of those backups have no RetentionDays"],
    ),
    "backups kept for a month": (
        Job(retention=30, clean_only_unretained=True),
        ["Night 11 (2026-01-15), disk files", "QuotaExceed.Snapshot", "54 manual", "room for 10 backups"],
    ),
    "backups kept one day too short": (
        Job(retention=KEEP_NIGHTS - 1),
        ["Morning after night 7 (2026-01-11), disk web", "2026-01-05", "RetentionDays released it 6 days after"],
    ),
    "room made by deleting the oldest snapshot": (
        Job(clean_after_days=None, room_by_oldest=True),
        ["Night 6 (2026-01-10), disk db", "('before-upgrade-01'), a manual snapshot"],
    ),
    "retries with no wait": (
        Job(first_wait=0),
        ["Night 3 (2026-01-07), disk db", "retried at once after InternalError", "lost answer"],
    ),
    "retries with the same wait each time": (
        Job(first_wait=2, growth=1),
        ["Night 5 (2026-01-09), disk files", "waits between tries were 2 s, 2 s", "InternalError (HTTP 500)"],
    ),
    "every error retried, 4xx included": (
        Job(retry_refusals=True),
        ["Night 11 (2026-01-15), disk db", "retried after CreateSnapshot.Failed (HTTP 403)", "refuses this disk"],
    ),
    "retries without a bound": (
        Job(tries=None, max_wait=30),
        ["Night 15 (2026-01-19), disk logs", "9 CreateSnapshot requests for this disk in one night", "an outage"],
    ),
    "IdempotentProcessing taken for a refusal": (
        Job(not_yet_is_final=True),
        ["Night 7 (2026-01-11), disk logs", "gave up after 2 tries while the answer was IdempotentProcessing"],
    ),
    "a ClientToken per disk with a dated name": (
        Job(token=lambda disk, night, take: f"nightly-{disk}-{take}", dated_name=True),
        ["Night 2 (2026-01-06), disk web", "IdempotentParameterMismatch (HTTP 403)", "sent on night 1"],
    ),
    "backups without the tag": (
        Job(tags=None),
        ["Night 1 (2026-01-05), disk web", "has no tag backup: nightly"],
    ),
    "backups never checked": (
        Job(verify=False),
        ["Night 9 (2026-01-13), disk web", "failed while progressing", "new ClientToken"],
    ),
    "a refusal stops the whole night": (
        Job(raise_on_refusal=True),
        ["Night 11 (2026-01-15):", "raised RuntimeError", "Disks with no backup tonight: db, files, logs"],
    ),
}


@pytest.mark.parametrize("mistake", WRONG, ids=list(WRONG))
def test_a_plausible_wrong_answer_gets_a_specific_verdict(mistake: str, capsys: pytest.CaptureFixture[str]) -> None:
    answer, expected = WRONG[mistake]
    ok, out = verdict(answer, capsys)
    assert not ok
    assert out.startswith("Not yet.\n")
    for words in expected:
        assert words in out, f"{words!r} not in:\n{out}"


def test_a_job_that_runs_past_the_morning_is_told_when_it_ended(capsys: pytest.CaptureFixture[str]) -> None:
    model = Job()

    def slow(lab: Lab, disk_ids: list[str]) -> None:
        model(lab, disk_ids)
        lab.advance(hours=8)  # "to be safe"

    ok, out = verdict(slow, capsys)
    assert not ok
    assert "Night 1 (2026-01-05):" in out
    assert "returned at 2026-01-05 09:" in out and "done by 07:00" in out


def test_a_clean_up_from_a_stale_listing_is_told_the_snapshot_was_gone(capsys: pytest.CaptureFixture[str]) -> None:
    model = Job(clean_after_days=None)

    def stale(lab: Lab, disk_ids: list[str]) -> None:
        listed = {disk: lab.describe_snapshots(DiskId=disk) for disk in disk_ids}  # listed before the backups...
        model(lab, disk_ids)
        cutoff = lab.now - timedelta(days=KEEP_NIGHTS)  # ...the cut-off taken after them
        for snaps in listed.values():
            for snap in snaps:
                tagged = {"TagKey": TAG[0], "TagValue": TAG[1]} in snap["Tags"]["Tag"]
                if tagged and datetime.fromisoformat(snap["CreationTime"]) < cutoff:
                    lab.delete_snapshot(snap["SnapshotId"])

    ok, out = verdict(stale, capsys)
    assert not ok
    assert "DeleteSnapshot was refused: InvalidSnapshotId.NotFound (HTTP 404)" in out
    assert "was gone already: its RetentionDays released it 7 days after it was made" in out


# ---------------------------------------------------------------- garbage: a verdict, never a traceback


def raises(lab: Lab, disk_ids: list[str]) -> None:
    raise ZeroDivisionError("division by zero")


def runaway(lab: Lab, disk_ids: list[str]) -> None:
    while True:  # waits for something that never comes, swallowing every error on the way
        with contextlib.suppress(Exception):
            lab.advance(seconds=1)


def one_argument(lab: Lab) -> None:
    pass


GARBAGE = {
    "None": (None, "Your answer is None; this exercise wants a function, `nightly(lab, disk_ids)`."),
    "a number": (42, "Your answer is 42; this exercise wants a function"),
    "the function's name": ("nightly", "Your answer is 'nightly'; this exercise wants a function"),
    "a function that raises": (raises, "Your function raised ZeroDivisionError: division by zero."),
    "a runaway loop": (runaway, "called the lab more than 5000 times"),
    "the wrong signature": (one_argument, "Your function raised TypeError: one_argument() takes 1 positional"),
    "a function that does nothing": (lambda lab, disk_ids: None, "sent no CreateSnapshot for this disk tonight"),
}


@pytest.mark.parametrize("name", GARBAGE, ids=list(GARBAGE))
def test_garbage_gets_a_verdict_never_a_raise(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    answer, expected = GARBAGE[name]
    ok, out = verdict(answer, capsys)
    assert not ok
    assert out.startswith("Not yet.\n")
    assert expected in out
    assert " at 0x" not in out


def test_the_verdicts_are_the_same_on_every_run(capsys: pytest.CaptureFixture[str]) -> None:
    for answer in (EX.solution(), WRONG["no ClientToken"][0], WRONG["retries without a bound"][0]):
        capsys.readouterr()
        first = verdict(answer, capsys)
        assert verdict(answer, capsys) == first


# ---------------------------------------------------------------- the fleet is what the prompt says


def test_the_fleet_holds_what_the_prompt_says_and_is_the_same_every_time() -> None:
    lab = EX.lab()
    ids = EX.ids
    assert list(ids) == [plan.role for plan in FLEET]
    assert lab.now < datetime.fromisoformat("2026-01-05T01:00:00Z")  # before the first night
    for plan in FLEET:
        snaps = lab.describe_snapshots(DiskId=ids[plan.role])
        tagged = [s for s in snaps if {"TagKey": TAG[0], "TagValue": TAG[1]} in s["Tags"]["Tag"]]
        legacy = min(plan.legacy, plan.legacy_retention or plan.legacy)
        assert (len(snaps) - len(tagged), len(tagged)) == (plan.manual, legacy)
        assert all(s["Status"] == "accomplished" for s in snaps)
        assert f"`{ids[plan.role]}`" in EX.prompt
    assert EX.lab().describe_snapshots() == lab.describe_snapshots()


def test_the_prompt_states_the_rules_the_judge_applies() -> None:
    prompt = EX.prompt
    assert prompt.startswith("### Exercise 16: Capstone: a fleet's nightly backups\n")
    assert "$" not in prompt
    for fact in (f"{NIGHTS // 7} weeks", f"last {KEEP_NIGHTS} nights", "at most 8 tries", "by 07:00", "64"):
        assert fact in prompt


def test_the_hint_gives_the_idea_not_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    EX.hint()
    out = capsys.readouterr().out
    assert out.startswith("Hint: ")
    assert "def " not in out and "lab.create_snapshot(" not in out


def retries_of_the_model_answer(trouble: Trouble) -> int:
    """How many failed tries the model answer (6 tries, waits 1, 2, 4... s) retries through one trouble."""
    if trouble.forgiven:
        return 6 - 1 if trouble.kind == "InternalError" else 0  # an outage: up to the bound; a refusal: never
    if trouble.kind == "SlowRequest":
        waited, retries = 0, 0
        while waited < SLOW_SECONDS:  # 500, then IdempotentProcessing until the back end is done
            waited, retries = waited + 2**retries, retries + 1
        return retries
    return {"LostResponse": 1, "InternalError": trouble.times, "SnapshotFails": 0}[trouble.kind]


def test_every_trouble_fires_on_its_night_and_the_model_answer_rides_it_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ok, out = verdict(EX.solution(), capsys)
    assert ok
    expected = sum(retries_of_the_model_answer(t) for t in TROUBLES)
    assert f"{expected} failed tries retried" in out
    forgiven = [f"{t.role} on night {t.night}" for t in TROUBLES if t.forgiven]
    assert f"({' and '.join(forgiven)} forgiven" in out
