"""Who is stuck, drawn: a grid of learners (rows) by exercises (columns), each cell coloured by where the learner
stands and marked with the same words as the printed table (✓ 2, ✗ 3), so colour is never the only cue.

Imported only when a chart is asked for: it loads matplotlib (and the lab's chart helpers, which load pandas).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from .i18n import N_, _, ngettext
from .progress import Progress, State
from .views.style import OKABE_ITO, legend, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

STATES = tuple(State)  # the order of the colour codes drawn
STATE_COLOURS = {State.SOLVED: OKABE_ITO["bluish_green"], State.TRIED: OKABE_ITO["orange"], State.NOT_TRIED: "#EEEEEE"}
STATE_WORDS = {
    State.SOLVED: N_("solved (✓ attempts)"),
    State.TRIED: N_("tried, not solved (✗ attempts)"),
    State.NOT_TRIED: N_("not tried"),
}


def progress_chart(progress: Progress, ax: Axes | None = None) -> Axes:
    """Draw the learner x exercise grid; returns the Axes (display `ax.figure` or save it with savefig)."""
    if not progress.learners or not progress.exercises:
        raise ValueError(_("nothing to draw: no learner or no exercise"))
    rows, columns = len(progress.learners), len(progress.exercises)
    ax = new_axes(ax, (max(6.0, 3.0 + 0.5 * columns), max(3.0, 1.8 + 0.32 * rows)))
    _draw_cells(ax, progress)
    _draw_labels(ax, progress)
    learners = ngettext("{n} learner", "{n} learners", rows).format(n=rows)
    exercises = ngettext("{n} exercise", "{n} exercises", columns).format(n=columns)
    ax.set_title(_("Who is stuck: {learners}, {exercises}").format(learners=learners, exercises=exercises), loc="left")
    handles = [Patch(facecolor=STATE_COLOURS[s], edgecolor="#666666", label=_(STATE_WORDS[s])) for s in STATES]
    legend(ax, handles=handles)
    return ax


def _draw_cells(ax: Axes, progress: Progress) -> None:
    """One coloured cell per learner and exercise (row 0 on top), marked '✓ 2' or '✗ 3' where tried."""
    codes = np.array(
        [
            [STATES.index(progress.standing(learner, c.name).state) for c in progress.exercises]
            for learner in progress.learners
        ]
    )
    ax.pcolormesh(
        codes,
        cmap=ListedColormap([STATE_COLOURS[state] for state in STATES]),
        norm=BoundaryNorm(np.arange(len(STATES) + 1) - 0.5, len(STATES)),
        edgecolors="white",
        linewidth=1.5,
    )
    for y, learner in enumerate(progress.learners):
        for x, column in enumerate(progress.exercises):
            standing = progress.standing(learner, column.name)
            if standing.state is not State.NOT_TRIED:
                ax.text(
                    x + 0.5,
                    y + 0.5,
                    standing.mark,
                    ha="center",
                    va="center",
                    fontsize="small",
                    color="black",
                )
    ax.set_xlim(0, codes.shape[1])
    ax.set_ylim(codes.shape[0], 0)  # the first learner on top, as in the printed table
    for spine in ax.spines.values():
        spine.set_visible(False)


def _draw_labels(ax: Axes, progress: Progress) -> None:
    """Learners on the left, exercises (number and name) below, and how many solved each one on top."""
    centres = np.arange(len(progress.exercises)) + 0.5
    ax.set_xticks(
        centres,
        labels=[f"{c.header} {c.name}" if c.known else c.header for c in progress.exercises],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_yticks(np.arange(len(progress.learners)) + 0.5, labels=list(progress.learners))
    ax.tick_params(length=0)
    room = len(progress.learners)
    top = ax.secondary_xaxis("top")
    top.set_xticks(
        centres, labels=[f"{len(progress.learners_in(c.name, State.SOLVED))}/{room}" for c in progress.exercises]
    )
    top.tick_params(length=0, labelsize="small")
    top.set_xlabel(_("solved by"))
