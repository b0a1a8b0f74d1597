"""The two API profiles: the seed's rules by default, today's documented rules with api="2026", each difference
traced to its sentence and page. Each test runs the same scenario through both profiles and asserts both answers."""

from __future__ import annotations

import html

import pytest

from ecs_snap_lab import Lab, validate
from ecs_snap_lab.rules.catalog import checks
from ecs_snap_lab.rules.profile import Api, differences, profile

BOTH = ["seed", "2026"]


def detached_disk(lab: Lab) -> str:
    """A data disk that was attached and started, then detached: Available."""
    disk_id = lab.ready_disk()
    lab.detach_disk(disk_id, lab.disks[disk_id].instance_id)
    lab.advance(minutes=5)
    assert lab.disks[disk_id].status.value == "Available"
    return disk_id


def step(response, check_id: str):
    return next(s for s in response.trace if s.check == check_id)


def test_the_seed_is_the_default_and_an_unknown_profile_is_refused() -> None:
    assert Lab().api == "seed"
    assert Lab(api="2026").api == "2026"
    with pytest.raises(ValueError, match="'seed', '2026'"):
        Lab(api="2019")
    with pytest.raises(ValueError, match="api must be one of"):
        validate("CreateSnapshot", {"DiskId": "d-1"}, api="today")


@pytest.mark.parametrize("api", BOTH)
def test_the_profile_is_shown_by_the_labs_repr_and_its_html(api: str) -> None:
    lab = Lab(api=api)
    assert f"api {api}" in repr(lab)
    assert html.escape(lab.profile.label) in lab._repr_html_()


def test_an_available_disk_that_was_attached_before_can_be_snapshotted_only_today() -> None:
    seed, now = Lab(seed=4), Lab(seed=4, api="2026")
    refused = seed.call("CreateSnapshot", {"DiskId": detached_disk(seed)})
    assert (refused.status, refused.code) == (403, "IncorrectDiskStatus")
    assert step(refused, "Disk.in_use").basis == "seed"

    made = now.call("CreateSnapshot", {"DiskId": detached_disk(now)})
    assert made.ok, made.explain()
    in_use = step(made, "Disk.in_use")
    assert in_use.basis == "current documentation"
    assert differences()["available_after_attach"].page in in_use.source
    assert not any(s.check.startswith("Instance.") for s in made.trace)  # a detached disk has no instance to check


@pytest.mark.parametrize("api", BOTH)
def test_a_disk_never_attached_is_refused_in_both_profiles(api: str) -> None:
    lab = Lab(seed=4, api=api)
    disk_id = lab.create_disk(40, "cloud_essd", zone_id=lab.zones[0])
    answer = lab.call("CreateSnapshot", {"DiskId": disk_id})
    assert (answer.status, answer.code) == (403, "IncorrectDiskStatus.NeverAttached")


@pytest.mark.parametrize(("api", "code"), [("seed", "InvalidSnapshotName.Malformed"), ("2026", None)])
def test_a_name_with_a_period(api: str, code: str | None) -> None:
    lab = Lab(seed=4, api=api)
    answer = lab.call("CreateSnapshot", {"DiskId": lab.ready_disk(), "SnapshotName": "nightly.2026-01-01"})
    assert answer.code == code
    assert [v.code for v in validate("CreateSnapshot", {"DiskId": "d-1", "SnapshotName": "a.b"}, api=api)] == (
        [code] if code else []
    )


@pytest.mark.parametrize(
    ("length", "seed_code", "now_code"),
    [
        (64, None, None),
        (65, "InvalidTagKey.Malformed", None),
        (128, "InvalidTagKey.Malformed", None),
        (129, "InvalidTagKey.Malformed", "InvalidTagKey.Malformed"),
    ],
)
def test_tag_key_lengths(length: int, seed_code: str | None, now_code: str | None) -> None:
    params = {"DiskId": "d-1", "Tag.1.Key": "k" * length, "Tag.1.Value": "v"}
    for api, code in (("seed", seed_code), ("2026", now_code)):
        assert [v.code for v in validate("CreateSnapshot", params, api=api)] == ([code] if code else []), api


def fill(lab: Lab, disk_id: str, count: int) -> None:
    for _ in range(count):
        assert lab.call("CreateSnapshot", {"DiskId": disk_id}).ok
        lab.advance(hours=2)


def test_the_quota_is_64_snapshots_in_the_seed_and_256_manual_ones_today() -> None:
    seed = Lab(seed=5)
    disk_id = seed.ready_disk(20)
    fill(seed, disk_id, 64)
    refused = seed.call("CreateSnapshot", {"DiskId": disk_id})
    assert (refused.status, refused.code) == (403, "QuotaExceed.Snapshot")

    now = Lab(seed=5, api="2026")
    assert now.snapshot_quota == 256
    disk_id = now.ready_disk(20)
    fill(now, disk_id, 256)
    refused = now.call("CreateSnapshot", {"DiskId": disk_id})
    assert (refused.status, refused.code) == (403, "QuotaExceed.Snapshot")
    assert "256 manual snapshots" in refused.failure[1]
    assert step(refused, "Disk.under_quota").basis == "current documentation"


