"""The retention timeline: each snapshot from creation to release, or, past `max_bars`, snapshots alive per day.

In three parts (see ecs_snap_lab.views.retained): `retention_plan` computes what is shown, `draw_retention` makes
the artists, `update_retention` gives the artists of one plan the data of another of the same shape (a
dashboard's redraw);
`retention_timeline` is plan + draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.patches import Patch

from ..i18n import N_, _
from ..local_time import get_display_timezone, in_display_zone, offset, shown
from .retained import bar_containers, bars_datalim, legend_of, update_bars
from .style import (
    OKABE_ITO,
    SNAPSHOTS,
    count,
    count_axis,
    date_axis,
    day_number,
    days,
    inside,
    legend,
    new_axes,
    select,
    strings,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D

    from ..lab import Lab
    from .frames import FrameSource

GONE = ("released", "deleted")
GONE_ALPHA = 0.3  # released (or deleted) snapshots are drawn faded
PROGRESS_HATCH = "////"
DAY_BAR = 0.8  # width of a day's bar, in days
BAR_HEIGHT = 0.7  # height of a snapshot's bar, in rows
# the release bars' labels (the retained chart finds its containers by them, in the language drawn)
RELEASED, SCHEDULED = N_("released per day"), N_("scheduled releases per day")


@dataclass(frozen=True, eq=False)
class SnapshotBars:
    """Bars mode: a row per snapshot, oldest at the top."""

    ids: tuple[str, ...]
    created: np.ndarray
    progress_end: np.ndarray  # the end of the hatched part, while it was being created
    end: np.ndarray  # its release, or the right edge
    colours: np.ndarray  # by type, or failed
    gone: np.ndarray
    kinds: tuple[bool, bool, bool]  # some manual, some automatic, some failed
    open_rows: np.ndarray  # rows with no release time
    right: float

    @property
    def rows(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class AlivePerDay:
    """Aggregated mode: snapshots alive on each UTC day, and releases per day (done, then scheduled)."""

    days: np.ndarray  # day starts, as matplotlib date numbers
    alive: np.ndarray
    past: np.ndarray  # days up to now
    ahead: np.ndarray | None  # days from today on, when the window reaches past now
    done: np.ndarray
    due: np.ndarray


@dataclass(frozen=True, eq=False)
class RetentionPlan:
    body: SnapshotBars | AlivePerDay
    lo: float
    hi: float
    now: float
    title: str

    @property
    def aggregated(self) -> bool:
        return isinstance(self.body, AlivePerDay)

    @property
    def figsize(self) -> tuple[float, float]:
        body = self.body
        return (11.0, 5.0) if isinstance(body, AlivePerDay) else (11.0, min(14.0, max(3.5, 1.8 + 0.22 * body.rows)))


def retention_plan(
    lab: Lab,
    start: str | datetime | None = None,
    end: str | datetime | None = None,
    max_bars: int = 200,
    disk_ids: Iterable[str] | None = None,
    frames: FrameSource | None = None,
) -> RetentionPlan:
    """What `retention_timeline` draws for these arguments (see there); `frames` (default `lab.frames`) is where
    the lab's frames are read (or anything with its methods: a dashboard reads them once per change of the lab)."""
    frames = lab.frames if frames is None else frames
    snaps = select(frames.snapshots(include_gone=True), "SourceDiskId", disk_ids)
    now = float(mdates.date2num(lab.now))
    created = days(snaps["CreationTime"])
    release = days(snaps["ReleaseTime"])
    status = strings(snaps["Status"])
    gone = np.isin(status, GONE)
    # a live snapshot has no end if it has no release time, or if an image keeps it past its release
    open_ended = ~gone & (np.isnan(release) | (release <= now))
    stop = np.where(open_ended, np.inf, release)
    stop = np.where(np.isnan(stop), np.inf, stop)

    lo = day_number(start) if start is not None else None
    hi = day_number(end) if end is not None else None
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError("end must be after start")
    if lo is None or hi is None:
        first = float(np.nanmin(created)) if len(created) else now - 1.0
        last = max(now, float(np.nanmax(np.where(np.isfinite(stop), stop, now)))) if len(stop) else now + 1.0
        pad = max((last - first) * 0.03, 1 / 24)
        lo = first - pad if lo is None else lo
        hi = last + pad if hi is None else hi
    inside = (created <= hi) & (stop >= lo)
    n = int(inside.sum())

    body: SnapshotBars | AlivePerDay
    if n > max_bars:
        body = _alive_per_day(created[inside], stop[inside], gone[inside], lo, hi, now)
        title = _("Snapshots alive per day and releases per day")
        title += "\n" + _("(aggregated: {n} snapshots in the window, more than max_bars={max_bars})").format(
            n=f"{n:,}", max_bars=max_bars
        )
    else:
        body = _snapshot_bars(snaps[inside], created[inside], stop[inside], gone[inside], status[inside], hi, now)
        title = _("Snapshot retention: {snapshots} from creation to release").format(snapshots=count(n, SNAPSHOTS))
        if n == 0:
            title += "\n" + _("(no snapshots in this window)")
    if start is not None or end is not None:
        first, last = mdates.num2date(lo), mdates.num2date(hi)
        title += "\n" + _("window {start} to {end} UTC").format(
            start=f"{first:%Y-%m-%d %H:%M}", end=f"{last:%Y-%m-%d %H:%M}"
        )
        zone = get_display_timezone()
        if zone:
            here, there = in_display_zone(first), in_display_zone(last)
            title += f" ({here:%Y-%m-%d %H:%M} – {there:%Y-%m-%d %H:%M} {zone}, {offset(last)})"
    return RetentionPlan(body=body, lo=lo, hi=hi, now=now, title=title)


