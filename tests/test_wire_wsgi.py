"""The endpoint as a WSGI application (called with an environ, and hosted by wsgiref with the official SDKs), and
the access log: one Common Log Format line per request, which `ecs-snap-lab serve --quiet` silences."""

from __future__ import annotations

import http.client
import io
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import setup_testing_defaults

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.models import Config
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest

from ecs_snap_lab import Lab
from ecs_snap_lab.wire import signature as sig
from ecs_snap_lab.wire import v3, wsgi_app
from ecs_snap_lab.wire.accesslog import MAX_REQUEST_CHARS, common_log_line, quote_request
from ecs_snap_lab.wire.auth import parse_timestamp
from ecs_snap_lab.wire.server import Limits, serve
from ecs_snap_lab.wire.wsgi import WsgiApp

KEY, SECRET = "LTAIwsgi", "wsgi-secret"
NOW = "2026-03-01T12:00:00Z"
WALL = parse_timestamp(NOW)
CLF = re.compile(r'^(\S+) - (\S+) \[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] "(.*)" (\d{3}) (\d+|-)$')
_nonces = iter(range(1, 10**6))


@pytest.fixture
def app(lab: Lab) -> WsgiApp:
    return wsgi_app(lab, access_keys={KEY: SECRET}, wall_clock=lambda: WALL, admin=True, admin_token="t" * 20)


def signed_query(action: str, params: dict | None = None, secret: str = SECRET, nonce: str = "") -> str:
    return urlencode(
        sig.sign(
            action,
            params or {},
            KEY,
            secret,
            nonce=nonce or f"n-{next(_nonces)}",
            timestamp=NOW,
            response_format="JSON",
        )
    )


