"""`ecs-snap-lab doctor`: can this machine run the workshop? One plain line per check, and how to fix each miss.

Decisions:
- Stdlib only at import, and every check imports what it looks at inside a try: the doctor must run, and say what
  is missing, exactly where pandas, JupyterLab or the kernel are missing. A check that fails in an unforeseen way
  is reported as a failed check with its reason, never as a traceback.
- The checks are data (`CHECKS`): a name, a function returning a Result, and whether the workshop needs it. A miss
  in an optional check (Voila for the dashboard, the official SDKs of notebook 07's last part) is a warning; the exit
  status is 1 only when a needed check fails.
- Minimum library versions are read from this installation's metadata (pyproject.toml states them once); where the
  package is not installed (a source folder on PYTHONPATH) only presence is checked.
- Every fix is a command for *this* Python (`/path/python -m pip ...`): in a room, the usual trap is a `pip` that
  belongs to another Python than the one running JupyterLab.
- The kernel check starts a real python3 kernel, as JupyterLab would, and imports the lab in it (bounded by a
  timeout; `--quick` skips it): a kernelspec pointing at another Python is the classic "works in the terminal,
  not in the notebook".
"""

from __future__ import annotations

import enum
import importlib
import importlib.metadata as metadata
import io
import json
import os
import shlex
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .i18n import N_, _, ngettext

MIN_PYTHON = (3, 11)  # pyproject.toml's requires-python (a test keeps the two equal)
DISTRIBUTION = "ecs-snap-lab"
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
KERNEL_TIMEOUT = 60.0
KERNEL_PROBE = "import sys\nprint(sys.executable)\nimport ecs_snap_lab, ipywidgets, pandas, matplotlib\n"


class Status(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Result:
    """What one check found: its status, a plain sentence, and the command that fixes a miss."""

    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Check:
    """One thing the workshop needs (or, with required=False, would like)."""

    name: str
    run: Callable[[Options], Result]
    required: bool = True


@dataclass(frozen=True)
class Options:
    quick: bool = False  # skip starting a kernel
    timeout: float = KERNEL_TIMEOUT


def ok(detail: str) -> Result:
    return Result(Status.OK, detail)


def fail(detail: str, fix: str) -> Result:
    return Result(Status.FAIL, detail, fix)


# --- fixes -------------------------------------------------------------------------------------------------------


def _command(*args: str) -> str:
    """A command line for this Python, quoted for the shell it will be pasted into."""
    words = [sys.executable, *args]
    return subprocess.list2cmdline(words) if os.name == "nt" else shlex.join(words)


def _source_checkout() -> Path | None:
    """The checkout this package runs from (a pyproject.toml beside the package), if it runs from one."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() else None


def install_fix(extra: str = "lab") -> str:
    """The pip command that brings the package with `extra` (and so every library the lab needs) to this Python."""
    checkout = _source_checkout()
    if checkout is not None:
        return _command("-m", "pip", "install", "-e", f"{checkout}[{extra}]")
    return _command("-m", "pip", "install", f"{DISTRIBUTION}[{extra}]")


# --- libraries ---------------------------------------------------------------------------------------------------


def _minimum(distribution: str) -> str | None:
    """The lowest version this installation's metadata asks for `distribution` (None where unknown)."""
    try:
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name

        requirements = metadata.requires(DISTRIBUTION) or []
    except (ImportError, metadata.PackageNotFoundError):
        return None
    for line in requirements:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) == canonicalize_name(distribution):
            lows = [spec.version for spec in requirement.specifier if spec.operator == ">="]
            return lows[0] if lows else None
    return None


def _too_old(version: str, minimum: str | None) -> bool:
    if minimum is None:
        return False
    from packaging.version import Version

    return Version(version) < Version(minimum)


def library(module: str, distribution: str, label: str, extra: str = "lab") -> Result:
    """`module` imports, and its distribution is at least the version the package asks for."""
    try:
        version = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return fail(_("{label} is not installed").format(label=label), install_fix(extra))
    try:
        importlib.import_module(module)
    except Exception as exc:  # a broken install can raise anything at import
        return fail(
            _("{label} {version} is installed but does not import: {reason}").format(
                label=label, version=version, reason=_reason(exc)
            ),
            install_fix(extra),
        )
    minimum = _minimum(distribution)
    if _too_old(version, minimum):
        return fail(
            _("{label} {version} is older than the {minimum} the lab needs").format(
                label=label, version=version, minimum=minimum
            ),
            install_fix(extra),
        )
    return ok(f"{label} {version}")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# --- the checks --------------------------------------------------------------------------------------------------


