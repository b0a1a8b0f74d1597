"""Speed of the widgets, printed as a table against the goals. Run: python bench/bench_widgets.py [--keystrokes N]

Revalidation per keystroke: a RequestBuilder with 20 tag rows filled, then `--keystrokes` keystrokes, each one
field's `.value` set to its text plus one character (SnapshotName, Description, then each tag value in turn, as a
learner types): the time of that assignment is the whole synchronous cost the learner waits for (observers,
collect, validate, the panel and the previews). Median and worst are reported; the verdict is on each.
Dashboards: one redraw of QuotaDashboard and of RetentionTimeline on the demo world (`Lab.demo()`), the median
of five; then one `lab.advance(days=1)` with both attached (so both redraw once), the median of five days, next
to the same advance on an identical demo world with no widget attached.
Measured with the garbage collector on, collected once before each timed run, as in bench_core.py.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_views import print_table  # bench/ is on sys.path when this runs as a script

from ecs_snap_lab import Lab
from ecs_snap_lab.widgets import QuotaDashboard, RequestBuilder, RetentionTimeline

KEYSTROKE_GOAL_MS = 5.0
REDRAW_GOAL_SECONDS = 0.5
Row = tuple[str, str, str, bool | None]


def median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median seconds of `repeat` runs of fn(), the garbage of the previous run collected before each."""
    runs = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def keystroke_rows(keystrokes: int) -> list[Row]:
    lab = Lab(seed=1)
    builder = RequestBuilder(lab)
    builder.disk_id.value = lab.ready_disk()
    for n in range(1, 21):
        builder.add_tag(f"team-{n}", f"value-{n}")
    fields = [builder.snapshot_name, builder.description_field, *(row.value for row in builder.tag_rows)]
    letters = "nightly-backup-"
    runs = []
    gc.collect()
    for n in range(keystrokes):
        field = fields[n * len(fields) // keystrokes]  # one field after the other, a few keystrokes each
        text = field.value + letters[n % len(letters)]
        start = time.perf_counter()
        field.value = text
        runs.append(time.perf_counter() - start)
    tags = sum(key.startswith("Tag.") and key.endswith(".Key") for key in builder.params)
    assert tags == 20 and builder.error_message == "", (tags, builder.error_message)
    median, worst = statistics.median(runs) * 1e3, max(runs) * 1e3
    builder.close()
    goal = f"<= {KEYSTROKE_GOAL_MS:g} ms"
    label = f"RequestBuilder revalidation per keystroke, 20 tags ({keystrokes} keystrokes)"
    return [
        (f"{label}: median", f"{median:.2f} ms", goal, median <= KEYSTROKE_GOAL_MS),
        (f"{label}: worst", f"{worst:.2f} ms", goal, worst <= KEYSTROKE_GOAL_MS),
    ]


def dashboard_rows() -> tuple[list[Row], str]:
    lab = Lab.demo()
    world = lab.world
    note = f"demo world: {len(world.disks)} disks, {len(world.snapshots):,} snapshots, {len(lab.events):,} events"
    quota, timeline = QuotaDashboard(lab), RetentionTimeline(lab)
    rows: list[Row] = []
    goal = f"<= {REDRAW_GOAL_SECONDS:g} s"
    for label, dashboard in (("QuotaDashboard", quota), ("RetentionTimeline", timeline)):
        seconds = median_seconds(dashboard.redraw)
        assert dashboard.error_message == "", dashboard.error_message
        rows.append((f"{label} redraw on the demo world", f"{seconds:.2f} s", goal, seconds <= REDRAW_GOAL_SECONDS))

    before = quota.redraws, timeline.redraws
    with_widgets = median_seconds(lambda: lab.advance(days=1))
    assert (quota.redraws - before[0], timeline.redraws - before[1]) == (5, 5), "one redraw per advance"
    bare = Lab.demo()
    without = median_seconds(lambda: bare.advance(days=1))
    rows.append(
        (
            "lab.advance(days=1) on the demo world, both dashboards attached",
            f"{with_widgets:.2f} s ({without:.3f} s with no widget)",
            "(no goal)",
            None,
        )
    )
    quota.close()
    timeline.close()
    return rows, note


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keystrokes", type=int, default=200, help="keystrokes typed into the builder")
    args = parser.parse_args()
    rows = keystroke_rows(args.keystrokes)
    more, note = dashboard_rows()
    print_table(f"ecs_snap_lab widgets benchmark (Python {sys.version.split()[0]}; {note})", rows + more)


if __name__ == "__main__":
    main()
