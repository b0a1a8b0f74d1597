"""How long things take in the simulated cloud. One place for every speed, so a learner can look them up.

The seed fixes few numbers: a snapshot can be taken "about one hour" after RunInstances or ReplaceSystemDisk, and
the wait after adding a data disk "depends on the size of the disk data". The rest are the lab's choices, picked so
that a first (full) snapshot of 1 TiB takes hours, later (incremental) ones minutes, and any disk up to 2 TiB
finishes within 12 simulated hours.
"""

from __future__ import annotations

import zlib

COPY_GIB_PER_SECOND = 0.1  # about 100 MiB/s: 1 TiB full copy takes ~2.9 h, 2 TiB ~5.7 h
SNAPSHOT_START_SECONDS = 30  # fixed cost of every snapshot (metadata, consistency point)
DAILY_CHANGE = 0.02  # share of a disk rewritten per day, what an incremental snapshot copies
MIN_CHANGE = 0.01  # an incremental snapshot copies at least this share of the disk

SYSTEM_DISK_LOAD_SECONDS = 3600  # "about one hour after you create an ECS instance or replace the system disk"
DATA_DISK_LOAD_BASE_SECONDS = 1800
DATA_DISK_LOAD_SECONDS_PER_GIB = 54  # 100 GiB -> 2 h
DATA_DISK_LOAD_MAX_SECONDS = 86400  # never more than a day

RUN_PENDING_SECONDS = 40  # RunInstances: Pending, then Starting...
RUN_RUNNING_SECONDS = 90  # ... and Running within 2 minutes
START_SECONDS = 30  # StartInstance: Starting -> Running
STOP_SECONDS = 30  # StopInstance: Stopping -> Stopped
ATTACH_SECONDS = 10  # AttachDisk: Attaching -> In_use
DETACH_SECONDS = 10  # DetachDisk: Detaching -> Available
VOLUME_RELEASE_SECONDS = 60  # a shared block storage volume stays Deleting this long

# RemainTime is an estimate, as on the cloud (computed there from a copy rate that varies): the lab reports the true
# remainder times a factor within ±ESTIMATE_SPREAD that changes every ESTIMATE_PERIOD_SECONDS, seeded by the snapshot
# id (a stable hash, so every run says the same). A script must read Status to know a snapshot is done; RemainTime only
# tells it roughly how long to wait before looking again.
ESTIMATE_SPREAD = 0.2
ESTIMATE_PERIOD_SECONDS = 600


def data_disk_load_seconds(size_gib: int) -> int:
    """Data disks load by size: at most 2 hours up to 100 GiB, at most a day for any size."""
    return min(DATA_DISK_LOAD_MAX_SECONDS, DATA_DISK_LOAD_BASE_SECONDS + DATA_DISK_LOAD_SECONDS_PER_GIB * size_gib)


def snapshot_copy_seconds(size_gib: int, days_since_previous: float | None) -> int:
    """Copy time: the whole disk for the first snapshot, the changed share for later (incremental) ones."""
    if days_since_previous is None:
        data_gib = float(size_gib)
    else:
        share = min(1.0, max(MIN_CHANGE, DAILY_CHANGE * days_since_previous))
        data_gib = size_gib * share
    return SNAPSHOT_START_SECONDS + int(data_gib / COPY_GIB_PER_SECOND)


def remain_estimate(snapshot_id: str, remaining: int, now: int) -> int:
    """RemainTime as reported: `remaining` (the true seconds left) off by up to ±20%, never 0 while copying."""
    if remaining <= 0:
        return 0
    wobble = zlib.crc32(f"{snapshot_id}:{now // ESTIMATE_PERIOD_SECONDS}".encode()) / 0xFFFFFFFF  # 0..1
    return max(1, round(remaining * (1 + ESTIMATE_SPREAD * (2 * wobble - 1))))
