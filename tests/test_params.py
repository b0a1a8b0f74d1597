"""CreateSnapshot's parameter rules (DESIGN.md steps 1-6) at their boundaries, through validate() and Lab.call.

Every rejection must carry the seed's error code, HTTP status and message word for word, and change nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import TIMED_HEALTH_CHECKS, examples
from seed_tables import seed_errors, seed_parameters

from ecs_snap_lab import Lab, validate
from ecs_snap_lab.exercises.requests import ignored_note, unknown_names

# The rows of the seed's error table the parameter rules answer with (tests/data/seed_errors.toml, copied from
# seed/CreateSnapshot.md, "Error codes"): code -> (HTTP status, message), word for word.
PARAM_ROWS = (
    "InvalidSnapshotName.Malformed",
    "InvalidDescription.Malformed",
    "Duplicate.TagKey",
    "InvalidTagKey.Malformed",
    "InvalidTagValue.Malformed",
)
SEED_ERRORS: dict[str, tuple[int, str]] = {
    row.code: (row.http_status, row.message) for row in seed_errors() if row.code in PARAM_ROWS
}
# Not in the seed's table: Alibaba's common codes, with the parameter's name in the message.
COMMON_ERRORS: dict[str, tuple[int, str]] = {
    "InvalidParameter": (400, 'The specified parameter "{param}" is not valid.'),
    "MissingParameter": (
        400,
        'The input parameter "{param}" that is mandatory for processing this request is not supplied.',
    ),
}

NAME = "InvalidSnapshotName.Malformed"
DESCRIPTION = "InvalidDescription.Malformed"
TAG_KEY = "InvalidTagKey.Malformed"
TAG_VALUE = "InvalidTagValue.Malformed"
INVALID = "InvalidParameter"


def expected(code: str, param: str) -> tuple[int, str]:
    if code in SEED_ERRORS:
        return SEED_ERRORS[code]
    status, message = COMMON_ERRORS[code]
    return status, message.replace("{param}", param)


def world_counts(lab: Lab) -> tuple[int, int, int, int]:
    """What a rejected request must not change: snapshots, events, remembered ClientTokens, the clock."""
    return len(lab.world.snapshots), len(lab.events), len(lab.world.tokens), lab.world.now


def tag(n: object, key: str | None = None, value: str | None = None) -> dict[str, str]:
    params = {}
    if key is not None:
        params[f"Tag.{n}.Key"] = key
    if value is not None:
        params[f"Tag.{n}.Value"] = value
    return params


# (params, code or None when accepted, the parameter the violation names)
CASES = [
    # SnapshotName: 2-128 characters, starts with a letter, letters/digits/:/_/- only, not http(s)://, not auto.
    pytest.param({"SnapshotName": "a"}, NAME, "SnapshotName", id="name-1-char"),
    pytest.param({"SnapshotName": "ab"}, None, "", id="name-2-chars"),
    pytest.param({"SnapshotName": "a" * 128}, None, "", id="name-128-chars"),
    pytest.param({"SnapshotName": "a" * 129}, NAME, "SnapshotName", id="name-129-chars"),
    pytest.param({"SnapshotName": "1backup"}, NAME, "SnapshotName", id="name-starts-with-digit"),
    pytest.param({"SnapshotName": "_backup"}, NAME, "SnapshotName", id="name-starts-with-underscore"),
    pytest.param({"SnapshotName": "back.up"}, NAME, "SnapshotName", id="name-with-dot"),
    pytest.param({"SnapshotName": "back up"}, NAME, "SnapshotName", id="name-with-space"),
    pytest.param({"SnapshotName": "back/up"}, NAME, "SnapshotName", id="name-with-slash"),
    pytest.param({"SnapshotName": "http://backup"}, NAME, "SnapshotName", id="name-http"),
    pytest.param({"SnapshotName": "https://backup"}, NAME, "SnapshotName", id="name-https"),
    pytest.param({"SnapshotName": "auto"}, NAME, "SnapshotName", id="name-auto"),
    pytest.param({"SnapshotName": "autoBackup"}, NAME, "SnapshotName", id="name-starts-with-auto"),
    # The seed reserves lower-case "auto" (what automatic snapshots are named); the lab reads it case-sensitively.
    pytest.param({"SnapshotName": "AutoBackup"}, None, "", id="name-starts-with-Auto"),
    pytest.param({"SnapshotName": "my-auto"}, None, "", id="name-auto-not-at-start"),
    pytest.param({"SnapshotName": "a:b_c-d9"}, None, "", id="name-colon-underscore-hyphen-digit"),
    pytest.param({"SnapshotName": "快照备份"}, None, "", id="name-chinese-letters"),
    pytest.param({"SnapshotName": "数据盘-2026"}, None, "", id="name-chinese-then-digits"),
    pytest.param({"SnapshotName": ""}, None, "", id="name-empty-is-not-given"),
    # Description: 2-256 characters, not starting with http:// or https:// (HTTP 404, as the seed's table says).
    pytest.param({"Description": "a"}, DESCRIPTION, "Description", id="description-1-char"),
    pytest.param({"Description": "ab"}, None, "", id="description-2-chars"),
    pytest.param({"Description": "d" * 256}, None, "", id="description-256-chars"),
    pytest.param({"Description": "d" * 257}, DESCRIPTION, "Description", id="description-257-chars"),
    pytest.param({"Description": "http://example.com"}, DESCRIPTION, "Description", id="description-http"),
    pytest.param({"Description": "https://example.com"}, DESCRIPTION, "Description", id="description-https"),
    pytest.param({"Description": "see http://example.com"}, None, "", id="description-url-not-at-start"),
    pytest.param({"Description": "1 free text. with / and 空格"}, None, "", id="description-any-characters"),
    pytest.param({"Description": ""}, None, "", id="description-empty-is-not-given"),
    # RetentionDays: an integer from 1 to 65536.
    pytest.param({"RetentionDays": "0"}, INVALID, "RetentionDays", id="retention-0"),
    pytest.param({"RetentionDays": "1"}, None, "", id="retention-1"),
    pytest.param({"RetentionDays": "65536"}, None, "", id="retention-65536"),
    pytest.param({"RetentionDays": "65537"}, INVALID, "RetentionDays", id="retention-65537"),
    pytest.param({"RetentionDays": "-1"}, INVALID, "RetentionDays", id="retention-minus-1"),
    pytest.param({"RetentionDays": "abc"}, INVALID, "RetentionDays", id="retention-abc"),
    pytest.param({"RetentionDays": "1.5"}, INVALID, "RetentionDays", id="retention-1.5"),
    pytest.param({"RetentionDays": 30}, None, "", id="retention-int-30"),
    pytest.param({"RetentionDays": 65537}, INVALID, "RetentionDays", id="retention-int-65537"),
    pytest.param({"RetentionDays": ""}, None, "", id="retention-empty-is-not-given"),
    # Tags: key non-empty, <= 64, no aliyun/acs: prefix, no http(s)://; value <= 128, may be empty, same rules.
    pytest.param(tag(1, "k" * 64, "v"), None, "", id="tag-key-64-chars"),
    pytest.param(tag(1, "k" * 65, "v"), TAG_KEY, "Tag.1.Key", id="tag-key-65-chars"),
    pytest.param(tag(1, "", "v"), TAG_KEY, "Tag.1.Key", id="tag-key-empty"),
    pytest.param(tag(1, None, "v"), TAG_KEY, "Tag.1.Key", id="tag-value-without-key"),
    pytest.param(tag(1, "env", "v" * 128), None, "", id="tag-value-128-chars"),
    pytest.param(tag(1, "env", "v" * 129), TAG_VALUE, "Tag.1.Value", id="tag-value-129-chars"),
    pytest.param(tag(1, "env", ""), None, "", id="tag-value-empty"),
    pytest.param(tag(1, "env"), None, "", id="tag-value-absent"),
    pytest.param(tag(1, "aliyun-env", "v"), TAG_KEY, "Tag.1.Key", id="tag-key-aliyun-prefix"),
    pytest.param(tag(1, "acs:env", "v"), TAG_KEY, "Tag.1.Key", id="tag-key-acs-prefix"),
    pytest.param(tag(1, "acs-env", "v"), None, "", id="tag-key-acs-without-colon"),
    pytest.param(tag(1, "env", "aliyun-prod"), TAG_VALUE, "Tag.1.Value", id="tag-value-aliyun-prefix"),
    pytest.param(tag(1, "env", "acs:prod"), TAG_VALUE, "Tag.1.Value", id="tag-value-acs-prefix"),
    pytest.param(tag(1, "my-aliyun", "my-acs:prod"), None, "", id="tag-reserved-words-not-at-start"),
    pytest.param(tag(1, "see-http://x", "v"), TAG_KEY, "Tag.1.Key", id="tag-key-contains-http"),
    pytest.param(tag(1, "see-https://x", "v"), TAG_KEY, "Tag.1.Key", id="tag-key-contains-https"),
    pytest.param(tag(1, "env", "see http://x"), TAG_VALUE, "Tag.1.Value", id="tag-value-contains-http"),
    pytest.param(tag(1, "env", "see https://x"), TAG_VALUE, "Tag.1.Value", id="tag-value-contains-https"),
    pytest.param(tag(0, "env", "v"), TAG_KEY, "Tag.0.Key", id="tag-n-0"),
    pytest.param(tag(1, "env", "v"), None, "", id="tag-n-1"),
    pytest.param(tag(20, "env", "v"), None, "", id="tag-n-20"),
    pytest.param(tag(21, "env", "v"), TAG_KEY, "Tag.21.Key", id="tag-n-21"),
    pytest.param(tag("x", "env", "v"), TAG_KEY, "Tag.x.Key", id="tag-n-x"),
    pytest.param({**tag(1, "env", "a"), **tag(2, "env", "b")}, "Duplicate.TagKey", "Tag.2.Key", id="tag-duplicate"),
    # ClientToken: ASCII only, at most 64 characters.
    pytest.param({"ClientToken": "t" * 64}, None, "", id="token-64-chars"),
    pytest.param({"ClientToken": "t" * 65}, INVALID, "ClientToken", id="token-65-chars"),
    pytest.param({"ClientToken": "令牌-123"}, INVALID, "ClientToken", id="token-non-ascii"),
    pytest.param({"ClientToken": "123e4567-e89b-12d3-a456-426655440000"}, None, "", id="token-seed-example"),
    pytest.param({"ClientToken": ""}, None, "", id="token-empty-is-not-given"),
]


@pytest.mark.parametrize(("params", "code", "param"), CASES)
def test_validate_applies_the_seed_rule(params: dict, code: str | None, param: str) -> None:
    violations = validate("CreateSnapshot", {"DiskId": "d-anydisk", **params})
    if code is None:
        assert violations == []
        return
    assert violations, f"{params} was accepted; expected {code}"
    _, message = expected(code, param)
    assert {v.code for v in violations} == {code}
    assert {v.param for v in violations} == {param}
    assert {v.message for v in violations} == {message}


@pytest.mark.parametrize(("params", "code", "param"), CASES)
def test_call_applies_the_seed_rule(lab: Lab, disk: str, params: dict, code: str | None, param: str) -> None:
    before = world_counts(lab)
    response = lab.call("CreateSnapshot", {"DiskId": disk, **params})
    if code is None:
        assert response.ok, response.explain()
        assert response.code is None
        assert len(lab.world.snapshots) == before[0] + 1
        return
    status, message = expected(code, param)
    assert (response.code, response.status, response.message) == (code, status, message)
    assert response.data["Code"] == code and response.data["Message"] == message
    assert world_counts(lab) == before, "a rejected request changed the world"


def test_missing_disk_id_is_missing_parameter(lab: Lab) -> None:
    for params in ({}, {"DiskId": ""}, {"SnapshotName": "ok-name"}):
        violations = validate("CreateSnapshot", params)
        assert [(v.code, v.param) for v in violations] == [("MissingParameter", "DiskId")]
        response = lab.call("CreateSnapshot", params)
        assert (response.code, response.status) == ("MissingParameter", 400)
        assert response.message == expected("MissingParameter", "DiskId")[1]


# ---------------------------------------------------------------- what the accepted values become


def item_of(lab: Lab, response) -> dict:
    assert response.ok, response.explain()
    snapshot_id = response.data["SnapshotId"]
    (item,) = [i for i in lab.describe_snapshots() if i["SnapshotId"] == snapshot_id]
    return item


@pytest.mark.parametrize("name", ["ab", "N" * 128, "快照备份", "a:b_c-d9", "AutoBackup"])
def test_accepted_name_is_stored_as_given(lab: Lab, disk: str, name: str) -> None:
    assert item_of(lab, lab.create_snapshot(disk, name=name))["SnapshotName"] == name


@pytest.mark.parametrize("description", ["ab", "d" * 256, "see http://example.com"])
def test_accepted_description_is_stored_as_given(lab: Lab, disk: str, description: str) -> None:
    assert item_of(lab, lab.create_snapshot(disk, description=description))["Description"] == description


@pytest.mark.parametrize("days", [1, 65536])
def test_accepted_retention_days_is_stored(lab: Lab, disk: str, days: int) -> None:
    assert item_of(lab, lab.create_snapshot(disk, retention_days=days))["RetentionDays"] == days


def test_empty_optional_params_count_as_not_given(lab: Lab, disk: str) -> None:
    """Model choice: SnapshotName="", Description="", RetentionDays="", ClientToken="" are as if absent."""
    params = {"DiskId": disk, "SnapshotName": "", "Description": "", "RetentionDays": "", "ClientToken": ""}
    first = lab.call("CreateSnapshot", params)
    item = item_of(lab, first)
    assert item["SnapshotName"] == "" and item["Description"] == ""
    assert "RetentionDays" not in item
    assert lab.world.tokens == {}
    lab.advance(hours=1)
    second = lab.call("CreateSnapshot", params)
    assert second.ok, second.explain()
    assert second.data["SnapshotId"] != first.data["SnapshotId"], "an empty ClientToken acted as a token"


def test_twenty_tags_are_accepted_and_stored_in_order(lab: Lab, disk: str) -> None:
    pairs = [(f"key{n}", f"value{n}") for n in range(1, 21)]
    params = {"DiskId": disk}
    for n, (key, value) in enumerate(pairs, start=1):
        params |= tag(n, key, value)
    assert validate("CreateSnapshot", params) == []
    item = item_of(lab, lab.call("CreateSnapshot", params))
    assert [(t["TagKey"], t["TagValue"]) for t in item["Tags"]["Tag"]] == pairs


def test_twenty_one_tags_are_refused(lab: Lab, disk: str) -> None:
    before = world_counts(lab)
    response = lab.create_snapshot(disk, tags=[(f"key{n}", "v") for n in range(1, 22)])
    assert (response.code, response.status, response.message) == (TAG_KEY, *SEED_ERRORS[TAG_KEY])
    assert world_counts(lab) == before


def test_tags_are_stored_in_order_of_n_not_of_parameters(lab: Lab, disk: str) -> None:
    params = {"DiskId": disk, **tag(10, "ten", "10"), **tag(2, "two", "2"), **tag(1, "one", "")}
    item = item_of(lab, lab.call("CreateSnapshot", params))
    assert [(t["TagKey"], t["TagValue"]) for t in item["Tags"]["Tag"]] == [("one", ""), ("two", "2"), ("ten", "10")]


def test_empty_tag_value_is_stored_as_empty(lab: Lab, disk: str) -> None:
    item = item_of(lab, lab.create_snapshot(disk, tags={"env": ""}))
    assert item["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": ""}]


# ---------------------------------------------------------------- the seed's parameter table

SEED_EXAMPLES = {p.name: p.example for p in seed_parameters()}


def deprecated_spelling(name: str) -> bool:
    """Tag.N.key / Tag.N.value: the seed's table lists them, "will be removed in the future"."""
    return name.startswith("Tag.N.") and name.rsplit(".", 1)[1].islower()


