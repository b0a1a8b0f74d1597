"""matplotlib charts of a lab: quota use per disk, retention timeline, snapshot history, request outcomes.

Every chart takes the lab (and an optional ``ax=`` to draw into) and returns the Axes. Without ``ax`` it makes a
new ``matplotlib.figure.Figure`` (no pyplot, no global state, nothing shown): display it in a notebook with
``ax.figure`` or save it with ``ax.figure.savefig(path)``. Data comes from ``lab.frames``; the drawing is one
call per kind of bar with arrays, so fleets of 10,000 disks or 100,000 snapshots draw in about a second.

The quota chart and the retention timeline, which the dashboards redraw on every click, live in their own modules
(`quota`, `retention`), each split into a plan, a drawing and an update (see `retained`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib import dates as mdates

from ..i18n import Nn_, _, ngettext
from .quota import NEAR_QUOTA, quota_chart
from .retention import retention_timeline
from .style import (
    ERRORS,
    GREY,
    LINE_COLOURS,
    LINE_STYLES,
    OKABE_ITO,
    REQUESTS,
    count,
    date_axis,
    days,
    legend,
    new_axes,
    strings,
    time_label,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

    Handle = Artist | tuple[Artist, ...]  # what a legend takes: an artist, or a container such as a bar's

    from ..lab import Lab

__all__ = [
    "NEAR_QUOTA",
    "OKABE_ITO",
    "history_chart",
    "quota_chart",
    "request_outcomes_chart",
    "retention_timeline",
]

CREATED, REMOVED = "snapshot_created", ("snapshot_released", "snapshot_deleted")


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
    kind = strings(events["Kind"])
    mine = (kind == CREATED) | np.isin(kind, REMOVED)
    times = days(events["Time"])
    origin = float(np.nanmin(times)) if len(times) else float(mdates.date2num(lab.now))
    now = float(mdates.date2num(lab.now))
    times, kind = times[mine], kind[mine]
    disks = strings(events["RelatedId"])[mine]
    delta = np.where(kind == CREATED, 1, -1)
    order = np.argsort(times, kind="stable")
    times, disks, delta = times[order], disks[order], delta[order]

    ax = new_axes(ax, (10.0, 5.0))
    if by == "total":
        _total_history(ax, times, delta, origin, now)
    else:
        _disk_history(ax, lab.snapshot_quota, times, disks, delta, origin, now, disk_ids, top)
    ax.set_ylabel(_("snapshots (count)"))
    ax.set_ylim(bottom=0)
    ax.set_xlim(origin, max(now, origin + 1 / 24))
    date_axis(ax.xaxis)
    ax.grid(alpha=0.3)
    legend(ax)
    return ax


def _total_history(ax: Axes, times: np.ndarray, delta: np.ndarray, origin: float, now: float) -> None:
    """history_chart(by="total"): one filled step line of the account's snapshots."""
    x, y = _steps(times, np.cumsum(delta), origin, now)
    ax.step(x, y, where="post", color=OKABE_ITO["blue"], linewidth=1.8, label=_("snapshots in the account"))
    ax.fill_between(x, y, step="post", color=OKABE_ITO["blue"], alpha=0.15, linewidth=0)
    now_count = f"{int(y[-1]) if len(y) else 0:,}"
    ax.set_title(_("Snapshots in the account over time (now {count})").format(count=now_count))


def _disk_history(
    ax: Axes,
    quota: int,
    times: np.ndarray,
    disks: np.ndarray,
    delta: np.ndarray,
    origin: float,
    now: float,
    disk_ids: Iterable[str] | None,
    top: int,
) -> None:
    """history_chart(by="disk"): a step line per chosen disk (the `disk_ids` given, or the `top` by current count)
    and the quota as a dashed line."""
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
    ax.axhline(quota, color=OKABE_ITO["black"], linestyle="--", label=_("quota ({quota})").format(quota=quota))
    title = _("Snapshots per disk over time")
    known = len(current) if disk_ids is None else len(wanted)
    if known > len(chosen):
        title += "\n" + _("(top {top} of {known} disks by current count)").format(top=len(chosen), known=f"{known:,}")
    ax.set_title(title)


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
    ax = new_axes(ax, (10.0, 5.0))
    what = _("{action} requests").format(action=action) if action else _("API requests")
    title = _("{what} per {unit} by outcome").format(what=what, unit=unit)
    if not len(requests):
        ax.set_title(title + "\n" + _("(no requests yet)"))
        ax.set_ylabel(_("requests per {unit} (count)").format(unit=unit))
        ax.set_xlabel(time_label(lab.now))
        return ax

    outcome = requests["Code"].astype("string").fillna("OK")
    ones = pd.get_dummies(outcome, dtype=np.int64)
    ones.index = pd.DatetimeIndex(requests["Time"])
    table = ones.resample(offset, label="left").sum()
    errors = table.drop(columns="OK", errors="ignore")
    ranked = errors.sum().sort_values(ascending=False, kind="stable").index.tolist()
    keep, other = ranked[:7], ranked[7:]
    status = requests.assign(outcome=outcome).groupby("outcome", sort=False)["HttpStatus"].first()

    left = days(pd.Series(table.index))
    right = days(pd.Series(table.index + offset))
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
        others = _("other errors ({n} codes)").format(n=len(other))
        stacks.append((others, table[other].sum(axis=1).to_numpy(), GREY))
    for label, values, colour in stacks:
        ax.bar(left, values, width=width, bottom=bottom, align="edge", color=colour, label=label)
        bottom = bottom + values

    total = int(bottom.sum())
    failed = total - (int(table["OK"].sum()) if "OK" in table else 0)
    totals = _("({requests}, {errors})").format(requests=count(total, REQUESTS), errors=count(failed, ERRORS))
    ax.set_title(title + "\n" + totals)
    ax.set_ylabel(_("requests per {unit} (count)").format(unit=unit))
    ax.set_xlim(left[0] - (right[0] - left[0]) * 0.2, right[-1] + (right[-1] - left[-1]) * 0.2)
    date_axis(ax.xaxis)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    legend(ax, title=_("outcome (HTTP status)"))
    return ax


UNITS = {
    "D": Nn_("day", "{n} days"),
    "h": Nn_("hour", "{n} hours"),
    "min": Nn_("minute", "{n} minutes"),
    "s": Nn_("second", "{n} seconds"),
    "W": Nn_("week", "{n} weeks"),
    "MS": Nn_("month", "{n} months"),
    "QS": Nn_("quarter", "{n} quarters"),
    "YS": Nn_("year", "{n} years"),
}
UNITS |= {"ME": UNITS["MS"], "QE": UNITS["QS"], "YE": UNITS["YS"]}


def _unit(offset) -> str:
    """ "day", "6 hours", "week", "month" ... for a pandas offset."""
    base = offset.rule_code.split("-")[0]
    if base not in UNITS:
        return base if offset.n == 1 else f"{offset.n} {base}s"
    return ngettext(*UNITS[base], offset.n).format(n=offset.n)
