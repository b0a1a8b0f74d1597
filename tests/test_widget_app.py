"""LabDashboard (`lab.show()`), driven headlessly: the parts are wired to one lab and to each other."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ecs_snap_lab
from ecs_snap_lab import Lab
from ecs_snap_lab.widgets import LabDashboard
from ecs_snap_lab.widgets.app import TABS


@pytest.fixture
def app(lab: Lab):
    widget = lab.show()
    yield widget
    widget.close()


def test_show_gives_the_clock_above_four_tabs(app: LabDashboard, lab: Lab) -> None:
    assert isinstance(app, LabDashboard) and app.lab is lab
    assert app.children.index(app.clock) < app.children.index(app.tabs)
    assert tuple(app.tabs.titles) == TABS == ("Request", "Errors", "Quota", "Retention")
    assert app.open_tab == "Request"


def test_send_in_the_builder_shows_the_answer_in_the_response_view(app: LabDashboard, disk: str) -> None:
    app.builder.disk_id.value = disk
    app.builder.send_button.click()
    snapshot_id = app.builder.last_response.data["SnapshotId"]
    assert app.response_view.response is app.builder.last_response
    assert snapshot_id in app.response_view.body_text
    assert app.builder.error_message == "" and app.response_view.error_message == ""
    assert app.builder.response_area.layout.display == "none"  # shown once, in full, not twice


def test_charts_on_closed_tabs_wait_and_draw_once_when_opened(app: LabDashboard, lab: Lab, disk: str) -> None:
    assert app.quota.redraws == app.timeline.redraws == 0
    lab.create_snapshot(disk)
    lab.advance(days=1)
    assert app.quota.redraws == 0
    app.select_tab("Quota")
    assert app.quota.redraws == 1 and app.timeline.redraws == 0
    lab.advance(days=1)
    assert app.quota.redraws == 2 and app.timeline.redraws == 0
    app.select_tab("Retention")
    assert app.timeline.redraws == 1 and app.quota.redraws == 2
    lab.advance(hours=1)
    assert app.timeline.redraws == 2 and app.quota.redraws == 2


def test_the_clock_moves_the_lab_every_tab_shows(app: LabDashboard, lab: Lab, disk: str) -> None:
    app.select_tab("Retention")
    drawn = app.timeline.redraws
    before = lab.now
    app.clock.step_buttons["+1 day"].click()
    assert (lab.now - before).days == 1
    assert app.timeline.redraws == drawn + 1
    assert any(disk in label for label, _ in app.builder.disk_picker.options)


def test_a_learners_path_through_the_app(app: LabDashboard, lab: Lab, disk: str) -> None:
    """Bad name -> InvalidSnapshotName.Malformed shown -> fixed -> Send -> SnapshotId -> +1 day -> accomplished."""
    builder = app.builder
    builder.disk_picker.value = disk
    builder.snapshot_name.value = "auto-nightly"
    assert "InvalidSnapshotName.Malformed" in builder.panel.value
    builder.snapshot_name.value = "nightly"
    assert "InvalidSnapshotName.Malformed" not in builder.panel.value
    builder.send_button.click()
    snapshot_id = app.response_view.response.data["SnapshotId"]
    assert "HTTP 200" in app.response_view.status_html.value
    assert lab.snapshot(snapshot_id).status == "progressing"
    app.select_tab("Retention")
    app.clock.step_buttons["+1 day"].click()
    assert lab.snapshot(snapshot_id).status == "accomplished"
    assert "1 snapshot accomplished" in app.clock.last_summary
    assert app.timeline.error_message == "" and app.timeline.redraws >= 1


def test_errors_tab_reproduces_without_touching_the_lab(app: LabDashboard, lab: Lab) -> None:
    events, requests = len(lab.events), len(lab.request_log)
    app.select_tab("Errors")
    app.explorer.select("QuotaExceed.Snapshot")
    app.explorer.reproduce()
    assert app.explorer.last_reproduction.response.code == "QuotaExceed.Snapshot"
    assert (len(lab.events), len(lab.request_log)) == (events, requests)


def test_close_unsubscribes_every_part(lab: Lab) -> None:
    settled, listeners = len(lab.events.settled_listeners), len(lab.events.listeners)
    app = lab.show()
    assert len(lab.events.settled_listeners) > settled
    app.close()
    assert (len(lab.events.settled_listeners), len(lab.events.listeners)) == (settled, listeners)
    lab.advance(days=1)
    assert lab.events.listener_errors == []


def test_every_widget_has_a_short_repr_that_says_its_state(app: LabDashboard, lab: Lab, disk: str) -> None:
    """Jupyter stores the repr as the widget's text; a short, state-bearing one is readable and stable."""
    app.builder.disk_id.value = disk
    app.builder.snapshot_name.value = "1st"
    app.builder.send_button.click()
    app.select_tab("Quota")
    app.explorer.search.value = "quota"
    shown = {type(w).__name__: repr(w) for w in (app, app.builder, app.clock, app.quota, app.explorer)}
    shown["ResponseView"] = repr(app.response_view)
    catalogued = len(ecs_snap_lab.error_catalog())
    assert shown == {
        "LabDashboard": f"<LabDashboard of Lab(seed=7) at {lab.now:%Y-%m-%d %H:%M:%S}Z, tab Quota>",
        "RequestBuilder": "<RequestBuilder of Lab(seed=7): 2 parameters, 1 problems>",
        "Clock": f"<Clock of Lab(seed=7) at {lab.now:%Y-%m-%d %H:%M:%S}Z>",
        "QuotaDashboard": "<QuotaDashboard of Lab(seed=7): all disks, 1 redraws>",
        "ErrorExplorer": f"<ErrorExplorer: {len(app.explorer.visible_entries)} of {catalogued} errors shown>",
        "ResponseView": "<ResponseView: CreateSnapshot HTTP 400 InvalidSnapshotName.Malformed>",
    }
    assert 0 < len(app.explorer.visible_entries) < catalogued


