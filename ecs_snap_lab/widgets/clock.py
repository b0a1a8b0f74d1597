"""Clock: the lab's simulated time, with buttons that move it forward and a line saying what happened meanwhile.

Time is what makes snapshots finish, retention release them and policies fire; a learner who cannot see it
cannot see why a snapshot is still "progressing". The clock only ever calls `lab.advance` / `lab.advance_to`.

Decisions:
- Steps +1 hour, +1 day and +30 days, as the issue asks, and a "to a date" field taking ISO 8601 text (a date
  alone means its midnight UTC). Text rather than a date picker: it takes a time of day, it works with the
  keyboard alone, and what the learner types is exactly what `lab.advance_to` is given.
- After each move the clock says what happened in words, counted from the event log between the old and the new
  time: "+1 day: 3 snapshots accomplished, 1 released". An empty interval says "nothing happened".
- The time shown follows the lab whatever moves it (another widget, a notebook cell): it is refreshed when the
  lab tells its settled listeners of a change, so there is no polling.
- A refused move (a date in the past, text that is not a date) is shown as a readable error; the lab is untouched.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import ipywidgets as widgets

from ..display import profile_badge
from ..i18n import N_, Nn_, _, ngettext
from ..local_time import shown
from ..model.events import EventKind
from .guard import ErrorArea, Guarded

STEPS: dict[str, timedelta] = {
    "+1 hour": timedelta(hours=1),
    "+1 day": timedelta(days=1),
    "+30 days": timedelta(days=30),
}

# The step buttons' labels, as shown (STEPS' keys stay the names `advance` takes).
STEP_LABELS = {"+1 hour": N_("+1 hour"), "+1 day": N_("+1 day"), "+30 days": N_("+30 days")}
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))

# What the summary counts after a move, in this order, and how it says it (singular, plural: ngettext's).
SUMMARY: tuple[tuple[str, tuple[str, str]], ...] = (
    (EventKind.SNAPSHOT_CREATED, Nn_("snapshot created", "snapshots created")),
    (EventKind.SNAPSHOT_ACCOMPLISHED, Nn_("snapshot accomplished", "snapshots accomplished")),
    (EventKind.SNAPSHOT_FAILED, Nn_("snapshot failed", "snapshots failed")),
    (EventKind.SNAPSHOT_RELEASED, Nn_("snapshot released", "snapshots released")),
    (EventKind.SNAPSHOT_DELETED, Nn_("snapshot deleted", "snapshots deleted")),
    (EventKind.AUTO_SNAPSHOT_SKIPPED, Nn_("automatic snapshot skipped", "automatic snapshots skipped")),
    (EventKind.DISK_LOADED, Nn_("disk finished loading its data", "disks finished loading their data")),
    (EventKind.DISK_STATUS, Nn_("disk changed status", "disk status changes")),
    (EventKind.INSTANCE_STATUS, Nn_("instance changed status", "instance status changes")),
)


def describe_interval(kinds: Counter, step: str) -> str:
    """ "+1 day: 3 snapshots accomplished, 1 snapshot released" from the kinds of the events of one move."""
    parts = [f"{kinds[kind]} {ngettext(*words, kinds[kind])}" for kind, words in SUMMARY if kinds.get(kind, 0)]
    said = _(", ").join(parts) if parts else _("nothing happened")
    return _("{step}: {events}").format(step=step, events=said)


class Clock(Guarded, widgets.VBox):
    """The lab's time and the controls that move it.

    State for Python and tests: `now_text` (the time shown), `last_summary` (what the last move did),
    `step_buttons` (by label), `target` and `go_button` (move to a date), `error_message`.
    """

    def __init__(self, lab, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self._errors = ErrorArea()
        self.last_summary = ""
        self.now_html = widgets.HTML()
        self.step_buttons = {
            label: widgets.Button(
                description=_(STEP_LABELS[label]),
                icon="forward",
                tooltip=_("Advance the lab's clock ({step}): whatever falls due on the way happens, in order").format(
                    step=_(STEP_LABELS[label])
                ),
                layout=widgets.Layout(width="110px"),
            )
            for label in STEPS
        }
        for label, button in self.step_buttons.items():
            button.on_click(lambda _b, label=label: self._errors.run(N_("moving the clock"), self.advance, label))
        self.target = widgets.Text(
            description=_("To"),
            placeholder=_("2026-02-01 or 2026-02-01T09:30:00Z"),
            tooltip=_("Advance the clock to this UTC date and time (ISO 8601); it cannot go back"),
            style={"description_width": "initial"},  # "To", "推进到": as wide as the word
            layout=widgets.Layout(width="300px"),
        )
        self.go_button = widgets.Button(
            description=_("Go"), icon="calendar", tooltip=_("Advance the clock to the date typed on the left")
        )
        self.go_button.on_click(
            lambda _b: self._errors.run(N_("advance to a date"), self.advance_to, self.target.value)
        )
        self.summary_html = widgets.HTML()
        self.children = [
            self.now_html,
            widgets.HBox([*self.step_buttons.values(), self.target, self.go_button]),
            self.summary_html,
            self._errors.widget,
        ]
        self._unsubscribe: Callable[[], None] | None = lab.events.subscribe_settled(self._on_change)
        self._errors.run(N_("showing the time"), self._show_now)

    @property
    def now_text(self) -> str:
        now = self.lab.now
        return f"{shown(now)} ({_(WEEKDAYS[now.weekday()])})"

    def advance(self, step: str) -> str:
        """Press one of the step buttons by its label ("+1 hour", "+1 day", "+30 days"); returns the summary."""
        if step not in STEPS:
            raise ValueError(f"no step {step!r}; the steps are {', '.join(STEPS)}")
        return self._move(_(STEP_LABELS[step]), lambda: self.lab.advance(STEPS[step]))

    def advance_to(self, when: str) -> str:
        """Move to an ISO 8601 date or date-time (UTC); returns the summary."""
        text = when.strip()
        if not text:
            raise ValueError(_("type a date such as 2026-02-01, or a date and time such as 2026-02-01T09:30:00Z"))
        return self._move(_("to {date}").format(date=text), lambda: self.lab.advance_to(text))

    def _move(self, label: str, move: Callable[[], object]) -> str:
        start = len(self.lab.events)
        move()
        kinds = Counter(row[1] for row in self.lab.events.rows[start:])
        self.last_summary = describe_interval(kinds, label)
        self.summary_html.value = f'<div role="status">{html.escape(self.last_summary)}</div>'
        return self.last_summary

    def _on_change(self) -> None:
        self._errors.run(N_("showing the time"), self._show_now)

    def _show_now(self) -> None:
        badge = profile_badge(self.lab.api)
        shown = _("Lab time: {time}").format(time=self.now_text)
        self.now_html.value = f'<b aria-live="polite">{html.escape(shown)}</b> {badge}'

    def __repr__(self) -> str:
        return f"<Clock of Lab(seed={self.lab.seed}) at {self.lab.now:%Y-%m-%d %H:%M:%S}Z>"

    def close(self) -> None:
        """Stop following the lab and close the widget."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().close()
