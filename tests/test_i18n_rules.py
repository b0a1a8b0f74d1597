"""The rule tables and how they are shown, in Chinese: every check's rule (in both profiles), every catalogue
entry's meaning and trigger, every difference between the profiles, every reproduction's steps, explanation and HTML,
every trace, every reason a parameter check gives and every unknown-parameter warning hold no English of the lab's
own (tests/chinese.py). What stays English is the API's (codes, messages), the seed's (sentences, descriptions:
shown as they are, marked lang="en", with the Chinese beside them) and what the learner typed (parameter names and
values); and the English texts are unchanged."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

import pytest
from chinese import english_in

from ecs_snap_lab import Lab, error_catalog, reproduce, set_display_timezone, set_language
from ecs_snap_lab import display as shown_as
from ecs_snap_lab.recipes import reproducible_codes
from ecs_snap_lab.rules.catalog import checks, entries
from ecs_snap_lab.rules.known_params import unknown_warnings
from ecs_snap_lab.rules.profile import Api, api_differences
from ecs_snap_lab.validation import advise, validate

pytestmark = pytest.mark.usefixtures("in_chinese")  # conftest.py: Chinese, then English again


def english_of_the_lab(text: str, learner_words: Iterable[object] = ()) -> set[str]:
    """The English words of `text` less those of what the learner sent (parameter names and values): a detail may
    quote them, and they are not the lab's words."""
    typed = {word for item in learner_words for word in re.findall(r"[A-Za-z]{2,}", str(item))}
    return english_in(text) - typed


def sent(params: dict) -> list[object]:
    return [str(params), html.escape(str(params)), *params, *params.values()]


# ---------------------------------------------------------------- the tables


def test_every_rule_of_every_check_reads_in_chinese_under_both_profiles() -> None:
    from ecs_snap_lab.i18n import _

    for check in checks().values():
        for api in Api:
            rule, basis, source = check.under(api)
            assert not english_in(_(rule)), (check.id, api, _(rule))
            assert _(rule) != rule, check.id  # translated, not merely free of English
            assert not english_in(shown_as.basis_words(basis)), basis
            assert source  # the sentence behind it, shown as it is (English)


def test_every_catalogue_entry_reads_in_chinese_with_the_seeds_words_beside_it() -> None:
    from ecs_snap_lab.i18n import _

    for entry in entries():  # both profiles' entries: today's versions of codes too
        for text in (_(entry.description), _(entry.trigger)):
            assert not english_in(text), (entry.code, text)
        page = entry._repr_html_()
        assert not english_in(page), (entry.code, english_in(page))
        assert f'<span lang="en">{html.escape(entry.description)}</span>' in page  # the seed's row as it is
        assert html.escape(_(entry.description)) in page and _(entry.description) != entry.description
        assert f'<span lang="en">{html.escape(entry.message)}</span>' in page  # the API's message, as sent
        assert entry.code in page
        assert not english_in(repr(entry).strip("<>").removeprefix("ErrorEntry")), repr(entry)


def test_every_difference_between_the_profiles_and_every_profile_reads_in_chinese() -> None:
    rows = api_differences()
    assert rows and all(not english_in(str(row["topic"])) for row in rows), [r["topic"] for r in rows]
    assert set(rows[0]) == {"topic", "seed", "2026", "the seed says", "today's documentation says", "page"}
    for api in Api:
        badge = shown_as.profile_badge(api.value)
        assert not english_in(badge) and f'data-api="{api.value}"' in badge  # the value stays as code reads it


def test_every_status_word_result_basis_and_variant_reads_in_chinese() -> None:
    from ecs_snap_lab.i18n import _

    for status in (200, 302, 404, 500):
        words = shown_as.status_words(status)
        assert f"HTTP {status}" in words and not english_in(words), words
    for table in (shown_as.RESULTS, shown_as.BASES, shown_as.VARIANTS, shown_as.WORDS):
        for key, value in table.items():
            label = value[1] if isinstance(value, tuple) else value
            assert not english_in(_(label)) and _(label) != label, key
    assert set(shown_as.RESULTS) == {"pass", "FAIL"}  # the data stays as the logic reads it


# ---------------------------------------------------------------- reproductions, traces, explanations


def reproductions(api: str) -> Iterator:
    for entry in error_catalog():
        action = entry.actions[0] if entry.row is None and entry.actions else None
        try:
            yield reproduce(entry.code, entry.row, action, api=api)
        except KeyError:
            assert entry.code not in reproducible_codes(), entry.code


