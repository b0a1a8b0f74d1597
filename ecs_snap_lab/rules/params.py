"""Parameter rules: pure functions from wire parameters to violations. No world, no side effects.

The same functions serve `validate` (every violation, for widgets that check as you type) and `Lab.call`
(the first violation in check order is the answer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

from ..i18n import _
from .catalog import check as table_check
from .catalog import in_table_order, lookup
from .profile import Api, Profile, profile

T = TypeVar("T")

URL_PREFIXES = ("http://", "https://")
RESERVED_TAG_PREFIXES = ("aliyun", "acs:")
MAX_TAGS = 20
NAME_EXTRA = frozenset("0123456789:_-")  # besides letters (of any script: str.isalpha); "." too where name_period


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: the code the API would answer, the parameter at fault, the seed's message."""

    code: str
    param: str
    message: str
    check: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.param}: {self.code}: {self.detail or self.message}"


@dataclass(slots=True)
class SnapshotRequest:
    """CreateSnapshot's parameters once they have passed the rules, in the model's terms."""

    disk_id: str
    name: str | None = None
    description: str | None = None
    retention_days: int | None = None
    tags: list[tuple[str, str]] = field(default_factory=list)
    client_token: str | None = None

    def fingerprint(self) -> tuple:
        """What must match for a ClientToken replay to count as the same request."""
        return (self.disk_id, self.name, self.description, self.retention_days, tuple(self.tags))


@dataclass(slots=True)
class ParamReport:
    """The checks that ran (in order), every violation, deprecation warnings, and the parsed request if clean."""

    ran: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    request: SnapshotRequest | None = None

    @property
    def ok(self) -> bool:
        return not self.violations


class StrFails(TypeError):
    """A value of a sendable type whose str() raises: it cannot be written out either."""

    def __str__(self) -> str:
        return f"{self.args[0]} whose str() fails"


def wire_value(value: object) -> str | None:
    """A parameter value as the SDKs send it; None means "not sent". Raises TypeError if it cannot be sent."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return None
    if not isinstance(value, int | str | float):
        raise TypeError(type(value).__name__)
    try:
        text = str(value)  # as an SDK would send it: 30.0 goes out as "30.0", which is not a whole number
    except Exception as exc:
        if isinstance(exc, ValueError) and isinstance(value, int):
            raise  # an int too long to write out
        raise StrFails(type(value).__name__) from None
    return text if type(text) is str else str.__str__(text)  # a plain str: no subclass's methods run later


def _unsendable(key: str, exc: Exception) -> str:
    """Why a value cannot be sent, one whole sentence for each way (its type, a str() that fails, an int too
    long to write out)."""
    if isinstance(exc, StrFails):
        said = _("{key} is a {type} whose str() fails, which cannot be sent on the wire")
    elif isinstance(exc, TypeError):
        said = _("{key} is a {type}, which cannot be sent on the wire")
    else:
        said = _("{key} is a number too long, which cannot be sent on the wire")
    return said.format(key=key, type=exc.args[0] if exc.args else "")


_STR = frozenset({str})
_SMALL = 8  # up to this many parameters, one pass over them is quicker than checking their types first


def to_wire(params: Mapping | None) -> tuple[dict[str, str], Violation | None]:
    """Normalise a mapping to wire strings. The second item is the first parameter that cannot be sent."""
    if params is None:
        return {}, None
    if (
        type(params) is dict
        and len(params) > _SMALL
        and set(map(type, params.values())) | set(map(type, params)) <= _STR
    ):
        return dict(params), None  # many parameters, all wire strings already: checked at C speed
    try:
        items = list(params.items())  # a copy: a value's __str__ cannot change what is walked
    except Exception:  # not a mapping at all
        return {}, _violation("Params.encodable", "params", _("the parameters are not a mapping"))
    out: dict[str, str] = {}
    bad: Violation | None = None
    for key, value in items:
        if type(key) is str and type(value) is str:  # the usual case, without a call
            out[key] = value
            continue
        if type(key) is not str:
            shown = _shown(key)
            bad = bad or _violation(
                "Params.encodable", shown, _("parameter name {shown} is not a string").format(shown=shown)
            )
            continue
        try:
            text = wire_value(value)
        except (TypeError, ValueError) as exc:  # ValueError: an int too long to write out
            bad = bad or _violation("Params.encodable", key, _unsendable(key[:60], exc))
            continue
        if text is not None:
            out[key] = text
    return out, bad


def _shown(key: object) -> str:
    """A parameter name that is not a plain string, as an error shows it: its own repr may fail, or be huge."""
    try:
        return str.__str__(repr(key))[:60]
    except Exception:
        return f"a {type(key).__name__}"


def _violation(check: str, param: str, detail: str, api: Api = Api.SEED) -> Violation:
    """A broken rule of CreateSnapshot's parameters; its code is the one the check table gives `check` in the
    profile `api`, its message that profile's."""
    code = table_check(check).code_under(api)
    return Violation(code, param, lookup(code, "CreateSnapshot", api=api.value).render(param), check, detail)


