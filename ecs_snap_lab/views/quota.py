"""The quota chart: snapshots per disk against the snapshot quota, as stacked horizontal bars.

In three parts (see ecs_snap_lab.views.retained): `quota_plan` computes what is shown, `draw_quota` makes the
artists, `update_quota` gives the artists of one plan the data of another of the same shape (a dashboard's
redraw); `quota_chart` is plan + draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..i18n import N_, _
from .retained import bar_containers, update_bars
from .style import OKABE_ITO, SNAPSHOTS, count, count_axis, inside, legend, new_axes, select

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer

    from ..lab import Lab
    from .frames import FrameSource

NEAR_QUOTA = 0.9  # a disk with at least this share of the quota is highlighted
STATUSES = ("progressing", "accomplished", "failed")
TYPES = ("user", "auto")
# each segment's legend entry, as shown (the retained chart finds its bars by it, in the language drawn)
SEGMENT_LABELS = {
    ("accomplished", "user"): N_("accomplished (manual)"),
    ("accomplished", "auto"): N_("accomplished (automatic)"),
    ("progressing", "user"): N_("progressing (manual)"),
    ("progressing", "auto"): N_("progressing (automatic)"),
    ("failed", "user"): N_("failed (manual)"),
    ("failed", "auto"): N_("failed (automatic)"),
}
# segments, in stacking order: (status, type) -> colour
SEGMENT_COLOURS = {
    ("accomplished", "user"): OKABE_ITO["blue"],
    ("accomplished", "auto"): OKABE_ITO["sky_blue"],
    ("progressing", "user"): OKABE_ITO["orange"],
    ("progressing", "auto"): OKABE_ITO["yellow"],
    ("failed", "user"): OKABE_ITO["vermillion"],
    ("failed", "auto"): OKABE_ITO["reddish_purple"],
}
BAND_LABEL = N_("at or near quota (≥ {share})")  # the band's legend entry, the share filled in (band_label)
MAX_COUNTED = 60  # up to this many rows, each bar says its total
BAR_HEIGHT, BAND_HEIGHT = 0.7, 0.9


@dataclass(frozen=True, eq=False)
class Segment:
    """One kind of snapshot (a status and a type) in the stacked bars: only the rows where it has some."""

    label: str
    colour: str
    rows: np.ndarray
    left: np.ndarray
    width: np.ndarray


@dataclass(frozen=True, eq=False)
class QuotaPlan:
    """Everything the quota chart shows: the disks drawn (most snapshots first), their totals and segments."""

    quota: int
    labels: tuple[str, ...]
    totals: np.ndarray
    hot: np.ndarray  # at or near quota, per row
    segments: tuple[Segment, ...]
    xmax: float
    title: str

    @property
    def rows(self) -> int:
        return len(self.labels)

    @property
    def figsize(self) -> tuple[float, float]:
        return (10.0, min(14.0, max(3.5, 1.6 + 0.28 * self.rows)))

    @property
    def segments_drawn(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.segments)

    @property
    def shape(self) -> tuple:
        """What must be equal for an update: the rows and their highlight (the tick labels' style), the quota line."""
        return (self.rows, self.hot.tobytes(), self.quota)


def quota_plan(
    lab: Lab, top: int = 30, disk_ids: Iterable[str] | None = None, frames: FrameSource | None = None
) -> QuotaPlan:
    """What `quota_chart` draws for these arguments (see there); `frames` (default `lab.frames`) is where the
    lab's frames are read (or anything with its methods: a dashboard reads them once per change of the lab)."""
    if top < 1:
        raise ValueError("top must be at least 1")
    frames = lab.frames if frames is None else frames
    quota = lab.snapshot_quota
    snaps = frames.snapshots()
    if disk_ids is None:
        # every disk of the account, and the disks that are gone but still have snapshots
        known = frames.disks()["DiskId"].astype("string")
        ids = pd.Index(pd.concat([known, snaps["SourceDiskId"].astype("string")]).unique(), dtype="string")
    else:
        ids = pd.Index(pd.unique(pd.Series([disk_ids] if isinstance(disk_ids, str) else list(disk_ids))))
        ids = ids.astype("string")
        snaps = select(snaps, "SourceDiskId", ids)

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
    return QuotaPlan(
        quota=quota,
        labels=tuple(ids.to_numpy(dtype=object)[shown]),
        totals=totals[shown],
        hot=near[shown],
        segments=_segments(counts[shown]),
        xmax=max(quota, int(totals.max()) if len(totals) else 0) * 1.08 + 1,
        title=_title(quota, len(ids), totals, near, shown, rest),
    )


def _segments(counts: np.ndarray) -> tuple[Segment, ...]:
    """The non-empty segments of the rows drawn, each starting where the ones before it end."""
    y = np.arange(len(counts))
    left = np.zeros(len(counts), dtype=np.int64)
    segments = []
    for (status, snapshot_type), colour in SEGMENT_COLOURS.items():
        values = counts[:, STATUSES.index(status) * len(TYPES) + TYPES.index(snapshot_type)]
        some = values > 0
        if some.any():
            label = _(SEGMENT_LABELS[status, snapshot_type])
            segments.append(Segment(label, colour, y[some], left[some], values[some]))
        left = left + values
    return tuple(segments)


def band_label() -> str:
    return _(BAND_LABEL).format(share=f"{NEAR_QUOTA:.0%}")


def _title(quota: int, disks: int, totals: np.ndarray, near: np.ndarray, shown: np.ndarray, rest: np.ndarray) -> str:
    title = _("Snapshots per disk against the quota of {quota}").format(quota=quota)
    if not disks:
        return title + "\n" + _("(no disks yet)")
    if len(rest):
        held = count(int(totals[rest].sum()), SNAPSHOTS)
        said = _(
            "top {top} of {disks} disks; the other {rest} hold {held} (at most {most} on one), {near} of them at or "
            "near quota"
        )
        return (
            title
            + "\n"
            + said.format(
                top=len(shown),
                disks=f"{disks:,}",
                rest=f"{len(rest):,}",
                held=held,
                most=int(totals[rest].max()),
                near=f"{int(near[rest].sum()):,}",
            )
        )
    return (
        title
        + "\n"
        + _("{disks} disks, {near} at or near quota").format(disks=f"{disks:,}", near=f"{int(near.sum()):,}")
    )


# ---------------------------------------------------------------------- artists


def _band(ax: Axes, plan: QuotaPlan, rows: np.ndarray) -> BarContainer:
    """The shaded band behind the rows at or near the quota."""
    bars = ax.barh(
        rows,
        max(plan.quota, int(plan.totals.max())),
        height=BAND_HEIGHT,
        color=OKABE_ITO["vermillion"],
        alpha=0.12,
        zorder=0,
        label=band_label(),
    )
    return inside(bars)


def _segment_bars(ax: Axes, segment: Segment, rows: np.ndarray | slice = slice(None)) -> BarContainer:
    bars = ax.barh(
        segment.rows[rows],
        segment.width[rows],
        left=segment.left[rows],
        height=BAR_HEIGHT,
        color=segment.colour,
        label=segment.label,
        zorder=2,
    )
    return inside(bars)


def draw_quota(ax: Axes, plan: QuotaPlan) -> None:
    """The artists of `plan` on an empty Axes."""
    n = plan.rows
    count_axis(ax.xaxis)
    if n:
        y = np.arange(n)
        if plan.hot.any():
            _band(ax, plan, y[plan.hot])
        for segment in plan.segments:  # one barh per segment, with only its non-empty bars
            _segment_bars(ax, segment)
        if n <= MAX_COUNTED:
            for row, total in enumerate(plan.totals):
                ax.text(total, row, f" {total}", va="center", ha="left", fontsize="x-small", zorder=3)
        ax.set_yticks(y, plan.labels, fontsize="small" if n <= 40 else "x-small")
        for tick, is_hot in zip(ax.get_yticklabels(), plan.hot, strict=True):
            if is_hot:
                tick.set_color(OKABE_ITO["vermillion"])
                tick.set_fontweight("bold")
        ax.set_ylim(n - 0.5, -0.5)  # the fullest disk on top
    quota_label = _("quota ({quota} per disk)").format(quota=plan.quota)
    ax.axvline(plan.quota, color=OKABE_ITO["black"], linestyle="--", linewidth=1.5, label=quota_label)
    ax.set_xlim(0, plan.xmax)
    ax.set_xlabel(_("snapshots on the disk (count)"))
    ax.set_ylabel(_("disk"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.set_title(plan.title)
    legend(ax)


def update_quota(ax: Axes, old: QuotaPlan, new: QuotaPlan) -> bool:
    """The artists drawn for `old` given the data of `new`; False (nothing changed) when their shapes differ."""
    if old.shape != new.shape:
        return False
    n = new.rows
    if n:
        y = np.arange(n, dtype=float)
        containers = bar_containers(ax)
        if new.hot.any():
            rows = y[new.hot]
            band = np.full(len(rows), float(max(new.quota, int(new.totals.max()))))
            bounds = (np.zeros(len(rows)), rows - BAND_HEIGHT / 2, band, np.full(len(rows), BAND_HEIGHT))
            update_bars(ax, containers.pop(band_label()), bounds, lambda extra: _band(ax, new, rows[extra]))
        _update_segments(ax, containers, new.segments)
        if old.segments_drawn != new.segments_drawn:
            legend(ax)  # a segment came or went: the legend names what is drawn
        if n <= MAX_COUNTED:
            for text, row, total in zip(ax.texts, range(n), new.totals, strict=True):
                text.set_position((total, row))
                text.set_text(f" {total}")
        ax.set_yticks(np.arange(n), new.labels, fontsize="small" if n <= 40 else "x-small")
    ax.set_xlim(0, new.xmax)
    ax.set_title(new.title)
    return True


def _update_segments(ax: Axes, drawn: dict[str, BarContainer], segments: tuple[Segment, ...]) -> None:
    """Each segment's bars updated, made if it is new, removed if it is gone; the containers kept in stacking
    order after the band's, as a fresh drawing makes them (the legend lists them in that order)."""
    for label in set(drawn) - {s.label for s in segments}:
        drawn.pop(label).remove()
    kept = []
    for segment in segments:
        if segment.label in drawn:
            bounds = (
                segment.left,
                segment.rows - BAR_HEIGHT / 2,
                segment.width,
                np.full(len(segment.rows), BAR_HEIGHT),
            )
            kept.append(update_bars(ax, drawn[segment.label], bounds, partial(_segment_bars, ax, segment)))
        else:
            kept.append(_segment_bars(ax, segment))
    band = [c for c in ax.containers if c.get_label() == band_label()]
    ax.containers[:] = [*band, *kept]


def quota_chart(lab: Lab, ax: Axes | None = None, top: int = 30, disk_ids: Iterable[str] | None = None) -> Axes:
    """Snapshots per disk against the snapshot quota, as stacked horizontal bars.

    Each bar is split by status (progressing / accomplished / failed) and by manual vs automatic; the dashed line
    is ``lab.snapshot_quota``; disks at or above 90 % of it sit on a shaded band with their label in bold. Only
    the ``top`` disks by snapshot count are drawn (most first); the title sums up the rest. ``disk_ids``
    limits the chart to those disks (existing or not).
    """
    plan = quota_plan(lab, top=top, disk_ids=disk_ids)
    ax = new_axes(ax, plan.figsize)
    draw_quota(ax, plan)
    return ax
