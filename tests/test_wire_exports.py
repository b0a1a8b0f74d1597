"""Exports of a request: the signed URL and POST form verify, the CLI command round-trips through a shell, and
the SDK snippets compile, build the request they describe and, run as printed against the local endpoint, do it."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from ecs_snap_lab import Lab
from ecs_snap_lab.actions.base import ACTIONS
from ecs_snap_lab.wire import exports as ex
from ecs_snap_lab.wire import signature as sig

KEY_ID, SECRET = "LTAItest", "secret"
LOCAL = "127.0.0.1:8080"
REQUEST = {
    "DiskId": "d-bp1example",
    "SnapshotName": "before upgrade",
    "Description": "a & b = c*~",
    "RetentionDays": "7",
    "Tag.1.Key": "team",
    "Tag.1.Value": "blue sky",
    "ClientToken": "token-1",
}

# Text a learner might type: quotes, shell and URL metacharacters, spaces, non-ASCII (never a lone surrogate).
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
names = st.from_regex(r"[A-Z][A-Za-z0-9.]{0,15}", fullmatch=True)


def query(url_or_body: str) -> dict[str, str]:
    return dict(parse_qsl(url_or_body, keep_blank_values=True, strict_parsing=True))


def without_response(snippet: str) -> str:
    """The snippet up to the line that sends it: builds the request, touches no network."""
    return snippet[: snippet.index("response = ")]


# ---------------------------------------------------------------- signed URL and POST form


def test_the_signed_urls_signature_verifies_with_the_signature_module() -> None:
    exports = ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET, endpoint=LOCAL, seed=1)
    parts = urlsplit(exports.signed_url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", LOCAL, "/")
    sent = query(parts.query)
    assert sent["Signature"] == sig.signature(SECRET, "GET", sent)
    assert sent["Signature"] != sig.signature("another secret", "GET", sent)
    assert {k: sent[k] for k in REQUEST} == REQUEST
    assert sent["Action"] == "CreateSnapshot"
    assert sent["AccessKeyId"] == KEY_ID


def test_the_url_before_the_signature_is_the_canonicalized_query() -> None:
    exports = ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET, seed=1)
    head, _, signature = urlsplit(exports.signed_url).query.rpartition("&Signature=")
    assert head == sig.canonicalized_query(exports.get_params)
    assert signature == sig.percent_encode(exports.get_params["Signature"])
    assert exports.signed_url.startswith("https://ecs.aliyuncs.com/?")


@given(params=st.dictionaries(names, text, max_size=6), method_seed=st.integers(0, 2**32))
@settings(max_examples=examples(60))
def test_form_and_url_carry_the_same_parameters_each_signed_for_its_method(
    params: dict[str, str], method_seed: int
) -> None:
    params.pop("Signature", None)
    exports = ex.export("DescribeSnapshots", params, KEY_ID, SECRET, seed=method_seed)
    in_url = query(urlsplit(exports.signed_url).query)
    in_form = query(exports.post.body)
    assert urlsplit(exports.post.url).query == ""
    assert {k: v for k, v in in_url.items() if k != "Signature"} == {
        k: v for k, v in in_form.items() if k != "Signature"
    }
    assert in_url["Signature"] == sig.signature(SECRET, "GET", in_url)
    assert in_form["Signature"] == sig.signature(SECRET, "POST", in_form)
    assert in_form == exports.post.params
    for name, value in params.items():
        assert in_url[name] == value


def test_nonce_and_timestamp_come_from_the_caller_or_the_seed_never_the_wall_clock_unless_asked() -> None:
    first = ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET, seed=5)
    assert first == ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET, seed=5)
    assert first.nonce != ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET, seed=6).nonce
    assert first.timestamp == ex.EPOCH
    given_ = ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET, nonce="n-1", timestamp="2030-05-06T07:08:09Z")
    assert (given_.get_params["SignatureNonce"], given_.get_params["Timestamp"]) == ("n-1", "2030-05-06T07:08:09Z")
    lab = Lab(seed=7)
    lab.advance(days=3, seconds=5)
    assert ex.export("CreateSnapshot", {}, KEY_ID, SECRET, at=lab.now).timestamp == "2026-01-04T00:00:05Z"
    stamped = datetime.strptime(ex.make_timestamp(wall_clock=True), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(stamped - datetime.now(UTC)) < timedelta(minutes=5)


def test_a_seeded_generator_gives_a_fresh_nonce_each_draw() -> None:
    import random

    rng = random.Random(3)
    drawn = [ex.make_nonce(rng) for _ in range(50)]
    assert len(set(drawn)) == 50
    assert drawn[0] == ex.make_nonce(3)


@pytest.mark.parametrize(
    ("endpoint", "local"),
    [("127.0.0.1:8080", True), ("localhost:1", True), ("[::1]:80", True), ("ecs.aliyuncs.com", False)],
)
def test_local_endpoints_are_plain_http(endpoint: str, local: bool) -> None:
    assert ex.is_local(endpoint) is local
    assert ex.base_url(endpoint).startswith("http://" if local else "https://")


# ---------------------------------------------------------------- aliyun CLI


@given(params=st.dictionaries(names, text, max_size=6))
@settings(max_examples=examples(80))
def test_the_cli_command_round_trips_through_shlex(params: dict[str, str]) -> None:
    words = shlex.split(ex.cli_command(params))
    assert words[:3] == ["aliyun", "ecs", "CreateSnapshot"]
    assert dict(zip(words[3::2], words[4::2], strict=True)) == {f"--{k}": v for k, v in params.items()}


def test_the_local_cli_command_names_the_endpoint_insecure_and_the_labs_key() -> None:
    exports = ex.export("CreateSnapshot", REQUEST, KEY_ID, "s3cr'et $HOME", endpoint=LOCAL)
    words = shlex.split(exports.cli)
    assert words[:3] == ["aliyun", "ecs", "CreateSnapshot"]
    at = words.index("--endpoint")
    assert words[at + 1] == LOCAL and "--insecure" in words
    assert words[words.index("--access-key-secret") + 1] == "s3cr'et $HOME"
    assert words[words.index("--region") + 1] == "cn-hangzhou"
    assert dict(zip(words[3:at:2], words[4:at:2], strict=True)) == {f"--{k}": v for k, v in REQUEST.items()}


def test_a_cloud_export_never_prints_the_secret() -> None:
    exports = ex.export("CreateSnapshot", REQUEST, KEY_ID, "real-secret-value")
    assert "--endpoint" not in exports.cli and "--insecure" not in exports.cli
    for text_ in (exports.cli, exports.core_sdk, exports.tea_sdk):
        assert "real-secret-value" not in text_
    assert "os.environ" in exports.core_sdk and "os.environ" in exports.tea_sdk


# ---------------------------------------------------------------- SDK snippets, without a server


CASES = {
    "typed": ("CreateSnapshot", REQUEST),
    "tags with a gap": ("CreateSnapshot", {"DiskId": "d-1", "Tag.1.Key": "a", "Tag.3.Key": "c", "Tag.3.Value": ""}),
    "unknown parameter": ("CreateSnapshot", {"DiskId": "d-1", "Colour": "blue"}),
    "other action": ("DescribeSnapshots", {"DiskId": "d-1", "PageSize": "5"}),
    "not a lab action": ("DescribeRegions", {}),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("endpoint", [LOCAL, ex.CLOUD_ENDPOINT])
def test_each_snippet_compiles(case: str, endpoint: str) -> None:
    action, params = CASES[case]
    exports = ex.export(action, params, KEY_ID, SECRET, endpoint=endpoint)
    compile(exports.core_sdk, "core_sdk", "exec")
    compile(exports.tea_sdk, "tea_sdk", "exec")


def test_the_typed_snippet_is_used_only_when_the_model_has_every_field() -> None:
    assert "ecs_models.CreateSnapshotRequest(" in ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET).tea_sdk
    assert "ecs_models.CreateSnapshotRequestTag(key=" in ex.export("CreateSnapshot", REQUEST, KEY_ID, SECRET).tea_sdk
    for case in ("tags with a gap", "unknown parameter", "other action"):
        assert "client.call_api(" in ex.export(*CASES[case], KEY_ID, SECRET).tea_sdk


def test_every_lab_action_has_a_request_class_in_the_old_sdk() -> None:
    import importlib

    assert set(ACTIONS) == ex.SDK_REQUEST_CLASSES
    for action in ACTIONS:
        module = importlib.import_module(f"aliyunsdkecs.request.v20140526.{action}Request")
        assert getattr(module, f"{action}Request")().get_action_name() == action


@given(params=st.dictionaries(names, text, max_size=6), typed=st.booleans())
@settings(max_examples=examples(40))
def test_the_old_sdk_snippet_builds_exactly_the_request(params: dict[str, str], typed: bool) -> None:
    if typed:
        params = {**REQUEST, **{k: v for k, v in params.items() if k not in REQUEST}}
    snippet = ex.export("CreateSnapshot", params, KEY_ID, SECRET, endpoint=LOCAL).core_sdk
    namespace: dict = {}
    exec(compile(without_response(snippet), "core_sdk", "exec"), namespace)
    request = namespace["request"]
    assert {k: str(v) for k, v in request.get_query_params().items()} == params
    assert request.get_action_name() == "CreateSnapshot"


@given(extra=st.dictionaries(st.sampled_from(["Description", "SnapshotName", "ClientToken"]), text, max_size=3))
@settings(max_examples=examples(40))
def test_the_new_sdk_typed_snippet_builds_exactly_the_request(extra: dict[str, str]) -> None:
    from alibabacloud_tea_openapi.utils import Utils

    params = {**REQUEST, **extra}
    snippet = ex.export("CreateSnapshot", params, KEY_ID, SECRET, endpoint=LOCAL).tea_sdk
    namespace: dict = {}
    exec(compile(without_response(snippet), "tea_sdk", "exec"), namespace)
    request = namespace["request"]
    wire = {name: getattr(request, field) for name, (field, _) in ex.CREATE_SNAPSHOT_FIELDS.items()}
    wire["Tag"] = request.tag
    sent = Utils.query({k: v for k, v in wire.items() if v is not None})
    assert {k: str(v) for k, v in sent.items()} == params


# ---------------------------------------------------------------- against the local endpoint


RUNNER = """
import json, sys
source = sys.stdin.read()
try:
    exec(compile(source, "<snippet>", "exec"), {"__name__": "__main__"})
