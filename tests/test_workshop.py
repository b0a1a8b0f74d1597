"""`ecs-snap-lab notebooks DEST` and `ecs-snap-lab lab`: from the source tree and from an installed wheel."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from ecs_snap_lab.cli import main
from ecs_snap_lab.workshop import START_HERE, bundled_notebooks, copy_notebooks, lab_command

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))


def test_the_bundle_is_the_repositorys_notebooks_folder() -> None:
    assert bundled_notebooks() == REPO / "notebooks"
    assert START_HERE in NOTEBOOKS and len(NOTEBOOKS) >= 8


def test_notebooks_copies_every_notebook_into_a_new_folder(tmp_path: Path, capsys) -> None:
    dest = tmp_path / "workshop" / "day1"
    assert main(["notebooks", str(dest)]) == 0
    assert sorted(p.name for p in dest.iterdir()) == NOTEBOOKS
    for name in NOTEBOOKS:
        assert (dest / name).read_bytes() == (REPO / "notebooks" / name).read_bytes()
    assert f"{len(NOTEBOOKS)} notebooks copied to {dest.resolve()}" in capsys.readouterr().out


def test_a_second_copy_keeps_the_learners_edits_unless_forced(tmp_path: Path, capsys) -> None:
    copy_notebooks(tmp_path)
    edited = tmp_path / START_HERE
    edited.write_text('{"my": "notes"}')
    assert main(["notebooks", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "0 notebooks copied" in out and f"kept your copies of {', '.join(NOTEBOOKS)}" in out
    assert edited.read_text() == '{"my": "notes"}'
    assert main(["notebooks", str(tmp_path), "--force"]) == 0
    assert edited.read_bytes() == (REPO / "notebooks" / START_HERE).read_bytes()


def test_learners_copies_hold_no_answer_key_and_the_instructors_does(tmp_path: Path, capsys) -> None:
    assert main(["notebooks", str(tmp_path / "learner")]) == 0
    assert not list((tmp_path / "learner").rglob("answer_key*"))
    assert main(["notebooks", str(tmp_path / "teacher"), "--instructor"]) == 0
    key = tmp_path / "teacher" / "instructor" / "answer_key.ipynb"
    assert key.read_bytes() == (REPO / "instructor" / "answer_key.ipynb").read_bytes()
    assert f"{len(NOTEBOOKS) + 1} notebooks copied" in capsys.readouterr().out


def test_no_learner_notebook_stores_a_solution_or_an_unearned_correct() -> None:
    """The answer key reaches no learner: no stored output of notebooks/ shows solution() code or a Correct! verdict
    from a cell that did not compute its own answer."""
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            text = json.dumps(cell.get("outputs", []))
            live = [line for line in source.splitlines() if not line.lstrip().startswith("#")]
            assert not any(".solution()" in line for line in live), (path.name, source)
            assert "Solution:" not in text, (path.name, source)
            assert "Correct!" not in text, (path.name, source)  # first tries are stored, and they are wrong


def test_a_destination_that_is_a_file_is_refused_with_a_reason(tmp_path: Path, capsys) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    assert main(["notebooks", str(target)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert target.read_text() == "mine"


def test_lab_command_runs_jupyterlab_from_this_python_on_the_first_notebook(tmp_path: Path) -> None:
    command = lab_command(tmp_path, ["--no-browser"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in command and "--no-browser" in command
    assert command[-1] == str(tmp_path / START_HERE)
    assert ("--allow-root" in command) == (os.geteuid() == 0)


def test_the_wheel_ships_the_notebooks_and_copies_them_outside_the_repository(tmp_path: Path) -> None:
    """Built as a learner's pip would, but offline: no index and no isolated build environment (which would
    download hatchling); the build backend comes from the dev extra."""
    wheels = tmp_path / "wheels"
    offline = ["--no-index", "--no-build-isolation", "--no-deps", "--disable-pip-version-check"]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), *offline, "-q", "-w", str(wheels)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("ecs_snap_lab-*.whl")
    shipped = {n.removeprefix("ecs_snap_lab/notebooks/") for n in zipfile.ZipFile(wheel).namelist()}
    assert set(NOTEBOOKS) <= shipped
    assert "ecs_snap_lab/instructor/answer_key.ipynb" in shipped
    assert "ecs_snap_lab/py.typed" in shipped  # type checkers read the package's hints (PEP 561)
    assert "ecs_snap_lab/locale/zh_CN/LC_MESSAGES/ecs_snap_lab.po" in shipped  # the Chinese catalog (i18n.py)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    script = (
        "import sys, ecs_snap_lab; from ecs_snap_lab.cli import main; "
        "print(ecs_snap_lab.__file__); main(['notebooks', 'workshop']); "
        "sys.exit(main(['notebooks', 'key', '--instructor']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=outside,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines()[0].startswith(str(site))  # the wheel's copy, not the repository's
    assert sorted(p.name for p in (outside / "workshop").iterdir()) == NOTEBOOKS
    assert (outside / "key" / "instructor" / "answer_key.ipynb").is_file()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_serves_the_copied_notebooks(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    args = ["--no-browser", f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1"]
    args += ["--IdentityProvider.token=", f"--LabApp.workspaces_dir={tmp_path / 'ws'}"]
    server = subprocess.Popen(
        [sys.executable, "-m", "ecs_snap_lab.cli", "lab", str(tmp_path / "class"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the cleanup below can stop all of it
    )
    try:
        listing = None
        for _ in range(300):  # up to about 30 s on a slow machine; about 3 s here
            if server.poll() is not None:
                pytest.fail(f"JupyterLab stopped: {server.stdout.read().decode(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/") as answer:
                    listing = json.load(answer)
                break
            except OSError:
                time.sleep(0.1)
        assert listing is not None, "JupyterLab never answered"
        assert sorted(item["name"] for item in listing["content"]) == NOTEBOOKS
        server.terminate()  # only the process started: `lab` became JupyterLab, so this stops the server itself
        server.wait(timeout=30)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2)
    finally:
        if server.poll() is None or _group_alive(server.pid):
            os.killpg(server.pid, signal.SIGKILL)  # never leave a server behind, whatever failed


@pytest.mark.parametrize("dangling", [True, False], ids=["dangling", "to-a-file"])
def test_copying_never_follows_a_link_in_the_folder(tmp_path: Path, capsys, dangling: bool) -> None:
    """Issue 14: a dangling link in DEST named like a notebook made the copy write outside DEST."""
    dest, outside = tmp_path / "dest", tmp_path / "outside.ipynb"
    dest.mkdir()
    if not dangling:
        outside.write_text("not yours to overwrite")
    (dest / START_HERE).symlink_to(outside)
    assert main(["notebooks", str(dest)]) == 0
    assert f"kept your copies of {START_HERE}" in capsys.readouterr().out
    assert (dest / START_HERE).is_symlink()
    assert main(["notebooks", str(dest), "--force"]) == 0  # replaces the link itself
    assert not (dest / START_HERE).is_symlink()
    assert (dest / START_HERE).read_bytes() == (REPO / "notebooks" / START_HERE).read_bytes()
    assert outside.exists() != dangling and (dangling or outside.read_text() == "not yours to overwrite")
    assert sorted(p.name for p in dest.iterdir()) == NOTEBOOKS  # no part files left behind


def test_the_instructor_folder_is_never_followed_when_it_is_a_link(tmp_path: Path, capsys) -> None:
    dest, elsewhere = tmp_path / "dest", tmp_path / "elsewhere"
    dest.mkdir()
    elsewhere.mkdir()
    (dest / "instructor").symlink_to(elsewhere)
    assert main(["notebooks", str(dest), "--instructor"]) == 2
    assert "is a link" in capsys.readouterr().err
    assert not list(elsewhere.iterdir())
    assert sorted(p.name for p in dest.iterdir()) == ["instructor"]  # refused before anything was copied


def test_a_chinese_copy_takes_the_chinese_notebooks_and_their_folders_settings(tmp_path) -> None:
    import json

    from ecs_snap_lab.cli import main
    from ecs_snap_lab.i18n import set_language

    try:
        assert main(["notebooks", str(tmp_path / "zh"), "--lang", "zh-CN"]) == 0
    finally:
        set_language("en")
    copied = tmp_path / "zh"
    assert (copied / "ecs-snap-lab.toml").read_text(encoding="utf-8").count('language = "zh-CN"') == 1
    start = json.loads((copied / "00_start_here.ipynb").read_text(encoding="utf-8"))
    assert any("快照" in "".join(cell["source"]) for cell in start["cells"] if cell["cell_type"] == "markdown")
    assert main(["notebooks", str(tmp_path / "en")]) == 0
    assert not (tmp_path / "en" / "ecs-snap-lab.toml").exists()  # English needs no settings
