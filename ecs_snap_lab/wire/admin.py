"""The local endpoint's admin path: the lab's clock, faults and a reset over HTTP, for the host of a workshop.

    POST /admin/advance?hours=2        {"Now": ..., "Snapshots": ..., ...}   (header X-Admin-Token: <token>)
    POST /admin/fault?kind=InternalError&action=DescribeSnapshots&times=2
    POST /admin/reset                  the lab the endpoint started with
    GET  /admin/state

Decisions (issue 14: the path was open to any web page the instructor's browser visited):
- Authenticated: every call carries the header X-Admin-Token with the endpoint's admin token, random for each
  endpoint unless given (`ecs-snap-lab serve --admin` prints it), compared in constant time. Missing or wrong:
  403 Forbidden.AdminToken, whatever the operation.
- Not for browsers: a request carrying Origin or a Sec-Fetch-* header (browsers add them; scripts do not) is
  refused (403 Forbidden.CrossOrigin). A body must be a JSON object sent as application/json, which no page can
  send to another origin without a preflight the endpoint never grants; form, text and multipart bodies (the
  ones a page can send) are refused (415 UnsupportedMediaType). Parameters may also go in the query string.
- Bounded: one advance moves the clock at most MAX_ADVANCE_DAYS days (for Lab.demo() 12-30 ms with the
  lab's lock held; the issue held it 11.9 s with days=10000); faults are bounded where they are armed
  (model.faults: times, seconds, how many at once). Numbers are ASCII decimals; an unknown parameter is refused,
  so that a typo (`hour=1`) does not pass as a no-op.
- JSON in and out: the lab's state, or {"Code", "Message"} for a refusal.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import Service

ADMIN_PREFIX = "/admin/"
TOKEN_HEADER = "X-Admin-Token"
MIN_TOKEN_LENGTH = 16
MAX_ADVANCE_DAYS = 31
MAX_TEXT = 128  # characters of a fault's kind, action or disk id
BROWSER_HEADERS = ("origin", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest")
NUMBER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
INTEGER = re.compile(r"[0-9]{1,9}")
UNITS = ("days", "hours", "minutes", "seconds")
FAULT_NUMBERS = ("times", "seconds", "at_progress")
FAULT_TEXTS = ("kind", "disk_id", "action")
OPERATIONS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {  # methods, parameters
    "state": (("GET", "POST"), frozenset()),
    "advance": (("POST",), frozenset(UNITS)),
    "fault": (("POST",), frozenset(FAULT_NUMBERS + FAULT_TEXTS)),
    "reset": (("POST",), frozenset()),
}


class AdminRefusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class Admin:
    """The admin path of one endpoint: its token, the state it resets to, and the operations."""

    def __init__(self, endpoint: Service, token: str | None = None) -> None:
        if token is not None and len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"an admin token has at least {MIN_TOKEN_LENGTH} characters")
        self.endpoint = endpoint
        self.token = token or secrets.token_urlsafe(24)
        self._start = json.dumps(endpoint.lab.to_document())

    def answer(
        self, method: str, operation: str, query: Mapping[str, str], fields: Mapping[str, str], body: bytes
    ) -> tuple[int, dict]:
        """(HTTP status, JSON body) for one admin request; refused unless it is from a script with the token."""
        try:
            self._check_caller(fields)
            methods, allowed = OPERATIONS.get(operation, ((), frozenset()))
            if method not in methods:
                raise AdminRefusal(404, "InvalidAction.NotFound", f"no admin operation {method} {operation[:40]}")
            params = {**query, **_json_body(fields, body)}
            unknown = sorted(set(params) - allowed)
            if unknown:
                raise AdminRefusal(400, "InvalidParameter", f"{operation} takes no parameter {unknown[0][:40]!r}")
            return 200, self._run(operation, params)
        except AdminRefusal as exc:
            return exc.status, {"Code": exc.code, "Message": exc.message}
        except (ValueError, TypeError) as exc:
            return 400, {"Code": "InvalidParameter", "Message": str(exc)[:300]}

    def _check_caller(self, fields: Mapping[str, str]) -> None:
        if any(name in fields for name in BROWSER_HEADERS):
            raise AdminRefusal(
                403, "Forbidden.CrossOrigin", "the admin path answers scripts, not web pages (Origin or Sec-Fetch-*)"
            )
        given = fields.get(TOKEN_HEADER.lower(), "")
        if not hmac.compare_digest(given.encode("utf-8", "surrogatepass"), self.token.encode("utf-8")):
            raise AdminRefusal(
                403, "Forbidden.AdminToken", f"the admin path needs the {TOKEN_HEADER} header the endpoint printed"
            )

    def _run(self, operation: str, params: Mapping[str, str]) -> dict:
        endpoint = self.endpoint
        if operation == "advance":
            amounts = {unit: _number(params, unit, NUMBER, float) for unit in UNITS}
            total = amounts["days"] * 86400 + amounts["hours"] * 3600 + amounts["minutes"] * 60 + amounts["seconds"]
            if total > MAX_ADVANCE_DAYS * 86400:
                raise ValueError(f"one advance moves the clock at most {MAX_ADVANCE_DAYS} days; call it again")
            with endpoint.lock:
                endpoint.lab.advance(**amounts)
        elif operation == "fault":
            options: dict[str, Any] = {name: _number(params, name, INTEGER, int) for name in FAULT_NUMBERS}
            options = {name: value for name, value in options.items() if name in params}
            for name in FAULT_TEXTS:
                if len(params.get(name, "")) > MAX_TEXT:
                    raise ValueError(f"{name} is at most {MAX_TEXT} characters")
            options.update({name: params[name] for name in ("disk_id", "action") if name in params})
            with endpoint.lock:
                endpoint.lab.faults.inject(params.get("kind", ""), **options)
        elif operation == "reset":
            with endpoint.lock:
                endpoint.lab = type(endpoint.lab).from_document(json.loads(self._start))
        with endpoint.lock:
            return self.state()

    def state(self) -> dict:
        lab = self.endpoint.lab
        return {
            "Now": lab.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Snapshots": len(lab.snapshots),
            "Disks": len(lab.disks),
            "Requests": len(lab.request_log),
            "Faults": [{"Kind": f.kind.value, "Action": f.action, "Times": f.times} for f in lab.faults.armed],
        }


def _number(params: Mapping[str, str], name: str, pattern: re.Pattern, kind: type) -> Any:
    text = params.get(name, "0")
    if pattern.fullmatch(text) is None:
        raise ValueError(f"{name} is a number of ASCII digits, not {text[:20]!r}")
    return kind(text)


def _json_body(fields: Mapping[str, str], body: bytes) -> dict[str, str]:
    """The parameters of a JSON object body (strings and numbers), or none without a body."""
    if not body:
        return {}
    if fields.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise AdminRefusal(415, "UnsupportedMediaType", "an admin body is a JSON object sent as application/json")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict) or not all(
        type(value) in (str, int, float) for value in data.values()
    ):  # a bool is no number here
        raise ValueError("the body is a JSON object of strings and numbers")
    return {name: str(value) for name, value in data.items()}