def given(params: Mapping[str, str], name: str) -> str | None:
    """An optional parameter's value; an empty string counts as not given (model choice)."""
    value = params.get(name)
    return value if value else None


def is_whole(text: str, signed: bool = False) -> bool:
    """`text` is a whole number written in ASCII digits, with a leading '-' if `signed` (no '+', no spaces)."""
    digits = text[1:] if signed and text[:1] == "-" else text
    return digits.isascii() and digits.isdigit()


def whole_number(text: str | None, signed: bool = False, max_digits: int = 12) -> int | None:
    """The whole number `text` writes (see is_whole), or None: not one, or more than `max_digits` digits (a
    bound on what is converted: int() of a long string is slow, and an absurd length is an error anyway)."""
    if text is None or not is_whole(text, signed):
        return None
    return int(text) if len(text) - (text[:1] == "-") <= max_digits else None


# ---------------------------------------------------------------- CreateSnapshot
#
# Each rule is one function registered against its row of checks.toml (`id`), which gives the order, the code and
# the rule's words; a function returns None when its rule holds, else the detail of the violation. Names and tags
# also have a fast path for the common clean case, proven to answer as the rules do by tests/test_param_rules.py.

NAME_LENGTH = (2, 128)
DESCRIPTION_LENGTH = (2, 256)
AUTO_PREFIX = "auto"  # marks automatic snapshots' names
TAG_VALUE_MAX = 128  # a tag key's limit differs by profile (Profile.tag_key_max)

TextRule = Callable[[str, Profile], "str | None"]  # a rule of a text under a profile: None, or why it is broken
NAME_RULES: dict[str, TextRule] = {}
DESCRIPTION_RULES: dict[str, TextRule] = {}


def _rule(registry: dict[str, T], check: str) -> Callable[[T], T]:
    def register(rule: T) -> T:
        registry[check] = rule
        return rule

    return register


@_rule(NAME_RULES, "SnapshotName.length")
def _name_length(name: str, _rules: Profile) -> str | None:
    low, high = NAME_LENGTH
    return (
        None
        if low <= len(name) <= high
        else _("SnapshotName has {count} characters; it must have {low} to {high}").format(
            count=len(name), low=low, high=high
        )
    )


@_rule(NAME_RULES, "SnapshotName.first_letter")
def _name_first_letter(name: str, _rules: Profile) -> str | None:
    return None if name[:1].isalpha() else _("SnapshotName starts with {name!r}, not a letter").format(name=name[:1])


@_rule(NAME_RULES, "SnapshotName.no_url")
def _name_no_url(name: str, _rules: Profile) -> str | None:
    return _("SnapshotName starts with http:// or https://") if name.startswith(URL_PREFIXES) else None


@_rule(NAME_RULES, "SnapshotName.charset")
def _name_charset(name: str, rules: Profile) -> str | None:
    extra = _name_extra(rules.name_period)
    bad = next((c for c in name if not (c.isalpha() or c in extra)), None)
    if bad is None:
        return None
    if rules.name_period:
        return _("SnapshotName contains {bad!r}; only letters, digits, ':', '_', '.' and '-' are allowed").format(
            bad=bad
        )
    return _("SnapshotName contains {bad!r}; only letters, digits, ':', '_' and '-' are allowed").format(bad=bad)


@_rule(NAME_RULES, "SnapshotName.not_auto")
def _name_not_auto(name: str, _rules: Profile) -> str | None:
    return _("SnapshotName starts with auto, which marks automatic snapshots") if name.startswith(AUTO_PREFIX) else None


