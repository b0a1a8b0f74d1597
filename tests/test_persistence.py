"""lab.save / Lab.load: an exact round trip, and a refusal with a reason for anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_snap_lab import Lab


def busy_lab() -> Lab:
    """A lab with something of everything in flight: progressing snapshots, retention, tokens, faults, policies."""
    lab = Lab(seed=11)
    disk = lab.ready_disk(100)
    policy = lab.create_auto_snapshot_policy([3, 15], retention_days=2)
    lab.apply_auto_snapshot_policy(policy, [disk])
    lab.create_snapshot(disk, name="kept", retention_days=3, tags={"env": "prod"}, client_token="tok-1")
    lab.faults.inject("LostResponse")
    lab.faults.inject("SlowRequest", seconds=90)
    lab.advance(hours=20)
    lab.create_snapshot(disk, name="lost", client_token="tok-2")  # created, answer lost
    lab.advance(hours=1)
    lab.create_snapshot(disk, name="slow", client_token="tok-3")  # still in flight for 90 s
    lab.knobs.start_transfer(disk, minutes=5)
    return lab


def play(lab: Lab) -> list:
    """The same script of calls on any lab; returns everything observable."""
    disk = next(d for d in lab.world.disks.values() if d.disk_type.value == "data").disk_id
    out = [lab.create_snapshot(disk, name="slow", client_token="tok-3").code]  # IdempotentProcessing
    lab.advance(minutes=2)
    out.append(lab.create_snapshot(disk, name="slow", client_token="tok-3").data.get("SnapshotId"))
    out.append(lab.create_snapshot(disk, name="lost", client_token="tok-2").data.get("SnapshotId"))
    lab.advance(days=5)
    out.append(lab.create_snapshot(disk, name="after").data)
    out.append(lab.run_instance())
    out.append([e for e in lab.events])
    out.append([r for r in lab.requests])
    out.append(lab.describe_snapshots())
    out.append(lab.now)
    return out


def test_a_loaded_lab_continues_exactly_as_the_original(tmp_path: Path) -> None:
    original = busy_lab()
    original.save(tmp_path / "world.json")
    loaded = Lab.load(tmp_path / "world.json")
    assert play(loaded) == play(original)


def test_save_load_save_gives_the_same_file(tmp_path: Path) -> None:
    lab = busy_lab()
    lab.save(tmp_path / "a.json")
    Lab.load(tmp_path / "a.json").save(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()


def test_the_file_is_json_with_a_format_marker(tmp_path: Path) -> None:
    lab = busy_lab()
    lab.save(tmp_path / "w.json")
    doc = json.loads((tmp_path / "w.json").read_text())
    assert doc["format"] == "ecs_snap_lab/world"
    assert doc["version"] == 1
    assert len(doc["snapshots"]) == len(lab.world.snapshots)


def mutate(doc: dict, path: list, value: object) -> dict:
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (["format"], "pickle", "not an ecs_snap_lab save file"),
        (["version"], 99, "version"),
        (["now"], "tomorrow", "now"),
        (["snapshot_quota"], 0, "snapshot_quota"),
        (["rng"], [3, [1, 2, 3], None], "rng"),
        (["snapshots", 0, "status"], "exploded", "snapshots[0].status"),
        (["snapshots", 0, "created_at"], True, "snapshots[0].created_at"),
        (["snapshots", 0, "tags"], [["only-a-key"]], "snapshots[0].tags[0]"),
        (["disks", 0, "size_gib"], "40", "disks[0].size_gib"),
        (["instances", 0, "disk_ids"], ["d-ghost"], "unknown disk"),
        (["account"], {"__class__": "os.system"}, "account"),
        (["schedule", "queue", 0, "what"], "rm -rf", "schedule.queue"),
        (["tokens"], [], "tokens"),
        (["events", 0], "not an event", "events[0]"),
    ],
)
def test_a_corrupt_file_is_refused_with_a_reason(tmp_path: Path, path: list, value: object, reason: str) -> None:
    busy_lab().save(tmp_path / "w.json")
    doc = mutate(json.loads((tmp_path / "w.json").read_text()), path, value)
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        Lab.load(tmp_path / "bad.json")


@pytest.mark.parametrize(
    "text", ["", "not json", "[]", "{}", '{"format": "ecs_snap_lab/world", "version": 1}', "[" * 100_000]
)
def test_files_that_are_not_a_lab_are_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(ValueError):
        Lab.load(tmp_path / "bad.json")


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(ValueError, match="UTF-8"):
        Lab.load(tmp_path / "bad.json")


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    busy_lab().save(tmp_path / "w.json")
    doc = json.loads((tmp_path / "w.json").read_text())
    doc["disks"].append(doc["disks"][0])
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="appears twice"):
        Lab.load(tmp_path / "bad.json")
