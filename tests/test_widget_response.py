"""ResponseView, driven headlessly: show responses, flip the body format, and check the state and the HTML shown."""

from __future__ import annotations

import html
import json
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

import ipywidgets as widgets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import ecs_snap_lab
from ecs_snap_lab import Lab, Response
from ecs_snap_lab.rules import catalog
from ecs_snap_lab.widgets import ResponseView
from ecs_snap_lab.widgets.response_view import status_class

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


@pytest.fixture
def view():
    widget = ResponseView()
    yield widget
    widget.close()


def html_values(view: ResponseView) -> list[str]:
    return [w.value for w in (view.error_html, view.status_html, view.body_html, view.warnings_html, view.trace_html)]


def shape(element: ElementTree.Element) -> tuple:
    """Tag, text and children; a parent's whitespace (indentation) does not count, a leaf's text counts exactly."""
    text = element.text or ""
    return (element.tag, text.strip() if len(element) else text, [shape(child) for child in element])


def describe_with_markup(lab: Lab, disk: str) -> Response:
    """A DescribeSnapshots answer whose body holds markup, quotes, ampersands and non-ASCII text."""
    created = lab.call(
        "CreateSnapshot",
        {
            "DiskId": disk,
            "SnapshotName": "nightly-é",
            "Description": '<script>alert("x")</script> & more',
            "Tag.1.Key": "k<script>",
            "Tag.1.Value": "<i>v</i>",
        },
    )
    assert created.ok
    lab.advance(days=1)
    return lab.call("DescribeSnapshots", {"RegionId": lab.region})


# ---------------------------------------------------------------- status line


def test_nothing_shown_before_a_response(view: ResponseView) -> None:
    assert view.response is None
    assert "No response yet" in view.status_html.value
    assert view.body_text == "" and view.trace_rows == []
    assert view.error_message == ""


@pytest.mark.parametrize(
    ("status", "family"),
    [(200, "2xx"), (204, "2xx"), (302, "3xx"), (400, "4xx"), (404, "4xx"), (500, "5xx"), (503, "5xx")],
)
def test_status_class_groups_by_hundreds(status: int, family: str) -> None:
    assert status_class(status) == family


def test_a_success_is_green_says_success_and_names_the_action(view: ResponseView, lab: Lab, disk: str) -> None:
    response = lab.call("CreateSnapshot", {"DiskId": disk})
    assert response.status == 200
    view.show(response)
    status = view.status_html.value
    assert 'class="esl-status esl-status-2xx"' in status
    assert "color:#1a7f37" in status
    assert "✓ HTTP 200 — success · CreateSnapshot" in status
    assert 'role="status"' in status and 'aria-label="✓ HTTP 200 — success · CreateSnapshot"' in status
    assert response.request_id in status
    assert f"SnapshotId <code>{response.data['SnapshotId']}</code>" in status  # what the call made, in view
    assert "error" not in status


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"DiskId": "d-nosuchdisk"}, 404, "InvalidDiskId.NotFound"),
        ({"SnapshotName": "1st"}, 400, "InvalidSnapshotName.Malformed"),
        ({"RetentionDays": "ten"}, 400, "InvalidParameter"),
    ],
)
def test_a_client_error_is_amber_says_client_error_with_code_and_message(
    view: ResponseView, lab: Lab, disk: str, params: dict, status: int, code: str
) -> None:
    response = lab.call("CreateSnapshot", {"DiskId": disk, **params})
    assert (response.status, response.code) == (status, code)
    view.show(response)
    shown = view.status_html.value
    assert 'class="esl-status esl-status-4xx"' in shown
    assert "color:#9a6700" in shown
    assert f"! HTTP {status} — client error · {code}" in shown
    assert html.escape(response.message) in shown
    assert response.request_id in shown


def test_a_server_error_is_red_says_server_error() -> None:
    response = ecs_snap_lab.reproduce("InternalError", 12).response
    assert response.status == 500
    view = ResponseView(response)
    shown = view.status_html.value
    assert 'class="esl-status esl-status-5xx"' in shown
    assert "color:#cf222e" in shown
    assert "✗ HTTP 500 — server error · InternalError" in shown
    assert html.escape(response.message) in shown


# ---------------------------------------------------------------- body


