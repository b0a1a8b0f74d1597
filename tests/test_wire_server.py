"""The local endpoint over real HTTP (no SDK): the RPC style, both signatures, the gateway's refusals, bad input,
the admin path and `ecs-snap-lab serve`. Every server listens on port 0 and is stopped by its fixture."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.wire import signature as sig
from ecs_snap_lab.wire import v3
from ecs_snap_lab.wire.auth import parse_timestamp
from ecs_snap_lab.wire.server import Endpoint, Limits, serve

KEY, SECRET = "LTAItest", "secret"
NOW = "2026-03-01T12:00:00Z"  # the endpoint's wall clock in these tests
WALL = parse_timestamp(NOW)


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, at: float = WALL) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def endpoint(lab: Lab, clock: Clock) -> Iterator[Endpoint]:
    ep = serve(lab, access_keys={KEY: SECRET, "LTAIother": "other"}, wall_clock=clock)
    try:
        yield ep
    finally:
        ep.stop()


_nonces = itertools.count(1)


def signed(
    action: str, params: dict | None = None, *, method: str = "GET", secret: str = SECRET, key: str = KEY, **common
) -> dict[str, str]:
    """A v1-signed parameter set: a fresh nonce, the endpoint's wall-clock time, JSON unless said otherwise."""
    options = {"nonce": f"nonce-{next(_nonces)}", "timestamp": NOW, "response_format": "JSON", **common}
    return sig.sign(action, params or {}, key, secret, method=method, **options)


