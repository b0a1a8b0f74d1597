"""Which parameters an API version knows, and what the lab says of one it does not.

The API ignores a parameter it does not have, so a learner who misspells RetentionDays, or sends today's Category
to the seed's API, gets an answer that looks right and did not do what was meant. The lab answers the same, and
adds a warning naming the parameter and why: not in this API version, or a near miss of a known one. What each
action knows is declared with the action (`@action(..., known=..., known_now=...)`); this module holds the
parameters every request may carry and the wording.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

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
# Documented parameters whose effect the lab does not model: a warning says so rather than calling them unknown.
NOT_MODELLED = {
    "DryRun": "a dry run (the cloud answers DryRunOperation when the request would pass); the lab answers it as a "
    "real request",
}
_NUMBERED = re.compile(r"\.\d+(?=\.|$)")  # Tag.3.Key -> Tag.N.Key, DataDisk.2.Size -> DataDisk.N.Size


def pattern(name: str) -> str:
    """A parameter's name with its numbers as N, as the documentation writes a numbered family."""
    return _NUMBERED.sub(".N", name)


def unknown_warnings(
    action: str, params: Mapping[str, str], known: frozenset[str], known_elsewhere: frozenset[str], api: Api
) -> list[str]:
    """A warning for each parameter of `params` that `known` (patterns, see `pattern`) lacks: a parameter of the
    other profile's API, a near miss of a known one, or neither."""
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
    if shape in NOT_MODELLED:
        return f"{shown} asks for {NOT_MODELLED[shape]}: the lab does not model it."
    if shape in elsewhere:
        if api is Api.SEED:
            return (
                f"{shown} is not a parameter of {action} in the seed's API (the page of 2018-19); today's API has "
                'it (Lab(api="2026")). The API ignores it.'
            )
        return f"{shown} is a parameter of {action} only in the seed's API; today's ignores it."
    near = nearest(shape, known)
    if near is not None:
        return f"{shown} is not a parameter of {action}: did you mean {near}? The API ignores it."
    return f"{shown} is not a parameter of {action} in this API version; the API ignores it."


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known parameter `name` most likely misspells: the same letters in another case, a close spelling, or a
    known name it begins (Retention for RetentionDays)."""
    names = sorted(n for n in known if n not in COMMON)
    folded = {n.casefold(): n for n in names}
    if name.casefold() in folded:
        return folded[name.casefold()]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    if close:
        return close[0]
    starts = [n for n in names if len(name) >= 4 and n.casefold().startswith(name.casefold())]
    return starts[0] if len(starts) == 1 else None
