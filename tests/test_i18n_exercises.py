"""The exercises, the instructor's who-is-stuck table and the workshop copy in Simplified Chinese: every prompt, hint,
verdict and report they write holds no English once the learner's own data and the API's own words are set aside;
the API's codes and messages stay exactly as the API sends them; a display time zone shows in the verdicts' times."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
import pytest
import test_capstone
import test_exercises
from chinese import english_in
from test_progress import record, save

from ecs_snap_lab.exercises import EXERCISES, Exercise, exercise
from ecs_snap_lab.exercises.capstone import FLEET
from ecs_snap_lab.exercises.record import CheckRecord
from ecs_snap_lab.i18n import set_language
from ecs_snap_lab.local_time import set_display_timezone
from ecs_snap_lab.progress import read_progress, width
from ecs_snap_lab.rules.catalog import error_catalog, lookup
from ecs_snap_lab.workshop import copy_notebooks

# What a verdict quotes that is not the lab's own words: the API's messages (English on the cloud too, their
# {placeholders} filled in), Python's words in an exception a learner's function raised or in a JSON error, a learner's
# answers and the lab's resource names (quoted by repr, hyphenated, key=value), the capstone's disk roles (`$web`).
API_MESSAGES = [
    re.compile(r"[^\"]*".join(map(re.escape, re.split(r"\{[^{}]*\}", message))))
    for message in sorted({entry.message for entry in error_catalog() if entry.message}, key=len, reverse=True)
]
PYTHON_WORDS = re.compile(
    r"(?<=抛出了 )[^\n]*?(?=。\n)|object has no attribute|Expecting (?:value|property name enclosed in double quotes)"
    r"|\bNone\b|\bnan\b"
)
ROLES = re.compile(r"(?<![A-Za-z=])(?:" + "|".join(plan.role for plan in FLEET) + r")(?![A-Za-z])")
QUOTED = re.compile(r"'[^'\n]*'")  # a learner's answer or a resource's name, quoted by repr()
NAMES = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b|\b\w+=(?=[\s。，])")  # snapshot names (every-2h-5), a tag "env="


def lab_words_in(text: str, data: Iterable[str] = ()) -> set[str]:
    """The English words left in `text` once the API's messages, Python's words and the data are set aside."""
    for pattern in (*API_MESSAGES, PYTHON_WORDS, QUOTED, NAMES, ROLES):
        text = pattern.sub(" ", text)
    for word in data:
        text = re.sub(rf"(?<![A-Za-z=]){re.escape(word)}(?![A-Za-z=])", " ", text)
    return english_in(text)


def assert_chinese(text: str, data: Iterable[str] = ()) -> None:
    assert re.search(r"[\u4e00-\u9fff]", text), text
    left = lab_words_in(text, data)
    assert not left, (sorted(left), text)


def answer_words(answer: object) -> list[str]:
    """A learner's answer's own words, which a verdict may quote: a dict's keys and values and their types."""
    if not isinstance(answer, dict):
        return [answer] if isinstance(answer, str) and answer else []
    words = (str(word) for key, value in answer.items() for word in (key, value, type(value).__name__))
    return [word for word in words if re.search("[A-Za-z]{2}", word)]


pytestmark = pytest.mark.usefixtures("in_chinese")  # conftest.py: Chinese, then English again


def checked(ex: Exercise, answer: Any, capsys: pytest.CaptureFixture[str]) -> str:
    ex.check(answer)
    return capsys.readouterr().out


