"""Exercises on idempotence: what a ClientToken makes of a repeated request, and retrying CreateSnapshot safely."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..i18n import N_, _
from ..lab import Lab, RequestRecord
from ..model.faults import MAX_TIMES
from ..response import Response
from .base import Exercise, Verdict, correct, not_a_function, refusal, run_learner, show, text_answer, wrong

SHOWN_REQUESTS = 8
MAX_TRIES = 8  # the bound the prompt asks for: a retry loop that gives up
SLOW_SECONDS = 20  # how long the slow scenario's back end stays busy

# ---------------------------------------------------------------- what a token makes of a repeated request

NEW, SAME = "new", "same"
TOKEN_SEQUENCE: tuple[tuple[str, str], ...] = (  # (SnapshotName, ClientToken) in the order sent; an hour after the 4th
    ("nightly", "night-1"),
    ("nightly", "night-1"),
    ("nightly-v2", "night-1"),
    ("nightly", "night-2"),
    ("nightly", "night-2"),
    ("nightly", "night-1"),
)
WAIT_AFTER = 4  # the clock moves an hour after this many requests


def token_setup() -> tuple[Lab, dict[str, str]]:
    lab = Lab(seed=115)
    return lab, {"disk": lab.ready_disk()}


def token_answers(lab: Lab, disk: str) -> list[tuple[str, Response]]:
    """Send the sequence; each answer as the exercise words it: new, same, or the error code."""
    seen: set[str] = set()
    out = []
    for n, (name, token) in enumerate(TOKEN_SEQUENCE, start=1):
        response = lab.call("CreateSnapshot", {"DiskId": disk, "SnapshotName": name, "ClientToken": token})
        if response.ok:
            snapshot_id = response.data["SnapshotId"]
            out.append((SAME if snapshot_id in seen else NEW, response))
            seen.add(snapshot_id)
        else:
            out.append((response.code or "", response))
        if n == WAIT_AFTER:
            lab.advance(hours=1)
    return out


def judge_token_outcomes(ex: Exercise, answer: Any) -> Verdict:
    if not isinstance(answer, list | tuple) or len(answer) != len(TOKEN_SEQUENCE):
        return wrong(
            _(
                "Your answer is {answer}; give a list of {count} strings, one per request, each '{new}', '{same}' or "
                "an error code, e.g. ['{new}', '{new}', ...]."
            ).format(answer=show(answer), count=len(TOKEN_SEQUENCE), new=NEW, same=SAME)
        )
    lab, ids = ex.fresh()
    expected = token_answers(lab, ids["disk"])
    for n, (given, (want, response)) in enumerate(zip(answer, expected, strict=True), start=1):
        said = text_answer(given)
        if said is not None and want in (NEW, SAME):
            said = said.lower()
        if said == want:
            continue
        lines = [
            _("Request {n} ({request}): you said {said}, the lab answers {want!r}.").format(
                n=n, request=_request_words(n), said=show(given), want=want
            )
        ]
        if said is not None and said.lower() == want.lower():
            lines.append(_("Error codes are case-sensitive: the API spells it {code}.").format(code=want))
        lines.append(_why_token(n, want, response))
        return wrong(*lines)
    return correct(
        _(
            "All six. The same token with the same parameters replays the first answer (nothing new is made), even a "
            "day later; with other parameters it is IdempotentParameterMismatch. A refused request does not use its "
            "token up: the same token succeeds once the disk is free. So make one token per intended snapshot."
        )
    )


def _request_words(n: int) -> str:
    name, token = TOKEN_SEQUENCE[n - 1]
    return f"SnapshotName={name!r}, ClientToken={token!r}"


def _why_token(n: int, want: str, response: Response) -> str:
    if want == SAME:
        return _(
            "It replays the answer of the first request with ClientToken {token!r}: same token, same parameters, "
            "same SnapshotId, and nothing new is created."
        ).format(token=TOKEN_SEQUENCE[n - 1][1])
    if want == NEW:
        return _(
            "ClientToken {token!r} had not made a snapshot yet, so this is a new request and the API creates a "
            "snapshot."
        ).format(token=TOKEN_SEQUENCE[n - 1][1])
    return refusal(response)


TOKEN_OUTCOMES = dict(
    name="token_outcomes",
    title=N_("What does a token make of a repeat?"),
    prompt=N_("""\
