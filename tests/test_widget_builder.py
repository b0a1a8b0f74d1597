"""RequestBuilder, driven headlessly: set values, click buttons, assert on state and on the HTML shown."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from urllib.parse import parse_qsl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import TIMED_HEALTH_CHECKS, examples

from ecs_snap_lab import Lab
from ecs_snap_lab.rules import catalog
from ecs_snap_lab.widgets import RequestBuilder


@pytest.fixture
def builder(lab: Lab):
    widget = RequestBuilder(lab)
    yield widget
    widget.close()


def option_for(builder: RequestBuilder, disk_id: str) -> str:
    return next(label for label, value in builder.disk_picker.options if value == disk_id)


# ---------------------------------------------------------------- disks


def test_options_list_the_disks_with_status_type_and_size(lab: Lab, disk: str) -> None:
    builder = RequestBuilder(lab)
    d = lab.disk(disk)
    assert option_for(builder, disk) == f"{disk} ({d.status}, data, {d.size_gib} GiB)"
    assert "In_use" in option_for(builder, disk)
    assert {value for _, value in builder.disk_picker.options} == {"", *lab.world.disks}


def test_options_refresh_when_the_lab_creates_a_disk(builder: RequestBuilder, lab: Lab) -> None:
    before = len(builder.disk_picker.options)
    new = lab.create_disk(size_gib=80)
    assert len(builder.disk_picker.options) == before + 1
    assert option_for(builder, new) == f"{new} (Available, data, 80 GiB)"


def test_options_follow_a_status_change(builder: RequestBuilder, lab: Lab) -> None:
    instance = lab.run_instance()
    new = lab.create_disk()
    lab.advance(minutes=2)
    lab.attach_disk(new, instance)
    lab.advance(minutes=1)
    assert "(In_use," in option_for(builder, new)


def test_close_unsubscribes_from_the_event_log(lab: Lab) -> None:
    builder = RequestBuilder(lab)
    listeners = len(lab.events.settled_listeners)
    builder.close()
    assert len(lab.events.settled_listeners) == listeners - 1
    lab.create_disk()  # no error, no refresh of a closed widget
    assert builder.errors == {}


def test_picking_a_disk_fills_disk_id_and_typing_one_moves_the_picker(
    builder: RequestBuilder, lab: Lab, disk: str
) -> None:
    builder.disk_picker.value = disk
    assert builder.disk_id.value == disk
    assert builder.params == {"DiskId": disk}
    builder.disk_id.value = "d-typed-by-hand"
    assert builder.disk_picker.value == ""
    assert builder.params == {"DiskId": "d-typed-by-hand"}
    builder.disk_id.value = disk
    assert builder.disk_picker.value == disk


def test_the_picked_disk_stays_picked_when_options_refresh(builder: RequestBuilder, lab: Lab, disk: str) -> None:
    builder.disk_picker.value = disk
    lab.create_disk()
    assert builder.disk_picker.value == disk
    assert builder.disk_id.value == disk


# ---------------------------------------------------------------- validation panel


def test_a_bad_snapshot_name_shows_the_code_and_the_rule_and_fixing_it_clears_it(builder: RequestBuilder) -> None:
    builder.snapshot_name.value = "1st snapshot"
    codes = {(v.param, v.code, v.check) for v in builder.violations}
    assert ("SnapshotName", "InvalidSnapshotName.Malformed", "SnapshotName.first_letter") in codes
    assert "InvalidSnapshotName.Malformed" in builder.panel.value
    first_letter_rule = catalog.check("SnapshotName.first_letter").rule
    assert first_letter_rule.replace("'", "&#x27;").replace('"', "&quot;") in builder.panel.value
    builder.snapshot_name.value = "first-snapshot"
    assert not [v for v in builder.violations if v.param == "SnapshotName"]
    assert "InvalidSnapshotName.Malformed" not in builder.panel.value


def test_an_empty_disk_id_shows_missing_parameter_but_stays_sendable(builder: RequestBuilder) -> None:
    assert "DiskId" not in builder.params
    assert [v.code for v in builder.violations] == ["MissingParameter"]
    assert "MissingParameter" in builder.panel.value
    assert builder.send_button.disabled is False


def test_the_panel_lists_each_given_parameter_as_valid(builder: RequestBuilder, disk: str) -> None:
    builder.disk_id.value = disk
    builder.description_field.value = "before the upgrade"
    assert builder.violations == []
    assert builder.panel.value.count("✓ valid") == 2
    assert "Well formed" in builder.panel.value


def test_retention_days_accepts_invalid_text_and_shows_the_rule(builder: RequestBuilder) -> None:
    builder.retention_days.value = "ten"
    violation = next(v for v in builder.violations if v.param == "RetentionDays")
    assert (violation.code, violation.check) == ("InvalidParameter", "RetentionDays.integer")
    builder.retention_days.value = "70000"
    violation = next(v for v in builder.violations if v.param == "RetentionDays")
    assert violation.check == "RetentionDays.range"
    assert builder.params["RetentionDays"] == "70000"
    builder.retention_days.value = "30"
    assert not [v for v in builder.violations if v.param == "RetentionDays"]


def test_never_release_blanks_and_locks_retention_days(builder: RequestBuilder) -> None:
    builder.retention_days.value = "30"
    builder.never_release.value = True
    assert builder.retention_days.value == ""
    assert builder.retention_days.disabled
    assert "RetentionDays" not in builder.params
    builder.never_release.value = False
    assert not builder.retention_days.disabled


# ---------------------------------------------------------------- tags


def test_at_most_twenty_tag_rows(builder: RequestBuilder) -> None:
    for _ in range(19):
        builder.add_tag_button.click()
    assert not builder.add_tag_button.disabled
    builder.add_tag_button.click()
    assert len(builder.tag_rows) == 20
    assert builder.add_tag_button.disabled
    builder.add_tag_button.click()
    assert len(builder.tag_rows) == 20
    builder.tag_rows[0].remove.click()
    assert not builder.add_tag_button.disabled


def test_removing_a_tag_renumbers_the_rest(builder: RequestBuilder) -> None:
    for n in range(3):
        builder.add_tag(f"team{n}", f"value {n}")
    assert builder.params["Tag.2.Key"] == "team1"
    builder.tag_rows[0].remove.click()
    assert [r.key.description for r in builder.tag_rows] == ["Key 1", "Key 2"]
    tags = {k: v for k, v in builder.params.items() if k.startswith("Tag.")}
    assert tags == {"Tag.1.Key": "team1", "Tag.1.Value": "value 1", "Tag.2.Key": "team2", "Tag.2.Value": "value 2"}
    assert len(builder.tag_box.children) == 2


def test_blank_tag_rows_are_not_sent_and_take_no_number(builder: RequestBuilder) -> None:
    builder.add_tag()
    builder.add_tag("env", "prod")
    assert {k: v for k, v in builder.params.items() if k.startswith("Tag.")} == {
        "Tag.1.Key": "env",
        "Tag.1.Value": "prod",
    }


def test_tag_rules_come_from_validate(builder: RequestBuilder) -> None:
    builder.add_tag("aliyun-owner", "x")
    builder.add_tag("env", "a")
    builder.add_tag("env", "b")
    codes = {(v.param, v.code) for v in builder.violations}
    assert ("Tag.1.Key", "InvalidTagKey.Malformed") in codes
    assert ("Tag.3.Key", "Duplicate.TagKey") in codes
    assert "Duplicate.TagKey" in builder.panel.value


def test_a_value_without_a_key_is_sent_and_named_in_the_panel(builder: RequestBuilder) -> None:
    row = builder.add_tag()
    row.value.value = "orphan"
    assert builder.params["Tag.1.Value"] == "orphan"
    assert "Tag.1.Key" not in builder.params
    assert any(v.param == "Tag.1.Key" and v.check == "Tag.key.present" for v in builder.violations)
    assert "<code>Tag.1.Key</code>" in builder.panel.value


# ---------------------------------------------------------------- token


def test_new_token_is_deterministic_for_a_seed(lab: Lab) -> None:
    first, second = RequestBuilder(lab), RequestBuilder(Lab(seed=lab.seed))
    first.new_token_button.click()
    second.new_token_button.click()
    assert first.client_token.value == second.client_token.value
    assert first.params["ClientToken"] == first.client_token.value
    first.new_token_button.click()
    assert first.client_token.value != second.client_token.value
    other = RequestBuilder(Lab(seed=lab.seed + 1))
    other.new_token_button.click()
    assert other.client_token.value != second.client_token.value
    assert not [v for v in first.violations if v.param == "ClientToken"]


# ---------------------------------------------------------------- previews


def test_previews_encode_the_values(builder: RequestBuilder, disk: str) -> None:
    builder.disk_id.value = disk
    builder.description_field.value = "nightly backup & more"
    builder.add_tag("cost center", "ops/é")
    query = builder.query_string
    assert query.startswith(f"Action=CreateSnapshot&DiskId={disk}&")
    assert "Description=nightly%20backup%20%26%20more" in query
    assert "Tag.1.Key=cost%20center" in query
    assert "Tag.1.Value=ops%2F%C3%A9" in query
    assert "+" not in query
    assert dict(parse_qsl(query)) == {"Action": "CreateSnapshot", **builder.params}
    assert json.loads(builder.json_text) == {"Action": "CreateSnapshot", **builder.params}
    assert "cost%20center" in builder.query_preview.value
    assert "cost center" in builder.json_preview.value
    assert len(builder.preview.children) == 3


def test_the_cli_command_is_shell_safe(builder: RequestBuilder, disk: str) -> None:
    builder.disk_id.value = disk
    builder.snapshot_name.value = "it's; rm -rf $HOME"
    builder.add_tag("owner", "a b")
    words = shlex.split(builder.cli_command)
    assert words[:3] == ["aliyun", "ecs", "CreateSnapshot"]
    pairs = dict(zip(words[3::2], words[4::2], strict=True))
    assert pairs == {f"--{k}": v for k, v in builder.params.items()}
    assert "--Tag.1.Key" in builder.cli_preview.value


def test_a_value_that_cannot_be_encoded_disables_send(builder: RequestBuilder, disk: str) -> None:
    builder.disk_id.value = disk
    builder.description_field.value = "broken \ud800 paste"
    assert builder.send_button.disabled
    assert builder.encode_problem is not None and "Description" in builder.encode_problem
    assert "U+D800" in builder.panel.value
    assert builder.query_string == ""
    builder.description_field.value = "fixed paste"
    assert not builder.send_button.disabled
    assert builder.encode_problem is None


# ---------------------------------------------------------------- send


def test_send_creates_the_snapshot_and_calls_on_send(lab: Lab, disk: str) -> None:
    seen = []
    builder = RequestBuilder(lab, on_send=seen.append)
    builder.disk_id.value = disk
    builder.snapshot_name.value = "from-the-builder"
    builder.add_tag("env", "lab")
    builder.send_button.click()
    response = builder.last_response
    assert response.ok
    snapshot_id = response.data["SnapshotId"]
    assert lab.snapshot(snapshot_id).name == "from-the-builder"
    assert seen == [response]
    assert snapshot_id in builder.response_area.value
    assert lab.requests[-1].params == builder.params


def test_a_bad_request_shows_the_error_code_without_raising(lab: Lab) -> None:
    builder = RequestBuilder(lab)
    builder.disk_id.value = "d-nosuchdisk"
    builder.send_button.click()
    assert not builder.last_response.ok
    assert builder.last_response.code in builder.response_area.value
    assert builder.errors == {}


def test_an_empty_disk_id_is_sent_and_answered_missing_parameter(builder: RequestBuilder) -> None:
    builder.send_button.click()
    assert builder.last_response.code == "MissingParameter"
    assert "MissingParameter" in builder.response_area.value


def test_a_failing_lab_call_is_shown_in_the_error_area(
    builder: RequestBuilder, lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("the lab is on fire")

    monkeypatch.setattr(lab, "call", broken)
    builder.send_button.click()  # must not raise
    assert "the lab is on fire" in builder.error_area.value
    assert "RuntimeError" in builder.error_message
    assert builder.last_response is None
    monkeypatch.undo()
    builder.send_button.click()
    assert builder.error_area.value == ""


def test_a_failing_on_send_is_shown_and_the_response_kept(lab: Lab, disk: str) -> None:
    def broken(_response):
        raise KeyError("view missing")

    builder = RequestBuilder(lab, on_send=broken)
    builder.disk_id.value = disk
    builder.send_button.click()
    assert builder.last_response.ok
    assert "on_send" in builder.error_area.value and "view missing" in builder.error_area.value


def test_a_failure_while_refreshing_disks_does_not_break_the_lab(
    builder: RequestBuilder, lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken():
        raise ValueError("cannot list disks")

    monkeypatch.setattr(builder, "refresh_disks", broken)
    disk_id = lab.create_disk()  # the listener fails inside lab.call: the lab must not see it
    assert disk_id in lab.world.disks
    assert lab.internal_errors == []
    assert "cannot list disks" in builder.error_area.value


# ---------------------------------------------------------------- the learner's path


def test_a_learners_path_end_to_end(lab: Lab, disk: str) -> None:
    builder = RequestBuilder(lab)
    builder.disk_picker.value = disk
    builder.snapshot_name.value = "my snapshot"
    assert "InvalidSnapshotName.Malformed" in builder.panel.value
    builder.snapshot_name.value = "my-snapshot"
    assert builder.violations == []
    builder.send_button.click()
    assert builder.last_response.ok
    snapshot_id = builder.last_response.data["SnapshotId"]
    assert snapshot_id in builder.response_area.value
    lab.advance(days=1)
    [item] = lab.describe_snapshots(SnapshotIds=json.dumps([snapshot_id]))
    assert item["Status"] == "accomplished"


# ---------------------------------------------------------------- packaging


def test_importing_the_package_loads_no_ipywidgets() -> None:
    code = "import sys, ecs_snap_lab; print('ipywidgets' in sys.modules, 'ecs_snap_lab.widgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_unknown_widget_names_raise_attribute_error() -> None:
    import ecs_snap_lab.widgets as package

    with pytest.raises(AttributeError):
        package.NoSuchWidget  # noqa: B018


# ---------------------------------------------------------------- fuzz


@settings(max_examples=examples(60), suppress_health_check=[*TIMED_HEALTH_CHECKS, HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=140),
    description=st.text(max_size=300),
    retention=st.text(max_size=12),
    token=st.text(max_size=70),
    tags=st.lists(st.tuples(st.text(max_size=70), st.text(max_size=130)), max_size=22),
)
def test_no_field_value_makes_a_callback_raise(lab: Lab, name, description, retention, token, tags) -> None:
    builder = RequestBuilder(lab)
    builder.snapshot_name.value = name
    builder.description_field.value = description
    builder.retention_days.value = retention
    builder.client_token.value = token
    for key, value in tags:
        rows = len(builder.tag_rows)
        builder.add_tag_button.click()
        if len(builder.tag_rows) > rows:
            builder.tag_rows[-1].key.value = key
            builder.tag_rows[-1].value.value = value
    assert builder.errors == {}
    assert len(builder.tag_rows) <= 20
    builder.send_button.click()
    assert builder.errors == {}
    if builder.encode_problem is None:
        assert builder.last_response is not None and not builder.last_response.ok  # no DiskId was given
    builder.close()
