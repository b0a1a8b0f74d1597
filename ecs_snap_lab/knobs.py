"""Knobs for what is not an API call: billing, locks, transfers, KMS keys, device faults.

Each knob changes the world the way the cloud would (and logs it), so that every error in the catalogue has a
natural way to happen. A knob refuses what makes no sense with a ValueError that says why.
"""

from __future__ import annotations

from .i18n import _
from .model.clock import Happening
from .model.events import EventKind
from .model.resources import ChargeType, Disk, Instance, LockReason
from .model.world import World


class Knobs:
    def __init__(self, world: World) -> None:
        self._world = world

    def _disk(self, disk_id: str) -> Disk:
        disk = self._world.disks.get(disk_id)
        if disk is None:
            raise ValueError(_("no disk {disk_id!r} in this lab").format(disk_id=disk_id))
        return disk

    def _instance(self, instance_id: str) -> Instance:
        instance = self._world.instances.get(instance_id)
        if instance is None:
            raise ValueError(_("no instance {instance_id!r} in this lab").format(instance_id=instance_id))
        return instance

    # ------------------------------------------------------------------ account

    def set_balance(self, amount: float) -> None:
        """Below zero, CreateSnapshot answers InvalidAccountStatus.NotEnoughBalance."""
        self._world.account.balance = float(amount)
        self._world.log(EventKind.ACCOUNT_CHANGED, "account", detail=f"balance {amount}")

    def set_snapshot_service(self, active: bool) -> None:
        """Not activated, CreateSnapshot answers InvalidAccountStatus.SnapshotServiceUnavailable."""
        self._world.account.snapshot_service_active = bool(active)
        self._world.log(EventKind.ACCOUNT_CHANGED, "account", detail=f"snapshot service {'on' if active else 'off'}")

    def revoke_kms(self, key_id: str) -> None:
        """ECS may no longer use this KMS key: snapshots of disks encrypted with it are refused."""
        keys = self._world.account.kms_revoked_keys
        if key_id not in keys:
            keys.append(key_id)
            self._world.log(EventKind.ACCOUNT_CHANGED, "account", detail=f"KMS key {key_id} revoked")

    def grant_kms(self, key_id: str) -> None:
        keys = self._world.account.kms_revoked_keys
        if key_id in keys:
            keys.remove(key_id)
            self._world.log(EventKind.ACCOUNT_CHANGED, "account", detail=f"KMS key {key_id} granted")

    # ------------------------------------------------------------------ instances

    def lock_instance(self, instance_id: str, reason: str = "security") -> None:
        """Add an OperationLocks LockReason; "security" blocks snapshots of the instance's disks."""
        self._world.lock_instance(self._instance(instance_id), LockReason(reason))

    def unlock_instance(self, instance_id: str, reason: str = "security") -> None:
        self._world.unlock_instance(self._instance(instance_id), LockReason(reason))

    # ------------------------------------------------------------------ disks

    def set_in_arrears(self, disk_id: str, in_arrears: bool = True) -> None:
        """A pay-as-you-go disk with overdue payment: DiskInArrears."""
        disk = self._disk(disk_id)
        if disk.charge_type is not ChargeType.POSTPAID:
            raise ValueError(
                _("{disk_id} is a subscription (PrePaid) disk; only pay-as-you-go disks fall in arrears").format(
                    disk_id=disk_id
                )
            )
        disk.in_arrears = bool(in_arrears)
        self._world.log(EventKind.DISK_CHANGED, disk_id, disk.instance_id or "", f"in arrears: {in_arrears}")

    def expire_subscription(self, disk_id: str) -> None:
        """A subscription disk past its term. The seed allows snapshots of it."""
        disk = self._disk(disk_id)
        if disk.charge_type is not ChargeType.PREPAID:
            raise ValueError(
                _("{disk_id} is pay-as-you-go (PostPaid); only subscription disks expire").format(disk_id=disk_id)
            )
        disk.expired = True
        self._world.log(EventKind.DISK_CHANGED, disk_id, disk.instance_id or "", "subscription expired")

    def start_transfer(self, disk_id: str, minutes: int = 30) -> None:
        """The disk is migrated for `minutes`: IncorrectDiskStatus.Transferring until then."""
        if minutes <= 0:
            raise ValueError(_("a transfer lasts at least one minute"))
        world = self._world
        disk = self._disk(disk_id)
        disk.transferring_until = world.now + int(minutes) * 60
        world.schedule.at(disk.transferring_until, Happening.TRANSFER_DONE, disk_id)
        world.log(EventKind.DISK_CHANGED, disk_id, disk.instance_id or "", f"transferring for {minutes} min")

    def break_device(self, disk_id: str) -> None:
        """A device fault: IncorrectDiskStatus.Invalid until the instance is restarted."""
        disk = self._disk(disk_id)
        disk.device_fault = True
        self._world.log(EventKind.DISK_CHANGED, disk_id, disk.instance_id or "", "device fault")

    def orphan_disk(self, disk_id: str) -> None:
        """The disk still names an instance the back end no longer has (InvalidInstanceId.NotFound)."""
        world = self._world
        disk = self._disk(disk_id)
        if disk.instance_id is None:
            raise ValueError(
                _("{disk_id} is not attached; only an attached disk can lose its instance").format(disk_id=disk_id)
            )
        instance = world.instances.get(disk.instance_id)
        if instance is not None:
            instance.disk_ids = tuple(d for d in instance.disk_ids if d != disk_id)
        disk.instance_id = world.ids.resource("i-")
        world.log(EventKind.DISK_CHANGED, disk_id, disk.instance_id, "its instance record is gone")