def _snapshot_bars(
    rows: pd.DataFrame,
    created: np.ndarray,
    stop: np.ndarray,
    gone: np.ndarray,
    status: np.ndarray,
    right: float,
    now: float,
) -> SnapshotBars:
    done = days(rows["AccomplishedTime"])
    modified = days(rows["LastModifiedTime"])
    # the end of the part while it was being created: accomplished, failed (its last change), removed, or now
    progress_end = done.copy()
    unfinished = np.isnan(progress_end)
    failed = unfinished & (status == "failed")
    progress_end[failed] = np.where(np.isnan(modified[failed]), now, modified[failed])
    # gone before it was accomplished: failed at its last change, or removed while being created
    vanished = unfinished & gone
    changed = modified[vanished] > created[vanished]
    progress_end[vanished] = np.where(changed, modified[vanished], stop[vanished])
    progress_end[np.isnan(progress_end)] = now
    end = np.minimum(stop, right)  # open-ended bars run to the right edge
    progress_end = np.minimum(progress_end, end)

    types = strings(rows["SnapshotType"])
    colours = np.where(types == "auto", OKABE_ITO["sky_blue"], OKABE_ITO["blue"]).astype(object)
    colours[status == "failed"] = OKABE_ITO["vermillion"]
    return SnapshotBars(
        ids=tuple(strings(rows["SnapshotId"])),
        created=created,
        progress_end=progress_end,
        end=end,
        colours=colours,
        gone=gone,
        kinds=(bool((types == "user").any()), bool((types == "auto").any()), bool((status == "failed").any())),
        open_rows=np.arange(len(rows))[~np.isfinite(stop)],
        right=right,
    )


def _alive_per_day(
    created: np.ndarray, stop: np.ndarray, gone: np.ndarray, lo: float, hi: float, now: float
) -> AlivePerDay:
    """Snapshots alive on each UTC day (at any moment of it), and releases per day."""
    first, last = int(np.floor(lo)), int(np.ceil(hi))
    day_starts = np.arange(first, last + 1, dtype=float)  # matplotlib date numbers are days since 1970
    starts = np.sort(created)
    stops = np.sort(stop)
    # alive on day d: created before d + 1, and not removed by d
    alive = np.searchsorted(starts, day_starts + 1, side="left") - np.searchsorted(stops, day_starts, side="right")
    past = day_starts <= now
    # after now: the count as the scheduled releases will leave it (no new snapshots counted)
    ahead = day_starts >= np.floor(now) if (~past).any() else None
    finite = np.isfinite(stop)
    day_of = np.floor(stop[finite]).astype(np.int64) - first
    inside = (day_of >= 0) & (day_of < len(day_starts))
    done = gone[finite][inside]  # actual removals; the others are scheduled releases of live snapshots
    return AlivePerDay(
        days=day_starts,
        alive=alive,
        past=past,
        ahead=ahead,
        done=np.bincount(day_of[inside][done], minlength=len(day_starts)),
        due=np.bincount(day_of[inside][~done], minlength=len(day_starts)),
    )


