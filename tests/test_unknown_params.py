"""Parameters an API version does not have: the answer ignores them, as the API does, and the Response (and the
builder, as you type) says which and why: a parameter of the other profile's API, or a near miss of a known one."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from alibabacloud_ecs20140526 import models as sdk_models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest

from ecs_snap_lab import Lab, advise
from ecs_snap_lab.actions import ACTIONS
from ecs_snap_lab.rules.known_params import unmodelled_params
from ecs_snap_lab.widgets.builder import RequestBuilder
from ecs_snap_lab.widgets.response_view import ResponseView
from ecs_snap_lab.wire.server import serve

LEARNER = {"Category": "Standard", "InstantAccess": "true", "StorageLocationArn": "arn:x", "Retention": "7"}


def create(lab: Lab, **extra: str):
    return lab.call("CreateSnapshot", {"DiskId": lab.ready_disk(), **extra})


def test_the_seed_names_todays_parameters_and_the_misspelling() -> None:
    response = create(Lab(seed=1), **LEARNER)
    assert response.ok
    by_name = {w.split()[0]: w for w in response.warnings}
    assert set(by_name) == set(LEARNER)
    for name in ("Category", "InstantAccess", "StorageLocationArn"):
        assert "not a parameter of CreateSnapshot in the seed's API" in by_name[name]
        assert 'Lab(api="2026")' in by_name[name]
    assert "did you mean RetentionDays?" in by_name["Retention"]
    assert response.data.keys() == {"RequestId", "SnapshotId"}


def test_today_knows_them_and_still_names_the_misspelling() -> None:
    response = create(Lab(seed=1, api="2026"), **LEARNER)
    unknown = [w for w in response.warnings if "is not a parameter" in w]
    assert unknown == [
        "Retention is not a parameter of CreateSnapshot: did you mean RetentionDays? The API ignores it."
    ]


@pytest.mark.parametrize(
    ("name", "near"),
    [
        ("diskid", "DiskId"),
        ("SnapshotNmae", "SnapshotName"),
        ("Retention", "RetentionDays"),
        ("Descripton", "Description"),
    ],
)
def test_a_near_miss_names_the_parameter_it_misses(name: str, near: str) -> None:
    (warning,) = advise("CreateSnapshot", {"DiskId": "d-1", name: "x"})
    assert warning.startswith(f"{name} is not a parameter of CreateSnapshot: did you mean {near}?")


def test_a_name_like_nothing_known_is_still_named() -> None:
    (warning,) = advise("CreateSnapshot", {"DiskId": "d-1", "Colour": "blue"})
    assert warning == "Colour is not a parameter of CreateSnapshot in this API version; the API ignores it."


@pytest.mark.parametrize("api", ["seed", "2026"])
def test_the_body_is_the_same_with_or_without_an_unknown_parameter(api: str) -> None:
    plain, odd = Lab(seed=5, api=api), Lab(seed=5, api=api)
    with_it = create(odd, Colour="blue", Retention="3")
    without = create(plain)
    assert with_it.warnings and not without.warnings
    assert (with_it.status, with_it.to_json(), with_it.to_xml()) == (
        without.status,
        without.to_json(),
        without.to_xml(),
    )
    refused = odd.call("CreateSnapshot", {"DiskId": "d-nothere", "Colour": "blue"})
    assert refused.code == "InvalidDiskId.NotFound" and refused.warnings  # a refusal keeps its warnings too


def test_numbered_families_and_the_common_parameters_are_known() -> None:
    params = {"RegionId": "cn-hangzhou", "Tag.3.Key": "env", "Tag.3.Value": "x", "Filter.2.Key": "CreationEndTime"}
    params |= {"Filter.2.Value": "2026-01-01T00:00Z", "Format": "JSON", "Version": "2014-05-26", "OwnerId": "1"}
    assert advise("DescribeSnapshots", params) == []
    assert advise("DescribeSnapshots", {"RegionId": "x", "MaxResults": "5"}, api="2026") == []
    (seed,) = advise("DescribeSnapshots", {"RegionId": "x", "MaxResults": "5"})
    assert seed.startswith("MaxResults is not a parameter of DescribeSnapshots in the seed's API")


@pytest.mark.parametrize("api", ["seed", "2026"])
def test_what_the_old_sdk_sends_draws_no_warning(api: str) -> None:
    lab = Lab(seed=2, api=api)
    disk = lab.ready_disk()
    endpoint = serve(lab, access_keys={"AK": "secret"})
    try:
        client = AcsClient("AK", "secret", lab.region)
        create_request = CreateSnapshotRequest()
        create_request.set_DiskId(disk)
        create_request.set_Tags([{"Key": "env", "Value": "prod"}])
        describe = DescribeSnapshotsRequest()
        for request in (create_request, describe):
            request.set_endpoint(endpoint.endpoint)
            json.loads(client.do_action_with_exception(request))
    finally:
        endpoint.stop()
    for record in lab.requests[-2:]:
        assert advise(record.action, record.params, api=api) == [], record.params


def test_explain_the_html_repr_and_the_response_view_show_the_warning() -> None:
    response = create(Lab(seed=1), Retention="7")
    assert "warning: Retention is not a parameter" in response.explain()
    assert "did you mean RetentionDays?" in response._repr_html_()
    view = ResponseView()
    view.show(response)
    assert "did you mean RetentionDays?" in view.warnings_html.value


@pytest.mark.parametrize("api", ["seed", "2026"])
def test_the_builder_advises_as_you_type(api: str) -> None:
    lab = Lab(seed=1, api=api)
    builder = RequestBuilder(lab)
    builder.disk_id.value = lab.ready_disk()
    builder.extra_name.value = "Category"
    builder.extra_value.value = "Standard"
    assert builder.params["Category"] == "Standard"
    if api == "seed":
        assert any("Category is not a parameter" in w for w in builder.advice)
    else:
        assert not any("is not a parameter" in w for w in builder.advice)
    assert ("esl-warnings" in builder.panel.value) == bool(builder.advice)  # the panel shows what advise() says
    builder.extra_name.value = "Retention"
    assert any("did you mean RetentionDays?" in w for w in builder.advice)
    assert "did you mean RetentionDays?" in builder.panel.value
    builder.send()
    assert any("Retention" in w for w in builder.last_response.warnings)
    builder.snapshot_name.value = "nightly.2026"  # the builder checks by the lab's profile
    assert [v.code for v in builder.violations] == (["InvalidSnapshotName.Malformed"] if api == "seed" else [])
    assert f'data-api="{api}"' in builder.children[0].value


def test_a_documented_parameter_the_lab_does_not_model_is_said_so() -> None:
    for api in ("seed", "2026"):
        (warning,) = advise("DescribeSnapshots", {"RegionId": "x", "DryRun": "true"}, api=api)
        assert warning.startswith("DryRun asks for a dry run") and "does not model it" in warning
    (create,) = advise("CreateSnapshot", {"DiskId": "d-1", "DryRun": "true"}, api="2026")  # not one of its parameters
    assert create == "DryRun is not a parameter of CreateSnapshot in this API version; the API ignores it."


# ---------------------------------------------------------------- the region, near misses of the other profile


def test_the_region_in_either_spelling_the_lab_reads_draws_no_warning() -> None:
    lab = Lab(seed=1)
    for spelling in ("RegionId", "regionId"):
        response = lab.call("DescribeSnapshots", {spelling: lab.region})
        assert response.ok and response.warnings == []
    (warning,) = advise("DescribeSnapshots", {"RegionId": lab.region, "regionid": lab.region})
    assert warning.startswith("regionid is not a parameter of DescribeSnapshots: did you mean RegionId?")


def test_a_near_miss_of_the_other_profiles_parameter_names_it_and_its_api() -> None:
    (seed,) = advise("CreateSnapshot", {"DiskId": "d-1", "Instantaccess": "true"})
    assert seed == (
        "Instantaccess is not a parameter of CreateSnapshot: did you mean InstantAccess? "
        'Only today\'s API (Lab(api="2026")) has it. The API ignores it.'
    )
    (now,) = advise("CreateSnapshot", {"DiskId": "d-1", "Instantaccess": "true"}, api="2026")
    assert now.startswith("Instantaccess is not a parameter of CreateSnapshot: did you mean InstantAccess? The API")


# ---------------------------------------------------------------- what the lab does not model


@pytest.mark.parametrize("api", ["seed", "2026"])
@pytest.mark.parametrize(
    ("action", "params", "name"),
    [
        ("CreateDisk", {"RegionId": "cn-hangzhou", "ZoneId": "z", "Description": "x"}, "Description"),
        ("DescribeDisks", {"RegionId": "cn-hangzhou", "DiskName": "x"}, "DiskName"),  # not "did you mean DiskType"
        ("RunInstances", {"RegionId": "r", "ImageId": "i", "InstanceType": "t", "SystemDisk.Iops": "9"}, ""),
        ("RunInstances", {"RegionId": "r", "ImageId": "i", "InstanceType": "t", "Tag.2.Key": "k"}, ""),
    ],
)
def test_a_documented_parameter_the_lab_does_not_model_is_said_to_be_one(
    action: str, params: dict, name: str, api: str
) -> None:
    """Today's SDK sends it and the real API uses it: the warning must not call it "not a parameter"."""
    name = name or list(params)[-1]
    (warning,) = advise(action, params, api=api)
    assert warning == (
        f"{name} is a parameter of {action} that the lab does not model (today's official SDK sends it): "
        "the lab ignores it; the real API does not."
    )


