"""Exercises on time: when RetentionDays releases a snapshot, and moving the clock until a snapshot is done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..i18n import N_, _
from ..lab import Lab
from ..local_time import stamp
from ..model.events import EventKind
from ..model.resources import SnapshotStatus
from .base import (
    Exercise,
    Verdict,
    correct,
    duration_words,
    not_a_function,
    parse_time,
    run_learner,
    show,
    wrong,
)

RETENTION_DAYS = 3
OVERSHOOT_SECONDS = 60


# ---------------------------------------------------------------- when is it released?


def release_setup() -> tuple[Lab, dict[str, str]]:
    """A snapshot taken at an odd time with RetentionDays=3, accomplished long ago, the clock later that day."""
    lab = Lab(seed=109)
    disk = lab.ready_disk()
    lab.advance_to("2026-01-01T09:41:30Z")
    snapshot = lab.create_snapshot(disk, name="short-lived", retention_days=RETENTION_DAYS).data["SnapshotId"]
    lab.advance_to("2026-01-01T15:00:00Z")
    return lab, {"disk": disk, "snapshot": snapshot}


def judge_release_time(ex: Exercise, answer: Any) -> Verdict:
    when = parse_time(answer)
    if isinstance(when, str):
        return wrong(_("Could not read a time: {why}.").format(why=when))
    lab, ids = ex.fresh()
    snap = lab.snapshot(ids["snapshot"])
    created, done, now = (datetime.fromtimestamp(t, UTC) for t in (snap.created_at, snap.done_at, lab.now_seconds))
    lab.advance(days=RETENTION_DAYS + 1)
    released = next(
        datetime.fromtimestamp(e.at, UTC)
        for e in lab.events
        if e.kind == EventKind.SNAPSHOT_RELEASED and e.resource_id == ids["snapshot"]
    )
    if when == released:
        return correct(
            _(
                "Released at {released}: its CreationTime {created} plus {days} x 24 hours, to the second (the lab "
                "checked by moving its clock)."
            ).format(released=stamp(int(released.timestamp())), created=stamp(snap.created_at), days=RETENTION_DAYS)
        )
    span = timedelta(days=RETENTION_DAYS)
    known = {
        done + span: _("That counts from when the snapshot was accomplished; retention counts from its CreationTime."),
        now + span: _("That counts from the lab's time now; retention counts from the snapshot's CreationTime."),
    }
    for day in (created.replace(hour=0, minute=0, second=0), created.replace(hour=0, minute=0, second=0) + span):
        known.setdefault(day + span, _("The release is not rounded to a day: it happens to the second."))
    lines = [known[when]] if when in known else []
    at = stamp(int(when.timestamp()))
    if when < released:
        lines.append(_("Too early: at {time} the snapshot still exists (the lab checked).").format(time=at))
    else:
        lines.append(_("Too late: by {time} the snapshot is gone (the lab checked).").format(time=at))
    return wrong(*lines)


RELEASE_TIME = dict(
    name="release_time",
    title=N_("When is it released?"),
    prompt=N_("""\
In `lab = $ex.lab()` the snapshot `$snapshot` was created with `RetentionDays=3`. The seed says: "The snapshot
will be automatically released when the retention period expires."

**At what time (UTC) does the lab release it?** Answer a `datetime` or an ISO 8601 string such as
`"2026-01-05T13:45:00Z"`. Find what you need with `lab.describe_snapshots(DiskId=...)`, then test your answer by
moving the clock (`lab.advance_to(...)`)."""),
    setup=release_setup,
    judge=judge_release_time,
    hint=N_(
        "DescribeSnapshots shows CreationTime. Retention is counted in days of 24 hours from that moment, not from "
        "when the snapshot was accomplished and not from midnight."
    ),
    solution="""\
from datetime import datetime, timedelta

lab = $ex.lab()
snapshot_id = $ex.ids["snapshot"]
item = lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]
answer = datetime.fromisoformat(item["CreationTime"]) + timedelta(days=item["RetentionDays"])""",
)


# ---------------------------------------------------------------- wait until accomplished


def wait_setup() -> tuple[Lab, dict[str, str]]:
    """A 200 GiB disk's first snapshot, just started: a full copy that takes over half an hour."""
    lab = Lab(seed=110)
    disk = lab.ready_disk(200)
    return lab, {"disk": disk, "snapshot": lab.create_snapshot(disk, name="full-copy").data["SnapshotId"]}


@dataclass(frozen=True)
class Wait:
    """One run of the learner's function: which snapshot, described how, made by what."""

    label: str
    start: Callable[[Lab, dict[str, str]], str]  # returns the snapshot to wait for


def _incremental(lab: Lab, ids: dict[str, str]) -> str:
    return lab.create_snapshot(ids["disk"], name="incremental").data["SnapshotId"]


def _failing(lab: Lab, ids: dict[str, str]) -> str:
    lab.advance(days=1)  # a day of changes: a bigger incremental copy, which fails halfway
    lab.faults.inject("SnapshotFails", at_progress=50)
    return lab.create_snapshot(ids["disk"], name="doomed").data["SnapshotId"]


