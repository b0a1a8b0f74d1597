"""matplotlib charts of a lab: quota use per disk, retention timeline, snapshot history, request outcomes.

Every chart takes the lab (and an optional ``ax=`` to draw into) and returns the Axes. Without ``ax`` it makes a
new ``matplotlib.figure.Figure`` (no pyplot, no global state, nothing shown): display it in a notebook with
``ax.figure`` or save it with ``ax.figure.savefig(path)``. Data comes from ``lab.frames``; the drawing is one
call per kind of bar with arrays, so fleets of 10,000 disks or 100,000 snapshots draw in about a second.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend

    Handle = Artist | tuple[Artist, ...]  # what a legend takes: an artist, or a container such as a bar's

    from ..lab import Lab

__all__ = ["OKABE_ITO", "history_chart", "quota_chart", "request_outcomes_chart", "retention_timeline"]

# Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), plus a neutral grey for "the rest".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#999999"
# the order for lines and stacks: yellow last, it is hard to see on white
LINE_COLOURS = tuple(OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple"))
LINE_COLOURS += (OKABE_ITO["sky_blue"], OKABE_ITO["black"], OKABE_ITO["yellow"])
LINE_STYLES = ("-", "--", "-.", ":")

NEAR_QUOTA = 0.9  # a disk with at least this share of the quota is highlighted
STATUSES = ("progressing", "accomplished", "failed")
TYPES = ("user", "auto")
TYPE_WORDS = {"user": "manual", "auto": "automatic"}
# quota chart segments, in stacking order: (status, type) -> colour
SEGMENT_COLOURS = {
    ("accomplished", "user"): OKABE_ITO["blue"],
    ("accomplished", "auto"): OKABE_ITO["sky_blue"],
    ("progressing", "user"): OKABE_ITO["orange"],
    ("progressing", "auto"): OKABE_ITO["yellow"],
    ("failed", "user"): OKABE_ITO["vermillion"],
    ("failed", "auto"): OKABE_ITO["reddish_purple"],
}
GONE = ("released", "deleted")
GONE_ALPHA = 0.3  # released (or deleted) snapshots are drawn faded
PROGRESS_HATCH = "////"
CREATED, REMOVED = "snapshot_created", ("snapshot_released", "snapshot_deleted")


# ---------------------------------------------------------------------- helpers


class ChartFigure(Figure):
    """A Figure that a notebook shows as a PNG when it is a cell's result (`ax.figure`), with no pyplot and no
    `%matplotlib inline`: IPython asks any object for `_repr_png_`."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """The Axes to draw into: the caller's, or one on a new Figure (not pyplot: nothing global, nothing shown)."""
    if ax is not None:
        return ax
    figure = ChartFigure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)  # draws headless (savefig, canvas.draw, buffer_rgba); notebooks display it as PNG
    return figure.add_subplot()


def _days(column: pd.Series) -> np.ndarray:
    """A tz-aware datetime column as matplotlib date numbers (float days), NaN where NaT."""
    values = column.dt.tz_convert(UTC).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return np.asarray(mdates.date2num(values), dtype=float)


def _day_number(when: str | datetime | pd.Timestamp) -> float:
    """An ISO string or datetime (naive means UTC) as a matplotlib date number."""
    stamp = pd.Timestamp(when)
    stamp = stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)
    return float(mdates.date2num(stamp.to_pydatetime()))


def _date_axis(axis) -> None:
    """Concise UTC date ticks on an axis that holds matplotlib date numbers."""
    locator = mdates.AutoDateLocator(tz=UTC)
    axis.set_major_locator(locator)
    axis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=UTC))


def _legend(ax: Axes, handles: Sequence[Handle] | None = None, title: str | None = None) -> Legend:
    """The legend outside the plot, on the right, so it never hides a bar."""
    kwargs: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0}
    if handles is not None:
        return ax.legend(handles=handles, title=title, fontsize="small", **kwargs)
    return ax.legend(title=title, fontsize="small", **kwargs)


