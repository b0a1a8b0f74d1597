"""Who is stuck: the record a check leaves in a notebook, and `ecs-snap-lab progress` reading saved notebooks back.

The notebooks are made here with nbformat, their outputs built by `record.bundle()` as a kernel stores them.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from matplotlib.colors import to_hex

from ecs_snap_lab.cli import main
from ecs_snap_lab.exercises import EXERCISES
from ecs_snap_lab.exercises.record import (
    COLOUR_CORRECT,
    COLOUR_NOT_YET,
    MIME,
    Attempts,
    CheckRecord,
    bundle,
    publish,
)
from ecs_snap_lab.progress import Column, State, read_progress, unique_labels
from ecs_snap_lab.progress_chart import STATE_COLOURS, progress_chart

FIRST, SECOND = EXERCISES[0], EXERCISES[1]
LAST = EXERCISES[-1]


def record(exercise=FIRST, ok: bool = False, attempt: int = 1) -> CheckRecord:
    return CheckRecord(exercise.name, exercise.number, ok, attempt)


def verdict(rec: CheckRecord) -> str:
    return "Correct!\n  Well done." if rec.ok else "Not yet.\n  The API answered <InvalidParameter> & more."


def output(rec: CheckRecord | dict) -> nbformat.NotebookNode:
    """A display_data output as a kernel stores it; a dict is stored as the record itself (to forge a bad one)."""
    if isinstance(rec, CheckRecord):
        return nbformat.v4.new_output("display_data", data=bundle(verdict(rec), rec))
    return nbformat.v4.new_output("display_data", data={"text/plain": "Not yet.", MIME: rec})


def save(path: Path, *cells: list) -> Path:
    """A notebook at `path` with one code cell per list of outputs (records or forged dicts), plus a cell whose
    outputs are text only, as every real notebook has."""
    notebook = nbformat.v4.new_notebook()
    chatter = nbformat.v4.new_code_cell("print('hello')")
    chatter.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "True"}, execution_count=1),
    ]
    notebook.cells.append(chatter)
    for outputs in cells:
        cell = nbformat.v4.new_code_cell("ex.check(answer)")
        cell.outputs = [output(item) for item in outputs]
        notebook.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


# ---------------------------------------------------------------------------------------------- the record


def test_a_record_is_stored_as_exactly_these_fields_and_read_back() -> None:
    rec = CheckRecord("retry_with_token", 11, False, 3)
    assert rec.to_json() == {"exercise": "retry_with_token", "number": 11, "ok": False, "attempt": 3, "schema": 1}
    assert CheckRecord.from_json(rec.to_json()) == rec
    assert CheckRecord.from_json(json.dumps(rec.to_json())) == rec


@pytest.mark.parametrize(
    ("stored", "why"),
    [
        ({"exercise": "x", "number": 1, "ok": True, "schema": 1}, "missing attempt"),
        ({"exercise": "x", "number": 1, "ok": True, "attempt": 1}, "missing schema"),
        ({"exercise": "x", "number": 1, "ok": True, "attempt": 1, "schema": 1, "when": "now"}, "unknown field when"),
        ({"exercise": "x", "number": 1, "ok": True, "attempt": 1, "schema": 2, "hints": 3}, "schema 2"),
        ({"exercise": "x", "number": True, "ok": True, "attempt": 1, "schema": 1}, "number must be"),
        ({"exercise": "x", "number": 1, "ok": True, "attempt": 0, "schema": 1}, "attempt must be"),
        ({"exercise": "x", "number": 1, "ok": True, "attempt": "2", "schema": 1}, "attempt must be"),
        ({"exercise": "x", "number": 1, "ok": 1, "attempt": 1, "schema": 1}, "ok must be true or false"),
        ({"exercise": " x", "number": 1, "ok": True, "attempt": 1, "schema": 1}, "exercise must be a name"),
        ({"exercise": "", "number": 1, "ok": True, "attempt": 1, "schema": 1}, "exercise must be a name"),
        (["x", 1, True, 1], "a JSON object was expected"),
        ("{not json", "not JSON"),
    ],
)
def test_a_bad_record_is_refused_with_the_reason(stored: object, why: str) -> None:
    with pytest.raises(ValueError, match="not a check record") as refused:
        CheckRecord.from_json(stored)
    assert why in str(refused.value)


def test_a_record_cannot_be_made_bad_in_python_either() -> None:
    with pytest.raises(ValueError, match="attempt must be"):
        CheckRecord("first_snapshot", 1, True, -1)


def test_the_bundle_holds_the_text_as_printed_the_verdict_in_html_and_the_record() -> None:
    wrong, right = record(ok=False, attempt=2), record(ok=True, attempt=3)
    data = bundle(verdict(wrong), wrong)
    assert set(data) == {"text/plain", "text/html", MIME}
    assert data["text/plain"] == verdict(wrong)
    assert data[MIME] == wrong.to_json()
    page = data["text/html"]
    assert COLOUR_NOT_YET in page and COLOUR_CORRECT not in page
    assert "Not yet." in page and "✗" in page
    assert "&lt;InvalidParameter&gt; &amp; more." in page and "<InvalidParameter>" not in page
    good = bundle(verdict(right), right)["text/html"]
    assert COLOUR_CORRECT in good and COLOUR_NOT_YET not in good and "Correct!" in good and "✓" in good
    assert json.loads(json.dumps(data)) == data == bundle(verdict(wrong), wrong)  # storable, and the same every time


def test_outside_a_kernel_publish_prints_the_text_exactly(capsys, monkeypatch) -> None:
    import IPython

    publish("Not yet.\n  Because.", record())
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())  # a terminal IPython: a shell with no kernel
    publish("Correct!", record(ok=True))
    assert capsys.readouterr().out == "Not yet.\n  Because.\nCorrect!\n"


def test_the_record_module_imports_no_ipython() -> None:
    probe = (
        "import sys; from ecs_snap_lab.exercises.record import CheckRecord, publish; "
        "publish('Correct!', CheckRecord('x', 1, True, 1)); print('IPython' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["Correct!", "False"]


def test_attempts_count_each_exercise_from_one() -> None:
    attempts = Attempts()
    assert [attempts.next("a"), attempts.next("a"), attempts.next("b"), attempts.next("a")] == [1, 2, 1, 3]
    assert attempts.count("a") == 3 and attempts.count("c") == 0
    attempts.reset()
    assert attempts.next("a") == 1


def test_in_a_real_kernel_the_stored_output_carries_the_record(tmp_path: Path, monkeypatch) -> None:
    from nbclient import NotebookClient

    monkeypatch.setenv("ECS_SNAP_LAB_CHECK_RECORDS", "1")  # the kernel inherits it: as in a learner's notebook
    code = (
        "from ecs_snap_lab.exercises.record import CheckRecord, attempts, publish\n"
        f"for ok in (False, True):\n"
        f"    publish('Correct!' if ok else 'Not yet.', CheckRecord({FIRST.name!r}, {FIRST.number}, ok, "
        f"attempts.next({FIRST.name!r})))"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "display_data"]
    assert [o.data["text/plain"] for o in outputs] == ["Not yet.", "Correct!"]
    assert outputs[1].data[MIME] == record(ok=True, attempt=2).to_json()
    (tmp_path / "alice").mkdir()
    nbformat.write(notebook, tmp_path / "alice" / "01.ipynb")
    progress = read_progress([tmp_path])
    assert progress.standing("alice", FIRST.name).mark == "✓ 2"


# ---------------------------------------------------------------------------------------------- reading


@pytest.fixture
def room(tmp_path: Path) -> Path:
    """Four learners: alice solved the first exercise on her 2nd try (a re-run cell kept only its last output) and
    tried the last three times in another notebook; bob tried the first once and an exercise this version does not
    know; carol saved a notebook without checking anything; dave's notebook is corrupt."""
    save(tmp_path / "alice" / "01.ipynb", [record(ok=True, attempt=2)])
    save(tmp_path / "alice" / "06.ipynb", [record(LAST, attempt=1)], [record(LAST, attempt=3)])
    save(tmp_path / "bob" / "01.ipynb", [record(attempt=1)], [CheckRecord("old_exercise", 4, False, 2)])
    save(tmp_path / "carol" / "01.ipynb")
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "01.ipynb").write_text('{"cells": [', encoding="utf-8")
    save(tmp_path / "alice" / ".ipynb_checkpoints" / "01-checkpoint.ipynb", [record(SECOND, ok=True)])
    return tmp_path


