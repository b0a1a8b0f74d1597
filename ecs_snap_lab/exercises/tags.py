"""Exercises on the deprecated tag spellings Tag.N.key / Tag.N.value: which tags win, and rewriting old requests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

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
        return wrong(f"Your answer is {show(answer)}; give the snapshot's tags as a dict, e.g. {{'env': 'prod'}}.")
    lab, ids = ex.fresh()
    params = mixed_request(ids["disk"])
    made, warnings, refused = tags_made(lab, params)
    if made is None:
        return wrong(f"The request itself was refused: {refused}")
    given = dict(answer)
    if given == made:
        return correct(
            "The snapshot's tags: " + ", ".join(f"{k}={v}" for k, v in made.items()) + ". The API warned:",
            *(f"- {w}" for w in warnings),
            "A deprecated spelling still works alone; where both are given, the capitalised one wins.",
        )
    lines = []
    for key, value in made.items():
        number = tag_number(params, key)
        said = [w for w in warnings if f"Tag.{number}." in w]
        because = f" (the API warned: {said[0]})" if said else ""
        if key not in given:
            lines.append(f"The snapshot does have the tag {key}={value}{because}.")
        elif given[key] != value:
            lines.append(f"{key}: you said {show(given[key])}, but the snapshot has {key}={value}{because}.")
    lines += [f"The snapshot has no tag {show(key)}." for key in given if key not in made]
    return wrong(*lines)


TAGS_THAT_WIN = dict(
    name="tags_that_win",
    title="Old and new tag spellings",
    prompt="""\
The seed documents two spellings of tag parameters: `Tag.N.Key` / `Tag.N.Value`, and the deprecated
`Tag.N.key` / `Tag.N.value` ("will be removed in the future"). An old script sends this request on
`lab = $ex.lab()`:

```python
{"DiskId": "$disk", "SnapshotName": "tagged",
 "Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.1.value": "test",
 "Tag.2.key": "team", "Tag.2.Value": "db"}
```

**Which tags does the snapshot get?** Answer a dict `{key: value}`. Predict, then send it and read
`response.warnings`.""",
    setup=lambda: ready_lab(107),
    judge=judge_tags_that_win,
    hint="A deprecated spelling is still accepted when it is alone (with a warning). When Tag.N.Value and "
    "Tag.N.value are both given, one of them is ignored: which spelling does the documentation recommend?",
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
    _, ids = ex.fresh()
    for params in cases(ids["disk"]):
        outcome = run_learner(answer, dict(params))
        if outcome.error is not None:
            return wrong(f"For the request {show(params)}, {outcome.error}")
        new = outcome.value
        bad = not_a_mapping(new, "{'DiskId': ..., 'Tag.1.Key': ...}")
        if bad is not None:
            return wrong(f"For the request {show(params)} your function returned {show(new)}; return a dict.")
        old_tags, _, _ = tags_made(ex.fresh()[0], params)
        new_lab = ex.fresh()[0]
        response = new_lab.call("CreateSnapshot", new)
        if not response.ok:
            return wrong(f"For the request {show(params)} your function returned {show(new)}.", refusal(response))
        left = sorted(str(name) for name in new if LOWER_TAG.fullmatch(str(name)))
        if left or response.warnings:
            return wrong(
                f"For the request {show(params)} the new one still uses deprecated spellings: {', '.join(left)}.",
                *(f"The API warned: {w}" for w in response.warnings),
            )
        snap = new_lab.snapshot(response.data["SnapshotId"])
        if dict(snap.tags) != old_tags:
            both = any(f"Tag.{m[1]}.{m[2].capitalize()}" in params for m in map(LOWER_TAG.fullmatch, params) if m)
            return wrong(
                f"For the request {show(params)} the original makes the tags {old_tags}, yours {dict(snap.tags)}.",
                "Where both spellings are given, the capitalised one wins: keep it, drop the lower-case one."
                if both
                else "Rename each lower-case spelling to its capitalised one; do not drop it.",
            )
        if (snap.name, snap.retention_days) != (params.get("SnapshotName"), _days(params)):
            return wrong(f"For the request {show(params)} the new request lost other parameters: {show(new)}.")
    return correct(
        "All four old requests become modern ones that make the same snapshot, with no warning: lower-case spellings "
        "renamed, and dropped where the capitalised one is already given."
    )


def _days(params: Mapping) -> int | None:
    days = params.get("RetentionDays")
    return int(days) if days else None


MODERNIZE = dict(
    name="modernize_tags",
    title="Rewrite old requests",
    prompt="""\
Old scripts send `Tag.N.key` / `Tag.N.value`, which the API warns "will be removed in the future". Write a function
`modernize(params)` that returns a new dict for the same request using only `Tag.N.Key` / `Tag.N.Value`, so that
the API makes **the same snapshot** (same tags, name and everything else) and **warns about nothing**.

Careful: some requests give both spellings for the same N. The check runs your function on several old requests
for the disk `$disk` and sends each result to a fresh copy of `$ex.lab()`.""",
    setup=lambda: ready_lab(108),
    judge=judge_modernize,
    hint="Copy every parameter that is not a lower-case tag spelling first. Then add each Tag.N.key / Tag.N.value "
    "under its capitalised name only if that name is not there yet (dict.setdefault).",
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
