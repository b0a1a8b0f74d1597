"""Issue 14's soak: several clients at once on keep-alive connections, a few thousand signed requests (v1 GET and
POST, V3), replays and junk among them, faults injected and the clock advanced through the admin path between
rounds. The invariants hold throughout, and memory settles: the process's RSS after the soak is within RSS_BOUND of
what it was after a warm-up round. 127.0.0.1 only; every loop is bounded by count and by a deadline."""

from __future__ import annotations

import gc
import http.client
import itertools
import json
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.wire import signature as sig
from ecs_snap_lab.wire import v3
from ecs_snap_lab.wire.auth import parse_timestamp
from ecs_snap_lab.wire.server import Endpoint, serve

KEY, SECRET = "LTAIsoak", "soak-secret"
THREADS = 4
ROUNDS = 12  # after a warm-up round
PER_ROUND = 80  # requests per client per round: THREADS * PER_ROUND * ROUNDS = 3,840 in the soak
QUOTA = 5
DISKS = 6
RSS_BOUND = 32 * 1024 * 1024  # growth allowed from after the warm-up to after the soak (measured: about 6 MiB)
DEADLINE_SECONDS = 45
AUTH_CODES = {"SignatureNonceUsed"}  # the replays sent on purpose
LAB_CODES = {
    "QuotaExceed.Snapshot",
    "IncorrectDiskStatus.CreatingSnapshot",
    "IdempotentProcessing",
    "InvalidSnapshotId.NotFound",
    "InvalidSnapshotId.NotReady",
    "InternalError",  # injected
}


class WallClock:
    """The endpoint's wall clock, moved one minute per round: nonces leave their window as the soak runs."""

    def __init__(self) -> None:
        self.at = parse_timestamp("2026-03-01T12:00:00Z")

    def __call__(self) -> float:
        return self.at

    def stamp(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at))


@dataclass
class Tally:
    answers: Counter = field(default_factory=Counter)  # (status, code)
    reached_lab: int = 0
    problems: list[str] = field(default_factory=list)


class Client:
    """One learner's script: a keep-alive connection and a mix of requests, good, refused and hostile."""

    def __init__(self, ep: Endpoint, clock: WallClock, disks: list[str], number: int, tally: Tally) -> None:
        self.ep, self.clock, self.disks, self.tally = ep, clock, disks, tally
        self.nonces = (f"c{number}-{n}" for n in itertools.count())
        self.tokens = (f"tok-{number}-{n}" for n in itertools.count())
        self.connection = http.client.HTTPConnection(ep.host, ep.port, timeout=10)
        self.snapshot_ids: list[str] = []
        self.last: tuple[str, str, bytes, dict] | None = None

    def run(self, requests: int, deadline: float) -> None:
        for n in range(requests):
            if time.monotonic() > deadline:
                self.tally.problems.append("deadline")
                return
            disk = self.disks[n % len(self.disks)]
            kind = n % 8
            if kind == 7 and self.last is not None:  # the previous request again: a replay
                self.send(*self.last, expect_lab=False)
            elif kind in (0, 1, 2):
                self.v1("GET", "DescribeSnapshots", {"RegionId": "cn-hangzhou", "DiskId": disk})
            elif kind == 3:
                token = next(self.tokens)
                self.v1("POST", "CreateSnapshot", {"DiskId": disk, "ClientToken": token, "SnapshotName": token})
            elif kind == 4:
                self.v3("DescribeDisks", {"RegionId": "cn-hangzhou", "DiskIds": json.dumps([disk])})
            elif kind == 5 and self.snapshot_ids:
                self.v1("POST", "DeleteSnapshot", {"SnapshotId": self.snapshot_ids.pop(0)})
            else:  # a request carrying 2 KB of junk, which the request log keeps bounded
                self.v1("GET", "DescribeSnapshots", {"RegionId": "cn-hangzhou", "Junk": "j" * 2048})

    def v1(self, method: str, action: str, params: dict) -> None:
        stamp = self.clock.stamp()
        signed = sig.sign(action, params, KEY, SECRET, nonce=next(self.nonces), timestamp=stamp, method=method)
        if method == "GET":
            self.send("GET", "/?" + urlencode(signed), b"", {})
        else:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            self.send("POST", "/", urlencode(signed).encode(), headers)

    def v3(self, action: str, query: dict) -> None:
        headers = v3.sign(
            action, query, KEY, SECRET, host=self.ep.endpoint, nonce=next(self.nonces), date=self.clock.stamp()
        )
        self.send("POST", "/?" + urlencode(query), b"", {**headers, "Accept": "application/json"})

    def send(self, method: str, target: str, body: bytes, headers: dict, expect_lab: bool = True) -> None:
        self.connection.request(method, target, body=body, headers=headers)
        response = self.connection.getresponse()
        answer = json.loads(response.read())
        code = answer.get("Code")
        if "RequestId" not in answer:
            self.tally.problems.append(f"no RequestId: {answer}")
        self.tally.answers[response.status, code] += 1
        if code is None or code in LAB_CODES:
            self.tally.reached_lab += 1
            if not expect_lab:
                self.tally.problems.append(f"a replay reached the lab: {target[:80]}")
        elif code not in AUTH_CODES:
            self.tally.problems.append(f"{response.status} {code}: {answer.get('Message')}")
        if "SnapshotId" in answer:
            self.snapshot_ids.append(answer["SnapshotId"])
        self.last = (method, target, body, headers)

    def close(self) -> None:
        self.connection.close()


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def admin(ep: Endpoint, operation: str, query: str) -> dict:
    connection = http.client.HTTPConnection(ep.host, ep.port, timeout=10)
    try:
        connection.request("POST", f"/admin/{operation}?{query}", body=b"", headers={"X-Admin-Token": ep.admin_token})
        response = connection.getresponse()
        assert response.status == 200
        return json.loads(response.read())
    finally:
        connection.close()


