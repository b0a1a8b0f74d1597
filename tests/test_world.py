"""The simulated world over time: instance and disk lifecycles, data loading, snapshot progress, retention,
automatic snapshots, images, the other actions' errors, the event log and the clock.

Time bounds come from the seed ("about one hour" after RunInstances / ReplaceSystemDisk; a data disk "depends on
the size of the disk data") and from the lab's documented promises (Running within 2 minutes; a first snapshot of
1 TiB takes hours, any disk up to 2 TiB finishes within 12 hours), never from the constants in model/timing.py.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from ecs_snap_lab import ApiError, Lab, Response
from ecs_snap_lab.lab import DEFAULT_IMAGE

# ---------------------------------------------------------------- helpers and fixtures


@pytest.fixture
def lab() -> Lab:
    return Lab(seed=7)


def epoch(when: datetime) -> int:
    return int(when.timestamp())


def parse_api_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def instance_status(lab: Lab, instance_id: str) -> str:
    data = lab.call("DescribeInstances", {"RegionId": lab.region, "InstanceIds": json.dumps([instance_id])}).data
    (item,) = data["Instances"]["Instance"]
    return item["Status"]


def disks_of(lab: Lab, **filters: object) -> list[dict]:
    response = lab.call("DescribeDisks", {"RegionId": lab.region, "PageSize": 100, **filters})
    assert response.ok, response
    return response.data["Disks"]["Disk"]


def system_disk(lab: Lab, instance_id: str) -> str:
    (disk,) = disks_of(lab, InstanceId=instance_id, DiskType="system")
    return disk["DiskId"]


def snapshot_item(lab: Lab, snapshot_id: str) -> dict | None:
    items = lab.describe_snapshots(SnapshotIds=json.dumps([snapshot_id]))
    assert len(items) <= 1
    return items[0] if items else None


def take_snapshot(lab: Lab, disk_id: str, **kwargs: object) -> str:
    response = lab.create_snapshot(disk_id, **kwargs)
    assert response.ok, response
    return response.data["SnapshotId"]


def finish(lab: Lab, snapshot_id: str) -> dict:
    """Let the clock run until the snapshot is accomplished, guided by RemainTime (an estimate) and read by Status."""
    item = snapshot_item(lab, snapshot_id)
    while item is not None and item["Status"] == "progressing":
        lab.advance(seconds=item["RemainTime"])
        item = snapshot_item(lab, snapshot_id)
    assert item is not None and item["Status"] == "accomplished", item
    return item


def events_of(lab: Lab, kind: str, resource_id: str | None = None) -> list:
    return [e for e in lab.events if e.kind == kind and (resource_id is None or e.resource_id == resource_id)]


def refused_for_loading(response: Response) -> bool:
    return response.code == "IncorrectDiskStatus" and response.status == 403


@pytest.fixture
def running(lab: Lab) -> str:
    """A Running instance (RunInstances, 2 minutes later); its system disk is still loading."""
    instance_id = lab.run_instance()
    lab.advance(minutes=2)
    return instance_id


@pytest.fixture
def system_snapshot(lab: Lab) -> tuple[str, str]:
    """(system disk id, id of an accomplished snapshot of it)."""
    instance_id = lab.run_instance()
    lab.advance(hours=2)
    disk_id = system_disk(lab, instance_id)
    snapshot_id = take_snapshot(lab, disk_id)
    finish(lab, snapshot_id)
    return disk_id, snapshot_id


# ---------------------------------------------------------------- instance lifecycles


def test_run_instances_goes_pending_then_starting_then_running_within_two_minutes(lab: Lab) -> None:
    started = lab.now
    instance_id = lab.run_instance()
    assert instance_status(lab, instance_id) == "Pending"
    lab.advance(seconds=40)
    assert instance_status(lab, instance_id) == "Starting"
    lab.advance(seconds=80)
    assert instance_status(lab, instance_id) == "Running"
    changes = [(e.detail, e.at - epoch(started)) for e in events_of(lab, "instance_status", instance_id)]
    assert [status for status, _ in changes] == ["Starting", "Running"]
    assert 0 < changes[0][1] <= 40 < changes[1][1] <= 120


def test_create_instance_stays_stopped_and_is_never_started(lab: Lab) -> None:
    instance_id = lab.create_instance()
    assert instance_status(lab, instance_id) == "Stopped"
    lab.advance(days=2)
    assert instance_status(lab, instance_id) == "Stopped"
    assert not lab.instance(instance_id).ever_started
    data = lab.call("DescribeInstances", {"RegionId": lab.region, "InstanceIds": json.dumps([instance_id])}).data
    assert data["Instances"]["Instance"][0]["StartTime"] == ""


def test_start_instance_passes_through_starting_for_tens_of_seconds(lab: Lab) -> None:
    instance_id = lab.create_instance()
    lab.start_instance(instance_id)
    assert instance_status(lab, instance_id) == "Starting"
    lab.advance(seconds=10)
    assert instance_status(lab, instance_id) == "Starting"
    lab.advance(minutes=2)
    assert instance_status(lab, instance_id) == "Running"
    assert lab.instance(instance_id).ever_started


def test_stop_instance_passes_through_stopping_for_tens_of_seconds(lab: Lab, running: str) -> None:
    lab.stop_instance(running)
    assert instance_status(lab, running) == "Stopping"
    lab.advance(seconds=10)
    assert instance_status(lab, running) == "Stopping"
    lab.advance(minutes=2)
    assert instance_status(lab, running) == "Stopped"


@pytest.mark.parametrize(
    ("action", "setup"),
    [
        ("StartInstance", "running"),
        ("StopInstance", "stopped"),
        ("StopInstance", "pending"),
        ("StartInstance", "starting"),
        ("ReplaceSystemDisk", "running"),
    ],
)
def test_instance_actions_refuse_the_wrong_status_with_incorrect_instance_status_403(
    lab: Lab, action: str, setup: str
) -> None:
    if setup == "pending":
        instance_id = lab.run_instance()
    elif setup == "stopped":
        instance_id = lab.create_instance()
    elif setup == "starting":
        instance_id = lab.create_instance()
        lab.start_instance(instance_id)
    else:
        instance_id = lab.run_instance()
        lab.advance(minutes=2)
    params = {"InstanceId": instance_id}
    if action == "ReplaceSystemDisk":
        params["ImageId"] = lab.instance(instance_id).image_id
    before = instance_status(lab, instance_id)
    response = lab.call(action, params)
    assert (response.code, response.status) == ("IncorrectInstanceStatus", 403)
    assert response.message == "The current status of the resource does not support this operation."
    assert instance_status(lab, instance_id) == before


def test_start_and_stop_of_a_security_locked_instance_are_refused(lab: Lab, running: str) -> None:
    lab.knobs.lock_instance(running, "security")
    data = lab.call("DescribeInstances", {"RegionId": lab.region, "InstanceIds": json.dumps([running])}).data
    assert data["Instances"]["Instance"][0]["OperationLocks"]["LockReason"] == [{"LockReason": "security"}]
    response = lab.call("StopInstance", {"InstanceId": running})
    assert (response.code, response.status) == ("InstanceLockedForSecurity", 403)
    assert response.message == "The specified operation is denied as your instance is locked for security reasons."
    assert instance_status(lab, running) == "Running"
    lab.knobs.unlock_instance(running, "security")
    lab.stop_instance(running)


# ---------------------------------------------------------------- disk data loading


def test_system_disk_refuses_snapshots_until_about_an_hour_after_run_instances(lab: Lab) -> None:
    started = lab.now
    instance_id = lab.run_instance()
    disk_id = system_disk(lab, instance_id)
    for minutes in (2, 30, 50):
        lab.advance_to(started + timedelta(minutes=minutes))
        response = lab.create_snapshot(disk_id)
        assert refused_for_loading(response), (minutes, response)
        assert response.trace[-1].check == "Disk.data_loaded"
    lab.advance_to(started + timedelta(minutes=70))
    assert lab.create_snapshot(disk_id).ok


def _loaded_after(lab: Lab, size_gib: int) -> tuple[str, datetime]:
    """A data disk created and attached now; returns (disk id, its creation time)."""
    instance_id = lab.run_instance()
    lab.advance(minutes=2)
    created = lab.now
    disk_id = lab.create_disk(size_gib)
    lab.attach_disk(disk_id, instance_id)
    lab.advance(seconds=30)
    return disk_id, created


def test_data_disk_of_100_gib_loads_within_two_hours(lab: Lab) -> None:
    disk_id, created = _loaded_after(lab, 100)
    response = lab.create_snapshot(disk_id)
    assert refused_for_loading(response), response
    lab.advance_to(created + timedelta(hours=2))
    assert lab.create_snapshot(disk_id).ok


def test_data_disk_of_32768_gib_loads_within_a_day_and_takes_longer_than_a_small_one(lab: Lab) -> None:
    big, created = _loaded_after(lab, 32768)
    small = lab.create_disk(20)
    lab.attach_disk(small, lab.disk(big).instance_id)
    lab.advance(seconds=30)
    # find when the small disk first accepts (probing each minute): the big one is still loading then
    for _ in range(24 * 60):
        if lab.create_snapshot(small).ok:
            break
        lab.advance(minutes=1)
    else:
        pytest.fail("a 20 GiB data disk never finished loading within a day")
    assert refused_for_loading(lab.create_snapshot(big))
    lab.advance_to(created + timedelta(days=1))
    assert lab.create_snapshot(big).ok


# ---------------------------------------------------------------- snapshot progress


def test_progress_grows_and_remain_time_falls_while_a_snapshot_is_created(lab: Lab) -> None:
    disk_id = lab.ready_disk(1024)
    snapshot_id = take_snapshot(lab, disk_id)
    seen = []
    for _ in range(6):
        item = snapshot_item(lab, snapshot_id)
        assert item is not None and item["Status"] == "progressing"
        seen.append((int(item["Progress"].rstrip("%")), item["RemainTime"]))
        lab.advance(minutes=20)
    progress = [p for p, _ in seen]
    assert progress == sorted(progress) and progress[-1] > progress[0]
    assert all(0 <= p < 100 for p in progress)
    # RemainTime is an estimate: within 20% of the seconds truly left, never 0 while copying, and it falls overall
    truth = [lab.snapshot(snapshot_id).done_at - (lab.snapshot(snapshot_id).created_at + 1200 * n) for n in range(6)]
    assert all(0.8 * t - 1 <= r <= 1.2 * t + 1 and r > 0 for (_, r), t in zip(seen, truth, strict=True))
    assert seen[-1][1] < seen[0][1]
    assert any(r != t for (_, r), t in zip(seen, truth, strict=True))


@pytest.mark.parametrize("size_gib", [1024, 2048])
def test_first_snapshot_of_a_large_disk_takes_hours_and_finishes_within_12_hours(lab: Lab, size_gib: int) -> None:
    disk_id = lab.ready_disk(size_gib)
    created = lab.now
    snapshot_id = take_snapshot(lab, disk_id)
    lab.advance(hours=1)
    assert snapshot_item(lab, snapshot_id)["Status"] == "progressing"
    lab.advance_to(created + timedelta(hours=12))
    item = snapshot_item(lab, snapshot_id)
    assert item["Status"] == "accomplished"
    assert item["Progress"] == "100%"
    assert item["RemainTime"] == 0


def test_a_later_incremental_snapshot_is_much_faster_than_the_first(lab: Lab) -> None:
    disk_id = lab.ready_disk(1024)
    first = take_snapshot(lab, disk_id)
    first_done = finish(lab, first)
    lab.advance(days=1)
    second = take_snapshot(lab, disk_id)
    second_done = finish(lab, second)

    def duration(item: dict) -> timedelta:
        return parse_api_time(item["LastModifiedTime"]) - parse_api_time(item["CreationTime"])

    assert duration(first_done) > timedelta(hours=1)
    assert duration(second_done) * 5 < duration(first_done)


def test_completion_moves_last_modified_time_and_keeps_creation_time(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    snapshot_id = take_snapshot(lab, disk_id)
    at_start = snapshot_item(lab, snapshot_id)
    assert at_start["CreationTime"] == at_start["LastModifiedTime"]
    assert parse_api_time(at_start["CreationTime"]) == lab.now
    done = finish(lab, snapshot_id)
    assert done["CreationTime"] == at_start["CreationTime"]
    assert done["LastModifiedTime"] != at_start["LastModifiedTime"]
    (accomplished,) = events_of(lab, "snapshot_accomplished", snapshot_id)
    assert epoch(parse_api_time(done["LastModifiedTime"])) == accomplished.at


# ---------------------------------------------------------------- retention


def test_retention_days_releases_the_snapshot_exactly_at_creation_time_plus_days(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    snapshot_id = take_snapshot(lab, disk_id, retention_days=1)
    item = snapshot_item(lab, snapshot_id)
    assert item["RetentionDays"] == 1
    release = parse_api_time(item["CreationTime"]) + timedelta(days=1)
    lab.advance_to(release - timedelta(seconds=1))
    assert snapshot_item(lab, snapshot_id) is not None
    lab.advance(seconds=1)
    assert snapshot_item(lab, snapshot_id) is None
    assert snapshot_id not in lab.world.snapshots
    (released,) = events_of(lab, "snapshot_released", snapshot_id)
    assert released.at == epoch(release)


def test_a_snapshot_without_retention_days_is_kept(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    snapshot_id = take_snapshot(lab, disk_id)
    lab.advance(days=400)
    assert snapshot_item(lab, snapshot_id) is not None
    assert "RetentionDays" not in snapshot_item(lab, snapshot_id)


# ---------------------------------------------------------------- deleting a disk


def test_deleting_a_disk_drops_progressing_snapshots_and_keeps_accomplished_user_snapshots(lab: Lab) -> None:
    disk_id = lab.ready_disk(200)
    instance_id = lab.disk(disk_id).instance_id
    kept = take_snapshot(lab, disk_id)
    finish(lab, kept)
    lab.advance(days=3)
    dropped = take_snapshot(lab, disk_id)
    lab.detach_disk(disk_id, instance_id)
    lab.advance(seconds=11)
    assert snapshot_item(lab, dropped)["Status"] == "progressing"
    lab.delete_disk(disk_id)

    assert disks_of(lab, DiskIds=json.dumps([disk_id])) == []
    assert snapshot_item(lab, dropped) is None
    assert events_of(lab, "snapshot_deleted", dropped)
    item = snapshot_item(lab, kept)
    assert item is not None and item["SourceDiskId"] == disk_id
    assert [s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk_id)] == [kept]


# ---------------------------------------------------------------- automatic snapshots


def _next_hour(lab: Lab, ahead: int = 2) -> datetime:
    return (lab.now + timedelta(hours=ahead)).replace(minute=0, second=0, microsecond=0)


def test_an_automatic_snapshot_policy_fires_at_its_hour_with_an_auto_name(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    fire_at = _next_hour(lab)
    policy_id = lab.create_auto_snapshot_policy(hours=[fire_at.hour])
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.advance_to(fire_at - timedelta(seconds=1))
    assert lab.describe_snapshots(DiskId=disk_id) == []
    lab.advance(minutes=1)
    (item,) = lab.describe_snapshots(DiskId=disk_id)
    assert item["SnapshotType"] == "auto"
    assert item["SnapshotName"].startswith(f"auto_{fire_at:%Y%m%d}_")
    assert parse_api_time(item["CreationTime"]) == fire_at
    assert [s["SnapshotId"] for s in lab.describe_snapshots(SnapshotType="auto")] == [item["SnapshotId"]]
    assert lab.describe_snapshots(SnapshotType="user") == []


def test_at_the_quota_the_oldest_automatic_snapshot_gives_way_but_a_manual_one_is_refused() -> None:
    lab = Lab(seed=7, snapshot_quota=3)
    disk_id = lab.ready_disk(40)
    policy_id = lab.create_auto_snapshot_policy(hours=range(24))
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.advance(hours=3, minutes=30)
    autos = lab.describe_snapshots(DiskId=disk_id)
    assert len(autos) == 3
    assert all(s["Status"] == "accomplished" and s["SnapshotType"] == "auto" for s in autos)
    oldest = min(autos, key=lambda s: s["CreationTime"])["SnapshotId"]

    manual = lab.create_snapshot(disk_id)
    assert (manual.code, manual.status) == ("QuotaExceed.Snapshot", 403)

    lab.advance(hours=1)
    after = lab.describe_snapshots(DiskId=disk_id)
    assert len(after) == 3
    assert oldest not in {s["SnapshotId"] for s in after}
    assert events_of(lab, "snapshot_deleted", oldest)


def test_a_disk_at_the_quota_with_only_manual_snapshots_skips_the_automatic_one() -> None:
    lab = Lab(seed=7, snapshot_quota=2)
    disk_id = lab.ready_disk(40)
    manual = [take_snapshot(lab, disk_id)]
    finish(lab, manual[0])
    manual.append(take_snapshot(lab, disk_id))
    finish(lab, manual[1])
    fire_at = _next_hour(lab)
    policy_id = lab.create_auto_snapshot_policy(hours=[fire_at.hour])
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.advance_to(fire_at + timedelta(minutes=5))
    assert sorted(s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk_id)) == sorted(manual)
    skipped = events_of(lab, "auto_snapshot_skipped", disk_id)
    assert len(skipped) == 1 and skipped[0].at == epoch(fire_at)
    assert "QuotaExceed.Snapshot" in skipped[0].detail


def test_a_policy_fires_only_on_its_weekdays(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    today = lab.now.isoweekday()
    weekday = (today + 1) % 7 + 1  # two days ahead (1 = Monday .. 7 = Sunday)
    policy_id = lab.create_auto_snapshot_policy(hours=[3], weekdays=[weekday])
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.advance(days=8)
    fired = [parse_api_time(s["CreationTime"]) for s in lab.describe_snapshots(DiskId=disk_id)]
    assert len(fired) == 1
    assert fired[0].isoweekday() == weekday
    assert (fired[0].hour, fired[0].minute, fired[0].second) == (3, 0, 0)


def test_an_automatic_snapshot_is_skipped_while_a_manual_one_is_progressing(lab: Lab) -> None:
    disk_id = lab.ready_disk(1024)
    manual = take_snapshot(lab, disk_id)
    fire_at = _next_hour(lab)
    policy_id = lab.create_auto_snapshot_policy(hours=[fire_at.hour])
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.advance_to(fire_at)
    assert snapshot_item(lab, manual)["Status"] == "progressing"
    assert [s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk_id)] == [manual]
    (skipped,) = events_of(lab, "auto_snapshot_skipped", disk_id)
    assert skipped.at == epoch(fire_at)


def test_a_policy_retention_releases_its_automatic_snapshots(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    fire_at = _next_hour(lab)
    policy_id = lab.create_auto_snapshot_policy(hours=[fire_at.hour], retention_days=1)
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.advance_to(fire_at + timedelta(minutes=30))
    (first,) = lab.describe_snapshots(DiskId=disk_id)
    assert first["RetentionDays"] == 1
    lab.advance_to(fire_at + timedelta(days=1, minutes=30))
    ids = [s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk_id)]
    assert first["SnapshotId"] not in ids
    assert len(ids) == 1  # the next day's automatic snapshot


# ---------------------------------------------------------------- images and snapshot usage


def test_create_image_refuses_a_progressing_snapshot_and_accepts_it_once_accomplished(lab: Lab) -> None:
    instance_id = lab.run_instance()
    lab.advance(hours=2)
    snapshot_id = take_snapshot(lab, system_disk(lab, instance_id))
    response = lab.call("CreateImage", {"RegionId": lab.region, "SnapshotId": snapshot_id})
    assert (response.code, response.status) == ("InvalidSnapshotId.NotReady", 403)
    finish(lab, snapshot_id)
    image_id = lab.create_image(snapshot_id)
    assert image_id.startswith("m-")
    assert snapshot_item(lab, snapshot_id)["Usage"] == "image"


def test_create_image_refuses_a_data_disk_snapshot_with_operation_denied(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    snapshot_id = take_snapshot(lab, disk_id)
    finish(lab, snapshot_id)
    response = lab.call("CreateImage", {"RegionId": lab.region, "SnapshotId": snapshot_id})
    assert (response.code, response.status) == ("OperationDenied", 403)
    assert response.message == "The specified snapshot is not from system disk."


def test_usage_follows_images_and_disks_and_guards_delete_snapshot(lab: Lab, system_snapshot) -> None:
    _, snapshot_id = system_snapshot
    assert snapshot_item(lab, snapshot_id)["Usage"] == "none"
    image_id = lab.create_image(snapshot_id)
    assert snapshot_item(lab, snapshot_id)["Usage"] == "image"
    for force in (False, True):
        with pytest.raises(ApiError) as refused:
            lab.delete_snapshot(snapshot_id, force=force)
        assert (refused.value.code, refused.value.status) == ("SnapshotCreatedImage", 403)

    new_disk = lab.create_disk(snapshot_id=snapshot_id)
    assert snapshot_item(lab, snapshot_id)["Usage"] == "image_disk"
    assert disks_of(lab, DiskIds=json.dumps([new_disk]))[0]["SourceSnapshotId"] == snapshot_id

    assert lab.call("DeleteImage", {"RegionId": lab.region, "ImageId": image_id}).ok
    assert snapshot_item(lab, snapshot_id)["Usage"] == "disk"
    with pytest.raises(ApiError) as refused:
        lab.delete_snapshot(snapshot_id)
    assert (refused.value.code, refused.value.status) == ("SnapshotCreatedDisk", 403)
    assert refused.value.message == "The snapshot has been used to create disk(s)."
    lab.delete_snapshot(snapshot_id, force=True)
    assert snapshot_item(lab, snapshot_id) is None


def test_create_disk_from_a_progressing_snapshot_is_refused(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    snapshot_id = take_snapshot(lab, disk_id)
    with pytest.raises(ApiError) as refused:
        lab.create_disk(snapshot_id=snapshot_id)
    assert (refused.value.code, refused.value.status) == ("InvalidSnapshotId.NotReady", 403)


# ---------------------------------------------------------------- DescribeDisks / DescribeInstances

DISK_KEYS = {
    "DiskId",
    "DiskName",
    "RegionId",
    "ZoneId",
    "Type",
    "Category",
    "Size",
    "Status",
    "InstanceId",
    "Device",
    "Portable",
    "Encrypted",
    "DiskChargeType",
    "DeleteWithInstance",
    "EnableAutoSnapshot",
    "SourceSnapshotId",
    "CreationTime",
    "OperationLocks",
    "Tags",
}
INSTANCE_KEYS = {
    "InstanceId",
    "InstanceName",
    "RegionId",
    "ZoneId",
    "InstanceType",
    "ImageId",
    "Status",
    "CreationTime",
}


def test_describe_disks_shape_and_filters(lab: Lab, running: str) -> None:
    data_disk = lab.create_disk(60, "cloud_ssd")
    other_zone = lab.create_disk(20, zone_id=lab.zones[1])
    response = lab.call("DescribeDisks", {"RegionId": lab.region})
    assert response.ok
    assert set(response.data) >= {"RequestId", "TotalCount", "PageNumber", "PageSize", "Disks"}
    assert response.data["TotalCount"] == 3
    for item in response.data["Disks"]["Disk"]:
        assert set(item) >= DISK_KEYS
        assert item["RegionId"] == lab.region

    (system,) = disks_of(lab, InstanceId=running)
    assert (system["Type"], system["Status"], system["Portable"]) == ("system", "In_use", False)
    assert {d["DiskId"] for d in disks_of(lab, DiskType="data")} == {data_disk, other_zone}
    assert [d["DiskId"] for d in disks_of(lab, ZoneId=lab.zones[1])] == [other_zone]
    assert [d["DiskId"] for d in disks_of(lab, Category="cloud_ssd")] == [data_disk]
    assert {d["DiskId"] for d in disks_of(lab, Status="Available")} == {data_disk, other_zone}
    (item,) = disks_of(lab, DiskIds=json.dumps([data_disk]))
    assert (item["Size"], item["Category"], item["InstanceId"]) == (60, "cloud_ssd", "")

    page = lab.call("DescribeDisks", {"RegionId": lab.region, "PageSize": 1, "PageNumber": 2}).data
    assert page["TotalCount"] == 3 and len(page["Disks"]["Disk"]) == 1


def test_describe_instances_shape_and_filters(lab: Lab, running: str) -> None:
    created = lab.create_instance(zone_id=lab.zones[1])
    response = lab.call("DescribeInstances", {"RegionId": lab.region})
    assert response.ok and response.data["TotalCount"] == 2
    for item in response.data["Instances"]["Instance"]:
        assert set(item) >= INSTANCE_KEYS
    stopped = lab.call("DescribeInstances", {"RegionId": lab.region, "Status": "Stopped"}).data
    assert [i["InstanceId"] for i in stopped["Instances"]["Instance"]] == [created]
    zone = lab.call("DescribeInstances", {"RegionId": lab.region, "ZoneId": lab.zones[0]}).data
    assert [i["InstanceId"] for i in zone["Instances"]["Instance"]] == [running]


@pytest.mark.parametrize("action", ["DescribeDisks", "DescribeInstances", "DescribeSnapshots", "CreateDisk"])
def test_region_id_missing_or_wrong(lab: Lab, action: str) -> None:
    base = {"ZoneId": lab.zones[0], "Size": 40} if action == "CreateDisk" else {}
    missing = lab.call(action, base)
    assert (missing.code, missing.status) == ("MissingParameter", 400)
    assert "RegionId" in missing.message
    wrong = lab.call(action, {**base, "RegionId": "cn-nowhere"})
    assert (wrong.code, wrong.status) == ("InvalidRegionId.NotFound", 404)
    assert wrong.message == "The specified RegionId does not exist."


# ---------------------------------------------------------------- AttachDisk / DetachDisk / DeleteDisk


def _code(response: Response) -> tuple[str | None, int]:
    return response.code, response.status


def test_attach_disk_goes_attaching_then_in_use(lab: Lab, running: str) -> None:
    disk_id = lab.create_disk(40)
    lab.attach_disk(disk_id, running)
    assert disks_of(lab, DiskIds=json.dumps([disk_id]))[0]["Status"] == "Attaching"
    lab.advance(minutes=1)
    (item,) = disks_of(lab, DiskIds=json.dumps([disk_id]))
    assert (item["Status"], item["InstanceId"]) == ("In_use", running)


def test_attach_disk_errors(lab: Lab, running: str) -> None:
    in_use = lab.create_disk(40)
    lab.attach_disk(in_use, running)
    lab.advance(minutes=1)
    again = lab.call("AttachDisk", {"DiskId": in_use, "InstanceId": running})
    assert _code(again) == ("IncorrectDiskStatus", 403)
    far = lab.create_disk(40, zone_id=lab.zones[1])
    response = lab.call("AttachDisk", {"DiskId": far, "InstanceId": running})
    assert _code(response) == ("ResourcesNotInSameZone", 403)
    assert response.message == "The specified instance and disk are not in the same zone."
    missing = lab.call("AttachDisk", {"DiskId": far, "InstanceId": "i-doesnotexist"})
    assert _code(missing) == ("InvalidInstanceId.NotFound", 404)
    no_disk = lab.call("AttachDisk", {"DiskId": "d-doesnotexist", "InstanceId": running})
    assert _code(no_disk) == ("InvalidDiskId.NotFound", 404)


def test_attach_disk_to_a_pending_instance_is_incorrect_instance_status(lab: Lab) -> None:
    instance_id = lab.run_instance()
    disk_id = lab.create_disk(40)
    response = lab.call("AttachDisk", {"DiskId": disk_id, "InstanceId": instance_id})
    assert _code(response) == ("IncorrectInstanceStatus", 400)


def test_detach_disk_errors(lab: Lab, running: str) -> None:
    other = lab.run_instance()
    lab.advance(minutes=2)
    disk_id = lab.create_disk(40)
    lab.attach_disk(disk_id, running)
    lab.advance(minutes=1)
    wrong = lab.call("DetachDisk", {"DiskId": disk_id, "InstanceId": other})
    assert _code(wrong) == ("DependencyViolation", 403)
    assert wrong.message == "The specified disk has not been attached on the specified instance."
    system = lab.call("DetachDisk", {"DiskId": system_disk(lab, running), "InstanceId": running})
    assert _code(system) == ("DiskTypeViolation", 403)
    lab.detach_disk(disk_id, running)
    detaching = lab.call("DetachDisk", {"DiskId": disk_id, "InstanceId": running})
    assert _code(detaching) == ("IncorrectDiskStatus", 403)
    lab.advance(minutes=1)
    assert disks_of(lab, DiskIds=json.dumps([disk_id]))[0]["Status"] == "Available"


def test_detach_disk_of_an_available_disk_is_incorrect_disk_status_as_the_catalogue_says(
    lab: Lab, running: str
) -> None:
    """The catalogue's IncorrectDiskStatus entry (DetachDisk) names "DetachDisk of an Available disk" as its trigger."""
    disk_id = lab.create_disk(40)
    response = lab.call("DetachDisk", {"DiskId": disk_id, "InstanceId": running})
    assert _code(response) == ("IncorrectDiskStatus", 403)


