"""Parameter rules: pure functions from wire parameters to violations. No world, no side effects.

The same functions serve `validate` (every violation, for widgets that check as you type) and `Lab.call`
(the first violation in check order is the answer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .catalog import lookup

URL_PREFIXES = ("http://", "https://")
RESERVED_TAG_PREFIXES = ("aliyun", "acs:")
MAX_TAGS = 20
NAME_EXTRA = frozenset("0123456789:_-")  # besides letters (of any script: str.isalpha)


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
        raise TypeError(f"{type(value).__name__} whose str() fails") from None
    return text if type(text) is str else str.__str__(text)  # a plain str: no subclass's methods run later


_STR = frozenset({str})


def to_wire(params: Mapping | None) -> tuple[dict[str, str], Violation | None]:
    """Normalise a mapping to wire strings. The second item is the first parameter that cannot be sent."""
    if params is None:
        return {}, None
    if type(params) is dict and set(map(type, params.values())) <= _STR and set(map(type, params)) <= _STR:
        return dict(params), None  # the common case: already wire strings
    out: dict[str, str] = {}
    bad: Violation | None = None
    try:
        items = list(params.items())
    except Exception:  # not a mapping at all
        return {}, _violation("InvalidParameter", "params", "Params.encodable", "the parameters are not a mapping")
    for key, value in items:
        if type(key) is str and type(value) is str:  # the usual case, without a call
            out[key] = value
            continue
        if type(key) is not str:
            shown = _shown(key)
            bad = bad or _violation(
                "InvalidParameter", shown, "Params.encodable", f"parameter name {shown} is not a string"
            )
            continue
        try:
            text = wire_value(value)
        except (TypeError, ValueError) as exc:  # ValueError: an int too long to write out
            what = exc if isinstance(exc, TypeError) else "number too long"
            bad = bad or _violation(
                "InvalidParameter", key, "Params.encodable", f"{key[:60]} is a {what}, which cannot be sent on the wire"
            )
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


def _violation(code: str, param: str, check: str, detail: str, action: str = "CreateSnapshot") -> Violation:
    return Violation(code, param, lookup(code, action).render(param), check, detail)


def given(params: Mapping[str, str], name: str) -> str | None:
    """An optional parameter's value; an empty string counts as not given (model choice)."""
    value = params.get(name)
    return value if value else None


# ---------------------------------------------------------------- CreateSnapshot


# An ASCII name that passes every rule at once (the usual case): letter first, 2-128 allowed characters,
# not auto, not a URL. Other names take the rule-by-rule path.
VALID_ASCII_NAME = re.compile(r"(?!auto)[A-Za-z][A-Za-z0-9:_\-]{1,127}")
NAME_CHECKS = (
    "SnapshotName.length",
    "SnapshotName.first_letter",
    "SnapshotName.no_url",
    "SnapshotName.charset",
    "SnapshotName.not_auto",
)


def check_snapshot_name(name: str, out: ParamReport) -> None:
    if name.isascii() and VALID_ASCII_NAME.fullmatch(name) is not None:
        out.ran += NAME_CHECKS
        return

    def fail(check: str, detail: str) -> None:
        out.violations.append(_violation("InvalidSnapshotName.Malformed", "SnapshotName", check, detail))

    out.ran.append("SnapshotName.length")
    if not 2 <= len(name) <= 128:
        fail("SnapshotName.length", f"SnapshotName has {len(name)} characters; it must have 2 to 128")
    out.ran.append("SnapshotName.first_letter")
    if not name[:1].isalpha():
        fail("SnapshotName.first_letter", f"SnapshotName starts with {name[:1]!r}, not a letter")
    out.ran.append("SnapshotName.no_url")
    if name.startswith(URL_PREFIXES):
        fail("SnapshotName.no_url", "SnapshotName starts with http:// or https://")
    out.ran.append("SnapshotName.charset")
    bad = next((c for c in name if not (c.isalpha() or c in NAME_EXTRA)), None)
    if bad is not None:
        fail(
            "SnapshotName.charset", f"SnapshotName contains {bad!r}; only letters, digits, ':', '_' and '-' are allowed"
        )
    out.ran.append("SnapshotName.not_auto")
    if name.startswith("auto"):
        fail("SnapshotName.not_auto", "SnapshotName starts with auto, which marks automatic snapshots")


def check_description(text: str, out: ParamReport) -> None:
    def fail(check: str, detail: str) -> None:
        out.violations.append(_violation("InvalidDescription.Malformed", "Description", check, detail))

    out.ran.append("Description.length")
    if not 2 <= len(text) <= 256:
        fail("Description.length", f"Description has {len(text)} characters; it must have 2 to 256")
    out.ran.append("Description.no_url")
    if text.startswith(URL_PREFIXES):
        fail("Description.no_url", "Description starts with http:// or https://")


