"""CreateDisk, DescribeDisks, AttachDisk, DetachDisk, DeleteDisk."""

from __future__ import annotations

from ..i18n import _
from ..local_time import stamp
from ..model import timing
from ..model.clock import Happening, to_iso
from ..model.resources import ALL_CATEGORIES, LOCAL_CATEGORIES, Disk, DiskStatus, DiskType, SnapshotStatus
from ..rules.params import whole_number
from .base import Call, action
from .finders import (
    check_attachable,
    check_data_disk,
    check_disk_status,
    check_portable,
    check_zone,
    find_disk,
    find_instance,
    find_snapshot,
    move_disk,
)

# Sizes in GiB each category accepts (CreateDisk / RunInstances documentation; the lab's choice for the rest).
SIZE_RANGES: dict[str, tuple[int, int]] = {
    "cloud": (5, 2000),
    "cloud_efficiency": (20, 32768),
    "cloud_ssd": (20, 32768),
    "cloud_essd": (20, 32768),
    "cloud_auto": (1, 32768),
    "cloud_essd_entry": (10, 32768),
    "ephemeral": (5, 1024),
    "ephemeral_ssd": (5, 800),
    "local_ssd_pro": (5, 8000),
    "local_hdd_pro": (5, 8000),
    "elastic_ephemeral_disk_standard": (64, 8192),
    "elastic_ephemeral_disk_premium": (64, 8192),
    "san_ssd": (32, 32768),
    "san_efficiency": (32, 32768),
}
CREATE_DISK_CATEGORIES = ALL_CATEGORIES - LOCAL_CATEGORIES  # local disks come only with an instance
DEFAULT_KMS_KEY = "alias/acs/ecs"
STATUS_FILTERS = {s.value.lower(): s for s in DiskStatus}


def check_size(call: Call, category: str, text: str | None, param: str) -> int:
    low, high = SIZE_RANGES[category]
    size = whole_number(text, max_digits=6)
    ok = size is not None and low <= size <= high
    call.expect(
        ok,
        "DiskSize.valid",
        _("{param} {text!r}: {category} takes {low} to {high} GiB").format(
            param=param, text=str(text)[:20], category=category, low=low, high=high
        ),
        param,
    )
    return size or 0


def check_category(call: Call, category: str, allowed: frozenset[str], param: str) -> None:
    call.expect(
        category in allowed,
        "DiskCategory.valid",
        _("{param} {category!r} is not a category ECS knows here").format(param=param, category=category[:40]),
        param,
    )


@action(
    "CreateDisk",
    "RegionId",
    "ZoneId",
    known=("DiskCategory", "SnapshotId", "Size", "Encrypted", "KMSKeyId", "DiskName", "ClientToken"),
)
def create_disk(call: Call) -> dict:
    """A pay-as-you-go data disk in a zone, empty or from an accomplished snapshot; Available, never attached."""
    world = call.world
    zone = call.params["ZoneId"]
    check_zone(call, zone)
    category = call.opt("DiskCategory") or "cloud"
    check_category(call, category, CREATE_DISK_CATEGORIES, "DiskCategory")
    snapshot_id = call.opt("SnapshotId")
    size_text = call.opt("Size")
    if snapshot_id is None and size_text is None:
        call.fail("Required.present", _("CreateDisk needs Size or SnapshotId"), "Size")
    encrypted = call.boolean("Encrypted")
    kms_key = call.opt("KMSKeyId")
    if replay := call.replayed():
        return replay
    snapshot = None
    if snapshot_id is not None:
        snapshot = find_snapshot(call, snapshot_id)
        call.expect(
            snapshot.status is SnapshotStatus.ACCOMPLISHED,
            "Snapshot.ready_for_disk",
            _("{snapshot_id} is {value}").format(snapshot_id=snapshot_id, value=snapshot.status.value),
            "SnapshotId",
        )
        size = snapshot.disk_size_gib
        if size_text is not None:
            size = check_size(call, category, size_text, "Size")
            call.expect(
                size >= snapshot.disk_size_gib,
                "DiskSize.fits_snapshot",
                _("Size {size} GiB is less than the snapshot's {disk_size_gib} GiB").format(
                    size=size, disk_size_gib=snapshot.disk_size_gib
                ),
                "Size",
            )
    else:
        size = check_size(call, category, size_text, "Size")
    disk = world.add_disk(
        zone_id=zone,
        category=category,
        size_gib=size,
        disk_type=DiskType.DATA,
        name=call.opt("DiskName"),
        encrypted=encrypted or kms_key is not None or bool(snapshot and snapshot.encrypted),
        kms_key_id=kms_key or (snapshot.kms_key_id if snapshot else None) or (DEFAULT_KMS_KEY if encrypted else None),
        source_snapshot_id=snapshot_id,
    )
    call.passed(
        "Effect",
        _("{disk_id} is Available; its data loads until {loaded_at}").format(
            disk_id=disk.disk_id, loaded_at=stamp(disk.loaded_at)
        ),
    )
    return call.remember({"DiskId": disk.disk_id})


