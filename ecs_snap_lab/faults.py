"""lab.faults: arm failures on purpose, to teach retries, ClientToken and what a 500 does and does not mean."""

from __future__ import annotations

from .i18n import _
from .model.faults import MAX_ARMED, MAX_SECONDS, MAX_TIMES, Fault, FaultKind
from .model.world import World


class Faults:
    """Armed faults fire on the next matching request, `times` times, then disarm."""

    def __init__(self, world: World) -> None:
        self._world = world

    def inject(
        self,
        kind: str,
        *,
        times: int = 1,
        seconds: int = 60,
        at_progress: int = 50,
        disk_id: str | None = None,
        action: str = "CreateSnapshot",
    ) -> Fault:
        """Arm a fault. Kinds: InternalError (before any effect), LostResponse (after the snapshot was made),
        CreateSnapshot.Failed, SlowRequest (processing takes `seconds`), SnapshotFails (fails at `at_progress` %)."""
        fault_kind = FaultKind(kind)
        if not 1 <= times <= MAX_TIMES:
            raise ValueError(_("times must be 1 to {MAX_TIMES}").format(MAX_TIMES=MAX_TIMES))
        if not 1 <= seconds <= MAX_SECONDS:
            raise ValueError(_("seconds must be 1 to {MAX_SECONDS}").format(MAX_SECONDS=MAX_SECONDS))
        if not 0 <= at_progress <= 99:
            raise ValueError(_("at_progress must be 0 to 99"))
        if fault_kind is not FaultKind.INTERNAL_ERROR and action != "CreateSnapshot":
            raise ValueError(
                _("{kind} applies to CreateSnapshot only; InternalError applies to any action").format(kind=kind)
            )
        if len(self._world.faults) >= MAX_ARMED:
            raise ValueError(_("{MAX_ARMED} faults are armed already; clear some first").format(MAX_ARMED=MAX_ARMED))
        fault = Fault(fault_kind, action, int(times), int(seconds), int(at_progress), disk_id)
        self._world.faults.append(fault)
        return fault

    @property
    def armed(self) -> list[Fault]:
        return list(self._world.faults)

    def clear(self) -> None:
        self._world.faults.clear()