def test_automatic_snapshots_count_against_the_quota_in_the_seed_only() -> None:
    """Two automatic snapshots, a quota of 3: the seed refuses the second manual one, today's API does not."""
    answers = {}
    for api in BOTH:
        lab = Lab(seed=6, api=api, snapshot_quota=3)
        disk_id = lab.ready_disk(20)
        policy_id = lab.create_auto_snapshot_policy(hours=range(24))
        lab.apply_auto_snapshot_policy(policy_id, [disk_id])
        lab.advance(hours=2, minutes=30)
        first = lab.call("CreateSnapshot", {"DiskId": disk_id})
        lab.advance(minutes=50)
        second = lab.call("CreateSnapshot", {"DiskId": disk_id})
        answers[api] = (first.code, second.code)
    assert answers["seed"][1] == "QuotaExceed.Snapshot"
    assert answers["2026"] == (None, None)


def test_every_difference_names_its_page_and_each_check_that_reads_one_has_todays_rule() -> None:
    for row in differences().values():
        assert row.page.startswith("https://"), row.id
        assert row.seed != row.now, row.id
        assert row.now_source and row.topic
    for check in checks().values():
        if check.difference:
            assert check.difference in differences(), check.id
            assert check.now_rule and check.now_rule != check.rule, check.id
    assert profile(Api.SEED).manual_quota == 64


@pytest.mark.parametrize("api", BOTH)
def test_every_widget_of_the_app_shows_the_profile(api: str) -> None:
    from ecs_snap_lab.widgets.app import LabDashboard

    lab = Lab(seed=2, api=api)
    app = LabDashboard(lab)
    badge = f'data-api="{api}"'
    assert badge in app.children[0].value
    assert badge in app.clock.now_html.value
    for dashboard in (app.quota, app.timeline):
        assert any(badge in getattr(child, "value", "") for child in dashboard.children), dashboard
    assert app.explorer.api_choice.value == api  # the explorer starts on the lab's profile
    from ecs_snap_lab.widgets.signature_explorer import SignatureExplorer

    assert badge in SignatureExplorer(app.builder).children[0].value  # signing what the builder holds, for this lab


def test_the_table_of_differences_has_a_row_per_difference_with_both_values_and_the_page() -> None:
    from ecs_snap_lab import api_differences

    rows = api_differences()
    assert len(rows) == len(differences())
    quota = next(r for r in rows if r["seed"] == 64)
    assert quota["2026"] == 256 and quota["page"].startswith("https://www.alibabacloud.com/")


def test_today_automatic_snapshots_have_a_limit_of_their_own_and_the_oldest_gives_way(tmp_path) -> None:
    lab = Lab(seed=9, api="2026", snapshot_quota=2)
    limit = lab.profile.auto_limit
    assert limit == 1000
    disk_id = lab.ready_disk(20)
    manual = [lab.call("CreateSnapshot", {"DiskId": disk_id}).data["SnapshotId"]]
    lab.advance(hours=1)
    policy_id = lab.create_auto_snapshot_policy(hours=range(24))
    lab.apply_auto_snapshot_policy(policy_id, [disk_id])
    lab.advance(hours=limit + 5)
    kinds = [s.snapshot_type.value for s in lab.snapshots_of(disk_id).values()]
    assert kinds.count("auto") == limit and kinds.count("user") == 1
    assert manual[0] in lab.snapshots_of(disk_id)  # a manual snapshot never gives way
    assert lab.call("CreateSnapshot", {"DiskId": disk_id}).ok  # the second manual one: under the quota of 2
    lab.advance(hours=1)
    refused = lab.call("CreateSnapshot", {"DiskId": disk_id})
    assert refused.code == "QuotaExceed.Snapshot" and "2 manual snapshots" in refused.failure[1]
    lab.save(tmp_path / "w.json")  # 1,002 snapshots on a disk whose quota is 2: valid in this profile
    assert len(Lab.load(tmp_path / "w.json").snapshots_of(disk_id)) == limit + 2