def test_delete_disk_errors(lab: Lab, running: str) -> None:
    disk_id = lab.create_disk(40)
    lab.attach_disk(disk_id, running)
    lab.advance(minutes=1)
    in_use = lab.call("DeleteDisk", {"DiskId": disk_id})
    assert _code(in_use) == ("IncorrectDiskStatus", 403)
    system = lab.call("DeleteDisk", {"DiskId": system_disk(lab, running)})
    assert _code(system) == ("DiskTypeViolation", 403)
    assert system.message == "The specified disk is a system disk and cannot support the operation."
    lab.detach_disk(disk_id, running)
    lab.advance(minutes=1)
    lab.delete_disk(disk_id)
    gone = lab.call("DeleteDisk", {"DiskId": disk_id})
    assert _code(gone) == ("InvalidDiskId.NotFound", 404)


# ---------------------------------------------------------------- ReplaceSystemDisk


def test_replace_system_disk_needs_stopped_and_gives_a_new_disk_that_loads_for_about_an_hour(
    lab: Lab, running: str
) -> None:
    old = system_disk(lab, running)
    refused = lab.call("ReplaceSystemDisk", {"InstanceId": running, "ImageId": lab.instance(running).image_id})
    assert _code(refused) == ("IncorrectInstanceStatus", 403)
    lab.stop_instance(running)
    lab.advance(minutes=1)
    replaced_at = lab.now
    new = lab.replace_system_disk(running)
    assert new != old
    assert disks_of(lab, DiskIds=json.dumps([old])) == []
    assert events_of(lab, "disk_released", old)
    assert system_disk(lab, running) == new
    lab.start_instance(running)
    lab.advance(minutes=2)
    assert refused_for_loading(lab.create_snapshot(new))
    lab.advance_to(replaced_at + timedelta(minutes=50))
    assert refused_for_loading(lab.create_snapshot(new))
    lab.advance_to(replaced_at + timedelta(minutes=70))
    assert lab.create_snapshot(new).ok


