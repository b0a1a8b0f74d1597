"""HTML for notebooks: the rich reprs (`_repr_html_`) of Response, Lab, Reproduction and ErrorEntry, and the pieces
the ResponseView widget shows, written once here. Stdlib only, so `import ecs_snap_lab` stays light.

Decisions:
- Every piece of text goes through html.escape: names, tags and messages can be anything a request carried.
- Colour is never the only signal: a status reads in words ("success", "client error", "server error") with a
  mark (✓, !, ✗) as well as its colour (green 2xx, amber 4xx, red 5xx); its CSS class (`esl-status-2xx`, ...)
  lets a notebook theme restyle it. A failed trace step reads "FAIL" in words.
- Styles are inline and few: a notebook opened untrusted, or read on a site that strips styles, still shows the
  words. Long parts (a body, a trace) fold into <details> whose summary says what they hold.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .i18n import N_, _, ngettext
from .rules.profile import profile

if TYPE_CHECKING:
    from .response import Response, TraceStep
    from .rules.catalog import ErrorEntry

MADE_IDS = ("SnapshotId", "DiskId", "InstanceId", "ImageId", "AutoSnapshotPolicyId")  # ids an answer can carry
COLOURS = {"2xx": "#1a7f37", "3xx": "#0969da", "4xx": "#9a6700", "5xx": "#cf222e"}
WORDS = {
    "2xx": ("✓", N_("success")),
    "3xx": ("→", N_("redirect")),
    "4xx": ("!", N_("client error")),
    "5xx": ("✗", N_("server error")),
}
# the columns as data (TRACE_COLUMNS' names index WIDE_COLUMNS and tests); shown through _()
TRACE_COLUMNS = ("#", N_("Rule"), N_("Result"), N_("Fails with"), N_("Basis"), N_("Source"), N_("Detail"))
REQUEST_COLUMNS = (N_("Time"), "Action", N_("Status"), N_("Code"), "RequestId")
# a catalogue entry's variant (catalog.toml), as shown: where an injected fault strikes
VARIANTS = {"before": N_("before the effect"), "after": N_("after the effect")}
# a step's result as data ("pass", "FAIL": what trace_rows holds) and as shown
RESULTS = {"pass": N_("pass"), "FAIL": N_("FAIL")}
# the basis of a rule (checks.toml's words), as shown
BASES = {
    "seed": N_("seed"),
    "model choice": N_("model choice"),
    "api fact": N_("api fact"),
    "current documentation": N_("current documentation"),
}
WIDE_COLUMNS = {"Rule": "16em", "Source": "16em"}  # the sentences: narrow columns would stack them a word a line
FAILED_ROW = "#ffebe9"
OPEN_BODY_LINES = 30  # a body longer than this starts folded


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def status_class(status: int) -> str:
    """ "2xx", "3xx", "4xx" or "5xx" (anything else counts as a server error)."""
    family = status // 100
    return f"{family}xx" if family in (2, 3, 4) else "5xx"


def status_words(status: int) -> str:
    """The status as a reader hears it: "✓ HTTP 200 — success"."""
    mark, words = WORDS[status_class(status)]
    return f"{mark} HTTP {status} — {_(words)}"


def status_box(status: int, label: str, lines: Iterable[str] = ()) -> str:
    """A coloured block: `label` in bold (plain text), then `lines` (HTML already escaped) one per line."""
    family = status_class(status)
    colour = COLOURS[family]
    inner = "<br>".join([f"<b>{esc(label)}</b>", *lines])
    return (
        f'<div class="esl-status esl-status-{family}" role="status" aria-label="{esc(label)}" '
        f'style="color:{colour};border-left:4px solid {colour};padding-left:6px">{inner}</div>'
    )


_COLOURS = {"seed": "#0969da", "2026": "#8250df"}  # distinct hues, each with 4.5:1 contrast on white


def profile_badge(api: str) -> str:
    """A small labelled tag: "API: seed (2018-19 page)" or "API: 2026 (today's documentation)"."""
    chosen = profile(api)
    colour = _COLOURS[chosen.api.value]
    words = html.escape(_("API: {profile}").format(profile=_(chosen.label)))
    title = html.escape(_("The API profile this lab answers by"))
    return (
        f'<span class="esl-api" data-api="{chosen.api.value}" title="{title}" '
        f'style="color:{colour};border:1px solid {colour};border-radius:4px;padding:0 4px">{words}</span>'
    )


def response_status(response: Response) -> str:
    """The status block of a response: status in words, action or code, message, the ids it made, RequestId."""
    label = f"{status_words(response.status)} · {response.action if response.ok else response.code}"
    lines = []
    if not response.ok and response.message:
        lines.append(english(response.message))  # the API's words: shown as sent
    for key, value in response.data.items():  # what a success made, where the eye looks first
        if key in MADE_IDS and isinstance(value, str):
            lines.append(f"{esc(key)} <code>{esc(value)}</code>")
    lines.append(f"<small>RequestId: <code>{esc(response.request_id)}</code> {profile_badge(response.api)}</small>")
    return status_box(response.status, label, lines)


def pretty_json(response: Response) -> str:
    try:
        return json.dumps(response.data, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return response.to_json()


def pretty_xml(text: str) -> str:
    """One element per line, the API's own declaration kept as it was sent."""
    from xml.etree import ElementTree  # only the widget's XML view needs it

    declaration, sep, body = text.partition("?>")
    if not sep:
        declaration, body = "", text
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:  # the raw text is always a faithful fallback
        return text
    ElementTree.indent(root, space="  ")
    head = f"{declaration}?>\n" if declaration else ""
    return head + ElementTree.tostring(root, encoding="unicode")