def request(
    ep: Endpoint, method: str, target: str = "/", body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(ep.host, ep.port, timeout=10)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def get(ep: Endpoint, params: dict[str, str]) -> tuple[int, dict]:
    status, headers, body = request(ep, "GET", "/?" + urlencode(params))
    assert headers["content-type"] == "application/json;charset=utf-8"
    return status, json.loads(body)


# ---------------------------------------------------------------- the contract


def test_serve_returns_a_running_endpoint_that_stop_ends(lab: Lab) -> None:
    ep = serve(lab, port=0, access_keys={KEY: SECRET})
    try:
        assert ep.endpoint == f"127.0.0.1:{ep.port}" and ep.port > 0
        assert ep.url == f"http://127.0.0.1:{ep.port}/"
        assert ep.access_keys == {KEY: SECRET}
        assert ep.running
        status, _, _ = request(ep, "GET", "/")
        assert status == 400  # answered (unsigned)
    finally:
        ep.stop()
    ep.stop()  # twice is fine
    assert not ep.running
    with pytest.raises(OSError):
        request(ep, "GET", "/")


def test_without_keys_a_fresh_random_pair_is_made_for_each_endpoint() -> None:
    first, again = Lab(seed=3), Lab(seed=3)
    with serve(first) as a, serve(again) as b:
        assert a.access_keys != b.access_keys  # the same seed, other keys: nothing in the source predicts them
        ((key_id, secret),) = a.access_keys.items()
        assert key_id.startswith("LTAI") and len(key_id) == 24 and len(secret) == 30
        status, body = get(a, sig.sign("DescribeRegions", {}, key_id, secret, nonce="n", timestamp=_wall_now()))
        assert (status, body["Code"]) == (404, "InvalidAction.NotFound")  # signed correctly, unknown to the lab


def _wall_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def test_an_empty_key_table_is_refused(lab: Lab) -> None:
    with pytest.raises(ValueError, match="AccessKey"):
        serve(lab, access_keys={})


# ---------------------------------------------------------------- the RPC style


def test_get_create_then_describe_reaches_the_same_lab(endpoint: Endpoint, lab: Lab, disk: str) -> None:
    status, body = get(endpoint, signed("CreateSnapshot", {"DiskId": disk, "SnapshotName": "over-http"}))
    assert status == 200
    assert lab.snapshot(body["SnapshotId"]).name == "over-http"
    status, body = get(endpoint, signed("DescribeSnapshots", {"RegionId": lab.region, "DiskId": disk}))
    assert status == 200 and body["TotalCount"] == 1
    assert body["Snapshots"]["Snapshot"][0]["SnapshotName"] == "over-http"


def test_the_lab_is_passed_only_the_actions_own_parameters(endpoint: Endpoint, lab: Lab, disk: str) -> None:
    get(endpoint, signed("CreateSnapshot", {"DiskId": disk, "Tag.1.Key": "k", "Tag.1.Value": "a b+c*~"}))
    record = lab.requests[-1]
    assert record.params == {"DiskId": disk, "Tag.1.Key": "k", "Tag.1.Value": "a b+c*~"}
    assert lab.describe_snapshots()[0]["Tags"]["Tag"] == [{"TagKey": "k", "TagValue": "a b+c*~"}]


def test_post_merges_query_and_form_body_and_signs_both(endpoint: Endpoint, lab: Lab, disk: str) -> None:
    params = signed("CreateSnapshot", {"DiskId": disk, "SnapshotName": "from-the-body"}, method="POST")
    in_body = {name: params.pop(name) for name in ("DiskId", "SnapshotName")}
    status, _headers, body = request(
        endpoint,
        "POST",
        "/?" + urlencode(params),
        urlencode(in_body).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, body
    assert lab.snapshot(json.loads(body)["SnapshotId"]).name == "from-the-body"


def test_xml_is_the_default_format_and_json_is_asked_for(endpoint: Endpoint, lab: Lab) -> None:
    params = signed("DescribeSnapshots", {"RegionId": lab.region}, response_format="XML")
    del params["Signature"], params["Format"]
    params["Signature"] = sig.signature(SECRET, "GET", params)
    status, headers, body = request(endpoint, "GET", "/?" + urlencode(params))
    assert status == 200 and headers["content-type"] == "text/xml;charset=utf-8"
    root = ET.fromstring(body)
    assert root.tag == "DescribeSnapshotsResponse" and root.find("TotalCount").text == "0"
    status, headers, body = request(
        endpoint, "GET", "/?" + urlencode(signed("DescribeSnapshots", {"RegionId": lab.region}))
    )
    assert headers["content-type"] == "application/json;charset=utf-8" and json.loads(body)["TotalCount"] == 0


def test_errors_come_in_the_apis_shape_with_their_status(endpoint: Endpoint) -> None:
    params = signed("CreateSnapshot", {"DiskId": "d-nothere"}, response_format="XML")
    status, _headers, body = request(endpoint, "GET", "/?" + urlencode(params))
    assert status == 404
    root = ET.fromstring(body)
    assert root.tag == "Error"
    assert [child.tag for child in root][:4] == ["RequestId", "HostId", "Code", "Message"]
    assert root.find("Code").text == "InvalidDiskId.NotFound"
    status, body = get(endpoint, signed("CreateSnapshot", {"DiskId": "d-nothere"}))
    assert (status, body["Code"], body["HostId"]) == (404, "InvalidDiskId.NotFound", "ecs.aliyuncs.com")


def test_an_unknown_action_gets_the_apis_error(endpoint: Endpoint) -> None:
    status, body = get(endpoint, signed("CreateSnapshots", {}))
    assert (status, body["Code"]) == (404, "InvalidAction.NotFound")
    assert body["Message"] == "Specified api is not found, please check your url and method."


@pytest.mark.parametrize(
    ("change", "code"),
    [({"Version": "2016-01-01"}, "InvalidVersion"), ({"Format": "yaml"}, "InvalidParameter")],
)
def test_version_and_format_are_checked(endpoint: Endpoint, change: dict, code: str) -> None:
    params = signed("DescribeSnapshots", {})
    params.update(change)
    params["Signature"] = sig.signature(SECRET, "GET", params)
    status, _headers, body = request(endpoint, "GET", "/?" + urlencode(params))
    assert status == 400
    assert code.encode() in body


def test_a_missing_version_is_a_missing_parameter(endpoint: Endpoint) -> None:
    params = signed("DescribeSnapshots", {})
    del params["Version"]
    params["Signature"] = sig.signature(SECRET, "GET", params)
    status, body = get(endpoint, params)
    assert (status, body["Code"]) == (400, "MissingParameter") and '"Version"' in body["Message"]


# ---------------------------------------------------------------- v1 authentication


def test_a_wrong_secret_gets_signature_does_not_match_with_the_servers_string_to_sign(endpoint: Endpoint) -> None:
    params = signed("DescribeSnapshots", {}, secret="wrong")
    status, body = get(endpoint, params)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    head, _, server_string = body["Message"].partition("server string to sign is:")
    assert head == "Specified signature is not matched with our calculation. "
    assert server_string == sig.string_to_sign("GET", params)


def test_a_parameter_changed_after_signing_is_refused(endpoint: Endpoint, lab: Lab, disk: str) -> None:
    params = signed("CreateSnapshot", {"DiskId": disk, "SnapshotName": "signed"})
    params["SnapshotName"] = "changed"
    _status, body = get(endpoint, params)
    assert body["Code"] == "SignatureDoesNotMatch"
    assert lab.world.snapshots == {}


def test_an_unknown_key_is_not_found(endpoint: Endpoint) -> None:
    status, body = get(endpoint, signed("DescribeSnapshots", {}, key="LTAInobody"))
    assert (status, body["Code"], body["Message"]) == (
        404,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"Signature": None}, "IncompleteSignature"),
        ({"SignatureNonce": None}, "IncompleteSignature"),
        ({"SignatureMethod": "HMAC-SHA256"}, "IncompleteSignature"),
        ({"SignatureVersion": "2.0"}, "IncompleteSignature"),
        ({"AccessKeyId": None}, "MissingParameter"),
        ({"Timestamp": None}, "IllegalTimestamp"),
        ({"Timestamp": "2026-03-01 12:00:00"}, "IllegalTimestamp"),
        ({"Timestamp": "2016-02-23T12:46:24Z"}, "IllegalTimestamp"),
    ],
)
def test_incomplete_or_stale_signatures_are_refused(endpoint: Endpoint, change: dict, code: str) -> None:
    params = signed("DescribeSnapshots", {})
    for name, value in change.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value
    if "Signature" not in change:
        params["Signature"] = sig.signature(SECRET, "GET", params)
    status, body = get(endpoint, params)
    assert (status, body["Code"]) == (400, code)


