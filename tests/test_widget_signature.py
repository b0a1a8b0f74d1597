"""SignatureExplorer, driven headlessly: type in the builder, flip the method, change the key, the nonce and the
time, and check each step, the exports and the HTML shown."""

from __future__ import annotations

import html
import shlex
from urllib.parse import parse_qsl, urlsplit

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.widgets import RequestBuilder, SignatureExplorer
from ecs_snap_lab.widgets.signature_explorer import TAB_TITLES
from ecs_snap_lab.wire import exports as ex
from ecs_snap_lab.wire import signature as sig


@pytest.fixture
def builder(lab: Lab):
    widget = RequestBuilder(lab)
    yield widget
    widget.close()


@pytest.fixture
def explorer(builder: RequestBuilder):
    widget = SignatureExplorer(builder)
    yield widget
    widget.close()


def check_consistent(explorer: SignatureExplorer) -> None:
    """The shown steps are signature.py's own over what would be sent, and the signature verifies."""
    signed = explorer.signed
    assert {k: signed[k] for k in explorer.params} == explorer.params
    steps = sig.explain(explorer.access_key_secret.value, explorer.method.value, signed)
    assert explorer.steps == steps
    assert signed["Signature"] == steps.signature
    assert html.escape(steps.string_to_sign) in explorer.steps_html.value
    assert html.escape(steps.canonicalized_query) in explorer.steps_html.value


# ---------------------------------------------------------------- following the builder


def test_typing_in_the_builder_updates_every_step(builder: RequestBuilder, explorer: SignatureExplorer, disk: str):
    before = explorer.steps.signature
    builder.disk_id.value = disk
    assert explorer.params == {"DiskId": disk}
    assert ("DiskId", disk) in explorer.steps.sorted_parameters
    assert explorer.steps.signature != before
    check_consistent(explorer)
    builder.snapshot_name.value = "nightly backup"
    row = builder.add_tag("team", "a&b")
    assert explorer.params == builder.params
    assert "SnapshotName=nightly%20backup" in explorer.steps.canonicalized_query
    assert "Tag.1.Value=a%26b" in explorer.steps.canonicalized_query
    check_consistent(explorer)
    builder.remove_tag(row)
    assert "Tag.1.Key" not in explorer.params
    check_consistent(explorer)


def test_the_sorted_parameters_are_in_code_point_order_with_the_common_ones(
    builder: RequestBuilder, explorer: SignatureExplorer, disk: str
) -> None:
    builder.disk_id.value = disk
    builder.client_token.value = "t-1"
    names = [name for name, _ in explorer.steps.sorted_parameters]
    assert names == sorted(names)
    assert {"AccessKeyId", "Action", "ClientToken", "DiskId", "SignatureNonce", "Timestamp"} <= set(names)
    assert "Signature" not in names


def test_the_method_changes_the_string_to_sign_and_the_signature(
    builder: RequestBuilder, explorer: SignatureExplorer, disk: str
) -> None:
    builder.disk_id.value = disk
    get = explorer.steps
    explorer.method.value = "POST"
    assert explorer.steps.string_to_sign.startswith("POST&%2F&")
    assert explorer.steps.string_to_sign[5:] == get.string_to_sign[4:]
    assert explorer.steps.signature != get.signature
    check_consistent(explorer)


def test_the_secret_changes_the_signature_but_not_the_string_to_sign(
    explorer: SignatureExplorer, builder: RequestBuilder, disk: str
) -> None:
    builder.disk_id.value = disk
    before = explorer.steps
    explorer.access_key_secret.value = "another-secret"
    assert explorer.steps.string_to_sign == before.string_to_sign
    assert explorer.steps.signature != before.signature
    explorer.access_key_id.value = "LTAIother"
    assert ("AccessKeyId", "LTAIother") in explorer.steps.sorted_parameters
    check_consistent(explorer)


def test_new_nonce_draws_a_seeded_nonce_and_re_signs(lab: Lab, builder: RequestBuilder) -> None:
    first, second = SignatureExplorer(builder), SignatureExplorer(RequestBuilder(Lab(seed=lab.seed)))
    assert first.nonce.value == second.nonce.value  # same seed, same nonce
    signature_before = first.steps.signature
    first.new_nonce_button.click()
    assert first.nonce.value != second.nonce.value
    assert first.signed["SignatureNonce"] == first.nonce.value
    assert first.steps.signature != signature_before
    second.new_nonce_button.click()
    assert first.nonce.value == second.nonce.value
    assert SignatureExplorer(RequestBuilder(Lab(seed=8))).nonce.value != SignatureExplorer(builder).nonce.value


