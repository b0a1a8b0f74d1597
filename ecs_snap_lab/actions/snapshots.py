"""CreateSnapshot, DescribeSnapshots, DeleteSnapshot, and the scheduled work that belongs to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import NoReturn

from ..model.clock import Due, Happening, to_iso
from ..model.events import EventKind
from ..model.faults import FaultKind
from ..model.resources import (
    ELASTIC_EPHEMERAL_CATEGORIES,
    LOCAL_CATEGORIES,
    ChargeType,
    Disk,
    DiskStatus,
    InstanceStatus,
    LockReason,
    Snapshot,
    SnapshotStatus,
    SnapshotType,
)
from ..model.world import Hook, PendingCreate, TokenRecord, World
from ..rules.params import SnapshotRequest, check_create_snapshot
from .base import Call, action

SNAPSHOTABLE_INSTANCE = (InstanceStatus.RUNNING, InstanceStatus.STOPPED)


@action("CreateSnapshot")
def create_snapshot(call: Call) -> dict:
    """Create a snapshot of a disk: parameter rules, ClientToken, then the world checks in DESIGN.md's order."""
    trace = call.trace
    checked_from = len(trace)
    report = check_create_snapshot(call.params, trace)  # records its checks straight into the trace
    if report.warnings:
        call.warnings.extend(report.warnings)
    if report.violations:
        first = report.violations[0]
        del trace[trace.index(first.check, checked_from) :]  # the answer is the first failure; later ones did not run
        call.fail(first.check, first.detail, first.param)
    request = report.request
    assert request is not None
    world = call.world

    token_key = ""
    if request.client_token is not None:
        token_key = "CreateSnapshot\n" + request.client_token
        record = world.tokens.get(token_key)
        if record is not None:
            return replay(call, record, repr(request.fingerprint()))
        call.passed("ClientToken.same_parameters", "a new token")
        call.passed("ClientToken.not_processing")

    disk = check_world(call, request.disk_id)
    armed = bool(world.faults)  # checked once: most requests have no fault armed

    if armed and world.take_fault(FaultKind.CREATE_FAILED, "CreateSnapshot", disk.disk_id):
        call.fail(
            "Backend.accepts", "an injected fault: the storage back end refused the snapshot; nothing was created"
        )
    call.passed("Backend.accepts")
    if armed and world.take_fault(FaultKind.INTERNAL_ERROR, "CreateSnapshot", disk.disk_id):
        call.fail(
            "Backend.available",
            "an injected fault before any effect: nothing was created, a retry is safe",
            variant="before",
        )
    call.passed("Backend.available")

    slow = armed and world.take_fault(FaultKind.SLOW_REQUEST, "CreateSnapshot", disk.disk_id)
    if slow:
        start_slow(world, request, token_key, slow.seconds)
        call.fail(
            "Backend.answers",
            f"an injected slow request: the back end keeps working for {slow.seconds} s and the gateway gave up. "
            "A retry with the same ClientToken meanwhile gets IdempotentProcessing; after that, the SnapshotId.",
            variant="after",
        )

    failing = armed and world.take_fault(FaultKind.SNAPSHOT_FAILS, "CreateSnapshot", disk.disk_id)
    snap = world.add_snapshot(
        disk,
        name=request.name or "",
        description=request.description or "",
        retention_days=request.retention_days,
        tags=request.tags,
        fail_at_progress=failing.at_progress if failing else None,
    )
    result = {"SnapshotId": snap.snapshot_id}
    if token_key:
        world.tokens[token_key] = TokenRecord("CreateSnapshot", repr(request.fingerprint()), world.now, result, True)
    call.trace.append(("Effect", _progressing_note, snap))
    if armed and world.take_fault(FaultKind.LOST_RESPONSE, "CreateSnapshot", disk.disk_id):
        call.fail(
            "Backend.answers",
            f"an injected fault after the effect: {snap.snapshot_id} WAS created, but the answer was lost. "
            "Retry with the same ClientToken to get its SnapshotId; a retry without one makes a second snapshot.",
            variant="after",
        )
    call.passed("Backend.answers")
    return result


def _progressing_note(snap: Snapshot) -> str:
    return f"{snap.snapshot_id} is progressing; accomplished at {to_iso(snap.done_at)}"


