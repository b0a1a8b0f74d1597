"""One ECS account in one region: its resources, indexes over them, the scheduler and the event log.

The world applies state changes and keeps its indexes true; it does not decide whether a request is allowed
(that is the actions' job). Every change is logged as an Event with its simulated time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import timing
from .api import Api
from .clock import Due, Happening, Scheduler, to_datetime
from .events import EventKind, EventLog
from .faults import Fault, FaultKind
from .ids import IdFactory
from .resources import (
    Account,
    AutoSnapshotPolicy,
    ChargeType,
    Disk,
    DiskStatus,
    DiskType,
    Image,
    Instance,
    InstanceStatus,
    LockReason,
    Snapshot,
    SnapshotStatus,
    SnapshotType,
)

PUBLIC_IMAGES = (
    ("aliyun_3_x64_20G_alibase_20240819.vhd", "Alibaba Cloud Linux 3", 20),
    ("ubuntu_22_04_x64_20G_alibase_20240926.vhd", "Ubuntu 22.04 64-bit", 20),
    ("centos_7_9_x64_20G_alibase_20240628.vhd", "CentOS 7.9 64-bit", 20),
    ("win2022_21H2_x64_dtc_en-us_40G_alibase_20240911.vhd", "Windows Server 2022", 40),
)


@dataclass(slots=True)
class TokenRecord:
    """What a ClientToken stands for: the request's fingerprint and, once done, its answer."""

    action: str
    fingerprint: str
    created_at: int
    result: dict = field(default_factory=dict)
    done: bool = False


@dataclass(slots=True)
class PendingCreate:
    """A CreateSnapshot accepted but still being processed (a slow request): it takes effect at `due_at`."""

    key: str
    disk_id: str
    name: str
    description: str
    retention_days: int | None
    tags: list[tuple[str, str]]
    token: str | None
    due_at: int


Handler = Callable[["World", Due], None]

HANDLERS: dict[str, Handler] = {}
"""What the world does when a scheduled happening falls due: one handler per Happening, registered (with `handles`)
by the module that owns it. The model registers its own below; ecs_snap_lab.actions registers the ones that need
the API's rules (a slow CreateSnapshot finishing, an automatic snapshot policy firing). Importing ecs_snap_lab
imports both, so a World fires them all with or without a Lab around it."""


def handles(what: Happening) -> Callable[[Handler], Handler]:
    """Register the decorated function as the one handler of `what`; a second, different handler is refused."""

    def register(handler: Handler) -> Handler:
        known = HANDLERS.get(what)
        if known is not None and (known.__module__, known.__qualname__) != (handler.__module__, handler.__qualname__):
            raise ValueError(f"{what} is already handled by {known.__module__}.{known.__qualname__}")
        HANDLERS[what] = handler
        return handler

    return register


