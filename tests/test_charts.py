"""The matplotlib charts: asserted on their artists (bar sizes, line positions, labels), never on pixels."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from axes_helpers import _axes as describe_axes
from axes_helpers import bars_by_row, containers, row_labels
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ecs_snap_lab import Lab
from ecs_snap_lab.model.events import EventKind
from ecs_snap_lab.views import canvas, charts
from ecs_snap_lab.views.canvas import ChartCanvas
from ecs_snap_lab.views.charts import history_chart, quota_chart, request_outcomes_chart, retention_timeline

CHARTS = (quota_chart, retention_timeline, history_chart, request_outcomes_chart)
REMOVED = (EventKind.SNAPSHOT_RELEASED.value, EventKind.SNAPSHOT_DELETED.value)
CREATED = EventKind.SNAPSHOT_CREATED.value


class Fleet(NamedTuple):
    lab: Lab
    full: str  # 8 accomplished manual snapshots + 1 progressing: 9 of a quota of 10
    half: str  # automatic snapshots (some released by retention), a released manual one, a failed one
    spare: str  # no snapshots
    in_flight: str  # the snapshot of `full` still being created


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    """A small world with every kind of bar: manual/automatic, accomplished/progressing/failed, released, kept."""
    lab = Lab(seed=11, snapshot_quota=10)
    full, half, spare = lab.ready_disk(), lab.ready_disk(), lab.ready_disk()
    for n in range(8):
        assert lab.create_snapshot(full, retention_days=30 if n % 2 else None).ok
        lab.advance(hours=1)
    assert lab.create_snapshot(half, retention_days=1).ok
    policy = lab.create_auto_snapshot_policy(hours=[3], retention_days=2)
    lab.apply_auto_snapshot_policy(policy, [half])
    lab.advance(days=4)
    lab.faults.inject("SnapshotFails", at_progress=50, disk_id=half)
    assert lab.create_snapshot(half).ok
    lab.advance(hours=1)
    assert lab.create_snapshot("d-doesnotexist0000000").code == "InvalidDiskId.NotFound"
    assert lab.create_snapshot(full, name="bad name").code == "InvalidSnapshotName.Malformed"
    response = lab.create_snapshot(full, name="in-flight")
    assert response.ok
    lab.advance(seconds=5)
    in_flight = response.data["SnapshotId"]
    assert lab.snapshot(in_flight).status == "progressing"
    return Fleet(lab, full, half, spare, in_flight)


# ---------------------------------------------------------------------- helpers


def line(ax: Axes, label_start: str):
    matches = [ln for ln in ax.get_lines() if ln.get_label().startswith(label_start)]
    assert len(matches) == 1, [ln.get_label() for ln in ax.get_lines()]
    return matches[0]


def day(seconds: int) -> float:
    return float(mdates.date2num(datetime.fromtimestamp(seconds, tz=UTC)))


def legend_texts(ax: Axes) -> list[str]:
    legends = [a.get_legend() for a in ax.figure.axes if a.get_legend() is not None]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def removals(lab: Lab) -> dict[str, int]:
    return {row[2]: row[0] for row in lab.events.rows if row[1] in REMOVED}


# ---------------------------------------------------------------------- quota chart


def test_quota_bars_equal_per_disk_counts_by_status_and_type(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = quota_chart(lab)
    expected = Counter((s.disk_id, s.status.value, s.snapshot_type.value) for s in lab.world.snapshots.values())
    assert expected[(fleet.full, "progressing", "user")] == 1
    assert expected[(fleet.half, "accomplished", "auto")] >= 1
    drawn = containers(ax)
    for status in ("progressing", "accomplished", "failed"):
        for kind, word in (("user", "manual"), ("auto", "automatic")):
            label = f"{status} ({word})"
            bars = bars_by_row(ax, label) if label in drawn else {}  # a bar only where there is something
            for disk_id in (fleet.full, fleet.half, fleet.spare):
                width = bars[disk_id].get_width() if disk_id in bars else 0
                assert width == expected[(disk_id, status, kind)], (disk_id, status, kind)
                assert disk_id not in bars or width > 0


def test_quota_bars_stack_to_the_disk_total(fleet: Fleet) -> None:
    ax = quota_chart(fleet.lab)
    segments = [label for label in containers(ax) if not label.startswith("at or near")]
    assert len(segments) == 4  # accomplished manual/automatic, progressing manual, failed manual
    for disk_id in (fleet.full, fleet.half, fleet.spare):
        bars = [bars_by_row(ax, label).get(disk_id) for label in segments]
        bars = sorted((bar for bar in bars if bar is not None), key=lambda bar: bar.get_x())
        ends = [0] + [bar.get_x() + bar.get_width() for bar in bars]
        assert [bar.get_x() for bar in bars] == ends[:-1]  # each segment starts where the previous one ends
        assert ends[-1] == len(fleet.lab.world.by_disk.get(disk_id, {}))


def test_quota_line_is_at_the_lab_quota(fleet: Fleet) -> None:
    ax = quota_chart(fleet.lab)
    quota = line(ax, "quota")
    assert list(quota.get_xdata()) == [fleet.lab.snapshot_quota] * 2
    assert ax.get_xlim()[1] > fleet.lab.snapshot_quota


@pytest.mark.parametrize(("count", "quota", "highlighted"), [(8, 10, False), (9, 10, True), (10, 10, True)])
def test_quota_highlights_disks_at_or_above_90_percent(count: int, quota: int, highlighted: bool) -> None:
    lab = Lab(seed=5, snapshot_quota=quota)
    disk_id, other = lab.ready_disk(), lab.ready_disk()
    for _ in range(count):
        assert lab.create_snapshot(disk_id).ok
        lab.advance(hours=1)
    ax = quota_chart(lab)
    band = bars_by_row(ax, "at or near quota (≥ 90%)") if highlighted else {}
    assert ("at or near quota (≥ 90%)" in containers(ax)) is highlighted
    assert (disk_id in band) is highlighted
    assert other not in band
    bold = {t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"}
    assert bold == ({disk_id} if highlighted else set())
    assert ("at or near quota (≥ 90%)" in legend_texts(ax)) is highlighted


def test_quota_fleet_highlights_exactly_the_disks_near_quota(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = quota_chart(lab)
    near = {d for d, snaps in lab.world.by_disk.items() if len(snaps) >= 0.9 * lab.snapshot_quota}
    assert near == {fleet.full}
    assert set(bars_by_row(ax, "at or near quota (≥ 90%)")) == near


def test_quota_draws_top_disks_most_first_and_sums_up_the_rest_in_the_title() -> None:
    lab = Lab(seed=2, snapshot_quota=64)
    disks = [lab.ready_disk() for _ in range(4)]
    for disk_id, count in zip(disks, (1, 3, 0, 2), strict=True):
        for _ in range(count):
            assert lab.create_snapshot(disk_id).ok
            lab.advance(hours=1)
    ax = quota_chart(lab, top=2)
    assert [row_labels(ax)[y] for y in range(2)] == [disks[1], disks[3]]
    assert len(ax.get_yticks()) == 2
    title = ax.get_title()
    everything = len(lab.world.disks)  # the instances' system disks too
    assert everything == 8
    assert f"top 2 of {everything} disks" in title
    assert f"the other {everything - 2} hold 1 snapshot " in title
    assert "0 of them at or near quota" in title


def test_quota_disk_ids_limits_the_chart(fleet: Fleet) -> None:
    ax = quota_chart(fleet.lab, disk_ids=[fleet.half, fleet.spare])
    assert set(row_labels(ax).values()) == {fleet.half, fleet.spare}


def test_quota_chart_is_readable(fleet: Fleet) -> None:
    ax = quota_chart(fleet.lab)
    assert "quota of 10" in ax.get_title()
    assert "count" in ax.get_xlabel()
    assert ax.get_ylabel() == "disk"
    texts = legend_texts(ax)
    assert "quota (10 per disk)" in texts
    assert {"accomplished (manual)", "accomplished (automatic)", "progressing (manual)", "failed (manual)"} <= set(
        texts
    )
    assert "failed (automatic)" not in texts  # only what is there
    width, height = ax.figure.get_size_inches()
    assert 8 <= width <= 14 and 3 <= height <= 14


# ---------------------------------------------------------------------- retention timeline


def test_timeline_bar_runs_from_creation_to_release(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = retention_timeline(lab)
    kept, creating = bars_by_row(ax, "kept"), bars_by_row(ax, "progressing")
    kept_ones = [s for s in lab.world.snapshots.values() if s.retention_days == 30]
    assert kept_ones
    for snap in kept_ones:
        assert creating[snap.snapshot_id].get_x() == pytest.approx(day(snap.created_at))
        assert creating[snap.snapshot_id].get_x() + creating[snap.snapshot_id].get_width() == pytest.approx(
            day(snap.done_at)
        )
        assert kept[snap.snapshot_id].get_x() == pytest.approx(day(snap.done_at))
        assert kept[snap.snapshot_id].get_x() + kept[snap.snapshot_id].get_width() == pytest.approx(
            day(snap.release_at)
        )


def test_timeline_has_one_row_per_snapshot_alive_or_gone(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = retention_timeline(lab)
    expected = set(lab.world.snapshots) | set(removals(lab))
    assert set(row_labels(ax).values()) == expected
    assert f"{len(expected)} snapshots" in ax.get_title()


def test_timeline_now_line_is_at_lab_now(fleet: Fleet) -> None:
    ax = retention_timeline(fleet.lab)
    now = line(ax, "now")
    assert list(now.get_xdata()) == [mdates.date2num(fleet.lab.now)] * 2
    assert "now" in " ".join(legend_texts(ax))


def test_timeline_fades_released_snapshots(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = retention_timeline(lab)
    gone = removals(lab)
    assert len(gone) >= 2
    faded = bars_by_row(ax, "kept (gone)")
    assert set(faded) == set(gone)
    for snapshot_id, removed_at in gone.items():
        bar = faded[snapshot_id]
        assert bar.get_alpha() < 1
        assert bar.get_x() + bar.get_width() == pytest.approx(day(removed_at))
    live = bars_by_row(ax, "kept")
    assert set(live) == set(lab.world.snapshots)
    assert all(bar.get_alpha() == 1 for bar in live.values())


def test_timeline_hatches_the_part_still_being_created(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = retention_timeline(lab)
    bar = bars_by_row(ax, "progressing")[fleet.in_flight]
    assert bar.get_hatch()
    assert bar.get_x() == pytest.approx(day(lab.snapshot(fleet.in_flight).created_at))
    assert bar.get_x() + bar.get_width() == pytest.approx(mdates.date2num(lab.now))
    assert not bars_by_row(ax, "kept")[fleet.in_flight].get_hatch()


def test_timeline_open_ended_bars_reach_the_right_edge_with_a_marker(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = retention_timeline(lab)
    right = ax.get_xlim()[1]
    kept = bars_by_row(ax, "kept")
    open_ids = {s.snapshot_id for s in lab.world.snapshots.values() if s.release_at is None}
    for snapshot_id in open_ids:
        assert kept[snapshot_id].get_x() + kept[snapshot_id].get_width() == pytest.approx(right)
    markers = line(ax, "no release time")
    assert set(markers.get_xdata()) == {right}
    rows = row_labels(ax)
    assert {rows[round(y)] for y in markers.get_ydata()} == open_ids


def test_timeline_zoom_sets_the_window_and_keeps_only_snapshots_in_it(fleet: Fleet) -> None:
    lab = fleet.lab
    start = datetime(2026, 1, 1, 3, tzinfo=UTC)
    end = start + timedelta(hours=3)
    ax = retention_timeline(lab, start=start, end="2026-01-01T06:00:00Z")
    assert ax.get_xlim() == pytest.approx((mdates.date2num(start), mdates.date2num(end)))
    stops = removals(lab)
    expected = set()
    for snap in list(lab.world.snapshots.values()):
        stop = snap.release_at if snap.release_at is not None else float("inf")
        if snap.created_at <= end.timestamp() and stop >= start.timestamp():
            expected.add(snap.snapshot_id)
    created = {row[2]: row[0] for row in lab.events.rows if row[1] == CREATED}
    expected |= {s for s, gone_at in stops.items() if created[s] <= end.timestamp() and gone_at >= start.timestamp()}
    assert 0 < len(expected) < len(lab.world.snapshots) + len(stops)
    assert set(row_labels(ax).values()) == expected
    assert "window 2026-01-01 03:00 to 2026-01-01 06:00 UTC" in ax.get_title()


def test_timeline_refuses_a_window_that_ends_before_it_starts(fleet: Fleet) -> None:
    with pytest.raises(ValueError, match="end must be after start"):
        retention_timeline(fleet.lab, start="2026-01-02T00:00:00Z", end="2026-01-01T00:00:00Z")


def test_timeline_aggregates_above_max_bars_and_says_so(fleet: Fleet) -> None:
    lab = fleet.lab
    total = len(lab.world.snapshots) + len(removals(lab))
    assert "aggregated" not in retention_timeline(lab, max_bars=total).get_title()
    ax = retention_timeline(lab, max_bars=total - 1)
    assert "aggregated" in ax.get_title()
    assert f"{total} snapshots in the window, more than max_bars={total - 1}" in ax.get_title()
    assert "kept" not in containers(ax)  # no bar per snapshot
    assert ax.get_ylabel() == "snapshots alive (count)"
    assert {"released per day", "snapshots alive that day"} <= set(legend_texts(ax))


def test_timeline_alive_per_day_matches_the_event_log(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = retention_timeline(lab, max_bars=1)
    alive = line(ax, "snapshots alive that day")
    created = [row[0] for row in lab.events.rows if row[1] == CREATED]
    gone = list(removals(lab).values())
    checked = 0
    for x, y in zip(alive.get_xdata(), alive.get_ydata(), strict=True):
        start = mdates.num2date(x).timestamp()
        if start > lab.world.now:
            continue
        expected = sum(t < start + 86400 for t in created) - sum(t <= start for t in gone)
        assert y == expected, mdates.num2date(x)
        checked += 1
    assert checked >= 5


def test_timeline_releases_per_day_count_the_removals(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = retention_timeline(lab, max_bars=1)
    twin = next(a for a in ax.figure.axes if a is not ax)
    released = containers(twin)["released per day"]
    per_day = Counter(int(day(t) // 1) for t in removals(lab).values())
    drawn = {int(bar.get_x()): bar.get_height() for bar in released if bar.get_height()}
    assert drawn == per_day
    assert "releases per day" in twin.get_ylabel()


# ---------------------------------------------------------------------- history


def test_history_total_steps_match_the_event_log(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = history_chart(lab)
    steps = line(ax, "snapshots in the account")
    points = dict(zip(steps.get_xdata(), steps.get_ydata(), strict=True))
    rows = [row for row in lab.events.rows if row[1] == CREATED or row[1] in REMOVED]
    for at in {row[0] for row in rows}:
        expected = sum(r[1] == CREATED for r in rows if r[0] <= at) - sum(r[1] in REMOVED for r in rows if r[0] <= at)
        assert points[day(at)] == expected
    assert steps.get_ydata()[-1] == len(lab.world.snapshots)
    assert steps.get_xdata()[-1] == mdates.date2num(lab.now)
    assert steps.get_drawstyle() == "steps-post"


def test_history_by_disk_draws_the_top_disks_against_the_quota(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = history_chart(lab, by="disk", top=1)
    drawn = [ln for ln in ax.get_lines() if ln.get_gid()]
    assert [ln.get_gid() for ln in drawn] == [fleet.full]  # the most snapshots now
    assert drawn[0].get_ydata()[-1] == len(lab.world.by_disk[fleet.full])
    assert list(line(ax, "quota").get_ydata()) == [lab.snapshot_quota] * 2
    assert "top 1 of 2 disks" in ax.get_title()


def test_history_by_disk_steps_match_the_event_log_of_that_disk(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = history_chart(lab, by="disk", disk_ids=[fleet.half])
    (steps,) = [ln for ln in ax.get_lines() if ln.get_gid() == fleet.half]
    points = dict(zip(steps.get_xdata(), steps.get_ydata(), strict=True))
    rows = [r for r in lab.events.rows if r[3] == fleet.half and (r[1] == CREATED or r[1] in REMOVED)]
    assert any(r[1] in REMOVED for r in rows)
    for at in {r[0] for r in rows}:
        expected = sum(1 if r[1] == CREATED else -1 for r in rows if r[0] <= at)
        assert points[day(at)] == expected
    assert steps.get_ydata()[-1] == len(lab.world.by_disk[fleet.half])


def test_history_refuses_an_unknown_grouping(fleet: Fleet) -> None:
    with pytest.raises(ValueError, match="by must be"):
        history_chart(fleet.lab, by="instance")


# ---------------------------------------------------------------------- request outcomes


def test_request_outcome_stacks_sum_to_the_requests_per_day(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = request_outcomes_chart(lab)
    per_day = Counter(int(day(r.at) // 1) for r in lab.requests)
    stacks = containers(ax)
    heights: Counter[int] = Counter()
    for bars in stacks.values():
        for bar in bars:
            heights[int(bar.get_x() // 1)] += bar.get_height()
    assert +heights == per_day


def test_request_outcomes_stack_each_code(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = request_outcomes_chart(lab)
    stacks = containers(ax)
    by_code = Counter(r.code or "OK" for r in lab.requests)
    assert set(stacks) == {"OK (200)", "InvalidDiskId.NotFound (404)", "InvalidSnapshotName.Malformed (400)"}
    for label, bars in stacks.items():
        code = label.split(" ")[0]
        assert sum(bar.get_height() for bar in bars) == by_code[code]
    assert f"{len(lab.requests)} requests, 2 errors" in ax.get_title()
    assert ax.get_ylabel() == "requests per day (count)"


def test_request_outcomes_by_hour_for_one_action(fleet: Fleet) -> None:
    lab = fleet.lab
    ax = request_outcomes_chart(lab, freq="6h", action="CreateSnapshot")
    calls = [r for r in lab.requests if r.action == "CreateSnapshot"]
    total = sum(bar.get_height() for bars in containers(ax).values() for bar in bars)
    assert total == len(calls)
    assert "CreateSnapshot requests per 6 hours" in ax.get_title()
    bar = containers(ax)["OK (200)"][0]
    assert bar.get_width() == pytest.approx(0.25 * 0.85)


# ---------------------------------------------------------------------- every chart


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_draws_into_the_given_axes(fleet: Fleet, chart) -> None:
    figure = Figure()
    ax, other = figure.subplots(1, 2)
    assert chart(fleet.lab, ax=ax) is ax
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.patches or ax.get_lines()
    assert not other.patches and not other.get_lines() and not other.get_title()


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_never_touches_pyplot(fleet: Fleet, chart, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as plt

    def refuse(*args, **kwargs):
        raise AssertionError("a chart called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    before = plt.get_fignums()
    ax = chart(fleet.lab)
    assert isinstance(ax.figure, Figure)
    assert plt.get_fignums() == before  # no figure registered with pyplot's global state


@pytest.mark.parametrize("chart", CHARTS)
def test_a_charts_figure_shows_itself_as_a_png_in_a_notebook(fleet: Fleet, chart) -> None:
    """IPython displays `ax.figure` through `_repr_png_` (no pyplot, no %matplotlib inline needed)."""
    png = chart(fleet.lab).figure._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_of_an_empty_lab_says_there_is_nothing_yet(chart) -> None:
    ax = chart(Lab(seed=1))
    assert ax.get_title()
    ax.figure.canvas.draw()  # renders headless, without error
    assert ax.figure.canvas.buffer_rgba().shape[2] == 4


def rgba(ax: Axes, canvas_class) -> np.ndarray:
    """The figure of `ax` drawn by a fresh canvas of this class, as an RGBA array."""
    canvas = canvas_class(ax.figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize(
    "draw",
    [
        quota_chart,
        retention_timeline,
        lambda lab: retention_timeline(lab, max_bars=10_000),  # a bar per snapshot, hatched, with tick labels
        history_chart,
        lambda lab: history_chart(lab, by="disk"),
        request_outcomes_chart,
    ],
)
def test_the_caching_canvas_draws_exactly_the_pixels_of_matplotlibs_own(fleet: Fleet, draw) -> None:
    """ChartCanvas caches text layout and glyph bitmaps across draws: the picture must not change by one pixel,
    on a first draw (empty caches for new strings) or a later one (everything from the caches)."""
    expected = rgba(draw(fleet.lab), FigureCanvasAgg)
    assert isinstance(draw(fleet.lab).figure.canvas, ChartCanvas)
    assert canvas.CACHEABLE  # the matplotlib in use has the internals the caches rely on (else plain Agg)
    for _ in range(2):
        assert np.array_equal(rgba(draw(fleet.lab), ChartCanvas), expected)
    assert canvas._LAYOUTS and canvas._GLYPHS  # the text went through the caches


def test_import_of_the_package_loads_no_matplotlib() -> None:
    code = "import sys, ecs_snap_lab; lab = ecs_snap_lab.Lab(); print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_palette_is_okabe_ito() -> None:
    assert set(charts.OKABE_ITO.values()) == {
        "#000000",
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
    }


def test_every_chart_of_the_demo_world_saves_as_png(tmp_path: Path) -> None:
    lab = Lab.demo()
    assert lab.world.snapshots, "the demo world has snapshots"
    drawings = {
        "quota": quota_chart(lab),
        "retention": retention_timeline(lab),
        "retention_zoom": retention_timeline(lab, start=lab.now - timedelta(days=7), end=lab.now + timedelta(days=1)),
        "history_total": history_chart(lab),
        "history_disks": history_chart(lab, by="disk"),
        "requests": request_outcomes_chart(lab),
    }
    for name, ax in drawings.items():
        path = tmp_path / f"{name}.png"
        ax.figure.savefig(path, dpi=60)
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        assert len(data) > 10_000, name  # a drawn chart, not an empty canvas


def test_the_readme_images_script_draws_every_chart(tmp_path) -> None:
    """docs/make_images.py (which draws docs/img/ for the docs) runs and writes a PNG per chart."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "docs" / "make_images.py"
    spec = importlib.util.spec_from_file_location("make_images", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    assert sorted(p.name for p in written) == sorted(module.CHARTS)
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------- retained charts (what the dashboards keep)


def test_plans_compare_equal_field_by_field_with_nan_equal_to_nan() -> None:
    from ecs_snap_lab.views.retained import same

    a = np.array([1.0, np.nan, np.inf])
    assert same((a, "x", 3), (a.copy(), "x", 3))
    assert not same((a, "x"), (np.array([1.0, 2.0, np.inf]), "x"))
    assert not same(np.array([1, 2]), np.array([1.0, 2.0]))  # another dtype is another plan
    assert not same(np.array([1, 2]), np.array([1, 2, 3]))


@pytest.mark.parametrize(("start", "target"), [(3, 7), (7, 3), (5, 5)])
def test_updated_bars_are_the_bars_a_fresh_call_makes(start: int, target: int) -> None:
    """update_bars grows, shrinks or moves a container's bars: they describe exactly as the same bar call on a new
    Axes (sizes, colours, sticky edges, container label and data values)."""
    from ecs_snap_lab.views.retained import update_bars

    def bars(ax: Axes, n: int, rows=slice(None)):
        x, height, bottom = np.arange(n, dtype=float), np.arange(1, n + 1) * 2.0, np.arange(n) * 0.5
        return ax.bar(x[rows], height[rows], bottom=bottom[rows], width=0.8, align="edge", color="#0072B2", label="b")

    updated = Figure().add_subplot()
    container = bars(updated, start)
    n = target
    bounds = (np.arange(n, dtype=float), np.arange(n) * 0.5, np.full(n, 0.8), np.arange(1, n + 1) * 2.0)
    container = update_bars(updated, container, bounds, lambda extra: bars(updated, n, extra))
    fresh = Figure().add_subplot()
    expected = bars(fresh, target)
    assert updated.containers == [container]
    assert describe_axes(updated)["containers"] == describe_axes(fresh)["containers"]
    assert describe_axes(updated)["bars"] == describe_axes(fresh)["bars"]
    assert list(container.datavalues) == list(expected.datavalues)


def test_a_retained_chart_draws_nothing_for_the_plan_it_shows_and_afresh_after_a_failure(fleet: Fleet) -> None:
    from ecs_snap_lab.views.quota import draw_quota, quota_plan, update_quota
    from ecs_snap_lab.views.retained import Retained

    chart = Retained(Figure, draw_quota, update_quota)
    assert chart.show(quota_plan(fleet.lab)) is True
    assert chart.show(quota_plan(fleet.lab)) is False  # the same plan: nothing to do
    assert (chart.fresh, chart.updates) == (1, 0)

    def broken(*_args):
        raise RuntimeError("broke")

    chart._update = broken
    plan = quota_plan(fleet.lab, top=1)
    with pytest.raises(RuntimeError):
        chart.show(plan)
    assert chart.ax is None  # forgotten: the next plan is drawn afresh, never onto half-updated artists
    chart._update = update_quota
    assert chart.show(plan) is True
    assert (chart.fresh, chart.updates) == (2, 0)
    assert chart.show(quota_plan(fleet.lab, top=1, disk_ids=[fleet.full])) is True  # same shape: updated in place
    assert (chart.fresh, chart.updates) == (2, 1)
