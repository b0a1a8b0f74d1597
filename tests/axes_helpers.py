"""Reading a drawn chart back from its Axes: shared by the chart tests and the dashboard tests."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.container import BarContainer


def containers(ax: Axes) -> dict[str, BarContainer]:
    """Bar containers by label (a leading "_" only hides a label from the legend)."""
    return {c.get_label().lstrip("_"): c for c in ax.containers if isinstance(c, BarContainer)}


def row_labels(ax: Axes) -> dict[int, str]:
    return {round(y): label.get_text() for y, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}


def bars_by_row(ax: Axes, label: str) -> dict[str, object]:
    """The bars of one container keyed by the y tick label of their row (none if the chart has no such container)."""
    rows = row_labels(ax)
    return {rows[round(bar.get_y() + bar.get_height() / 2)]: bar for bar in containers(ax).get(label, [])}
