"""reproduce(code): a fresh lab brought to the situation that makes the API answer `code`, and the request.

Each recipe uses only what a learner could do (API calls, knobs, faults, time), so it doubles as an explanation:
`Reproduction.steps` says in words how the situation was made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from . import display, i18n
from .lab import Lab
from .response import Response
from .rules.catalog import ErrorEntry, error_catalog, lookup, only_in

SEED = 2026


@dataclass(repr=False)
class Reproduction:
    """The lab, the request that was sent, its response, and the steps that set it up."""

    code: str
    entry: ErrorEntry
    lab: Lab
    action: str
    params: dict
    response: Response
    steps: list[str] = field(default_factory=list)

    def explain(self) -> str:
        lines = [f"{self.code} (HTTP {self.entry.http_status}): {self.entry.message}", i18n._("How it was made:")]
        lines += [f"  {n}. {step}" for n, step in enumerate(self.steps, start=1)]
        lines.append(f"  {len(self.steps) + 1}. {self.action} {self.params}")
        lines.append(self.response.explain())
        return "\n".join(lines)

    def __repr__(self) -> str:
        steps = len(self.steps)
        said = i18n.ngettext(
            "<Reproduction {code}: {action} after {n} setup step>",
            "<Reproduction {code}: {action} after {n} setup steps>",
            steps,
        )
        return said.format(code=self.code, action=self.action, n=steps)

    def _repr_html_(self) -> str:
        return display.reproduction_html(self.entry, self.steps, self.action, self.params, self.response)


class Scene:
    """A lab plus the narrative of how it got where it is."""

    def __init__(self, **lab_args: object) -> None:
        self.lab = Lab(seed=SEED, **lab_args)  # type: ignore[arg-type]
        self.steps: list[str] = []

    def say(self, step: str) -> None:
        self.steps.append(step)

    def ready_disk(self, size_gib: int = 40) -> str:
        disk_id = self.lab.ready_disk(size_gib)
        instance_id = self.lab.disk(disk_id).instance_id
        self.say(
            i18n._(
                "RunInstances -> {instance_id}; CreateDisk {size_gib} GiB -> {disk_id}; AttachDisk; wait until its "
                "data has loaded"
            ).format(instance_id=instance_id, size_gib=size_gib, disk_id=disk_id)
        )
        return disk_id

    def instance_of(self, disk_id: str) -> str:
        return self.lab.disk(disk_id).instance_id or ""


Recipe = Callable[[Scene], tuple[str, dict]]
RECIPES: dict[tuple[str, str], Recipe] = {}


def recipe(code: str, variant: str = "") -> Callable[[Recipe], Recipe]:
    def register(fn: Recipe) -> Recipe:
        RECIPES[(code, variant)] = fn
        return fn

    return register


def snapshot_of(scene: Scene, **params: object) -> tuple[str, dict]:
    return "CreateSnapshot", {"DiskId": scene.ready_disk(), **params}


# ---------------------------------------------------------------- the seed's table


@recipe("InvalidDiskId.NotFound")
def _(s: Scene):
    return "CreateSnapshot", {"DiskId": "d-doesnotexist00000000"}


@recipe("InvalidSnapshotName.Malformed")
def _(s: Scene):
    return snapshot_of(s, SnapshotName="1st-backup")


@recipe("InvalidDescription.Malformed")
def _(s: Scene):
    return snapshot_of(s, Description="http://example.com/backup")


@recipe("IncorrectInstanceStatus")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.say(
        i18n._("RunInstances -> {instance_id} (Pending for a while, not yet Running)").format(instance_id=instance_id)
    )
    return "CreateSnapshot", {"DiskId": s.lab.instance(instance_id).disk_ids[0]}


@recipe("IncorrectDiskStatus.CreatingSnapshot")
def _(s: Scene):
    disk_id = s.ready_disk()
    first = s.lab.create_snapshot(disk_id, name="first").data["SnapshotId"]
    s.say(i18n._("CreateSnapshot -> {first}, still progressing").format(first=first))
    return "CreateSnapshot", {"DiskId": disk_id, "SnapshotName": "second"}


@recipe("IncorrectDiskStatus.NeverAttached")
def _(s: Scene):
    disk_id = s.lab.create_disk(40)
    s.say(i18n._("CreateDisk -> {disk_id}, never attached").format(disk_id=disk_id))
    return "CreateSnapshot", {"DiskId": disk_id}


@recipe("QuotaExceed.Snapshot")
def _(s: Scene):
    disk_id = s.ready_disk()
    for n in range(s.lab.snapshot_quota):
        s.lab.create_snapshot(disk_id, name=f"backup-{n + 1}")
        s.lab.advance(hours=1)
    s.say(
        i18n._("CreateSnapshot {snapshot_quota} times, one an hour (the quota is {snapshot_quota})").format(
            snapshot_quota=s.lab.snapshot_quota
        )
    )
    return "CreateSnapshot", {"DiskId": disk_id, "SnapshotName": "one-too-many"}


@recipe("IncorrectDiskStatus.NeverUsed")
def _(s: Scene):
    instance_id = s.lab.create_instance()
    s.say(i18n._("CreateInstance -> {instance_id} (Stopped, never started)").format(instance_id=instance_id))
    return "CreateSnapshot", {"DiskId": s.lab.instance(instance_id).disk_ids[0]}


@recipe("DiskId.ValueNotSupported")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.say(i18n._("RunInstances -> {instance_id}").format(instance_id=instance_id))
    return "CreateSnapshot", {"DiskId": instance_id}


@recipe("DiskCategory.OperationNotSupported")
def _(s: Scene):
    instance_id = s.lab.run_instance(data_disks=[(100, "ephemeral_ssd")])
    s.lab.advance(hours=2)
    s.say(
        i18n._("RunInstances with a local ephemeral_ssd data disk -> {instance_id}; wait 2 hours").format(
            instance_id=instance_id
        )
    )
    local = next(d for d in s.lab.instance(instance_id).disk_ids if s.lab.disk(d).category == "ephemeral_ssd")
    return "CreateSnapshot", {"DiskId": local}


@recipe("IncorrectDiskStatus")
def _(s: Scene):
    disk_id = s.ready_disk()
    s.lab.detach_disk(disk_id, s.instance_of(disk_id))
    s.lab.advance(minutes=1)
    s.say(i18n._("DetachDisk; wait a minute (the disk is Available: attached once, not now)"))
    return "CreateSnapshot", {"DiskId": disk_id}


@recipe("IncorrectVolumeStatus")
def _(s: Scene):
    disk_id = s.lab.create_disk(40, "san_ssd")
    s.say(
        i18n._("CreateDisk DiskCategory=san_ssd (shared block storage) -> {disk_id}, not attached").format(
            disk_id=disk_id
        )
    )
    return "CreateSnapshot", {"DiskId": disk_id}


@recipe("InvalidVolumeId.NotFound")
def _(s: Scene):
    disk_id = s.lab.create_disk(40, "san_ssd")
    s.lab.delete_disk(disk_id)
    s.say(
        i18n._("CreateDisk DiskCategory=san_ssd -> {disk_id}; DeleteDisk (the volume is being released)").format(
            disk_id=disk_id
        )
    )
    return "CreateSnapshot", {"DiskId": disk_id}


@recipe("IdempotentParameterMismatch")
def _(s: Scene):
    disk_id = s.ready_disk()
    s.lab.create_snapshot(disk_id, name="nightly", client_token="token-1")
    s.lab.advance(hours=1)
    s.say(i18n._("CreateSnapshot SnapshotName=nightly ClientToken=token-1; wait an hour"))
    return "CreateSnapshot", {"DiskId": disk_id, "SnapshotName": "weekly", "ClientToken": "token-1"}


@recipe("IncorrectDiskType.NotSupport")
def _(s: Scene):
    disk_id = s.lab.create_disk(64, "elastic_ephemeral_disk_standard")
    s.say(i18n._("CreateDisk DiskCategory=elastic_ephemeral_disk_standard -> {disk_id}").format(disk_id=disk_id))
    return "CreateSnapshot", {"DiskId": disk_id}


@recipe("InvalidParameter.KMSKeyId.KMSUnauthorized")
def _(s: Scene):
    lab = s.lab
    instance_id = lab.run_instance()
    disk_id = lab.create_disk(40, encrypted=True, kms_key_id="key-finance-01")
    lab.advance(minutes=2)
    lab.attach_disk(disk_id, instance_id)
    lab.advance(hours=2)
    lab.knobs.revoke_kms("key-finance-01")
    s.say(
        i18n._(
            "RunInstances; CreateDisk Encrypted=true KMSKeyId=key-finance-01 -> {disk_id}; AttachDisk; wait 2 "
            "hours; lab.knobs.revoke_kms('key-finance-01')"
        ).format(disk_id=disk_id)
    )
    return "CreateSnapshot", {"DiskId": disk_id}


@recipe("Duplicate.TagKey")
def _(s: Scene):
    return snapshot_of(s, **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "env", "Tag.2.Value": "test"})


@recipe("InvalidTagKey.Malformed")
def _(s: Scene):
    return snapshot_of(s, **{"Tag.1.Key": "aliyun:owner", "Tag.1.Value": "me"})


@recipe("InvalidTagValue.Malformed")
def _(s: Scene):
    return snapshot_of(s, **{"Tag.1.Key": "docs", "Tag.1.Value": "see https://example.com"})


@recipe("IdempotentProcessing")
def _(s: Scene):
    disk_id = s.ready_disk()
    s.lab.faults.inject("SlowRequest", seconds=60)
    s.lab.create_snapshot(disk_id, name="slow", client_token="slow-token")
    s.say(
        i18n._(
            "lab.faults.inject('SlowRequest', seconds=60); CreateSnapshot ClientToken=slow-token (answered 500 while "
            "the back end keeps working)"
        )
    )
    return "CreateSnapshot", {"DiskId": disk_id, "SnapshotName": "slow", "ClientToken": "slow-token"}


# A ready disk, one change made through a knob or a fault, then CreateSnapshot: (what the learner types, the change,
# extra parameters of the request).
ONE_CHANGE: dict[tuple[str, str], tuple[str, Callable[[Lab, str], object], dict]] = {
    ("InstanceLockedForSecurity", ""): (
        "lab.knobs.lock_instance(instance, 'security')",
        lambda lab, d: lab.knobs.lock_instance(lab.disk(d).instance_id or "", "security"),
        {},
    ),
    ("CreateSnapshot.Failed", ""): (
        "lab.faults.inject('CreateSnapshot.Failed')",
        lambda lab, d: lab.faults.inject("CreateSnapshot.Failed"),
        {},
    ),
    ("DiskInArrears", ""): (
        i18n.N_("lab.knobs.set_in_arrears(disk) (a pay-as-you-go disk with overdue payment)"),
        lambda lab, d: lab.knobs.set_in_arrears(d),
        {},
    ),
    ("InternalError", "before"): (
        i18n.N_("lab.faults.inject('InternalError') (fails before any effect)"),
        lambda lab, d: lab.faults.inject("InternalError"),
        {"ClientToken": "retry-me-safely"},
    ),
    ("InvalidAccountStatus.NotEnoughBalance", ""): (
        "lab.knobs.set_balance(-1)",
        lambda lab, d: lab.knobs.set_balance(-1),
        {},
    ),
    ("InvalidAccountStatus.SnapshotServiceUnavailable", ""): (
        "lab.knobs.set_snapshot_service(False)",
        lambda lab, d: lab.knobs.set_snapshot_service(False),
        {},
    ),
    ("InvalidInstanceId.NotFound", ""): (
        i18n.N_("lab.knobs.orphan_disk(disk) (its instance record is gone)"),
        lambda lab, d: lab.knobs.orphan_disk(d),
        {},
    ),
    ("IncorrectDiskStatus.Invalid", ""): (
        i18n.N_("lab.knobs.break_device(disk) (cleared by restarting the instance)"),
        lambda lab, d: lab.knobs.break_device(d),
        {},
    ),
    ("IncorrectDiskStatus.Transferring", ""): (
        "lab.knobs.start_transfer(disk, minutes=30)",
        lambda lab, d: lab.knobs.start_transfer(d, minutes=30),
        {},
    ),
    ("InternalError", "after"): (
        i18n.N_("lab.faults.inject('LostResponse') (the snapshot is made, then the answer is lost)"),
        lambda lab, d: lab.faults.inject("LostResponse"),
        {"ClientToken": "keep-this-token"},
    ),
}


def _one_change(how: str, change: Callable[[Lab, str], object], extra: dict) -> Recipe:
    def make(s: Scene) -> tuple[str, dict]:
        disk_id = s.ready_disk()
        change(s.lab, disk_id)
        s.say(i18n._(how))
        return "CreateSnapshot", {"DiskId": disk_id, **extra}

    return make


for (_code, _variant), (_how, _change, _extra) in ONE_CHANGE.items():
    RECIPES[(_code, _variant)] = _one_change(_how, _change, _extra)


# ---------------------------------------------------------------- common codes of the other actions


@recipe("MissingParameter")
def _(s: Scene):
    return "CreateSnapshot", {"SnapshotName": "no-disk"}


@recipe("InvalidParameter")
def _(s: Scene):
    return snapshot_of(s, RetentionDays=0)


@recipe("InvalidAction.NotFound")
def _(s: Scene):
    return "CreateSnapshots", {"DiskId": "d-anything"}


@recipe("InvalidRegionId.NotFound")
def _(s: Scene):
    return "DescribeSnapshots", {"RegionId": "mars-north-1"}


@recipe("InvalidSnapshotId.NotFound")
def _(s: Scene):
    return "DeleteSnapshot", {"SnapshotId": "s-doesnotexist00000000"}


@recipe("InvalidSnapshotId.NotReady")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.lab.advance(hours=1, minutes=2)
    system_disk = s.lab.instance(instance_id).disk_ids[0]
    snapshot_id = s.lab.create_snapshot(system_disk, name="golden").data["SnapshotId"]
    s.say(
        i18n._(
            "RunInstances; wait an hour; CreateSnapshot of the system disk -> {snapshot_id}, still progressing"
        ).format(snapshot_id=snapshot_id)
    )
    return "CreateImage", {"RegionId": s.lab.region, "SnapshotId": snapshot_id}


@recipe("SnapshotCreatedImage")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.lab.advance(hours=1, minutes=2)
    snapshot_id = s.lab.create_snapshot(s.lab.instance(instance_id).disk_ids[0], name="golden").data["SnapshotId"]
    s.lab.advance(hours=1)
    image_id = s.lab.create_image(snapshot_id)
    s.say(
        i18n._("RunInstances; snapshot the system disk -> {snapshot_id}; wait; CreateImage -> {image_id}").format(
            snapshot_id=snapshot_id, image_id=image_id
        )
    )
    return "DeleteSnapshot", {"SnapshotId": snapshot_id}


@recipe("SnapshotCreatedDisk")
def _(s: Scene):
    disk_id = s.ready_disk()
    snapshot_id = s.lab.create_snapshot(disk_id, name="base").data["SnapshotId"]
    s.lab.advance(hours=1)
    copy = s.lab.create_disk(snapshot_id=snapshot_id)
    s.say(
        i18n._("CreateSnapshot -> {snapshot_id}; wait; CreateDisk SnapshotId={snapshot_id} -> {copy}").format(
            snapshot_id=snapshot_id, copy=copy
        )
    )
    return "DeleteSnapshot", {"SnapshotId": snapshot_id}


@recipe("OperationDenied")
def _(s: Scene):
    disk_id = s.ready_disk()
    snapshot_id = s.lab.create_snapshot(disk_id, name="data").data["SnapshotId"]
    s.lab.advance(hours=1)
    s.say(i18n._("CreateSnapshot of a data disk -> {snapshot_id}; wait").format(snapshot_id=snapshot_id))
    return "CreateImage", {"RegionId": s.lab.region, "SnapshotId": snapshot_id}


@recipe("InvalidImageId.NotFound")
def _(s: Scene):
    return "RunInstances", {
        "RegionId": s.lab.region,
        "ImageId": "m-doesnotexist00000000",
        "InstanceType": "ecs.g7.large",
    }


@recipe("InvalidZoneId.NotFound")
def _(s: Scene):
    return "CreateDisk", {"RegionId": s.lab.region, "ZoneId": "cn-hangzhou-z", "Size": 40}


@recipe("InvalidDiskCategory.ValueNotSupported")
def _(s: Scene):
    return "CreateDisk", {"RegionId": s.lab.region, "ZoneId": s.lab.zones[0], "DiskCategory": "floppy", "Size": 40}


@recipe("InvalidDiskSize.NotSupported")
def _(s: Scene):
    return "CreateDisk", {"RegionId": s.lab.region, "ZoneId": s.lab.zones[0], "DiskCategory": "cloud_essd", "Size": 1}


@recipe("InvalidDiskSize.TooSmall")
def _(s: Scene):
    disk_id = s.ready_disk(100)
    snapshot_id = s.lab.create_snapshot(disk_id, name="big").data["SnapshotId"]
    s.lab.advance(hours=1)
    s.say(i18n._("CreateSnapshot of a 100 GiB disk -> {snapshot_id}; wait").format(snapshot_id=snapshot_id))
    return "CreateDisk", {"RegionId": s.lab.region, "ZoneId": s.lab.zones[0], "SnapshotId": snapshot_id, "Size": 50}


@recipe("DiskNotPortable")
def _(s: Scene):
    instance_id = s.lab.run_instance(data_disks=[(100, "ephemeral_ssd")])
    s.lab.advance(minutes=2)
    local = next(d for d in s.lab.instance(instance_id).disk_ids if s.lab.disk(d).category == "ephemeral_ssd")
    s.say(i18n._("RunInstances with a local ephemeral_ssd data disk {local}").format(local=local))
    return "DetachDisk", {"DiskId": local, "InstanceId": instance_id}


@recipe("DiskTypeViolation")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.lab.advance(minutes=2)
    s.say(i18n._("RunInstances -> {instance_id}").format(instance_id=instance_id))
    return "DetachDisk", {"DiskId": s.lab.instance(instance_id).disk_ids[0], "InstanceId": instance_id}


@recipe("DependencyViolation")
def _(s: Scene):
    disk_id = s.ready_disk()
    other = s.lab.run_instance()
    s.lab.advance(minutes=2)
    s.say(i18n._("RunInstances -> {other} (another instance)").format(other=other))
    return "DetachDisk", {"DiskId": disk_id, "InstanceId": other}


@recipe("ResourcesNotInSameZone")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    disk_id = s.lab.create_disk(40, zone_id=s.lab.zones[1])
    s.lab.advance(minutes=2)
    s.say(
        i18n._("RunInstances in {zones} -> {instance_id}; CreateDisk in {zones2} -> {disk_id}").format(
            zones=s.lab.zones[0], instance_id=instance_id, zones2=s.lab.zones[1], disk_id=disk_id
        )
    )
    return "AttachDisk", {"DiskId": disk_id, "InstanceId": instance_id}


@recipe("DiskCreatingSnapshot")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.lab.advance(hours=1, minutes=2)
    s.lab.create_snapshot(s.lab.instance(instance_id).disk_ids[0], name="before-upgrade")
    s.lab.stop_instance(instance_id)
    s.lab.advance(minutes=1)
    s.say(i18n._("RunInstances; wait an hour; CreateSnapshot of the system disk; StopInstance; wait a minute"))
    return "ReplaceSystemDisk", {"InstanceId": instance_id, "ImageId": s.lab.instance(instance_id).image_id}


# One refused request each, in a fresh lab: DescribeSnapshots with a value its page refuses, CreateSnapshot (of a
# ready disk) with a value today's page refuses.
_BAD_QUERIES: dict[str, dict[str, str]] = {
    "InvalidStatus.NotFound": {"Status": "done"},
    "InvalidSnapshotType.NotFound": {"SnapshotType": "manual"},
    "InvalidSnapshotIds.Malformed": {"SnapshotIds": "[" + ",".join(f'"s-{n:020d}"' for n in range(101)) + "]"},
    "InvalidUsage": {"Usage": "bogus"},
    "InvalidSourceDiskType": {"SourceDiskType": "bogus"},
    "InvalidFilterKey.NotFound": {"Filter.1.Key": "CreatedAfter", "Filter.1.Value": "x"},
    "InvalidFilterValue": {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "yesterday"},
    "InvalidTagCount": {"Tag.21.Key": "env"},
    "InvalidTag.Mismatch": {"Tag.1.Value": "prod"},
    "InvalidSnapshotLinkId.NotFound": {"SnapshotLinkId": "sl-nope"},
    "InvalidSnapshotCategory.Malformed": {"Category": "premium"},
}
_BAD_CREATES: dict[str, dict[str, str]] = {
    "InvalidCategoryAndInstantAccess.Malformed": {"Category": "Standard", "InstantAccess": "true"},
    "InvalidRetentionDays.Malformed": {"RetentionDays": "0"},
    "InvalidClientToken.Malformed": {"ClientToken": "t" * 65},
    "InvalidResourceGroup.NotFound": {"ResourceGroupId": "rg-nope"},
    "InvalidParameter.UnauthorizedStorageLocationArn": {
        "StorageLocationArn": "acs:ecs:cn-hangzhou:1:storage-location/sl-1"
    },
}


def _bad_query(query: dict[str, str], s: Scene) -> tuple[str, dict]:
    return "DescribeSnapshots", {"RegionId": s.lab.region, **query}


def _bad_create(extra: dict[str, str], s: Scene) -> tuple[str, dict]:
    return snapshot_of(s, **extra)


for _code, _query in _BAD_QUERIES.items():
    recipe(_code)(partial(_bad_query, _query))
for _code, _extra in _BAD_CREATES.items():
    recipe(_code)(partial(_bad_create, _extra))


@recipe("InvalidAutoSnapshotPolicyId.NotFound")
def _(s: Scene):
    disk_id = s.ready_disk()
    return "ApplyAutoSnapshotPolicy", {
        "regionId": s.lab.region,
        "autoSnapshotPolicyId": "sp-nope",
        "diskIds": f'["{disk_id}"]',
    }


# ---------------------------------------------------------------- a code as another action answers it
# A code whose status or message differs per action has a second catalogue entry; these recipes reach it through
# the first action that entry names, so reproduce(code, action=...) answers exactly that entry.

ACTION_RECIPES: dict[tuple[str, str], Recipe] = {}


def action_recipe(code: str, action: str) -> Callable[[Recipe], Recipe]:
    def register(fn: Recipe) -> Recipe:
        ACTION_RECIPES[(code, action)] = fn
        return fn

    return register


@action_recipe("InvalidSnapshotId.NotReady", "CreateDisk")
def _(s: Scene):
    disk_id = s.ready_disk()
    snapshot_id = s.lab.create_snapshot(disk_id, name="base").data["SnapshotId"]
    s.say(i18n._("CreateSnapshot -> {snapshot_id}, still progressing").format(snapshot_id=snapshot_id))
    return "CreateDisk", {"RegionId": s.lab.region, "ZoneId": s.lab.zones[0], "SnapshotId": snapshot_id}


@action_recipe("IncorrectDiskStatus", "AttachDisk")
def _(s: Scene):
    disk_id = s.ready_disk()
    other = s.lab.run_instance()
    s.lab.advance(minutes=2)
    s.say(i18n._("RunInstances -> {other}, a second instance, Running").format(other=other))
    return "AttachDisk", {"DiskId": disk_id, "InstanceId": other}


@action_recipe("IncorrectInstanceStatus", "StartInstance")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.lab.advance(minutes=2)
    s.say(i18n._("RunInstances -> {instance_id}; wait until it is Running").format(instance_id=instance_id))
    return "StartInstance", {"InstanceId": instance_id}


@action_recipe("InstanceLockedForSecurity", "StartInstance")
def _(s: Scene):
    instance_id = s.lab.run_instance()
    s.lab.advance(minutes=2)
    s.lab.stop_instance(instance_id)
    s.lab.advance(minutes=2)
    s.lab.knobs.lock_instance(instance_id, "security")
    s.say(
        i18n._("RunInstances -> {instance_id}; StopInstance; lab.knobs.lock_instance(instance, 'security')").format(
            instance_id=instance_id
        )
    )
    return "StartInstance", {"InstanceId": instance_id}


@action_recipe("IdempotentParameterMismatch", "CreateDisk")
def _(s: Scene):
    params = {"RegionId": s.lab.region, "ZoneId": s.lab.zones[0], "Size": 40, "ClientToken": "disk-token"}
    disk_id = s.lab.call("CreateDisk", params).data["DiskId"]
    s.say(i18n._("CreateDisk Size=40 ClientToken=disk-token -> {disk_id}").format(disk_id=disk_id))
    return "CreateDisk", {**params, "Size": 80}


def _scoped(entry: ErrorEntry, action: str) -> bool:
    return not entry.actions or action in entry.actions


def reproduce(code: str, row: int | None = None, action: str | None = None, api: str = "seed") -> Reproduction:
    """Make the API answer `code`. For a code with two rows in the seed (InternalError), `row` picks one; for a code
    answered differently by another action, `action` picks that action's entry. `api` is the profile the lab answers
    by: the same situation may be answered otherwise in the 2026 profile (the Response says what was answered)."""
    matches = [e for e in error_catalog() if e.code == code and (row is None or e.row == row)]
    if action is not None:
        matches = [e for e in matches if action in e.actions]
    if not matches:
        raise KeyError(_not_in_catalogue(code, row, action))
    entry = matches[0]
    wanted = action or (entry.actions[0] if entry.row is None and entry.actions else None)
    fn = (
        (ACTION_RECIPES.get((code, wanted)) if wanted else None)
        or RECIPES.get((code, entry.variant))
        or RECIPES.get((code, ""))
    )
    if fn is None:
        raise KeyError(i18n._("no recipe reproduces {code}").format(code=repr(code)))
    only = entry.api or only_in(code)  # today's version of a code, or a code only today's API has
    scene = Scene(api=only or api)
    if only and only != api:
        scene.say(
            i18n._(
                "{code} belongs to the {only} profile's API (the seed's has no such parameter): a {only} lab"
            ).format(code=code, only=only)
        )
    sent_action, params = fn(scene)
    if action is not None and sent_action != action:
        raise KeyError(
            i18n._("no recipe reproduces {code} through {action} (the lab's recipe uses {used})").format(
                code=repr(code), action=action, used=sent_action
            )
        )
    response = scene.lab.call(sent_action, params)
    answered = lookup(code, sent_action, entry.variant, scene.lab.api) if _scoped(entry, sent_action) else entry
    return Reproduction(code, answered, scene.lab, sent_action, params, response, scene.steps)


def _not_in_catalogue(code: str, row: int | None, action: str | None) -> str:
    """Why reproduce found no entry (the command line shows it): one whole sentence for each way it was asked."""
    if row and action:
        said = i18n._("{code} (row {row}) for {action} is not in the error catalogue")
    elif row:
        said = i18n._("{code} (row {row}) is not in the error catalogue")
    elif action:
        said = i18n._("{code} for {action} is not in the error catalogue")
    else:
        said = i18n._("{code} is not in the error catalogue")
    return said.format(code=repr(code), row=row, action=action)


def reproducible_codes() -> list[str]:
    """Every code with a recipe, in catalogue order."""
    seen: list[str] = []
    for entry in error_catalog():
        if entry.code not in seen and ((entry.code, entry.variant) in RECIPES or (entry.code, "") in RECIPES):
            seen.append(entry.code)
    return seen
