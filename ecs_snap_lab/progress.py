"""Who is stuck: learners' saved notebooks read into a table of learner x exercise (solved, tried, not tried).

`read_progress(paths)` reads notebooks as JSON, never running their code, and collects the records that
`check()` leaves in its outputs (`exercises.record.MIME`). `ecs-snap-lab progress` prints the table;
`progress_chart.progress_chart` draws it.

Decisions:
- A learner is the folder holding the notebook (each learner's copies live in a folder named for them), or with
  `by="file"` the notebook itself. Two different folders (or files) with the same name stay two learners, labelled
  with as much of their path as tells them apart ("room1/alice", "room2/alice").
- Solved: any record of the exercise says ok. Tried: records, none ok. Attempts: the highest attempt number seen.
  A re-run cell keeps only its last output, and attempts count per kernel session, so this is what the saved
  notebooks can still tell; records in several cells and several notebooks of one learner combine.
- The columns are the exercises of this installation (`ecs_snap_lab.exercises.EXERCISES`, read when the table is
  built), then any exercise a record names that the registry does not know (an older copy), kept rather than
  dropped.
- A file that cannot be read, is not a notebook, or holds a record that does not validate is reported in one line
  saying which file and why; everything else is still counted.
- Stdlib only: the chart (matplotlib) lives in `progress_chart`.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from .exercises.record import MIME, CheckRecord
from .i18n import N_, _, ngettext

BY = ("folder", "file")
MAX_NAMED = 5  # learners named per exercise in the "stuck" list before "and N more"


class State(Enum):
    """Where one learner stands on one exercise."""

    SOLVED = "solved"
    TRIED = "tried"
    NOT_TRIED = "not tried"


MARKS = {State.SOLVED: "✓", State.TRIED: "✗", State.NOT_TRIED: "·"}
LEGEND = N_("✓ N  solved, N attempts    ✗ N  tried N times, not solved yet    ·  not tried")


@dataclass(frozen=True)
class Column:
    """An exercise of the table: its name, its number, and whether this installation's exercises include it."""

    name: str
    number: int
    known: bool = True

    @property
    def header(self) -> str:
        return str(self.number) if self.known else f"?{self.name}"


@dataclass(frozen=True)
class Standing:
    """One learner on one exercise: the state and the highest attempt number seen (0 if never tried)."""

    state: State = State.NOT_TRIED
    attempts: int = 0

    @property
    def mark(self) -> str:
        """'✓ 2', '✗ 3' or '·'."""
        mark = MARKS[self.state]
        return mark if self.state is State.NOT_TRIED else f"{mark} {self.attempts}"


NOT_TRIED = Standing()


@dataclass
class Progress:
    """The table: learners (rows), exercises (columns), each learner's standing, and what could not be read."""

    exercises: tuple[Column, ...]
    learners: tuple[str, ...]
    standings: dict[tuple[str, str], Standing]
    notebooks: tuple[Path, ...] = ()  # the notebooks read
    problems: tuple[str, ...] = field(default_factory=tuple)

    def standing(self, learner: str, exercise: str) -> Standing:
        return self.standings.get((learner, exercise), NOT_TRIED)

    def learners_in(self, exercise: str, state: State) -> list[str]:
        return [learner for learner in self.learners if self.standing(learner, exercise).state is state]

    def solved_count(self, learner: str) -> int:
        return sum(self.standing(learner, column.name).state is State.SOLVED for column in self.exercises)

    def table(self) -> str:
        """The printed report: a heading, the grid with marks, the legend, and per-exercise totals."""
        learners, notebooks, exercises = len(self.learners), len(self.notebooks), len(self.exercises)
        heading = _("Who is stuck: {learners}, {notebooks} read, {exercises}").format(
            learners=ngettext("{n} learner", "{n} learners", learners).format(n=learners),
            notebooks=ngettext("{n} notebook", "{n} notebooks", notebooks).format(n=notebooks),
            exercises=ngettext("{n} exercise", "{n} exercises", exercises).format(n=exercises),
        )
        return "\n".join([heading, "", *self._grid(), "", _(LEGEND), "", *self._totals()])

    def _grid(self) -> list[str]:
        total = len(self.exercises)
        header = [_("learner"), *(column.header for column in self.exercises), _("solved")]
        rows = [
            [
                learner,
                *(self.standing(learner, c.name).mark for c in self.exercises),
                f"{self.solved_count(learner)}/{total}",
            ]
            for learner in self.learners
        ]
        return _aligned([header, *rows])

    def _totals(self) -> list[str]:
        room = len(self.learners)
        rows = [["#", _("exercise"), _("solved by"), _("tried, not solved"), _("not tried")]]
        for column in self.exercises:
            stuck = self.learners_in(column.name, State.TRIED)
            name = (
                column.name
                if column.known
                else _("{name} (not one of this version's exercises)").format(name=column.name)
            )
            rows.append(
                [
                    str(column.number) if column.known else "?",
                    name,
                    f"{len(self.learners_in(column.name, State.SOLVED))}/{room}",
                    _named(stuck),
                    str(len(self.learners_in(column.name, State.NOT_TRIED))),
                ]
            )
        return _aligned(rows)

    def rows(self) -> list[dict[str, Any]]:
        """One row per learner and exercise, as the CSV holds them."""
        return [
            {
                "learner": learner,
                "number": column.number,
                "exercise": column.name,
                "state": self.standing(learner, column.name).state.value,
                "attempts": self.standing(learner, column.name).attempts,
            }
            for learner in self.learners
            for column in self.exercises
        ]

    def write_csv(self, path: str | Path) -> None:
        """The table as CSV (learner, number, exercise, state, attempts): one row per learner and exercise."""
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=["learner", "number", "exercise", "state", "attempts"])
            writer.writeheader()
            writer.writerows(self.rows())


