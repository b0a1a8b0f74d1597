"""The lab in Chinese, in chromium: the Chinese dashboard in Voila (`notebooks/zh-CN/dashboard.ipynb`) and the
Chinese notebook 01 in JupyterLab render with no page errors, write no English of their own (the API's words, ids
and what is marked lang="en" aside), show Beijing time beside UTC, and stay live.

Decisions:
- The labels looked for are the catalog's own translations (`_("+1 hour")` with the language set to zh-CN here),
  so the test follows the .po file instead of restating it.
- "No English" is read from the page's text with every element marked lang="en" (the seed's sentences, the API's
  messages, quoted on purpose) left out, by tests/chinese.py's rule.
- A CJK font is there: chromium draws the Chinese with a font that has the glyphs (a character's rendered width
  differs from the missing-glyph box's); the charts' own font is tested headlessly (no "Glyph missing" warning).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from chinese import english_in
from playwright.sync_api import Page, expect
from test_jupyterlab import CELLS, KERNEL_READY, RUN_FINISHED, disk_options, shoot

from ecs_snap_lab.i18n import _, set_language

# the page's text without what is quoted in English on purpose
PROSE = """(root) => {
  const skip = '[lang=en], code, pre, script, style';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest(skip) && parent.offsetParent !== null) parts.push(node.textContent);
  }
  for (const el of root.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (!el.closest(skip)) parts.push(el.title || '', el.placeholder || '');
  }
  return parts.join('\\n');
}"""
# a CJK character drawn by a font that has it is as wide as the font's em; a missing glyph's box is narrower
GLYPH_WIDTH = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = '40px sans-serif';
  return [ctx.measureText('快照').width, ctx.measureText('\\u{10FFFD}\\u{10FFFD}').width];
}"""


@pytest.fixture(scope="module")
def zh() -> Iterator[dict[str, str]]:
    """The Chinese of the labels the tests look for, from the catalog."""
    set_language("zh-CN")
    words = {w: _(w) for w in ("+1 hour", "+1 day", "Request", "Errors", "Quota", "Retention", "Send", "Pick disk")}
    set_language("en")
    yield words


def english_on(page: Page, selector: str) -> set[str]:
    return english_in(page.locator(selector).first.evaluate(PROSE))


def test_the_chinese_dashboard_in_voila_writes_chinese_beijing_time_and_stays_live(
    new_page, zh_voila_server, zh, shots
) -> None:
    page, errors = new_page()
    page.goto(f"{zh_voila_server.url}/", wait_until="commit")
    button = page.get_by_role("button", name=zh["+1 day"])
    expect(button).to_be_enabled(timeout=60_000)
    for tab in ("Request", "Errors", "Quota", "Retention"):
        expect(page.get_by_role("tab", name=zh[tab], exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Asia/Shanghai, UTC\+08:00")).first).to_be_visible()
    assert english_on(page, "body") == set()

    page.get_by_role("button", name=zh["+1 hour"]).click()
    expect(page.get_by_text(re.compile("^" + re.escape(zh["+1 hour"]) + "："))).to_be_visible()
    page.get_by_role("tab", name=zh["Retention"], exact=True).click()
    expect(page.locator(".widget-tab-contents .widget-image").filter(visible=True)).to_have_count(1)
    assert english_on(page, "body") == set()
    drawn, missing = page.evaluate(GLYPH_WIDTH)
    assert drawn != missing, "chromium has no font that draws Chinese"
    page.screenshot(path=str(shots.path("zh_voila")), full_page=True)
    expect(page.locator(".jupyter-widgets-error-widget"), "a widget failed to render").to_have_count(0)
    assert errors == []


def test_the_chinese_notebook_runs_in_jupyterlab_and_its_app_writes_chinese(new_page, lab_server, zh, shots) -> None:
    notebook = "zh-CN/01_first_snapshot.ipynb"
    page, errors = new_page()
    page.goto(f"{lab_server.url}/lab/tree/{notebook}?reset")
    page.wait_for_function(KERNEL_READY)
    page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); }")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(RUN_FINISHED)
    cells = page.evaluate(CELLS)
    failed = [cell for cell in cells if cell["errors"] and not cell["raises"]]
    assert not failed, f"cells raised in JupyterLab: {failed}"
    retention = page.get_by_role("tab", name=zh["Retention"], exact=True)
    app = page.locator(".jp-OutputArea-output").filter(has=retention).last
    app.scroll_into_view_if_needed()
    expect(app.get_by_text(re.compile(r"Asia/Shanghai, UTC\+08:00")).first).to_be_visible()
    assert english_in(app.evaluate(PROSE)) == set()

    picker = app.get_by_label(zh["Pick disk"], exact=True)
    ready = next(value for value in disk_options(picker) if "(In_use, data," in value)
    picker.select_option(value=ready)
    name = app.get_by_label("SnapshotName", exact=True)
    name.fill("nightly-backup")
    app.get_by_role("button", name=zh["Send"]).click()
    expect(app.locator(".esl-status-2xx").first).to_contain_text("SnapshotId")
    assert english_in(app.evaluate(PROSE)) == set()
    shoot(page, shots.path("zh_lab_app"), picker, app.locator(".esl-body").first, app)
    expect(app.locator(".jupyter-widgets-error-widget"), "a widget failed to render").to_have_count(0)
    assert errors == []
