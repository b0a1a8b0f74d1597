"""Exercises on the deprecated tag spellings Tag.N.key / Tag.N.value: which tags win, and rewriting old requests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..i18n import N_, _
from ..lab import Lab
from .base import Exercise, Verdict, correct, not_a_function, not_a_mapping, refusal, run_learner, show, wrong
from .requests import ready_lab

LOWER_TAG = re.compile(r"Tag\.([^.]+)\.(key|value)")


def mixed_request(disk: str) -> dict[str, str]:
    """A request mixing both spellings: Tag.1 has both value spellings, Tag.2 a deprecated key."""
    return {
        "DiskId": disk,
        "SnapshotName": "tagged",
        "Tag.1.Key": "env",
        "Tag.1.Value": "prod",
        "Tag.1.value": "test",
        "Tag.2.key": "team",
        "Tag.2.Value": "db",
    }


def tags_made(lab: Lab, params: Mapping) -> tuple[dict[str, str] | None, list[str], str]:
    """Send CreateSnapshot; the snapshot's tags (None if refused), the API's warnings, and the refusal if any."""
    response = lab.call("CreateSnapshot", params)
    if not response.ok:
        return None, response.warnings, refusal(response)
    return dict(lab.snapshot(response.data["SnapshotId"]).tags), response.warnings, ""


def tag_number(params: Mapping, key: str) -> str:
    for name, value in params.items():
        if value == key and re.fullmatch(r"Tag\.[^.]+\.[Kk]ey", name):
            return name.split(".")[1]
    return ""


# ---------------------------------------------------------------- 7. which tags win


def judge_tags_that_win(ex: Exercise, answer: Any) -> Verdict:
    if not isinstance(answer, Mapping):
        return wrong(
            _("Your answer is {answer}; give the snapshot's tags as a dict, e.g. {example}.").format(
                answer=show(answer), example="{'env': 'prod'}"
            )
        )
    lab, ids = ex.fresh()
    params = mixed_request(ids["disk"])
    made, warnings, refused = tags_made(lab, params)
    if made is None:
        return wrong(_("The request itself was refused: {refusal}").format(refusal=refused))
    given = dict(answer)
    if given == made:
        return correct(
            _("The snapshot's tags: {tags}. The API warned:").format(
                tags=", ".join(f"{k}={v}" for k, v in made.items())
            ),
            *(f"- {w}" for w in warnings),
            _("A deprecated spelling still works alone; where both are given, the capitalised one wins."),
        )
    lines = []
    for key, value in made.items():
        number = tag_number(params, key)
        said = [w for w in warnings if f"Tag.{number}." in w]
        because = _(" (the API warned: {warning})").format(warning=said[0]) if said else ""
        if key not in given:
            lines.append(
                _("The snapshot does have the tag {key}={value}{because}.").format(
                    key=key, value=value, because=because
                )
            )
        elif given[key] != value:
            lines.append(
                _("{key}: you said {said}, but the snapshot has {key}={value}{because}.").format(
                    key=key, said=show(given[key]), value=value, because=because
                )
            )
    lines += [_("The snapshot has no tag {key}.").format(key=show(key)) for key in given if key not in made]
    return wrong(*lines)


TAGS_THAT_WIN = dict(
    name="tags_that_win",
    title=N_("Old and new tag spellings"),
    prompt=N_("""\
The seed documents two spellings of tag parameters: `Tag.N.Key` / `Tag.N.Value`, and the deprecated
`Tag.N.key` / `Tag.N.value` ("will be removed in the future"). An old script sends this request on
`lab = $ex.lab()`:

```python
{"DiskId": "$disk", "SnapshotName": "tagged",
 "Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.1.value": "test",
 "Tag.2.key": "team", "Tag.2.Value": "db"}
```

**Which tags does the snapshot get?** Answer a dict `{key: value}`. Predict, then send it and read
`response.warnings`."""),
    setup=lambda: ready_lab(107),
    judge=judge_tags_that_win,
    hint=N_(
        "A deprecated spelling is still accepted when it is alone (with a warning). When Tag.N.Value and "
        "Tag.N.value are both given, one of them is ignored: which spelling does the documentation recommend?"
    ),
    solution="""\
