"""An exercise on idempotence: retrying CreateSnapshot after an HTTP 500 without making a second snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..lab import Lab, RequestRecord
from .base import Exercise, Verdict, correct, not_a_function, run_learner, show, wrong

SHOWN_REQUESTS = 6


def setup() -> tuple[Lab, dict[str, str]]:
    """A ready disk and a LostResponse fault armed: the next CreateSnapshot is made, then its answer is lost."""
    lab = Lab(seed=111)
    disk = lab.ready_disk()
    lab.faults.inject("LostResponse")
    return lab, {"disk": disk}


def _internal_error(lab: Lab) -> None:
    lab.faults.clear()
    lab.faults.inject("InternalError")


SCENARIOS: list[tuple[str, Callable[[Lab], object]]] = [
    ("LostResponse armed (the snapshot is made, then the answer is lost)", lambda lab: None),
    ("InternalError armed (the request fails before it does anything)", _internal_error),
    ("no fault armed", lambda lab: lab.faults.clear()),
]


def _requests(records: list[RequestRecord]) -> list[str]:
    lines = []
    for n, record in enumerate(records[:SHOWN_REQUESTS], start=1):
        token = record.params.get("ClientToken")
        said = f"ClientToken={token!r}" if token else "no ClientToken"
        answer = f"HTTP {record.status}" + (f" {record.code}" if record.code else "")
        lines.append(f"  {n}. {record.action} ({said}) -> {answer}")
    if len(records) > SHOWN_REQUESTS:
        lines.append(f"  ... and {len(records) - SHOWN_REQUESTS} more")
    return ["Your requests:", *lines] if lines else ["Your function sent no CreateSnapshot request."]


def judge(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_function(answer, "create_with_retry(lab, disk_id) -> str")
    if bad is not None:
        return bad
    for scenario, arrange in SCENARIOS:
        lab, ids = ex.fresh()
        disk = ids["disk"]
        arrange(lab)
        before, logged = set(lab.world.by_disk.get(disk, {})), len(lab.request_log)
        outcome = run_learner(answer, lab, disk, lab=lab)
        made = [s for s in lab.world.by_disk.get(disk, {}) if s not in before]
        sent = [r for r in lab.requests[logged:] if r.action == "CreateSnapshot"]
        tokens = [r.params.get("ClientToken") for r in sent]
        head = f"With {scenario}:"
        lost = scenario.startswith("LostResponse")
        if outcome.error is not None:
            return wrong(
                head,
                outcome.error[0].upper() + outcome.error[1:],
                *_made(made),
                *_requests(sent),
                *_token_lesson(tokens, lost),
            )
        if len(made) != 1:
            return wrong(
                head,
                f"{len(made)} snapshots were created; there must be exactly one.",
                *_made(made),
                *_requests(sent),
                *_token_lesson(tokens, lost),
            )
        if outcome.value != made[0]:
            return wrong(
                head,
                f"Your function returned {show(outcome.value)}, but the snapshot it made is {made[0]}.",
                *_requests(sent),
                *_token_lesson(tokens, lost),
            )
        if not all(tokens) or len(set(tokens)) != 1:
            return wrong(
                head,
                "Exactly one snapshot, and its id: the right outcome. But not by the safe way:",
                *_requests(sent),
                "Send a ClientToken, and the same one on every retry: then a retry after a lost answer gets the "
                "first answer again instead of depending on what the disk is doing.",
            )
    return correct(
        "One snapshot and its SnapshotId in all three cases. The same ClientToken on every try turns a retry after "
        "a lost answer into a replay of the first answer: nothing new is created. After a 500 before any effect "
        "the token is still unused, so the retry creates the snapshot."
    )


def _made(made: list[str]) -> list[str]:
    return [f"Snapshots created: {', '.join(made)}."] if made else ["No snapshot was created."]


def _token_lesson(tokens: list[str | None], lost: bool) -> list[str]:
    if tokens and not any(tokens):
        return [
            "Without a ClientToken the API cannot tell a retry from a new request."
            + (
                " After LostResponse the first request did create its snapshot (the 500 came after the effect)."
                if lost
                else ""
            )
        ]
    if len({t for t in tokens if t}) > 1:
        return ["Each try used another ClientToken, so to the API every try was a new request."]
    return []


RETRY_WITH_TOKEN = dict(
    name="retry_with_token",
    title="Retry safely",
    prompt="""\
An HTTP 500 (`InternalError`) does not tell you whether the snapshot was made. In `lab = $ex.lab()` a fault is
armed: `lab.faults.inject("LostResponse")`: the next CreateSnapshot **is** made, and then its answer is lost.

Write a function `create_with_retry(lab, disk_id)` that creates one snapshot of `disk_id` and returns its
SnapshotId, retrying when the answer is HTTP 500. The check runs it on fresh copies of this lab: with LostResponse
armed, with `InternalError` armed (a 500 before anything happens), and with no fault. Each time there must be
**exactly one** new snapshot, and your function must return its id.""",
    setup=setup,
    judge=judge,
    hint="Read the ClientToken row of the seed's parameter table: 'used to ensure the idempotence of the request'. "
    "Make one token before the first try and send the same token on every retry.",
    solution="""\
def create_with_retry(lab, disk_id, tries=5):
    token = f"create-{disk_id}-1"  # one token per intended snapshot, the same on every try
    for _ in range(tries):
        response = lab.create_snapshot(disk_id, name="with-retry", client_token=token)
        if response.ok:
            return response.data["SnapshotId"]
        if response.status != 500:
            raise RuntimeError(str(response))  # a refusal: retrying will not help
    raise RuntimeError(f"still failing after {tries} tries")""",
    answer_name="create_with_retry",
)
