"""The console script and the core's promise to stay light."""

from __future__ import annotations

import subprocess
import sys

from ecs_snap_lab.cli import main
from ecs_snap_lab.tour import run


def test_the_tour_meets_three_errors_and_a_snapshot_that_finishes() -> None:
    lines: list[str] = []
    run(out=lines.append)
    text = "\n".join(lines)
    for code in ("IncorrectDiskStatus.NeverAttached", "IncorrectDiskStatus:", "InvalidSnapshotName.Malformed"):
        assert code in text
    assert "accomplished Progress 100%" in text
    assert "<CreateSnapshotResponse>" in text


def test_the_tour_prints_the_same_thing_twice() -> None:
    first: list[str] = []
    second: list[str] = []
    run(out=first.append)
    run(out=second.append)
    assert first == second


def test_codes_lists_the_catalogue(capsys) -> None:
    assert main(["codes"]) == 0
    out = capsys.readouterr().out
    assert "QuotaExceed.Snapshot" in out and "row 30" in out


def test_explain_reproduces_a_code(capsys) -> None:
    assert main(["explain", "DiskInArrears"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DiskInArrears (HTTP 403)")
    assert "set_in_arrears" in out


def test_explain_refuses_an_unknown_code(capsys) -> None:
    assert main(["explain", "Nope"]) == 2
    assert "Nope" in capsys.readouterr().err


def test_importing_the_core_loads_no_heavy_library() -> None:
    probe = (
        "import sys, ecs_snap_lab; from ecs_snap_lab import Lab; Lab().ready_disk(); "
        "print(sorted({'pandas', 'matplotlib', 'ipywidgets', 'IPython', 'numpy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_console_script_runs_the_tour() -> None:
    out = subprocess.run([sys.executable, "-m", "ecs_snap_lab.cli", "tour"], capture_output=True, text=True, check=True)
    assert "ecs_snap_lab tour" in out.stdout


def test_explain_takes_the_row_of_a_code_with_two(capsys) -> None:
    assert main(["explain", "InternalError", "--row", "26"]) == 0
    assert "exception or failure" in capsys.readouterr().out
    assert main(["explain", "InternalError", "--row", "12"]) == 0
    assert "exception or failure" not in capsys.readouterr().out.splitlines()[0]


def test_explain_action_picks_the_entry_of_that_action(capsys) -> None:
    assert main(["explain", "IdempotentParameterMismatch", "--action", "CreateDisk"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("IdempotentParameterMismatch (HTTP 400)")
    assert "CreateDisk" in out