def test_the_timestamp_starts_at_the_labs_clock_and_lab_time_catches_up(lab: Lab, explorer: SignatureExplorer) -> None:
    assert explorer.timestamp.value == ex.make_timestamp(lab.now)
    lab.advance(hours=5)
    assert explorer.timestamp.value != ex.make_timestamp(lab.now)  # the clock alone does not re-sign
    explorer.lab_time_button.click()
    assert explorer.timestamp.value == ex.make_timestamp(lab.now)
    assert explorer.signed["Timestamp"] == explorer.timestamp.value
    check_consistent(explorer)


# ---------------------------------------------------------------- exports


def test_the_tabs_show_the_exports_of_the_request(
    builder: RequestBuilder, explorer: SignatureExplorer, disk: str
) -> None:
    assert list(explorer.tabs.titles) == list(TAB_TITLES)
    builder.disk_id.value = disk
    builder.description_field.value = "<b>bold</b> & 'quoted'"
    explorer.endpoint.value = "127.0.0.1:8080"
    exports = explorer.exports
    assert exports == ex.export(
        "CreateSnapshot",
        builder.params,
        "LTAItest",
        "secret",
        endpoint="127.0.0.1:8080",
        nonce=explorer.nonce.value,
        timestamp=explorer.timestamp.value,
    )
    url = query_of(exports.signed_url)
    assert url["Signature"] == sig.signature("secret", "GET", url)
    assert html.escape(exports.signed_url) in explorer.url_html.value
    assert html.escape(exports.post.body) in explorer.post_html.value
    assert html.escape(exports.cli) in explorer.cli_html.value
    assert html.escape(exports.core_sdk) in explorer.core_sdk_html.value
    assert html.escape(exports.tea_sdk) in explorer.tea_sdk_html.value
    assert "<b>bold</b>" not in explorer.cli_html.value
    assert shlex.split(exports.cli)[4] == disk
    compile(exports.core_sdk, "core", "exec")
    compile(exports.tea_sdk, "tea", "exec")


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def test_with_parameters_and_no_builder(lab: Lab) -> None:
    explorer = SignatureExplorer({"DiskId": "d-1"}, action="DeleteSnapshot", method="POST", seed=3)
    assert explorer.params == {"DiskId": "d-1"}
    assert explorer.signed["Action"] == "DeleteSnapshot"
    assert explorer.steps.method == "POST"
    assert explorer.timestamp.value == ex.EPOCH
    assert explorer.lab_time_button.disabled
    explorer.set_params({"SnapshotId": "s-1"})
    assert explorer.params == {"SnapshotId": "s-1"}
    assert "DiskId" not in explorer.signed
    check_consistent(explorer)


def test_lab_time_without_a_lab_raises_a_readable_error() -> None:
    explorer = SignatureExplorer({"DiskId": "d-1"})
    with pytest.raises(ValueError, match="no lab"):
        explorer.use_lab_time()
    explorer.lab_time_button.click()
    assert "lab time failed: ValueError: no lab" in explorer.error_message


# ---------------------------------------------------------------- errors, repr, close


def test_a_request_that_cannot_be_encoded_shows_why_and_recovers(
    builder: RequestBuilder, explorer: SignatureExplorer, disk: str
) -> None:
    builder.disk_id.value = disk
    builder.snapshot_name.value = "bad\ud800"
    assert explorer.steps is None and explorer.signed == {} and explorer.exports is None
    assert "cannot be encoded" in explorer.error_message
    assert "U+D800" in explorer.steps_html.value
    assert "esl-error" in explorer.error_area.value
    builder.snapshot_name.value = "good"
    assert explorer.error_message == ""
    assert explorer.error_area.value == ""
    check_consistent(explorer)


def test_repr_is_short_and_says_the_state(builder: RequestBuilder, explorer: SignatureExplorer, disk: str) -> None:
    builder.disk_id.value = disk
    text = repr(explorer)
    assert text == f"<SignatureExplorer GET CreateSnapshot: 1 parameter, Signature {explorer.steps.signature}>"
    builder.snapshot_name.value = "n1"
    explorer.method.value = "POST"
    assert repr(explorer).startswith("<SignatureExplorer POST CreateSnapshot: 2 parameters")
    assert len(repr(explorer)) < 120


def test_every_control_has_a_label_and_a_tooltip(explorer: SignatureExplorer) -> None:
    for control in (
        explorer.access_key_id,
        explorer.access_key_secret,
        explorer.endpoint,
        explorer.nonce,
        explorer.timestamp,
        explorer.new_nonce_button,
        explorer.lab_time_button,
    ):
        assert control.tooltip
        assert control.description
    assert explorer.method.description and len(explorer.method.tooltips) == 2
    assert type(explorer.access_key_secret).__name__ == "Password"


def test_close_stops_following_the_builder(builder: RequestBuilder, disk: str) -> None:
    explorer = SignatureExplorer(builder)
    builder.disk_id.value = disk
    explorer.close()
    builder.disk_id.value = "d-after-close"
    assert explorer.params == {"DiskId": disk}
    assert explorer.errors == {}
