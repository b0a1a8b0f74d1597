"""The Lab's read-only query surface (what views, widgets, exercises and the wire read) and its constructors
(Lab(), Lab.from_world, Lab.from_document): live views that refuse writes, answers that agree with the API's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.model.world import World


@pytest.fixture(scope="module")
def fleet() -> tuple[Lab, str, str]:
    """A lab with two disks holding snapshots, one of them released, and one snapshot still progressing."""
    lab = Lab(seed=5)
    kept = lab.ready_disk(40)
    gone = lab.ready_disk(20)
    for n in range(3):
        assert lab.create_snapshot(kept, name=f"kept-{n}").ok
        lab.advance(hours=2)
    assert lab.create_snapshot(gone, name="orphan").ok
    lab.advance(hours=2)
    instance = lab.disk(gone).instance_id
    lab.detach_disk(gone, instance)
    lab.advance(minutes=5)
    lab.delete_disk(gone)
    lab.advance(minutes=5)
    assert lab.create_snapshot(kept, name="busy").ok
    return lab, kept, gone


def api_ids(lab: Lab, collection: str, item: str, key: str, action: str) -> list[str]:
    data = lab.call(action, {"RegionId": lab.region, "PageSize": 100}).data
    return [entry[key] for entry in data[collection][item]]


def test_the_collections_are_the_ones_the_api_lists(fleet: tuple[Lab, str, str]) -> None:
    lab, _kept, _gone = fleet
    listed = api_ids(lab, "Snapshots", "Snapshot", "SnapshotId", "DescribeSnapshots")
    assert sorted(lab.snapshots) == sorted(listed)
    assert sorted(lab.disks) == sorted(api_ids(lab, "Disks", "Disk", "DiskId", "DescribeDisks"))
    assert sorted(lab.instances) == sorted(api_ids(lab, "Instances", "Instance", "InstanceId", "DescribeInstances"))
    assert all(lab.snapshot(i) is lab.snapshots[i] for i in lab.snapshots)
    assert all(lab.image(i) is lab.images[i] for i in lab.images) and len(lab.images) >= 4  # the public ones
    assert lab.policies == {}


def test_the_views_refuse_writes(fleet: tuple[Lab, str, str]) -> None:
    lab, kept, _gone = fleet
    for view in (lab.disks, lab.snapshots, lab.instances, lab.images, lab.policies, lab.snapshots_of(kept)):
        with pytest.raises(TypeError):
            view["x"] = None  # type: ignore[index]
        with pytest.raises((TypeError, AttributeError)):
            view.pop("x")  # type: ignore[attr-defined]
    counts = lab.snapshot_counts()
    counts[kept] = 0  # the caller's own dict
    assert lab.snapshot_counts()[kept] == 4


def test_the_views_follow_the_lab() -> None:
    lab = Lab(seed=2)
    disks, snapshots = lab.disks, lab.snapshots
    disk = lab.ready_disk()
    of_disk = lab.snapshots_of(disk)
    assert disk in disks and len(snapshots) == 0 and len(of_disk) == 0
    snapshot_id = lab.create_snapshot(disk).data["SnapshotId"]
    assert list(snapshots) == [snapshot_id]
    assert list(lab.snapshots_of(disk)) == [snapshot_id]
    policy = lab.create_auto_snapshot_policy([1])
    assert list(lab.policies) == [policy]


def test_per_disk_answers(fleet: tuple[Lab, str, str]) -> None:
    lab, kept, gone = fleet
    assert [s.name for s in lab.snapshots_of(kept).values()] == ["kept-0", "kept-1", "kept-2", "busy"]  # oldest first
    assert gone not in lab.disks
    assert [s.name for s in lab.snapshots_of(gone).values()] == ["orphan"]  # kept after its disk is released
    assert dict(lab.snapshots_of("d-nothere")) == {}
    assert lab.snapshot_count(kept) == 4 and lab.snapshot_count(gone) == 1 and lab.snapshot_count("d-x") == 0
    assert lab.snapshot_counts() == {kept: 4, gone: 1}
    busy = lab.progressing_snapshot(kept)
    assert busy is not None and busy.name == "busy" and busy.status.value == "progressing"
    assert lab.progressing_snapshot(gone) is None and lab.progressing_snapshot("d-x") is None


def test_the_counts_leave_out_disks_whose_snapshots_are_all_gone() -> None:
    lab = Lab(seed=3)
    disk = lab.ready_disk()
    snapshot_id = lab.create_snapshot(disk).data["SnapshotId"]
    assert lab.snapshot_counts() == {disk: 1}
    lab.delete_snapshot(snapshot_id)
    assert lab.snapshot_counts() == {} and lab.snapshot_count(disk) == 0


def test_now_seconds_is_the_clock_in_seconds() -> None:
    lab = Lab(start="2026-03-01T10:00:00Z")
    assert lab.now_seconds == int(lab.now.timestamp()) == 1772359200
    lab.advance(seconds=61)
    assert lab.now_seconds == 1772359261


# ---------------------------------------------------------------- constructors


def test_from_world_makes_a_working_lab_around_a_world() -> None:
    world = World(seed=4, start=1772359200, region="cn-shanghai", zones=["cn-shanghai-a"], snapshot_quota=8)
    lab = Lab.from_world(world)
    assert lab.world is world and lab.region == "cn-shanghai" and lab.snapshot_quota == 8
    assert lab.requests == [] and lab.internal_errors == [] and lab.faults.armed == []
    disk = lab.ready_disk()
    assert lab.create_snapshot(disk).ok
    assert [r.action for r in lab.requests][-1] == "CreateSnapshot"


def test_from_world_refuses_what_is_not_a_world() -> None:
    with pytest.raises(TypeError, match="takes a World"):
        Lab.from_world({"seed": 1})  # type: ignore[arg-type]


def test_a_subclass_is_rebuilt_as_itself(tmp_path: Path) -> None:
    class MyLab(Lab):
        pass

    lab = MyLab(seed=9)
    lab.ready_disk()
    lab.save(tmp_path / "lab.json")
    loaded = MyLab.load(tmp_path / "lab.json")
    assert type(loaded) is MyLab and loaded.snapshot_counts() == lab.snapshot_counts()
    assert type(MyLab.from_document(lab.to_document())) is MyLab


def test_the_document_round_trips_and_is_checked() -> None:
    lab = Lab(seed=6)
    disk = lab.ready_disk()
    lab.create_snapshot(disk, name="one")
    doc = json.loads(json.dumps(lab.to_document()))
    copy = Lab.from_document(doc)
    assert copy.to_document() == lab.to_document()
    assert copy.requests == lab.requests and list(copy.snapshots) == list(lab.snapshots)
    doc["snapshot_quota"] = 0
    with pytest.raises(ValueError, match="snapshot_quota"):
        Lab.from_document(doc)