def replay(call: Call, record: TokenRecord, fingerprint: str) -> dict:
    """Step 7: a ClientToken seen before. Same parameters and done -> the first answer again, nothing new."""
    call.expect(
        record.fingerprint == fingerprint,
        "ClientToken.same_parameters",
        "this ClientToken was used by an earlier CreateSnapshot with other parameters",
        "ClientToken",
    )
    call.expect(
        record.done,
        "ClientToken.not_processing",
        "the earlier request with this ClientToken is still being processed; retry later with the same token",
        "ClientToken",
    )
    call.passed("Effect", f"a replay: the first answer ({record.result.get('SnapshotId')}) again; nothing was created")
    return dict(record.result)


DISK_CHECKS: tuple[str, ...] = (
    "Account.snapshot_service",
    "Account.balance",
    "Disk.is_disk",
    "Disk.exists",
    "Disk.not_local",
    "Disk.type_supported",
    "Disk.not_in_arrears",
    "Disk.ever_attached",
    "Disk.not_transferring",
    "Disk.in_use",
    "Instance.exists",
    "Instance.not_security_locked",
    "Instance.running_or_stopped",
    "Instance.ever_started",
    "Disk.device_ok",
    "Disk.data_loaded",
    "Disk.no_snapshot_in_progress",
    "Disk.under_quota",
    "Disk.kms_usable",
)
# Shared block storage: its own existence and status checks, no "ever attached" (a volume's status says it all).
VOLUME_CHECKS = (
    *DISK_CHECKS[:4],
    "Volume.exists",
    *DISK_CHECKS[4:7],
    "Disk.not_transferring",
    "Volume.in_use",
    *DISK_CHECKS[10:],
)
DISK_NO_QUOTA = tuple(c for c in DISK_CHECKS if c != "Disk.under_quota")  # automatic snapshots make room instead
VOLUME_NO_QUOTA = tuple(c for c in VOLUME_CHECKS if c != "Disk.under_quota")


def check_world(call: Call, disk_id: str, *, quota: bool = True) -> Disk:
    """Steps 8-17: the account, the disk, its instance and its snapshots. Returns the disk if all pass.

    Written as plain ifs on purpose: this is the hot path of CreateSnapshot. A detail string is built only when
    its check fails, and the passes are recorded at once: which checks ran before a failure follows from the
    fixed order (DISK_CHECKS, or VOLUME_CHECKS for shared block storage)."""
    world = call.world
    order = DISK_CHECKS
    account = world.account
    if not account.snapshot_service_active:
        _refuse(call, order, "Account.snapshot_service", "the account's snapshot service is not activated")
    if account.balance < 0:
        _refuse(call, order, "Account.balance", f"the account balance is {account.balance:.2f}")

    disk = world.disks.get(disk_id)
    if disk is None:
        kind = world.kind_of(disk_id)
        if kind is not None:
            _refuse(call, order, "Disk.is_disk", f"{disk_id} is an {kind}, not a disk", "DiskId")
        _refuse(call, order, "Disk.exists", f"no disk {disk_id[:60]!r} in this account", "DiskId")
    shared = disk.shared
    order = (VOLUME_CHECKS if shared else DISK_CHECKS) if quota else (VOLUME_NO_QUOTA if shared else DISK_NO_QUOTA)
    if shared and disk.status is DiskStatus.DELETING:
        _refuse(call, order, "Volume.exists", f"the shared volume {disk_id} is being released")
    if disk.category in LOCAL_CATEGORIES:
        _refuse(
            call,
            order,
            "Disk.not_local",
            f"{disk_id} is a local disk ({disk.category}); local disks cannot be snapshotted",
        )
    if disk.category in ELASTIC_EPHEMERAL_CATEGORIES:
        _refuse(call, order, "Disk.type_supported", f"{disk_id} is an elastic ephemeral disk ({disk.category})")
    if disk.in_arrears and disk.charge_type is ChargeType.POSTPAID:
        _refuse(call, order, "Disk.not_in_arrears", f"the pay-as-you-go disk {disk_id} is in arrears")

    if not shared and not disk.ever_attached:
        _refuse(call, order, "Disk.ever_attached", f"{disk_id} has never been attached to an instance")
    if disk.transferring_until is not None and world.now < disk.transferring_until:
        _refuse(
            call,
            order,
            "Disk.not_transferring",
            f"{disk_id} is being transferred until {to_iso(disk.transferring_until)}",
        )
    if disk.status is not DiskStatus.IN_USE:
        if shared:
            _refuse(call, order, "Volume.in_use", f"the shared volume {disk_id} is {disk.status.value}, not In_use")
        _refuse(call, order, "Disk.in_use", f"{disk_id} is {disk.status.value}, not In_use (attached)")

    instance = world.instances.get(disk.instance_id or "")
    if instance is None:
        _refuse(call, order, "Instance.exists", f"{disk_id} names instance {disk.instance_id}, which no longer exists")
    iid = instance.instance_id
    if instance.lock_reasons and LockReason.SECURITY in instance.lock_reasons:
        _refuse(
            call,
            order,
            "Instance.not_security_locked",
            f"{iid} is locked for security (OperationLocks LockReason security)",
        )
    if instance.status not in SNAPSHOTABLE_INSTANCE:
        _refuse(
            call,
            order,
            "Instance.running_or_stopped",
            f"{iid} is {instance.status.value}; it must be Running or Stopped",
        )
    if not instance.ever_started:
        _refuse(call, order, "Instance.ever_started", f"{iid} has never been started")
    if disk.device_fault:
        _refuse(
            call,
            order,
            "Disk.device_ok",
            f"{disk_id} has a device fault; restart {iid} (StopInstance, then StartInstance)",
        )
    if world.now < disk.loaded_at:
        _refuse(call, order, "Disk.data_loaded", f"{disk_id}'s data is still loading until {to_iso(disk.loaded_at)}")

    busy = world.progressing.get(disk_id)
    if busy is None and disk_id in world.inflight:
        busy = "a CreateSnapshot still being processed"
    if busy is not None:
        _refuse(call, order, "Disk.no_snapshot_in_progress", f"{busy} of {disk_id} is still being created")
    if quota:
        count = world.snapshot_count(disk_id)
        if count >= world.snapshot_quota:
            _refuse(
                call, order, "Disk.under_quota", f"{disk_id} has {count} snapshots; the quota is {world.snapshot_quota}"
            )
    if disk.encrypted and disk.kms_key_id in account.kms_revoked_keys:
        _refuse(
            call,
            order,
            "Disk.kms_usable",
            f"ECS may not use the KMS key {disk.kms_key_id} of the encrypted disk {disk_id}",
        )
    call.trace.extend(order)
    return disk


