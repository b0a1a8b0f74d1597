"""A local ECS endpoint: the official SDKs (and curl, and the aliyun CLI) talk to a Lab over HTTP.

    from ecs_snap_lab.wire.server import serve
    with serve(lab, port=0, access_keys={"LTAItest": "secret"}) as endpoint:
        endpoint.endpoint     # "127.0.0.1:PORT", what the SDKs take
        endpoint.url          # "http://127.0.0.1:PORT/"

The RPC style as ECS answers it: GET or POST on "/", query and form body merged, the v1 signature (query
parameters) or the V3 one (Authorization header) checked by ecs_snap_lab.wire.auth, then `lab.call(Action, the
action's own parameters)`, and the Response written as XML or JSON with its HTTP status.

Decisions:
- Format: the Format parameter (json or xml, any case) decides; without one (the new SDK's V3 requests) a JSON
  Accept header gets JSON; otherwise XML, ECS's default. XML goes out as `text/xml;charset=utf-8` (the content
  type the new SDK looks for to read an XML error), JSON as `application/json;charset=utf-8`. Every refusal, down
  to a broken request line, is an API error in that shape, never an HTML page.
- Order of the checks: HTTP framing (request line, headers, Content-Length), method, encoding, path, Format,
  authentication (auth.py), Version, then the lab (unknown actions get the lab's InvalidAction.NotFound). The
  common parameters (Action, Version, Format, AccessKeyId, Signature*, Timestamp...) are not passed to the lab:
  its request log shows the action's own.
- Strict HTTP (issue 14): a header sent twice is refused (InvalidParameter naming it: which value counts would be
  ambiguous, e.g. x-acs-action); Content-Length is ASCII digits only; a POST without Content-Length (411
  LengthRequired: Python's http.client and the SDKs send `Content-Length: 0`) or with a chunked body (413) is
  refused and the connection closed, so a body can never be read as the next request. Any refusal made before the
  body was read closes the connection.
- A parameter sent twice in the query (or twice in the body) is refused (InvalidParameter naming it): which value
  was signed would be ambiguous. One in the query and one in the body: the body's wins, as the old SDK signs it.
- Bounds, each a setting of `Limits` (defaults below): the request line (414), the header block (431), the body
  (413), connections at once (a connection over the bound is answered ServiceUnavailable, 503, and closed without
  a thread), the seconds an idle keep-alive connection is kept, the records kept. Nonces (auth.py) and request-log
  entries (lab.bounded_params) are bounded where they are kept.
- Thread safety: one lock around the lab (every lab.call and admin operation); the signature checks run outside
  it. Code in the same process that uses the lab while the endpoint runs takes `endpoint.lock` too.
- AccessKeys: with none given, one pair made at random (`secrets`) for this endpoint, never derived from anything
  in the source; `ecs-snap-lab serve` prints it.
- RequestIds of refusals that never reach the lab come from a generator of the endpoint's own (seeded from the
  lab's seed), so serving never changes the lab's own ids.
- The admin path (`/admin/state`, `/admin/advance`, `/admin/fault`, `/admin/reset`; parameters in the query
  string or a JSON object body, JSON out) exists only with admin=True; otherwise /admin/... is an unknown path like
  any other. See admin.py for how it is authenticated and bounded.
- Listening beyond the loopback interface warns (ExposedEndpointWarning): the endpoint speaks plain HTTP.
- Errors of the endpoint itself (a bug) answer 500 InternalError, keep the traceback in `internal_errors` (the
  newest MAX_INTERNAL_ERRORS) and log it (logger `ecs_snap_lab.wire.server`, ERROR).
- Two transports, one answer: `Service.respond` does everything after the HTTP parsing (header and length
  checks, the body, then `handle`, the record and the access-log line). The threading server below (`Endpoint`)
  calls it, and so does the WSGI application (wsgi.py), which says which protections then fall to the host.
- The access log: one Common Log Format line per request on the logger `ecs_snap_lab.wire.access` (accesslog.py);
  `ecs-snap-lab serve` writes it to stderr unless --quiet.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import logging
import random
import re
import secrets
import socket
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from ..i18n import _
from ..response import Response, error_body
from ..rules.known_params import SIGNING
from .accesslog import access_log, common_log_line
from .admin import ADMIN_PREFIX, Admin
from .auth import AuthFailure, Verifier, error_entry
from .signature import VERSION

if TYPE_CHECKING:
    from ..lab import Lab

log = logging.getLogger(__name__)
MAX_FIELDS = 1000
MAX_INTERNAL_ERRORS = 100
XML = "text/xml;charset=utf-8"
JSON = "application/json;charset=utf-8"
COMMON_PARAMETERS = SIGNING  # the signing's, not the action's: not passed on to the lab
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
_VARIANT = "89AB"
_KEY_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


@dataclass(frozen=True, slots=True)
class Limits:
    """What one endpoint accepts at most: each bound keeps a hostile client from taking the memory or the threads
    of a room's endpoint. The defaults fit the official SDKs with room to spare."""

    max_body: int = 64 * 1024  # bytes of body (413 beyond)
    max_request_line: int = 64 * 1024  # bytes of method, path and query string (414 beyond)
    max_header_bytes: int = 16 * 1024  # bytes of all header lines together (431 beyond; at most 100 headers)
    max_connections: int = 64  # open at once, one thread each (503 and closed beyond)
    idle_seconds: float = 60  # a connection with nothing to say for this long is closed
    max_nonces: int = 50_000  # remembered at once (auth.py; 503 when all are still in their window)
    max_records: int = 10_000  # WireRecords kept in endpoint.records (the newest)