# ---------------------------------------------------------------------- artists


def draw_retention(ax: Axes, plan: RetentionPlan) -> None:
    """The artists of `plan` on an empty Axes."""
    body = plan.body
    if isinstance(body, AlivePerDay):
        _draw_alive(ax, body, plan.now)
    else:
        _draw_bars(ax, body, plan.now)
    ax.set_title(plan.title)
    ax.set_xlim(plan.lo, plan.hi)
    date_axis(ax.xaxis)


def update_retention(ax: Axes, old: RetentionPlan, new: RetentionPlan) -> bool:
    """The artists drawn for `old` given the data of `new` when both have the same shape (both per day with or
    without the line ahead of now, or both bars with the same legend); False (nothing changed) otherwise."""
    before, after = old.body, new.body
    if isinstance(before, AlivePerDay) and isinstance(after, AlivePerDay):
        if (before.ahead is None) != (after.ahead is None):
            return False
        _update_alive(ax, after, new.now)
    elif isinstance(before, SnapshotBars) and isinstance(after, SnapshotBars):
        if _bars_shape(before) != _bars_shape(after):
            return False
        _update_bars_mode(ax, after, new.now)
    else:  # one per day, the other bars
        return False
    ax.set_title(new.title)
    ax.set_xlim(new.lo, new.hi)
    date_axis(ax.xaxis)
    return True


def _group(bars: SnapshotBars, faded: bool) -> np.ndarray:
    """The rows of the snapshots gone (drawn faded), or of those still kept."""
    return np.flatnonzero(bars.gone if faded else ~bars.gone)


def _kept_bars(ax: Axes, bars: SnapshotBars, faded: bool, index: np.ndarray | slice = slice(None)) -> BarContainer:
    """From the end of creation to the release (or the right edge), coloured by kind; these rows of the group."""
    rows = _group(bars, faded)[index]
    kept = ax.barh(
        rows,
        bars.end[rows] - bars.progress_end[rows],
        left=bars.progress_end[rows],
        height=BAR_HEIGHT,
        color=list(bars.colours[rows]),
        alpha=GONE_ALPHA if faded else 1.0,
        linewidth=0,
        label=f"_kept{' (gone)' if faded else ''}",
    )
    return inside(kept)


def _creating_bars(ax: Axes, bars: SnapshotBars, faded: bool, index: np.ndarray | slice = slice(None)) -> BarContainer:
    """While it was being created: hatched, outlined in its kind's colour; these rows of the group."""
    rows = _group(bars, faded)[index]
    creating = ax.barh(
        rows,
        bars.progress_end[rows] - bars.created[rows],
        left=bars.created[rows],
        height=BAR_HEIGHT,
        facecolor="white",
        edgecolor=list(bars.colours[rows]),
        hatch=PROGRESS_HATCH,
        linewidth=0.8,
        alpha=GONE_ALPHA if faded else 1.0,
        label=f"_progressing{' (gone)' if faded else ''}",
    )
    return inside(creating)


def _draw_bars(ax: Axes, bars: SnapshotBars, now: float) -> None:
    """One barh call per (part, faded or not)."""
    for faded in (False, True):
        if len(_group(bars, faded)):
            _kept_bars(ax, bars, faded)
            _creating_bars(ax, bars, faded)
    handles = _bar_handles(bars)
    if len(bars.open_rows):
        ax.plot(
            np.full(len(bars.open_rows), bars.right),
            bars.open_rows,
            linestyle="none",
            marker=">",
            markersize=5,
            color=OKABE_ITO["black"],
            clip_on=False,
            label=_("no release time (kept until deleted)"),
            gid="open-ended",
        )
        handles.append(ax.lines[-1])
    handles.append(_now_line(ax, now))
    _bar_rows(ax, bars)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    legend(ax, handles)


