"""Save a lab as JSON and load it back exactly: world, clock, RNG state, tokens, faults, logs.

Loading trusts nothing: every field is checked against the dataclass it belongs to (no pickle, no eval), every
number against the range the model relies on (RANGES: times, sizes, counts), and the world against its invariants
(_check_world: links between resources, at most `snapshot_quota` snapshots per disk, a random state that can make
new ids, logs in time order and within their bounds). A file that does not fit is refused with a ValueError that
names the first problem and where it is.

Decisions:
- Only a regular file of at most MAX_FILE_BYTES is read: a FIFO, a device (/dev/zero) or a folder is refused
  before anything is read from it, and an oversized file before it is read whole.
- `save` checks the document it is about to write exactly as `load` would, and refuses (ValueError, nothing
  written) a lab that load would refuse: a file you saved always loads.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import stat
import types
import typing
from enum import Enum
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

from .actions.disks import SIZE_RANGES
from .actions.world_checks import counted
from .i18n import _
from .model.api import Api
from .model.clock import LAST_SECOND, Due, Happening
from .model.events import Event, EventKind
from .model.faults import MAX_ARMED, MAX_SECONDS, MAX_TIMES, Fault, FaultKind
from .model.resources import (
    ALL_CATEGORIES,
    Account,
    AutoSnapshotPolicy,
    Disk,
    Image,
    Instance,
    Snapshot,
    SnapshotType,
)
from .model.world import PendingCreate, TokenRecord, World
from .request_log import MAX_LOGGED_ACTION, RequestLog, RequestRecord, bounded_params

FORMAT = "ecs_snap_lab/world"
VERSION = 2  # 2 adds "api"; a version 1 file is read as the seed profile, the only one it knew
MAX_FILE_BYTES = 32 * 1024 * 1024  # a save file's size at most (Lab.demo() saves about 3 MB)
MAX_TIME = 2**40  # any integer in a file: far beyond any lab, small enough to format
MAX_COUNT = 2**40  # sequence numbers, quotas
MAX_DISK_GIB = max(high for _low, high in SIZE_RANGES.values())
TIME = (0, LAST_SECOND)
TIME_FIELDS = "created_at modified_at done_at attached_at detached_at loaded_at transferring_until started_at due_at at"

# The range of every integer field the model computes with, by field name (the same name means the same thing
# in every record). A list of integers (a policy's hours) is checked item by item.
RANGES: dict[str, tuple[int, int]] = {
    **{name: TIME for name in TIME_FIELDS.split()},
    "size_gib": (1, MAX_DISK_GIB),
    "disk_size_gib": (1, MAX_DISK_GIB),
    "seq": (1, MAX_COUNT),
    "transition_seq": (0, MAX_COUNT),
    "status_seq": (0, MAX_COUNT),
    "retention_days": (1, 65536),
    "failed_progress": (0, 99),
    "at_progress": (0, 99),
    "times": (1, MAX_TIMES),
    "seconds": (1, MAX_SECONDS),
    "status": (100, 599),  # a request's HTTP status (the other "status" fields are enums)
    "time_points": (0, 23),
    "repeat_weekdays": (1, 7),
}
RANGE_EXCEPTIONS: dict[tuple[str, str], tuple[int, int]] = {
    ("AutoSnapshotPolicy", "retention_days"): (-1, 65536),  # -1: kept until deleted
}


class Corrupt(ValueError):
    """The saved file does not describe a lab; the message says what and where."""


class SavedLab(NamedTuple):
    """What a save file holds: the world and the request log. `Lab.from_world(*saved)` makes the lab of them."""

    world: World
    request_log: RequestLog


# ---------------------------------------------------------------- generic dataclass <-> JSON


def _is_record(cls: Any) -> bool:
    return isinstance(cls, type) and (
        dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))
    )


def _field_names(cls: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else list(cls._fields)


def dump(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: dump(v) for k, v in value._asdict().items()}
    if dataclasses.is_dataclass(value):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def build(cls: type, data: Any, where: str) -> Any:
    """An instance of dataclass `cls` from JSON data, every field type-checked and every integer in its range."""
    if not isinstance(data, dict):
        raise Corrupt(_("{where}: expected an object, found {name__}").format(where=where, name__=type(data).__name__))
    hints = _hints(cls)
    names = _field_names(cls)
    unexpected = set(data) - set(names)
    if unexpected:
        raise Corrupt(_("{where}: unexpected field {sorted!r}").format(where=where, sorted=sorted(unexpected)[0]))
    missing = [n for n in names if n not in data]
    if missing:
        raise Corrupt(_("{where}: missing field {missing!r}").format(where=where, missing=missing[0]))
    values = {n: convert(hints[n], data[n], f"{where}.{n}") for n in names}
    for name, value in values.items():
        if name in RANGES:
            _check_range(RANGE_EXCEPTIONS.get((cls.__name__, name), RANGES[name]), value, f"{where}.{name}")
    return cls(**values)


def _check_range(bounds: tuple[int, int], value: Any, where: str) -> None:
    low, high = bounds
    for number in value if isinstance(value, list | tuple) else (value,):
        if type(number) is int and not low <= number <= high:
            raise Corrupt(
                _("{where}: {number} is outside {low} to {high}").format(where=where, number=number, low=low, high=high)
            )


def convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        return convert(options[0], value, where)
    if hint is Any:
        return _plain_json(value, where)
    if hint is bool:
        if type(value) is not bool:
            raise Corrupt(_("{where}: expected true or false").format(where=where))
        return value
    if hint is int:
        if type(value) is not int or not -MAX_TIME <= value <= MAX_TIME:
            raise Corrupt(_("{where}: expected an integer").format(where=where))
        return value
    if hint is float:
        if type(value) not in (int, float) or not -MAX_TIME <= value <= MAX_TIME or not math.isfinite(value):
            raise Corrupt(_("{where}: expected a finite number").format(where=where))
        return float(value)
    if hint is str:
        if type(value) is not str:
            raise Corrupt(_("{where}: expected a string").format(where=where))
        return value
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            raise Corrupt(
                _("{where}: {value!r} is not a {name__}").format(
                    where=where, value=str(value)[:40], name__=hint.__name__
                )
            ) from None
    if _is_record(hint):
        return build(hint, value, where)
    if origin is list:
        if not isinstance(value, list):
            raise Corrupt(_("{where}: expected a list").format(where=where))
        return [convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if not isinstance(value, list):
            raise Corrupt(_("{where}: expected a list").format(where=where))
        return tuple(convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is tuple:
        if not isinstance(value, list) or len(value) != len(args):
            raise Corrupt(_("{where}: expected a list of {count}").format(where=where, count=len(args)))
        return tuple(convert(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True)))
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise Corrupt(_("{where}: expected an object").format(where=where))
        if not args:
            return _plain_json(value, where)
        return {k: convert(args[1], v, f"{where}[{k!r}]") for k, v in value.items()}
    raise Corrupt(
        _("{where}: cannot read a {hint!r}").format(where=where, hint=hint)
    )  # a field type this loader does not know


def _plain_json(value: Any, where: str, depth: int = 0) -> Any:
    """Plain JSON data (an answer kept for a ClientToken): strings, numbers, booleans, lists, objects."""
    if depth > 8:
        raise Corrupt(_("{where}: nested too deeply").format(where=where))
    if isinstance(value, dict):
        return {k: _plain_json(v, f"{where}[{k!r}]", depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_json(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if type(value) is float and not math.isfinite(value):
        raise Corrupt(_("{where}: not a finite number").format(where=where))
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise Corrupt(_("{where}: not plain JSON").format(where=where))


# ---------------------------------------------------------------- the lab


def to_document(w: World, request_log: RequestLog) -> dict:
    """The JSON document of a lab's world and request log (what `save` writes)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": w.seed,
        "now": w.now,
        "region": w.region,
        "zones": w.zones,
        "snapshot_quota": w.snapshot_quota,
        "api": w.api.value,
        "rng": w.ids.get_state(),
        "schedule": {"seq": w.schedule.seq, "queue": [dump(Due._make(d)) for d in sorted(w.schedule.queue)]},
        "account": dump(w.account),
        "instances": [dump(i) for i in w.instances.values()],
        "disks": [dump(d) for d in w.disks.values()],
        "snapshots": [dump(s) for s in w.snapshots.values()],
        "images": [dump(i) for i in w.images.values()],
        "policies": [dump(p) for p in w.policies.values()],
        "inflight": dict(w.inflight),
        "pending": [dump(p) for p in w.pending.values()],
        "tokens": {k: dump(t) for k, t in w.tokens.items()},
        "faults": [dump(f) for f in w.faults],
        "snapshot_seq": w.snapshot_seq,
        "events": [dump(e) for e in w.events],
        "requests": [dump(r) for r in request_log.records()],
    }


