"""QuotaDashboard and RetentionTimeline, driven headlessly: change the lab, set the filter, and assert on the
Axes drawn (as tests/test_charts.py does), the PNG, the summary in words and the error area."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from axes_helpers import bars_by_row, containers, describe, row_labels
from matplotlib import dates as mdates
from PIL import Image

from ecs_snap_lab import Lab
from ecs_snap_lab.views import quota as quota_chart
from ecs_snap_lab.views import retention as retention_chart
from ecs_snap_lab.widgets import QuotaDashboard, RetentionTimeline

PNG = b"\x89PNG\r\n\x1a\n"
DASHBOARDS = (QuotaDashboard, RetentionTimeline)


@pytest.fixture
def quota(lab: Lab):
    widget = QuotaDashboard(lab)
    yield widget
    widget.close()


@pytest.fixture
def timeline(lab: Lab):
    widget = RetentionTimeline(lab)
    yield widget
    widget.close()


# ---------------------------------------------------------------------- helpers (as in test_charts.py)


def day(seconds: int) -> float:
    return float(mdates.date2num(datetime.fromtimestamp(seconds, tz=UTC)))


def snapshot_on(lab: Lab, disk_id: str, **kwargs) -> str:
    response = lab.create_snapshot(disk_id, **kwargs)
    assert response.ok, response
    return response.data["SnapshotId"]


def option_values(dashboard) -> list[str]:
    return [value for _, value in dashboard.disk_filter.options]


def option_label(dashboard, disk_id: str) -> str:
    return next(label for label, value in dashboard.disk_filter.options if value == disk_id)


def pixels(dashboard) -> bytes:
    """The picture shown, decoded (two encodings of the same pixels compare equal)."""
    return Image.open(io.BytesIO(bytes(dashboard.image.value))).convert("RGBA").tobytes()


def fresh_twin(dashboard):
    """A new dashboard of the same kind on the same lab, disks and window, drawn once, from nothing."""
    twin = type(dashboard)(dashboard.lab, disk_ids=dashboard.disk_ids, live=False)
    window = getattr(dashboard, "window", None)
    if window is not None and window.value != twin.window.value:
        twin.window.value = window.value  # draws it
    else:
        twin.live = True
    assert (twin.chart.fresh, twin.chart.updates, twin.redraws) == (1, 0, 1)
    return twin


# ---------------------------------------------------------------------- redrawn when the world changes


def test_quota_shows_a_snapshot_accomplished_by_an_advance(quota: QuotaDashboard, lab: Lab, disk: str) -> None:
    snapshot_id = snapshot_on(lab, disk)
    assert lab.snapshot(snapshot_id).status == "progressing"
    assert bars_by_row(quota.ax, "progressing (manual)")[disk].get_width() == 1
    assert disk not in bars_by_row(quota.ax, "accomplished (manual)")
    before = quota.redraws
    lab.advance(days=1)
    assert lab.snapshot(snapshot_id).status == "accomplished"
    assert quota.redraws == before + 1
    assert "progressing (manual)" not in containers(quota.ax)
    assert bars_by_row(quota.ax, "accomplished (manual)")[disk].get_width() == 1
    assert quota.error_message == ""


def test_timeline_shows_a_snapshot_accomplished_by_an_advance(timeline: RetentionTimeline, lab: Lab, disk: str) -> None:
    snapshot_id = snapshot_on(lab, disk, retention_days=3)
    creating = bars_by_row(timeline.ax, "progressing")[snapshot_id]
    assert creating.get_x() + creating.get_width() == pytest.approx(mdates.date2num(lab.now))  # still being made
    lab.advance(days=1)
    snap = lab.snapshot(snapshot_id)
    assert snap.status == "accomplished"
    creating = bars_by_row(timeline.ax, "progressing")[snapshot_id]
    kept = bars_by_row(timeline.ax, "kept")[snapshot_id]
    assert creating.get_x() + creating.get_width() == pytest.approx(day(snap.done_at))
    assert day(snap.done_at) < mdates.date2num(lab.now)
    assert kept.get_x() == pytest.approx(day(snap.done_at))
    assert kept.get_x() + kept.get_width() == pytest.approx(day(snap.release_at))
    now_lines = [ln for ln in timeline.ax.get_lines() if ln.get_label().startswith("now")]
    assert [list(ln.get_xdata()) for ln in now_lines] == [[mdates.date2num(lab.now)] * 2]


@pytest.mark.parametrize("kind", DASHBOARDS)
def test_one_advance_of_30_days_redraws_once_not_once_per_event(lab: Lab, disk: str, kind) -> None:
    policy = lab.create_auto_snapshot_policy(hours=[3, 15], retention_days=5)
    lab.apply_auto_snapshot_policy(policy, [disk])
    dashboard = kind(lab)
    events, before = len(lab.events), dashboard.redraws
    lab.advance(days=30)
    assert len(lab.events) - events > 100  # dozens of snapshots made and released on the way
    assert dashboard.redraws == before + 1
    with lab.batch():
        snapshot_on(lab, disk)
        lab.advance(hours=2)
        snapshot_on(lab, disk)
    assert dashboard.redraws == before + 2
    dashboard.close()


@pytest.mark.parametrize("kind", DASHBOARDS)
def test_the_image_is_a_png_that_changes_with_the_world(lab: Lab, disk: str, kind) -> None:
    dashboard = kind(lab)
    first = bytes(dashboard.image.value)
    assert first.startswith(PNG)
    assert dashboard.image.format == "png"
    snapshot_on(lab, disk)
    lab.advance(days=1)
    assert bytes(dashboard.image.value).startswith(PNG)
    assert bytes(dashboard.image.value) != first
    dashboard.close()


def test_a_redraw_with_nothing_changed_gives_the_same_picture(quota: QuotaDashboard, lab: Lab, disk: str) -> None:
    snapshot_on(lab, disk)
    first = bytes(quota.image.value)
    quota.redraw()
    assert bytes(quota.image.value) == first  # deterministic: no clock, no random state in the picture


def test_a_change_the_quota_chart_does_not_show_redraws_the_summary_but_not_the_picture(
    quota: QuotaDashboard, lab: Lab, disk: str
) -> None:
    snapshot_on(lab, disk, retention_days=30)
    lab.advance(days=1)  # accomplished
    picture, drawn, redraws = quota.image.value, (quota.chart.fresh, quota.chart.updates), quota.redraws
    lab.advance(hours=1)  # a lab event, nothing the chart counts
    assert quota.redraws == redraws + 1
    assert (quota.chart.fresh, quota.chart.updates) == drawn  # the plan is the one shown: no drawing, no PNG
    assert quota.image.value is picture
    twin = fresh_twin(quota)
    assert pixels(quota) == pixels(twin)
    twin.close()


def test_the_filter_and_the_window_redraw_from_the_frames_read_at_the_last_change(
    timeline: RetentionTimeline, lab: Lab, disk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the lab's frames is a tenth of a redraw on a big world: a filter or window change reuses them."""
    from ecs_snap_lab.views.frames import Frames

    snapshot_on(lab, disk, retention_days=3)
    reads = []
    original = Frames.snapshots
    monkeypatch.setattr(Frames, "snapshots", lambda self, *a, **k: reads.append(1) or original(self, *a, **k))
    timeline.disk_filter.value = (disk,)
    timeline.window.value = "last 7 days"
    timeline.show_all_disks()
    assert reads == [] and timeline.redraws >= 3
    lab.advance(days=1)  # the lab changed: read once more
    timeline.window.value = "all time"
    assert reads == [1]
    assert "1 snapshot kept" in timeline.summary


