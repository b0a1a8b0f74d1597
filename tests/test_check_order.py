"""DESIGN.md's CreateSnapshot check order: when two checks would fail, the earlier step answers, and the trace
shows the checks that passed, in order, ending with the one that failed."""

from __future__ import annotations

import pytest

from ecs_snap_lab import Lab, Response, TraceStep, validate

BASES = {"seed", "model choice", "api fact"}
# HTTP status of each code, as the seed's error table (or, for the common codes, Alibaba's common table) says.
STATUS = {
    "MissingParameter": 400,
    "InvalidParameter": 400,
    "InvalidSnapshotName.Malformed": 400,
    "InvalidDescription.Malformed": 404,
    "InvalidTagKey.Malformed": 400,
    "InvalidTagValue.Malformed": 400,
    "Duplicate.TagKey": 400,
    "IdempotentParameterMismatch": 403,
    "InvalidAccountStatus.SnapshotServiceUnavailable": 403,
    "InvalidAccountStatus.NotEnoughBalance": 403,
    "DiskId.ValueNotSupported": 403,
    "InvalidDiskId.NotFound": 404,
    "InvalidVolumeId.NotFound": 404,
    "DiskCategory.OperationNotSupported": 400,
    "IncorrectDiskType.NotSupport": 403,
    "InvalidInstanceId.NotFound": 404,
    "DiskInArrears": 403,
    "IncorrectDiskStatus.NeverAttached": 403,
    "IncorrectDiskStatus.Transferring": 403,
    "IncorrectVolumeStatus": 403,
    "IncorrectDiskStatus": 403,
    "InstanceLockedForSecurity": 403,
    "IncorrectInstanceStatus": 400,
    "IncorrectDiskStatus.NeverUsed": 403,
    "IncorrectDiskStatus.Invalid": 403,
    "IncorrectDiskStatus.CreatingSnapshot": 403,
    "QuotaExceed.Snapshot": 403,
    "InvalidParameter.KMSKeyId.KMSUnauthorized": 403,
}


@pytest.fixture
def full_order(lab: Lab, disk: str) -> list[TraceStep]:
    """The trace of a CreateSnapshot that gives every parameter and passes every check."""
    response = lab.create_snapshot(
        disk, name="full", description="every check", retention_days=7, tags={"env": "prod"}, client_token="t-full"
    )
    assert response.ok, response.explain()
    return response.trace


def world_checks(steps: list[TraceStep]) -> list[str]:
    """The checks of steps 8 and later (the account, the disk, the instance, the snapshots)."""
    return [step.check for step in steps if step.number and int(step.number) >= 8]


def numbered(response: Response) -> list[int]:
    return [int(step.number) for step in response.trace if step.number]


def assert_refused(response: Response, code: str, check: str, order: list[TraceStep] | None = None) -> None:
    """The answer is `code` with its status, and the trace ends with `check` failing after passed steps in order."""
    assert (response.code, response.status) == (code, STATUS[code]), response.explain()
    trace = response.trace
    last = trace[-1]
    assert (last.check, last.passed, last.code) == (check, False, code)
    assert all(step.passed for step in trace[:-1]), response.explain()
    numbers = numbered(response)
    assert numbers == sorted(numbers), f"step numbers go back: {numbers}"
    for step in trace:
        assert step.rule, step
        assert step.basis in BASES, step
        assert step.source, step
    if order is not None:
        ids = [step.check for step in order]
        known = [ids.index(step.check) for step in trace if step.check in ids]
        assert known == sorted(known), "the trace's checks are not in the order of a full CreateSnapshot"


def snapshot_count(lab: Lab) -> int:
    return len(lab.world.snapshots)


# ---------------------------------------------------------------- parameter steps 1-6

