"""ResponseView: one API answer shown whole: its HTTP status and code, its body as JSON or XML, its warnings, and
the trace of the checks that ran, each with its rule, its verdict, its basis and the sentence behind it.

The view re-implements nothing: everything shown comes from the Response (`.status .code .message .to_json()
.to_xml() .warnings .trace`). Every piece of text is escaped with html.escape before it reaches the page.

Decisions:
- Colour is never the only signal: the status line says in words "success", "client error" or "server error"
  and carries a mark (✓, !, ✗) as well as its colour (green 2xx, amber 4xx, red 5xx). Its CSS class
  (`esl-status-2xx`, `-4xx`, `-5xx`) lets a notebook theme restyle it.
- The trace table has one row per trace step, in the order the checks ran; a failed step reads "FAIL" in words.
- Callbacks never raise: a failure is shown in the error area as a readable line.
- The format toggle has a description and a tooltip of its own besides one per button, so a screen reader names
  the control as well as its choices.
"""

from __future__ import annotations

import html
import json
from xml.etree import ElementTree

import ipywidgets as widgets

from .guard import ErrorArea, Guarded

MADE_IDS = ("SnapshotId", "DiskId", "InstanceId", "ImageId", "AutoSnapshotPolicyId")  # ids an answer can carry
COLOURS = {"2xx": "#1a7f37", "3xx": "#0969da", "4xx": "#9a6700", "5xx": "#cf222e"}
WORDS = {"2xx": ("✓", "success"), "3xx": ("→", "redirect"), "4xx": ("!", "client error"), "5xx": ("✗", "server error")}
FORMATS = ("JSON", "XML")
TRACE_COLUMNS = ("#", "Rule", "Result", "Fails with", "Basis", "Source", "Detail")
WIDE_COLUMNS = {"Rule": "16em", "Source": "16em"}  # the sentences: narrow columns would stack them a word a line