def seed_example_request(disk: str, *, deprecated: bool = False) -> dict[str, str]:
    """Every parameter of the seed's table (tests/data/seed_parameters.toml) with its Example value, N = 1 and DiskId
    the lab's disk; the tag in its current spelling, or in the deprecated one."""
    request = {}
    for p in seed_parameters():
        if p.name.startswith("Tag.N.") and deprecated_spelling(p.name) != deprecated:
            continue
        request[p.name.replace(".N.", ".1.")] = disk if p.name == "DiskId" else p.example
    return request


def test_a_request_of_the_seeds_examples_is_accepted_and_stored_as_given(lab: Lab, disk: str) -> None:
    request = seed_example_request(disk)
    response = lab.call("CreateSnapshot", request)
    item = item_of(lab, response)
    assert response.warnings == []
    assert (item["SnapshotName"], item["Description"]) == (SEED_EXAMPLES["SnapshotName"], SEED_EXAMPLES["Description"])
    assert item["RetentionDays"] == int(SEED_EXAMPLES["RetentionDays"])
    assert item["Tags"]["Tag"] == [{"TagKey": SEED_EXAMPLES["Tag.N.Key"], "TagValue": SEED_EXAMPLES["Tag.N.Value"]}]
    replay = lab.call("CreateSnapshot", request)  # the seed's ClientToken: the same request answers the same
    assert replay.data["SnapshotId"] == response.data["SnapshotId"]