@pytest.mark.parametrize("api", ["seed", "2026"])
def test_every_reproduction_explains_itself_in_chinese_and_keeps_the_apis_words(api: str) -> None:
    seen = 0
    for made in reproductions(api):
        seen += 1
        answer = made.response
        learner = sent(made.params)
        explained = made.explain()
        assert answer.explain().splitlines()[0].startswith(f"{made.action}: HTTP {answer.status}")
        if not answer.ok:
            assert answer.message and answer.message in explained  # the API's words, untranslated
        assert not english_of_the_lab(explained.replace(answer.message, "").replace(made.entry.message, ""), learner), (
            made.code
        )
        page = made._repr_html_()
        assert not english_of_the_lab(page, learner), (made.code, english_of_the_lab(page, learner))
        assert not english_in(repr(made).strip("<>").removeprefix("Reproduction")), repr(made)
        for step in made.steps:
            assert not english_in(step), step
        assert_trace_in_chinese(answer, learner)
    assert seen >= len(reproducible_codes())


def assert_trace_in_chinese(answer, learner: list[object]) -> None:
    rows = shown_as.trace_rows(answer.trace)
    assert {row[2] for row in rows} <= {"pass", "FAIL"}  # the data the logic reads
    table = shown_as.trace_table(rows)
    summary = shown_as.trace_summary(rows)
    for text in (table, summary, *map(str, answer.trace)):
        assert not english_of_the_lab(text, learner), (answer.code, text, english_of_the_lab(text, learner))
    for step in answer.trace:
        assert f'<span lang="en">{html.escape(step.source)}</span>' in table  # the seed's sentence, as it is
    assert ("失败" in summary) == (not answer.ok)


def test_a_trace_shows_rules_in_chinese_but_the_step_data_stays_what_the_logic_reads() -> None:
    lab = Lab(seed=5)
    answer = lab.call("CreateSnapshot", {"DiskId": "d-nothere"})
    rows = shown_as.trace_rows(answer.trace)
    assert rows[-1][2] == "FAIL" and rows[-1][3] == "InvalidDiskId.NotFound"
    table = shown_as.trace_table(rows)
    assert "<th" in table and "规则" in table and "失败" in table and "esl-step-fail" in table
    assert answer.message == "The specified DiskId does not exist."  # the API's words
    assert shown_as.trace_table([]) == "<div class='esl-trace'><i>此调用没有检查记录。</i></div>"


# ---------------------------------------------------------------- reasons and warnings


BAD_PARAMS = [
    {"DiskId": ""},
    {"DiskId": "d-1", "SnapshotName": "1st"},
    {"DiskId": "d-1", "SnapshotName": "auto-x"},
    {"DiskId": "d-1", "SnapshotName": "http://x"},
    {"DiskId": "d-1", "SnapshotName": "a*b"},
    {"DiskId": "d-1", "SnapshotName": "a" * 200},
    {"DiskId": "d-1", "Description": "http://x"},
    {"DiskId": "d-1", "Description": "x"},
    {"DiskId": "d-1", "RetentionDays": "0"},
    {"DiskId": "d-1", "RetentionDays": "1.5"},
    {"DiskId": "d-1", "ClientToken": "é"},
    {"DiskId": "d-1", "ClientToken": "t" * 65},
    {"DiskId": "d-1", "Tag.1.Key": "aliyun:x"},
    {"DiskId": "d-1", "Tag.1.Key": "k" * 200},
    {"DiskId": "d-1", "Tag.1.Key": "a", "Tag.1.Value": "http://x"},
    {"DiskId": "d-1", "Tag.1.Value": "v"},
    {"DiskId": "d-1", "Tag.1.Key": "a", "Tag.2.Key": "a"},
    {"DiskId": "d-1", "Tag.21.Key": "a"},
    {"DiskId": "d-1", "Category": "premium"},
    {"DiskId": "d-1", "Category": "Standard", "InstantAccess": "true"},
    {"DiskId": "d-1", "ResourceGroupId": "rg-nope"},
    {"DiskId": "d-1", "StorageLocationArn": "arn"},
]


class StrFails(str):
    def __str__(self) -> str:
        raise RuntimeError("no")


