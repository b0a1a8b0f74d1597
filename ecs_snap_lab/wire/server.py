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
  type the new SDK looks for to read an XML error), JSON as `application/json;charset=utf-8`.
- Order of the checks: HTTP method, size, encoding, path, Format, authentication (auth.py), Version, then the lab
  (unknown actions get the lab's InvalidAction.NotFound). The common parameters (Action, Version, Format,
  AccessKeyId, Signature*, Timestamp...) are not passed to the lab: its request log shows the action's own.
- A parameter sent twice in the query (or twice in the body) is refused (InvalidParameter naming it): which value
  was signed would be ambiguous. One in the query and one in the body: the body's wins, as the old SDK signs it.
- Bounds: a body over `max_body` bytes (64 KiB by default) or without Content-Length is refused with HTTP 413 and
  the connection closed; the request line and headers are bounded by http.server (414, 431).
- Thread safety: one lock around the lab (every lab.call and admin operation); the signature checks run outside
  it. Code in the same process that uses the lab while the endpoint runs takes `endpoint.lock` too.
- RequestIds of refusals that never reach the lab come from a generator of the endpoint's own (seeded from the
  lab's seed), so serving never changes the lab's own ids.
- The admin path (`/admin/state`, `/admin/advance`, `/admin/fault`, `/admin/reset`; JSON in and out, no signature)
  exists only with admin=True; otherwise /admin/... is an unknown path like any other. Reset serves a new Lab
  made from the state the endpoint started with: `endpoint.lab` changes, the Lab object passed in is left alone.
- Errors of the endpoint itself (a bug) answer 500 InternalError and keep the traceback in `internal_errors`.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ..response import Response, error_body
from .auth import AuthFailure, Verifier, error_entry
from .signature import VERSION

if TYPE_CHECKING:
    from ..lab import Lab

