"""CreateSnapshot's steps 8-17: the account, the disk, its instance and its snapshots.

One function per row of rules/checks.toml, registered against the row's id. The table alone says the order, which
rows a shared block storage volume skips (`applies`), the rule, the code and the step; this module says only how
each check looks at the world. `check_world` walks the rows in the table's order: the first refusal is the answer,
and the checks before it are recorded as passed at once (they ran). A detail is written only when a check refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..i18n import N_, _
from ..local_time import stamp
from ..model.resources import (
    ELASTIC_EPHEMERAL_CATEGORIES,
    LOCAL_CATEGORIES,
    ChargeType,
    Disk,
    DiskStatus,
    Instance,
    InstanceStatus,
    LockReason,
    SnapshotType,
)
from ..model.world import World
from ..rules.catalog import checks
from ..rules.profile import profile
from .base import Call

SNAPSHOTABLE_INSTANCE = (InstanceStatus.RUNNING, InstanceStatus.STOPPED)
# Enum members read once: an Enum class attribute costs more than a global on this hot path.
IN_USE, AVAILABLE, DELETING = DiskStatus.IN_USE, DiskStatus.AVAILABLE, DiskStatus.DELETING
POSTPAID, SECURITY = ChargeType.POSTPAID, LockReason.SECURITY
QUOTA_CHECK = "Disk.under_quota"  # automatic snapshots make room at the quota instead of being refused


class Subject:
    """What the checks look at, found once per request.

    `disk` is None (and `instance` with it) only until Disk.exists has passed, `instance` only until Instance.exists
    has: the table orders every check that reads them after those two, so the checks read them as found."""

    __slots__ = ("account", "disk", "disk_id", "instance", "rules", "world")
    disk: Disk
    instance: Instance

    def __init__(self, world: World, disk_id: str) -> None:
        self.world = world
        self.account = world.account
        self.disk_id = disk_id
        disk = self.disk = world.disks.get(disk_id)  # type: ignore[assignment]
        self.instance = None if disk is None else world.instances.get(disk.instance_id or "")  # type: ignore[assignment]
        self.rules = profile(world.api)


Refusal = Callable[[Subject], "str | None"]  # None when the check passes, else why it fails (the trace's detail)


@dataclass(frozen=True, slots=True)
class WorldCheck:
    id: str
    refusal: Refusal
    param: str = ""  # the parameter at fault, named in the error message


REGISTRY: dict[str, WorldCheck] = {}


def world_check(check_id: str, param: str = "") -> Callable[[Refusal], Refusal]:
    """Register a function as the check of the table's row `check_id`."""

    def register(refusal: Refusal) -> Refusal:
        if check_id in REGISTRY:
            raise ValueError(f"{check_id} is registered twice")
        REGISTRY[check_id] = WorldCheck(check_id, refusal, param)
        return refusal

    return register


# ---------------------------------------------------------------- the checks, one per row (the table orders them)


# What a DiskId of another kind of resource is (World.kind_of), in the refusal's words.
NOT_A_DISK = {
    "instance": N_("{disk_id} is an instance, not a disk"),
    "snapshot": N_("{disk_id} is a snapshot, not a disk"),
    "image": N_("{disk_id} is an image, not a disk"),
}
# What the quota counts (counted()'s third value), in the refusal's words.
OVER_QUOTA = {
    "snapshots": N_("{disk_id} has {count} snapshots; the quota is {limit}"),
    "manual snapshots": N_("{disk_id} has {count} manual snapshots; the quota is {limit}"),
    "automatic snapshots": N_("{disk_id} has {count} automatic snapshots; the quota is {limit}"),
}


@world_check("Account.snapshot_service")
def snapshot_service_active(s: Subject) -> str | None:
    return None if s.account.snapshot_service_active else _("the account's snapshot service is not activated")


@world_check("Account.balance")
def balance_not_negative(s: Subject) -> str | None:
    balance = s.account.balance
    return _("the account balance is {balance:.2f}").format(balance=balance) if balance < 0 else None


@world_check("Disk.is_disk", param="DiskId")
def names_a_disk(s: Subject) -> str | None:
    if s.disk is not None:
        return None
    kind = s.world.kind_of(s.disk_id)
    return None if kind is None else _(NOT_A_DISK[kind]).format(disk_id=s.disk_id)