@_rule(DESCRIPTION_RULES, "Description.length")
def _description_length(text: str, _rules: Profile) -> str | None:
    low, high = DESCRIPTION_LENGTH
    return (
        None
        if low <= len(text) <= high
        else _("Description has {count} characters; it must have {low} to {high}").format(
            count=len(text), low=low, high=high
        )
    )


@_rule(DESCRIPTION_RULES, "Description.no_url")
def _description_no_url(text: str, _rules: Profile) -> str | None:
    return _("Description starts with http:// or https://") if text.startswith(URL_PREFIXES) else None


@cache
def _ordered(rules: str, api: Api = Api.SEED) -> tuple[tuple[str, Callable], ...]:
    """A family of rules (NAME_RULES, ...) that the profile `api` applies, in the table's order."""
    return tuple((c, rule) for c, rule in in_table_order(_FAMILIES[rules]) if table_check(c).api in ("", api.value))


def _check_text(rules: str, value: str, param: str, out: ParamReport, under: Profile) -> None:
    """Every rule of the family on `value`: each is recorded as run, each broken one as a violation."""
    for check, rule in _ordered(rules, under.api):
        out.ran.append(check)
        detail = rule(value, under)
        if detail is not None:
            out.violations.append(_violation(check, param, detail))


@cache
def _name_extra(period: bool) -> frozenset[str]:
    """The characters a name may hold besides letters: the seed's, and "." where the profile allows it."""
    return NAME_EXTRA | {"."} if period else NAME_EXTRA


@cache
def valid_ascii_name(period: bool = False) -> re.Pattern[str]:
    """An ASCII name that passes every name rule at once (the usual case): a letter first, then allowed characters,
    the length in bounds, not auto (a URL has a '/', which no name may hold). Other names take the rule-by-rule path."""
    allowed = re.escape("".join(sorted(_name_extra(period))))
    rest = f"[A-Za-z{allowed}]{{{NAME_LENGTH[0] - 1},{NAME_LENGTH[1] - 1}}}"
    return re.compile(f"(?!{AUTO_PREFIX})[A-Za-z]{rest}")


VALID_ASCII_NAME = valid_ascii_name()  # the seed's


def check_snapshot_name(name: str, out: ParamReport, fast: bool = True, under: Profile | None = None) -> None:
    rules = under or profile(Api.SEED)
    if fast and name.isascii() and valid_ascii_name(rules.name_period).fullmatch(name) is not None:
        out.ran += _clean("name", rules.api)
        return
    _check_text("name", name, "SnapshotName", out, rules)


@cache
def _clean(rules: str, api: Api) -> list[str]:
    """The ids a clean name or clean tags pass under the profile `api`, in order (the fast paths record them)."""
    return [check for check, _ in _ordered(rules, api)]


def check_description(text: str, out: ParamReport, under: Profile) -> None:
    _check_text("description", text, "Description", out, under)


def parse_retention_days(text: str, out: ParamReport, api: Api = Api.SEED) -> int | None:
    out.ran.append("RetentionDays.integer")
    days = whole_number(text, True)
    if days is None and not is_whole(text, True):
        out.violations.append(
            _violation(
                "RetentionDays.integer",
                "RetentionDays",
                _("RetentionDays {text!r} is not a whole number").format(text=text[:40]),
                api,
            )
        )
        return None
    out.ran.append("RetentionDays.range")
    if days is None or not 1 <= days <= 65536:  # None: a whole number of more than 12 digits
        out.violations.append(
            _violation(
                "RetentionDays.range",
                "RetentionDays",
                _("RetentionDays is {text}; it must be 1 to 65536").format(text=text[:40]),
                api,
            )
        )
        return None
    return days


# ---------------------------------------------------------------- tags (step 5)


@dataclass(frozen=True, slots=True)
class TagRow:
    """One tag as given: its number N, key and value (None when not given), and the spellings of their names."""

    number: str
    key: str | None
    value: str | None
    key_param: str
    value_param: str


# A tag rule looks at every tag and gives, for each one that breaks it, (the parameter at fault, the detail).
TagRule = Callable[[list[TagRow], Profile], Iterator[tuple[str, str]]]
TAG_RULES: dict[str, TagRule] = {}


@_rule(TAG_RULES, "Tag.number")
def _tag_numbers(rows: list[TagRow], _rules: Profile) -> Iterator[tuple[str, str]]:
    for row in rows:
        if row.number not in TAG_NUMBERS:
            yield (
                row.key_param,
                _("the tag number {number!r} is not 1 to {MAX_TAGS}").format(number=row.number[:20], MAX_TAGS=MAX_TAGS),
            )


