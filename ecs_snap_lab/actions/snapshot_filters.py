"""DescribeSnapshots' filters beyond the indexed ones (Usage, SourceDiskType, Encrypted, Filter.N creation times,
SnapshotLinkId, KMSKeyId, and Category in the 2026 profile), its tag filters, and MaxResults/NextToken paging.

Each filter is read and checked once here, with the code the DescribeSnapshots page documents for a bad value
(rules/checks.toml has each rule with its sentence), and becomes one predicate on a snapshot. The snapshot chain of a
disk (SnapshotLinkId) is a model choice: one chain per source disk, `sl-` and the disk id's tail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import dropwhile, islice

from ..i18n import _
from ..model.resources import Snapshot
from ..model.world import World
from ..rules.params import MAX_TAGS, TAG_NUMBERS, split_tag_name
from ..rules.profile import Api
from .base import Call

Predicate = Callable[[Snapshot], bool]

USAGES = ("image", "disk", "image_disk", "none")
SOURCE_DISK_TYPES = ("system", "data")
FILTER_KEYS = ("CreationStartTime", "CreationEndTime")
FILTER_TIME_FORMAT = "%Y-%m-%dT%H:%MZ"  # "in the yyyy-MM-ddTHH:mmZ format. The time must be in UTC."
SNAPSHOT_CATEGORIES = ("standard", "flash", "archive")  # compared case-insensitively; the lab's are all standard
MAX_LINK_IDS = 100


def link_id(disk_id: str) -> str:
    """The id of a disk's snapshot chain (model choice: one chain per source disk)."""
    return "sl-" + disk_id.removeprefix("d-")


# ---------------------------------------------------------------- the tag filters


def tag_filters(call: Call) -> list[tuple[str, str | None]]:
    """Tag.N.Key (with Tag.N.Value, or any value), N from 1 to 20; a value without its key is InvalidTag.Mismatch
    and a number outside 1-20 InvalidTagCount, as the page documents."""
    numbers: dict[str, dict[str, str]] = {}
    for name, value in call.params.items():
        split = split_tag_name(name) if name.startswith("Tag.") else None
        if split is not None:
            number, part = split
            numbers.setdefault(number, {})[part.capitalize()] = value
    if not numbers:
        return []
    odd = sorted(n for n in numbers if n not in TAG_NUMBERS)
    call.expect(
        not odd,
        "TagFilter.count",
        _("tag number {value!r} is not 1 to {MAX_TAGS}").format(value=odd[0][:10] if odd else "", MAX_TAGS=MAX_TAGS),
        "Tag",
    )
    lonely = sorted((n for n, parts in numbers.items() if "Value" in parts and not parts.get("Key")), key=int)
    call.expect(
        not lonely,
        "TagFilter.pairs",
        _("Tag.{value}.Value is given without its Key").format(value=lonely[0] if lonely else ""),
    )
    return [(parts["Key"], parts.get("Value")) for n, parts in sorted(numbers.items(), key=lambda i: int(i[0]))]


# ---------------------------------------------------------------- the other filters


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters of one DescribeSnapshots call that no index answers, each a predicate."""

    predicates: tuple[Predicate, ...]


def read_filters(call: Call) -> Filters:
    """Every filter below checked in the page's terms, each turned into a predicate (none when not given)."""
    found: list[Predicate] = []
    for read in (_usage, _source_disk_type, _encrypted, _creation_times, _link_ids, _kms_key, _category):
        found += read(call)
    return Filters(tuple(found))


def _usage(call: Call) -> list[Predicate]:
    usage = call.opt("Usage")
    if usage is None:
        return []
    call.expect(
        usage in USAGES,
        "Usage.valid",
        _("Usage {usage!r} is not image, disk, image_disk or none").format(usage=usage[:40]),
        "Usage",
    )
    return [lambda s: s.usage == usage]


def _source_disk_type(call: Call) -> list[Predicate]:
    given = call.opt("SourceDiskType")
    if given is None:
        return []
    kind = given.lower()  # "The value of this parameter is case-insensitive."
    call.expect(
        kind in SOURCE_DISK_TYPES,
        "SourceDiskType.valid",
        _("SourceDiskType {given!r} is not system or data").format(given=given[:40]),
        "SourceDiskType",
    )
    return [lambda s: s.disk_type.value == kind]


def _encrypted(call: Call) -> list[Predicate]:
    """Encrypted=true keeps the encrypted snapshots; false, the default, filters nothing: "whether to filter
    encrypted snapshots. Default value: false" (是否过滤加密快照。默认值：false, the zh pages and SDK docs of both
    eras). Were false a filter, the default answer would hide every encrypted snapshot, which it does not."""
    if call.opt("Encrypted") is None or not call.boolean("Encrypted"):
        return []
    return [_is_encrypted]


def _is_encrypted(snap: Snapshot) -> bool:
    return snap.encrypted


