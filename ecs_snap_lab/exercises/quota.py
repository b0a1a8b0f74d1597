"""Exercises on the quota of 64 snapshots per disk: what counts, and what an automatic snapshot does at the limit."""

from __future__ import annotations

from typing import Any

from ..i18n import N_, _
from ..lab import Lab
from ..model.resources import SnapshotStatus, SnapshotType
from .base import Exercise, Verdict, correct, show, text_answer, whole_number, wrong

PAGE = 10  # DescribeSnapshots' default PageSize


# ---------------------------------------------------------------- 12. how many more fit?


def room_setup() -> tuple[Lab, dict[str, str]]:
    """Three days of snapshots: manual ones every two hours (the first twelve kept a day), a daily policy, two
    failed, and one still progressing."""
    lab = Lab(seed=112)
    disk = lab.ready_disk()
    with lab.batch():
        policy = lab.create_auto_snapshot_policy(hours=[3], retention_days=-1, name="daily")
        lab.apply_auto_snapshot_policy(policy, [disk])
        for n in range(1, 41):
            if n % 17 == 0:
                lab.faults.inject("SnapshotFails", at_progress=40)
            lab.create_snapshot(disk, name=f"every-2h-{n}", retention_days=1 if n <= 12 else None)
            lab.advance(hours=2)
        lab.create_snapshot(disk, name="latest")
        lab.advance(seconds=10)
    return lab, {"disk": disk}


def fill(lab: Lab, disk: str) -> int:
    """Create manual snapshots until the API refuses with QuotaExceed.Snapshot; how many it accepted."""
    for made in range(lab.snapshot_quota + 1):
        busy = lab.progressing_snapshot(disk)
        while busy is not None and lab.snapshot(busy.snapshot_id).status is SnapshotStatus.PROGRESSING:
            lab.advance(seconds=busy.remain_at(lab.now_seconds))  # an estimate: look again after it
        response = lab.create_snapshot(disk, name=f"fill-{made + 1}")
        if not response.ok:
            if response.code != "QuotaExceed.Snapshot":
                raise RuntimeError(f"filling the disk met {response.code}")
            return made
    raise RuntimeError("the quota never answered")


def judge_room(ex: Exercise, given: Any) -> Verdict:
    answer = whole_number(given)
    if answer is None:
        return wrong(_("Your answer is {answer}; give a whole number, e.g. 12.").format(answer=show(given)))
    lab, ids = ex.fresh()
    disk = ids["disk"]
    snaps = list(lab.snapshots_of(disk).values())
    quota = lab.snapshot_quota
    count = {
        "accomplished": sum(s.status is SnapshotStatus.ACCOMPLISHED for s in snaps),
        "not_failed": sum(s.status is not SnapshotStatus.FAILED for s in snaps),
        "manual": sum(s.snapshot_type is SnapshotType.USER for s in snaps),
        "automatic": sum(s.snapshot_type is SnapshotType.AUTO for s in snaps),
        "ever_manual": sum(1 for r in lab.requests if r.action == "CreateSnapshot" and r.status == 200),
    }
    breakdown = _breakdown(snaps)  # now: filling the disk moves the clock, and the progressing one finishes
    expected = fill(lab, disk)
    if answer == expected:
        return correct(
            _(
                "{expected} more. The disk has {count} snapshots ({breakdown}) and the quota is {quota}: every "
                "snapshot that still exists counts, whatever its Status or type. The lab made {expected} more before "
                "answering QuotaExceed.Snapshot."
            ).format(expected=expected, count=len(snaps), breakdown=breakdown, quota=quota)
        )
    pitfalls = [
        (quota - count["not_failed"], N_("A failed snapshot still exists until you delete it, and it still counts.")),
        (
            quota - count["accomplished"],
            N_("Not only accomplished snapshots count: progressing and failed ones do too."),
        ),
        (quota - count["manual"], N_("Automatic snapshots count against the same quota as manual ones.")),
        (
            quota - PAGE,
            N_("DescribeSnapshots lists 10 items per page unless you set PageSize; TotalCount says how many."),
        ),
        (
            quota - count["ever_manual"] - count["automatic"],
            N_("A snapshot released by its RetentionDays no longer exists, so it no longer counts."),
        ),
        (quota, N_("The disk is not empty: its snapshots use part of the quota.")),
    ]
    lines = [_(why) for value, why in pitfalls if value == answer][:1]
    lines.append(
        _("Too many: the lab checked by filling the disk to its quota.")
        if answer > expected
        else _("Too few: the lab checked by filling the disk to its quota.")
    )
    return wrong(*lines)


def _breakdown(snaps: list) -> str:
    parts: dict[str, int] = {}
    for s in snaps:
        key = f"{s.snapshot_type.value} {s.status.value}"
        parts[key] = parts.get(key, 0) + 1
    return ", ".join(f"{n} {key}" for key, n in sorted(parts.items()))


