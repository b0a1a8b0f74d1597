"""The event log: every state change with its simulated time, for charts and for widgets that observe it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True, slots=True)
class Event:
    at: int
    kind: EventKind
    resource_id: str
    related_id: str = ""  # the disk of a snapshot event, the instance of a disk event
    detail: str = ""


Listener = Callable[[Event], None]


class EventLog:
    """Append-only; listeners are told of each event as it happens (widgets redraw without polling)."""

    def __init__(self) -> None:
        self.entries: list[Event] = []
        self.listeners: list[Listener] = []

    def add(self, at: int, kind: EventKind, resource_id: str, related_id: str = "", detail: str = "") -> None:
        event = Event(at, kind, resource_id, related_id, detail)
        self.entries.append(event)
        for listener in self.listeners:
            listener(event)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` for every new event; returns a function that unsubscribes it."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)
