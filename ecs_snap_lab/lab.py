"""Lab: one simulated ECS account on a clock you control, answering real API calls."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from os import PathLike
from types import MappingProxyType

from . import actions as _actions  # registers the handlers
from . import display, persistence
from .actions.base import ACTIONS, ApiFailure, Call
from .faults import Faults
from .i18n import _
from .knobs import Knobs
from .local_time import get_display_timezone, shown
from .model.clock import LAST_SECOND, parse_time, to_datetime, whole_seconds
from .model.events import EventKind, EventLog
from .model.resources import AutoSnapshotPolicy, Disk, Image, Instance, Snapshot, SnapshotStatus
from .model.world import PUBLIC_IMAGES, World
from .request_log import MAX_LOGGED_ACTION, MAX_LOGGED_CHARS, RequestLog, RequestRecord, bounded_params
from .response import ApiError, Response, error_body
from .rules.catalog import lookup
from .rules.params import to_wire
from .rules.profile import Profile, profile

log = logging.getLogger(__name__)
DEFAULT_IMAGE = PUBLIC_IMAGES[0][0]
DEFAULT_INSTANCE_TYPE = "ecs.g7.large"
RECENT_REQUESTS = 5  # requests a lab's rich repr lists

__all__ = [  # the request log's names stay importable from here
    "MAX_LOGGED_ACTION",
    "MAX_LOGGED_CHARS",
    "ApiError",
    "Lab",
    "RequestLog",
    "RequestRecord",
    "bounded_params",
]


class Lab:
    """A simulated ECS account: instances, disks, snapshots, on a clock that moves only when you say so.

    Same seed, same calls -> same ids, same answers, so a notebook run twice prints the same thing.
    """

    def __init__(
        self,
        seed: int = 0,
        start: str | datetime = "2026-01-01T00:00:00Z",
        region: str = "cn-hangzhou",
        snapshot_quota: int | None = None,
        api: str = "seed",
    ) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError("seed must be an integer")
        chosen = profile(api)  # ValueError for an unknown profile
        if snapshot_quota is None:
            snapshot_quota = chosen.manual_quota
        if not isinstance(snapshot_quota, int) or isinstance(snapshot_quota, bool) or snapshot_quota < 1:
            raise ValueError(_("snapshot_quota must be a positive integer"))
        if not isinstance(region, str) or not region:
            raise ValueError(_("region must be a region id such as cn-hangzhou"))
        zones = [f"{region}-{letter}" for letter in ("h", "i", "k")]
        world = World(
            seed=seed,
            start=parse_time(start),
            region=region,
            zones=zones,
            snapshot_quota=snapshot_quota,
            api=chosen.api,
        )
        self._attach(world, RequestLog())

    @classmethod
    def from_world(cls, world: World, request_log: RequestLog | None = None) -> Lab:
        """A lab around a world made elsewhere (persistence rebuilds one from a save file), with its request log.
        The world fires its scheduled happenings by itself (model.world.HANDLERS); the lab adds the API, the logs,
        the knobs and the faults."""
        if not isinstance(world, World):
            raise TypeError(f"Lab.from_world takes a World, not {type(world).__name__}")
        lab = cls.__new__(cls)  # __init__ makes a new world; this one is given
        lab._attach(world, RequestLog() if request_log is None else request_log)
        return lab

    def _attach(self, world: World, request_log: RequestLog) -> None:
        """The one place a lab's attributes are set, whichever constructor made it."""
        self.world = world
        self.request_log = request_log
        self.internal_errors: list[str] = []
        self.knobs = Knobs(world)
        self.faults = Faults(world)

    # ------------------------------------------------------------------ facts

    @property
    def now(self) -> datetime:
        """The simulated time, tz-aware UTC."""
        return to_datetime(self.world.now)

    @property
    def region(self) -> str:
        return self.world.region

    @property
    def zones(self) -> list[str]:
        return list(self.world.zones)

    @property
    def snapshot_quota(self) -> int:
        """Snapshots a disk may hold before CreateSnapshot is refused (in the 2026 profile: manual ones)."""
        return self.world.snapshot_quota

    @property
    def api(self) -> str:
        """The API profile the lab answers by: "seed" (the 2018-19 page, the default) or "2026" (today's docs)."""
        return self.world.api.value

    @property
    def profile(self) -> Profile:
        """The values of the rules that differ between the profiles, for this lab (rules/differences.toml)."""
        return profile(self.world.api)

    @property
    def requests(self) -> list[RequestRecord]:
        """The request log: every call, when, its key parameters, and how it ended."""
        return self.request_log.records()

    @property
    def events(self) -> EventLog:
        return self.world.events

    @property
    def seed(self) -> int:
        return self.world.seed

    def snapshot(self, snapshot_id: str) -> Snapshot:
        return self.world.snapshots[snapshot_id]

    def disk(self, disk_id: str) -> Disk:
        return self.world.disks[disk_id]

    def instance(self, instance_id: str) -> Instance:
        return self.world.instances[instance_id]

    def image(self, image_id: str) -> Image:
        return self.world.images[image_id]

    # ------------------------------------------------------------------ read-only queries (for the layers above)
    # Views, widgets, exercises and the wire read the lab through these, never through lab.world. They are live,
    # read-only views, not copies: a MappingProxyType over the world's own table is made in constant time and
    # follows the lab as it changes, so a chart that reads thousands of snapshots per redraw pays no copy and no
    # object per snapshot. The resources in them (Disk, Snapshot, ...) are the model's own objects: read them,
    # never assign to them; changes go through lab.call (or lab.knobs, lab.faults), which keep the indexes and the
    # event log true.

    @property
    def now_seconds(self) -> int:
        """The simulated time in whole seconds since the epoch: the unit of every time in the model."""
        return self.world.now

    @property
    def disks(self) -> Mapping[str, Disk]:
        """The disks that exist, by id, oldest first (released ones are gone)."""
        return MappingProxyType(self.world.disks)

    @property
    def snapshots(self) -> Mapping[str, Snapshot]:
        """The snapshots that exist, by id, oldest first (released and deleted ones are gone)."""
        return MappingProxyType(self.world.snapshots)

    @property
    def instances(self) -> Mapping[str, Instance]:
        """The instances, by id, oldest first."""
        return MappingProxyType(self.world.instances)

    @property
    def images(self) -> Mapping[str, Image]:
        """The images, by id: the public ones first, then those made from snapshots."""
        return MappingProxyType(self.world.images)

    @property
    def policies(self) -> Mapping[str, AutoSnapshotPolicy]:
        """The automatic snapshot policies, by id, oldest first."""
        return MappingProxyType(self.world.policies)

    def snapshots_of(self, disk_id: str) -> Mapping[str, Snapshot]:
        """The snapshots of one disk, by id, oldest first; kept after the disk is released. Empty for an unknown id."""
        snaps = self.world.by_disk.get(disk_id)
        return _NO_SNAPSHOTS if snaps is None else MappingProxyType(snaps)

    def snapshot_count(self, disk_id: str) -> int:
        """How many snapshots of this disk count against the quota (every status)."""
        return self.world.snapshot_count(disk_id)

    def snapshot_counts(self) -> dict[str, int]:
        """{disk id: snapshots held} for every disk that holds any, released disks included, in the order the disks
        first had one. A new dict (one entry per disk, not per snapshot), the caller's to keep."""
        return {disk_id: len(snaps) for disk_id, snaps in self.world.by_disk.items() if snaps}

    def progressing_snapshot(self, disk_id: str) -> Snapshot | None:
        """The snapshot of this disk being created now, if any (a disk has at most one)."""
        world = self.world
        snapshot_id = world.progressing.get(disk_id)
        return None if snapshot_id is None else world.snapshots[snapshot_id]

    # ------------------------------------------------------------------ time

    def advance(
        self,
        delta: timedelta | None = None,
        /,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move the clock forward, applying everything due on the way in time order. Returns the new time."""
        try:
            step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
            if delta is not None:
                if not isinstance(delta, timedelta):
                    raise TypeError("advance takes a timedelta, or days=/hours=/minutes=/seconds=")
                step += delta
        except OverflowError:
            raise ValueError(_("that is too far to advance the lab's clock")) from None
        total = whole_seconds(step)
        if total < 0:
            raise ValueError(_("the lab's clock only moves forward"))
        if self.world.now + total > LAST_SECOND:
            raise ValueError(_("the lab's clock stops at the end of the year 9999"))
        events = self.world.events
        events.begin()
        try:
            self.world.run_until(self.world.now + total)
            self.world.log(EventKind.CLOCK_ADVANCED, "clock", detail=f"+{total} s")
        finally:
            events.end()
        return self.now

    def advance_to(self, when: str | datetime) -> datetime:
        """Move the clock to an absolute time (not earlier than now)."""
        target = parse_time(when)
        if target < self.world.now:
            raise ValueError(_("{when} is before the lab's time {now}").format(when=when, now=self.now.isoformat()))
        return self.advance(seconds=target - self.world.now)

    # ------------------------------------------------------------------ the API

    def call(self, action: str, params: Mapping | None = None) -> Response:
        """Answer one API call as ECS would. Never raises: every outcome is a Response."""
        world = self.world
        request_id = world.ids.request_id()
        name = action if isinstance(action, str) else repr(action)
        call = Call(world, name, {})
        failure = None
        events = world.events
        events.begin()
        try:
            try:
                spec = ACTIONS.get(action) if isinstance(action, str) else None
                if spec is None:
                    call.fail("Action.known", _("{name!r} is not an action of this API").format(name=name[:60]))
                call.trace.append("Action.known")
                wire, bad = to_wire(params)
                if bad is not None:
                    raise ApiFailure(bad.check, bad.code, bad.detail, bad.param)
                call.params = wire
                call.warnings += spec.unknown_warnings(wire, world.api)  # the answer ignores them, as the API does
                if name != "CreateSnapshot" and world.take_fault(_actions.FaultKind.INTERNAL_ERROR, name):
                    call.fail("Backend.available", _("an injected fault before any effect"), variant="before")
                body = {"RequestId": request_id, **spec.handler(call)}
                status, code, message = 200, None, ""
            except ApiFailure as exc:
                entry = lookup(exc.code, name, exc.variant, world.api.value)
                status, code, message = entry.http_status, exc.code, entry.render(exc.param)
                failure = (exc.check, exc.detail)
                body = error_body(request_id, code, message)
            except Exception:  # a bug of the lab: answer 500 like a server would, and keep the traceback
                self.internal_errors.append(traceback.format_exc())
                log.exception("the lab failed answering %.60r (RequestId %s)", name, request_id)
                entry = lookup("InternalError", variant="after")
                status, code, message = entry.http_status, entry.code, entry.message
                failure = ("Backend.answers", _("the lab itself failed; see lab.internal_errors"))
                body = error_body(request_id, code, message)
            self.request_log.append(world.now, name, call.params, status, code, request_id)  # a private copy
        finally:
            events.end()  # after the log, so a chart told of the change sees this request too
        return Response(
            name, status, request_id, body, code, message, call.warnings, call.trace, failure, self.world.api.value
        )

    # ------------------------------------------------------------------ typed helpers

    def run_instance(
        self,
        *,
        image_id: str = DEFAULT_IMAGE,
        instance_type: str = DEFAULT_INSTANCE_TYPE,
        zone_id: str | None = None,
        system_disk_size: int = 40,
        system_disk_category: str = "cloud_essd",
        data_disks: Iterable[tuple[int, str]] = (),
        name: str | None = None,
        charge_type: str = "PostPaid",
    ) -> str:
        """RunInstances: an instance that starts by itself (Running within 2 minutes). Returns its id."""
        params = self._instance_params(
            image_id, instance_type, zone_id, system_disk_size, system_disk_category, data_disks, name, charge_type
        )
        return self.call("RunInstances", params).raise_for_status().data["InstanceIdSets"]["InstanceIdSet"][0]

    def create_instance(
        self,
        *,
        image_id: str = DEFAULT_IMAGE,
        instance_type: str = DEFAULT_INSTANCE_TYPE,
        zone_id: str | None = None,
        system_disk_size: int = 40,
        system_disk_category: str = "cloud_essd",
        data_disks: Iterable[tuple[int, str]] = (),
        name: str | None = None,
        charge_type: str = "PostPaid",
    ) -> str:
        """CreateInstance: an instance left Stopped and never started. Returns its id."""
        params = self._instance_params(
            image_id, instance_type, zone_id, system_disk_size, system_disk_category, data_disks, name, charge_type
        )
        return self.call("CreateInstance", params).raise_for_status().data["InstanceId"]

    def _instance_params(self, image_id, instance_type, zone_id, size, category, data_disks, name, charge_type) -> dict:
        params = {
            "RegionId": self.region,
            "ImageId": image_id,
            "InstanceType": instance_type,
            "ZoneId": zone_id or self.zones[0],
            "SystemDisk.Size": size,
            "SystemDisk.Category": category,
            "InstanceChargeType": charge_type,
        }
        if name:
            params["InstanceName"] = name
        for n, (disk_size, disk_category) in enumerate(data_disks, start=1):
            params[f"DataDisk.{n}.Size"] = disk_size
            params[f"DataDisk.{n}.Category"] = disk_category
        return params

    def create_disk(
        self,
        size_gib: int = 40,
        category: str = "cloud_essd",
        *,
        zone_id: str | None = None,
        name: str | None = None,
        snapshot_id: str | None = None,
        encrypted: bool = False,
        kms_key_id: str | None = None,
    ) -> str:
        """CreateDisk: a pay-as-you-go data disk, Available and never attached. Returns its id."""
        params: dict = {"RegionId": self.region, "ZoneId": zone_id or self.zones[0], "DiskCategory": category}
        if snapshot_id:
            params["SnapshotId"] = snapshot_id
        else:
            params["Size"] = size_gib
        if name:
            params["DiskName"] = name
        if encrypted:
            params["Encrypted"] = True
        if kms_key_id:
            params["KMSKeyId"] = kms_key_id
        return self.call("CreateDisk", params).raise_for_status().data["DiskId"]

    def attach_disk(self, disk_id: str, instance_id: str) -> None:
        """AttachDisk: the disk is Attaching for a few seconds, then In_use."""
        self.call("AttachDisk", {"DiskId": disk_id, "InstanceId": instance_id}).raise_for_status()

    def detach_disk(self, disk_id: str, instance_id: str) -> None:
        self.call("DetachDisk", {"DiskId": disk_id, "InstanceId": instance_id}).raise_for_status()

    def delete_disk(self, disk_id: str) -> None:
        self.call("DeleteDisk", {"DiskId": disk_id}).raise_for_status()

    def start_instance(self, instance_id: str) -> None:
        self.call("StartInstance", {"InstanceId": instance_id}).raise_for_status()

    def stop_instance(self, instance_id: str) -> None:
        self.call("StopInstance", {"InstanceId": instance_id}).raise_for_status()

    def replace_system_disk(self, instance_id: str, image_id: str = DEFAULT_IMAGE) -> str:
        """ReplaceSystemDisk (instance Stopped): a new system disk; returns its id."""
        return (
            self.call("ReplaceSystemDisk", {"InstanceId": instance_id, "ImageId": image_id})
            .raise_for_status()
            .data["DiskId"]
        )

    def create_image(self, snapshot_id: str, name: str | None = None) -> str:
        params = {"RegionId": self.region, "SnapshotId": snapshot_id}
        if name:
            params["ImageName"] = name
        return self.call("CreateImage", params).raise_for_status().data["ImageId"]

    def delete_snapshot(self, snapshot_id: str, force: bool = False) -> None:
        params: dict = {"SnapshotId": snapshot_id}
        if force:
            params["Force"] = True
        self.call("DeleteSnapshot", params).raise_for_status()

    def create_snapshot(
        self,
        disk_id: str,
        name: str | None = None,
        description: str | None = None,
        retention_days: int | None = None,
        tags: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        client_token: str | None = None,
    ) -> Response:
        """CreateSnapshot with the seed's parameters. Returns the Response, whatever it is."""
        params: dict = {"DiskId": disk_id}
        if name is not None:
            params["SnapshotName"] = name
        if description is not None:
            params["Description"] = description
        if retention_days is not None:
            params["RetentionDays"] = retention_days
        pairs = tags.items() if isinstance(tags, Mapping) else (tags or ())
        for n, (key, value) in enumerate(pairs, start=1):
            params[f"Tag.{n}.Key"] = key
            params[f"Tag.{n}.Value"] = value
        if client_token is not None:
            params["ClientToken"] = client_token
        return self.call("CreateSnapshot", params)

    def describe_snapshots(self, **filters: object) -> list[dict]:
        """DescribeSnapshots items for the filters (API names, e.g. DiskId=..., Status=...), all pages."""
        params: dict = {"RegionId": self.region, "PageSize": 100, **filters}
        items: list[dict] = []
        page = 1
        while True:
            params["PageNumber"] = page
            data = self.call("DescribeSnapshots", params).raise_for_status().data
            items += data["Snapshots"]["Snapshot"]
            if len(items) >= data["TotalCount"] or not data["Snapshots"]["Snapshot"]:
                return items
            page += 1

    def create_auto_snapshot_policy(
        self,
        hours: Iterable[int],
        weekdays: Iterable[int] = range(1, 8),
        retention_days: int = -1,
        name: str | None = None,
    ) -> str:
        """CreateAutoSnapshotPolicy: snapshots at these UTC hours on these weekdays (1 = Monday)."""
        params = {
            "regionId": self.region,
            "timePoints": _json_list(hours),
            "repeatWeekdays": _json_list(weekdays),
            "retentionDays": retention_days,
        }
        if name:
            params["autoSnapshotPolicyName"] = name
        return self.call("CreateAutoSnapshotPolicy", params).raise_for_status().data["AutoSnapshotPolicyId"]

    def apply_auto_snapshot_policy(self, policy_id: str, disk_ids: Iterable[str]) -> None:
        params = {"regionId": self.region, "autoSnapshotPolicyId": policy_id, "diskIds": _json_list(disk_ids)}
        self.call("ApplyAutoSnapshotPolicy", params).raise_for_status()

    def ready_disk(self, size_gib: int = 40, category: str = "cloud_essd") -> str:
        """A data disk you can snapshot now: runs an instance, attaches a new disk and lets the clock run
        until its data has loaded (this advances time). Returns the disk id."""
        with self.batch():
            instance_id = self.run_instance()
            disk_id = self.create_disk(size_gib, category)
            self.advance(minutes=2)
            self.attach_disk(disk_id, instance_id)
            wait = self.world.disks[disk_id].loaded_at - self.world.now
            self.advance(seconds=max(wait, 60))
        return disk_id

    @contextmanager
    def batch(self) -> Iterator[Lab]:
        """Group calls and advances into one change: charts watching the lab redraw once, when the block ends."""
        events = self.world.events
        events.begin()
        try:
            yield self
        finally:
            events.end()

    # ------------------------------------------------------------------ views and demo worlds (loaded on first use)

    @property
    def frames(self):  # -> ecs_snap_lab.views.frames.Frames
        """pandas DataFrames of this lab: snapshots(), disks(), instances(), requests(), events()."""
        from .views.frames import Frames

        return Frames(self)

    def show(self):  # -> ecs_snap_lab.widgets.LabDashboard
        """Every widget on this lab in one tabbed app: the last line of a notebook cell displays it."""
        from .widgets.app import LabDashboard

        return LabDashboard(self)

    @classmethod
    def demo(cls, seed: int = 0, disks: int = 40, days: int = 120, api: str = "seed") -> Lab:
        """A fleet with months of simulated history, built through the same API calls a learner makes."""
        from .demo import build_demo

        return build_demo(cls, seed=seed, disks=disks, days=days, api=api)

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | PathLike) -> None:
        """Write the whole lab as JSON: world, clock, RNG state, tokens, faults and logs."""
        persistence.save(self.world, self.request_log, path)

    @classmethod
    def load(cls, path: str | PathLike) -> Lab:
        """Read a lab saved by save(); it continues exactly as the original would. Refuses a bad file."""
        return cls.from_world(*persistence.load(path))

    def to_document(self) -> dict:
        """The lab as the JSON document save() writes (plain dicts and lists)."""
        return persistence.to_document(self.world, self.request_log)

    @classmethod
    def from_document(cls, doc: object) -> Lab:
        """A lab from a document made by to_document() (parsed JSON), checked as load() checks a file."""
        return cls.from_world(*persistence.from_document(doc))

    def __repr__(self) -> str:
        w = self.world
        said = _("<Lab {region} at {time}Z, api {api}: {instances} instances, {disks} disks, {snapshots} snapshots>")
        return said.format(
            region=w.region,
            time=f"{self.now:%Y-%m-%d %H:%M:%S}",
            api=w.api.value,
            instances=len(w.instances),
            disks=len(w.disks),
            snapshots=len(w.snapshots),
        )

    def _repr_html_(self) -> str:
        """The lab in a notebook: its facts, whether it failed inside, and its last requests with their status."""
        w = self.world
        by_status = ", ".join(f"{len(w.by_status[s])} {s.value}" for s in SnapshotStatus if w.by_status[s])
        log = self.request_log.columns
        refused = sum(not 200 <= status < 300 for status in log["status"])
        facts = [
            (_("API profile"), _(self.profile.label)),
            (_("Time"), _lab_time(self.now)),
            (_("Zones"), ", ".join(w.zones)),
            (_("Instances"), len(w.instances)),
            (_("Disks"), len(w.disks)),
            (_("Snapshots"), f"{len(w.snapshots)} ({by_status})" if by_status else 0),
            (_("Snapshot quota"), _("{quota} per disk").format(quota=w.snapshot_quota)),
            (_("Automatic snapshot policies"), len(w.policies)),
            (_("Requests"), _("{count} ({refused} refused)").format(count=len(self.request_log), refused=refused)),
        ]
        recent = [
            (_lab_time(to_datetime(at)), action, status, code, request_id)
            for at, action, _params, status, code, request_id in zip(
                *(c[-RECENT_REQUESTS:] for c in log.values()), strict=True
            )
        ]
        title = _("Lab {region}, seed {seed}").format(region=w.region, seed=w.seed)
        return display.lab_html(title, facts, len(self.internal_errors), recent)


def _lab_time(moment: datetime) -> str:
    """A time in the lab's HTML: the API's UTC form, with the display zone's time beside it when one is set."""
    return f"{moment:%Y-%m-%d %H:%M:%S}Z" if get_display_timezone() is None else shown(moment)


_NO_SNAPSHOTS: Mapping[str, Snapshot] = MappingProxyType({})


def _json_list(values: Iterable) -> str:
    return "[" + ",".join(f'"{v}"' for v in values) + "]"
