"""The answer to one API call: HTTP status, body in the documented JSON and XML shapes, and why it was given."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from . import display
from .i18n import _
from .rules.catalog import check as lookup_check
from .rules.profile import Api

HOST_ID = "ecs.aliyuncs.com"
REPR_CHARS = 60  # of an action's name in a repr (a request can name anything)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One check that ran: its rule, whether it passed, and the seed sentence or decision behind it."""

    check: str
    number: str
    rule: str
    passed: bool
    code: str
    basis: str
    source: str
    detail: str = ""

    def __str__(self) -> str:
        mark = _(display.RESULTS["pass" if self.passed else "FAIL"])
        step = f"{self.number:>3} " if self.number else "    "
        line = f"{step}{mark}  {self.rule}"
        if not self.passed:
            line += f"  -> {self.code}"
        if self.detail:
            line += f"  ({self.detail})"
        return line


class ApiError(Exception):
    """An API call failed: raised by Response.raise_for_status() and the typed helpers (lab.call never raises).
    Carries the response and, for an `except` clause, its code, status, message and request id."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"{response.code} (HTTP {response.status}): {response.message}")
        self.response = response
        self.code = response.code
        self.status = response.status
        self.message = response.message
        self.request_id = response.request_id


@dataclass(slots=True, repr=False)
class Response:
    """What the API answered. `data` is the JSON body as a dict; `trace` says which checks ran and why.

    In a notebook a cell ending in a Response shows it whole (status in colour and words, body, trace table)."""

    action: str
    status: int
    request_id: str
    data: dict[str, Any]
    code: str | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    steps: list = field(default_factory=list)
    failure: tuple[str, str] | None = None  # (check id, detail)
    api: str = "seed"  # the API profile that answered: its rules and their basis are the trace's

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def raise_for_status(self) -> Response:
        """This response if the call succeeded; ApiError otherwise (as `requests` does), so a chain reads
        `lab.call(...).raise_for_status().data`."""
        if not 200 <= self.status < 300:
            raise ApiError(self)
        return self

    @property
    def trace(self) -> list[TraceStep]:
        out = []
        api = Api.parse(self.api)
        for step in self.steps:
            if isinstance(step, str):
                out.append(_step_under(api, step, True, ""))
            elif len(step) == 3:  # (check, function, argument): a note written only when someone reads it
                out.append(_step_under(api, step[0], True, step[1](step[2])))
            else:
                check_id, note = step
                out.append(_step_under(api, check_id, True, note() if callable(note) else note))
        if self.failure is not None:
            out.append(_step_under(api, self.failure[0], False, self.failure[1]))
        return out

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.data, indent=indent, ensure_ascii=False)

    def to_xml(self) -> str:
        root = f"{self.action}Response" if self.ok else "Error"
        return '<?xml version="1.0" encoding="UTF-8"?>' + _element(root, self.data)

    def explain(self) -> str:
        """The answer and the checks behind it, in plain words (what a learner reads first)."""
        head = f"{self.action}: HTTP {self.status} "
        head += "OK" if self.ok else f"{self.code}: {self.message}"
        lines = [head]
        if self.api != Api.SEED:  # the seed's is the default: say so only of the other
            lines.append("  " + _("answered by the {api} profile (today's documentation)").format(api=self.api))
        lines += ["  " + _("warning: {warning}").format(warning=w) for w in self.warnings]
        lines += [f"  {step}" for step in self.trace]
        return "\n".join(lines)

    def __str__(self) -> str:
        if self.ok:
            return f"HTTP {self.status} {self.to_json()}"
        return f"HTTP {self.status} {self.code}: {self.message}"

    def __repr__(self) -> str:
        """Short: the action, the status and the code, or the id a success made."""
        if not self.ok:
            return f"<Response {self.action[:REPR_CHARS]}: HTTP {self.status} {self.code}>"
        made = next((f" {k}={v}" for k, v in self.data.items() if k in display.MADE_IDS and isinstance(v, str)), "")
        return f"<Response {self.action[:REPR_CHARS]}: HTTP {self.status} OK{made}>"

    def _repr_html_(self) -> str:
        return display.response_html(self)


def _step_under(api: Api, check_id: str, passed: bool, detail: str) -> TraceStep:
    check = lookup_check(check_id)
    rule, basis, source = check.under(api)  # the rule in the lab's language: a trace is read, not looked up
    return TraceStep(check.id, check.number, _(rule), passed, check.code, basis, source, detail)


def error_body(request_id: str, code: str, message: str) -> dict:
    return {
        "RequestId": request_id,
        "HostId": HOST_ID,
        "Code": code,
        "Message": message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}",
    }


def _element(tag: str, value: object) -> str:
    """Alibaba's XML convention: a dict is nested elements; a list repeats its parent's tag per item."""
    if isinstance(value, dict):
        inner: list[str] = []
        for key, item in value.items():
            if isinstance(item, list):
                inner.extend(_element(key, x) for x in item)
            else:
                inner.append(_element(key, item))
        return f"<{tag}>{''.join(inner)}</{tag}>"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = ""
    else:
        text = escape(NOT_XML.sub("\ufffd", str(value)))
    return f"<{tag}>{text}</{tag}>"
