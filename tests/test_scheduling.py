"""One registry of scheduled happenings (model.world.HANDLERS): each Happening has exactly one handler, registered
by the module that owns it, and a World runs them all by itself, with or without a Lab around it."""

from __future__ import annotations

import pytest

from ecs_snap_lab.actions.snapshots import finish_slow, fire_policy
from ecs_snap_lab.model.clock import Happening, parse_time, to_iso
from ecs_snap_lab.model.events import EventKind
from ecs_snap_lab.model.resources import ChargeType, DiskType, SnapshotStatus, SnapshotType
from ecs_snap_lab.model.world import HANDLERS, PUBLIC_IMAGES, World, handles

START = parse_time("2026-01-05T00:00:00Z")


def attached_data_disk(world: World) -> str:
    """An instance (running within minutes) with a loaded data disk, made on the world directly."""
    zone = world.zones[0]
    instance = world.add_instance(
        zone_id=zone,
        instance_type="ecs.g7.large",
        image_id=PUBLIC_IMAGES[0][0],
        name=None,
        charge_type=ChargeType.POSTPAID,
        start=True,
    )
    disk = world.add_disk(zone_id=zone, category="cloud_essd", size_gib=40, disk_type=DiskType.DATA, instance=instance)
    world.run_until(disk.loaded_at + 60)
    return disk.disk_id


def test_every_happening_has_a_handler() -> None:
    assert set(HANDLERS) == set(Happening)
    assert HANDLERS[Happening.POLICY_FIRE] is fire_policy
    assert HANDLERS[Happening.REQUEST_DONE] is finish_slow


def test_a_world_alone_fires_its_snapshot_policies() -> None:
    world = World(seed=3, start=START, region="cn-hangzhou", zones=["cn-hangzhou-h"], snapshot_quota=64)
    disk_id = attached_data_disk(world)
    policy = world.add_policy("nightly", [3], list(range(1, 8)), -1)
    policy.disk_ids.append(disk_id)
    world.disks[disk_id].policy_id = policy.policy_id

    world.run_until(world.now + 2 * 86400)

    autos = [s for s in world.snapshots.values() if s.snapshot_type is SnapshotType.AUTO]
    assert [s.name for s in autos] == ["auto_20260105_1", "auto_20260106_1"]
    assert [to_iso(s.created_at)[11:] for s in autos] == ["03:00:00Z", "03:00:00Z"]
    assert all(s.status is SnapshotStatus.ACCOMPLISHED for s in autos)  # and the model's own handlers ran too
    assert not any(e.kind == EventKind.AUTO_SNAPSHOT_SKIPPED for e in world.events)


def test_a_world_alone_skips_a_disk_the_rules_refuse() -> None:
    world = World(seed=3, start=START, region="cn-hangzhou", zones=["cn-hangzhou-h"], snapshot_quota=64)
    disk_id = attached_data_disk(world)
    policy = world.add_policy("nightly", [3], list(range(1, 8)), -1)
    policy.disk_ids.append(disk_id)
    disk = world.disks[disk_id]
    disk.policy_id = policy.policy_id
    disk.in_arrears = True  # the rules of CreateSnapshot (actions) refuse it: the firing is skipped, and logged

    world.run_until(world.now + 86400)

    assert not world.snapshots
    skipped = [e for e in world.events if e.kind == EventKind.AUTO_SNAPSHOT_SKIPPED]
    assert [(e.resource_id, e.related_id) for e in skipped] == [(disk_id, policy.policy_id)]


def test_a_happening_has_one_handler_only() -> None:
    assert handles(Happening.POLICY_FIRE)(fire_policy) is fire_policy  # the same one again (a module reloaded)
    with pytest.raises(ValueError, match=r"already handled by ecs_snap_lab\.actions\.snapshots\.fire_policy"):
        handles(Happening.POLICY_FIRE)(lambda world, due: None)
    assert HANDLERS[Happening.POLICY_FIRE] is fire_policy


def test_a_happening_nothing_handles_is_an_error_not_silence() -> None:
    world = World(seed=1, start=START, region="cn-hangzhou", zones=["cn-hangzhou-h"], snapshot_quota=64)
    world.schedule.at(START + 10, "no_such_happening", "x")  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="no_such_happening"):
        world.run_until(START + 60)
