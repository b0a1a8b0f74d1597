"""CreateSnapshot, DescribeSnapshots, DeleteSnapshot, and the scheduled work that belongs to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..i18n import _
from ..local_time import stamp
from ..model.clock import Due, Happening, to_iso
from ..model.events import EventKind
from ..model.faults import FaultKind
from ..model.resources import Disk, Snapshot, SnapshotStatus, SnapshotType
from ..model.world import PendingCreate, TokenRecord, World, handles
from ..rules.params import SnapshotRequest, check_create_snapshot
from ..rules.profile import Api
from .base import ApiFailure, Call, Page, action
from .snapshot_filters import TokenPage, link_id, read_filters, tag_filters, token_page
from .world_checks import check_world, counted


@action(
    "CreateSnapshot",
    rules=check_create_snapshot,
    # the seed's parameter table
    known=(
        "DiskId",
        "SnapshotName",
        "Description",
        "RetentionDays",
        "Tag.N.Key",
        "Tag.N.Value",
        "Tag.N.key",
        "Tag.N.value",
        "ClientToken",
    ),
    # today's CreateSnapshotRequest in the official SDK, and the page's DisableInstantAccess
    added_now=(
        "Category",
        "InstantAccess",
        "InstantAccessRetentionDays",
        "DisableInstantAccess",
        "ResourceGroupId",
        "StorageLocationArn",
    ),
)
def create_snapshot(call: Call) -> dict:
    """Create a snapshot of a disk: parameter rules, ClientToken, then the world checks in DESIGN.md's order."""
    request = checked_request(call)
    world = call.world
    token_key = ""
    if request.client_token is not None:  # step 7
        token_key = "CreateSnapshot\n" + request.client_token
        record = world.tokens.get(token_key)
        if record is not None:
            return replay(call, record, repr(request.fingerprint()))
        call.passed("ClientToken.same_parameters", _("a new token"))
        call.passed("ClientToken.not_processing")

    disk = check_world(call, request.disk_id)
    return _take_effect(call, request, disk, token_key)


def _take_effect(call: Call, request: SnapshotRequest, disk: Disk, token_key: str) -> dict:
    """The checks passed: the back end's turn (where injected faults strike), then the snapshot starts."""
    world = call.world
    armed = bool(world.faults)  # checked once: most requests have no fault armed
    fail_at = _before_effect(call, request, disk.disk_id, token_key, armed)
    snap = world.add_snapshot(
        disk,
        name=request.name or "",
        description=request.description or "",
        retention_days=request.retention_days,
        tags=request.tags,
        fail_at_progress=fail_at,
    )
    result = {"SnapshotId": snap.snapshot_id}
    if token_key:
        world.tokens[token_key] = TokenRecord("CreateSnapshot", repr(request.fingerprint()), world.now, result, True)
    call.trace.append(("Effect", _progressing_note, snap))
    if armed and world.take_fault(FaultKind.LOST_RESPONSE, "CreateSnapshot", disk.disk_id):
        call.fail(
            "Backend.answers",
            _(
                "an injected fault after the effect: {snapshot_id} WAS created, but the answer was lost. "
                "Retry with the same ClientToken to get its SnapshotId; a retry without one makes a second snapshot."
            ).format(snapshot_id=snap.snapshot_id),
            variant="after",
        )
    call.passed("Backend.answers")
    return result


def checked_request(call: Call) -> SnapshotRequest:
    """Steps 1-6, recorded straight into the trace; the answer is the first violation (later checks did not run)."""
    trace = call.trace
    checked_from = len(trace)
    report = check_create_snapshot(call.params, trace, api=call.world.api)
    if report.warnings:
        call.warnings.extend(report.warnings)
    if report.violations:
        first = report.violations[0]
        del trace[trace.index(first.check, checked_from) :]
        call.fail(first.check, first.detail, first.param)
    assert report.request is not None
    return report.request


