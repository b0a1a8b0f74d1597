"""The command line in Chinese: `--lang zh-CN` (or ECS_SNAP_LAB_LANG) makes tour, codes, explain, doctor and the help
write Chinese; what they quote from the API (codes, messages) stays as the API sends it, and argparse's own
words (usage:, options:) are Python's."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from chinese import english_in

from ecs_snap_lab import error_catalog, set_display_timezone, set_language
from ecs_snap_lab.cli import main

ARGPARSE = re.compile(r"usage:|options:|positional arguments:|show this help message and exit|\{[\w,-]+\}")


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    set_language("en")
    set_display_timezone(None)


def lab_words(text: str) -> set[str]:
    """English left once the API's own messages and argparse's words are taken out."""
    for message in sorted({entry.message for entry in error_catalog()}, key=len, reverse=True):
        text = text.replace(message, " ")  # as `codes` lists it, {param} and all
        text = re.sub(re.escape(message).replace(re.escape("{param}"), r"\S*"), " ", text)  # as an answer says it
    return english_in(ARGPARSE.sub(" ", text))


@pytest.mark.parametrize(
    "command",
    [["tour"], ["codes"], ["explain", "QuotaExceed.Snapshot"], ["explain", "InternalError", "--row", "26"]],
    ids=["tour", "codes", "explain", "explain-row"],
)
def test_each_command_writes_chinese(command: list[str], capsys) -> None:
    assert main(["--lang", "zh-CN", *command]) == 0
    out = capsys.readouterr().out
    assert re.search(r"[\u4e00-\u9fff]", out), out[:200]
    assert not lab_words(out), sorted(lab_words(out))


def test_the_help_is_written_in_the_language_given_on_the_same_command_line(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "zh-CN", "--help"])
    out = capsys.readouterr().out
    assert "实验环境使用的语言" in out and "复现一个错误码并解释它" in out  # the options' and commands' help
    with pytest.raises(SystemExit):
        main(["notebooks", "--help", "--lang", "en"])
    assert "the folder to copy them into" in capsys.readouterr().out


def test_the_doctor_reports_in_chinese(capsys) -> None:
    main(["--lang", "zh-CN", "doctor", "--quick"])
    out = capsys.readouterr().out
    assert "这台机器能运行 ecs-snap-lab 工作坊吗？" in out
    assert not lab_words(out), sorted(lab_words(out))


def test_an_explanation_shows_beijing_time_beside_utc(capsys) -> None:
    main(["--lang", "zh-CN", "--tz", "Asia/Shanghai", "explain", "IncorrectDiskStatus.Transferring"])
    out = capsys.readouterr().out
    assert "Asia/Shanghai, UTC+08:00" in out  # the disk's data loads until a time, shown in both zones
