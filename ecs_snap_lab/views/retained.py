"""Retained charts: a chart kept on one Figure and brought up to date by changing its artists' data.

A dashboard redraws its chart on every click. Making the artists anew (an Axes with its ticks, hundreds of bars, a
legend) and laying out a new figure cost more than drawing them; so a dashboard keeps them. Each chart that a
dashboard shows is written in three parts (ecs_snap_lab.views.quota and .retention):
- `plan(lab, ...)`: every number and word the chart shows (the rules of the chart live here, once);
- `draw(ax, plan)`: makes the artists of a plan on an empty Axes (the chart functions are plan + draw);
- `update(ax, old, new)`: gives the artists drawn for `old` the data of `new` when both have the same shape (the
  same artists, perhaps a different number of bars), and returns False when they do not.
`Retained.show(plan)` uses them: nothing when the plan is the one already shown, an update when the shape allows,
else a fresh drawing on a cleared figure. A chart whose plans come in families of different shapes keeps a figure
per family, so switching between them updates each in place.

Decisions:
- An updated chart is exactly a fresh drawing: the same artists with the same data and properties (tests compare
  the two artist by artist and pixel by pixel after each action of the dashboards). Constrained layout starts from
  the Axes' current positions (a second layout of the same figure moves things by a pixel), so every Axes is put
  back where a new Axes starts before the layout runs.
- Bars stay in their containers: moved and resized in place, surplus bars removed, missing ones made by the
  chart's own bar call for those rows (so their style is stated once), each bar's sticky edge kept at its base as
  Axes.bar sets it. An updated chart sets its limits itself: explicitly, or, for Axes whose limits follow their
  bars, from all the bars' corners in one pass; so the bars made for new rows skip Axes.bar's one-by-one update
  of the data limits (most of its cost).
- A failed update leaves nothing half-done behind: the next `show` draws afresh.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.container import BarContainer
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

__all__ = ["Retained", "bar_containers", "bars_datalim", "legend_of", "same", "update_bars"]


def same(a: Any, b: Any) -> bool:
    """Plans (dataclasses of numbers, strings, tuples and numpy arrays) equal field by field; NaN equals NaN."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return a == b


def update_bars(
    ax: Axes,
    container: BarContainer,
    bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    make: Callable[[np.ndarray], BarContainer],
) -> BarContainer:
    """The bars of `container` (drawn on `ax`) given these (left, bottom, width, height) rectangles, one per row.

    Bars are moved in place, surplus ones removed, and missing ones made by `make(rows)`, the chart's own bar
    call for those rows. Returns the container that replaces `container` in `ax.containers` (same label)."""
    left, bottom, width, height = (np.asarray(values, dtype=float) for values in bounds)
    n = len(left)
    horizontal = container.orientation == "horizontal"
    kept = list(container.patches[:n])
    for patch in container.patches[n:]:
        patch.remove()
    for patch, box in zip(
        kept, zip(left.tolist(), bottom.tolist(), width.tolist(), height.tolist(), strict=True), strict=False
    ):
        patch.set_bounds(*box)
        if horizontal:
            patch.sticky_edges.x[:] = [box[0]]
        else:
            patch.sticky_edges.y[:] = [box[1]]
    if n > len(kept):
        with _limits_set_after(ax):
            extra = make(np.arange(len(kept), n))
        ax.containers.remove(extra)
        kept += list(extra.patches)
    values = width if horizontal else height
    replacement = BarContainer(kept, datavalues=values, orientation=container.orientation, label=container.get_label())
    ax.containers[ax.containers.index(container)] = replacement
    replacement._remove_method = ax.containers.remove  # type: ignore[attr-defined]  # matplotlib's private hook
    return replacement


def bar_containers(ax: Axes) -> dict[str, BarContainer]:
    """The Axes' bar containers by label (the charts here hold no other kind of container)."""
    return {str(c.get_label()): c for c in ax.containers if isinstance(c, BarContainer)}


def legend_of(ax: Axes) -> Legend:
    """The Axes' legend: every chart drawn here has one (style.legend)."""
    found = ax.get_legend()
    assert found is not None, "the chart was drawn with its legend"
    return found