class World:
    """The state of one account. Times are whole seconds since the epoch; `now` only moves forward."""

    def __init__(
        self, *, seed: int, start: int, region: str, zones: list[str], snapshot_quota: int, api: Api = Api.SEED
    ) -> None:
        self.seed = seed
        self.api = api  # the documentation the account answers by (rules.profile has its values)
        self.now = start
        self.region = region
        self.zones = list(zones)
        self.snapshot_quota = snapshot_quota
        self.ids = IdFactory(seed)
        self.schedule = Scheduler()
        self.events = EventLog()
        self.account = Account()
        self.instances: dict[str, Instance] = {}
        self.disks: dict[str, Disk] = {}
        self.snapshots: dict[str, Snapshot] = {}
        self.images: dict[str, Image] = {}
        self.policies: dict[str, AutoSnapshotPolicy] = {}
        # Indexes: snapshots by source disk (kept after the disk is released), by status, by type.
        self.by_disk: dict[str, dict[str, Snapshot]] = {}
        self.by_status: dict[SnapshotStatus, dict[str, Snapshot]] = {s: {} for s in SnapshotStatus}
        self.by_type: dict[SnapshotType, dict[str, Snapshot]] = {t: {} for t in SnapshotType}
        self.progressing: dict[str, str] = {}  # disk id -> id of its progressing snapshot
        self.inflight: dict[str, str] = {}  # disk id -> key of a slow CreateSnapshot still being processed
        self.pending: dict[str, PendingCreate] = {}
        self.tokens: dict[str, TokenRecord] = {}
        self.faults: list[Fault] = []
        self.snapshot_seq = 0
        for image_id, name, size in PUBLIC_IMAGES:
            self.images[image_id] = Image(image_id, name, None, start, public=True, size_gib=size)

    # ------------------------------------------------------------------ small helpers

    def log(self, kind: EventKind, resource_id: str, related_id: str = "", detail: str = "") -> None:
        self.events.add(self.now, kind, resource_id, related_id, detail)

    def kind_of(self, resource_id: str) -> str | None:
        """Which kind of resource an id names, if any (for DiskId.ValueNotSupported)."""
        for kind, table in (
            ("disk", self.disks),
            ("instance", self.instances),
            ("snapshot", self.snapshots),
            ("image", self.images),
        ):
            if resource_id in table:
                return kind
        return None

    def take_fault(self, kind: FaultKind, action: str, disk_id: str | None = None) -> Fault | None:
        """Use up one injected fault of this kind, if one is armed."""
        for fault in self.faults:
            if fault.matches(kind, action, disk_id):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def snapshot_count(self, disk_id: str, of_type: SnapshotType | None = None) -> int:
        """Snapshots of a disk (kept after the disk is released); of one type only if `of_type` is given."""
        snaps = self.by_disk.get(disk_id)
        if not snaps:
            return 0
        if of_type is None:
            return len(snaps)
        return sum(1 for snap in snaps.values() if snap.snapshot_type is of_type)

    # ------------------------------------------------------------------ instances

    def add_instance(
        self,
        *,
        zone_id: str,
        instance_type: str,
        image_id: str,
        name: str | None,
        charge_type: ChargeType,
        start: bool,
    ) -> Instance:
        instance_id = self.ids.resource("i-")
        status = InstanceStatus.PENDING if start else InstanceStatus.STOPPED
        instance = Instance(
            instance_id, name or instance_id, zone_id, instance_type, image_id, status, self.now, charge_type
        )
        self.instances[instance_id] = instance
        self.log(EventKind.INSTANCE_CREATED, instance_id, detail=status.value)
        if start:
            self.schedule_instance(instance, InstanceStatus.STARTING, timing.RUN_PENDING_SECONDS)
            self.schedule_instance(instance, InstanceStatus.RUNNING, timing.RUN_RUNNING_SECONDS, bump=False)
        return instance

    def set_instance_status(self, instance: Instance, status: InstanceStatus) -> None:
        instance.status = status
        if status is InstanceStatus.RUNNING:
            instance.ever_started = True
            instance.started_at = self.now
            for disk_id in instance.disk_ids:  # a restart clears device faults (IncorrectDiskStatus.Invalid)
                disk = self.disks.get(disk_id)
                if disk is not None and disk.device_fault:
                    disk.device_fault = False
                    self.log(EventKind.DISK_CHANGED, disk_id, instance.instance_id, "device fault cleared")
        self.log(EventKind.INSTANCE_STATUS, instance.instance_id, detail=status.value)

    def schedule_instance(self, instance: Instance, status: InstanceStatus, after: int, bump: bool = True) -> None:
        """Move the instance to `status` after `after` seconds, unless another transition supersedes it."""
        if bump:
            instance.transition_seq += 1
        self.schedule.at(
            self.now + after,
            Happening.INSTANCE_STATUS,
            instance.instance_id,
            f"{status.value}|{instance.transition_seq}",
        )

    def lock_instance(self, instance: Instance, reason: LockReason) -> None:
        if reason not in instance.lock_reasons:
            instance.lock_reasons = (*instance.lock_reasons, reason)
            self.log(EventKind.INSTANCE_LOCKED, instance.instance_id, detail=reason.value)

    def unlock_instance(self, instance: Instance, reason: LockReason) -> None:
        if reason in instance.lock_reasons:
            instance.lock_reasons = tuple(r for r in instance.lock_reasons if r is not reason)
            self.log(EventKind.INSTANCE_UNLOCKED, instance.instance_id, detail=reason.value)

    # ------------------------------------------------------------------ disks

    def add_disk(
        self,
        *,
        zone_id: str,
        category: str,
        size_gib: int,
        disk_type: DiskType,
        name: str | None = None,
        charge_type: ChargeType = ChargeType.POSTPAID,
        portable: bool = True,
        encrypted: bool = False,
        kms_key_id: str | None = None,
        source_snapshot_id: str | None = None,
        image_id: str | None = None,
        instance: Instance | None = None,
        delete_with_instance: bool = True,
    ) -> Disk:
        """A new disk; its data loads for a while (system disk about 1 h, data disk by size)."""
        disk_id = self.ids.resource("d-")
        load = (
            timing.SYSTEM_DISK_LOAD_SECONDS if disk_type is DiskType.SYSTEM else timing.data_disk_load_seconds(size_gib)
        )
        disk = Disk(
            disk_id,
            name or "",
            zone_id,
            category,
            size_gib,
            disk_type,
            DiskStatus.AVAILABLE,
            self.now,
            charge_type=charge_type,
            portable=portable,
            loaded_at=self.now + load,
            source_snapshot_id=source_snapshot_id,
            image_id=image_id,
            encrypted=encrypted,
            kms_key_id=kms_key_id,
            delete_with_instance=delete_with_instance if instance else False,
        )
        self.disks[disk_id] = disk
        self.log(
            EventKind.DISK_CREATED, disk_id, instance.instance_id if instance else "", f"{category} {size_gib} GiB"
        )
        self.schedule.at(disk.loaded_at, Happening.DISK_LOADED, disk_id)
        if source_snapshot_id and source_snapshot_id in self.snapshots:
            source = self.snapshots[source_snapshot_id]
            source.disk_ids = (*source.disk_ids, disk_id)
        if instance is not None:
            self.plug(disk, instance)
            self.set_disk_status(disk, DiskStatus.IN_USE)
        return disk

    def plug(self, disk: Disk, instance: Instance) -> None:
        """Record the attachment (device name, instance's disk list); the status is set by the caller."""
        used = {self.disks[d].device for d in instance.disk_ids if d in self.disks}
        disk.instance_id = instance.instance_id
        disk.ever_attached = True  # from the moment AttachDisk is accepted: then its status is what matters
        disk.device = next(f"/dev/xvd{c}" for c in "abcdefghijklmnopqrstuvwxyz" if f"/dev/xvd{c}" not in used)
        if disk.disk_type is DiskType.SYSTEM:  # the system disk leads the list, also after ReplaceSystemDisk
            instance.disk_ids = (disk.disk_id, *instance.disk_ids)
        else:
            instance.disk_ids = (*instance.disk_ids, disk.disk_id)

    def unplug(self, disk: Disk) -> None:
        instance = self.instances.get(disk.instance_id or "")
        if instance is not None:
            instance.disk_ids = tuple(d for d in instance.disk_ids if d != disk.disk_id)
        disk.instance_id = None
        disk.device = None

    def set_disk_status(self, disk: Disk, status: DiskStatus) -> None:
        disk.status = status
        if status is DiskStatus.IN_USE:
            disk.ever_attached = True
            disk.attached_at = self.now
        elif status is DiskStatus.AVAILABLE and disk.ever_attached:
            disk.detached_at = self.now
        self.log(EventKind.DISK_STATUS, disk.disk_id, disk.instance_id or "", status.value)

    def schedule_disk(self, disk: Disk, status: DiskStatus, after: int) -> None:
        disk.status_seq += 1
        self.schedule.at(self.now + after, Happening.DISK_STATUS, disk.disk_id, f"{status.value}|{disk.status_seq}")

    def release_disk(self, disk: Disk) -> None:
        """Release a disk. Its progressing snapshots go with it (the seed); accomplished ones stay,
        except automatic ones when DeleteAutoSnapshot is true (the default)."""
        disk_id = disk.disk_id
        for snap in list(self.by_disk.get(disk_id, {}).values()):
            if snap.status is SnapshotStatus.PROGRESSING:
                self.remove_snapshot(
                    snap, EventKind.SNAPSHOT_DELETED, "its disk was released while it was being created"
                )
            elif snap.snapshot_type is SnapshotType.AUTO and disk.delete_auto_snapshot and not snap.image_ids:
                self.remove_snapshot(snap, EventKind.SNAPSHOT_DELETED, "automatic snapshot of a released disk")
        if disk.policy_id and disk.policy_id in self.policies:
            self.policies[disk.policy_id].disk_ids.remove(disk_id)
        source = self.snapshots.get(disk.source_snapshot_id or "")
        if source is not None:  # Usage says what uses a snapshot now: a released disk no longer does
            source.disk_ids = tuple(d for d in source.disk_ids if d != disk_id)
        self.unplug(disk)
        self.inflight.pop(disk_id, None)
        del self.disks[disk_id]
        self.log(EventKind.DISK_RELEASED, disk_id)

    # ------------------------------------------------------------------ snapshots

    def add_snapshot(
        self,
        disk: Disk,
        *,
        name: str,
        description: str,
        retention_days: int | None,
        tags: list[tuple[str, str]],
        snapshot_type: SnapshotType = SnapshotType.USER,
        fail_at_progress: int | None = None,
    ) -> Snapshot:
        """Start a snapshot: full if the disk has no accomplished snapshot, else incremental from the newest."""
        snaps = self.by_disk.get(disk.disk_id)
        previous = _newest_accomplished(snaps) if snaps else None
        days = None if previous is None else (self.now - previous.created_at) / 86400
        duration = timing.snapshot_copy_seconds(disk.size_gib, days)
        self.snapshot_seq += 1
        snapshot_id = self.ids.resource("s-")
        snap = Snapshot(
            snapshot_id,
            name,
            description,
            disk.disk_id,
            disk.size_gib,
            disk.disk_type,
            disk.category,
            SnapshotStatus.PROGRESSING,
            self.now,
            self.now,
            self.now + duration,
            self.snapshot_seq,
            retention_days,
            tuple(tags),
            snapshot_type,
            disk.encrypted,
            disk.kms_key_id,
            previous is None,
        )
        self.snapshots[snapshot_id] = snap
        if snaps is None:
            snaps = self.by_disk[disk.disk_id] = {}
        snaps[snapshot_id] = snap
        self.by_status[SnapshotStatus.PROGRESSING][snapshot_id] = snap
        self.by_type[snapshot_type][snapshot_id] = snap
        self.progressing[disk.disk_id] = snapshot_id
        self.log(EventKind.SNAPSHOT_CREATED, snapshot_id, disk.disk_id, snapshot_type.value)
        self._schedule_snapshot(snap, duration, fail_at_progress)
        return snap

    def _schedule_snapshot(self, snap: Snapshot, duration: int, fail_at_progress: int | None) -> None:
        """Queue what will happen to a new snapshot: done (or failed part way), then released if it has a
        retention period."""
        snapshot_id = snap.snapshot_id
        if fail_at_progress is None:
            self.schedule.at(snap.done_at, Happening.SNAPSHOT_DONE, snapshot_id)
        else:
            self.schedule.at(
                self.now + duration * fail_at_progress // 100,
                Happening.SNAPSHOT_FAIL,
                snapshot_id,
                str(fail_at_progress),
            )
        if (release_at := snap.release_at) is not None:  # a retention period was given
            self.schedule.at(release_at, Happening.SNAPSHOT_RELEASE, snapshot_id)

    def set_snapshot_status(self, snap: Snapshot, status: SnapshotStatus) -> None:
        del self.by_status[snap.status][snap.snapshot_id]
        snap.status = status
        snap.modified_at = self.now
        self.by_status[status][snap.snapshot_id] = snap
        if self.progressing.get(snap.disk_id) == snap.snapshot_id:
            del self.progressing[snap.disk_id]
        kind = EventKind.SNAPSHOT_ACCOMPLISHED if status is SnapshotStatus.ACCOMPLISHED else EventKind.SNAPSHOT_FAILED
        self.log(kind, snap.snapshot_id, snap.disk_id)

    def remove_snapshot(self, snap: Snapshot, kind: EventKind, why: str = "") -> None:
        sid = snap.snapshot_id
        del self.snapshots[sid]
        del self.by_disk[snap.disk_id][sid]
        del self.by_status[snap.status][sid]
        del self.by_type[snap.snapshot_type][sid]
        if self.progressing.get(snap.disk_id) == sid:
            del self.progressing[snap.disk_id]
        self.log(kind, sid, snap.disk_id, why)

    # ------------------------------------------------------------------ images and policies

    def add_image(self, snapshot: Snapshot, name: str | None) -> Image:
        image_id = self.ids.resource("m-")
        image = Image(image_id, name or image_id, snapshot.snapshot_id, self.now, size_gib=snapshot.disk_size_gib)
        self.images[image_id] = image
        snapshot.image_ids = (*snapshot.image_ids, image_id)
        self.log(EventKind.IMAGE_CREATED, image_id, snapshot.snapshot_id)
        return image

    def remove_image(self, image: Image) -> None:
        snap = self.snapshots.get(image.snapshot_id or "")
        if snap is not None:
            snap.image_ids = tuple(i for i in snap.image_ids if i != image.image_id)
        del self.images[image.image_id]
        self.log(EventKind.IMAGE_DELETED, image.image_id, image.snapshot_id or "")
        release_at = snap.release_at if snap is not None else None
        if snap is not None and not snap.image_ids and release_at is not None and release_at <= self.now:
            # its retention expired while the image kept it: it goes as soon as nothing keeps it
            self.remove_snapshot(snap, EventKind.SNAPSHOT_RELEASED, "retention period expired; its last image is gone")

    def add_policy(
        self, name: str, time_points: list[int], weekdays: list[int], retention_days: int
    ) -> AutoSnapshotPolicy:
        policy = AutoSnapshotPolicy(self.ids.resource("sp-"), name, time_points, weekdays, retention_days, self.now)
        self.policies[policy.policy_id] = policy
        self.log(EventKind.POLICY_CREATED, policy.policy_id, detail=f"hours {time_points} days {weekdays}")
        self.schedule_policy(policy)
        return policy

    def schedule_policy(self, policy: AutoSnapshotPolicy) -> None:
        """Queue the policy's next firing: the next whole hour listed in time_points on a listed weekday."""
        moment = to_datetime(self.now).replace(minute=0, second=0)
        for hour_step in range(1, 24 * 8 + 1):
            candidate = moment.timestamp() + hour_step * 3600
            when = datetime.fromtimestamp(candidate, tz=UTC)
            if when.hour in policy.time_points and when.isoweekday() in policy.repeat_weekdays:
                self.schedule.at(int(candidate), Happening.POLICY_FIRE, policy.policy_id)
                return

    # ------------------------------------------------------------------ time

    def run_until(self, target: int) -> None:
        """Apply everything due up to `target`, in time order, then set the clock to `target`."""
        if target < self.now:
            raise ValueError("the lab's clock only moves forward")
        while (due := self.schedule.pop_due(target)) is not None:
            self.now = max(self.now, due.at)
            self.apply(due)
        self.now = target

    def apply(self, due: Due) -> None:
        """Run the registered handler of one happening that fell due (stale ones are ignored by their handler)."""
        handler = HANDLERS.get(due.what)
        if handler is None:
            raise LookupError(f"nothing handles the scheduled {due.what!r}; importing ecs_snap_lab registers all")
        handler(self, due)