def test_a_misspelt_numbered_parameter_is_still_a_near_miss_where_its_family_is_half_modelled() -> None:
    params = {"RegionId": "r", "ImageId": "i", "InstanceType": "t", "DataDisk.1.Sise": "40"}
    (warning,) = advise("RunInstances", params)
    assert warning.startswith("DataDisk.1.Sise is not a parameter of RunInstances: did you mean DataDisk.N.Size?")


def sdk_fields(action: str) -> set[str]:
    """The parameters today's official SDK sends for `action`: the keys its request model's to_map writes (a nested
    field such as Tag stands for Tag.N.Key and Tag.N.Value)."""
    source = inspect.getsource(getattr(sdk_models, f"{action}Request").to_map)
    return set(re.findall(r"result\['([^']+)'\]", source))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_parameter_todays_sdk_sends_is_known_or_said_to_be_unmodelled(action: str) -> None:
    spec = ACTIONS[action]
    unmodelled = unmodelled_params(action)
    fields = sdk_fields(action)
    heads = {name.partition(".")[0] for name in spec.known_now}
    assert unmodelled <= fields, "unmodelled.toml names a field the SDK does not send"
    assert not unmodelled & spec.known_now, "unmodelled.toml names a parameter the action declares"
    for field in fields - unmodelled:
        assert field in spec.known_now or field in heads, f"{action}: the SDK sends {field}, which nothing declares"


