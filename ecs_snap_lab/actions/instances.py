"""RunInstances, CreateInstance, StartInstance, StopInstance, DescribeInstances, ReplaceSystemDisk."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _
from ..local_time import stamp
from ..model import timing
from ..model.clock import to_iso
from ..model.resources import (
    ALL_CATEGORIES,
    CLOUD_CATEGORIES,
    LOCAL_CATEGORIES,
    ChargeType,
    DiskType,
    Instance,
    InstanceStatus,
)
from ..rules.params import whole_number
from .base import Call, action
from .disks import check_category, check_size
from .finders import check_unlocked, check_zone, find_image, find_instance, move_instance

SYSTEM_DISK_RANGE = (20, 500)
MAX_DATA_DISKS = 16
STATUS_FILTERS = {s.value.lower(): s for s in InstanceStatus}


@dataclass(frozen=True, slots=True)
class Launch:
    """What a RunInstances or CreateInstance call asks for, once its parameters have passed."""

    image_id: str
    zone: str
    amount: int
    charge: ChargeType
    system_category: str
    system_size: int
    data_disks: list[tuple[int, str]]  # (size in GiB, category)


def _launch(call: Call, *, start: bool) -> list[Instance] | dict:
    """The shared body of RunInstances (start=True) and CreateInstance (start=False): the instances made, or
    the first answer again for a ClientToken seen before."""
    launch = _checked_launch(call, start)
    if replay := call.replayed():
        return replay
    return [_make_instance(call, launch, start) for _ in range(launch.amount)]


def _checked_launch(call: Call, start: bool) -> Launch:
    image_id = call.params["ImageId"]
    image = find_image(call, image_id)
    zone = call.opt("ZoneId") or call.world.zones[0]
    check_zone(call, zone)
    amount = call.integer("Amount", 1, 1, 100, "Amount.valid") if start else 1
    call.passed("Amount.valid")
    charge = call.opt("InstanceChargeType") or "PostPaid"
    call.expect(
        charge in ("PrePaid", "PostPaid"),
        "ChargeType.valid",
        _("InstanceChargeType {charge!r}").format(charge=charge[:20]),
        "InstanceChargeType",
    )
    system_category = call.opt("SystemDisk.Category") or "cloud_efficiency"
    check_category(call, system_category, CLOUD_CATEGORIES, "SystemDisk.Category")
    system_size = _system_disk_size(call, image.size_gib)
    return Launch(image_id, zone, amount, ChargeType(charge), system_category, system_size, _data_disks(call))


def _system_disk_size(call: Call, image_size: int) -> int:
    low = max(SYSTEM_DISK_RANGE[0], image_size)
    text = call.opt("SystemDisk.Size") or str(max(40, image_size))
    size = whole_number(text, max_digits=6)
    call.expect(
        size is not None and low <= size <= SYSTEM_DISK_RANGE[1],
        "DiskSize.valid",
        _("SystemDisk.Size {text!r}: {low} to {SYSTEM_DISK_RANGE} GiB").format(
            text=text[:20], low=low, SYSTEM_DISK_RANGE=SYSTEM_DISK_RANGE[1]
        ),
        "SystemDisk.Size",
    )
    return size or 0


def _data_disks(call: Call) -> list[tuple[int, str]]:
    """DataDisk.N.Size and .Category, N from 1 to 16: (size, category) of each disk asked for."""
    data_disks = []
    for n in range(1, MAX_DATA_DISKS + 1):
        size_text = call.opt(f"DataDisk.{n}.Size")
        category = call.opt(f"DataDisk.{n}.Category")
        if size_text is None and category is None:
            continue
        category = category or "cloud"
        check_category(call, category, ALL_CATEGORIES, f"DataDisk.{n}.Category")
        data_disks.append((check_size(call, category, size_text, f"DataDisk.{n}.Size"), category))
    return data_disks


def _make_instance(call: Call, launch: Launch, start: bool) -> Instance:
    world, zone, charge = call.world, launch.zone, launch.charge
    instance = world.add_instance(
        zone_id=zone,
        instance_type=call.params["InstanceType"],
        image_id=launch.image_id,
        name=call.opt("InstanceName"),
        charge_type=charge,
        start=start,
    )
    world.add_disk(
        zone_id=zone,
        category=launch.system_category,
        size_gib=launch.system_size,
        disk_type=DiskType.SYSTEM,
        charge_type=charge,
        portable=False,
        image_id=launch.image_id,
        instance=instance,
    )
    for size, category in launch.data_disks:
        world.add_disk(
            zone_id=zone,
            category=category,
            size_gib=size,
            disk_type=DiskType.DATA,
            charge_type=charge,
            portable=category not in LOCAL_CATEGORIES,
            instance=instance,
        )
    return instance


@action(
    "RunInstances",
    "RegionId",
    "ImageId",
    "InstanceType",
    known=(
        *("ZoneId", "Amount", "InstanceChargeType", "SystemDisk.Category", "SystemDisk.Size"),
        *("DataDisk.N.Size", "DataDisk.N.Category", "InstanceName", "ClientToken"),
    ),
)
def run_instances(call: Call) -> dict:
    """Create and start instances: Pending, Starting, then Running within 2 minutes."""
    made = _launch(call, start=True)
    if isinstance(made, dict):
        return made
    ids = [i.instance_id for i in made]
    call.passed(
        "Effect",
        _("{ids} Pending; Running at {value}").format(
            ids=", ".join(ids), value=stamp(call.world.now + timing.RUN_RUNNING_SECONDS)
        ),
    )
    return call.remember({"InstanceIdSets": {"InstanceIdSet": ids}})


@action(
    "CreateInstance",
    "RegionId",
    "ImageId",
    "InstanceType",
    known=(
        *("ZoneId", "Amount", "InstanceChargeType", "SystemDisk.Category", "SystemDisk.Size"),
        *("DataDisk.N.Size", "DataDisk.N.Category", "InstanceName", "ClientToken"),
    ),
)
def create_instance(call: Call) -> dict:
    """Create one instance, left Stopped and never started (its disks cannot be snapshotted until it starts)."""
    made = _launch(call, start=False)
    if isinstance(made, dict):
        return made
    call.passed(
        "Effect", _("{instance_id} is Stopped and has never been started").format(instance_id=made[0].instance_id)
    )
    return call.remember({"InstanceId": made[0].instance_id})


@action("StartInstance", "InstanceId")
def start_instance(call: Call) -> dict:
    """Start a Stopped instance: Starting, then Running."""
    instance = _unlocked_instance(call, InstanceStatus.STOPPED, "Instance.stopped")
    return move_instance(call, instance, InstanceStatus.STARTING, InstanceStatus.RUNNING, timing.START_SECONDS)


@action("StopInstance", "InstanceId")
def stop_instance(call: Call) -> dict:
    """Stop a Running instance: Stopping, then Stopped."""
    instance = _unlocked_instance(call, InstanceStatus.RUNNING, "Instance.running")
    return move_instance(call, instance, InstanceStatus.STOPPING, InstanceStatus.STOPPED, timing.STOP_SECONDS)


def _unlocked_instance(call: Call, status: InstanceStatus, check_id: str) -> Instance:
    """The InstanceId's instance, not locked for security and in `status` (else `check_id` fails)."""
    instance = find_instance(call, call.params["InstanceId"])
    check_unlocked(call, instance)
    call.expect(
        instance.status is status,
        check_id,
        _("{instance_id} is {value}").format(instance_id=instance.instance_id, value=instance.status.value),
    )
    return instance


