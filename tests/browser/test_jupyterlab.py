"""JupyterLab, in chromium, serving the real `notebooks/01_first_snapshot.ipynb`: run all, then use the app that
its last cell shows (`lab.show()`) as a learner would, and check what the page shows against the kernel's state.

Decisions:
- One page per module (fixture `notebook`): the notebook is opened and run once, and the tests continue where the
  previous one stopped, in file order, as a learner does (render, mistype a name, fix it and send, move the
  clock). Each test asserts only what it did itself, so a failure is reported by the test that caused it.
- What the page shows is compared with the kernel, read through the page's own kernel connection
  (`kernel.requestExecute`): the disks listed, the SnapshotId shown, the time shown. No expected id is written
  down here.
- Run all is fired, not awaited (`notebook:run-all-cells`), and is done when every code cell has an execution
  count, or a cell failed, and the kernel is idle. A cell that raised fails the test with its error, unless it is
  tagged to raise (`raises-exception`, `# NBVAL_RAISES_EXCEPTION`).
- The app is the LAST output holding the four tabs, so widgets shown earlier in the notebook do not confuse it.
- Screenshots (builder with the error shown, the response, the retention tab) are clipped to the app, with the
  file browser collapsed; see conftest for where they go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = "01_first_snapshot.ipynb"
TABS = ("Request", "Errors", "Quota", "Retention")
LAB_TIME = re.compile(r"Lab time: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")

KERNEL_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.sessionContext || !panel.sessionContext.session) return false;
  const kernel = panel.sessionContext.session.kernel;
  return Boolean(panel.sessionContext.isReady && kernel && kernel.connectionStatus === 'connected'
    && kernel.status === 'idle');
}"""

