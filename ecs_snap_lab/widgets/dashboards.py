"""QuotaDashboard and RetentionTimeline: the views' charts as widgets that redraw when the lab changes, with a
disk filter and a summary in words under the picture.

The charts are those of `ecs_snap_lab.views.quota` and `.retention` (what `charts.quota_chart` and
`charts.retention_timeline` draw), used through their modules (so a test can replace them): the dashboards only
choose what to pass (`disk_ids`, the time window) and turn the result into a picture and a sentence.

Decisions:
- Each dashboard draws into its own `matplotlib.figure.Figure` (never pyplot: no global state, nothing shown by
  matplotlib) and puts the PNG bytes in an `ipywidgets.Image`. A PNG works headless, in JupyterLab, in Voila and
  in embedded HTML, and needs no ipympl. It is drawn at the size it is shown: 9 inches at 80 dpi, 720 pixels.
- A click must answer within a tenth of a second (bench/bench_widgets.py), and matplotlib spends most of a fresh
  drawing making artists and laying out a new figure. So the chart is kept (`views.retained.Retained`): a redraw
  computes the chart's plan, does nothing more when the plan is the one shown (an hour with no snapshot change
  leaves the quota chart as it is), gives the kept artists their new data when the chart keeps its shape, and
  draws afresh only when it does not. The figure is drawn by `ChartCanvas`, which caches text layout and glyphs,
  and the PNG is encoded at zlib's fastest level; the picture is exactly that of a fresh drawing.
- The figure's height follows the rows drawn (quota: the disks shown; timeline: one row per snapshot when the
  chart draws bars), so a filter on two disks gives a short picture, not two fat bars.
- Redrawn once per settled change of the lab (`lab.events.subscribe_settled`): one API call, one advance or one
  `with lab.batch():` is one redraw, however many events it made. No polling. The lab's frames are read once per
  settled change (`FramesOnce`): a change of the filter or the window redraws from those already read.
  `live = False` (set by an app on a tab that is not open) defers the redraw until the dashboard is made live
  again, which then redraws once.
- The picture has a text twin (`summary`, shown under it): what the chart shows in words, for screen readers
  and for tests. The quota summary counts snapshots per disk from the world, with the chart's own 90 % mark;
  the timeline's starts with the chart's title (its own words) and adds what is alive now and the next release.
- Disk filter: a multiple selection of the world's disks ("d-... (data, In_use, 12 snapshots)"), plus the disks
  that are deleted but still hold snapshots, since the charts still draw those. Nothing chosen means all disks;
  "all disks" clears the choice. A chosen disk that is deleted stays chosen and is labelled "(deleted, ...)" or
  "(not in the lab)": the filter keeps meaning what the learner chose, and the charts accept such ids.
- Options are refreshed on each settled change, keeping the choice; refreshing never redraws by itself (the
  settled change redraws once), and a filter change redraws exactly once.
- Timeline window: "all time", "last 7 days", "last 30 days", "next 30 days", each counted from the lab's `now`
  at every redraw (so "last 7 days" moves with the clock); the chart draws the `now` line itself.
- Callbacks never raise: the settled listener, the filter and the buttons run through `ErrorArea`, so a failure
  shows as a readable line (`error_message`) and is cleared by the next redraw that succeeds. A failed redraw
  keeps the last picture and says so in the summary.
- `close()` unsubscribes from the lab and closes every widget the dashboard made.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..display import profile_badge
from ..i18n import N_, Nn_, _
from ..local_time import shown, shown_epoch
from ..model.resources import SnapshotStatus
from ..views import quota, retention
from ..views.canvas import ChartCanvas
from ..views.retained import Retained
from ..views.style import DISKS, SNAPSHOTS, count, use_language_fonts
from .guard import ErrorArea, Guarded

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

WIDTH_INCHES = 9.0
DPI = 80  # 720 pixels wide: readable in a notebook cell, and the width the picture is shown at
PNG_COMPRESSION = 1  # zlib's fastest: a quarter of the time of the default, and no bigger on these flat pictures
QUOTA_TOP = 30  # the chart's default: the disks with the most snapshots
NAMED = 10  # at most this many disks named in a summary sentence
# timeline windows: label -> (days before now, days after now), None for the whole history
WINDOWS: dict[str, tuple[int, int] | None] = {
    N_("all time"): None,
    N_("last 7 days"): (7, 1),
    N_("last 30 days"): (30, 2),
    N_("next 30 days"): (1, 30),
}


class FramesOnce:
    """The lab's frames (`lab.frames`), each read once per settled change of the lab: a change of the disk filter
    or of the window redraws from the frames already read. The dashboard forgets them when the lab changes."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self._read: dict[tuple, object] = {}

    def forget(self) -> None:
        self._read.clear()

    def _once(self, key: tuple, read: Callable[[], object]):
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]

    def snapshots(self, include_gone: bool = False) -> pd.DataFrame:
        return self._once(("snapshots", include_gone), lambda: self.lab.frames.snapshots(include_gone=include_gone))

    def disks(self) -> pd.DataFrame:
        return self._once(("disks",), self.lab.frames.disks)


