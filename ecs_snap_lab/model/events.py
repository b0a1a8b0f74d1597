"""The event log: every state change with its simulated time, for charts and for widgets that observe it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import NamedTuple

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    INSTANCE_CREATED = "instance_created"
    INSTANCE_STATUS = "instance_status"
    INSTANCE_LOCKED = "instance_locked"
    INSTANCE_UNLOCKED = "instance_unlocked"
    INSTANCE_RELEASED = "instance_released"
    DISK_CREATED = "disk_created"
    DISK_STATUS = "disk_status"
    DISK_LOADED = "disk_loaded"
    DISK_RELEASED = "disk_released"
    DISK_CHANGED = "disk_changed"
    SNAPSHOT_CREATED = "snapshot_created"
    SNAPSHOT_ACCOMPLISHED = "snapshot_accomplished"
    SNAPSHOT_FAILED = "snapshot_failed"
    SNAPSHOT_DELETED = "snapshot_deleted"
    SNAPSHOT_RELEASED = "snapshot_released"
    SNAPSHOT_KEPT = "snapshot_kept"
    AUTO_SNAPSHOT_SKIPPED = "auto_snapshot_skipped"
    IMAGE_CREATED = "image_created"
    IMAGE_DELETED = "image_deleted"
    POLICY_CREATED = "policy_created"
    POLICY_CHANGED = "policy_changed"
    ACCOUNT_CHANGED = "account_changed"
    CLOCK_ADVANCED = "clock_advanced"


class Event(NamedTuple):
    """One state change. A tuple of plain values, so the garbage collector stops scanning old events."""

    at: int
    kind: str  # an EventKind value
    resource_id: str
    related_id: str = ""  # the disk of a snapshot event, the instance of a disk event
    detail: str = ""


Listener = Callable[[Event], None]


class ListenerError(NamedTuple):
    """A listener that raised: kept for whoever looks, never passed back into the call that made the event."""

    event: Event
    listener: str
    error: str


class EventLog:
    """Append-only; listeners are told of each event as it happens (widgets redraw without polling).

    A listener runs inside the call that changed the world, after the change is made. If it raised, the call
    would answer 500 for a change that stands, so its error is kept in `listener_errors` (the newest
    `MAX_LISTENER_ERRORS`), logged with its traceback, and the remaining listeners still run.

    A chart cannot redraw on each of the thousands of events of `advance(days=30)`: it subscribes with
    `subscribe_settled` instead, and is told once when the operation that made them ends. The lab marks its
    operations (one API call, one advance) with `begin()` / `end()`; an event outside any operation (a knob, a
    fault) settles at once.
    """

    MAX_LISTENER_ERRORS = 100

    def __init__(self) -> None:
        self.rows: list[tuple] = []  # plain tuples (at, kind, resource_id, related_id, detail): never GC-scanned
        self.listeners: list[Listener] = []
        self.listener_errors: list[ListenerError] = []
        self.settled_listeners: list[Callable[[], None]] = []
        self._depth = 0  # operations open (nested: the demo advances inside its own setup)
        self._unsettled = False  # events added since the last settlement

    def add(self, at: int, kind: EventKind, resource_id: str, related_id: str = "", detail: str = "") -> None:
        row = (at, str(kind), resource_id, related_id, detail)
        self.rows.append(row)
        if self.listeners:
            event = Event._make(row)
            for listener in list(self.listeners):
                try:
                    listener(event)
                except Exception as exc:
                    self._keep_error(event, listener, exc)
        if self.settled_listeners:
            if self._depth:
                self._unsettled = True
            else:
                self._settle()

    def begin(self) -> None:
        """An operation starts: settled listeners wait for its end."""
        self._depth += 1

    def end(self) -> None:
        """An operation ends: if it was the outermost and added events, settled listeners are told once."""
        self._depth -= 1
        if not self._depth and self._unsettled:
            self._settle()

    def _settle(self) -> None:
        self._unsettled = False
        for listener in list(self.settled_listeners):
            try:
                listener()
            except Exception as exc:
                self._keep_error(self[-1], listener, exc)

    def _keep_error(self, event: Event, listener: Callable, exc: Exception) -> None:
        name = getattr(listener, "__qualname__", None) or repr(listener)
        self.listener_errors.append(ListenerError(event, name, f"{type(exc).__name__}: {exc}"))
        log.error("the listener %s raised on %s", name, event, exc_info=exc)
        del self.listener_errors[: -self.MAX_LISTENER_ERRORS]

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` for every new event; returns a function that unsubscribes it."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def subscribe_settled(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener()` once after each operation that added events; returns a function that unsubscribes it."""
        self.settled_listeners.append(listener)
        return lambda: self.settled_listeners.remove(listener) if listener in self.settled_listeners else None

    @property
    def entries(self) -> list[Event]:
        return [Event._make(row) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Event]:
        return map(Event._make, self.rows)

    def __getitem__(self, index: int) -> Event:
        return Event._make(self.rows[index])
