"""The v1 RPC signature against the published test vectors, and its steps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecs_snap_lab.wire import signature as sig

OFFICIAL = {  # the ECS documentation's example (alibaba-api-facts.md)
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}
OFFICIAL_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
    "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
)


def test_the_official_ecs_example_signs_to_the_published_string_and_signature() -> None:
    steps = sig.explain("testsecret", "GET", OFFICIAL)
    assert steps.string_to_sign == OFFICIAL_STRING_TO_SIGN
    assert steps.signature == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert [name for name, _ in steps.sorted_parameters] == sorted(OFFICIAL)


def test_the_openapi_util_vector_and_the_raw_hmac_vector() -> None:
    assert sig.signature("secret", "GET", {"query": "test", "body": "test"}) == "XlUyV4sXjOuX5FnjUz9IF9tm5rU="
    assert sig.hmac_sha1("secret", "source") == "Jv4yi8SobFhg5t1C7nWLbhBSFZQ="


def test_signature_is_left_out_of_what_is_signed() -> None:
    with_signature = {**OFFICIAL, "Signature": "anything"}
    assert sig.string_to_sign("GET", with_signature) == OFFICIAL_STRING_TO_SIGN


@pytest.mark.parametrize(
    ("text", "encoded"),
    [(" ", "%20"), ("*", "%2A"), ("~", "~"), ("-_.", "-_."), ("a+b", "a%2Bb"), ("/", "%2F"), ("é", "%C3%A9")],
)
def test_percent_encoding_follows_rfc_3986_with_upper_case_hex(text: str, encoded: str) -> None:
    assert sig.percent_encode(text) == encoded


def test_sorting_is_by_code_point_so_upper_case_comes_first() -> None:
    assert [k for k, _ in sig.sorted_parameters({"a": "1", "B": "2", "Tag.10.Key": "x", "Tag.2.Key": "y"})] == [
        "B",
        "Tag.10.Key",
        "Tag.2.Key",
        "a",
    ]


def test_empty_values_are_signed() -> None:
    assert "SignatureType%3D%26" in sig.string_to_sign("POST", {"SignatureType": "", "Version": "2014-05-26"})


def test_sign_adds_the_common_parameters_and_a_signature_that_verifies() -> None:
    signed = sig.sign(
        "CreateSnapshot",
        {"DiskId": "d-1", "SnapshotName": "nightly backup"},
        "id",
        "secret",
        nonce="n-1",
        timestamp="2026-01-01T00:00:00Z",
        method="POST",
    )
    assert signed["Action"] == "CreateSnapshot" and signed["Version"] == "2014-05-26"
    assert signed["SignatureMethod"] == "HMAC-SHA1" and signed["SignatureVersion"] == "1.0"
    assert signed["Signature"] == sig.signature("secret", "POST", signed)
    assert signed["Signature"] != sig.signature("other", "POST", signed)
    assert signed["Signature"] != sig.signature("secret", "GET", signed)


def test_explain_prints_every_step() -> None:
    text = sig.explain("testsecret", "GET", OFFICIAL).explain()
    assert "SignatureNonce = 3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" in text
    assert OFFICIAL_STRING_TO_SIGN in text and "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" in text


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=6))
def test_any_change_of_a_value_changes_the_string_to_sign(params: dict[str, str]) -> None:
    base = sig.string_to_sign("GET", params)
    for name in params:
        if name != "Signature":
            assert sig.string_to_sign("GET", {**params, name: params[name] + "x"}) != base