# ---------------------------------------------------------------- prompts, hints, solutions


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_the_prompt_hint_and_solution_heading_are_chinese(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    prompt = ex.prompt
    assert prompt.startswith(f"### 练习 {ex.number}：")
    assert "$" not in prompt  # every template placeholder still filled in
    assert_chinese(prompt)
    ex.hint()
    hint = capsys.readouterr().out
    assert hint.startswith("提示：")
    assert_chinese(hint)
    ex.solution()
    heading, _newline, code = capsys.readouterr().out.partition("\n")
    assert heading == "参考答案："
    assert "$" not in code


def test_the_code_inside_a_prompt_stays_as_it_is() -> None:
    set_language("en")
    english = {ex.name: re.findall(r"```python\n.*?```", ex.prompt, re.S) for ex in EXERCISES}
    set_language("zh-CN")
    chinese = {ex.name: re.findall(r"```python\n.*?```", ex.prompt, re.S) for ex in EXERCISES}
    assert chinese == english
    assert sum(map(len, chinese.values())) >= 3


# ---------------------------------------------------------------- verdicts: right, wrong, garbage, no answer


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_every_verdict_on_the_tests_answers_is_chinese(ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    """The solution, another right answer, every realistic wrong answer, every garbage answer and no answer."""
    answer = ex.solution()
    capsys.readouterr()
    right = checked(ex, answer, capsys)
    assert right.startswith("正确！\n")
    assert_chinese(right)
    assert checked(ex, test_exercises.RIGHT[ex.name](ex), capsys).startswith("正确！\n")
    answers = [make(ex) for make, _expected in test_exercises.WRONG[ex.name]] + test_exercises.GARBAGE + [None]
    for wrong in answers:
        text = checked(ex, wrong, capsys)
        assert text.startswith("还不对。\n"), text
        assert_chinese(text, answer_words(wrong))


def test_no_answer_says_how_to_pass_one_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    ex = EXERCISES[0]
    ex.check()
    text = capsys.readouterr().out
    assert text == "还不对。\n  把您的答案传给检查函数，例如 `ex1.check(answer)`。\n"


@pytest.mark.parametrize("mistake", list(test_capstone.WRONG), ids=list(test_capstone.WRONG))
def test_every_capstone_verdict_is_chinese(mistake: str, capsys: pytest.CaptureFixture[str]) -> None:
    answer, _expected = test_capstone.WRONG[mistake]
    text = checked(test_capstone.EX, answer, capsys)
    assert text.startswith("还不对。\n")
    assert_chinese(text)


def test_the_capstones_summary_and_garbage_verdicts_are_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    ex = test_capstone.EX
    summary = checked(ex, test_capstone.Job(), capsys)
    assert summary.startswith("正确！\n")
    assert_chinese(summary)
    for answer, _expected in test_capstone.GARBAGE.values():
        assert_chinese(checked(ex, answer, capsys))


def test_a_verdict_quotes_the_apis_code_and_message_as_the_api_sends_them(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("first_snapshot")
    answer = {"DiskId": ex.ids["disk"], "SnapshotName": "db nightly", "RetentionDays": 7}
    refused = ex.lab().call("CreateSnapshot", answer)
    text = checked(ex, answer, capsys)
    assert f"API 返回了 {refused.code}（HTTP {refused.status}）：{refused.message}" in text
    assert refused.code == "InvalidSnapshotName.Malformed"
    assert refused.message == lookup(refused.code or "", "CreateSnapshot").message


def test_the_order_puzzle_names_each_problem_and_its_code_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("params_check_order")
    text = checked(ex, "InvalidSnapshotName.Malformed", capsys)
    assert "第 2 步：名称以 auto 开头 -> InvalidSnapshotName.Malformed（最终应答）" in text
    assert_chinese(text)


def test_a_failed_check_in_english_after_chinese_is_english_again(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("quota_room")
    chinese = checked(ex, 64, capsys)
    set_language("en")
    english = checked(ex, 64, capsys)
    assert chinese.startswith("还不对。\n  这块云盘不是空的")
    assert english == (
        "Not yet.\n  The disk is not empty: its snapshots use part of the quota.\n"
        "  Too many: the lab checked by filling the disk to its quota.\n"
    )


# ---------------------------------------------------------------- times in verdicts and the display time zone


def test_a_release_time_verdict_shows_the_display_zone_beside_utc(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise("release_time")
    when = test_exercises.released_at(ex)
    set_display_timezone("Asia/Shanghai")
    right = checked(ex, when, capsys)
    assert "(17:41:30 Asia/Shanghai, UTC+08:00)" in right
    assert_chinese(right)
    early = checked(ex, "2026-01-02T09:41:30Z", capsys)
    assert "太早了：在 2026-01-02T09:41:30Z (17:41:30 Asia/Shanghai, UTC+08:00) 快照仍然存在" in early
    set_display_timezone(None)
    assert "Asia/Shanghai" not in checked(ex, when, capsys)


def test_a_capstone_job_that_ends_late_is_told_when_in_both_zones(capsys: pytest.CaptureFixture[str]) -> None:
    model = test_capstone.Job()

    def slow(lab, disk_ids) -> None:
        model(lab, disk_ids)
        lab.advance(hours=8)

    set_display_timezone("Asia/Shanghai")
    text = checked(test_capstone.EX, slow, capsys)
    assert re.search(r"您的函数在 2026-01-05 09:\d\d:\d\d UTC \(17:\d\d:\d\d Asia/Shanghai, UTC\+08:00\) 才返回", text)
    assert_chinese(text)
    set_language("en")
    set_display_timezone(None)
    assert re.search(r"returned at 2026-01-05 09:\d\d:\d\d; a night's job", checked(test_capstone.EX, slow, capsys))


# ---------------------------------------------------------------- the who-is-stuck table and the check records


LEARNERS = ("张三", "李四", "王五", "赵六", "钱七", "孙八", "周九")


def room(tmp_path: Path) -> Path:
    """Seven learners stuck on the first exercise (more than the table names), one who solved it, one exercise the
    installation does not know, and every kind of file the reader refuses."""
    folder = tmp_path / "教室"
    for name in LEARNERS:
        save(folder / name / "01.ipynb", [record(ok=False, attempt=2)])
    save(folder / "吴十" / "01.ipynb", [record(ok=True, attempt=3)], [{"exercise": "旧练习", "number": 99}])
    unknown = CheckRecord("old_exercise", 99, False, 1)
    save(folder / "郑十一" / "01.ipynb", [unknown])
    broken = nbformat.v4.new_notebook()
    broken.cells.append(nbformat.v4.new_code_cell("x"))
    raw = json.loads(nbformat.writes(broken))
    raw["cells"][0]["outputs"] = "坏"
    (folder / "坏").mkdir()
    (folder / "坏" / "malformed.ipynb").write_text(json.dumps(raw), encoding="utf-8")
    (folder / "坏" / "empty.ipynb").write_text("", encoding="utf-8")
    (folder / "坏" / "corrupt.ipynb").write_text("{", encoding="utf-8")
    (folder / "坏" / "binary.ipynb").write_bytes(b"\xff\xfe\x00")
    (folder / "坏" / "old.ipynb").write_text('{"nbformat": 3, "worksheets": []}', encoding="utf-8")
    (folder / "坏" / "nocells.ipynb").write_text("{}", encoding="utf-8")
    (folder / "空").mkdir()
    return folder


def test_the_who_is_stuck_table_and_its_problems_are_chinese(tmp_path: Path) -> None:
    folder = room(tmp_path)
    progress = read_progress([folder, folder / "空", folder / "无此文件夹"])
    table = progress.table()
    assert table.startswith("谁卡住了：10 名学员，读取了 10 个笔记本，16 个练习")
    assert re.search(r"  7: (?:[\u4e00-\u9fff]{2}, ){4}[\u4e00-\u9fff]{2} 等另外 2 人", table)
    assert "old_exercise（不是这个版本的练习）" in table
    assert_chinese(table)
    assert len(progress.problems) >= 9
    for problem in progress.problems:
        shown = re.sub(r"[\w/.-]*\.ipynb(?!`)", "", problem.replace(str(tmp_path), ""))
        assert_chinese(shown)


def test_the_table_pads_chinese_text_by_its_width_in_a_terminal(tmp_path: Path) -> None:
    save(tmp_path / "张三" / "01.ipynb", [record(ok=True, attempt=1)])
    save(tmp_path / "bob" / "01.ipynb", [record(ok=False, attempt=2)])
    lines = read_progress([tmp_path]).table().splitlines()
    grid = [line for line in lines if line.startswith(("学员", "张三", "bob"))]
    columns = {line[: line.index("✓") if "✓" in line else line.index("✗")] for line in grid[1:]}
    assert {width(text) for text in columns} == {width(grid[0][: grid[0].index("1")])}
    assert width("张三") == 4 and width("bob") == 3


@pytest.mark.parametrize(
    "data",
    [
        "{",
        [],
        {"exercise": "x", "number": 1, "ok": True, "attempt": 1},
        {"exercise": "x", "number": 1, "ok": True, "attempt": 1, "schema": 1, "时间": "现在"},
        {"exercise": "x", "number": 1, "ok": True, "attempt": 1, "schema": 2},
        {"exercise": " ", "number": 1, "ok": True, "attempt": 1, "schema": 1},
        {"exercise": "x", "number": 0, "ok": True, "attempt": 1, "schema": 1},
        {"exercise": "x", "number": 1, "ok": "是", "attempt": 1, "schema": 1},
    ],
)
def test_a_refused_check_record_says_why_in_chinese(data: object) -> None:
    with pytest.raises(ValueError) as refused:
        CheckRecord.from_json(json.dumps(data) if data != "{" else data)
    assert_chinese(str(refused.value))


# ---------------------------------------------------------------- the workshop copy


def test_the_workshop_copy_reports_in_chinese(tmp_path: Path) -> None:
    first = copy_notebooks(tmp_path / "工作坊", language="en")
    assert_chinese(first.report().replace(str(first.folder), ""))
    again = copy_notebooks(tmp_path / "工作坊", language="en")
    report = again.report().replace(str(again.folder), "")
    assert "`--force`" in report
    assert_chinese(QUOTED.sub("", re.sub(r"\S+\.ipynb", "", report)))
    (tmp_path / "文件").write_text("", encoding="utf-8")
    with pytest.raises(NotADirectoryError) as refused:
        copy_notebooks(tmp_path / "文件")
    assert_chinese(str(refused.value).replace(str(tmp_path), ""))
    set_language("en")
    assert copy_notebooks(tmp_path / "工作坊", language="en").report().startswith("0 notebooks copied to ")
