"""The Chinese notebooks (notebooks/zh-CN/) are the English ones with their prose translated: the same cells in the
same order, each code cell's source identical, so the two cannot drift; every passage of prose is in Chinese. Both
are run under strict nbval by the suite (testpaths), the Chinese ones writing Chinese through the folder's
ecs-snap-lab.toml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENGLISH = REPO / "notebooks"
CHINESE = ENGLISH / "zh-CN"
CJK = re.compile(r"[\u4e00-\u9fff]")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_every_english_notebook_has_its_chinese_copy_and_no_other() -> None:
    assert sorted(p.name for p in CHINESE.glob("*.ipynb")) == sorted(p.name for p in ENGLISH.glob("*.ipynb"))


@pytest.mark.parametrize("name", sorted(p.name for p in ENGLISH.glob("*.ipynb")))
def test_the_chinese_copy_runs_the_same_code_in_the_same_cells(name: str) -> None:
    english, chinese = cells(ENGLISH / name), cells(CHINESE / name)
    assert [(c["cell_type"], c.get("id"), c["metadata"]) for c in chinese] == [
        (c["cell_type"], c.get("id"), c["metadata"]) for c in english
    ]
    for mine, theirs in zip(chinese, english, strict=True):
        if theirs["cell_type"] == "code":
            assert "".join(mine["source"]) == "".join(theirs["source"]), f"{name}: cell {theirs.get('id')} drifted"


@pytest.mark.parametrize("name", sorted(p.name for p in ENGLISH.glob("*.ipynb")))
def test_every_passage_of_prose_is_in_chinese(name: str) -> None:
    for cell in cells(CHINESE / name):
        text = "".join(cell["source"])
        prose = re.sub(r"`[^`]*`|\[[^\]]*\]\([^)]*\)|<[^>]*>", "", text)
        if cell["cell_type"] == "markdown" and re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}\s+[A-Za-z]{3,}", prose):
            assert CJK.search(prose), f"{name}: untranslated prose: {text[:80]!r}"


def test_the_chinese_folder_chooses_chinese_and_beijing_time() -> None:
    import tomllib

    settings = tomllib.loads((CHINESE / "ecs-snap-lab.toml").read_text(encoding="utf-8"))
    assert settings == {"language": "zh-CN", "timezone": "Asia/Shanghai"}