# ---------------------------------------------------------------------- disk filter


def test_filter_lists_the_world_disks_with_a_short_label(quota: QuotaDashboard, lab: Lab, disk: str) -> None:
    snapshot_on(lab, disk)
    assert set(option_values(quota)) == set(lab.world.disks)
    assert option_label(quota, disk) == f"{disk} (data, In_use, 1 snapshot)"
    new = lab.create_disk(size_gib=80)
    assert option_label(quota, new) == f"{new} (data, Available, 0 snapshots)"


def test_quota_filter_limits_the_bars_to_the_chosen_disks(quota: QuotaDashboard, lab: Lab) -> None:
    disks = [lab.ready_disk() for _ in range(3)]
    for disk_id in disks:
        snapshot_on(lab, disk_id)
    assert set(row_labels(quota.ax).values()) >= set(disks)
    before = quota.redraws
    quota.disk_filter.value = (disks[0], disks[2])
    assert quota.redraws == before + 1
    assert quota.disk_ids == (disks[0], disks[2])
    assert set(row_labels(quota.ax).values()) == {disks[0], disks[2]}
    assert set(bars_by_row(quota.ax, "progressing (manual)")) == {disks[0], disks[2]}
    quota.all_disks_button.click()
    assert quota.redraws == before + 2
    assert quota.disk_ids is None
    assert set(row_labels(quota.ax).values()) == set(lab.world.disks)


