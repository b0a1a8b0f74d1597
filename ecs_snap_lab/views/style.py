"""What every chart shares: the palette, the Figure a chart makes when given no Axes, dates as matplotlib numbers,
the concise date axis, the legend outside the plot, the fonts of the lab's language, and a few small conversions of
frame columns.

Decisions:
- Dates: with no display time zone (local_time) the axis is UTC, labelled "time (UTC)". With one, the ticks are the
  zone's local time, the label names the zone and its offset, and a second axis on top keeps UTC: the lab's clock
  and the API's times are UTC, and a learner in Beijing reads 10:00 where a backup runs at 02:00 UTC.
- Fonts: drawing in Chinese puts the first CJK family this machine has (Noto Sans CJK SC first: Debian's
  fonts-noto-cjk, which `make test`, Binder's apt.txt and the offline kit bring; then Windows' and macOS' own)
  at the head of matplotlib's sans-serif list when a chart is made, so no glyph is missing. The language can change
  after import, so it is chosen at drawing time; Latin text falls back to the default family.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, Locator

from ..i18n import N_, Nn_, _, get_language, ngettext
from ..local_time import display_zone, get_display_timezone
from ..local_time import offset as zone_offset
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


# Families that draw Simplified Chinese, most wanted first: Debian's Noto (fonts-noto-cjk), then the systems' own.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)


# font files that hold one of CJK_FAMILIES (a .ttc's first face names the family matplotlib sees)
CJK_FILES = ("NotoSansCJK", "SourceHanSans", "wqy-zenhei", "msyh", "simhei", "PingFang", "STHeiti")


@cache
def cjk_family() -> str | None:
    """The first family of CJK_FAMILIES this machine has, None when none (the doctor says how to install one).
    matplotlib lists fonts from a cache made on its first run: a font installed since (fonts-noto-cjk after
    matplotlib) is found on disk and added."""
    manager = font_manager.fontManager
    for attempt in range(2):
        installed = {font.name for font in manager.ttflist}
        family = next((family for family in CJK_FAMILIES if family in installed), None)
        if family is not None or attempt:
            return family
        for path in font_manager.findSystemFonts():
            if any(part in Path(path).name for part in CJK_FILES):
                manager.addfont(path)
    return None


_DEFAULT_FAMILY: list[str] = []  # matplotlib's font.family before the lab first chose a CJK one


def use_language_fonts() -> None:
    """The fonts of the lab's language for a chart made now: in Chinese, the CJK family first, then the default
    family for what it lacks (✓, ✗: matplotlib falls back along font.family); in English, the default again."""
    family = cjk_family() if get_language() == "zh-CN" else None
    if family is None:
        if _DEFAULT_FAMILY:
            matplotlib.rcParams["font.family"] = list(_DEFAULT_FAMILY)
        return
    if not _DEFAULT_FAMILY:
        _DEFAULT_FAMILY[:] = list(matplotlib.rcParams["font.family"])
    matplotlib.rcParams["font.family"] = [family, *_DEFAULT_FAMILY]


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """The Axes to draw into: the caller's, or one on a new Figure (not pyplot: nothing global, nothing shown)."""
    use_language_fonts()
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
    """Concise date ticks on an x axis that holds matplotlib date numbers: UTC, or the display zone's local time
    with UTC kept on a second axis on top (see the module's decisions)."""
    zone = display_zone()
    locator = RememberingDateLocator(tz=zone)
    axis.set_major_locator(locator)
    axis.set_major_formatter(_concise(locator, zone))
    axis.set_label_text(time_label(mdates.num2date(axis.get_view_interval()[1])))
    if get_display_timezone():
        top = axis.axes.secondary_xaxis("top")
        utc = RememberingDateLocator(tz=UTC)
        top.xaxis.set_major_locator(utc)
        top.xaxis.set_major_formatter(_concise(utc, UTC))
        top.set_xlabel(_("time (UTC)"), fontsize="small")


# matplotlib's ConciseDateFormatter formats (its defaults) through the catalog: a tick that is a word (Jan) follows
# the language ("%b" is "%m月" in Chinese)
TICK_FORMATS = (N_("%Y"), N_("%b"), N_("%d"), "%H:%M", "%H:%M", "%S.%f")
ZERO_FORMATS = ("", N_("%Y"), N_("%b"), N_("%b-%d"), "%H:%M", "%H:%M")
OFFSET_FORMATS = ("", N_("%Y"), N_("%Y-%b"), N_("%Y-%b-%d"), N_("%Y-%b-%d"), N_("%Y-%b-%d %H:%M"))


def _concise(locator: Locator, zone) -> mdates.ConciseDateFormatter:
    def shown(formats: tuple[str, ...]) -> list[str]:
        return [_(text) if text else text for text in formats]

    return mdates.ConciseDateFormatter(
        locator,
        tz=zone,
        formats=shown(TICK_FORMATS),
        zero_formats=shown(ZERO_FORMATS),
        offset_formats=shown(OFFSET_FORMATS),
    )


def time_label(at: datetime) -> str:
    """The date axis' label: "time (UTC)", or the display zone with its offset at `at` (the axis' last time)."""
    name = get_display_timezone()
    if name is None:
        return _("time (UTC)")
    return _("time ({zone}, {offset})").format(zone=name, offset=zone_offset(at))


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


SNAPSHOTS = Nn_("{n} snapshot", "{n} snapshots")
REQUESTS = Nn_("{n} request", "{n} requests")
ERRORS = Nn_("{n} error", "{n} errors")
DISKS = Nn_("{n} disk", "{n} disks")


def count(n: int, words: tuple[str, str]) -> str:
    """ "1 snapshot", "1,204 snapshots": `words` a singular and plural pair marked with Nn_, "{n}" in each."""
    return ngettext(*words, n).format(n=f"{n:,}")


def select(frame: pd.DataFrame, column: str, ids: Iterable[str] | None) -> pd.DataFrame:
    if ids is None:
        return frame
    if isinstance(ids, str):
        ids = [ids]
    return frame[frame[column].isin(list(ids))]