def parse_retention_days(text: str, out: ParamReport) -> int | None:
    out.ran.append("RetentionDays.integer")
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()):
        out.violations.append(
            _violation(
                "InvalidParameter",
                "RetentionDays",
                "RetentionDays.integer",
                f"RetentionDays {text[:40]!r} is not a whole number",
            )
        )
        return None
    out.ran.append("RetentionDays.range")
    days = int(text) if len(digits) <= 12 else None
    if days is None or not 1 <= days <= 65536:
        out.violations.append(
            _violation(
                "InvalidParameter",
                "RetentionDays",
                "RetentionDays.range",
                f"RetentionDays is {text[:40]}; it must be 1 to 65536",
            )
        )
        return None
    return days


TAG_CHECKS = (
    "Tag.number",
    "Tag.key.present",
    "Tag.key.length",
    "Tag.key.prefix",
    "Tag.key.no_url",
    "Tag.value.length",
    "Tag.value.prefix",
    "Tag.value.no_url",
    "Tag.key.unique",
)


# Tag.N.Key/Value/key/value for N in 1..20, pre-parsed: most requests only use these (fast path).
_KNOWN_TAG_NAMES: dict[str, tuple[str, str]] = {
    f"Tag.{n}.{part}": (str(n), part) for n in range(1, MAX_TAGS + 1) for part in ("Key", "Value", "key", "value")
}
_VALID_NUMBERS = frozenset(str(n) for n in range(1, MAX_TAGS + 1))


def _split_tag_name(name: str) -> tuple[str, str] | None:
    known = _KNOWN_TAG_NAMES.get(name)
    if known is not None:
        return known
    if not name.startswith("Tag."):
        return None
    number, _, part = name[4:].partition(".")
    return (number, part) if part in ("Key", "Value", "key", "value") else None


def _collect_tags(params: Mapping[str, str], out: ParamReport) -> dict[str, list]:
    """N -> [key, value, key_param, value_param]; capitalised spellings win over the deprecated lower-case ones."""
    tags: dict[str, list] = {}
    lower: list[tuple[str, str, int, str]] = []
    for name, value in params.items():
        if name[:4] != "Tag.":
            continue
        split = _split_tag_name(name)
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
            out.warnings.append(f"Tag.{number}.{part} is deprecated and will be removed; use Tag.{number}.{capital}")
        else:
            out.warnings.append(f"Tag.{number}.{part} is ignored: Tag.{number}.{capital} is given and wins")
    return tags


def _tag_order(number: str) -> tuple[int, str]:
    return (int(number), number) if number.isascii() and number.isdigit() and len(number) < 6 else (10**9, number)


def _has_url(text: str) -> bool:
    return "://" in text and ("http://" in text or "https://" in text)


def _clean_tag(number: str, key: str | None, value: str | None) -> bool:
    if number not in _VALID_NUMBERS or not key or len(key) > 64 or key.startswith(RESERVED_TAG_PREFIXES):
        return False
    if "://" in key and _has_url(key):
        return False
    if value:
        return not (len(value) > 128 or value.startswith(RESERVED_TAG_PREFIXES) or ("://" in value and _has_url(value)))
    return True


_CAPITAL_PAIRS = tuple((f"Tag.{n}.Key", f"Tag.{n}.Value") for n in range(1, MAX_TAGS + 1))
_CAPITAL_NAMES = frozenset(name for pair in _CAPITAL_PAIRS for name in pair)


def _fast_tags(params: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """Tags when every tag parameter is a capitalised Tag.N.Key/Value with N in 1..20 and all rules pass, else None."""
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
            or len(key) > 64
            or len(value) > 128
            or key.startswith(RESERVED_TAG_PREFIXES)
            or value.startswith(RESERVED_TAG_PREFIXES)
            or "://" in key
            or "://" in value
        ):
            return None
        tags.append((key, value))
    if len({key for key, _ in tags}) != len(tags):
        return None
    return tags


def parse_tags(params: Mapping[str, str], out: ParamReport) -> list[tuple[str, str]]:
    """Step 5, checked rule by rule across all tags (so a trace can say which rule), tags in order of N."""
    fast = _fast_tags(params)
    if fast is not None:
        if fast:
            out.ran.extend(TAG_CHECKS)
        return fast
    tags = _collect_tags(params, out)
    if not tags:
        return []
    numbers = sorted(tags, key=_tag_order)
    if all(_clean_tag(n, tags[n][0], tags[n][1]) for n in numbers) and len({tags[n][0] for n in numbers}) == len(
        numbers
    ):
        out.ran.extend(TAG_CHECKS)
        return [(tags[n][0], tags[n][1] or "") for n in numbers]
    _explain_tags(numbers, tags, out)
    return []