except Exception as exc:
    code = getattr(exc, "code", None) or getattr(exc, "get_error_code", lambda: None)()
    status = getattr(exc, "status_code", None) or getattr(exc, "get_http_status", lambda: None)()
    print(json.dumps({"type": f"{type(exc).__module__}.{type(exc).__name__}", "code": code, "status": status}))
    sys.exit(3)
"""


def run(snippet: str, *, as_printed: bool = True) -> subprocess.CompletedProcess:
    """Run a snippet in a fresh interpreter: as printed (python -c), or under RUNNER to read its exception."""
    args = [sys.executable, "-c", snippet] if as_printed else [sys.executable, "-c", RUNNER]
    return subprocess.run(
        args, input=None if as_printed else snippet, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def endpoint(lab: Lab):
    from ecs_snap_lab.wire.server import serve

    with serve(lab, port=0, access_keys={KEY_ID: SECRET}) as running:
        yield running


def snapshots_of(lab: Lab, disk: str) -> list:
    return [s for s in lab.world.snapshots.values() if s.disk_id == disk]


SNIPPETS = {
    "aliyun-python-sdk-ecs": lambda e: e.core_sdk,
    "alibabacloud_ecs20140526 (V3)": lambda e: e.tea_sdk,
}


@pytest.mark.parametrize("kind", [*SNIPPETS, "alibabacloud_ecs20140526 (v2)", "generic call_api"])
def test_each_snippet_run_as_printed_creates_exactly_one_snapshot(lab: Lab, disk: str, endpoint, kind: str) -> None:
    params = {"DiskId": disk, "SnapshotName": "from-the-sdk", "Tag.1.Key": "team", "Tag.1.Value": "blue sky"}
    if kind == "generic call_api":
        params["Tag.3.Key"] = "gap"  # a gap in the tag numbers: only the generic path can send it as given
    algorithm = "v2" if kind.endswith("(v2)") else None
    exports = ex.export(
        "CreateSnapshot", params, KEY_ID, SECRET, endpoint=endpoint.endpoint, signature_algorithm=algorithm
    )
    snippet = exports.core_sdk if kind == "aliyun-python-sdk-ecs" else exports.tea_sdk
    assert ("call_api" in snippet) is (kind == "generic call_api")
    before = len(lab.world.snapshots)
    done = run(snippet)
    assert done.returncode == 0, done.stderr
    assert len(lab.world.snapshots) == before + 1
    (snapshot,) = snapshots_of(lab, disk)
    assert snapshot.name == "from-the-sdk"
    assert snapshot.snapshot_id in done.stdout
    assert dict(snapshot.tags).get("team") == "blue sky"


@pytest.mark.parametrize(
    ("kind", "exception"),
    [
        ("aliyun-python-sdk-ecs", "aliyunsdkcore.acs_exception.exceptions.ServerException"),
        ("alibabacloud_ecs20140526 (V3)", "ClientException"),
    ],
)
def test_a_bad_request_surfaces_the_sdks_own_exception_with_the_apis_code(
    lab: Lab, endpoint, kind: str, exception: str
) -> None:
    exports = ex.export("CreateSnapshot", {"DiskId": "d-nosuchdisk"}, KEY_ID, SECRET, endpoint=endpoint.endpoint)
    before = len(lab.world.snapshots)
    done = run(SNIPPETS[kind](exports), as_printed=False)
    assert done.returncode == 3, done.stderr
    raised = json.loads(done.stdout.strip().splitlines()[-1])
    assert raised["type"].endswith(exception)
    assert (raised["code"], raised["status"]) == ("InvalidDiskId.NotFound", 404)
    assert len(lab.world.snapshots) == before
    printed = run(SNIPPETS[kind](exports))
    assert printed.returncode != 0
    assert "InvalidDiskId.NotFound" in printed.stderr


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_signed_url_and_the_post_form_are_accepted_by_the_local_endpoint(
    lab: Lab, disk: str, endpoint, method: str
) -> None:
    params = {"DiskId": disk, "SnapshotName": "signed-by-hand", "Tag.1.Key": "k", "Tag.1.Value": "a b&c"}
    exports = ex.export("CreateSnapshot", params, KEY_ID, SECRET, endpoint=endpoint.endpoint, at=lab.now, seed=11)
    if method == "GET":
        request = urllib.request.Request(exports.signed_url)
    else:
        request = urllib.request.Request(
            exports.post.url, data=exports.post.body.encode(), headers={"Content-Type": exports.post.content_type}
        )
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = json.loads(answer.read())
    (snapshot,) = snapshots_of(lab, disk)
    assert body["SnapshotId"] == snapshot.snapshot_id
    assert dict(snapshot.tags) == {"k": "a b&c"}


def test_a_signed_url_with_a_wrong_secret_is_refused(lab: Lab, disk: str, endpoint) -> None:
    exports = ex.export(
        "CreateSnapshot", {"DiskId": disk}, KEY_ID, "not-the-secret", endpoint=endpoint.endpoint, at=lab.now
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(exports.signed_url, timeout=60)
    assert json.loads(refused.value.read())["Code"] == "SignatureDoesNotMatch"
    assert snapshots_of(lab, disk) == []