def test_timeline_filter_limits_the_bars_to_snapshots_of_the_chosen_disks(
    timeline: RetentionTimeline, lab: Lab
) -> None:
    first, second = lab.ready_disk(), lab.ready_disk()
    mine = {snapshot_on(lab, first)}
    lab.advance(hours=2)  # one snapshot at a time per disk
    mine.add(snapshot_on(lab, first, retention_days=2))
    theirs = snapshot_on(lab, second)
    lab.advance(days=1)
    assert set(row_labels(timeline.ax).values()) == mine | {theirs}
    timeline.disk_filter.value = (first,)
    assert set(row_labels(timeline.ax).values()) == mine


def test_the_choice_survives_a_change_that_refreshes_the_options(quota: QuotaDashboard, lab: Lab, disk: str) -> None:
    quota.disk_filter.value = (disk,)
    before = quota.redraws
    new = lab.create_disk()  # a new option: the options are replaced
    assert new in option_values(quota)
    assert quota.disk_filter.value == (disk,)
    assert quota.redraws == before + 1  # the change redraws once; refreshing the options does not
    assert set(row_labels(quota.ax).values()) == {disk}


def test_a_chosen_disk_that_is_deleted_stays_chosen_and_breaks_nothing(lab: Lab) -> None:
    spare = lab.create_disk()
    used = lab.ready_disk()
    snapshot_on(lab, used)
    lab.advance(days=1)
    instance_id = lab.disk(used).instance_id
    quota, timeline = QuotaDashboard(lab, disk_ids=[spare, used]), RetentionTimeline(lab, disk_ids=[spare, used])
    lab.delete_disk(spare)
    lab.detach_disk(used, instance_id)
    lab.advance(minutes=5)
    lab.delete_disk(used)
    assert spare not in lab.world.disks and used not in lab.world.disks
    for dashboard in (quota, timeline):
        assert dashboard.error_message == ""
        assert dashboard.disk_ids == (spare, used)
        assert option_label(dashboard, spare) == f"{spare} (not in the lab)"
        assert option_label(dashboard, used) == f"{used} (deleted, 1 snapshot kept)"
    assert set(row_labels(quota.ax).values()) == {spare, used}
    assert bars_by_row(quota.ax, "accomplished (manual)")[used].get_width() == 1  # the kept snapshot still counts
    assert set(row_labels(timeline.ax).values()) == set(lab.world.by_disk[used])
    assert lab.events.listener_errors == []
    quota.close()
    timeline.close()


def test_disk_ids_given_at_construction_are_chosen(lab: Lab) -> None:
    first, second = lab.ready_disk(), lab.ready_disk()
    quota = QuotaDashboard(lab, disk_ids=[second])
    assert quota.disk_filter.value == (second,)
    assert set(row_labels(quota.ax).values()) == {second}
    assert quota.redraws == 1
    assert first in option_values(quota)
    quota.choose_disks([first, "d-not-a-disk"])
    assert quota.redraws == 2
    assert quota.disk_filter.value == (first, "d-not-a-disk")
    assert option_label(quota, "d-not-a-disk") == "d-not-a-disk (not in the lab)"
    assert set(row_labels(quota.ax).values()) == {first, "d-not-a-disk"}
    quota.close()


# ---------------------------------------------------------------------- timeline window


def test_timeline_window_zooms_around_now_and_redraws_once(timeline: RetentionTimeline, lab: Lab, disk: str) -> None:
    snapshot_on(lab, disk, retention_days=10)
    lab.advance(days=20)
    before = timeline.redraws
    timeline.window.value = "last 7 days"
    assert timeline.redraws == before + 1
    now = lab.now
    assert timeline.ax.get_xlim() == pytest.approx(
        (mdates.date2num(now - timedelta(days=7)), mdates.date2num(now + timedelta(days=1)))
    )
    assert f"window {now - timedelta(days=7):%Y-%m-%d %H:%M} to" in timeline.ax.get_title()
    assert row_labels(timeline.ax) == {}  # the snapshot was released 10 days ago, before the window
    lab.advance(days=3)  # the window moves with the clock
    assert timeline.ax.get_xlim()[1] == pytest.approx(mdates.date2num(lab.now + timedelta(days=1)))
    timeline.window.value = "all time"
    assert len(row_labels(timeline.ax)) == 1