def _refuse(call: Call, order: tuple[str, ...], check: str, detail: str, param: str = "") -> NoReturn:
    """Fail `check`, first recording the checks before it in `order` as passed (they ran)."""
    call.trace.extend(order[: order.index(check)])
    call.fail(check, detail, param)


def start_slow(world: World, request: SnapshotRequest, token_key: str, seconds: int) -> None:
    """A slow request: the disk is reserved now, the snapshot appears when processing ends."""
    key = token_key or "slow\n" + world.ids.request_id()
    world.pending[key] = PendingCreate(
        key,
        request.disk_id,
        request.name or "",
        request.description or "",
        request.retention_days,
        request.tags,
        request.client_token,
        world.now + seconds,
    )
    world.inflight[request.disk_id] = key
    if token_key:
        world.tokens[token_key] = TokenRecord("CreateSnapshot", repr(request.fingerprint()), world.now)
    world.schedule.at(world.now + seconds, Happening.REQUEST_DONE, key)


def finish_slow(world: World, due: Due) -> None:
    pending = world.pending.pop(due.target, None)
    if pending is None:
        return
    if world.inflight.get(pending.disk_id) == pending.key:
        del world.inflight[pending.disk_id]
    disk = world.disks.get(pending.disk_id)
    token_key = "CreateSnapshot\n" + pending.token if pending.token else ""
    if disk is None:
        world.tokens.pop(token_key, None)  # the request died with its disk; a retry is checked afresh
        return
    snap = world.add_snapshot(
        disk,
        name=pending.name,
        description=pending.description,
        retention_days=pending.retention_days,
        tags=pending.tags,
    )
    record = world.tokens.get(token_key)
    if record is not None:
        record.result = {"SnapshotId": snap.snapshot_id}
        record.done = True


# ---------------------------------------------------------------- DescribeSnapshots

STATUS_FILTERS = {"progressing", "accomplished", "failed", "all"}
TYPE_FILTERS = {"auto", "user", "all"}
SORT_LIMIT = 4096  # candidate sets up to this size are sorted; larger ones are walked newest first