# the code cells as the notebook model holds them: whether run, their errors, whether they are meant to raise
CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.filter(cell => cell.model.type === 'code').map(cell => {
    const outputs = cell.model.outputs.toJSON();
    const source = cell.model.sharedModel.getSource();
    const tags = cell.model.getMetadata('tags') || [];
    return {
      source: source.split('\\n')[0],
      count: cell.model.executionCount,
      errors: outputs.filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`),
      raises: tags.includes('raises-exception') || source.includes('NBVAL_RAISES_EXCEPTION'),
    };
  });
}"""

RUN_FINISHED = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  const failed = cells.some(cell => cell.model.outputs.toJSON().some(o => o.output_type === 'error'));
  const ran = cells.every(cell => cell.model.executionCount !== null);
  return (ran || failed) && kernel.status === 'idle';
}"""

# run code in the notebook's kernel through the page's connection; resolves to what it printed (or its error)
KERNEL_EXEC = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, store_history: false});
  let out = '';
  future.onIOPub = msg => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += `${msg.content.ename}: ${msg.content.evalue}`;
  };
  await future.done;
  return out;
}"""


@dataclass
class Notebook:
    """The open notebook after run all: the page, its uncaught errors, and the app its last cell shows."""

    page: Page
    errors: list[str]
    app: Locator

    def kernel(self, code: str) -> str:
        """What `code` prints in the notebook's kernel (stripped). Tests read the app's own lab, `app.lab`: the
        practice section at the end of the notebook binds `lab` to each exercise's world."""
        return self.page.evaluate(KERNEL_EXEC, code).strip()

    def tab(self, title: str) -> Locator:
        return self.app.get_by_role("tab", name=title, exact=True)

    def lab_time(self) -> str:
        text = self.app.get_by_text(LAB_TIME).inner_text()
        return LAB_TIME.search(text).group(1)


def disk_options(picker: Locator) -> list[str]:
    """The picker's options as their values ("d-... (In_use, data, 40 GiB)"); their text has no-break spaces."""
    return picker.locator("option").evaluate_all("options => options.map(option => option.value)")


def shoot(page: Page, path, first: Locator, last: Locator, app: Locator) -> None:
    """A screenshot of the app's width from the top of `first` to the bottom of `last`."""
    first.evaluate("element => element.scrollIntoView({block: 'start'})")
    top, bottom, frame = first.bounding_box(), last.bounding_box(), app.bounding_box()
    area = page.locator(".jp-NotebookPanel-notebook").bounding_box()  # what the notebook's scroller shows
    y = max(top["y"] - 6, area["y"])
    height = min(bottom["y"] + bottom["height"] + 8, area["y"] + area["height"]) - y
    page.screenshot(path=str(path), clip={"x": frame["x"] - 8, "y": y, "width": frame["width"] + 16, "height": height})


@pytest.fixture(scope="module")
def notebook(new_page, lab_server) -> Notebook:
    """01_first_snapshot opened in JupyterLab, its kernel ready, every cell run, the app in view."""
    if not (NOTEBOOKS / NOTEBOOK).is_file():
        pytest.fail(f"{NOTEBOOKS / NOTEBOOK} is missing: JupyterLab has nothing to open", pytrace=False)
    page, errors = new_page()
    page.goto(f"{lab_server.url}/lab/tree/{NOTEBOOK}?reset")
    page.wait_for_function(KERNEL_READY)
    if page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path") != NOTEBOOK:
        pytest.fail(f"JupyterLab did not open {NOTEBOOK}:\n{lab_server.log_tail()}")
    page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); }")  # the file browser: room for the app
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(RUN_FINISHED)
    cells = page.evaluate(CELLS)
    failures = [
        f"{cell['source']!r}: {'; '.join(cell['errors'])}" for cell in cells if cell["errors"] and not cell["raises"]
    ]
    assert not failures, f"cells raised in JupyterLab: {failures}"
    assert all(cell["count"] is not None for cell in cells), f"cells not run: {cells}"
    app = page.locator(".jp-OutputArea-output").filter(has=page.get_by_role("tab", name="Retention", exact=True)).last
    app.scroll_into_view_if_needed()
    return Notebook(page=page, errors=errors, app=app)


def test_run_all_renders_the_app_with_the_kernels_disks_and_time(notebook: Notebook) -> None:
    app = notebook.app
    for title in TABS:
        expect(notebook.tab(title)).to_be_visible()
    expect(notebook.tab("Request")).to_have_attribute("aria-selected", "true")
    for label in ("+1 hour", "+1 day", "+30 days"):
        expect(app.get_by_role("button", name=label)).to_be_visible()
    for field in ("SnapshotName", "DiskId"):
        expect(app.get_by_label(field, exact=True)).to_be_visible()
    expect(app.get_by_role("button", name="Send")).to_be_enabled()

    assert notebook.lab_time() == notebook.kernel("print(f'{app.lab.now:%Y-%m-%d %H:%M:%S}')")

    options = disk_options(app.get_by_label("Pick disk", exact=True))
    listed = {option.split()[0] for option in options if option.startswith("d-")}
    assert listed == set(notebook.kernel("print(*app.lab.world.disks)").split())
    ready = [option for option in options if "(In_use, data," in option]
    assert ready, f"the picker lists no ready data disk: {options}"

    expect(app.locator(".jupyter-widgets-error-widget"), "a widget failed to render").to_have_count(0)
    expect(app.locator(".esl-error")).to_have_count(0)  # no widget callback failed
    assert notebook.errors == []


def test_invalid_name_shows_malformed_then_fixed_name_sends_and_shows_the_snapshot_id(
    notebook: Notebook, shots
) -> None:
    app, page = notebook.app, notebook.page
    picker = app.get_by_label("Pick disk", exact=True)
    ready = next(value for value in disk_options(picker) if "(In_use, data," in value)
    picker.select_option(value=ready)
    disk_id = ready.split()[0]
    expect(app.get_by_label("DiskId", exact=True)).to_have_value(disk_id)

    name = app.get_by_label("SnapshotName", exact=True)
    name.click()
    name.press_sequentially("1st-backup")  # a name starts with a letter
    panel = app.locator("[role=status]", has_text="Parameter").first
    expect(panel).to_contain_text("InvalidSnapshotName.Malformed")
    expect(panel).to_contain_text("1 problem")
    shoot(page, shots.path("lab_builder_error"), app.get_by_text(LAB_TIME), panel, app)

    name.fill("")
    name.press_sequentially("first-backup")
    expect(panel).to_contain_text("Well formed")
    expect(panel).not_to_contain_text("InvalidSnapshotName.Malformed")

    count = "print(len(app.lab.describe_snapshots()))"
    before = int(notebook.kernel(count))
    send = app.get_by_role("button", name="Send")
    send.click()
    answer = app.locator(".esl-status-2xx")
    expect(answer).to_contain_text("SnapshotId")
    shown = re.search(r"SnapshotId (s-\w+)", answer.inner_text()).group(1)
    assert int(notebook.kernel(count)) == before + 1  # one click, one snapshot
    made = notebook.kernel(
        "print(*(s['SnapshotName'] + ' ' + s['SourceDiskId']"
        f" for s in app.lab.describe_snapshots(SnapshotIds='[\"{shown}\"]')))"
    )
    assert made == f"first-backup {disk_id}"
    expect(app.locator(".esl-status-2xx")).to_contain_text("HTTP 200")  # the ResponseView shows it too
    expect(app.locator(".esl-body")).to_contain_text(shown)
    shoot(page, shots.path("lab_response"), send, app.locator(".esl-trace"), app)
    assert notebook.errors == []


def test_advancing_the_clock_moves_the_time_and_redraws_the_retention_timeline(notebook: Notebook, shots) -> None:
    app, page = notebook.app, notebook.page
    notebook.tab("Retention").click()
    expect(notebook.tab("Retention")).to_have_attribute("aria-selected", "true")
    timeline = app.locator(".widget-tab-contents .widget-image").filter(visible=True)
    summary = app.locator(".esl-chart-summary").filter(visible=True)
    expect(timeline).to_have_count(1)
    expect(summary).to_have_count(1)
    expect(summary).not_to_be_empty()
    before = {"time": notebook.lab_time(), "picture": timeline.get_attribute("src"), "summary": summary.inner_text()}

    app.get_by_role("button", name="+1 day").click()
    expect(app.get_by_text(LAB_TIME)).not_to_have_text(re.compile(re.escape(before["time"])))
    expect(app.get_by_text(re.compile(r"^\+1 day: "))).to_be_visible()
    expect(summary).not_to_have_text(before["summary"])
    after = notebook.lab_time()
    assert after == notebook.kernel("print(f'{app.lab.now:%Y-%m-%d %H:%M:%S}')")
    assert (
        notebook.kernel(
            f"from datetime import datetime; print((app.lab.now - datetime.fromisoformat({before['time'] + 'Z'!r})))"
        )
        == "1 day, 0:00:00"
    )
    expect(summary).to_contain_text(f"Now {after[:16]} UTC")
    assert timeline.get_attribute("src") != before["picture"]
    shoot(page, shots.path("lab_retention"), app.get_by_text(LAB_TIME), summary, app)
    expect(app.locator(".esl-error")).to_have_count(0)
    assert notebook.errors == []