def _named(learners: Sequence[str]) -> str:
    """'2: carol, dave' (the first few names, then 'and N more')."""
    if not learners:
        return "0"
    names = ", ".join(learners[:MAX_NAMED])
    more = _(" and {count} more").format(count=len(learners) - MAX_NAMED) if len(learners) > MAX_NAMED else ""
    return f"{len(learners)}: {names}{more}"


def width(text: str) -> int:
    """Columns a text takes in a terminal: a wide (Chinese) character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _aligned(rows: list[list[str]]) -> list[str]:
    """Rows of cells padded into columns two spaces apart (trailing spaces trimmed); Chinese text counts double."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (size - width(cell)) for cell, size in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class Notebook:
    """One notebook file: the path as given, its resolved path, and the records found in it."""

    shown: str
    path: Path
    records: list[CheckRecord] = field(default_factory=list)


def find_notebooks(paths: Iterable[str | Path]) -> tuple[list[Notebook], list[str]]:
    """The notebooks named or found (recursively, skipping hidden folders such as .ipynb_checkpoints) under
    `paths`, each once, in path order; and a line for each path that holds none."""
    found: dict[Path, Notebook] = {}
    problems: list[str] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*.ipynb") if p.is_file() and not _hidden(p.relative_to(path).parts[:-1])
            )
            if not inside:
                problems.append(_("{path}: no notebooks (*.ipynb) in this folder").format(path=given))
            for notebook in inside:
                found.setdefault(notebook.resolve(), Notebook(str(notebook), notebook.resolve()))
        elif path.is_file():
            found.setdefault(path.resolve(), Notebook(str(given), path.resolve()))
        else:
            problems.append(_("{path}: no such file or folder").format(path=given))
    return [found[key] for key in sorted(found)], problems


def _hidden(parts: Sequence[str]) -> bool:
    return any(part.startswith(".") for part in parts)


class NotANotebook(Exception):
    """A file that is not a notebook this command reads; the message starts with its path and says why."""


def read_records(notebook: Notebook) -> list[str]:
    """Fill `notebook.records` from its outputs and return the problems met (a malformed cell, a record that does
    not validate). Raises NotANotebook when the file is not a notebook: then nothing of it counts."""
    problems = []
    for index, cell in enumerate(_cells(notebook), start=1):
        outputs = cell.get("outputs", []) if isinstance(cell, dict) else None
        if not isinstance(outputs, list):
            problems.append(_("{path}: cell {index} is malformed (ignored)").format(path=notebook.shown, index=index))
            continue
        for output in outputs:
            data = output.get("data") if isinstance(output, dict) else None
            if not isinstance(data, dict) or MIME not in data:
                continue
            try:
                notebook.records.append(CheckRecord.from_json(data[MIME]))
            except ValueError as exc:
                problems.append(
                    _("{path}: cell {index}: {problem} (ignored)").format(path=notebook.shown, index=index, problem=exc)
                )
    return problems


