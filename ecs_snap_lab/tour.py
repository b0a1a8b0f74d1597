"""`ecs-snap-lab tour`: a short printed walk-through of the lab (the main job until the notebooks exist)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .display import basis_words
from .i18n import _
from .lab import Lab
from .local_time import get_display_timezone, shown


def _progress(lab: Lab, snapshot_id: str) -> str:
    item = lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')[0]
    return f"{item['Status']:<12} Progress {item['Progress']:>4}  RemainTime {item['RemainTime']:>5} s"


def _at(moment: datetime, day: bool = True) -> str:
    """A time of the tour: "2026-01-01 00:00Z" (or "00:00Z" without the `day`), or, with a display zone,
    as local_time shows a time (UTC, then the zone's)."""
    if get_display_timezone() is not None:
        return shown(moment, seconds=False)
    return f"{moment:%Y-%m-%d %H:%M}Z" if day else f"{moment:%H:%M}Z"


def run(out: Callable[[str], None] = print, seed: int = 0) -> Lab:
    """Build a world, take snapshots, watch them progress, and meet three errors with their explanations."""
    lab = Lab(seed=seed)
    out(_("ecs_snap_lab tour: Alibaba Cloud ECS CreateSnapshot on a simulated account"))
    out(
        _("The clock starts at {time} in {region}. It moves only when you call lab.advance().").format(
            time=_at(lab.now), region=lab.region
        )
    )
    out("")
    out(_("1. Build a world"))
    instance_id = lab.run_instance()
    disk_id = lab.create_disk(size_gib=200, category="cloud_essd")
    out(
        _("   RunInstances -> {instance_id} ({value})").format(
            instance_id=instance_id, value=lab.instance(instance_id).status.value
        )
    )
    out(_("   CreateDisk 200 GiB -> {disk_id} (Available, never attached)").format(disk_id=disk_id))
    lab.advance(minutes=2)
    out(_("   two minutes later the instance is {value}").format(value=lab.instance(instance_id).status.value))
    out("")
    out(_("2. Meet the rules: three refusals and why"))
    first = lab.create_snapshot(disk_id, name="first-backup")
    out(f"   {first}")
    out(_("     why: {detail}  [rule: {rule}]").format(detail=first.trace[-1].detail, rule=first.trace[-1].rule))
    lab.attach_disk(disk_id, instance_id)
    lab.advance(seconds=30)
    second = lab.create_snapshot(disk_id, name="first-backup")
    out(_("   AttachDisk, then at once:"))
    out(f"   {second}")
    out(_("     why: {detail}").format(detail=second.trace[-1].detail))
    out(_('     the seed: "{source}..."').format(source=second.trace[-1].source[:150]))
    bad = lab.create_snapshot(disk_id, name="1st-backup")
    out(_("   a name starting with a digit: {bad}").format(bad=bad))
    out(_("     why: {detail}  [{basis}]").format(detail=bad.trace[-1].detail, basis=basis_words(bad.trace[-1].basis)))
    out("")
    _progress_and_retention(lab, disk_id, out)
    return lab


def _progress_and_retention(lab: Lab, disk_id: str, out: Callable[[str], None]) -> None:
    """Sections 3 to 5: a snapshot made and followed, an incremental one, retention, the XML answer."""
    out(_("3. Take snapshots and watch them progress"))
    lab.advance(hours=4)
    made = lab.create_snapshot(disk_id, name="first-backup", retention_days=7, tags={"env": "prod"})
    snapshot_id = made.data["SnapshotId"]
    out(_("   four hours later the data has loaded: {made}").format(made=made))
    for minutes in (0, 10, 20, 30, 40):
        if minutes:
            lab.advance(minutes=10)
        out(f"   {_at(lab.now, day=False)}  {_progress(lab, snapshot_id)}")
    lab.advance(days=1)
    incremental = lab.create_snapshot(disk_id, name="second-backup").data["SnapshotId"]
    lab.advance(seconds=30)
    out(
        _("   a day later an incremental snapshot copies only what changed: {progress}").format(
            progress=_progress(lab, incremental)
        )
    )
    out("")
    out(_("4. Retention: RetentionDays=7 releases the first snapshot 7 days after its CreationTime"))
    lab.advance(days=6)
    out(
        _("   {time}  snapshots of the disk: {count}").format(
            time=_at(lab.now), count=len(lab.describe_snapshots(DiskId=disk_id))
        )
    )
    out("")
    out(_("5. The same answer as XML, as the API's default format gives it"))
    out("   " + lab.create_snapshot(disk_id, name="third-backup").to_xml())
    out("")
    out(_("Next: ecs-snap-lab codes (the error catalogue), ecs-snap-lab explain QuotaExceed.Snapshot"))