def test_the_timestamp_may_be_near_the_wall_clock_or_the_labs_clock(endpoint: Endpoint, lab: Lab, clock) -> None:
    def answer(stamp: str) -> int:
        return get(endpoint, signed("DescribeSnapshots", {"RegionId": lab.region}, timestamp=stamp))[0]

    assert answer("2026-03-01T12:14:59Z") == 200  # the wall clock, 14:59 ahead
    assert answer("2026-03-01T11:45:00Z") == 200
    assert answer("2026-03-01T12:15:01Z") == 400  # 15:01 ahead of the wall clock, far from the lab's
    assert answer(lab.now.strftime("%Y-%m-%dT%H:%M:%SZ")) == 200  # the lab's own time (2026-01-01)
    lab.advance(days=3)
    assert answer("2026-01-01T00:00:00Z") == 400  # the lab has moved on
    assert answer("2026-01-04T00:10:00Z") == 200


def test_a_replayed_request_is_refused_and_a_refused_one_keeps_its_nonce(endpoint: Endpoint, lab: Lab, clock) -> None:
    good = signed("DescribeSnapshots", {"RegionId": lab.region}, nonce="n-1")
    assert get(endpoint, good)[0] == 200
    replay = get(endpoint, good)
    assert (replay[0], replay[1]["Code"]) == (400, "SignatureNonceUsed")
    # the same nonce under another key is another nonce
    other = signed("DescribeSnapshots", {"RegionId": lab.region}, nonce="n-1", key="LTAIother", secret="other")
    assert get(endpoint, other)[0] == 200
    # a refused request does not use up its nonce
    wrong = signed("DescribeSnapshots", {"RegionId": lab.region}, nonce="n-2", secret="wrong")
    assert get(endpoint, wrong)[1]["Code"] == "SignatureDoesNotMatch"
    assert get(endpoint, signed("DescribeSnapshots", {"RegionId": lab.region}, nonce="n-2"))[0] == 200
    # after the window the nonce is forgotten (the timestamp moves with the clock)
    clock.at += 15 * 60 + 1
    later = signed("DescribeSnapshots", {"RegionId": lab.region}, nonce="n-1", timestamp="2026-03-01T12:15:01Z")
    assert get(endpoint, later)[0] == 200


# ---------------------------------------------------------------- V3 authentication


def v3_request(ep: Endpoint, action: str, query: dict, *, secret: str = SECRET, nonce: str | None = None, body=b""):
    headers = v3.sign(
        action, query, KEY, secret, host=ep.endpoint, nonce=nonce or f"v3-{next(_nonces)}", date=NOW, body=body
    )
    headers["Accept"] = "application/json"
    return headers


