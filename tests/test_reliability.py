"""Issue 14, "the endpoint holds in a hostile room": every attack the issue lists, reproduced, and refused.

Each test names the attack it replays. The endpoint tests talk HTTP to 127.0.0.1 only, with bounded loops; every
server listens on port 0 and is stopped by its fixture. The soak is in test_reliability_soak.py."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.actions.base import ACTIONS
from ecs_snap_lab.wire import exports, server, v3
from ecs_snap_lab.wire import signature as sig
from ecs_snap_lab.wire.auth import MAX_NONCE_LENGTH, parse_timestamp
from ecs_snap_lab.wire.server import Endpoint, ExposedEndpointWarning, Limits, is_loopback, serve

KEY, SECRET = "LTAIhostile", "secret"
NOW = "2026-03-01T12:00:00Z"  # the endpoint's wall clock (the lab's starts at 2026-01-01)
_nonces = itertools.count(1)


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.at = parse_timestamp(NOW)

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def endpoint(lab: Lab, clock: Clock) -> Iterator[Endpoint]:
    with serve(lab, access_keys={KEY: SECRET}, admin=True, wall_clock=clock) as ep:
        yield ep


def signed(
    action: str, params: dict | None = None, *, timestamp: str = NOW, nonce: str | None = None, method: str = "GET"
) -> dict:
    """A v1-signed request: a fresh nonce unless given, the endpoint's wall-clock time unless given, JSON."""
    nonce = nonce or f"n-{next(_nonces)}"
    options = {"nonce": nonce, "timestamp": timestamp, "method": method, "response_format": "JSON"}
    return sig.sign(action, params or {}, KEY, SECRET, **options)


