"""Run the notebooks in place and store their outputs, as nbval will compare them (`make notebooks`).

Outputs are deterministic (seeded labs, simulated time), so running this twice changes nothing. The per-cell timing
metadata that nbclient records (wall-clock times) is removed: it would change on every run and say nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
# the learners' notebooks, their Chinese copies (run in their folder, whose ecs-snap-lab.toml makes them Chinese),
# and the instructor's answer key
FOLDERS = (NOTEBOOKS, NOTEBOOKS / "zh-CN", ROOT / "instructor")


def execute(path: Path) -> None:
    os.environ["ECS_SNAP_LAB_CHECK_RECORDS"] = "0"  # stored copies carry no progress records (see conftest.py)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)


def main(names: list[str]) -> int:
    paths = [ROOT / name for name in names] if names else [p for f in FOLDERS for p in sorted(f.glob("*.ipynb"))]
    for path in paths:
        print(f"executing {path.name}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
