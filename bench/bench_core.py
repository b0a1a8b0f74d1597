"""Speed of the core, printed as a table against the goals. Run: python bench/bench_core.py [--disks N]

Where moto and boto3 are installed (`pip install "moto[ec2]" boto3`: not a dependency of the lab), a row compares
CreateSnapshot with moto's EC2 create_snapshot through boto3, measured in the same run (the goal: 100 times faster).

Measured with the garbage collector on (timeit would switch it off), collected once before each timed run so that
the setup's garbage is not counted. The CreateSnapshot verdict is on the median of five runs (a run that meets a
full garbage collection is slower).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecs_snap_lab import Lab, validate

IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"


def ready_lab(disks: int) -> tuple[Lab, list[str]]:
    """A lab with `disks` instances whose system disks can be snapshotted now (RunInstances, then one hour)."""
    lab = Lab(seed=1)
    for _ in range(disks // 100):
        lab.call(
            "RunInstances", {"RegionId": lab.region, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", "Amount": 100}
        )
    lab.advance(hours=1, minutes=5)
    return lab, [instance.disk_ids[0] for instance in lab.world.instances.values()]


def create_rate(lab: Lab, disks: list[str]) -> float:
    """CreateSnapshot calls per second through lab.call, one per disk; then let them finish."""
    requests = [{"DiskId": d, "SnapshotName": "nightly", "RetentionDays": 30} for d in disks]
    call = lab.call
    gc.collect()  # the setup's garbage is not CreateSnapshot's cost; the collector stays on while timing
    start = time.perf_counter()
    for params in requests:
        call("CreateSnapshot", params)
    elapsed = time.perf_counter() - start
    lab.advance(hours=1)
    return len(requests) / elapsed


def per_call(fn: Callable[[], object], number: int, repeat: int = 7) -> float:
    """Median seconds per call over `repeat` runs of `number` calls."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs)


def moto_create_rate(calls: int = 1_000) -> float | None:
    """moto's EC2 create_snapshot through boto3, in process (no network); None where moto is not installed."""
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        return None
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=40)["VolumeId"]
        ec2.create_snapshot(VolumeId=volume, Description="warm-up")
        start = time.perf_counter()
        for n in range(calls):
            ec2.create_snapshot(VolumeId=volume, Description=f"nightly-{n}")
        return calls / (time.perf_counter() - start)


def peer_row(ours: float) -> tuple[str, str, str, bool]:
    """Our CreateSnapshot rate (the median above) as a multiple of moto's, both measured in this run."""
    theirs = moto_create_rate()
    if theirs is None:
        return ("CreateSnapshot vs moto EC2 create_snapshot", "moto/boto3 not installed", ">= 100x moto", False)
    return (
        "CreateSnapshot vs moto EC2 create_snapshot (boto3)",
        f"{ours / theirs:,.0f}x ({ours:,.0f}/s vs {theirs:,.0f}/s)",
        ">= 100x moto",
        ours / theirs >= 100,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disks", type=int, default=50_000, help="ready disks (two snapshots each)")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, bool]] = []

    start = time.perf_counter()
    lab, disks = ready_lab(args.disks)
    setup = time.perf_counter() - start
    rates = [create_rate(lab, disks), create_rate(lab, disks)]  # the first full, the second incremental

    params = {"DiskId": "d-x", "SnapshotName": "nightly", "ClientToken": "t-0001", "RetentionDays": "30"}
    for n in range(1, 21):
        params[f"Tag.{n}.Key"] = f"team-{n}"
        params[f"Tag.{n}.Value"] = f"value-{n}"
    micros = per_call(lambda: validate("CreateSnapshot", params), 20_000) * 1e6
    rows.append(("validate, 20 tags", f"{micros:.1f} us/call", "<= 20 us", micros <= 20))

    total = len(lab.world.snapshots)
    region = lab.region
    some = list(lab.world.snapshots)[:10]
    pages = {
        "page 1, no filter": {"RegionId": region},
        "page 500, no filter": {"RegionId": region, "PageNumber": 500, "PageSize": 100},
        "DiskId filter": {"RegionId": region, "DiskId": disks[len(disks) // 2]},
        "Status=accomplished": {"RegionId": region, "Status": "accomplished"},
        "SnapshotType=user": {"RegionId": region, "SnapshotType": "user"},
        "SnapshotIds (10)": {"RegionId": region, "SnapshotIds": "[" + ",".join(f'"{s}"' for s in some) + "]"},
    }
    for label, query in pages.items():
        response = lab.call("DescribeSnapshots", query)
        assert response.ok, response
        ms = per_call(lambda q=query: lab.call("DescribeSnapshots", q), 200) * 1e3
        rows.append((f"DescribeSnapshots among {total:,}: {label}", f"{ms:.3f} ms", "<= 2 ms", ms <= 2))

    rates += [create_rate(lab, disks) for _ in range(3)]  # on a world of 100,000 to 250,000 snapshots
    median = statistics.median(rates)
    rows.insert(
        0,
        (
            f"CreateSnapshot via lab.call ({len(rates)} runs of {len(disks):,})",
            f"median {median:,.0f}/s, best {max(rates):,.0f}/s, worst {min(rates):,.0f}/s",
            ">= 50,000 calls/s",
            median >= 50_000,
        ),
    )

    rows.insert(1, peer_row(median))
    width = max(len(r[0]) for r in rows)
    print(
        f"ecs_snap_lab core benchmark (Python {sys.version.split()[0]}; setup of {len(disks):,} ready disks "
        f"took {setup:.1f} s)"
    )
    print(f"{'measure':<{width}}  {'result':<50} {'goal':<18} verdict")
    for label, result, goal, ok in rows:
        print(f"{label:<{width}}  {result:<50} {goal:<18} {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