def test_the_table_says_who_solved_who_tried_and_how_often(room: Path) -> None:
    progress = read_progress([room])
    assert progress.learners == ("alice", "bob", "carol")
    assert len(progress.notebooks) == 4  # the checkpoint copy is not read; dave's is not a notebook
    assert progress.standing("alice", FIRST.name) == progress.standings[("alice", FIRST.name)]
    assert (progress.standing("alice", FIRST.name).state, progress.standing("alice", FIRST.name).attempts) == (
        State.SOLVED,
        2,
    )
    assert progress.standing("alice", LAST.name).mark == "✗ 3"  # two cells combine: the highest attempt
    assert progress.standing("bob", FIRST.name).mark == "✗ 1"
    assert progress.standing("carol", FIRST.name).state is State.NOT_TRIED
    assert progress.standing("alice", SECOND.name).state is State.NOT_TRIED
    assert progress.learners_in(FIRST.name, State.SOLVED) == ["alice"]
    assert progress.learners_in(FIRST.name, State.NOT_TRIED) == ["carol"]


def test_solved_anywhere_wins_over_tried_elsewhere(tmp_path: Path) -> None:
    save(tmp_path / "erin" / "a.ipynb", [record(ok=False, attempt=4)])
    save(tmp_path / "erin" / "b.ipynb", [record(ok=True, attempt=1)])
    assert read_progress([tmp_path]).standing("erin", FIRST.name).mark == "✓ 4"