def save(world: World, request_log: RequestLog, path: str | PathLike) -> None:
    """Write the lab as JSON, after checking the document as load will: a lab load would refuse is not saved."""
    try:
        text = json.dumps(to_document(world, request_log), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        raise Corrupt(
            _("this lab holds a number that is not finite (NaN or infinity), so it cannot be saved")
        ) from None
    data = text.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise Corrupt(
            _("this lab takes {count} bytes; a save file is at most {MAX_FILE_BYTES} bytes").format(
                count=len(data), MAX_FILE_BYTES=MAX_FILE_BYTES
            )
        )
    try:
        from_document(json.loads(text))
    except Corrupt as exc:
        raise Corrupt(_("this lab cannot be saved, it would not load: {exc}").format(exc=exc)) from None
    Path(path).write_bytes(data)


def load(path: str | PathLike) -> SavedLab:
    """The lab saved in `path`; ValueError (Corrupt) with a reason for anything that is not one."""
    data = read_save_file(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Corrupt(_("{path}: not UTF-8 text ({reason})").format(path=path, reason=exc.reason)) from None
    try:
        doc = json.loads(text, parse_constant=_not_a_number)
    except Corrupt:
        raise
    except (ValueError, RecursionError) as exc:
        raise Corrupt(_("{path}: not JSON ({exc})").format(path=path, exc=str(exc)[:80])) from None
    try:
        return from_document(doc)
    except RecursionError:
        raise Corrupt(_("{path}: nested too deeply").format(path=path)) from None


def read_save_file(path: str | PathLike) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES, checked before reading: a FIFO or a device is refused
    without blocking on it or reading it whole (opened non-blocking, then fstat)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Corrupt(
                _("{path}: not a regular file (a save file is a JSON file written by lab.save)").format(path=path)
            )
        if info.st_size > MAX_FILE_BYTES:
            raise Corrupt(
                _("{path}: {st_size} bytes; a save file is at most {MAX_FILE_BYTES} bytes").format(
                    path=path, st_size=info.st_size, MAX_FILE_BYTES=MAX_FILE_BYTES
                )
            )
        chunks = []
        size = 0
        while chunk := os.read(fd, 1024 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:  # it grew while being read
                raise Corrupt(
                    _("{path}: over {MAX_FILE_BYTES} bytes; a save file is at most that").format(
                        path=path, MAX_FILE_BYTES=MAX_FILE_BYTES
                    )
                )
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _not_a_number(name: str) -> None:
    raise Corrupt(_("{name} is not a number a save file may hold").format(name=name))


def _field(doc: dict, name: str, hint: Any) -> Any:
    if name not in doc:
        raise Corrupt(_("missing {name!r}").format(name=name))
    return convert(hint, doc[name], name)


def _keyed(items: list, key: str, where: str) -> dict:
    table = {}
    for item in items:
        ident = getattr(item, key)
        if ident in table:
            raise Corrupt(_("{where}: {ident!r} appears twice").format(where=where, ident=ident))
        table[ident] = item
    return table


def from_document(doc: Any) -> SavedLab:
    """A lab's world and request log from a parsed save file, every field and every invariant checked; Corrupt
    names the first problem."""
    _check_header(doc)
    world = _world_from(doc)
    _check_references(world)
    _reindex(world)
    _check_world(world)
    request_log = RequestLog()
    for record in _requests_from(doc["requests"], world.now):
        request_log.append(*record)
    return SavedLab(world, request_log)


def _check_header(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise Corrupt(_("the file holds no lab (expected a JSON object)"))
    if doc.get("format") != FORMAT:
        raise Corrupt(_("not an ecs_snap_lab save file (format {get!r})").format(get=str(doc.get("format"))[:40]))
    version = doc.get("version")
    if version == 1 and "api" not in doc:  # written before the profiles: the seed's, the only one there was
        doc["api"] = "seed"
    elif version != VERSION:
        raise Corrupt(
            _("save file version {version!r}; this lab reads versions 1 and {VERSION}").format(
                version=str(version)[:10], VERSION=VERSION
            )
        )
    expected = set(to_document_keys())
    if set(doc) != expected:
        odd = sorted(set(doc) ^ expected)[0]
        raise Corrupt(_("unexpected or missing top-level field {odd!r}").format(odd=odd))


def _world_from(doc: dict) -> World:
    quota = _field(doc, "snapshot_quota", int)
    if not 1 <= quota <= MAX_COUNT:
        raise Corrupt(_("snapshot_quota: must be positive"))
    now = _field(doc, "now", int)
    if not TIME[0] <= now <= TIME[1]:
        raise Corrupt(_("now: out of range (1970 to the end of 9999)"))
    region = _field(doc, "region", str)
    zones = _field(doc, "zones", list[str])
    if not region or not zones or not all(zones) or len(set(zones)) != len(zones):
        raise Corrupt(_("region, zones: a region and distinct, named zones"))
    try:
        api = Api.parse(_field(doc, "api", str))
    except ValueError as exc:
        raise Corrupt(_("api: {exc}").format(exc=exc)) from None
    world = World(seed=_field(doc, "seed", int), start=now, region=region, zones=zones, snapshot_quota=quota, api=api)
    _restore_rng(world, doc["rng"])
    schedule = doc["schedule"]
    if not isinstance(schedule, dict) or set(schedule) != {"seq", "queue"}:
        raise Corrupt(_("schedule: expected seq and queue"))
    world.schedule.seq = convert(int, schedule["seq"], "schedule.seq")
    queue = convert(list[Due], schedule["queue"], "schedule.queue")
    for due in queue:
        if due.what not in set(Happening) or due.seq > world.schedule.seq:
            raise Corrupt(_("schedule.queue: an entry is out of range"))
    world.schedule.queue = sorted(tuple(due) for due in queue)
    world.account = convert(Account, doc["account"], "account")
    world.instances = _keyed(convert(list[Instance], doc["instances"], "instances"), "instance_id", "instances")
    world.disks = _keyed(convert(list[Disk], doc["disks"], "disks"), "disk_id", "disks")
    snapshots = sorted(convert(list[Snapshot], doc["snapshots"], "snapshots"), key=lambda s: s.seq)
    world.snapshots = _keyed(snapshots, "snapshot_id", "snapshots")
    world.images = _keyed(convert(list[Image], doc["images"], "images"), "image_id", "images")
    world.policies = _keyed(convert(list[AutoSnapshotPolicy], doc["policies"], "policies"), "policy_id", "policies")
    world.inflight = convert(dict[str, str], doc["inflight"], "inflight")
    world.pending = _keyed(convert(list[PendingCreate], doc["pending"], "pending"), "key", "pending")
    world.tokens = convert(dict[str, TokenRecord], doc["tokens"], "tokens")
    world.faults = convert(list[Fault], doc["faults"], "faults")
    world.snapshot_seq = _field(doc, "snapshot_seq", int)
    world.events.rows = [tuple(e) for e in convert(list[Event], doc["events"], "events")]
    return world


def _requests_from(data: Any, now: int) -> list:
    """The request log's entries, each within the bounds the log keeps (bounded_params), in time order."""
    records = convert(list[RequestRecord], data, "requests")
    previous = 0
    for n, record in enumerate(records):
        if not previous <= record.at <= now:
            raise Corrupt(_("requests[{n}].at: not in time order, or after the lab's time").format(n=n))
        if len(record.action) > MAX_LOGGED_ACTION or bounded_params(record.params) is not record.params:
            raise Corrupt(_("requests[{n}]: larger than the request log keeps").format(n=n))
        previous = record.at
    return records


def to_document_keys() -> tuple[str, ...]:
    return (
        "format", "version", "seed", "now", "region", "zones", "snapshot_quota", "api", "rng", "schedule", "account",
        "instances", "disks", "snapshots", "images", "policies", "inflight", "pending", "tokens", "faults",
        "snapshot_seq", "events", "requests",
    )  # fmt: skip


def _restore_rng(world: World, state: Any) -> None:
    ok = (
        isinstance(state, list)
        and len(state) == 3
        and state[0] == 3
        and isinstance(state[1], list)
        and len(state[1]) == 625
        and all(type(v) is int and 0 <= v < 2**32 for v in state[1])
        and (state[2] is None or type(state[2]) is float)
    )
    if not ok:
        raise Corrupt(_("rng: not a Mersenne Twister state"))
    words = state[1][:624]
    if not any(words[1:]) and not words[0] & 0x80000000:  # the one state the generator never leaves
        raise Corrupt(_("rng: an all-zero state, which would give every new resource the same id"))
    try:
        world.ids.set_state(state)
    except (ValueError, TypeError) as exc:
        raise Corrupt(_("rng: {exc}").format(exc=exc)) from None


def _check_references(world: World) -> None:
    """Links between resources must point at things that exist (an orphaned disk's instance may not)."""
    for instance in world.instances.values():
        for disk_id in instance.disk_ids:
            if disk_id not in world.disks:
                raise Corrupt(
                    _("instances: {instance_id} lists unknown disk {disk_id!r}").format(
                        instance_id=instance.instance_id, disk_id=disk_id
                    )
                )
    for snap in world.snapshots.values():
        if snap.seq > world.snapshot_seq:
            raise Corrupt(
                _("snapshots: {snapshot_id} has a sequence number beyond snapshot_seq").format(
                    snapshot_id=snap.snapshot_id
                )
            )
        for image_id in snap.image_ids:
            if image_id not in world.images:
                raise Corrupt(
                    _("snapshots: {snapshot_id} lists unknown image {image_id!r}").format(
                        snapshot_id=snap.snapshot_id, image_id=image_id
                    )
                )
    for policy in world.policies.values():
        if len(set(policy.disk_ids)) != len(policy.disk_ids):
            raise Corrupt(_("policies: {policy_id} lists a disk twice").format(policy_id=policy.policy_id))
        for disk_id in policy.disk_ids:
            if disk_id not in world.disks or world.disks[disk_id].policy_id != policy.policy_id:
                raise Corrupt(
                    _("policies: {policy_id} lists unknown disk {disk_id!r}").format(
                        policy_id=policy.policy_id, disk_id=disk_id
                    )
                )
    for disk in world.disks.values():
        named = world.policies.get(disk.policy_id or "")
        if named is not None and disk.disk_id not in named.disk_ids:
            raise Corrupt(
                _("disks: {disk_id} names policy {policy_id}, which does not list it").format(
                    disk_id=disk.disk_id, policy_id=named.policy_id
                )
            )
    for disk_id, key in world.inflight.items():
        if key not in world.pending:
            raise Corrupt(_("inflight: {disk_id} waits on unknown request").format(disk_id=disk_id))


def _reindex(world: World) -> None:
    for snap in world.snapshots.values():  # in creation order
        world.by_disk.setdefault(snap.disk_id, {})[snap.snapshot_id] = snap
        world.by_status[snap.status][snap.snapshot_id] = snap
        world.by_type[snap.snapshot_type][snap.snapshot_id] = snap
        if snap.status.value == "progressing":
            if snap.disk_id in world.progressing:
                raise Corrupt(_("snapshots: two progressing snapshots of {disk_id}").format(disk_id=snap.disk_id))
            world.progressing[snap.disk_id] = snap.snapshot_id


def _check_world(world: World) -> None:
    """What the model relies on beyond each field: the quota holds, nothing happened after `now`, the sequence
    numbers are distinct, armed faults are few and valid, the event log is in time order."""
    for disk_id in world.by_disk:
        for of_type in SnapshotType:
            count, limit, what = counted(world, disk_id, of_type)
            if count > limit:
                raise Corrupt(
                    _("snapshots: {count} {what} of {disk_id}, over the quota of {limit}").format(
                        count=count, what=what, disk_id=disk_id, limit=limit
                    )
                )
    if len({snap.seq for snap in world.snapshots.values()}) != len(world.snapshots):
        raise Corrupt(_("snapshots: two snapshots share a sequence number"))
    for where, table in (("instances", world.instances), ("disks", world.disks), ("snapshots", world.snapshots),
                         ("images", world.images), ("policies", world.policies)):  # fmt: skip
        for ident, item in table.items():
            if item.created_at > world.now:
                raise Corrupt(_("{where}: {ident} was created after the lab's time").format(where=where, ident=ident))
    for disk in world.disks.values():
        if disk.category not in ALL_CATEGORIES:
            raise Corrupt(
                _("disks: {disk_id} has an unknown category {category!r}").format(
                    disk_id=disk.disk_id, category=disk.category[:40]
                )
            )
    if len(world.faults) > MAX_ARMED:
        raise Corrupt(
            _("faults: {count} armed, more than {MAX_ARMED}").format(count=len(world.faults), MAX_ARMED=MAX_ARMED)
        )
    for n, fault in enumerate(world.faults):
        if fault.kind is not FaultKind.INTERNAL_ERROR and fault.action != "CreateSnapshot":
            raise Corrupt(_("faults[{n}]: {value} applies to CreateSnapshot only").format(n=n, value=fault.kind.value))
    previous = 0
    for n, row in enumerate(world.events.rows):
        if not previous <= row[0] <= world.now or row[1] not in _EVENT_KINDS:
            raise Corrupt(_("events[{n}]: out of time order, after the lab's time, or of an unknown kind").format(n=n))
        previous = row[0]


_EVENT_KINDS = frozenset(EventKind)