answer = {"env": "prod", "team": "db"}  # Tag.1.value is ignored (Tag.1.Value wins); Tag.2.key works, with a warning
""",
)


# ---------------------------------------------------------------- 8. modernise an old request


def cases(disk: str) -> list[dict[str, str]]:
    return [
        {"DiskId": disk, "SnapshotName": "legacy", "Tag.1.key": "env", "Tag.1.value": "prod"},
        mixed_request(disk),
        {
            "DiskId": disk,
            "SnapshotName": "both",
            "Tag.1.Key": "env",
            "Tag.1.Value": "prod",
            "Tag.1.value": "test",
            "Tag.1.key": "stage",
        },
        {"DiskId": disk, "SnapshotName": "untagged", "RetentionDays": "7"},
    ]


def judge_modernize(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_function(answer, "modernize(params: dict) -> dict")
    if bad is not None:
        return bad
    ids = ex.fresh()[1]
    for params in cases(ids["disk"]):
        outcome = run_learner(answer, dict(params))
        request = show(params)
        if outcome.error is not None:
            return wrong(_("For the request {request}, {error}").format(request=request, error=outcome.error))
        new = outcome.value
        bad = not_a_mapping(new, "{'DiskId': ..., 'Tag.1.Key': ...}")
        if bad is not None:
            return wrong(
                _("For the request {request} your function returned {new}; return a dict.").format(
                    request=request, new=show(new)
                )
            )
        old_tags = tags_made(ex.fresh()[0], params)[0]
        new_lab = ex.fresh()[0]
        response = new_lab.call("CreateSnapshot", new)
        if not response.ok:
            return wrong(
                _("For the request {request} your function returned {new}.").format(request=request, new=show(new)),
                refusal(response),
            )
        left = sorted(str(name) for name in new if LOWER_TAG.fullmatch(str(name)))
        if left or response.warnings:
            return wrong(
                _("For the request {request} the new one still uses deprecated spellings: {left}.").format(
                    request=request, left=", ".join(left)
                ),
                *(_("The API warned: {warning}").format(warning=w) for w in response.warnings),
            )
        snap = new_lab.snapshot(response.data["SnapshotId"])
        if dict(snap.tags) != old_tags:
            both = any(f"Tag.{m[1]}.{m[2].capitalize()}" in params for m in map(LOWER_TAG.fullmatch, params) if m)
            return wrong(
                _("For the request {request} the original makes the tags {old}, yours {new}.").format(
                    request=request, old=old_tags, new=dict(snap.tags)
                ),
                _("Where both spellings are given, the capitalised one wins: keep it, drop the lower-case one.")
                if both
                else _("Rename each lower-case spelling to its capitalised one; do not drop it."),
            )
        if (snap.name, snap.retention_days) != (params.get("SnapshotName"), _days(params)):
            return wrong(
                _("For the request {request} the new request lost other parameters: {new}.").format(
                    request=request, new=show(new)
                )
            )
    return correct(
        _(
            "All four old requests become modern ones that make the same snapshot, with no warning: lower-case "
            "spellings renamed, and dropped where the capitalised one is already given."
        )
    )


def _days(params: Mapping) -> int | None:
    days = params.get("RetentionDays")
    return int(days) if days else None


MODERNIZE = dict(
    name="modernize_tags",
    title=N_("Rewrite old requests"),
    prompt=N_("""\
Old scripts send `Tag.N.key` / `Tag.N.value`, which the API warns "will be removed in the future". Write a function
`modernize(params)` that returns a new dict for the same request using only `Tag.N.Key` / `Tag.N.Value`, so that
the API makes **the same snapshot** (same tags, name and everything else) and **warns about nothing**.

Careful: some requests give both spellings for the same N. The check runs your function on several old requests
for the disk `$disk` and sends each result to a fresh copy of `$ex.lab()`."""),
    setup=lambda: ready_lab(108),
    judge=judge_modernize,
    hint=N_(
        "Copy every parameter that is not a lower-case tag spelling first. Then add each Tag.N.key / Tag.N.value "
        "under its capitalised name only if that name is not there yet (dict.setdefault)."
    ),
    solution="""\
import re


def modernize(params):
    old = re.compile(r"Tag\\.(\\d+)\\.(key|value)")
    new = {name: value for name, value in params.items() if not old.fullmatch(name)}
    for name, value in params.items():
        match = old.fullmatch(name)
        if match:
            new.setdefault(f"Tag.{match[1]}.{match[2].capitalize()}", value)  # a capitalised one already given wins
    return new""",
    answer_name="modernize",
)
