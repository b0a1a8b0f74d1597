"""Simulated time. The lab never reads the wall clock, so a notebook run twice prints the same thing."""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z: the last time the API format can write; the clock stops there


def parse_time(value: str | datetime) -> int:
    """Whole seconds since the epoch from an ISO 8601 string or an aware datetime (naive means UTC)."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 time: {value!r}") from exc
    if not isinstance(value, datetime):
        raise TypeError(f"a time must be an ISO 8601 string or a datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value.microsecond:
        raise ValueError("the lab's clock moves in whole seconds")
    return int(value.timestamp())


def to_datetime(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


_DAYS: dict[int, str] = {}


def to_iso(seconds: int) -> str:
    """The API's time format: yyyy-MM-ddTHH:mm:ssZ in UTC (the date part cached per day: it is on every item)."""
    day, rest = divmod(seconds, 86400)
    date = _DAYS.get(day)
    if date is None:
        if len(_DAYS) > 100_000:
            _DAYS.clear()
        date = _DAYS[day] = to_datetime(day * 86400).strftime("%Y-%m-%dT")
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{date}{hours:02d}:{minutes:02d}:{secs:02d}Z"


def whole_seconds(delta: timedelta) -> int:
    total = delta.total_seconds()
    if total != int(total):
        raise ValueError("the lab's clock moves in whole seconds")
    return int(total)


class Happening(StrEnum):
    """What can be scheduled to happen at a future simulated time."""

    SNAPSHOT_DONE = "snapshot_done"
    SNAPSHOT_FAIL = "snapshot_fail"
    SNAPSHOT_RELEASE = "snapshot_release"
    INSTANCE_STATUS = "instance_status"
    DISK_STATUS = "disk_status"
    DISK_LOADED = "disk_loaded"
    TRANSFER_DONE = "transfer_done"
    VOLUME_GONE = "volume_gone"
    POLICY_FIRE = "policy_fire"
    REQUEST_DONE = "request_done"


class Due(NamedTuple):
    """One scheduled happening. `seq` breaks ties so equal times run in the order they were scheduled."""

    at: int
    seq: int
    what: str  # a Happening value
    target: str
    arg: str = ""


class Scheduler:
    """A time-ordered queue of happenings; stale ones are ignored by their handlers, never removed."""

    def __init__(self) -> None:
        self.queue: list[tuple] = []  # plain tuples in Due's field order: a heap the GC need not scan
        self.seq = 0

    def at(self, when: int, what: Happening, target: str, arg: str = "") -> None:
        self.seq += 1
        heapq.heappush(self.queue, (when, self.seq, str(what), target, arg))

    def pop_due(self, until: int) -> Due | None:
        if self.queue and self.queue[0][0] <= until:
            return Due._make(heapq.heappop(self.queue))
        return None