def test_replace_system_disk_waits_for_a_progressing_snapshot_of_the_system_disk(lab: Lab) -> None:
    instance_id = lab.run_instance(system_disk_size=500)
    lab.advance(hours=2)
    old = system_disk(lab, instance_id)
    snapshot_id = take_snapshot(lab, old)
    lab.stop_instance(instance_id)
    lab.advance(minutes=1)
    busy = lab.call("ReplaceSystemDisk", {"InstanceId": instance_id, "ImageId": lab.instance(instance_id).image_id})
    assert (busy.code, busy.status) == ("DiskCreatingSnapshot", 403)
    assert system_disk(lab, instance_id) == old
    finish(lab, snapshot_id)
    lab.replace_system_disk(instance_id)
    assert snapshot_item(lab, snapshot_id)["SourceDiskId"] == old  # the old disk's snapshot outlives it


def test_delete_snapshot_of_a_progressing_snapshot_cancels_it_and_frees_the_disk(lab: Lab) -> None:
    disk_id = lab.ready_disk(1024)
    snapshot_id = take_snapshot(lab, disk_id)
    lab.delete_snapshot(snapshot_id)
    assert snapshot_item(lab, snapshot_id) is None
    (deleted,) = events_of(lab, "snapshot_deleted", snapshot_id)
    assert deleted.at == epoch(lab.now)
    assert lab.create_snapshot(disk_id).ok
    lab.advance(days=1)
    assert not events_of(lab, "snapshot_accomplished", snapshot_id)


