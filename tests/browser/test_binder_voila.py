"""The README's second Binder badge opens `voila/render/notebooks/dashboard.ipynb`: Voila as a Jupyter server
extension (what a Binder image serves), not the standalone `voila`. This serves the repository as a Binder does
(JupyterLab run from it, the Voila extension enabled by installing voila) and opens that path in chromium.

Decisions:
- The path is the badge's own (README.md is read for it), so a badge pointing elsewhere fails here.
- The extension runs the notebook when the page is asked for (it has no preheated kernels): the time from asking
  to the app usable is printed, never asserted (see test_voila.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

README = Path(__file__).resolve().parents[2] / "README.md"
USABLE = """() => [...document.querySelectorAll('button')]
  .some(b => b.textContent.trim() === '+1 day' && !b.disabled)"""


def badge_paths() -> list[str]:
    """The `urlpath` of every Binder badge in the README."""
    links = re.findall(r"\(https://mybinder\.org/v2/gh/[^)\s]+\)", README.read_text())
    return [parse_qs(urlparse(link.strip("()")).query)["urlpath"][0] for link in links]


def test_the_readme_has_a_binder_badge_for_jupyterlab_and_one_for_the_voila_dashboard() -> None:
    assert badge_paths() == ["lab/tree/notebooks/00_start_here.ipynb", "voila/render/notebooks/dashboard.ipynb"]


def test_the_voila_badge_path_renders_the_live_app_through_the_server_extension(new_page, binder_server, capsys):
    path = next(p for p in badge_paths() if p.startswith("voila/"))
    page, errors = new_page()
    page.goto(f"{binder_server.url}/{path}", wait_until="commit")
    page.wait_for_function(USABLE, polling="raf")
    usable_ms = page.evaluate("performance.now()")
    for title in ("Request", "Errors", "Quota", "Retention"):
        expect(page.get_by_role("tab", name=title, exact=True)).to_be_visible()
    time = page.get_by_text(re.compile(r"Lab time: ")).inner_text()
    page.get_by_role("button", name="+1 hour").click()
    expect(page.get_by_text(re.compile(r"^\+1 hour: "))).to_be_visible()
    assert page.get_by_text(re.compile(r"Lab time: ")).inner_text() != time
    expect(page.locator(".jupyter-widgets-error-widget"), "a widget failed to render").to_have_count(0)
    assert errors == []
    with capsys.disabled():
        print(f"\nVoila server extension (the Binder badge's path): asked for -> app usable {usable_ms / 1000:.2f} s")