def _cells(notebook: Notebook) -> list[Any]:
    """The notebook's cells, read as JSON (never run)."""
    try:
        raw = notebook.path.read_bytes()
    except OSError as exc:
        raise NotANotebook(
            _("{path}: cannot be read ({error})").format(path=notebook.shown, error=exc.strerror or exc)
        ) from None
    path = notebook.shown
    try:
        content = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotANotebook(_("{path}: not a notebook: not UTF-8 text").format(path=path)) from None
    except json.JSONDecodeError as exc:
        detail = (
            _("the file is empty")
            if not raw.strip()
            else _("{error} at line {line}, column {column}").format(error=exc.msg, line=exc.lineno, column=exc.colno)
        )
        raise NotANotebook(
            _("{path}: not a notebook: corrupt JSON ({detail})").format(path=path, detail=detail)
        ) from None
    if not isinstance(content, dict) or not isinstance(content.get("cells"), list):
        version = content.get("nbformat") if isinstance(content, dict) else None
        if isinstance(version, int) and version < 4:
            raise NotANotebook(
                _("{path}: not a notebook this command reads: nbformat {version} (open and save it in Jupyter)").format(
                    path=path, version=version
                )
            )
        raise NotANotebook(_("{path}: not a notebook: JSON without a list of cells").format(path=path))
    return content["cells"]


def registry() -> tuple[Column, ...]:
    """The exercises of this installation, in their order (read at call time: their numbers may change)."""
    from .exercises import EXERCISES

    return tuple(Column(ex.name, ex.number) for ex in EXERCISES)


def read_progress(
    paths: Iterable[str | Path], by: str = "folder", exercises: Sequence[Column] | None = None
) -> Progress:
    """Read every notebook under `paths` into a Progress. `by`: "folder" (default) or "file" names the learner;
    `exercises`: the columns (default: `registry()`)."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    notebooks, problems = find_notebooks(paths)
    read = []
    for notebook in notebooks:
        try:
            problems.extend(read_records(notebook))
        except NotANotebook as exc:
            problems.append(str(exc))
        else:
            read.append(notebook)
    return _tally(read, by, tuple(exercises) if exercises is not None else registry(), problems)


def _tally(notebooks: list[Notebook], by: str, columns: tuple[Column, ...], problems: list[str]) -> Progress:
    """Combine the records of each learner's notebooks into standings, adding columns for unknown exercises."""
    keys = {nb.path: _learner_key(nb.path, by) for nb in notebooks}
    labels = unique_labels(keys.values())
    records: dict[tuple[str, str], list[CheckRecord]] = {}
    unknown: dict[str, int] = {}
    known = {column.name for column in columns}
    for notebook in notebooks:
        for record in notebook.records:
            records.setdefault((labels[keys[notebook.path]], record.exercise), []).append(record)
            if record.exercise not in known:
                unknown[record.exercise] = min(unknown.get(record.exercise, record.number), record.number)
    extra = sorted((Column(name, number, known=False) for name, number in unknown.items()), key=_column_order)
    standings = {
        key: Standing(
            State.SOLVED if any(r.ok for r in seen) else State.TRIED,
            max(r.attempt for r in seen),
        )
        for key, seen in records.items()
    }
    learners = tuple(sorted(set(labels.values()), key=_natural))
    return Progress(columns + tuple(extra), learners, standings, tuple(nb.path for nb in notebooks), tuple(problems))


def _natural(label: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key: 'learner2' before 'learner10', case ignored."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", label)
    )


def _column_order(column: Column) -> tuple[int, str]:
    return column.number, column.name


def _learner_key(path: Path, by: str) -> tuple[str, ...]:
    """The path parts that name a learner: the notebook's folder, or the notebook without its suffix."""
    parts = path.parent.parts if by == "folder" else (*path.parent.parts, path.stem)
    return tuple(part for part in parts if part != path.anchor) or (path.anchor,)


def unique_labels(keys: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """For each path (as parts), its shortest tail that no other path shares: 'alice', or 'room2/alice'."""
    keys = set(keys)
    labels: dict[tuple[str, ...], str] = {}
    depth = 1
    while len(labels) < len(keys):
        tails = Counter(key[-depth:] for key in keys)
        for key in keys - labels.keys():
            if tails[key[-depth:]] == 1 or depth >= len(key):
                labels[key] = "/".join(key[-depth:])
        depth += 1
    return labels