@pytest.mark.parametrize("api", ["seed", "2026"])
def test_every_reason_a_parameter_check_gives_reads_in_chinese(api: str) -> None:
    found = 0
    for params in BAD_PARAMS:
        for violation in validate("CreateSnapshot", params, api=api):
            found += 1
            assert not english_of_the_lab(violation.detail, sent(params)), (params, violation.detail)
            assert violation.message == error_message(violation.code, api, violation.param)  # the API's, as sent
    assert found >= len(BAD_PARAMS) - 4  # a few are the other profile's only
    for action, params in [("Nope", {}), ("DescribeSnapshots", {}), ("CreateDisk", {"RegionId": "cn-hangzhou"})]:
        for violation in validate(action, params, api=api):
            assert not english_of_the_lab(violation.detail, [action]), violation.detail


def error_message(code: str, api: str, param: str) -> str:
    from ecs_snap_lab.rules.catalog import lookup

    return lookup(code, "CreateSnapshot", api=api).render(param)


@pytest.mark.parametrize(
    ("value", "english"),
    [
        ([1], "Tag.1.Key is a list, which cannot be sent on the wire"),
        (StrFails("x"), "Tag.1.Key is a StrFails whose str() fails, which cannot be sent on the wire"),
        (10**5000, "Tag.1.Key is a number too long, which cannot be sent on the wire"),
    ],
    ids=["type", "str-fails", "too-long"],
)
def test_a_value_that_cannot_be_sent_says_why_in_one_whole_sentence_in_both_languages(value, english: str) -> None:
    lab = Lab(seed=2)
    (violation,) = validate("CreateSnapshot", {"DiskId": "d-1", "Tag.1.Key": value})
    assert violation.code == "InvalidParameter" and not english_in(violation.detail), violation.detail
    assert violation.detail.startswith("Tag.1.Key 的值是")
    answer = lab.call("CreateSnapshot", {"DiskId": "d-1", "Tag.1.Key": value})
    assert answer.message == 'The specified parameter "Tag.1.Key" is not valid.'  # the API's words
    set_language("en")
    assert validate("CreateSnapshot", {"DiskId": "d-1", "Tag.1.Key": value})[0].detail == english


KNOWN = frozenset({"DiskId", "RetentionDays"})
ELSEWHERE = frozenset({"InstantAccess", "OldName"})


@pytest.mark.parametrize("api", [Api.SEED, Api.NOW])
def test_every_kind_of_unknown_parameter_warning_reads_in_chinese(api: Api) -> None:
    """Each way the lab explains a parameter the API version does not have: the other profile's, one the lab does
    not model (DryRun's own wording too), a near miss of a known one or of the other profile's, or neither."""
    cases = [
        ("CreateSnapshot", "InstantAccess"),  # the other profile's
        ("CreateSnapshot", "RetentionDay"),  # a near miss
        ("CreateSnapshot", "Instantaccess"),  # a near miss of the other profile's
        ("CreateSnapshot", "Colour"),  # neither
        ("DescribeDisks", "DryRun"),  # not modelled, its own wording
        ("DescribeDisks", "Portable"),  # not modelled
        ("CreateDisk", "Tag.1.Key"),  # not modelled: a family
    ]
    said = set()
    for action, name in cases:
        (warning,) = unknown_warnings(action, {name: "x"}, KNOWN, ELSEWHERE, api)
        said.add(warning)
        assert name in warning and not english_of_the_lab(warning, [name]), warning
    assert len(said) == len(cases)  # each case its own sentence
    (seed_only,) = unknown_warnings("CreateSnapshot", {"OldName": "x"}, KNOWN, ELSEWHERE, api)
    assert not english_of_the_lab(seed_only, ["OldName"]), seed_only


def test_the_warnings_a_call_carries_and_advise_gives_read_in_chinese() -> None:
    lab = Lab(seed=4, api="2026")
    disk = lab.ready_disk()
    params = {"DiskId": disk, "Retention": "3", "Tag.1.key": "a", "Category": "Flash", "DisableInstantAccess": "true"}
    answer = lab.call("CreateSnapshot", params)
    assert len(answer.warnings) >= 4 and advise("CreateSnapshot", params, api="2026") == answer.warnings
    for warning in answer.warnings:
        assert not english_of_the_lab(warning, sent(params)), warning
    explained = answer.explain()
    assert not english_of_the_lab(explained, sent(params)), explained
    assert "由 2026 配置应答" in explained and explained.count("警告：") == len(answer.warnings)
    assert not english_of_the_lab(shown_as.response_html(answer), sent(params))


# ---------------------------------------------------------------- the lab itself


