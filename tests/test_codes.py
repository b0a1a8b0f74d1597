"""Every row of the seed's error table, reached the way a learner would reach it: API calls, knobs, faults and
time (never through reproduce()). Each answer must carry the row's code, HTTP status and message word for word.

ROUTES maps a seed row to a function that builds the situation and returns the offending call; the parametrized
test runs over error_catalog(), so a row added to the catalogue without a route here fails the suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from seed_tables import seed_errors

from ecs_snap_lab import ErrorEntry, Lab, Response, error_catalog

SEED_ROWS = [entry for entry in error_catalog() if entry.row is not None]

# The "Error codes" table of seed/CreateSnapshot.md, word for word (HTTP status, code, message), in its order, as
# copied into tests/data/seed_errors.toml: the answers are checked against the seed itself, not only against the
# catalogue built from it.
SEED_TABLE: list[tuple[int, str, str]] = [(row.http_status, row.code, row.message) for row in seed_errors()]

Fire = Callable[[], Response]
Route = Callable[[Lab], Fire]


# ---------------------------------------------------------------- helpers


def fresh_lab(**kwargs: object) -> Lab:
    return Lab(seed=11, **kwargs)  # type: ignore[arg-type]


def instance_of(lab: Lab, disk_id: str) -> str:
    instance_id = lab.disk(disk_id).instance_id
    assert instance_id is not None
    return instance_id


def snapshots_of(lab: Lab, disk_id: str) -> list[dict]:
    return lab.describe_snapshots(DiskId=disk_id)


def take_snapshot(lab: Lab, disk_id: str, **kwargs: object) -> str:
    response = lab.create_snapshot(disk_id, **kwargs)
    assert response.ok, response
    return response.data["SnapshotId"]


def finish(lab: Lab, snapshot_id: str) -> None:
    """Advance by RemainTime (an estimate) until Status says accomplished."""
    (item,) = lab.describe_snapshots(SnapshotIds=json.dumps([snapshot_id]))
    while item["Status"] == "progressing":
        lab.advance(seconds=item["RemainTime"])
        (item,) = lab.describe_snapshots(SnapshotIds=json.dumps([snapshot_id]))
    assert item["Status"] == "accomplished"


def attached_ready(lab: Lab, disk_id: str) -> str:
    """Attach a CreateDisk disk to a new Running instance and wait for its data; returns the instance id."""
    instance_id = lab.run_instance()
    lab.advance(minutes=2)
    lab.attach_disk(disk_id, instance_id)
    lab.advance(days=1, minutes=1)
    return instance_id


def disks_on(lab: Lab, instance_id: str, **filters: str) -> list[str]:
    params = {"RegionId": lab.region, "InstanceId": instance_id, **filters}
    return [d["DiskId"] for d in lab.call("DescribeDisks", params).data["Disks"]["Disk"]]


def entry_for(row: int) -> ErrorEntry:
    return next(e for e in SEED_ROWS if e.row == row)


# ---------------------------------------------------------------- one natural route per seed row

ROUTES: dict[int, Route] = {}


def route(row: int) -> Callable[[Route], Route]:
    def register(build: Route) -> Route:
        assert row not in ROUTES, f"two routes for row {row}"
        ROUTES[row] = build
        return build

    return register


@route(1)
def released_disk(lab: Lab) -> Fire:
    disk_id = lab.create_disk(40)
    lab.delete_disk(disk_id)
    return lambda: lab.create_snapshot(disk_id)


@route(2)
def name_starting_with_a_digit(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    return lambda: lab.create_snapshot(disk_id, name="1st-backup")


@route(3)
def one_character_description(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    return lambda: lab.create_snapshot(disk_id, description="x")


@route(4)
def instance_stopping(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.stop_instance(instance_of(lab, disk_id))
    return lambda: lab.create_snapshot(disk_id)


@route(5)
def snapshot_still_progressing(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    take_snapshot(lab, disk_id)
    return lambda: lab.create_snapshot(disk_id)


@route(6)
def instance_locked_for_security(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.knobs.lock_instance(instance_of(lab, disk_id), "security")
    return lambda: lab.create_snapshot(disk_id)


@route(7)
def disk_never_attached(lab: Lab) -> Fire:
    disk_id = lab.create_disk(40)
    lab.advance(days=1)
    return lambda: lab.create_snapshot(disk_id)


@route(8)
def manual_snapshot_at_the_quota(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    for _ in range(lab.snapshot_quota):
        finish(lab, take_snapshot(lab, disk_id))
    return lambda: lab.create_snapshot(disk_id)


@route(9)
def instance_never_started(lab: Lab) -> Fire:
    instance_id = lab.create_instance()
    lab.advance(days=1)
    (disk_id,) = disks_on(lab, instance_id)
    return lambda: lab.create_snapshot(disk_id)


@route(10)
def back_end_refuses(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.faults.inject("CreateSnapshot.Failed")
    return lambda: lab.create_snapshot(disk_id)


@route(11)
def pay_as_you_go_disk_in_arrears(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.knobs.set_in_arrears(disk_id)
    return lambda: lab.create_snapshot(disk_id)


@route(12)
def internal_error_before_any_effect(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.faults.inject("InternalError")
    return lambda: lab.create_snapshot(disk_id)


@route(13)
def instance_id_given_as_disk_id(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    return lambda: lab.create_snapshot(instance_of(lab, disk_id))


@route(14)
def local_disk(lab: Lab) -> Fire:
    instance_id = lab.run_instance(data_disks=[(100, "ephemeral_ssd")])
    lab.advance(days=1)
    (disk_id,) = disks_on(lab, instance_id, DiskType="data")
    return lambda: lab.create_snapshot(disk_id)


@route(15)
def detached_disk(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.detach_disk(disk_id, instance_of(lab, disk_id))
    lab.advance(minutes=1)
    return lambda: lab.create_snapshot(disk_id)


@route(16)
def balance_below_zero(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.knobs.set_balance(-1)
    return lambda: lab.create_snapshot(disk_id)


@route(17)
def snapshot_service_not_activated(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.knobs.set_snapshot_service(False)
    return lambda: lab.create_snapshot(disk_id)


@route(18)
def disk_names_a_vanished_instance(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.knobs.orphan_disk(disk_id)
    return lambda: lab.create_snapshot(disk_id)


@route(19)
def shared_volume_not_in_use(lab: Lab) -> Fire:
    disk_id = lab.create_disk(100, "san_ssd")
    lab.advance(days=1)
    return lambda: lab.create_snapshot(disk_id)


@route(20)
def shared_volume_being_released(lab: Lab) -> Fire:
    disk_id = lab.create_disk(100, "san_ssd")
    lab.advance(days=1)
    lab.delete_disk(disk_id)
    return lambda: lab.create_snapshot(disk_id)


@route(21)
def client_token_reused_with_another_name(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    take_snapshot(lab, disk_id, name="first", client_token="token-21")
    return lambda: lab.create_snapshot(disk_id, name="second", client_token="token-21")


@route(22)
def device_fault(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.knobs.break_device(disk_id)
    return lambda: lab.create_snapshot(disk_id)


@route(23)
def elastic_ephemeral_disk(lab: Lab) -> Fire:
    disk_id = lab.create_disk(64, "elastic_ephemeral_disk_standard")
    attached_ready(lab, disk_id)
    return lambda: lab.create_snapshot(disk_id)


@route(24)
def disk_being_transferred(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.knobs.start_transfer(disk_id, minutes=30)
    return lambda: lab.create_snapshot(disk_id)


@route(25)
def kms_key_revoked(lab: Lab) -> Fire:
    disk_id = lab.create_disk(40, encrypted=True, kms_key_id="key-route-25")
    attached_ready(lab, disk_id)
    lab.knobs.revoke_kms("key-route-25")
    return lambda: lab.create_snapshot(disk_id)


@route(26)
def lost_response_after_the_effect(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.faults.inject("LostResponse")
    return lambda: lab.create_snapshot(disk_id, client_token="token-26")


@route(27)
def duplicate_tag_key(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    return lambda: lab.create_snapshot(disk_id, tags=[("env", "prod"), ("env", "test")])


@route(28)
def tag_key_with_a_reserved_prefix(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    return lambda: lab.create_snapshot(disk_id, tags={"aliyun-owner": "me"})


@route(29)
def tag_value_with_a_reserved_prefix(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    return lambda: lab.create_snapshot(disk_id, tags={"owner": "acs:me"})


@route(30)
def retry_while_a_slow_request_is_processing(lab: Lab) -> Fire:
    disk_id = lab.ready_disk()
    lab.faults.inject("SlowRequest", seconds=60)
    first = lab.create_snapshot(disk_id, client_token="token-30")
    assert not first.ok
    lab.advance(seconds=30)
    return lambda: lab.create_snapshot(disk_id, client_token="token-30")


# ---------------------------------------------------------------- the table itself


def test_the_catalogue_holds_the_seed_table_rows_once_each_in_order() -> None:
    assert [e.row for e in SEED_ROWS] == list(range(1, len(SEED_TABLE) + 1))
    assert [(e.http_status, e.code, e.message) for e in SEED_ROWS] == SEED_TABLE


@pytest.mark.parametrize("entry", SEED_ROWS, ids=lambda e: f"row{e.row}-{e.code}")
def test_every_seed_row_is_reached_by_its_natural_route(entry: ErrorEntry) -> None:
    build = ROUTES.get(entry.row)
    if build is None:
        pytest.fail(f"seed row {entry.row} ({entry.code}) has no natural-route case in ROUTES")
    lab = fresh_lab()
    fire = build(lab)
    snapshots_before = set(lab.world.snapshots)
    response = fire()

    assert response.code == entry.code
    assert response.status == entry.http_status
    assert response.message == entry.message
    assert (response.status, response.code, response.message) == SEED_TABLE[entry.row - 1]
    assert not response.ok
    assert response.data["Code"] == entry.code
    assert response.data["Message"] == entry.message
    assert response.data["RequestId"] == response.request_id
    assert f"<Code>{entry.code}</Code>" in response.to_xml()
    failed = response.trace[-1]
    assert not failed.passed
    assert failed.code == entry.code

    created = set(lab.world.snapshots) - snapshots_before
    if entry.row == 26:  # the answer was lost after the snapshot was made
        assert len(created) == 1
    else:
        assert created == set(), f"{entry.code} must leave nothing behind"


def test_there_are_no_routes_for_rows_the_catalogue_does_not_have() -> None:
    assert set(ROUTES) == {e.row for e in SEED_ROWS}


# ---------------------------------------------------------------- faults in depth


def test_internal_error_creates_nothing_and_a_plain_retry_succeeds() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk()
    lab.faults.inject("InternalError")
    failed = lab.create_snapshot(disk_id, client_token="token-12")
    assert (failed.code, failed.status, failed.message) == ("InternalError", 500, entry_for(12).message)
    assert snapshots_of(lab, disk_id) == []
    assert lab.faults.armed == []
    retried = lab.create_snapshot(disk_id, client_token="token-12")
    assert retried.ok
    assert [s["SnapshotId"] for s in snapshots_of(lab, disk_id)] == [retried.data["SnapshotId"]]


def test_lost_response_made_the_snapshot_and_the_same_token_returns_its_id() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk()
    lab.faults.inject("LostResponse")
    lost = lab.create_snapshot(disk_id, name="nightly", client_token="token-26")
    assert (lost.code, lost.status, lost.message) == ("InternalError", 500, entry_for(26).message)
    (made,) = snapshots_of(lab, disk_id)
    assert made["SnapshotName"] == "nightly"

    again = lab.create_snapshot(disk_id, name="nightly", client_token="token-26")
    assert again.ok and again.data["SnapshotId"] == made["SnapshotId"]
    assert len(snapshots_of(lab, disk_id)) == 1

    # a retry without the token: refused while the first is still being created, a second snapshot after
    blind = lab.create_snapshot(disk_id, name="nightly")
    assert blind.code == "IncorrectDiskStatus.CreatingSnapshot"
    finish(lab, made["SnapshotId"])
    second = lab.create_snapshot(disk_id, name="nightly")
    assert second.ok and second.data["SnapshotId"] != made["SnapshotId"]
    assert len(snapshots_of(lab, disk_id)) == 2
    # the token still names the first snapshot
    replay = lab.create_snapshot(disk_id, name="nightly", client_token="token-26")
    assert replay.data["SnapshotId"] == made["SnapshotId"]


def test_slow_request_answers_idempotent_processing_until_done_then_the_snapshot_id() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk()
    lab.faults.inject("SlowRequest", seconds=60)
    first = lab.create_snapshot(disk_id, client_token="token-30")
    assert (first.code, first.status) == ("InternalError", 500)
    assert snapshots_of(lab, disk_id) == []

    lab.advance(seconds=59)
    busy = lab.create_snapshot(disk_id, client_token="token-30")
    assert (busy.code, busy.status, busy.message) == ("IdempotentProcessing", 403, entry_for(30).message)
    other = lab.create_snapshot(disk_id)
    assert other.code == "IncorrectDiskStatus.CreatingSnapshot"

    lab.advance(seconds=1)
    (made,) = snapshots_of(lab, disk_id)
    done = lab.create_snapshot(disk_id, client_token="token-30")
    assert done.ok and done.data["SnapshotId"] == made["SnapshotId"]
    assert len(snapshots_of(lab, disk_id)) == 1


def test_client_token_with_other_parameters_is_idempotent_parameter_mismatch() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk()
    first = take_snapshot(lab, disk_id, name="first", client_token="token-21")
    finish(lab, first)
    same = lab.create_snapshot(disk_id, name="first", client_token="token-21")
    assert same.ok and same.data["SnapshotId"] == first
    mismatch = lab.create_snapshot(disk_id, name="second", client_token="token-21")
    assert (mismatch.code, mismatch.status, mismatch.message) == (
        "IdempotentParameterMismatch",
        403,
        entry_for(21).message,
    )
    assert len(snapshots_of(lab, disk_id)) == 1


def test_create_snapshot_failed_creates_nothing_and_disarms() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk()
    lab.faults.inject("CreateSnapshot.Failed")
    assert lab.create_snapshot(disk_id).code == "CreateSnapshot.Failed"
    assert snapshots_of(lab, disk_id) == []
    assert lab.create_snapshot(disk_id).ok


def test_a_fault_aimed_at_one_disk_spares_the_others() -> None:
    lab = fresh_lab()
    target = lab.ready_disk()
    bystander = lab.ready_disk()
    lab.faults.inject("InternalError", disk_id=target, times=2)
    assert lab.create_snapshot(bystander).ok
    assert lab.create_snapshot(target).code == "InternalError"
    assert lab.create_snapshot(target).code == "InternalError"
    assert lab.create_snapshot(target).ok


@pytest.mark.parametrize("at_progress", [0, 30, 99])
def test_snapshot_fails_fault_leaves_a_failed_snapshot_at_the_given_progress(at_progress: int) -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk(200)
    lab.faults.inject("SnapshotFails", at_progress=at_progress)
    snapshot_id = take_snapshot(lab, disk_id)
    lab.advance(hours=12)
    (item,) = lab.describe_snapshots(SnapshotIds=json.dumps([snapshot_id]))
    assert item["Status"] == "failed"
    assert item["Progress"] == f"{at_progress}%"
    assert item["RemainTime"] == 0
    assert [e.kind for e in lab.events if e.resource_id == snapshot_id] == ["snapshot_created", "snapshot_failed"]
    # the disk is free again
    assert lab.create_snapshot(disk_id).ok


def test_snapshot_fails_before_it_would_have_finished() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk(200)
    clean = take_snapshot(lab, disk_id)
    full_duration = lab.snapshot(clean).done_at - lab.snapshot(clean).created_at  # the truth, not the estimate
    lab.call("DeleteSnapshot", {"SnapshotId": clean})
    lab.faults.inject("SnapshotFails", at_progress=50)
    failing = take_snapshot(lab, disk_id)
    lab.advance(seconds=full_duration // 2 + 5)
    (item,) = lab.describe_snapshots(SnapshotIds=json.dumps([failing]))
    assert item["Status"] == "failed"


# ---------------------------------------------------------------- a few rows in both directions


def test_instance_status_refusal_ends_when_the_instance_has_stopped() -> None:
    lab = fresh_lab()
    fire = instance_stopping(lab)
    assert fire().code == "IncorrectInstanceStatus"
    lab.advance(minutes=2)
    assert fire().ok


def test_transfer_refusal_ends_when_the_transfer_is_over() -> None:
    lab = fresh_lab()
    fire = disk_being_transferred(lab)
    lab.advance(minutes=29)
    assert fire().code == "IncorrectDiskStatus.Transferring"
    lab.advance(minutes=1)
    assert fire().ok


def test_device_fault_clears_when_the_instance_is_restarted() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk()
    instance_id = instance_of(lab, disk_id)
    lab.knobs.break_device(disk_id)
    lab.stop_instance(instance_id)
    lab.advance(minutes=2)
    assert lab.create_snapshot(disk_id).code == "IncorrectDiskStatus.Invalid"
    lab.start_instance(instance_id)
    lab.advance(minutes=2)
    assert lab.create_snapshot(disk_id).ok


def test_an_expired_subscription_disk_can_be_snapshotted() -> None:
    lab = fresh_lab()
    instance_id = lab.run_instance(charge_type="PrePaid")
    lab.advance(hours=2)
    (disk,) = lab.call("DescribeDisks", {"RegionId": lab.region, "InstanceId": instance_id}).data["Disks"]["Disk"]
    assert disk["DiskChargeType"] == "PrePaid"
    lab.knobs.expire_subscription(disk["DiskId"])
    assert lab.create_snapshot(disk["DiskId"]).ok


def test_security_lock_refusal_ends_with_the_unlock() -> None:
    lab = fresh_lab()
    disk_id = lab.ready_disk()
    instance_id = instance_of(lab, disk_id)
    lab.knobs.lock_instance(instance_id, "security")
    assert lab.create_snapshot(disk_id).code == "InstanceLockedForSecurity"
    lab.knobs.unlock_instance(instance_id, "security")
    assert lab.create_snapshot(disk_id).ok


def test_kms_refusal_ends_when_the_key_is_granted_again() -> None:
    lab = fresh_lab()
    fire = kms_key_revoked(lab)
    assert fire().code == "InvalidParameter.KMSKeyId.KMSUnauthorized"
    lab.knobs.grant_kms("key-route-25")
    assert fire().ok


def test_a_shared_volume_in_use_can_be_snapshotted() -> None:
    lab = fresh_lab()
    disk_id = lab.create_disk(100, "san_ssd")
    attached_ready(lab, disk_id)
    assert lab.create_snapshot(disk_id).ok


def test_released_volume_answers_disk_not_found_once_gone() -> None:
    lab = fresh_lab()
    fire = shared_volume_being_released(lab)
    assert fire().code == "InvalidVolumeId.NotFound"
    lab.advance(timedelta(minutes=2))
    assert fire().code == "InvalidDiskId.NotFound"