# ---------------------------------------------------------------- the event log


def test_event_log_records_state_changes_in_time_order(lab: Lab) -> None:
    disk_id = lab.ready_disk(40)
    snapshot_id = take_snapshot(lab, disk_id)
    finish(lab, snapshot_id)
    lab.advance(hours=3)
    times = [e.at for e in lab.events]
    assert times == sorted(times)
    assert times[-1] <= epoch(lab.now)

    kinds = [e.kind for e in lab.events if e.resource_id == snapshot_id]
    assert kinds == ["snapshot_created", "snapshot_accomplished"]
    created, accomplished = (e for e in lab.events if e.resource_id == snapshot_id)
    item = snapshot_item(lab, snapshot_id)
    assert created.at == epoch(parse_api_time(item["CreationTime"]))
    assert accomplished.at == epoch(parse_api_time(item["LastModifiedTime"]))
    assert created.related_id == accomplished.related_id == disk_id

    statuses = [e.detail for e in events_of(lab, "disk_status", disk_id)]
    assert statuses == ["Attaching", "In_use"]
    (loaded,) = events_of(lab, "disk_loaded", disk_id)
    assert loaded.at == lab.disk(disk_id).loaded_at
    kinds = {e.kind for e in lab.events}
    assert kinds >= {"instance_created", "instance_status", "disk_created", "disk_status", "clock_advanced"}


