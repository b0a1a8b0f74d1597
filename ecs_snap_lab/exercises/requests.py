"""Exercises on writing a CreateSnapshot request and reading its answer: a first snapshot, an error on purpose,
which code wins when two things are wrong, and the XML body."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..i18n import N_, _
from ..lab import Lab
from ..response import Response
from ..rules.catalog import error_catalog
from .base import (
    Exercise,
    Verdict,
    correct,
    not_a_function,
    not_a_mapping,
    refusal,
    run_learner,
    show,
    wrong,
)

# the seed's parameter table (Action included: "Set the value to CreateSnapshot"), and RegionId, which SDKs send
SNAPSHOT_PARAMS = frozenset(
    {"Action", "DiskId", "SnapshotName", "Description", "RetentionDays", "ClientToken", "RegionId"}
)
TAG_PARAM = re.compile(r"Tag\.\d+\.(Key|Value|key|value)")
PARAMS_EXAMPLE = "{'DiskId': 'd-...', 'SnapshotName': 'my-snapshot'}"


def ready_lab(seed: int, size_gib: int = 40) -> tuple[Lab, dict[str, str]]:
    """A lab with one data disk that can be snapshotted now."""
    lab = Lab(seed=seed)
    return lab, {"disk": lab.ready_disk(size_gib)}


def unknown_names(params: Mapping) -> list[str]:
    """Parameter names CreateSnapshot does not know: the API ignores them without a word, a classic slip."""
    return [
        repr(name)
        for name, value in params.items()
        if isinstance(value, str | int)  # a value that cannot be sent is refused, not ignored
        and not (isinstance(name, str) and (name in SNAPSHOT_PARAMS or TAG_PARAM.fullmatch(name)))
    ]


def ignored_note(params: Mapping) -> list[str]:
    names = unknown_names(params)
    if not names:
        return []
    return [
        _(
            "The API ignores parameters it does not know, without a word: {names}. CreateSnapshot's are Action, "
            "DiskId, SnapshotName, Description, RetentionDays, Tag.N.Key, Tag.N.Value and ClientToken."
        ).format(names=", ".join(names))
    ]


# ---------------------------------------------------------------- 1. a first snapshot


def judge_first_snapshot(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_mapping(answer, PARAMS_EXAMPLE)
    if bad is not None:
        return bad
    action = answer.get("Action", "CreateSnapshot")
    if action != "CreateSnapshot":
        return wrong(
            _(
                "Action is {action}: it names the operation, and the seed says 'Set the value to CreateSnapshot'."
            ).format(action=show(action))
        )
    lab, ids = ex.fresh()
    response = lab.call("CreateSnapshot", answer)
    if not response.ok:
        return wrong(refusal(response), *ignored_note(answer))
    snapshot_id = response.data["SnapshotId"]
    snap = lab.snapshot(snapshot_id)
    problems = []
    if snap.disk_id != ids["disk"]:
        what = _(" (the instance's system disk)") if snap.disk_type == "system" else ""
        problems.append(
            _("It is a snapshot of {disk}{what}, not of the data disk {data_disk}.").format(
                disk=snap.disk_id, what=what, data_disk=ids["disk"]
            )
        )
    if snap.name != "db-nightly":
        problems.append(
            _("Its SnapshotName is {name!r}; it should be 'db-nightly'.").format(name=snap.name)
            if snap.name
            else _("It has no SnapshotName.")
        )
    if snap.retention_days != 7:
        problems.append(
            _("Its RetentionDays is {days}; to be released after 7 days it should be 7.").format(
                days=snap.retention_days
            )
            if snap.retention_days
            else _(
                "It has no RetentionDays, so it is kept until you delete it; RetentionDays=7 releases it after 7 days."
            )
        )
    if ("env", "prod") not in snap.tags:
        have = ", ".join(f"{k}={v}" for k, v in snap.tags) or _("none")
        problems.append(
            _("Its tags are: {tags}. It needs env=prod: Tag.1.Key='env' and Tag.1.Value='prod'.").format(tags=have)
        )
    notes = [_("The API warned: {warning}").format(warning=w) for w in response.warnings] + ignored_note(answer)
    if problems:
        return wrong(
            _("The API accepted it (HTTP 200, SnapshotId {snapshot}), but:").format(snapshot=snapshot_id),
            *problems,
            *notes,
        )
    return correct(
        _(
            "HTTP 200, SnapshotId {snapshot}: a snapshot of {disk} named db-nightly, tagged env=prod, released 7 days "
            "after its CreationTime."
        ).format(snapshot=snapshot_id, disk=ids["disk"]),
        *notes,
    )


FIRST_SNAPSHOT = dict(
    name="first_snapshot",
    title=N_("A first snapshot"),
    prompt=N_("""\
