"""Every package in this Python's environment is the version binder/requirements.lock pins (run by the Binder check).

A package the lock does not name was installed unpinned, as whatever release was newest that day: pyproject.toml's
dependencies changed and `make lock` was not run. The venv's own installer (pip, setuptools) and the project itself
are not the lock's business unless it pins them.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions
from pathlib import Path

OWN = {"ecs-snap-lab", "pip", "setuptools"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    found = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep:
            found[canonical(name)] = version.strip()
    return found


def mismatch(name: str, version: str, pinned: dict[str, str], lock: Path) -> str:
    """Why `name` at `version` is not as the lock says ('' when it is)."""
    if name in pinned:
        return "" if pinned[name] == version else f"{name} {version} is installed, but {lock} pins {pinned[name]}"
    return "" if name in OWN else f"{name} {version} is installed, but {lock} does not pin it (run `make lock`)"


def main(lock: Path) -> int:
    pinned = pins(lock)
    installed = {canonical(dist.metadata["Name"]): dist.version for dist in distributions()}
    problems = [text for name, version in sorted(installed.items()) if (text := mismatch(name, version, pinned, lock))]
    for problem in problems:
        print(f"lock check: {problem}", file=sys.stderr)
    print(f"lock check: {len(installed)} installed packages, {len(problems)} not as {lock} pins them")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
