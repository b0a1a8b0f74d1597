"""lab.frames and views.error_table: the frames say what the world holds, with the contract's columns and dtypes."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pandas as pd
import pytest

from ecs_snap_lab import Lab, error_catalog
from ecs_snap_lab.model.events import EventKind
from ecs_snap_lab.model.resources import ALL_CATEGORIES, DiskStatus, InstanceStatus
from ecs_snap_lab.views import Frames, error_table

UTC = "datetime64[ns, UTC]"
SNAPSHOT_DTYPES = {
    "SnapshotId": "string",
    "SnapshotName": "string",
    "SourceDiskId": "string",
    "SourceDiskSize": "Int64",
    "SourceDiskType": "category",
    "Status": "category",
    "Progress": "Int64",
    "RemainTime": "Int64",
    "SnapshotType": "category",
    "Usage": "category",
    "RetentionDays": "Int64",
    "CreationTime": UTC,
    "LastModifiedTime": UTC,
    "AccomplishedTime": UTC,
    "ReleaseTime": UTC,
    "Encrypted": "bool",
}
DISK_DTYPES = {
    "DiskId": "string",
    "DiskName": "string",
    "ZoneId": "category",
    "Category": "category",
    "Size": "Int64",
    "Type": "category",
    "Status": "category",
    "InstanceId": "string",
    "Portable": "bool",
    "Encrypted": "bool",
    "DiskChargeType": "category",
    "CreationTime": UTC,
    "LoadedTime": UTC,
    "SnapshotCount": "Int64",
    "Quota": "Int64",
    "AutoSnapshotPolicyId": "string",
    "InArrears": "bool",
    "Expired": "bool",
    "Transferring": "bool",
    "DeviceFault": "bool",
}
INSTANCE_DTYPES = {
    "InstanceId": "string",
    "InstanceName": "string",
    "ZoneId": "category",
    "InstanceType": "string",
    "ImageId": "string",
    "Status": "category",
    "CreationTime": UTC,
    "StartTime": UTC,
    "EverStarted": "bool",
    "LockReasons": "string",
    "SecurityLocked": "bool",
    "DiskCount": "Int64",
}
REQUEST_DTYPES = {
    "Time": UTC,
    "Action": "category",
    "DiskId": "string",
    "SnapshotId": "string",
    "InstanceId": "string",
    "ClientToken": "string",
    "HttpStatus": "Int64",
    "Code": "category",
    "RequestId": "string",
    "Ok": "bool",
}
EVENT_DTYPES = {"Time": UTC, "Kind": "category", "ResourceId": "string", "RelatedId": "string", "Detail": "string"}
ERROR_DTYPES = {
    "Row": "Int64",
    "Code": "string",
    "HttpStatus": "Int64",
    "Message": "string",
    "Description": "string",
    "Sentence": "string",
    "Trigger": "string",
    "Basis": "category",
    "Origin": "category",
    "Actions": "string",
}


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


def ts(seconds: int) -> pd.Timestamp:
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def by_id(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.set_index(column, drop=False)


@pytest.fixture
def busy(lab: Lab) -> Lab:
    """A lab with accomplished, progressing, failed, retained, imaged and cloned snapshots on three disks."""
    first = lab.ready_disk(size_gib=40)
    second = lab.ready_disk(size_gib=200)
    assert lab.create_snapshot(first, name="kept", retention_days=30).ok
    assert lab.create_snapshot(second, name="other").ok
    lab.advance(hours=2)
    system = lab.instance(lab.disk(first).instance_id).disk_ids[0]  # images come from system disk snapshots
    imaged = lab.create_snapshot(system, name="imaged").data["SnapshotId"]
    lab.advance(hours=1)
    lab.create_image(imaged)
    lab.create_disk(snapshot_id=imaged)
    lab.faults.inject("SnapshotFails", at_progress=40, disk_id=second)
    assert lab.create_snapshot(second, name="doomed").ok
    lab.advance(hours=1)
    assert lab.create_snapshot(first, name="running").ok  # progressing when the frames are taken
    lab.advance(seconds=5)
    return lab


# ---------------------------------------------------------------------------- dtypes


def test_every_frame_has_the_contract_columns_and_dtypes(busy: Lab) -> None:
    frames = busy.frames
    assert dtypes(frames.snapshots()) == SNAPSHOT_DTYPES
    assert dtypes(frames.snapshots(include_gone=True)) == SNAPSHOT_DTYPES
    assert dtypes(frames.disks()) == DISK_DTYPES
    assert dtypes(frames.instances()) == INSTANCE_DTYPES
    assert dtypes(frames.requests()) == REQUEST_DTYPES
    assert dtypes(frames.events()) == EVENT_DTYPES
    assert dtypes(error_table()) == ERROR_DTYPES


def test_an_empty_lab_gives_empty_frames_with_the_same_dtypes() -> None:
    frames = Lab(seed=1).frames
    assert isinstance(frames, Frames)
    for frame, expected in (
        (frames.snapshots(), SNAPSHOT_DTYPES),
        (frames.snapshots(include_gone=True), SNAPSHOT_DTYPES),
        (frames.disks(), DISK_DTYPES),
        (frames.instances(), INSTANCE_DTYPES),
        (frames.requests(), REQUEST_DTYPES),
    ):
        assert len(frame) == 0
        assert dtypes(frame) == expected


def test_categories_are_fixed_lists_whatever_the_world_holds() -> None:
    lab = Lab(seed=2)
    snapshots, disks, instances = lab.frames.snapshots(), lab.frames.disks(), lab.frames.instances()
    assert list(snapshots["Status"].cat.categories) == ["progressing", "accomplished", "failed", "released", "deleted"]
    assert list(snapshots["SnapshotType"].cat.categories) == ["auto", "user"]
    assert list(snapshots["SourceDiskType"].cat.categories) == ["system", "data"]
    assert list(snapshots["Usage"].cat.categories) == ["none", "image", "disk", "image_disk"]
    assert set(disks["Category"].cat.categories) == ALL_CATEGORIES
    assert list(disks["Status"].cat.categories) == [s.value for s in DiskStatus]
    assert list(disks["DiskChargeType"].cat.categories) == ["PrePaid", "PostPaid"]
    assert list(instances["Status"].cat.categories) == [s.value for s in InstanceStatus]
    assert list(lab.frames.events()["Kind"].cat.categories) == [k.value for k in EventKind]
    assert {e.code for e in error_catalog()} <= set(lab.frames.requests()["Code"].cat.categories)


# ---------------------------------------------------------------------------- snapshots


def test_snapshots_frame_matches_every_live_snapshot(busy: Lab) -> None:
    world = busy.world
    frame = busy.frames.snapshots()
    assert len(frame) == len(world.snapshots)
    assert set(frame["SnapshotId"]) == set(world.snapshots)
    for row in frame.itertuples(index=False):
        snap = world.snapshots[row.SnapshotId]
        assert row.SnapshotName == snap.name
        assert row.SourceDiskId == snap.disk_id
        assert row.SourceDiskSize == snap.disk_size_gib
        assert row.SourceDiskType == snap.disk_type.value
        assert row.Status == snap.status.value
        assert row.Progress == snap.progress_at(world.now)
        assert row.RemainTime == snap.remain_at(world.now)
        assert row.SnapshotType == snap.snapshot_type.value
        assert row.Usage == snap.usage
        assert row.CreationTime == ts(snap.created_at)
        assert row.LastModifiedTime == ts(snap.modified_at)
        assert row.Encrypted == snap.encrypted
        if snap.retention_days is None:
            assert pd.isna(row.RetentionDays) and pd.isna(row.ReleaseTime)
        else:
            assert row.RetentionDays == snap.retention_days
            assert row.ReleaseTime == row.CreationTime + timedelta(days=snap.retention_days)
        if snap.status == "accomplished":
            assert row.AccomplishedTime == ts(snap.done_at)
        else:
            assert pd.isna(row.AccomplishedTime)


def test_snapshots_frame_shows_progress_failure_and_usage(busy: Lab) -> None:
    frame = by_id(busy.frames.snapshots(), "SnapshotName")
    assert frame.loc["kept", "Status"] == "accomplished" and frame.loc["kept", "Progress"] == 100
    assert frame.loc["doomed", "Status"] == "failed" and frame.loc["doomed", "Progress"] == 40
    assert frame.loc["doomed", "RemainTime"] == 0
    running = frame.loc["running"]
    assert running["Status"] == "progressing"
    assert 0 <= running["Progress"] < 100 and running["RemainTime"] > 0
    assert frame.loc["imaged", "Usage"] == "image_disk"  # an image and a disk were made from it
    assert frame.loc["imaged", "SourceDiskType"] == "system"
    assert frame.loc["other", "Usage"] == "none"


def test_snapshots_are_sorted_by_creation_time_then_id() -> None:
    lab = Lab(seed=5)
    for _ in range(3):
        lab.call("RunInstances", {"RegionId": lab.region, "ImageId": "ubuntu_22_04_x64_20G_alibase_20240926.vhd",
                                  "InstanceType": "ecs.g7.large", "Amount": 10})  # fmt: skip
    lab.advance(hours=1, minutes=5)
    system_disks = [instance.disk_ids[0] for instance in lab.world.instances.values()]
    for _ in range(3):
        for disk_id in system_disks:  # 30 snapshots in the same second, in id-random order
            assert lab.create_snapshot(disk_id).ok
        lab.advance(hours=1)
    frame = lab.frames.snapshots()
    keys = list(zip(frame["CreationTime"], frame["SnapshotId"], strict=True))
    assert keys == sorted(keys)
    assert len(frame) == 90 and frame["SnapshotId"].is_unique
    assert frame.index.equals(pd.RangeIndex(90))


def test_gone_snapshots_come_back_from_the_event_log_with_their_removal(lab: Lab) -> None:
    disk = lab.ready_disk()
    retained = lab.create_snapshot(disk, name="short", retention_days=1).data["SnapshotId"]
    lab.advance(hours=1)
    deleted = lab.create_snapshot(disk, name="deleted").data["SnapshotId"]
    lab.advance(hours=1)
    deleted_at = lab.world.now + 600
    lab.advance(seconds=600)
    lab.delete_snapshot(deleted)
    kept = lab.create_snapshot(disk, name="kept").data["SnapshotId"]
    lab.advance(days=2)

    live = lab.frames.snapshots()
    assert list(live["SnapshotId"]) == [kept]
    frame = by_id(lab.frames.snapshots(include_gone=True), "SnapshotId")
    assert set(frame.index) == {retained, deleted, kept}
    created = {e.resource_id: e.at for e in lab.events if e.kind == "snapshot_created"}
    assert frame.loc[retained, "Status"] == "released"
    assert frame.loc[retained, "ReleaseTime"] == ts(created[retained]) + timedelta(days=1)
    assert frame.loc[retained, "CreationTime"] == ts(created[retained])
    assert frame.loc[retained, "AccomplishedTime"] > frame.loc[retained, "CreationTime"]
    assert frame.loc[deleted, "Status"] == "deleted"
    assert frame.loc[deleted, "ReleaseTime"] == ts(deleted_at)
    for gone in (retained, deleted):
        assert frame.loc[gone, "SourceDiskId"] == disk
        assert frame.loc[gone, "SnapshotType"] == "user"
        for column in ("SnapshotName", "SourceDiskSize", "SourceDiskType", "Progress", "RemainTime", "Usage"):
            assert pd.isna(frame.loc[gone, column]), column
    assert frame.loc[kept, "Status"] == "accomplished"
    times = list(zip(frame["CreationTime"], frame["SnapshotId"], strict=True))
    assert times == sorted(times)


def test_a_cancelled_progressing_snapshot_is_gone_without_accomplished_time(lab: Lab) -> None:
    disk = lab.ready_disk(size_gib=500)
    snapshot_id = lab.create_snapshot(disk).data["SnapshotId"]
    lab.advance(seconds=30)
    lab.delete_snapshot(snapshot_id, force=True)
    row = by_id(lab.frames.snapshots(include_gone=True), "SnapshotId").loc[snapshot_id]
    assert row["Status"] == "deleted"
    assert pd.isna(row["AccomplishedTime"])
    assert row["ReleaseTime"] == ts(lab.world.now)
    assert row["LastModifiedTime"] == row["CreationTime"]


def test_automatic_snapshots_are_typed_auto_and_deleted_with_their_disk(lab: Lab) -> None:
    disk = lab.ready_disk()
    policy = lab.create_auto_snapshot_policy(hours=range(24), retention_days=3)
    lab.apply_auto_snapshot_policy(policy, [disk])
    lab.advance(hours=5)
    frame = lab.frames.snapshots()
    autos = lab.world.by_type["auto"]
    assert len(frame) == len(autos) >= 4
    assert (frame["SnapshotType"] == "auto").all()
    assert (frame["RetentionDays"] == 3).all()
    assert (frame["ReleaseTime"] == frame["CreationTime"] + timedelta(days=3)).all()
    assert lab.frames.disks().set_index("DiskId").loc[disk, "AutoSnapshotPolicyId"] == policy

    instance_id = lab.disk(disk).instance_id
    lab.detach_disk(disk, instance_id)
    lab.advance(minutes=1)
    lab.delete_disk(disk)
    assert len(lab.frames.snapshots()) == 0
    gone = lab.frames.snapshots(include_gone=True)
    assert len(gone) == len(frame)
    assert set(gone["SnapshotId"]) == set(frame["SnapshotId"])
    assert (gone["Status"] == "deleted").all() and (gone["SnapshotType"] == "auto").all()
    removed = {e.resource_id: e.at for e in lab.events if e.kind == "snapshot_deleted"}
    assert all(row.ReleaseTime == ts(removed[row.SnapshotId]) for row in gone.itertuples())


# ---------------------------------------------------------------------------- disks and instances


def test_disks_frame_counts_snapshots_per_disk_against_the_quota(busy: Lab) -> None:
    world = busy.world
    frame = by_id(busy.frames.disks(), "DiskId")
    assert set(frame.index) == set(world.disks)
    for disk_id, disk in world.disks.items():
        row = frame.loc[disk_id]
        assert row["SnapshotCount"] == world.snapshot_count(disk_id)
        assert row["SnapshotCount"] == (busy.frames.snapshots()["SourceDiskId"] == disk_id).sum()
        assert row["Quota"] == busy.snapshot_quota
        assert row["Status"] == disk.status.value
        assert row["Size"] == disk.size_gib
        assert row["Type"] == disk.disk_type.value
        assert row["Category"] == disk.category
        assert row["LoadedTime"] == ts(disk.loaded_at)
        assert row["CreationTime"] == ts(disk.created_at)
        assert (row["InstanceId"] if not pd.isna(row["InstanceId"]) else None) == disk.instance_id
    assert frame["SnapshotCount"].sum() == len(world.snapshots)


def test_disks_frame_shows_the_knobs(lab: Lab) -> None:
    disk = lab.ready_disk()
    loose = lab.create_disk(20)
    lab.knobs.set_in_arrears(disk)
    lab.knobs.break_device(disk)
    lab.knobs.start_transfer(loose, minutes=10)
    frame = by_id(lab.frames.disks(), "DiskId")
    assert frame.loc[disk, ["InArrears", "DeviceFault", "Transferring"]].tolist() == [True, True, False]
    assert frame.loc[loose, ["InArrears", "DeviceFault", "Transferring"]].tolist() == [False, False, True]
    assert pd.isna(frame.loc[loose, "InstanceId"])
    assert frame.loc[loose, "Status"] == "Available"
    lab.advance(minutes=11)
    assert not by_id(lab.frames.disks(), "DiskId").loc[loose, "Transferring"]


def test_instances_frame_shows_locks_starts_and_disks(lab: Lab) -> None:
    running = lab.run_instance()
    stopped = lab.create_instance()
    lab.advance(minutes=5)
    lab.knobs.lock_instance(running, "security")
    lab.knobs.lock_instance(running, "financial")
    frame = by_id(lab.frames.instances(), "InstanceId")
    assert frame.loc[running, "Status"] == "Running" and frame.loc[running, "EverStarted"]
    assert frame.loc[running, "StartTime"] == ts(lab.instance(running).started_at)
    assert frame.loc[running, "LockReasons"] == "security,financial"
    assert frame.loc[running, "SecurityLocked"]
    assert frame.loc[stopped, "Status"] == "Stopped" and not frame.loc[stopped, "EverStarted"]
    assert pd.isna(frame.loc[stopped, "StartTime"])
    assert frame.loc[stopped, "LockReasons"] == "" and not frame.loc[stopped, "SecurityLocked"]
    for instance_id in (running, stopped):
        assert frame.loc[instance_id, "DiskCount"] == len(lab.instance(instance_id).disk_ids)


# ---------------------------------------------------------------------------- logs


def test_requests_frame_matches_the_request_log_including_failures(lab: Lab) -> None:
    disk = lab.ready_disk()
    assert lab.create_snapshot(disk, client_token="token-1").ok
    assert lab.create_snapshot(disk).code == "IncorrectDiskStatus.CreatingSnapshot"
    assert lab.create_snapshot("d-nosuchdisk0000000000").code == "InvalidDiskId.NotFound"
    lab.call("NoSuchAction", {})
    frame = lab.frames.requests()
    records = lab.requests
    assert len(frame) == len(records)
    for row, record in zip(frame.itertuples(index=False), records, strict=True):
        assert row.Time == ts(record.at)
        assert row.Action == record.action
        assert row.HttpStatus == record.status
        assert row.RequestId == record.request_id
        assert row.Ok == (record.code is None)
        assert (None if pd.isna(row.Code) else row.Code) == record.code
        for column in ("DiskId", "SnapshotId", "InstanceId", "ClientToken"):
            value = getattr(row, column)
            assert (None if pd.isna(value) else value) == record.params.get(column)
    failures = frame[~frame["Ok"]]
    assert list(failures["Code"]) == [
        "IncorrectDiskStatus.CreatingSnapshot",
        "InvalidDiskId.NotFound",
        next(r.code for r in records if r.action == "NoSuchAction"),
    ]
    assert frame["ClientToken"].dropna().tolist() == ["token-1"]
    assert "NoSuchAction" in frame["Action"].cat.categories


def test_events_frame_is_the_event_log(busy: Lab) -> None:
    frame = busy.frames.events()
    assert len(frame) == len(busy.events)
    for row, event in zip(frame.itertuples(index=False), busy.events, strict=True):
        assert row.Time == ts(event.at)
        assert row.Kind == event.kind
        assert row.ResourceId == event.resource_id
        assert (pd.isna(row.RelatedId) and event.related_id == "") or row.RelatedId == event.related_id
        assert row.Detail == event.detail
    assert frame["RelatedId"].isna().any()
    assert (frame["Kind"] == "snapshot_created").sum() == sum(e.kind == "snapshot_created" for e in busy.events)


# ---------------------------------------------------------------------------- error table and laziness


def test_error_table_is_the_catalogue_with_the_seeds_thirty_rows() -> None:
    table = error_table()
    catalog = error_catalog()
    assert len(table) == len(catalog)
    seed = table[table["Origin"] == "seed"]
    assert len(seed) == 30
    assert seed["Row"].tolist() == list(range(1, 31))
    assert table.loc[table["Origin"] == "common", "Row"].isna().all()
    assert table["Code"].tolist() == [e.code for e in catalog]
    assert table["Message"].tolist() == [e.message for e in catalog]
    assert table["HttpStatus"].tolist() == [e.http_status for e in catalog]
    assert table["Basis"].tolist() == [e.basis for e in catalog]
    assert set(table["Basis"].cat.categories) == {"seed", "model choice"}
    assert table["Actions"].tolist() == [",".join(e.actions) for e in catalog]


def test_importing_the_package_loads_no_pandas() -> None:
    code = "import sys, ecs_snap_lab; ecs_snap_lab.Lab(seed=1); print('pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