def _bar_rows(ax: Axes, bars: SnapshotBars) -> None:
    """A row per snapshot, named up to 40 rows, counted above."""
    n = bars.rows
    if n <= 40:
        ax.set_yticks(np.arange(n), list(bars.ids), fontsize="x-small")
        ax.set_ylabel(_("snapshot (oldest at the top)"))
    else:
        ax.set_yticks([])
        ax.set_ylabel(_("{n} snapshots (oldest at the top)").format(n=f"{n:,}"))
    ax.set_ylim(max(n, 1) - 0.5, -0.5)


def _bars_shape(bars: SnapshotBars) -> tuple:
    """What an update keeps: the legend's entries (kinds, gone, open-ended), the groups drawn, rows named or not."""
    groups = tuple(bool(len(_group(bars, faded))) for faded in (False, True))
    return (bars.kinds, bool(bars.gone.any()), bool(len(bars.open_rows)), groups, bars.rows <= 40)


def _update_bars_mode(ax: Axes, bars: SnapshotBars, now: float) -> None:
    """New data for the bars (moved, made or removed, recoloured), the arrows, the rows and the now line."""
    containers = bar_containers(ax)
    for faded in (False, True):
        rows = _group(bars, faded)
        if not len(rows):
            continue
        suffix = " (gone)" if faded else ""
        height = np.full(len(rows), BAR_HEIGHT)
        bottom = rows - BAR_HEIGHT / 2
        start, middle, end = bars.created[rows], bars.progress_end[rows], bars.end[rows]
        kept = update_bars(
            ax,
            containers[f"_kept{suffix}"],
            (middle, bottom, end - middle, height),
            partial(_kept_bars, ax, bars, faded),
        )
        creating = update_bars(
            ax,
            containers[f"_progressing{suffix}"],
            (start, bottom, middle - start, height),
            partial(_creating_bars, ax, bars, faded),
        )
        for kept_bar, creating_bar, colour in zip(kept, creating, bars.colours[rows], strict=True):
            kept_bar.set_facecolor(colour)
            creating_bar.set_edgecolor(colour)
    lines = ax.get_lines()  # the arrows of open-ended snapshots if any, then the now line
    if len(bars.open_rows):
        lines[0].set_data(np.full(len(bars.open_rows), bars.right), bars.open_rows)
    _move_now_line(lines[-1], legend_of(ax), now)
    _bar_rows(ax, bars)