def test_the_seeds_example_tag_in_the_deprecated_spelling_is_stored_the_same_with_warnings(lab: Lab, disk: str) -> None:
    response = lab.call("CreateSnapshot", seed_example_request(disk, deprecated=True))
    item = item_of(lab, response)
    assert item["Tags"]["Tag"] == [{"TagKey": SEED_EXAMPLES["Tag.N.key"], "TagValue": SEED_EXAMPLES["Tag.N.value"]}]
    deprecated = [p.name.replace(".N.", ".1.") for p in seed_parameters() if deprecated_spelling(p.name)]
    assert len(deprecated) == 2
    for name in deprecated:
        assert any(name in w and "deprecated" in w for w in response.warnings), (name, response.warnings)


def test_each_required_parameter_of_the_seed_is_required_and_the_others_are_not(lab: Lab, disk: str) -> None:
    required = [p.name for p in seed_parameters() if p.required]
    assert required
    full = seed_example_request(disk)
    for name in required:
        response = lab.call("CreateSnapshot", {k: v for k, v in full.items() if k != name})
        assert (response.code, response.message) == ("MissingParameter", expected("MissingParameter", name)[1])
    only_required = lab.call("CreateSnapshot", {name: full[name] for name in required})
    assert only_required.ok, only_required.explain()


