"""Lab.demo: a fleet with months of history, built through the API, the same for a seed, with something to chart."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest

from ecs_snap_lab import Lab

DAY = 86400


@pytest.fixture(scope="module")
def demo() -> Lab:
    """The default demo world (seed 0, 40 disks, 120 days); tests only read it."""
    return Lab.demo()


def codes(lab: Lab) -> Counter:
    return Counter(code for code in lab.request_log.columns["code"] if code is not None)


def event_kinds(lab: Lab) -> Counter:
    return Counter(row[1] for row in lab.events.rows)


# ---------------------------------------------------------------- determinism and the clock


def test_same_seed_builds_the_same_world(demo: Lab) -> None:
    again = Lab.demo()
    assert again.requests == demo.requests
    assert list(again.world.snapshots) == list(demo.world.snapshots)
    assert again.events.rows == demo.events.rows


def test_a_different_seed_builds_a_different_world(demo: Lab) -> None:
    other = Lab.demo(seed=1)
    assert other.seed == 1
    assert [r.request_id for r in other.requests] != [r.request_id for r in demo.requests]
    # Not only other ids: another fleet (sizes, categories) and another history.
    layout = sorted((d.size_gib, d.category, d.disk_type.value) for d in demo.world.disks.values())
    other_layout = sorted((d.size_gib, d.category, d.disk_type.value) for d in other.world.disks.values())
    assert other_layout != layout
    assert [(r.action, r.code) for r in other.requests] != [(r.action, r.code) for r in demo.requests]


def test_the_clock_ends_days_after_the_start(demo: Lab) -> None:
    start = Lab().now
    assert demo.now == start + timedelta(days=120)
    assert Lab.demo(seed=2, disks=12, days=5).now == start + timedelta(days=5)


@pytest.mark.parametrize(("seed", "disks", "days"), [(0, 12, 3), (5, 13, 4), (9, 25, 10)])
def test_small_demos_have_the_asked_size_and_no_lab_failure(seed: int, disks: int, days: int) -> None:
    lab = Lab.demo(seed=seed, disks=disks, days=days)
    assert len(lab.world.disks) == disks
    assert lab.now == Lab().now + timedelta(days=days)
    assert lab.internal_errors == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"disks": 3}, ValueError), ({"days": 1}, ValueError), ({"disks": "40"}, TypeError), ({"days": True}, TypeError)],
)
def test_demo_refuses_sizes_it_cannot_build(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        Lab.demo(**kwargs)


def test_demo_loads_neither_pandas_nor_matplotlib() -> None:
    code = (
        "import sys\nfrom ecs_snap_lab import Lab\nLab.demo(disks=12, days=3)\n"
        "loaded = [m for m in ('pandas', 'matplotlib', 'ipywidgets') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- the fleet, built through the API


def test_fleet_has_the_asked_disks_on_several_instances_with_mixed_sizes_and_categories(demo: Lab) -> None:
    disks = demo.world.disks.values()
    assert len(demo.world.disks) == 40
    assert len(demo.world.instances) >= 5
    assert {d.disk_type.value for d in disks} == {"system", "data"}
    assert len({d.size_gib for d in disks}) >= 4
    assert len({d.category for d in disks}) >= 3
    assert len({d.zone_id for d in disks}) >= 2
    assert {d.charge_type.value for d in disks} == {"PrePaid", "PostPaid"}


def test_every_resource_comes_from_an_api_call(demo: Lab) -> None:
    ok = Counter(r.action for r in demo.requests if r.status == 200)
    assert ok["RunInstances"] + ok["CreateInstance"] == len(demo.world.instances)
    made_alone = [d for d in demo.world.disks.values() if d.disk_type == "data" and d.name]
    assert ok["CreateDisk"] == len(made_alone) >= 2
    assert ok["AttachDisk"] == ok["CreateDisk"]
    assert ok["CreateAutoSnapshotPolicy"] == len(demo.world.policies) >= 2
    assert ok["ApplyAutoSnapshotPolicy"] >= 2


def test_policies_cover_many_disks_with_and_without_retention(demo: Lab) -> None:
    policies = demo.world.policies.values()
    assert {p.retention_days == -1 for p in policies} == {True, False}
    covered = [d for d in demo.world.disks.values() if d.policy_id]
    assert len(covered) >= len(demo.world.disks) // 2
    assert any(len(p.time_points) >= 3 for p in policies)


# ---------------------------------------------------------------- snapshots: kinds, states, quota, history


def test_automatic_and_manual_snapshots_are_both_present(demo: Lab) -> None:
    kinds = Counter(s.snapshot_type.value for s in demo.world.snapshots.values())
    assert kinds["auto"] >= 50
    assert kinds["user"] >= 50


def test_snapshots_end_progressing_accomplished_and_failed(demo: Lab) -> None:
    statuses = Counter(s.status.value for s in demo.world.snapshots.values())
    assert statuses["progressing"] >= 1
    assert statuses["accomplished"] >= 100
    assert statuses["failed"] >= 1


def test_manual_snapshots_vary_in_retention_tags_and_client_tokens(demo: Lab) -> None:
    user = [s for s in demo.world.snapshots.values() if s.snapshot_type == "user"]
    assert {s.retention_days is None for s in user} == {True, False}
    assert any(s.tags for s in user) and any(not s.tags for s in user)
    tokens = Counter(
        r.params["ClientToken"] for r in demo.requests if r.action == "CreateSnapshot" and "ClientToken" in r.params
    )
    assert len(tokens) >= 10
    assert any(count >= 2 for count in tokens.values()), "no retry with the same ClientToken"


def test_a_retry_with_the_same_client_token_returns_the_first_snapshot(demo: Lab) -> None:
    by_token: dict[str, list] = {}
    for r in demo.requests:
        if r.action == "CreateSnapshot" and "ClientToken" in r.params:
            by_token.setdefault(r.params["ClientToken"], []).append(r)
    retried = [rs for rs in by_token.values() if len(rs) >= 2 and rs[0].status == 500 and rs[1].status == 200]
    assert len(retried) >= 2  # after an InternalError (nothing made) and after a lost response (made)


def test_some_disks_are_at_or_near_the_quota_and_none_over(demo: Lab) -> None:
    quota = demo.snapshot_quota
    counts = [demo.world.snapshot_count(d) for d in demo.world.disks]
    assert max(counts) <= quota
    assert sum(count >= 0.9 * quota for count in counts) >= 2
    assert quota in counts


def test_old_snapshots_give_way_are_released_and_deleted(demo: Lab) -> None:
    kinds = event_kinds(demo)
    assert kinds["snapshot_released"] >= 100
    assert kinds["snapshot_deleted"] >= 10
    assert kinds["snapshot_kept"] >= 1  # retention expired while an image used it
    gave_way = [row for row in demo.events.rows if row[1] == "snapshot_deleted" and "gave way" in row[4]]
    assert gave_way


def test_history_spans_the_whole_period(demo: Lab) -> None:
    start = int(Lab().now.timestamp())
    created = [row[0] for row in demo.events.rows if row[1] == "snapshot_created"]
    assert min(created) < start + 2 * DAY
    assert max(created) > start + 119 * DAY
    requests = [r.at for r in demo.requests]
    assert min(requests) == start and max(requests) > start + 119 * DAY


# ---------------------------------------------------------------- odd states and mistakes


def test_odd_states_remain_at_the_end(demo: Lab) -> None:
    world = demo.world
    instances = world.instances.values()
    disks = world.disks.values()
    assert any("security" in i.lock_reasons for i in instances)
    assert any(i.status == "Stopped" and not i.ever_started for i in instances)
    assert any(d.in_arrears and d.charge_type == "PostPaid" for d in disks)
    assert any(d.status == "Available" and d.ever_attached and d.disk_type == "data" for d in disks)
    assert any(d.transferring_until is not None and d.transferring_until > world.now for d in disks)
    assert any(not i.public for i in world.images.values())


def test_request_log_holds_several_kinds_of_error(demo: Lab) -> None:
    seen = codes(demo)
    assert len(seen) >= 10
    for code in (
        "QuotaExceed.Snapshot",
        "IdempotentParameterMismatch",
        "InvalidSnapshotName.Malformed",
        "InternalError",
        "InstanceLockedForSecurity",
        "DiskInArrears",
        "IncorrectDiskStatus.Transferring",
        "InvalidDiskId.NotFound",
    ):
        assert seen[code] >= 1, code
    assert sum(seen.values()) < len(demo.request_log) // 4  # mostly successes


# ---------------------------------------------------------------- invariants


def test_the_lab_never_failed_inside(demo: Lab) -> None:
    assert demo.internal_errors == []


def test_indexes_and_progressing_snapshots_agree_with_the_snapshots(demo: Lab) -> None:
    world = demo.world
    assert {sid for snaps in world.by_disk.values() for sid in snaps} == set(world.snapshots)
    progressing = {s.disk_id: s.snapshot_id for s in world.snapshots.values() if s.status == "progressing"}
    assert world.progressing == progressing
    assert sum(s.status == "progressing" for s in world.snapshots.values()) == len(progressing)


def test_no_snapshot_outlives_its_retention_unless_an_image_keeps_it(demo: Lab) -> None:
    now = demo.world.now
    overdue = [
        s.snapshot_id
        for s in demo.world.snapshots.values()
        if s.release_at is not None and s.release_at <= now and not s.image_ids
    ]
    assert overdue == []
