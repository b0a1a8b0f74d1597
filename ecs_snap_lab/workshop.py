"""The bundled notebooks: find them, copy them into a workshop folder, open JupyterLab on them.

Decisions:
- The notebooks live in the repository's `notebooks/` and are shipped in the wheel as `ecs_snap_lab/notebooks/`
  (hatch force-include). An installed wheel finds them in the package; a source checkout (an editable install)
  finds them beside the package.
- The Chinese notebooks are `notebooks/zh-CN/` (the same code cells, the prose translated) with the folder's
  `ecs-snap-lab.toml` (language and display time zone: settings.py). A copy in a language other than English
  takes both, flat into DEST: the folder's file makes the kernels there write that language.
- Learners' copies hold no answers: the answer key (`instructor/answer_key.ipynb`, every solution run through its
  check) is copied only with `instructor=True` (`--instructor`), into DEST/instructor/.
- Copying never overwrites: a learner's edited notebook is their work. A notebook already in the folder is kept
  and reported as kept; `overwrite=True` (`--force`) replaces it.
- Copying never follows a link in the folder: a name that is a symbolic link (dangling or not) counts as there,
  and `--force` replaces the link itself. Each notebook is written to a new file in the folder (created
  exclusively, never through a link), then renamed over its name.
- `ecs-snap-lab lab` copies first (keeping edits), then runs JupyterLab from the same Python as this package, so
  the kernel sees the installed lab, and opens `00_start_here.ipynb`. As root (a container, a workshop VM) it
  passes `--allow-root`, which JupyterLab otherwise demands and a newcomer would not know to add.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import _, get_language, parse_language

START_HERE = "00_start_here.ipynb"
INSTRUCTOR = "instructor"  # the repository's instructor/ folder, shipped as ecs_snap_lab/instructor
ANSWER_KEY = "answer_key.ipynb"
DEFAULT_FOLDER = "ecs-snap-lab-notebooks"
SETTINGS_FILE = "ecs-snap-lab.toml"  # settings.FILE: a copied folder keeps its notebooks' language


def bundled_notebooks(language: str = "en") -> Path:
    """The folder holding the notebooks shipped with this installation, in `language` ("en" or "zh-CN")."""
    package = Path(__file__).resolve().parent
    for folder in (package / "notebooks", package.parent / "notebooks"):
        if language != "en":
            folder = folder / language
        if (folder / START_HERE).is_file():
            return folder
    raise FileNotFoundError(
        _("the notebooks are not installed with this copy of ecs_snap_lab (looked in {first} and {second})").format(
            first=package / "notebooks", second=package.parent / "notebooks"
        )
    )


@dataclass
class Copied:
    """What a copy did: the notebooks written and the ones kept because the folder had them already."""

    folder: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [_("{count} notebooks copied to {folder}").format(count=len(self.written), folder=self.folder)]
        if self.kept:
            lines.append(
                _("kept your copies of {names} (use --force to replace them)").format(names=", ".join(self.kept))
            )
        return "\n".join(lines)


def bundled_instructor_notebooks() -> Path:
    """The folder holding the instructor's notebooks (the answer key): never copied for learners unless asked."""
    package = Path(__file__).resolve().parent
    for folder in (package / INSTRUCTOR, package.parent / INSTRUCTOR):
        if (folder / ANSWER_KEY).is_file():
            return folder
    raise FileNotFoundError(
        _("the instructor's notebooks are not installed with this copy of ecs_snap_lab ({name})").format(
            name=ANSWER_KEY
        )
    )


def copy_notebooks(
    dest: str | Path, overwrite: bool = False, instructor: bool = False, language: str | None = None
) -> Copied:
    """Copy every bundled notebook into `dest` (created if needed); never overwrites unless asked. The answer key
    goes only to an instructor's copy (`instructor=True`), into `dest/instructor/`. `language` ("en", "zh-CN";
    default: the lab's current language) picks the notebooks, and a non-English copy takes its settings file."""
    language = get_language() if language is None else parse_language(language)
    folder = Path(dest).expanduser()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(_("{folder} exists and is not a folder").format(folder=folder))
    if instructor and (folder / INSTRUCTOR).is_symlink():
        raise NotADirectoryError(
            _("{folder} is a link: it is not followed, and nothing was copied").format(folder=folder / INSTRUCTOR)
        )
    folder.mkdir(parents=True, exist_ok=True)
    copied = Copied(folder.resolve())
    source = bundled_notebooks(language)
    _copy_folder(source, folder, "", overwrite, copied)
    if (source / SETTINGS_FILE).is_file():
        _copy_file(source / SETTINGS_FILE, folder, "", overwrite, copied)
    if instructor:
        if (folder / INSTRUCTOR).is_symlink():
            raise NotADirectoryError(
                _("{folder} is a link: it is not followed, and nothing was copied there").format(
                    folder=folder / INSTRUCTOR
                )
            )
        (folder / INSTRUCTOR).mkdir(exist_ok=True)
        _copy_folder(bundled_instructor_notebooks(), folder / INSTRUCTOR, f"{INSTRUCTOR}/", overwrite, copied)
    return copied


def _copy_folder(source: Path, folder: Path, prefix: str, overwrite: bool, copied: Copied) -> None:
    for notebook in sorted(source.glob("*.ipynb")):
        _copy_file(notebook, folder, prefix, overwrite, copied)


def _copy_file(path: Path, folder: Path, prefix: str, overwrite: bool, copied: Copied) -> None:
    target = folder / path.name
    if os.path.lexists(target) and not overwrite:
        copied.kept.append(prefix + path.name)
        return
    _place(path.read_bytes(), target)
    copied.written.append(prefix + path.name)


def _place(data: bytes, target: Path) -> None:
    """Write `data` as `target` without following a link: into a new file beside it, then renamed over it."""
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(part, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(part, target)  # renames over a link itself, never writes where it points
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise


def lab_command(folder: Path, extra: list[str] | None = None) -> list[str]:
    """JupyterLab on `folder`, opening the first notebook, run by this Python."""
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        *as_root,
        *(extra or []),
        str(folder / START_HERE),
    ]


def open_lab(dest: str | Path, extra: list[str] | None = None, language: str | None = None) -> int:
    """Copy the notebooks into `dest` (keeping edits), then run JupyterLab there until it is stopped."""
    copied = copy_notebooks(dest, language=language)
    print(copied.report(), flush=True)
    command = lab_command(copied.folder, extra)
    if os.name == "posix":  # become JupyterLab: a signal to this process (Ctrl+C, a stop) reaches the server itself
        os.execv(command[0], command)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
