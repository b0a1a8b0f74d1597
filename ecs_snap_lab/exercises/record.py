"""The record a check leaves in its output, so an instructor can see who is stuck without running anyone's code.

Every `check()` publishes its verdict as a MIME bundle: `text/plain` (the verdict exactly as printed),
`text/html` (the same words, the headline coloured) and `MIME`, a small JSON record (`CheckRecord`) that
`ecs-snap-lab progress` reads back from saved notebooks.

Decisions:
- A custom JSON MIME type, as Jupyter intends for machine-readable output: front ends show the richest type they
  know (the HTML), notebooks store all three, and a reader finds the record without parsing any text.
- Only a Jupyter kernel gets the bundle. Anywhere else (plain Python, a terminal IPython, pytest's capsys) the
  verdict is printed as plain text, exactly as before. IPython is never imported here: it is asked only if it is
  already loaded, so `import ecs_snap_lab` stays light.
- Nothing varies between runs (no time stamp, no random id): nbval compares the record like any other output. The
  attempt number counts checks of one exercise in this kernel session, so a fresh kernel running a notebook from
  the top gives the same numbers every time.
- `schema` versions the record; a reader refuses a schema it does not know rather than guess.
- The notebooks the project ships are stored with their outputs, and a learner's copy starts from them: a record
  there would count every learner as having tried every exercise. So the record is left out when the environment
  says `ECS_SNAP_LAB_CHECK_RECORDS=0`, which `make notebooks` and the notebook tests set (the root conftest.py);
  the verdict's text and HTML are stored and compared as before.
"""

from __future__ import annotations

import html
import json
import os
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from ..i18n import _

MIME = "application/vnd.ecs-snap-lab.check+json"
RECORDS_ENV = "ECS_SNAP_LAB_CHECK_RECORDS"  # "0": verdicts without records (the stored, pristine notebooks)
SCHEMA = 1
MAX_NAME = 100  # longest exercise name a record may carry

# Headline colours: at least 5:1 against white and 3.2:1 against JupyterLab's dark theme; the words say it too.
COLOUR_CORRECT = "#1a7f37"
COLOUR_NOT_YET = "#bc4c00"


@dataclass(frozen=True)
class CheckRecord:
    """One check of one exercise: which exercise, whether the answer was right, and the how-many-th try it was."""

    exercise: str
    number: int
    ok: bool
    attempt: int
    schema: int = SCHEMA

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            raise ValueError(_("not a check record: {problem}").format(problem=problem))

    def to_json(self) -> dict[str, Any]:
        """The record as stored in a notebook: a JSON object with exactly these keys."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> CheckRecord:
        """A record from its stored form (a JSON object, or its text); ValueError says what is wrong with it."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise ValueError(_("not a check record: not JSON ({error})").format(error=exc.msg)) from None
        if not isinstance(data, Mapping):
            raise ValueError(
                _("not a check record: a JSON object was expected, not {type}").format(type=type(data).__name__)
            )
        if "schema" in data and _schema_problem(data["schema"]):  # a newer record: say so, whatever its fields
            raise ValueError(_("not a check record: {problem}").format(problem=_schema_problem(data["schema"])))
        names = {f.name for f in fields(cls)}
        missing = sorted(names - set(data))
        unknown = sorted(str(key) for key in set(data) - names)
        if missing:
            raise ValueError(_("not a check record: missing {fields}").format(fields=", ".join(missing)))
        if unknown:
            raise ValueError(_("not a check record: unknown field {fields}").format(fields=", ".join(unknown)))
        return cls(**{str(key): value for key, value in data.items()})


def _problem(record: CheckRecord) -> str | None:
    """What makes a record invalid, in words, or None: the schema first, then the fields; the first problem wins."""
    if _schema_problem(record.schema):
        return _schema_problem(record.schema)
    name = record.exercise
    if not isinstance(name, str) or not name.strip() or name != name.strip() or len(name) > MAX_NAME:
        return _("exercise must be a name (1 to {most} characters, no surrounding spaces), not {name!r}").format(
            most=MAX_NAME, name=name
        )
    for field_name in ("number", "attempt"):
        value = getattr(record, field_name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return _("{field} must be a whole number from 1, not {value!r}").format(field=field_name, value=value)
    if not isinstance(record.ok, bool):
        return _("ok must be true or false, not {value!r}").format(value=record.ok)
    return None


def _schema_problem(schema: object) -> str | None:
    if isinstance(schema, int) and not isinstance(schema, bool) and schema == SCHEMA:
        return None
    return _("schema {schema!r} is not {known}, the only one this ecs-snap-lab reads").format(
        schema=schema, known=SCHEMA
    )


def verdict_html(text: str, ok: bool) -> str:
    """The verdict in HTML: its first line as a coloured headline (mark and words), the rest as plain lines."""
    head, _sep, rest = text.partition("\n")
    colour, mark = (COLOUR_CORRECT, "✓") if ok else (COLOUR_NOT_YET, "✗")
    parts = [
        f'<div class="ecs-snap-lab-check" data-ok="{str(ok).lower()}">',
        f'<strong style="color:{colour}"><span aria-hidden="true">{mark} </span>{html.escape(head)}</strong>',
    ]
    body = textwrap.dedent(rest).strip("\n")
    if body:
        style = "margin:0.25em 0 0 1.25em;padding:0;white-space:pre-wrap;font-family:inherit;background:none"
        parts.append(f'<pre style="{style}">{html.escape(body)}</pre>')
    parts.append("</div>")
    return "".join(parts)


def bundle(text: str, record: CheckRecord, with_record: bool = True) -> dict[str, Any]:
    """The MIME bundle of one verdict: the printed text, its HTML, and (unless told not to) the record."""
    shown = {"text/plain": text, "text/html": verdict_html(text, record.ok)}
    return {**shown, MIME: record.to_json()} if with_record else shown


def records_on() -> bool:
    """Whether verdicts carry their record: yes, unless ECS_SNAP_LAB_CHECK_RECORDS=0."""
    return os.environ.get(RECORDS_ENV, "1").strip() != "0"


def _in_kernel() -> bool:
    """True inside a Jupyter kernel. IPython is consulted only if something else has loaded it already."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def publish(text: str, record: CheckRecord) -> None:
    """Show a verdict: the full bundle in a Jupyter kernel (so the notebook keeps the record), else print the text."""
    if _in_kernel():
        from IPython.display import display

        display(bundle(text, record, with_record=records_on()), raw=True)
    else:
        print(text)


class Attempts:
    """How many times each exercise has been checked in this session; `next(name)` counts one more (from 1)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def next(self, exercise: str) -> int:
        self._counts[exercise] = self._counts.get(exercise, 0) + 1
        return self._counts[exercise]

    def count(self, exercise: str) -> int:
        """Checks of `exercise` so far (0 if none)."""
        return self._counts.get(exercise, 0)

    def reset(self) -> None:
        self._counts.clear()


attempts = Attempts()  # the kernel session's counter, used by Exercise.check()