# ---------------------------------------------------------------- the clock


def test_advance_rejects_negative_time_and_fractional_seconds(lab: Lab) -> None:
    before = lab.now
    with pytest.raises(ValueError):
        lab.advance(seconds=-1)
    with pytest.raises(ValueError):
        lab.advance(timedelta(minutes=-5))
    with pytest.raises(ValueError):
        lab.advance(seconds=0.5)
    with pytest.raises(ValueError):
        lab.advance(timedelta(milliseconds=1500))
    assert lab.now == before


def test_advance_with_a_positional_timedelta_and_keywords(lab: Lab) -> None:
    start = lab.now
    assert lab.advance(timedelta(hours=1)) == start + timedelta(hours=1)
    assert lab.advance(timedelta(minutes=1), seconds=30) == start + timedelta(hours=1, minutes=1, seconds=30)
    assert lab.advance(days=1, hours=0.5) == start + timedelta(days=1, hours=1, minutes=31, seconds=30)
    assert lab.now.tzinfo is not None and lab.now.utcoffset() == timedelta(0)


def test_advance_to_refuses_a_time_between_whole_seconds_as_advance_does(lab: Lab) -> None:
    """advance(seconds=0.5) says "the lab's clock moves in whole seconds"; advance_to must not truncate silently."""
    with pytest.raises(ValueError):
        lab.advance_to("2026-01-01T00:00:05.5Z")


