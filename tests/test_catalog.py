"""The rule table is the seed's table: every row, word for word, and every check cites a known code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from seed_tables import seed_errors

from ecs_snap_lab import error_catalog, reproduce
from ecs_snap_lab.actions import ACTIONS
from ecs_snap_lab.recipes import reproducible_codes
from ecs_snap_lab.rules.catalog import checks, lookup


def test_the_catalogue_holds_every_seed_row_in_order_word_for_word() -> None:
    """Against the seed's table as copied into tests/data/seed_errors.toml: status, code, message, description."""
    rows = [(r.http_status, r.code, r.message, r.description) for r in seed_errors()]
    seeded = [e for e in error_catalog() if e.row is not None]
    assert len(rows) == 30
    assert [(e.http_status, e.code, e.message, e.description) for e in seeded] == rows
    assert [e.row for e in seeded] == list(range(1, 31))


def test_every_entry_says_where_its_rule_comes_from() -> None:
    for entry in error_catalog():
        assert entry.basis in {"seed", "model choice"}, entry.code
        assert entry.trigger and entry.sentence and entry.description, entry.code
        assert entry.origin == ("seed" if entry.row else "common")


def test_every_check_fails_with_a_catalogued_code() -> None:
    for check in checks().values():
        assert check.basis in {"seed", "model choice", "api fact"}, check.id
        assert check.rule and check.source, check.id
        if check.code:
            lookup(check.code)


def test_every_check_the_code_names_is_in_the_table() -> None:
    package = Path(__file__).resolve().parents[1] / "ecs_snap_lab"
    source = "\n".join(p.read_text() for p in package.rglob("*.py"))
    named = set(re.findall(r'"((?:[A-Z][A-Za-z]+)(?:\.[a-z_]+)+)"', source)) - {"ecs_snap_lab.world"}
    named = {n for n in named if n.split(".")[0] in {c.split(".")[0] for c in checks()}}
    assert named, "no check ids found in the source"
    assert named <= set(checks()), sorted(named - set(checks()))


def test_a_code_can_answer_differently_per_action() -> None:
    assert lookup("IncorrectInstanceStatus", "CreateSnapshot").http_status == 400
    assert lookup("IncorrectInstanceStatus", "StartInstance").http_status == 403
    assert lookup("IdempotentParameterMismatch", "CreateSnapshot").http_status == 403
    assert lookup("IdempotentParameterMismatch", "CreateDisk").http_status == 400
    assert lookup("InternalError", variant="after").row == 26


@pytest.mark.parametrize("entry", [e for e in error_catalog() if e.row], ids=lambda e: f"row{e.row}-{e.code}")
def test_reproduce_every_seed_row(entry) -> None:
    made = reproduce(entry.code, entry.row)
    assert made.response.code == entry.code
    assert made.response.status == entry.http_status
    assert made.response.message == entry.message  # seed rows carry no placeholder
    assert not made.response.ok
    assert made.lab.internal_errors == []
    assert made.explain().startswith(entry.code)


@pytest.mark.parametrize("code", reproducible_codes())
def test_reproduce_every_code_with_a_recipe(code: str) -> None:
    made = reproduce(code)
    assert made.response.code == code
    assert made.response.status == made.entry.http_status
    assert made.action in ACTIONS or code == "InvalidAction.NotFound"


def test_every_catalogued_code_has_a_recipe() -> None:
    assert set(reproducible_codes()) == {e.code for e in error_catalog()}


def test_reproduce_refuses_an_unknown_code() -> None:
    with pytest.raises(KeyError):
        reproduce("NoSuchCode")


def test_reproduce_stays_a_function_after_its_recipes_module_is_loaded() -> None:
    """A submodule named like the function would replace it on the package at first import."""
    import ecs_snap_lab

    first = ecs_snap_lab.reproduce("InvalidDiskId.NotFound")
    second = ecs_snap_lab.reproduce("InvalidDiskId.NotFound")
    assert callable(ecs_snap_lab.reproduce)
    assert first.response.code == second.response.code == "InvalidDiskId.NotFound"


@pytest.mark.parametrize(
    "entry", [e for e in error_catalog() if e.row is None and e.actions], ids=lambda e: f"{e.code}-{e.actions[0]}"
)
def test_reproduce_with_an_action_answers_that_actions_entry(entry) -> None:
    """A code that another action answers with its own status or message is reproduced through that action."""
    reproduction = reproduce(entry.code, action=entry.actions[0])
    assert reproduction.action == entry.actions[0]
    assert reproduction.entry == entry
    assert (reproduction.response.code, reproduction.response.status) == (entry.code, entry.http_status)


def test_reproduce_refuses_an_action_the_code_has_no_entry_for() -> None:
    with pytest.raises(KeyError, match="for DeleteImage"):
        reproduce("IdempotentParameterMismatch", action="DeleteImage")


def test_reproduce_through_an_action_without_a_recipe_says_so_rather_than_use_another_action() -> None:
    with pytest.raises(KeyError, match="through AttachDisk"):
        reproduce("IncorrectInstanceStatus", action="AttachDisk")
