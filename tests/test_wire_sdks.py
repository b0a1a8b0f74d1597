"""The official SDKs against a local endpoint started by each test: the old one (aliyun-python-sdk-ecs, v1
signature) and the new one (alibabacloud_ecs20140526) with its default V3 signature and with "v2".

Create, describe and delete a snapshot; an error surfaces as the SDK's own exception with its code and HTTP status;
a wrong secret is refused. The SDKs are test dependencies only (the `dev` extra)."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException as NewClientException
from alibabacloud_tea_openapi.exceptions import ServerException as NewServerException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils as OpenApiUtils
from aliyunsdkcore.acs_exception.exceptions import ServerException as OldServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
from aliyunsdkecs.request.v20140526.DeleteSnapshotRequest import DeleteSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest
from darabonba.request import DaraRequest

from ecs_snap_lab import Lab
from ecs_snap_lab.wire import v3
from ecs_snap_lab.wire.server import Endpoint, serve

KEY, SECRET = "LTAIsdktest", "sdk-secret"


@pytest.fixture(params=["seed", "2026"])
def lab(request: pytest.FixtureRequest) -> Lab:
    """Every SDK test runs against both API profiles: the SDKs must work with `serve` and `serve --api 2026`."""
    return Lab(seed=7, api=request.param)


@pytest.fixture
def endpoint(lab: Lab) -> Iterator[Endpoint]:
    ep = serve(lab, access_keys={KEY: SECRET})
    try:
        yield ep
    finally:
        ep.stop()


# ---------------------------------------------------------------- the old SDK (v1 signature)


def old_call(ep: Endpoint, request, secret: str = SECRET, key: str = KEY) -> dict:
    request.set_endpoint(ep.endpoint)
    return json.loads(AcsClient(key, secret, ep.lab.region).do_action_with_exception(request))


def test_old_sdk_creates_describes_and_deletes_a_snapshot(endpoint: Endpoint, lab: Lab, disk: str) -> None:
    create = CreateSnapshotRequest()
    create.set_DiskId(disk)
    create.set_SnapshotName("old-sdk")
    create.set_Tags([{"Key": "team", "Value": "a b+c"}])
    snapshot_id = old_call(endpoint, create)["SnapshotId"]
    assert lab.snapshot(snapshot_id).name == "old-sdk"
    assert lab.requests[-1].params["Tag.1.Value"] == "a b+c"

    describe = DescribeSnapshotsRequest()
    describe.set_DiskId(disk)
    items = old_call(endpoint, describe)["Snapshots"]["Snapshot"]
    assert [(i["SnapshotId"], i["SnapshotName"], i["Tags"]["Tag"]) for i in items] == [
        (snapshot_id, "old-sdk", [{"TagKey": "team", "TagValue": "a b+c"}])
    ]

    with endpoint.lock:
        lab.advance(hours=2)
    delete = DeleteSnapshotRequest()
    delete.set_SnapshotId(snapshot_id)
    assert "RequestId" in old_call(endpoint, delete)
    assert snapshot_id not in lab.world.snapshots
    assert old_call(endpoint, DescribeSnapshotsRequest())["TotalCount"] == 0


def test_old_sdk_raises_its_server_exception_with_the_code_and_status(endpoint: Endpoint) -> None:
    create = CreateSnapshotRequest()
    create.set_DiskId("d-nothere")
    with pytest.raises(OldServerException) as caught:
        old_call(endpoint, create)
    assert caught.value.get_error_code() == "InvalidDiskId.NotFound"
    assert caught.value.get_http_status() == 404
    assert caught.value.get_error_msg() == "The specified DiskId does not exist."
    assert caught.value.get_request_id() == endpoint.lab.requests[-1].request_id


def test_old_sdk_with_a_wrong_secret_is_refused_and_names_the_secret(endpoint: Endpoint, lab: Lab) -> None:
    """The endpoint answers SignatureDoesNotMatch with its string to sign; the old SDK sees that its own string
    to sign is the same, so only the secret can be wrong, and says so (InvalidAccessKeySecret)."""
    with pytest.raises(OldServerException) as caught:
        old_call(endpoint, DescribeSnapshotsRequest(), secret="not-the-secret")
    assert (caught.value.get_error_code(), caught.value.get_http_status()) == ("InvalidAccessKeySecret", 400)
    assert endpoint.records[-1].code == "SignatureDoesNotMatch"
    assert lab.requests == []


def test_old_sdk_with_an_unknown_key(endpoint: Endpoint) -> None:
    with pytest.raises(OldServerException) as caught:
        old_call(endpoint, DescribeSnapshotsRequest(), key="LTAInobody")
    assert (caught.value.get_error_code(), caught.value.get_http_status()) == ("InvalidAccessKeyId.NotFound", 404)


def test_old_sdk_retries_a_lost_create_and_without_a_client_token_the_caller_is_misled(
    endpoint: Endpoint, lab: Lab, disk: str
) -> None:
    """The SDK retries CreateSnapshot on HTTP 500 but sends no ClientToken of its own: after a lost answer (the
    snapshot was made) its retry is a new request, refused because that snapshot is in progress."""
    with endpoint.lock:
        lab.faults.inject("LostResponse")
    create = CreateSnapshotRequest()
    create.set_DiskId(disk)
    with pytest.raises(OldServerException) as caught:
        old_call(endpoint, create)
    assert caught.value.get_error_code() == "IncorrectDiskStatus.CreatingSnapshot"
    assert len(lab.world.snapshots) == 1  # made, though the caller was told otherwise
    attempts = [r for r in lab.requests if r.action == "CreateSnapshot"]
    assert [r.status for r in attempts] == [500, 403]
    assert all("ClientToken" not in r.params for r in attempts)


def test_old_sdk_retry_with_a_client_token_returns_the_one_snapshot(endpoint: Endpoint, lab: Lab, disk) -> None:
    with endpoint.lock:
        lab.faults.inject("LostResponse")
    create = CreateSnapshotRequest()
    create.set_DiskId(disk)
    create.set_ClientToken("nightly-2026-01-01")
    snapshot_id = old_call(endpoint, create)["SnapshotId"]
    assert list(lab.world.snapshots) == [snapshot_id]
    assert [r.status for r in endpoint.records if r.action == "CreateSnapshot"] == [500, 200]


def test_old_sdk_gets_a_server_error_after_its_retries(endpoint: Endpoint, lab: Lab) -> None:
    with endpoint.lock:
        lab.faults.inject("InternalError", action="DescribeSnapshots", times=10)
    with pytest.raises(OldServerException) as caught:
        old_call(endpoint, DescribeSnapshotsRequest())
    assert (caught.value.get_error_code(), caught.value.get_http_status()) == ("InternalError", 500)
    attempts = [r for r in endpoint.records if r.action == "DescribeSnapshots"]
    assert len(attempts) == 4  # the first try and the SDK's three retries, each signed anew
    assert len(lab.faults.armed[0:1]) == 1 and lab.faults.armed[0].times == 6


# ---------------------------------------------------------------- the new SDK (V3 by default, and v2)


def new_client(ep: Endpoint, algorithm: str | None, secret: str = SECRET) -> Client:
    config = Config(access_key_id=KEY, access_key_secret=secret, endpoint=ep.endpoint, protocol="http")
    if algorithm:
        config.signature_algorithm = algorithm
    return Client(config)


ALGORITHMS = pytest.mark.parametrize("algorithm", [None, "v2"], ids=["v3-default", "v2"])


@ALGORITHMS
def test_new_sdk_creates_describes_and_deletes_a_snapshot(endpoint: Endpoint, lab: Lab, disk, algorithm) -> None:
    client = new_client(endpoint, algorithm)
    tag = models.CreateSnapshotRequestTag(key="team", value="x y+z")
    created = client.create_snapshot(
        models.CreateSnapshotRequest(disk_id=disk, snapshot_name="new-sdk", retention_days=7, tag=[tag])
    )
    assert created.status_code == 200
    snapshot_id = created.body.snapshot_id
    assert lab.snapshot(snapshot_id).name == "new-sdk"
    assert endpoint.records[-1].scheme == ("v3" if algorithm is None else "v1")

    described = client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=lab.region, disk_id=disk))
    items = described.body.snapshots.snapshot
    assert [(s.snapshot_id, s.snapshot_name, s.retention_days) for s in items] == [(snapshot_id, "new-sdk", 7)]
    assert [(t.tag_key, t.tag_value) for t in items[0].tags.tag] == [("team", "x y+z")]

    with endpoint.lock:
        lab.advance(hours=2)
    client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=snapshot_id))
    assert snapshot_id not in lab.world.snapshots


@ALGORITHMS
def test_new_sdk_raises_its_client_exception_with_the_code_and_status(endpoint: Endpoint, algorithm) -> None:
    with pytest.raises(NewClientException) as caught:
        new_client(endpoint, algorithm).create_snapshot(models.CreateSnapshotRequest(disk_id="d-nothere"))
    assert (caught.value.code, caught.value.status_code) == ("InvalidDiskId.NotFound", 404)
    assert caught.value.request_id == endpoint.lab.requests[-1].request_id


@ALGORITHMS
def test_new_sdk_raises_its_server_exception_for_a_500(endpoint: Endpoint, lab: Lab, algorithm) -> None:
    with endpoint.lock:
        lab.faults.inject("InternalError", action="DescribeSnapshots")
    with pytest.raises(NewServerException) as caught:
        new_client(endpoint, algorithm).describe_snapshots(models.DescribeSnapshotsRequest(region_id=lab.region))
    assert (caught.value.code, caught.value.status_code) == ("InternalError", 500)


@ALGORITHMS
def test_new_sdk_with_a_wrong_secret_is_refused(endpoint: Endpoint, lab: Lab, algorithm) -> None:
    client = new_client(endpoint, algorithm, secret="not-the-secret")
    with pytest.raises(NewClientException) as caught:
        client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=lab.region))
    assert (caught.value.code, caught.value.status_code) == ("SignatureDoesNotMatch", 400)
    assert lab.requests == []


# ---------------------------------------------------------------- the signatures agree with the SDKs' own code


def test_v3_module_signs_as_the_new_sdk_does() -> None:
    request = DaraRequest()
    request.method = "POST"
    request.pathname = "/"
    request.query = {"DiskId": "d-1", "Tag.1.Value": "a b*~+é", "Empty": ""}
    request.headers = {
        "host": "127.0.0.1:8080",
        "x-acs-action": "CreateSnapshot",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2026-03-01T12:00:00Z",
        "x-acs-signature-nonce": "abc",
        "x-acs-content-sha256": v3.hashed_payload(b""),
    }
    sdk = OpenApiUtils.get_authorization(request, "ACS3-HMAC-SHA256", v3.hashed_payload(b""), KEY, SECRET)
    steps = v3.explain(SECRET, "POST", "/", request.query, request.headers, request.headers)
    assert sdk == v3.authorization(KEY, steps.signed_headers, steps.signature)
    assert (
        sdk
        == v3.sign(
            "CreateSnapshot",
            request.query,
            KEY,
            SECRET,
            host="127.0.0.1:8080",
            nonce="abc",
            date="2026-03-01T12:00:00Z",
        )["Authorization"]
    )


# ---------------------------------------------------------------- the snippets printed by `ecs-snap-lab serve`


@pytest.mark.parametrize("sdk", ["old", "new"])
def test_the_printed_snippets_run_as_printed(endpoint: Endpoint, lab: Lab, disk: str, sdk: str) -> None:
    with endpoint.lock:
        lab.create_snapshot(disk, name="shown")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(endpoint.snippet(sdk), f"<snippet {sdk}>", "exec"), {})
    assert "shown" in out.getvalue()
    assert endpoint.records[-1].action == "DescribeSnapshots" and endpoint.records[-1].status == 200


# ---------------------------------------------------------------- today's parameters, against each profile


@ALGORITHMS
def test_new_sdk_sends_todays_rules_and_only_the_2026_profile_accepts_them(
    endpoint: Endpoint, lab: Lab, disk: str, algorithm
) -> None:
    """A name with a period, a tag key of 100 characters, a disk detached after use: today's documentation allows
    each; the seed refuses each with its code."""
    client = new_client(endpoint, algorithm)
    today = lab.api == "2026"
    named = models.CreateSnapshotRequest(disk_id=disk, snapshot_name="nightly.2026-01-01")
    long_key = models.CreateSnapshotRequest(disk_id=disk, tag=[models.CreateSnapshotRequestTag(key="k" * 100)])
    for request, code in ((named, "InvalidSnapshotName.Malformed"), (long_key, "InvalidTagKey.Malformed")):
        if today:
            assert client.create_snapshot(request).status_code == 200
            with endpoint.lock:
                lab.advance(hours=2)
        else:
            with pytest.raises(NewClientException) as caught:
                client.create_snapshot(request)
            assert (caught.value.code, caught.value.status_code) == (code, 400)

    with endpoint.lock:
        lab.detach_disk(disk, lab.disk(disk).instance_id)
        lab.advance(minutes=5)
    detached = models.CreateSnapshotRequest(disk_id=disk)
    if today:
        assert lab.snapshot(client.create_snapshot(detached).body.snapshot_id).disk_id == disk
    else:
        with pytest.raises(NewClientException) as caught:
            client.create_snapshot(detached)
        assert (caught.value.code, caught.value.status_code) == ("IncorrectDiskStatus", 403)


@ALGORITHMS
def test_new_sdk_pages_with_max_results_and_next_token_against_2026(algorithm) -> None:
    """Also sends today's Category (InstantAccess with it is refused: tests/test_profiles.py)."""
    lab = Lab(seed=7, api="2026")
    disk = lab.ready_disk()
    for _ in range(7):
        lab.create_snapshot(disk)
        lab.advance(hours=1)
    ep = serve(lab, access_keys={KEY: SECRET})
    try:
        client = new_client(ep, algorithm)
        created = client.create_snapshot(
            models.CreateSnapshotRequest(disk_id=disk, category="Standard", retention_days=7)
        )
        assert created.status_code == 200
        seen, token = [], None
        while True:
            page = client.describe_snapshots(
                models.DescribeSnapshotsRequest(region_id=lab.region, disk_id=disk, max_results=3, next_token=token)
            ).body
            seen += [s.snapshot_id for s in page.snapshots.snapshot]
            assert all(s.available is not None and s.snapshot_link_id for s in page.snapshots.snapshot)
            token = page.next_token
            if not token:
                break
        assert len(seen) == len(set(seen)) == 8
    finally:
        ep.stop()
