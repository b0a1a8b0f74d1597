"""The command line in Simplified Chinese (`--lang zh-CN`, or ECS_SNAP_LAB_LANG): every command's help, the tour,
the catalogue, the doctor's findings, the endpoint's banner and warning, argparse's errors, the signing steps and
the refusals a learner meets (a corrupt save file, a knob, a fault, a demo too small) leave no English, while the
API's words (codes, messages, the seed's sentences) stay exactly as the API sends them; `--tz` shows local times."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from chinese import english_in

from ecs_snap_lab import Lab, doctor
from ecs_snap_lab.cli import main
from ecs_snap_lab.i18n import set_language
from ecs_snap_lab.local_time import set_display_timezone
from ecs_snap_lab.persistence import Corrupt
from ecs_snap_lab.rules.catalog import error_catalog
from ecs_snap_lab.wire import signature

COMMANDS = ("tour", "explain", "codes", "doctor", "notebooks", "lab", "serve", "progress")
# what a learner types, set aside: an option (--access-key), a subcommand's name, a metavar naming a key pair
TYPED = re.compile(r"(?<![\w-])--?[a-z][\w-]*|\b(?:" + "|".join(COMMANDS) + r")\b|ID:SECRET")
SHANGHAI = "Asia/Shanghai, UTC+08:00"


@pytest.fixture(autouse=True)
def english_and_utc_after() -> Iterator[None]:
    yield
    set_language("en")
    set_display_timezone(None)


def api_words_set_aside(text: str) -> str:
    """`text` without the API's own words: every message of the catalogue (what a refusal answers)."""
    for entry in sorted(error_catalog(), key=lambda entry: -len(entry.message)):
        text = text.replace(entry.message, " ")
    return text


def assert_chinese(text: str) -> None:
    for line in text.splitlines():
        assert not english_in(TYPED.sub(" ", line)), line


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exit:  # --help and usage errors: argparse exits
        status = int(exit.code or 0)
    said = capsys.readouterr()
    return status, said.out, said.err


# ---------------------------------------------------------------- help and usage errors


@pytest.mark.parametrize("command", [(), *((name,) for name in COMMANDS)])
def test_every_commands_help_is_in_chinese(capsys, command: tuple[str, ...]) -> None:
    status, out, _err = run(capsys, "--lang", "zh-CN", *command, "--help")
    assert status == 0 and out.startswith("用法：ecs-snap-lab")
    assert_chinese(out)
    set_language("en")
    status, english, _err = run(capsys, *command, "--help")
    assert english.startswith("usage: ecs-snap-lab") and "show this help message and exit" in english


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["explain"],
        ["codes", "--bogus"],
        ["explain", "--row", "x", "InternalError"],
        ["serve", "--demo", "--load", "world.json"],
        ["--tz"],
        ["--tz", "Asia/Nowhere", "codes"],
        ["doctor", "--timeout", "soon"],
    ],
)
def test_a_usage_error_is_in_chinese_and_in_argparses_english_otherwise(capsys, argv: list[str]) -> None:
    status, _out, err = run(capsys, *argv)
    english = err.splitlines()[-1]
    assert status == 2 and ": error: " in english
    assert "usage: ecs-snap-lab" in err
    status, _out, err = run(capsys, "--lang", "zh-CN", *argv)
    assert status == 2 and "：错误：" in err and err.startswith("用法：")
    assert_chinese(re.sub(r"'[^']*'", " ", err))  # a value the learner typed is quoted as typed