@contextmanager
def _limits_set_after(ax: Axes) -> Iterator[None]:
    """Bars made in this block do not widen `ax`'s data limits one by one, which is most of what Axes.bar costs:
    an updated chart sets its limits itself (explicitly, or from every bar at once by `bars_datalim`)."""
    # shadows Axes._update_patch_limits (private: the stubs do not know it) on this Axes only
    ax._update_patch_limits = lambda _patch: None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del ax._update_patch_limits  # type: ignore[attr-defined]


def bars_datalim(ax: Axes) -> None:
    """`ax.relim()` for an Axes holding only bars: the union of their corners, a bar with neither width nor height
    left out (as Axes.relim does), in one pass instead of one transform per bar."""
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]  # every patch here is a bar
    boxes = np.array([[p.get_x(), p.get_y(), p.get_width(), p.get_height()] for p in bars], dtype=np.float64)
    ax.dataLim.set_points(Bbox.null().get_points())
    ax.ignore_existing_data_limits = True
    if len(boxes):
        boxes = boxes[(boxes[:, 2] != 0) | (boxes[:, 3] != 0)]
        corners = np.concatenate((boxes[:, :2], boxes[:, :2] + boxes[:, 2:]))
        ax.update_datalim(corners)


def restore_positions(figure: Figure) -> None:
    """Every Axes back at its subplot's position, where a new Axes starts, so constrained layout runs as on a new
    figure (it starts from the current positions)."""
    for ax in figure.axes:
        in_layout = ax.get_in_layout()
        spec = ax.get_subplotspec()
        assert spec is not None, "a retained chart's Axes are subplots"
        ax.set_position(spec.get_position(figure), which="both")
        ax.set_in_layout(in_layout)  # set_position takes an Axes out of the layout; it stays in


@dataclass
class _Kept:
    """One figure of a retained chart, with the Axes and the plan last drawn on it (None: draw afresh)."""

    figure: Figure
    ax: Axes | None = None
    plan: Any = None


class Retained:
    """A chart kept across redraws: `show(plan)` brings it up to date, reusing the artists.

    A chart whose plans come in families of different shapes (the timeline: per day, or a bar per snapshot) keeps a
    figure per family (`family(plan)`), so going from one to the other and back updates each in place instead of
    drawing both afresh every time. `figure`, `ax` and `plan` are those of the family shown last."""

    def __init__(
        self,
        new_figure: Callable[[], Figure],
        draw: Callable[[Axes, Any], None],
        update: Callable[[Axes, Any, Any], bool],
        family: Callable[[Any], Hashable] = lambda _plan: None,
    ) -> None:
        self._new_figure = new_figure
        self._draw = draw
        self._update = update
        self._family = family
        self._kept: dict[Hashable, _Kept] = {}
        self._shown: _Kept | None = None
        self.updates = 0  # how the shows went, for tests and the bench
        self.fresh = 0

    @property
    def figure(self) -> Figure | None:
        return self._shown.figure if self._shown else None

    @property
    def ax(self) -> Axes | None:
        return self._shown.ax if self._shown else None

    @property
    def plan(self) -> Any:
        return self._shown.plan if self._shown else None

    def forget(self) -> None:
        """Draw afresh next time (the caller could not use what was drawn)."""
        for kept in self._kept.values():
            kept.ax, kept.plan = None, None
        self._shown = None

    def show(self, plan: Any) -> bool:
        """Draw `plan`; False (and nothing done) when it is the plan already shown, in the figure shown."""
        family = self._family(plan)
        kept = self._kept.get(family)
        if kept is None:
            kept = self._kept[family] = _Kept(self._new_figure())
        if kept is self._shown and kept.ax is not None and same(plan, kept.plan):
            return False
        if kept.ax is None or not same(plan, kept.plan):  # the family's own figure may already show it
            self._bring(kept, plan)
        restore_positions(kept.figure)  # its next layout runs as on a new figure
        self._shown = kept
        return True

    def _bring(self, kept: _Kept, plan: Any) -> None:
        try:
            if kept.ax is not None and self._update(kept.ax, kept.plan, plan):
                self.updates += 1
            else:
                kept.figure.clear()
                kept.ax = kept.figure.add_subplot()
                self._draw(kept.ax, plan)
                self.fresh += 1
        except Exception:
            self.forget()  # half-updated artists are never updated again
            raise
        kept.plan = plan