def test_v3_signed_requests_are_answered(endpoint: Endpoint, lab: Lab, disk: str) -> None:
    query = {"DiskId": disk, "SnapshotName": "v3-made", "Tag.1.Key": "k", "Tag.1.Value": "x y"}
    headers = v3_request(endpoint, "CreateSnapshot", query)
    status, reply_headers, body = request(endpoint, "POST", "/?" + urlencode(query), headers=headers)
    assert status == 200, body
    assert reply_headers["content-type"] == "application/json;charset=utf-8"  # no Format: the Accept header decides
    assert lab.snapshot(json.loads(body)["SnapshotId"]).name == "v3-made"
    assert endpoint.records[-1].scheme == "v3"


def test_v3_refusals(endpoint: Endpoint, lab: Lab) -> None:
    query = {"RegionId": lab.region}
    target = "/?" + urlencode(query)

    wrong = v3_request(endpoint, "DescribeSnapshots", query, secret="wrong")
    status, _, body = request(endpoint, "POST", target, headers=wrong)
    assert (status, json.loads(body)["Code"]) == (400, "SignatureDoesNotMatch")
    assert "ACS3-HMAC-SHA256\\n" in json.loads(body)["Message"]

    tampered = v3_request(endpoint, "DescribeSnapshots", query)
    status, _, body = request(endpoint, "POST", "/?RegionId=cn-beijing", headers=tampered)
    assert json.loads(body)["Code"] == "SignatureDoesNotMatch"

    body_changed = v3_request(endpoint, "DescribeSnapshots", query, body=b"a=1")
    status, _, body = request(endpoint, "POST", target, body=b"a=2", headers=body_changed)
    assert json.loads(body)["Code"] == "SignatureDoesNotMatch"

    unsigned_date = v3_request(endpoint, "DescribeSnapshots", query)
    auth = v3.parse_authorization(unsigned_date["Authorization"])
    kept = [h for h in auth.signed_headers if h != "x-acs-date"]
    steps = v3.explain(SECRET, "POST", "/", query, unsigned_date, kept)
    unsigned_date["Authorization"] = v3.authorization(KEY, steps.signed_headers, steps.signature)
    status, _, body = request(endpoint, "POST", target, headers=unsigned_date)
    assert (status, json.loads(body)["Code"]) == (400, "IncompleteSignature")

    status, _, body = request(endpoint, "POST", target, headers={"Authorization": "ACS3-HMAC-SHA256 nonsense"})
    assert (status, ET.fromstring(body).find("Code").text) == (400, "IncompleteSignature")

    replay = v3_request(endpoint, "DescribeSnapshots", query, nonce="v3-once")
    assert request(endpoint, "POST", target, headers=replay)[0] == 200
    status, _, body = request(endpoint, "POST", target, headers=replay)
    assert (status, json.loads(body)["Code"]) == (400, "SignatureNonceUsed")


# ---------------------------------------------------------------- bad input never breaks the endpoint


@pytest.mark.parametrize(
    ("method", "target", "body", "headers", "status", "code"),
    [
        ("PUT", "/", b"", {}, 405, "UnsupportedHTTPMethod"),
        ("DELETE", "/", b"", {}, 405, "UnsupportedHTTPMethod"),
        ("GET", "/?Action=%FF%FE", None, {}, 400, "InvalidParameter"),
        ("GET", "/?Action=A&Action=B", None, {}, 400, "InvalidParameter"),
        ("POST", "/", "Action=caf\u00e9".encode(), {"Content-Type": "application/x-www-form-urlencoded"}, 400,
         "InvalidParameter"),
        ("GET", "/elsewhere", None, {}, 404, "InvalidAction.NotFound"),
        ("GET", "/admin/state", None, {}, 404, "InvalidAction.NotFound"),  # admin is off by default
        ("GET", "/?Action=DescribeSnapshots", None, {}, 400, "IncompleteSignature"),
        ("GET", "/", None, {"Authorization": "Basic dXNlcjpwdw=="}, 400, "IncompleteSignature"),
    ],
)  # fmt: skip
def test_bad_requests_get_a_clear_api_error(endpoint, lab, method, target, body, headers, status, code) -> None:
    got_status, _reply_headers, reply = request(endpoint, method, target, body, headers)
    assert got_status == status
    assert ET.fromstring(reply).find("Code").text == code  # XML: no Format said otherwise
    assert endpoint.internal_errors == [] and lab.internal_errors == []
    assert lab.requests == []  # refused before the lab


