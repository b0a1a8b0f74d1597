"""ResponseView: one API answer shown whole: its HTTP status and code, its body as JSON or XML, its warnings, and
the trace of the checks that ran, each with its rule, its verdict, its basis and the sentence behind it.

The view re-implements nothing: everything shown comes from the Response (`.status .code .message .to_json()
.to_xml() .warnings .trace`), drawn by the same HTML pieces as the Response's own rich repr (ecs_snap_lab.display:
status in colour and words, every text escaped, the trace as a table with a failed step in words).

Decisions:
- Callbacks never raise: a failure is shown in the error area as a readable line.
- The format toggle has a description and a tooltip of its own besides one per button, so a screen reader names
  the control as well as its choices.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..display import (
    body_block,
    pretty_json,
    pretty_xml,
    response_status,
    status_class,
    trace_rows,
    trace_table,
    warnings_block,
)
from ..i18n import N_, _
from .guard import ErrorArea, Guarded

FORMATS = ("JSON", "XML")
__all__ = ["ResponseView", "status_class"]


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
            description=_("Body as"),
            tooltip=_("Show the body as JSON or as XML"),
            tooltips=[_("The JSON body (pretty-printed)"), _("The XML body, as the API writes it with Format=XML")],
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
        self._guard(N_("showing the response"), self._show, response)

    def __repr__(self) -> str:
        r = self.response
        if r is None:
            return "<ResponseView: no response yet>"
        return f"<ResponseView: {r.action} HTTP {r.status} {r.code or 'OK'}>"

    # ------------------------------------------------------------------ internals

    def _on_format(self, change) -> None:
        self._guard(N_("switching the body format"), self._render_body)

    def _show(self, response) -> None:
        self.response = response
        self._render_status()
        self._render_body()
        self._render_warnings()
        self._render_trace()

    def _render_status(self) -> None:
        r = self.response
        if r is None:
            said = html.escape(_("No response yet."))
            self.status_html.value = f'<div class="esl-status esl-status-none"><i>{said}</i></div>'
            return
        self.status_html.value = response_status(r)

    def _render_body(self) -> None:
        r = self.response
        if r is None:
            self.body_text = ""
            self.body_html.value = ""
            return
        self.body_text = pretty_json(r) if self.format.value == "JSON" else pretty_xml(r.to_xml())
        self.body_html.value = body_block(self.body_text, self.format.value)

    def _render_warnings(self) -> None:
        r = self.response
        self.warnings_html.value = warnings_block(list(r.warnings) if r is not None else [])

    def _render_trace(self) -> None:
        r = self.response
        self.trace_rows = trace_rows(r.trace) if r is not None else []
        self.trace_html.value = "" if r is None else trace_table(self.trace_rows)