WAITS = (  # labels marked with N_: shown through _()
    Wait(N_("the first (full) snapshot"), lambda lab, ids: ids["snapshot"]),
    Wait(N_("a second (incremental) snapshot"), _incremental),
    Wait(N_("a third snapshot, which fails halfway"), _failing),
)


def _waited(lab: Lab, snapshot_id: str, label: str, returned: object) -> str | None:
    """What is wrong after the learner's wait, or None."""
    label = _(label)
    try:
        snap = lab.snapshot(snapshot_id)
    except KeyError:
        return _("After your function ran, {label} {snapshot} no longer exists: wait for it, do not delete it.").format(
            label=label, snapshot=snapshot_id
        )
    now = lab.now_seconds
    if snap.status is SnapshotStatus.PROGRESSING:
        return _(
            "After your function ran, {label} {snapshot} is still progressing ({progress}%). RemainTime is an "
            "estimate, as on the cloud: after waiting that long, read Status again, and go on until it is no longer "
            "progressing."
        ).format(label=label, snapshot=snapshot_id, progress=snap.progress_at(now))
    over = now - snap.modified_at
    capital = f"{label[0].upper()}{label[1:]}"
    if over > OVERSHOOT_SECONDS:
        return _(
            "{label} {snapshot} is {status}, but your function moved the clock {over} past the moment that happened "
            "(at most {most} s). RemainTime is an estimate that can be too long too: wait in steps of at most "
            "{most} s, and read Status after each."
        ).format(
            label=capital,
            snapshot=snapshot_id,
            status=snap.status.value,
            over=duration_words(over),
            most=OVERSHOOT_SECONDS,
        )
    if returned != snap.status.value:
        return _(
            "{label} {snapshot} ended {status}, but your function returned {returned}. Return the Status that "
            "DescribeSnapshots reports at the end: a snapshot can fail."
        ).format(label=capital, snapshot=snapshot_id, status=snap.status.value, returned=show(returned))
    return None


def judge_wait(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_function(answer, "wait_until_accomplished(lab, snapshot_id) -> str")
    if bad is not None:
        return bad
    lab, ids = ex.fresh()
    took = []
    for wait in WAITS:
        snapshot_id = wait.start(lab, ids)
        outcome = run_learner(answer, lab, snapshot_id, lab=lab)
        if outcome.error is not None:
            return wrong(
                _("With {label} {snapshot}, {error}").format(
                    label=_(wait.label), snapshot=snapshot_id, error=outcome.error
                )
            )
        problem = _waited(lab, snapshot_id, wait.label, outcome.value)
        if problem is not None:
            return wrong(problem)
        snap = lab.snapshot(snapshot_id)
        took.append(duration_words(snap.modified_at - snap.created_at))
    return correct(
        _(
            "The full copy took {full}, the incremental one {incremental}, and the third failed after {failed}. Your "
            "function stopped within {most} s each time and returned the Status. A fixed wait would be too long for "
            "one and too short for another, and RemainTime alone is only an estimate."
        ).format(full=took[0], incremental=took[1], failed=took[2], most=OVERSHOOT_SECONDS)
    )


WAIT_UNTIL_ACCOMPLISHED = dict(
    name="wait_until_accomplished",
    title=N_("Wait until it is done"),
    prompt=N_("""\
In `lab = $ex.lab()` a snapshot of a 200 GiB disk has just started: `$snapshot`, Status `progressing`. The lab's clock
moves only when you call `lab.advance(...)`.

Write a function `wait_until_accomplished(lab, snapshot_id)` that moves the clock forward until the snapshot is no
longer `progressing`, stopping **no more than 60 seconds** after the moment it finished, and returns its final
Status (`"accomplished"`, or `"failed"`: a snapshot can fail). The check runs it on a fresh copy of this lab, then on
a second, incremental snapshot (much quicker), then on a third that fails halfway.

RemainTime in DescribeSnapshots is an **estimate**, as on the cloud (in the lab it is off by up to 20%): use it to
decide how long to wait before you look again, and Status to decide whether it is done."""),
    setup=wait_setup,
    judge=judge_wait,
    hint=N_(
        "lab.describe_snapshots(SnapshotIds=f'[\"{snapshot_id}\"]')[0] gives Status, Progress and RemainTime. "
        "Loop: read it; if Status is not progressing, return it; else lab.advance(seconds=...) by part of RemainTime, "
        "never more than 60 s."
    ),
    solution="""def wait_until_accomplished(lab, snapshot_id):
    while True:
        item = lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]
        if item["Status"] != "progressing":
            return item["Status"]  # accomplished, or failed
        # RemainTime is an estimate: wait part of it (at most a minute), then look again
        lab.advance(seconds=min(max(item["RemainTime"] // 2, 1), 60))""",
    answer_name="wait_until_accomplished",
)