def test_a_body_over_the_bound_is_refused_without_being_read(lab: Lab) -> None:
    with serve(lab, access_keys={KEY: SECRET}, limits=Limits(max_body=1024)) as ep:
        conn = http.client.HTTPConnection(ep.host, ep.port, timeout=10)
        try:
            conn.putrequest("POST", "/")
            conn.putheader("Content-Length", str(50 * 1024 * 1024))
            conn.endheaders()
            conn.send(b"x" * 4096)  # the rest never comes
            response = conn.getresponse()
            body = response.read()
            assert response.status == 413
            assert response.getheader("Connection") == "close"
            assert ET.fromstring(body).find("Code").text == "RequestEntityTooLarge"
        finally:
            conn.close()
        status, _, body = request(ep, "POST", "/", b"a" * 1024)  # at the bound: read, then refused as unsigned
        assert status == 400 and b"IncompleteSignature" in body


def test_a_chunked_body_is_refused(endpoint: Endpoint) -> None:
    conn = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=10)
    try:
        conn.request("POST", "/", body=iter([b"Action=x"]), headers={"Transfer-Encoding": "chunked"})
        response = conn.getresponse()
        assert response.status == 413 and b"RequestEntityTooLarge" in response.read()
    finally:
        conn.close()


def test_a_broken_content_length_is_refused(endpoint: Endpoint) -> None:
    conn = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=10)
    try:
        conn.putrequest("POST", "/")
        conn.putheader("Content-Length", "-5")
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 400 and b"Content-Length" in response.read()
    finally:
        conn.close()


def test_a_bug_of_the_endpoint_answers_500_and_keeps_the_traceback(endpoint: Endpoint) -> None:
    class Broken:
        seed = 0

        def call(self, action, params):
            raise RuntimeError("boom")

    real = endpoint.lab
    endpoint.lab = Broken()  # type: ignore[assignment]
    endpoint.lab.now_seconds = real.now_seconds  # type: ignore[attr-defined]  # the signature's clock
    status, body = get(endpoint, signed("DescribeSnapshots", {}))
    assert (status, body["Code"]) == (500, "InternalError")
    assert "boom" in endpoint.internal_errors[-1]


def test_refusals_do_not_change_the_labs_request_ids(endpoint: Endpoint, lab: Lab) -> None:
    twin = Lab(seed=7)
    for _ in range(3):
        get(endpoint, signed("DescribeSnapshots", {}, secret="wrong"))
    _status, body = get(endpoint, signed("DescribeSnapshots", {"RegionId": lab.region}))
    assert body["RequestId"] == twin.call("DescribeSnapshots", {"RegionId": twin.region}).request_id


def test_keep_alive_connections_serve_many_requests_and_stop_closes_them(lab: Lab) -> None:
    ep = serve(lab, access_keys={KEY: SECRET}, wall_clock=Clock())
    conn = http.client.HTTPConnection(ep.host, ep.port, timeout=10)
    try:
        for _ in range(5):
            conn.request("GET", "/?" + urlencode(signed("DescribeSnapshots", {"RegionId": lab.region})))
            response = conn.getresponse()
            assert response.status == 200
            response.read()
        assert len(ep.records) == 5 and all(r.seconds > 0 for r in ep.records)
    finally:
        ep.stop()
        conn.close()
    assert not ep.running


# ---------------------------------------------------------------- the admin path


@pytest.fixture
def admin_endpoint(lab: Lab, clock: Clock) -> Iterator[Endpoint]:
    ep = serve(lab, access_keys={KEY: SECRET}, admin=True, wall_clock=clock)
    try:
        yield ep
    finally:
        ep.stop()


def admin(ep: Endpoint, operation: str, method: str = "POST", **params) -> tuple[int, dict]:
    headers = {"X-Admin-Token": ep.admin_token}
    status, _, body = request(ep, method, f"/admin/{operation}?" + urlencode(params), headers=headers)
    return status, json.loads(body)


