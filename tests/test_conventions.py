"""Jupyter and Python conventions: rich reprs (status in colour and in words, hostile text escaped), short reprs,
Response.raise_for_status(), and what goes wrong inside logged through the standard logging module."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from html import escape

import pytest

from ecs_snap_lab import ApiError, Lab, Response, error_catalog, reproduce
from ecs_snap_lab.actions.base import ACTIONS, ActionSpec
from ecs_snap_lab.display import COLOURS, response_html
from ecs_snap_lab.exercises.base import Exercise
from ecs_snap_lab.recipes import Reproduction
from ecs_snap_lab.rules.catalog import ErrorEntry, lookup

HOSTILE = '<script>alert("x")</script>&'


def break_action(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make `name` a lab bug: its handler raises."""

    def broken(call):
        raise RuntimeError("boom inside the handler")

    monkeypatch.setitem(ACTIONS, name, ActionSpec(name, broken, ""))


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# ---------------------------------------------------------------- Response


def test_a_response_repr_is_one_short_line_with_the_status_and_what_it_made(lab: Lab, disk: str) -> None:
    made = lab.create_snapshot(disk, name="first")
    assert repr(made) == f"<Response CreateSnapshot: HTTP 200 OK SnapshotId={made.data['SnapshotId']}>"
    refused = lab.create_snapshot("d-nope")
    assert repr(refused) == "<Response CreateSnapshot: HTTP 404 InvalidDiskId.NotFound>"
    long_name = lab.call("X" * 5000)
    assert len(repr(long_name)) < 120


@pytest.mark.parametrize(
    ("make", "family", "words"),
    [
        (lambda lab, disk: lab.create_snapshot(disk, name="ok"), "2xx", "✓ HTTP 200 — success"),
        (lambda lab, disk: lab.create_snapshot("d-nope"), "4xx", "! HTTP 404 — client error"),
        (lambda lab, disk: internal_error(lab, disk), "5xx", "✗ HTTP 500 — server error"),
    ],
)
def test_a_response_shows_its_status_in_colour_and_in_words(lab: Lab, disk: str, make, family, words) -> None:
    html = make(lab, disk)._repr_html_()
    status = html[: html.index("</div>")]
    assert f'class="esl-status esl-status-{family}"' in status
    assert f"color:{COLOURS[family]}" in status
    assert words in visible_text(status)  # never colour alone


def internal_error(lab: Lab, disk: str) -> Response:
    lab.faults.inject("InternalError")
    return lab.create_snapshot(disk, name="ok")


def test_the_html_holds_the_body_and_the_trace_as_a_table_unfolded_on_a_failure(lab: Lab, disk: str) -> None:
    made = lab.create_snapshot(disk, name="first")
    html = made._repr_html_()
    assert f"&quot;SnapshotId&quot;: &quot;{made.data['SnapshotId']}&quot;" in html  # the JSON body, escaped
    assert html.count('<tr class="esl-step-pass"') == len(made.trace) and "esl-step-fail" not in html
    assert f"<details><summary>Trace: {len(made.trace)} checks passed</summary>" in html  # folded: all passed

    refused = lab.create_snapshot(disk, name="http://bad")
    html = refused._repr_html_()
    failed = refused.trace[-1]
    assert f"<details open><summary>Trace: {len(refused.trace) - 1} checks passed, then FAIL at step" in html
    assert html.count('<tr class="esl-step-pass"') == len(refused.trace) - 1
    row = html[html.index('<tr class="esl-step-fail"') :]
    assert "<td><b>FAIL</b></td>" in row and failed.rule in row and "InvalidSnapshotName.Malformed" in row
    assert refused.message in html


