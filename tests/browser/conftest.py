"""Browser-test fixtures: a real JupyterLab and a real Voila serving copies of the project's notebooks, driven by
Python playwright with Debian's chromium.

These tests prove what the headless widget tests cannot: that the widgets render in a real front end, that a
keystroke in the page reaches the kernel and the answer comes back to the page.

Decisions:
- Debian's chromium (`/usr/bin/chromium`, from `apt-get install -y chromium`; `ESL_CHROMIUM` names another),
  launched through `executable_path`; never `playwright install` (no browser download on this project's
  machines). A missing chromium FAILS the tests with the command that installs it; they are never skipped.
- Servers serve a temporary copy of `notebooks/`: JupyterLab saves the outputs of a run into the notebook it ran,
  and the repository's stored outputs are what nbval compares.
- One server per test module, each with its own config, data, runtime, workspace and IPython dirs in a temporary
  directory: nothing read from or written to ~/.jupyter, and a fresh kernel (reusing a kernel across page loads
  produced ipykernel 7 subshell errors). The browser too is per module, so nothing of playwright is left running
  while nbval runs the notebooks later in the same pytest run.
- Ports are chosen by the OS, with `port_retries=0` so a server fails rather than moving to another port.
- JupyterLab's "news" toast is disabled through `labconfig/page_config.json` (it covers part of the page).
- A server is stopped by the PID started (SIGTERM: it shuts its kernels down; SIGKILL after 15 s).
- Page waits are on conditions with timeouts (playwright's `expect`, `wait_for_function`), never sleeps; the
  sleeps are the 0.2 s between two polls of a starting server's port, log or kernel CPU time.
- Voila runs in the repository, so it reads the repository's voila.json (preheated kernels) as
  `voila notebooks/dashboard.ipynb` run there does; its fixture waits until the preheated kernel has run the
  notebook, so a page asked for meets what a visitor of a long-running server meets.
- Screenshots go under pytest's tmp_path; with `ESL_SCREENSHOTS=DIR` (`make screenshots`) they go to DIR
  (relative to the repository) for the docs (docs/img/).
- A page's errors (uncaught exceptions, errors logged to the console, such as ipywidgets' "Could not create a
  view") are collected (`new_page` returns the list with the page), so a test can assert there were none.
- Pages reach only the servers under test: a request to any other host is blocked (no network is assumed; Voila's
  template links Font Awesome from a CDN), and the console error of a blocked request is not the app's error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
CHROMIUM = Path(os.environ.get("ESL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 1000}
SERVER_START_SECONDS = 90.0
# any URL but the loopback servers under test; Voila's template links Font Awesome from a CDN, and the tests
# neither depend on the network nor count its absence as an error of the app
OFF_MACHINE = re.compile(r"^(?!https?://127\.0\.0\.1[:/]|data:|blob:)")
TIMEOUT_MS = 60_000  # the longest wait for anything in a page (a kernel start, a run of all cells)
expect.set_options(timeout=15_000)  # an assertion on the page may wait for a redraw on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Jupyter server process started for the tests, its URL and its log."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        url: str,
        log: Path,
        probe: str,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.url = url
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd
        )
        self._wait_until_up(probe)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def _wait_until_up(self, probe: str) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode} at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + probe, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # any HTTP answer (a redirect to a login page, a 404) means it listens
            except OSError:
                pass
            time.sleep(0.2)  # polling a starting process: there is nothing to wait on but its port
        self.stop()
        pytest.fail(f"{self.name} did not answer {probe} within {SERVER_START_SECONDS:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


def jupyter_env(root: Path) -> dict[str, str]:
    """The environment of a server: every Jupyter and IPython directory in `root`, the news toast disabled."""
    dirs = {name: root / name for name in ("config", "data", "runtime", "ipython")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    (dirs["config"] / "labconfig").mkdir(exist_ok=True)
    page_config = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    (dirs["config"] / "labconfig" / "page_config.json").write_text(json.dumps(page_config))
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    return env


def copy_notebooks(root: Path) -> Path:
    """A copy of notebooks/ to serve (without checkpoints)."""
    target = root / "notebooks"
    shutil.copytree(NOTEBOOKS, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, through playwright; FAILS (never skips) when it is not installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"the browser tests need chromium at {CHROMIUM}: install chromium: apt-get install -y chromium "
            "(as root; `make test` does it). Never `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def new_page(browser: Browser) -> Callable[[], tuple[Page, list[str]]]:
    """Opens a page at the tests' size; returns it with the list of its errors (uncaught exceptions and errors
    logged to the console), which a test asserts is empty. Requests that leave this machine are blocked."""

    def open_page() -> tuple[Page, list[str]]:
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        blocked: set[str] = set()

        def block(route) -> None:
            blocked.add(route.request.url)
            route.abort()

        def console(message) -> None:
            if message.type == "error" and message.location.get("url") not in blocked:
                errors.append(f"console: {message.text}")

        page.route(OFF_MACHINE, block)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        page.on("console", console)
        return page, errors

    return open_page


def jupyterlab(root: Path, served: Path) -> Server:
    """JupyterLab serving `served`, run from `root`, on 127.0.0.1, no token, `jupyterapp` exposed to the page."""
    port = free_port()
    workspaces = root / "workspaces"
    workspaces.mkdir()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--allow-root",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={served}",
        f"--LabApp.workspaces_dir={workspaces}",
        "--LabApp.expose_app_in_browser=True",
    ]
    url = f"http://127.0.0.1:{port}"
    return Server("JupyterLab", command, jupyter_env(root), url, root / "server.log", "/api", cwd=root)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """JupyterLab on a copy of notebooks/."""
    root = tmp_path_factory.mktemp("jupyterlab")
    server = jupyterlab(root, copy_notebooks(root))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def binder_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """JupyterLab as a Binder runs it: from a copy of the repository's notebooks/ and voila.json, serving that
    directory, so the README's badges' paths (lab/tree/notebooks/..., voila/render/notebooks/...) work as there."""
    root = tmp_path_factory.mktemp("binder")
    copy_notebooks(root)
    shutil.copy(REPO / "voila.json", root / "voila.json")
    server = jupyterlab(root, root)
    yield server
    server.stop()


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux: /proc/PID/task/*/children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.is_file():
            found += [int(child) for child in children.read_text().split()]
    return found


def _cpu_ticks(pid: int) -> int:
    """User plus system CPU time a process used so far, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def wait_for_preheated_kernel(server: Server, quiet_polls: int = 5) -> None:
    """Wait until Voila's preheated kernel has run the notebook: the pool is filled (Voila logs it once the kernel
    started) and the kernel process then uses no CPU over `quiet_polls` polls (it is done with the cells). A page
    asked for then meets a ready kernel, as a visitor of a server started long ago does."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while "Kernel pool of" not in server.log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            pytest.fail(f"Voila filled no kernel pool within {SERVER_START_SECONDS:.0f} s:\n{server.log_tail()}")
        time.sleep(0.2)  # polling a log: there is nothing to wait on
    quiet, last = 0, None
    while quiet < quiet_polls:
        if time.monotonic() > deadline:
            pytest.fail(f"Voila's preheated kernel did not go quiet within {SERVER_START_SECONDS:.0f} s")
        ticks = sum(_cpu_ticks(child) for child in _children(server.process.pid))
        quiet = quiet + 1 if ticks == last else 0
        last = ticks
        time.sleep(0.2)  # polling a process's CPU time: there is nothing to wait on


def voila(root: Path, notebook: str) -> Server:
    """Voila serving a copy of notebooks/`notebook` on 127.0.0.1, configured by the repository's voila.json
    (preheated kernels), as `voila notebooks/NOTEBOOK` run in the repository is; returned once its preheated kernel
    has run the notebook (in the notebook's folder, as Voila starts kernels there)."""
    served = copy_notebooks(root) / notebook
    if not served.is_file():
        pytest.fail(f"{NOTEBOOKS / notebook} is missing: Voila has nothing to serve", pytrace=False)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "voila",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        str(served),
    ]
    # /api answers (with a redirect) as soon as it listens; "/" would run the notebook in a kernel of its own
    url = f"http://127.0.0.1:{port}"
    server = Server("Voila", command, jupyter_env(root), url, root / "server.log", "/api", cwd=REPO)
    wait_for_preheated_kernel(server)
    return server


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Voila on notebooks/dashboard.ipynb."""
    server = voila(tmp_path_factory.mktemp("voila"), "dashboard.ipynb")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def zh_voila_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Voila on the Chinese dashboard, notebooks/zh-CN/dashboard.ipynb (its folder's ecs-snap-lab.toml: zh-CN)."""
    server = voila(tmp_path_factory.mktemp("voila-zh"), "zh-CN/dashboard.ipynb")
    yield server
    server.stop()


class Shots:
    """Where a test saves its screenshots: pytest's tmp dir, or $ESL_SCREENSHOTS for docs/img/."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.png"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Shots:
    wanted = os.environ.get("ESL_SCREENSHOTS")
    if wanted:
        directory = Path(wanted)
        return Shots(directory if directory.is_absolute() else REPO / directory)
    return Shots(tmp_path_factory.mktemp("screenshots"))