class ExposedEndpointWarning(UserWarning):
    """The endpoint listens beyond this machine's loopback interface."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer, and what the request log keeps of it."""

    status: int
    content_type: str
    body: bytes
    action: str = ""
    code: str | None = None
    scheme: str = ""
    user: str = ""  # the AccessKeyId whose signature was verified


@dataclass(frozen=True, slots=True)
class WireRecord:
    """One request the endpoint answered: how, with what, and how long the server took (seconds)."""

    method: str
    action: str
    scheme: str
    status: int
    code: str | None
    seconds: float


class _Incoming(NamedTuple):
    """A request past its framing, with its parameters (query and form body merged) and headers by name."""

    method: str
    path: str
    query: dict[str, str]
    params: dict[str, str]
    headers: list[tuple[str, str]]
    fields: dict[str, str]
    body: bytes


class _BadRequest(Exception):
    def __init__(self, code: str, param: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.param = param


def new_access_key() -> tuple[str, str]:
    """A fresh AccessKey pair that looks like a real one, made with `secrets`: nobody can know it in advance."""
    key_id = "LTAI" + "".join(secrets.choice(_KEY_LETTERS) for _ in range(20))
    secret = "".join(secrets.choice(_KEY_LETTERS) for _ in range(30))
    return key_id, secret


def is_loopback(host: str) -> bool:
    """Whether an address the endpoint is bound to is reachable from this machine only."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def single_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The headers by lower-case name; _BadRequest for a header sent twice (which one counts would be ambiguous)."""
    fields: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in fields:
            raise _BadRequest("InvalidParameter", f"{key[:60]} (sent twice)")
        fields[key] = value
    return fields


def content_length(method: str, fields: Mapping[str, str], max_body: int) -> int:
    """The body's length from a strict Content-Length; _BadRequest for anything else."""
    if "transfer-encoding" in fields:
        raise _BadRequest("RequestEntityTooLarge", "a body must come with its Content-Length")
    text = fields.get("content-length")
    if text is None:
        if method == "POST":  # whether a body follows would be a guess: a wrong one reads it as the next request
            raise _BadRequest("LengthRequired", "POST")
        return 0
    if CONTENT_LENGTH.fullmatch(text.strip(" \t")) is None:
        raise _BadRequest("InvalidParameter", "Content-Length")
    length = int(text)
    if length > max_body:
        raise _BadRequest("RequestEntityTooLarge", f"{max_body} bytes of body")
    return length


def _form(text: str) -> dict[str, str]:
    """Parameters of a query string or form body; _BadRequest for a broken encoding or a repeated name."""
    if not text:
        return {}
    if not text.isascii():
        raise _BadRequest("InvalidParameter", "the query string or body (not percent-encoded ASCII)")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise _BadRequest("InvalidParameter", "the query string or body (not UTF-8)") from None
    except ValueError:
        raise _BadRequest("InvalidParameter", f"the query string or body (over {MAX_FIELDS} parameters)") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise _BadRequest("InvalidParameter", name[:100])
        params[name] = value
    return params


def _wanted(fields: Mapping[str, str]) -> str:
    accept = fields.get("accept", "").lower()
    return JSON if "json" in accept and "xml" not in accept else XML


class Service:
    """The endpoint's answering half, with no socket: keys, signature checks, the lab's lock, records and the admin
    path. `respond` takes one request off any transport (the socket server below, or a WSGI server through
    ecs_snap_lab.wire.wsgi) and applies every check that transport leaves to it."""

    def __init__(
        self,
        lab: Lab,
        *,
        access_keys: Mapping[str, str] | None = None,
        admin: bool = False,
        admin_token: str | None = None,
        limits: Limits = Limits(),
        wall_clock: Callable[[], float] = time.time,
        on_request: Callable[[WireRecord], None] | None = None,
    ) -> None:
        self.lab = lab
        self.limits = limits
        self.on_request = on_request
        self.wall_clock = wall_clock
        if access_keys is None:
            access_keys = dict([new_access_key()])
        if not access_keys:
            raise ValueError("an endpoint needs at least one AccessKey pair")
        self.access_keys: dict[str, str] = dict(access_keys)
        self.verifier = Verifier(
            self.access_keys,
            wall_clock=wall_clock,
            lab_clock=lambda: float(self.lab.now_seconds),
            max_nonces=limits.max_nonces,
        )
        self.lock = threading.RLock()
        self.records: deque[WireRecord] = deque(maxlen=limits.max_records)
        self.internal_errors: list[str] = []
        self._ids = random.Random(f"ecs_snap_lab endpoint {lab.seed}")
        self.admin: Admin | None = Admin(self, admin_token) if admin else None

    @property
    def admin_token(self) -> str | None:
        """The token the admin path requires in its X-Admin-Token header (None without admin)."""
        return self.admin.token if self.admin else None

    @property
    def max_body(self) -> int:
        return self.limits.max_body

    def server_times(self) -> list[float]:
        """Seconds the server spent on each request it answered (reading the body to writing the answer)."""
        return [record.seconds for record in list(self.records)]

    def keep_error(self, where: str) -> None:
        """Inside an `except`: keep the traceback (the newest MAX_INTERNAL_ERRORS) and log it."""
        self.internal_errors.append(traceback.format_exc())
        del self.internal_errors[:-MAX_INTERNAL_ERRORS]
        log.exception("the endpoint failed %s", where)

    # ------------------------------------------------------------------ answering

    def respond(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        read: Callable[[int], bytes],
        client: str = "-",
        request_line: str = "",
    ) -> tuple[Reply, bool] | None:
        """One request from a transport: the strict header and Content-Length checks, the body read (at most
        max_body bytes, with `read`), then handle(); recorded and logged. Returns the reply and whether the
        connection must close, or None when the client went away mid-body."""
        start = time.perf_counter()
        close = method not in ("GET", "POST")  # refused anyway; a body it sent without a length must not follow
        try:
            fields = single_headers(headers)
            length = content_length(method, fields, self.max_body)
        except _BadRequest as exc:
            reply = self._refusal(exc.code, exc.param, _wanted({k.lower(): v for k, v in headers}))
            close = True
        else:
            body = read(length) if length else b""
            if len(body) < length:
                return None
            reply = self.handle(method, target, headers, body)
        self._record(method, reply, time.perf_counter() - start, client, request_line)
        return reply, close

    def handle(self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes = b"") -> Reply:
        """Answer one request (no socket involved): what the HTTP handler calls, and what tests can call."""
        try:
            return self._handle(method.upper(), target, list(headers), body)
        except Exception:  # a bug of the endpoint: answer as a server would, keep the traceback
            self.keep_error(f"answering {method[:16]!r} {target[:200]!r}")
            return self._refusal("InternalError", "", XML, variant="after")

    def _handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        try:
            fields = single_headers(headers)
        except _BadRequest as exc:
            return self._refusal(exc.code, exc.param, XML)
        wanted = _wanted(fields)
        if method not in ("GET", "POST"):
            return self._refusal("UnsupportedHTTPMethod", "", wanted)
        parts = urlsplit(target)
        path = parts.path or "/"
        try:
            query = _form(parts.query)
            if self.admin is not None and path.startswith(ADMIN_PREFIX):
                status, answer = self.admin.answer(method, path[len(ADMIN_PREFIX) :], query, fields, body)
                return Reply(status, JSON, json.dumps(answer).encode("utf-8"), "admin", answer.get("Code"), "admin")
            form = self._form_body(fields, body)
        except _BadRequest as exc:
            return self._refusal(exc.code, exc.param, wanted)
        if path != "/":
            return self._refusal("InvalidAction.NotFound", "", wanted)
        params = {**query, **form}
        fmt = params.get("Format")
        if fmt is not None:
            if fmt.lower() not in ("json", "xml"):
                return self._refusal("InvalidParameter", "Format", XML)
            wanted = JSON if fmt.lower() == "json" else XML
        return self._answer(_Incoming(method, path, query, params, headers, fields, body), wanted)

    @staticmethod
    def _form_body(fields: Mapping[str, str], body: bytes) -> dict[str, str]:
        if not body or fields.get("content-type", "").split(";")[0].strip().lower() not in (
            "",
            "application/x-www-form-urlencoded",
        ):
            return {}
        try:
            text = body.decode("ascii")
        except UnicodeDecodeError:
            raise _BadRequest("InvalidParameter", "the body (not percent-encoded ASCII)") from None
        return _form(text)

    def _answer(self, incoming: _Incoming, wanted: str) -> Reply:
        """Authenticate, then let the lab answer."""
        method, path, query, params, headers, fields, body = incoming
        try:
            if fields.get("authorization", "").startswith("ACS3-"):
                verified = self.verifier.verify_v3(method, path, query, headers, body)
                action = fields.get("x-acs-action", "")
                version = fields.get("x-acs-version")
            elif "authorization" in fields:
                raise AuthFailure("IncompleteSignature", detail="an Authorization header that is not ACS3-")
            else:
                verified = self.verifier.verify_v1(method, params)
                action = params.get("Action", "")
                version = params.get("Version")
        except AuthFailure as exc:
            scheme = "v3" if "authorization" in fields else "v1"
            named = fields.get("x-acs-action", "") if scheme == "v3" else params.get("Action", "")
            return self._refusal(exc.code, exc.param, wanted, named[:100], scheme)
        user = verified.access_key_id
        if not action:
            return self._refusal("MissingParameter", "Action", wanted, scheme=verified.scheme, user=user)
        if version is None:
            return self._refusal("MissingParameter", "Version", wanted, action, verified.scheme, user=user)
        if version != VERSION:
            return self._refusal("InvalidVersion", "", wanted, action, verified.scheme, user=user)
        own = {name: value for name, value in params.items() if name not in COMMON_PARAMETERS}
        try:
            with self.lock:
                response = self.lab.call(action, own)
            return self._render(response, wanted, verified.scheme, user)
        except Exception:  # the lab never raises; something else did: answer in the format asked for
            self.keep_error(f"handing {action[:100]!r} to the lab")
            return self._refusal("InternalError", "", wanted, action, verified.scheme, variant="after", user=user)

    def _render(self, response: Response, content_type: str, scheme: str = "", user: str = "") -> Reply:
        text = response.to_json() if content_type == JSON else response.to_xml()
        body = text.encode("utf-8")
        return Reply(response.status, content_type, body, response.action, response.code, scheme, user)

    def _refusal(
        self,
        code: str,
        param: str,
        content_type: str,
        action: str = "",
        scheme: str = "",
        variant: str = "",
        user: str = "",
    ) -> Reply:
        """An API error answered by the endpoint itself, in the API's shape."""
        if variant:
            from ..rules.catalog import lookup

            entry = lookup(code, variant=variant)
        else:
            entry = error_entry(code)
        message = entry.render(param)
        request_id = self._request_id()
        response = Response(action, entry.http_status, request_id, error_body(request_id, code, message), code, message)
        return self._render(response, content_type, scheme, user)

    def _request_id(self) -> str:
        h = self._ids.randbytes(16).hex().upper()  # one C call: atomic for the handler threads
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def _record(self, method: str, reply: Reply, seconds: float, client: str = "-", request_line: str = "") -> None:
        """Keep the request in `records`, tell `on_request`, and write its access-log line (accesslog.py)."""
        record = WireRecord(method, reply.action, reply.scheme, reply.status, reply.code, seconds)
        self.records.append(record)
        if self.on_request is not None:
            try:
                self.on_request(record)
            except Exception:
                self.keep_error("in on_request")
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                common_log_line(client, reply.user, self.wall_clock(), request_line, reply.status, len(reply.body))
            )


