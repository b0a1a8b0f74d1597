"""Speed of the big-fleet charts, printed as a table against the goals. Run: python bench/bench_charts.py

quota_chart on 10,000 disks (the top 30 drawn, the rest summed up in the title) and retention_timeline on
100,000 snapshots (aggregated per day above max_bars). Each is timed twice: the call alone (frames + artists),
and the call plus rendering a PNG (what a notebook shows). The verdict is on the median of three runs of the
call plus its PNG.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecs_snap_lab import Lab

IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"


def chart_fleet(disks: int = 10_000, rounds: int = 10, crowded: int = 40) -> Lab:
    """`disks` system disks with `rounds` daily snapshots each (two in three with a retention of 3 to 22 days, so
    some are released), then `crowded` disks pushed to the quota with hourly snapshots."""
    lab = Lab(seed=3)
    for _ in range(disks // 100):
        lab.call(
            "RunInstances", {"RegionId": lab.region, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", "Amount": 100}
        )
    lab.advance(hours=1, minutes=5)
    ids = [instance.disk_ids[0] for instance in lab.world.instances.values()]
    call = lab.call
    for r in range(rounds):
        for n, disk_id in enumerate(ids):
            keep = (n + r) % 3
            call(
                "CreateSnapshot",
                {"DiskId": disk_id, "RetentionDays": 3 + (n + r) % 20} if keep else {"DiskId": disk_id},
            )
        lab.advance(days=1)
    for _ in range(lab.snapshot_quota - rounds):
        for disk_id in ids[:crowded]:
            call("CreateSnapshot", {"DiskId": disk_id})
        lab.advance(hours=1)
    return lab


def timed(draw, runs: int = 3) -> tuple[float, float]:
    """(median seconds of the call alone, median seconds of the call plus a PNG) over `runs` runs."""
    alone, with_png = [], []
    for _ in range(runs):
        start = time.perf_counter()
        ax = draw()
        middle = time.perf_counter()
        ax.figure.savefig(io.BytesIO(), format="png")
        end = time.perf_counter()
        alone.append(middle - start)
        with_png.append(end - start)
    return statistics.median(alone), statistics.median(with_png)


def chart_rows() -> list[tuple[str, str, str, bool]]:
    """The chart rows of the views benchmark: (measure, result, goal, met)."""
    from ecs_snap_lab.views.charts import quota_chart, retention_timeline

    lab = chart_fleet()
    disks = len(lab.world.disks)
    snapshots = len(lab.frames.snapshots(include_gone=True))
    rows = []
    for label, draw, goal in (
        (f"quota_chart, {disks:,} disks (top 30)", lambda: quota_chart(lab), 1.0),
        (f"retention_timeline, {snapshots:,} snapshots (per day)", lambda: retention_timeline(lab), 2.0),
    ):
        draw()  # the first call imports and caches fonts: not what a chart costs
        alone, with_png = timed(draw)
        result = f"{alone:.2f} s; with PNG {with_png:.2f} s (median of 3)"
        rows.append((label, result, f"<= {goal:g} s", with_png <= goal))
    return rows


def main() -> None:
    rows = chart_rows()
    width = max(len(r[0]) for r in rows)
    print(f"ecs_snap_lab chart benchmark (Python {sys.version.split()[0]})")
    print(f"{'measure':<{width}}  {'result':<44} {'goal':<10} verdict")
    for label, result, goal, ok in rows:
        print(f"{label:<{width}}  {result:<44} {goal:<10} {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