`lab = $ex.lab()` gives you an account with a data disk, `$ex.ids["disk"]` (`$disk`), attached, in use and
loaded: it can be snapshotted now.

Write the parameters of a **CreateSnapshot** request, as a dict, that create a snapshot of that disk

- named `db-nightly`,
- released automatically after 7 days,
- tagged `env` = `prod`.

Try it with `lab.call("CreateSnapshot", params)`, then `$ex.check(params)`."""),
    setup=lambda: ready_lab(101),
    judge=judge_first_snapshot,
    hint=N_(
        "Parameter names are the API's own: DiskId, SnapshotName, RetentionDays (in days), and a tag is a pair of "
        "parameters numbered from 1: Tag.1.Key and Tag.1.Value."
    ),
    solution="""\
answer = {
    "DiskId": $ex.ids["disk"],
    "SnapshotName": "db-nightly",
    "RetentionDays": 7,
    "Tag.1.Key": "env",
    "Tag.1.Value": "prod",
}""",
)


# ---------------------------------------------------------------- 2. an error on purpose


def judge_error_with_parameter(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_mapping(answer, PARAMS_EXAMPLE)
    if bad is not None:
        return bad
    lab = ex.fresh()[0]
    response = lab.call("CreateSnapshot", answer)
    if response.ok:
        return wrong(
            _("The API accepted it (HTTP 200, SnapshotId {snapshot}): nothing in it is wrong.").format(
                snapshot=response.data["SnapshotId"]
            ),
            *ignored_note(answer),
        )
    check_id, detail = response.failure or ("", "")
    if response.code != "InvalidParameter":
        return wrong(refusal(response), _("That is a refusal, but this exercise wants InvalidParameter."))
    if not check_id.startswith("RetentionDays."):
        return wrong(
            _("InvalidParameter, yes, but it came from another parameter: {reason}.").format(reason=detail),
            _("InvalidParameter has more than one cause; this exercise wants the one RetentionDays gives."),
        )
    rest = {k: v for k, v in answer.items() if k != "RetentionDays"}
    other_lab = ex.fresh()[0]
    without = other_lab.call("CreateSnapshot", rest)
    if not without.ok:
        return wrong(
            _(
                "RetentionDays is refused, good ({reason}). But something else is wrong too: without RetentionDays "
                "the request still fails. {refusal}"
            ).format(reason=detail, refusal=refusal(without)),
            _("Make RetentionDays the only thing wrong."),
        )
    return correct(refusal(response), _("The trace's last step: {step}").format(step=response.trace[-1]))


ERROR_WITH_PARAMETER = dict(
    name="error_with_parameter",
    title=N_("An error on purpose"),
    prompt=N_("""\
Errors are lessons too. Using the disk `$disk` (`$ex.ids["disk"]`), write CreateSnapshot parameters that the API
refuses with **InvalidParameter** because of **RetentionDays**, and for no other reason: without RetentionDays the
same request must succeed.

`response.explain()` shows the checks that ran and which one failed."""),
    setup=lambda: ready_lab(102),
    judge=judge_error_with_parameter,
    hint=N_(
        "The seed says RetentionDays is an Integer, 'Valid values: 1 to 65,536. Unit: day.' What is just outside "
        "that range?"
    ),
    solution="""\