def raw(ep: Endpoint, data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Send these bytes as they are; every answer the server gives until it closes the connection."""
    answers = []
    with socket.create_connection((ep.host, ep.port), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server refused and closed before taking it all
            sock.sendall(data)
        with sock.makefile("rb") as reader:
            while (answer := _read_answer(reader)) is not None:
                answers.append(answer)
    return answers


def _read_answer(reader) -> tuple[int, dict[str, str], bytes] | None:
    try:
        status_line = reader.readline()
    except ConnectionResetError:
        return None
    if not status_line:
        return None
    headers = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, reader.read(int(headers.get("content-length", 0)))


def api_error(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, str]:
    """(status, Code) of an answer that must be the API's XML error, never an HTML page."""
    status, headers, body = answer
    assert headers["content-type"] == "text/xml;charset=utf-8", body[:200]
    root = ET.fromstring(body)
    assert root.tag == "Error" and root.find("RequestId").text and root.find("Message").text
    return status, root.find("Code").text


def get(ep: Endpoint, params: dict) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{ep.url}?{urlencode(params)}", timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refusal:
        return refusal.code, json.loads(refusal.read())


def admin(ep: Endpoint, operation: str, query: str = "", *, headers: dict | None = None, body: bytes = b""):
    """POST /admin/<operation>?<query> with exactly these headers (the token only if given)."""
    request = urllib.request.Request(f"{ep.url}admin/{operation}?{query}", body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refusal:
        return refusal.code, json.loads(refusal.read())


# ---------------------------------------------------------------- a str whose str() raises


class Hostile(str):
    """A str subclass whose str(), repr() and format() raise: what a parameter reader must never trip on."""

    def __str__(self) -> str:
        raise RuntimeError("str() of a hostile string")

    __repr__ = __format__ = __str__  # type: ignore[assignment]


class HostileInt(int):
    def __str__(self) -> str:
        raise RuntimeError("str() of a hostile int")

    __repr__ = __str__


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize(
    "params",
    [{"DiskId": Hostile("d-x")}, {Hostile("DiskId"): "d-x"}, {"Size": HostileInt(40)}],
    ids=["value", "name", "int"],
)
def test_a_parameter_whose_str_raises_is_an_invalid_parameter(action: str, params: dict) -> None:
    lab = Lab(seed=1)
    response = lab.call(action, {"RegionId": lab.region, **params})
    assert (response.status, response.code) == (400, "InvalidParameter")  # was 500 InternalError in 19 actions
    assert lab.internal_errors == []


# ---------------------------------------------------------------- replay after the nonce window


def test_a_lab_stamped_request_replayed_after_fifteen_and_a_half_minutes_is_refused(endpoint, lab, clock) -> None:
    """The issue: the same signed CreateDisk URL, stamped with the lab's time as exports do, replayed 15.5 minutes
    later made a second disk."""
    params = {"RegionId": lab.region, "ZoneId": lab.zones[0], "Size": "40", "DiskCategory": "cloud_essd"}
    url = exports.export("CreateDisk", params, KEY, SECRET, endpoint=endpoint.endpoint, at=lab.now).signed_url
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200
    disks = len(lab.world.disks)
    clock.at += 15.5 * 60
    get(endpoint, signed("DescribeSnapshots", {"RegionId": lab.region}, timestamp="2026-03-01T12:15:30Z"))
    with pytest.raises(urllib.error.HTTPError) as replay:
        urllib.request.urlopen(url, timeout=10)
    assert (replay.value.code, json.loads(replay.value.read())["Code"]) == (400, "SignatureNonceUsed")
    with endpoint.lock:
        lab.advance(hours=1)  # the lab's clock moves on: now the timestamp itself is too old
    with pytest.raises(urllib.error.HTTPError) as late:
        urllib.request.urlopen(url, timeout=10)
    assert json.loads(late.value.read())["Code"] == "IllegalTimestamp"
    assert len(lab.world.disks) == disks


def test_a_forgotten_nonce_is_not_replayed_when_the_labs_clock_comes_back(endpoint, lab, clock) -> None:
    """Forgotten nonces leave their range of timestamps closed: neither a reset (the lab's clock back) nor a lab
    advanced into real time the endpoint has served lets one through."""
    lab_stamped = signed("DescribeSnapshots", {"RegionId": lab.region}, timestamp=exports.format_timestamp(lab.now))
    wall_stamped = signed("DescribeSnapshots", {"RegionId": lab.region})
    assert get(endpoint, lab_stamped)[0] == get(endpoint, wall_stamped)[0] == 200
    token = {"X-Admin-Token": endpoint.admin_token}
    assert admin(endpoint, "advance", "days=1", headers=token)[0] == 200
    clock.at += 16 * 60
    fresh = signed("DescribeSnapshots", {"RegionId": lab.region}, timestamp="2026-03-01T12:16:00Z")
    assert get(endpoint, fresh)[0] == 200  # this call forgets both nonces: both clocks left them behind
    assert endpoint.verifier.remembered_nonces == 1
    assert admin(endpoint, "reset", headers=token)[0] == 200  # the lab's clock is back at its start
    status, body = get(endpoint, lab_stamped)
    assert (status, body["Code"]) == (400, "IllegalTimestamp")
    with endpoint.lock:
        endpoint.lab.advance_to("2026-03-01T12:00:00Z")  # the lab's clock reaches the wall-stamped request's time
    status, body = get(endpoint, wall_stamped)
    assert (status, body["Code"]) == (400, "IllegalTimestamp")
    assert endpoint.lab.request_log.columns["action"].count("DescribeSnapshots") == 0  # the reset lab saw none


def test_nonces_are_bounded_in_length_and_in_number(lab: Lab, clock: Clock) -> None:
    with serve(lab, access_keys={KEY: SECRET}, wall_clock=clock, limits=Limits(max_nonces=5)) as ep:
        assert get(ep, signed("DescribeSnapshots", {"RegionId": lab.region}, nonce="n" * MAX_NONCE_LENGTH))[0] == 200
        status, body = get(ep, signed("DescribeSnapshots", {}, nonce="n" * (MAX_NONCE_LENGTH + 1)))
        assert (status, body["Code"]) == (400, "IncompleteSignature")
        for _ in range(4):
            assert get(ep, signed("DescribeSnapshots", {"RegionId": lab.region}))[0] == 200
        status, body = get(ep, signed("DescribeSnapshots", {"RegionId": lab.region}))
        assert (status, body["Code"]) == (503, "ServiceUnavailable")  # none forgotten early: refused, retry later
        clock.at += 16 * 60
        later = signed("DescribeSnapshots", {"RegionId": lab.region}, timestamp="2026-03-01T12:16:00Z")
        assert get(ep, later)[0] == 200 and ep.verifier.remembered_nonces == 1


# ---------------------------------------------------------------- the admin path


def test_the_admin_path_refuses_a_call_without_its_token(endpoint, lab) -> None:
    for headers in ({}, {"X-Admin-Token": "guess"}, {"X-Admin-Token": endpoint.admin_token[:-1]}):
        for operation in ("reset", "fault", "advance", "state", "no-such"):
            status, body = admin(endpoint, operation, "kind=InternalError&days=1", headers=headers)
            assert (status, body["Code"]) == (403, "Forbidden.AdminToken")
    assert lab.now.isoformat() == "2026-01-01T00:00:00+00:00" and lab.faults.armed == []
    assert admin(endpoint, "state", headers={"X-Admin-Token": endpoint.admin_token})[0] == 200


def test_the_admin_path_refuses_what_a_web_page_can_send(endpoint, lab) -> None:
    """The issue: a cross-origin text/plain POST from any page reset the lab and injected faults."""
    page = {"Origin": "http://classmate.example", "Content-Type": "text/plain"}
    status, body = admin(endpoint, "fault", "kind=InternalError&action=DescribeSnapshots", headers=page, body=b"x")
    assert (status, body["Code"]) == (403, "Forbidden.CrossOrigin")
    token = {"X-Admin-Token": endpoint.admin_token}
    status, body = admin(endpoint, "reset", headers={**token, "Sec-Fetch-Site": "cross-site"})
    assert (status, body["Code"]) == (403, "Forbidden.CrossOrigin")  # even with the token: no browser at all
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        status, body = admin(endpoint, "advance", headers={**token, "Content-Type": content_type}, body=b"hours=1")
        assert (status, body["Code"]) == (415, "UnsupportedMediaType")
    assert lab.faults.armed == [] and lab.now.isoformat() == "2026-01-01T00:00:00+00:00"
    json_body = {**token, "Content-Type": "application/json"}
    status, state = admin(endpoint, "advance", headers=json_body, body=b'{"hours": 1}')
    assert (status, state["Now"]) == (200, "2026-01-01T01:00:00Z")


@pytest.mark.parametrize(
    ("operation", "query", "code"),
    [
        ("advance", "days=10000", "InvalidParameter"),  # the issue held the lab's lock 11.9 s
        ("advance", "days=31&seconds=1", "InvalidParameter"),
        ("advance", "hours=%EF%BC%91", "InvalidParameter"),  # a full-width 1
        ("advance", "hours=1e3", "InvalidParameter"),
        ("advance", "hour=1", "InvalidParameter"),  # a typo is not a no-op
        ("fault", "kind=InternalError&times=100000000000000000000000", "InvalidParameter"),
        ("fault", "kind=InternalError&times=1001", "InvalidParameter"),
        ("fault", "kind=SlowRequest&seconds=86401", "InvalidParameter"),
        ("fault", "kind=InternalError&action=" + "A" * 200, "InvalidParameter"),
    ],
)
def test_one_admin_call_is_bounded_in_what_it_may_do(endpoint, lab, operation: str, query: str, code: str) -> None:
    status, body = admin(endpoint, operation, query, headers={"X-Admin-Token": endpoint.admin_token})
    assert (status, body["Code"]) == (400, code)
    assert lab.now.isoformat() == "2026-01-01T00:00:00+00:00" and lab.faults.armed == []
    assert endpoint.internal_errors == []


def test_the_longest_admin_advance_is_answered(endpoint, lab) -> None:
    status, state = admin(endpoint, "advance", "days=31", headers={"X-Admin-Token": endpoint.admin_token})
    assert (status, state["Now"]) == (200, "2026-02-01T00:00:00Z")


def test_a_short_admin_token_is_refused(lab: Lab) -> None:
    with pytest.raises(ValueError, match="at least 16 characters"):
        serve(lab, admin=True, admin_token="letmein")


def test_listening_beyond_loopback_warns(lab: Lab, monkeypatch) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.20")  # the address bound, after any name was resolved
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        serve(lab).stop()  # loopback: no warning
    monkeypatch.setattr(server, "is_loopback", lambda host: False)  # as 0.0.0.0 would be, without leaving 127.0.0.1
    with pytest.warns(ExposedEndpointWarning, match="beyond this machine"):
        serve(lab).stop()


def test_serve_prints_a_fresh_key_pair_and_admin_token_and_warns_beyond_loopback(monkeypatch, capsys) -> None:
    """The issue: the default AccessKey pair came from seed 0, and `--host 0.0.0.0 --admin` said nothing."""
    from ecs_snap_lab import cli

    def ctrl_c() -> None:  # Ctrl-C as soon as the endpoint is up and printed: while it waits
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "wait_until_stopped", ctrl_c)
    monkeypatch.setattr(server, "is_loopback", lambda host: False)
    runs = []
    for _ in range(2):
        assert cli.main(["serve", "--port", "0", "--admin"]) == 0
        runs.append(capsys.readouterr())
    assert all("warning: the endpoint listens on 127.0.0.1" in run.err for run in runs)
    keys = [re.search(r"AccessKey: (LTAI\w{20}):(\w{30})", run.out).groups() for run in runs]
    tokens = [re.search(r"Admin token: (\S{32})", run.out).group(1) for run in runs]
    assert keys[0] != keys[1] and tokens[0] != tokens[1]  # fresh on every start


# ---------------------------------------------------------------- lenient HTTP


def head(method: str = "POST", *lines: str) -> bytes:
    return (f"{method} / HTTP/1.1\r\nHost: x\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode()


@pytest.mark.parametrize("length", ["1_0", "+0010", "\uff11\uff10", "0x10", "10, 10", "-5", ""])
def test_content_length_is_digits_only(endpoint, length: str) -> None:
    answers = raw(endpoint, head("POST", f"Content-Length: {length}") + b"A" * 10)
    assert len(answers) == 1 and api_error(answers[0]) == (400, "InvalidParameter")
    assert b"Content-Length" in answers[0][2] and answers[0][1]["connection"] == "close"


def test_two_content_lengths_are_refused(endpoint) -> None:
    answers = raw(endpoint, head("POST", "Content-Length: 0", "Content-Length: 40") + b"GET / HTTP/1.1\r\n\r\n")
    assert len(answers) == 1 and api_error(answers[0]) == (400, "InvalidParameter")
    assert b"content-length (sent twice)" in answers[0][2]


def test_a_post_without_content_length_never_smuggles_its_body(endpoint, lab) -> None:
    """The issue: the body was read as the next request. Here it is a whole signed request: it must not run."""
    smuggled = urlencode(signed("CreateSnapshot", {"DiskId": "d-x"}))
    answers = raw(endpoint, head("POST") + f"GET /?{smuggled} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert len(answers) == 1 and api_error(answers[0]) == (411, "LengthRequired")
    assert lab.requests == []


def test_a_header_sent_twice_is_refused(endpoint, lab, disk) -> None:
    """The issue: with x-acs-action sent twice, the last one ran (the signature covered both)."""
    query = {"DiskId": disk}
    headers = v3.sign("DescribeSnapshots", query, KEY, SECRET, host=endpoint.endpoint, nonce="dup", date=NOW)
    pairs = [*headers.items(), ("x-acs-action", "CreateSnapshot")]
    signed_pairs = [(k, v) for k, v in pairs if k != "Authorization"]
    steps = v3.explain(SECRET, "POST", "/", query, signed_pairs, [k for k, _ in signed_pairs])
    pairs = [*signed_pairs, ("Authorization", v3.authorization(KEY, steps.signed_headers, steps.signature))]
    request = f"POST /?{urlencode(query)} HTTP/1.1\r\nContent-Length: 0\r\n"
    request += "".join(f"{name}: {value}\r\n" for name, value in pairs) + "\r\n"
    answers = raw(endpoint, request.encode())
    assert api_error(answers[0]) == (400, "InvalidParameter") and b"x-acs-action (sent twice)" in answers[0][2]
    assert lab.world.snapshots == {} and len(lab.requests) == len(lab.request_log)


def test_full_width_digits_in_a_timestamp_are_refused(endpoint, lab) -> None:
    wide = NOW.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    status, body = get(endpoint, signed("DescribeSnapshots", {"RegionId": lab.region}, timestamp=wide))
    assert (status, body["Code"]) == (400, "IllegalTimestamp")
    with pytest.raises(ValueError):  # the same reader checks V3's x-acs-date
        parse_timestamp(wide)


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"GET /?" + b"a" * (64 * 1024) + b" HTTP/1.1\r\n\r\n", 414, "RequestURITooLong"),
        (head("GET", *(f"X-Junk-{n}: {'j' * 1000}" for n in range(20))), 431, "RequestHeaderFieldsTooLarge"),
        (head("GET", *(f"X-{n}: j" for n in range(101))), 431, "RequestHeaderFieldsTooLarge"),
        (head("GET", "X-Big: " + "j" * (6 * 1024 * 1024)), 431, "RequestHeaderFieldsTooLarge"),  # the 6.3 MB
        (head("FOO"), 405, "UnsupportedHTTPMethod"),  # was 501, as HTML
        (head("HEAD"), 405, "UnsupportedHTTPMethod"),
        (b"GET / HTTP/2.0\r\n\r\n", 400, "InvalidParameter"),  # was 505, as HTML
        (b"GET / HTTP/1.1 extra\r\n\r\n", 400, "InvalidParameter"),
    ],
    ids=["414", "431-bytes", "431-count", "431-6MB", "FOO", "HEAD", "HTTP/2", "garbage"],
)
def test_http_refusals_come_in_the_apis_shape(endpoint, data: bytes, status: int, code: str) -> None:
    answers = raw(endpoint, data)
    assert len(answers) == 1
    if data.startswith(b"HEAD"):
        assert answers[0][0] == status and answers[0][1]["connection"] == "close"  # no body to a HEAD
    else:
        assert api_error(answers[0]) == (status, code)
    assert endpoint.internal_errors == []


