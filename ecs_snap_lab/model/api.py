"""Which documentation a lab answers by: the seed's (2018-19) or today's (2026)."""

from __future__ import annotations

from enum import StrEnum

from ..i18n import _


class Api(StrEnum):
    """An API profile. SEED is the law of the seed, the CreateSnapshot page of 2018-19, and the default; NOW is the
    behaviour the documentation describes today, where it differs (rules/differences.toml says where, and why)."""

    SEED = "seed"
    NOW = "2026"

    @classmethod
    def parse(cls, value: object) -> Api:
        """An Api from its name ("seed" or "2026"), or ValueError naming the choices."""
        if isinstance(value, Api):
            return value
        try:
            return cls(str(value))
        except ValueError:
            said = _("api must be one of {choices}, not {value}")
            choices = ", ".join(repr(a.value) for a in cls)
            raise ValueError(said.format(choices=choices, value=repr(str(value)[:40]))) from None