QUOTA_ROOM = dict(
    name="quota_room",
    title=N_("How many more fit?"),
    prompt=N_("""\
The seed: "A maximum of 64 snapshots can be created for a single disk." The disk `$disk` in
`lab = $ex.lab()` has three days of history: a manual snapshot every two hours (the first twelve with
`RetentionDays=1`), a daily automatic policy, two snapshots that failed, and one still progressing.

**How many more manual snapshots can you create of this disk before the API answers `QuotaExceed.Snapshot`?**
Answer a whole number. (Do not fill the disk in your lab to find out; count, then check.)"""),
    setup=room_setup,
    judge=judge_room,
    hint=N_(
        "The lab counts every snapshot of the disk that still exists, whatever its Status (progressing, "
        "accomplished or failed) or type (user or auto). DescribeSnapshots with DiskId gives TotalCount."
    ),
    solution="""\
lab = $ex.lab()
listing = lab.call("DescribeSnapshots", {"RegionId": lab.region, "DiskId": $ex.ids["disk"]})
answer = lab.snapshot_quota - listing.data["TotalCount"]""",
)


# ---------------------------------------------------------------- 13. an automatic snapshot at the quota


def auto_setup() -> tuple[Lab, dict[str, str]]:
    """A disk at its quota: ten old manual snapshots, five automatic ones (02:00 daily), the rest manual."""
    lab = Lab(seed=113)
    disk = lab.ready_disk()
    with lab.batch():
        for n in range(1, 11):
            lab.create_snapshot(disk, name=f"manual-{n}")
            lab.advance(hours=1)
        policy = lab.create_auto_snapshot_policy(hours=[2], retention_days=-1, name="nightly")
        lab.apply_auto_snapshot_policy(policy, [disk])
        lab.advance_to("2026-01-06T06:00:00Z")
        n = 10
        while lab.snapshot_count(disk) < lab.snapshot_quota:
            n += 1
            lab.create_snapshot(disk, name=f"manual-{n}")
            lab.advance(minutes=10)
        lab.advance_to("2026-01-06T23:00:00Z")
    return lab, {"disk": disk, "policy": policy}


def judge_auto(ex: Exercise, given: Any) -> Verdict:
    answer = text_answer(given)
    if given is not None and answer is None:
        return wrong(
            _("Your answer is {answer}; give a SnapshotId as a string (or None if none disappears).").format(
                answer=show(given)
            )
        )
    lab, ids = ex.fresh()
    disk = ids["disk"]
    before = dict(lab.snapshots_of(disk))
    lab.advance(hours=4)
    after = lab.snapshots_of(disk)
    gone = [s for s in before if s not in after]
    made = [s for s in after if s not in before]
    expected = gone[0] if gone else None
    if answer == expected:
        snap = before[expected] if expected else None
        what = (
            _("{snapshot} ({name}, the oldest automatic snapshot)").format(snapshot=expected, name=snap.name)
            if snap
            else _("nothing")
        )
        return correct(
            _(
                "At 02:00 the policy made {made}, and {what} gave way to stay at the quota. Manual snapshots are "
                "never removed for an automatic one; with no automatic snapshot to remove, the automatic snapshot is "
                "skipped instead (an event says so)."
            ).format(made=", ".join(made) or _("nothing"), what=what)
        )
    return wrong(_why_it_stays(answer, before, disk))


def _why_it_stays(answer: str | None, before: dict, disk: str) -> str:
    """Why the snapshot a learner named does not give way (or that one does, for None)."""
    oldest = next(iter(before.values()))
    autos = [s for s in before.values() if s.snapshot_type is SnapshotType.AUTO]
    if answer is None:
        return _(
            "Something does disappear: an automatic snapshot at the quota does not simply fail while there is "
            "something it may replace. What may it replace?"
        )
    if answer not in before:
        return _("{answer} is not a snapshot of {disk}; `lab.describe_snapshots(DiskId=...)` lists them.").format(
            answer=show(answer), disk=disk
        )
    if answer == oldest.snapshot_id:
        return _(
            "{answer} ({name}) is the oldest snapshot, but a manual one: manual snapshots are never removed to "
            "make room."
        ).format(answer=answer, name=oldest.name)
    if autos and answer == autos[-1].snapshot_id:
        return _("{answer} ({name}) is the newest automatic snapshot; which one is kept longest?").format(
            answer=answer, name=autos[-1].name
        )
    snap = before[answer]
    if snap.snapshot_type is SnapshotType.USER:
        return _("{answer} ({name}) stays: it is a manual snapshot, and those are never removed for room.").format(
            answer=answer, name=snap.name
        )
    return _("{answer} ({name}) is automatic, but stays: which automatic snapshot has been kept longest?").format(
        answer=answer, name=snap.name
    )


AUTO_AT_QUOTA = dict(
    name="auto_at_quota",
    title=N_("An automatic snapshot at the quota"),
    prompt=N_("""\
In `lab = $ex.lab()` it is 23:00 UTC. The disk `$disk` has exactly 64 snapshots, the quota: manual ones and five
automatic ones made by the policy `$policy`, which fires every day at 02:00 UTC.

At 02:00 the policy takes its snapshot anyway. What happens then is the lab's model of automatic snapshot policies
(a model choice: the seed's page does not describe policies), shown in notebook 05. **Which snapshot disappears?**
Answer its SnapshotId, or `None` if you think none does. Predict first; then move the clock and compare."""),
    setup=auto_setup,
    judge=judge_auto,
    hint=N_(
        "An automatic snapshot at the quota makes room the way a ring buffer does, but it only ever touches "
        "automatic snapshots. SnapshotType tells them apart (user or auto); DescribeSnapshots lists newest first."
    ),
    solution="""\
lab = $ex.lab()
autos = lab.describe_snapshots(DiskId=$ex.ids["disk"], SnapshotType="auto")  # newest first
answer = autos[-1]["SnapshotId"]  # the oldest automatic snapshot gives way""",
)