def check_python(options: Options) -> Result:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        need = ".".join(map(str, MIN_PYTHON))
        return fail(
            _("Python {version} is too old: the lab needs {need} or newer").format(version=version, need=need),
            _(
                "install Python {need} or newer (https://www.python.org/downloads/), make a virtual environment with "
                "it and install the lab there"
            ).format(need=need),
        )
    return ok(f"{version} ({sys.executable})")


def check_pip(options: Options) -> Result:
    """pip is not needed to run the lab, but every fix below uses it."""
    try:
        version = metadata.version("pip")
    except metadata.PackageNotFoundError:
        return fail(
            _("pip is not installed in this Python: the fixes below need it"),
            _command("-m", "ensurepip", "--upgrade"),
        )
    return ok(_("pip {version}").format(version=version))


def check_package(options: Options) -> Result:
    import ecs_snap_lab

    where = Path(ecs_snap_lab.__file__).resolve().parent
    try:
        installed = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return Result(
            Status.WARN,
            _(
                "ecs_snap_lab {version__} runs from {where} but is not installed (no `ecs-snap-lab` command; a "
                "kernel started elsewhere will not find it)"
            ).format(version__=ecs_snap_lab.__version__, where=where),
            install_fix(),
        )
    editable = "editable" in (installed.read_text("direct_url.json") or "")
    said = (
        _("{DISTRIBUTION} {version}, editable from {where}")
        if editable
        else _("{DISTRIBUTION} {version}, from {where}")
    )
    return ok(said.format(DISTRIBUTION=DISTRIBUTION, version=installed.version, where=where))


def check_ipywidgets(options: Options) -> Result:
    return library("ipywidgets", "ipywidgets", "ipywidgets")


def check_pandas(options: Options) -> Result:
    return library("pandas", "pandas", "pandas")


def check_matplotlib(options: Options) -> Result:
    """matplotlib imports and draws a PNG without a display (the charts of notebook 05)."""
    found = library("matplotlib", "matplotlib", "matplotlib")
    if found.status is not Status.OK:
        return found
    try:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(2, 1))
        figure.add_subplot().plot([0, 1], [1, 0])
        png = io.BytesIO()
        figure.savefig(png, format="png")
    except Exception as exc:
        return fail(
            _("{detail} cannot draw a PNG: {reason}").format(detail=found.detail, reason=_reason(exc)), install_fix()
        )
    if not png.getvalue().startswith(b"\x89PNG"):
        return fail(_("{detail} drew something that is not a PNG").format(detail=found.detail), install_fix())
    return ok(_("{detail}, draws a PNG headless").format(detail=found.detail))


def check_jupyterlab(options: Options) -> Result:
    return library("jupyterlab", "jupyterlab", "JupyterLab")


def check_widget_extension(options: Options) -> Result:
    """The widgets' front end is registered where JupyterLab looks for extensions, and not disabled."""
    found = library("jupyterlab_widgets", "jupyterlab_widgets", "jupyterlab_widgets")
    if found.status is not Status.OK:
        return found
    try:
        from jupyter_core.paths import jupyter_config_path, jupyter_path
    except ImportError as exc:
        return fail(_("JupyterLab's paths cannot be read: {reason}").format(reason=_reason(exc)), install_fix())
    places = [Path(folder) / WIDGET_EXTENSION for folder in jupyter_path("labextensions")]
    registered = next((place for place in places if (place / "package.json").is_file()), None)
    if registered is None:
        return fail(
            _("{WIDGET_EXTENSION} is not in any labextensions folder JupyterLab reads").format(
                WIDGET_EXTENSION=WIDGET_EXTENSION
            ),
            install_fix(),
        )
    for folder in jupyter_config_path():
        if _disabled_in(Path(folder) / "labconfig" / "page_config.json"):
            return fail(
                _("{WIDGET_EXTENSION} is disabled (in {folder})").format(
                    WIDGET_EXTENSION=WIDGET_EXTENSION, folder=folder
                ),
                shlex.join(["jupyter", "labextension", "enable", WIDGET_EXTENSION]),
            )
    return ok(
        _("{detail}: {WIDGET_EXTENSION} in {parent}").format(
            detail=found.detail, WIDGET_EXTENSION=WIDGET_EXTENSION, parent=registered.parent.parent
        )
    )


def _disabled_in(page_config: Path) -> bool:
    try:
        disabled = json.loads(page_config.read_text(encoding="utf-8")).get("disabledExtensions", {})
    except (OSError, ValueError, AttributeError):
        return False
    names = disabled if isinstance(disabled, list) else [name for name, off in disabled.items() if off]
    return any(name == WIDGET_EXTENSION or name.startswith(WIDGET_EXTENSION + ":") for name in names)


