"""How a process chooses the lab's language and display time zone before any code runs: the environment
(ECS_SNAP_LAB_LANG, ECS_SNAP_LAB_TZ), else a file `ecs-snap-lab.toml` in the working directory.

The file is how a folder of notebooks carries its language, as matplotlib's `matplotlibrc` does: Jupyter starts a
notebook's kernel in the notebook's folder, so `notebooks/zh-CN/` holds a file saying `language = "zh-CN"` and
`timezone = "Asia/Shanghai"`, and its notebooks run the same code cells as the English ones. The environment wins:
it is the explicit choice of whoever started the process. A bad value is reported as a warning and ignored (the lab
then writes English, in UTC): a typo must not stop a notebook from starting.
"""

from __future__ import annotations

import os
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path

from . import i18n, local_time

FILE = "ecs-snap-lab.toml"
SETTINGS: dict[str, tuple[str, Callable[[str], None]]] = {
    "language": (i18n.ENVIRONMENT, i18n.set_language),
    "timezone": (local_time.ENVIRONMENT, local_time.set_display_timezone),
}


def read_folder_file(folder: Path) -> dict[str, str]:
    """The settings `folder`'s ecs-snap-lab.toml gives ({} when it has none); a file that cannot be read is reported."""
    path = folder / FILE
    if not path.is_file():
        return {}
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        warnings.warn(f"{path}: not read ({exc})", stacklevel=3)
        return {}
    unknown = sorted(set(found) - set(SETTINGS))
    if unknown:
        warnings.warn(f"{path}: unknown settings {', '.join(unknown)} (known: {', '.join(SETTINGS)})", stacklevel=3)
    return {key: str(value) for key, value in found.items() if key in SETTINGS}


def apply_startup_settings(folder: Path | None = None) -> None:
    """Apply each setting from the environment, else from the working folder's file."""
    from_file = read_folder_file(Path.cwd() if folder is None else folder)
    for key, (variable, apply) in SETTINGS.items():
        wanted, origin = os.environ.get(variable), variable
        if not wanted:
            wanted, origin = from_file.get(key), FILE
        if wanted:
            try:
                apply(wanted)
            except ValueError as exc:
                warnings.warn(f"{origin}: {exc}; ignored", stacklevel=3)