def _creation_times(call: Call) -> list[Predicate]:
    found: list[Predicate] = []
    for n in range(1, 3):
        key, value = call.opt(f"Filter.{n}.Key"), call.opt(f"Filter.{n}.Value")
        if key is None and value is None:
            continue
        call.expect(
            key in FILTER_KEYS,
            "Filter.key",
            _("Filter.{n}.Key is {key!r}; it must be CreationStartTime or CreationEndTime").format(
                n=n, key=str(key)[:40]
            ),
            f"Filter.{n}.Key",
        )
        when = _filter_time(value)
        call.expect(
            when is not None,
            "Filter.value",
            _("Filter.{n}.Value is {value!r}; it must be a UTC time written yyyy-MM-ddTHH:mmZ").format(
                n=n, value=str(value)[:40]
            ),
            f"Filter.{n}.Value",
        )
        assert when is not None
        found.append(_created_after(when) if key == "CreationStartTime" else _created_before(when))
    return found


def _created_after(start: int) -> Predicate:
    return lambda s: s.created_at >= start


def _created_before(end: int) -> Predicate:
    return lambda s: s.created_at <= end


def _filter_time(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(datetime.strptime(value, FILTER_TIME_FORMAT).replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def _link_ids(call: Call) -> list[Predicate]:
    """SnapshotLinkId: one chain id, or a JSON array of up to 100 (today's page); an unknown chain is
    InvalidSnapshotLinkId.NotFound."""
    text = call.opt("SnapshotLinkId")
    if text is None:
        return []
    try:
        given = json.loads(text) if text.startswith("[") else [text]
    except ValueError:
        given = None
    wanted: list[str] = given if isinstance(given, list) and all(isinstance(i, str) for i in given) else []
    call.expect(
        bool(wanted) and len(wanted) <= MAX_LINK_IDS,
        "IdList.valid",
        _('SnapshotLinkId must be a chain id or a JSON array of 1 to {MAX_LINK_IDS}, like ["sl-1","sl-2"]').format(
            MAX_LINK_IDS=MAX_LINK_IDS
        ),
        "SnapshotLinkId",
    )
    known = {link_id(d) for d in call.world.by_disk}
    missing = [i for i in wanted if i not in known]
    call.expect(
        not missing,
        "SnapshotLinkId.exists",
        _("no snapshot chain {value!r}").format(value=missing[0][:60] if missing else ""),
    )
    chains = set(wanted)
    return [lambda s: link_id(s.disk_id) in chains]


def _kms_key(call: Call) -> list[Predicate]:
    key = call.opt("KMSKeyId")
    return [] if key is None else [lambda s: s.kms_key_id == key]


def _category(call: Call) -> list[Predicate]:
    """Category (the 2026 profile): Standard, Flash or archive; the lab's snapshots are all standard ones."""
    given = call.opt("Category")
    if given is None or call.world.api is not Api.NOW:
        return []
    call.expect(
        given.lower() in SNAPSHOT_CATEGORIES,
        "SnapshotCategory.valid",
        _("Category {given!r} is not Standard, Flash or archive").format(given=given[:40]),
        "Category",
    )
    return [] if given.lower() == "standard" else [lambda s: False]


# ---------------------------------------------------------------- MaxResults and NextToken (the 2026 profile)


@dataclass(frozen=True, slots=True)
class TokenPage:
    """A page asked for by MaxResults and NextToken: at most `size` snapshots, newest first, from those older than
    the last one the previous page gave (`after`, its creation number), and the token of the next page while more
    remain. A token marks a place in the list, not a count: snapshots made or deleted between two calls neither
    repeat one already seen nor hide an older one. The token is opaque to the caller and tied to the lab."""

    size: int
    after: int | None
    seed: int

    def walk(self, items: Iterable[Snapshot]) -> list[Snapshot]:
        """This page of `items` (newest first), and the first snapshot of the next page if there is one."""
        after = self.after
        if after is not None:
            items = dropwhile(lambda s: s.seq >= after, items)
        return list(islice(items, self.size + 1))

    def of(self, items: Sequence[Snapshot]) -> list[Snapshot]:
        return self.walk(items)

    def cut(self, items: list[Snapshot]) -> tuple[list[Snapshot], dict]:
        """A walked page cut to `size`, and the paging field of the answer: NextToken, "" on the last page. (With
        these parameters TotalCount is "invalid", the page says: the lab gives the match count.)"""
        if len(items) <= self.size:
            return items, {"NextToken": ""}
        shown = items[: self.size]
        return shown, {"NextToken": make_token(self.seed, shown[-1].seq)}


def make_token(seed: int, after: int) -> str:
    """32 hexadecimal digits, like the API's: a check tied to the lab, then the place (a snapshot's number)."""
    return hashlib.md5(f"{seed}/{after}".encode()).hexdigest()[:24] + f"{after:08x}"


def read_token(seed: int, token: str) -> int | None:
    """The place a token of this lab stands for, or None."""
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return None
    after = int(token[24:], 16)
    return after if make_token(seed, after) == token else None


def token_page(call: Call, world: World) -> TokenPage | None:
    """The MaxResults/NextToken page (the 2026 profile, when either is given), else None: PageNumber/PageSize."""
    if world.api is not Api.NOW or (call.opt("MaxResults") is None and call.opt("NextToken") is None):
        return None
    size = call.integer("MaxResults", 10, 1, 100, "Paging.max_results")
    token = call.opt("NextToken")
    if token is None:
        return TokenPage(size, None, world.seed)
    after = read_token(world.seed, token)
    call.expect(
        after is not None,
        "Paging.next_token",
        _("NextToken {token!r} is not one this API gave").format(token=token[:40]),
    )
    return TokenPage(size, after, world.seed)
