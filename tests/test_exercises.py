"""Workshop exercises: every solution passes its check, realistic wrong answers fail with a specific verdict,
garbage never raises, and the printed output is the same on every run."""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from test_capstone import WRONG as CAPSTONE_WRONG
from test_capstone import pruning_nightly

from ecs_snap_lab import Lab
from ecs_snap_lab.exercises import EXERCISES, Exercise, exercise
from ecs_snap_lab.exercises.base import CALL_BUDGET, Runaway, guarded
from ecs_snap_lab.exercises.retries import MAX_TRIES
from ecs_snap_lab.model.resources import SnapshotStatus, SnapshotType


def verdict(ex: Exercise, answer: Any, capsys: pytest.CaptureFixture[str]) -> tuple[bool, str]:
    ok = ex.check(answer)
    return ok, capsys.readouterr().out


def solution_of(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> Any:
    value = ex.solution()
    capsys.readouterr()
    return value


# ---------------------------------------------------------------- every exercise


def test_there_are_at_least_ten_exercises_numbered_in_order_with_unique_names() -> None:
    assert len(EXERCISES) >= 10
    assert [ex.number for ex in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    assert len({ex.name for ex in EXERCISES}) == len(EXERCISES)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_the_solution_passes_its_check(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    answer = ex.solution()
    printed = capsys.readouterr().out
    assert printed.startswith("Solution:\n")
    ok, out = verdict(ex, answer, capsys)
    assert ok is True
    assert out.startswith("Correct!\n")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_the_printed_solution_runs_as_printed_in_a_notebook(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    ex.solution()
    code = capsys.readouterr().out.removeprefix("Solution:\n")
    assert "$" not in code  # every placeholder was filled in
    namespace: dict[str, Any] = {ex.variable: ex}
    exec(code, namespace)
    ok, _ = verdict(ex, namespace[ex.answer_name], capsys)
    assert ok is True


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_the_prompt_names_the_exercise_and_fills_in_every_placeholder(ex: Exercise) -> None:
    prompt = ex.prompt
    assert prompt.startswith(f"### Exercise {ex.number}: {ex.title}\n")
    assert "$" not in prompt
    assert ex._repr_markdown_() == prompt


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_hint_prints_a_hint_without_the_solution_code(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    ex.hint()
    out = capsys.readouterr().out
    assert out.startswith("Hint: ")
    assert "answer =" not in out


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_the_lab_is_fresh_and_the_same_every_time(ex: Exercise) -> None:
    first, second = ex.lab(), ex.lab()
    assert first is not second
    assert repr(first) == repr(second)
    assert sorted(first.world.snapshots) == sorted(second.world.snapshots)
    assert set(ex.ids.values()) <= {*first.world.disks, *first.world.snapshots, *first.world.instances} | set(
        first.world.policies
    )


def raises(*args: object) -> object:
    raise ValueError("learner bug")


def exits(*args: object) -> object:
    raise SystemExit(3)


class Hostile:
    """An answer whose every comparison, hash and repr raises."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    def __hash__(self) -> int:
        raise RuntimeError("hash")

    def __repr__(self) -> str:
        raise RuntimeError("repr")


GARBAGE = [
    None,
    42,
    "",
    "nonsense",
    [],
    {},
    {1: 2},
    {"DiskId": object()},
    object(),
    Hostile(),
    raises,
    exits,
    float("nan"),
]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: type(g).__name__)
def test_garbage_answers_never_raise_and_get_a_readable_verdict(
    ex: Exercise, garbage: object, capsys: pytest.CaptureFixture[str]
) -> None:
    ok, out = verdict(ex, garbage, capsys)
    assert ok is False
    assert out.startswith("Not yet.\n  ")
    assert " at 0x" not in out
    assert "Traceback" not in out


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_check_without_an_answer_says_how_to_pass_one(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    ok = ex.check()
    out = capsys.readouterr().out
    assert ok is False
    assert f"{ex.variable}.check(" in out


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_check_output_is_identical_on_two_runs(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    answer = solution_of(ex, capsys)
    wrong = WRONG[ex.name][0][0](ex)
    runs = [[verdict(ex, a, capsys) for a in (answer, wrong, None)] for _ in range(2)]
    assert runs[0] == runs[1]


# ---------------------------------------------------------------- realistic wrong answers, exercise by exercise


def system_disk(ex: Exercise) -> str:
    lab = ex.lab()
    return lab.instance(lab.disk(ex.ids["disk"]).instance_id or "").disk_ids[0]


def regex_id(xml: str) -> str:
    return re.search(r"<SnapshotId>(.*?)</SnapshotId>", xml).group(1)  # type: ignore[union-attr]


def first_text(xml: str) -> str | None:
    return ET.fromstring(xml)[0].text  # the RequestId: the first child of every answer


def rename_only(params: dict) -> dict:
    return {k.replace(".key", ".Key").replace(".value", ".Value"): v for k, v in params.items()}


def wait_an_hour(lab: Lab, snapshot_id: str) -> str:
    lab.advance(hours=1)
    return "accomplished"


def do_not_wait(lab: Lab, snapshot_id: str) -> str:
    return lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]["Status"]


def poll_without_advancing(lab: Lab, snapshot_id: str) -> None:
    while lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]["Status"] != "accomplished":
        pass


def trust_remain_time(lab: Lab, snapshot_id: str) -> str:
    """Advances once by RemainTime and never reads Status: the estimate is not the truth."""
    item = lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]
    lab.advance(seconds=item["RemainTime"])
    return "accomplished"


def wait_until_remain_is_zero(lab: Lab, snapshot_id: str) -> str:
    """Polls well, but reports success without reading Status: wrong for the snapshot that fails."""
    while lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]["RemainTime"]:
        lab.advance(seconds=30)
    return "accomplished"


def poll_every_30_seconds(lab: Lab, snapshot_id: str) -> str:
    """Another right answer: ignores RemainTime, polls Status in small steps."""
    while (status := lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]["Status"]) == "progressing":
        lab.advance(seconds=30)
    return status


def retry_without_token(lab: Lab, disk: str) -> str | None:
    for _ in range(3):
        response = lab.create_snapshot(disk, name="retry")
        if response.ok:
            return response.data["SnapshotId"]
        lab.advance(seconds=1)
    return None


def recover_by_listing(lab: Lab, disk: str) -> str:
    """The right outcome without a ClientToken: must still fail the check (the lesson is the token)."""
    response = lab.create_snapshot(disk, name="retry")
    if response.ok:
        return response.data["SnapshotId"]
    return lab.describe_snapshots(DiskId=disk)[0]["SnapshotId"]


TOKENS = itertools.count()


def new_token_each_try(lab: Lab, disk: str) -> str | None:
    for _ in range(3):
        response = lab.create_snapshot(disk, name="retry", client_token=f"try-{next(TOKENS)}")
        if response.ok:
            return response.data["SnapshotId"]
        lab.advance(seconds=1)
    return None


def retry(lab: Lab, disk: str, token: str, waits: Callable[[int], int], tries: int = 8, fatal_4xx: bool = True) -> str:
    """A configurable retry loop, to make right and wrong answers that differ in one way."""
    for n in range(tries):
        response = lab.create_snapshot(disk, name="nightly", client_token=token)
        if response.ok:
            return response.data["SnapshotId"]
        if fatal_4xx and response.status < 500 and response.code != "IdempotentProcessing":
            raise RuntimeError(response.code)
        lab.advance(seconds=waits(n))
    raise RuntimeError("gave up")


def token_per_disk(lab: Lab, disk: str) -> str:
    """The old model answer's bug: the same token every night, so the second night takes no new backup."""
    return retry(lab, disk, f"create-{disk}-1", lambda n: 2**n)


def no_backoff(lab: Lab, disk: str) -> str:
    return retry(lab, disk, f"t-{next(TOKENS)}", lambda n: 1)


def unbounded(lab: Lab, disk: str) -> str:
    return retry(lab, disk, f"t-{next(TOKENS)}", lambda n: 2**n, tries=40)


def retries_refusals(lab: Lab, disk: str) -> str:
    return retry(lab, disk, f"t-{next(TOKENS)}", lambda n: 2**n, fatal_4xx=False)


def gives_up_on_idempotent_processing(lab: Lab, disk: str) -> str:
    token = f"t-{next(TOKENS)}"
    for n in range(8):
        response = lab.create_snapshot(disk, name="nightly", client_token=token)
        if response.ok:
            return response.data["SnapshotId"]
        if response.status < 500:
            raise RuntimeError(response.code)
        lab.advance(seconds=2**n)
    raise RuntimeError("gave up")


def linear_backoff_with_a_counter_token(lab: Lab, disk: str) -> str | None:
    """Another right answer: a token from a counter kept on the function, waits of 1, 2, 3... s, None on failure."""
    linear_backoff_with_a_counter_token.calls += 1  # type: ignore[attr-defined]
    token = f"{disk}-night-{linear_backoff_with_a_counter_token.calls}"  # type: ignore[attr-defined]
    for n in range(1, 9):
        response = lab.create_snapshot(disk, name="nightly", client_token=token)
        if response.ok:
            return response.data["SnapshotId"]
        if response.status < 500 and response.code != "IdempotentProcessing":
            return None
        lab.advance(seconds=n)
    return None


linear_backoff_with_a_counter_token.calls = 0  # type: ignore[attr-defined]


def quota_minus(ex: Exercise, count: Callable[[Any], bool]) -> int:
    lab = ex.lab()
    return lab.snapshot_quota - sum(1 for s in lab.world.by_disk[ex.ids["disk"]].values() if count(s))


def release(ex: Exercise, moment: Callable[[Any, Lab], int]) -> str:
    lab = ex.lab()
    at = moment(lab.snapshot(ex.ids["snapshot"]), lab) + 3 * 86400
    return datetime.fromtimestamp(at, UTC).isoformat()


def oldest_of(ex: Exercise, kind: SnapshotType | None, newest: bool = False) -> str:
    snaps = [s for s in ex.lab().world.by_disk[ex.ids["disk"]].values() if kind is None or s.snapshot_type is kind]
    return (snaps[-1] if newest else snaps[0]).snapshot_id


def filters(ex: Exercise, **overrides: object) -> dict:
    params = {
        "RegionId": ex.lab().region,
        "DiskId": ex.ids["disk"],
        "Status": "accomplished",
        "Tag.1.Key": "env",
        "Tag.1.Value": "prod",
        "PageSize": 100,
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


Wrong = list[tuple[Callable[[Exercise], Any], str]]
WRONG: dict[str, Wrong] = {
    "first_snapshot": [
        (
            lambda ex: {"DiskId": ex.ids["disk"], "SnapshotName": "db-nightly", "RetentionDays": 7, "Tag.1.Key": "env"},
            "It needs env=prod",
        ),
        (
            lambda ex: {"DiskId": ex.ids["disk"], "Name": "db-nightly", "RetentionDays": 7, "Tag.1.Key": "env"},
            "ignores parameters it does not know, without a word: 'Name'",
        ),
        (
            lambda ex: {"DiskId": ex.ids["disk"], "SnapshotName": "db nightly", "RetentionDays": 7},
            "InvalidSnapshotName.Malformed (HTTP 400)",
        ),
        (
            lambda ex: {"DiskId": system_disk(ex), "SnapshotName": "db-nightly", "RetentionDays": 7},
            "(the instance's system disk)",
        ),
        (lambda ex: {"DiskId": ex.ids["disk"], "SnapshotName": "db-nightly"}, "It has no RetentionDays"),
        (lambda ex: {**solution_params(ex), "Action": "DeleteSnapshot"}, "Set the value to CreateSnapshot"),
    ],
    "wait_until_accomplished": [
        (lambda ex: wait_an_hour, "past the moment that happened (at most 60 s)"),
        (lambda ex: do_not_wait, "is still progressing (0%)"),
        (lambda ex: poll_without_advancing, f"more than {CALL_BUDGET} times"),
        (lambda ex: trust_remain_time, "RemainTime is an estimate"),
        (lambda ex: wait_until_remain_is_zero, "ended failed, but your function returned 'accomplished'"),
    ],
    "describe_filters": [
        (lambda ex: filters(ex, PageSize=None), "The page holds 10 of TotalCount 13: PageSize is 10"),
        (lambda ex: filters(ex, DiskId=None), "of another disk"),
        (lambda ex: filters(ex, Status=None), "not accomplished: filter with Status"),
        (lambda ex: filters(ex, **{"Tag.1.Value": None}), "tagged env=test, not env=prod"),
        (lambda ex: filters(ex, RegionId=None), "MissingParameter (HTTP 400)"),
        (lambda ex: filters(ex, Status="done"), "InvalidStatus.NotFound"),
    ],
    "error_with_parameter": [
        (lambda ex: {"DiskId": ex.ids["disk"], "RetentionDays": 7}, "The API accepted it"),
        (lambda ex: {"DiskId": ex.ids["disk"], "ClientToken": "x" * 65}, "it came from another parameter"),
        (
            lambda ex: {"DiskId": "d-doesnotexist", "RetentionDays": 0},
            "something else is wrong too: without RetentionDays the request still fails. The API answered "
            "InvalidDiskId.NotFound",
        ),
        (lambda ex: {"DiskId": ex.ids["disk"], "SnapshotName": "1st", "RetentionDays": 0}, "InvalidSnapshotName"),
    ],
    "tags_that_win": [
        (lambda ex: {"env": "test", "team": "db"}, "Tag.1.value is ignored: Tag.1.Value is given and wins"),
        (lambda ex: {"env": "prod"}, "does have the tag team=db"),
        (lambda ex: {"env": "prod", "team": "db", "stage": "x"}, "has no tag 'stage'"),
    ],
    "modernize_tags": [
        (lambda ex: rename_only, "the capitalised one wins"),
        (lambda ex: dict, "still uses deprecated spellings: Tag.1.key, Tag.1.value"),
        (lambda ex: lambda p: {k: v for k, v in p.items() if k[:4] != "Tag."}, "do not drop it"),
    ],
    "params_check_order": [
        (lambda ex: "IncorrectDiskStatus.NeverAttached", "another problem is checked before step 12"),
        (lambda ex: "InvalidParameter", "another problem is checked before step 4"),
        (lambda ex: "invalidsnapshotname.malformed", "case-sensitive"),
        (lambda ex: "QuotaExceed.Snapshot", "none of the problems in this request causes it"),
        (lambda ex: "NoSuchCode", "is not an error code of the API"),
        (lambda ex: "InvalidSnapshotName", "Close: the API answers a more exact code than InvalidSnapshotName"),
        (lambda ex: "IncorrectDiskStatus", "alone, that problem answers IncorrectDiskStatus.NeverAttached"),
    ],
    "world_check_order": [
        (lambda ex: "InstanceLockedForSecurity", "another problem is checked before step 13"),
        (lambda ex: "IncorrectDiskStatus.CreatingSnapshot", "another problem is checked before step 15"),
    ],
    "xml_answer": [
        (
            lambda ex: regex_id,
            "On an error answer (InvalidSnapshotName.Malformed), your function raised AttributeError",
        ),
        (lambda ex: first_text, "That is the RequestId"),
        (lambda ex: lambda xml: ET.fromstring(xml).find("SnapshotId"), "return its text (element.text)"),
    ],
    "token_outcomes": [
        (lambda ex: ["new", "new", "IdempotentParameterMismatch", "new", "new", "new"], "Request 2"),
        (
            lambda ex: ["new", "same", "IdempotentParameterMismatch", "new", "same", "same"],
            "Request 4 (SnapshotName='nightly', ClientToken='night-2'): you said 'new'",
        ),
        (
            lambda ex: ["new", "same", "IdempotentParameterMismatch", "IncorrectDiskStatus.CreatingSnapshot", "same"],
            "give a list of 6 strings",
        ),
        (
            lambda ex: [
                "new",
                "same",
                "IdempotentParameterMismatch",
                "IncorrectDiskStatus.CreatingSnapshot",
                "new",
                "new",
            ],
            "replays the answer of the first request with ClientToken 'night-1'",
        ),
    ],
    "retry_with_token": [
        (lambda ex: retry_without_token, "Without a ClientToken the API cannot tell a retry from a new request"),
        (lambda ex: recover_by_listing, "not by the safe way"),
        (lambda ex: new_token_each_try, "Each try used another ClientToken"),
        (lambda ex: token_per_disk, "a token fixed per disk replays the first night's answer"),
        (lambda ex: no_backoff, "back off, making each wait longer"),
        (lambda ex: unbounded, f"stop after at most {MAX_TRIES} tries"),
        (lambda ex: retries_refusals, "retrying it cannot help"),
        (lambda ex: gives_up_on_idempotent_processing, "IdempotentProcessing (403) means the first try is still"),
    ],
    "release_time": [
        (lambda ex: release(ex, lambda snap, lab: snap.done_at), "counts from when the snapshot was accomplished"),
        (lambda ex: release(ex, lambda snap, lab: lab.world.now), "counts from the lab's time now"),
        (lambda ex: release(ex, lambda snap, lab: snap.created_at // 86400 * 86400), "not rounded to a day"),
        (lambda ex: "next tuesday", "is not an ISO 8601 time"),
    ],
    "quota_room": [
        (
            lambda ex: quota_minus(ex, lambda s: s.status is SnapshotStatus.ACCOMPLISHED),
            "Not only accomplished snapshots count",
        ),
        (lambda ex: quota_minus(ex, lambda s: s.snapshot_type is SnapshotType.USER), "Automatic snapshots count"),
        (lambda ex: quota_minus(ex, lambda s: s.status is not SnapshotStatus.FAILED), "A failed snapshot still"),
        (lambda ex: ex.lab().snapshot_quota - 10, "10 items per page"),
        (lambda ex: str(ex.lab().snapshot_quota), "give a whole number"),
        (lambda ex: 30.5, "give a whole number"),
    ],
    "nightly_backups": [  # the capstone has its own file (test_capstone.py) with seventeen more
        (lambda ex: CAPSTONE_WRONG["a ClientToken per disk, not per night"][0], "sent on night 1"),
        (lambda ex: CAPSTONE_WRONG["no ClientToken"][0], "IncorrectDiskStatus.CreatingSnapshot"),
    ],
    "auto_at_quota": [
        (lambda ex: oldest_of(ex, None), "manual snapshots are never removed"),
        (lambda ex: None, "Something does disappear"),
        (lambda ex: oldest_of(ex, SnapshotType.AUTO, newest=True), "is the newest automatic snapshot"),
        (lambda ex: "s-doesnotexist", "is not a snapshot of"),
    ],
}


def solution_params(ex: Exercise) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        return dict(ex.solution())


def quota_room_answer(ex: Exercise) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return int(ex.solution())


# another right answer per exercise: a different way to the same result, which the check must accept
RIGHT: dict[str, Callable[[Exercise], Any]] = {
    "first_snapshot": lambda ex: {
        "Action": "CreateSnapshot",
        "RegionId": ex.lab().region,
        **solution_params(ex),
        "RetentionDays": "7",  # as it travels on the wire
    },
    "wait_until_accomplished": lambda ex: poll_every_30_seconds,
    "describe_filters": lambda ex: {**filters(ex), "PageSize": "50", "PageNumber": 1},
    "error_with_parameter": lambda ex: {"DiskId": ex.ids["disk"], "RetentionDays": 65537},
    "tags_that_win": lambda ex: {"team": "db", "env": "prod"},
    "modernize_tags": lambda ex: modernize_by_dropping_lowercase,
    "params_check_order": lambda ex: "  InvalidSnapshotName.Malformed\n",
    "world_check_order": lambda ex: " DiskInArrears ",
    "xml_answer": lambda ex: xml_by_regex,
    "token_outcomes": lambda ex: (
        "NEW",
        " same",
        "IdempotentParameterMismatch",
        "IncorrectDiskStatus.CreatingSnapshot",
        "New",
        "Same",
    ),
    "retry_with_token": lambda ex: linear_backoff_with_a_counter_token,
    "release_time": lambda ex: released_at(ex).astimezone(timezone(timedelta(hours=8))),  # the same instant, UTC+8
    "quota_room": lambda ex: np.int64(quota_room_answer(ex)),
    "auto_at_quota": lambda ex: f"  {oldest_of(ex, SnapshotType.AUTO)}\n",
    "nightly_backups": lambda ex: pruning_nightly,
}


def modernize_by_dropping_lowercase(params: dict) -> dict:
    out = {k: v for k, v in params.items() if not re.fullmatch(r"Tag\.\d+\.(key|value)", k)}
    for k, v in params.items():
        m = re.fullmatch(r"Tag\.(\d+)\.(key|value)", k)
        if m:
            out.setdefault(f"Tag.{m[1]}.{m[2].capitalize()}", v)
    return out


def xml_by_regex(xml: str) -> str | None:
    found = re.search(r"<CreateSnapshotResponse>.*<SnapshotId>(.*?)</SnapshotId>", xml, re.S)
    return found[1] if found else None


def released_at(ex: Exercise) -> datetime:
    lab = ex.lab()
    return datetime.fromtimestamp(lab.snapshot(ex.ids["snapshot"]).created_at, UTC) + timedelta(days=3)


CASES = [(name, n) for name, wrongs in WRONG.items() for n in range(len(wrongs))]


def test_every_exercise_has_two_wrong_answers_and_another_right_one() -> None:
    names = {ex.name for ex in EXERCISES}
    assert set(WRONG) == names and set(RIGHT) == names
    assert all(len(wrongs) >= 2 for wrongs in WRONG.values())


@pytest.mark.parametrize(("name", "n"), CASES, ids=[f"{name}-{n}" for name, n in CASES])
def test_a_realistic_wrong_answer_fails_with_a_specific_verdict(
    name: str, n: int, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = exercise(name)
    make, expected = WRONG[name][n]
    ok, out = verdict(ex, make(ex), capsys)
    assert ok is False
    assert out.startswith("Not yet.\n")
    assert expected in out


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_another_right_answer_passes(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise(name)
    ok, out = verdict(ex, RIGHT[name](ex), capsys)
    assert ok is True, out
    assert out.startswith("Correct!\n")


# ---------------------------------------------------------------- what the checks are made of


def test_a_learners_experiments_on_their_lab_do_not_change_a_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("quota_room")
    answer = solution_of(ex, capsys)
    lab = ex.lab()
    for n in range(5):
        lab.advance(minutes=5)
        lab.create_snapshot(ex.ids["disk"], name=f"experiment-{n}")
    ids = ex.ids
    ids["disk"] = "d-changed"
    assert ex.ids["disk"] != "d-changed"
    assert verdict(ex, answer, capsys)[0] is True


def test_a_function_answer_runs_on_a_fresh_lab_not_the_learners(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("wait_until_accomplished")
    mine = ex.lab()
    seen: list[Lab] = []

    def wait(lab: Lab, snapshot_id: str) -> str:
        seen.append(lab)
        return poll_every_30_seconds(lab, snapshot_id)

    assert verdict(ex, wait, capsys)[0] is True
    assert seen and all(lab is not mine for lab in seen)
    assert mine.snapshot(ex.ids["snapshot"]).status is SnapshotStatus.PROGRESSING


def test_which_code_wins_lists_the_problems_in_check_order(capsys: pytest.CaptureFixture[str]) -> None:
    for ex in (exercise("params_check_order"), exercise("world_check_order")):
        ok, out = verdict(ex, solution_of(ex, capsys), capsys)
        steps = [int(step) for step in re.findall(r"step (\d+):", out)]
        assert ok and len(steps) == 3
        assert steps == sorted(steps)
        assert "(answers)" in out.splitlines()[3]


def test_the_wait_check_catches_a_fixed_wait_tuned_to_the_first_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("wait_until_accomplished")
    lab = ex.lab()
    snap = lab.snapshot(ex.ids["snapshot"])
    needed = snap.done_at - lab.world.now

    def fixed(lab: Lab, snapshot_id: str) -> str:
        lab.advance(seconds=needed)
        return lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]["Status"]

    ok, out = verdict(ex, fixed, capsys)
    assert ok is False
    assert "second (incremental) snapshot" in out


def test_the_release_time_is_accepted_as_a_datetime_or_a_string(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("release_time")
    lab = ex.lab()
    released = datetime.fromtimestamp(lab.snapshot(ex.ids["snapshot"]).created_at, UTC) + timedelta(days=3)
    for answer in (released, released.replace(tzinfo=None), released.isoformat(), f"{released:%Y-%m-%dT%H:%M:%S}Z"):
        assert verdict(ex, answer, capsys)[0] is True
    ok, out = verdict(ex, released - timedelta(seconds=1), capsys)
    assert not ok and "Too early" in out


def test_the_guard_stops_a_runaway_loop_and_restores_the_lab(lab: Lab) -> None:
    with pytest.raises(Runaway), guarded(lab, budget=3):
        while True:
            lab.advance(seconds=1)
    assert "call" not in vars(lab) and "advance" not in vars(lab)
    before = lab.now
    lab.advance(seconds=10)
    assert lab.now - before == timedelta(seconds=10)


def test_a_runaway_learner_loop_that_swallows_exceptions_is_still_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    def stubborn(lab: Lab, disk: str) -> str:
        while True:
            with contextlib.suppress(Exception):
                lab.create_snapshot(disk)

    ok, out = verdict(exercise("retry_with_token"), stubborn, capsys)
    assert ok is False
    assert f"more than {CALL_BUDGET} times" in out


def test_exercise_finds_by_number_and_by_name_and_refuses_others() -> None:
    assert exercise(3) is EXERCISES[2]
    assert exercise("retry_with_token").number == EXERCISES.index(exercise("retry_with_token")) + 1
    with pytest.raises(KeyError, match="give 1 to"):
        exercise(99)


def test_importing_the_exercises_loads_no_heavy_library() -> None:
    probe = (
        "import sys, ecs_snap_lab.exercises as e; e.ex1.check(e.ex1.solution()); "
        "print(sorted({'pandas', 'matplotlib', 'ipywidgets', 'IPython', 'numpy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"


# ---------------------------------------------------------------- the judges the workshop trial found wrong


def test_a_count_of_any_integer_type_is_a_whole_number(capsys: pytest.CaptureFixture[str]) -> None:
    pd = pytest.importorskip("pandas")
    ex = exercise("quota_room")
    right = quota_room_answer(ex)
    for answer in (right, np.int64(right), np.int32(right), np.uint8(right), float(right), np.float64(right)):
        assert verdict(ex, answer, capsys)[0] is True, type(answer)
    counted = pd.Series([1] * (ex.lab().snapshot_quota - right)).sum()  # what a learner gets from a frame
    assert verdict(ex, ex.lab().snapshot_quota - counted, capsys)[0] is True
    assert verdict(ex, True, capsys)[0] is False


def test_a_snapshot_id_with_spaces_around_it_is_read_as_the_id(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("auto_at_quota")
    wrong_one = oldest_of(ex, None)
    ok, out = verdict(ex, f" {wrong_one} ", capsys)
    assert not ok and "manual snapshots are never removed" in out  # judged as the id, not "not a snapshot of"


def test_the_seeds_own_action_parameter_is_known(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("first_snapshot")
    ok, out = verdict(ex, {**solution_params(ex), "Action": "CreateSnapshot"}, capsys)
    assert ok and "ignores parameters" not in out


@pytest.mark.parametrize("name", ["params_check_order", "world_check_order"])
def test_check_order_exercises_say_the_order_is_the_labs_choice(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise(name)
    assert "the lab's" in ex.prompt and "documented choice" in ex.prompt
    ok, out = verdict(ex, solution_of(ex, capsys), capsys)
    assert ok and "the seed lists the codes, not their order" in out


def test_remain_time_is_an_estimate_so_advancing_by_it_once_can_fall_short() -> None:
    ex = exercise("wait_until_accomplished")
    lab = ex.lab()
    snapshot_id = ex.ids["snapshot"]
    estimate = lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]["RemainTime"]
    truth = lab.snapshot(snapshot_id).done_at - lab.world.now
    assert estimate != truth and abs(estimate - truth) <= 0.2 * truth + 1


def solution_function(name: str) -> Callable[..., Any]:
    with contextlib.redirect_stdout(io.StringIO()):
        return exercise(name).solution()


@pytest.mark.parametrize(
    ("fault", "made"),
    [
        ("InternalError", 1),
        ("LostResponse", 1),
        ("SlowRequest", 1),
        ("SnapshotFails", 1),  # created, then fails while copying: the call did its job
        ("CreateSnapshot.Failed", 0),  # a 403 refusal: given up at once
    ],
)
def test_the_retry_solution_under_each_fault_on_two_nights(fault: str, made: int) -> None:
    create_with_retry = solution_function("retry_with_token")
    lab = Lab(seed=7)
    disk = lab.ready_disk()
    ids = []
    for _night in range(2):
        lab.faults.inject(fault)
        before = {s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk)}
        try:
            ids.append(create_with_retry(lab, disk))
        except RuntimeError as exc:
            assert made == 0 and "CreateSnapshot.Failed" in str(exc)
        new = {s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk)} - before
        assert len(new) == made
        assert ids[-1:] == sorted(new) or made == 0
        lab.advance(days=1)
    assert len(set(ids)) == len(ids)  # a new snapshot each night, never the first night's again


def test_an_answer_from_another_exercises_lab_is_told_so(capsys: pytest.CaptureFixture[str]) -> None:
    other = exercise("release_time")
    theirs = other.lab()  # the learner ran ex12's cell last
    stray = theirs.describe_snapshots(DiskId=other.ids["disk"])[0]["SnapshotId"]
    ok, out = verdict(exercise("auto_at_quota"), stray, capsys)
    assert not ok
    assert (
        f"{stray} belongs to the lab of {other.variable}" in out
        and f"lab = {exercise('auto_at_quota').variable}.lab()" in out
    )
    del theirs
    ok, out = verdict(exercise("auto_at_quota"), "s-unknown", capsys)
    assert "belongs to" not in out