def test_the_json_body_is_the_response_data(view: ResponseView, lab: Lab, disk: str) -> None:
    response = describe_with_markup(lab, disk)
    view.show(response)
    assert view.body_format == "JSON"
    assert json.loads(view.body_text) == response.data
    assert "\n  " in view.body_text  # pretty-printed
    assert html.escape(view.body_text) in view.body_html.value
    assert 'aria-label="JSON body"' in view.body_html.value


def test_the_xml_toggle_shows_the_apis_xml_and_json_comes_back(view: ResponseView, lab: Lab, disk: str) -> None:
    response = describe_with_markup(lab, disk)
    view.show(response)
    view.format.value = "XML"
    assert view.body_format == "XML"
    assert view.body_text.startswith(XML_DECLARATION + "\n")
    assert shape(ElementTree.fromstring(view.body_text)) == shape(ElementTree.fromstring(response.to_xml()))
    assert "\n  <RequestId>" in view.body_text  # one element per line, indented
    assert view.body_text.count("<Snapshot>") == len(response.data["Snapshots"]["Snapshot"])
    assert html.escape(view.body_text) in view.body_html.value
    assert 'class="esl-body esl-body-xml"' in view.body_html.value
    view.format.value = "JSON"
    assert json.loads(view.body_text) == response.data
    assert 'class="esl-body esl-body-json"' in view.body_html.value
    assert view.error_message == ""


def test_the_chosen_format_is_kept_for_the_next_response(view: ResponseView, lab: Lab, disk: str) -> None:
    view.format.value = "XML"
    error = lab.call("CreateSnapshot", {"DiskId": "d-nosuchdisk"})
    view.show(error)
    assert view.body_format == "XML"
    root = ElementTree.fromstring(view.body_text)
    assert root.tag == "Error"
    assert root.findtext("Code") == "InvalidDiskId.NotFound"
    assert shape(root) == shape(ElementTree.fromstring(error.to_xml()))


def test_a_failure_while_switching_format_is_shown_and_cleared(
    view: ResponseView, lab: Lab, disk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self) -> str:
        raise RuntimeError("no XML today")

    view.show(lab.call("CreateSnapshot", {"DiskId": disk}))
    monkeypatch.setattr(Response, "to_xml", broken)
    view.format.value = "XML"  # must not raise
    assert "switching the body format failed: RuntimeError: no XML today" in view.error_message
    assert "no XML today" in view.error_html.value and 'role="alert"' in view.error_html.value
    monkeypatch.undo()
    view.format.value = "JSON"
    assert view.error_message == ""
    assert view.error_html.value == ""
    assert json.loads(view.body_text) == view.response.data


def test_showing_something_that_is_not_a_response_is_an_error_not_an_exception(view: ResponseView) -> None:
    view.show(object())
    assert view.error_message.startswith("showing the response failed: AttributeError")


# ---------------------------------------------------------------- warnings


def test_a_deprecated_lower_case_tag_spelling_shows_a_warning(view: ResponseView, lab: Lab, disk: str) -> None:
    response = lab.call("CreateSnapshot", {"DiskId": disk, "Tag.1.key": "env", "Tag.1.value": "lab"})
    assert response.ok
    assert any("Tag.1.key" in w for w in response.warnings)
    view.show(response)
    assert "Warnings" in view.warnings_html.value
    for warning in response.warnings:
        assert f"<li>{html.escape(warning)}</li>" in view.warnings_html.value
    view.show(lab.call("DescribeSnapshots", {"RegionId": lab.region}))
    assert view.warnings_html.value == ""


# ---------------------------------------------------------------- trace


def expected_rows(response: Response) -> list[tuple[str, ...]]:
    rows = []
    for step in response.trace:
        rule = catalog.check(step.check)
        result = "pass" if step.passed else "FAIL"
        rows.append((rule.number, rule.rule, result, rule.code, rule.basis, rule.source, step.detail))
    return rows


def test_the_trace_lists_every_check_in_order_with_the_failure_last(view: ResponseView, lab: Lab, disk: str) -> None:
    response = lab.call("CreateSnapshot", {"DiskId": disk, "SnapshotName": "ok-name", "RetentionDays": "0"})
    assert not response.ok
    view.show(response)
    assert view.trace_rows == expected_rows(response)
    assert len(view.trace_rows) >= 3
    *passed, failed = view.trace_rows
    assert all(row[2] == "pass" for row in passed)
    assert failed[2] == "FAIL" and failed[3] == response.code
    table = view.trace_html.value
    assert table.count('<tr class="esl-step-pass"') == len(passed)
    assert table.count('<tr class="esl-step-fail"') == 1
    assert table.index("esl-step-fail") > table.rindex("esl-step-pass")
    for row in view.trace_rows:
        assert html.escape(row[1]) in table  # the rule
        assert html.escape(row[5]) in table  # the source sentence, from the rule table
    assert "<b>FAIL</b>" in table
    assert "seed" in {row[4] for row in view.trace_rows}