PARAM_PAIRS = [
    # (both failures, code and check that answer, the fix of the earlier one, the code that then answers)
    pytest.param(
        {"SnapshotName": "1bad"},
        ("MissingParameter", "DiskId.present"),
        {"DiskId": "<disk>"},
        "InvalidSnapshotName.Malformed",
        id="1-missing-disk-id-before-2-name",
    ),
    pytest.param(
        {"DiskId": "<disk>", "SnapshotName": "1bad", "Description": "x"},
        ("InvalidSnapshotName.Malformed", "SnapshotName.first_letter"),
        {"SnapshotName": "good-name"},
        "InvalidDescription.Malformed",
        id="2-name-before-3-description",
    ),
    pytest.param(
        {"DiskId": "<disk>", "Description": "https://x", "RetentionDays": "0"},
        ("InvalidDescription.Malformed", "Description.no_url"),
        {"Description": "fine"},
        "InvalidParameter",
        id="3-description-before-4-retention",
    ),
    pytest.param(
        {"DiskId": "<disk>", "RetentionDays": "abc", "Tag.1.Key": "aliyun-env"},
        ("InvalidParameter", "RetentionDays.integer"),
        {"RetentionDays": "30"},
        "InvalidTagKey.Malformed",
        id="4-retention-before-5-tags",
    ),
    pytest.param(
        {"DiskId": "<disk>", "Tag.1.Key": "env", "Tag.2.Key": "env", "ClientToken": "t" * 65},
        ("Duplicate.TagKey", "Tag.key.unique"),
        {"Tag.2.Key": "team"},
        "InvalidParameter",
        id="5-tags-before-6-client-token",
    ),
    pytest.param(
        {"DiskId": "<disk>", "Tag.1.Key": "k" * 65, "Tag.1.Value": "acs:x"},
        ("InvalidTagKey.Malformed", "Tag.key.length"),
        {"Tag.1.Key": "env"},
        "InvalidTagValue.Malformed",
        id="5-tag-key-before-tag-value",
    ),
    pytest.param(
        {"DiskId": "<disk>", "Tag.1.Key": "env", "Tag.2.Key": "env", "Tag.2.Value": "v" * 129},
        ("InvalidTagValue.Malformed", "Tag.value.length"),
        {"Tag.2.Value": "v"},
        "Duplicate.TagKey",
        id="5-tag-value-before-duplicate-key",
    ),
    pytest.param(
        {"DiskId": "d-doesnotexist", "SnapshotName": "auto-1"},
        ("InvalidSnapshotName.Malformed", "SnapshotName.not_auto"),
        {"SnapshotName": "manual-1"},
        "InvalidDiskId.NotFound",
        id="2-name-before-9-disk-exists",
    ),
]


@pytest.mark.parametrize(("both", "first", "fix", "second"), PARAM_PAIRS)
def test_earlier_parameter_step_answers(
    lab: Lab, disk: str, full_order: list[TraceStep], both: dict, first: tuple[str, str], fix: dict, second: str
) -> None:
    def real(params: dict) -> dict:
        return {k: disk if v == "<disk>" else v for k, v in params.items()}

    before = snapshot_count(lab)
    response = lab.call("CreateSnapshot", real(both))
    assert_refused(response, *first, order=full_order)
    response = lab.call("CreateSnapshot", real({**both, **fix}))
    assert response.code == second, response.explain()
    assert snapshot_count(lab) == before


def test_validate_lists_every_violation_in_check_order() -> None:
    params = {
        "SnapshotName": "1 bad",
        "Description": "http://x",
        "RetentionDays": "65537",
        "Tag.1.Key": "acs:env",
        "Tag.2.Key": "acs:env",
        "ClientToken": "令" * 65,
    }
    violations = validate("CreateSnapshot", params)
    codes = [v.code for n, v in enumerate(violations) if n == 0 or violations[n - 1].code != v.code]
    assert codes == [
        "MissingParameter",
        "InvalidSnapshotName.Malformed",
        "InvalidDescription.Malformed",
        "InvalidParameter",
        "InvalidTagKey.Malformed",
        "Duplicate.TagKey",
        "InvalidParameter",
    ]
    params_in_order = [v.param for v in violations]
    assert params_in_order[0] == "DiskId"
    assert params_in_order[-1] == "ClientToken"
    # the same request through Lab.call answers with the first violation
    assert Lab(seed=7).call("CreateSnapshot", params).code == violations[0].code