def _newest_accomplished(snaps: dict[str, Snapshot]) -> Snapshot | None:
    """The newest accomplished snapshot of a disk (its snapshots in creation order): an incremental one's base."""
    for snap in reversed(snaps.values()):
        if snap.status is SnapshotStatus.ACCOMPLISHED:
            return snap
    return None


# ---------------------------------------------------------------------- the model's own scheduled happenings


@handles(Happening.SNAPSHOT_DONE)
def _snapshot_done(world: World, due: Due) -> None:
    snap = world.snapshots.get(due.target)
    if snap is not None and snap.status is SnapshotStatus.PROGRESSING and snap.done_at == due.at:
        world.set_snapshot_status(snap, SnapshotStatus.ACCOMPLISHED)


@handles(Happening.SNAPSHOT_FAIL)
def _snapshot_fail(world: World, due: Due) -> None:
    snap = world.snapshots.get(due.target)
    if snap is not None and snap.status is SnapshotStatus.PROGRESSING:
        snap.failed_progress = int(due.arg)
        world.set_snapshot_status(snap, SnapshotStatus.FAILED)


@handles(Happening.SNAPSHOT_RELEASE)
def _snapshot_release(world: World, due: Due) -> None:
    snap = world.snapshots.get(due.target)
    if snap is not None and snap.release_at == due.at:
        if snap.image_ids:
            world.log(EventKind.SNAPSHOT_KEPT, snap.snapshot_id, snap.disk_id, "retention expired but an image uses it")
        else:
            world.remove_snapshot(snap, EventKind.SNAPSHOT_RELEASED, "retention period expired")