def test_advance_to_moves_to_an_absolute_time_and_never_back(lab: Lab) -> None:
    assert lab.advance_to("2026-01-02T03:04:05Z") == datetime.fromisoformat("2026-01-02T03:04:05+00:00")
    assert lab.now == datetime.fromisoformat("2026-01-02T03:04:05+00:00")
    with pytest.raises(ValueError):
        lab.advance_to("2026-01-01T00:00:00Z")
    assert lab.advance_to(lab.now) == lab.now


# ---------------------------------------------------------------- invariants under random use

OPERATIONS = (
    "advance",
    "snapshot",
    "delete_snapshot",
    "detach",
    "attach",
    "stop",
    "start",
    "delete_disk",
    "policy",
    "fault",
    "replace",
)


@settings(max_examples=examples(60))
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 5), st.integers(1, 50_000)), min_size=1, max_size=40
    )
)
def test_random_use_keeps_the_world_consistent(steps: list[tuple[str, int, int]]) -> None:
    lab = Lab(seed=3, snapshot_quota=3)
    instances = [lab.run_instance(), lab.run_instance()]
    lab.advance(minutes=2)
    disks = [lab.create_disk(40), lab.create_disk(300)]
    for disk_id, instance_id in zip(disks, instances, strict=True):
        lab.attach_disk(disk_id, instance_id)
    disks += [system_disk(lab, i) for i in instances]
    policy = lab.create_auto_snapshot_policy(hours=[1, 7, 13, 19])
    for op, pick, amount in steps:
        disk_id = disks[pick % len(disks)]
        instance_id = instances[pick % len(instances)]
        snapshot_ids = list(lab.world.snapshots)
        if op == "advance":
            lab.advance(seconds=amount)
        elif op == "snapshot":
            lab.create_snapshot(disk_id, client_token=f"t{amount % 4}")
        elif op == "delete_snapshot" and snapshot_ids:
            lab.call("DeleteSnapshot", {"SnapshotId": snapshot_ids[amount % len(snapshot_ids)], "Force": True})
        elif op == "detach":
            lab.call("DetachDisk", {"DiskId": disk_id, "InstanceId": instance_id})
        elif op == "attach":
            lab.call("AttachDisk", {"DiskId": disk_id, "InstanceId": instance_id})
        elif op == "stop":
            lab.call("StopInstance", {"InstanceId": instance_id})
        elif op == "start":
            lab.call("StartInstance", {"InstanceId": instance_id})
        elif op == "delete_disk":
            lab.call("DeleteDisk", {"DiskId": disk_id})
        elif op == "policy" and disk_id in lab.world.disks:
            lab.apply_auto_snapshot_policy(policy, [disk_id])
        elif op == "fault":
            kind = ("InternalError", "LostResponse", "SlowRequest", "SnapshotFails")[amount % 4]
            lab.faults.inject(kind, seconds=1 + amount % 120, at_progress=amount % 100)
        elif op == "replace":
            response = lab.call("ReplaceSystemDisk", {"InstanceId": instance_id, "ImageId": DEFAULT_IMAGE})
            if response.ok:
                disks.append(response.data["DiskId"])

        assert lab.internal_errors == [], lab.internal_errors[-1]
        world = lab.world
        times = [e.at for e in lab.events]
        assert times == sorted(times)
        for did, snaps in world.by_disk.items():
            assert len(snaps) <= lab.snapshot_quota
            progressing = [s for s in snaps.values() if s.status.value == "progressing"]
            assert len(progressing) <= 1
            assert world.progressing.get(did) == (progressing[0].snapshot_id if progressing else None)
        assert set(world.snapshots) == {sid for snaps in world.by_disk.values() for sid in snaps}
        for snap in world.snapshots.values():
            assert (snap.progress_at(world.now) == 100) == (snap.status.value == "accomplished")
            if snap.status.value == "progressing":
                assert snap.disk_id in world.disks
        for instance in world.instances.values():
            for did in instance.disk_ids:
                assert world.disks[did].instance_id == instance.instance_id
            assert sum(world.disks[d].disk_type.value == "system" for d in instance.disk_ids) == 1
        assert set(world.inflight) <= set(world.disks)