@_rule(TAG_RULES, "Tag.key.present")
def _tag_keys_present(rows: list[TagRow], _rules: Profile) -> Iterator[tuple[str, str]]:
    for row in rows:
        if not row.key:
            yield row.key_param, _("{key_param} is missing or empty").format(key_param=row.key_param[:60])


# The rules of a key and of a value: a refusal of the text given (never empty), its parameter's name, the profile.
TextRefusal = Callable[[str, str, Profile], "str | None"]


def _longer_than(limit: Callable[[Profile], int]) -> TextRefusal:
    def refusal(text: str, param: str, rules: Profile) -> str | None:
        most = limit(rules)
        return (
            _("{param} has {count} characters; at most {most}").format(param=param[:60], count=len(text), most=most)
            if len(text) > most
            else None
        )

    return refusal


def _reserved_prefix(text: str, param: str, rules: Profile) -> str | None:
    if param.endswith(("Value", "value")) and not rules.tag_value_prefix_banned:
        return None  # today's pages dropped the rule for values
    return (
        _("{param} starts with a reserved prefix (aliyun, acs:)").format(param=param[:60])
        if text.startswith(RESERVED_TAG_PREFIXES)
        else None
    )


def _url(text: str, param: str, _rules: Profile) -> str | None:
    return _("{param} contains http:// or https://").format(param=param[:60]) if _has_url(text) else None


def _on_part(check: str, refusal: TextRefusal) -> None:
    """Register `refusal` as the rule `check` of every given key (Tag.key.*) or value (Tag.value.*)."""
    on_value = check.startswith("Tag.value.")

    def rule(rows: list[TagRow], rules: Profile) -> Iterator[tuple[str, str]]:
        for row in rows:
            text, param = (row.value, row.value_param) if on_value else (row.key, row.key_param)
            detail = refusal(text, param, rules) if text else None
            if detail is not None:
                yield param, detail

    TAG_RULES[check] = rule


_LIMITS: tuple[tuple[str, Callable[[Profile], int]], ...] = (
    ("key", lambda rules: rules.tag_key_max),
    ("value", lambda _rules: TAG_VALUE_MAX),
)
for _part, _limit in _LIMITS:
    _on_part(f"Tag.{_part}.length", _longer_than(_limit))
    _on_part(f"Tag.{_part}.prefix", _reserved_prefix)
    _on_part(f"Tag.{_part}.no_url", _url)


@_rule(TAG_RULES, "Tag.key.unique")
def _tag_keys_unique(rows: list[TagRow], _rules: Profile) -> Iterator[tuple[str, str]]:
    seen: dict[str, str] = {}
    for row in rows:
        key = row.key
        if not key:
            continue
        if key in seen:
            yield (
                row.key_param,
                _("{key_param} repeats the key of {seen} ({key!r})").format(
                    key_param=row.key_param[:60], seen=seen[key][:60], key=key[:40]
                ),
            )
        else:
            seen[key] = row.key_param


_FAMILIES: dict[str, Mapping[str, Callable]] = {"name": NAME_RULES, "description": DESCRIPTION_RULES, "tag": TAG_RULES}

# Tag.N.Key/Value/key/value for N in 1..20, pre-parsed: most requests only use these (fast path).
_KNOWN_TAG_NAMES: dict[str, tuple[str, str]] = {
    f"Tag.{n}.{part}": (str(n), part) for n in range(1, MAX_TAGS + 1) for part in ("Key", "Value", "key", "value")
}
TAG_NUMBERS = frozenset(str(n) for n in range(1, MAX_TAGS + 1))


def split_tag_name(name: str) -> tuple[str, str] | None:
    """(N, part) of a tag parameter's name (Tag.3.Key -> ("3", "Key"), either spelling of the part), else None."""
    known = _KNOWN_TAG_NAMES.get(name)
    if known is not None:
        return known
    if not name.startswith("Tag."):
        return None
    number, _dot, part = name[4:].partition(".")
    return (number, part) if part in ("Key", "Value", "key", "value") else None


