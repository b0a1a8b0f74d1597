"""The endpoint's access log: one line per request in the Common Log Format, on the logger
`ecs_snap_lab.wire.access` at INFO.

    127.0.0.1 - LTAItest [01/Mar/2026:12:00:00 +0000] "GET /?Action=DescribeSnapshots&... HTTP/1.1" 200 412

Decisions:
- A logger, not a stream: the library only emits (its package logger has a NullHandler, as a library's should);
  `ecs-snap-lab serve` writes the lines to stderr unless --quiet; a program hosting the endpoint routes them as it
  routes any log. A line is formatted only when the logger is enabled for INFO, so a quiet endpoint pays nothing.
- The user field is the AccessKeyId whose signature was verified ("-" before that, and for the admin path).
- The time is the wall clock's, in UTC (an HTTP log is about when requests came, not the lab's simulated time).
- The request line is the client's text, so it is escaped as Apache escapes it (`"` and `\\` with a backslash,
  other non-printable bytes as \\xhh: no line can forge another) and cut at MAX_REQUEST_CHARS characters.
"""

from __future__ import annotations

import logging
import time

access_log = logging.getLogger("ecs_snap_lab.wire.access")
MAX_REQUEST_CHARS = 2048
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not the locale's
_ESCAPES = {**{c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}, ord('"'): '\\"', ord("\\"): "\\\\"}


def clf_time(when: float) -> str:
    """[01/Mar/2026:12:00:00 +0000]: the Common Log Format's time, in UTC."""
    t = time.gmtime(when)
    return f"[{t.tm_mday:02d}/{MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000]"


def quote_request(text: str) -> str:
    cut = text[:MAX_REQUEST_CHARS]
    escaped = cut.translate(_ESCAPES)
    if not escaped.isprintable():  # beyond Latin-1 (a WSGI server's text): any other invisible character
        escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}{"..." if len(text) > MAX_REQUEST_CHARS else ""}"'


def common_log_line(client: str, user: str, when: float, request_line: str, status: int, size: int) -> str:
    """host ident authuser [date] "request" status bytes."""
    request = quote_request(request_line or "-")
    return f"{client or '-'} - {user or '-'} {clf_time(when)} {request} {status} {size or '-'}"
