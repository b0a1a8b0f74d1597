"""The exercise machinery: prompt, check(), hint() and solution(), fresh labs, and a guard around learner code.

A check never raises: a wrong type, None, a learner's function that raises or loops calling the lab, even a bug in
a judge, all end as a printed verdict and `False`. Verdicts are plain text built only from seeded labs and the
answer's own values (never an object address), so a notebook prints the same thing on every run.
"""

from __future__ import annotations

import contextlib
import logging
import math
import operator
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from string import Template
from typing import Any, SupportsIndex

from ..i18n import N_, _
from ..lab import Lab
from ..local_time import get_display_timezone
from ..local_time import shown as shown_time
from ..response import Response
from .record import CheckRecord, attempts, publish

log = logging.getLogger(__name__)

CALL_BUDGET = 5000  # lab.call + lab.advance a learner's function may make in one check before it is stopped
SHOW_CHARS = 160  # longest quotation of an answer in a verdict


class _Missing:
    def __repr__(self) -> str:
        return "<no answer>"


MISSING: Any = _Missing()


class Runaway(BaseException):
    """Raised inside a learner's function that calls the lab too often: most likely a loop that never ends.
    A BaseException, so a learner's `except Exception:` retry loop cannot swallow it."""


@dataclass
class Verdict:
    """What check() prints, and whether the answer is right."""

    ok: bool
    lines: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = _("Correct!") if self.ok else _("Not yet.")
        return "\n".join([head, *(f"  {line}" for line in self.lines)])


def correct(*lines: str) -> Verdict:
    return Verdict(True, list(lines))


def wrong(*lines: str) -> Verdict:
    return Verdict(False, list(lines))


Setup = Callable[[], tuple[Lab, dict[str, str]]]
# a prompt or hint: a message marked with N_ (translated when shown), or a function writing it in the current language
Text = str | Callable[[], str]

# every lab that `Exercise.lab()` gave a learner, and its exercise (weak: a lab the learner dropped is forgotten)
HANDED_OUT: weakref.WeakKeyDictionary[Lab, Exercise] = weakref.WeakKeyDictionary()
Judge = Callable[["Exercise", Any], Verdict]


class Exercise:
    """One workshop exercise: `prompt` (markdown), `lab()`, `ids`, `check(answer)`, `hint()`, `solution()`."""

    def __init__(
        self,
        number: int,
        name: str,
        title: str,
        prompt: Text,
        setup: Setup,
        judge: Judge,
        hint: Text,
        solution: str,
        answer_name: str = "answer",
        notebook: str = "",
    ) -> None:
        self.number = number
        self.notebook = notebook  # the notebook whose practice section holds it, e.g. "04_idempotency_and_retries"
        self.name = name
        self.title = title  # English, as marked with N_: shown through _()
        self._prompt = prompt
        self._setup = setup
        self._judge = judge
        self._hint = hint
        self._solution = solution
        self.answer_name = answer_name
        self._ids: dict[str, str] | None = None

    @property
    def variable(self) -> str:
        """The name the notebook imports this exercise under (ex1, ex2, ...); solutions refer to it."""
        return f"ex{self.number}"

    def fresh(self) -> tuple[Lab, dict[str, str]]:
        """A new lab in the exercise's starting state and the ids the prompt names (same every time)."""
        return self._setup()

    def lab(self) -> Lab:
        """The world to work on: a new one on every call, the same every time (a seeded lab). The lab remembers
        which exercise it belongs to, so a check can tell a learner who answers from another exercise's world."""
        lab = self._setup()[0]
        HANDED_OUT[lab] = self
        return lab

    @property
    def ids(self) -> dict[str, str]:
        """The resources the prompt names, e.g. {"disk": "d-..."} (a copy: changing it changes nothing)."""
        if self._ids is None:
            self._ids = self._setup()[1]
        return dict(self._ids)

    @property
    def prompt(self) -> str:
        """The task in words (markdown), with this exercise's resource ids filled in."""
        text = Template(shown(self._prompt)).safe_substitute(self.ids, ex=self.variable)
        head = _("### Exercise {number}: {title}").format(number=self.number, title=_(self.title))
        return f"{head}\n\n{text}"

    def check(self, answer: Any = MISSING) -> bool:
        """Show a verdict on `answer` and return whether it is right. Never raises. In a notebook the verdict
        carries a record (exercise, right or not, attempt) that `ecs-snap-lab progress` reads back."""
        if answer is MISSING:
            verdict = wrong(
                _("Pass your answer to the check, e.g. `{variable}.check({answer})`.").format(
                    variable=self.variable, answer=self.answer_name
                )
            )
        else:
            try:
                verdict = self._judge(self, answer)
            except Runaway:
                text = runaway_text()
                verdict = wrong(text[0].upper() + text[1:])
            except Exception as exc:  # a judge meeting an answer it did not foresee: still a verdict, not a traceback
                log.info("the check of %s could not judge the answer", self.name, exc_info=True)
                verdict = wrong(
                    _("Your answer could not be checked ({error}).").format(error=error_text(exc)),
                    _("Expected {answer}: see `{variable}.prompt` for its form.").format(
                        answer=self.answer_name, variable=self.variable
                    ),
                )
        if not verdict.ok:
            elsewhere = foreign_world(self, answer)
            if elsewhere is not None:
                verdict.lines.insert(0, elsewhere)
        publish(verdict.text(), CheckRecord(self.name, self.number, verdict.ok, attempts.next(self.name)))
        return verdict.ok

    def hint(self) -> None:
        """Print a hint: the idea, not the answer."""
        print(_("Hint: {hint}").format(hint=shown(self._hint)))

    def solution(self) -> Any:
        """Print the solution as code and return its value (what check() accepts)."""
        code = Template(self._solution).safe_substitute(ex=self.variable).strip()
        print(_("Solution:") + f"\n{code}")
        namespace: dict[str, Any] = {self.variable: self}
        exec(compile(code, f"<solution to {self.variable}>", "exec"), namespace)  # the printed text is the answer
        return namespace[self.answer_name]

    def _repr_markdown_(self) -> str:
        return self.prompt

    def __repr__(self) -> str:
        return f"<Exercise {self.number}: {self.title}>"


