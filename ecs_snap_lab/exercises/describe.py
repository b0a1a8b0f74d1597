"""An exercise on DescribeSnapshots: filters that are AND-ed, status and tag filters, and the default page size."""

from __future__ import annotations

from typing import Any

from ..i18n import N_, _
from ..lab import Lab
from ..model.resources import Snapshot, SnapshotStatus
from .base import Exercise, Verdict, correct, not_a_mapping, refusal, wrong

# env tag of each manual snapshot of the app disk, in order; FAIL: tagged prod, made to fail while progressing
PLAN = ("prod",) * 5 + ("test", "prod", "prod", "FAIL", "prod", "test", "prod", "prod", "test", "prod", "prod", "prod")


def setup() -> tuple[Lab, dict[str, str]]:
    """Two disks with manual snapshots tagged env=prod or env=test, automatic ones, one failed, one progressing."""
    lab = Lab(seed=106)
    app, db = lab.ready_disk(), lab.ready_disk()
    with lab.batch():
        policy = lab.create_auto_snapshot_policy(hours=[1], retention_days=-1, name="nightly")
        lab.apply_auto_snapshot_policy(policy, [app, db])
        for n, env in enumerate(PLAN, start=1):
            if env == "FAIL":
                lab.faults.inject("SnapshotFails", at_progress=30, disk_id=app)
            lab.create_snapshot(app, name=f"app-{n}", tags={"env": "prod" if env == "FAIL" else env})
            if n % 3 == 0:
                lab.create_snapshot(db, name=f"db-{n}", tags={"env": "prod"})
            lab.advance(hours=5)
        lab.create_snapshot(app, name="app-latest", tags={"env": "prod"})
        lab.advance(seconds=5)
    return lab, {"disk": app, "other_disk": db}


def wanted(snap: Snapshot, disk: str) -> bool:
    """The exercise's question asked of the model directly, not through DescribeSnapshots."""
    return snap.disk_id == disk and snap.status is SnapshotStatus.ACCOMPLISHED and ("env", "prod") in snap.tags


def judge(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_mapping(answer, "{'RegionId': 'cn-hangzhou', 'DiskId': 'd-...'}")
    if bad is not None:
        return bad
    lab, ids = ex.fresh()
    disk = ids["disk"]
    response = lab.call("DescribeSnapshots", answer)
    if not response.ok:
        tip = []
        if response.code == "MissingParameter":
            tip = [
                _("DescribeSnapshots needs RegionId; this lab's region is {region!r} (lab.region).").format(
                    region=lab.region
                )
            ]
        return wrong(refusal(response), *tip)
    listed = [item["SnapshotId"] for item in response.data["Snapshots"]["Snapshot"]]
    expected = {s.snapshot_id for s in lab.snapshots.values() if wanted(s, disk)}
    got = set(listed)
    if got == expected:
        return correct(
            _(
                "{count} snapshots on one page (TotalCount {total}): DiskId keeps the disk, Status=accomplished drops "
                "the failed and progressing ones, Tag.1.Key/Tag.1.Value keep env=prod (automatic snapshots carry no "
                "tags), and PageSize makes room for all of them: the default page is 10."
            ).format(count=len(expected), total=response.data["TotalCount"]),
        )
    lines = []
    extra = [lab.snapshot(i) for i in listed if i not in expected]
    if extra:
        lines.append(_("The page lists {count} snapshots that do not belong:").format(count=len(extra)))
        lines += _why_extra(extra, disk)
    missing = expected - got
    if missing:
        total = response.data["TotalCount"]
        size = response.data["PageSize"]
        if len(listed) == size and total > size:
            lines.append(
                _(
                    "The page holds {count} of TotalCount {total}: PageSize is {size} (10 when not given, at most "
                    "100). Ask for a page big enough."
                ).format(count=len(listed), total=total, size=size)
            )
        else:
            example = lab.snapshot(sorted(missing)[0])
            lines.append(
                _(
                    "{count} snapshots that belong are not listed, e.g. {snapshot} ({name}, accomplished, env=prod): "
                    "a filter excludes them."
                ).format(count=len(missing), snapshot=example.snapshot_id, name=example.name)
            )
    return wrong(*lines)


def _why_extra(extra: list[Snapshot], disk: str) -> list[str]:
    reasons: dict[str, int] = {}
    for snap in extra:
        if snap.disk_id != disk:
            why = _("of another disk ({disk}): filter with DiskId").format(disk=snap.disk_id)
        elif snap.status is not SnapshotStatus.ACCOMPLISHED:
            why = _("{status}, not accomplished: filter with Status").format(status=snap.status.value)
        elif not snap.tags:
            why = _("{type} snapshots without tags: filter with Tag.1.Key and Tag.1.Value").format(
                type=snap.snapshot_type.value
            )
        else:
            tags = ", ".join(f"{k}={v}" for k, v in snap.tags)
            why = _("tagged {tags}, not env=prod: filter with Tag.1.Key and Tag.1.Value").format(tags=tags)
        reasons[why] = reasons.get(why, 0) + 1
    return [_("- {count} {why}").format(count=count, why=why) for why, count in reasons.items()]


DESCRIBE_FILTERS = dict(
    name="describe_filters",
    title=N_("Find the right snapshots"),
    prompt=N_("""\
`lab = $ex.lab()` has two disks with months of habits: manual snapshots tagged `env=prod` or `env=test`,
automatic ones from a policy, one that failed, one still progressing.

Write the parameters of a **DescribeSnapshots** request (a dict) whose first page lists exactly the
**accomplished** snapshots of disk `$disk` tagged **env=prod**, all of them and nothing else.

Try it with `lab.call("DescribeSnapshots", params)` (`response.data["TotalCount"]` says how many match)."""),
    setup=setup,
    judge=judge,
    hint=N_(
        "Filters are AND-ed: DiskId, Status (progressing, accomplished, failed, all), Tag.1.Key with Tag.1.Value. "
        "RegionId is required. And look at PageSize: how many items does one page hold by default?"
    ),
    solution="""\
lab = $ex.lab()
answer = {
    "RegionId": lab.region,
    "DiskId": $ex.ids["disk"],
    "Status": "accomplished",
    "Tag.1.Key": "env",
    "Tag.1.Value": "prod",
    "PageSize": 100,
}""",
)
