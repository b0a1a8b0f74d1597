"""Demo worlds: a fleet with months of simulated history, for charts and classes.

`Lab.demo(seed, disks, days)` builds one. Everything in it is made the way a learner would make it: API calls
(`lab.call` and the typed helpers), knobs and injected faults, and the clock moved forward in a few steps per day.
So the request log, the event log and the resources are all real: the same seed gives the same world.

The story, day by day:
- day 0: instances (RunInstances with data disks, of several sizes and categories), a few more disks
  (CreateDisk + AttachDisk), one instance made by CreateInstance and never started, and three automatic snapshot
  policies: daily with retention, twice a week with a longer retention, and a busy one (four time points a day,
  no retention) whose disks reach the quota within weeks, after which the oldest automatic snapshot gives way.
- every day: manual snapshots of the disks without a policy, some with RetentionDays, tags or a ClientToken;
  one "hoarder" disk gets a manual snapshot a day and never a retention, so it reaches the quota, is refused
  (QuotaExceed.Snapshot), and its owner deletes the oldest few.
- now and then: learner mistakes (bad names, a typo in a DiskId, a double click, a reused ClientToken),
  injected faults and their retries, an image from a snapshot, an instance stopped for a while.
- the last two days: odd states that stay at the end (a disk detached, an instance locked for security, a disk
  in arrears, a disk transferring, a failed snapshot, a new big disk whose first snapshot is still progressing).

Only the standard library and the core: importing this never loads pandas or matplotlib.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from .i18n import N_, _
from .model.clock import to_iso

if TYPE_CHECKING:
    from .lab import Lab
    from .response import Response

DAY = 86400
HOUR = 3600
MIN_DISKS = 12
MIN_DAYS = 3

DATA_SIZES = (20, 40, 40, 100, 100, 200, 500)
DATA_CATEGORIES = ("cloud_essd", "cloud_essd", "cloud_efficiency", "cloud_ssd", "cloud_auto", "cloud_essd_entry")
SYSTEM_SIZES = (40, 40, 60, 80, 100)
SYSTEM_CATEGORIES = ("cloud_essd", "cloud_essd", "cloud_efficiency", "cloud_ssd")
ROLES = ("web", "api", "db", "cache", "batch", "etl")
TEAMS = ("payments", "search", "infra", "data")
PURPOSES = ("backup", "pre-deploy", "debug", "migration")
RETENTIONS = (None, None, 3, 7, 14, 30)
# build_demo's refusal of a demo too small to show anything
TOO_SMALL = {"disks": N_("a demo needs at least {low} disks"), "days": N_("a demo needs at least {low} days")}
LATE_DISKS_GIB = (2000, 1024)  # their first (full) snapshots take 5.6 h and 2.9 h: progressing at the end


def build_demo(cls: type[Lab], *, seed: int = 0, disks: int = 40, days: int = 120, api: str = "seed") -> Lab:
    """A lab of about `disks` disks with `days` days of history; its clock ends `days` after its start."""
    for name, value, low in (("disks", disks, MIN_DISKS), ("days", days, MIN_DAYS)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an integer")
        if value < low:
            raise ValueError(_(TOO_SMALL[name]).format(low=low))
    lab = cls(seed=seed, api=api)
    _Demo(lab, random.Random(f"ecs_snap_lab.demo/{seed}"), disks, days).build()
    return lab


class _Demo:
    """One demo being built: the fleet, the roles its disks play, and an agenda of timed tasks."""

    def __init__(self, lab: Lab, rng: random.Random, disks: int, days: int) -> None:
        self.lab = lab
        self.rng = rng
        self.size = disks
        self.days = days
        self.start = lab.now_seconds
        self.end = self.start + days * DAY
        self.agenda: list[tuple[int, int, Callable[[], object]]] = []
        self.order = 0
        self.instances: list[str] = []  # made by RunInstances
        self.never_started = ""
        self.local_disk = ""
        self.extra_disks: list[str] = []  # CreateDisk + AttachDisk on day 0
        self.late_disks: list[str] = []  # CreateDisk + AttachDisk two days before the end
        self.heavy: list[str] = []  # under the busy policy: at the quota within weeks
        self.hoarder = ""
        self.manual: list[str] = []  # no policy: the routine snapshots them by hand
        self.policy_disks: list[str] = []
        self.frozen: set[str] = set()  # disks in an odd state: the routine leaves them alone
        self.refusals = 0
        self.tokens = 0

    # ------------------------------------------------------------------ plumbing

    def at(self, when: int, task: Callable[[], object]) -> None:
        """Do `task` at simulated time `when` (tasks at the same time run in the order they were added)."""
        self.order += 1
        heapq.heappush(self.agenda, (min(max(when, self.start), self.end), self.order, task))

    def on_day(self, fraction: float, hour: float) -> int:
        """A time of day `hour` on the day at `fraction` of the history (never the last two days)."""
        day = min(int(fraction * self.days), self.days - 3)
        return self.start + day * DAY + int(hour * HOUR)

    def go(self, when: int) -> None:
        now = self.lab.now_seconds
        if when > now:
            self.lab.advance(seconds=when - now)

    def build(self) -> None:
        self.fleet()
        self.policies()
        self.plan()
        while self.agenda:
            when, _, task = heapq.heappop(self.agenda)
            self.go(when)
            task()
        self.go(self.end)

    def token(self) -> str:
        self.tokens += 1
        return f"demo-{self.tokens:05d}"

    def date(self) -> str:
        return to_iso(self.lab.now_seconds)[:10].replace("-", "")

    def snap(self, disk_id: str, **params: object) -> Response:
        return self.lab.create_snapshot(disk_id, **params)  # type: ignore[arg-type]

    def instance_of(self, disk_id: str) -> str:
        return self.lab.disk(disk_id).instance_id or ""

    # ------------------------------------------------------------------ day 0: the fleet and its policies

    def fleet(self) -> None:
        lab, rng = self.lab, self.rng
        # The never-started instance has 2 disks, the late disks and the extra disks come on their own.
        budget = self.size - 2 - len(LATE_DISKS_GIB) - max(1, self.size // 10)
        number = 0
        while budget > 0:
            number += 1
            data_count = min(rng.randint(1, 3), budget - 1)
            data = [(rng.choice(DATA_SIZES), rng.choice(DATA_CATEGORIES)) for _ in range(data_count)]
            if number == 1 and self.size >= 16 and data:
                data[-1] = (100, "ephemeral_ssd")  # a local disk: it cannot be snapshotted
            instance_id = lab.run_instance(
                zone_id=rng.choice(lab.zones),
                system_disk_size=rng.choice(SYSTEM_SIZES),
                system_disk_category=rng.choice(SYSTEM_CATEGORIES),
                data_disks=data,
                name=f"{ROLES[(number - 1) % len(ROLES)]}-{number:02d}",
                charge_type="PrePaid" if number % 5 == 0 else "PostPaid",
            )
            self.instances.append(instance_id)
            budget -= 1 + data_count
        if self.size >= 16:
            self.local_disk = self.lab.instance(self.instances[0]).disk_ids[-1]
        self.never_started = lab.create_instance(
            zone_id=lab.zones[0], data_disks=[(100, "cloud_essd")], name="staging-never-started"
        )
        hosts = [rng.choice(self.instances) for _ in range(max(1, self.size // 10))]
        made = [
            lab.create_disk(
                rng.choice(DATA_SIZES),
                rng.choice(DATA_CATEGORIES),
                zone_id=lab.instance(host).zone_id,
                name=f"extra-{n}",
            )
            for n, host in enumerate(hosts, start=1)
        ]
        lab.advance(minutes=2)  # RunInstances instances are Running after 90 s
        for disk_id, host in zip(made, hosts, strict=True):
            lab.attach_disk(disk_id, host)
        self.extra_disks = made
        # A learner's first tries: a disk still Attaching (its data not loaded either), then a typo in the id.
        first = self.extra_disks[0]
        self.snap(first, name="first-try")
        self.snap(first[:-1] + ("x" if first[-1] != "x" else "y"), name="first-try")

    def policies(self) -> None:
        lab, rng = self.lab, self.rng
        system = [lab.instance(i).disk_ids[0] for i in self.instances]
        # Data disks of the running instances (the extra disks are attached to them by now).
        pool = [d for i in self.instances for d in lab.instance(i).disk_ids[1:] if d != self.local_disk]
        rng.shuffle(pool)
        heavy = max(1, self.size // 15)
        self.heavy, self.hoarder, rest = pool[:heavy], pool[heavy], pool[heavy + 1 :]
        half, quarter = len(rest) // 2, len(rest) // 4
        daily, weekly, self.manual = rest[:half], rest[half : half + quarter], rest[half + quarter :]
        if not self.manual:  # a tiny fleet: keep at least one disk for the manual routine
            self.manual = [daily.pop()] if daily else [weekly.pop()]
        never_system = lab.instance(self.never_started).disk_ids[0]

        offset = rng.randrange(6)
        busy = lab.create_auto_snapshot_policy(
            hours=[offset + 6 * k for k in range(4)], retention_days=-1, name="busy-every-6h"
        )
        lab.apply_auto_snapshot_policy(busy, self.heavy)
        nightly = lab.create_auto_snapshot_policy(
            hours=[rng.randint(1, 4)], retention_days=rng.choice((7, 10, 14)), name="nightly"
        )
        lab.apply_auto_snapshot_policy(nightly, [*system, never_system, *daily])
        if weekly:
            twice = lab.create_auto_snapshot_policy(
                hours=[rng.randint(2, 5)],
                weekdays=sorted(rng.sample(range(1, 8), 2)),
                retention_days=30,
                name="twice-a-week",
            )
            lab.apply_auto_snapshot_policy(twice, weekly)
        self.policy_disks = [*system, *daily, *weekly, *self.heavy]

    # ------------------------------------------------------------------ the agenda

    def plan(self) -> None:
        for day in range(self.days):
            base = self.start + day * DAY
            self.at(base + 9 * HOUR + self.rng.randrange(3600), self.morning)
            self.at(base + 15 * HOUR + self.rng.randrange(3600), self.afternoon)
        self.at(self.on_day(0.10, 12), self.bad_names)
        self.at(self.on_day(0.15, 13), self.internal_error_and_retry)
        self.at(self.on_day(0.20, 12), self.snapshot_for_image)
        self.at(self.on_day(0.25, 13), self.double_click)
        self.at(self.on_day(0.30, 12), self.lost_response_and_retry)
        self.at(self.on_day(0.35, 13), self.more_bad_parameters)
        self.at(self.on_day(0.40, 13), self.stop_an_instance)
        self.at(self.on_day(0.45, 12), self.failing_snapshot)
        self.at(self.on_day(0.50, 13), self.start_it_again)
        self.at(self.on_day(0.60, 12), self.manual_on_a_busy_disk)
        self.at(self.on_day(0.70, 13), self.wrong_kind_of_id)
        self.at(self.end - 40 * HOUR, self.late_disks_arrive)
        self.at(self.end - 30 * HOUR, self.detach_a_disk)
        self.at(self.end - 20 * HOUR, self.lock_an_instance)
        self.at(self.end - 18 * HOUR, self.fall_in_arrears)
        self.at(self.end - 17 * HOUR, self.try_the_never_started)
        self.at(self.end - 6 * HOUR, self.failing_snapshot_kept)
        self.at(self.end - 3 * HOUR, lambda: self.late_disk_first_snapshot(0))
        self.at(self.end - 90 * 60, lambda: self.late_disk_first_snapshot(1))
        self.at(self.end - 1 * HOUR, self.transfer_a_disk)
        self.at(self.end - 10 * 60, self.last_minute_snapshots)

    def routine_disks(self) -> list[str]:
        return [d for d in self.manual if d not in self.frozen]

    def morning(self) -> None:
        """The hoarder's daily snapshot, and manual snapshots of some disks without a policy."""
        response = self.snap(self.hoarder, name=f"hoard-{self.date()}", tags={"team": "data"})
        if response.code == "QuotaExceed.Snapshot":
            self.refusals += 1
            if self.refusals % 4 == 0:  # the owner notices and deletes the oldest manual snapshots
                items = self.lab.describe_snapshots(DiskId=self.hoarder, SnapshotType="user", Status="accomplished")
                for item in items[-6:]:
                    self.lab.delete_snapshot(item["SnapshotId"])
        for disk_id in self.routine_disks():
            if self.rng.random() < 0.45:
                self.manual_snapshot(disk_id)
        if self.rng.random() < 0.3:
            self.manual_snapshot(self.rng.choice(self.policy_disks), purpose="pre-deploy")

    def afternoon(self) -> None:
        for disk_id in self.routine_disks():
            if self.rng.random() < 0.2:
                self.manual_snapshot(disk_id)

    def manual_snapshot(self, disk_id: str, purpose: str | None = None) -> None:
        rng = self.rng
        purpose = purpose or rng.choice(PURPOSES)
        params: dict[str, object] = {"name": f"{purpose}-{self.date()}"}
        retention = rng.choice(RETENTIONS)
        if retention is not None:
            params["retention_days"] = retention
        if rng.random() < 0.6:
            params["tags"] = {"team": rng.choice(TEAMS), "purpose": purpose}
        if rng.random() < 0.3:
            params["description"] = f"{purpose} snapshot taken by hand"
        if rng.random() < 0.25:
            params["client_token"] = self.token()
        self.snap(disk_id, **params)

    # ------------------------------------------------------------------ now and then

    def bad_names(self) -> None:
        disk_id = self.routine_disks()[0]
        self.snap(disk_id, name="1st-backup")  # must start with a letter
        self.snap(disk_id, name="first backup")  # no spaces
        self.snap(disk_id, name="first-backup", retention_days=7)

    def internal_error_and_retry(self) -> None:
        disk_id = self.routine_disks()[-1]
        token = self.token()
        self.lab.faults.inject("InternalError", disk_id=disk_id)
        self.snap(disk_id, name=f"backup-{self.date()}", client_token=token)
        self.snap(disk_id, name=f"backup-{self.date()}", client_token=token)  # the retry: safe, same token
        self.lab.faults.clear()  # in case the disk was busy and the fault never fired

    def snapshot_for_image(self) -> None:
        disk_id = self.lab.instance(self.instances[-1]).disk_ids[0]  # images come from system disks
        response = self.snap(disk_id, name="golden-base", retention_days=3, tags={"purpose": "image"})
        if response.ok:
            self.at(self.lab.now_seconds + 4 * HOUR, lambda: self.make_image(response.data["SnapshotId"]))

    def make_image(self, snapshot_id: str) -> None:
        if self.lab.snapshot(snapshot_id).status == "accomplished":
            self.lab.create_image(snapshot_id, name="golden-image")
            # Later the learner tries to delete the snapshot behind the image: SnapshotCreatedImage.
            params = {"SnapshotId": snapshot_id}
            self.at(self.lab.now_seconds + 5 * DAY, lambda: self.lab.call("DeleteSnapshot", params))

    def double_click(self) -> None:
        disk_id = self.routine_disks()[-1]
        self.snap(disk_id, name=f"backup-{self.date()}")
        self.snap(disk_id, name=f"backup-{self.date()}")  # the first is still progressing

    def lost_response_and_retry(self) -> None:
        disks = self.routine_disks()
        token = self.token()
        self.lab.faults.inject("LostResponse", disk_id=disks[0])
        self.snap(disks[0], name=f"release-{self.date()}", client_token=token)
        self.snap(disks[0], name=f"release-{self.date()}", client_token=token)  # the same SnapshotId, nothing new
        self.snap(disks[-1], name=f"release-{self.date()}", client_token=token)  # same token, other disk
        self.lab.faults.clear()

    def more_bad_parameters(self) -> None:
        disk_id = self.routine_disks()[0]
        self.snap(disk_id, name="auto-nightly")  # the auto prefix marks automatic snapshots
        self.snap(disk_id, name="nightly", retention_days=0)
        self.snap(disk_id, name="nightly", description="https://wiki.example.com/backups")
        self.snap(disk_id, name="nightly", tags={"team": "infra"})

    def stopped_instance(self) -> str:
        return self.instances[-1]

    def stop_an_instance(self) -> None:
        self.lab.stop_instance(self.stopped_instance())

    def start_it_again(self) -> None:
        if self.lab.instance(self.stopped_instance()).status == "Stopped":
            self.lab.start_instance(self.stopped_instance())

    def failing_snapshot(self) -> None:
        """A snapshot that fails on the way; the learner deletes it the next day."""
        disk_id = self.routine_disks()[-1]
        self.lab.faults.inject("SnapshotFails", disk_id=disk_id, at_progress=30)
        response = self.snap(disk_id, name=f"backup-{self.date()}")
        self.lab.faults.clear()
        if response.ok:
            self.at(self.lab.now_seconds + DAY, lambda: self.lab.delete_snapshot(response.data["SnapshotId"]))

    def manual_on_a_busy_disk(self) -> None:
        self.snap(self.heavy[0], name=f"pre-deploy-{self.date()}")  # at the quota by now: QuotaExceed.Snapshot

    def wrong_kind_of_id(self) -> None:
        self.snap(self.instances[0], name="whole-instance")  # an instance id is not a DiskId

    # ------------------------------------------------------------------ the last two days: odd states

    def late_disks_arrive(self) -> None:
        """Two big new disks: their data loads within a day, their first snapshot is a full copy."""
        instance_id = self.instances[0]
        zone = self.lab.instance(instance_id).zone_id
        for n, size in enumerate(LATE_DISKS_GIB, start=1):
            disk_id = self.lab.create_disk(size, "cloud_essd", zone_id=zone, name=f"late-arrival-{n}")
            self.late_disks.append(disk_id)
            self.at(self.lab.now_seconds + 120, partial(self.lab.attach_disk, disk_id, instance_id))

    def odd_disk(self, avoid: set[str]) -> str:
        """A manual disk for an odd state: not the hoarder, not already odd, not on an instance in `avoid`."""
        candidates = [d for d in self.routine_disks() if self.instance_of(d) not in avoid]
        return (candidates or self.routine_disks() or self.manual)[-1]

    def detach_a_disk(self) -> None:
        disk_id = self.odd_disk({self.stopped_instance()})
        self.frozen.add(disk_id)
        self.lab.detach_disk(disk_id, self.instance_of(disk_id))
        self.at(self.lab.now_seconds + HOUR, lambda: self.snap(disk_id, name=f"backup-{self.date()}"))

    def locked_instance(self) -> str:
        """The instance with most disks under a policy, other than the hoarder's and the late disk's."""
        keep = {self.instance_of(self.hoarder), self.instances[0]}
        policy = set(self.policy_disks) - set(self.heavy)
        choices = [i for i in self.instances if i not in keep] or self.instances[1:] or self.instances
        return max(choices, key=lambda i: sum(d in policy for d in self.lab.instance(i).disk_ids))

    def lock_an_instance(self) -> None:
        instance_id = self.locked_instance()
        self.lab.knobs.lock_instance(instance_id, "security")
        self.frozen.update(self.lab.instance(instance_id).disk_ids)
        self.snap(self.lab.instance(instance_id).disk_ids[0], name=f"incident-{self.date()}")

    def fall_in_arrears(self) -> None:
        disk_id = self.odd_disk({self.locked_instance()})
        if self.lab.disk(disk_id).charge_type != "PostPaid":
            disk_id = next((d for d in self.routine_disks() if self.lab.disk(d).charge_type == "PostPaid"), disk_id)
        if self.lab.disk(disk_id).charge_type == "PostPaid":
            self.lab.knobs.set_in_arrears(disk_id)
            self.frozen.add(disk_id)
            self.snap(disk_id, name=f"backup-{self.date()}")

    def try_the_never_started(self) -> None:
        self.snap(self.lab.instance(self.never_started).disk_ids[-1], name="staging-data")

    def failing_snapshot_kept(self) -> None:
        disk_id = self.odd_disk({self.locked_instance()})
        self.lab.faults.inject("SnapshotFails", disk_id=disk_id, at_progress=60)
        self.snap(disk_id, name=f"backup-{self.date()}", retention_days=30)
        self.lab.faults.clear()

    def late_disk_first_snapshot(self, n: int) -> None:
        self.snap(self.late_disks[n], name=f"late-arrival-{n + 1}-first", tags={"team": "search"})

    def transfer_a_disk(self) -> None:
        disk_id = self.odd_disk({self.locked_instance()})
        self.lab.knobs.start_transfer(disk_id, minutes=180)
        self.frozen.add(disk_id)
        self.snap(disk_id, name=f"backup-{self.date()}")

    def last_minute_snapshots(self) -> None:
        big = sorted(self.routine_disks(), key=lambda d: -self.lab.disk(d).size_gib)[:2]
        for disk_id in big:
            self.snap(disk_id, name=f"before-holiday-{self.date()}", retention_days=14)