class Reader(io.BytesIO):
    """wsgi.input that counts what was read."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(data)
        self.asked = 0

    def read(self, size: int | None = -1) -> bytes:
        self.asked += 1
        return super().read(size)


def call(app: WsgiApp, method: str = "GET", query: str = "", body: bytes = b"", **environ: str) -> tuple:
    """(status line, headers, body) of one call of the application."""
    env: dict = {"REQUEST_METHOD": method, "QUERY_STRING": query, "wsgi.input": Reader(body), **environ}
    setup_testing_defaults(env)
    started: list = []
    chunks = app(env, lambda status, headers: started.append((status, headers)))
    (status, headers), answer = started[0], b"".join(chunks)
    assert dict(headers)["Content-Length"] == str(len(answer))
    return status, dict(headers), answer, env["wsgi.input"]


# ---------------------------------------------------------------- the application, called directly


def test_a_v1_signed_request_is_answered_by_the_lab(app: WsgiApp, lab: Lab, disk: str) -> None:
    status, headers, body, _ = call(app, query=signed_query("CreateSnapshot", {"DiskId": disk, "SnapshotName": "wsgi"}))
    assert status == "200 OK" and headers["Content-Type"] == "application/json;charset=utf-8"
    snapshot_id = json.loads(body)["SnapshotId"]
    assert lab.snapshot(snapshot_id).name == "wsgi" and lab.requests[-1].params == {
        "DiskId": disk,
        "SnapshotName": "wsgi",
    }
    assert app.records[-1].action == "CreateSnapshot" and app.records[-1].scheme == "v1"


def test_a_v3_signed_post_with_a_form_body(app: WsgiApp, lab: Lab, disk: str) -> None:
    body = urlencode({"DiskId": disk, "SnapshotName": "v3-body"}).encode()
    date = datetime.fromtimestamp(WALL, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = v3.sign("CreateSnapshot", {}, KEY, SECRET, host="localhost", nonce="v3-1", date=date, body=body)
    environ = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    environ["HTTP_ACCEPT"] = "application/json"
    status, _, answer, _ = call(
        app,
        "POST",
        body=body,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(body)),
        **environ,
    )
    assert status == "200 OK", answer
    assert lab.snapshot(json.loads(answer)["SnapshotId"]).name == "v3-body" and app.records[-1].scheme == "v3"


def test_the_signature_and_the_nonce_are_checked_as_by_the_built_in_server(app: WsgiApp, lab: Lab) -> None:
    status, _, body, _ = call(app, query=signed_query("DescribeSnapshots", {"RegionId": lab.region}, secret="no"))
    assert (status, json.loads(body)["Code"]) == ("400 Bad Request", "SignatureDoesNotMatch")
    query = signed_query("DescribeSnapshots", {"RegionId": lab.region}, nonce="once")
    assert call(app, query=query)[0] == "200 OK"
    status, _, body, _ = call(app, query=query)
    assert json.loads(body)["Code"] == "SignatureNonceUsed" and status.startswith("400")


def test_a_body_over_the_cap_is_refused_before_any_of_it_is_read(lab: Lab) -> None:
    small = wsgi_app(lab, access_keys={KEY: SECRET}, wall_clock=lambda: WALL, limits=Limits(max_body=100))
    status, _, body, reader = call(small, "POST", body=b"x" * 101, CONTENT_LENGTH="101")
    assert status == "413 Request Entity Too Large" and b"RequestEntityTooLarge" in body
    assert reader.asked == 0


@pytest.mark.parametrize(
    ("environ", "status", "code"),
    [
        ({}, "411 Length Required", "LengthRequired"),  # a POST without Content-Length
        ({"CONTENT_LENGTH": "1e3"}, "400 Bad Request", "InvalidParameter"),
        ({"HTTP_TRANSFER_ENCODING": "chunked"}, "413 Request Entity Too Large", "RequestEntityTooLarge"),
        ({"CONTENT_LENGTH": "50"}, "400 Bad Request", "InvalidParameter"),  # the body ends after 5 bytes
    ],
)
def test_framing_the_application_can_see_is_checked_strictly(app: WsgiApp, environ, status, code) -> None:
    got, _, body, _ = call(app, "POST", body=b"Hello", **environ)
    assert got == status and f"<Code>{code}</Code>".encode() in body
    assert app.records[-1].status == int(status[:3])


def test_the_admin_path_needs_its_token_through_wsgi_too(app: WsgiApp, lab: Lab) -> None:
    status, _, body, _ = call(app, "POST", PATH_INFO="/admin/advance", QUERY_STRING="hours=1", CONTENT_LENGTH="0")
    assert status == "403 Forbidden" and json.loads(body)["Code"] == "Forbidden.AdminToken"
    before = lab.now
    status, _, _, _ = call(
        app,
        "POST",
        PATH_INFO="/admin/advance",
        QUERY_STRING="hours=1",
        CONTENT_LENGTH="0",
        HTTP_X_ADMIN_TOKEN="t" * 20,
    )
    assert status == "200 OK" and (lab.now - before).total_seconds() == 3600


def test_another_path_is_not_an_api_path(app: WsgiApp) -> None:
    status, _, body, _ = call(app, PATH_INFO="/other", QUERY_STRING=signed_query("DescribeSnapshots"))
    assert status == "404 Not Found" and b"InvalidAction.NotFound" in body


# ---------------------------------------------------------------- hosted by wsgiref, called by the official SDKs


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def hosted(lab: Lab) -> Iterator[tuple[WsgiApp, str]]:
    application = wsgi_app(lab, access_keys={KEY: SECRET})
    server: WSGIServer = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield application, f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_old_sdk_creates_and_lists_snapshots_through_wsgiref(hosted, lab: Lab, disk: str) -> None:
    application, endpoint = hosted
    client = AcsClient(KEY, SECRET, lab.region)
    create = CreateSnapshotRequest()
    create.set_DiskId(disk)
    create.set_SnapshotName("through-wsgiref")
    create.set_endpoint(endpoint)
    snapshot_id = json.loads(client.do_action_with_exception(create))["SnapshotId"]
    describe = DescribeSnapshotsRequest()
    describe.set_endpoint(endpoint)
    items = json.loads(client.do_action_with_exception(describe))["Snapshots"]["Snapshot"]
    assert [(i["SnapshotId"], i["SnapshotName"]) for i in items] == [(snapshot_id, "through-wsgiref")]
    assert [r.scheme for r in application.records] == ["v1", "v1"]


def test_the_new_sdk_signs_v3_and_is_answered_through_wsgiref(hosted, lab: Lab, disk: str) -> None:
    application, endpoint = hosted
    config = Config(access_key_id=KEY, access_key_secret=SECRET, endpoint=endpoint, protocol="http")
    client = Client(config)
    created = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk, snapshot_name="new-sdk-wsgi"))
    assert lab.snapshot(created.body.snapshot_id).name == "new-sdk-wsgi"
    assert application.records[-1].scheme == "v3" and application.internal_errors == []


# ---------------------------------------------------------------- the access log


def test_each_request_is_one_common_log_format_line(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    endpoint = serve(lab, access_keys={KEY: SECRET}, wall_clock=lambda: WALL)
    try:
        with caplog.at_level(logging.INFO, logger="ecs_snap_lab.wire.access"):
            for query in (signed_query("DescribeSnapshots", {"RegionId": lab.region}), "Action=DescribeSnapshots"):
                conn = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=10)
                conn.request("GET", f"/?{query}")
                size = len(conn.getresponse().read())
                conn.close()
    finally:
        endpoint.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "ecs_snap_lab.wire.access"]
    assert len(lines) == 2
    signed, anonymous = (CLF.match(line).groups() for line in lines)
    assert signed[:3] == ("127.0.0.1", KEY, "01/Mar/2026:12:00:00 +0000")  # the user: the verified AccessKeyId
    assert signed[3].startswith("GET /?") and signed[3].endswith(" HTTP/1.1") and signed[4] == "200"
    assert anonymous[1] == "-" and anonymous[4] == "400" and anonymous[5] == str(size)


def test_the_wsgi_application_writes_the_same_lines(app: WsgiApp, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ecs_snap_lab.wire.access"):
        _, _, body, _ = call(app, query="Action=DescribeSnapshots", REMOTE_ADDR="10.1.2.3")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "ecs_snap_lab.wire.access"]
    assert CLF.match(line).groups() == (
        "10.1.2.3",
        "-",
        "01/Mar/2026:12:00:00 +0000",
        "GET /?Action=DescribeSnapshots HTTP/1.0",
        "400",
        str(len(body)),
    )


def test_a_request_line_cannot_forge_a_log_line() -> None:
    line = common_log_line("127.0.0.1", "", WALL, 'GET /?a="b"\\\n127.0.0.1 - admin [x] "GET /" 200 1\x85', 400, 0)
    assert "\n" not in line and line.count('"') == 2 + 4  # two quotes of the field, four escaped
    assert '\\"b\\"' in line and "\\x0a" in line and "\\x85" in line and "\\\\" in line
    assert line.endswith(" 400 -")
    assert quote_request("x" * (MAX_REQUEST_CHARS + 10)) == '"' + "x" * MAX_REQUEST_CHARS + '..."'
    assert quote_request("GET /\u2028") == '"GET /\\u2028"'


def test_an_on_request_callback_that_raises_is_logged(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    def clumsy(record):
        raise RuntimeError("the callback broke")

    application = wsgi_app(lab, access_keys={KEY: SECRET}, on_request=clumsy)
    with caplog.at_level(logging.ERROR, logger="ecs_snap_lab"):
        call(application, query="Action=DescribeSnapshots")
    (record,) = [r for r in caplog.records if r.name == "ecs_snap_lab.wire.server"]
    assert "on_request" in record.getMessage() and isinstance(record.exc_info[1], RuntimeError)
    assert "the callback broke" in application.internal_errors[-1]


@pytest.mark.parametrize("quiet", [False, True])
def test_the_serve_command_logs_each_request_unless_quiet(quiet: bool) -> None:
    command = [sys.executable, "-m", "ecs_snap_lab.cli", "serve", "--port", "0", "--access-key", "AK1:s3cret"]
    process = subprocess.Popen(
        command + (["--quiet"] if quiet else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (lines and lines[-1].startswith("Ctrl-C")):
            lines.append(process.stdout.readline())
        port = int(re.search(r"Endpoint: 127\.0\.0\.1:(\d+)", "".join(lines)).group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/?Action=DescribeSnapshots&Format=JSON")
        assert conn.getresponse().status == 400
        conn.close()
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    logged = [line for line in err.splitlines() if CLF.match(line)]
    if quiet:
        assert logged == []
    else:
        assert len(logged) == 1 and '"GET /?Action=DescribeSnapshots&Format=JSON HTTP/1.1" 400 ' in logged[0]
