"""Draw each chart of the demo world as a PNG under docs/img/ (for docs/reference.md). Run: python docs/make_images.py

Deterministic: the demo world is seeded, so the same code draws the same pictures.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecs_snap_lab import Lab  # noqa: E402
from ecs_snap_lab.views import charts  # noqa: E402


def _few_disks(lab: Lab) -> list[str]:
    """Three data disks with snapshots, for a timeline with one bar per snapshot."""
    frame = lab.frames.disks()
    data = frame[(frame["Type"] == "data") & (frame["SnapshotCount"] > 0)]
    return list(data["DiskId"][:3])


CHARTS = {
    "quota.png": lambda lab: charts.quota_chart(lab),
    "retention_timeline.png": lambda lab: charts.retention_timeline(
        lab, start=lab.now - timedelta(days=21), disk_ids=_few_disks(lab)
    ),
    "retention_per_day.png": lambda lab: charts.retention_timeline(lab),
    "history.png": lambda lab: charts.history_chart(lab, by="disk"),
    "request_outcomes.png": lambda lab: charts.request_outcomes_chart(lab, freq="W"),
}


def main(out: Path = ROOT / "docs" / "img") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    lab = Lab.demo()
    written = []
    for name, draw in CHARTS.items():
        ax = draw(lab)
        ax.figure.savefig(out / name, dpi=100, bbox_inches="tight", metadata={"Software": None})
        written.append(out / name)
    return written


if __name__ == "__main__":
    for path in main():
        print(path.relative_to(ROOT))
