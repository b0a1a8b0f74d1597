"""Save a lab as JSON and load it back exactly: world, clock, RNG state, tokens, faults, logs.

Loading trusts nothing: every field is checked against the dataclass it belongs to (no pickle, no eval), and a
file that does not fit is refused with a ValueError that names the first problem and where it is.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model.clock import Due, Happening
from .model.events import Event
from .model.faults import Fault
from .model.resources import Account, AutoSnapshotPolicy, Disk, Image, Instance, Snapshot
from .model.world import PendingCreate, TokenRecord, World

if TYPE_CHECKING:
    from .lab import Lab

FORMAT = "ecs_snap_lab/world"
VERSION = 1
MAX_TIME = 2**40  # seconds since the epoch: far beyond any lab, small enough to format


class Corrupt(ValueError):
    """The saved file does not describe a lab; the message says what and where."""


# ---------------------------------------------------------------- generic dataclass <-> JSON


def _is_record(cls: Any) -> bool:
    return isinstance(cls, type) and (
        dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))
    )


def _field_names(cls: type) -> list[str]:
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


def build(cls: type, data: Any, where: str) -> Any:
    """An instance of dataclass `cls` from JSON data, every field type-checked."""
    if not isinstance(data, dict):
        raise Corrupt(f"{where}: expected an object, found {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = _field_names(cls)
    unexpected = set(data) - set(names)
    if unexpected:
        raise Corrupt(f"{where}: unexpected field {sorted(unexpected)[0]!r}")
    missing = [n for n in names if n not in data]
    if missing:
        raise Corrupt(f"{where}: missing field {missing[0]!r}")
    return cls(**{n: convert(hints[n], data[n], f"{where}.{n}") for n in names})


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
            raise Corrupt(f"{where}: expected true or false")
        return value
    if hint is int:
        if type(value) is not int or not -MAX_TIME <= value <= MAX_TIME:
            raise Corrupt(f"{where}: expected an integer")
        return value
    if hint is float:
        if type(value) not in (int, float):
            raise Corrupt(f"{where}: expected a number")
        return float(value)
    if hint is str:
        if type(value) is not str:
            raise Corrupt(f"{where}: expected a string")
        return value
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            raise Corrupt(f"{where}: {str(value)[:40]!r} is not a {hint.__name__}") from None
    if _is_record(hint):
        return build(hint, value, where)
    if origin is list:
        if not isinstance(value, list):
            raise Corrupt(f"{where}: expected a list")
        return [convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if not isinstance(value, list):
            raise Corrupt(f"{where}: expected a list")
        return tuple(convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is tuple:
        if not isinstance(value, list) or len(value) != len(args):
            raise Corrupt(f"{where}: expected a list of {len(args)}")
        return tuple(convert(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True)))
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise Corrupt(f"{where}: expected an object")
        if not args:
            return _plain_json(value, where)
        return {k: convert(args[1], v, f"{where}[{k!r}]") for k, v in value.items()}
    raise Corrupt(f"{where}: cannot read a {hint!r}")  # a field type this loader does not know


def _plain_json(value: Any, where: str, depth: int = 0) -> Any:
    """Plain JSON data (an answer kept for a ClientToken): strings, numbers, booleans, lists, objects."""
    if depth > 8:
        raise Corrupt(f"{where}: nested too deeply")
    if isinstance(value, dict):
        return {k: _plain_json(v, f"{where}[{k!r}]", depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_json(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise Corrupt(f"{where}: not plain JSON")


# ---------------------------------------------------------------- the lab


def to_document(lab: Lab) -> dict:
    w = lab.world
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": w.seed,
        "now": w.now,
        "region": w.region,
        "zones": w.zones,
        "snapshot_quota": w.snapshot_quota,
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
        "requests": [dump(r) for r in lab.requests],
    }


def save(lab: Lab, path: str | PathLike) -> None:
    text = json.dumps(to_document(lab), ensure_ascii=False, separators=(",", ":"))
    Path(path).write_text(text, encoding="utf-8")


def load(cls: type[Lab], path: str | PathLike) -> Lab:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise Corrupt(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Corrupt(f"{path}: not JSON ({str(exc)[:80]})") from None
    try:
        return from_document(cls, doc)
    except RecursionError:
        raise Corrupt(f"{path}: nested too deeply") from None


def _field(doc: dict, name: str, hint: Any) -> Any:
    if name not in doc:
        raise Corrupt(f"missing {name!r}")
    return convert(hint, doc[name], name)


def _keyed(items: list, key: str, where: str) -> dict:
    table = {}
    for item in items:
        ident = getattr(item, key)
        if ident in table:
            raise Corrupt(f"{where}: {ident!r} appears twice")
        table[ident] = item
    return table


def from_document(cls: type[Lab], doc: Any) -> Lab:
    if not isinstance(doc, dict):
        raise Corrupt("the file holds no lab (expected a JSON object)")
    if doc.get("format") != FORMAT:
        raise Corrupt(f"not an ecs_snap_lab save file (format {str(doc.get('format'))[:40]!r})")
    if doc.get("version") != VERSION:
        raise Corrupt(f"save file version {str(doc.get('version'))[:10]!r}; this lab reads version {VERSION}")
    expected = set(to_document_keys())
    if set(doc) != expected:
        odd = sorted(set(doc) ^ expected)[0]
        raise Corrupt(f"unexpected or missing top-level field {odd!r}")
    quota = _field(doc, "snapshot_quota", int)
    if quota < 1:
        raise Corrupt("snapshot_quota: must be positive")
    now = _field(doc, "now", int)
    if not 0 <= now <= MAX_TIME:
        raise Corrupt("now: out of range")
    world = World(
        seed=_field(doc, "seed", int),
        start=now,
        region=_field(doc, "region", str),
        zones=_field(doc, "zones", list[str]),
        snapshot_quota=quota,
    )
    _restore_rng(world, doc["rng"])
    schedule = doc["schedule"]
    if not isinstance(schedule, dict) or set(schedule) != {"seq", "queue"}:
        raise Corrupt("schedule: expected seq and queue")
    world.schedule.seq = convert(int, schedule["seq"], "schedule.seq")
    queue = convert(list[Due], schedule["queue"], "schedule.queue")
    for due in queue:
        if not 0 <= due.at <= MAX_TIME or due.what not in set(Happening):
            raise Corrupt("schedule.queue: an entry is out of range")
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
    _check_references(world)
    _reindex(world)

    from .lab import Lab, RequestLog, RequestRecord

    lab = Lab.__new__(cls if issubclass(cls, Lab) else Lab)
    lab.world = world
    lab.request_log = RequestLog()
    for record in convert(list[RequestRecord], doc["requests"], "requests"):
        lab.request_log.append(*record)
    lab.internal_errors = []
    lab._wire_up()
    return lab


def to_document_keys() -> tuple[str, ...]:
    return (
        "format", "version", "seed", "now", "region", "zones", "snapshot_quota", "rng", "schedule", "account",
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
        raise Corrupt("rng: not a Mersenne Twister state")
    try:
        world.ids.set_state(state)
    except (ValueError, TypeError) as exc:
        raise Corrupt(f"rng: {exc}") from None


def _check_references(world: World) -> None:
    """Links between resources must point at things that exist (an orphaned disk's instance may not)."""
    for instance in world.instances.values():
        for disk_id in instance.disk_ids:
            if disk_id not in world.disks:
                raise Corrupt(f"instances: {instance.instance_id} lists unknown disk {disk_id!r}")
    for snap in world.snapshots.values():
        if snap.seq > world.snapshot_seq:
            raise Corrupt(f"snapshots: {snap.snapshot_id} has a sequence number beyond snapshot_seq")
        for image_id in snap.image_ids:
            if image_id not in world.images:
                raise Corrupt(f"snapshots: {snap.snapshot_id} lists unknown image {image_id!r}")
    for policy in world.policies.values():
        for disk_id in policy.disk_ids:
            if disk_id not in world.disks:
                raise Corrupt(f"policies: {policy.policy_id} lists unknown disk {disk_id!r}")
    for disk_id, key in world.inflight.items():
        if key not in world.pending:
            raise Corrupt(f"inflight: {disk_id} waits on unknown request")


def _reindex(world: World) -> None:
    for snap in world.snapshots.values():  # in creation order
        world.by_disk.setdefault(snap.disk_id, {})[snap.snapshot_id] = snap
        world.by_status[snap.status][snap.snapshot_id] = snap
        world.by_type[snap.snapshot_type][snap.snapshot_id] = snap
        if snap.status.value == "progressing":
            if snap.disk_id in world.progressing:
                raise Corrupt(f"snapshots: two progressing snapshots of {snap.disk_id}")
            world.progressing[snap.disk_id] = snap.snapshot_id
