"""ErrorExplorer: the error catalogue as a table you can filter by HTTP status and search, with the meaning of
each code and a "Reproduce" button that makes a fresh lab answer it.

Everything comes from `ecs_snap_lab.error_catalog()` and `ecs_snap_lab.reproduce(code, row, action)`; the response is
shown by a ResponseView embedded in the explorer.

Decisions:
- One choice per catalogue entry, so a code with two entries can be told apart: a code with a seed row and a
  twin is labelled "code (row N)" (the two InternalError rows, 12 and 26, reproduce differently); a second entry
  without a row is labelled by the actions it concerns, or by its HTTP status.
- Reproduce runs `reproduce(code, row)` for an entry with a seed row, `reproduce(code, action=first action)` for
  a second entry of a code that another action answers differently (e.g. IdempotentParameterMismatch, 400 from
  CreateDisk), and `reproduce(code)` otherwise: the answer shown is always the chosen entry's.
- The status filter offers "All" and each HTTP status the catalogue uses, so a new status cannot be unreachable.
- A filter or search that keeps the chosen entry visible keeps it chosen, with its reproduction; one that hides it
  clears both. Rebuilding the list's options is done with the list's observer muted (ipywidgets moves the value
  to the first option when options change, which would otherwise look like a new choice).
- A click on the disabled Reproduce button (possible from Python) does nothing, as in the browser.
- The search looks at the code, the message and the description, case-insensitively; the status filter and the
  search combine (both must match). `visible_codes` lists each visible code once, in catalogue order.
- The API profile: "seed" (the default), "2026", or both side by side. Both runs the same recipe in a lab of each
  profile and says whether the answers differ (a detached disk is refused by the seed and snapshotted today); a
  change of profile clears the reproduction shown, which belonged to the other choice.
- Callbacks never raise: a failure (in filtering, choosing, reproducing) is shown in the error area as a readable
  line, and cleared when the next callback succeeds.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

import ecs_snap_lab

from ..display import basis_words, described, english
from ..i18n import N_, _
from ..rules.profile import profile
from .guard import ErrorArea, Guarded
from .response_view import ResponseView

_STYLE = {"description_width": "110px"}


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def status_filters(entries) -> list[tuple[str, str]]:
    """ "All", then each HTTP status the catalogue uses, in order: (label as shown, value)."""
    return [(_("All"), "All"), *((str(s), str(s)) for s in sorted({entry.http_status for entry in entries}))]


def entry_labels(entries) -> list[str]:
    """A distinct, readable label for each catalogue entry (see the module's decisions)."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.code] = counts.get(entry.code, 0) + 1
    labels: list[str] = []
    for entry in entries:
        if counts[entry.code] == 1:
            label = entry.code
        elif entry.row is not None:
            label = _("{code} (row {row})").format(code=entry.code, row=entry.row)
        elif entry.api:
            label = f"{entry.code} ({entry.api})"
        elif entry.actions:
            label = f"{entry.code} ({', '.join(entry.actions)})"
        else:
            label = _("{code} (HTTP {status}, other actions)").format(code=entry.code, status=entry.http_status)
        base, n = label, 2
        while label in labels:
            label = f"{base} #{n}"
            n += 1
        labels.append(label)
    return labels


class ErrorExplorer(Guarded, widgets.VBox):
    """Filter and search the error catalogue, read what a code means, reproduce it on a fresh lab.

    State for Python and tests: `entries` (the whole catalogue), `visible_entries` / `visible_codes` (after the
    filter and search), `selected_entry` / `selected_code`, `last_reproduction` (a Reproduction or None),
    `error_message` (callback failures, or "").
    """

    def __init__(self, api: str = "seed", **kwargs) -> None:
        super().__init__(**kwargs)
        self._api = profile(api).api.value  # the profile chosen at first (the app's lab's); ValueError if unknown
        self.entries = list(ecs_snap_lab.error_catalog())
        self.labels = entry_labels(self.entries)
        self.visible_entries = list(self.entries)
        self.selected_entry = None
        self.last_reproduction = None
        self._muted = False
        self._errors = ErrorArea()
        self.error_html = self._errors.widget
        self._make_filters()
        self._make_detail()
        self._observe()
        self.children = self._rows()
        self._guard(N_("filtering"), self._refilter)

    # ------------------------------------------------------------------ the parts, made once

    def _make_filters(self) -> None:
        """The status filter, the search and the table of the entries they leave."""
        self.status_filter = widgets.Dropdown(
            options=status_filters(self.entries),
            value="All",
            description=_("HTTP status"),
            tooltip=_("Show only the errors answered with this HTTP status"),
            style=_STYLE,
        )
        self.search = widgets.Text(
            value="",
            description=_("Search"),
            placeholder=_("code, message or description"),
            tooltip=_("Case-insensitive search in the code, the message and the description"),
            style=_STYLE,
        )
        self.count_html = widgets.HTML(value="")
        # A framed scroll box: without the frame, the rows cut off at its edge (browsers hide idle scroll bars) look
        # as if the table ran under the list below it.
        self.table_html = widgets.HTML(
            value="", layout=widgets.Layout(max_height="320px", overflow="auto", border="1px solid #d0d7de")
        )

    def _make_detail(self) -> None:
        """The code list, what the chosen code means, and its reproduction."""
        self.code_select = widgets.Select(
            options=[],
            value=None,
            rows=8,
            description=_("Code"),
            tooltip=_("Choose an error code to see what it means and reproduce it"),
            style=_STYLE,
            layout=widgets.Layout(width="520px"),
        )
        self.meaning_html = widgets.HTML(value="")
        self.reproduce_button = widgets.Button(
            description=_("Reproduce"),
            tooltip=_("Make a fresh lab answer this code, and show the request and the response"),
            icon="play",
            disabled=True,
        )
        self.api_choice = widgets.ToggleButtons(
            options=[(_("Seed (2018-19)"), "seed"), ("2026", "2026"), (_("Both"), "both")],
            value=self._api,
            description=_("API profile"),
            tooltip=_("Which API profile answers the reproduction: the seed's, today's, or both side by side"),
            tooltips=[
                _("Answer as the seed's page of 2018-19 says"),
                _("Answer as today's documentation says"),
                _("Reproduce in both profiles and compare the answers"),
            ],
            style=_STYLE,
        )
        self.request_html = widgets.HTML(value="")
        self.compare_html = widgets.HTML(value="")
        self.response_view = ResponseView()
        self.now_view = ResponseView()  # the 2026 profile's answer when both are shown
        self.now_view.layout.display = "none"
        self.last_reproductions: dict[str, object] = {}

    def _observe(self) -> None:
        """Filtering and searching redraw the table; picking a code shows it; Reproduce runs it."""
        self.status_filter.observe(lambda change: self._guard(N_("filtering"), self._refilter), names="value")
        self.search.observe(lambda change: self._guard(N_("searching"), self._refilter), names="value")
        self.code_select.observe(self._on_pick, names="value")
        self.reproduce_button.on_click(lambda button: self._guard(N_("reproducing"), self._reproduce))
        self.api_choice.observe(lambda change: self._guard(N_("choosing a profile"), self._clear), names="value")

    def _rows(self) -> list[widgets.Widget]:
        return [
            self.error_html,
            widgets.HBox([self.status_filter, self.search]),
            self.count_html,
            self.table_html,
            self.code_select,
            self.meaning_html,
            widgets.HBox([self.api_choice, self.reproduce_button]),
            self.request_html,
            self.compare_html,
            self.response_view,
            self.now_view,
        ]

    # ------------------------------------------------------------------ public

    @property
    def visible_codes(self) -> list[str]:
        seen: list[str] = []
        for entry in self.visible_entries:
            if entry.code not in seen:
                seen.append(entry.code)
        return seen

    @property
    def selected_code(self) -> str | None:
        return self.selected_entry.code if self.selected_entry is not None else None

    def select(self, code: str, row: int | None = None, action: str | None = None, api: str = "") -> None:
        """Choose `code` as if the learner picked it in the list. For a code with several entries, `row` picks a
        seed row (InternalError 12 or 26), `action` the entry for that action (else the entry for any action) and
        `api="2026"` today's version of a code; without them, the code's first entry. Clears the filter and search
        if they hide the entry."""
        candidates = [
            i for i, e in enumerate(self.entries) if e.code == code and (row is None or e.row == row) and e.api == api
        ]
        if action is not None:
            candidates = [i for i in candidates if action in self.entries[i].actions] or [
                i for i in candidates if not self.entries[i].actions
            ]
        if not candidates:
            raise KeyError(_not_in_catalogue(code, row, action))
        index = candidates[0]
        if index not in [value for _, value in self.code_select.options]:
            self.status_filter.value = "All"
            self.search.value = ""
        self.code_select.value = index

    def reproduce(self) -> None:
        """Press "Reproduce"."""
        self.reproduce_button.click()

    def __repr__(self) -> str:
        chosen = f", {self.selected_code} chosen" if self.selected_entry is not None else ""
        return f"<ErrorExplorer: {len(self.visible_entries)} of {len(self.entries)} errors shown{chosen}>"

    # ------------------------------------------------------------------ internals

    def _on_pick(self, change) -> None:
        if not self._muted:
            self._guard(N_("choosing a code"), self._on_select)

    def _matches(self, entry) -> bool:
        status = self.status_filter.value
        if status != "All" and entry.http_status != int(status):
            return False
        needle = self.search.value.strip().casefold()
        if not needle:
            return True
        return any(needle in text.casefold() for text in (entry.code, entry.message, entry.description))

    def _refilter(self) -> None:
        indices = [i for i, entry in enumerate(self.entries) if self._matches(entry)]
        self.visible_entries = [self.entries[i] for i in indices]
        self._render_table(indices)
        previous = self.code_select.value
        self._muted = True
        try:
            self.code_select.options = [(self.labels[i], i) for i in indices]
            self.code_select.value = previous if previous in indices else None
        finally:
            self._muted = False
        self._on_select()

    def _render_table(self, indices: list[int]) -> None:
        n = len(indices)
        shown = _("{n} of {total} errors shown").format(n=n, total=len(self.entries))
        self.count_html.value = f'<div class="esl-count" role="status">{_esc(shown)}</div>'
        if not indices:
            none = _esc(_("No error matches this filter and search."))
            self.table_html.value = f"<div class='esl-catalogue'><i>{none}</i></div>"
            return
        columns = (N_("Row"), "HTTP", N_("Code"), N_("Message"), N_("Basis"))
        head = "".join(f'<th scope="col" style="text-align:left">{_esc(_(c))}</th>' for c in columns)
        rows = []
        for i in indices:
            e = self.entries[i]
            rows.append(
                f"<tr><td>{_esc(e.row if e.row is not None else '—')}</td><td>{e.http_status}</td>"
                f"<td><code>{_esc(e.code)}</code></td><td>{english(e.message)}</td><td>{_esc(basis_words(e.basis))}</td>"
                "</tr>"
            )
        caption = _esc(_("Error catalogue"))
        self.table_html.value = (
            '<table class="esl-catalogue" style="border-collapse:collapse">'
            f"<caption style='text-align:left'><b>{caption}</b></caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def _on_select(self) -> None:
        index = self.code_select.value
        entry = self.entries[index] if index is not None else None
        if entry is not self.selected_entry:
            self._clear()
        self.selected_entry = entry
        self.reproduce_button.disabled = entry is None
        if entry is None:
            choose = _esc(_("Choose a code to see what it means."))
            self.meaning_html.value = f"<div class='esl-meaning'><i>{choose}</i></div>"
            return
        items = "".join(f"<dt><b>{_esc(k)}</b></dt><dd>{v or '—'}</dd>" for k, v in _meaning(entry))
        self.meaning_html.value = (
            f"<div class='esl-meaning'><h4><code>{_esc(entry.code)}</code></h4><dl>{items}</dl></div>"
        )

    def _is_second_entry(self, entry) -> bool:
        """An entry after the first of its code, outside the seed's table: reached through its own action."""
        return bool(entry.actions) and next(e for e in self.entries if e.code == entry.code) is not entry

    def _clear(self) -> None:
        """No reproduction shown: another code or another profile was chosen."""
        self.last_reproduction = None
        self.last_reproductions = {}
        self.request_html.value = ""
        self.compare_html.value = ""
        self.response_view.show(None)
        self.now_view.show(None)
        self.now_view.layout.display = "none"

    def _reproduce_in(self, entry, api: str):
        if entry.api:  # today's version of a code: reproduced in a lab of its profile
            return ecs_snap_lab.reproduce(entry.code, api=entry.api)
        if entry.row is not None:
            return ecs_snap_lab.reproduce(entry.code, entry.row, api=api)
        if self._is_second_entry(entry):
            return ecs_snap_lab.reproduce(entry.code, action=entry.actions[0], api=api)
        return ecs_snap_lab.reproduce(entry.code, api=api)

    def _reproduce(self) -> None:
        entry = self.selected_entry
        if entry is None:  # the button is disabled: only a click from Python gets here
            return
        self._clear()
        choice = self.api_choice.value
        apis = ["seed", "2026"] if choice == "both" else [choice]
        made = {api: self._reproduce_in(entry, api) for api in apis}
        reproduction = made[apis[0]]
        self.last_reproductions = made
        self.last_reproduction = reproduction
        self.request_html.value = _request_html(reproduction)
        self.response_view.show(reproduction.response)
        if choice == "both":
            self.now_view.show(made["2026"].response)
            self.now_view.layout.display = ""
            self.compare_html.value = _comparison_html(made["seed"].response, made["2026"].response)


def _not_in_catalogue(code: str, row: int | None, action: str | None) -> str:
    """Why `select` found no entry: one whole sentence for each way the entry was asked for."""
    if row is not None and action:
        said = _("{code} row {row} for {action} is not in the error catalogue")
    elif row is not None:
        said = _("{code} row {row} is not in the error catalogue")
    elif action:
        said = _("{code} for {action} is not in the error catalogue")
    else:
        said = _("{code} is not in the error catalogue")
    return said.format(code=repr(code), row=row, action=action)


def _meaning(entry) -> list[tuple[str, str]]:
    """What a code means, as (label, HTML) pairs: the seed's words (message, description, sentence) as they are,
    the description's translation beside it in another language, and how the lab makes it."""
    if entry.row is not None:
        where = _("row {row} of the seed's error table").format(row=entry.row)
    else:
        where = _("not in the seed's table")
    facts = [
        (_("HTTP status"), str(entry.http_status)),
        (_("Message"), english(entry.message)),
        (_("Description"), described(entry.description)),
        (_("Seed sentence"), english(entry.sentence) if entry.sentence else ""),
        (_("Trigger"), _esc(_(entry.trigger)) if entry.trigger else ""),
        (_("Basis"), _esc(basis_words(entry.basis))),
        (_("Row"), _esc(where)),
    ]
    if entry.actions:
        facts.insert(1, (_("Actions"), _esc(", ".join(entry.actions))))
    return facts


def _answer_words(response) -> str:
    return f"HTTP {response.status} " + ("OK" if response.ok else response.code)


def _comparison_html(seed, now) -> str:
    """One line: what each profile answered, and whether they differ (then the seed's answer is shown first)."""
    same = (seed.status, seed.code) == (now.status, now.code)
    different = _esc(_("different answers"))
    verdict = _esc(_("the same answer")) if same else f"<b>{different}</b>"
    said = _("Seed (2018-19): {seed}; 2026: {now}: {verdict}. The seed's answer is shown first, then today's.").format(
        seed=f"<code>{_esc(_answer_words(seed))}</code>",
        now=f"<code>{_esc(_answer_words(now))}</code>",
        verdict=verdict,
    )
    return f"<div class='esl-compare' role='status'>{said}</div>"


def _request_html(reproduction) -> str:
    """How the lab was set up, and the request sent."""
    steps = "".join(f"<li>{_esc(step)}</li>" for step in reproduction.steps)
    words = {
        "setup": _esc(_("How the lab was set up")),
        "request": _esc(_("Request")),
        "parameter": _esc(_("Parameter")),
        "value": _esc(_("Value")),
        "none": _esc(_("(no parameters)")),
    }
    params = "".join(
        f"<tr><td><code>{_esc(k)}</code></td><td><code>{_esc(v)}</code></td></tr>"
        for k, v in reproduction.params.items()
    )
    return (
        "<div class='esl-reproduction'>"
        + (f"<b>{words['setup']}</b><ol>{steps}</ol>" if steps else "")
        + f"<b>{words['request']}</b>: <code>{_esc(reproduction.action)}</code>"
        + (
            f"<table class='esl-request'><thead><tr><th scope='col'>{words['parameter']}</th>"
            f"<th scope='col'>{words['value']}</th></tr></thead><tbody>{params}</tbody></table>"
            if params
            else f" <i>{words['none']}</i>"
        )
        + "</div>"
    )
