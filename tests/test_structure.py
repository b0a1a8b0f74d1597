"""The package's shape, checked on its source: the layers above the core read the lab through its query surface
(never `lab.world`), the core below the lab does not import it, and no function is longer than 60 lines.

The core is the model, the actions, the rules and the modules that hold a world: lab, persistence, request_log,
knobs, faults, validation, response. Every other module (views, widgets, exercises, wire, cli, demo, recipes, tour,
progress, doctor, workshop, and any new one) is an upper layer: it goes through the Lab's public API.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ecs_snap_lab"
CORE_PACKAGES = ("model", "actions", "rules")
CORE_MODULES = ("lab.py", "persistence.py", "request_log.py", "knobs.py", "faults.py", "validation.py", "response.py")
BELOW_THE_LAB = (*CORE_PACKAGES, "persistence.py", "request_log.py", "knobs.py", "faults.py")
MAX_FUNCTION_LINES = 60


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def in_core(path: Path) -> bool:
    name = relative(path)
    return name.split("/")[0] in CORE_PACKAGES or name in CORE_MODULES


def world_access(source: str) -> list[str]:
    """Where a module reaches into the model: `x.world`, `getattr(x, "world")`, or an import of model.world."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "world":
            found.append(f"line {node.lineno}: .world")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "world"
        ):
            found.append(f"line {node.lineno}: {node.func.id}(..., 'world')")
        elif isinstance(node, ast.ImportFrom) and _names_model_world(node):
            found.append(f"line {node.lineno}: imports model.world")
    return sorted(found, key=lambda entry: int(entry.split()[1].rstrip(":")))


def _names_model_world(node: ast.ImportFrom) -> bool:
    """`from ..model.world import ...` or `from ..model import world`."""
    module = node.module or ""
    return module.endswith("model.world") or (module.endswith("model") and "world" in {a.name for a in node.names})


def imports_lab(path: Path) -> list[str]:
    """Where a module imports ecs_snap_lab.lab (at any level: a local import too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            names = {alias.name for alias in node.names}
            if target.split(".")[-1] == "lab" or (target in ("", "ecs_snap_lab") and "lab" in names):
                found.append(f"line {node.lineno}")
        elif isinstance(node, ast.Import) and any(alias.name == "ecs_snap_lab.lab" for alias in node.names):
            found.append(f"line {node.lineno}")
    return found


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions (methods, nested ones) longer than `limit` lines, from the def line to the last line."""
    return [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > limit
    ]


# ---------------------------------------------------------------- the checks find what they look for


def test_the_world_check_finds_each_way_in() -> None:
    source = (
        "from ..model.world import World\n"
        "from ..model import world\n"
        "def f(lab):\n"
        "    n = len(lab.world.snapshots)\n"
        "    w = getattr(lab, 'world')\n"
        "    return lab.disks, lab.world_map\n"
    )
    assert [line.split(":")[0] for line in world_access(source)] == ["line 1", "line 2", "line 4", "line 5"]


def test_the_length_check_counts_from_def_to_last_line() -> None:
    body = "".join(f"    x{n} = {n}\n" for n in range(59))
    assert long_functions(f"def fits():\n{body}") == []  # 60 lines
    assert long_functions(f"def over():\n{body}    return 1\n") == ["over (line 1): 61 lines"]
    assert long_functions(f"class C:\n    def m(self):\n    {body.replace(chr(10), chr(10) + '    ')}    return 1\n")


def test_every_module_is_core_or_upper() -> None:
    upper = [relative(p) for p in modules() if not in_core(p)]
    assert {"views/frames.py", "widgets/dashboards.py", "exercises/quota.py", "wire/server.py", "demo.py"} <= set(upper)
    assert all((PACKAGE / name).exists() for name in CORE_MODULES), "a core module was renamed: update CORE_MODULES"


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize("path", [p for p in modules() if not in_core(p)], ids=relative)
def test_upper_layers_do_not_reach_into_the_world(path: Path) -> None:
    assert world_access(path.read_text(encoding="utf-8")) == [], (
        f"{relative(path)} reads the model directly; use the Lab's query surface (lab.disks, lab.snapshots, "
        "lab.snapshots_of(disk), lab.snapshot_counts(), lab.now_seconds, ...)"
    )


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if relative(p).split("/")[0] in BELOW_THE_LAB or relative(p) in BELOW_THE_LAB],
    ids=relative,
)
def test_the_core_below_the_lab_does_not_import_it(path: Path) -> None:
    assert imports_lab(path) == [], f"{relative(path)} imports the lab: an import cycle"


def test_no_function_is_longer_than_60_lines() -> None:
    offenders = [
        f"{relative(path)}: {entry}" for path in modules() for entry in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "split these into named parts:\n" + "\n".join(offenders)
