"""Issue 14, "the endpoint holds in a hostile room": every attack the issue lists, reproduced, and refused.

Each test names the attack it replays. The endpoint tests talk HTTP to 127.0.0.1 only, with bounded loops; every
server listens on port 0 and is stopped by its fixture. The soak is in test_reliability_soak.py."""

from __future__ import annotations

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.actions.base import ACTIONS

# ---------------------------------------------------------------- a str whose str() raises


class Hostile(str):
    """A str subclass whose str(), repr() and format() raise: what a parameter reader must never trip on."""

    def __str__(self) -> str:
        raise RuntimeError("str() of a hostile string")

    __repr__ = __format__ = __str__  # type: ignore[assignment]


class HostileInt(int):
    def __str__(self) -> str:
        raise RuntimeError("str() of a hostile int")

    __repr__ = __str__


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize(
    "params",
    [{"DiskId": Hostile("d-x")}, {Hostile("DiskId"): "d-x"}, {"Size": HostileInt(40)}],
    ids=["value", "name", "int"],
)
def test_a_parameter_whose_str_raises_is_an_invalid_parameter(action: str, params: dict) -> None:
    lab = Lab(seed=1)
    response = lab.call(action, {"RegionId": lab.region, **params})
    assert (response.status, response.code) == (400, "InvalidParameter")  # was 500 InternalError in 19 actions
    assert lab.internal_errors == []