# ---------------------------------------------------------------- steps 6-8: token and account


def test_client_token_format_before_account(lab: Lab, disk: str, full_order: list[TraceStep]) -> None:
    lab.knobs.set_snapshot_service(False)
    response = lab.create_snapshot(disk, client_token="t" * 65)
    assert_refused(response, "InvalidParameter", "ClientToken.length", full_order)
    assert "ClientToken" in response.message
    response = lab.create_snapshot(disk, client_token="t" * 64)
    assert_refused(response, "InvalidAccountStatus.SnapshotServiceUnavailable", "Account.snapshot_service", full_order)


def test_client_token_replay_before_account(lab: Lab, disk: str) -> None:
    first = lab.create_snapshot(disk, name="nightly", client_token="token-7")
    assert first.ok, first.explain()
    lab.knobs.set_balance(-1)
    count = snapshot_count(lab)
    again = lab.create_snapshot(disk, name="nightly", client_token="token-7")
    assert again.ok, again.explain()
    assert again.data["SnapshotId"] == first.data["SnapshotId"]
    assert snapshot_count(lab) == count
    other = lab.create_snapshot(disk, name="other", client_token="token-7")
    assert_refused(other, "IdempotentParameterMismatch", "ClientToken.same_parameters")
    assert other.message == "The specified clientToken is used."
    fresh = lab.create_snapshot(disk, name="other", client_token="token-8")
    assert_refused(fresh, "InvalidAccountStatus.NotEnoughBalance", "Account.balance")


def test_snapshot_service_before_balance(lab: Lab, disk: str, full_order: list[TraceStep]) -> None:
    lab.knobs.set_snapshot_service(False)
    lab.knobs.set_balance(-5)
    response = lab.create_snapshot(disk)
    assert_refused(response, "InvalidAccountStatus.SnapshotServiceUnavailable", "Account.snapshot_service", full_order)
    lab.knobs.set_snapshot_service(True)
    response = lab.create_snapshot(disk)
    assert_refused(response, "InvalidAccountStatus.NotEnoughBalance", "Account.balance", full_order)


def test_account_before_disk_existence(lab: Lab, full_order: list[TraceStep]) -> None:
    lab.knobs.set_balance(-1)
    response = lab.create_snapshot("d-doesnotexist")
    assert_refused(response, "InvalidAccountStatus.NotEnoughBalance", "Account.balance", full_order)
    lab.knobs.set_balance(10)
    response = lab.create_snapshot("d-doesnotexist")
    assert_refused(response, "InvalidDiskId.NotFound", "Disk.exists", full_order)


# ---------------------------------------------------------------- steps 9-12: the disk


def test_disk_id_of_another_resource_is_value_not_supported(running: tuple[Lab, str, str]) -> None:
    lab, instance_id, _ = running
    response = lab.create_snapshot(instance_id)
    assert_refused(response, "DiskId.ValueNotSupported", "Disk.is_disk")


def test_disk_existence_before_category(lab: Lab, full_order: list[TraceStep]) -> None:
    response = lab.create_snapshot("d-doesnotexist")
    assert_refused(response, "InvalidDiskId.NotFound", "Disk.exists", full_order)
    assert max(numbered(response)) == 9, "checks after the disk's existence ran for a disk that does not exist"


def test_volume_being_released_before_arrears(lab: Lab) -> None:
    volume = lab.create_disk(40, "san_ssd")
    lab.delete_disk(volume)
    lab.knobs.set_in_arrears(volume)
    response = lab.create_snapshot(volume)
    assert_refused(response, "InvalidVolumeId.NotFound", "Volume.exists")
    lab.advance(minutes=2)
    assert_refused(lab.create_snapshot(volume), "InvalidDiskId.NotFound", "Disk.exists")