class Endpoint(Service):
    """A running local endpoint on a Lab: a Service behind a threading HTTP server. Made by serve(); stop() (or
    leaving the `with`) stops it."""

    def __init__(
        self,
        lab: Lab,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_keys: Mapping[str, str] | None = None,
        admin: bool = False,
        admin_token: str | None = None,
        limits: Limits = Limits(),
        wall_clock: Callable[[], float] = time.time,
        on_request: Callable[[WireRecord], None] | None = None,
    ) -> None:
        super().__init__(
            lab,
            access_keys=access_keys,
            admin=admin,
            admin_token=admin_token,
            limits=limits,
            wall_clock=wall_clock,
            on_request=on_request,
        )
        self._server = _Server((host, port), _Handler, bind_and_activate=False)
        self._server.endpoint = self
        try:
            self._server.server_bind()
            self._server.server_activate()
        except OSError:
            self._server.server_close()
            raise
        bound_host, bound_port = self._server.server_address[:2]
        self.host, self.port = str(bound_host), int(bound_port)  # an AF_INET address: (str, int)
        if not is_loopback(self.host):
            warnings.warn(
                _(
                    "the endpoint listens on {host}:{port}, beyond this machine: anyone who can reach it can "
                    "call it over plain HTTP. A room-facing endpoint needs its own --access-key pairs (never printed "
                    "to the room), the admin token kept to the instructor, and a firewall (see docs/reference.md: "
                    "What the endpoint promises, and what it does not)."
                ).format(host=self.host, port=self.port),
                ExposedEndpointWarning,
                stacklevel=3,
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=f"ecs-snap-lab {self.port}"
        )
        self._thread.daemon = True
        self._stopped = False

    # ------------------------------------------------------------------ facts

    @property
    def endpoint(self) -> str:
        """host:port, what the SDKs take as their endpoint."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopped

    @property
    def open_connections(self) -> int:
        return self._server.active

    def snippet(self, sdk: str = "old") -> str:
        """Paste-ready Python that lists this endpoint's snapshots with its first key: sdk="old"
        (aliyun-python-sdk-ecs) or "new" (alibabacloud_ecs20140526), written by `exports` like every other export."""
        from .exports import core_sdk_snippet, tea_sdk_snippet

        key_id, secret = next(iter(self.access_keys.items()))
        make = {"old": core_sdk_snippet, "new": tea_sdk_snippet}.get(sdk)
        if make is None:
            raise ValueError('sdk is "old" or "new"')
        return make(
            "DescribeSnapshots",
            {"RegionId": self.lab.region},
            key_id,
            secret,
            endpoint=self.endpoint,
            region_id=self.lab.region,
        )

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Endpoint {self.url} {state}: {len(self.access_keys)} key(s), admin {'on' if self.admin else 'off'}>"

    # ------------------------------------------------------------------ life

    def start(self) -> Endpoint:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._server.close_all()
        self._thread.join(timeout=10)

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    """One thread per connection, at most `max_connections` of them: a connection over the bound is answered
    503 ServiceUnavailable at once by the accepting thread, and closed."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    endpoint: Endpoint

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.active = 0
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            admitted = self.active < self.endpoint.limits.max_connections
            if admitted:
                self.active += 1
                self._open.add(request)
        if admitted:
            super().process_request(request, client_address)
        else:
            self._turn_away(request, str(client_address[0]))

    def shutdown_request(self, request: Any) -> None:
        try:
            super().shutdown_request(request)
        finally:
            with self._open_lock:
                if request in self._open:
                    self._open.discard(request)
                    self.active -= 1

    def _turn_away(self, request: socket.socket, client: str) -> None:
        endpoint = self.endpoint
        reply = endpoint._refusal("ServiceUnavailable", "", XML)
        head = (
            f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}\r\nContent-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(reply.body)}\r\nConnection: close\r\n\r\n"
        )
        try:
            request.settimeout(1.0)
            request.sendall(head.encode("latin-1") + reply.body)
            request.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client is gone already
        finally:
            request.close()
        endpoint._record("", reply, 0.0, client)

    def close_all(self) -> None:
        with self._open_lock:
            open_connections = list(self._open)
        for connection in open_connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is no news; anything else is kept in the endpoint's internal_errors."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            self.endpoint.keep_error(f"serving the connection from {client_address}")