@world_check("Disk.exists", param="DiskId")
def disk_exists(s: Subject) -> str | None:
    return None if s.disk is not None else _("no disk {disk_id!r} in this account").format(disk_id=s.disk_id[:60])


@world_check("Volume.exists")
def volume_not_released(s: Subject) -> str | None:
    return (
        _("the shared volume {disk_id} is being released").format(disk_id=s.disk_id)
        if s.disk.status is DELETING
        else None
    )


@world_check("Disk.not_local")
def not_local(s: Subject) -> str | None:
    category = s.disk.category
    if category in LOCAL_CATEGORIES:
        return _("{disk_id} is a local disk ({category}); local disks cannot be snapshotted").format(
            disk_id=s.disk_id, category=category
        )
    return None


@world_check("Disk.type_supported")
def type_supported(s: Subject) -> str | None:
    category = s.disk.category
    if category in ELASTIC_EPHEMERAL_CATEGORIES:
        return _("{disk_id} is an elastic ephemeral disk ({category})").format(disk_id=s.disk_id, category=category)
    return None


@world_check("Disk.not_in_arrears")
def not_in_arrears(s: Subject) -> str | None:
    disk = s.disk
    if disk.in_arrears and disk.charge_type is POSTPAID:
        return _("the pay-as-you-go disk {disk_id} is in arrears").format(disk_id=s.disk_id)
    return None


@world_check("Disk.ever_attached")
def ever_attached(s: Subject) -> str | None:
    return (
        None
        if s.disk.ever_attached
        else _("{disk_id} has never been attached to an instance").format(disk_id=s.disk_id)
    )


@world_check("Disk.not_transferring")
def not_transferring(s: Subject) -> str | None:
    until = s.disk.transferring_until
    if until is not None and s.world.now < until:
        return _("{disk_id} is being transferred until {until}").format(disk_id=s.disk_id, until=stamp(until))
    return None


@world_check("Volume.in_use")
def volume_in_use(s: Subject) -> str | None:
    status = s.disk.status
    return (
        None
        if status is IN_USE
        else _("the shared volume {disk_id} is {value}, not In_use").format(disk_id=s.disk_id, value=status.value)
    )


@world_check("Disk.in_use")
def disk_in_use(s: Subject) -> str | None:
    """In the 2026 profile an Available disk passes too: Disk.ever_attached, before it, has seen it was attached."""
    status = s.disk.status
    if status is IN_USE:
        return None
    if s.rules.available_after_attach:
        return (
            None
            if status is AVAILABLE
            else _("{disk_id} is {value}, neither In_use nor Available").format(disk_id=s.disk_id, value=status.value)
        )
    return _("{disk_id} is {value}, not In_use (attached)").format(disk_id=s.disk_id, value=status.value)


@world_check("Instance.exists")
def instance_exists(s: Subject) -> str | None:
    if s.instance is None:
        return _("{disk_id} names instance {instance_id}, which no longer exists").format(
            disk_id=s.disk_id, instance_id=s.disk.instance_id
        )
    return None


@world_check("Instance.not_security_locked")
def not_security_locked(s: Subject) -> str | None:
    reasons = s.instance.lock_reasons
    if reasons and SECURITY in reasons:
        return _("{instance_id} is locked for security (OperationLocks LockReason security)").format(
            instance_id=s.instance.instance_id
        )
    return None


@world_check("Instance.running_or_stopped")
def running_or_stopped(s: Subject) -> str | None:
    instance = s.instance
    if instance.status not in SNAPSHOTABLE_INSTANCE:
        return _("{instance_id} is {value}; it must be Running or Stopped").format(
            instance_id=instance.instance_id, value=instance.status.value
        )
    return None


@world_check("Instance.ever_started")
def ever_started(s: Subject) -> str | None:
    return (
        None
        if s.instance.ever_started
        else _("{instance_id} has never been started").format(instance_id=s.instance.instance_id)
    )


@world_check("Disk.device_ok")
def device_ok(s: Subject) -> str | None:
    if s.disk.device_fault:
        if s.instance is None:  # a detached disk (2026 profile): no instance to restart
            return _("{disk_id} has a device fault; attach it to an instance and restart that instance").format(
                disk_id=s.disk_id
            )
        iid = s.instance.instance_id
        return _("{disk_id} has a device fault; restart {iid} (StopInstance, then StartInstance)").format(
            disk_id=s.disk_id, iid=iid
        )
    return None


