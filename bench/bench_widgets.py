"""Speed of the widgets, printed as a table against the goals. Run: python bench/bench_widgets.py [--clicks N]

Revalidation per keystroke: a RequestBuilder with 20 tag rows filled, then `--keystrokes` keystrokes, each one
field's `.value` set to its text plus one character (SnapshotName, Description, then each tag value in turn, as a
learner types): the time of that assignment is the whole synchronous cost the learner waits for (observers,
collect, validate, the panel and the previews). Median and worst are reported; the verdict is on each.

Clicks in the app (`lab.show()`, a LabDashboard) on two worlds: `Lab.demo()` (40 disks, 120 days) and the tenfold
world `Lab.demo(disks=400)` (the same 120 days, ten times the disks, snapshots and events). Each action is done
`--clicks` times (at least 20) with the tab it belongs to open, and the time of each whole synchronous reaction is
taken (the lab's work, every widget that follows it, the chart redrawn as a PNG, the summary in words):
- "+1 hour", "+1 day": the clock's buttons, with the Quota tab open, then with the Retention tab open;
- Send: the builder's button on the Request tab (a valid CreateSnapshot of another disk each time; the clock is
  moved a day between sends, untimed, so every send is accepted);
- disk filter change: a typical disk (the median by snapshot count), it and the busiest, then none (all disks), in
  turn, on the Quota and the Retention tab (the timeline draws a bar per snapshot of one disk, per day otherwise);
- window change: the timeline's windows in turn ("last 7 days", "last 30 days", "next 30 days", "all time");
- opening a chart tab after "+1 day" was clicked on the Request tab (the chart drawn then, once).
Reported: median and worst of the clicks, and the share of the clicks' time spent in matplotlib's rendering (the
canvas drawing the figure, layout included, and the PNG encoding), the rest being the lab, the chart's data and
artists and the widgets. The verdict is on the median: <= 100 ms on the demo world, <= 300 ms on the tenfold one.
The garbage collector is on (a click pays for its garbage), collected once before each action's series.
Both figures vary with the machine's load (2 cores shared here): run it twice and read the medians.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_views import print_table  # bench/ is on sys.path when this runs as a script

from ecs_snap_lab import Lab
from ecs_snap_lab.widgets import LabDashboard, RequestBuilder

KEYSTROKE_GOAL_MS = 5.0
CLICK_GOALS_MS = {"demo": 100.0, "tenfold": 300.0}
WORLDS = {"demo": {}, "tenfold": {"disks": 400}}
Row = tuple[str, str, str, bool | None]
Click = Callable[[int], object]  # the n-th click of an action


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


# ---------------------------------------------------------------------- clicks in the app


class RenderClock:
    """Seconds spent in matplotlib's rendering while installed: `Figure.draw` (the layout and the rasterising; a
    `savefig` calls it twice, once for the layout alone) and PIL encoding the PNG. Wraps the two library methods
    every chart's PNG goes through."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def installed(self) -> Iterator[RenderClock]:
        from matplotlib.figure import Figure
        from PIL import Image

        originals = [(Figure, "draw"), (Image.Image, "save")]
        saved = [getattr(owner, name) for owner, name in originals]
        for (owner, name), original in zip(originals, saved, strict=True):
            setattr(owner, name, self._timed(original))
        try:
            yield self
        finally:
            for (owner, name), original in zip(originals, saved, strict=True):
                setattr(owner, name, original)

    def _timed(self, method: Callable) -> Callable:
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


def timed_clicks(click: Callable[[int], object], clicks: int, between: Callable[[int], object] | None = None):
    """(seconds of each click, seconds of those spent rendering); `between(n)` runs untimed before click n."""
    runs, rendering = [], 0.0
    gc.collect()
    clock = RenderClock()
    with clock.installed():
        for n in range(clicks):
            if between is not None:
                between(n)
            before = clock.seconds
            start = time.perf_counter()
            click(n)
            runs.append(time.perf_counter() - start)
            rendering += clock.seconds - before
    return runs, rendering


def ready_disks(lab: Lab) -> list[str]:
    """Disks a CreateSnapshot is accepted for (In_use, cloud, nothing odd, room under the quota), in world order."""
    disks = lab.frames.disks()
    fine = (disks["Status"] == "In_use") & disks["Category"].astype(str).str.startswith("cloud")
    fine &= ~(disks["InArrears"] | disks["Expired"] | disks["Transferring"] | disks["DeviceFault"])
    fine &= disks["SnapshotCount"] < disks["Quota"] - 2
    locked = set(lab.frames.instances().query("SecurityLocked")["InstanceId"].astype(str))
    fine &= ~disks["InstanceId"].astype(str).isin(locked)
    return disks.loc[fine, "DiskId"].astype(str).tolist()