def test_the_language_variable_chooses_the_commands_language() -> None:
    env = {**os.environ, "ECS_SNAP_LAB_LANG": "zh-CN"}
    env.pop("ECS_SNAP_LAB_TZ", None)
    done = subprocess.run(
        [sys.executable, "-m", "ecs_snap_lab.cli", "tour"], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.startswith("ecs_snap_lab 导览")
    assert_chinese(tour_set_aside(done.stdout))
    helped = subprocess.run(
        [sys.executable, "-m", "ecs_snap_lab.cli", "--help"], capture_output=True, text=True, env=env, check=True
    )
    assert_chinese(helped.stdout)


# ---------------------------------------------------------------- tour, codes, explain


def tour_set_aside(text: str) -> str:
    """The tour without what it quotes of the API: its answers (JSON, XML, codes and messages)."""
    text = api_words_set_aside(text)
    text = re.sub(r"\bProgress\b", " ", text)  # a field of DescribeSnapshots' answer (RemainTime is CamelCase)
    return re.sub(r"HTTP \d{3} (\{.*\}|\S+:)|<\?xml.*", " ", text)


def test_the_tour_is_in_chinese_and_shows_shanghai_time_beside_utc(capsys) -> None:
    status, out, _err = run(capsys, "--lang", "zh-CN", "--tz", "Asia/Shanghai", "tour")
    assert status == 0
    assert_chinese(tour_set_aside(out))
    assert "时钟从 2026-01-01 00:00 UTC (08:00 Asia/Shanghai, UTC+08:00) 开始" in out
    progress_lines = [line for line in out.splitlines() if "RemainTime" in line and SHANGHAI in line]
    assert len(progress_lines) == 5
    assert "IncorrectDiskStatus.NeverAttached: The specified disk has never been attached to any instance." in out
    assert "<CreateSnapshotResponse>" in out  # the API's answer, as the API writes it


def test_the_english_tour_is_unchanged_without_a_display_zone(capsys) -> None:
    _status, out, _err = run(capsys, "tour")
    lab = Lab(seed=0)
    first = out.splitlines()[:2]
    assert first == [
        "ecs_snap_lab tour: Alibaba Cloud ECS CreateSnapshot on a simulated account",
        f"The clock starts at {lab.now:%Y-%m-%d %H:%M}Z in {lab.region}. It moves only when you call lab.advance().",
    ]
    assert re.search(r"^   04:42Z  accomplished Progress 100%", out, re.M)


def test_codes_explains_each_code_in_chinese_and_keeps_the_apis_words(capsys) -> None:
    status, out, _err = run(capsys, "--lang", "zh-CN", "codes")
    assert status == 0
    for entry in error_catalog():
        assert f"{entry.http_status}  {entry.code:<48}" in out and entry.message in out
    rest = api_words_set_aside(out)
    for entry in error_catalog():
        rest = rest.replace(entry.code, " ")
    assert_chinese(rest)
    set_language("en")
    status, english, _err = run(capsys, "codes")
    assert len(english.splitlines()) == len(error_catalog())  # English: a line per code, as before
    assert "common" in english and re.search(r" row  1 ", english)


def test_explain_refuses_an_unknown_code_in_chinese(capsys) -> None:
    for extra in ([], ["--row", "3"], ["--action", "CreateDisk"], ["--row", "3", "--action", "CreateDisk"]):
        set_language("en")
        status, _out, err = run(capsys, "explain", "Nope", *extra)
        assert status == 2 and err.endswith("is not in the error catalogue\n")
        status, _out, err = run(capsys, "--lang", "zh-CN", "explain", "Nope", *extra)
        assert status == 2 and "错误码目录中没有" in err
        assert_chinese(err.replace("'Nope'", " "))


# ---------------------------------------------------------------- doctor


def test_the_doctors_report_is_in_chinese(capsys) -> None:
    set_language("zh-CN")
    lines: list[str] = []
    doctor.main(quick=True, out=lines.append)
    report = "\n".join(lines)
    assert report.startswith("这台机器能运行 ecs-snap-lab 工作坊吗？")
    assert_chinese(doctor_set_aside(report))


def crash(options: doctor.Options) -> doctor.Result:
    raise RuntimeError  # a check failing in an unforeseen way (with no English text of its own)


def doctor_set_aside(text: str) -> str:
    """What the doctor names as it is: paths, versions, the libraries' and the font's names, commands to paste."""
    from ecs_snap_lab.views.style import CJK_FAMILIES

    text = re.sub(r"^    (?=\S).*$", " ", text, flags=re.M)  # the fixes the verdict lists: commands to paste
    text = text.replace(doctor.WIDGET_EXTENSION, " ")
    for words in (*CJK_FAMILIES, "ipykernel", "jupyterlab_widgets", sys.executable):
        text = text.replace(words, " ")
    return re.sub(r"\S*/\S*|`[^`]*`|(?<=修复：).*", " ", text)


def test_every_finding_and_fix_of_the_doctor_is_in_chinese(monkeypatch, tmp_path: Path) -> None:
    """The misses a machine can have, each made to happen: their findings, their fixes and the verdicts."""
    set_language("zh-CN")
    findings = [
        doctor.library("no_such_module_here", "no-such-distribution-here", "pandas"),
        doctor._judge_kernel({"status": "error", "ename": "ImportError", "evalue": "x"}, [], "REGISTER"),
        doctor._judge_kernel({"status": "ok"}, [sys.executable], "REGISTER"),
        doctor.run_check(doctor.Check("kernel", crash), doctor.Options()),
    ]
    monkeypatch.setattr(doctor, "MIN_PYTHON", (99, 0))
    findings.append(doctor.check_python(doctor.Options()))
    monkeypatch.setattr("ecs_snap_lab.views.style.cjk_family", lambda: None)
    findings.append(doctor.check_chinese_font(doctor.Options()))
    (tmp_path / "bad.ipynb").write_text("{", encoding="utf-8")
    (tmp_path / "old.ipynb").write_text(json.dumps({"nbformat": 3, "cells": []}), encoding="utf-8")
    problems = [doctor.notebook_problem(tmp_path / name) for name in ("bad.ipynb", "old.ipynb")]
    for finding in findings:
        assert_chinese(doctor_set_aside(finding.detail))
    for problem in problems:
        assert problem and not english_in(re.sub(r"：.*", "", problem)), problem  # json's own reason follows
    fails = [(check, finding) for check, finding in zip(doctor.CHECKS, findings, strict=False)]
    warned = [(doctor.CHECKS[1], doctor.Result(doctor.Status.WARN, "x", "FIX"))]
    for results in (fails, warned, warned * 2):
        report = doctor.report(results)
        assert_chinese(doctor_set_aside(report.replace("FIX", " ").replace("x", " ")))
    assert "需要先解决" in doctor.report(fails) and "个警告" in doctor.report(warned)
    set_language("en")
    assert doctor.report(warned).endswith("Yes: this machine can run the workshop (1 warning: optional parts).")


# ---------------------------------------------------------------- the endpoint


def test_serves_banner_and_warning_are_in_chinese_with_local_time(monkeypatch, capsys) -> None:
    from ecs_snap_lab import cli
    from ecs_snap_lab.wire import server

    def ctrl_c() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "wait_until_stopped", ctrl_c)
    monkeypatch.setattr(server, "is_loopback", lambda host: False)
    status, out, err = run(capsys, "--lang", "zh-CN", "--tz", "Asia/Shanghai", "serve", "--port", "0", "--admin")
    assert status == 0
    before_code = out.split("粘贴到 Python 中")[0]  # then the snippets: Python code to paste, as it is
    token = re.search(r"管理令牌：(\S{32})", before_code).group(1)  # type: ignore[union-attr]
    assert_chinese(re.sub(r"LTAI\w{20}:\w{30}|X-Admin-Token|POST", " ", before_code.replace(token, " ")))
    assert out.splitlines()[1] == f"实验环境的时钟：2026-01-01 00:00:00 UTC (08:00:00 {SHANGHAI})"
    assert out.rstrip().endswith("已停止") and "\n按 Ctrl-C " in out
    assert re.search(r"AccessKey：LTAI\w{20}:\w{30}", out)
    assert_chinese(err.replace("ecs-snap-lab", " "))
    set_language("en")
    set_display_timezone(None)
    status, out, _err = run(capsys, "serve", "--port", "0")
    assert out.splitlines()[0] == f"Serving {Lab(seed=0)!r}"  # English: the lab's repr, as before