def _collect_tags(params: Mapping[str, str], out: ParamReport) -> dict[str, list]:
    """N -> [key, value, key_param, value_param]; capitalised spellings win over the deprecated lower-case ones."""
    tags: dict[str, list] = {}
    lower: list[tuple[str, str, int, str]] = []
    for name, value in params.items():
        if name[:4] != "Tag.":
            continue
        split = split_tag_name(name)
        if split is None:
            continue
        number, part = split
        if part == "Key" or part == "Value":
            slot = tags.get(number)
            if slot is None:
                slot = tags[number] = [None, None, "Key", "Value"]
            slot[0 if part == "Key" else 1] = value
        else:
            lower.append((number, part, 0 if part == "key" else 1, value))
    for number, part, index, value in lower:
        slot = tags.setdefault(number, [None, None, "Key", "Value"])
        capital = part.capitalize()
        if slot[index] is None:
            slot[index] = value
            slot[2 + index] = part
            out.warnings.append(
                _("Tag.{number}.{part} is deprecated and will be removed; use Tag.{number}.{capital}").format(
                    number=number, part=part, capital=capital
                )
            )
        else:
            out.warnings.append(
                _("Tag.{number}.{part} is ignored: Tag.{number}.{capital} is given and wins").format(
                    number=number, part=part, capital=capital
                )
            )
    return tags


def _tag_order(number: str) -> tuple[int, str]:
    n = whole_number(number, max_digits=5)
    return (n, number) if n is not None else (10**9, number)


def _has_url(text: str) -> bool:
    return "://" in text and ("http://" in text or "https://" in text)


_CAPITAL_PAIRS = tuple((f"Tag.{n}.Key", f"Tag.{n}.Value") for n in range(1, MAX_TAGS + 1))
_CAPITAL_NAMES = frozenset(name for pair in _CAPITAL_PAIRS for name in pair)


def _fast_tags(params: Mapping[str, str], key_max: int, value_prefix: bool = True) -> list[tuple[str, str]] | None:
    """The usual case at speed: every tag parameter a capitalised Tag.N.Key/Value with N in 1..20, every tag clean.
    Then the tags; None when in any doubt (the rules decide). It may say None where the rules pass (any "://"),
    never tags where a rule fails: tests/test_param_rules.py proves it answers as the rules do."""
    for name in params:  # most requests carry no tag: leave at once
        if name.startswith("Tag."):
            break
    else:
        return []
    present = params.keys() & _CAPITAL_NAMES
    if not present:
        return [] if not any(name.startswith("Tag.") for name in params) else None
    if any(name.startswith("Tag.") for name in params.keys() - _CAPITAL_NAMES):
        return None
    tags = []
    get = params.get
    for key_name, value_name in _CAPITAL_PAIRS:
        key = get(key_name)
        value = get(value_name)
        if key is None:
            if value is None:
                continue
            return None
        if value is None:
            value = ""
        if (
            not key
            or len(key) > key_max
            or len(value) > TAG_VALUE_MAX
            or key.startswith(RESERVED_TAG_PREFIXES)
            or (value_prefix and value.startswith(RESERVED_TAG_PREFIXES))
            or "://" in key
            or "://" in value
        ):
            return None
        tags.append((key, value))
    if len({key for key, _ in tags}) != len(tags):
        return None
    return tags


def parse_tags(
    params: Mapping[str, str], out: ParamReport, fast: bool = True, under: Profile | None = None
) -> list[tuple[str, str]]:
    """Step 5, checked rule by rule across all tags (so a trace can say which rule), tags in order of N."""
    rules = under or profile(Api.SEED)
    if fast:
        tags = _fast_tags(params, rules.tag_key_max, rules.tag_value_prefix_banned)
        if tags is not None:
            if tags:
                out.ran += _clean("tag", rules.api)
            return tags
    given_tags = _collect_tags(params, out)
    if not given_tags:
        return []
    numbers = sorted(given_tags, key=_tag_order)
    rows = []
    for n in numbers:
        key, value, key_spelling, value_spelling = given_tags[n]
        rows.append(TagRow(n, key, value, f"Tag.{n}.{key_spelling}", f"Tag.{n}.{value_spelling}"))
    broken = len(out.violations)
    for check, rule in _ordered("tag", rules.api):
        out.ran.append(check)
        entry = lookup(table_check(check).code_under(rules.api), api=rules.api.value)
        for param, detail in rule(rows, rules):
            out.violations.append(Violation(entry.code, param, entry.message, check, detail))
    return [] if len(out.violations) > broken else [(row.key or "", row.value or "") for row in rows]