@world_check("Disk.data_loaded")
def data_loaded(s: Subject) -> str | None:
    loaded_at = s.disk.loaded_at
    return (
        _("{disk_id}'s data is still loading until {loaded_at}").format(disk_id=s.disk_id, loaded_at=stamp(loaded_at))
        if s.world.now < loaded_at
        else None
    )


@world_check("Disk.no_snapshot_in_progress")
def no_snapshot_in_progress(s: Subject) -> str | None:
    world, disk_id = s.world, s.disk_id
    busy = world.progressing.get(disk_id)
    if busy is not None:
        return _("{snapshot} of {disk_id} is still being created").format(snapshot=busy, disk_id=disk_id)
    if disk_id in world.inflight:
        return _("a CreateSnapshot still being processed of {disk_id} is still being created").format(disk_id=disk_id)
    return None


def counted(world: World, disk_id: str, of_type: SnapshotType) -> tuple[int, int, str]:
    """(how many snapshots of the disk count against the limit a new one of `of_type` meets, that limit, what is
    counted). The seed counts every snapshot against the quota; the 2026 profile counts manual and automatic apart."""
    rules = profile(world.api)
    if not rules.auto_counted_apart:
        return world.snapshot_count(disk_id), world.snapshot_quota, "snapshots"
    if of_type is SnapshotType.USER:
        return world.snapshot_count(disk_id, of_type), world.snapshot_quota, "manual snapshots"
    return world.snapshot_count(disk_id, of_type), rules.auto_limit, "automatic snapshots"


@world_check(QUOTA_CHECK)
def under_quota(s: Subject) -> str | None:
    count, limit, what = counted(s.world, s.disk_id, SnapshotType.USER)
    return _(OVER_QUOTA[what]).format(disk_id=s.disk_id, count=count, limit=limit) if count >= limit else None


@world_check("Disk.kms_usable")
def kms_usable(s: Subject) -> str | None:
    disk = s.disk
    if disk.encrypted and disk.kms_key_id in s.account.kms_revoked_keys:
        return _("ECS may not use the KMS key {kms_key_id} of the encrypted disk {disk_id}").format(
            kms_key_id=disk.kms_key_id, disk_id=s.disk_id
        )
    return None


# ---------------------------------------------------------------- the order, from the table


@dataclass(frozen=True, slots=True)
class Order:
    """The world checks one kind of disk goes through, in the table's order."""

    ids: tuple[str, ...]
    rows: tuple[tuple[str, Refusal, str], ...]  # (id, refusal, param), unpacked in the hot loop


_ORDERS: dict[tuple[bool, bool, bool], Order] = {}


def world_check_order(volume: bool = False, quota: bool = True, attached: bool = True) -> tuple[str, ...]:
    """The ids of the world checks a disk (or a shared block storage volume) goes through, in order. A detached
    disk skips the checks of its instance (`needs = "instance"`): it has none. Only the 2026 profile lets such a
    disk get past Disk.in_use, which comes before them, so the seed's answers do not depend on it."""
    return _order(volume, quota, attached).ids


def _order(volume: bool, quota: bool, attached: bool) -> Order:
    order = _ORDERS.get((volume, quota, attached))
    if order is None:
        skipped = "disk" if volume else "volume"
        ids = tuple(
            row.id
            for row in checks().values()
            if row.id in REGISTRY
            and row.applies != skipped
            and (quota or row.id != QUOTA_CHECK)
            and (attached or row.needs != "instance")
        )
        order = Order(ids, tuple((i, REGISTRY[i].refusal, REGISTRY[i].param) for i in ids))
        _ORDERS[volume, quota, attached] = order
    return order


def check_world(call: Call, disk_id: str, *, quota: bool = True) -> Disk:
    """Steps 8-17 for `disk_id`: returns the disk if every check passes, else fails the call with the first refusal.
    quota=False leaves out Disk.under_quota (an automatic snapshot makes room at the quota instead)."""
    subject = Subject(call.world, disk_id)
    disk = subject.disk
    kind = (disk is not None and disk.shared, quota, disk is None or disk.instance_id is not None)
    order = _ORDERS.get(kind) or _order(*kind)
    for check_id, refusal, param in order.rows:
        detail = refusal(subject)
        if detail is not None:
            call.trace.extend(order.ids[: order.ids.index(check_id)])  # the checks before it ran, and passed
            call.fail(check_id, detail, param)
    call.trace.extend(order.ids)
    return disk