# ---------------------------------------------------------------------- the summary in words


def test_quota_summary_names_the_disks_the_chart_marks_near_the_quota() -> None:
    lab = Lab(seed=5, snapshot_quota=10)
    full, half, empty = lab.ready_disk(), lab.ready_disk(), lab.ready_disk()
    for n in range(9):
        snapshot_on(lab, full)
        if n < 4:
            snapshot_on(lab, half)
        lab.advance(hours=1)
    quota = QuotaDashboard(lab)
    bold = {t.get_text() for t in quota.ax.get_yticklabels() if t.get_fontweight() == "bold"}
    assert bold == {full}
    disks = len(lab.world.disks)  # the three data disks and their instances' system disks
    assert quota.summary == f"{disks} disks, 13 snapshots; 1 at 90 % or more of the 10-snapshot quota: {full} (9)."
    assert quota.summary in quota.summary_html.value
    quota.disk_filter.value = (half, empty)
    assert quota.summary == (
        f"2 chosen disks, 4 snapshots; none at 90 % or more of the 10-snapshot quota; the fullest is {half} with 4."
    )
    quota.close()


def test_timeline_summary_says_the_title_what_is_alive_and_the_next_release(
    timeline: RetentionTimeline, lab: Lab, disk: str
) -> None:
    soon = snapshot_on(lab, disk, retention_days=2)
    lab.advance(hours=2)  # one snapshot at a time per disk
    snapshot_on(lab, disk)
    lab.advance(days=1)
    summary = timeline.summary
    assert summary.startswith(timeline.ax.get_title().splitlines()[0])
    assert "2 snapshots from creation to release" in summary
    assert "2 snapshots kept (0 being created, 0 failed, 1 with no release time)" in summary
    release = datetime.fromtimestamp(lab.snapshot(soon).release_at, UTC)
    assert f"next release: {soon} on {release:%Y-%m-%d %H:%M} UTC." in summary
    lab.advance(days=2)
    assert "1 snapshot kept" in timeline.summary
    assert "no release is scheduled" in timeline.summary


# ---------------------------------------------------------------------- a kept chart draws what a fresh one draws


def demo_actions(lab: Lab) -> list[tuple[str, object]]:
    """The app's actions, in an order that changes the world, the filter and the window (name, do)."""
    busiest = sorted(lab.world.by_disk, key=lambda d: (-len(lab.world.by_disk[d]), d))
    ready = lab.ready_disk()  # a new disk, attached and loaded: a world change too

    def choose(*disk_ids):
        return lambda dashboard: setattr(dashboard.disk_filter, "value", disk_ids)

    def window(value):
        return lambda dashboard: setattr(dashboard.window, "value", value) if hasattr(dashboard, "window") else None

    def send(_dashboard) -> None:
        assert lab.create_snapshot(ready, retention_days=3).ok

    return [
        ("+1 hour", lambda _d: lab.advance(hours=1)),
        ("+1 day", lambda _d: lab.advance(days=1)),
        ("Send", send),
        ("+1 hour", lambda _d: lab.advance(hours=1)),
        ("+1 day", lambda _d: lab.advance(days=1)),
        ("+1 day", lambda _d: lab.advance(days=1)),
        ("one disk", choose(busiest[0])),
        ("+1 day", lambda _d: lab.advance(days=1)),
        ("the new disk", choose(ready)),  # a few snapshots: the timeline draws a bar per snapshot
        ("Send", send),
        ("+1 hour", lambda _d: lab.advance(hours=1)),
        ("+1 day", lambda _d: lab.advance(days=1)),
        ("+3 days", lambda _d: lab.advance(days=3)),  # released: faded bars appear
        ("Send", send),
        ("+1 day", lambda _d: lab.advance(days=1)),
        ("two disks", choose(busiest[0], busiest[1])),
        ("the new disk again", choose(ready)),  # its figure kept showing this very plan: shown again as it is
        ("all disks", choose()),
        ("last 7 days", window("last 7 days")),
        ("+1 day", lambda _d: lab.advance(days=1)),
        ("next 30 days", window("next 30 days")),
        ("all time", window("all time")),
        ("+30 days", lambda _d: lab.advance(days=30)),
    ]