def _strings(column: pd.Series) -> np.ndarray:
    """A string/categorical column as an object array of str (missing values as "")."""
    return column.astype("string").fillna("").to_numpy(dtype=object)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _select(frame: pd.DataFrame, column: str, ids: Iterable[str] | None) -> pd.DataFrame:
    if ids is None:
        return frame
    if isinstance(ids, str):
        ids = [ids]
    return frame[frame[column].isin(list(ids))]


# ---------------------------------------------------------------------- quota use per disk


def quota_chart(lab: Lab, ax: Axes | None = None, top: int = 30, disk_ids: Iterable[str] | None = None) -> Axes:
    """Snapshots per disk against the snapshot quota, as stacked horizontal bars.

    Each bar is split by status (progressing / accomplished / failed) and by manual vs automatic; the dashed line
    is ``lab.snapshot_quota``; disks at or above 90 % of it sit on a shaded band with their label in bold. Only
    the ``top`` disks by snapshot count are drawn (most first); the title sums up the rest. ``disk_ids``
    limits the chart to those disks (existing or not).
    """
    if top < 1:
        raise ValueError("top must be at least 1")
    quota = lab.snapshot_quota
    snaps = lab.frames.snapshots()
    if disk_ids is None:
        # every disk of the account, and the disks that are gone but still have snapshots
        known = lab.frames.disks()["DiskId"].astype("string")
        ids = pd.Index(pd.concat([known, snaps["SourceDiskId"].astype("string")]).unique(), dtype="string")
    else:
        ids = pd.Index(pd.unique(pd.Series([disk_ids] if isinstance(disk_ids, str) else list(disk_ids))))
        ids = ids.astype("string")
        snaps = _select(snaps, "SourceDiskId", ids)

    # counts[d, s] for disk d and segment s = status * len(TYPES) + type: one bincount, no loop over rows
    disk_code = ids.get_indexer(snaps["SourceDiskId"].astype("string"))
    status_code = pd.Categorical(snaps["Status"].astype("string"), categories=STATUSES).codes
    type_code = pd.Categorical(snaps["SnapshotType"].astype("string"), categories=TYPES).codes
    valid = (disk_code >= 0) & (status_code >= 0) & (type_code >= 0)
    segment = status_code[valid].astype(np.int64) * len(TYPES) + type_code[valid]
    width = len(STATUSES) * len(TYPES)
    counts = np.bincount(disk_code[valid] * width + segment, minlength=len(ids) * width).reshape(len(ids), width)
    totals = counts.sum(axis=1)
    near = totals >= NEAR_QUOTA * quota

    order = np.lexsort((ids.to_numpy(dtype=object), -totals))  # most snapshots first, then by id
    shown, rest = order[:top], order[top:]
    n = len(shown)
    ax = _axes(ax, (10.0, min(14.0, max(3.5, 1.6 + 0.28 * n))))
    y = np.arange(n)
    labels = ids.to_numpy(dtype=object)[shown]

    if n:
        # the band behind disks at or near the quota
        hot = near[shown]
        if hot.any():
            ax.barh(
                y[hot],
                max(quota, int(totals[shown].max())),
                height=0.9,
                color=OKABE_ITO["vermillion"],
                alpha=0.12,
                zorder=0,
                label=f"at or near quota (≥ {NEAR_QUOTA:.0%})",
            )
        # one barh per segment, with only its non-empty bars: few patches however many disks
        left = np.zeros(n, dtype=np.int64)
        for (status, snapshot_type), colour in SEGMENT_COLOURS.items():
            values = counts[shown, STATUSES.index(status) * len(TYPES) + TYPES.index(snapshot_type)]
            some = values > 0
            if some.any():
                label = f"{status} ({TYPE_WORDS[snapshot_type]})"
                ax.barh(y[some], values[some], left=left[some], height=0.7, color=colour, label=label, zorder=2)
            left += values
        if n <= 60:
            for row, total in enumerate(totals[shown]):
                ax.text(total, row, f" {total}", va="center", ha="left", fontsize="x-small", zorder=3)
        ax.set_yticks(y, labels, fontsize="small" if n <= 40 else "x-small")
        for tick, is_hot in zip(ax.get_yticklabels(), hot, strict=True):
            if is_hot:
                tick.set_color(OKABE_ITO["vermillion"])
                tick.set_fontweight("bold")
        ax.set_ylim(n - 0.5, -0.5)  # the fullest disk on top
    ax.axvline(quota, color=OKABE_ITO["black"], linestyle="--", linewidth=1.5, label=f"quota ({quota} per disk)")
    ax.set_xlim(0, max(quota, int(totals.max()) if len(totals) else 0) * 1.08 + 1)
    ax.set_xlabel("snapshots on the disk (count)")
    ax.set_ylabel("disk")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)

    title = f"Snapshots per disk against the quota of {quota}"
    if not len(ids):
        title += "\n(no disks yet)"
    elif len(rest):
        held = _count(int(totals[rest].sum()), "snapshot")
        title += (
            f"\ntop {n} of {len(ids):,} disks; the other {len(rest):,} hold {held} "
            f"(at most {int(totals[rest].max())} on one), {int(near[rest].sum()):,} of them at or near quota"
        )
    else:
        title += f"\n{len(ids):,} disks, {int(near.sum()):,} at or near quota"
    ax.set_title(title)
    _legend(ax)
    return ax