answer = {"DiskId": $ex.ids["disk"], "SnapshotName": "too-short", "RetentionDays": 0}""",
)


# ---------------------------------------------------------------- 3 and 4. which code wins


@dataclass(frozen=True)
class Puzzle:
    """A request with several things wrong. `build(flaws)` makes the lab and request with only those flaws, so the
    judge can ask the lab what each flaw alone answers (nothing about the order is written down here)."""

    flaws: dict[str, str]  # flaw -> what is wrong, in words (marked with N_, shown through _())
    build: Callable[[frozenset[str]], tuple[Lab, dict[str, str], dict[str, object]]]

    def answers(self) -> tuple[Response, dict[str, Response]]:
        lab, _ids, params = self.build(frozenset(self.flaws))
        alone = {}
        for flaw in self.flaws:
            flaw_lab, _flaw_ids, flaw_params = self.build(frozenset({flaw}))
            alone[flaw] = flaw_lab.call("CreateSnapshot", flaw_params)
        return lab.call("CreateSnapshot", params), alone


def judge_which_code(puzzle: Puzzle, answer: Any) -> Verdict:
    if not isinstance(answer, str):
        return wrong(
            _("Your answer is {answer}; give the error code as a string, e.g. 'QuotaExceed.Snapshot'.").format(
                answer=show(answer)
            )
        )
    given = answer.strip()
    response, alone = puzzle.answers()
    winner = response.code or ""
    order = sorted(alone.items(), key=lambda item: int(item[1].trace[-1].number or 0))
    explained = [
        (
            _("step {number}: {flaw} -> {code} (answers)") if r.code == winner else _("step {number}: {flaw} -> {code}")
        ).format(number=r.trace[-1].number, flaw=_(puzzle.flaws[flaw]), code=r.code)
        for flaw, r in order
    ]
    if given == winner:
        return correct(
            _("The lab answers {code} (HTTP {status}): {message}").format(
                code=winner, status=response.status, message=response.message
            ),
            _(
                "Its checks run in a fixed order and the first failure is the answer. The order is the lab's "
                "documented choice (the seed lists the codes, not their order); the cloud may answer another of these "
                "codes:"
            ),
            *explained,
        )
    if given.lower() == winner.lower():
        return wrong(_("Almost: error codes are case-sensitive; the API spells it {code}.").format(code=winner))
    for flaw, r in alone.items():
        if r.code == given:
            step = r.trace[-1]
            return wrong(
                _('{code} is the answer when the only problem is that {flaw} (step {number}: "{rule}").').format(
                    code=given, flaw=_(puzzle.flaws[flaw]), number=step.number, rule=_(step.rule).rstrip(".。")
                ),
                _(
                    "But the lab's checks run in order and the first failure is the answer: another problem is "
                    "checked before step {number}. `response.explain()` lists the checks in the order they ran."
                ).format(number=step.number),
            )
    return wrong(_not_a_code_here(given, winner, [r.code or "" for _flaw, r in order]))


def _not_a_code_here(given: str, winner: str, codes: list[str]) -> str:
    """Why `given` is not the answer when no problem of the request alone answers it (`codes`: what each does)."""
    if winner.startswith(f"{given}."):
        return _(
            "Close: the API answers a more exact code than {code}. Which {code}.* code? What is the problem?"
        ).format(code=given)
    family = [code for code in codes if code.startswith(f"{given}.")]
    if family:
        return _(
            "{code} is the start of a code: alone, that problem answers {codes}. And is it the problem checked first?"
        ).format(code=given, codes=_(" or ").join(dict.fromkeys(family)))
    if given not in {entry.code for entry in error_catalog()}:
        return _("{code!r} is not an error code of the API; `ecs_snap_lab.error_catalog()` lists them all.").format(
            code=given
        )
    return _("{code} is an error code of the API, but none of the problems in this request causes it.").format(
        code=given
    )


def _check_order_params(flaws: frozenset[str]) -> tuple[Lab, dict[str, str], dict[str, object]]:
    lab = Lab(seed=103)
    ready = lab.ready_disk()
    spare = lab.create_disk(40)
    params: dict[str, object] = {
        "DiskId": spare if "never_attached" in flaws else ready,
        "SnapshotName": "auto-nightly" if "auto_name" in flaws else "nightly",
    }
    if "retention" in flaws:
        params["RetentionDays"] = 0
    return lab, {"spare": spare, "ready": ready}, params


PARAMS_VS_WORLD = Puzzle(
    {
        "never_attached": N_("the disk was never attached to an instance"),
        "auto_name": N_("the name starts with auto"),
        "retention": N_("RetentionDays is 0"),
    },
    _check_order_params,
)


def _world_order(flaws: frozenset[str]) -> tuple[Lab, dict[str, str], dict[str, object]]:
    lab = Lab(seed=104)
    disk = lab.ready_disk()
    instance = lab.disk(disk).instance_id or ""
    if "in_progress" in flaws:
        lab.create_snapshot(disk, name="earlier")
        lab.advance(minutes=1)
    if "locked" in flaws:
        lab.knobs.lock_instance(instance, "security")
    if "arrears" in flaws:
        lab.knobs.set_in_arrears(disk)
    return lab, {"disk": disk, "instance": instance}, {"DiskId": disk, "SnapshotName": "weekly"}


WORLD_VS_WORLD = Puzzle(
    {
        "in_progress": N_("an earlier snapshot of the disk is still progressing"),
        "locked": N_("the instance is locked for security"),
        "arrears": N_("the pay-as-you-go disk is in arrears"),
    },
    _world_order,
)


def _fresh(build: Callable[[frozenset[str]], tuple[Lab, dict[str, str], dict[str, object]]], flaws: dict[str, str]):
    def setup() -> tuple[Lab, dict[str, str]]:
        lab, ids, _params = build(frozenset(flaws))
        return lab, ids

    return setup


PARAMS_CHECK_ORDER = dict(
    name="params_check_order",
    title=N_("Which code wins? (the request)"),
    prompt=N_("""\
