"""`ecs-snap-lab doctor` in the good environment (this venv), in a broken one (a bare venv), and with damaged notebooks.

The broken environment is a venv made `--without-pip` (so no pip, pandas, JupyterLab, kernel...) that imports a copy
of the package through PYTHONPATH: what a room gets from a source folder and a Python with nothing installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from ecs_snap_lab import doctor
from ecs_snap_lab.doctor import CHECKS, Check, Options, Result, Status, notebook_problem, run_check

REPO = Path(__file__).resolve().parents[1]
LINE_MARKS = ("ok", "warn", "FAIL")
NOTEBOOK_COUNT = len(list((REPO / "notebooks").glob("*.ipynb")))


def doctor_run(python: str | Path, *args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(python), "-m", "ecs_snap_lab.cli", "doctor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def check_lines(out: str) -> dict[str, tuple[str, str]]:
    """{check name: (mark, rest of the line)} from the report, one line per check."""
    found: dict[str, tuple[str, str]] = {}
    for line in out.splitlines():
        mark = line[2:8].strip()
        if mark not in LINE_MARKS:
            continue
        name = next(check.name for check in CHECKS if line[8:].startswith(check.name + " "))
        found[name] = (mark, line[8 + len(name) :].strip())
    return found


def fixes_under(out: str, name: str) -> str:
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line[8:].startswith(name + " "))
    following = lines[at + 1] if at + 1 < len(lines) else ""
    return following.strip().removeprefix("fix: ") if "fix: " in following else ""


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    """A venv with nothing in it, not even pip."""
    folder = tmp_path_factory.mktemp("bare")
    venv.create(folder / "venv", with_pip=False)
    return folder / "venv" / "bin" / "python"


def package_copy(where: Path, notebooks: bool) -> Path:
    """A copy of the package (as a source folder would hold it), with or without the notebooks beside it."""
    shutil.copytree(REPO / "ecs_snap_lab", where / "ecs_snap_lab", ignore=shutil.ignore_patterns("__pycache__"))
    if notebooks:
        shutil.copytree(REPO / "notebooks", where / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return where


def test_in_this_environment_every_check_passes_and_a_kernel_runs_the_lab(tmp_path: Path) -> None:
    done = doctor_run(sys.executable, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = check_lines(done.stdout)
    assert list(lines) == [check.name for check in CHECKS]
    assert {mark for mark, _ in lines.values()} == {"ok"}, done.stdout
    assert lines["kernel"][1] == f"a python3 kernel started and imported the lab ({sys.executable})"
    assert lines["notebooks"][1] == f"{NOTEBOOK_COUNT} notebooks in {REPO / 'notebooks'}"
    assert "draws a PNG headless" in lines["matplotlib"][1]
    assert "@jupyter-widgets/jupyterlab-manager in " in lines["widgets in Lab"][1]
    assert done.stdout.rstrip().endswith("Yes: this machine can run the workshop.")
    assert done.stderr == ""


def test_a_bare_python_gets_each_missing_piece_with_its_fix_and_exit_1(bare_python: Path, tmp_path: Path) -> None:
    source = package_copy(tmp_path / "src", notebooks=False)
    done = doctor_run(bare_python, cwd=tmp_path, env={"PYTHONPATH": str(source)})
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = check_lines(done.stdout)
    install = f"{bare_python} -m pip install 'ecs-snap-lab[lab]'"
    for name, label in [
        ("ipywidgets", "ipywidgets"),
        ("pandas", "pandas"),
        ("matplotlib", "matplotlib"),
        ("JupyterLab", "JupyterLab"),
        ("widgets in Lab", "jupyterlab_widgets"),
        ("kernel", "ipykernel"),
    ]:
        assert lines[name] == ("FAIL", f"{label} is not installed"), name
        assert fixes_under(done.stdout, name) == install, name
    assert lines["Python"][0] == "ok"
    assert lines["pip"] == ("warn", "pip is not installed in this Python: the fixes below need it")
    assert fixes_under(done.stdout, "pip") == f"{bare_python} -m ensurepip --upgrade"
    assert lines["the package"][0] == "warn" and "is not installed" in lines["the package"][1]
    assert lines["notebooks"][0] == "FAIL" and "the notebooks are not installed with this copy" in lines["notebooks"][1]
    assert lines["Voila"][0] == "warn" and lines["official SDKs"][0] == "warn"  # optional: warned, not failed
    assert "No: 7 problems to fix first. Run, in order:" in done.stdout
    summary = done.stdout.split("Run, in order:")[1].splitlines()
    assert summary[1].strip() == f"{bare_python} -m ensurepip --upgrade"  # pip first: the other fixes need it
    assert summary[2].strip() == install


def test_damaged_notebooks_are_named_and_fail_the_check(bare_python: Path, tmp_path: Path) -> None:
    source = package_copy(tmp_path / "src", notebooks=True)
    (source / "notebooks" / "01_first_snapshot.ipynb").write_text('{"cells": [', encoding="utf-8")
    (source / "notebooks" / "02_parameters_and_validation.ipynb").write_text("[1, 2]", encoding="utf-8")
    done = doctor_run(bare_python, cwd=tmp_path, env={"PYTHONPATH": str(source)})
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    mark, detail = check_lines(done.stdout)["notebooks"]
    assert mark == "FAIL"
    assert detail.startswith(f"2 of {NOTEBOOK_COUNT} notebooks in ")
    assert "01_first_snapshot.ipynb (not JSON: JSONDecodeError" in detail
    assert "02_parameters_and_validation.ipynb (not a version 4 notebook)" in detail


def test_a_kernelspec_pointing_at_another_python_fails_the_kernel_check(
    bare_python: Path, tmp_path: Path, monkeypatch
) -> None:
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [str(bare_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))  # first in the kernelspec search, as a user dir
    found = doctor.check_kernel(Options(timeout=30))
    assert found.status is Status.FAIL
    assert found.detail.startswith(f"the python3 kernel ({bare_python}) did not start: ")
    assert found.fix == f"{sys.executable} -m ipykernel install --user"


def test_quick_does_not_start_a_kernel(capsys) -> None:
    assert doctor.main(quick=True) == 0
    assert "(not started: --quick)" in capsys.readouterr().out


def test_a_kernel_that_cannot_import_the_lab_is_told_apart_from_a_missing_library() -> None:
    error = {"status": "error", "ename": "ModuleNotFoundError", "evalue": "No module named 'ecs_snap_lab'"}
    elsewhere = doctor._judge_kernel(error, ["/usr/bin/python3"], "REGISTER")
    assert elsewhere.status is Status.FAIL and elsewhere.fix == "REGISTER"
    assert "(/usr/bin/python3) cannot import the lab: ModuleNotFoundError" in elsewhere.detail
    here = doctor._judge_kernel(error, [sys.executable], "REGISTER")
    assert here.fix == doctor.install_fix()  # this very Python lacks it: install, not re-register


def test_a_check_that_crashes_is_a_failed_check_and_an_optional_one_only_warns() -> None:
    def crash(options: Options) -> Result:
        raise KeyError("surprise")

    crashed = run_check(Check("crash", crash), Options())
    assert crashed.status is Status.FAIL and crashed.detail == "the check itself failed: KeyError: 'surprise'"
    assert run_check(Check("crash", crash, required=False), Options()).status is Status.WARN


def test_notebook_problem_tells_a_notebook_from_damaged_files(tmp_path: Path) -> None:
    good = REPO / "notebooks" / "00_start_here.ipynb"
    assert notebook_problem(good) == ""
    node = json.loads(good.read_text(encoding="utf-8"))
    del node["cells"][0]["source"]  # JSON and version 4, but not a valid notebook
    invalid = tmp_path / "invalid.ipynb"
    invalid.write_text(json.dumps(node), encoding="utf-8")
    assert notebook_problem(invalid).startswith("invalid: ")
    assert notebook_problem(tmp_path / "gone.ipynb").startswith("not JSON: FileNotFoundError")


def test_the_python_floor_is_pyprojects() -> None:
    with (REPO / "pyproject.toml").open("rb") as file:
        requires = tomllib.load(file)["project"]["requires-python"]
    assert requires == ">=" + ".".join(map(str, doctor.MIN_PYTHON))


def test_the_chinese_font_check_names_the_font_found_and_says_how_to_install_one(monkeypatch) -> None:
    from ecs_snap_lab import doctor
    from ecs_snap_lab.views import style

    monkeypatch.setattr(style, "cjk_family", lambda: "Noto Sans CJK SC")
    found = doctor.check_chinese_font(doctor.Options())
    assert (found.status, found.detail) == (doctor.Status.OK, "Noto Sans CJK SC (charts in Chinese)")
    monkeypatch.setattr(style, "cjk_family", lambda: None)
    missing = doctor.check_chinese_font(doctor.Options())
    assert missing.status is doctor.Status.WARN and "fonts-noto-cjk" in missing.fix
    assert not next(check for check in doctor.CHECKS if check.name == "Chinese font").required