MAX_BODY = 64 * 1024
MAX_FIELDS = 1000
IDLE_SECONDS = 60  # a keep-alive connection with nothing to say is closed after this
XML = "text/xml;charset=utf-8"
JSON = "application/json;charset=utf-8"
COMMON_PARAMETERS = frozenset(
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
ADMIN_PREFIX = "/admin/"
_VARIANT = "89AB"


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer, and what the request log keeps of it."""

    status: int
    content_type: str
    body: bytes
    action: str = ""
    code: str | None = None
    scheme: str = ""
    close: bool = False


@dataclass(frozen=True, slots=True)
class WireRecord:
    """One request the endpoint answered: how, with what, and how long the server took (seconds)."""

    method: str
    action: str
    scheme: str
    status: int
    code: str | None
    seconds: float


class _BadRequest(Exception):
    def __init__(self, code: str, param: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.param = param


def make_access_key(seed: int) -> tuple[str, str]:
    """An AccessKey pair that looks like a real one, the same for the same seed."""
    rng = random.Random(f"ecs_snap_lab access key {seed}")
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    key_id = "LTAI" + "".join(rng.choice(letters) for _ in range(20))
    secret = "".join(rng.choice(letters) for _ in range(30))
    return key_id, secret


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


class Endpoint:
    """A running local endpoint on a Lab. Made by serve(); stop() (or leaving the `with`) stops it."""

    def __init__(
        self,
        lab: Lab,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_keys: Mapping[str, str] | None = None,
        admin: bool = False,
        max_body: int = MAX_BODY,
        wall_clock: Callable[[], float] = time.time,
        on_request: Callable[[WireRecord], None] | None = None,
    ) -> None:
        self.lab = lab
        self.admin = admin
        self.max_body = max_body
        self.on_request = on_request
        if access_keys is None:
            key_id, secret = make_access_key(lab.seed)
            access_keys = {key_id: secret}
        if not access_keys:
            raise ValueError("an endpoint needs at least one AccessKey pair")
        self.access_keys: dict[str, str] = dict(access_keys)
        self.verifier = Verifier(self.access_keys, wall_clock=wall_clock, lab_clock=lambda: float(self.lab.world.now))
        self.lock = threading.RLock()
        self.records: deque[WireRecord] = deque(maxlen=100_000)
        self.internal_errors: list[str] = []
        self._ids = random.Random(f"ecs_snap_lab endpoint {lab.seed}")
        self._start_state = self._state_of(lab) if admin else None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._server = _Server((host, port), _Handler, bind_and_activate=False)
        self._server.endpoint = self  # type: ignore[attr-defined]
        try:
            self._server.server_bind()
            self._server.server_activate()
        except OSError:
            self._server.server_close()
            raise
        self.host, self.port = self._server.server_address[:2]
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

    def server_times(self) -> list[float]:
        """Seconds the server spent on each request it answered (reading the body to writing the answer)."""
        return [record.seconds for record in list(self.records)]

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
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=10)

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    # ------------------------------------------------------------------ answering

    def handle(self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes = b"") -> Reply:
        """Answer one request (no socket involved): what the HTTP handler calls, and what tests can call."""
        try:
            return self._handle(method.upper(), target, list(headers), body)
        except Exception:  # a bug of the endpoint: answer as a server would, keep the traceback
            self.internal_errors.append(traceback.format_exc())
            return self._refusal("InternalError", "", XML, variant="after")

    def _handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        lowered = {name.lower(): value for name, value in headers}
        accept = lowered.get("accept", "").lower()
        wanted = JSON if "json" in accept and "xml" not in accept else XML
        if method not in ("GET", "POST"):
            return self._refusal("UnsupportedHTTPMethod", "", wanted)
        parts = urlsplit(target)
        path = parts.path or "/"
        try:
            query = _form(parts.query)
            form = {}
            if body and lowered.get("content-type", "").split(";")[0].strip().lower() in (
                "",
                "application/x-www-form-urlencoded",
            ):
                try:
                    text = body.decode("ascii")
                except UnicodeDecodeError:
                    raise _BadRequest("InvalidParameter", "the body (not percent-encoded ASCII)") from None
                form = _form(text)
        except _BadRequest as exc:
            return self._refusal(exc.code, exc.param, wanted)
        params = {**query, **form}
        if self.admin and path.startswith(ADMIN_PREFIX):
            return self._admin(method, path[len(ADMIN_PREFIX) :], params)
        if path != "/":
            return self._refusal("InvalidAction.NotFound", "", wanted)
        fmt = params.get("Format")
        if fmt is not None:
            if fmt.lower() not in ("json", "xml"):
                return self._refusal("InvalidParameter", "Format", XML)
            wanted = JSON if fmt.lower() == "json" else XML
        try:
            if lowered.get("authorization", "").startswith("ACS3-"):
                verified = self.verifier.verify_v3(method, path, query, headers, body)
                action = lowered.get("x-acs-action", "")
                version = lowered.get("x-acs-version")
            elif "authorization" in lowered:
                raise AuthFailure("IncompleteSignature", detail="an Authorization header that is not ACS3-")
            else:
                verified = self.verifier.verify_v1(method, params)
                action = params.get("Action", "")
                version = params.get("Version")
        except AuthFailure as exc:
            scheme = "v3" if "authorization" in lowered else "v1"
            named = lowered.get("x-acs-action", "") if scheme == "v3" else params.get("Action", "")
            return self._refusal(exc.code, exc.param, wanted, named[:100], scheme)
        if not action:
            return self._refusal("MissingParameter", "Action", wanted, scheme=verified.scheme)
        if version is None:
            return self._refusal("MissingParameter", "Version", wanted, action, verified.scheme)
        if version != VERSION:
            return self._refusal("InvalidVersion", "", wanted, action, verified.scheme)
        own = {name: value for name, value in params.items() if name not in COMMON_PARAMETERS}
        try:
            with self.lock:
                response = self.lab.call(action, own)
            return self._render(response, wanted, verified.scheme)
        except Exception:  # the lab never raises; something else did: answer in the format asked for
            self.internal_errors.append(traceback.format_exc())
            return self._refusal("InternalError", "", wanted, action, verified.scheme, variant="after")

    def _render(self, response: Response, content_type: str, scheme: str = "") -> Reply:
        text = response.to_json() if content_type == JSON else response.to_xml()
        return Reply(response.status, content_type, text.encode("utf-8"), response.action, response.code, scheme)

    def _refusal(
        self, code: str, param: str, content_type: str, action: str = "", scheme: str = "", variant: str = ""
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
        reply = self._render(response, content_type, scheme)
        close = code in ("RequestEntityTooLarge",)
        return Reply(reply.status, reply.content_type, reply.body, action, code, scheme, close)

    def _request_id(self) -> str:
        h = self._ids.randbytes(16).hex().upper()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def _record(self, method: str, reply: Reply, seconds: float) -> None:
        record = WireRecord(method, reply.action, reply.scheme, reply.status, reply.code, seconds)
        self.records.append(record)
        if self.on_request is not None:
            try:
                self.on_request(record)
            except Exception:
                self.internal_errors.append(traceback.format_exc())

    # ------------------------------------------------------------------ admin

    @staticmethod
    def _state_of(lab: Lab) -> dict:
        from ..persistence import to_document

        return json.loads(json.dumps(to_document(lab)))

    def _admin(self, method: str, operation: str, params: Mapping[str, str]) -> Reply:
        """The admin path: the clock, faults and a reset, for a workshop host. JSON in and out."""
        try:
            if operation == "state" and method in ("GET", "POST"):
                with self.lock:
                    body = self._admin_state()
            elif operation == "advance" and method == "POST":
                amounts = {unit: float(params.get(unit, 0)) for unit in ("days", "hours", "minutes", "seconds")}
                with self.lock:
                    self.lab.advance(**amounts)
                    body = self._admin_state()
            elif operation == "fault" and method == "POST":
                options: dict[str, Any] = {}
                for name in ("times", "seconds", "at_progress"):
                    if name in params:
                        options[name] = int(params[name])
                for name in ("disk_id", "action"):
                    if name in params:
                        options[name] = params[name]
                with self.lock:
                    self.lab.faults.inject(params.get("kind", ""), **options)
                    body = self._admin_state()
            elif operation == "reset" and method == "POST":
                from ..persistence import from_document

                with self.lock:
                    self.lab = from_document(type(self.lab), json.loads(json.dumps(self._start_state)))
                    body = self._admin_state()
            else:
                return self._admin_reply(
                    404, {"Code": "InvalidAction.NotFound", "Message": f"no admin operation {method} {operation}"}
                )
        except (ValueError, TypeError) as exc:
            return self._admin_reply(400, {"Code": "InvalidParameter", "Message": str(exc)})
        return self._admin_reply(200, body)

    def _admin_state(self) -> dict:
        lab = self.lab
        return {
            "Now": lab.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Snapshots": len(lab.world.snapshots),
            "Disks": len(lab.world.disks),
            "Requests": len(lab.request_log),
            "Faults": [{"Kind": f.kind.value, "Action": f.action, "Times": f.times} for f in lab.faults.armed],
        }

    def _admin_reply(self, status: int, body: dict) -> Reply:
        return Reply(status, JSON, json.dumps(body).encode("utf-8"), "admin", body.get("Code"), "admin")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is no news; anything else is kept in the endpoint's internal_errors."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            self.endpoint.internal_errors.append(traceback.format_exc())  # type: ignore[attr-defined]


class _Handler(BaseHTTPRequestHandler):
    """Reads one request at a time off a connection and hands it to the Endpoint."""

    protocol_version = "HTTP/1.1"  # keep-alive: the SDKs reuse their connections
    server_version = "ecs_snap_lab"
    sys_version = ""
    timeout = IDLE_SECONDS

    def setup(self) -> None:
        super().setup()
        # answers go out at once: without this, Nagle's algorithm and the client's delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.endpoint._opened(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.endpoint._closed(self.connection)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the endpoint keeps its own records (Endpoint.records)."""

    def _serve(self) -> None:
        start = time.perf_counter()
        endpoint: Endpoint = self.server.endpoint  # type: ignore[attr-defined]
        method = self.command
        accept = (self.headers.get("Accept") or "").lower()
        wanted = JSON if "json" in accept and "xml" not in accept else XML
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            reply = endpoint._refusal("RequestEntityTooLarge", "a body must come with its Content-Length", wanted)
        else:
            try:
                length = int(length_text) if length_text is not None else 0
                if length < 0:
                    raise ValueError(length_text)
            except ValueError:
                reply = endpoint._refusal("InvalidParameter", "Content-Length", wanted)
                reply = Reply(reply.status, reply.content_type, reply.body, code=reply.code, close=True)
            else:
                if length > endpoint.max_body:
                    reply = endpoint._refusal("RequestEntityTooLarge", f"{endpoint.max_body} bytes of body", wanted)
                else:
                    body = self.rfile.read(length) if length else b""
                    if len(body) < length:  # the client went away mid-body
                        self.close_connection = True
                        return
                    reply = endpoint.handle(method, self.path, self.headers.items(), body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        endpoint._record(method, reply, time.perf_counter() - start)  # before the client can read the answer
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve


def serve(
    lab: Lab,
    port: int = 0,
    access_keys: Mapping[str, str] | None = None,
    admin: bool = False,
    *,
    host: str = "127.0.0.1",
    max_body: int = MAX_BODY,
    wall_clock: Callable[[], float] = time.time,
    on_request: Callable[[WireRecord], None] | None = None,
) -> Endpoint:
    """Serve `lab` over HTTP in a daemon thread and return at once; port=0 picks a free port.

    access_keys=None makes one pair (the same for the same lab seed), kept in endpoint.access_keys."""
    return Endpoint(
        lab,
        host=host,
        port=port,
        access_keys=access_keys,
        admin=admin,
        max_body=max_body,
        wall_clock=wall_clock,
        on_request=on_request,
    ).start()
