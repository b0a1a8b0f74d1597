"""Eight clients at once through the old SDK, with ClientTokens, lost answers and retries: the quota is never
exceeded, no token makes two snapshots, nothing is lost, and the endpoint never fails."""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest

from ecs_snap_lab import Lab
from ecs_snap_lab.wire.server import serve

KEY, SECRET = "LTAIconcurrent", "secret"
THREADS = 8
QUOTA = 3
DISKS = 4
JOBS_PER_DISK = 6  # twice the quota: half of them must be refused
WAIT_CODES = {"IncorrectDiskStatus.CreatingSnapshot", "IdempotentProcessing"}  # the clock must move on
RETRY_CODES = {"InternalError"}  # the SDK's own three retries were not enough: retry with the same token


@dataclass
class Outcome:
    token: str
    disk: str
    snapshot_id: str | None = None
    refused: str | None = None
    attempts: int = 0


def test_eight_clients_with_tokens_and_retries_keep_every_invariant() -> None:
    lab = Lab(seed=11, snapshot_quota=QUOTA)
    disks = [lab.ready_disk() for _ in range(DISKS)]
    lab.faults.inject("LostResponse", times=4)  # made, then the answer lost
    lab.faults.inject("InternalError", times=4)  # failed before anything was made
    most = Counter()

    def watch() -> None:  # after every call, inside the endpoint's lock
        for disk, n in Counter(s.disk_id for s in lab.world.snapshots.values()).items():
            most[disk] = max(most[disk], n)

    unsubscribe = lab.events.subscribe_settled(watch)
    jobs: queue.Queue[Outcome] = queue.Queue()
    for n in range(DISKS * JOBS_PER_DISK):
        jobs.put(Outcome(token=f"job-{n:03d}", disk=disks[n % DISKS]))
    done: list[Outcome] = []
    problems: list[str] = []
    deadline = time.monotonic() + 120

    endpoint = serve(lab, access_keys={KEY: SECRET}, admin=True)
    try:

        def advance() -> None:
            request = urllib.request.Request(
                endpoint.url + "admin/advance?minutes=20",
                method="POST",
                headers={"X-Admin-Token": endpoint.admin_token},
            )
            with urllib.request.urlopen(request) as r:
                assert r.status == 200

        def worker() -> None:
            client = AcsClient(KEY, SECRET, lab.region)
            while time.monotonic() < deadline:
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    return
                while time.monotonic() < deadline:
                    job.attempts += 1
                    request = CreateSnapshotRequest()
                    request.set_endpoint(endpoint.endpoint)
                    request.set_DiskId(job.disk)
                    request.set_SnapshotName(job.token)
                    request.set_ClientToken(job.token)
                    try:
                        job.snapshot_id = _snapshot_id(client.do_action_with_exception(request))
                        break
                    except ServerException as exc:
                        code = exc.get_error_code()
                        if code == "QuotaExceed.Snapshot":
                            job.refused = code
                            break
                        if code in WAIT_CODES:
                            advance()
                        elif code not in RETRY_CODES:
                            problems.append(f"{job.token}: {code} {exc.get_error_msg()}")
                            break
                done.append(job)

        threads = [threading.Thread(target=worker, name=f"client-{i}") for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
        assert not any(thread.is_alive() for thread in threads), "clients still running at the deadline"
    finally:
        endpoint.stop()
        unsubscribe()

    assert problems == []
    assert len(done) == DISKS * JOBS_PER_DISK  # every job ended, made or refused
    assert lab.faults.armed == []  # every fault fired: retries happened
    assert sum(r.status == 500 for r in endpoint.records) >= 8

    # the quota is never exceeded, and is reached: each disk has exactly QUOTA snapshots, the rest were refused
    assert all(n <= QUOTA for n in most.values()) and set(most) == set(disks)
    made = [job for job in done if job.snapshot_id]
    assert Counter(job.disk for job in made) == dict.fromkeys(disks, QUOTA)
    assert all(job.refused == "QuotaExceed.Snapshot" for job in done if not job.snapshot_id)

    # no token makes two snapshots, and nothing is lost: the snapshots are exactly the ids the clients were given
    snapshots = lab.world.snapshots
    assert len({job.snapshot_id for job in made}) == len(made)
    assert {job.snapshot_id for job in made} == set(snapshots)
    assert all(snapshots[job.snapshot_id].name == job.token for job in made)
    assert Counter(s.name for s in snapshots.values()).most_common(1)[0][1] == 1

    assert endpoint.internal_errors == [] and lab.internal_errors == []


def _snapshot_id(body: bytes) -> str:
    return json.loads(body)["SnapshotId"]
