"""Speed of the views, printed as a table against the goals. Run: python bench/bench_views.py [--disks N --rounds N]

Frames: a world of 1,000,000 snapshots (20,000 system disks x 50 hourly rounds of CreateSnapshot through lab.call),
then each frame built three times; the verdict is on the median. Default garbage collector, nothing warmed by hand.
Charts: quota chart on 10,000 disks and retention timeline on 100,000 snapshots (from bench_charts.py).
Then the demo world's build time. (The side-by-side row against moto is bench_core.py's.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_charts import chart_rows  # bench/ is on sys.path when this runs as a script

from ecs_snap_lab import Lab

IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"
FRAMES_GOAL_SECONDS = 2.0


def snapshot_world(disks: int, rounds: int) -> Lab:
    """`disks` system disks (RunInstances, Amount=100), each snapshotted `rounds` times an hour apart;
    every other round with RetentionDays, so release times are half set, half NaT."""
    lab = Lab(seed=1)
    for _ in range(disks // 100):
        response = lab.call(
            "RunInstances", {"RegionId": lab.region, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", "Amount": 100}
        )
        assert response.ok, response
    lab.advance(hours=1, minutes=5)
    disk_ids = [instance.disk_ids[0] for instance in lab.world.instances.values()]
    call = lab.call
    for n in range(rounds):
        requests = [{"DiskId": d, "SnapshotName": "nightly", "RetentionDays": 30} for d in disk_ids]
        if n % 2:
            requests = [{"DiskId": d} for d in disk_ids]
        for params in requests:
            call("CreateSnapshot", params)
        lab.advance(hours=1)
    return lab


def median_seconds(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def frames_rows(disks: int, rounds: int) -> tuple[list[tuple[str, str, str, bool | None]], str]:
    start = time.perf_counter()
    lab = snapshot_world(disks, rounds)
    setup = time.perf_counter() - start
    frames = lab.frames
    rows: list[tuple[str, str, str, bool | None]] = []
    measures = {
        "snapshots()": frames.snapshots,
        "disks()": frames.disks,
        "events()": frames.events,
        "requests()": frames.requests,
    }
    for label, build in measures.items():
        seconds, frame = median_seconds(build)
        rows.append(
            (
                f"frames.{label}: {len(frame):,} rows",
                f"{seconds:.2f} s",
                f"<= {FRAMES_GOAL_SECONDS:g} s",
                seconds <= FRAMES_GOAL_SECONDS,
            )
        )
    seconds, frame = median_seconds(lambda: frames.snapshots(include_gone=True))
    rows.append((f"frames.snapshots(include_gone=True): {len(frame):,} rows", f"{seconds:.2f} s", "(no goal)", None))
    note = (
        f"world of {len(lab.world.snapshots):,} snapshots on {disks:,} disks, {len(lab.events):,} events, "
        f"{len(lab.request_log):,} requests, built in {setup:.0f} s"
    )
    return rows, note


def print_table(title: str, rows: list[tuple[str, str, str, bool | None]]) -> None:
    width = max(len(r[0]) for r in rows)
    result_width = max(len(r[1]) for r in rows)
    print(title)
    print(f"{'measure':<{width}}  {'result':<{result_width}}  {'goal':<10} verdict")
    for label, result, goal, ok in rows:
        verdict = "-" if ok is None else ("met" if ok else "MISSED")
        print(f"{label:<{width}}  {result:<{result_width}}  {goal:<10} {verdict}")


def demo_row() -> tuple[str, str, str, bool | None]:
    seconds, _ = median_seconds(Lab.demo)
    return ("Lab.demo() build (40 disks, 120 days)", f"{seconds:.2f} s", "(no goal)", None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disks", type=int, default=20_000, help="system disks (a multiple of 100)")
    parser.add_argument("--rounds", type=int, default=50, help="CreateSnapshot rounds, one hour apart")
    args = parser.parse_args()
    rows, note = frames_rows(args.disks, args.rounds)
    rows += chart_rows()
    rows.append(demo_row())
    print_table(f"ecs_snap_lab views benchmark (Python {sys.version.split()[0]}; {note})", rows)


if __name__ == "__main__":
    main()