def _before_effect(call: Call, request: SnapshotRequest, disk_id: str, token_key: str, armed: bool) -> int | None:
    """Step 18, the back end before the effect: an injected fault may refuse the snapshot, fail before any effect,
    or keep working past the gateway's patience. Returns the progress at which the snapshot is to fail, if set."""
    world = call.world
    if armed and world.take_fault(FaultKind.CREATE_FAILED, "CreateSnapshot", disk_id):
        call.fail(
            "Backend.accepts", _("an injected fault: the storage back end refused the snapshot; nothing was created")
        )
    call.passed("Backend.accepts")
    if armed and world.take_fault(FaultKind.INTERNAL_ERROR, "CreateSnapshot", disk_id):
        call.fail(
            "Backend.available",
            _("an injected fault before any effect: nothing was created, a retry is safe"),
            variant="before",
        )
    call.passed("Backend.available")
    if not armed:
        return None
    slow = world.take_fault(FaultKind.SLOW_REQUEST, "CreateSnapshot", disk_id)
    if slow:
        start_slow(world, request, token_key, slow.seconds)
        call.fail(
            "Backend.answers",
            _(
                "an injected slow request: the back end keeps working for {seconds} s and the gateway gave up. "
                "A retry with the same ClientToken meanwhile gets IdempotentProcessing; after that, the SnapshotId."
            ).format(seconds=slow.seconds),
            variant="after",
        )
    failing = world.take_fault(FaultKind.SNAPSHOT_FAILS, "CreateSnapshot", disk_id)
    return failing.at_progress if failing else None


def _progressing_note(snap: Snapshot) -> str:
    return _("{snapshot_id} is progressing; accomplished at {done_at}").format(
        snapshot_id=snap.snapshot_id, done_at=stamp(snap.done_at)
    )


def replay(call: Call, record: TokenRecord, fingerprint: str) -> dict:
    """Step 7: a ClientToken seen before. Same parameters and done -> the first answer again, nothing new."""
    call.expect(
        record.fingerprint == fingerprint,
        "ClientToken.same_parameters",
        _("this ClientToken was used by an earlier CreateSnapshot with other parameters"),
        "ClientToken",
    )
    call.expect(
        record.done,
        "ClientToken.not_processing",
        _("the earlier request with this ClientToken is still being processed; retry later with the same token"),
        "ClientToken",
    )
    call.passed(
        "Effect",
        _("a replay: the first answer ({get}) again; nothing was created").format(get=record.result.get("SnapshotId")),
    )
    return dict(record.result)


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


@handles(Happening.REQUEST_DONE)
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


@action(
    "DescribeSnapshots",
    "RegionId",
    known=(
        *("SnapshotIds", "Status", "SnapshotType", "PageNumber", "PageSize", "DiskId", "InstanceId", "SnapshotName"),
        *("Usage", "SourceDiskType", "Encrypted", "Filter.N.Key", "Filter.N.Value", "SnapshotLinkId", "KMSKeyId"),
        "ResourceGroupId",  # on the seed era's pages too (2019): every lab resource is in the default group
        "Tag.N.Key",
        "Tag.N.Value",
        "Tag.N.key",
        "Tag.N.value",
    ),
    added_now=("MaxResults", "NextToken", "Category"),
)
def describe_snapshots(call: Call) -> dict:
    """List snapshots, newest first, filtered (all filters AND-ed) and paged: PageNumber/PageSize (default 10, max
    100), or in the 2026 profile MaxResults/NextToken."""
    world = call.world
    ids = call.id_list("SnapshotIds", 100, "SnapshotIds.limit")
    status = (call.opt("Status") or "all").lower()
    call.expect(
        status in STATUS_FILTERS,
        "Status.valid",
        _("Status {status!r} is not a snapshot status").format(status=status[:40]),
        "Status",
    )
    kind = (call.opt("SnapshotType") or "all").lower()
    call.expect(
        kind in TYPE_FILTERS,
        "SnapshotType.valid",
        _("SnapshotType {kind!r} is not auto, user or all").format(kind=kind[:40]),
        "SnapshotType",
    )
    page: Page | TokenPage = token_page(call, world) or call.paging()
    disk_id = call.opt("DiskId")
    instance_id = call.opt("InstanceId")
    name = call.opt("SnapshotName")
    tags = tag_filters(call)
    others = read_filters(call).predicates

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
    elif status != "all" and not (name or tags or others):
        return _status_page(world, SnapshotStatus(status), page)
    else:
        source = world.snapshots

    preds = [*_predicates(world, source, disk_id, instance_id, kind, status, name, tags), *others]
    if chosen is None:
        assert source is not None
        if not preds:
            return _answer(world, page, len(source), page.walk(reversed(source.values())))
        chosen = reversed(source.values())
    matches = [s for s in chosen if all(p(s) for p in preds)] if preds else list(chosen)
    return _answer(world, page, len(matches), page.of(matches))


def _predicates(
    world: World,
    source: dict[str, Snapshot] | None,
    disk_id: str | None,
    instance_id: str | None,
    kind: str,
    status: str,
    name: str | None,
    tags: list[tuple[str, str | None]],
) -> list[Callable[[Snapshot], bool]]:
    """The filters DescribeSnapshots still applies to its candidates (`source`: those an index already chose)."""
    preds: list[Callable[[Snapshot], bool]] = []
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
    return preds