# ---------------------------------------------------------------------- retention timeline


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
    snaps = _select(lab.frames.snapshots(include_gone=True), "SourceDiskId", disk_ids)
    now = float(mdates.date2num(lab.now))
    created = _days(snaps["CreationTime"])
    release = _days(snaps["ReleaseTime"])
    status = _strings(snaps["Status"])
    gone = np.isin(status, GONE)
    # a live snapshot has no end if it has no release time, or if an image keeps it past its release
    open_ended = ~gone & (np.isnan(release) | (release <= now))
    stop = np.where(open_ended, np.inf, release)
    stop = np.where(np.isnan(stop), np.inf, stop)

    lo = _day_number(start) if start is not None else None
    hi = _day_number(end) if end is not None else None
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError("end must be after start")
    if lo is None or hi is None:
        first = float(np.nanmin(created)) if len(created) else now - 1.0
        last = max(now, float(np.nanmax(np.where(np.isfinite(stop), stop, now)))) if len(stop) else now + 1.0
        pad = max((last - first) * 0.03, 1 / 24)
        lo = first - pad if lo is None else lo
        hi = last + pad if hi is None else hi
    in_window = (created <= hi) & (stop >= lo)
    count = int(in_window.sum())
    zoomed = start is not None or end is not None

    if count > max_bars:
        ax = _axes(ax, (11.0, 5.0))
        _alive_per_day(ax, created[in_window], stop[in_window], gone[in_window], lo, hi, now)
        title = "Snapshots alive per day and releases per day"
        title += f"\n(aggregated: {count:,} snapshots in the window, more than max_bars={max_bars})"
    else:
        ax = _axes(ax, (11.0, min(14.0, max(3.5, 1.8 + 0.22 * count))))
        rows = snaps[in_window]
        _snapshot_bars(ax, rows, created[in_window], stop[in_window], gone[in_window], status[in_window], hi, now)
        title = f"Snapshot retention: {_count(count, 'snapshot')} from creation to release"
        if count == 0:
            title += "\n(no snapshots in this window)"
    if zoomed:
        title += f"\nwindow {mdates.num2date(lo):%Y-%m-%d %H:%M} to {mdates.num2date(hi):%Y-%m-%d %H:%M} UTC"
    ax.set_title(title)
    ax.set_xlim(lo, hi)
    _date_axis(ax.xaxis)
    ax.set_xlabel("time (UTC)")
    return ax