def disk_item(disk: Disk, region: str) -> dict:
    """A disk as DescribeDisks shows it."""
    return {
        "DiskId": disk.disk_id,
        "DiskName": disk.name,
        "Description": "",
        "RegionId": region,
        "ZoneId": disk.zone_id,
        "Type": disk.disk_type.value,
        "Category": disk.category,
        "Size": disk.size_gib,
        "Status": disk.status.value,
        "InstanceId": disk.instance_id or "",
        "Device": disk.device or "",
        "Portable": disk.portable,
        "Encrypted": disk.encrypted,
        "KMSKeyId": disk.kms_key_id or "",
        "DiskChargeType": disk.charge_type.value,
        "DeleteWithInstance": disk.delete_with_instance,
        "DeleteAutoSnapshot": disk.delete_auto_snapshot,
        "EnableAutoSnapshot": disk.policy_id is not None,
        "AutoSnapshotPolicyId": disk.policy_id or "",
        "SourceSnapshotId": disk.source_snapshot_id or "",
        "ImageId": disk.image_id or "",
        "CreationTime": to_iso(disk.created_at),
        "AttachedTime": to_iso(disk.attached_at) if disk.attached_at is not None else "",
        "DetachedTime": to_iso(disk.detached_at) if disk.detached_at is not None else "",
        "ExpiredTime": "",
        "OperationLocks": {"OperationLock": [{"LockReason": "financial"}] if disk.in_arrears else []},
        "Tags": {"Tag": []},
    }


@action(
    "DescribeDisks",
    "RegionId",
    known=("DiskIds", "InstanceId", "ZoneId", "DiskType", "Category", "Status", "PageNumber", "PageSize"),
)
def describe_disks(call: Call) -> dict:
    """List disks, oldest first, filtered by DiskIds, InstanceId, ZoneId, DiskType, Category, Status; paged."""
    world = call.world
    ids = call.id_list("DiskIds")
    page = call.paging()
    disks = list(world.disks.values()) if ids is None else [world.disks[i] for i in ids if i in world.disks]
    instance_id = call.opt("InstanceId")
    zone = call.opt("ZoneId")
    disk_type = (call.opt("DiskType") or "all").lower()
    category = call.opt("Category") or "all"
    status = (call.opt("Status") or "all").lower()
    call.expect(
        status == "all" or status in STATUS_FILTERS,
        "Params.encodable",
        _("Status {status!r} is unknown").format(status=status[:40]),
        "Status",
    )
    matches = [
        d
        for d in disks
        if (instance_id is None or d.instance_id == instance_id)
        and (zone is None or d.zone_id == zone)
        and (disk_type == "all" or d.disk_type.value == disk_type)
        and (category == "all" or d.category == category)
        and (status == "all" or d.status is STATUS_FILTERS[status])
    ]
    return page.answer(len(matches), "Disks", "Disk", [disk_item(d, world.region) for d in page.of(matches)])


@action("AttachDisk", "InstanceId", "DiskId", known=("DeleteWithInstance",))
def attach_disk(call: Call) -> dict:
    """Attach an Available disk to a Running or Stopped instance of its zone: Attaching, then In_use."""
    instance = find_instance(call, call.params["InstanceId"])
    disk = find_disk(call, call.params["DiskId"])
    check_portable(call, disk)
    check_disk_status(call, disk, DiskStatus.AVAILABLE, "Disk.available")
    call.expect(
        disk.zone_id == instance.zone_id,
        "Disk.same_zone",
        _("{disk_id} is in {zone_id}, {instance_id} in {zone_id2}").format(
            disk_id=disk.disk_id, zone_id=disk.zone_id, instance_id=instance.instance_id, zone_id2=instance.zone_id
        ),
    )
    check_attachable(call, instance)
    if call.opt("DeleteWithInstance") is not None:
        disk.delete_with_instance = call.boolean("DeleteWithInstance")
    call.world.plug(disk, instance)
    return move_disk(call, disk, DiskStatus.ATTACHING, DiskStatus.IN_USE, timing.ATTACH_SECONDS)


@action("DetachDisk", "InstanceId", "DiskId")
def detach_disk(call: Call) -> dict:
    """Detach a data disk from its instance: Detaching, then Available (DeleteWithInstance becomes false)."""
    instance = find_instance(call, call.params["InstanceId"])
    disk = find_disk(call, call.params["DiskId"])
    check_data_disk(call, disk)
    check_portable(call, disk)
    check_disk_status(call, disk, DiskStatus.IN_USE, "Disk.in_use")
    call.expect(
        disk.instance_id == instance.instance_id,
        "Disk.attached_here",
        _("{disk_id} is attached to {instance_id}, not to {instance_id2}").format(
            disk_id=disk.disk_id, instance_id=disk.instance_id, instance_id2=instance.instance_id
        ),
    )
    check_attachable(call, instance)
    disk.delete_with_instance = False
    return move_disk(call, disk, DiskStatus.DETACHING, DiskStatus.AVAILABLE, timing.DETACH_SECONDS)


@action("DeleteDisk", "DiskId")
def delete_disk(call: Call) -> dict:
    """Release an Available data disk. Its progressing snapshots go with it; manual snapshots stay."""
    world = call.world
    disk = find_disk(call, call.params["DiskId"])
    check_data_disk(call, disk)
    check_portable(call, disk)
    check_disk_status(call, disk, DiskStatus.AVAILABLE, "Disk.available")
    if disk.shared:
        world.set_disk_status(disk, DiskStatus.DELETING)
        world.schedule.at(world.now + timing.VOLUME_RELEASE_SECONDS, Happening.VOLUME_GONE, disk.disk_id)
        call.passed(
            "Effect",
            _("the shared volume {disk_id} is Deleting for {VOLUME_RELEASE_SECONDS} s").format(
                disk_id=disk.disk_id, VOLUME_RELEASE_SECONDS=timing.VOLUME_RELEASE_SECONDS
            ),
        )
    else:
        world.release_disk(disk)
        call.passed("Effect", _("{disk_id} released").format(disk_id=disk.disk_id))
    return {}
