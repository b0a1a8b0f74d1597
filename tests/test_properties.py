"""Properties of the whole lab, found by hypothesis rather than by hand-picked cases.

1. A stateful machine drives one lab through instances, disks, snapshots, faults, locks, automatic snapshot
   policies and the clock, and checks the world's invariants after every step: the per-disk quota, one progressing
   snapshot per disk, rejected requests change nothing, ClientToken replays create nothing, retention releases
   happen exactly at CreationTime + RetentionDays, and the lab never fails inside.
2. A fuzz of `lab.call` and `validate` with arbitrary parameter mappings: every answer is a well-formed Response.
3. Determinism: the same seed and the same calls give the same request log and the same answers.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from hypothesis_profiles import TIMED_HEALTH_CHECKS, examples

from ecs_snap_lab import Lab, Response, validate
from ecs_snap_lab.actions.base import ACTIONS
from ecs_snap_lab.lab import DEFAULT_IMAGE
from ecs_snap_lab.model.events import Event
from ecs_snap_lab.model.world import World

QUOTA = 3
STATUSES = {200, 400, 403, 404, 500}
DAY = 86400

# ---------------------------------------------------------------- shared helpers


def world_fingerprint(world: World) -> tuple:
    """Everything a request could change: resources, indexes, tokens, slow requests, policies, the event log."""
    return (
        world.now,
        repr(list(world.instances.values())),
        repr(list(world.disks.values())),
        repr(list(world.snapshots.values())),
        repr(list(world.images.values())),
        repr(list(world.policies.values())),
        repr(world.account),
        repr(sorted(world.tokens.items())),
        repr(list(world.pending.values())),
        repr(sorted(world.inflight.items())),
        repr(sorted(world.progressing.items())),
        {disk_id: tuple(snaps) for disk_id, snaps in world.by_disk.items()},
        len(world.events),
    )


def effect_after_failure(response: Response) -> bool:
    """A 500 whose trace fails "Backend.answers": the effect happened (LostResponse) or goes on (SlowRequest)."""
    trace = response.trace
    return bool(trace) and trace[-1].check == "Backend.answers" and not trace[-1].passed


def assert_well_formed(response: Response) -> None:
    assert isinstance(response, Response)
    assert type(response.status) is int and response.status in STATUSES, response
    assert response.ok == (response.status == 200)
    assert isinstance(json.loads(response.to_json()), dict)
    ET.fromstring(response.to_xml())
    assert all(isinstance(str(step), str) for step in response.trace)
    assert isinstance(response.explain(), str)
    if not response.ok:
        assert response.code and response.data["Code"] == response.code
        assert response.trace and not response.trace[-1].passed


def instance_params(lab: Lab, *, zone: int = 0, data_disk: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {
        "RegionId": lab.region,
        "ImageId": DEFAULT_IMAGE,
        "InstanceType": "ecs.g7.large",
        "ZoneId": lab.zones[zone],
        "SystemDisk.Size": 40,
        "SystemDisk.Category": "cloud_essd",
    }
    if data_disk:
        params["DataDisk.1.Size"] = 20
        params["DataDisk.1.Category"] = "cloud_essd"
    return params


# ---------------------------------------------------------------- 1. the stateful machine


def mostly(good: list, bad: list, percent_bad: int = 4) -> st.SearchStrategy:
    """A value from `good`, or about `percent_bad` % of the time one from `bad` (so most requests pass the rules).
    The bad band sits mid-range: hypothesis favours the ends of an integer range."""
    low = 50 - percent_bad // 2
    use_bad = st.integers(0, 99).map(lambda n: low <= n < low + percent_bad)
    return st.tuples(use_bad, st.sampled_from(good), st.sampled_from(bad)).map(lambda t: t[2] if t[0] else t[1])


NAMES = mostly([None, "Daily", "Backup-1", "a:b_c"], ["1bad", "auto_x", "x", "http://x", "bad name"])
DESCRIPTIONS = mostly([None, None, "nightly backup"], ["x", "https://example.com"])
RETENTIONS = mostly([None, None, 1, 2, "3"], [0, 65537, "abc"])
TAGS = mostly(
    [(), (), (("env", "prod"),), (("env", "a"), ("team", ""))],
    [(("env", "a"), ("env", "b")), (("aliyun-x", "v"),)],  # Duplicate.TagKey, reserved prefix
)
TOKENS = ["tok-a", "tok-b", "tok-c"]
BAD_TOKEN = "tok-\u00e9"  # not ASCII
FAULTS = ["InternalError", "LostResponse", "SlowRequest", "CreateSnapshot.Failed", "SnapshotFails"]
PENDING = "<pending>"  # a token whose slow request has not answered yet

# A reference to a resource: an index into the lab's current ones, or something that is not one.
refs = mostly(list(range(8)), ["missing", "other-kind"], percent_bad=8)


class WorldMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.lab = Lab(seed=11, snapshot_quota=QUOTA)
        self.world = self.lab.world
        self.created: dict[str, tuple[int, int | None]] = {}  # snapshot id -> (created_at, retention_days)
        self.released: list[tuple[str, int]] = []  # (snapshot id, time of its snapshot_released event)
        self.event_problems: list[str] = []
        # ClientToken -> (the request's parameters without the token, SnapshotId or PENDING)
        self.tokens: dict[str, tuple[tuple, str]] = {}
        self.policies: list[str] = []
        self.last_request: tuple[dict[str, Any], str | None] | None = None
        self.lab.events.subscribe(self._on_event)

    @initialize(size=st.sampled_from([20, 40]))
    def two_disks_ready_to_snapshot(self, size: int) -> None:
        for _ in range(2):
            self.lab.ready_disk(size_gib=size)

    # ------------------------------------------------------------ observation

    def _on_event(self, happened: Event) -> None:
        if happened.kind == "snapshot_created":
            snap = self.world.snapshots.get(happened.resource_id)
            if snap is None:
                self.event_problems.append(f"{happened.resource_id} created but not in world.snapshots")
                return
            if snap.created_at != happened.at:
                self.event_problems.append(f"{snap.snapshot_id} created at {snap.created_at}, logged at {happened.at}")
            self.created[snap.snapshot_id] = (snap.created_at, snap.retention_days)
        elif happened.kind == "snapshot_released":
            self.released.append((happened.resource_id, happened.at))

    def pick(self, table: Mapping[str, object], ref: int | str, prefix: str) -> str:
        """An id of `table` chosen by index, or an id that is not in it (missing, or of another kind)."""
        if isinstance(ref, int):
            ids = list(table)
            if ids:
                return ids[ref % len(ids)]
            ref = "missing"
        if ref == "other-kind":
            others = [*self.world.instances, *self.world.snapshots, *self.world.disks]
            others = [i for i in others if not i.startswith(prefix)]
            if others:
                return others[0]
        return prefix + "0000000000notthere000"

    def call(self, action: str, params: dict[str, Any]) -> Response:
        """lab.call, checking that a refusal leaves the world exactly as it was."""
        before = world_fingerprint(self.world)
        response = self.lab.call(action, params)
        assert_well_formed(response)
        assert not self.lab.internal_errors, self.lab.internal_errors[-1]
        if not response.ok and not effect_after_failure(response):
            assert world_fingerprint(self.world) == before, f"{action} {params} was refused but changed the world"
        return response

    # ------------------------------------------------------------ instances

    @precondition(lambda self: len(self.world.instances) < 4)
    @rule(started=st.booleans(), zone=st.sampled_from([0, 0, 1]), data_disk=st.booleans())
    def launch_instance(self, started: bool, zone: int, data_disk: bool) -> None:
        action = "RunInstances" if started else "CreateInstance"
        response = self.call(action, instance_params(self.lab, zone=zone, data_disk=data_disk))
        assert response.ok, response

    @rule(ref=refs, start=st.booleans())
    def start_or_stop_instance(self, ref: int | str, start: bool) -> None:
        instance_id = self.pick(self.world.instances, ref, "i-")
        self.call("StartInstance" if start else "StopInstance", {"InstanceId": instance_id})

    @precondition(lambda self: self.world.instances)
    @rule(ref=st.integers(0, 7), lock=st.sampled_from([False, False, False, True]))
    def lock_or_unlock_instance(self, ref: int, lock: bool) -> None:
        instance_id = self.pick(self.world.instances, ref, "i-")
        if lock:
            self.lab.knobs.lock_instance(instance_id, "security")
        else:
            self.lab.knobs.unlock_instance(instance_id, "security")

    # ------------------------------------------------------------ disks

    @precondition(lambda self: len(self.world.disks) < 10)
    @rule(
        size=st.sampled_from([20, 40, 100]),
        category=st.sampled_from(["cloud_essd", "cloud_essd", "cloud_ssd", "san_ssd"]),
        zone=st.sampled_from([0, 0, 1]),
    )
    def create_disk(self, size: int, category: str, zone: int) -> None:
        params = {"RegionId": self.lab.region, "ZoneId": self.lab.zones[zone], "DiskCategory": category, "Size": size}
        response = self.call("CreateDisk", params)
        assert response.ok == (category != "san_ssd" or size >= 32), response

    def data_disks(self) -> dict[str, object]:
        return {d: None for d, info in self.world.disks.items() if info.disk_type == "data"} or self.world.disks

    @rule(disk=refs, instance=refs, attach=st.booleans())
    def attach_or_detach_disk(self, disk: int | str, instance: int | str, attach: bool) -> None:
        disk_id = self.pick(self.data_disks(), disk, "d-")
        if not attach and isinstance(instance, int) and disk_id in self.world.disks:
            owner = self.world.disks[disk_id].instance_id
            instance_id = owner if owner and instance % 2 == 0 else self.pick(self.world.instances, instance, "i-")
        else:
            instance_id = self.pick(self.world.instances, instance, "i-")
        self.call("AttachDisk" if attach else "DetachDisk", {"DiskId": disk_id, "InstanceId": instance_id})

    @rule(disk=refs)
    def delete_disk(self, disk: int | str) -> None:
        self.call("DeleteDisk", {"DiskId": self.pick(self.data_disks(), disk, "d-")})

    # ------------------------------------------------------------ the clock

    @rule(
        seconds=st.one_of(
            st.integers(1, 120),
            st.integers(120, 4 * 3600),
            st.integers(4 * 3600, 5 * DAY),
        )
    )
    def advance(self, seconds: int) -> None:
        before = self.world.now
        self.lab.advance(seconds=seconds)
        assert self.world.now == before + seconds
        assert not self.lab.internal_errors

    @precondition(lambda self: self.world.progressing)
    @rule(extra=st.integers(0, 600))
    def let_snapshots_finish(self, extra: int) -> None:
        """Advance just past the moment the last progressing snapshot is due (incremental ones take seconds)."""
        last = max(self.world.snapshots[sid].done_at for sid in self.world.progressing.values())
        self.advance(last - self.world.now + extra)

    # ------------------------------------------------------------ snapshots

    @rule(
        disk=refs,
        name=NAMES,
        description=DESCRIPTIONS,
        retention=RETENTIONS,
        tags=TAGS,
        token=mostly([None, None, None, *TOKENS], [BAD_TOKEN], percent_bad=3),
    )
    def create_snapshot(
        self,
        disk: int | str,
        name: str | None,
        description: str | None,
        retention: int | str | None,
        tags: tuple[tuple[str, str], ...],
        token: str | None,
    ) -> None:
        world = self.world
        in_use = {d: None for d, info in world.disks.items() if info.status == "In_use"}
        params: dict[str, Any] = {"DiskId": self.pick(in_use or world.disks, disk, "d-")}
        for key, value in (("SnapshotName", name), ("Description", description), ("RetentionDays", retention)):
            if value is not None:
                params[key] = value
        for n, (key, value) in enumerate(tags, start=1):
            params[f"Tag.{n}.Key"] = key
            params[f"Tag.{n}.Value"] = value
        self.send_create_snapshot(params, token)

    @precondition(lambda self: self.last_request is not None)
    @rule(token=mostly(["same", "same", None, *TOKENS], [BAD_TOKEN], percent_bad=3))
    def retry_last_create_snapshot(self, token: str | None) -> None:
        """What a client does after a 500 or a timeout: the same request again, usually with the same token."""
        assert self.last_request is not None
        params, last_token = self.last_request
        self.send_create_snapshot(dict(params), last_token if token == "same" else token)

    def send_create_snapshot(self, params: dict[str, Any], token: str | None) -> None:
        world = self.world
        self.last_request = (dict(params), token)
        retention = params.get("RetentionDays")
        request = tuple(sorted((k, str(v)) for k, v in params.items()))
        if token is not None:
            params["ClientToken"] = token

        known = self.tokens.get(token) if token is not None else None
        if known is not None and f"CreateSnapshot\n{token}" not in world.tokens:
            # the slow request behind it died with its disk: the token is free again (finish_slow)
            assert known[1] == PENDING, f"token {token} for {known[1]} forgotten by the world"
            del self.tokens[token]
            known = None
        snapshots_before = set(world.snapshots)
        response = self.call("CreateSnapshot", params)
        made = set(world.snapshots) - snapshots_before
        event(f"CreateSnapshot: {response.code or 'ok'}")
        violations = validate("CreateSnapshot", params)

        if violations:
            assert not response.ok and response.code == violations[0].code, (response, violations)
        if known is not None:
            first_request, first_id = known
            if first_request != request:
                if not violations:
                    assert response.code == "IdempotentParameterMismatch", response
                assert not made
                return
            if first_id == PENDING:
                if not response.ok:
                    assert response.code == "IdempotentProcessing", response
                    assert not made
                    return
                first_id = response.data["SnapshotId"]
                assert first_id in self.created, f"the slow request's answer {first_id} was never created"
                self.tokens[token] = (request, first_id)
            assert response.ok, f"a replay of {token} with the same parameters was refused: {response}"
            assert response.data["SnapshotId"] == first_id, "a replay answered another SnapshotId"
            assert not made, f"a replay of {token} created {made}"
            return

        if response.ok:
            snapshot_id = response.data["SnapshotId"]
            assert made == {snapshot_id}, (made, snapshot_id)
            assert snapshot_id in world.snapshots
            snap = world.snapshots[snapshot_id]
            assert snap.disk_id == params["DiskId"]
            assert snap.retention_days == (int(retention) if retention is not None else None)
            if token is not None:
                self.tokens[token] = (request, snapshot_id)
        elif effect_after_failure(response):
            assert len(made) <= 1
            if token is not None:
                self.tokens[token] = (request, made.pop() if made else PENDING)
        else:
            assert not made

    @rule(ref=refs, force=st.booleans())
    def delete_snapshot(self, ref: int | str, force: bool) -> None:
        snapshot_id = self.pick(self.world.snapshots, ref, "s-")
        existed = snapshot_id in self.world.snapshots
        response = self.call("DeleteSnapshot", {"SnapshotId": snapshot_id, "Force": force})
        if response.ok:
            assert existed and snapshot_id not in self.world.snapshots

    # ------------------------------------------------------------ images and system disks

    @precondition(lambda self: self.world.snapshots)
    @rule(ref=refs)
    def create_image(self, ref: int | str) -> None:
        system = {s: None for s, snap in self.world.snapshots.items() if snap.disk_type == "system"}
        snapshot_id = self.pick(system or self.world.snapshots, ref, "s-")
        self.call("CreateImage", {"RegionId": self.lab.region, "SnapshotId": snapshot_id})

    @rule(ref=refs)
    def delete_image(self, ref: int | str) -> None:
        custom = {i: None for i, image in self.world.images.items() if not image.public}
        self.call("DeleteImage", {"RegionId": self.lab.region, "ImageId": self.pick(custom, ref, "m-")})

    @rule(ref=refs)
    def replace_system_disk(self, ref: int | str) -> None:
        instance_id = self.pick(self.world.instances, ref, "i-")
        self.call("ReplaceSystemDisk", {"InstanceId": instance_id, "ImageId": DEFAULT_IMAGE})

    # ------------------------------------------------------------ faults and policies

    @rule(
        kind=st.sampled_from(FAULTS),
        times=st.integers(1, 2),
        seconds=st.integers(1, 7200),
        at_progress=st.integers(0, 99),
        on_disk=st.one_of(st.none(), st.integers(0, 7)),
        action=st.sampled_from(["CreateSnapshot", "CreateSnapshot", "DeleteSnapshot", "AttachDisk", "StopInstance"]),
    )
    def inject_fault(
        self, kind: str, times: int, seconds: int, at_progress: int, on_disk: int | None, action: str
    ) -> None:
        disk_id = self.pick(self.world.disks, on_disk, "d-") if on_disk is not None and self.world.disks else None
        if kind != "InternalError":
            action = "CreateSnapshot"
        self.lab.faults.inject(
            kind, times=times, seconds=seconds, at_progress=at_progress, disk_id=disk_id, action=action
        )

    @precondition(lambda self: len(self.policies) < 3)
    @rule(
        hours=st.lists(st.integers(0, 23), min_size=1, max_size=3, unique=True),
        retention=st.sampled_from([-1, 1, 2, 7]),
    )
    def create_policy(self, hours: list[int], retention: int) -> None:
        params = {
            "regionId": self.lab.region,
            "timePoints": json.dumps(hours),
            "repeatWeekdays": json.dumps(list(range(1, 8))),
            "retentionDays": retention,
        }
        response = self.call("CreateAutoSnapshotPolicy", params)
        assert response.ok, response
        self.policies.append(response.data["AutoSnapshotPolicyId"])

    @precondition(lambda self: self.policies and self.world.disks)
    @rule(policy=st.integers(0, 2), disks=st.lists(st.integers(0, 7), min_size=1, max_size=3))
    def apply_policy(self, policy: int, disks: list[int]) -> None:
        disk_ids = sorted({self.pick(self.world.disks, d, "d-") for d in disks})
        params = {
            "regionId": self.lab.region,
            "autoSnapshotPolicyId": self.policies[policy % len(self.policies)],
            "diskIds": json.dumps(disk_ids),
        }
        response = self.call("ApplyAutoSnapshotPolicy", params)
        assert response.ok, response

    # ------------------------------------------------------------ invariants

    @invariant()
    def lab_never_fails_inside(self) -> None:
        assert self.lab.internal_errors == []
        assert self.event_problems == []

    @invariant()
    def no_disk_over_quota(self) -> None:
        for disk_id, snaps in self.world.by_disk.items():
            assert len(snaps) <= QUOTA, f"{disk_id} has {len(snaps)} snapshots; the quota is {QUOTA}"

    @invariant()
    def indexes_match_snapshots(self) -> None:
        world = self.world
        indexed = {sid for snaps in world.by_disk.values() for sid in snaps}
        assert indexed == set(world.snapshots)
        for status, snaps in world.by_status.items():
            assert all(world.snapshots[sid].status is status for sid in snaps)
        assert sum(map(len, world.by_status.values())) == len(world.snapshots)

    @invariant()
    def one_progressing_snapshot_per_disk(self) -> None:
        progressing: dict[str, list[str]] = {}
        for snap in self.world.snapshots.values():
            if snap.status == "progressing":
                progressing.setdefault(snap.disk_id, []).append(snap.snapshot_id)
        assert all(len(ids) == 1 for ids in progressing.values()), progressing
        assert self.world.progressing == {disk_id: ids[0] for disk_id, ids in progressing.items()}

    @invariant()
    def retention_releases_exactly_on_time(self) -> None:
        now = self.world.now
        # An image keeps a snapshot past its release time; it is released when its last image goes.
        kept = {row[2] for row in self.world.events.rows if row[1] == "snapshot_kept"}
        for snapshot_id, at in self.released:
            created_at, days = self.created[snapshot_id]
            assert days is not None, f"{snapshot_id} had no RetentionDays but was released"
            due = created_at + days * DAY
            if snapshot_id in kept:
                assert at >= due, f"{snapshot_id} (kept by an image) released at {at}, before it was due at {due}"
            else:
                assert at == due, f"{snapshot_id} released at {at}, due {due}"
        for snap in self.world.snapshots.values():
            if snap.retention_days is not None and not snap.image_ids:
                due = snap.created_at + snap.retention_days * DAY
                assert now < due, f"{snap.snapshot_id} still alive at {now}, past its release time {due}"


TestWorldMachine = WorldMachine.TestCase
TestWorldMachine.settings = settings(
    max_examples=examples(400),
    stateful_step_count=60,
    suppress_health_check=[*TIMED_HEALTH_CHECKS, HealthCheck.filter_too_much],
)


def test_retention_releases_a_snapshot_once_the_image_that_kept_it_is_deleted() -> None:
    """The machine's retention invariant, on the path it finds only now and then: an image keeps a snapshot past its
    release time (snapshot_kept); once the image is deleted nothing keeps it, so it must go."""
    lab = Lab(seed=1)
    instance_id = lab.run_instance()
    lab.advance(hours=2)
    system_disk = next(d for d in lab.instance(instance_id).disk_ids if lab.disk(d).disk_type == "system")
    snapshot_id = lab.create_snapshot(system_disk, retention_days=1).data["SnapshotId"]
    lab.advance(hours=1)
    image_id = lab.create_image(snapshot_id)
    lab.advance(days=1)
    assert snapshot_id in lab.world.snapshots  # kept: an image uses it
    assert lab.call("DeleteImage", {"RegionId": lab.region, "ImageId": image_id}).ok
    lab.advance(seconds=1)
    assert snapshot_id not in lab.world.snapshots, "alive a day past CreationTime + RetentionDays, with no image"


# ---------------------------------------------------------------- 2. the fuzz of lab.call and validate

REAL_NAMES = [
    "DiskId",
    "SnapshotName",
    "Description",
    "RetentionDays",
    "ClientToken",
    "RegionId",
    "regionId",
    "InstanceId",
    "SnapshotId",
    "SnapshotIds",
    "ZoneId",
    "Size",
    "DiskCategory",
    "ImageId",
    "InstanceType",
    "PageSize",
    "PageNumber",
    "Status",
    "Force",
    "timePoints",
    "repeatWeekdays",
    "retentionDays",
    "diskIds",
    "autoSnapshotPolicyId",
]
control_text = st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10)
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)
huge_text = st.tuples(st.sampled_from(["a", "\u00e9", "\x00", "://", "http://"]), st.integers(100, 70_000)).map(
    lambda pair: pair[0] * pair[1]
)
tag_names = st.builds(
    lambda n, part: f"Tag.{n}.{part}",
    st.one_of(st.integers(-3, 30), st.integers(), st.sampled_from(["", "x", "01", "\u0661", " 1"])),
    st.sampled_from(["Key", "Value", "key", "value", "KEY", ""]),
)
keys = st.one_of(
    st.sampled_from(REAL_NAMES),
    tag_names,
    any_text,
    control_text,
    huge_text,
    st.integers(),
    st.none(),
    st.tuples(st.integers()),
)
REFERENCES = ["<disk>", "<instance>", "<snapshot>", "<region>"]
values = st.one_of(
    st.sampled_from(REFERENCES),
    any_text,
    control_text,
    huge_text,
    st.integers(),
    st.sampled_from([10**4300, -(10**5000), 2**64, -1, 0, 65536, 65537]),
    st.booleans(),
    st.none(),
    st.floats(),
    st.lists(st.integers(), max_size=3),
    st.binary(max_size=10),
    st.sampled_from(["true", "false", "[]", '["x"]', "[1,2]", "{}", "[", "-1", "1e3", "\uff11"]),
)
param_maps = st.one_of(
    st.dictionaries(keys, values, max_size=8),
    st.dictionaries(st.sampled_from(REAL_NAMES) | tag_names, values, max_size=8),
    st.sampled_from([None, [], "DiskId=d-1", 42]),
)
actions = st.one_of(
    st.sampled_from(sorted(ACTIONS)),
    st.sampled_from(sorted(ACTIONS)),
    any_text,
    st.sampled_from(["createsnapshot", "CreateSnapshot ", "", "\x00"]),
    st.integers(),
    st.none(),
)


def fuzz_lab() -> tuple[Lab, dict[str, str]]:
    """A lab with one of each resource, so fuzzed parameters can name real ones."""
    lab = Lab(seed=3)
    disk_id = lab.ready_disk(size_gib=20)
    first = lab.create_snapshot(disk_id, name="first")
    assert first.ok, first
    lab.advance(hours=1)
    refs = {
        "<disk>": disk_id,
        "<instance>": lab.disk(disk_id).instance_id or "",
        "<snapshot>": first.data["SnapshotId"],
        "<region>": lab.region,
    }
    return lab, refs


def resolve(params: object, refs: dict[str, str]) -> object:
    if isinstance(params, dict):
        return {k: refs.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    return params


@settings(max_examples=examples(1500))
@given(action=actions, params=param_maps)
@example(action="CreateSnapshot", params={"DiskId": "<disk>", "RetentionDays": 10**5000})  # too long to print
@example(action="DescribeSnapshots", params={"RegionId": "<region>", "PageSize": 1e400})
def test_call_answers_any_parameters_with_a_well_formed_response(action: object, params: object) -> None:
    lab, refs = fuzz_lab()
    params = resolve(params, refs)
    response = lab.call(action, params)  # type: ignore[arg-type]
    assert_well_formed(response)
    assert lab.internal_errors == []
    violations = validate(action, params)  # type: ignore[arg-type]
    assert isinstance(violations, list)
    if violations:
        assert not response.ok, (response, violations)
    if action == "CreateSnapshot" and violations:
        assert response.code == violations[0].code, (response.code, violations)


PARAMETER_STEPS = {"1", "2", "3", "4", "5", "6"}  # DESIGN.md: steps 1-6 are the parameter rules that validate runs


@settings(max_examples=examples(1000))
@given(params=st.dictionaries(st.sampled_from(REAL_NAMES[:5]) | tag_names, values, max_size=6))
def test_create_snapshot_validate_agrees_with_call(params: dict) -> None:
    lab, refs = fuzz_lab()
    params = resolve(params, refs)  # type: ignore[assignment]
    response = lab.call("CreateSnapshot", params)
    assert_well_formed(response)
    assert lab.internal_errors == []
    violations = validate("CreateSnapshot", params)
    if violations:
        assert response.code == violations[0].code, (response.code, violations)
    elif not response.ok:
        failed = response.trace[-1]
        assert failed.check != "Params.encodable" and failed.number not in PARAMETER_STEPS, (failed, params)


# Each action with parameters it accepts; the fuzz below spoils a few of them, so its odd values reach the action's
# own parsing instead of being stopped by a missing parameter.
WELL_FORMED: dict[str, dict[str, str]] = {
    "CreateSnapshot": {"DiskId": "<disk>", "SnapshotName": "Fuzz", "RetentionDays": "3", "Tag.1.Key": "k"},
    "DescribeSnapshots": {"RegionId": "<region>", "DiskId": "<disk>", "PageSize": "5", "Status": "all"},
    "DeleteSnapshot": {"SnapshotId": "<snapshot>", "Force": "false"},
    "CreateDisk": {"RegionId": "<region>", "ZoneId": "<zone>", "Size": "20", "DiskCategory": "cloud_essd"},
    "DescribeDisks": {"RegionId": "<region>", "DiskIds": '["<disk>"]', "PageNumber": "1"},
    "AttachDisk": {"DiskId": "<disk>", "InstanceId": "<instance>", "DeleteWithInstance": "true"},
    "DetachDisk": {"DiskId": "<disk>", "InstanceId": "<instance>"},
    "DeleteDisk": {"DiskId": "<disk>"},
    "CreateInstance": {"RegionId": "<region>", "ImageId": DEFAULT_IMAGE, "InstanceType": "ecs.g7.large"},
    "RunInstances": {"RegionId": "<region>", "ImageId": DEFAULT_IMAGE, "InstanceType": "ecs.g7.large", "Amount": "1"},
    "StartInstance": {"InstanceId": "<instance>"},
    "StopInstance": {"InstanceId": "<instance>"},
    "DescribeInstances": {"RegionId": "<region>", "InstanceIds": '["<instance>"]'},
    "ReplaceSystemDisk": {"InstanceId": "<instance>", "ImageId": DEFAULT_IMAGE},
    "CreateImage": {"RegionId": "<region>", "SnapshotId": "<snapshot>"},
    "DeleteImage": {"RegionId": "<region>", "ImageId": DEFAULT_IMAGE},
    "CreateAutoSnapshotPolicy": {
        "regionId": "<region>",
        "timePoints": "[1, 13]",
        "repeatWeekdays": "[1, 7]",
        "retentionDays": "7",
    },
    "ApplyAutoSnapshotPolicy": {"regionId": "<region>", "autoSnapshotPolicyId": "<policy>", "diskIds": '["<disk>"]'},
    "CancelAutoSnapshotPolicy": {"regionId": "<region>", "diskIds": '["<disk>"]'},
}
OPTIONAL_NAMES = sorted(
    {name for params in WELL_FORMED.values() for name in params}
    | {"ClientToken", "Description", "SystemDisk.Size", "SystemDisk.Category", "DataDisk.1.Size", "Encrypted"}
    | {"KMSKeyId", "SnapshotType", "SnapshotIds", "DiskType", "Category", "InstanceChargeType", "ZoneId"}
)
odd_values = st.one_of(
    st.sampled_from(
        [
            "",
            "-",
            "--5",
            "-0",
            "+5",
            " 5",
            "5 ",
            "0x10",
            "1_000",
            "1e3",
            "\uff15",
            "\u0663",
            "\u00b2",
            "99999999999999999999",
            "-99999999999999",
            "NaN",
            "true",
            "TRUE",
            "yes",
            "[]",
            "[1e400]",
            "[-1e400]",
            "[NaN]",
            "[Infinity]",
            "[1.5]",
            "[true]",
            '["7"]',
            "[[1]]",
            "[{}]",
            "[null]",
            '["<disk>", "<disk>"]',
            '["<instance>"]',
            "{}",
            "[" * 3000,
            '"x"',
            "null",
        ]
    ),
    st.sampled_from([*REFERENCES, "<zone>", "<policy>"]),
    st.integers(-(2**70), 2**70),
    st.text(alphabet='[]-0123456789eE.,"\u00b2', max_size=12),
    any_text,
)


def spoiled_requests(action: str) -> st.SearchStrategy[tuple[str, dict[str, object]]]:
    """The action and 1-3 of its own parameters (or another real name) set to odd values."""
    names = st.one_of(st.sampled_from(sorted(WELL_FORMED[action])), st.sampled_from(OPTIONAL_NAMES))
    return st.tuples(st.just(action), st.dictionaries(names, odd_values, min_size=1, max_size=3))


@settings(max_examples=examples(1500))
@given(request=st.sampled_from(sorted(WELL_FORMED)).flatmap(spoiled_requests))
@example(request=("CreateAutoSnapshotPolicy", {"timePoints": "[1e400]"}))
@example(request=("CreateAutoSnapshotPolicy", {"retentionDays": "--5"}))
def test_each_action_answers_odd_values_of_its_own_parameters(request: tuple[str, dict[str, object]]) -> None:
    action, spoiled = request
    lab, refs = fuzz_lab()
    refs["<zone>"] = lab.zones[0]
    refs["<policy>"] = lab.create_auto_snapshot_policy([1])
    params = {**WELL_FORMED[action], **spoiled}
    params = {
        k: v.replace("<disk>", refs["<disk>"]).replace("<instance>", refs["<instance>"]) if isinstance(v, str) else v
        for k, v in params.items()
    }
    params = resolve(params, refs)  # type: ignore[assignment]
    response = lab.call(action, params)
    assert_well_formed(response)
    assert lab.internal_errors == []
    assert isinstance(validate(action, params), list)


# ---------------------------------------------------------------- 3. determinism

op = st.one_of(
    st.tuples(st.just("run"), st.booleans()),
    st.tuples(st.just("disk"), st.sampled_from([20, 40, 2000])),
    st.tuples(st.just("attach"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("detach"), st.integers(0, 5)),
    st.tuples(st.just("advance"), st.integers(1, 3 * DAY)),
    st.tuples(
        st.just("snapshot"),
        st.integers(0, 5),
        st.sampled_from([None, "Daily", "1bad"]),
        st.sampled_from([None, 1, 30]),
        st.sampled_from([None, "t1", "t2"]),
    ),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("fault"), st.sampled_from(FAULTS)),
    st.tuples(st.just("describe"), st.integers(1, 3)),
)


def nth(table: Mapping[str, object], index: int) -> str:
    ids = list(table)
    return ids[index % len(ids)] if ids else "x-none"


def play(seed: int, ops: list[tuple]) -> tuple[Lab, list[tuple]]:
    lab = Lab(seed=seed, snapshot_quota=QUOTA)
    world = lab.world
    answers = []
    for kind, *args in ops:
        response = None
        if kind == "run":
            response = lab.call("RunInstances" if args[0] else "CreateInstance", instance_params(lab))
        elif kind == "disk":
            params = {"RegionId": lab.region, "ZoneId": lab.zones[0], "DiskCategory": "cloud_essd", "Size": args[0]}
            response = lab.call("CreateDisk", params)
        elif kind == "attach":
            params = {"DiskId": nth(world.disks, args[0]), "InstanceId": nth(world.instances, args[1])}
            response = lab.call("AttachDisk", params)
        elif kind == "detach":
            disk_id = nth(world.disks, args[0])
            owner = world.disks[disk_id].instance_id if disk_id in world.disks else None
            response = lab.call("DetachDisk", {"DiskId": disk_id, "InstanceId": owner or "i-none"})
        elif kind == "advance":
            lab.advance(seconds=args[0])
        elif kind == "snapshot":
            disk, name, days, token = args
            response = lab.create_snapshot(nth(world.disks, disk), name=name, retention_days=days, client_token=token)
        elif kind == "delete":
            response = lab.call("DeleteSnapshot", {"SnapshotId": nth(world.snapshots, args[0])})
        elif kind == "fault":
            lab.faults.inject(args[0], seconds=600)
        elif kind == "describe":
            response = lab.call("DescribeSnapshots", {"RegionId": lab.region, "PageSize": args[0]})
        if response is not None:
            answers.append((response.status, response.code, response.to_json(), response.to_xml(), response.explain()))
    return lab, answers


@settings(max_examples=examples(300))
@given(seed=st.integers(0, 2**32), ops=st.lists(op, max_size=40))
def test_same_seed_and_calls_give_the_same_log_and_answers(seed: int, ops: list[tuple]) -> None:
    first, first_answers = play(seed, ops)
    second, second_answers = play(seed, ops)
    assert first.requests == second.requests
    assert first_answers == second_answers
    assert first.events.rows == second.events.rows
    assert first.now == second.now
    assert first.internal_errors == second.internal_errors == []


def test_another_seed_gives_other_ids() -> None:
    ops = [("run", True), ("disk", 20), ("advance", 3600)]
    first, _ = play(1, ops)
    second, _ = play(2, ops)
    assert [r.request_id for r in first.requests] != [r.request_id for r in second.requests]
    assert set(first.world.instances).isdisjoint(second.world.instances)
