"""The resources of one ECS account, as plain dataclasses. Times are whole seconds since the epoch."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .timing import remain_estimate


class InstanceStatus(StrEnum):
    PENDING = "Pending"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    STOPPED = "Stopped"


class DiskStatus(StrEnum):
    IN_USE = "In_use"
    AVAILABLE = "Available"
    ATTACHING = "Attaching"
    DETACHING = "Detaching"
    CREATING = "Creating"
    REINITING = "ReIniting"
    DELETING = "Deleting"


class DiskType(StrEnum):
    SYSTEM = "system"
    DATA = "data"


class ChargeType(StrEnum):
    PREPAID = "PrePaid"
    POSTPAID = "PostPaid"


class SnapshotStatus(StrEnum):
    PROGRESSING = "progressing"
    ACCOMPLISHED = "accomplished"
    FAILED = "failed"


class SnapshotType(StrEnum):
    AUTO = "auto"
    USER = "user"


class LockReason(StrEnum):
    FINANCIAL = "financial"
    SECURITY = "security"
    RECYCLING = "recycling"
    DEDICATEDHOSTFINANCIAL = "dedicatedhostfinancial"
    REFUNDED = "refunded"


CLOUD_CATEGORIES = frozenset({"cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"})
LOCAL_CATEGORIES = frozenset({"ephemeral", "ephemeral_ssd", "local_ssd_pro", "local_hdd_pro"})
ELASTIC_EPHEMERAL_CATEGORIES = frozenset({"elastic_ephemeral_disk_standard", "elastic_ephemeral_disk_premium"})
SHARED_CATEGORIES = frozenset({"san_ssd", "san_efficiency"})
ALL_CATEGORIES = CLOUD_CATEGORIES | LOCAL_CATEGORIES | ELASTIC_EPHEMERAL_CATEGORIES | SHARED_CATEGORIES


@dataclass(slots=True)
class Account:
    """Billing facts that gate CreateSnapshot before any disk is looked at."""

    balance: float = 1000.0
    snapshot_service_active: bool = True
    kms_revoked_keys: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Instance:
    instance_id: str
    name: str
    zone_id: str
    instance_type: str
    image_id: str
    status: InstanceStatus
    created_at: int
    charge_type: ChargeType = ChargeType.POSTPAID
    ever_started: bool = False
    lock_reasons: tuple[LockReason, ...] = ()  # OperationLocks
    disk_ids: tuple[str, ...] = ()  # attached disks, system disk first (tuples: fleets are large, keep them GC-light)
    started_at: int | None = None
    transition_seq: int = 0


@dataclass(slots=True)
class Disk:
    disk_id: str
    name: str
    zone_id: str
    category: str
    size_gib: int
    disk_type: DiskType
    status: DiskStatus
    created_at: int
    charge_type: ChargeType = ChargeType.POSTPAID
    portable: bool = True
    instance_id: str | None = None
    device: str | None = None
    ever_attached: bool = False
    attached_at: int | None = None
    detached_at: int | None = None
    loaded_at: int = 0
    source_snapshot_id: str | None = None
    image_id: str | None = None
    encrypted: bool = False
    kms_key_id: str | None = None
    expired: bool = False
    in_arrears: bool = False
    transferring_until: int | None = None
    device_fault: bool = False
    delete_with_instance: bool = True
    delete_auto_snapshot: bool = True
    policy_id: str | None = None
    status_seq: int = 0

    @property
    def shared(self) -> bool:
        """Shared block storage: the seed's "volume" codes apply to these."""
        return self.category in SHARED_CATEGORIES


@dataclass(slots=True)
class Snapshot:
    snapshot_id: str
    name: str
    description: str
    disk_id: str
    disk_size_gib: int
    disk_type: DiskType
    disk_category: str
    status: SnapshotStatus
    created_at: int
    modified_at: int
    done_at: int
    seq: int
    retention_days: int | None = None
    tags: tuple[tuple[str, str], ...] = ()
    snapshot_type: SnapshotType = SnapshotType.USER
    encrypted: bool = False
    kms_key_id: str | None = None
    full: bool = True
    failed_progress: int = 0
    image_ids: tuple[str, ...] = ()  # images made from it (tuples: snapshots are many, keep them GC-light)
    disk_ids: tuple[str, ...] = ()  # disks made from it

    @property
    def release_at(self) -> int | None:
        """CreationTime + RetentionDays: when the snapshot is released automatically."""
        if self.retention_days is None:
            return None
        return self.created_at + self.retention_days * 86400

    @property
    def usage(self) -> str:
        if self.image_ids and self.disk_ids:
            return "image_disk"
        if self.image_ids:
            return "image"
        if self.disk_ids:
            return "disk"
        return "none"

    def progress_at(self, now: int) -> int:
        """Percent copied: proportional to the data copied so far, 100 only when accomplished."""
        if self.status is SnapshotStatus.ACCOMPLISHED:
            return 100
        if self.status is SnapshotStatus.FAILED:
            return self.failed_progress
        span = self.done_at - self.created_at
        if span <= 0:
            return 99
        return max(0, min(99, (now - self.created_at) * 100 // span))

    def remain_at(self, now: int) -> int:
        """RemainTime: an estimate of the seconds left (see timing.remain_estimate), 0 unless progressing."""
        if self.status is not SnapshotStatus.PROGRESSING:
            return 0
        return remain_estimate(self.snapshot_id, self.done_at - now, now)


@dataclass(slots=True)
class Image:
    image_id: str
    name: str
    snapshot_id: str | None
    created_at: int
    public: bool = False
    size_gib: int = 20


@dataclass(slots=True)
class AutoSnapshotPolicy:
    """A simple automatic snapshot policy: hours of the day (UTC) on weekdays (1 = Monday .. 7 = Sunday)."""

    policy_id: str
    name: str
    time_points: list[int]
    repeat_weekdays: list[int]
    retention_days: int
    created_at: int
    disk_ids: list[str] = field(default_factory=list)