def snapshot_item(snap: Snapshot, now: int) -> dict:
    """A snapshot as DescribeSnapshots shows it."""
    item = {
        "SnapshotId": snap.snapshot_id,
        "SnapshotName": snap.name,
        "Description": snap.description,
        "Status": snap.status.value,
        "Progress": f"{snap.progress_at(now)}%",
        "RemainTime": snap.remain_at(now),
        "CreationTime": to_iso(snap.created_at),
        "LastModifiedTime": to_iso(snap.modified_at),
        "SourceDiskId": snap.disk_id,
        "SourceDiskSize": snap.disk_size_gib,
        "SourceDiskType": snap.disk_type.value,
        "SnapshotType": snap.snapshot_type.value,
        "Usage": snap.usage,
        "Encrypted": snap.encrypted,
        "ProductCode": "",
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in snap.tags]},
    }
    if snap.retention_days is not None:
        item["RetentionDays"] = snap.retention_days
    if snap.kms_key_id:
        item["KMSKeyId"] = snap.kms_key_id
    return item


def _tag_filters(call: Call) -> list[tuple[str, str | None]]:
    wanted = []
    for n in range(1, 21):
        key = call.params.get(f"Tag.{n}.Key")
        if key:
            wanted.append((key, call.params.get(f"Tag.{n}.Value")))
    return wanted


@action("DescribeSnapshots")
def describe_snapshots(call: Call) -> dict:
    """List snapshots, newest first, filtered (all filters AND-ed) and paged (PageSize default 10, max 100)."""
    call.region()
    world = call.world
    ids = call.id_list("SnapshotIds", 100, "SnapshotIds.limit")
    status = (call.opt("Status") or "all").lower()
    call.expect(status in STATUS_FILTERS, "Status.valid", f"Status {status[:40]!r} is not a snapshot status", "Status")
    kind = (call.opt("SnapshotType") or "all").lower()
    call.expect(
        kind in TYPE_FILTERS,
        "SnapshotType.valid",
        f"SnapshotType {kind[:40]!r} is not auto, user or all",
        "SnapshotType",
    )
    number, size = call.paging()
    disk_id = call.opt("DiskId")
    instance_id = call.opt("InstanceId")
    name = call.opt("SnapshotName")
    tags = _tag_filters(call)

    preds: list[Callable[[Snapshot], bool]] = []
    source: dict[str, Snapshot] | None = None  # a creation-ordered candidate set
    chosen: Iterable[Snapshot] | None = None
    if ids is not None:
        chosen = sorted((world.snapshots[i] for i in set(ids) if i in world.snapshots), key=_newest)
    elif disk_id is not None:
        source = world.by_disk.get(disk_id, {})
    elif instance_id is not None:
        instance = world.instances.get(instance_id)
        disks = instance.disk_ids if instance else []
        chosen = sorted((s for d in disks for s in world.by_disk.get(d, {}).values()), key=_newest)
        instance_id = None  # the candidates already are that instance's
    elif kind != "all":
        source = world.by_type[SnapshotType(kind)]
    elif status != "all" and not (name or tags):
        return _status_page(world, SnapshotStatus(status), number, size)
    else:
        source = world.snapshots

    if disk_id is not None and source is None:
        preds.append(lambda s: s.disk_id == disk_id)
    if instance_id is not None:
        instance = world.instances.get(instance_id)
        on_instance = set(instance.disk_ids) if instance else set()
        preds.append(lambda s: s.disk_id in on_instance)
    if kind != "all" and source is not world.by_type.get(SnapshotType(kind)):
        preds.append(lambda s: s.snapshot_type.value == kind)
    if status != "all":
        preds.append(lambda s: s.status.value == status)
    if name is not None:
        preds.append(lambda s: s.name == name)
    for key, value in tags:
        preds.append(_tagged(key, value))

    start = (number - 1) * size
    if chosen is None:
        assert source is not None
        if not preds:
            items = list(islice(reversed(source.values()), start, start + size))
            return _page(world, items, len(source), number, size)
        chosen = reversed(source.values())
    matches = [s for s in chosen if all(p(s) for p in preds)] if preds else list(chosen)
    return _page(world, matches[start : start + size], len(matches), number, size)


def _newest(snap: Snapshot) -> int:
    return -snap.seq


def _tagged(key: str, value: str | None) -> Callable[[Snapshot], bool]:
    """A snapshot filter: it carries the tag `key`, with `value` unless that is None."""
    return lambda s: any(tk == key and (value is None or tv == value) for tk, tv in s.tags)