def test_a_tab_is_built_when_first_opened_and_only_once(app: LabDashboard, lab: Lab) -> None:
    """The page a browser renders first holds the clock and the Request tab: the other pages are empty until opened."""
    assert app.built == ("Request",)
    pages = dict(zip(TABS, app.tabs.children, strict=True))
    assert all(pages[title].children == () for title in ("Errors", "Quota", "Retention"))
    app.select_tab("Quota")
    assert app.built == ("Request", "Quota")
    assert pages["Quota"].children == (app.quota,)
    assert app.quota.redraws == 1 and app.quota.live  # built live: drawn at once
    quota = app.quota
    app.select_tab("Request")
    app.select_tab("Quota")
    assert app.quota is quota and app.quota.redraws == 1  # nothing changed: not drawn again
    assert pages["Retention"].children == ()
    assert app.explorer.error_message == ""  # asking for a part builds it, its tab closed
    assert app.built == ("Request", "Errors", "Quota")
    assert pages["Errors"].children == (app.explorer,)


def test_the_app_shown_first_imports_no_pandas_or_matplotlib_until_a_chart_is_wanted() -> None:
    code = (
        "import sys\n"
        "from ecs_snap_lab import Lab\n"
        "app = Lab(seed=1).show()\n"
        "heavy = lambda: ('pandas' in sys.modules, 'matplotlib' in sys.modules)\n"
        "print(heavy())\n"
        "app.warm_up()\n"
        "print(heavy(), app.built)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["(False, False)", "(True, True) ('Request',)"]


def test_the_apps_error_message_gathers_the_parts_built(app: LabDashboard) -> None:
    assert app.error_message == ""
    app.clock.target.value = "not a date"
    app.clock.go_button.click()  # refused: shown in the clock's error area, the lab untouched
    assert app.clock.error_message.startswith("advance to a date failed: ")
    assert app.error_message == app.clock.error_message