def test_every_text_of_a_response_is_escaped() -> None:
    hostile = Response(
        HOSTILE,
        400,
        HOSTILE,
        {"Code": HOSTILE, "Message": HOSTILE, "SnapshotId": HOSTILE},
        HOSTILE,
        HOSTILE,
        [HOSTILE],
        ["Action.known"],
        ("Action.known", HOSTILE),
    )
    html = hostile._repr_html_()
    assert "<script" not in html and "&lt;script&gt;" in html
    assert html.count("&lt;script&gt;") >= 6  # code, message, RequestId, warning, body, the trace's detail
    assert repr(hostile).startswith("<Response <script>alert") and len(repr(hostile)) < 120  # plain text


def test_the_widget_and_the_repr_draw_the_same_trace(lab: Lab) -> None:
    from ecs_snap_lab.widgets.response_view import ResponseView

    refused = lab.create_snapshot("d-nope", name="x")
    view = ResponseView(refused)
    assert view.trace_html.value in response_html(refused)
    assert view.status_html.value in response_html(refused)


# ---------------------------------------------------------------- Lab, Reproduction, catalogue entries


def test_a_labs_html_lists_its_facts_and_its_last_requests_with_their_status(lab: Lab, disk: str) -> None:
    for _ in range(3):
        lab.create_snapshot("d-nope")
    assert len(lab.requests) == 6  # RunInstances, CreateDisk, AttachDisk, then three refused
    html = lab._repr_html_()
    text = visible_text(html)
    assert "Lab cn-hangzhou, seed 7" in text and "Disks2" in text and "Requests6 (3 refused)" in text
    assert "✓ no internal errors" in text
    assert text.count("HTTP 200 — success") == 2 and text.count("HTTP 404 — client error") == 3  # the last five
    assert lab.requests[-1].request_id in html and lab.requests[0].request_id not in html
    assert repr(lab).startswith("<Lab cn-hangzhou at ")