def english(text: str) -> str:
    """Text that stays English on purpose (the API's message, the seed's sentence), marked so for readers and
    screen readers: <span lang="en">."""
    return f'<span lang="en">{esc(text)}</span>'


def described(description: str) -> str:
    """The seed's description of a code as it is (English), and in another language its translation beside it."""
    if not description:
        return ""
    shown = english(description)
    if _(description) != description:
        shown += f"<br>{esc(_(description))}"
    return shown


def basis_words(basis: str) -> str:
    return _(BASES[basis]) if basis in BASES else basis


def body_block(text: str, fmt: str = "JSON") -> str:
    label = _("{format} body").format(format=fmt)
    return f'<pre class="esl-body esl-body-{fmt.lower()}" aria-label="{label}" style="margin:0">{esc(text)}</pre>'


def warnings_block(warnings: Sequence[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
    title = esc(_("Warnings"))
    return f'<div class="esl-warnings"><b>{title}</b><ul>{items}</ul></div>'


def trace_rows(trace: Iterable[TraceStep]) -> list[tuple[str, ...]]:
    """One tuple of cell texts per step, in the order the checks ran (the columns of TRACE_COLUMNS)."""
    return [
        (step.number, step.rule, "pass" if step.passed else "FAIL", step.code, step.basis, step.source, step.detail)
        for step in trace
    ]


def trace_table(rows: Sequence[tuple[str, ...]]) -> str:
    """The trace as a table, a failed step in words ("FAIL", bold) and shaded."""
    if not rows:
        none = esc(_("No checks recorded for this call."))
        return f"<div class='esl-trace'><i>{none}</i></div>"
    head = "".join(
        f'<th scope="col" style="text-align:left;min-width:{WIDE_COLUMNS.get(c, "auto")}">{esc(_(c))}</th>'
        for c in TRACE_COLUMNS
    )
    body = []
    for row in rows:
        failed = row[2] == "FAIL"
        cls = "esl-step-fail" if failed else "esl-step-pass"
        style = f' style="background:{FAILED_ROW}"' if failed else ""
        number, rule, result, code, basis, source, detail = row
        shown = (esc(number), esc(_(rule)), esc(_(RESULTS[result])), esc(code), esc(basis_words(basis)))
        cells = "".join(
            f"<td><b>{cell}</b></td>" if failed and i == 2 else f"<td>{cell}</td>" for i, cell in enumerate(shown)
        )
        cells += f"<td>{english(source)}</td><td>{esc(detail)}</td>"
        body.append(f'<tr class="{cls}"{style}>{cells}</tr>')
    caption = esc(_("Trace: the checks that ran, in order"))
    return (
        '<table class="esl-trace" style="border-collapse:collapse">'
        f"<caption style='text-align:left'><b>{caption}</b></caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def trace_summary(rows: Sequence[tuple[str, ...]]) -> str:
    """The trace in one line: how many checks passed, and the one that failed."""
    passed = sum(row[2] == "pass" for row in rows)
    text = ngettext("Trace: {n} check passed", "Trace: {n} checks passed", passed).format(n=passed)
    failed = [row for row in rows if row[2] == "FAIL"]
    if failed:
        number, rule = failed[0][0], _(failed[0][1])
        if number:
            text += _(", then FAIL at step {number}: {rule}").format(number=number, rule=rule)
        else:
            text += _(", then FAIL at a check: {rule}").format(rule=rule)
    return text


def details(summary: str, inner: str, open_: bool) -> str:
    return f"<details{' open' if open_ else ''}><summary>{esc(summary)}</summary>{inner}</details>"


def response_html(response: Response) -> str:
    """A Response whole: status, warnings, body (JSON) and trace; the trace is unfolded when the call failed."""
    body = pretty_json(response)
    rows = trace_rows(response.trace)
    parts = [
        response_status(response),
        warnings_block(response.warnings),
        details(_("Body (JSON)"), body_block(body), body.count("\n") < OPEN_BODY_LINES),
        details(trace_summary(rows), trace_table(rows), not response.ok),
    ]
    return f'<div class="esl-response">{"".join(parts)}</div>'


class Html(str):
    """Text that is HTML already (escaped where needed): fact_table shows it as it is."""


def fact_table(rows: Iterable[tuple[str, object]], caption: str = "") -> str:
    """A two-column table of named facts (name in a header cell, value as text, or as it is when Html)."""
    cells = "".join(
        f'<tr><th scope="row" style="text-align:left;vertical-align:top">{esc(name)}</th>'
        f'<td style="text-align:left">{value if isinstance(value, Html) else esc(value)}</td></tr>'
        for name, value in rows
    )
    head = f"<caption style='text-align:left'><b>{esc(caption)}</b></caption>" if caption else ""
    return f'<table class="esl-facts" style="border-collapse:collapse">{head}<tbody>{cells}</tbody></table>'


def entry_html(entry: ErrorEntry) -> str:
    """A catalogue entry: its status (colour and words) and code, then what it says and how the lab makes it. The
    seed's own words (message, description, sentence) stay English; in another language the description's
    translation is shown beside it."""
    if entry.row is not None:
        origin = _("the seed's error table, row {row}").format(row=entry.row)
    else:
        origin = _("a common code the lab uses")
    facts: list[tuple[str, object]] = [
        (_("Message"), Html(english(entry.message))),
        (_("Description"), Html(described(entry.description))),
        (_("The seed says"), Html(english(entry.sentence))),
        (_("How the lab makes it"), _(entry.trigger)),
        (_("Basis"), basis_words(entry.basis)),
        (_("From"), origin),
    ]
    if entry.actions:
        facts.append((_("Actions"), ", ".join(entry.actions)))
    if entry.variant:
        facts.append((_("Variant"), _(VARIANTS.get(entry.variant, entry.variant))))
    box = status_box(entry.http_status, f"{status_words(entry.http_status)} · {entry.code}")
    return f'<div class="esl-entry">{box}{fact_table(facts)}</div>'


def request_table(rows: Sequence[tuple[str, str, int, str | None, str]], caption: str) -> str:
    """Requests as a table (time, action, status in colour and words, code, RequestId)."""
    lines = []
    for at, action, status, code, request_id in rows:
        colour = COLOURS[status_class(status)]
        lines.append(
            f"<tr><td>{esc(at)}</td><td>{esc(action)}</td>"
            f'<td class="esl-status-{status_class(status)}" style="color:{colour}">{esc(status_words(status))}</td>'
            f"<td>{esc(code or '')}</td><td><code>{esc(request_id)}</code></td></tr>"
        )
    head = "".join(f'<th scope="col" style="text-align:left">{esc(_(c))}</th>' for c in REQUEST_COLUMNS)
    return (
        f'<table class="esl-requests" style="border-collapse:collapse"><caption style="text-align:left">'
        f"<b>{esc(caption)}</b></caption><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"
    )


def lab_html(
    title: str,
    facts: Sequence[tuple[str, object]],
    internal_errors: int,
    recent: Sequence[tuple[str, str, int, str | None, str]],
) -> str:
    """A lab: its facts, whether it has failed inside (colour and words), and its last requests."""
    if internal_errors:
        said = ngettext(
            "✗ {n} internal error: see lab.internal_errors",
            "✗ {n} internal errors: see lab.internal_errors",
            internal_errors,
        )
        health = status_box(500, said.format(n=internal_errors))
    else:
        health = status_box(200, _("✓ no internal errors"))
    parts = [f"<b>{esc(title)}</b>", fact_table(facts), health]
    if recent:
        caption = ngettext("The last request", "The last {n} requests", len(recent)).format(n=len(recent))
        parts.append(request_table(recent, caption))
    return f'<div class="esl-lab">{"".join(parts)}</div>'


def reproduction_html(entry: ErrorEntry, steps: Sequence[str], request: str, params: dict, response: Response) -> str:
    """How a code was reproduced: the entry's status and message, the numbered steps, the request and its answer."""
    box = status_box(entry.http_status, f"{status_words(entry.http_status)} · {entry.code}", [english(entry.message)])
    items = "".join(f"<li>{esc(step)}</li>" for step in steps)
    shown = ", ".join(f"{name}={value}" for name, value in params.items())
    items += f"<li><code>{esc(request)}</code> {esc(shown)}</li>"
    made, answer = esc(_("How it was made:")), esc(_("The answer:"))
    return (
        f'<div class="esl-reproduction">{box}<b>{made}</b><ol>{items}</ol>'
        f"<b>{answer}</b>{response_html(response)}</div>"
    )