Three things are wrong with this request on `lab = $ex.lab()`:

```python
{"DiskId": "$spare", "SnapshotName": "auto-nightly", "RetentionDays": 0}
```

- the disk `$spare` was created with CreateDisk and never attached to an instance,
- the name starts with `auto`, which the API keeps for automatic snapshots,
- RetentionDays is 0.

The API answers with one error code only. **Which one does the lab answer?** The seed lists the codes but not the
order of its checks, so the order is the lab's documented choice (notebook 03, section 5): the request's parameters
in the order of the parameter table, then the world. Predict from that order, then ask the lab. Answer the code as a
string."""),
    setup=_fresh(_check_order_params, PARAMS_VS_WORLD.flaws),
    judge=lambda ex, answer: judge_which_code(PARAMS_VS_WORLD, answer),
    hint=N_(
        "The API first reads the request (parameters, in the order of the parameter table), and only then looks at "
        "the world (account, disk, instance). The first failed check answers."
    ),
    solution="""\
# SnapshotName is checked (step 2) before RetentionDays (step 4), and both before the disk (step 12)
answer = "InvalidSnapshotName.Malformed"
""",
)

WORLD_CHECK_ORDER = dict(
    name="world_check_order",
    title=N_("Which code wins? (the world)"),
    prompt=N_("""\
This time the request is fine: `{"DiskId": "$disk", "SnapshotName": "weekly"}`. The world is not. In
`lab = $ex.lab()`:

- a snapshot of `$disk` taken a minute ago is still progressing,
- its instance `$instance` is locked for security (`OperationLocks` LockReason `security`),
- the disk is pay-as-you-go and in arrears (overdue payment).

**Which error code does the lab answer?** As in the previous exercise, the order of the world checks is the lab's
documented choice, not the seed's (notebook 03, section 5): from the account, to the disk, to its instance, to what
is happening on the disk. Answer the code as a string."""),
    setup=_fresh(_world_order, WORLD_VS_WORLD.flaws),
    judge=lambda ex, answer: judge_which_code(WORLD_VS_WORLD, answer),
    hint=N_(
        "The world checks go from the account, to the disk itself (kind, billing, status), to its instance, to "
        "what is happening on the disk (data loading, snapshots in progress, the quota)."
    ),
    solution="""\