def test_today_category_is_checked_and_the_instant_access_parameters_are_accepted_with_a_warning() -> None:
    lab = Lab(seed=3, api="2026")
    disk_id = lab.ready_disk()
    made = lab.call("CreateSnapshot", {"DiskId": disk_id, "Category": "Standard"})
    assert made.ok
    assert any("local snapshots before 2020-12-14" in w for w in made.warnings)
    assert step(made, "Category.valid").passed and step(made, "Category.alone").passed
    lab.advance(hours=2)
    instant = lab.call("CreateSnapshot", {"DiskId": disk_id, "InstantAccess": "true"})
    assert instant.ok and any(w.startswith("InstantAccess no longer takes effect") for w in instant.warnings)
    lab.advance(hours=2)
    refused = lab.call("CreateSnapshot", {"DiskId": disk_id, "Category": "archive"})
    assert (refused.status, refused.code, refused.message) == (
        403,
        "InvalidSnapshotCategory.Malformed",
        "The specified Category is not valid.",
    )
    both = lab.call("CreateSnapshot", {"DiskId": disk_id, "Category": "Standard", "InstantAccess": "true"})
    assert (both.status, both.code) == (403, "InvalidCategoryAndInstantAccess.Malformed")
    assert "Category.valid" not in [s.check for s in Lab(seed=3).call("CreateSnapshot", {"DiskId": "d-1"}).trace]
    assert validate("CreateSnapshot", {"DiskId": "d-1", "Category": "archive"}, api="seed") == []  # not its parameter


def test_a_tag_numbered_beyond_20_is_a_malformed_key_in_both_profiles() -> None:
    """QuotaExceed.Tags was on the page from 2020-12 to 2021 only (message "%s"); today's table lacks it, and no page
    says what a 21st tag gets now: the 2026 profile answers as the seed."""
    for api in ("seed", "2026"):
        lab = Lab(seed=4, api=api)
        answer = lab.call("CreateSnapshot", {"DiskId": lab.ready_disk(), "Tag.21.Key": "env"})
        assert (answer.status, answer.code) == (400, "InvalidTagKey.Malformed"), api


def test_today_a_tag_value_may_start_with_aliyun_and_a_key_still_may_not() -> None:
    value = {"DiskId": "d-1", "Tag.1.Key": "env", "Tag.1.Value": "aliyun-prod"}
    assert [v.code for v in validate("CreateSnapshot", value)] == ["InvalidTagValue.Malformed"]
    assert validate("CreateSnapshot", value, api="2026") == []
    key = {"DiskId": "d-1", "Tag.1.Key": "acs:env"}
    assert [v.code for v in validate("CreateSnapshot", key, api="2026")] == ["InvalidTagKey.Malformed"]


TODAYS_CODES = [
    ({"RetentionDays": "0"}, 400, "InvalidRetentionDays.Malformed", "InvalidParameter"),
    ({"ClientToken": "t" * 65}, 403, "InvalidClientToken.Malformed", "InvalidParameter"),
    ({"ResourceGroupId": "rg-nope"}, 404, "InvalidResourceGroup.NotFound", None),
    ({"StorageLocationArn": "arn"}, 403, "InvalidParameter.UnauthorizedStorageLocationArn", None),
]


@pytest.mark.parametrize(("params", "status", "today", "seed_code"), TODAYS_CODES)
def test_todays_error_rows_answer_in_2026_and_the_seed_answers_as_before(params, status, today, seed_code) -> None:
    now = Lab(seed=12, api="2026")
    refused = now.call("CreateSnapshot", {"DiskId": now.ready_disk(), **params})
    assert (refused.status, refused.code) == (status, today)
    seed = Lab(seed=12)
    assert seed.call("CreateSnapshot", {"DiskId": seed.ready_disk(), **params}).code == seed_code


@pytest.mark.parametrize(
    ("code", "seed", "today"),
    [
        ("CreateSnapshot.Failed", (403, "The process of creating snapshot is failed."), None),
        (
            "DiskCategory.OperationNotSupported",
            None,
            "The type of the specified disk does not support creating a snapshot.",
        ),
        ("IncorrectDiskStatus.Invalid", None, "The specified disk status invalid, restart instance and try again."),
    ],
)
def test_a_seed_row_that_changed_answers_with_todays_status_or_words_in_2026(code: str, seed, today) -> None:
    from ecs_snap_lab import reproduce

    then, now = reproduce(code).response, reproduce(code, api="2026").response
    assert then.code == now.code == code
    if seed is not None:  # the status changed: 403 then, 400 now
        assert (then.status, then.message) == seed and now.status == 400 and now.message == seed[1]
    if today is not None:  # the words changed
        assert now.message == today and then.message != today and then.status == now.status


def test_a_code_only_todays_api_has_is_reproduced_in_a_2026_lab_and_the_seed_never_answers_it() -> None:
    from ecs_snap_lab import error_catalog, reproduce
    from ecs_snap_lab.recipes import reproducible_codes
    from ecs_snap_lab.rules.catalog import only_in

    todays = [code for code in reproducible_codes() if only_in(code) == "2026"]
    assert set(todays) >= {"InvalidSnapshotCategory.Malformed", "InvalidRetentionDays.Malformed"}
    assert only_in("InvalidParameter") == "" and only_in("QuotaExceed.Snapshot") == ""
    for code in todays:
        made = reproduce(code)  # asked of the seed: answered by a lab of the only profile that has the code
        assert (made.lab.api, made.response.code) == ("2026", code)
        seed = Lab(seed=3)
        assert seed.call(made.action, {**made.params, "DiskId": seed.ready_disk()}).code != code
    assert len(todays) < len({e.code for e in error_catalog()})
