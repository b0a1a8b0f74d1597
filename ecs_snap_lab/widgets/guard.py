"""Callback guard shared by every widget: a failure becomes a readable line in the widget, never a lost traceback.

A callback fired by a button or a keystroke has no caller to raise to: in JupyterLab its traceback goes to the
log console, where a learner never looks. Each widget owns one `ErrorArea` and runs its callbacks through it;
the traceback goes to the `ecs_snap_lab.widgets.guard` logger (WARNING), for whoever debugs.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..i18n import _

log = logging.getLogger(__name__)


class ErrorArea:
    """The failures of one widget's callbacks, by where they happened; each is cleared when that callback next
    succeeds, so the area shows what is wrong now, not what once was."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.widget = widgets.HTML(value="")

    def run(self, where: str, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)`, or None after showing its exception under `where`."""
        try:
            result = function(*args)
        except Exception as exc:
            log.warning("a widget callback failed: %s", where, exc_info=True)  # the widget shows no traceback
            self.errors[where] = f"{type(exc).__name__}: {exc}"
            self._render()
            return None
        if where in self.errors:
            del self.errors[where]
            self._render()
        return result

    @property
    def message(self) -> str:
        """Plain text of the area ("" when nothing failed). `where` is a label marked N_() where the callback is
        guarded, shown in the current language."""
        return "\n".join(
            _("{where} failed: {message}").format(where=_(where), message=message)
            for where, message in self.errors.items()
        )

    def _render(self) -> None:
        if not self.errors:
            self.widget.value = ""
            return
        lines = "".join(
            "<li>"
            + _("{where} failed: {message}").format(
                where=f"<b>{html.escape(_(where))}</b>", message=html.escape(message)
            )
            + "</li>"
            for where, message in self.errors.items()
        )
        self.widget.value = f'<div class="esl-error" role="alert" style="color:#a40000"><ul>{lines}</ul></div>'


class Guarded:
    """A widget whose callbacks run through its one `ErrorArea` (`self._errors`, made in its __init__)."""

    _errors: ErrorArea

    def _guard(self, where: str, function: Callable[..., Any], *args: Any) -> Any:
        return self._errors.run(where, function, *args)

    @property
    def errors(self) -> dict[str, str]:
        """Callback failures by where they happened (empty when nothing failed)."""
        return self._errors.errors

    @property
    def error_message(self) -> str:
        """The widget's error area as plain text ("" when nothing failed)."""
        return self._errors.message