def status_class(status: int) -> str:
    """ "2xx", "3xx", "4xx" or "5xx" (anything else counts as a server error)."""
    family = status // 100
    return f"{family}xx" if family in (2, 3, 4) else "5xx"


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _pretty_json(response) -> str:
    try:
        return json.dumps(response.data, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return response.to_json()


def _pretty_xml(text: str) -> str:
    """One element per line, the API's own declaration kept as it was sent."""
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


class ResponseView(Guarded, widgets.VBox):
    """Show a Response: status and code (colour + words), body as JSON or XML, warnings, and the trace table.

    State for Python and tests: `response`, `body_format` ("JSON" or "XML"), `body_text` (the unescaped body
    shown), `trace_rows` (one tuple of cell texts per trace step), `error_message` (callback failures, or "").
    """

    def __init__(self, response=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.response = None
        self.body_text = ""
        self.trace_rows: list[tuple[str, ...]] = []
        self._errors = ErrorArea()
        self.error_html = self._errors.widget
        self.status_html = widgets.HTML(value="")
        self.format = widgets.ToggleButtons(
            options=list(FORMATS),
            value="JSON",
            description="Body as",
            tooltip="Show the body as JSON or as XML",
            tooltips=["The JSON body (pretty-printed)", "The XML body, as the API writes it with Format=XML"],
        )
        self.format.observe(self._on_format, names="value")
        self.body_html = widgets.HTML(  # a framed scroll box, as the explorer's table
            value="", layout=widgets.Layout(max_height="300px", overflow="auto", border="1px solid #d0d7de")
        )
        self.warnings_html = widgets.HTML(value="")
        self.trace_html = widgets.HTML(value="")
        self.children = [
            self.error_html,
            self.status_html,
            self.format,
            self.body_html,
            self.warnings_html,
            self.trace_html,
        ]
        self.show(response)

    # ------------------------------------------------------------------ public

    @property
    def body_format(self) -> str:
        return self.format.value

    def show(self, response) -> None:
        """Display `response` (a Response, or None for "nothing yet")."""
        self._guard("showing the response", self._show, response)

    def __repr__(self) -> str:
        r = self.response
        if r is None:
            return "<ResponseView: no response yet>"
        return f"<ResponseView: {r.action} HTTP {r.status} {r.code or 'OK'}>"

    # ------------------------------------------------------------------ internals

    def _on_format(self, change) -> None:
        self._guard("switching the body format", self._render_body)

    def _show(self, response) -> None:
        self.response = response
        self._render_status()
        self._render_body()
        self._render_warnings()
        self._render_trace()

    def _render_status(self) -> None:
        r = self.response
        if r is None:
            self.status_html.value = '<div class="esl-status esl-status-none"><i>No response yet.</i></div>'
            return
        family = status_class(r.status)
        mark, words = WORDS[family]
        text = f"{mark} HTTP {r.status} — {words}"
        if r.ok:
            text += f" · {r.action}"
        else:
            text += f" · {r.code}"
        line = f"<b>{_esc(text)}</b>"
        if not r.ok and r.message:
            line += f"<br>{_esc(r.message)}"
        made = [(key, value) for key, value in r.data.items() if key in MADE_IDS and isinstance(value, str)]
        for key, value in made:  # what a success made, where the eye looks first (it is in the body as well)
            line += f"<br>{_esc(key)} <code>{_esc(value)}</code>"
        line += f"<br><small>RequestId: <code>{_esc(r.request_id)}</code></small>"
        self.status_html.value = (
            f'<div class="esl-status esl-status-{family}" role="status" aria-label="{_esc(text)}" '
            f'style="color:{COLOURS[family]};border-left:4px solid {COLOURS[family]};padding-left:6px">{line}</div>'
        )

    def _render_body(self) -> None:
        r = self.response
        if r is None:
            self.body_text = ""
            self.body_html.value = ""
            return
        self.body_text = _pretty_json(r) if self.format.value == "JSON" else _pretty_xml(r.to_xml())
        label = "JSON body" if self.format.value == "JSON" else "XML body"
        self.body_html.value = (
            f'<pre class="esl-body esl-body-{self.format.value.lower()}" aria-label="{label}" '
            f'style="margin:0">{_esc(self.body_text)}</pre>'
        )

    def _render_warnings(self) -> None:
        r = self.response
        warnings = list(r.warnings) if r is not None else []
        if not warnings:
            self.warnings_html.value = ""
            return
        items = "".join(f"<li>{_esc(w)}</li>" for w in warnings)
        self.warnings_html.value = f'<div class="esl-warnings"><b>Warnings</b><ul>{items}</ul></div>'

    def _render_trace(self) -> None:
        r = self.response
        if r is None:
            self.trace_rows = []
            self.trace_html.value = ""
            return
        rows = []
        for step in r.trace:
            rows.append(
                (
                    step.number,
                    step.rule,
                    "pass" if step.passed else "FAIL",
                    step.code,
                    step.basis,
                    step.source,
                    step.detail,
                )
            )
        self.trace_rows = rows
        if not rows:
            self.trace_html.value = "<div class='esl-trace'><i>No checks recorded for this call.</i></div>"
            return
        head = "".join(
            f'<th scope="col" style="text-align:left;min-width:{WIDE_COLUMNS.get(c, "auto")}">{_esc(c)}</th>'
            for c in TRACE_COLUMNS
        )
        body = []
        for row in rows:
            failed = row[2] == "FAIL"
            cls = "esl-step-fail" if failed else "esl-step-pass"
            style = ' style="background:#ffebe9"' if failed else ""
            cells = "".join(
                f"<td><b>{_esc(cell)}</b></td>" if failed and i == 2 else f"<td>{_esc(cell)}</td>"
                for i, cell in enumerate(row)
            )
            body.append(f'<tr class="{cls}"{style}>{cells}</tr>')
        self.trace_html.value = (
            '<table class="esl-trace" style="border-collapse:collapse">'
            f"<caption style='text-align:left'><b>Trace: the checks that ran, in order</b></caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