def test_local_disk_before_arrears_and_loading(lab: Lab, full_order: list[TraceStep]) -> None:
    instance_id = lab.run_instance(data_disks=[(100, "ephemeral_ssd")])
    (local,) = [d for d in lab.instance(instance_id).disk_ids if lab.disk(d).category == "ephemeral_ssd"]
    lab.knobs.set_in_arrears(local)
    response = lab.create_snapshot(local)  # also Pending and still loading
    assert_refused(response, "DiskCategory.OperationNotSupported", "Disk.not_local", full_order)


def test_arrears_before_never_attached(lab: Lab, full_order: list[TraceStep]) -> None:
    disk_id = lab.create_disk()
    lab.knobs.set_in_arrears(disk_id)
    assert_refused(lab.create_snapshot(disk_id), "DiskInArrears", "Disk.not_in_arrears", full_order)
    lab.knobs.set_in_arrears(disk_id, False)
    assert_refused(lab.create_snapshot(disk_id), "IncorrectDiskStatus.NeverAttached", "Disk.ever_attached", full_order)


def test_never_attached_before_transferring(lab: Lab, full_order: list[TraceStep]) -> None:
    instance_id = lab.run_instance()
    disk_id = lab.create_disk()
    lab.knobs.start_transfer(disk_id, minutes=30)
    response = lab.create_snapshot(disk_id)
    assert_refused(response, "IncorrectDiskStatus.NeverAttached", "Disk.ever_attached", full_order)
    lab.advance(minutes=2)
    lab.attach_disk(disk_id, instance_id)
    lab.advance(seconds=30)
    response = lab.create_snapshot(disk_id)
    assert_refused(response, "IncorrectDiskStatus.Transferring", "Disk.not_transferring", full_order)


def test_shared_volume_not_in_use_is_volume_status(lab: Lab) -> None:
    volume = lab.create_disk(40, "san_ssd")
    assert_refused(lab.create_snapshot(volume), "IncorrectVolumeStatus", "Volume.in_use")


def test_disk_not_in_use_before_instance_lock(lab: Lab, disk: str, full_order: list[TraceStep]) -> None:
    instance_id = lab.disk(disk).instance_id
    lab.detach_disk(disk, instance_id)
    lab.advance(seconds=30)
    lab.knobs.lock_instance(instance_id, "security")
    response = lab.create_snapshot(disk)
    assert_refused(response, "IncorrectDiskStatus", "Disk.in_use", full_order)
    lab.knobs.unlock_instance(instance_id, "security")
    lab.attach_disk(disk, instance_id)
    lab.advance(seconds=30)
    lab.knobs.lock_instance(instance_id, "security")
    response = lab.create_snapshot(disk)
    assert_refused(response, "InstanceLockedForSecurity", "Instance.not_security_locked", full_order)


# ---------------------------------------------------------------- steps 13-14: the instance and the data


def test_security_lock_before_instance_status(lab: Lab, full_order: list[TraceStep]) -> None:
    instance_id = lab.run_instance()  # Pending, and its system disk is still loading
    (system_disk,) = lab.instance(instance_id).disk_ids
    lab.knobs.lock_instance(instance_id, "security")
    response = lab.create_snapshot(system_disk)
    assert_refused(response, "InstanceLockedForSecurity", "Instance.not_security_locked", full_order)
    assert response.message == "The disk attached instance is locked due to security."
    lab.knobs.unlock_instance(instance_id, "security")
    response = lab.create_snapshot(system_disk)
    assert_refused(response, "IncorrectInstanceStatus", "Instance.running_or_stopped", full_order)


