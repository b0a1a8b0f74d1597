"""Voila, in chromium, serving the real `notebooks/dashboard.ipynb`: the app renders with no page errors, and it
is live (a click reaches the kernel and the page follows).

Decisions:
- "No page errors" means no uncaught exception in the page, no error logged to the console, and no widget that
  failed to render (ipywidgets shows those as `.jupyter-widgets-error-widget` and logs "Could not create a view").
- Voila shows outputs only, and it hides its kernel; the page's own text is the evidence: the clock moves by
  exactly one hour on "+1 hour", and the retention chart's summary is redrawn at the new time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

TABS = ("Request", "Errors", "Quota", "Retention")
LAB_TIME = re.compile(r"Lab time: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")


@dataclass
class Dashboard:
    page: Page
    errors: list[str]

    def lab_time(self) -> datetime:
        text = self.page.get_by_text(LAB_TIME).inner_text()
        return datetime.fromisoformat(LAB_TIME.search(text).group(1))


@pytest.fixture(scope="module")
def dashboard(new_page, voila_server) -> Dashboard:
    """dashboard.ipynb rendered by Voila (it serves its one notebook at /), the app on screen."""
    page, errors = new_page()
    page.goto(f"{voila_server.url}/")
    expect(page.get_by_role("tab", name="Retention", exact=True)).to_be_visible()
    return Dashboard(page=page, errors=errors)


def test_voila_renders_the_app_with_no_page_errors(dashboard: Dashboard) -> None:
    page = dashboard.page
    for title in TABS:
        expect(page.get_by_role("tab", name=title, exact=True)).to_be_visible()
    expect(page.get_by_text(LAB_TIME)).to_be_visible()
    for field in ("Pick disk", "SnapshotName", "DiskId"):
        expect(page.get_by_label(field, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.locator(".jupyter-widgets-error-widget"), "a widget failed to render").to_have_count(0)
    expect(page.locator(".esl-error")).to_have_count(0)
    assert dashboard.errors == []


def test_voila_app_is_live_the_clock_moves_and_the_timeline_follows(dashboard: Dashboard, shots) -> None:
    page = dashboard.page
    before = dashboard.lab_time()
    page.get_by_role("button", name="+1 hour").click()
    expect(page.get_by_text(re.compile(r"^\+1 hour: "))).to_be_visible()
    after = dashboard.lab_time()
    assert after - before == timedelta(hours=1)

    page.get_by_role("tab", name="Retention", exact=True).click()
    summary = page.locator(".esl-chart-summary").filter(visible=True)
    expect(summary).to_contain_text(f"Now {after:%Y-%m-%d %H:%M} UTC")
    expect(page.locator(".widget-tab-contents .widget-image").filter(visible=True)).to_have_count(1)
    page.screenshot(path=str(shots.path("lab_voila")), full_page=True)
    expect(page.locator(".jupyter-widgets-error-widget"), "a widget failed to render").to_have_count(0)
    assert dashboard.errors == []
