"""RunInstances, CreateInstance, StartInstance, StopInstance, DescribeInstances, ReplaceSystemDisk."""

from __future__ import annotations

from dataclasses import dataclass

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
from ..model.world import World
from .base import Call, action, page
from .disks import check_category, check_size, check_unlocked, find_instance

SYSTEM_DISK_RANGE = (20, 500)
MAX_DATA_DISKS = 16
STATUS_FILTERS = {s.value.lower(): s for s in InstanceStatus}


def _launch(call: Call, *, start: bool) -> list[Instance]:
    """The shared body of RunInstances (start=True) and CreateInstance (start=False)."""
    call.region()
    call.require("ImageId", "InstanceType")
    world = call.world
    image_id = call.params["ImageId"]
    image = world.images.get(image_id)
    call.expect(image is not None, "Image.exists", f"no image {image_id[:60]!r}", "ImageId")
    assert image is not None
    zone = call.opt("ZoneId") or world.zones[0]
    call.expect(
        zone in world.zones, "Zone.known", f"ZoneId {zone[:40]!r} is not one of {', '.join(world.zones)}", "ZoneId"
    )
    amount = call.integer("Amount", 1, 1, 100, "Amount.valid") if start else 1
    call.passed("Amount.valid")
    charge = call.opt("InstanceChargeType") or "PostPaid"
    call.expect(
        charge in ("PrePaid", "PostPaid"),
        "ChargeType.valid",
        f"InstanceChargeType {charge[:20]!r}",
        "InstanceChargeType",
    )
    system_category = call.opt("SystemDisk.Category") or "cloud_efficiency"
    check_category(call, system_category, CLOUD_CATEGORIES, "SystemDisk.Category")
    low = max(SYSTEM_DISK_RANGE[0], image.size_gib)
    system_size_text = call.opt("SystemDisk.Size") or str(max(40, image.size_gib))
    ok = system_size_text.isascii() and system_size_text.isdigit() and len(system_size_text) <= 6
    call.expect(
        ok and low <= int(system_size_text) <= SYSTEM_DISK_RANGE[1],
        "DiskSize.valid",
        f"SystemDisk.Size {system_size_text[:20]!r}: {low} to {SYSTEM_DISK_RANGE[1]} GiB",
        "SystemDisk.Size",
    )
    data_disks = _data_disks(call)
    if replay := call.replayed():
        return replay  # type: ignore[return-value]
    plan = LaunchPlan(
        zone,
        call.params["InstanceType"],
        image_id,
        call.opt("InstanceName"),
        ChargeType(charge),
        system_category,
        int(system_size_text),
        tuple(data_disks),
    )
    return [_make_instance(world, plan, start) for _ in range(amount)]


def _data_disks(call: Call) -> list[tuple[int, str]]:
    """(size, category) of each DataDisk.N given, each checked as CreateDisk checks it."""
    data_disks: list[tuple[int, str]] = []
    for n in range(1, MAX_DATA_DISKS + 1):
        size_text = call.opt(f"DataDisk.{n}.Size")
        category = call.opt(f"DataDisk.{n}.Category")
        if size_text is None and category is None:
            continue
        category = category or "cloud"
        check_category(call, category, ALL_CATEGORIES, f"DataDisk.{n}.Category")
        data_disks.append((check_size(call, category, size_text, f"DataDisk.{n}.Size"), category))
    return data_disks


@dataclass(frozen=True, slots=True)
class LaunchPlan:
    """What each instance of one RunInstances/CreateInstance request is made of, once the request is checked."""

    zone: str
    instance_type: str
    image_id: str
    name: str | None
    charge: ChargeType
    system_category: str
    system_size: int
    data_disks: tuple[tuple[int, str], ...]


def _make_instance(world: World, plan: LaunchPlan, start: bool) -> Instance:
    """One instance with its system disk and its data disks, attached from the start."""
    instance = world.add_instance(
        zone_id=plan.zone,
        instance_type=plan.instance_type,
        image_id=plan.image_id,
        name=plan.name,
        charge_type=plan.charge,
        start=start,
    )
    world.add_disk(
        zone_id=plan.zone,
        category=plan.system_category,
        size_gib=plan.system_size,
        disk_type=DiskType.SYSTEM,
        charge_type=plan.charge,
        portable=False,
        image_id=plan.image_id,
        instance=instance,
    )
    for size, category in plan.data_disks:
        world.add_disk(
            zone_id=plan.zone,
            category=category,
            size_gib=size,
            disk_type=DiskType.DATA,
            charge_type=plan.charge,
            portable=category not in LOCAL_CATEGORIES,
            instance=instance,
        )
    return instance