def test_the_signing_steps_are_in_chinese_and_what_is_signed_is_unchanged() -> None:
    params = {"Action": "DescribeRegions", "Format": "XML", "SignatureNonce": "n", "Timestamp": "2016-02-23T12:46:24Z"}
    english = signature.explain("testsecret", "GET", params).explain()
    set_language("zh-CN")
    chinese = signature.explain("testsecret", "GET", params).explain()
    signed = [line for line in chinese.splitlines() if line.startswith("     ")]
    assert signed == [line for line in english.splitlines() if line.startswith("     ")]
    steps = [line for line in chinese.splitlines() if not line.startswith("     ")]
    assert len(steps) == 4
    assert_chinese("\n".join(steps))


# ---------------------------------------------------------------- refusals a learner meets


def corrupt_reasons(document: dict) -> Iterator[str]:
    """The reason each field of `document` is refused for, once replaced by a value of no field's type."""
    for key, value in document.items():
        for path, broken in mutations(value):
            changed = json.loads(json.dumps(document))
            target = changed
            for step in [key, *path[:-1]]:
                target = target[step]
            if path:
                target[path[-1]] = broken
            else:
                changed[key] = broken
            try:
                Lab.from_document(changed)
            except Corrupt as exc:
                yield str(exc)


def mutations(value: object, path: tuple = (), depth: int = 0) -> Iterator[tuple[tuple, object]]:
    yield path, [[None]]
    if depth < 2 and isinstance(value, dict):
        for key, inner in value.items():
            yield from mutations(inner, (*path, key), depth + 1)
    elif depth < 2 and isinstance(value, list) and value:
        yield from mutations(value[0], (*path, 0), depth + 1)