def test_the_columns_are_the_registry_then_exercises_it_does_not_know(room: Path) -> None:
    progress = read_progress([room])
    names = [column.name for column in progress.exercises]
    assert names == [ex.name for ex in EXERCISES] + ["old_exercise"]
    assert progress.exercises[-1] == Column("old_exercise", 4, known=False)
    assert progress.standing("bob", "old_exercise").mark == "✗ 2"


def test_the_columns_follow_the_registry_given(room: Path) -> None:
    renumbered = (Column(LAST.name, 1), Column(FIRST.name, 2))
    progress = read_progress([room], exercises=renumbered)
    assert [c.header for c in progress.exercises] == ["1", "2", "?old_exercise"]
    assert [c.name for c in progress.exercises] == [LAST.name, FIRST.name, "old_exercise"]


def test_a_file_that_is_not_a_notebook_is_reported_and_the_rest_still_count(room: Path) -> None:
    (room / "notes.txt").write_text("not json", encoding="utf-8")
    (room / "empty.ipynb").write_bytes(b"")
    (room / "binary.ipynb").write_bytes(b"\xff\xfe\x00")
    (room / "list.ipynb").write_text("[1, 2]", encoding="utf-8")
    (room / "old.ipynb").write_text('{"nbformat": 3, "worksheets": []}', encoding="utf-8")
    progress = read_progress([room, room / "notes.txt", room / "missing.ipynb"])
    problems = "\n".join(progress.problems)
    assert f"{room / 'dave' / '01.ipynb'}: not a notebook: corrupt JSON (" in problems
    assert f"{room / 'notes.txt'}: not a notebook: corrupt JSON (Expecting value at line 1, column 1)" in problems
    assert f"{room / 'empty.ipynb'}: not a notebook: corrupt JSON (the file is empty)" in problems
    assert f"{room / 'binary.ipynb'}: not a notebook: not UTF-8 text" in problems
    assert f"{room / 'list.ipynb'}: not a notebook: JSON without a list of cells" in problems
    assert f"{room / 'old.ipynb'}: not a notebook this command reads: nbformat 3" in problems
    assert f"{room / 'missing.ipynb'}: no such file or folder" in problems
    assert len(progress.problems) == 7
    assert progress.standing("alice", FIRST.name).state is State.SOLVED


def test_a_bad_record_is_reported_and_the_notebook_still_counts(tmp_path: Path) -> None:
    forged = {"exercise": FIRST.name, "number": 1, "ok": "yes", "attempt": 1, "schema": 1}
    path = save(tmp_path / "frank" / "01.ipynb", [forged], [record(SECOND, ok=True)])
    progress = read_progress([tmp_path])
    assert progress.problems == (f"{path}: cell 2: not a check record: ok must be true or false, not 'yes' (ignored)",)
    assert progress.standing("frank", FIRST.name).state is State.NOT_TRIED
    assert progress.standing("frank", SECOND.name).mark == "✓ 1"


def test_by_file_each_notebook_is_a_learner(tmp_path: Path) -> None:
    save(tmp_path / "submissions" / "alice.ipynb", [record(ok=True)])
    save(tmp_path / "submissions" / "bob.ipynb", [record()])
    assert read_progress([tmp_path], by="file").learners == ("alice", "bob")
    assert read_progress([tmp_path]).learners == ("submissions",)