@pytest.mark.parametrize("kind", DASHBOARDS)
def test_after_each_action_the_kept_chart_is_a_fresh_drawing_artist_for_artist_and_pixel_for_pixel(kind) -> None:
    """The dashboards update their chart's artists in place (views.retained) instead of drawing it anew: after
    every action of the app, the chart kept must describe (every bar, line, text, tick, limit, legend entry and
    the layout's positions) and draw (every pixel of the PNG) exactly as a dashboard drawing it from nothing."""
    lab = Lab.demo(disks=16, days=40)
    dashboard = kind(lab)
    for name, action in demo_actions(lab):
        action(dashboard)
        twin = fresh_twin(dashboard)
        assert describe(dashboard.figure) == describe(twin.figure), name
        assert pixels(dashboard) == pixels(twin), name
        assert dashboard.summary == twin.summary, name
        twin.close()
    assert dashboard.error_message == ""
    assert dashboard.chart.updates >= 4  # the actions went through the in-place update, not only fresh drawings
    dashboard.close()


# ---------------------------------------------------------------------- failures, live, close


CHARTS = [
    (QuotaDashboard, quota_chart, ("quota_plan",)),
    (QuotaDashboard, quota_chart, ("draw_quota", "update_quota")),
    (RetentionTimeline, retention_chart, ("retention_plan",)),
    (RetentionTimeline, retention_chart, ("draw_retention", "update_retention")),
]


@pytest.mark.parametrize(("kind", "module", "parts"), CHARTS)
def test_a_chart_failure_is_shown_and_the_next_redraw_clears_it(
    lab: Lab, disk: str, monkeypatch: pytest.MonkeyPatch, kind, module, parts: tuple[str, ...]
) -> None:
    dashboard = kind(lab)
    picture, redraws = dashboard.image.value, dashboard.redraws

    def broken(*_args, **_kwargs):
        raise RuntimeError("the chart broke")

    for part in parts:
        monkeypatch.setattr(module, part, broken)
    response = lab.create_snapshot(disk)
    assert response.ok  # the lab's call is untouched
    assert dashboard.error_message == "chart failed: RuntimeError: the chart broke"
    assert 'role="alert"' in dashboard.error_area.value
    assert "could not be redrawn" in dashboard.summary
    assert dashboard.image.value == picture
    assert dashboard.redraws == redraws
    assert lab.events.listener_errors == []
    monkeypatch.undo()
    assert dashboard.redraw() is dashboard.ax
    assert dashboard.error_message == ""
    assert dashboard.error_area.value == ""
    assert dashboard.redraws == redraws + 1
    assert "could not be redrawn" not in dashboard.summary
    twin = fresh_twin(dashboard)
    assert pixels(dashboard) == pixels(twin)  # the picture is the world's now, drawn afresh after the failure
    twin.close()
    dashboard.close()


def test_a_dashboard_not_live_waits_and_redraws_once_when_made_live(lab: Lab, disk: str) -> None:
    quota = QuotaDashboard(lab, live=False)
    assert quota.redraws == 0 and quota.image.value == b""
    quota.live = True
    assert quota.redraws == 1
    quota.live = False
    snapshot_on(lab, disk)
    lab.advance(days=1)
    assert quota.redraws == 1
    quota.live = True
    assert quota.redraws == 2
    assert bars_by_row(quota.ax, "accomplished (manual)")[disk].get_width() == 1
    quota.live = True  # nothing new: no redraw
    assert quota.redraws == 2
    quota.close()


@pytest.mark.parametrize("kind", DASHBOARDS)
def test_close_unsubscribes_and_closes_the_widgets(lab: Lab, disk: str, kind) -> None:
    listeners = len(lab.events.settled_listeners)
    dashboard = kind(lab)
    assert len(lab.events.settled_listeners) == listeners + 1
    redraws = dashboard.redraws
    dashboard.close()
    assert len(lab.events.settled_listeners) == listeners
    snapshot_on(lab, disk)
    lab.advance(days=1)
    assert dashboard.redraws == redraws
    assert dashboard.error_message == ""
    for part in (dashboard, dashboard.image, dashboard.summary_html, dashboard.disk_filter, dashboard.error_area):
        assert part.comm is None


def test_the_picture_has_no_tooltip_which_the_browsers_image_view_cannot_render(lab: Lab) -> None:
    """ipywidgets' ImageView fails in JupyterLab and Voila when an Image has a tooltip (it has no description)."""
    for dashboard in (QuotaDashboard(lab), RetentionTimeline(lab)):
        assert dashboard.image.tooltip is None
        dashboard.close()