def _tagged(key: str, value: str | None) -> Callable[[Snapshot], bool]:
    """A snapshot filter: it carries the tag `key`, with `value` unless that is None."""
    return lambda s: any(tk == key and (value is None or tv == value) for tk, tv in s.tags)


def _newest(snap: Snapshot) -> int:
    return -snap.seq


def _status_page(world: World, status: SnapshotStatus, page: Page | TokenPage) -> dict:
    """Only a Status filter: the count comes from the index, the page from walking newest first."""
    index = world.by_status[status]
    if len(index) <= SORT_LIMIT:
        items = page.of(sorted(index.values(), key=_newest))
    else:
        items = page.walk(s for s in reversed(world.snapshots.values()) if s.status is status)
    return _answer(world, page, len(index), items)


def _answer(world: World, page: Page | TokenPage, total: int, items: list[Snapshot]) -> dict:
    now = world.now
    items, paging = page.cut(items)
    if world.api is Api.NOW:
        shown = [snapshot_item(s, now) | todays_fields(s, world.region) for s in items]
    else:
        shown = [snapshot_item(s, now) for s in items]
    return {"TotalCount": total, **paging, "Snapshots": {"Snapshot": shown}}


# "By default, the instant access feature is enabled for Enterprise SSDs (ESSDs) and ESSD Entry disks." (the
# DescribeSnapshots page, InstantAccess)
INSTANT_ACCESS_CATEGORIES = frozenset({"cloud_essd", "cloud_essd_entry"})


def todays_fields(snap: Snapshot, region: str) -> dict:
    """The fields today's DescribeSnapshots adds to a snapshot, where the model knows them truthfully: Available
    (usable to create or roll back a disk: once accomplished), Category ("standard", as the page's example writes
    it), InstantAccess (on by default for ESSD and ESSD Entry disks, the page says) with
    InstantAccessRetentionDays ("By default, the value of this parameter is the same as the value of
    RetentionDays": given where RetentionDays is), RegionId, SnapshotLinkId (one chain per disk, a model choice),
    SourceStorageType ("disk") and ResourceGroupId ("": the lab has no resource groups)."""
    instant = snap.disk_category in INSTANT_ACCESS_CATEGORIES
    fields: dict = {
        "Available": snap.status is SnapshotStatus.ACCOMPLISHED,
        "Category": "standard",
        "InstantAccess": instant,
        "RegionId": region,
        "SnapshotLinkId": link_id(snap.disk_id),
        "SourceStorageType": "disk",
        "ResourceGroupId": "",
    }
    if instant and snap.retention_days is not None:
        fields["InstantAccessRetentionDays"] = snap.retention_days
    return fields


# ---------------------------------------------------------------- DeleteSnapshot


@action("DeleteSnapshot", "SnapshotId", known=("Force",))
def delete_snapshot(call: Call) -> dict:
    """Delete a snapshot. One still being created is cancelled; one behind an image cannot be deleted."""
    world = call.world
    snapshot_id = call.params["SnapshotId"]
    force = call.boolean("Force")
    snap = world.snapshots.get(snapshot_id)
    call.expect(
        snap is not None,
        "Snapshot.exists",
        _("no snapshot {snapshot_id!r} in this account").format(snapshot_id=snapshot_id[:60]),
        "SnapshotId",
    )
    assert snap is not None
    call.expect(
        not snap.image_ids,
        "Snapshot.no_image",
        _("{snapshot_id} is behind image(s) {image_ids}; delete them first").format(
            snapshot_id=snapshot_id, image_ids=", ".join(snap.image_ids)
        ),
    )
    call.expect(
        not snap.disk_ids or force,
        "Snapshot.no_disk_or_force",
        _("disk(s) {disk_ids} were created from {snapshot_id}; pass Force=true").format(
            disk_ids=", ".join(snap.disk_ids), snapshot_id=snapshot_id
        ),
    )
    cancelled = snap.status is SnapshotStatus.PROGRESSING
    world.remove_snapshot(snap, EventKind.SNAPSHOT_DELETED, "cancelled while progressing" if cancelled else "deleted")
    call.passed("Effect", f"{snapshot_id} deleted" + (" (its creation was cancelled)" if cancelled else ""))
    return {}


# ---------------------------------------------------------------- automatic snapshots


@handles(Happening.POLICY_FIRE)
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
        except ApiFailure as refusal:  # this disk cannot be snapshotted now; a bug of the lab is not caught here
            world.log(EventKind.AUTO_SNAPSHOT_SKIPPED, disk_id, policy.policy_id, refusal.code)
            continue
        count, limit, _what = counted(world, disk_id, SnapshotType.AUTO)
        if count >= limit and not _make_room(world, disk_id):
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
