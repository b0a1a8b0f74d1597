"""The seed's two tables, read from the test data in tests/data/ (copied from seed/CreateSnapshot.md, see the files'
headers): the tests check the lab against these, word for word, and never read anything outside the repository."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class SeedError:
    """One row of the seed's "Error codes" table."""

    row: int
    http_status: int
    code: str
    message: str
    description: str


@dataclass(frozen=True)
class SeedParameter:
    """One row of the seed's "Request parameters" table."""

    name: str
    type: str
    required: bool
    example: str
    description: str


def _load(name: str) -> dict:
    with (DATA / name).open("rb") as file:
        return tomllib.load(file)


@cache
def seed_errors() -> tuple[SeedError, ...]:
    """Every row of the error table, in the seed's order."""
    rows = tuple(SeedError(**row) for row in _load("seed_errors.toml")["error"])
    assert [r.row for r in rows] == list(range(1, len(rows) + 1)), "seed_errors.toml: rows out of order"
    return rows


@cache
def seed_parameters() -> tuple[SeedParameter, ...]:
    """Every row of the request-parameter table, in the seed's order."""
    rows = _load("seed_parameters.toml")["parameter"]
    assert {row["required"] for row in rows} <= {"Yes", "No"}, "seed_parameters.toml: Required is Yes or No"
    return tuple(SeedParameter(**{**row, "required": row["required"] == "Yes"}) for row in rows)