def test_learners_with_the_same_folder_name_stay_apart(tmp_path: Path) -> None:
    save(tmp_path / "room1" / "alice" / "01.ipynb", [record(ok=True)])
    save(tmp_path / "room2" / "alice" / "01.ipynb", [record()])
    progress = read_progress([tmp_path / "room1", tmp_path / "room2" / "alice" / "01.ipynb"])
    assert progress.learners == ("room1/alice", "room2/alice")
    assert progress.standing("room2/alice", FIRST.name).mark == "✗ 1"
    assert unique_labels([("a", "b"), ("x", "a", "b"), ("c",)]) == {
        ("a", "b"): "a/b",
        ("x", "a", "b"): "x/a/b",
        ("c",): "c",
    }


def test_learners_are_listed_in_natural_order(tmp_path: Path) -> None:
    for name in ("learner10", "Learner2", "learner1", "bob"):
        save(tmp_path / name / "01.ipynb")
    assert read_progress([tmp_path]).learners == ("bob", "learner1", "Learner2", "learner10")


def test_a_notebook_named_twice_is_read_once(room: Path) -> None:
    progress = read_progress([room, room / "alice", room / "alice" / "01.ipynb"])
    assert len(progress.notebooks) == 4


def test_the_shipped_notebooks_carry_no_record_so_a_fresh_copy_has_tried_nothing() -> None:
    repo = Path(__file__).resolve().parents[1]
    progress = read_progress([repo / "notebooks"])
    assert progress.notebooks and not progress.problems
    assert all(progress.standing("notebooks", ex.name).state is State.NOT_TRIED for ex in EXERCISES)


def test_a_real_exercise_check_in_a_kernel_leaves_a_record_unless_records_are_off(tmp_path: Path, monkeypatch) -> None:
    from nbclient import NotebookClient

    code = "from ecs_snap_lab.exercises import ex1\nex1.check({})\nex1.check(ex1.solution())"
    for setting, learner in (("1", "on"), ("0", "off")):
        monkeypatch.setenv("ECS_SNAP_LAB_CHECK_RECORDS", setting)
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
        (tmp_path / learner).mkdir()
        nbformat.write(notebook, tmp_path / learner / "01.ipynb")
        verdicts = [o for o in notebook.cells[0].outputs if "text/html" in o.get("data", {})]
        assert [o.data["text/plain"].splitlines()[0] for o in verdicts] == ["Not yet.", "Correct!"]
    progress = read_progress([tmp_path])
    assert progress.standing("on", EXERCISES[0].name).mark == "✓ 2"
    assert progress.standing("off", EXERCISES[0].name).state is State.NOT_TRIED


def test_the_printed_table_has_marks_words_a_legend_and_totals(room: Path) -> None:
    text = read_progress([room]).table()
    lines = text.splitlines()
    assert lines[0] == f"Who is stuck: 3 learners, 4 notebooks read, {len(EXERCISES) + 1} exercises"
    header = lines[2].split()
    assert header[:3] == ["learner", "1", "2"] and header[-2:] == ["?old_exercise", "solved"]
    alice = next(line for line in lines if line.startswith("alice"))
    assert "✓ 2" in alice and "✗ 3" in alice and alice.endswith(f"1/{len(EXERCISES) + 1}")
    assert "✓ N  solved, N attempts" in text and "·  not tried" in text
    first = next(line for line in lines if line.split()[:2] == [str(FIRST.number), FIRST.name])
    assert first.split()[2:] == ["1/3", "1:", "bob", "1"]
    assert "old_exercise (not one of this version's exercises)" in text


