"""Workshop exercises with check(), hint() and solution(), in the manner of Kaggle's learntools.

    >>> from ecs_snap_lab.exercises import ex1
    >>> ex1                      # in a notebook: the task, as markdown (or print(ex1.prompt))
    >>> lab = ex1.lab()          # the world to work on: fresh, and the same every time
    >>> ex1.ids["disk"]          # the resources the prompt names
    >>> ex1.check({"DiskId": ex1.ids["disk"], "SnapshotName": "db-nightly"})   # prints a verdict, returns a bool
    >>> ex1.hint()
    >>> answer = ex1.solution()  # prints the solution as code and returns its value

Exercises, in workshop order, each at the end of the notebook that teaches it: 01: 1 a first snapshot (name,
retention, tags), 2 waiting until a snapshot is done (Status, not RemainTime), 3 DescribeSnapshots filters;
02: 4 an error on purpose (InvalidParameter from RetentionDays), 5 and 6 the deprecated tag spellings; 03: 7 and 8
which code the lab answers first (its documented order), 9 reading the XML answer; 04: 10 what a ClientToken makes
of a repeated request, 11 retrying safely; 05: 12 when RetentionDays releases a snapshot, 13 how many more snapshots
fit, 14 what an automatic snapshot does at the quota; 06: 15 the capstone, a fleet's nightly backups judged over
four simulated weeks. `EXERCISES` lists them; `exercise(n)` takes a number or a
name; `in_notebook(name)` gives a notebook's.

Decisions:
- One object per exercise (`ex1` ... `ex13`), numbered in workshop order, so a notebook cell reads
  `ex3.check(answer)`. Solutions name their exercise the same way, so the printed code runs as it is in a notebook.
- The answer is passed to `check(answer)` (learntools reads a notebook global instead; an argument is explicit and
  testable). An answer is a value (a dict of API parameters, an error code, a time, a number, a SnapshotId) or,
  where the skill is a procedure (reading XML, waiting, retrying, rewriting a request), a function.
- Every check builds its own lab from the exercise's seeded setup, so nothing a learner did in `ex.lab()` can change
  a verdict, and a function answer runs on a fresh copy. A value answer is read on the learner's own lab, so each
  answer cell starts with `lab = exN.lab()`, and a wrong answer naming a resource of another exercise's lab is told
  so (`Exercise.lab()` remembers which exercise each lab belongs to).
- Numbers of any integer type count (int, numpy, pandas, a whole float); string answers are stripped.
- Where an answer depends on a model choice (the order of the checks, automatic snapshots at the quota) the prompt
  says so. RemainTime is an estimate in the lab, as on the cloud, so waiting must read Status.
- Labs are seeded (one seed per exercise), so ids, times and verdicts are identical on every run, as nbval needs.
- Expected answers are never written in a judge: the judge asks the model (the lab answers the request, the clock is
  moved, the disk is filled to its quota) and compares. Only `solution()` states answers, and the tests feed each
  solution back to its check, so a change of the model that changes an answer fails a test.
- A verdict starts "Correct!" or "Not yet." and then says what is right, or what is wrong and why, quoting the API's
  code, HTTP status, message and the lab's reason. Known slips (counting only accomplished snapshots, the default
  page of 10, a retry without a ClientToken, the RequestId taken for the SnapshotId...) get their own sentence.
- `check()` never raises: a wrong type or None gets a sentence naming the expected form; an exception inside a
  learner's function is quoted; a learner's function that calls the lab more than 5,000 times is stopped (a
  BaseException that `except Exception` cannot swallow) and told it probably loops. A loop that never calls the lab
  cannot be stopped without threads or signals; that is left to the notebook's interrupt button.
- Verdicts quote answers with `show()`, which never prints an object address, so output is the same on every run.
- A naive datetime answer is read as UTC, the lab's only time zone.
- Only the stdlib and the core are imported: no pandas, matplotlib or ipywidgets (the core stays light).
"""

from __future__ import annotations

from .base import Exercise
from .capstone import NIGHTLY_BACKUPS
from .clock import RELEASE_TIME, WAIT_UNTIL_ACCOMPLISHED
from .describe import DESCRIBE_FILTERS
from .quota import AUTO_AT_QUOTA, QUOTA_ROOM
from .requests import ERROR_WITH_PARAMETER, FIRST_SNAPSHOT, PARAMS_CHECK_ORDER, WORLD_CHECK_ORDER, XML_ANSWER
from .retries import RETRY_WITH_TOKEN, TOKEN_OUTCOMES
from .tags import MODERNIZE, TAGS_THAT_WIN

# (notebook, exercises) in workshop order: each notebook ends with the practice of what it taught
_BY_NOTEBOOK = (
    ("01_first_snapshot", (FIRST_SNAPSHOT, WAIT_UNTIL_ACCOMPLISHED, DESCRIBE_FILTERS)),
    ("02_parameters_and_validation", (ERROR_WITH_PARAMETER, TAGS_THAT_WIN, MODERNIZE)),
    ("03_error_codes", (PARAMS_CHECK_ORDER, WORLD_CHECK_ORDER, XML_ANSWER)),
    ("04_idempotency_and_retries", (TOKEN_OUTCOMES, RETRY_WITH_TOKEN)),
    ("05_quota_and_retention", (RELEASE_TIME, QUOTA_ROOM, AUTO_AT_QUOTA)),
    ("06_workshop_exercises", (NIGHTLY_BACKUPS,)),
)
EXERCISES: tuple[Exercise, ...] = tuple(
    Exercise(n, notebook=notebook, **spec)
    for n, (notebook, spec) in enumerate(((nb, spec) for nb, specs in _BY_NOTEBOOK for spec in specs), start=1)
)
(ex1, ex2, ex3, ex4, ex5, ex6, ex7, ex8, ex9, ex10, ex11, ex12, ex13, ex14, ex15) = EXERCISES


def exercise(key: int | str) -> Exercise:
    """An exercise by number (1-15) or name ('first_snapshot', 'retry_with_token', ...)."""
    for ex in EXERCISES:
        if key in (ex.number, ex.name):
            return ex
    names = ", ".join(ex.name for ex in EXERCISES)
    raise KeyError(f"no exercise {key!r}: give 1 to {len(EXERCISES)} or one of {names}")


def in_notebook(notebook: str) -> tuple[Exercise, ...]:
    """The exercises at the end of a notebook ('01_first_snapshot' ...), in order."""
    return tuple(ex for ex in EXERCISES if ex.notebook == notebook)


__all__ = ["EXERCISES", "Exercise", "exercise", "in_notebook", *(ex.variable for ex in EXERCISES)]
