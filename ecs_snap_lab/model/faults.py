"""Injected faults: what goes wrong on purpose, so a learner can practise retries and idempotence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_TIMES = 1000  # how many times one armed fault may fire
MAX_SECONDS = 86400  # the longest a SlowRequest may take (a day)
MAX_ARMED = 100  # faults armed at once


class FaultKind(StrEnum):
    INTERNAL_ERROR = "InternalError"  # fails before any effect: nothing created, a retry is safe
    LOST_RESPONSE = "LostResponse"  # the snapshot is created, then the answer is lost (500)
    CREATE_FAILED = "CreateSnapshot.Failed"  # the storage back end refuses: nothing created (403)
    SLOW_REQUEST = "SlowRequest"  # accepted, still processing for `seconds`; the caller gets a 500 meanwhile
    SNAPSHOT_FAILS = "SnapshotFails"  # created, then fails while progressing at `at_progress` percent


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    action: str = "CreateSnapshot"
    times: int = 1
    seconds: int = 60
    at_progress: int = 50
    disk_id: str | None = None

    def matches(self, kind: FaultKind, action: str, disk_id: str | None) -> bool:
        return (
            self.kind is kind
            and self.action == action
            and self.times > 0
            and (self.disk_id is None or self.disk_id == disk_id)
        )
