"""pandas DataFrames of a lab: snapshots, disks, instances, requests, events, and the error catalogue.

Every frame is built column by column from the model (one pass per attribute, numpy for arithmetic), never through a
dict per row, so a million snapshots take about a second. Column names are the API's own. Datetimes are
datetime64[ns, UTC] (NaT when missing), counts that may be missing are nullable "Int64", statuses and categories are
categoricals over every value they can take (charts keep stable legends), text is the pandas "string" dtype.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import compress, repeat
from operator import attrgetter, is_, is_not, itemgetter, not_
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from ..actions import ACTIONS
from ..model.events import EventKind
from ..model.resources import (
    ALL_CATEGORIES,
    CLOUD_CATEGORIES,
    ELASTIC_EPHEMERAL_CATEGORIES,
    LOCAL_CATEGORIES,
    SHARED_CATEGORIES,
    ChargeType,
    DiskStatus,
    DiskType,
    InstanceStatus,
    LockReason,
    Snapshot,
    SnapshotStatus,
    SnapshotType,
)
from ..rules.catalog import error_catalog

if TYPE_CHECKING:
    from ..lab import Lab

NS_PER_SECOND = 1_000_000_000
NAT = np.iinfo(np.int64).min  # how numpy and pandas spell NaT in an int64 view
UTC_NS = pd.DatetimeTZDtype(unit="ns", tz="UTC")

# Fixed category lists: every value a column can take, in a meaningful order.
SNAPSHOT_STATUSES = (*(s.value for s in SnapshotStatus), "released", "deleted")
GONE_STATUSES = {EventKind.SNAPSHOT_RELEASED.value: "released", EventKind.SNAPSHOT_DELETED.value: "deleted"}
DISK_TYPES = tuple(t.value for t in DiskType)
SNAPSHOT_TYPES = tuple(t.value for t in SnapshotType)
USAGES = ("none", "image", "disk", "image_disk")  # code = 1 * (has images) + 2 * (has disks)
DISK_STATUSES = tuple(s.value for s in DiskStatus)
INSTANCE_STATUSES = tuple(s.value for s in InstanceStatus)
CHARGE_TYPES = tuple(c.value for c in ChargeType)
EVENT_KINDS = tuple(k.value for k in EventKind)
EVENT_INDEX = {k: i for i, k in enumerate(EVENT_KINDS)}
DISK_CATEGORIES = tuple(
    sorted(CLOUD_CATEGORIES)
    + sorted(LOCAL_CATEGORIES)
    + sorted(ELASTIC_EPHEMERAL_CATEGORIES)
    + sorted(SHARED_CATEGORIES)
)
assert set(DISK_CATEGORIES) == ALL_CATEGORIES
BASES = ("seed", "model choice")
ORIGINS = ("seed", "common")

SNAPSHOT_COLUMNS = (
    "SnapshotId",
    "SnapshotName",
    "SourceDiskId",
    "SourceDiskSize",
    "SourceDiskType",
    "Status",
    "Progress",
    "RemainTime",
    "SnapshotType",
    "Usage",
    "RetentionDays",
    "CreationTime",
    "LastModifiedTime",
    "AccomplishedTime",
    "ReleaseTime",
    "Encrypted",
)


# ---------------------------------------------------------------------- column builders


def _column(objects: Sequence, name: str) -> list:
    return list(map(attrgetter(name), objects))


def _ints(values: Iterable, count: int) -> np.ndarray:
    return np.fromiter(values, np.int64, count)


def _flags(values: Iterable, count: int) -> np.ndarray:
    return np.fromiter(values, bool, count)


def _times(seconds: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.DatetimeArray:
    """Epoch seconds (int64) -> datetime64[ns, UTC], NaT where `missing`."""
    nanos = seconds.astype(np.int64) * NS_PER_SECOND
    if missing is not None:
        nanos[missing] = NAT
    return pd.array(nanos.view("M8[ns]")).tz_localize("UTC")


def _optional_ints(values: list) -> tuple[np.ndarray, np.ndarray]:
    """A list of int-or-None -> (int64 values with 0 for None, mask of None)."""
    floats = np.array(values, dtype=np.float64)  # None -> nan; exact for |x| < 2**53 (epoch seconds, days)
    missing = np.isnan(floats)
    floats[missing] = 0
    return floats.astype(np.int64), missing


def _int64(values: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    mask = np.zeros(len(values), dtype=bool) if missing is None else missing
    return pd.arrays.IntegerArray(values.astype(np.int64, copy=False), mask)


def _strings(values: list | np.ndarray) -> pd.arrays.StringArray:
    """Text as the "string" dtype; None -> NA."""
    return pd.array(values, dtype="string")


def _categorical(values: Iterable, categories: Sequence[str], count: int, extend: bool = False) -> pd.Categorical:
    """Values -> a Categorical over the fixed `categories` (None -> NA). With `extend`, values outside them are
    appended (sorted) instead of becoming NA."""
    values = values if isinstance(values, list) else list(values)
    categories = list(categories)
    if extend:
        known = set(categories)
        extra = {v for v in set(values) if v is not None and v not in known}
        categories += sorted(extra)
    index = {c: i for i, c in enumerate(categories)}
    codes = np.fromiter(map(index.get, values, repeat(-1)), np.int16, count)
    return _from_codes(codes, categories)


def _from_codes(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(categories)), validate=False)


def _event_codes(rows: list[tuple]) -> np.ndarray:
    """The EventKind index of each event row (-1 for a kind the lab does not know)."""
    return np.fromiter(map(EVENT_INDEX.get, map(itemgetter(1), rows), repeat(-1)), np.int16, len(rows))


def _sort_order(created: np.ndarray, ids: list[str]) -> np.ndarray | None:
    """The permutation sorting rows by (created, id); None when they already are (distinct, rising times)."""
    if len(ids) < 2 or (np.diff(created) > 0).all():
        return None
    by_id = _argsort_ids(ids)
    return by_id[np.argsort(created[by_id], kind="stable")]


def _argsort_ids(ids: list[str]) -> np.ndarray:
    """The permutation sorting `ids` (unique strings) as Python sorts them.

    Lab ids are ASCII of one length: numpy sorts 8 of their bytes as one integer and Python settles the few runs
    that share those 8 bytes. Other ids are sorted by Python alone."""
    keys = _id_words(ids)
    if keys is None:
        return np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.intp)
    order = np.argsort(keys)
    ordered = keys[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])  # rows i and i + 1 share the 8 bytes
    if same.size:
        breaks = np.diff(same) > 1
        starts = same[np.r_[True, breaks]].tolist()
        stops = (same[np.r_[breaks, True]] + 2).tolist()
        for start, stop in zip(starts, stops, strict=True):
            order[start:stop] = sorted(order[start:stop].tolist(), key=ids.__getitem__)
    return order


def _id_words(ids: list[str]) -> np.ndarray | None:
    """Eight bytes of each id, from the first byte where ids differ, as big-endian integers (they sort like the
    ids up to ties); None unless the ids are ASCII without line breaks, all of one length."""
    n = len(ids)
    try:
        data = np.frombuffer("\n".join(ids).encode("ascii"), np.uint8)
    except UnicodeEncodeError:
        return None
    width, rest = divmod(data.size + 1, n)
    if rest or width < 2 or np.count_nonzero(data == 10) != n - 1:
        return None
    rows = np.append(data, np.uint8(10)).reshape(n, width)
    if not (rows[:, -1] == 10).all():
        return None
    rows = rows[:, :-1]
    start = int(np.argmin((rows == rows[0]).all(axis=0)))  # the bytes before are the same in every id
    word = np.zeros((n, 8), np.uint8)
    part = rows[:, start : start + 8]
    word[:, : part.shape[1]] = part
    return word.view(">u8").ravel()


class _Codes(dict):
    """Gives each new key the next code: `map(codes.__getitem__, keys)` numbers distinct keys in one C-level pass."""

    def __missing__(self, key: object) -> int:
        code = self[key] = len(self)
        return code


# Attributes that take few distinct values together: read in one pass as one key per snapshot (numbered by _Codes),
# then decoded per distinct key. Images and disks made from a snapshot are rare, so their tuples rarely add keys.
_KIND = attrgetter(
    "status", "snapshot_type", "disk_type", "retention_days", "encrypted", "disk_size_gib", "image_ids", "disk_ids"
)
_TIMES = attrgetter("created_at", "done_at", "modified_at")
_TIMES_DTYPE = np.dtype([("created", np.int64), ("done", np.int64), ("modified", np.int64)])


def _live_columns(snaps: list, now: int) -> tuple[dict, dict]:
    """The snapshot columns in the model's order as numpy arrays (codes for categoricals) and lists (text), with
    their NA masks. Each attribute pass over a million objects costs ~50 ms, so they are read as few times as can be."""
    n = len(snaps)
    times = np.fromiter(map(_TIMES, snaps), _TIMES_DTYPE, n)
    created, done, modified = times["created"], times["done"], times["modified"]
    kinds = _Codes()
    kind = np.fromiter(map(kinds.__getitem__, map(_KIND, snaps)), np.int64, n)

    keys = list(kinds)
    status_index = {s: i for i, s in enumerate(SNAPSHOT_STATUSES)}
    type_index = {t: i for i, t in enumerate(SNAPSHOT_TYPES)}
    disk_type_index = {t: i for i, t in enumerate(DISK_TYPES)}

    def decode(values: Iterable, dtype: type = np.int16) -> np.ndarray:
        return np.fromiter(values, dtype, len(keys))[kind]

    status = decode(status_index[k[0]] for k in keys)
    retention_days = [k[3] for k in keys]
    no_retention = decode((r is None for r in retention_days), bool)
    retention = decode((r or 0 for r in retention_days), np.int64)
    progressing, accomplished, failed = (status == status_index[s] for s in SnapshotStatus)

    # Progress as Snapshot.progress_at computes it, for all rows at once
    span = done - created
    progress = np.clip((now - created) * 100 // np.maximum(span, 1), 0, 99)
    progress[span <= 0] = 99
    progress[accomplished] = 100
    failed_rows = np.flatnonzero(failed).tolist()
    progress[failed_rows] = _ints(map(attrgetter("failed_progress"), map(snaps.__getitem__, failed_rows)), -1)
    remain = np.zeros(len(snaps), np.int64)  # an estimate, so Snapshot.remain_at says it (few rows progress)
    progressing_rows = np.flatnonzero(progressing).tolist()
    remain[progressing_rows] = [snaps[row].remain_at(now) for row in progressing_rows]

    columns = {
        "SnapshotId": _column(snaps, "snapshot_id"),
        "SnapshotName": _column(snaps, "name"),
        "SourceDiskId": _column(snaps, "disk_id"),
        "SourceDiskSize": decode((k[5] for k in keys), np.int64),
        "SourceDiskType": decode(disk_type_index[k[2]] for k in keys),
        "Status": status,
        "Progress": progress,
        "RemainTime": remain,
        "SnapshotType": decode(type_index[k[1]] for k in keys),
        "Usage": decode(bool(k[6]) + 2 * bool(k[7]) for k in keys),  # USAGES: none, image, disk, image_disk
        "RetentionDays": retention,
        "CreationTime": created,
        "LastModifiedTime": modified,
        "AccomplishedTime": done,
        "ReleaseTime": created + retention * 86400,
        "Encrypted": decode((k[4] for k in keys), bool),
    }
    missing = {"RetentionDays": no_retention, "AccomplishedTime": ~accomplished, "ReleaseTime": no_retention}
    return columns, missing


class _GoneSnapshots:
    """The snapshots the event log saw go (released or deleted) and are not alive now, read from the log's rows
    column-wise (a code per row, then only the rows of the kinds asked for): what Frames.snapshots(include_gone=True)
    adds to the live ones."""

    def __init__(self, rows: list[tuple], live: Mapping[str, Snapshot]) -> None:
        self.rows = rows
        self.codes = _event_codes(rows)
        removals = self.rows_of(EventKind.SNAPSHOT_RELEASED) + self.rows_of(EventKind.SNAPSHOT_DELETED)
        removals = list(compress(removals, map(not_, map(live.__contains__, map(itemgetter(2), removals)))))
        self.count = g = len(removals)
        self.ids = list(map(itemgetter(2), removals))
        self.where = dict(zip(self.ids, range(g), strict=True))
        self.removed_at = _ints(map(itemgetter(0), removals), g)
        status_index = {s: i for i, s in enumerate(SNAPSHOT_STATUSES)}
        self.status = np.fromiter(
            map(status_index.__getitem__, map(GONE_STATUSES.__getitem__, map(itemgetter(1), removals))), np.int16, g
        )

    def rows_of(self, kind: EventKind) -> list[tuple]:
        rows = self.rows
        return list(map(rows.__getitem__, np.flatnonzero(self.codes == EVENT_INDEX[kind.value]).tolist()))

    def matched(self, kind: EventKind) -> tuple[list[tuple], np.ndarray]:
        """The events of `kind` about gone snapshots, and the gone row each is about."""
        found = self.rows_of(kind)
        at = np.fromiter(map(self.where.get, map(itemgetter(2), found), repeat(-1)), np.int64, len(found))
        hit = at >= 0
        return list(compress(found, hit.tolist())), at[hit]

    def births(self) -> tuple[np.ndarray, list[str | None], np.ndarray]:
        """(creation time, source disk, type code) of each: from its creation event (the removal time if none)."""
        g = self.count
        created_at = self.removed_at.copy()  # a snapshot always has a creation event; the removal time is a fallback
        disk_ids: list[str | None] = [None] * g
        snapshot_type = np.full(g, -1, np.int16)
        born, at = self.matched(EventKind.SNAPSHOT_CREATED)
        created_at[at] = _ints(map(itemgetter(0), born), len(born))
        for position, disk_id in zip(at.tolist(), map(itemgetter(3), born), strict=True):
            disk_ids[position] = disk_id
        type_index = {t: i for i, t in enumerate(SNAPSHOT_TYPES)}
        snapshot_type[at] = np.fromiter(map(type_index.get, map(itemgetter(4), born), repeat(-1)), np.int16, len(born))
        return created_at, disk_ids, snapshot_type

    def endings(self, created_at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(accomplished time, not accomplished, last modified) of each, from its accomplished or failed event."""
        g = self.count
        done_at = np.zeros(g, np.int64)
        not_done = np.ones(g, bool)
        modified_at = created_at.copy()
        for kind in (EventKind.SNAPSHOT_ACCOMPLISHED, EventKind.SNAPSHOT_FAILED):
            ended, at = self.matched(kind)
            times = _ints(map(itemgetter(0), ended), len(ended))
            modified_at[at] = times
            if kind is EventKind.SNAPSHOT_ACCOMPLISHED:
                done_at[at] = times
                not_done[at] = False
        return done_at, not_done, modified_at