@handles(Happening.INSTANCE_STATUS)
def _instance_status(world: World, due: Due) -> None:
    instance = world.instances.get(due.target)
    status, _, seq = due.arg.partition("|")
    if instance is not None and int(seq) == instance.transition_seq:
        world.set_instance_status(instance, InstanceStatus(status))


@handles(Happening.DISK_STATUS)
def _disk_status(world: World, due: Due) -> None:
    disk = world.disks.get(due.target)
    status, _, seq = due.arg.partition("|")
    if disk is not None and int(seq) == disk.status_seq:
        if DiskStatus(status) is DiskStatus.AVAILABLE:
            world.unplug(disk)
        world.set_disk_status(disk, DiskStatus(status))


@handles(Happening.DISK_LOADED)
def _disk_loaded(world: World, due: Due) -> None:
    disk = world.disks.get(due.target)
    if disk is not None and disk.loaded_at == due.at:
        world.log(EventKind.DISK_LOADED, disk.disk_id, disk.instance_id or "")


@handles(Happening.TRANSFER_DONE)
def _transfer_done(world: World, due: Due) -> None:
    disk = world.disks.get(due.target)
    if disk is not None and disk.transferring_until == due.at:
        disk.transferring_until = None
        world.log(EventKind.DISK_CHANGED, disk.disk_id, disk.instance_id or "", "transfer finished")


@handles(Happening.VOLUME_GONE)
def _volume_gone(world: World, due: Due) -> None:
    disk = world.disks.get(due.target)
    if disk is not None and disk.status is DiskStatus.DELETING:
        world.release_disk(disk)
