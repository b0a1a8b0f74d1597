"""The error catalogue and the check table, loaded once from package data (catalog.toml, checks.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

from ..i18n import _
from .profile import Api, differences

T = TypeVar("T")


@dataclass(frozen=True, slots=True, repr=False)
class ErrorEntry:
    """One error the lab can answer with: the seed's words, and how the lab makes it happen."""

    code: str
    http_status: int
    message: str
    description: str
    sentence: str
    trigger: str
    basis: str
    row: int | None = None
    actions: tuple[str, ...] = ()
    variant: str = ""
    api: str = ""  # "2026": today's version of a code the seed also has (another status or message)

    @property
    def origin(self) -> str:
        """ "seed" for a row of the seed's error table, "common" for the other codes the lab uses."""
        return "seed" if self.row is not None else "common"

    def render(self, param: str = "") -> str:
        return self.message.replace("{param}", param) if param else self.message

    def __repr__(self) -> str:
        if self.row is not None and self.variant:
            said = _("<ErrorEntry {code}: HTTP {status}, seed row {row}, {variant}>")
        elif self.row is not None:
            said = _("<ErrorEntry {code}: HTTP {status}, seed row {row}>")
        elif self.variant:
            said = _("<ErrorEntry {code}: HTTP {status}, common, {variant}>")
        else:
            said = _("<ErrorEntry {code}: HTTP {status}, common>")
        return said.format(code=self.code, status=self.http_status, row=self.row, variant=self.variant)

    def _repr_html_(self) -> str:
        from ..display import entry_html  # display imports this module's types for its hints

        return entry_html(self)


@dataclass(frozen=True, slots=True)
class Check:
    """One rule an action applies, and the code it fails with."""

    id: str
    rule: str
    code: str
    basis: str
    source: str
    number: str = ""  # CreateSnapshot's step (DESIGN.md), "" for the checks of the other actions
    applies: str = ""  # "disk" or "volume" for a world check only one kind goes through; "" for both
    api: str = ""  # "2026" for a rule only that profile applies; "" for both
    needs: str = ""  # "instance": a world check of the disk's instance, which a detached disk does not go through
    now_code: str = ""  # the code the 2026 profile answers this check with, where today's page gives another
    difference: str = ""  # the row of differences.toml whose value this rule reads, if the profiles differ on it
    now_rule: str = ""  # the rule as the 2026 profile applies it, where it differs

    def code_under(self, api: Api) -> str:
        """The code this check fails with in the profile `api`."""
        return self.now_code if api is Api.NOW and self.now_code else self.code

    def under(self, api: Api) -> tuple[str, str, str]:
        """(rule, basis, source) as the profile `api` applies this check: where today's documentation differs,
        its rule, "current documentation" and the sentence with its page."""
        if api is not Api.NOW or not self.difference:
            return self.rule, self.basis, self.source
        row = differences()[self.difference]
        return self.now_rule, "current documentation", f"{row.now_source} ({row.page})"


def _load(name: str) -> dict:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def entries() -> tuple[ErrorEntry, ...]:
    rows = _load("catalog.toml")["error"]
    return tuple(ErrorEntry(**{**row, "actions": tuple(row.get("actions", ()))}) for row in rows)


@cache
def checks() -> dict[str, Check]:
    rows = _load("checks.toml")["check"]
    table = {row["id"]: Check(**row) for row in rows}
    if len(table) != len(rows):
        twice = sorted({row["id"] for row in rows if sum(r["id"] == row["id"] for r in rows) > 1})
        raise ValueError(f"checks.toml: {', '.join(twice)} has more than one row")
    return table


@cache
def _index() -> dict[tuple[str, str], ErrorEntry]:
    """(code, action or "") -> entry; the first row of a code wins, so the seed's row is the default."""
    table: dict[tuple[str, str], ErrorEntry] = {}
    for entry in entries():
        if entry.api:
            continue  # today's version of a code: lookup(..., api="2026") finds it
        for action in entry.actions or ("",):
            table.setdefault((entry.code, action), entry)
    return table


def lookup(code: str, action: str = "", variant: str = "", api: str = "seed") -> ErrorEntry:
    """The entry for `code` as `action` answers it (a code's status or message can differ per action), in the
    profile `api`: today's version of a code where the 2026 profile has one."""
    if api == Api.NOW.value:
        today = _today().get(code)
        if today is not None and (not action or not today.actions or action in today.actions):
            return today
    if variant:
        for entry in entries():
            if entry.code == code and entry.variant == variant:
                return entry
    index = _index()
    found = index.get((code, action)) or index.get((code, "")) or next((e for e in entries() if e.code == code), None)
    if found is None:
        raise KeyError(f"no error {code!r} in the catalogue")
    return found


@cache
def _today() -> dict[str, ErrorEntry]:
    return {entry.code: entry for entry in entries() if entry.api}


@cache
def only_in(code: str) -> str:
    """The one API profile that answers `code`, "" when the seed's does: every check failing with it belongs to that
    profile (`api`), or gives it as today's code (`now_code`)."""
    apis = {c.api for c in checks().values() if c.code == code}
    apis |= {Api.NOW.value for c in checks().values() if c.now_code == code}
    return apis.pop() if len(apis) == 1 and "" not in apis else ""


def check(check_id: str) -> Check:
    return checks()[check_id]


def in_table_order(registry: Mapping[str, T]) -> tuple[tuple[str, T], ...]:
    """The (id, rule) pairs of a registry of checks in the order of checks.toml, the one statement of the order.
    Raises KeyError for an id the table lacks: every rule the code applies has its row."""
    table = checks()
    unknown = sorted(registry.keys() - table.keys())
    if unknown:
        raise KeyError(f"checks without a row in checks.toml: {', '.join(unknown)}")
    return tuple((check_id, registry[check_id]) for check_id in table if check_id in registry)


def error_catalog() -> list[ErrorEntry]:
    """Every error the lab knows: the seed's 30 rows in the seed's order, then the common codes it uses."""
    return list(entries())