def test_admin_advances_the_clock_injects_faults_and_resets(disk: str, lab: Lab, admin_endpoint: Endpoint) -> None:
    ep = admin_endpoint
    status, state = admin(ep, "state", "GET")
    assert status == 200 and state["Now"] == lab.now.strftime("%Y-%m-%dT%H:%M:%SZ") and state["Snapshots"] == 0
    status, state = admin(ep, "advance", hours=2)
    assert status == 200 and state["Now"] == lab.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    status, state = admin(ep, "fault", kind="InternalError", action="CreateSnapshot", times=1)
    assert state["Faults"] == [{"Kind": "InternalError", "Action": "CreateSnapshot", "Times": 1}]
    status, body = get(ep, signed("CreateSnapshot", {"DiskId": disk}))
    assert (status, body["Code"]) == (500, "InternalError")
    status, body = get(ep, signed("CreateSnapshot", {"DiskId": disk}))
    assert status == 200 and lab.world.snapshots
    status, state = admin(ep, "reset")
    assert status == 200 and state["Snapshots"] == 0 and state["Faults"] == []
    assert ep.lab is not lab and len(lab.world.snapshots) == 1  # the lab passed in is left as it was
    status, body = get(ep, signed("CreateSnapshot", {"DiskId": disk}))
    assert status == 200 and body["SnapshotId"] in ep.lab.world.snapshots


@pytest.mark.parametrize(
    ("operation", "params", "status"),
    [
        ("fault", {"kind": "Meteor"}, 400),
        ("fault", {"kind": "InternalError", "times": "x"}, 400),
        ("advance", {"hours": "-1"}, 400),
        ("launch", {}, 404),
    ],
)
def test_admin_refuses_bad_input_in_json(admin_endpoint: Endpoint, operation: str, params: dict, status: int) -> None:
    got, body = admin(admin_endpoint, operation, **params)
    assert got == status and body["Code"] and body["Message"]
    assert admin_endpoint.internal_errors == []


# ---------------------------------------------------------------- ecs-snap-lab serve


def test_the_serve_command_prints_how_to_reach_it_and_answers(tmp_path: Path) -> None:
    lab = Lab(seed=5)
    lab.ready_disk()
    saved = tmp_path / "world.json"
    lab.save(saved)
    command = [sys.executable, "-m", "ecs_snap_lab.cli", "serve", "--port", "0", "--access-key", "AK1:s3cret"]
    process = subprocess.Popen(
        [*command, "--load", str(saved), "--admin"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(lines)
        port = int(re.search(r"Endpoint: 127\.0\.0\.1:(\d+)", text).group(1))
        assert "AccessKey: AK1:s3cret" in text and "/admin/state" in text
        token = re.search(r"Admin token: (\S+)", text).group(1)
        assert len(token) >= 16 and f'-H "X-Admin-Token: {token}"' in text
        assert f'request.set_endpoint("127.0.0.1:{port}")' in text and 'AcsClient("AK1", "s3cret"' in text
        params = sig.sign(
            "DescribeSnapshots", {"RegionId": lab.region}, "AK1", "s3cret", nonce="cli", timestamp=_wall_now()
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/?" + urlencode(params))
        answer = conn.getresponse()
        assert answer.status == 200 and json.loads(answer.read())["TotalCount"] == 0
        conn.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    assert process.returncode == 0  # a stop signal ends it cleanly


def test_the_serve_command_refuses_a_malformed_key(capsys) -> None:
    from ecs_snap_lab.cli import main

    assert main(["serve", "--port", "0", "--access-key", "no-secret"]) == 2
    assert "ID:SECRET" in capsys.readouterr().err


def test_serve_is_reachable_from_the_wire_package_as_the_issue_names_it() -> None:
    from ecs_snap_lab import wire
    from ecs_snap_lab.wire.server import serve

    assert wire.serve is serve
    with pytest.raises(AttributeError):
        _ = wire.no_such_thing


@pytest.mark.parametrize(
    ("options", "api"), [([], "seed"), (["--api", "2026"], "2026"), (["--demo", "--api", "2026"], "2026")]
)
def test_the_serve_command_serves_the_chosen_api_profile(monkeypatch, capsys, options, api) -> None:
    import ecs_snap_lab.wire.server as server
    from ecs_snap_lab.cli import main

    served = []

    def refuse(lab, **_):
        served.append(lab)
        raise OSError("not serving in this test")

    monkeypatch.setattr(server, "serve", refuse)
    assert main(["serve", "--port", "0", *options]) == 2
    assert [lab.api for lab in served] == [api]


def test_the_serve_command_refuses_another_profile_than_a_saved_labs(tmp_path: Path, capsys) -> None:
    from ecs_snap_lab.cli import main

    Lab(seed=1).save(tmp_path / "seed.json")
    assert main(["serve", "--port", "0", "--load", str(tmp_path / "seed.json"), "--api", "2026"]) == 2
    assert "holds a lab of the seed profile, not 2026" in capsys.readouterr().err
