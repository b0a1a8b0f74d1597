"""Automatic snapshot policies: CreateAutoSnapshotPolicy, ApplyAutoSnapshotPolicy, CancelAutoSnapshotPolicy.

These actions use lower-camel parameter names (regionId, timePoints, ...) as the real API does.
"""

from __future__ import annotations

import json

from ..i18n import _
from ..model.events import EventKind
from ..rules.params import whole_number
from .base import Call, action


def _whole(value: object) -> int | None:
    """7 or "7" -> 7; anything else (1.5, 1e400, true, "x") -> None."""
    if type(value) is int:
        return value
    return whole_number(value, max_digits=6) if isinstance(value, str) else None


def _int_list(call: Call, name: str, low: int, high: int) -> list[int]:
    """A JSON array of whole numbers given as numbers or strings: timePoints=["0","12"] or [0,12]."""
    try:
        values = json.loads(call.params[name])
    except (ValueError, RecursionError):
        values = None
    wholes = [_whole(v) for v in values] if isinstance(values, list) else []
    numbers = sorted({w for w in wholes if w is not None}) if wholes and None not in wholes else []
    call.expect(
        bool(numbers) and all(low <= v <= high for v in numbers),
        "Policy.valid",
        _("{name} must be a JSON array of numbers from {low} to {high}").format(name=name, low=low, high=high),
        name,
    )
    return numbers


@action(
    "CreateAutoSnapshotPolicy",
    "regionId",
    "timePoints",
    "repeatWeekdays",
    "retentionDays",
    known=("autoSnapshotPolicyName",),
)
def create_auto_snapshot_policy(call: Call) -> dict:
    """A policy: snapshot at these hours (UTC in the lab) on these weekdays, keep them retentionDays (-1: forever)."""
    hours = _int_list(call, "timePoints", 0, 23)
    days = _int_list(call, "repeatWeekdays", 1, 7)
    text = call.params["retentionDays"]
    retention = whole_number(text, True, 6) or 0
    call.expect(
        retention == -1 or 1 <= retention <= 65536,
        "Policy.valid",
        _("retentionDays {text!r} must be -1 or 1 to 65536").format(text=text[:20]),
        "retentionDays",
    )
    policy = call.world.add_policy(call.opt("autoSnapshotPolicyName") or "", hours, days, retention)
    call.passed("Effect", _("{policy_id} created").format(policy_id=policy.policy_id))
    return {"AutoSnapshotPolicyId": policy.policy_id}


@action("ApplyAutoSnapshotPolicy", "regionId", "autoSnapshotPolicyId", "diskIds")
def apply_auto_snapshot_policy(call: Call) -> dict:
    """Put disks under a policy (a disk follows one policy at a time)."""
    world = call.world
    policy = world.policies.get(call.params["autoSnapshotPolicyId"])
    call.expect(policy is not None, "Policy.exists", _("no such automatic snapshot policy"), "autoSnapshotPolicyId")
    assert policy is not None
    disk_ids = call.id_list("diskIds") or []
    for disk_id in disk_ids:
        call.expect(
            disk_id in world.disks, "Disk.exists", _("no disk {disk_id!r}").format(disk_id=disk_id[:60]), "diskIds"
        )
    for disk_id in disk_ids:
        disk = world.disks[disk_id]
        if disk.policy_id == policy.policy_id:
            continue
        if disk.policy_id in world.policies:
            world.policies[disk.policy_id].disk_ids.remove(disk_id)
        disk.policy_id = policy.policy_id
        policy.disk_ids.append(disk_id)
        world.log(EventKind.POLICY_CHANGED, policy.policy_id, disk_id, "applied")
    call.passed(
        "Effect",
        _("{policy_id} applies to {count} disk(s)").format(policy_id=policy.policy_id, count=len(policy.disk_ids)),
    )
    return {}


@action("CancelAutoSnapshotPolicy", "regionId", "diskIds")
def cancel_auto_snapshot_policy(call: Call) -> dict:
    """Take disks out of their automatic snapshot policy."""
    world = call.world
    disk_ids = call.id_list("diskIds") or []
    for disk_id in disk_ids:
        call.expect(
            disk_id in world.disks, "Disk.exists", _("no disk {disk_id!r}").format(disk_id=disk_id[:60]), "diskIds"
        )
    for disk_id in disk_ids:
        disk = world.disks[disk_id]
        if disk.policy_id in world.policies:
            world.policies[disk.policy_id].disk_ids.remove(disk_id)
            world.log(EventKind.POLICY_CHANGED, disk.policy_id, disk_id, "cancelled")
        disk.policy_id = None
    call.passed("Effect", _("cancelled"))
    return {}
