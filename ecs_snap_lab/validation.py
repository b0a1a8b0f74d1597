"""validate(action, params): every violation of the parameter rules, with no world (pure; for as-you-type checks)."""

from __future__ import annotations

from collections.abc import Mapping

from .actions.base import ACTIONS
from .rules.catalog import lookup
from .rules.params import Violation, check_create_snapshot, to_wire

REQUIRED: dict[str, tuple[str, ...]] = {
    "CreateSnapshot": ("DiskId",),
    "DescribeSnapshots": ("RegionId",),
    "DeleteSnapshot": ("SnapshotId",),
    "CreateDisk": ("RegionId", "ZoneId"),
    "DescribeDisks": ("RegionId",),
    "AttachDisk": ("InstanceId", "DiskId"),
    "DetachDisk": ("InstanceId", "DiskId"),
    "DeleteDisk": ("DiskId",),
    "CreateInstance": ("RegionId", "ImageId", "InstanceType"),
    "RunInstances": ("RegionId", "ImageId", "InstanceType"),
    "StartInstance": ("InstanceId",),
    "StopInstance": ("InstanceId",),
    "DescribeInstances": ("RegionId",),
    "ReplaceSystemDisk": ("InstanceId", "ImageId"),
    "CreateImage": ("RegionId", "SnapshotId"),
    "DeleteImage": ("RegionId", "ImageId"),
    "CreateAutoSnapshotPolicy": ("regionId", "timePoints", "repeatWeekdays", "retentionDays"),
    "ApplyAutoSnapshotPolicy": ("regionId", "autoSnapshotPolicyId", "diskIds"),
    "CancelAutoSnapshotPolicy": ("regionId", "diskIds"),
}


def validate(action: str, params: Mapping | None = None) -> list[Violation]:
    """Every parameter violation of `action`, in check order. Empty means the parameters are well formed
    (the world may still refuse: a disk may not exist, or be busy)."""
    if not isinstance(action, str) or action not in ACTIONS:
        entry = lookup("InvalidAction.NotFound")
        return [
            Violation(entry.code, "Action", entry.message, "Action.known", f"{str(action)[:60]!r} is not an action")
        ]
    wire, bad = to_wire(params)
    found = [bad] if bad is not None else []
    if action == "CreateSnapshot":
        return found + check_create_snapshot(wire).violations
    missing = lookup("MissingParameter")
    for name in REQUIRED.get(action, ()):
        if not wire.get(name) and not (name == "RegionId" and wire.get("regionId")):
            found.append(Violation(missing.code, name, missing.render(name), "Required.present", f"{name} is required"))
    return found
