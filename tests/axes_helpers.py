"""Reading a drawn chart back from its Axes: shared by the chart tests and the dashboard tests."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer
from matplotlib.figure import Figure


def containers(ax: Axes) -> dict[str, BarContainer]:
    """Bar containers by label (a leading "_" only hides a label from the legend)."""
    return {c.get_label().lstrip("_"): c for c in ax.containers if isinstance(c, BarContainer)}


def row_labels(ax: Axes) -> dict[int, str]:
    return {round(y): label.get_text() for y, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}


def bars_by_row(ax: Axes, label: str) -> dict[str, object]:
    """The bars of one container keyed by the y tick label of their row (none if the chart has no such container)."""
    rows = row_labels(ax)
    return {rows[round(bar.get_y() + bar.get_height() / 2)]: bar for bar in containers(ax).get(label, [])}


# ---------------------------------------------------------------------- a whole figure, to compare two drawings


def _colour(value) -> tuple:
    return tuple(round(float(c), 6) for c in to_rgba(value))


def _numbers(values) -> list:
    """Numbers to 12 significant digits: Axes.bar stores a bar's size as (first bar's start + size) - that start,
    so the last bits of a size depend on which bar came first; a millionth of a pixel, never a different picture."""
    return [float(f"{v:.12g}") for v in np.asarray(values, dtype=float).ravel()]


def _bar(patch) -> tuple:
    return (
        _numbers(patch.get_bbox().bounds),
        _colour(patch.get_facecolor()),
        _colour(patch.get_edgecolor()),
        patch.get_hatch(),
        patch.get_linewidth(),
        patch.get_alpha(),
        patch.get_zorder(),
        patch.get_visible(),
        _numbers(patch.sticky_edges.x),
        _numbers(patch.sticky_edges.y),
    )


def _text(text) -> tuple:
    return (
        text.get_text(),
        _numbers(text.get_position()),
        _colour(text.get_color()),
        text.get_fontweight(),
        text.get_fontsize(),
        text.get_zorder(),
        text.get_visible(),
    )


def _line(line) -> tuple:
    return (
        line.get_label(),
        _numbers(line.get_xdata()),
        _numbers(line.get_ydata()),
        _colour(line.get_color()),
        line.get_linestyle(),
        line.get_linewidth(),
        line.get_drawstyle(),
        line.get_marker(),
        line.get_zorder(),
    )


def _axes(ax: Axes) -> dict:
    legend = ax.get_legend()
    return {
        "title": ax.get_title(),
        "labels": (ax.get_xlabel(), ax.get_ylabel()),
        "limits": (_numbers(ax.get_xlim()), _numbers(ax.get_ylim())),
        "position": _numbers(ax.get_position().bounds),  # where the layout put it (after a draw)
        "zorder": ax.get_zorder(),
        "yticks": (_numbers(ax.get_yticks()), [_text(t) for t in ax.get_yticklabels()]),
        "xticks": (_numbers(ax.get_xticks()), [t.get_text() for t in ax.get_xticklabels()]),
        "containers": {c.get_label(): [_bar(p) for p in c] for c in ax.containers},
        "bars": sorted(_bar(p) for p in ax.patches),  # every bar, in or out of a container
        "lines": [_line(line) for line in ax.get_lines()],
        "texts": [_text(t) for t in ax.texts],
        "legend": None if legend is None else ([t.get_text() for t in legend.get_texts()], len(legend.legend_handles)),
    }


def describe(figure: Figure) -> list[dict]:
    """What a drawn figure shows, Axes by Axes: every bar, line, text, tick, limit, legend entry and position.
    Two figures that describe the same (and have the same pixels) draw the same chart."""
    return [_axes(ax) for ax in figure.axes]