# ---------------------------------------------------------------- memory and threads


def test_connections_over_the_bound_are_turned_away_without_a_thread(lab: Lab, clock: Clock) -> None:
    limits = Limits(max_connections=4)
    with serve(lab, access_keys={KEY: SECRET}, wall_clock=clock, limits=limits) as ep:
        threads_before = threading.active_count()
        idle = [socket.create_connection((ep.host, ep.port), timeout=10) for _ in range(4)]
        try:
            _wait_for(lambda: ep.open_connections == 4)
            for _ in range(20):  # 20 more: each answered 503 at once, none gets a thread
                answers = raw(ep, b"")
                assert [api_error(answer) for answer in answers] == [(503, "ServiceUnavailable")]
            assert threading.active_count() <= threads_before + 4
        finally:
            for connection in idle:
                connection.close()
        _wait_for(lambda: ep.open_connections == 0)
        assert get(ep, signed("DescribeSnapshots", {"RegionId": lab.region}))[0] == 200


def test_an_idle_connection_is_closed_after_idle_seconds(lab: Lab) -> None:
    with serve(lab, limits=Limits(idle_seconds=0.2)) as ep, socket.create_connection((ep.host, ep.port)) as idle:
        idle.settimeout(10)
        assert idle.recv(1) == b""  # closed by the server, long before the test's own timeout
        _wait_for(lambda: ep.open_connections == 0)


def test_records_and_request_log_entries_are_bounded(lab: Lab, clock: Clock) -> None:
    from ecs_snap_lab.lab import MAX_LOGGED_CHARS

    with serve(lab, access_keys={KEY: SECRET}, wall_clock=clock, limits=Limits(max_records=3)) as ep:
        junk = {f"Junk{n}": "x" * 1000 for n in range(40)}  # 40 KB of junk in one signed request
        params = signed("DescribeSnapshots", {"RegionId": lab.region, **junk}, method="POST")
        request = urllib.request.Request(ep.url, urlencode(params).encode())
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
        for _ in range(4):
            get(ep, signed("DescribeSnapshots", {"RegionId": lab.region}))
        assert len(ep.records) == 3
    kept = lab.requests[0].params
    assert sum(len(k) + len(v) for k, v in kept.items()) <= MAX_LOGGED_CHARS


def _wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the endpoint did not settle"
        time.sleep(0.01)