def test_instance_status_before_never_started(lab: Lab, full_order: list[TraceStep]) -> None:
    instance_id = lab.create_instance()  # Stopped, never started
    (system_disk,) = lab.instance(instance_id).disk_ids
    response = lab.create_snapshot(system_disk)
    assert_refused(response, "IncorrectDiskStatus.NeverUsed", "Instance.ever_started", full_order)
    lab.start_instance(instance_id)  # Starting: the status check now fails first
    response = lab.create_snapshot(system_disk)
    assert_refused(response, "IncorrectInstanceStatus", "Instance.running_or_stopped", full_order)


def test_never_started_before_data_loading(lab: Lab, full_order: list[TraceStep]) -> None:
    instance_id = lab.create_instance()
    (system_disk,) = lab.instance(instance_id).disk_ids
    response = lab.create_snapshot(system_disk)  # the system disk is also still loading
    assert_refused(response, "IncorrectDiskStatus.NeverUsed", "Instance.ever_started", full_order)
    lab.start_instance(instance_id)
    lab.advance(minutes=1)
    response = lab.create_snapshot(system_disk)
    assert_refused(response, "IncorrectDiskStatus", "Disk.data_loaded", full_order)


def test_device_fault_before_data_loading(lab: Lab, full_order: list[TraceStep]) -> None:
    instance_id = lab.run_instance()
    (system_disk,) = lab.instance(instance_id).disk_ids
    lab.advance(minutes=2)
    lab.knobs.break_device(system_disk)
    response = lab.create_snapshot(system_disk)
    assert_refused(response, "IncorrectDiskStatus.Invalid", "Disk.device_ok", full_order)
    lab.stop_instance(instance_id)
    lab.advance(minutes=1)
    lab.start_instance(instance_id)
    lab.advance(minutes=1)
    response = lab.create_snapshot(system_disk)
    assert_refused(response, "IncorrectDiskStatus", "Disk.data_loaded", full_order)


def test_data_loading_is_checked_before_snapshots_in_progress(running: tuple[Lab, str, str]) -> None:
    """A loading disk cannot have a snapshot in progress, so the order shows in the trace: step 14 fails last."""
    lab, instance_id, _ = running
    disk_id = lab.create_disk(100)
    lab.attach_disk(disk_id, instance_id)
    lab.advance(seconds=30)
    response = lab.create_snapshot(disk_id)
    assert_refused(response, "IncorrectDiskStatus", "Disk.data_loaded")
    assert response.message == "The current disk status does not support this operation."
    assert max(numbered(response)) == 14


def test_system_disk_loads_for_about_an_hour(lab: Lab) -> None:
    instance_id = lab.run_instance()
    (system_disk,) = lab.instance(instance_id).disk_ids
    lab.advance(minutes=59)
    assert_refused(lab.create_snapshot(system_disk), "IncorrectDiskStatus", "Disk.data_loaded")
    lab.advance(minutes=2)
    assert lab.create_snapshot(system_disk).ok


# ---------------------------------------------------------------- steps 15-17: snapshots, quota, KMS


def test_snapshot_in_progress_before_quota(full_order: list[TraceStep]) -> None:
    lab = Lab(seed=7, snapshot_quota=1)
    disk_id = lab.ready_disk()
    assert lab.create_snapshot(disk_id).ok
    response = lab.create_snapshot(disk_id)  # progressing AND at the quota
    assert_refused(response, "IncorrectDiskStatus.CreatingSnapshot", "Disk.no_snapshot_in_progress", full_order)
    lab.advance(hours=1)
    response = lab.create_snapshot(disk_id)
    assert_refused(response, "QuotaExceed.Snapshot", "Disk.under_quota", full_order)
    assert response.message == "The snapshot quota exceeds."


def encrypted_ready_disk(lab: Lab, key_id: str) -> str:
    instance_id = lab.run_instance()
    disk_id = lab.create_disk(40, encrypted=True, kms_key_id=key_id)
    lab.advance(minutes=2)
    lab.attach_disk(disk_id, instance_id)
    lab.advance(hours=3)
    return disk_id


