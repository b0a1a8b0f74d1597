"""The request log: every API call a lab answered, when, with which parameters, and how it ended.

Its own module so that the lab (which appends to it) and persistence (which saves and checks it) share it without
importing each other.
"""

from __future__ import annotations

from typing import NamedTuple


class RequestRecord(NamedTuple):
    """One line of the request log: when, what, with which parameters, and how it ended."""

    at: int
    action: str
    params: dict[str, str]  # the request's parameters as sent on the wire
    status: int
    code: str | None
    request_id: str


MAX_LOGGED_CHARS = 8192  # of parameter names and values one request-log entry keeps (20 full tags fit)
MAX_LOGGED_ACTION = 128  # characters of the action's name an entry keeps


def bounded_params(params: dict[str, str]) -> dict[str, str]:
    """The parameters as the request log keeps them: whole up to MAX_LOGGED_CHARS characters of names and values,
    beyond that cut, with a note of what was left out, so that a request carrying junk costs the log little."""
    if sum(map(len, params)) + sum(map(len, params.values())) <= MAX_LOGGED_CHARS:  # the usual case, in C
        return params
    budget = MAX_LOGGED_CHARS - 200  # room for the notes
    kept: dict[str, str] = {}
    dropped = 0
    for name, value in params.items():
        if budget <= len(name):
            dropped += 1
            continue
        budget -= len(name)
        cut = value[:budget]
        budget -= len(cut)
        kept[name] = cut if len(cut) == len(value) else f"{cut}…(+{len(value) - len(cut)} characters)"
    if dropped:
        kept["…"] = f"{dropped} more parameters not kept"
    return kept


class RequestLog:
    """The request log, stored column by column: no object per request for the garbage collector to scan,
    and columns ready for tables and charts. Each entry is bounded (bounded_params, MAX_LOGGED_ACTION)."""

    FIELDS = RequestRecord._fields

    def __init__(self) -> None:
        self.columns: dict[str, list] = {name: [] for name in self.FIELDS}
        self._append = tuple(self.columns[name].append for name in self.FIELDS)

    def append(self, at: int, action: str, params: dict, status: int, code: str | None, request_id: str) -> None:
        add_at, add_action, add_params, add_status, add_code, add_id = self._append
        add_at(at)
        add_action(action[:MAX_LOGGED_ACTION])
        add_params(bounded_params(params))
        add_status(status)
        add_code(code)
        add_id(request_id)

    def __len__(self) -> int:
        return len(self.columns["at"])

    def records(self) -> list[RequestRecord]:
        return [RequestRecord._make(row) for row in zip(*self.columns.values(), strict=True)]
