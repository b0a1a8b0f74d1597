"""Response shapes: CreateSnapshot and DescribeSnapshots in JSON and XML as documented, error bodies, ids, paging,
and determinism (same seed and calls -> the same answers)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from ecs_snap_lab import Lab, Response

REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
SNAPSHOT_ID = re.compile(r"^s-[a-z0-9]{20}$")
DISK_ID = re.compile(r"^d-[a-z0-9]{20}$")
INSTANCE_ID = re.compile(r"^i-[a-z0-9]{20}$")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PROGRESS = re.compile(r"^(\d|[1-9]\d|100)%$")
ERROR_KEYS = ["RequestId", "HostId", "Code", "Message", "Recommend"]


def xml_root(response: Response) -> ET.Element:
    return ET.fromstring(response.to_xml().encode("utf-8"))


def describe(lab: Lab, **params: object) -> Response:
    return lab.call("DescribeSnapshots", {"RegionId": lab.region, **params})


def snapshots_of(lab: Lab, disk: str, count: int) -> list[str]:
    """`count` accomplished snapshots of `disk`, one after another (each must finish before the next starts)."""
    ids = []
    for n in range(count):
        response = lab.create_snapshot(disk, name=f"snap-{n}")
        assert response.ok, response.explain()
        ids.append(response.data["SnapshotId"])
        lab.advance(minutes=10)
    return ids


# ---------------------------------------------------------------- CreateSnapshot success


def test_create_snapshot_json_is_exactly_request_id_and_snapshot_id(lab: Lab, disk: str) -> None:
    response = lab.create_snapshot(disk, name="nightly", tags={"env": "prod"}, client_token="tok-1")
    assert response.status == 200 and response.ok and response.code is None
    body = json.loads(response.to_json())
    assert list(body) == ["RequestId", "SnapshotId"]
    assert body == response.data
    assert REQUEST_ID.match(body["RequestId"])
    assert SNAPSHOT_ID.match(body["SnapshotId"])
    assert body["RequestId"] == response.request_id
    assert body["SnapshotId"] in lab.world.snapshots


def test_create_snapshot_xml_has_the_documented_root_and_children(lab: Lab, disk: str) -> None:
    response = lab.create_snapshot(disk)
    assert response.to_xml().startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = xml_root(response)
    assert root.tag == "CreateSnapshotResponse"
    assert [child.tag for child in root] == ["RequestId", "SnapshotId"]
    assert root.findtext("RequestId") == response.request_id
    assert root.findtext("SnapshotId") == response.data["SnapshotId"]


def test_resource_ids_have_their_documented_shape(running: tuple[Lab, str, str]) -> None:
    lab, instance_id, system_disk_id = running
    assert INSTANCE_ID.match(instance_id)
    assert DISK_ID.match(system_disk_id)
    assert DISK_ID.match(lab.create_disk())


def test_request_ids_are_upper_case_uuids_and_unique(lab: Lab, disk: str) -> None:
    responses = [lab.create_snapshot(disk), lab.create_snapshot(disk), describe(lab), lab.call("Nope", {})]
    ids = [r.request_id for r in responses]
    assert all(REQUEST_ID.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    assert [record.request_id for record in lab.requests[-4:]] == ids


# ---------------------------------------------------------------- errors


def test_error_json_has_the_common_error_keys(lab: Lab) -> None:
    response = lab.create_snapshot("d-doesnotexist")
    body = json.loads(response.to_json())
    assert list(body) == ERROR_KEYS
    assert body["Code"] == response.code == "InvalidDiskId.NotFound"
    assert body["Message"] == response.message == "The specified DiskId does not exist."
    assert body["RequestId"] == response.request_id and REQUEST_ID.match(body["RequestId"])
    assert body["HostId"]
    assert body["Recommend"].startswith("https://")
    assert response.status == 404 and not response.ok


def test_error_xml_root_is_error_with_the_common_children(lab: Lab) -> None:
    response = lab.create_snapshot("d-doesnotexist", name="bad name")
    root = xml_root(response)
    assert root.tag == "Error"
    assert [child.tag for child in root] == ERROR_KEYS
    assert {child.tag: child.text for child in root} == response.data
    assert root.findtext("Code") == "InvalidSnapshotName.Malformed"


def test_missing_disk_id_is_missing_parameter_naming_disk_id(lab: Lab) -> None:
    response = lab.call("CreateSnapshot", {"SnapshotName": "nightly"})
    assert (response.code, response.status) == ("MissingParameter", 400)
    assert "DiskId" in response.message
    assert json.loads(response.to_json())["Message"] == response.message


@pytest.mark.parametrize("action", ["CreateSnapshots", "createsnapshot", "", "DescribeSnapshot"])
def test_unknown_action_is_invalid_action_not_found(lab: Lab, action: str) -> None:
    response = lab.call(action, {"DiskId": "d-x"})
    assert (response.code, response.status) == ("InvalidAction.NotFound", 404)
    assert list(response.data) == ERROR_KEYS
    assert xml_root(response).tag == "Error"
    assert response.trace[-1].check == "Action.known" and not response.trace[-1].passed


def test_xml_escapes_what_a_learner_typed(lab: Lab, disk: str) -> None:
    description = "a <b> & \"c\" 'd'"
    assert lab.create_snapshot(disk, description=description, tags={"k&y": "<v>"}).ok
    root = xml_root(describe(lab))
    snapshot = root.find("Snapshots/Snapshot")
    assert snapshot is not None
    assert snapshot.findtext("Description") == description
    assert snapshot.findtext("Tags/Tag/TagKey") == "k&y"
    assert snapshot.findtext("Tags/Tag/TagValue") == "<v>"


# ---------------------------------------------------------------- DescribeSnapshots


def test_describe_snapshots_json_shape(lab: Lab, disk: str) -> None:
    created = lab.create_snapshot(disk, name="nightly", description="before upgrade", retention_days=7)
    response = describe(lab)
    assert response.ok
    body = json.loads(response.to_json())
    assert set(body) == {"RequestId", "Snapshots", "TotalCount", "PageNumber", "PageSize"}
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (1, 1, 10)
    (item,) = body["Snapshots"]["Snapshot"]
    assert item["SnapshotId"] == created.data["SnapshotId"]
    assert item["SnapshotName"] == "nightly" and item["Description"] == "before upgrade"
    assert item["SourceDiskId"] == disk
    assert item["Status"] == "progressing"
    assert item["RetentionDays"] == 7
    assert TIME.match(item["CreationTime"]) and TIME.match(item["LastModifiedTime"])
    assert item["CreationTime"] == lab.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert PROGRESS.match(item["Progress"])


def test_describe_snapshots_xml_repeats_snapshot_elements(lab: Lab, disk: str) -> None:
    ids = snapshots_of(lab, disk, 3)
    response = describe(lab)
    root = xml_root(response)
    assert root.tag == "DescribeSnapshotsResponse"
    assert root.findtext("TotalCount") == "3"
    assert root.findtext("PageNumber") == "1" and root.findtext("PageSize") == "10"
    containers = root.findall("Snapshots")
    assert len(containers) == 1
    items = containers[0].findall("Snapshot")
    assert [item.findtext("SnapshotId") for item in items] == ids[::-1]
    assert all(item.findtext("Status") == "accomplished" for item in items)


def test_describe_snapshots_with_none_has_an_empty_list(lab: Lab) -> None:
    response = describe(lab)
    assert response.data["Snapshots"] == {"Snapshot": []}
    assert response.data["TotalCount"] == 0
    root = xml_root(response)
    assert root.find("Snapshots") is not None and root.findall("Snapshots/Snapshot") == []


def test_paging_over_25_snapshots_gives_10_10_5(lab: Lab, disk: str) -> None:
    ids = snapshots_of(lab, disk, 25)
    pages = [describe(lab, PageNumber=n) for n in (1, 2, 3, 4)]
    sizes = [len(page.data["Snapshots"]["Snapshot"]) for page in pages]
    assert sizes == [10, 10, 5, 0]
    assert all(page.data["TotalCount"] == 25 and page.data["PageSize"] == 10 for page in pages)
    assert [page.data["PageNumber"] for page in pages] == [1, 2, 3, 4]
    seen = [item["SnapshotId"] for page in pages for item in page.data["Snapshots"]["Snapshot"]]
    assert seen == ids[::-1], "pages are not newest first, or they overlap"


def test_items_are_newest_first(lab: Lab, disk: str) -> None:
    snapshots_of(lab, disk, 4)
    items = describe(lab).data["Snapshots"]["Snapshot"]
    times = [item["CreationTime"] for item in items]
    assert times == sorted(times, reverse=True) and len(set(times)) == 4


@pytest.mark.parametrize(("size", "code"), [(1, None), (100, None), (101, "InvalidParameter"), (0, "InvalidParameter")])
def test_page_size_is_1_to_100(lab: Lab, size: int, code: str | None) -> None:
    response = describe(lab, PageSize=size)
    assert response.code == code
    if code is None:
        assert response.data["PageSize"] == size
    else:
        assert response.status == 400 and "PageSize" in response.message


def test_page_size_100_returns_up_to_100(lab: Lab, disk: str) -> None:
    snapshots_of(lab, disk, 12)
    assert len(describe(lab, PageSize=100).data["Snapshots"]["Snapshot"]) == 12
    assert len(describe(lab, PageSize=5, PageNumber=3).data["Snapshots"]["Snapshot"]) == 2


def test_progress_is_a_percentage_until_accomplished(lab: Lab, disk: str) -> None:
    snapshot_id = lab.create_snapshot(disk).data["SnapshotId"]

    def item() -> dict:
        (found,) = describe(lab, DiskId=disk).data["Snapshots"]["Snapshot"]
        assert found["SnapshotId"] == snapshot_id
        return found

    assert item()["Progress"] == "0%"
    lab.advance(seconds=item()["RemainTime"] // 2)
    middle = item()
    assert middle["Status"] == "progressing" and PROGRESS.match(middle["Progress"])
    assert 0 < int(middle["Progress"][:-1]) < 100
    lab.advance(hours=1)
    done = item()
    assert (done["Status"], done["Progress"], done["RemainTime"]) == ("accomplished", "100%", 0)
    assert TIME.match(done["LastModifiedTime"]) and done["LastModifiedTime"] > done["CreationTime"]


# ---------------------------------------------------------------- determinism


def scenario(seed: int) -> list[tuple[int, str, str]]:
    """A short session of successes and failures; every answer as (status, JSON, XML)."""
    lab = Lab(seed=seed)
    disk = lab.ready_disk()
    responses = [
        lab.create_snapshot(disk, name="first", tags={"env": "prod"}, client_token="tok-a"),
        lab.create_snapshot(disk),
        lab.create_snapshot("d-doesnotexist"),
        lab.call("CreateSnapshot", {"DiskId": disk, "SnapshotName": "1bad"}),
    ]
    lab.advance(hours=1)
    responses += [
        lab.create_snapshot(disk, name="first", tags={"env": "prod"}, client_token="tok-a"),
        lab.create_snapshot(disk, name="second", retention_days=3),
        describe(lab),
        lab.call("Unknown", {}),
    ]
    return [(r.status, r.to_json(), r.to_xml()) for r in responses]


def test_same_seed_and_calls_give_identical_responses() -> None:
    assert scenario(7) == scenario(7)


def test_different_seed_gives_different_ids() -> None:
    seven, eight = scenario(7), scenario(8)
    assert [status for status, _, _ in seven] == [status for status, _, _ in eight]
    first_seven = json.loads(seven[0][1])
    first_eight = json.loads(eight[0][1])
    assert first_seven["SnapshotId"] != first_eight["SnapshotId"]
    assert first_seven["RequestId"] != first_eight["RequestId"]


def test_client_token_replay_gives_the_first_snapshot_id_again() -> None:
    answers = scenario(7)
    assert json.loads(answers[4][1])["SnapshotId"] == json.loads(answers[0][1])["SnapshotId"]
    assert json.loads(answers[4][1])["RequestId"] != json.loads(answers[0][1])["RequestId"]