def test_usage_forgets_a_disk_made_from_the_snapshot_once_it_is_released() -> None:
    """Usage says what uses a snapshot now: after its only disk is released it is "none" and deletable."""
    lab = Lab(seed=21)
    disk = lab.ready_disk()
    snapshot_id = lab.create_snapshot(disk, name="base").data["SnapshotId"]
    lab.advance(hours=1)
    copy = lab.create_disk(snapshot_id=snapshot_id)
    assert lab.snapshot(snapshot_id).usage == "disk"
    assert lab.call("DeleteSnapshot", {"SnapshotId": snapshot_id}).code == "SnapshotCreatedDisk"
    lab.delete_disk(copy)
    assert lab.snapshot(snapshot_id).usage == "none"
    assert lab.call("DeleteSnapshot", {"SnapshotId": snapshot_id}).ok


def test_a_raising_listener_neither_fails_the_call_nor_stops_the_other_listeners(lab: Lab, disk: str) -> None:
    heard: list[str] = []

    def broken(event) -> None:
        raise RuntimeError("widget bug")

    lab.events.subscribe(broken)
    lab.events.subscribe(lambda event: heard.append(event.kind))
    response = lab.call("CreateSnapshot", {"DiskId": disk})
    assert response.ok, response.message
    assert lab.snapshot(response.data["SnapshotId"]).status == "progressing"
    assert "snapshot_created" in heard
    error = lab.events.listener_errors[-1]
    assert error.event.kind == "snapshot_created" and error.error == "RuntimeError: widget bug"
    assert "broken" in error.listener