def instance_item(instance: Instance, region: str) -> dict:
    """An instance as DescribeInstances shows it."""
    return {
        "InstanceId": instance.instance_id,
        "InstanceName": instance.name,
        "RegionId": region,
        "ZoneId": instance.zone_id,
        "InstanceType": instance.instance_type,
        "ImageId": instance.image_id,
        "Status": instance.status.value,
        "InstanceChargeType": instance.charge_type.value,
        "CreationTime": to_iso(instance.created_at),
        "StartTime": to_iso(instance.started_at) if instance.started_at is not None else "",
        "OperationLocks": {"LockReason": [{"LockReason": r.value} for r in instance.lock_reasons]},
    }


@action("DescribeInstances", "RegionId", known=("InstanceIds", "ZoneId", "Status", "PageNumber", "PageSize"))
def describe_instances(call: Call) -> dict:
    """List instances, oldest first, filtered by InstanceIds, ZoneId, Status; paged."""
    world = call.world
    ids = call.id_list("InstanceIds")
    page = call.paging()
    zone = call.opt("ZoneId")
    status = (call.opt("Status") or "all").lower()
    call.expect(
        status == "all" or status in STATUS_FILTERS,
        "Params.encodable",
        _("Status {status!r} is unknown").format(status=status[:40]),
        "Status",
    )
    pool = list(world.instances.values()) if ids is None else [world.instances[i] for i in ids if i in world.instances]
    matches = [
        i
        for i in pool
        if (zone is None or i.zone_id == zone) and (status == "all" or i.status is STATUS_FILTERS[status])
    ]
    items = [instance_item(i, world.region) for i in page.of(matches)]
    return page.answer(len(matches), "Instances", "Instance", items)


@action("ReplaceSystemDisk", "InstanceId", "ImageId", known=("ClientToken",))
def replace_system_disk(call: Call) -> dict:
    """Give a Stopped instance a new system disk from an image; the old one is released (its data loads again)."""
    world = call.world
    instance = find_instance(call, call.params["InstanceId"])
    image_id = call.params["ImageId"]
    image = find_image(call, image_id)
    check_unlocked(call, instance)
    call.expect(
        instance.status is InstanceStatus.STOPPED,
        "Instance.stopped",
        _("{instance_id} is {value}; it must be Stopped").format(
            instance_id=instance.instance_id, value=instance.status.value
        ),
    )
    old = next((world.disks[d] for d in instance.disk_ids if world.disks[d].disk_type is DiskType.SYSTEM), None)
    busy = old is not None and old.disk_id in world.progressing
    call.expect(
        not busy,
        "SystemDisk.no_snapshot_in_progress",
        _("a snapshot of the system disk {value} is still progressing").format(value=old.disk_id if old else ""),
    )
    if replay := call.replayed():
        return replay
    size = max(old.size_gib if old else 40, image.size_gib)
    category = old.category if old else "cloud_essd"
    if old is not None:
        world.release_disk(old)
    disk = world.add_disk(
        zone_id=instance.zone_id,
        category=category,
        size_gib=size,
        disk_type=DiskType.SYSTEM,
        charge_type=instance.charge_type,
        portable=False,
        image_id=image_id,
        instance=instance,
    )
    instance.image_id = image_id
    call.passed(
        "Effect",
        _("new system disk {disk_id}; its data loads until {loaded_at}").format(
            disk_id=disk.disk_id, loaded_at=stamp(disk.loaded_at)
        ),
    )
    return call.remember({"DiskId": disk.disk_id})