On a fresh `lab = $ex.lab()` these six CreateSnapshot requests are sent to the disk `$disk`, in this order, with the
clock moved on **one hour after the fourth** (`lab.advance(hours=1)`):

| # | SnapshotName | ClientToken |
|---|---|---|
| 1 | `nightly` | `night-1` |
| 2 | `nightly` | `night-1` |
| 3 | `nightly-v2` | `night-1` |
| 4 | `nightly` | `night-2` |
| 5 | `nightly` | `night-2` |
| 6 | `nightly` | `night-1` |

For each, **what does the API answer?** Write `"new"` when it creates a new snapshot, `"same"` when it answers the
SnapshotId of an earlier request again, or the error code. Answer a list of six strings. The disk's first snapshot
takes a few minutes to copy."""),
    setup=token_setup,
    judge=judge_token_outcomes,
    hint=N_(
        "A used token with the same parameters replays its first answer; with other parameters it is refused. A "
        "token is used only by a request that succeeded. And while a snapshot of a disk is progressing, a new one of "
        "the same disk is refused (notebook 03)."
    ),
    solution="""\
answer = ["new", "same", "IdempotentParameterMismatch", "IncorrectDiskStatus.CreatingSnapshot", "new", "same"]""",
)


# ---------------------------------------------------------------- retrying safely


@dataclass(frozen=True)
class Scenario:
    """A situation the learner's retry function meets, and what it must do there."""

    label: str  # marked with N_ (formatted with slow=SLOW_SECONDS), shown through _()
    arrange: Callable[[Lab, str], object]  # (lab, disk)
    succeeds: bool = True  # False: the function must give up (raise or return None) and make nothing
    retry_helps: bool = True  # False: a refusal no retry can fix, so one try is enough


def _arm(kind: str, **kwargs: Any) -> Callable[[Lab, str], object]:
    return lambda lab, disk: lab.faults.inject(kind, **kwargs)


SCENARIOS = (
    Scenario(N_("LostResponse (the snapshot is made, then the answer is lost)"), _arm("LostResponse")),
    Scenario(N_("no fault"), lambda lab, disk: None),
    Scenario(N_("InternalError twice (a 500 before anything happens)"), _arm("InternalError", times=2)),
    Scenario(
        N_("SlowRequest (the back end keeps working {slow} s; meanwhile a retry gets IdempotentProcessing)"),
        _arm("SlowRequest", seconds=SLOW_SECONDS),
    ),
    Scenario(
        N_("InternalError on every try (an outage that outlasts any retry)"),
        _arm("InternalError", times=MAX_TIMES),
        False,
    ),
    Scenario(
        N_("a disk in arrears (DiskInArrears: a refusal no retry can fix)"),
        lambda lab, disk: lab.knobs.set_in_arrears(disk),
        succeeds=False,
        retry_helps=False,
    ),
)


def retry_setup() -> tuple[Lab, dict[str, str]]:
    """A ready disk and a LostResponse fault armed: the next CreateSnapshot is made, then its answer is lost."""
    lab = Lab(seed=111)
    disk = lab.ready_disk()
    lab.faults.inject("LostResponse")
    return lab, {"disk": disk}


def _fresh_lab(ex: Exercise) -> tuple[Lab, str]:
    lab, ids = ex.fresh()
    lab.faults.clear()
    return lab, ids["disk"]


@dataclass
class Night:
    """What one call of the learner's function did."""

    value: Any
    error: str | None
    made: list[str]
    sent: list[RequestRecord]


def run_night(answer: Any, lab: Lab, disk: str) -> Night:
    before, logged = {s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk)}, len(lab.requests)
    outcome = run_learner(answer, lab, disk, lab=lab)
    made = [s["SnapshotId"] for s in lab.describe_snapshots(DiskId=disk) if s["SnapshotId"] not in before]
    sent = [r for r in lab.requests[logged:] if r.action == "CreateSnapshot"]
    return Night(outcome.value, outcome.error, made, sent)