# ---------------------------------------------------------------- the new SDK


def new_sdk_requests(lab: Lab, disk: str, todays: bool) -> None:
    """CreateSnapshot and DescribeSnapshots as the new SDK sends them (its V3 signature and v2), with every seed
    parameter, and with today's when `todays`."""
    endpoint = serve(lab, access_keys={"AK": "secret"})
    try:
        for algorithm in (None, "v2"):
            config = Config(access_key_id="AK", access_key_secret="secret", endpoint=endpoint.endpoint)
            config.protocol = "http"
            if algorithm:
                config.signature_algorithm = algorithm
            client = Client(config)
            tag = sdk_models.CreateSnapshotRequestTag(key="env", value="prod")
            extra = {"category": "Standard", "resource_group_id": "rg-1"} if todays else {}
            request = sdk_models.CreateSnapshotRequest(
                disk_id=disk,
                snapshot_name="nightly",
                description="the nightly one",
                retention_days=7,
                tag=[tag],
                client_token=f"token-{algorithm}",
                **extra,
            )
            try:
                client.create_snapshot(request)
            except ClientException as refused:  # today's API: the lab's account has no resource group rg-1
                assert (lab.api, refused.code) == ("2026", "InvalidResourceGroup.NotFound")
            paging = {"max_results": 5} if todays else {"page_number": 1, "page_size": 5}
            client.describe_snapshots(
                sdk_models.DescribeSnapshotsRequest(
                    region_id=lab.region,
                    disk_id=disk,
                    status="all",
                    snapshot_type="user",
                    usage="none",
                    source_disk_type="System",
                    encrypted=False,
                    snapshot_name="nightly",
                    **paging,
                )
            )
            with endpoint.lock:
                lab.advance(hours=1)
    finally:
        endpoint.stop()


@pytest.mark.parametrize("api", ["seed", "2026"])
def test_what_the_new_sdk_sends_draws_no_warning(api: str) -> None:
    lab = Lab(seed=3, api=api)
    new_sdk_requests(lab, lab.ready_disk(), todays=False)
    sent = [r for r in lab.requests if r.action in ("CreateSnapshot", "DescribeSnapshots")]
    assert [r.action for r in sent] == ["CreateSnapshot", "DescribeSnapshots"] * 2
    for record in sent:
        assert advise(record.action, record.params, api=api) == [], record.params


def test_todays_parameters_from_the_new_sdk_are_named_by_the_seed_only() -> None:
    for api, expected in (("seed", {"Category", "ResourceGroupId", "MaxResults"}), ("2026", set())):
        lab = Lab(seed=3, api=api)
        new_sdk_requests(lab, lab.ready_disk(), todays=True)
        named = {
            warning.split()[0]
            for record in lab.requests
            for warning in advise(record.action, record.params, api=api)
            if "is not a parameter" in warning
        }
        assert named == expected


def test_a_refused_request_shows_its_warning_everywhere_and_its_body_is_unchanged() -> None:
    plain, odd = Lab(seed=4), Lab(seed=4)
    bad = {"DiskId": plain.ready_disk(), "SnapshotName": "http://x"}
    odd.ready_disk()
    without = plain.call("CreateSnapshot", bad)
    refused = odd.call("CreateSnapshot", {**bad, "Retention": "3"})
    assert refused.code == without.code == "InvalidSnapshotName.Malformed"
    assert (refused.to_json(), refused.to_xml()) == (without.to_json(), without.to_xml())
    assert "did you mean RetentionDays?" in refused.explain()
    assert "did you mean RetentionDays?" in refused._repr_html_()
    view = ResponseView()
    view.show(refused)
    assert "did you mean RetentionDays?" in view.warnings_html.value