def test_a_success_trace_has_no_failure(view: ResponseView, lab: Lab, disk: str) -> None:
    response = lab.call("CreateSnapshot", {"DiskId": disk})
    view.show(response)
    assert view.trace_rows == expected_rows(response)
    assert view.trace_rows and all(row[2] == "pass" for row in view.trace_rows)
    assert "FAIL" not in view.trace_html.value


def test_a_response_without_checks_says_so(view: ResponseView) -> None:
    view.show(Response("DescribeRegions", 200, "REQ-1", {"RequestId": "REQ-1"}))
    assert view.trace_rows == []
    assert "No checks recorded" in view.trace_html.value


# ---------------------------------------------------------------- escaping and reset


def test_every_text_is_escaped(view: ResponseView, lab: Lab, disk: str) -> None:
    # (response, the raw markup it carries in its body, message or trace details)
    cases = [
        (lab.call("<script>alert(1)</script>", {}), "'<script>alert(1)</script>'"),
        (lab.call("CreateSnapshot", {"DiskId": disk, "SnapshotName": "<script>alert(1)</script>"}), "'<'"),
        (lab.call("CreateSnapshot", {"DiskId": "d-<script>"}), "'d-<script>'"),
        (lab.call("CreateSnapshot", {"DiskId": disk, "RetentionDays": "<script>"}), "'<script>'"),
        (lab.call("CreateSnapshot", {"DiskId": disk, "Tag.1.Key": "<script>", "Tag.2.Key": "<script>"}), "'<script>'"),
        (describe_with_markup(lab, disk), "<script>alert("),
    ]
    for response, markup in cases:
        for body_format in ("JSON", "XML"):
            view.format.value = body_format
            view.show(response)
            assert view.error_message == ""
            carried = "\n".join([view.body_text, response.message, *(row[6] for row in view.trace_rows)])
            # the XML body carries the markup XML-escaped: then that text is what must reach the page escaped
            text = markup if markup in carried else xml_escape(markup)
            assert text in carried, (response.action, body_format)
            for value in html_values(view):
                assert markup not in value and "<script" not in value and "<i>" not in value
            assert html.escape(text) in "".join(html_values(view)), (response.action, body_format)


def test_show_none_resets_everything(view: ResponseView, lab: Lab, disk: str) -> None:
    view.format.value = "XML"
    view.show(lab.call("CreateSnapshot", {"DiskId": disk, "Tag.1.key": "env"}))
    assert view.warnings_html.value and view.trace_rows and view.body_text
    view.show(None)
    assert view.response is None
    assert view.body_text == "" and view.trace_rows == []
    assert "No response yet" in view.status_html.value
    assert view.body_html.value == view.warnings_html.value == view.trace_html.value == ""
    assert view.error_message == ""


# ---------------------------------------------------------------- keyboard and screen reader


def test_the_format_toggle_has_a_description_and_tooltips(view: ResponseView) -> None:
    assert view.format.description and view.format.tooltip
    assert len(view.format.tooltips) == len(view.format.options)
    inputs = [w for w in view.children if isinstance(w, widgets.ValueWidget) and not isinstance(w, widgets.HTML)]
    assert inputs == [view.format]


# ---------------------------------------------------------------- fuzz


@settings(max_examples=examples(80))
@given(texts=st.lists(st.text(max_size=40), min_size=1, max_size=3), body_format=st.sampled_from(["JSON", "XML"]))
def test_any_text_in_a_body_is_shown_faithfully_and_escaped(texts: list[str], body_format: str) -> None:
    data = {"RequestId": "REQ-1", "Snapshots": {"Snapshot": [{"Description": text} for text in texts]}}
    response = Response("DescribeSnapshots", 200, "REQ-1", data)
    view = ResponseView()
    view.format.value = body_format
    view.show(response)
    assert view.error_message == ""
    if body_format == "JSON":
        assert json.loads(view.body_text) == data
    else:
        assert shape(ElementTree.fromstring(view.body_text)) == shape(ElementTree.fromstring(response.to_xml()))
    assert html.escape(view.body_text) in view.body_html.value
    view.close()
