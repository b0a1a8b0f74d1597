"""What every chart shares: the palette, the Figure a chart makes when given no Axes, dates as matplotlib numbers,
the concise UTC date axis, the legend outside the plot, and a few small conversions of frame columns."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, Locator

from .canvas import ChartCanvas

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.legend import Legend

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


class ChartFigure(Figure):
    """A Figure that a notebook shows as a PNG when it is a cell's result (`ax.figure`), with no pyplot and no
    `%matplotlib inline`: IPython asks any object for `_repr_png_`."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """The Axes to draw into: the caller's, or one on a new Figure (not pyplot: nothing global, nothing shown)."""
    if ax is not None:
        return ax
    figure = ChartFigure(figsize=figsize, layout="constrained")
    ChartCanvas(figure)  # draws headless (savefig, canvas.draw, buffer_rgba); notebooks display it as PNG
    return figure.add_subplot()


def days(column: pd.Series) -> np.ndarray:
    """A tz-aware datetime column as matplotlib date numbers (float days), NaN where NaT."""
    values = column.dt.tz_convert(UTC).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return np.asarray(mdates.date2num(values), dtype=float)


def day_number(when: str | datetime | pd.Timestamp) -> float:
    """An ISO string or datetime (naive means UTC) as a matplotlib date number."""
    stamp = pd.Timestamp(when)
    stamp = stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)
    return float(mdates.date2num(stamp.to_pydatetime()))


class _Remembering(Locator):
    """A locator that works out its ticks once per view: drawing a figure asks each axis for its ticks about twenty
    times (the layout's two passes, placing each label and the title, then the drawing), always for the same view.
    The ticks depend on the view interval (and, for `AutoLocator`, on the room the axis has), nothing else."""

    def _room(self) -> object:
        return None

    def __call__(self):
        assert self.axis is not None, "a locator is called once it is set on an axis"
        key = (tuple(self.axis.get_view_interval()), self._room())
        if self.__dict__.get("_remembered_view") != key:
            self._remembered_ticks = np.asarray(super().__call__())
            self._remembered_view = key
        return self._remembered_ticks.copy()


class RememberingDateLocator(_Remembering, mdates.AutoDateLocator):
    """matplotlib's AutoDateLocator, computing once per view."""


class RememberingLocator(_Remembering, AutoLocator):
    """matplotlib's AutoLocator (the default of a linear axis), computing once per view and tick room."""

    def _room(self) -> object:
        return self.axis.get_tick_space() if isinstance(self.axis, Axis) else None


def date_axis(axis) -> None:
    """Concise UTC date ticks on an axis that holds matplotlib date numbers."""
    locator = RememberingDateLocator(tz=UTC)
    axis.set_major_locator(locator)
    axis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=UTC))


def count_axis(axis) -> None:
    """The default ticks of a linear axis (AutoLocator), remembered per view: for the axes a dashboard redraws."""
    axis.set_major_locator(RememberingLocator())


def legend(ax: Axes, handles=None, title: str | None = None) -> Legend:
    """The legend outside the plot, on the right, so it never hides a bar."""
    kwargs: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0}
    kwargs["fontsize"] = "small"
    if handles is not None:
        return ax.legend(handles=handles, title=title, **kwargs)
    return ax.legend(title=title, **kwargs)


def inside(bars: BarContainer) -> BarContainer:
    """Bars left out of the layout's measuring: they are clipped to their Axes, so they never reach past it, and
    measuring hundreds of them is most of a layout (matplotlib's own check that an artist is clipped to its Axes
    compares floating-point boxes and often fails)."""
    for bar in bars:
        bar.set_in_layout(False)
    return bars


def strings(column: pd.Series) -> np.ndarray:
    """A string/categorical column as an object array of str (missing values as "")."""
    return column.astype("string").fillna("").to_numpy(dtype=object)


def count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def select(frame: pd.DataFrame, column: str, ids: Iterable[str] | None) -> pd.DataFrame:
    if ids is None:
        return frame
    if isinstance(ids, str):
        ids = [ids]
    return frame[frame[column].isin(list(ids))]