# ---------------------------------------------------------------------- frames


class FrameSource(Protocol):
    """Where a chart's plan reads the lab's frames: `lab.frames`, or a dashboard's copy read once per change."""

    def snapshots(self, include_gone: bool = False) -> pd.DataFrame: ...

    def disks(self) -> pd.DataFrame: ...


class Frames:
    """DataFrames of one lab, computed afresh on each call (the lab keeps changing; a frame is a snapshot of it).

    >>> lab.frames.snapshots()                    # live snapshots, oldest first
    >>> lab.frames.snapshots(include_gone=True)   # + released and deleted ones, from the event log
    """

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    # ------------------------------------------------------------------ snapshots

    def snapshots(self, include_gone: bool = False) -> pd.DataFrame:
        """One row per snapshot, API column names, sorted by CreationTime then SnapshotId.

        Progress and RemainTime are as DescribeSnapshots would say now. ReleaseTime is CreationTime + RetentionDays
        for live snapshots; with `include_gone`, snapshots already released or deleted are rebuilt from the event
        log (Status released/deleted, ReleaseTime = when they went; columns the log does not know are NA, and
        Encrypted False)."""
        lab = self.lab
        snapshots = lab.snapshots
        columns, missing = _live_columns(list(snapshots.values()), lab.now_seconds)
        if include_gone:
            gone_columns, gone_missing = self._gone_columns(snapshots)
            n = len(columns["SnapshotId"])
            for name, values in gone_columns.items():
                live = columns[name]
                columns[name] = live + values if isinstance(live, list) else np.concatenate((live, values))
            for name, mask in gone_missing.items():
                missing[name] = np.concatenate((missing.get(name, np.zeros(n, bool)), mask))
        # Sort last, on arrays: reading the snapshots in the order they were made is what keeps memory access fast
        order = _sort_order(columns["CreationTime"], columns["SnapshotId"])
        if order is not None:
            for name, values in columns.items():
                columns[name] = (np.array(values, dtype=object) if isinstance(values, list) else values)[order]
            missing = {name: mask[order] for name, mask in missing.items()}

        no = np.zeros(len(columns["SnapshotId"]), dtype=bool)
        frame = {
            "SnapshotId": _strings(columns["SnapshotId"]),
            "SnapshotName": _strings(columns["SnapshotName"]),
            "SourceDiskId": _strings(columns["SourceDiskId"]),
            "SourceDiskSize": _int64(columns["SourceDiskSize"], missing.get("SourceDiskSize", no)),
            "SourceDiskType": _from_codes(columns["SourceDiskType"], DISK_TYPES),
            "Status": _from_codes(columns["Status"], SNAPSHOT_STATUSES),
            "Progress": _int64(columns["Progress"], missing.get("Progress", no)),
            "RemainTime": _int64(columns["RemainTime"], missing.get("RemainTime", no)),
            "SnapshotType": _from_codes(columns["SnapshotType"], SNAPSHOT_TYPES),
            "Usage": _from_codes(columns["Usage"], USAGES),
            "RetentionDays": _int64(columns["RetentionDays"], missing["RetentionDays"]),
            "CreationTime": _times(columns["CreationTime"]),
            "LastModifiedTime": _times(columns["LastModifiedTime"]),
            "AccomplishedTime": _times(columns["AccomplishedTime"], missing["AccomplishedTime"]),
            "ReleaseTime": _times(columns["ReleaseTime"], missing["ReleaseTime"]),
            "Encrypted": columns["Encrypted"],
        }
        return pd.DataFrame(frame, columns=SNAPSHOT_COLUMNS, copy=False)

    def _gone_columns(self, live: Mapping[str, Snapshot]) -> tuple[dict, dict]:
        """The snapshots the event log saw go (released or deleted): their columns and NA masks."""
        gone = _GoneSnapshots(self.lab.events.rows, live)
        g = gone.count
        created_at, disk_ids, snapshot_type = gone.births()
        done_at, not_done, modified_at = gone.endings(created_at)
        unknown = np.ones(g, bool)
        gone_columns = {
            "SnapshotId": gone.ids,
            "SnapshotName": [None] * g,
            "SourceDiskId": disk_ids,
            "SourceDiskSize": np.zeros(g, np.int64),
            "SourceDiskType": np.full(g, -1, np.int16),
            "Status": gone.status,
            "Progress": np.zeros(g, np.int64),
            "RemainTime": np.zeros(g, np.int64),
            "SnapshotType": snapshot_type,
            "Usage": np.full(g, -1, np.int16),
            "RetentionDays": np.zeros(g, np.int64),
            "CreationTime": created_at,
            "LastModifiedTime": modified_at,
            "AccomplishedTime": done_at,
            "ReleaseTime": gone.removed_at,
            "Encrypted": np.zeros(g, bool),
        }
        gone_missing = {
            "SourceDiskSize": unknown,
            "Progress": unknown,
            "RemainTime": unknown,
            "RetentionDays": unknown,
            "AccomplishedTime": not_done,
            "ReleaseTime": ~unknown,
        }
        return gone_columns, gone_missing

    # ------------------------------------------------------------------ disks and instances

    def disks(self) -> pd.DataFrame:
        """One row per existing disk, oldest first, with its snapshot count against the quota."""
        lab = self.lab
        disks = list(lab.disks.values())
        n = len(disks)
        ids = _column(disks, "disk_id")
        counts = _ints(map(lab.snapshot_counts().get, ids, repeat(0)), n)
        transferring = _column(disks, "transferring_until")
        return pd.DataFrame(
            {
                "DiskId": _strings(ids),
                "DiskName": _strings(_column(disks, "name")),
                "ZoneId": _categorical(_column(disks, "zone_id"), lab.zones, n, extend=True),
                "Category": _categorical(_column(disks, "category"), DISK_CATEGORIES, n),
                "Size": _int64(_ints(map(attrgetter("size_gib"), disks), n)),
                "Type": _categorical(_column(disks, "disk_type"), DISK_TYPES, n),
                "Status": _categorical(_column(disks, "status"), DISK_STATUSES, n),
                "InstanceId": _strings(_column(disks, "instance_id")),
                "Portable": _flags(map(attrgetter("portable"), disks), n),
                "Encrypted": _flags(map(attrgetter("encrypted"), disks), n),
                "DiskChargeType": _categorical(_column(disks, "charge_type"), CHARGE_TYPES, n),
                "CreationTime": _times(_ints(map(attrgetter("created_at"), disks), n)),
                "LoadedTime": _times(_ints(map(attrgetter("loaded_at"), disks), n)),
                "SnapshotCount": _int64(counts),
                "Quota": _int64(np.full(n, lab.snapshot_quota, np.int64)),
                "AutoSnapshotPolicyId": _strings(_column(disks, "policy_id")),
                "InArrears": _flags(map(attrgetter("in_arrears"), disks), n),
                "Expired": _flags(map(attrgetter("expired"), disks), n),
                "Transferring": _flags(map(is_not, transferring, repeat(None)), n),
                "DeviceFault": _flags(map(attrgetter("device_fault"), disks), n),
            },
            copy=False,
        )

    def instances(self) -> pd.DataFrame:
        """One row per instance, oldest first: status, whether it ever started, its locks and disks."""
        lab = self.lab
        instances = list(lab.instances.values())
        n = len(instances)
        locks = _column(instances, "lock_reasons")
        started, never_started = _optional_ints(_column(instances, "started_at"))
        return pd.DataFrame(
            {
                "InstanceId": _strings(_column(instances, "instance_id")),
                "InstanceName": _strings(_column(instances, "name")),
                "ZoneId": _categorical(_column(instances, "zone_id"), lab.zones, n, extend=True),
                "InstanceType": _strings(_column(instances, "instance_type")),
                "ImageId": _strings(_column(instances, "image_id")),
                "Status": _categorical(_column(instances, "status"), INSTANCE_STATUSES, n),
                "CreationTime": _times(_ints(map(attrgetter("created_at"), instances), n)),
                "StartTime": _times(started, never_started),
                "EverStarted": _flags(map(attrgetter("ever_started"), instances), n),
                "LockReasons": _strings(list(map(",".join, locks))),
                "SecurityLocked": _flags(map(tuple.__contains__, locks, repeat(LockReason.SECURITY)), n),
                "DiskCount": _int64(_ints(map(len, map(attrgetter("disk_ids"), instances)), n)),
            },
            copy=False,
        )

    # ------------------------------------------------------------------ logs

    def requests(self) -> pd.DataFrame:
        """The request log, one row per call in order: when, which action, its key parameters, how it ended."""
        log = self.lab.request_log.columns
        n = len(log["at"])
        params = log["params"]
        codes = log["code"]
        known_codes = list(dict.fromkeys(entry.code for entry in error_catalog()))

        def param(name: str) -> pd.arrays.StringArray:
            return _strings(list(map(dict.get, params, repeat(name))))

        return pd.DataFrame(
            {
                "Time": _times(np.array(log["at"], dtype=np.int64)),
                "Action": _categorical(log["action"], sorted(ACTIONS), n, extend=True),
                "DiskId": param("DiskId"),
                "SnapshotId": param("SnapshotId"),
                "InstanceId": param("InstanceId"),
                "ClientToken": param("ClientToken"),
                "HttpStatus": _int64(np.array(log["status"], dtype=np.int64)),
                "Code": _categorical(codes, known_codes, n, extend=True),
                "RequestId": _strings(log["request_id"]),
                "Ok": _flags(map(is_, codes, repeat(None)), n),
            },
            copy=False,
        )

    def events(self) -> pd.DataFrame:
        """The event log, one row per state change in order: time, kind, resource, related resource, detail."""
        rows = self.lab.events.rows
        n = len(rows)
        codes = _event_codes(rows)
        kinds = EVENT_KINDS
        if (codes < 0).any():  # a kind this version does not know (a lab saved by a newer one): keep it
            return pd.DataFrame(
                {**self._event_columns(rows, n), "Kind": _categorical(map(itemgetter(1), rows), kinds, n, True)},
                columns=EVENT_COLUMNS,
                copy=False,
            )
        return pd.DataFrame(
            {**self._event_columns(rows, n), "Kind": _from_codes(codes, kinds)}, columns=EVENT_COLUMNS, copy=False
        )

    @staticmethod
    def _event_columns(rows: list[tuple], n: int) -> dict:
        related = np.array(list(map(itemgetter(3), rows)), dtype=object)
        related[related == ""] = None
        return {
            "Time": _times(_ints(map(itemgetter(0), rows), n)),
            "ResourceId": _strings(list(map(itemgetter(2), rows))),
            "RelatedId": _strings(related),
            "Detail": _strings(list(map(itemgetter(4), rows))),
        }


EVENT_COLUMNS = ("Time", "Kind", "ResourceId", "RelatedId", "Detail")


def error_table() -> pd.DataFrame:
    """The error catalogue: the seed's 30 rows in its order (Row 1..30), then the common codes the lab uses."""
    entries = error_catalog()
    n = len(entries)
    rows, no_row = _optional_ints(_column(entries, "row"))
    return pd.DataFrame(
        {
            "Row": _int64(rows, no_row),
            "Code": _strings(_column(entries, "code")),
            "HttpStatus": _int64(_ints(map(attrgetter("http_status"), entries), n)),
            "Message": _strings(_column(entries, "message")),
            "Description": _strings(_column(entries, "description")),
            "Sentence": _strings(_column(entries, "sentence")),
            "Trigger": _strings(_column(entries, "trigger")),
            "Basis": _categorical(_column(entries, "basis"), BASES, n, extend=True),
            "Origin": _categorical(_column(entries, "origin"), ORIGINS, n),
            "Actions": _strings(list(map(",".join, _column(entries, "actions")))),
        },
        copy=False,
    )