def check_client_token(token: str, out: ParamReport, api: Api = Api.SEED) -> None:
    out.ran.append("ClientToken.ascii")
    if not token.isascii():
        out.violations.append(
            _violation("ClientToken.ascii", "ClientToken", _("ClientToken contains non-ASCII characters"), api)
        )
    out.ran.append("ClientToken.length")
    if len(token) > 64:
        out.violations.append(
            _violation(
                "ClientToken.length",
                "ClientToken",
                _("ClientToken has {count} characters; at most 64").format(count=len(token)),
                api,
            )
        )


CATEGORIES = ("Standard", "Flash")
# Documented today as no longer taking effect: "InstantAccess, InstantAccessRetentionDays, and DisableInstantAccess
# [...] no longer take effect in API operations" (the CreateSnapshot page); accepted, and a warning says so.
NO_LONGER_IN_EFFECT = ("InstantAccess", "InstantAccessRetentionDays", "DisableInstantAccess")


def check_todays_parameters(params: Mapping[str, str], out: ParamReport) -> None:
    """The 2026 profile's parameters of CreateSnapshot that the seed's API lacks: Category's values (not with
    InstantAccess), and the instant-access parameters, which the documentation says no longer take effect."""
    category = params.get("Category") or None
    if category is not None:
        out.ran.append("Category.valid")
        out.ran.append("Category.alone")
        if category not in CATEGORIES:
            detail = _("Category is {category!r}; it must be Standard or Flash").format(category=category[:40])
            out.violations.append(_violation("Category.valid", "Category", detail, Api.NOW))
        elif params.get("InstantAccess"):
            detail = _("Category and InstantAccess are both given; the page says they cannot be used together")
            out.violations.append(_violation("Category.alone", "Category", detail, Api.NOW))
        else:
            out.warnings.append(
                _(
                    "Category={category}: only accounts that used local snapshots before 2020-12-14 may choose it "
                    "(the CreateSnapshot page); this lab's account did not, so a standard snapshot is made"
                ).format(category=category)
            )
    if params.get("ResourceGroupId"):
        out.ran.append("ResourceGroupId.exists")
        detail = _("no resource group {params!r}: the lab's account has only the default one").format(
            params=params["ResourceGroupId"][:40]
        )
        out.violations.append(_violation("ResourceGroupId.exists", "ResourceGroupId", detail, Api.NOW))
    if params.get("StorageLocationArn"):
        out.ran.append("StorageLocationArn.authorized")
        detail = _("StorageLocationArn is unavailable for public use (the CreateSnapshot page)")
        out.violations.append(_violation("StorageLocationArn.authorized", "StorageLocationArn", detail, Api.NOW))
    for name in NO_LONGER_IN_EFFECT:
        if params.get(name):
            out.warnings.append(
                _(
                    "{name} no longer takes effect (the CreateSnapshot page): snapshots of ESSD-series disks are "
                    "instantly available by default"
                ).format(name=name)
            )


def check_create_snapshot(
    params: Mapping[str, str], ran: list | None = None, *, fast: bool = True, api: Api | str = Api.SEED
) -> ParamReport:
    """Steps 1-6 of the check order: every parameter rule of the profile `api`, all violations collected.
    `ran` is the list to record the checks in (a call's trace), a new one if not given. fast=False takes the
    rule-by-rule path even where a fast path could answer (the tests compare the two)."""
    rules = profile(api)
    out = ParamReport() if ran is None else ParamReport(ran)
    out.ran.append("DiskId.present")
    disk_id = params.get("DiskId")
    if not disk_id:
        out.violations.append(_violation("DiskId.present", "DiskId", _("{name} is required").format(name="DiskId")))
    get = params.get  # an empty string counts as not given (model choice), hence `or None`
    name = get("SnapshotName") or None
    if name is not None:
        check_snapshot_name(name, out, fast, rules)
    description = get("Description") or None
    if description is not None:
        check_description(description, out, rules)
    retention_text = get("RetentionDays") or None
    retention = parse_retention_days(retention_text, out, rules.api) if retention_text is not None else None
    tags = parse_tags(params, out, fast, rules)
    token = get("ClientToken") or None
    if token is not None:
        check_client_token(token, out, rules.api)
    if rules.api is Api.NOW:
        check_todays_parameters(params, out)
    if disk_id and not out.violations:
        out.request = SnapshotRequest(disk_id, name, description, retention, tags, token)
    return out