class _HeadBudget:
    """The connection's reader while the request's headers are parsed: over `budget` bytes in all, the parse
    stops with LineTooLong, which http.server answers 431 (through _Handler.send_error, in the API's shape)."""

    def __init__(self, raw: Any, budget: int) -> None:
        self.raw = raw
        self.left = budget

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise http.client.LineTooLong("headers")
        line = self.raw.readline(self.left + 1 if size < 0 else min(size, self.left + 1))
        self.left -= len(line)
        if self.left < 0:
            raise http.client.LineTooLong("headers")
        return line


class _Handler(BaseHTTPRequestHandler):
    """Reads one request at a time off a connection and hands it to the Endpoint."""

    protocol_version = "HTTP/1.1"  # keep-alive: the SDKs reuse their connections
    server_version = "ecs_snap_lab"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        self.timeout = self.server.endpoint.limits.idle_seconds  # type: ignore[misc]  # per connection, read by setup
        super().setup()
        # answers go out at once: without this, Nagle's algorithm and the client's delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the endpoint keeps its own records (Endpoint.records) and writes its own access log."""

    def handle_one_request(self) -> None:
        """http.server's, with the endpoint's bounds on the request line and the headers, and every method
        answered by _serve (an unknown one as UnsupportedHTTPMethod, not 501)."""
        limits = self.server.endpoint.limits
        try:
            self.raw_requestline = self.rfile.readline(limits.max_request_line + 1)
            if len(self.raw_requestline) > limits.max_request_line:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            raw, self.rfile = self.rfile, _HeadBudget(self.rfile, limits.max_header_bytes)  # type: ignore[assignment]
            try:
                parsed = self.parse_request()
            finally:
                self.rfile = raw
            if parsed:
                self._serve()
                self.wfile.flush()
        except TimeoutError:
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's refusals (bad request line, 414, 431, HTTP/2), in the API's shape and closing."""
        endpoint = self.server.endpoint
        limits = endpoint.limits
        if code == HTTPStatus.REQUEST_URI_TOO_LONG:
            reply = endpoint._refusal("RequestURITooLong", f"{limits.max_request_line} bytes of request line", XML)
        elif code == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
            what = f"{limits.max_header_bytes} bytes or 100 headers"
            reply = endpoint._refusal("RequestHeaderFieldsTooLarge", what, XML)
        else:
            reply = endpoint._refusal("InvalidParameter", "the HTTP request line", XML)
        self._send(reply, close=True)
        endpoint._record(self.command or "", reply, 0.0, self.client_address[0], self.requestline)

    def _send(self, reply: Reply, close: bool) -> None:
        if self.request_version == "HTTP/0.9":  # or a request line too broken to tell: answer with a status line
            self.request_version = "HTTP/1.0"
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _serve(self) -> None:
        answered = self.server.endpoint.respond(
            self.command, self.path, self.headers.items(), self.rfile.read, self.client_address[0], self.requestline
        )
        if answered is None:  # the client went away mid-body
            self.close_connection = True
            return
        self._send(*answered)


def serve(
    lab: Lab,
    port: int = 0,
    access_keys: Mapping[str, str] | None = None,
    admin: bool = False,
    *,
    host: str = "127.0.0.1",
    admin_token: str | None = None,
    limits: Limits = Limits(),
    wall_clock: Callable[[], float] = time.time,
    on_request: Callable[[WireRecord], None] | None = None,
) -> Endpoint:
    """Serve `lab` over HTTP in a daemon thread and return at once; port=0 picks a free port.

    access_keys=None makes one random pair, kept in endpoint.access_keys; admin=True opens /admin/, which requires
    endpoint.admin_token (random unless given) in an X-Admin-Token header."""
    return Endpoint(
        lab,
        host=host,
        port=port,
        access_keys=access_keys,
        admin=admin,
        admin_token=admin_token,
        limits=limits,
        wall_clock=wall_clock,
        on_request=on_request,
    ).start()