def _status_page(world: World, status: SnapshotStatus, number: int, size: int) -> dict:
    """Only a Status filter: the count comes from the index, the page from walking newest first."""
    index = world.by_status[status]
    start = (number - 1) * size
    if len(index) <= SORT_LIMIT:
        items = sorted(index.values(), key=_newest)[start : start + size]
    else:
        newest_first = (s for s in reversed(world.snapshots.values()) if s.status is status)
        items = list(islice(newest_first, start, start + size))
    return _page(world, items, len(index), number, size)


def _page(world: World, items: list[Snapshot], total: int, number: int, size: int) -> dict:
    now = world.now
    return {
        "TotalCount": total,
        "PageNumber": number,
        "PageSize": size,
        "Snapshots": {"Snapshot": [snapshot_item(s, now) for s in items]},
    }


# ---------------------------------------------------------------- DeleteSnapshot


@action("DeleteSnapshot")
def delete_snapshot(call: Call) -> dict:
    """Delete a snapshot. One still being created is cancelled; one behind an image cannot be deleted."""
    call.require("SnapshotId")
    world = call.world
    snapshot_id = call.params["SnapshotId"]
    force = call.boolean("Force")
    snap = world.snapshots.get(snapshot_id)
    call.expect(snap is not None, "Snapshot.exists", f"no snapshot {snapshot_id[:60]!r} in this account", "SnapshotId")
    assert snap is not None
    call.expect(
        not snap.image_ids,
        "Snapshot.no_image",
        f"{snapshot_id} is behind image(s) {', '.join(snap.image_ids)}; delete them first",
    )
    call.expect(
        not snap.disk_ids or force,
        "Snapshot.no_disk_or_force",
        f"disk(s) {', '.join(snap.disk_ids)} were created from {snapshot_id}; pass Force=true",
    )
    cancelled = snap.status is SnapshotStatus.PROGRESSING
    world.remove_snapshot(snap, EventKind.SNAPSHOT_DELETED, "cancelled while progressing" if cancelled else "deleted")
    call.passed("Effect", f"{snapshot_id} deleted" + (" (its creation was cancelled)" if cancelled else ""))
    return {}


# ---------------------------------------------------------------- automatic snapshots


def fire_policy(world: World, due: Due) -> None:
    """An automatic snapshot policy's time point: snapshot each of its disks, if the disk allows it.
    At the quota the oldest automatic snapshot gives way; manual ones are never removed."""
    policy = world.policies.get(due.target)
    if policy is None:
        return
    stamp = to_iso(world.now)
    hour = int(stamp[11:13])
    ordinal = sorted(policy.time_points).index(hour) + 1 if hour in policy.time_points else 1
    name = f"auto_{stamp[:4]}{stamp[5:7]}{stamp[8:10]}_{ordinal}"
    for disk_id in list(policy.disk_ids):
        probe = Call(world, "CreateSnapshot", {})
        try:
            disk = check_world(probe, disk_id, quota=False)
        except Exception as failure:  # ApiFailure: this disk cannot be snapshotted now
            world.log(EventKind.AUTO_SNAPSHOT_SKIPPED, disk_id, policy.policy_id, getattr(failure, "code", "?"))
            continue
        if world.snapshot_count(disk_id) >= world.snapshot_quota and not _make_room(world, disk_id):
            world.log(EventKind.AUTO_SNAPSHOT_SKIPPED, disk_id, policy.policy_id, "QuotaExceed.Snapshot")
            continue
        retention = None if policy.retention_days == -1 else policy.retention_days
        world.add_snapshot(
            disk, name=name, description="", retention_days=retention, tags=[], snapshot_type=SnapshotType.AUTO
        )
    world.schedule_policy(policy)


def _make_room(world: World, disk_id: str) -> bool:
    for snap in world.by_disk.get(disk_id, {}).values():  # oldest first
        if (
            snap.snapshot_type is SnapshotType.AUTO
            and snap.status is not SnapshotStatus.PROGRESSING
            and not snap.image_ids
        ):
            world.remove_snapshot(
                snap, EventKind.SNAPSHOT_DELETED, "the oldest automatic snapshot gave way at the quota"
            )
            return True
    return False


HOOKS: dict[str, Hook] = {Happening.REQUEST_DONE: finish_slow, Happening.POLICY_FIRE: fire_policy}
