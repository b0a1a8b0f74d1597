"""Speed of the local endpoint, printed as a table against the goals. Run: python bench/bench_wire.py [--requests N]

- requests/s through the official old SDK (aliyun-python-sdk-ecs, v1 signature) against ecs_snap_lab's endpoint:
  DescribeSnapshots, and CreateSnapshot on a fleet of ready disks;
- the same kind of requests through boto3 against moto's server (EC2 DescribeSnapshots, CreateSnapshot), in the
  same run, when moto's server can start (it needs moto[server]: flask); goal: >= 3x moto's rate;
- the server-side time per request (the endpoint's own records: body read to answer ready); goal: <= 1 ms median.

Both sides are one client in one thread, keep-alive connections, on 127.0.0.1; the first requests are a warm-up.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecs_snap_lab import Lab
from ecs_snap_lab.wire.server import serve

WARM_UP = 20


def rate(fn: Callable[[int], object], number: int) -> float:
    """Calls per second of fn(i) over `number` calls, after a warm-up."""
    for i in range(WARM_UP):
        fn(-1 - i)
    start = time.perf_counter()
    for i in range(number):
        fn(i)
    return number / (time.perf_counter() - start)


def ours(number: int) -> dict[str, float]:
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
    from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest

    lab = Lab(seed=1)
    for _ in range((number + WARM_UP) // 100 + 1):  # a disk per CreateSnapshot: none is refused as busy
        lab.call("RunInstances", {"RegionId": lab.region, "ImageId": "aliyun_3_x64_20G_alibase_20240819.vhd",
                                  "InstanceType": "ecs.g7.large", "Amount": 100})  # fmt: skip
    lab.advance(hours=1, minutes=5)
    disks = [instance.disk_ids[0] for instance in lab.world.instances.values()]
    results: dict[str, float] = {}
    with serve(lab) as endpoint:
        key_id, secret = next(iter(endpoint.access_keys.items()))
        client = AcsClient(key_id, secret, lab.region)

        def describe(_: int) -> None:
            request = DescribeSnapshotsRequest()
            request.set_endpoint(endpoint.endpoint)
            json.loads(client.do_action_with_exception(request))

        def create(i: int) -> None:
            request = CreateSnapshotRequest()
            request.set_endpoint(endpoint.endpoint)
            request.set_DiskId(disks[i % len(disks)])
            json.loads(client.do_action_with_exception(request))

        results["describe"] = rate(describe, number)
        endpoint.records.clear()
        results["create"] = rate(create, number)
        times = endpoint.server_times()[WARM_UP:]
        results["server_median_ms"] = statistics.median(times) * 1e3
        results["server_p95_ms"] = statistics.quantiles(times, n=20)[-1] * 1e3
        assert not endpoint.internal_errors and not lab.internal_errors
    return results


def moto(number: int) -> dict[str, float] | str:
    """The same through boto3 against moto's server, or why it could not run."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except Exception as exc:  # moto or its server extra (flask) missing
        return f"not run: {type(exc).__name__}: {exc}"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        _, port = server.get_host_and_port()
        ec2 = boto3.client(
            "ec2",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=40)["VolumeId"]
        mine = {"Name": "volume-id", "Values": [volume]}  # not moto's thousands of public snapshots
        results = {"describe": rate(lambda _: ec2.describe_snapshots(OwnerIds=["self"], Filters=[mine]), number)}
        results["create"] = rate(lambda _: ec2.create_snapshot(VolumeId=volume), number)
        return results
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000, help="requests per measure")
    args = parser.parse_args()
    mine = ours(args.requests)
    theirs = moto(args.requests)
    rows: list[tuple[str, str, str, str]] = []
    for label, key in (("DescribeSnapshots", "describe"), ("CreateSnapshot", "create")):
        ratio_goal, verdict = ">= 3x moto", "not compared"
        result = f"{mine[key]:,.0f}/s"
        if isinstance(theirs, dict):
            ratio = mine[key] / theirs[key]
            result += f"  (moto+boto3 {theirs[key]:,.0f}/s: {ratio:.1f}x)"
            verdict = "met" if ratio >= 3 else "MISSED"
        rows.append((f"{label} via the old SDK", result, ratio_goal, verdict))
    median = mine["server_median_ms"]
    rows.append(
        (
            "server-side time per CreateSnapshot",
            f"median {median:.3f} ms, p95 {mine['server_p95_ms']:.3f} ms",
            "<= 1 ms median",
            "met" if median <= 1 else "MISSED",
        )
    )
    width = max(len(r[0]) for r in rows)
    print(f"ecs_snap_lab wire benchmark (Python {sys.version.split()[0]}; {args.requests:,} requests per measure)")
    if not isinstance(theirs, dict):
        print(f"moto's server: {theirs}")
    print(f"{'measure':<{width}}  {'result':<50} {'goal':<18} verdict")
    for label, result, goal, verdict in rows:
        print(f"{label:<{width}}  {result:<50} {goal:<18} {verdict}")


if __name__ == "__main__":
    main()
