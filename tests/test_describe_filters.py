"""DescribeSnapshots honours every documented filter in both API profiles, refuses documented bad values with the
documented codes (the page's words, copied into rules/catalog.toml), and pages as each profile does: PageNumber and
PageSize in both, MaxResults and NextToken in the 2026 profile only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ecs_snap_lab import Lab
from ecs_snap_lab.actions.snapshot_filters import link_id, make_token

BOTH = ["seed", "2026"]


@dataclass
class Fleet:
    """A lab with snapshots that differ in one way each: the filters must tell them apart."""

    lab: Lab
    system: str  # a snapshot of a system disk, made first
    imaged: str  # of the system disk, used by an image
    both: str  # of the system disk, used by an image and a disk
    plain: str  # of a data disk, tagged env=prod
    disked: str  # of the data disk, used to create a disk
    encrypted: str  # of an encrypted disk, tagged env=dev

    def ids(self, **filters: object) -> set[str]:
        response = self.lab.call("DescribeSnapshots", {"RegionId": self.lab.region, "PageSize": 100, **filters})
        assert response.ok, response.explain()
        return {item["SnapshotId"] for item in response.data["Snapshots"]["Snapshot"]}


def snap(lab: Lab, disk_id: str, **params: str) -> str:
    response = lab.call("CreateSnapshot", {"DiskId": disk_id, **params})
    assert response.ok, response.explain()
    lab.advance(hours=3)
    return response.data["SnapshotId"]


@pytest.fixture(params=BOTH)
def fleet(request: pytest.FixtureRequest) -> Fleet:
    lab = Lab(seed=11, api=request.param)
    instance_id = lab.run_instance()
    lab.advance(hours=2)
    system_disk = next(d for d in lab.instance(instance_id).disk_ids if lab.disk(d).disk_type == "system")
    system, imaged, both = snap(lab, system_disk), snap(lab, system_disk), snap(lab, system_disk)
    data = lab.ready_disk()
    plain = snap(lab, data, **{"Tag.1.Key": "env", "Tag.1.Value": "prod"})
    disked = snap(lab, data)
    lab.create_image(imaged)
    lab.create_disk(snapshot_id=disked)
    lab.create_image(both)
    lab.create_disk(snapshot_id=both)
    secret = lab.create_disk(40, encrypted=True)
    lab.attach_disk(secret, instance_id)
    lab.advance(hours=2)
    encrypted = snap(lab, secret, **{"Tag.1.Key": "env", "Tag.1.Value": "dev"})
    return Fleet(lab, system, imaged, both, plain, disked, encrypted)


def everyone(fleet: Fleet) -> set[str]:
    return {fleet.system, fleet.plain, fleet.imaged, fleet.disked, fleet.both, fleet.encrypted}


def test_usage(fleet: Fleet) -> None:
    assert fleet.ids(Usage="image") == {fleet.imaged}
    assert fleet.ids(Usage="disk") == {fleet.disked}
    assert fleet.ids(Usage="image_disk") == {fleet.both}
    assert fleet.ids(Usage="none") == {fleet.system, fleet.plain, fleet.encrypted}


def test_source_disk_type_in_any_case(fleet: Fleet) -> None:
    on_system = {fleet.system, fleet.imaged, fleet.both}
    assert fleet.ids(SourceDiskType="System") == fleet.ids(SourceDiskType="system") == on_system
    assert fleet.ids(SourceDiskType="DATA") == everyone(fleet) - on_system


def test_encrypted_true_keeps_the_encrypted_and_false_the_default_filters_nothing(fleet: Fleet) -> None:
    assert fleet.ids(Encrypted="true") == fleet.ids(Encrypted="True") == {fleet.encrypted}
    assert fleet.ids(Encrypted="false") == fleet.ids() == everyone(fleet)
    refused = fleet.lab.call("DescribeSnapshots", {"RegionId": fleet.lab.region, "Encrypted": "yes"})
    assert (refused.status, refused.code) == (400, "InvalidParameter")


def test_creation_start_and_end_times(fleet: Fleet) -> None:
    lab = fleet.lab
    plain = lab.snapshot(fleet.plain).created_at
    minute = plain - plain % 60
    stamp = lambda seconds: lab_time(seconds)  # noqa: E731
    after = fleet.ids(**{"Filter.1.Key": "CreationStartTime", "Filter.1.Value": stamp(minute)})
    assert fleet.plain in after and fleet.system not in after
    before = fleet.ids(**{"Filter.2.Key": "CreationEndTime", "Filter.2.Value": stamp(minute + 60)})
    assert fleet.plain in before and fleet.encrypted not in before
    window = {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": stamp(minute)}
    window |= {"Filter.2.Key": "CreationEndTime", "Filter.2.Value": stamp(minute + 60)}
    assert fleet.ids(**window) == {fleet.plain}


def lab_time(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%MZ")


def test_tags_with_and_without_a_value(fleet: Fleet) -> None:
    assert fleet.ids(**{"Tag.1.Key": "env"}) == {fleet.plain, fleet.encrypted}
    assert fleet.ids(**{"Tag.1.Key": "env", "Tag.1.Value": "dev"}) == {fleet.encrypted}
    assert fleet.ids(**{"Tag.1.Key": "team"}) == set()


def test_snapshot_link_id_and_kms_key(fleet: Fleet) -> None:
    lab = fleet.lab
    chain = link_id(lab.snapshot(fleet.plain).disk_id)
    assert fleet.ids(SnapshotLinkId=chain) == {fleet.plain, fleet.disked}
    assert fleet.ids(SnapshotLinkId=f'["{chain}"]') == fleet.ids(SnapshotLinkId=chain)
    key = lab.snapshot(fleet.encrypted).kms_key_id
    assert key and fleet.ids(KMSKeyId=key) == {fleet.encrypted}


def test_filters_combine_with_and(fleet: Fleet) -> None:
    assert fleet.ids(Usage="none", SourceDiskType="data", Encrypted="true") == {fleet.encrypted}
    assert fleet.ids(Usage="none", SourceDiskType="data", Encrypted="false") == {fleet.plain, fleet.encrypted}
    assert fleet.ids(Usage="image", Status="accomplished", SnapshotType="user") == {fleet.imaged}
    assert fleet.ids(Usage="none", SourceDiskType="system") == {fleet.system}


REFUSED = [
    ({"Usage": "bogus"}, 404, "InvalidUsage", "The specifed Usage is not valid."),
    ({"SourceDiskType": "bogus"}, 404, "InvalidSourceDiskType", "The specifed SourceDiskType is not valid."),
    ({"Tag.1.Value": "prod"}, 400, "InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match."),
    ({"Tag.21.Key": "env"}, 400, "InvalidTagCount", "The specified tags are beyond the permitted range."),
    (
        {"Filter.1.Key": "CreatedAfter", "Filter.1.Value": "2026-01-01T00:00Z"},
        404,
        "InvalidFilterKey.NotFound",
        "The specified FilterKey is not found.",
    ),
    (
        {"Filter.1.Value": "2026-01-01T00:00Z"},
        404,
        "InvalidFilterKey.NotFound",
        "The specified FilterKey is not found.",
    ),
    (
        {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2026-01-01"},
        404,
        "InvalidFilterValue",
        "The specified FilterValue exceeds the limit.",
    ),
    ({"SnapshotLinkId": "sl-nope"}, 404, "InvalidSnapshotLinkId.NotFound", "The specified snapshot link is not found."),
    ({"Status": "done"}, 404, "InvalidStatus.NotFound", "The specified Status is not found."),
    ({"SnapshotType": "manual"}, 404, "InvalidSnapshotType.NotFound", "The specfied SnapshotType is not found."),
]


@pytest.mark.parametrize(
    ("params", "status", "code", "message"), REFUSED, ids=[r[2] + str(i) for i, r in enumerate(REFUSED)]
)
@pytest.mark.parametrize("api", BOTH)
def test_a_documented_bad_value_gets_its_documented_code(api: str, params, status, code, message) -> None:
    lab = Lab(seed=1, api=api)
    response = lab.call("DescribeSnapshots", {"RegionId": lab.region, **params})
    assert (response.status, response.code, response.message) == (status, code, message)


def test_category_is_a_filter_of_the_2026_profile_only() -> None:
    seed, now = Lab(seed=2), Lab(seed=2, api="2026")
    for lab in (seed, now):
        snap(lab, lab.ready_disk())
    query = {"RegionId": seed.region}
    assert seed.call("DescribeSnapshots", query | {"Category": "premium"}).data["TotalCount"] == 1  # not a parameter
    refused = now.call("DescribeSnapshots", query | {"Category": "premium"})
    assert (refused.status, refused.code) == (403, "InvalidSnapshotCategory.Malformed")
    assert now.call("DescribeSnapshots", query | {"Category": "Standard"}).data["TotalCount"] == 1
    assert now.call("DescribeSnapshots", query | {"Category": "archive"}).data["TotalCount"] == 0


# ---------------------------------------------------------------- paging


def many(api: str, count: int = 12) -> Lab:
    lab = Lab(seed=3, api=api)
    disk_id = lab.ready_disk()
    for _ in range(count):
        snap(lab, disk_id)
    return lab


def test_max_results_and_next_token_walk_every_snapshot_once_in_2026() -> None:
    lab = many("2026")
    seen, token, pages = [], None, 0
    while True:
        query = {"RegionId": lab.region, "MaxResults": 5} | ({"NextToken": token} if token else {})
        body = lab.call("DescribeSnapshots", query).data
        items = body["Snapshots"]["Snapshot"]
        assert len(items) <= 5 and "PageNumber" not in body
        seen += [item["SnapshotId"] for item in items]
        pages += 1
        token = body["NextToken"]
        if not token:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 12
    first = lab.call("DescribeSnapshots", {"RegionId": lab.region}).data["Snapshots"]["Snapshot"][0]
    assert seen[0] == first["SnapshotId"]  # newest first, as with pages


def test_the_seed_pages_by_number_and_ignores_max_results() -> None:
    lab = many("seed")
    body = lab.call("DescribeSnapshots", {"RegionId": lab.region, "MaxResults": 5}).data
    assert len(body["Snapshots"]["Snapshot"]) == 10 and body["PageSize"] == 10 and "NextToken" not in body
    second = lab.call("DescribeSnapshots", {"RegionId": lab.region, "PageNumber": 2}).data
    assert (second["PageNumber"], len(second["Snapshots"]["Snapshot"]), second["TotalCount"]) == (2, 2, 12)


@pytest.mark.parametrize(
    ("params", "detail"),
    [({"MaxResults": 0}, "MaxResults"), ({"MaxResults": 101}, "MaxResults"), ({"NextToken": "abc"}, "NextToken")],
)
def test_bad_paging_is_refused_in_2026(params, detail: str) -> None:
    lab = many("2026", 1)
    response = lab.call("DescribeSnapshots", {"RegionId": lab.region, **params})
    assert (response.status, response.code) == (400, "InvalidParameter")
    assert detail in response.failure[1]


def test_a_token_of_another_lab_is_refused() -> None:
    lab = many("2026", 1)
    foreign = make_token(lab.world.seed + 1, 5)
    assert lab.call("DescribeSnapshots", {"RegionId": lab.region, "NextToken": foreign}).code == "InvalidParameter"


def test_todays_fields_appear_only_in_the_2026_profile() -> None:
    seed, now = many("seed", 1), many("2026", 1)
    old = seed.call("DescribeSnapshots", {"RegionId": seed.region}).data["Snapshots"]["Snapshot"][0]
    new = now.call("DescribeSnapshots", {"RegionId": now.region}).data["Snapshots"]["Snapshot"][0]
    added = {"Available", "Category", "InstantAccess", "RegionId", "SnapshotLinkId", "SourceStorageType"}
    assert added <= set(new) and not added & set(old)
    assert new["Available"] is True and new["RegionId"] == now.region


def test_next_token_keeps_its_place_when_snapshots_come_and_go_between_pages() -> None:
    """A token marks a place, not a count: a snapshot made or deleted between two pages neither repeats one
    already seen nor hides an older one."""
    lab = many("2026")
    before = [s.snapshot_id for s in sorted(lab.world.snapshots.values(), key=lambda s: -s.seq)]
    first = lab.call("DescribeSnapshots", {"RegionId": lab.region, "MaxResults": 5}).data
    seen = [item["SnapshotId"] for item in first["Snapshots"]["Snapshot"]]
    assert seen == before[:5]
    newer = lab.ready_disk()
    snap(lab, newer), snap(lab, newer)  # two newer snapshots, one seen deleted: an offset would repeat before[4]
    assert lab.call("DeleteSnapshot", {"SnapshotId": before[0]}).ok
    token = first["NextToken"]
    while token:
        body = lab.call("DescribeSnapshots", {"RegionId": lab.region, "MaxResults": 5, "NextToken": token}).data
        seen += [item["SnapshotId"] for item in body["Snapshots"]["Snapshot"]]
        token = body["NextToken"]
    assert seen == before


def test_the_seed_ignores_next_token() -> None:
    lab = many("seed")
    token = make_token(lab.world.seed, 5)
    body = lab.call("DescribeSnapshots", {"RegionId": lab.region, "NextToken": token}).data
    assert (body["PageNumber"], len(body["Snapshots"]["Snapshot"]), body["TotalCount"]) == (1, 10, 12)


def test_instant_access_is_on_for_essd_snapshots_in_2026() -> None:
    """The page: "By default, the instant access feature is enabled for Enterprise SSDs (ESSDs) and ESSD Entry
    disks", and InstantAccessRetentionDays is "the same as the value of RetentionDays" by default."""
    lab = Lab(seed=4, api="2026")
    essd = snap(lab, lab.ready_disk(category="cloud_essd"), RetentionDays="7")
    entry = snap(lab, lab.ready_disk(category="cloud_essd_entry"))
    efficiency = snap(lab, lab.ready_disk(category="cloud_efficiency"), RetentionDays="7")
    items = lab.call("DescribeSnapshots", {"RegionId": lab.region}).data["Snapshots"]["Snapshot"]
    shown = {item["SnapshotId"]: item for item in items}
    assert (shown[essd]["InstantAccess"], shown[essd]["InstantAccessRetentionDays"]) == (True, 7)
    assert shown[entry]["InstantAccess"] is True and "InstantAccessRetentionDays" not in shown[entry]
    assert shown[efficiency]["InstantAccess"] is False and "InstantAccessRetentionDays" not in shown[efficiency]


@pytest.mark.parametrize("api", BOTH)
def test_resource_group_id_is_a_parameter_of_both_eras_and_filters_nothing(api: str) -> None:
    """The seed era's DescribeSnapshots pages (2019) list ResourceGroupId as today's does; the lab's resources are
    all in the default group, whose resources are "displayed in the response regardless" (today's page)."""
    lab = many(api, 2)
    response = lab.call("DescribeSnapshots", {"RegionId": lab.region, "ResourceGroupId": "rg-any"})
    assert response.data["TotalCount"] == 2 and not response.warnings
