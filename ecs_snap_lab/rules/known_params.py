"""Which parameters an API version knows, and what the lab says of one it does not.

The API ignores a parameter it does not have, so a learner who misspells RetentionDays, or sends today's Category
to the seed's API, gets an answer that looks right and did not do what was meant. The lab answers the same, and
adds a warning naming the parameter and why: not in this API version, or a near miss of a known one. What each
action knows is declared with the action (`@action(..., known=..., added_now=...)`); what today's official SDK
sends that the lab does not model is in unmodelled.toml; this module holds the parameters every request may carry
and the wording.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

from ..i18n import N_, _
from .profile import Api

# The common request parameters of the RPC style (the seed's "<Common request parameters>"): who signs, how, when.
SIGNING = frozenset(
    {
        "Action",
        "Version",
        "Format",
        "AccessKeyId",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "SignatureType",
        "Timestamp",
        "SecurityToken",
    }
)
# ... and what the SDKs add to any request besides: never a warning.
COMMON = SIGNING | {
    "RegionId",  # the old SDK sends its client's region with every request
    "OwnerId",
    "OwnerAccount",
    "ResourceOwnerId",
    "ResourceOwnerAccount",
}
# What some of the parameters listed in unmodelled.toml ask for, where the warning says it (for the actions that have
# them: today's CreateSnapshot has no DryRun).
NOT_MODELLED = {
    "DryRun": N_(
        "{name} asks for a dry run (the cloud answers DryRunOperation when the request would pass); the lab answers "
        "it as a real request: the lab does not model it."
    ),
}
_NUMBERED = re.compile(r"\.\d+(?=\.|$)")  # Tag.3.Key -> Tag.N.Key, DataDisk.2.Size -> DataDisk.N.Size


def pattern(name: str) -> str:
    """A parameter's name with its numbers as N, as the documentation writes a numbered family."""
    return _NUMBERED.sub(".N", name)


def unknown_warnings(
    action: str, params: Mapping[str, str], known: frozenset[str], known_elsewhere: frozenset[str], api: Api
) -> list[str]:
    """A warning for each parameter of `params` that `known` (patterns, see `pattern`) lacks: a parameter of the
    other profile's API, one the lab does not model, a near miss of a known one, or neither."""
    leftover = params.keys() - known
    if not leftover:
        return []
    found = []
    for name in sorted(leftover):
        shape = pattern(name)
        if shape in known:
            continue
        found.append(_why(action, name, shape, known, known_elsewhere, api))
    return found


def _why(action: str, name: str, shape: str, known: frozenset[str], elsewhere: frozenset[str], api: Api) -> str:
    shown = name[:60]
    if shape in elsewhere:
        if api is Api.SEED:
            return _(
                "{name} is not a parameter of {action} in the seed's API (the page of 2018-19); today's API has "
                'it (Lab(api="2026")). The API ignores it.'
            ).format(name=shown, action=action)
        return _("{name} is a parameter of {action} only in the seed's API; today's ignores it.").format(
            name=shown, action=action
        )
    unmodelled = unmodelled_params(action)
    if shape in unmodelled:
        return _not_modelled(action, shown, shape)
    near = nearest(shape, known)
    if near is not None:
        return _("{name} is not a parameter of {action}: did you mean {near}? The API ignores it.").format(
            name=shown, action=action, near=near
        )
    if shape.partition(".")[0] in unmodelled:  # SystemDisk.Iops, Tag.1.Key where the lab models no tags
        return _not_modelled(action, shown, shape)
    near = nearest(shape, elsewhere)  # a near miss of the other profile's parameter: Instantaccess in the seed
    if near is not None:
        if api is Api.SEED:
            said = _(
                "{name} is not a parameter of {action}: did you mean {near}? Only today's API "
                '(Lab(api="2026")) has it. The API ignores it.'
            )
        else:
            said = _(
                "{name} is not a parameter of {action}: did you mean {near}? Only the seed's API has it. "
                "The API ignores it."
            )
        return said.format(name=shown, action=action, near=near)
    return _("{name} is not a parameter of {action} in this API version; the API ignores it.").format(
        name=shown, action=action
    )


def _not_modelled(action: str, shown: str, shape: str) -> str:
    if shape in NOT_MODELLED:
        return _(NOT_MODELLED[shape]).format(name=shown)
    return _(
        "{name} is a parameter of {action} that the lab does not model (today's official SDK sends it): "
        "the lab ignores it; the real API does not."
    ).format(name=shown, action=action)


@cache
def unmodelled_params(action: str) -> frozenset[str]:
    """What today's official SDK sends for `action` that the lab does not model (unmodelled.toml, read once)."""
    return _unmodelled().get(action, frozenset())


@cache
def _unmodelled() -> dict[str, frozenset[str]]:
    text = resources.files(__package__).joinpath("unmodelled.toml").read_text(encoding="utf-8")
    return {action: frozenset(row["unmodelled"]) for action, row in tomllib.loads(text).items()}


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known parameter `name` most likely misspells: the same letters in another case, a close spelling, or a
    known name it begins (Retention for RetentionDays). The common parameters are not offered, but for the region,
    which an action may require."""
    names = sorted(n for n in known if n not in COMMON or n == "RegionId")
    folded: dict[str, str] = {}
    for n in names:  # sorted: of two spellings, the capitalised one (RegionId before regionId)
        folded.setdefault(n.casefold(), n)
    if name.casefold() in folded:
        return folded[name.casefold()]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    if close:
        return close[0]
    starts = [n for n in names if len(name) >= 4 and n.casefold().startswith(name.casefold())]
    return starts[0] if len(starts) == 1 else None