def test_quota_before_kms(full_order: list[TraceStep]) -> None:
    lab = Lab(seed=7, snapshot_quota=1)
    disk_id = encrypted_ready_disk(lab, "key-finance")
    first = lab.create_snapshot(disk_id)
    assert first.ok, first.explain()
    lab.advance(hours=1)
    lab.knobs.revoke_kms("key-finance")
    response = lab.create_snapshot(disk_id)
    assert_refused(response, "QuotaExceed.Snapshot", "Disk.under_quota", full_order)
    lab.delete_snapshot(first.data["SnapshotId"])
    response = lab.create_snapshot(disk_id)
    assert_refused(response, "InvalidParameter.KMSKeyId.KMSUnauthorized", "Disk.kms_usable", full_order)
    assert response.message == "ECS service have no right to access your KMS."
    lab.knobs.grant_kms("key-finance")
    assert lab.create_snapshot(disk_id).ok


def test_refused_request_does_not_use_up_an_injected_fault(lab: Lab, disk: str) -> None:
    """Faults belong to the back end (step 18), after every check: a refused request leaves them armed."""
    lab.faults.inject("CreateSnapshot.Failed")
    assert lab.create_snapshot(disk, name="1bad").code == "InvalidSnapshotName.Malformed"
    lab.knobs.lock_instance(lab.disk(disk).instance_id, "security")
    assert lab.create_snapshot(disk).code == "InstanceLockedForSecurity"
    assert len(lab.faults.armed) == 1
    lab.knobs.unlock_instance(lab.disk(disk).instance_id, "security")
    response = lab.create_snapshot(disk)
    assert (response.code, response.status) == ("CreateSnapshot.Failed", 403)
    assert lab.faults.armed == []
    assert lab.describe_snapshots(DiskId=disk) == []


# ---------------------------------------------------------------- the trace itself


def test_successful_trace_covers_every_step_in_order(full_order: list[TraceStep]) -> None:
    steps = [step.check for step in full_order]
    assert steps[0] == "Action.known"
    assert steps.index("DiskId.present") < steps.index("SnapshotName.length") < steps.index("Description.length")
    assert steps.index("Description.length") < steps.index("RetentionDays.integer") < steps.index("Tag.number")
    assert steps.index("Tag.key.unique") < steps.index("ClientToken.ascii") < steps.index("Account.snapshot_service")
    assert steps.index("Disk.exists") < steps.index("Disk.not_local") < steps.index("Disk.not_in_arrears")
    assert steps.index("Disk.ever_attached") < steps.index("Instance.not_security_locked")
    assert steps.index("Instance.running_or_stopped") < steps.index("Instance.ever_started")
    assert steps.index("Disk.data_loaded") < steps.index("Disk.no_snapshot_in_progress")
    assert steps.index("Disk.under_quota") < steps.index("Disk.kms_usable")


def test_successful_trace_steps_are_numbered_one_to_nineteen(disk: str, lab: Lab) -> None:
    response = lab.create_snapshot(
        disk, name="nn", description="dd", retention_days=1, tags=[("k", "v")], client_token="tok"
    )
    assert response.ok, response.explain()
    numbers = numbered(response)
    assert numbers == sorted(numbers)
    assert set(numbers) == set(range(1, 20))
    assert all(step.passed for step in response.trace)
    for step in response.trace:
        assert step.rule and step.source and step.basis in BASES


# ---------------------------------------------------------------- every world check that passed is in the trace


def _ready(lab: Lab) -> str:
    return lab.ready_disk()


def _service_off(lab: Lab) -> str:
    lab.knobs.set_snapshot_service(False)
    return _ready(lab)


def _balance(lab: Lab) -> str:
    lab.knobs.set_balance(-1)
    return _ready(lab)


def _instance_id(lab: Lab) -> str:
    return lab.disk(_ready(lab)).instance_id