def test_the_lab_its_faults_and_its_refusals_read_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecs_snap_lab.actions.base import ACTIONS, ActionSpec

    lab = Lab(seed=6)
    lab.faults.inject("InternalError", action="DescribeSnapshots")
    injected = lab.call("DescribeSnapshots", {"RegionId": lab.region})
    assert (injected.code, injected.message) == (
        "InternalError",
        "The request processing has failed due to some unknown error.",
    )
    assert injected.trace[-1].detail == "注入的故障：在任何变更生效之前失败"

    def broken(call):
        raise RuntimeError("boom")

    monkeypatch.setitem(ACTIONS, "DescribeSnapshots", ActionSpec("DescribeSnapshots", broken, ""))
    failed = lab.call("DescribeSnapshots", {"RegionId": lab.region})
    assert failed.status == 500 and not english_in(failed.trace[-1].detail)
    page = lab._repr_html_()
    assert not english_in(page), english_in(page)
    assert "最近 2 个请求" in page and "1 个内部错误" in page
    assert not english_in(repr(lab).strip("<>").removeprefix("Lab")), repr(lab)
    for bad in ({"snapshot_quota": 0}, {"region": ""}, {"api": "2025"}):
        with pytest.raises(ValueError) as refused:
            Lab(**bad)  # type: ignore[arg-type]
        assert not english_in(str(refused.value)), refused.value


def test_reproduce_refuses_in_chinese_what_the_command_line_shows() -> None:
    for args in [("Nope",), ("Nope", 3), ("Nope", None, "CreateDisk"), ("Nope", 3, "CreateDisk")]:
        with pytest.raises(KeyError) as refused:
            reproduce(*args)  # type: ignore[arg-type]
        said = refused.value.args[0]
        assert said.startswith("错误码目录中没有") and not english_in(said.replace("'Nope'", "")), said
    with pytest.raises(KeyError) as refused:
        reproduce("InvalidDiskId.NotFound", action="DescribeSnapshots")
    assert not english_in(refused.value.args[0]), refused.value


def test_a_display_zone_shows_beijing_time_in_the_labs_html() -> None:
    set_display_timezone("Asia/Shanghai")
    lab = Lab(seed=1)
    lab.call("DescribeSnapshots", {"RegionId": lab.region})
    page = lab._repr_html_()
    assert "2026-01-01 00:00:00 UTC (08:00:00 Asia/Shanghai, UTC+08:00)" in page
    assert not english_in(page)


# ---------------------------------------------------------------- English unchanged


def test_the_english_texts_are_unchanged() -> None:
    set_language("en")
    lab = Lab(seed=7)
    assert repr(lab) == "<Lab cn-hangzhou at 2026-01-01 00:00:00Z, api seed: 0 instances, 0 disks, 0 snapshots>"
    made = reproduce("InvalidSnapshotName.Malformed")
    assert repr(made) == "<Reproduction InvalidSnapshotName.Malformed: CreateSnapshot after 1 setup step>"
    lab.faults.inject("InternalError", action="DescribeSnapshots")
    assert lab.call("DescribeSnapshots", {"RegionId": lab.region}).trace[-1].detail == (
        "an injected fault before any effect"
    )
    page = lab._repr_html_()
    assert "The last request<" in page
    for _ in range(5):
        lab.call("DescribeSnapshots", {"RegionId": lab.region})
    assert "The last 5 requests<" in lab._repr_html_()
    with pytest.raises(KeyError, match=re.escape("'Nope' (row 3) for CreateDisk is not in the error catalogue")):
        reproduce("Nope", 3, "CreateDisk")
    with pytest.raises(KeyError, match=re.escape("'Nope' (row 3) is not in the error catalogue")):
        reproduce("Nope", 3)
    with pytest.raises(ValueError, match=r"^snapshot_quota must be a positive integer$"):
        Lab(snapshot_quota=0)
    with pytest.raises(ValueError, match=r"^region must be a region id such as cn-hangzhou$"):
        Lab(region="")
    with pytest.raises(ValueError, match=r"^api must be one of 'seed', '2026', not '2025'$"):
        Lab(api="2025")
    assert made.explain().splitlines()[1] == "How it was made:"
    shown = {repr(entry) for entry in entries()}
    assert {
        "<ErrorEntry InvalidDiskId.NotFound: HTTP 404, seed row 1>",
        "<ErrorEntry InternalError: HTTP 500, seed row 12, before>",
        "<ErrorEntry MissingParameter: HTTP 400, common>",
    } <= shown
