"""The parameter rules' fast paths answer exactly as the rules do, and the one whole-number parser.

CreateSnapshot checks a clean ASCII name with one regular expression and clean capitalised tags in one loop, for
speed; every other input goes rule by rule (each rule one function registered against its checks.toml row). These
properties compare the two over generated inputs (unicode, lengths at the edges, reserved prefixes, URLs, tag
numbers out of range, deprecated lower-case spellings, duplicate keys): the same checks ran, the same violations
(code, parameter, message, check, detail) in the same order, the same warnings and the same parsed request.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from ecs_snap_lab.rules.params import (
    DESCRIPTION_LENGTH,
    NAME_LENGTH,
    TAG_VALUE_MAX,
    ParamReport,
    _fast_tags,
    check_create_snapshot,
    check_snapshot_name,
    is_whole,
    parse_tags,
    valid_ascii_name,
    whole_number,
)
from ecs_snap_lab.rules.profile import Api, profile

TAG_KEY_MAXES = sorted({profile(api).tag_key_max for api in Api})

EDGE_TEXTS = [
    "",
    "a",
    "ab",
    "a" * (NAME_LENGTH[1] - 1),
    "a" * NAME_LENGTH[1],
    "a" * (NAME_LENGTH[1] + 1),
    *("k" * n for most in TAG_KEY_MAXES for n in (most, most + 1)),
    "v" * TAG_VALUE_MAX,
    "v" * (TAG_VALUE_MAX + 1),
    "d" * DESCRIPTION_LENGTH[1],
    "auto",
    "auto-1",
    "Auto-1",
    "autumn",
    "aliyun",
    "aliyunx",
    "Aliyun",
    "acs:",
    "acs:x",
    "acs",
    "http://x",
    "https://x",
    "HTTP://x",
    "x http://y",
    "a://b",
    "ftp://x",
    "1abc",
    "_abc",
    "a:b_c-d",
    "a b",
    "a/b",
    "a.b",
    "nightly.2026-01",
    "a" + "." * 127,
    "é-naïve",
    "名前",
    "A\u0301",
    "ǅungla",
    "x\u00a0y",
    "a²",
    "٣٤",
    "env",
    "team",
]

texts = st.one_of(
    st.sampled_from(EDGE_TEXTS),
    st.text(max_size=140),
    st.from_regex(r"[A-Za-z][A-Za-z0-9:_.\-]{0,130}", fullmatch=True),
)
names = st.one_of(texts, st.from_regex(r"[A-Za-z][A-Za-z0-9:_.\-]{1,127}", fullmatch=True))


def report_of(out: ParamReport) -> tuple:
    return (out.ran, out.violations, out.warnings, out.request)


@settings(max_examples=examples(500))
@given(names)
@example("nightly")
@example("auto")
@example("a" * 129)
@example("http://x")
@example("nightly.2026")
def test_the_name_fast_path_answers_as_the_name_rules(name: str) -> None:
    for rules in (profile(api) for api in Api):
        fast, by_rule = ParamReport(), ParamReport()
        check_snapshot_name(name, fast, under=rules)
        check_snapshot_name(name, by_rule, fast=False, under=rules)
        assert report_of(fast) == report_of(by_rule)


# ---------------------------------------------------------------- tags

numbers = st.one_of(
    st.integers(1, 20).map(str),
    st.integers(0, 25).map(str),
    st.sampled_from(["01", "x", "", "1.5", "٣", "+1", " 1", "-1", "99999999"]),
)
parts = st.sampled_from(["Key", "Value", "key", "value", "KEY", ""])
tag_names = st.builds(lambda n, part: f"Tag.{n}.{part}" if part else f"Tag.{n}", numbers, parts)
clean_texts = st.from_regex(r"[a-z][a-z0-9\-]{0,20}", fullmatch=True)
tag_texts = st.one_of(clean_texts, texts, st.sampled_from(["env", "team", "env", "prod"]))


SLIPS = [
    "",
    *("k" * (most + 1) for most in TAG_KEY_MAXES),
    "v" * (TAG_VALUE_MAX + 1),
    "aliyun-x",
    "acs:x",
    "https://x",
    "a://b",
    "env",
]


@st.composite
def capital_tags(draw: st.DrawFn) -> dict[str, str]:
    """The fast path's ground: clean capitalised Tag.N.Key/Value with N in 1..20, then often one key or value
    swapped for a text at an edge (a length, a prefix, a URL, an empty or repeated key), sometimes more slips."""
    params: dict[str, str] = {}
    for n in draw(st.lists(st.integers(1, 20), unique=True, min_size=1, max_size=20)):
        params[f"Tag.{n}.Key"] = draw(clean_texts)
        if draw(st.booleans()):
            params[f"Tag.{n}.Value"] = draw(st.one_of(clean_texts, st.just("")))
    if draw(st.booleans()):
        n = draw(st.sampled_from(sorted({name.split(".")[1] for name in params})))
        params[f"Tag.{n}.{draw(st.sampled_from(['Key', 'Value']))}"] = draw(st.sampled_from(SLIPS))
    if draw(st.integers(0, 3)) == 0:
        params.update(draw(st.dictionaries(tag_names, tag_texts, max_size=2)))
    return params


tag_params = st.one_of(
    capital_tags(),
    st.dictionaries(st.one_of(tag_names, st.sampled_from(["DiskId", "Tag.", "Tagx.1.Key"])), tag_texts, max_size=24),
)


@settings(max_examples=examples(500))
@given(tag_params)
@example({"Tag.1.Key": "env", "Tag.1.Value": "prod"})
@example({"Tag.1.Key": "env", "Tag.2.Key": "env"})
@example({"Tag.1.key": "env", "Tag.1.Key": "team"})
@example({"Tag.21.Key": "env"})
@example({"Tag.1.Value": "v"})
@example({"Tag.1.Key": "a://b"})
@example({"Tag.1.Key": "k" * 64, "Tag.2.Key": "k" * 65})
@example({"Tag.1.Key": "k" * 128, "Tag.2.Key": "k" * 129})
@example({"Tag.1.Key": "env", "Tag.1.Value": "v" * (TAG_VALUE_MAX + 1)})
@example({"Tag.1.Key": "acs:env", "Tag.2.Key": "team", "Tag.2.Value": "aliyun-x"})
@example({"Tag.1.Key": "", "Tag.1.Value": "v"})
def test_the_tag_fast_path_answers_as_the_tag_rules(params: dict[str, str]) -> None:
    for rules in (profile(api) for api in Api):
        fast, by_rule = ParamReport(), ParamReport()
        fast_tags = parse_tags(params, fast, under=rules)
        rule_tags = parse_tags(params, by_rule, fast=False, under=rules)
        assert (fast_tags, *report_of(fast)) == (rule_tags, *report_of(by_rule))


request_values = st.one_of(st.none(), texts, st.sampled_from(["30", "0", "-1", "65536", "65537", "1e3", " 7", "٣"]))


@settings(max_examples=examples(500))
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "DiskId": st.one_of(st.just("d-1"), texts),
            "SnapshotName": names,
            "Description": texts,
            "RetentionDays": request_values,
            "ClientToken": texts,
        },
    ),
    tag_params,
)
def test_a_whole_request_gets_the_same_report_either_way(fields: dict, tags: dict[str, str]) -> None:
    params = {k: v for k, v in {**fields, **tags}.items() if v is not None}
    for api in Api:
        fast = check_create_snapshot(params, api=api)
        assert report_of(fast) == report_of(check_create_snapshot(params, fast=False, api=api))


def test_the_fast_paths_do_answer_the_common_requests() -> None:
    """The comparisons above are worth something only if the fast paths answer the usual requests themselves."""
    assert valid_ascii_name().fullmatch("nightly-backup:2024_01")
    assert valid_ascii_name(period=True).fullmatch("nightly.2026-01")
    assert not valid_ascii_name().fullmatch("nightly.2026-01")
    twenty = {f"Tag.{n}.{part}": f"{part.lower()}-{n}" for n in range(1, 21) for part in ("Key", "Value")}
    assert _fast_tags(twenty, 64) == [(f"key-{n}", f"value-{n}") for n in range(1, 21)]
    assert _fast_tags({"DiskId": "d-1"}, 64) == []


# ---------------------------------------------------------------- the whole-number parser

WHOLE = re.compile(r"[0-9]+")


@given(st.one_of(st.text(max_size=16), st.from_regex(r"-?[0-9]{1,15}", fullmatch=True)), st.booleans())
def test_a_whole_number_is_ascii_digits_with_a_minus_only_where_signed(text: str, signed: bool) -> None:
    digits = text[1:] if signed and text.startswith("-") else text
    assert is_whole(text, signed) == bool(WHOLE.fullmatch(digits))
    number = whole_number(text, signed)
    if WHOLE.fullmatch(digits) and len(digits) <= 12:
        assert number == int(text)
    else:
        assert number is None


def test_whole_number_edges() -> None:
    assert whole_number(None) is None
    assert [whole_number(t) for t in ("0", "007", "-1", "+1", " 1", "1 ", "٣", "²", "1.0", "")] == [
        0,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert whole_number("-12", signed=True) == -12
    assert whole_number("-", signed=True) is None
    assert whole_number("1" * 12) == int("1" * 12)
    assert whole_number("1" * 13) is None and is_whole("1" * 13)
    assert whole_number("-" + "1" * 12, signed=True) == -int("1" * 12)
    assert whole_number("123456", max_digits=5) is None