def _explain_tags(numbers: list[str], tags: dict[str, list], out: ParamReport) -> None:
    """The slow path: name every broken tag rule, check by check."""
    key_fail = lookup("InvalidTagKey.Malformed")
    value_fail = lookup("InvalidTagValue.Malformed")
    rows = [(f"Tag.{n}.{tags[n][2]}", f"Tag.{n}.{tags[n][3]}", n, tags[n][0], tags[n][1]) for n in numbers]

    def fail(entry, param: str, check: str, detail: str) -> None:
        out.violations.append(Violation(entry.code, param, entry.message, check, detail))

    rules = (
        ("Tag.number", key_fail, lambda n, k, v: n not in _VALID_NUMBERS, "the tag number {n!r} is not 1 to 20"),
        ("Tag.key.present", key_fail, lambda n, k, v: not k, "{kp} is missing or empty"),
        ("Tag.key.length", key_fail, lambda n, k, v: bool(k) and len(k) > 64, "{kp} has {kl} characters; at most 64"),
        (
            "Tag.key.prefix",
            key_fail,
            lambda n, k, v: bool(k) and k.startswith(RESERVED_TAG_PREFIXES),
            "{kp} starts with a reserved prefix (aliyun, acs:)",
        ),
        ("Tag.key.no_url", key_fail, lambda n, k, v: bool(k) and _has_url(k), "{kp} contains http:// or https://"),
        (
            "Tag.value.length",
            value_fail,
            lambda n, k, v: bool(v) and len(v) > 128,
            "{vp} has {vl} characters; at most 128",
        ),
        (
            "Tag.value.prefix",
            value_fail,
            lambda n, k, v: bool(v) and v.startswith(RESERVED_TAG_PREFIXES),
            "{vp} starts with a reserved prefix (aliyun, acs:)",
        ),
        ("Tag.value.no_url", value_fail, lambda n, k, v: bool(v) and _has_url(v), "{vp} contains http:// or https://"),
    )
    for check, entry, broken, detail in rules:
        out.ran.append(check)
        for kp, vp, n, k, v in rows:
            if broken(n, k, v):
                param = vp if entry is value_fail else kp
                text = detail.format(n=n[:20], kp=kp[:60], vp=vp[:60], kl=len(k or ""), vl=len(v or ""))
                fail(entry, param, check, text)
    out.ran.append("Tag.key.unique")
    seen: dict[str, str] = {}
    duplicate = lookup("Duplicate.TagKey")
    for kp, _vp, _n, k, _v in rows:
        if not k:
            continue
        if k in seen:
            fail(duplicate, kp, "Tag.key.unique", f"{kp[:60]} repeats the key of {seen[k][:60]} ({k[:40]!r})")
        else:
            seen[k] = kp


def check_client_token(token: str, out: ParamReport) -> None:
    out.ran.append("ClientToken.ascii")
    if not token.isascii():
        out.violations.append(
            _violation(
                "InvalidParameter", "ClientToken", "ClientToken.ascii", "ClientToken contains non-ASCII characters"
            )
        )
    out.ran.append("ClientToken.length")
    if len(token) > 64:
        out.violations.append(
            _violation(
                "InvalidParameter",
                "ClientToken",
                "ClientToken.length",
                f"ClientToken has {len(token)} characters; at most 64",
            )
        )


def check_create_snapshot(params: Mapping[str, str], ran: list | None = None) -> ParamReport:
    """Steps 1-6 of the check order: every parameter rule of the seed, all violations collected.
    `ran` is the list to record the checks in (a call's trace), a new one if not given."""
    out = ParamReport() if ran is None else ParamReport(ran)
    out.ran.append("DiskId.present")
    disk_id = params.get("DiskId")
    if not disk_id:
        out.violations.append(_violation("MissingParameter", "DiskId", "DiskId.present", "DiskId is required"))
    get = params.get  # an empty string counts as not given (model choice), hence `or None`
    name = get("SnapshotName") or None
    if name is not None:
        check_snapshot_name(name, out)
    description = get("Description") or None
    if description is not None:
        check_description(description, out)
    retention_text = get("RetentionDays") or None
    retention = parse_retention_days(retention_text, out) if retention_text is not None else None
    tags = parse_tags(params, out)
    token = get("ClientToken") or None
    if token is not None:
        check_client_token(token, out)
    if disk_id and not out.violations:
        out.request = SnapshotRequest(disk_id, name, description, retention, tags, token)
    return out
