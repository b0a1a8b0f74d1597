"""checks.toml is the one statement of the checks and their order: the code applies it, traces follow it, the
docs page is generated from it, and what an action requires is its declaration, read by the call and by validate."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ecs_snap_lab import Lab, validate
from ecs_snap_lab.actions import snapshots
from ecs_snap_lab.actions.base import ACTIONS, REGION_PARAMS
from ecs_snap_lab.actions.world_checks import REGISTRY, world_check_order
from ecs_snap_lab.rules import params
from ecs_snap_lab.rules.catalog import checks, in_table_order

ROOT = Path(__file__).resolve().parents[1]
WORLD_STEPS = range(8, 18)


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_page_is_the_table() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == load_script("make_rules").render(), "docs/rules.md is stale: run `make docs`"


def test_every_check_of_the_table_is_on_the_page_with_its_code() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for check in checks().values():
        if check.code:
            assert f"| `{check.id}` | " in page and f" | {check.code} | " in page, check.id


def test_every_world_check_has_its_row_and_every_world_row_its_check() -> None:
    rows = {check.id for check in checks().values() if check.number and int(check.number) in WORLD_STEPS}
    assert set(REGISTRY) == rows


def test_every_parameter_rule_has_its_row() -> None:
    for family in (params.NAME_RULES, params.DESCRIPTION_RULES, params.TAG_RULES):
        assert [check for check, _ in in_table_order(family)] == [c for c in checks() if c in family]
    with pytest.raises(KeyError, match=r"Tag\.key\.colour"):
        in_table_order({**params.TAG_RULES, "Tag.key.colour": None})


def test_applies_names_a_kind_of_disk() -> None:
    assert {check.applies for check in checks().values()} == {"", "disk", "volume"}
    assert all(int(c.number) in WORLD_STEPS for c in checks().values() if c.applies)


# Rules that run only when their parameter is given, and refuse it whenever it is: a passing request never meets them.
REFUSED_WHEN_GIVEN = {"ResourceGroupId.exists", "StorageLocationArn.authorized"}


def expected_trace(kind: str, api: str = "seed") -> list[str]:
    """The numbered rows of the table in its order, without those for the other kind of disk or another profile."""
    other = "volume" if kind == "disk" else "disk"
    rows = checks().values()
    return [
        c.id for c in rows if c.number and c.applies != other and c.api in ("", api) and c.id not in REFUSED_WHEN_GIVEN
    ]


def full_create(lab: Lab, disk_id: str) -> list[str]:
    extra = {"Category": "Standard"} if lab.api == "2026" else {}  # a parameter only today's API has
    response = lab.call(
        "CreateSnapshot",
        {"DiskId": disk_id, "SnapshotName": "full", "Description": "every check", "RetentionDays": 7}
        | {"Tag.1.Key": "env", "Tag.1.Value": "prod", "ClientToken": "t-1"}
        | extra,
    )
    assert response.ok, response.explain()
    return [step.check for step in response.trace if step.check not in ("Action.known", "Effect")]


def test_a_disk_goes_through_the_table_in_its_order(lab: Lab, disk: str) -> None:
    assert full_create(lab, disk) == expected_trace("disk")


def test_a_disk_goes_through_the_table_in_its_order_in_the_2026_profile() -> None:
    lab = Lab(seed=7, api="2026")
    assert full_create(lab, lab.ready_disk()) == expected_trace("disk", "2026")
    assert "Category.valid" in expected_trace("disk", "2026") and "Category.valid" not in expected_trace("disk")


def test_a_shared_volume_goes_through_the_table_in_its_order(lab: Lab) -> None:
    instance_id = lab.run_instance()
    volume = lab.create_disk(40, "san_ssd")
    lab.advance(minutes=5)  # the instance is Running
    lab.attach_disk(volume, instance_id)
    lab.advance(hours=2)
    assert full_create(lab, volume) == expected_trace("volume")


def test_an_automatic_snapshot_skips_only_the_quota() -> None:
    for volume in (False, True):
        with_quota = world_check_order(volume)
        assert [c for c in with_quota if c != "Disk.under_quota"] == list(world_check_order(volume, quota=False))


# ---------------------------------------------------------------- what an action requires


def requiring() -> list[tuple[str, str]]:
    return [(name, param) for name, spec in ACTIONS.items() for param in spec.required]


@pytest.mark.parametrize(("action", "missing"), requiring(), ids=lambda v: v)
def test_a_missing_requirement_is_named_alike_by_the_call_and_by_validate(lab: Lab, action: str, missing: str) -> None:
    given = {p: (lab.region if p in REGION_PARAMS else "x-1") for p in ACTIONS[action].required if p != missing}
    response = lab.call(action, given)
    assert (response.code, response.trace[-1].check) == ("MissingParameter", "Required.present")
    named = "RegionId" if missing in REGION_PARAMS else missing  # the call names the region RegionId, as ever
    assert response.trace[-1].detail == f"{named} is required by {action}"
    assert [(v.param, v.check) for v in validate(action, given)] == [(missing, "Required.present")]


@pytest.mark.parametrize("action", sorted(name for name, spec in ACTIONS.items() if spec.required))
def test_requirements_are_checked_first_region_then_the_rest(lab: Lab, action: str) -> None:
    required = ACTIONS[action].required
    given = {p: (lab.region if p in REGION_PARAMS else "x-1") for p in required}
    assert validate(action, given) == []
    trace = [step.check for step in lab.call(action, given).trace]
    region = required[0] in REGION_PARAMS
    expected = [
        "Action.known",
        *(["RegionId.known"] if region else []),
        *(["Required.present"] * (len(required) > region)),
    ]
    assert trace[: len(expected)] == expected


# ---------------------------------------------------------------- automatic snapshots: a refusal skips, a bug does not


def test_a_refused_automatic_snapshot_is_skipped_with_its_code(lab: Lab) -> None:
    disk_id = lab.ready_disk()
    policy_id = lab.create_auto_snapshot_policy(hours=list(range(24)))
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.knobs.set_in_arrears(disk_id)
    lab.advance(hours=1)
    skipped = [e for e in lab.events if e.kind == "auto_snapshot_skipped"]
    assert skipped and all("DiskInArrears" in e.detail for e in skipped)


def test_a_bug_while_firing_a_policy_is_not_turned_into_a_skip(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    disk_id = lab.ready_disk()
    policy_id = lab.create_auto_snapshot_policy(hours=list(range(24)))
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in a check")

    monkeypatch.setattr(snapshots, "check_world", broken)
    with pytest.raises(ZeroDivisionError):
        lab.advance(hours=1)
    assert not [e for e in lab.events if e.kind == "auto_snapshot_skipped"]