ACTIONS = (
    ("+1 hour", "Quota"),
    ("+1 day", "Quota"),
    ("+1 hour", "Retention"),
    ("+1 day", "Retention"),
    ("Send", "Request"),
    ("disk filter change", "Quota"),
    ("disk filter change", "Retention"),
    ("window change", "Retention"),
    ("open the tab after +1 day", "Quota"),
    ("open the tab after +1 day", "Retention"),
)


def clicks_for(app: LabDashboard, label: str, tab: str) -> tuple[Click, Click | None]:
    """(click n, untimed step before click n) for one action of ACTIONS."""
    lab = app.lab
    step = app.clock.step_buttons
    if label in step:
        return (lambda n: step[label].click()), None
    if label == "Send":

        def fill_builder(n: int) -> None:
            lab.advance(days=1)  # the earlier snapshots finish; no chart is open, so nothing is drawn
            app.builder.disk_id.value = ready_disks(lab)[n % 10]

        def send(n: int) -> None:
            app.builder.send_button.click()
            assert app.builder.last_response.ok, app.builder.last_response

        return send, fill_builder
    dashboard = app.quota if tab == "Quota" else app.timeline
    if label == "disk filter change":
        by_count = sorted(lab.world.by_disk, key=lambda d: (len(lab.world.by_disk[d]), d))
        typical, busiest = by_count[len(by_count) // 2], by_count[-1]
        choices = [(typical,), (typical, busiest), ()]  # the timeline: a bar per snapshot, then per day twice
        return (lambda n: setattr(dashboard.disk_filter, "value", choices[n % 3])), None
    if label == "window change":
        windows = ["last 7 days", "last 30 days", "next 30 days", "all time"]
        return (lambda n: setattr(dashboard.window, "value", windows[n % 4])), None

    def day_on_the_request_tab(_n: int) -> None:
        app.select_tab("Request")
        step["+1 day"].click()

    return (lambda n: app.select_tab(tab)), day_on_the_request_tab


def app_rows(world: str, clicks: int) -> tuple[list[Row], str]:
    """Each action on a new app over a new world (Lab.demo is seeded: every action starts from the same world)."""
    goal_ms = CLICK_GOALS_MS[world]
    w = Lab.demo(**WORLDS[world]).world
    note = f"{world}: {len(w.disks)} disks, {len(w.snapshots):,} snapshots, {len(w.events):,} events"
    rows: list[Row] = []
    for label, tab in ACTIONS:
        lab = Lab.demo(**WORLDS[world])
        app = LabDashboard(lab)
        app.select_tab(tab)  # untimed: the tab's first drawing
        click, between = clicks_for(app, label, tab)
        runs, rendering = timed_clicks(click, clicks, between)
        for part in (app.clock, app.builder, app.quota, app.timeline):
            assert part.error_message == "", part.error_message
        app.close()
        median, worst = statistics.median(runs) * 1e3, max(runs) * 1e3
        share = rendering / sum(runs)
        result = f"median {median:4.0f} ms, worst {worst:4.0f} ms; {share:3.0%} rendering"
        rows.append((f"{world}: {label} ({tab} tab)", result, f"<= {goal_ms:g} ms", median <= goal_ms))
    return rows, note


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keystrokes", type=int, default=200, help="keystrokes typed into the builder")
    parser.add_argument("--clicks", type=int, default=20, help="clicks per action (at least 20)")
    parser.add_argument("--world", choices=[*WORLDS, "both"], default="both", help="the world(s) clicked in")
    args = parser.parse_args()
    if args.clicks < 20:
        parser.error("--clicks must be at least 20: a median and a worst of fewer say little")
    rows = keystroke_rows(args.keystrokes)
    notes = []
    for world in WORLDS if args.world == "both" else [args.world]:
        more, note = app_rows(world, args.clicks)
        rows += more
        notes.append(note)
    print_table(f"ecs_snap_lab widgets benchmark (Python {sys.version.split()[0]}; {'; '.join(notes)})", rows)


if __name__ == "__main__":
    main()