def test_a_lab_that_failed_inside_says_so_in_red_and_in_words(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    break_action(monkeypatch, "DescribeSnapshots")
    lab.call("DescribeSnapshots", {"RegionId": lab.region})
    html = lab._repr_html_()
    assert f"color:{COLOURS['5xx']}" in html and "✗ 1 internal error: see lab.internal_errors" in html


def test_a_labs_html_escapes_what_requests_carried(lab: Lab) -> None:
    lab.call(HOSTILE)
    html = lab._repr_html_()
    assert "<script" not in html and "&lt;script&gt;" in html


def test_a_catalogue_entry_shows_its_status_its_words_and_where_it_comes_from() -> None:
    entry = lookup("InvalidDiskId.NotFound")
    assert repr(entry) == "<ErrorEntry InvalidDiskId.NotFound: HTTP 404, seed row 1>"
    html = entry._repr_html_()
    assert 'class="esl-status esl-status-4xx"' in html and "! HTTP 404 — client error · InvalidDiskId.NotFound" in html
    for text in (entry.message, entry.sentence, entry.trigger, "the seed's error table, row 1"):
        assert escape(text) in html
    common = next(e for e in error_catalog() if e.row is None)
    assert "common" in repr(common) and "a common code the lab uses" in common._repr_html_()
    forged = ErrorEntry(HOSTILE, 500, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, actions=(HOSTILE,))
    assert "<script" not in forged._repr_html_()


def test_a_reproduction_shows_the_steps_the_request_and_the_answer() -> None:
    made = reproduce("IncorrectDiskStatus.NeverUsed")
    assert repr(made) == "<Reproduction IncorrectDiskStatus.NeverUsed: CreateSnapshot after 1 setup step>"
    html = made._repr_html_()
    assert f"<li>{escape(made.steps[0])}</li>" in html
    assert f"DiskId={made.params['DiskId']}" in html
    assert response_html(made.response) in html  # the answer, drawn as a response is
    forged = Reproduction(made.code, made.entry, made.lab, HOSTILE, {HOSTILE: HOSTILE}, made.response, [HOSTILE])
    assert "<script" not in forged._repr_html_()


# ---------------------------------------------------------------- raise_for_status


def test_raise_for_status_returns_a_success_itself(lab: Lab, disk: str) -> None:
    made = lab.create_snapshot(disk, name="first")
    assert made.raise_for_status() is made


def test_raise_for_status_raises_api_error_with_the_code_status_message_and_request_id(lab: Lab) -> None:
    refused = lab.create_snapshot("d-nope")
    with pytest.raises(ApiError) as raised:
        refused.raise_for_status()
    error = raised.value
    assert (error.code, error.status, error.message, error.request_id) == (
        "InvalidDiskId.NotFound",
        404,
        refused.message,
        refused.request_id,
    )
    assert error.response is refused
    assert str(error) == f"InvalidDiskId.NotFound (HTTP 404): {refused.message}"


def test_the_typed_helpers_raise_through_raise_for_status(lab: Lab) -> None:
    with pytest.raises(ApiError) as raised:
        lab.attach_disk("d-nope", "i-nope")
    assert raised.value.request_id == lab.requests[-1].request_id
    assert raised.value.status == lab.requests[-1].status >= 400
    assert not hasattr(lab, "_ok")


# ---------------------------------------------------------------- logging


def test_a_bug_of_the_lab_is_logged_with_its_traceback_and_still_kept(
    lab: Lab, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    break_action(monkeypatch, "DescribeSnapshots")
    with caplog.at_level(logging.ERROR, logger="ecs_snap_lab"):
        answer = lab.call("DescribeSnapshots", {"RegionId": lab.region})
    assert (answer.status, answer.code) == (500, "InternalError")
    (record,) = [r for r in caplog.records if r.name == "ecs_snap_lab.lab"]
    assert record.levelno == logging.ERROR and answer.request_id in record.getMessage()
    assert record.exc_info is not None and "boom inside the handler" in str(record.exc_info[1])
    assert "boom inside the handler" in lab.internal_errors[-1]


def test_a_listener_that_raises_is_logged_and_kept(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    def clumsy(event):
        raise ValueError("the chart broke")

    lab.events.subscribe(clumsy)
    with caplog.at_level(logging.ERROR, logger="ecs_snap_lab"):
        lab.create_disk()
    records = [r for r in caplog.records if r.name == "ecs_snap_lab.model.events"]
    assert records and all(r.levelno == logging.ERROR and "clumsy" in r.getMessage() for r in records)
    assert isinstance(records[0].exc_info[1], ValueError)
    assert len(lab.events.listener_errors) == len(records)


def test_a_widget_callback_that_fails_is_logged_as_well_as_shown(caplog: pytest.LogCaptureFixture) -> None:
    from ecs_snap_lab.widgets.guard import ErrorArea

    area = ErrorArea()
    with caplog.at_level(logging.WARNING, logger="ecs_snap_lab"):
        area.run("drawing", lambda: 1 / 0)
    (record,) = [r for r in caplog.records if r.name == "ecs_snap_lab.widgets.guard"]
    assert "drawing" in record.getMessage() and isinstance(record.exc_info[1], ZeroDivisionError)
    assert "ZeroDivisionError" in area.message


def test_a_check_that_cannot_judge_an_answer_logs_why(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    def judge(exercise, answer):
        raise KeyError("an answer nobody foresaw")

    exercise = Exercise(99, "odd", "Odd", "prompt", lambda: (Lab(), {}), judge, "hint", "solution")
    with caplog.at_level(logging.INFO, logger="ecs_snap_lab"):
        assert exercise.check(42) is False
    (record,) = [r for r in caplog.records if r.name == "ecs_snap_lab.exercises.base"]
    assert record.levelno == logging.INFO and isinstance(record.exc_info[1], KeyError)
    assert "could not be checked" in capsys.readouterr().out


def test_the_library_only_adds_a_null_handler() -> None:
    code = (
        "import logging, ecs_snap_lab, ecs_snap_lab.wire.server;"
        "print([type(h).__name__ for h in logging.getLogger('ecs_snap_lab').handlers], logging.getLogger().handlers,"
        " logging.getLogger('ecs_snap_lab.wire.access').handlers)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['NullHandler'] [] []"