def judge_retry(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_function(answer, "create_with_retry(lab, disk_id) -> str")
    if bad is not None:
        return bad
    for scenario in SCENARIOS:
        lab, disk = _fresh_lab(ex)
        scenario.arrange(lab, disk)
        night = run_night(answer, lab, disk)
        problem = _judge_night(night, scenario)
        if problem is not None:
            label = _(scenario.label).format(slow=SLOW_SECONDS)
            return wrong(_("With {label}:").format(label=label), *problem, *_requests(night.sent))
    lab, disk = _fresh_lab(ex)
    first = run_night(answer, lab, disk)
    lab.advance(days=1)
    second = run_night(answer, lab, disk)
    if second.error is None and (len(second.made) != 1 or second.value == first.value):
        return wrong(
            _("On the second night (the same function, a day later, no fault):"),
            _("it returned {value} and made {count} new snapshots; the night before it returned {first}.").format(
                value=show(second.value), count=len(second.made), first=show(first.value)
            ),
            _(
                "A ClientToken stands for one intended snapshot: a token fixed per disk replays the first night's "
                "answer forever, and no new backup is taken. Make a new token for each snapshot you intend, and reuse "
                "it only for the retries of that one."
            ),
            *_requests(second.sent),
        )
    return correct(
        _(
            "One snapshot and its SnapshotId each night and under every fault; you gave up on an outage and on a "
            "refusal, after a bounded number of tries with growing waits. The same ClientToken on every try turns a "
            "retry after a lost or slow answer into a replay of the first; a new token each night makes a new backup."
        )
    )


def _judge_night(night: Night, scenario: Scenario) -> list[str] | None:
    tries = len(night.sent)
    if night.error is not None and scenario.succeeds:
        return [
            night.error[0].upper() + night.error[1:],
            *_made(night.made),
            *_token_lesson(night.sent),
            *(_backoff(night.sent) or []),
        ]
    if tries > MAX_TRIES:
        return [
            _("Your function sent {count} requests; stop after at most {most} tries and report the failure.").format(
                count=tries, most=MAX_TRIES
            )
        ]
    if not scenario.succeeds:
        if night.made or (night.error is None and night.value is not None):
            return [
                _("It returned {value}, but there is no snapshot to return: raise, or return None.").format(
                    value=show(night.value)
                )
            ]
        if not scenario.retry_helps and tries > 1:
            return [
                _(
                    "A 4xx refusal other than IdempotentProcessing says what is wrong with the request or the disk: "
                    "retrying it cannot help. Retry only 5xx answers and IdempotentProcessing."
                )
            ]
        return _backoff(night.sent)
    if len(night.made) != 1:
        return [
            _("{count} snapshots were created; there must be exactly one.").format(count=len(night.made)),
            *_made(night.made),
            *_token_lesson(night.sent),
        ]
    if night.value != night.made[0]:
        return [
            _("Your function returned {value}, but the snapshot it made is {made}.").format(
                value=show(night.value), made=night.made[0]
            ),
            *_token_lesson(night.sent),
        ]
    if len({r.params.get("ClientToken") for r in night.sent}) != 1 or not night.sent[0].params.get("ClientToken"):
        return [
            _(
                "Exactly one snapshot: the right outcome, but not by the safe way. Send a ClientToken, the same one "
                "on every retry, so that a retry after a lost answer replays the first answer."
            )
        ]
    return _backoff(night.sent)


def _backoff(sent: list[RequestRecord]) -> list[str] | None:
    """Waits between tries: at least a second, and never shorter than the one before."""
    gaps = [b.at - a.at for a, b in itertools.pairwise(sent)]
    if any(gap < 1 for gap in gaps):
        return [
            _(
                "Your function retried at once: wait between tries (`lab.advance(seconds=...)` stands in for "
                "`time.sleep`), so that a struggling service has time to recover."
            )
        ]
    if any(b < a for a, b in itertools.pairwise(gaps)) or (len(gaps) > 2 and gaps[-1] == gaps[0]):
        return [
            _(
                "Your waits were {waits}: back off, making each wait longer than the one before (1 s, 2 s, 4 s, ...), "
                "so that many clients retrying at once do not keep the service down."
            ).format(waits=", ".join(f"{g} s" for g in gaps))
        ]
    return None


def _requests(records: list[RequestRecord]) -> list[str]:
    """The requests in words, tokens named A, B, ... in order of appearance (their values may be random)."""
    names: dict[str, str] = {}
    lines = []
    for n, record in enumerate(records[:SHOWN_REQUESTS], start=1):
        token = record.params.get("ClientToken")
        said = (
            _("token {name}").format(name=names.setdefault(token, chr(ord("A") + len(names))))
            if token
            else _("no ClientToken")
        )
        answer = f"HTTP {record.status}" + (f" {record.code}" if record.code else "")
        lines.append(f"  {n}. CreateSnapshot ({said}) -> {answer}")
    if len(records) > SHOWN_REQUESTS:
        lines.append(_("  ... and {count} more").format(count=len(records) - SHOWN_REQUESTS))
    return [_("Your requests:"), *lines] if lines else [_("Your function sent no CreateSnapshot request.")]


def _made(made: list[str]) -> list[str]:
    return [_("Snapshots created: {ids}.").format(ids=", ".join(made))] if made else [_("No snapshot was created.")]


def _token_lesson(sent: list[RequestRecord]) -> list[str]:
    tokens = [r.params.get("ClientToken") for r in sent]
    if tokens and not any(tokens):
        return [_("Without a ClientToken the API cannot tell a retry from a new request.")]
    if len({t for t in tokens if t}) > 1:
        return [_("Each try used another ClientToken, so to the API every try was a new request.")]
    if any(r.code == "IdempotentProcessing" for r in sent):
        return [_("IdempotentProcessing (403) means the first try is still being worked on: wait and retry it.")]
    return []


RETRY_WITH_TOKEN = dict(
    name="retry_with_token",
    title=N_("Retry safely"),
    prompt=lambda: _("""\
An HTTP 500 (`InternalError`) does not tell you whether the snapshot was made. In `lab = $ex.lab()` a fault is
armed: `lab.faults.inject("LostResponse")`: the next CreateSnapshot **is** made, and then its answer is lost.

Write a function `create_with_retry(lab, disk_id)` that creates one snapshot of `disk_id` and returns its
SnapshotId. It must:

- retry an answer that may succeed later: HTTP 5xx, and `IdempotentProcessing` (the first try is still being worked on);
- never make two snapshots for one call, and make a **new** one on every call (it runs every night);
- wait between tries, each wait longer than the one before (`lab.advance(seconds=...)` stands in for `time.sleep`);
- give up after at most {most} tries, or at once on a refusal no retry can fix, by raising an exception (or
  returning `None`).

The check runs it on fresh copies of this lab: with no fault, LostResponse, InternalError twice, a SlowRequest that
keeps the back end busy {slow} s, an outage that never ends, a disk in arrears, and on two nights in a row.""").format(
        most=MAX_TRIES, slow=SLOW_SECONDS
    ),
    setup=retry_setup,
    judge=judge_retry,
    hint=N_(
        "Read the ClientToken row of the seed's parameter table: 'used to ensure the idempotence of the request'. "
        "Make one token (uuid.uuid4()) before the first try, send the same token on every retry of that call, and a "
        "new one on the next call. Double the wait after each failed try."
    ),
    solution="""\
import uuid


def create_with_retry(lab, disk_id, tries=8):
    token = str(uuid.uuid4())  # one token per intended snapshot, the same on every try of it
    wait = 1
    for _ in range(tries):
        response = lab.create_snapshot(disk_id, name="nightly", client_token=token)
        if response.ok:
            return response.data["SnapshotId"]
        if response.status < 500 and response.code != "IdempotentProcessing":
            raise RuntimeError(f"refused: {response.code}")  # retrying will not help
        lab.advance(seconds=wait)  # on the cloud: time.sleep(wait)
        wait *= 2
    raise RuntimeError(f"still failing after {tries} tries")""",
    answer_name="create_with_retry",
)