def shown(text: Text) -> str:
    """A prompt or hint in the current language."""
    return text() if callable(text) else _(text)


# ---------------------------------------------------------------- answers made on another exercise's world


def foreign_world(ex: Exercise, answer: object) -> str | None:
    """A sentence if the answer names a resource of a lab another exercise handed out and not of this one's."""
    names = set(resource_ids(answer))
    if not names:
        return None
    own = ex.fresh()[0]
    for rid in sorted(names):
        if owns(own, rid):
            continue
        for lab, other in list(HANDED_OUT.items()):
            if other is not ex and owns(lab, rid):
                return _(
                    "{rid} belongs to the lab of {other} ({title}), not to this exercise's: run "
                    "`lab = {variable}.lab()` and answer from that world."
                ).format(rid=rid, other=other.variable, title=_(other.title), variable=ex.variable)
    return None


def resource_ids(answer: object) -> Iterator[str]:
    """The strings in an answer that look like resource ids (d-..., s-..., i-..., ...), in values and lists."""
    values = (
        answer.values() if isinstance(answer, Mapping) else answer if isinstance(answer, list | tuple) else [answer]
    )
    for value in values:
        if isinstance(value, str) and len(value) < 64 and value[1:2] == "-" and value[:1].isalpha():
            yield value.strip()


def owns(lab: Lab, resource_id: str) -> bool:
    """Whether the lab holds a disk, snapshot, instance or image with this id."""
    for lookup in (lab.disk, lab.snapshot, lab.instance, lab.image):
        try:
            lookup(resource_id)
        except KeyError:
            continue
        return True
    return False


# ---------------------------------------------------------------- helpers for judges


def whole_number(answer: object) -> int | None:
    """An integral answer of any type (int, numpy, pandas, a whole float such as 31.0) as an int; None if it is not
    one. Counts made with pandas come back as numpy integers, and are as right as a plain int."""
    if isinstance(answer, bool) or answer is None or isinstance(answer, str | bytes):
        return None
    if isinstance(answer, SupportsIndex):
        with contextlib.suppress(TypeError):  # a 0-d float array has __index__, and it raises
            return operator.index(answer)  # int, numpy integers, 0-d integer arrays
    try:
        number = float(answer)  # type: ignore[arg-type]  # numpy and pandas floats, Decimal, Fraction
    except (TypeError, ValueError, OverflowError):
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


def text_answer(answer: object) -> str | None:
    """A string answer without the spaces around it (a copied SnapshotId often carries some); None if not a str."""
    return answer.strip() if isinstance(answer, str) else None


def show(value: object) -> str:
    """A short, deterministic quotation of an answer (no object addresses)."""
    if isinstance(value, str | int | float | bool | type(None) | dict | list | tuple | set | datetime | timedelta):
        try:
            text = repr(value)
        except Exception:
            return a_type(value)
        if " at 0x" in text:
            return a_type(value)
        return text if len(text) <= SHOW_CHARS else text[: SHOW_CHARS - 3] + "..."
    if callable(value):
        return _("the function {name}").format(name=getattr(value, "__name__", type(value).__name__))
    return a_type(value)


def a_type(value: object) -> str:
    """'a dict', 'an Element': the type of a value, in words."""
    name = type(value).__name__
    return (_("an {type}") if name[:1].lower() in "aeiou" else _("a {type}")).format(type=name)


