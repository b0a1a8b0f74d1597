"""API profiles: the values of the rules that differ between the seed and today's documentation.

Each value is stated once, in differences.toml, with the sentence and page behind it; a Profile is the set of values
one lab answers by. The rules read their profile's values; nothing else names 64 or 256.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..i18n import N_, _
from ..model.api import Api

__all__ = ["Api", "Difference", "Profile", "api_differences", "differences", "profile"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One fact that differs between the profiles, its value in each and where each value comes from."""

    id: str
    topic: str
    seed: object
    now: object
    seed_source: str
    now_source: str
    page: str

    def value(self, api: Api) -> object:
        return self.now if api is Api.NOW else self.seed

    def source(self, api: Api) -> str:
        return self.now_source if api is Api.NOW else self.seed_source


@cache
def differences() -> dict[str, Difference]:
    text = resources.files(__package__).joinpath("differences.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text)["difference"]
    table = {row["id"]: Difference(**row) for row in rows}
    for row in table.values():
        if type(row.seed) is not type(row.now):
            raise TypeError(
                f"differences.toml: {row.id} has a {type(row.seed).__name__} seed value and a "
                f"{type(row.now).__name__} now value"
            )
    return table


@dataclass(frozen=True, slots=True)
class Profile:
    """The values one API profile answers by (differences.toml, read once)."""

    api: Api
    manual_quota: int  # snapshots a disk may hold before CreateSnapshot is refused
    auto_counted_apart: bool  # automatic snapshots do not count against manual_quota
    auto_limit: int  # automatic snapshots a disk keeps, counted apart, before the oldest gives way
    available_after_attach: bool  # an Available disk that was attached before can be snapshotted
    name_period: bool  # SnapshotName may contain "."
    tag_key_max: int  # characters of a tag key
    tag_value_prefix_banned: bool  # a tag value may not start with aliyun or acs:

    @property
    def label(self) -> str:
        """How a widget or repr names the profile."""
        return N_("seed (2018-19 page)") if self.api is Api.SEED else N_("2026 (today's documentation)")


@cache
def profile(api: Api | str = Api.SEED) -> Profile:
    """The profile of `api` ("seed" or "2026")."""
    chosen = Api.parse(api)
    values = {name: row.value(chosen) for name, row in differences().items()}
    return Profile(api=chosen, **values)  # type: ignore[arg-type]


def api_differences() -> list[dict[str, object]]:
    """Every difference between the profiles as rows for a table (pd.DataFrame(api_differences())): what it is
    about (in the lab's language), its value in each profile, the seed's sentence, today's sentence and the page it
    is on (the pages' own English). The keys are the columns' names that code indexes by: they stay English."""
    return [
        {
            "topic": _(row.topic),
            "seed": row.seed,
            "2026": row.now,
            "the seed says": row.seed_source,
            "today's documentation says": row.now_source,
            "page": row.page,
        }
        for row in differences().values()
    ]