@action("RunInstances")
def run_instances(call: Call) -> dict:
    """Create and start instances: Pending, Starting, then Running within 2 minutes."""
    made = _launch(call, start=True)
    if isinstance(made, dict):
        return made
    ids = [i.instance_id for i in made]
    call.passed("Effect", f"{', '.join(ids)} Pending; Running at {to_iso(call.world.now + timing.RUN_RUNNING_SECONDS)}")
    return call.remember({"InstanceIdSets": {"InstanceIdSet": ids}})


@action("CreateInstance")
def create_instance(call: Call) -> dict:
    """Create one instance, left Stopped and never started (its disks cannot be snapshotted until it starts)."""
    made = _launch(call, start=False)
    if isinstance(made, dict):
        return made
    call.passed("Effect", f"{made[0].instance_id} is Stopped and has never been started")
    return call.remember({"InstanceId": made[0].instance_id})


@action("StartInstance")
def start_instance(call: Call) -> dict:
    """Start a Stopped instance: Starting, then Running."""
    call.require("InstanceId")
    world = call.world
    instance = find_instance(call, call.params["InstanceId"])
    check_unlocked(call, instance)
    call.expect(
        instance.status is InstanceStatus.STOPPED,
        "Instance.stopped",
        f"{instance.instance_id} is {instance.status.value}",
    )
    world.set_instance_status(instance, InstanceStatus.STARTING)
    world.schedule_instance(instance, InstanceStatus.RUNNING, timing.START_SECONDS)
    call.passed("Effect", f"{instance.instance_id} is Starting; Running in {timing.START_SECONDS} s")
    return {}


@action("StopInstance")
def stop_instance(call: Call) -> dict:
    """Stop a Running instance: Stopping, then Stopped."""
    call.require("InstanceId")
    world = call.world
    instance = find_instance(call, call.params["InstanceId"])
    check_unlocked(call, instance)
    call.expect(
        instance.status is InstanceStatus.RUNNING,
        "Instance.running",
        f"{instance.instance_id} is {instance.status.value}",
    )
    world.set_instance_status(instance, InstanceStatus.STOPPING)
    world.schedule_instance(instance, InstanceStatus.STOPPED, timing.STOP_SECONDS)
    call.passed("Effect", f"{instance.instance_id} is Stopping; Stopped in {timing.STOP_SECONDS} s")
    return {}


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


@action("DescribeInstances")
def describe_instances(call: Call) -> dict:
    """List instances, oldest first, filtered by InstanceIds, ZoneId, Status; paged."""
    call.region()
    world = call.world
    ids = call.id_list("InstanceIds")
    number, size = call.paging()
    zone = call.opt("ZoneId")
    status = (call.opt("Status") or "all").lower()
    call.expect(
        status == "all" or status in STATUS_FILTERS, "Params.encodable", f"Status {status[:40]!r} is unknown", "Status"
    )
    pool = list(world.instances.values()) if ids is None else [world.instances[i] for i in ids if i in world.instances]
    matches = [
        i
        for i in pool
        if (zone is None or i.zone_id == zone) and (status == "all" or i.status is STATUS_FILTERS[status])
    ]
    return {
        "TotalCount": len(matches),
        "PageNumber": number,
        "PageSize": size,
        "Instances": {"Instance": [instance_item(i, world.region) for i in page(matches, number, size)]},
    }


@action("ReplaceSystemDisk")
def replace_system_disk(call: Call) -> dict:
    """Give a Stopped instance a new system disk from an image; the old one is released (its data loads again)."""
    call.require("InstanceId", "ImageId")
    world = call.world
    instance = find_instance(call, call.params["InstanceId"])
    image_id = call.params["ImageId"]
    image = world.images.get(image_id)
    call.expect(image is not None, "Image.exists", f"no image {image_id[:60]!r}", "ImageId")
    assert image is not None
    check_unlocked(call, instance)
    call.expect(
        instance.status is InstanceStatus.STOPPED,
        "Instance.stopped",
        f"{instance.instance_id} is {instance.status.value}; it must be Stopped",
    )
    old = next((world.disks[d] for d in instance.disk_ids if world.disks[d].disk_type is DiskType.SYSTEM), None)
    busy = old is not None and old.disk_id in world.progressing
    call.expect(
        not busy,
        "SystemDisk.no_snapshot_in_progress",
        f"a snapshot of the system disk {old.disk_id if old else ''} is still progressing",
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
    call.passed("Effect", f"new system disk {disk.disk_id}; its data loads until {to_iso(disk.loaded_at)}")
    return call.remember({"DiskId": disk.disk_id})
