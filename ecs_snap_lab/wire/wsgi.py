"""The local endpoint as a WSGI application: any WSGI server can host a lab.

    from wsgiref.simple_server import make_server
    from ecs_snap_lab.wire import wsgi_app

    app = wsgi_app(lab, access_keys={"LTAIroom": "secret"})  # or none: app.access_keys has a random pair
    make_server("127.0.0.1", 8080, app).serve_forever()       # gunicorn: one process (the lab is in its memory)

One rule, one place: the application hands each request to `Service.respond`, the function the built-in server
(`ecs-snap-lab serve`) calls, so everything after the HTTP parsing is the same: a header sent twice refused,
Content-Length strict and capped at `limits.max_body` (413 beyond, before any of the body is read), a chunked
body refused, the method, the encoding of the query and the form body, the v1 and V3 signatures with their time
window and nonces, the admin path and its token, the lab's lock, `records`, `internal_errors`, and the access
log (accesslog.py).

What depends on the hosting server (the built-in one does each; a WSGI server does it, or not, its own way):
- HTTP parsing and its bounds: the request line (414), the header block (431), the number of connections and
  threads (503), idle keep-alive connections;
- duplicate headers: WSGI hands them over joined with commas (or only one of them), so the application cannot
  refuse a header sent twice as the built-in server does;
- what becomes of a body left unread after a refusal on a kept-alive connection (the built-in server closes it);
- where it listens (the built-in server warns beyond the loopback interface) and TLS.

Mount the application at the root of its server: a request's path is SCRIPT_NAME + PATH_INFO, and only "/" (and
/admin/ with admin=True) is an API path. Serve it from one process: each process would hold a lab of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .server import XML, Reply, Service

if TYPE_CHECKING:
    from ..lab import Lab

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
PATH_SAFE = "/:@!$&'()*+,;=-._~"
SHORT_BODY = "Content-Length (the body ended before it)"


def environ_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The request's headers back from a WSGI environ, by lower-case name (HTTP_X_ACS_DATE -> x-acs-date)."""
    headers = []
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):  # the two headers WSGI keeps outside HTTP_*
        if environ.get(key):
            headers.append((key.replace("_", "-").lower(), environ[key]))
    for key, value in environ.items():
        if key.startswith("HTTP_") and key[5:] not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers.append((key[5:].replace("_", "-").lower(), value))
    return headers


def request_target(environ: dict[str, Any]) -> str:
    """Path and query string as the client sent them: PEP 3333 hands the path over decoded (as Latin-1)."""
    path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), PATH_SAFE, "latin-1", "replace")
    query = environ.get("QUERY_STRING", "")
    return f"{path or '/'}?{query}" if query else path or "/"


class WsgiApp(Service):
    """A Service called the WSGI way: `app(environ, start_response)`. Same options as serve() less the address."""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        target = request_target(environ)
        client = environ.get("REMOTE_ADDR") or "-"
        request_line = f"{method} {target} {environ.get('SERVER_PROTOCOL', 'HTTP/1.1')}"
        body = environ["wsgi.input"]
        answered = self.respond(method, target, environ_headers(environ), body.read, client, request_line)
        if answered is None:  # the body ended early: a WSGI server still expects an answer
            reply = self._refusal("InvalidParameter", SHORT_BODY, XML)
            self._record(method, reply, 0.0, client, request_line)
        else:
            reply = answered[0]
        start_response(_status_line(reply), [("Content-Type", reply.content_type), _length(reply)])
        return [reply.body]


def wsgi_app(lab: Lab, **options: Any) -> WsgiApp:
    """The endpoint on `lab` as a WSGI application; options as serve()'s (access_keys, admin, admin_token, limits,
    wall_clock, on_request)."""
    return WsgiApp(lab, **options)


def _status_line(reply: Reply) -> str:
    try:
        return f"{reply.status} {HTTPStatus(reply.status).phrase}"
    except ValueError:
        return f"{reply.status} Unknown"


def _length(reply: Reply) -> tuple[str, str]:
    return ("Content-Length", str(len(reply.body)))
