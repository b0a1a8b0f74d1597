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
    assert doc["version"] == 2
    assert doc["api"] == "seed"
    assert len(doc["snapshots"]) == len(lab.world.snapshots)


def test_the_api_profile_is_saved_and_a_version_1_file_is_read_as_the_seeds(tmp_path: Path) -> None:
    lab = Lab(seed=3, api="2026")
    lab.ready_disk()
    lab.save(tmp_path / "now.json")
    again = Lab.load(tmp_path / "now.json")
    assert (again.api, again.snapshot_quota) == ("2026", 256)
    assert "api 2026" in repr(again)

    doc = json.loads((tmp_path / "now.json").read_text())
    del doc["api"]
    doc["version"] = 1
    (tmp_path / "old.json").write_text(json.dumps(doc))
    assert Lab.load(tmp_path / "old.json").api == "seed"


@pytest.mark.parametrize("value", ["2019", "", 2026, None])
def test_an_unknown_api_profile_in_a_file_is_refused_with_a_reason(tmp_path: Path, value: object) -> None:
    lab = Lab(seed=3)
    lab.save(tmp_path / "w.json")
    doc = json.loads((tmp_path / "w.json").read_text())
    doc["api"] = value
    (tmp_path / "w.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="api"):
        Lab.load(tmp_path / "w.json")


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


# ---------------------------------------------------------------- hostile files (issue 14): every invariant checked


def saved_doc(tmp_path: Path) -> dict:
    lab = busy_lab()
    lab.faults.inject("InternalError", action="DescribeSnapshots", times=2)
    lab.save(tmp_path / "w.json")
    return json.loads((tmp_path / "w.json").read_text())


def refused(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(ValueError, match=reason):
        Lab.load(tmp_path / "bad.json")


def over_quota(doc: dict) -> dict:
    """The first disk's snapshot copied until the disk has one more than the quota (the issue had 1,002)."""
    first = doc["snapshots"][0]
    for n in range(doc["snapshot_quota"] + 1):
        seq = doc["snapshot_seq"] + 1 + n
        doc["snapshots"].append({**first, "snapshot_id": f"s-copy{n:016d}", "seq": seq, "status": "accomplished"})
    doc["snapshot_seq"] += doc["snapshot_quota"] + 1
    return doc


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (over_quota, "over the quota of 64"),
        (lambda d: mutate(d, ["disks", 0, "size_gib"], -40), r"disks\[0\].size_gib: -40 is outside"),
        (lambda d: mutate(d, ["snapshots", 0, "disk_size_gib"], 0), "disk_size_gib: 0 is outside"),
        (lambda d: mutate(d, ["snapshots", 0, "created_at"], -86400), "created_at: -86400 is outside"),
        (lambda d: mutate(d, ["instances", 0, "created_at"], d["now"] + 60), "created after the lab's time"),
        (lambda d: mutate(d, ["events", 0, "at"], -1), r"events\[0\].at: -1 is outside"),
        (lambda d: mutate(d, ["events", 0, "at"], d["now"] + 1), r"events\[0\]: out of time order"),
        (lambda d: mutate(d, ["requests", 1, "at"], 0), r"requests\[1\].at: not in time order"),
        (lambda d: mutate(d, ["requests", 0, "params", "junk"], "x" * 60_000), "larger than the request log keeps"),
        (lambda d: mutate(d, ["requests", 0, "status"], 99), r"requests\[0\].status: 99 is outside"),
        (lambda d: mutate(d, ["rng", 1], [0] * 624 + [624]), "all-zero state"),
        (lambda d: mutate(d, ["faults", 0, "times"], -3), r"faults\[0\].times: -3 is outside"),
        (lambda d: mutate(d, ["faults", 0, "times"], 10**23), r"faults\[0\].times: expected an integer"),
        (lambda d: mutate(d, ["faults", 0, "seconds"], 0), r"faults\[0\].seconds: 0 is outside"),
        (lambda d: mutate(d, ["faults"], d["faults"] * 101), "101 armed"),
        (lambda d: mutate(d, ["faults", 0, "kind"], "LostResponse"), "applies to CreateSnapshot only"),
        (lambda d: mutate(d, ["policies", 0, "time_points"], [3, 24]), "time_points: 24 is outside"),
        (lambda d: mutate(d, ["policies", 0, "disk_ids"], d["policies"][0]["disk_ids"] * 2), "lists a disk twice"),
        (lambda d: mutate(d, ["disks", 0, "category"], "floppy"), "unknown category"),
        (lambda d: mutate(d, ["snapshots", 1, "seq"], d["snapshots"][0]["seq"]), "share a sequence number"),
        (lambda d: mutate(d, ["now"], 2**39), "now: out of range"),
        (lambda d: mutate(d, ["zones"], []), "zones"),
    ],
)
def test_a_file_that_breaks_an_invariant_is_refused(tmp_path: Path, change, reason: str) -> None:
    refused(tmp_path, json.dumps(change(saved_doc(tmp_path))), reason)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_number_that_is_not_finite_is_refused(tmp_path: Path, constant: str) -> None:
    text = json.dumps(saved_doc(tmp_path)).replace('"balance": 1000.0', f'"balance": {constant}')
    assert constant in text
    refused(tmp_path, text, f"{constant} is not a number")
    refused(tmp_path, text.replace(constant, "1e999"), "account.balance: expected a finite number")


