"""What every action shares: the call being answered, its trace, and how a check fails."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import update_wrapper
from itertools import islice
from typing import NoReturn, TypeVar

from ..i18n import _
from ..model.world import TokenRecord, World
from ..rules.catalog import check as lookup_check
from ..rules.known_params import COMMON, SIGNING, unknown_warnings
from ..rules.params import ParamReport, given, whole_number
from ..rules.profile import Api

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10


class ApiFailure(Exception):
    """A check failed: the request is answered with `code` and nothing in the world changed."""

    def __init__(self, check: str, code: str, detail: str = "", param: str = "", variant: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.check = check
        self.code = code
        self.detail = detail
        self.param = param
        self.variant = variant


class Call:
    """One request being answered. `trace` holds the ids of checks that passed, in order, or
    (id, note) pairs when a pass deserves a word (a token replay, a skipped step).

    A plain class with slots rather than a dataclass: one is made per request, so its construction is kept lean."""

    __slots__ = ("action", "params", "token_fingerprint", "token_key", "trace", "warnings", "world")

    def __init__(self, world: World, action: str, params: dict[str, str]) -> None:
        self.world = world
        self.action = action
        self.params = params
        self.trace: list = []
        self.warnings: list[str] = []
        self.token_key = ""
        self.token_fingerprint = ""

    def passed(self, check_id: str, note: str | Callable[[], str] = "") -> None:
        """Record a passed check; a note may be a function, called only if someone reads the trace."""
        self.trace.append((check_id, note) if note else check_id)

    def fail(self, check_id: str, detail: str = "", param: str = "", variant: str = "") -> NoReturn:
        raise ApiFailure(check_id, lookup_check(check_id).code_under(self.world.api), detail, param, variant)

    def expect(self, ok: bool, check_id: str, detail: str = "", param: str = "") -> None:
        """Pass `check_id` if `ok`, else fail with its code. `detail` says why, in the learner's terms."""
        if ok:
            self.trace.append(check_id)
        else:
            self.fail(check_id, detail, param)

    # ------------------------------------------------------------------ parameters

    def require(self, *names: str) -> None:
        for name in names:
            if not self.params.get(name):
                self.fail(
                    "Required.present", _("{name} is required by {action}").format(name=name, action=self.action), name
                )
        self.trace.append("Required.present")

    def opt(self, name: str) -> str | None:
        return given(self.params, name)

    def region(self) -> None:
        """RegionId is required where the real API wants it, and must be the lab's region."""
        region = self.params.get("RegionId") or self.params.get("regionId")
        if not region:
            self.fail("Required.present", _("RegionId is required by {action}").format(action=self.action), "RegionId")
        self.expect(
            region == self.world.region,
            "RegionId.known",
            _("RegionId {region!r} is not this lab's region ({region2})").format(
                region=region[:40], region2=self.world.region
            ),
            "RegionId",
        )

    def integer(self, name: str, default: int, low: int, high: int, check_id: str) -> int:
        text = self.opt(name)
        if text is None:
            return default
        number = whole_number(text, True)
        if number is None or not low <= number <= high:
            self.fail(
                check_id,
                _("{name} is {text!r}; it must be a whole number from {low} to {high}").format(
                    name=name, text=text[:40], low=low, high=high
                ),
                name,
            )
        return number

    def boolean(self, name: str, default: bool = False) -> bool:
        text = self.opt(name)
        if text is None:
            return default
        lowered = text.lower()
        if lowered not in ("true", "false"):
            self.fail(
                "Params.encodable",
                _("{name} is {text!r}; it must be true or false").format(name=name, text=text[:40]),
                name,
            )
        return lowered == "true"

    def paging(self) -> Page:
        number = self.integer("PageNumber", 1, 1, 10**9, "Paging.valid")
        size = self.integer("PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, "Paging.valid")
        self.passed("Paging.valid")
        return Page(number, size)

    def id_list(self, name: str, limit: int = 100, limit_check: str = "") -> list[str] | None:
        """A JSON array of ids such as SnapshotIds=["s-1","s-2"]; None when not given (no filter)."""
        text = self.params.get(name)
        if text is None or text == "":
            return None
        try:
            ids = json.loads(text)
        except (ValueError, RecursionError):
            ids = None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            self.fail(
                "IdList.valid", _('{name} must be a JSON array of strings, like ["x-1","x-2"]').format(name=name), name
            )
        self.passed("IdList.valid")
        if limit_check:
            self.expect(
                len(ids) <= limit,
                limit_check,
                _("{name} holds {count} ids; at most {limit}").format(name=name, count=len(ids), limit=limit),
                name,
            )
        return ids

    # ------------------------------------------------------------------ idempotence of the other create actions

    def replayed(self) -> dict | None:
        """If ClientToken was used before by this action: its first answer (or IdempotentParameterMismatch)."""
        token = self.opt("ClientToken")
        if token is None:
            return None
        self.expect(
            token.isascii() and len(token) <= 64,
            "ClientToken.valid",
            _("ClientToken must be at most 64 ASCII characters"),
            "ClientToken",
        )
        fingerprint = repr(sorted((k, v) for k, v in self.params.items() if k not in NOT_FINGERPRINTED))
        key = f"{self.action}\n{token}"
        record = self.world.tokens.get(key)
        if record is None:
            self.token_key, self.token_fingerprint = key, fingerprint
            self.passed("ClientToken.idempotent", _("a new token"))
            return None
        self.expect(
            record.fingerprint == fingerprint,
            "ClientToken.idempotent",
            _("this ClientToken was used before with other parameters"),
            "ClientToken",
        )
        self.passed("Effect", _("a replay: the first answer again; nothing was created"))
        return dict(record.result)

    def remember(self, result: dict) -> dict:
        if self.token_key:
            self.world.tokens[self.token_key] = TokenRecord(
                self.action, self.token_fingerprint, self.world.now, dict(result), True
            )
        return result


NOT_FINGERPRINTED = SIGNING | {"ClientToken"}  # what may differ between two sends of the same request


@dataclass(frozen=True, slots=True)
class Page:
    """The page a Describe* call asked for (PageNumber from 1, PageSize), and the answer's paged shape."""

    number: int
    size: int

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    def of(self, items: Sequence[T]) -> list[T]:
        """This page of a list in answer order."""
        start = self.start
        return list(items[start : start + self.size])

    def walk(self, items: Iterable[T]) -> list[T]:
        """This page of items walked in answer order, stopping at the page's end."""
        start = self.start
        return list(islice(items, start, start + self.size))

    def cut(self, items: list[T]) -> tuple[list[T], dict]:
        """The page's items (already this page's) and the paging fields of the answer: PageNumber, PageSize."""
        return items, {"PageNumber": self.number, "PageSize": self.size}

    def answer(self, total: int, plural: str, singular: str, items: list[dict]) -> dict:
        """The body: TotalCount, PageNumber, PageSize, then the page's items as {plural: {singular: [...]}}."""
        return {"TotalCount": total, **self.cut(items)[1], plural: {singular: items}}


Handler = Callable[[Call], dict]
ParamRules = Callable[..., ParamReport]  # (wire parameters, *, api=...) -> every violation
REGION_PARAMS = ("RegionId", "regionId")  # the policy actions spell it in lower camel case, as the real API does


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """An action as declared: its handler, what it needs, and its doc.

    `required`: the parameters it cannot do without, checked before the handler runs, in this order (a region
    first, which must also be the lab's region). `rules`: an action whose parameter rules are its own
    (CreateSnapshot's steps 1-6), which `validate` applies instead."""

    name: str
    handler: Handler
    doc: str
    required: tuple[str, ...] = ()
    rules: ParamRules | None = None
    known_seed: frozenset[str] = frozenset()  # every parameter the seed's API has (numbered ones as Tag.N.Key)
    known_now: frozenset[str] = frozenset()  # ... and today's

    def known(self, api: Api) -> frozenset[str]:
        return self.known_now if api is Api.NOW else self.known_seed

    def unknown_warnings(self, params: Mapping[str, str], api: Api) -> list[str]:
        """A warning for each parameter this action does not have in the profile `api` (the API ignores it).
        Every call asks, so the usual case, every name known as sent, is one subset test."""
        known = self.known_now if api is Api.NOW else self.known_seed
        if known.issuperset(params):
            return []
        other = self.known_seed if api is Api.NOW else self.known_now
        return unknown_warnings(self.name, params, known, other - known, api)


ACTIONS: dict[str, ActionSpec] = {}


def action(
    name: str,
    *required: str,
    rules: ParamRules | None = None,
    known: Iterable[str] = (),
    added_now: Iterable[str] = (),
    gone_now: Iterable[str] = (),
) -> Callable[[Handler], Handler]:
    """Register a handler as the answer to `name`; the parameters it requires are checked before it runs. `known`
    are its other parameters in the seed's API; `added_now` and `gone_now` what today's API adds and drops."""
    if any(param in REGION_PARAMS for param in required[1:]):
        raise ValueError(f"{name}: the region is the first requirement checked")
    seed = COMMON | set(required) | set(known)
    if required and required[0] in REGION_PARAMS:
        seed |= set(REGION_PARAMS)  # Call.region reads either spelling
    now = (seed | set(added_now)) - set(gone_now)

    def register(handler: Handler) -> Handler:
        answer = _requiring(handler, required) if required else handler
        doc = (handler.__doc__ or "").strip()
        ACTIONS[name] = ActionSpec(name, answer, doc, required, rules, frozenset(seed), frozenset(now))
        return answer

    return register


def _requiring(handler: Handler, required: tuple[str, ...]) -> Handler:
    region = required[0] in REGION_PARAMS
    others = required[1:] if region else required

    def answer(call: Call) -> dict:
        if region:
            call.region()
        if others:
            call.require(*others)
        return handler(call)

    return update_wrapper(answer, handler)