def one_round(ep: Endpoint, clients: list[Client], deadline: float) -> None:
    threads = [threading.Thread(target=c.run, args=(PER_ROUND, deadline)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
    assert not any(thread.is_alive() for thread in threads), "clients still running at the deadline"


def check_invariants(lab: Lab, ep: Endpoint) -> None:
    with ep.lock:
        per_disk = Counter(s.disk_id for s in lab.world.snapshots.values())
        assert max(per_disk.values(), default=0) <= QUOTA
        names = Counter(s.name for s in lab.world.snapshots.values() if s.name)
        assert max(names.values(), default=0) <= 1  # no ClientToken made two snapshots
    assert ep.internal_errors == [] and lab.internal_errors == []
    assert len(ep.records) <= ep.limits.max_records


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process's RSS from /proc")
def test_a_soak_of_signed_requests_with_faults_and_a_moving_clock_keeps_every_bound(tmp_path: Path) -> None:
    lab = Lab(seed=21, snapshot_quota=QUOTA)
    disks = [lab.ready_disk() for _ in range(DISKS)]
    clock = WallClock()
    tally = Tally()
    deadline = time.monotonic() + DEADLINE_SECONDS
    threads_before = threading.active_count()
    requests_before = len(lab.request_log)
    with serve(lab, access_keys={KEY: SECRET}, admin=True, wall_clock=clock) as ep:
        clients = [Client(ep, clock, disks, n, tally) for n in range(THREADS)]
        one_round(ep, clients, deadline)  # warm-up: imports, caches and threads settle
        gc.collect()
        rss_before = rss_bytes()
        for _ in range(ROUNDS):
            admin(ep, "fault", "kind=InternalError&action=DescribeSnapshots&times=3")
            admin(ep, "fault", "kind=LostResponse&times=2")
            one_round(ep, clients, deadline)
            state = admin(ep, "advance", "minutes=20")
            clock.at += 60
            check_invariants(lab, ep)
            assert ep.verifier.remembered_nonces <= THREADS * PER_ROUND * 17  # the last 16 minutes' worth, at most
            assert tally.problems == [], tally.problems[:5]
            assert state["Requests"] == len(lab.request_log)
        for client in clients:
            client.close()
        gc.collect()
        rss_after = rss_bytes()
        total = THREADS * PER_ROUND * (ROUNDS + 1)
        assert sum(tally.answers.values()) == total
        assert len(lab.request_log) - requests_before == tally.reached_lab  # nothing lost, nothing extra
        assert tally.answers[400, "SignatureNonceUsed"] > 0 and tally.answers[500, "InternalError"] > 0
        _wait_for(lambda: ep.open_connections == 0)
    assert threading.active_count() <= threads_before + 1
    print(f"\nsoak: {total} requests ({THREADS * PER_ROUND * ROUNDS} after the warm-up), answers {dict(tally.answers)}")
    print(f"soak: RSS {rss_before / 2**20:.1f} MiB after the warm-up, {rss_after / 2**20:.1f} MiB after the soak")
    assert rss_after - rss_before <= RSS_BOUND
    lab.save(tmp_path / "soaked.json")  # the soaked lab keeps every invariant load checks
    assert len(Lab.load(tmp_path / "soaked.json").request_log) == len(lab.request_log)


def _wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the endpoint did not settle"
        time.sleep(0.01)