# billing of the disk (step 11) comes before its instance (step 13) and snapshots in progress (step 15)
answer = "DiskInArrears"
""",
)


# ---------------------------------------------------------------- 5. the XML answer


def judge_snapshot_id_from_xml(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_function(answer, "snapshot_id_from_xml(xml: str) -> str | None")
    if bad is not None:
        return bad
    lab, ids = ex.fresh()
    disk = ids["disk"]
    first = lab.create_snapshot(disk, name="first")
    lab.advance(hours=1)
    refused = lab.create_snapshot(disk, name="1st-of-month")
    second = lab.create_snapshot(disk, name="second", tags={"env": "prod"})
    lab.advance(hours=1)
    lab.faults.inject("InternalError")
    failed = lab.create_snapshot(disk, name="third")
    cases = [
        (_("a successful CreateSnapshot"), first),
        (_("an error answer (InvalidSnapshotName.Malformed)"), refused),
        (_("a second successful CreateSnapshot"), second),
        (_("an HTTP 500 answer (InternalError)"), failed),
    ]
    for label, response in cases:
        xml = response.to_xml()
        expected = response.data.get("SnapshotId") if response.ok else None
        outcome = run_learner(answer, xml)
        if outcome.error is not None:
            return wrong(
                _("On {label}, {error}").format(label=label, error=outcome.error),
                _("The XML was: {xml}").format(xml=xml),
                *_none_tip(response),
            )
        value = outcome.value
        if value == expected and (value is None or isinstance(value, str)):
            continue
        return wrong(
            _("On {label} you returned {value}; expected {expected}.").format(
                label=label, value=show(value), expected=show(expected)
            ),
            *_why(value, response),
        )
    return correct(
        _("Right on all four answers: two successes (the SnapshotId), a 400 and a 500 (no SnapshotId: None)."),
        _("An error body is <Error> with Code and Message; only a CreateSnapshotResponse carries a SnapshotId."),
    )


def _none_tip(response: Response) -> list[str]:
    if response.ok:
        return []
    return [_("An error answer has no SnapshotId element: return None for it instead of failing.")]


def _why(value: object, response: Response) -> list[str]:
    expected = response.data.get("SnapshotId")
    if value == response.request_id:
        return [_("That is the RequestId (every answer has one); the SnapshotId is its own element.")]
    if expected is not None and getattr(value, "text", None) == expected:
        return [_("That is the XML element; return its text (element.text).")]
    if expected is None:
        return [_("It is an error answer ({code}): there is no snapshot, so return None.").format(code=response.code)]
    if isinstance(value, str) and value.strip() == expected:
        return [_("Close: strip the whitespace.")]
    return [_("The XML was: {xml}").format(xml=response.to_xml())]


XML_ANSWER = dict(
    name="xml_answer",
    title=N_("Read the XML answer"),
    prompt=N_("""\
The API answers in XML by default (`response.to_xml()`). A success looks like
`<CreateSnapshotResponse><RequestId>...</RequestId><SnapshotId>s-...</SnapshotId></CreateSnapshotResponse>`;
a refusal is an `<Error>` with `Code` and `Message`.

Write a function `snapshot_id_from_xml(xml)` that returns the SnapshotId of a CreateSnapshot answer as a string,
or `None` when the answer is an error. The check feeds it answers made on a fresh copy of `$ex.lab()`."""),
    setup=lambda: ready_lab(105),
    judge=judge_snapshot_id_from_xml,
    hint=N_(
        "xml.etree.ElementTree.fromstring(xml) gives the root element; root.findtext('SnapshotId') returns the "
        "element's text, or None when there is no such element."
    ),
    solution="""\
import xml.etree.ElementTree as ET


def snapshot_id_from_xml(xml):
    root = ET.fromstring(xml)
    if root.tag != "CreateSnapshotResponse":
        return None  # an <Error>: Code and Message, no snapshot
    return root.findtext("SnapshotId")""",
    answer_name="snapshot_id_from_xml",
)
