"""The lookups and guards several actions share: each rule (a resource exists, an instance is not locked, a disk
moves between statuses) stated once, with the same check id, detail and parameter wherever it applies."""

from __future__ import annotations

from typing import TypeVar

from ..i18n import _
from ..model.resources import Disk, DiskStatus, DiskType, Image, Instance, InstanceStatus, LockReason, Snapshot
from .base import Call

T = TypeVar("T")

ATTACHABLE_INSTANCE = (InstanceStatus.RUNNING, InstanceStatus.STOPPED)


def _found(call: Call, resource: T | None, check_id: str, detail: str, param: str) -> T:
    call.expect(resource is not None, check_id, detail, param)
    assert resource is not None
    return resource


def find_disk(call: Call, disk_id: str) -> Disk:
    disk = call.world.disks.get(disk_id)
    return _found(
        call, disk, "Disk.exists", _("no disk {disk_id!r} in this account").format(disk_id=disk_id[:60]), "DiskId"
    )


def find_instance(call: Call, instance_id: str) -> Instance:
    instance = call.world.instances.get(instance_id)
    return _found(
        call,
        instance,
        "Instance.exists",
        _("no instance {instance_id!r} in this account").format(instance_id=instance_id[:60]),
        "InstanceId",
    )


def find_image(call: Call, image_id: str) -> Image:
    return _found(
        call,
        call.world.images.get(image_id),
        "Image.exists",
        _("no image {image_id!r}").format(image_id=image_id[:60]),
        "ImageId",
    )


def find_snapshot(call: Call, snapshot_id: str) -> Snapshot:
    """A snapshot named as the source of a disk or an image (DeleteSnapshot words its own refusal)."""
    snapshot = call.world.snapshots.get(snapshot_id)
    return _found(
        call,
        snapshot,
        "Snapshot.exists",
        _("no snapshot {snapshot_id!r}").format(snapshot_id=snapshot_id[:60]),
        "SnapshotId",
    )


def check_zone(call: Call, zone: str) -> None:
    zones = call.world.zones
    call.expect(
        zone in zones,
        "Zone.known",
        _("ZoneId {zone!r} is not one of {zones}").format(zone=zone[:40], zones=", ".join(zones)),
        "ZoneId",
    )


def check_unlocked(call: Call, instance: Instance) -> None:
    call.expect(
        LockReason.SECURITY not in instance.lock_reasons,
        "Instance.unlocked",
        _("{instance_id} is locked for security").format(instance_id=instance.instance_id),
    )


def check_attachable(call: Call, instance: Instance) -> None:
    """A disk is attached to, or detached from, an unlocked instance that is Running or Stopped."""
    check_unlocked(call, instance)
    call.expect(
        instance.status in ATTACHABLE_INSTANCE,
        "Instance.attachable",
        _("{instance_id} is {value}").format(instance_id=instance.instance_id, value=instance.status.value),
    )


def check_portable(call: Call, disk: Disk) -> None:
    call.expect(
        disk.portable,
        "Disk.portable",
        _("{disk_id} is not portable ({category})").format(disk_id=disk.disk_id, category=disk.category),
    )


def check_data_disk(call: Call, disk: Disk) -> None:
    call.expect(
        disk.disk_type is DiskType.DATA, "Disk.not_system", _("{disk_id} is a system disk").format(disk_id=disk.disk_id)
    )


def check_disk_status(call: Call, disk: Disk, status: DiskStatus, check_id: str) -> None:
    call.expect(
        disk.status is status, check_id, _("{disk_id} is {value}").format(disk_id=disk.disk_id, value=disk.status.value)
    )


def move_disk(call: Call, disk: Disk, now: DiskStatus, then: DiskStatus, seconds: int) -> dict:
    """The disk is `now` at once and `then` after `seconds`; the answer is empty."""
    call.world.set_disk_status(disk, now)
    call.world.schedule_disk(disk, then, seconds)
    call.passed(
        "Effect",
        _("{disk_id} is {value}; {value2} in {seconds} s").format(
            disk_id=disk.disk_id, value=now.value, value2=then.value, seconds=seconds
        ),
    )
    return {}


def move_instance(call: Call, instance: Instance, now: InstanceStatus, then: InstanceStatus, seconds: int) -> dict:
    """The instance is `now` at once and `then` after `seconds`; the answer is empty."""
    call.world.set_instance_status(instance, now)
    call.world.schedule_instance(instance, then, seconds)
    call.passed(
        "Effect",
        _("{instance_id} is {value}; {value2} in {seconds} s").format(
            instance_id=instance.instance_id, value=now.value, value2=then.value, seconds=seconds
        ),
    )
    return {}
