"""Clock, driven headlessly: press the step buttons, type a date, and check the lab and the words shown."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.widgets import Clock
from ecs_snap_lab.widgets.clock import describe_interval


@pytest.fixture
def clock(lab: Lab):
    widget = Clock(lab)
    yield widget
    widget.close()


@pytest.mark.parametrize(
    ("label", "step"),
    [("+1 hour", timedelta(hours=1)), ("+1 day", timedelta(days=1)), ("+30 days", timedelta(days=30))],
)
def test_each_step_button_advances_the_lab_by_its_step(clock: Clock, lab: Lab, label: str, step: timedelta) -> None:
    before = lab.now
    clock.step_buttons[label].click()
    assert lab.now - before == step
    assert clock.error_message == ""
    assert f"{lab.now:%Y-%m-%d %H:%M:%S}" in clock.now_html.value


def test_the_time_shown_follows_a_move_made_elsewhere(clock: Clock, lab: Lab) -> None:
    lab.advance(days=2, hours=3)
    assert clock.now_text.startswith(f"{lab.now:%Y-%m-%d %H:%M:%S} UTC")
    assert clock.now_text in clock.now_html.value


def test_a_snapshot_created_then_a_day_later_is_summarised_as_accomplished(clock: Clock, lab: Lab, disk: str) -> None:
    lab.create_snapshot(disk)
    clock.step_buttons["+1 day"].click()
    assert clock.last_summary.startswith("+1 day: ")
    assert "1 snapshot accomplished" in clock.last_summary
    assert "1 snapshot accomplished" in clock.summary_html.value


def test_an_hour_with_nothing_due_says_nothing_happened(clock: Clock) -> None:
    clock.step_buttons["+1 hour"].click()
    assert clock.last_summary == "+1 hour: nothing happened"


def test_retention_releases_are_counted(clock: Clock, lab: Lab, disk: str) -> None:
    lab.create_snapshot(disk, retention_days=10)
    clock.step_buttons["+30 days"].click()
    assert "1 snapshot accomplished" in clock.last_summary
    assert "1 snapshot released" in clock.last_summary


def test_describe_interval_counts_in_a_fixed_order_with_plurals() -> None:
    kinds = Counter({"snapshot_released": 2, "snapshot_accomplished": 1, "clock_advanced": 1})
    assert describe_interval(kinds, "+1 day") == "+1 day: 1 snapshot accomplished, 2 snapshots released"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-02-01", datetime(2026, 2, 1, tzinfo=UTC)),
        ("2026-02-01T09:30:00Z", datetime(2026, 2, 1, 9, 30, tzinfo=UTC)),
        ("  2026-03-15 12:00  ", datetime(2026, 3, 15, 12, tzinfo=UTC)),
    ],
)
def test_go_advances_to_the_date_typed(clock: Clock, lab: Lab, typed: str, expected: datetime) -> None:
    clock.target.value = typed
    clock.go_button.click()
    assert lab.now == expected
    assert clock.error_message == ""
    assert clock.last_summary.startswith(f"to {typed.strip()}: ")


@pytest.mark.parametrize(
    ("typed", "words"),
    [("", "type a date"), ("tomorrow", "not an ISO 8601 time"), ("2020-01-01", "is before the lab's time")],
)
def test_a_refused_date_is_shown_and_the_lab_is_untouched(clock: Clock, lab: Lab, typed: str, words: str) -> None:
    before, events = lab.now, len(lab.events)
    clock.target.value = typed
    clock.go_button.click()  # must not raise
    assert lab.now == before and len(lab.events) == events
    assert "advance to a date failed: ValueError" in clock.error_message
    assert words in clock.error_message
    assert 'role="alert"' in clock._errors.widget.value
    clock.target.value = "2030-01-01"
    clock.go_button.click()
    assert clock.error_message == ""


def test_close_stops_following_the_lab(lab: Lab) -> None:
    listeners = len(lab.events.settled_listeners)
    clock = Clock(lab)
    shown = clock.now_html.value
    clock.close()
    lab.advance(days=1)
    assert clock.now_html.value == shown
    assert len(lab.events.settled_listeners) == listeners


def test_every_control_has_a_label_and_a_tooltip(clock: Clock) -> None:
    controls = [*clock.step_buttons.values(), clock.target, clock.go_button]
    for control in controls:
        assert control.description and control.tooltip