def test_save_refuses_what_load_would_refuse_and_writes_nothing(tmp_path: Path) -> None:
    lab = busy_lab()
    with pytest.raises(ValueError, match="times must be 1 to 1000"):
        lab.faults.inject("InternalError", times=10**23)  # the way in
    assert lab.faults.armed == []
    from ecs_snap_lab.model.faults import Fault, FaultKind

    lab.world.faults.append(Fault(FaultKind.INTERNAL_ERROR, times=10**23))  # past the API, straight into the model
    with pytest.raises(ValueError, match=r"cannot be saved, it would not load: faults\[0\].times"):
        lab.save(tmp_path / "w.json")
    assert not (tmp_path / "w.json").exists()
    lab.world.faults.clear()
    lab.knobs.set_balance(float("nan"))
    with pytest.raises(ValueError, match="not finite"):
        lab.save(tmp_path / "w.json")
    assert not (tmp_path / "w.json").exists()
    lab.knobs.set_balance(-5.0)  # a negative balance is a state the model teaches: it saves and loads
    lab.save(tmp_path / "w.json")
    assert Lab.load(tmp_path / "w.json").world.account.balance == -5.0


def test_faults_are_bounded_where_they_are_armed() -> None:
    lab = Lab(seed=1)
    for bad in ({"times": 0}, {"times": 1001}, {"seconds": 86401}, {"at_progress": 100}):
        with pytest.raises(ValueError):
            lab.faults.inject("SlowRequest", **bad)
    for _ in range(100):
        lab.faults.inject("InternalError")
    with pytest.raises(ValueError, match="100 faults are armed already"):
        lab.faults.inject("InternalError")


def test_a_device_is_refused_without_being_read() -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        Lab.load("/dev/zero")  # the issue: MemoryError, after reading until memory ran out


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        Lab.load(tmp_path)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            Lab.load(fifo)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=30)
    if thread.is_alive():  # blocked on open (the issue): a writer releases it, then the test fails
        with open(fifo, "w"):
            pass
        thread.join(timeout=10)
        pytest.fail("Lab.load blocked on a FIFO")
    assert len(outcome) == 1 and isinstance(outcome[0], ValueError) and "not a regular file" in str(outcome[0])


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from ecs_snap_lab.persistence import MAX_FILE_BYTES

    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no time or disk spent writing it
    with pytest.raises(ValueError, match=f"{MAX_FILE_BYTES + 1} bytes; a save file is at most {MAX_FILE_BYTES}"):
        Lab.load(big)
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES)  # at the cap: read, and refused as what it is
    with pytest.raises(ValueError, match=r"not JSON|UTF-8"):
        Lab.load(big)


def test_the_request_log_keeps_a_bounded_entry_for_a_request_carrying_junk() -> None:
    from ecs_snap_lab.lab import MAX_LOGGED_CHARS

    lab = Lab(seed=2)
    junk = {f"Junk{n}": "x" * 1000 for n in range(60)}  # the 60 KB of junk
    lab.call("DescribeSnapshots", {"RegionId": lab.region, **junk})
    lab.call("A" * 60_000, {})
    kept, unknown = lab.requests[-2:]
    assert sum(len(k) + len(v) for k, v in kept.params.items()) <= MAX_LOGGED_CHARS
    assert kept.params["RegionId"] == lab.region and kept.params["…"].endswith("more parameters not kept")
    assert any(v.endswith("characters)") for v in kept.params.values())
    assert len(unknown.action) == 128
    lab.call("DescribeSnapshots", {"RegionId": lab.region, "Tag.1.Key": "k" * 128})  # a legitimate one is whole
    assert lab.requests[-1].params == {"RegionId": lab.region, "Tag.1.Key": "k" * 128}