def test_listener_errors_keep_only_the_newest_hundred(lab: Lab) -> None:
    lab.events.subscribe(lambda event: 1 / 0)
    for _ in range(150):
        lab.advance(hours=1)
    assert len(lab.events.listener_errors) == 100
    assert lab.events.listener_errors[-1].event.at == int(lab.events.rows[-1][0])


def test_settled_listeners_hear_once_per_call_and_per_advance_not_per_event(lab: Lab, disk: str) -> None:
    settled: list[int] = []
    logged: list[int] = []
    lab.events.subscribe_settled(lambda: (settled.append(len(lab.events)), logged.append(len(lab.request_log))))
    lab.create_snapshot(disk)
    assert len(settled) == 1 and settled[-1] == len(lab.events)
    assert logged[-1] == len(lab.request_log)  # the request is logged before listeners hear
    before = len(lab.events)
    lab.advance(days=3)
    assert len(lab.events) - before > 1 and len(settled) == 2
    lab.call("CreateSnapshot", {"DiskId": "d-nothere"})  # refused: no event, nothing to tell
    assert len(settled) == 2


def test_a_batch_settles_once_at_its_end_and_a_knob_outside_any_operation_settles_at_once(lab: Lab) -> None:
    settled: list[int] = []
    lab.events.subscribe_settled(lambda: settled.append(len(lab.events)))
    with lab.batch():
        disk = lab.ready_disk()
        lab.create_snapshot(disk)
        assert settled == []
    assert settled == [len(lab.events)]
    lab.knobs.set_balance(-1)
    assert len(settled) == 2


def test_an_operation_interrupted_by_an_exception_still_settles(lab: Lab) -> None:
    settled: list[int] = []
    lab.events.subscribe_settled(lambda: settled.append(1))
    with pytest.raises(RuntimeError), lab.batch():
        lab.run_instance()
        raise RuntimeError("stop")
    assert settled == [1]
    lab.advance(hours=1)
    assert settled == [1, 1]