def test_every_reason_a_save_file_is_refused_for_is_in_chinese(tmp_path: Path) -> None:
    lab = Lab(seed=3)
    disk = lab.ready_disk()
    lab.create_snapshot(disk, retention_days=3)
    lab.advance(hours=2)
    document = lab.to_document()
    set_language("zh-CN")
    reasons = set(corrupt_reasons(document))
    assert len(reasons) >= 20
    (tmp_path / "text.json").write_bytes(b"\xff\xfe")
    (tmp_path / "list.json").write_text("[1]", encoding="utf-8")
    (tmp_path / "other.json").write_text(json.dumps({**document, "format": "x"}), encoding="utf-8")
    (tmp_path / "later.json").write_text(json.dumps({**document, "version": 99}), encoding="utf-8")
    for name in ("text.json", "list.json", "other.json", "later.json", "."):
        with pytest.raises(Corrupt) as refused:
            Lab.load(tmp_path / name)
        reasons.add(str(refused.value).replace(str(tmp_path / name), " "))
    for reason in reasons:
        reason = re.sub(r"\b[a-z_]+(\[\d+\])?(\.[a-z_]+)*(\[\d+\])*：", " ", reason)  # the file's field, as named in it
        # set aside: what the file holds, quoted as Python writes it, and Python's own reasons in parentheses
        assert not english_in(re.sub(r"'[^']*'|\(.*?\)|（[ -~]*）", " ", reason)), reason


def test_the_knobs_faults_and_demo_refuse_in_chinese() -> None:
    lab = Lab(seed=2)
    disk = lab.ready_disk()
    set_language("zh-CN")
    refusals = [
        lambda: lab.knobs.set_in_arrears("d-nothere"),
        lambda: lab.knobs.lock_instance("i-nothere", "security"),
        lambda: lab.knobs.expire_subscription(disk),
        lambda: lab.knobs.start_transfer(disk, minutes=0),
        lambda: lab.faults.inject("InternalError", times=0),
        lambda: lab.faults.inject("InternalError", seconds=0),
        lambda: lab.faults.inject("SnapshotFails", at_progress=100),
        lambda: lab.faults.inject("SnapshotFails", action="CreateDisk"),
        lambda: Lab.demo(disks=1),
        lambda: Lab.demo(days=1),
    ]
    said = []
    for refused in refusals:
        with pytest.raises(ValueError) as caught:
            refused()
        said.append(str(caught.value))
    for _ in range(lab_max_armed()):
        lab.faults.inject("InternalError")
    with pytest.raises(ValueError) as caught:
        lab.faults.inject("InternalError")
    said.append(str(caught.value))
    for text in said:
        assert not english_in(text), text
    assert lab.call("CreateSnapshot", {"DiskId": "d-nothere"}).message == "The specified DiskId does not exist."


def lab_max_armed() -> int:
    from ecs_snap_lab.model.faults import MAX_ARMED

    return MAX_ARMED


# ---------------------------------------------------------------- each command, as a learner runs it

ARGPARSE = re.compile(r"usage:|options:|positional arguments:|show this help message and exit|\{[\w,-]+\}")


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