def _bar_handles(bars: SnapshotBars) -> list:
    """The legend names what is drawn."""
    kinds = zip(
        (OKABE_ITO["blue"], OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"]),
        (_("manual snapshot"), _("automatic snapshot"), _("failed")),
        bars.kinds,
        strict=True,
    )
    handles = [Patch(color=colour, label=label) for colour, label, present in kinds if present]
    creating = _("being created")
    handles.append(Patch(facecolor="white", edgecolor=OKABE_ITO["black"], hatch=PROGRESS_HATCH, label=creating))
    if bars.gone.any():
        handles.append(Patch(color=OKABE_ITO["blue"], alpha=GONE_ALPHA, label=_("released or deleted (faded)")))
    return handles


def _draw_alive(ax: Axes, plan: AlivePerDay, now: float) -> None:
    """The alive line (dashed ahead of now), and the releases per day as bars on a second axis."""
    past = plan.past
    count_axis(ax.yaxis)
    ax.step(
        plan.days[past],
        plan.alive[past],
        where="post",
        color=OKABE_ITO["blue"],
        linewidth=2,
        label=_("snapshots alive that day"),
    )
    if plan.ahead is not None:
        ax.step(
            plan.days[plan.ahead],
            plan.alive[plan.ahead],
            where="post",
            color=OKABE_ITO["blue"],
            linestyle="--",
            linewidth=1.5,
            label=_("alive if nothing new is created"),
        )
    ax.set_ylabel(_("snapshots alive (count)"))
    ax.set_ylim(bottom=0)

    releases = ax.twinx()
    count_axis(releases.yaxis)
    _day_bars(releases, plan, RELEASED)
    _day_bars(releases, plan, SCHEDULED)
    _hide_empty_days(releases)
    releases.set_ylabel(_("releases per day (count, incl. deletions)"))
    releases.set_ylim(bottom=0)
    handles = [*ax.get_lines(), *releases.containers]
    handles.append(_now_line(ax, now))
    ax.set_zorder(releases.get_zorder() + 1)  # the alive line above the release bars
    ax.patch.set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    legend(releases, handles).set_bbox_to_anchor((1.08, 1.0))


def _day_bars(releases: Axes, plan: AlivePerDay, label: str, rows: np.ndarray | slice = slice(None)) -> BarContainer:
    """The releases done per day, or those scheduled (stacked on them), for these days."""
    if label == RELEASED:
        return inside(
            releases.bar(
                plan.days[rows],
                plan.done[rows],
                width=DAY_BAR,
                align="edge",
                color=OKABE_ITO["vermillion"],
                label=_(label),
            )
        )
    bars = releases.bar(
        plan.days[rows],
        plan.due[rows],
        bottom=plan.done[rows],
        width=DAY_BAR,
        align="edge",
        color=OKABE_ITO["orange"],
        alpha=0.6,
        label=_(label),
    )
    return inside(bars)


def _hide_empty_days(releases: Axes) -> None:
    """A day with nothing released (or scheduled) has its bar, of height 0, hidden: it would draw no pixel, and
    drawing a few hundred of them is a tenth of a redraw. The first bar of each kind stays shown, whatever its
    height: the legend draws its entry like it. Hidden bars still count for the limits, like any artist."""
    for container in releases.containers:
        for n, bar in enumerate(container):
            bar.set_visible(n == 0 or bar.get_height() != 0)


def _update_alive(ax: Axes, plan: AlivePerDay, now: float) -> None:
    """New data for the lines, the day bars, their limits (as the fresh drawing computes them) and the now line."""
    lines = ax.get_lines()  # the alive line, the line ahead of now if any, the now line
    lines[0].set_data(plan.days[plan.past], plan.alive[plan.past])
    if plan.ahead is not None:
        lines[1].set_data(plan.days[plan.ahead], plan.alive[plan.ahead])
    ax.relim()  # lines only: cheap
    ax.set_autoscaley_on(True)
    ax.autoscale_view(scalex=False)
    ax.set_ylim(bottom=0)

    releases = next(other for other in ax.figure.axes if other is not ax)
    containers = bar_containers(releases)
    n = len(plan.days)
    width = np.full(n, DAY_BAR)
    for label, bottom, height in ((RELEASED, np.zeros(n), plan.done), (SCHEDULED, plan.done, plan.due)):
        update_bars(
            releases,
            containers[_(label)],
            (plan.days, bottom, width, height),
            partial(_day_bars, releases, plan, label),
        )
    _hide_empty_days(releases)
    bars_datalim(releases)
    releases.set_autoscaley_on(True)
    releases.autoscale_view(scalex=False)
    releases.set_ylim(bottom=0)

    _move_now_line(lines[-1], legend_of(releases), now)


def _move_now_line(line: Line2D, legend: Legend, now: float) -> None:
    """The now line at `now`, and its label, the last of the legend, saying when."""
    line.set_xdata([now, now])
    line.set_label(_now_label(now))
    legend.get_texts()[-1].set_text(_now_label(now))


def _now_label(now: float) -> str:
    return _("now ({time})").format(time=shown(mdates.num2date(now), seconds=False))


def _now_line(ax: Axes, now: float) -> Line2D:
    return ax.axvline(now, color=OKABE_ITO["black"], linestyle=":", linewidth=1.5, label=_now_label(now))


def retention_timeline(
    lab: Lab,
    ax: Axes | None = None,
    start: str | datetime | None = None,
    end: str | datetime | None = None,
    max_bars: int = 200,
    disk_ids: Iterable[str] | None = None,
) -> Axes:
    """One bar per snapshot from its CreationTime to its release.

    The part while it was being created is hatched; snapshots already released (or deleted) are faded; a
    snapshot with no release time runs to the right edge and ends in an arrow; the dotted line is ``lab.now``.
    ``start``/``end`` zoom to a time window (ISO strings or datetimes, UTC). With more than ``max_bars``
    snapshots in the window the chart becomes "snapshots alive per day" with "releases per day" on a second
    axis, and the title says so.
    """
    plan = retention_plan(lab, start=start, end=end, max_bars=max_bars, disk_ids=disk_ids)
    ax = new_axes(ax, plan.figsize)
    draw_retention(ax, plan)
    return ax