def test_the_csv_has_a_row_per_learner_and_exercise(room: Path, tmp_path: Path) -> None:
    progress = read_progress([room])
    out = tmp_path / "progress.csv"
    progress.write_csv(out)
    with open(out, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 3 * len(progress.exercises)
    assert rows[0] == {"learner": "alice", "number": "1", "exercise": FIRST.name, "state": "solved", "attempts": "2"}
    by_key = {(row["learner"], row["exercise"]): row for row in rows}
    assert by_key[("carol", LAST.name)]["state"] == "not tried"
    assert by_key[("bob", "old_exercise")] == {
        "learner": "bob",
        "number": "4",
        "exercise": "old_exercise",
        "state": "tried",
        "attempts": "2",
    }


# ---------------------------------------------------------------------------------------------- the chart


def test_the_chart_colours_each_cell_by_state_and_labels_rows_and_columns(room: Path) -> None:
    progress = read_progress([room])
    ax = progress_chart(progress)
    mesh = ax.collections[0]
    rows, columns = len(progress.learners), len(progress.exercises)
    colours = [to_hex(c) for c in mesh.to_rgba(mesh.get_array()).reshape(-1, 4)]
    assert len(colours) == rows * columns
    for i, learner in enumerate(progress.learners):
        for j, column in enumerate(progress.exercises):
            state = progress.standing(learner, column.name).state
            assert colours[i * columns + j] == to_hex(STATE_COLOURS[state]), (learner, column.name)
    assert [label.get_text() for label in ax.get_yticklabels()] == ["alice", "bob", "carol"]
    assert ax.get_ylim() == (3.0, 0.0)  # alice, the first row, is on top
    xlabels = [label.get_text() for label in ax.get_xticklabels()]
    assert xlabels[0] == f"1 {FIRST.name}" and xlabels[-1] == "?old_exercise"
    marks = {(round(t.get_position()[1] - 0.5), round(t.get_position()[0] - 0.5)): t.get_text() for t in ax.texts}
    assert marks[(0, 0)] == "✓ 2" and marks[(1, 0)] == "✗ 1" and marks[(0, columns - 2)] == "✗ 3"
    assert len(marks) == 4  # not-tried cells carry no mark
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["solved (✓ attempts)", "tried, not solved (✗ attempts)", "not tried"]
    top = ax.child_axes[0]
    solved_by = [label.get_text() for label in top.get_xticklabels()]
    assert solved_by[0] == "1/3" and solved_by[-2:] == ["0/3", "0/3"] and len(solved_by) == columns


def test_the_chart_refuses_an_empty_room() -> None:
    from ecs_snap_lab.progress import Progress

    with pytest.raises(ValueError, match="nothing to draw"):
        progress_chart(Progress((Column("x", 1),), (), {}))


# ---------------------------------------------------------------------------------------------- the command


def test_the_command_prints_the_table_reports_bad_files_and_writes_chart_and_csv(room: Path, tmp_path, capsys) -> None:
    chart, table = tmp_path / "out" / "progress.png", tmp_path / "out" / "progress.csv"
    chart.parent.mkdir()
    assert main(["progress", str(room), "--chart", str(chart), "--csv", str(table)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Who is stuck: 3 learners, 4 notebooks read")
    assert f"chart written to {chart}" in captured.out and f"CSV written to {table}" in captured.out
    assert captured.err.startswith(f"ecs-snap-lab: {room / 'dave' / '01.ipynb'}: not a notebook: corrupt JSON")
    assert "Traceback" not in captured.err
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert table.read_text(encoding="utf-8").startswith("learner,number,exercise,state,attempts\n")


def test_the_command_fails_when_no_notebook_could_be_read(tmp_path: Path, capsys) -> None:
    (tmp_path / "broken.ipynb").write_text("{", encoding="utf-8")
    assert main(["progress", str(tmp_path / "broken.ipynb"), str(tmp_path / "nowhere")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"ecs-snap-lab: {tmp_path / 'nowhere'}: no such file or folder",
        f"ecs-snap-lab: {tmp_path / 'broken.ipynb'}: not a notebook: corrupt JSON "
        "(Expecting property name enclosed in double quotes at line 1, column 2)",
        "ecs-snap-lab: no notebook could be read",
    ]


def test_the_command_says_when_the_chart_cannot_be_written(room: Path, tmp_path: Path, capsys) -> None:
    assert main(["progress", str(room), "--chart", str(tmp_path / "chart.nope")]) == 2
    assert "the chart could not be written to" in capsys.readouterr().err
    assert main(["progress", str(room), "--csv", str(tmp_path / "no" / "such" / "folder.csv")]) == 2
    assert "the CSV could not be written to" in capsys.readouterr().err


def test_the_command_groups_by_file(tmp_path: Path, capsys) -> None:
    save(tmp_path / "alice.ipynb", [record(ok=True)])
    save(tmp_path / "bob.ipynb")
    assert main(["progress", "--by", "file", str(tmp_path)]) == 0
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines()[3:5]]
    assert rows == ["alice", "bob"]