def error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if " at 0x" in text:
        text = type(exc).__name__
    return text if len(text) <= SHOW_CHARS else text[: SHOW_CHARS - 3] + "..."


def runaway_text() -> str:
    """A complete sentence, starting in lower case so that it can follow 'With ..., '."""
    return _(
        "your function called the lab more than {budget} times without finishing, so the check stopped it. "
        "Is there a loop that never ends (a wait that never calls lab.advance(), a retry that never gives up)?"
    ).format(budget=CALL_BUDGET)


@contextmanager
def guarded(lab: Lab, budget: int = CALL_BUDGET) -> Iterator[Lab]:
    """Count the lab's calls and advances during a learner's function; past `budget`, raise Runaway."""
    used = 0
    original_call, original_advance = lab.call, lab.advance

    def spend() -> None:
        nonlocal used
        used += 1
        if used > budget:
            raise Runaway

    def call(*args: Any, **kwargs: Any) -> Response:
        spend()
        return original_call(*args, **kwargs)

    def advance(*args: Any, **kwargs: Any) -> datetime:
        spend()
        return original_advance(*args, **kwargs)

    lab.call = call  # type: ignore[method-assign]  # the typed helpers call self.call, so they count too
    lab.advance = advance  # type: ignore[method-assign]
    try:
        yield lab
    finally:
        del lab.call, lab.advance


@dataclass
class Outcome:
    """What a learner's function did: its return value, or what went wrong as a sentence in lower case."""

    value: Any = None
    error: str | None = None
    raised: bool = False  # the function raised an exception (not stopped for looping)


def run_learner(fn: Callable[..., Any], *args: Any, lab: Lab | None = None) -> Outcome:
    """Call learner code; an exception (or a runaway loop, if `lab` is given) becomes an Outcome, never a raise."""
    try:
        if lab is None:
            return Outcome(fn(*args))
        with guarded(lab):
            return Outcome(fn(*args))
    except Runaway:
        return Outcome(error=runaway_text())
    except (Exception, SystemExit) as exc:
        return Outcome(error=_("your function raised {error}.").format(error=error_text(exc).rstrip(".")), raised=True)


def not_a_function(answer: object, signature: str) -> Verdict | None:
    """A verdict if the answer is not something to call, else None."""
    if callable(answer):
        return None
    return wrong(
        _("Your answer is {answer}; this exercise wants a function, `{signature}`.").format(
            answer=show(answer), signature=signature
        ),
        _("Define it with `def`, then pass the function itself (no parentheses) to check()."),
    )


def not_a_mapping(answer: object, example: str) -> Verdict | None:
    """A verdict if the answer is not a dict of parameters, else None."""
    if isinstance(answer, Mapping):
        return None
    return wrong(
        _("Your answer is {answer}; this exercise wants a dict of parameters, such as {example}.").format(
            answer=show(answer), example=example
        )
    )


def refusal(response: Response) -> str:
    """A refused call in words: the code, HTTP status and message, and the lab's reason."""
    text = _("The API answered {code} (HTTP {status}): {message}").format(
        code=response.code, status=response.status, message=response.message
    )
    if response.failure is not None and response.failure[1]:
        text += _(" Why: {reason}.").format(reason=response.failure[1])
    return text


def parse_time(value: object) -> datetime | str:
    """A datetime (UTC) from a datetime or an ISO 8601 string; a str says why it could not be read."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str):
        try:
            return _utc(datetime.fromisoformat(value.strip()))
        except ValueError:
            return _("{answer} is not an ISO 8601 time such as '2026-01-05T13:45:00Z'").format(answer=show(value))
    return _("your answer is {answer}; give a datetime or an ISO 8601 string such as '2026-01-05T13:45:00Z'").format(
        answer=show(value)
    )


def _utc(moment: datetime) -> datetime:
    """A naive datetime is read as UTC, the lab's only time zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def duration_words(seconds: float) -> str:
    """3h 5min 2s style, for 'off by' messages."""
    seconds = math.floor(abs(seconds))
    parts = []
    for unit, size in UNITS:
        if seconds >= size:
            parts.append(_(unit).format(n=seconds // size))
            seconds %= size
    return " ".join(parts) or _(UNITS[-1][0]).format(n=0)


UNITS = ((N_("{n}d"), 86400), (N_("{n}h"), 3600), (N_("{n}min"), 60), (N_("{n}s"), 1))  # duration_words' units


def moment_words(moment: datetime) -> str:
    """A time in a verdict: "2026-01-05 07:12:00" as verdicts write it, or with a display time zone set,
    local_time.shown's UTC time and the zone's time beside it."""
    if get_display_timezone() is None:
        return f"{moment:%Y-%m-%d %H:%M:%S}"
    return shown_time(moment)
