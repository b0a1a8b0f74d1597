"""validate(action, params): every violation of the parameter rules, with no world (pure; for as-you-type checks)."""

from __future__ import annotations

from collections.abc import Mapping

from .actions.base import ACTIONS
from .i18n import _
from .rules.catalog import lookup
from .rules.params import Violation, to_wire
from .rules.profile import Api


def validate(action: str, params: Mapping | None = None, api: str = "seed") -> list[Violation]:
    """Every parameter violation of `action` under the API profile `api` ("seed" or "2026"), in check order. Empty
    means the parameters are well formed (the world may still refuse: a disk may not exist, or be busy). What an
    action requires is its declaration (`@action(name, *required)`), the same the call checks."""
    if not isinstance(action, str) or action not in ACTIONS:
        entry = lookup("InvalidAction.NotFound")
        return [
            Violation(
                entry.code,
                "Action",
                entry.message,
                "Action.known",
                _("{action!r} is not an action").format(action=str(action)[:60]),
            )
        ]
    wire, bad = to_wire(params)
    found = [bad] if bad is not None else []
    spec = ACTIONS[action]
    if spec.rules is not None:
        return found + spec.rules(wire, api=Api.parse(api)).violations
    missing = lookup("MissingParameter")
    for name in spec.required:
        if not wire.get(name) and not (name == "RegionId" and wire.get("regionId")):
            found.append(
                Violation(
                    missing.code,
                    name,
                    missing.render(name),
                    "Required.present",
                    _("{name} is required").format(name=name),
                )
            )
    return found


def advise(action: str, params: Mapping | None = None, api: str = "seed") -> list[str]:
    """The warnings a call of `action` with `params` would carry in the profile `api`, without sending it: each
    parameter the API version does not have (it ignores them), and the deprecated spellings CreateSnapshot accepts.
    For widgets that advise as you type; an unknown action or parameters that cannot be sent give none."""
    spec = ACTIONS.get(action) if isinstance(action, str) else None
    wire, bad = to_wire(params)
    if spec is None or bad is not None:
        return []
    chosen = Api.parse(api)
    found = spec.unknown_warnings(wire, chosen)
    if spec.rules is not None:
        found += spec.rules(wire, api=chosen).warnings
    return found
