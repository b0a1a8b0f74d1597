"""The API profile a widget's lab answers by, as every widget shows it: a learner must never wonder whether an
answer is the seed's (2018-19) or today's."""

from __future__ import annotations

import html

from ..rules.profile import profile

_COLOURS = {"seed": "#0969da", "2026": "#8250df"}  # distinct hues, each with 4.5:1 contrast on white


def profile_badge(api: str) -> str:
    """A small labelled tag: "API: seed (2018-19 page)" or "API: 2026 (today's documentation)"."""
    chosen = profile(api)
    colour = _COLOURS[chosen.api.value]
    words = html.escape(f"API: {chosen.label}")
    return (
        f'<span class="esl-api" data-api="{chosen.api.value}" title="The API profile this lab answers by" '
        f'style="color:{colour};border:1px solid {colour};border-radius:4px;padding:0 4px">{words}</span>'
    )