def check_kernel(options: Options) -> Result:
    """ipykernel and a python3 kernelspec; unless quick, a real kernel that starts and imports the lab."""
    found = library("ipykernel", "ipykernel", "ipykernel")
    if found.status is not Status.OK:
        return found
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec("python3")
    except (ImportError, NoSuchKernel) as exc:
        return fail(
            _("no python3 kernel: {reason}").format(reason=_reason(exc)),
            _command("-m", "ipykernel", "install", "--user"),
        )
    if options.quick:
        return ok(
            _("{detail}, python3 kernel {resource_dir} (not started: --quick)").format(
                detail=found.detail, resource_dir=spec.resource_dir
            )
        )
    return _run_kernel(spec.argv[0], options.timeout)


def _run_kernel(program: str, timeout: float) -> Result:
    """Start the python3 kernel as JupyterLab would, in an empty folder, and import the lab in it."""
    from jupyter_client.manager import start_new_kernel

    register = _command("-m", "ipykernel", "install", "--user")  # makes this Python the python3 kernel
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        try:
            manager, client = start_new_kernel(
                startup_timeout=timeout,
                kernel_name="python3",
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except Exception as exc:
            return fail(
                _("the python3 kernel ({program}) did not start: {reason}").format(
                    program=program, reason=_reason(exc)
                ),
                register,
            )
        try:
            reply = client.execute_interactive(
                KERNEL_PROBE, timeout=timeout, store_history=False, output_hook=lambda msg: _collect(msg, lines)
            )
        except Exception as exc:
            return fail(
                _("the python3 kernel ({program}) did not answer in {timeout:g} s: {reason}").format(
                    program=program, timeout=timeout, reason=_reason(exc)
                ),
                register,
            )
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return _judge_kernel(reply["content"], lines, register)


def _collect(message: dict, lines: list[str]) -> None:
    if message["msg_type"] == "stream":
        lines.extend(message["content"]["text"].splitlines())


def _judge_kernel(content: dict, lines: list[str], register: str) -> Result:
    python = lines[0] if lines else _("an unknown Python")
    if content.get("status") == "ok":
        return ok(_("a python3 kernel started and imported the lab ({python})").format(python=python))
    problem = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
    same = bool(lines) and os.path.abspath(python) == os.path.abspath(sys.executable)  # a venv's python is a link
    fix = install_fix() if same else register
    return fail(
        _("the python3 kernel ({python}) cannot import the lab: {problem}").format(python=python, problem=problem), fix
    )


def check_notebooks(options: Options) -> Result:
    """The notebooks shipped with this installation are there and each one parses as a notebook."""
    from .workshop import bundled_notebooks

    try:
        folder = bundled_notebooks()
    except FileNotFoundError as exc:
        return fail(str(exc), _notebooks_fix())
    notebooks = sorted(folder.glob("*.ipynb"))
    broken = [f"{path.name} ({problem})" for path in notebooks if (problem := notebook_problem(path))]
    if broken:
        damaged = f"{len(broken)} of {len(notebooks)} notebooks in {folder} are damaged: {'; '.join(broken)}"
        return fail(damaged, _notebooks_fix())
    return ok(_("{count} notebooks in {folder}").format(count=len(notebooks), folder=folder))


def notebook_problem(path: Path) -> str:
    """Why `path` is not a readable notebook ('' when it is); nbformat validates it where it is installed."""
    try:
        node = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _("not JSON: {reason}").format(reason=_reason(exc))
    if not isinstance(node, dict) or node.get("nbformat") != 4 or not isinstance(node.get("cells"), list):
        return _("not a version 4 notebook")
    try:
        import nbformat
    except ImportError:
        return ""
    try:
        nbformat.validate(nbformat.from_dict(node))
    except nbformat.ValidationError as exc:
        return _("invalid: {reason}").format(reason=_reason(exc))
    return ""


def _notebooks_fix() -> str:
    checkout = _source_checkout()
    if checkout is not None:
        return shlex.join(["git", "-C", str(checkout), "checkout", "--", "notebooks"])
    return _command("-m", "pip", "install", "--force-reinstall", "--no-deps", DISTRIBUTION)


def check_voila(options: Options) -> Result:
    found = library("voila", "voila", "Voila")
    if found.status is not Status.OK:
        return Result(
            found.status,
            _("{detail} (the no-code dashboard: voila dashboard.ipynb)").format(detail=found.detail),
            found.fix,
        )
    return ok(_("{detail} (the no-code dashboard)").format(detail=found.detail))


def check_chinese_font(options: Options) -> Result:
    """A font that draws Chinese, for the charts in zh-CN (views/style.py picks it)."""
    try:
        from .views.style import CJK_FAMILIES, cjk_family

        family = cjk_family()
    except Exception as exc:  # matplotlib missing or broken: its own check says so
        return Result(Status.WARN, _("could not look for fonts: {reason}").format(reason=_reason(exc)), install_fix())
    if family is None:
        fix = (
            "sudo apt-get install -y fonts-noto-cjk (Debian, Ubuntu), or the offline kit's fonts/ (see its INSTALL.md)"
        )
        return Result(
            Status.WARN,
            _("no font that draws Chinese ({CJK_FAMILIES}, ...): charts in zh-CN").format(
                CJK_FAMILIES=", ".join(CJK_FAMILIES[:3])
            ),
            fix,
        )
    return ok(_("{family} (charts in Chinese)").format(family=family))


def check_sdks(options: Options) -> Result:
    """The official SDKs that notebook 07 drives against the local endpoint."""
    for module, distribution in (
        ("aliyunsdkecs", "aliyun-python-sdk-ecs"),
        ("aliyunsdkcore", "aliyun-python-sdk-core"),
        ("alibabacloud_ecs20140526", "alibabacloud_ecs20140526"),
    ):
        found = library(module, distribution, distribution)
        if found.status is not Status.OK:
            return Result(
                found.status,
                _("{detail} (notebook 07 calls the endpoint with it)").format(detail=found.detail),
                found.fix,
            )
    return ok(_("aliyun-python-sdk-ecs and alibabacloud_ecs20140526 (notebook 07)"))


CHECKS: list[Check] = [
    Check(N_("Python"), check_python),
    Check(N_("pip"), check_pip, required=False),
    Check(N_("the package"), check_package),
    Check(N_("ipywidgets"), check_ipywidgets),
    Check(N_("pandas"), check_pandas),
    Check(N_("matplotlib"), check_matplotlib),
    Check(N_("JupyterLab"), check_jupyterlab),
    Check(N_("widgets in Lab"), check_widget_extension),
    Check(N_("kernel"), check_kernel),
    Check(N_("notebooks"), check_notebooks),
    Check(N_("Voila"), check_voila, required=False),
    Check(N_("Chinese font"), check_chinese_font, required=False),
    Check(N_("official SDKs"), check_sdks, required=False),
]


# --- running and reporting ---------------------------------------------------------------------------------------


def run_check(check: Check, options: Options) -> Result:
    """One check's result, a failure of an optional check downgraded to a warning; never raises."""
    try:
        result = check.run(options)
    except Exception as exc:
        result = fail(_("the check itself failed: {reason}").format(reason=_reason(exc)), install_fix())
    if result.status is Status.FAIL and not check.required:
        return Result(Status.WARN, result.detail, result.fix)
    return result


# the status of a check, as the report writes it (Status values stay the data)
STATUS_WORDS = {Status.OK: N_("ok"), Status.WARN: N_("warn"), Status.FAIL: N_("FAIL")}


def report(results: list[tuple[Check, Result]]) -> str:
    names = {check.name: _(check.name) for check, _result in results}
    marks = {status: _(word) for status, word in STATUS_WORDS.items()}
    width, mark_width = max(map(_columns, names.values())), max(5, *map(_columns, marks.values()))
    lines = [_("Can this machine run the ecs-snap-lab workshop?"), ""]
    for check, result in results:
        mark, name = _pad(marks[result.status], mark_width), _pad(names[check.name], width)
        lines.append(f"  {mark} {name}  {result.detail}")
        if result.status is not Status.OK and result.fix:
            lines.append(f"  {'':<{mark_width}} {'':<{width}}  " + _("fix: {fix}").format(fix=result.fix))
    failed = [result for _check, result in results if result.status is Status.FAIL]
    warned = sum(result.status is Status.WARN for _check, result in results)
    lines.append("")
    if not failed:
        if warned:
            said = ngettext(
                "Yes: this machine can run the workshop ({n} warning: optional parts).",
                "Yes: this machine can run the workshop ({n} warnings: optional parts).",
                warned,
            )
        else:
            said = _("Yes: this machine can run the workshop.")
        lines.append(said.format(n=warned))
        return "\n".join(lines)
    fixes = list(
        dict.fromkeys(result.fix for _check, result in results if result.status is not Status.OK and result.fix)
    )
    problems = ngettext(
        "No: {n} problem to fix first. Run, in order:", "No: {n} problems to fix first. Run, in order:", len(failed)
    )
    lines.append(problems.format(n=len(failed)))
    lines.extend(f"    {fix}" for fix in fixes)
    lines.append(_("then run `ecs-snap-lab doctor` again."))
    return "\n".join(lines)


def _columns(text: str) -> int:
    """How many columns `text` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _columns(text))


def main(quick: bool = False, timeout: float = KERNEL_TIMEOUT, out: Callable[[str], None] = print) -> int:
    """Run every check, print the report; 0 when the workshop can run here, 1 when a needed check failed."""
    options = Options(quick=quick, timeout=timeout)
    results = [(check, run_check(check, options)) for check in CHECKS]
    out(report(results))
    return 1 if any(result.status is Status.FAIL for _check, result in results) else 0