def _snapshot_bars(
    ax: Axes,
    rows: pd.DataFrame,
    created: np.ndarray,
    stop: np.ndarray,
    gone: np.ndarray,
    status: np.ndarray,
    right: float,
    now: float,
) -> None:
    """Bars mode: a row per snapshot, oldest at the top; one barh call per (part, faded or not)."""
    n = len(rows)
    y = np.arange(n)
    done = _days(rows["AccomplishedTime"])
    modified = _days(rows["LastModifiedTime"])
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

    types = _strings(rows["SnapshotType"])
    colours = np.where(types == "auto", OKABE_ITO["sky_blue"], OKABE_ITO["blue"]).astype(object)
    colours[status == "failed"] = OKABE_ITO["vermillion"]

    for faded in (False, True):
        mask = gone if faded else ~gone
        if not mask.any():
            continue
        alpha = GONE_ALPHA if faded else 1.0
        suffix = " (gone)" if faded else ""
        ax.barh(
            y[mask],
            end[mask] - progress_end[mask],
            left=progress_end[mask],
            height=0.7,
            color=list(colours[mask]),
            alpha=alpha,
            linewidth=0,
            label=f"_kept{suffix}",
        )
        ax.barh(
            y[mask],
            progress_end[mask] - created[mask],
            left=created[mask],
            height=0.7,
            facecolor="white",
            edgecolor=list(colours[mask]),
            hatch=PROGRESS_HATCH,
            linewidth=0.8,
            alpha=alpha,
            label=f"_progressing{suffix}",
        )

    # the legend names what is drawn
    handles: list[Handle] = [
        Patch(color=colour, label=label)
        for colour, label, present in (
            (OKABE_ITO["blue"], "manual snapshot", (types == "user").any()),
            (OKABE_ITO["sky_blue"], "automatic snapshot", (types == "auto").any()),
            (OKABE_ITO["vermillion"], "failed", (status == "failed").any()),
        )
        if present
    ]
    handles.append(Patch(facecolor="white", edgecolor=OKABE_ITO["black"], hatch=PROGRESS_HATCH, label="being created"))
    if gone.any():
        handles.append(Patch(color=OKABE_ITO["blue"], alpha=GONE_ALPHA, label="released or deleted (faded)"))
    open_rows = y[~np.isfinite(stop)]
    if len(open_rows):
        ax.plot(
            np.full(len(open_rows), right),
            open_rows,
            linestyle="none",
            marker=">",
            markersize=5,
            color=OKABE_ITO["black"],
            clip_on=False,
            label="no release time (kept until deleted)",
            gid="open-ended",
        )
        handles.append(ax.lines[-1])
    handles.append(_now_line(ax, now))
    if n <= 40:
        ax.set_yticks(y, list(_strings(rows["SnapshotId"])), fontsize="x-small")
        ax.set_ylabel("snapshot (oldest at the top)")
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{n:,} snapshots (oldest at the top)")
    ax.set_ylim(max(n, 1) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    _legend(ax, handles)


def _alive_per_day(
    ax: Axes, created: np.ndarray, stop: np.ndarray, gone: np.ndarray, lo: float, hi: float, now: float
) -> None:
    """Aggregated mode: snapshots alive on each UTC day (at any moment of it), and releases per day."""
    first, last = int(np.floor(lo)), int(np.ceil(hi))
    days = np.arange(first, last + 1, dtype=float)  # day starts (matplotlib date numbers are days since 1970)
    starts = np.sort(created)
    stops = np.sort(stop)
    # alive on day d: created before d + 1, and not removed by d
    alive = np.searchsorted(starts, days + 1, side="left") - np.searchsorted(stops, days, side="right")
    past = days <= now
    ax.step(
        days[past], alive[past], where="post", color=OKABE_ITO["blue"], linewidth=2, label="snapshots alive that day"
    )
    if (~past).any():  # after now: the count as the scheduled releases will leave it (no new snapshots counted)
        ahead = days >= np.floor(now)
        ax.step(
            days[ahead],
            alive[ahead],
            where="post",
            color=OKABE_ITO["blue"],
            linestyle="--",
            linewidth=1.5,
            label="alive if nothing new is created",
        )
    ax.set_ylabel("snapshots alive (count)")
    ax.set_ylim(bottom=0)

    releases = ax.twinx()
    finite = np.isfinite(stop)
    day_of = np.floor(stop[finite]).astype(np.int64) - first
    inside = (day_of >= 0) & (day_of < len(days))
    done = gone[finite][inside]  # actual removals; the others are scheduled releases of live snapshots
    per_day_done = np.bincount(day_of[inside][done], minlength=len(days))
    per_day_due = np.bincount(day_of[inside][~done], minlength=len(days))
    releases.bar(days, per_day_done, width=0.8, align="edge", color=OKABE_ITO["vermillion"], label="released per day")
    releases.bar(
        days,
        per_day_due,
        bottom=per_day_done,
        width=0.8,
        align="edge",
        color=OKABE_ITO["orange"],
        alpha=0.6,
        label="scheduled releases per day",
    )
    releases.set_ylabel("releases per day (count, incl. deletions)")
    releases.set_ylim(bottom=0)
    handles: list[Handle] = [
        *ax.get_lines(),
        *releases.containers,
    ]
    handles.append(_now_line(ax, now))
    ax.set_zorder(releases.get_zorder() + 1)  # the alive line above the release bars
    ax.patch.set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    _legend(releases, handles).set_bbox_to_anchor((1.08, 1.0))


def _now_line(ax: Axes, now: float) -> Line2D:
    moment = mdates.num2date(now)
    return ax.axvline(
        now, color=OKABE_ITO["black"], linestyle=":", linewidth=1.5, label=f"now ({moment:%Y-%m-%d %H:%M} UTC)"
    )


# ---------------------------------------------------------------------- history


def history_chart(
    lab: Lab, ax: Axes | None = None, by: str = "total", disk_ids: Iterable[str] | None = None, top: int = 10
) -> Axes:
    """How many snapshots existed over time, from the event log (step lines).

    ``by="total"``: the whole account. ``by="disk"``: one line per disk, the ``top`` disks by current count (or
    the ``disk_ids`` given), with the per-disk quota as a dashed line.
    """
    if by not in ("total", "disk"):
        raise ValueError(f'by must be "total" or "disk", not {by!r}')
    if top < 1:
        raise ValueError("top must be at least 1")
    events = lab.frames.events()
    kind = _strings(events["Kind"])
    mine = (kind == CREATED) | np.isin(kind, REMOVED)
    times = _days(events["Time"])
    origin = float(np.nanmin(times)) if len(times) else float(mdates.date2num(lab.now))
    now = float(mdates.date2num(lab.now))
    times, kind = times[mine], kind[mine]
    disks = _strings(events["RelatedId"])[mine]
    delta = np.where(kind == CREATED, 1, -1)
    order = np.argsort(times, kind="stable")
    times, disks, delta = times[order], disks[order], delta[order]

    ax = _axes(ax, (10.0, 5.0))
    if by == "total":
        x, y = _steps(times, np.cumsum(delta), origin, now)
        ax.step(x, y, where="post", color=OKABE_ITO["blue"], linewidth=1.8, label="snapshots in the account")
        ax.fill_between(x, y, step="post", color=OKABE_ITO["blue"], alpha=0.15, linewidth=0)
        ax.set_title(f"Snapshots in the account over time (now {int(y[-1]) if len(y) else 0:,})")
    else:
        frame = pd.DataFrame({"disk": disks, "delta": delta})
        current = frame.groupby("disk", sort=True)["delta"].sum()
        if disk_ids is not None:
            wanted = [disk_ids] if isinstance(disk_ids, str) else list(dict.fromkeys(disk_ids))
        else:
            ranked = current.reset_index().sort_values(["delta", "disk"], ascending=[False, True], kind="stable")
            wanted = ranked["disk"].tolist()
        chosen = wanted[:top]
        codes = pd.Index(chosen).get_indexer(disks)
        for n, disk_id in enumerate(chosen):
            mask = codes == n
            x, y = _steps(times[mask], np.cumsum(delta[mask]), origin, now)
            ax.step(
                x,
                y,
                where="post",
                color=LINE_COLOURS[n % len(LINE_COLOURS)],
                linestyle=LINE_STYLES[n // len(LINE_COLOURS) % len(LINE_STYLES)],
                linewidth=1.5,
                label=f"{disk_id} ({int(y[-1])})",
                gid=disk_id,
            )
        ax.axhline(lab.snapshot_quota, color=OKABE_ITO["black"], linestyle="--", label=f"quota ({lab.snapshot_quota})")
        title = "Snapshots per disk over time"
        known = len(current) if disk_ids is None else len(wanted)
        if known > len(chosen):
            title += f"\n(top {len(chosen)} of {known:,} disks by current count)"
        ax.set_title(title)
    ax.set_ylabel("snapshots (count)")
    ax.set_xlabel("time (UTC)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(origin, max(now, origin + 1 / 24))
    _date_axis(ax.xaxis)
    ax.grid(alpha=0.3)
    _legend(ax)
    return ax


def _steps(times: np.ndarray, counts: np.ndarray, origin: float, now: float) -> tuple[np.ndarray, np.ndarray]:
    """Step points: 0 at the origin, the count after the last event of each instant, held until now."""
    if len(times):
        last_of_instant = np.append(times[1:] != times[:-1], True)
        times, counts = times[last_of_instant], counts[last_of_instant]
    x = np.concatenate(([origin], times, [now]))
    y = np.concatenate(([0], counts, [counts[-1] if len(counts) else 0]))
    return x, y


# ---------------------------------------------------------------------- request outcomes


def request_outcomes_chart(lab: Lab, ax: Axes | None = None, freq: str = "D", action: str | None = None) -> Axes:
    """API requests per period (``freq``: a pandas frequency such as "h", "D", "W", "MS"), stacked by outcome:
    OK, then each error code (the seven most frequent; the rest as "other errors"). ``action`` keeps one action.
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    unit = _unit(offset)
    requests = lab.frames.requests()
    if action is not None:
        requests = requests[requests["Action"].astype("string") == action]
    ax = _axes(ax, (10.0, 5.0))
    what = f"{action} requests" if action else "API requests"
    if not len(requests):
        ax.set_title(f"{what} per {unit} by outcome\n(no requests yet)")
        ax.set_ylabel(f"requests per {unit} (count)")
        ax.set_xlabel("time (UTC)")
        return ax

    outcome = requests["Code"].astype("string").fillna("OK")
    ones = pd.get_dummies(outcome, dtype=np.int64)
    ones.index = pd.DatetimeIndex(requests["Time"])
    table = ones.resample(offset, label="left").sum()
    errors = table.drop(columns="OK", errors="ignore")
    ranked = errors.sum().sort_values(ascending=False, kind="stable").index.tolist()
    keep, other = ranked[:7], ranked[7:]
    status = requests.assign(outcome=outcome).groupby("outcome", sort=False)["HttpStatus"].first()

    left = _days(pd.Series(table.index))
    right = _days(pd.Series(table.index + offset))
    width = (right - left) * 0.85
    bottom = np.zeros(len(table))
    stacks: list[tuple[str, np.ndarray, str]] = []
    if "OK" in table:
        stacks.append(("OK (200)", table["OK"].to_numpy(), OKABE_ITO["bluish_green"]))
    error_colours = [OKABE_ITO[name] for name in ("vermillion", "orange", "reddish_purple", "blue", "sky_blue")]
    error_colours += [OKABE_ITO["yellow"], OKABE_ITO["black"]]
    for code, colour in zip(keep, error_colours, strict=False):
        stacks.append((f"{code} ({status.get(code, '?')})", table[code].to_numpy(), colour))
    if other:
        stacks.append((f"other errors ({len(other)} codes)", table[other].sum(axis=1).to_numpy(), GREY))
    for label, values, colour in stacks:
        ax.bar(left, values, width=width, bottom=bottom, align="edge", color=colour, label=label)
        bottom = bottom + values

    total = int(bottom.sum())
    failed = total - (int(table["OK"].sum()) if "OK" in table else 0)
    ax.set_title(f"{what} per {unit} by outcome\n({_count(total, 'request')}, {_count(failed, 'error')})")
    ax.set_ylabel(f"requests per {unit} (count)")
    ax.set_xlabel("time (UTC)")
    ax.set_xlim(left[0] - (right[0] - left[0]) * 0.2, right[-1] + (right[-1] - left[-1]) * 0.2)
    _date_axis(ax.xaxis)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    _legend(ax, title="outcome (HTTP status)")
    return ax


def _unit(offset) -> str:
    """ "day", "6 hours", "week", "month" ... for a pandas offset."""
    names = {"D": "day", "h": "hour", "min": "minute", "s": "second", "W": "week", "MS": "month", "ME": "month"}
    names |= {"QS": "quarter", "QE": "quarter", "YS": "year", "YE": "year"}
    base = offset.rule_code.split("-")[0]
    word = names.get(base, base)
    return word if offset.n == 1 else f"{offset.n} {word}s"
