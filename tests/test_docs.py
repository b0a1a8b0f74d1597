"""The README and the pages under docs/: what goes stale when the repository moves under the prose.

The README is the front door: its two commands must stay the Makefile's, and it must reach every reference page.
Every relative link and image of every page must name a file of the repository, and every anchor a heading of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_pages import REPO, anchors, broken_links, links, slug

README = REPO / "README.md"
README_ZH = REPO / "README.zh-CN.md"
DOCS = REPO / "docs"
PAGES = [README, README_ZH, *sorted(DOCS.rglob("*.md"))]
TWO_COMMANDS = "Two commands on a fresh machine"


def section(page: Path, heading: str) -> list[str]:
    """The lines of a page under a heading, code blocks included, up to the next heading of any level."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"## {heading}") + 1
    end = next((n for n in range(start, len(lines)) if lines[n].startswith("#")), len(lines))
    return lines[start:end]


def recipe(target: str) -> list[str]:
    """A Makefile target's recipe lines (the tab-indented lines after `target:`)."""
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if re.match(rf"{re.escape(target)}:(\s|$)", line)) + 1
    body = []
    for line in lines[start:]:
        if not line.startswith("\t"):
            break
        body.append(line.strip())
    return body


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_the_checker_sees_a_broken_link_and_a_broken_anchor(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# Title\n## Two words\n", encoding="utf-8")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Probe\n[ok](#probe) [ok too](../README.md#two-words) [gone](no-such-page.md)\n"
        "[bad anchor](../README.md#no-such-heading) ![picture](img/none.png) [root](/README.md)\n"
        "[outside](../../elsewhere.md) [web](https://example.org/x.md)\n"
        "`[in code](nowhere.md)`\n```\n[fenced](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    assert [problem.partition(":")[0] for problem in broken_links(page, root=tmp_path)] == [
        "no-such-page.md",
        "../README.md#no-such-heading",
        "img/none.png",
        "/README.md",
        "../../elsewhere.md",
    ]


def test_the_slug_follows_github() -> None:
    assert slug("1. Restart the kernel and run all") == "1-restart-the-kernel-and-run-all"
    assert slug("A room without internet: the offline kit") == "a-room-without-internet-the-offline-kit"
    assert slug("`ecs-snap-lab doctor`") == "ecs-snap-lab-doctor"
    assert slug("00 · Start here") == "00--start-here"


def test_the_readme_gives_the_two_commands_and_the_makefile_has_them() -> None:
    commands = [line.split("#")[0].strip() for line in section(README, TWO_COMMANDS) if line.startswith("make ")]
    assert commands == ["make lab", "make test"]
    assert any("jupyterlab" in line and "00_start_here.ipynb" in line for line in recipe("lab"))
    test = recipe("test")
    assert "$(BIN)/python -m pytest" in test and any(".ci/binder_check.sh" in line for line in test)


def test_the_readme_links_every_reference_page() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README.read_text())}
    assert sorted(p.name for p in DOCS.glob("*.md") if p.resolve() not in linked) == []


def test_the_readme_stays_short() -> None:
    """The reference lives in docs/: a README that grows past a screenful or two has taken it back."""
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 110
    assert len(README_ZH.read_text(encoding="utf-8").splitlines()) <= 110


def test_the_readme_and_its_chinese_version_link_each_other_and_give_the_same_two_commands() -> None:
    assert "README.zh-CN.md" in links(README.read_text(encoding="utf-8"))
    assert "README.md" in links(README_ZH.read_text(encoding="utf-8"))
    commands = [line.split("#")[0].strip() for line in section(README_ZH, "两条命令") if line.startswith("make ")]
    assert commands == ["make lab", "make test"]


def test_the_endpoint_warning_names_a_section_that_exists(monkeypatch) -> None:
    """ExposedEndpointWarning sends the reader to a section of a docs page by its title: both must exist."""
    from ecs_snap_lab import Lab
    from ecs_snap_lab.wire import server

    monkeypatch.setattr(server, "is_loopback", lambda host: False)  # as 0.0.0.0 would be, staying on 127.0.0.1
    with pytest.warns(server.ExposedEndpointWarning) as caught:
        server.serve(Lab(seed=0)).stop()
    pointer = re.search(r"see (docs/[\w/-]+\.md): ([^)]+)\)", str(caught[0].message))
    assert pointer, caught[0].message
    assert slug(pointer[2]) in anchors(REPO / pointer[1])
