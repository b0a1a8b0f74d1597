"""The API profile badge every widget shows (display.profile_badge: the rich reprs use the same)."""

from __future__ import annotations

from ..display import profile_badge

__all__ = ["profile_badge"]
