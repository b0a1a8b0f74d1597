"""The instructor kit (docs/instructor/*.md): what goes stale silently when the code moves under the prose.

An instructor trusts these pages in front of a room: a link to a renamed notebook, a schedule row changed without its
total, or an exercise renumbered in the registry but not in the kit would each fail on the day. Exercise names and
numbers are read from `ecs_snap_lab.exercises.EXERCISES` at run time, never written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_pages import REPO, links, prose_lines

from ecs_snap_lab.exercises import EXERCISES

KIT = REPO / "docs" / "instructor"
PAGES = sorted(KIT.glob("*.md"))

MENTION = re.compile(r"\bex(\d+)\b[*\s]*`(\w+)`")  # an exercise named in the kit: ex11 `retry_with_token`
BARE = re.compile(r"\bex(\d+)\b")
STATED_TOTAL = re.compile(r"\((\d+) minutes\)")
SCHEDULE_COLUMNS = ("teaching", "exercises", "break", "total")
MUST_NAME_EVERY_EXERCISE = ("objectives.md", "common-mistakes.md", "schedule.md")


# ---------------------------------------------------------------- reading Markdown


@dataclass
class Table:
    heading: str  # the nearest heading above the table
    header: list[str]
    rows: list[list[str]]


def cells(line: str) -> list[str]:
    return [cell.strip().strip("*").strip() for cell in line.strip().strip("|").split("|")]


def tables(text: str) -> list[Table]:
    """The pipe tables of a page, each with the heading it sits under."""
    found: list[Table] = []
    heading, block = "", []
    for line in [*prose_lines(text), ""]:
        if line.lstrip().startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2:
            found.append(Table(heading, cells(block[0]), [cells(row) for row in block[2:]]))
        block = []
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
    return found


def schedules() -> list[Table]:
    text = (KIT / "schedule.md").read_text(encoding="utf-8")
    return [t for t in tables(text) if all(c in [h.lower() for h in t.header] for c in SCHEDULE_COLUMNS)]


def minutes(clock: str) -> int:
    hours, _, mins = clock.partition(":")
    return int(hours) * 60 + int(mins)


# ---------------------------------------------------------------- links


def test_the_kit_has_its_pages_and_the_readme_links_it() -> None:
    names = {page.name for page in PAGES}
    assert {"README.md", "objectives.md", "schedule.md", "setup.md", "common-mistakes.md", "reset.md"} <= names
    assert "docs/instructor/README.md" in links((REPO / "README.md").read_text(encoding="utf-8"))


def test_every_page_is_linked_from_the_index() -> None:
    index = {target.partition("#")[0] for target in links((KIT / "README.md").read_text(encoding="utf-8"))}
    assert sorted(page.name for page in PAGES if page.name != "README.md" and page.name not in index) == []


# ---------------------------------------------------------------- schedules


def test_there_is_a_3_hour_and_a_90_minute_schedule() -> None:
    stated = sorted(int(STATED_TOTAL.search(t.heading)[1]) for t in schedules() if STATED_TOTAL.search(t.heading))
    assert stated == [90, 180]
    assert len(schedules()) == 2, "every schedule table states its total in its heading: '(180 minutes)'"


@pytest.mark.parametrize("table", schedules(), ids=lambda t: t.heading)
def test_a_schedule_adds_up(table: Table) -> None:
    col = {name.lower(): n for n, name in enumerate(table.header)}
    stated = int(STATED_TOTAL.search(table.heading)[1])
    totals = [row for row in table.rows if any(cell == "Total" for cell in row)]
    blocks = [row for row in table.rows if row not in totals]
    assert len(totals) == 1, "one Total row"
    counts = {name: [int(row[col[name]]) for row in blocks] for name in SCHEDULE_COLUMNS}
    for n, row in enumerate(blocks):
        parts = [counts[name][n] for name in SCHEDULE_COLUMNS[:3]]
        assert min(parts) >= 0 and sum(parts) == counts["total"][n] > 0, f"row {row}: {parts} != {counts['total'][n]}"
    for name in SCHEDULE_COLUMNS:
        assert sum(counts[name]) == int(totals[0][col[name]]), f"the {name} column does not add up to its Total"
    assert int(totals[0][col["total"]]) == stated
    if "start" in col:  # each block starts when the one before ends, and the last ends at the stated total
        starts = [minutes(row[col["start"]]) for row in blocks]
        ends = [start + total for start, total in zip(starts, counts["total"], strict=True)]
        assert starts == [0, *ends[:-1]] and ends[-1] == stated


def test_the_3_hour_schedule_has_two_breaks() -> None:
    (long,) = [t for t in schedules() if "(180 minutes)" in t.heading]
    at = [h.lower() for h in long.header].index("break")
    assert sum(1 for row in long.rows if "Total" not in row and int(row[at]) > 0) == 2


# ---------------------------------------------------------------- exercises


def registry() -> dict[str, int]:
    """Exercise name -> number, as the package defines them now."""
    return {ex.name: ex.number for ex in EXERCISES}


def mentions(page: Path) -> list[tuple[int, str]]:
    return [(int(number), name) for number, name in MENTION.findall(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_exercise_named_in_the_kit_exists_under_its_number(page: Path) -> None:
    known = registry()
    wrong = [
        f"ex{number} `{name}`: " + (f"the registry has it as ex{known[name]}" if name in known else "no such exercise")
        for number, name in mentions(page)
        if known.get(name) != number
    ]
    numbers = {int(n) for n in BARE.findall(page.read_text(encoding="utf-8"))}
    wrong += [f"ex{n}: there are {len(known)} exercises" for n in sorted(numbers) if not 1 <= n <= len(known)]
    assert wrong == []


@pytest.mark.parametrize("name", MUST_NAME_EVERY_EXERCISE)
def test_every_exercise_appears_in_the_page(name: str) -> None:
    named = {exercise for _, exercise in mentions(KIT / name)}
    assert sorted(set(registry()) - named) == []


def test_the_index_lists_each_exercise_under_its_notebook() -> None:
    text = (KIT / "README.md").read_text(encoding="utf-8")
    (table,) = [t for t in tables(text) if t.header[:2] == ["Notebook", "Practice"]]
    placed = {}
    for row in table.rows:
        notebook = Path(unquote(links(row[0])[0])).stem
        placed.update({name: notebook for _, name in MENTION.findall(row[1])})
    assert placed == {ex.name: ex.notebook for ex in EXERCISES}