def test_each_integer_parameter_of_the_seed_refuses_a_value_that_is_not_an_integer(lab: Lab, disk: str) -> None:
    integers = [p.name for p in seed_parameters() if p.type == "Integer"]
    assert integers
    for name in integers:
        response = lab.call("CreateSnapshot", {**seed_example_request(disk), name: "thirty"})
        assert (response.code, response.message) == (INVALID, expected(INVALID, name)[1])
    assert lab.describe_snapshots() == []


def test_the_request_exercise_knows_exactly_the_seeds_parameters() -> None:
    """The exercise warns about names the API ignores: no name of the seed's table is one, and its note lists the
    seed's current names."""
    names = [p.name for p in seed_parameters()]
    assert unknown_names({name.replace(".N.", ".1."): "x" for name in names}) == []
    (note,) = ignored_note({"Snapshotname": "x"})
    assert "'Snapshotname'" in note
    for name in names:
        assert (name in note) != deprecated_spelling(name), name


# ---------------------------------------------------------------- deprecated lower-case Tag.N.key / Tag.N.value


def test_lowercase_tag_spelling_is_accepted_with_a_deprecation_warning(lab: Lab, disk: str) -> None:
    params = {"DiskId": disk, "Tag.1.key": "env", "Tag.1.value": "prod"}
    assert validate("CreateSnapshot", params) == []
    response = lab.call("CreateSnapshot", params)
    assert item_of(lab, response)["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "prod"}]
    assert len(response.warnings) == 2
    assert any("Tag.1.key" in w and "deprecated" in w for w in response.warnings)
    assert any("Tag.1.value" in w and "deprecated" in w for w in response.warnings)


def test_capitalised_tag_spelling_gives_no_warning(lab: Lab, disk: str) -> None:
    response = lab.call("CreateSnapshot", {"DiskId": disk, "Tag.1.Key": "env", "Tag.1.Value": "prod"})
    assert response.ok and response.warnings == []


def test_capitalised_spelling_wins_when_both_are_given(lab: Lab, disk: str) -> None:
    params = {
        "DiskId": disk,
        "Tag.1.key": "old-env",
        "Tag.1.Key": "env",
        "Tag.1.value": "stale",
        "Tag.1.Value": "prod",
        "Tag.2.key": "team",  # only the lower-case key: it is used, with the capitalised value
        "Tag.2.Value": "storage",
    }
    response = lab.call("CreateSnapshot", params)
    tags = [(t["TagKey"], t["TagValue"]) for t in item_of(lab, response)["Tags"]["Tag"]]
    assert tags == [("env", "prod"), ("team", "storage")]
    assert any("Tag.1.key" in w and "Tag.1.Key" in w for w in response.warnings)
    assert any("Tag.1.value" in w and "Tag.1.Value" in w for w in response.warnings)
    assert any("Tag.2.key" in w and "deprecated" in w for w in response.warnings)


def test_lowercase_tag_follows_the_same_rules(lab: Lab, disk: str) -> None:
    params = {"DiskId": disk, "Tag.1.key": "env", "Tag.1.value": "v" * 129}
    (violation,) = validate("CreateSnapshot", params)
    assert (violation.code, violation.param) == (TAG_VALUE, "Tag.1.value")
    before = world_counts(lab)
    response = lab.call("CreateSnapshot", params)
    assert (response.code, response.status, response.message) == (TAG_VALUE, *SEED_ERRORS[TAG_VALUE])
    assert any("deprecated" in w for w in response.warnings)
    assert world_counts(lab) == before


def test_duplicate_key_across_spellings_is_duplicate(lab: Lab, disk: str) -> None:
    params = {"DiskId": disk, "Tag.1.Key": "env", "Tag.2.key": "env"}
    assert [v.code for v in validate("CreateSnapshot", params)] == ["Duplicate.TagKey"]
    response = lab.call("CreateSnapshot", params)
    assert (response.code, response.status) == ("Duplicate.TagKey", 400)


# ---------------------------------------------------------------- a rejected request changes nothing


def test_rejected_request_does_not_use_up_its_client_token(lab: Lab, disk: str) -> None:
    refused = lab.create_snapshot(disk, name="1-bad", client_token="token-1")
    assert refused.code == NAME
    accepted = lab.create_snapshot(disk, name="good", client_token="token-1")
    assert accepted.ok, accepted.explain()


def test_rejected_request_leaves_the_disk_free(lab: Lab, disk: str) -> None:
    for params in ({"SnapshotName": "a"}, {"Description": "https://x"}, {"RetentionDays": "0"}, tag(1, "")):
        assert not lab.call("CreateSnapshot", {"DiskId": disk, **params}).ok
    assert lab.describe_snapshots(DiskId=disk) == []
    assert lab.create_snapshot(disk).ok


def test_validate_changes_nothing(lab: Lab, disk: str) -> None:
    before = world_counts(lab)
    validate("CreateSnapshot", {"DiskId": disk, "SnapshotName": "ok-name"})
    validate("CreateSnapshot", {"DiskId": disk, "SnapshotName": "1"})
    assert world_counts(lab) == before


# ---------------------------------------------------------------- validate and Lab.call agree

PARAM_NAMES = [
    "SnapshotName",
    "Description",
    "RetentionDays",
    "ClientToken",
    "Tag.1.Key",
    "Tag.1.Value",
    "Tag.2.Key",
    "Tag.2.Value",
    "Tag.1.key",
    "Tag.2.value",
    "Tag.21.Key",
]
EDGE_VALUES = ["", "a", "ab", "auto1", "1a", "http://x", "acs:x", "aliyun", "65536", "65537", "0", "-1", "x" * 129]
PARAM_CODES = {NAME, DESCRIPTION, TAG_KEY, TAG_VALUE, "Duplicate.TagKey", INVALID, "MissingParameter"}


@given(
    params=st.dictionaries(
        st.sampled_from(PARAM_NAMES), st.one_of(st.sampled_from(EDGE_VALUES), st.text(max_size=70)), max_size=6
    )
)
@settings(max_examples=examples(150), suppress_health_check=[*TIMED_HEALTH_CHECKS, HealthCheck.function_scoped_fixture])
def test_call_answers_with_the_first_violation_that_validate_reports(lab: Lab, disk: str, params: dict) -> None:
    request = {"DiskId": disk, **params}
    violations = validate("CreateSnapshot", request)
    before = world_counts(lab)
    response = lab.call("CreateSnapshot", request)
    if violations:
        first = violations[0]
        assert (response.code, response.message) == (first.code, first.message)
        assert response.trace[-1].check == first.check
        assert world_counts(lab) == before
    else:
        assert response.code not in PARAM_CODES, response.explain()


# ---------------------------------------------------------------- known gaps


@pytest.mark.parametrize("name", ["half\u00bd", "roman\u2167"], ids=["vulgar-fraction", "roman-numeral"])
def test_name_with_a_character_that_is_neither_letter_nor_digit_is_malformed(name: str) -> None:
    """Seed: "It can contain letters, digits, colons (:), underscores (_), and hyphens (-)." '½' and 'Ⅷ' are
    number forms: neither a letter nor a digit."""
    violations = validate("CreateSnapshot", {"DiskId": "d-anydisk", "SnapshotName": name})
    assert [v.code for v in violations] == [NAME]