CHOSEN_DISKS = Nn_("{n} chosen disk", "{n} chosen disks")


def _names(ids: list[str], label: Callable[[str], str]) -> str:
    """ "d-a (62), d-b (60)" for the first NAMED ids, then "and N more"."""
    text = _(", ").join(label(i) for i in ids[:NAMED])
    return text + (_(" and {n} more").format(n=len(ids) - NAMED) if len(ids) > NAMED else "")


class _ChartDashboard(Guarded, widgets.VBox):
    """What both dashboards share: the figure, the PNG, the summary, the disk filter, redraw on settled changes.

    State for Python and tests: `figure`, `chart` (the kept chart), `ax` (the Axes last drawn), `plan` (what it
    shows), `image` (PNG bytes in `.value`), `summary` (plain text), `redraws` (successful redraws),
    `disk_filter` / `disk_ids`, `live`, `error_message`.
    """

    heading = ""
    min_height = 3.0
    max_height = 8.0

    def __init__(self, lab, disk_ids: Iterable[str] | None = None, live: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self._errors = ErrorArea()
        self.error_area = self._errors.widget
        self.redraws = 0
        self.ax: Axes | None = None
        self.plan = None
        self.summary = ""
        self._live = bool(live)
        self._stale = False  # a settled change happened while not live
        self._refreshing = False  # True while the dashboard itself sets the filter's options
        self.chart = Retained(self._new_figure, self._draw_chart, self._update_chart, self._family)
        self.frames = FramesOnce(lab)
        # No tooltip: ImageView has no description to put it on and fails to render in the browser with one.
        # Shown at its drawn size (not stretched to the cell's width, which blurs it), shrunk on narrow screens.
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width=f"{round(WIDTH_INCHES * DPI)}px", max_width="100%", height="auto")
        )
        self.summary_html = widgets.HTML()
        self.disk_filter = widgets.SelectMultiple(
            options=[],
            rows=6,
            description=_("Disks"),
            tooltip=_("Show only these disks (Ctrl or Shift to choose several); nothing chosen shows every disk"),
            style={"description_width": "60px"},
            layout=widgets.Layout(width="460px"),
        )
        self.all_disks_button = widgets.Button(
            description=_("all disks"), icon="times", tooltip=_("Clear the disk filter: show every disk")
        )
        self.disk_filter.observe(self._on_filter, names="value")
        self.all_disks_button.on_click(lambda _b: self._errors.run(N_("disk filter"), self.show_all_disks))
        self._parts: list[widgets.Widget] = [
            self.image,
            self.summary_html,
            self.disk_filter,
            self.all_disks_button,
            self.error_area,
        ]
        self._unsubscribe: Callable[[], None] | None = lab.events.subscribe_settled(self._on_change)
        self._errors.run(N_("disk list"), self.refresh_disks)
        if disk_ids is not None:
            self._errors.run(N_("disk filter"), self._choose, disk_ids)

    def _layout(self, controls: list[widgets.Widget]) -> None:
        """Heading, controls, picture, summary, errors: the summary right under what it describes."""
        heading = widgets.HTML(f"<b>{html.escape(_(self.heading))}</b> {profile_badge(self.lab.api)}")
        row = widgets.HBox(controls)
        self._parts += [heading, row]
        self.children = [heading, row, self.image, self.summary_html, self.error_area]
        if self._live:
            self.redraw()
        else:
            self._stale = True

    # ------------------------------------------------------------------ state

    @property
    def disk_ids(self) -> tuple[str, ...] | None:
        """The disks chosen in the filter, or None when nothing is chosen (all disks)."""
        return tuple(self.disk_filter.value) or None

    @property
    def live(self) -> bool:
        """Whether settled changes redraw now; a dashboard made live after changes redraws once."""
        return self._live

    @live.setter
    def live(self, value: bool) -> None:
        self._live = bool(value)
        if self._live and self._stale:
            self._errors.run(N_("disk list"), self.refresh_disks)
            self.redraw()

    # ------------------------------------------------------------------ disks

    def disk_options(self, chosen: Iterable[str] = ()) -> list[tuple[str, str]]:
        """(label, disk id): the world's disks, the deleted disks that still hold snapshots, and `chosen` ids."""
        disks = self.lab.disks
        counts = self.lab.snapshot_counts()
        options = []
        for d in disks.values():
            held = count(counts.get(d.disk_id, 0), SNAPSHOTS)
            options.append((f"{d.disk_id} ({d.disk_type}, {d.status}, {held})", d.disk_id))
        seen = set(disks)
        for disk_id, held_count in counts.items():
            if disk_id not in seen:
                kept = _("{disk_id} (deleted, {snapshots} kept)")
                options.append((kept.format(disk_id=disk_id, snapshots=count(held_count, SNAPSHOTS)), disk_id))
                seen.add(disk_id)
        for disk_id in chosen:
            if disk_id not in seen:
                options.append((_("{disk_id} (not in the lab)").format(disk_id=disk_id), disk_id))
                seen.add(disk_id)
        return options

    def refresh_disks(self) -> None:
        """Bring the filter's options up to date, keeping the choice; never redraws by itself."""
        chosen = tuple(self.disk_filter.value)
        options = self.disk_options(chosen)
        if list(self.disk_filter.options) != options:
            self._refreshing = True
            try:
                self.disk_filter.options = options  # this clears the selection ...
                self.disk_filter.value = chosen  # ... so it is put back
            finally:
                self._refreshing = False

    def _choose(self, disk_ids: Iterable[str]) -> None:
        """Choose these disks without redrawing (the caller redraws)."""
        chosen = (disk_ids,) if isinstance(disk_ids, str) else tuple(dict.fromkeys(disk_ids))
        self._refreshing = True
        try:
            self.disk_filter.options = self.disk_options(chosen)
            self.disk_filter.value = chosen
        finally:
            self._refreshing = False

    def choose_disks(self, disk_ids: Iterable[str]) -> None:
        """Choose these disks in the filter (ids the lab does not know are kept and labelled) and redraw once."""
        self._choose(disk_ids)
        self.redraw()

    def show_all_disks(self) -> None:
        """Clear the filter (redraws once if something was chosen)."""
        self.disk_filter.value = ()

    # ------------------------------------------------------------------ drawing

    def redraw(self) -> Axes | None:
        """Draw the chart again now; a failure is shown in the error area (and None returned), never raised."""
        return self._errors.run(N_("chart"), self._draw)

    def _draw(self) -> Axes:
        try:
            plan = self._plan()
            if self.chart.show(plan) or not self.image.value:
                height = min(self.max_height, max(self.min_height, self._height(plan)))
                figure = self.figure
                assert figure is not None, "the chart was just shown on a figure"
                figure.set_size_inches(WIDTH_INCHES, height)
                buffer = io.BytesIO()
                canvas = figure.canvas
                assert isinstance(canvas, ChartCanvas), "a retained chart draws on a ChartCanvas"
                canvas.print_png(buffer, pil_kwargs={"compress_level": PNG_COMPRESSION})
                self.image.value = buffer.getvalue()
            summary = self._describe(plan)
        except Exception:
            self.chart.forget()  # the picture may not be the chart kept: the next redraw draws afresh
            self._show_summary(_("The chart could not be redrawn (the error is below); the picture is the last drawn."))
            raise
        ax = self.chart.ax
        assert ax is not None, "the chart was just shown"
        self.ax, self.plan = ax, plan
        self._show_summary(summary)
        self.redraws += 1
        self._stale = False
        return ax

    def _show_summary(self, text: str) -> None:
        self.summary = text
        self.summary_html.value = f'<div class="esl-chart-summary" aria-live="polite">{html.escape(text)}</div>'

    @property
    def figure(self) -> Figure | None:
        """The figure of the picture shown (None before the first drawing)."""
        return self.chart.figure

    @staticmethod
    def _new_figure() -> Figure:
        use_language_fonts()
        figure = Figure(figsize=(WIDTH_INCHES, 4.5), dpi=DPI, layout="constrained")
        ChartCanvas(figure)  # renders headless; nothing global
        return figure

    def _family(self, plan) -> object:
        """Plans drawn on the same figure (the others get one of their own)."""
        return None

    def _plan(self):
        raise NotImplementedError

    def _draw_chart(self, ax: Axes, plan) -> None:
        raise NotImplementedError

    def _update_chart(self, ax: Axes, old, new) -> bool:
        raise NotImplementedError

    def _height(self, plan) -> float:
        raise NotImplementedError

    def _describe(self, plan) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------------ callbacks (all guarded)

    def _on_filter(self, _change) -> None:
        if not self._refreshing:
            self.redraw()

    def _on_change(self) -> None:
        # Told once when a call, an advance or a batch that changed the world ends; it must never raise into the lab.
        self.frames.forget()
        if not self._live:
            self._stale = True
            return
        self._errors.run(N_("disk list"), self.refresh_disks)
        self.redraw()

    def __repr__(self) -> str:
        disks = "all disks" if self.disk_ids is None else f"{len(self.disk_ids)} disks"
        return f"<{type(self).__name__} of Lab(seed={self.lab.seed}): {disks}, {self.redraws} redraws>"

    def close(self) -> None:
        """Stop following the lab and close every widget of the dashboard (also run when it is garbage collected)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for part in self._parts:
            part.close()
        super().close()


class QuotaDashboard(_ChartDashboard):
    """Snapshots per disk against the quota (`charts.quota_chart`), redrawn when the lab changes."""

    heading = N_("Snapshots per disk against the quota")

    def __init__(self, lab, disk_ids: Iterable[str] | None = None, live: bool = True, **kwargs) -> None:
        super().__init__(lab, disk_ids=disk_ids, live=live, **kwargs)
        self._layout([self.disk_filter, self.all_disks_button])

    def _plan(self) -> quota.QuotaPlan:
        return quota.quota_plan(self.lab, top=QUOTA_TOP, disk_ids=self.disk_ids, frames=self.frames)

    def _draw_chart(self, ax: Axes, plan: quota.QuotaPlan) -> None:
        quota.draw_quota(ax, plan)

    def _update_chart(self, ax: Axes, old: quota.QuotaPlan, new: quota.QuotaPlan) -> bool:
        return quota.update_quota(ax, old, new)

    def _height(self, plan: quota.QuotaPlan) -> float:
        return 1.4 + 0.2 * plan.rows

    def _describe(self, plan: quota.QuotaPlan) -> str:
        """ "40 disks, 735 snapshots; 2 at 90 % or more of the 64-snapshot quota: d-a (62), d-b (60)."."""
        disks = self.lab.disks
        held = self.lab.snapshot_counts()
        limit = self.lab.snapshot_quota
        ids: Iterable[str] | None = self.disk_ids
        if ids is None:
            ids = [*disks, *(d for d in held if d not in disks)]
        counts = {d: held.get(d, 0) for d in ids}
        ranked = sorted(counts, key=lambda d: (-counts[d], d))
        near = [d for d in ranked if counts[d] >= quota.NEAR_QUOTA * limit]
        disk_words = CHOSEN_DISKS if self.disk_ids is not None else DISKS
        text = _("{disks}, {snapshots}; ").format(
            disks=count(len(counts), disk_words), snapshots=count(sum(counts.values()), SNAPSHOTS)
        )
        mark = f"{quota.NEAR_QUOTA:.0%}".replace("%", " %")
        if near:
            named = _names(near, lambda d: f"{d} ({counts[d]})")
            text += _("{n} at {mark} or more of the {limit}-snapshot quota: {named}.").format(
                n=len(near), mark=mark, limit=limit, named=named
            )
        else:
            text += _("none at {mark} or more of the {limit}-snapshot quota").format(mark=mark, limit=limit)
            if ranked:
                fullest = _("; the fullest is {disk_id} with {count}.")
                text += fullest.format(disk_id=ranked[0], count=counts[ranked[0]])
            else:
                text += _(".")
        if len(counts) > QUOTA_TOP:
            text += _(" The chart draws the {top} disks with the most snapshots and sums up the rest.").format(
                top=QUOTA_TOP
            )
        return text


class RetentionTimeline(_ChartDashboard):
    """Each snapshot from creation to release (`charts.retention_timeline`), redrawn when the lab changes, with
    a disk filter and a time window."""

    heading = N_("Snapshot retention: from creation to release")
    min_height = 3.5
    max_height = 9.0

    def __init__(self, lab, disk_ids: Iterable[str] | None = None, live: bool = True, **kwargs) -> None:
        super().__init__(lab, disk_ids=disk_ids, live=live, **kwargs)
        self.window = widgets.Dropdown(
            options=[(_(window), window) for window in WINDOWS],
            value="all time",
            description=_("Window"),
            tooltip=_("The time shown, counted from the lab's current time"),
            style={"description_width": "60px"},
            layout=widgets.Layout(width="220px"),
        )
        self.window.observe(lambda _c: self.redraw(), names="value")
        column = widgets.VBox([self.window, self.all_disks_button])
        self._parts += [self.window, column]
        self._layout([self.disk_filter, column])

    @property
    def window_bounds(self) -> tuple[str | None, str | None]:
        """(start, end) as ISO strings for the chart, from the window chosen and the lab's now."""
        days = WINDOWS[self.window.value]
        if days is None:
            return None, None
        before, after = days
        now = self.lab.now
        return (now - timedelta(days=before)).isoformat(), (now + timedelta(days=after)).isoformat()

    def _plan(self) -> retention.RetentionPlan:
        start, end = self.window_bounds
        return retention.retention_plan(self.lab, start=start, end=end, disk_ids=self.disk_ids, frames=self.frames)

    def _family(self, plan: retention.RetentionPlan) -> object:
        return plan.aggregated  # per day, or a bar per snapshot: each on a figure of its own

    def _draw_chart(self, ax: Axes, plan: retention.RetentionPlan) -> None:
        retention.draw_retention(ax, plan)

    def _update_chart(self, ax: Axes, old: retention.RetentionPlan, new: retention.RetentionPlan) -> bool:
        return retention.update_retention(ax, old, new)

    def _height(self, plan: retention.RetentionPlan) -> float:
        body = plan.body
        if isinstance(body, retention.AlivePerDay):  # alive per day with releases on a twin axis
            return 4.5
        return 1.8 + 0.14 * max(body.rows, 1)  # a row per snapshot, at least one

    def _describe(self, plan: retention.RetentionPlan) -> str:
        """The chart's title in one line, then what is alive now and the next release."""
        title = ""
        for line in filter(None, plan.title.splitlines()):  # "(aggregated: ...)" follows its line
            title += line if not title else (" " if line.startswith(("(", "（")) else _("; ")) + line
        chosen = set(self.disk_ids) if self.disk_ids is not None else None
        now = self.lab.now_seconds
        alive = [s for s in self.lab.snapshots.values() if chosen is None or s.disk_id in chosen]
        creating = sum(s.status is SnapshotStatus.PROGRESSING for s in alive)
        failed = sum(s.status is SnapshotStatus.FAILED for s in alive)
        kept = sum(s.release_at is None for s in alive)
        text = _("{title}. Now {now}: {snapshots} kept").format(
            title=title, now=shown(self.lab.now, seconds=False), snapshots=count(len(alive), SNAPSHOTS)
        )
        text += _(" ({creating} being created, {failed} failed, {kept} with no release time)").format(
            creating=f"{creating:,}", failed=f"{failed:,}", kept=f"{kept:,}"
        )
        due = [s for s in alive if s.release_at is not None and s.release_at > now]
        if due:
            first = min(due, key=lambda s: (s.release_at, s.snapshot_id))
            when = shown_epoch(first.release_at, seconds=False)
            text += _("; next release: {snapshot_id} on {when}.").format(snapshot_id=first.snapshot_id, when=when)
        else:
            text += _("; no release is scheduled.")
        return text