def _local(lab: Lab) -> str:
    instance_id = lab.run_instance(data_disks=[(100, "ephemeral_ssd")])
    return next(d for d in lab.instance(instance_id).disk_ids if lab.disk(d).category == "ephemeral_ssd")


def _elastic_ephemeral(lab: Lab) -> str:
    return lab.create_disk(64, "elastic_ephemeral_disk_standard")


def _in_arrears(lab: Lab) -> str:
    disk_id = _ready(lab)
    lab.knobs.set_in_arrears(disk_id)
    return disk_id


def _transferring(lab: Lab) -> str:
    disk_id = _ready(lab)
    lab.knobs.start_transfer(disk_id, minutes=30)
    return disk_id


def _detached(lab: Lab) -> str:
    disk_id = _ready(lab)
    lab.detach_disk(disk_id, lab.disk(disk_id).instance_id)
    lab.advance(seconds=30)
    return disk_id


def _orphaned(lab: Lab) -> str:
    disk_id = _ready(lab)
    lab.knobs.orphan_disk(disk_id)
    return disk_id


def _locked(lab: Lab) -> str:
    disk_id = _ready(lab)
    lab.knobs.lock_instance(lab.disk(disk_id).instance_id, "security")
    return disk_id


def _stopping(lab: Lab) -> str:
    disk_id = _ready(lab)
    lab.stop_instance(lab.disk(disk_id).instance_id)
    return disk_id


def _never_started(lab: Lab) -> str:
    instance_id = lab.create_instance()
    lab.advance(hours=2)
    return lab.instance(instance_id).disk_ids[0]


def _device_fault(lab: Lab) -> str:
    disk_id = _ready(lab)
    lab.knobs.break_device(disk_id)
    return disk_id


def _loading(lab: Lab) -> str:
    instance_id = lab.run_instance()
    lab.advance(minutes=5)
    return lab.instance(instance_id).disk_ids[0]


def _progressing(lab: Lab) -> str:
    disk_id = _ready(lab)
    assert lab.create_snapshot(disk_id).ok
    return disk_id


def _at_quota(lab: Lab) -> str:
    disk_id = _progressing(lab)
    lab.advance(hours=1)
    return disk_id


def _kms_revoked(lab: Lab) -> str:
    disk_id = encrypted_ready_disk(lab, "key-x")
    lab.knobs.revoke_kms("key-x")
    return disk_id


WORLD_FAILURES = {
    "Account.snapshot_service": _service_off,
    "Account.balance": _balance,
    "Disk.is_disk": _instance_id,
    "Disk.exists": lambda lab: "d-doesnotexist",
    "Disk.not_local": _local,
    "Disk.type_supported": _elastic_ephemeral,
    "Disk.not_in_arrears": _in_arrears,
    "Disk.ever_attached": lambda lab: lab.create_disk(),
    "Disk.not_transferring": _transferring,
    "Disk.in_use": _detached,
    "Instance.exists": _orphaned,
    "Instance.not_security_locked": _locked,
    "Instance.running_or_stopped": _stopping,
    "Instance.ever_started": _never_started,
    "Disk.device_ok": _device_fault,
    "Disk.data_loaded": _loading,
    "Disk.no_snapshot_in_progress": _progressing,
    "Disk.under_quota": _at_quota,
    "Disk.kms_usable": _kms_revoked,
}


@pytest.mark.parametrize("check", list(WORLD_FAILURES))
def test_trace_lists_every_world_check_that_passed_before_the_failure(full_order: list[TraceStep], check: str) -> None:
    """A learner reads the trace as "these passed, then this failed": nothing that ran may be missing."""
    lab = Lab(seed=11, snapshot_quota=1)
    target = WORLD_FAILURES[check](lab)
    response = lab.create_snapshot(target)
    assert response.trace[-1].check == check, response.explain()
    assert_refused(response, response.code, check, full_order)
    ids = [step.check for step in full_order]
    assert world_checks(response.trace[:-1]) == world_checks(full_order[: ids.index(check)]), response.explain()
