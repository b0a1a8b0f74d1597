"""The `ecs-snap-lab` command."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import threading
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .doctor import KERNEL_TIMEOUT
from .i18n import LANGUAGES, N_, _, get_language, set_language
from .local_time import get_display_timezone, set_display_timezone, shown
from .model.api import Api
from .workshop import DEFAULT_FOLDER

if TYPE_CHECKING:
    from .wire.server import Endpoint


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    _early_language(words)  # the help and the usage errors are written in it too
    args = _parser().parse_args(words)
    if args.lang:
        set_language(args.lang)
    if args.tz:
        set_display_timezone(args.tz)
    return _run(args)


def _early_language(words: list[str]) -> None:
    """The language `--lang` names, chosen before the parser is built (a bad one is left to the parser to refuse)."""
    for n, word in enumerate(words):
        wanted = word.partition("=")[2] if word.startswith("--lang=") else None
        if word == "--lang" and n + 1 < len(words):
            wanted = words[n + 1]
        if wanted in LANGUAGES:
            set_language(wanted)


def _zone(name: str) -> str:
    """--tz's value, checked before anything runs (argparse reports a bad one as a usage error)."""
    before = get_display_timezone()
    try:
        set_display_timezone(name)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("no time zone {name}: give an IANA name such as Asia/Shanghai, or UTC").format(name=repr(name[:40]))
        ) from None
    finally:
        set_display_timezone(before)
    return name


# argparse's own error messages (Python's, in English), as the lab says them: (pattern, message)
ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"the following arguments are required: (?P<names>.*)"),
        N_("the following arguments are required: {names}"),
    ),
    (re.compile(r"unrecognized arguments: (?P<words>.*)"), N_("unrecognized arguments: {words}")),
    (
        re.compile(r"argument (?P<name>\S+): invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)"),
        N_("argument {name}: invalid choice: {value} (choose from {choices})"),
    ),
    (re.compile(r"argument (?P<name>\S+): expected one argument"), N_("argument {name}: expected one argument")),
    (
        re.compile(r"argument (?P<name>\S+): invalid (?P<kind>\w+) value: (?P<value>.*)"),
        N_("argument {name}: invalid {kind} value: {value}"),
    ),
    (
        re.compile(r"argument (?P<name>\S+): not allowed with argument (?P<other>\S+)"),
        N_("argument {name}: not allowed with argument {other}"),
    ),
    (re.compile(r"argument (?P<name>\S+): (?P<reason>.*)"), N_("argument {name}: {reason}")),
)


class _Formatter(argparse.HelpFormatter):
    """argparse's help with the usage line's prefix in the lab's language."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser writing in the lab's language: its headings, its -h, its usage line and its errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help=_("show this help message and exit")
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, _("{prog}: error: {message}").format(prog=self.prog, message=said_by_the_lab(message)) + "\n")


def said_by_the_lab(message: str) -> str:
    """One of argparse's error messages in the lab's language (as it is when none of ARGPARSE_ERRORS matches)."""
    for pattern, said in ARGPARSE_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            words = {key: _(WORDS[value]) if value in WORDS else value for key, value in found.groupdict().items()}
            return _(said).format(**words)
    return message


# the words of argparse's messages that are the lab's: a subcommand's name, the types of values
WORDS = {"command": N_("command"), "int": N_("int"), "float": N_("float")}


def _parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per job."""
    parser = _Parser(prog="ecs-snap-lab", description=_("Learn ECS CreateSnapshot on a simulated account."))
    parser.add_argument(
        "--lang", choices=LANGUAGES, help=_("the language the lab writes in (default: $ECS_SNAP_LAB_LANG, else en)")
    )
    parser.add_argument(
        "--tz",
        type=_zone,
        metavar=_("TZ"),
        help=_(
            "show times in this IANA zone beside UTC, e.g. Asia/Shanghai (default: $ECS_SNAP_LAB_TZ, else UTC alone)"
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    tour = commands.add_parser("tour", help=_("a short printed walk-through"))
    tour.add_argument("--seed", type=int, default=0, metavar=_("SEED"))
    explain = commands.add_parser("explain", help=_("reproduce an error code and explain it"))
    explain.add_argument("code", metavar=_("code"))
    explain.add_argument(
        "--row", type=int, metavar=_("ROW"), help=_("the seed table's row, for a code with two (InternalError: 12, 26)")
    )
    explain.add_argument(
        "--action",
        metavar=_("ACTION"),
        help=_("the action, for a code another action answers differently (CreateDisk)"),
    )
    commands.add_parser("codes", help=_("list the error catalogue"))
    doctor = commands.add_parser(
        "doctor", help=_("check that this machine can run the workshop, and say how to fix it")
    )
    doctor.add_argument("--quick", action="store_true", help=_("do not start a kernel (a few seconds faster)"))
    doctor.add_argument(
        "--timeout",
        type=float,
        default=KERNEL_TIMEOUT,
        metavar=_("TIMEOUT"),
        help=_("seconds the kernel may take to start and answer (default {KERNEL_TIMEOUT:g})").format(
            KERNEL_TIMEOUT=KERNEL_TIMEOUT
        ),
    )
    _add_workshop(commands)
    _add_serve(commands)
    _add_progress(commands)
    return parser


def _add_workshop(commands) -> None:
    """`notebooks` and `lab`: copy the workshop's notebooks (in a language), and open JupyterLab on them."""
    notebooks = commands.add_parser("notebooks", help=_("copy the workshop notebooks into a folder"))
    notebooks.add_argument("dest", metavar=_("dest"), help=_("the folder to copy them into (created if needed)"))
    notebooks.add_argument("--force", action="store_true", help=_("replace notebooks the folder already has"))
    notebooks.add_argument(
        "--instructor", action="store_true", help=_("also copy the answer key (instructor/), never for learners")
    )
    lab = commands.add_parser("lab", help=_("copy the notebooks (keeping your edits) and open JupyterLab on them"))
    for command in (notebooks, lab):  # the notebooks' language, and the command's; before DEST for `lab`
        command.add_argument(
            "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=_("the notebooks' language (zh-CN: Chinese)")
        )
    lab.add_argument(
        "dest",
        nargs="?",
        default=DEFAULT_FOLDER,
        metavar=_("dest"),
        help=_("the workshop folder (default {DEFAULT_FOLDER})").format(DEFAULT_FOLDER=DEFAULT_FOLDER),
    )
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help=_("passed to JupyterLab, e.g. --no-browser"))


def _run(args: argparse.Namespace) -> int:
    """Do what the parsed command line asks; the exit status."""
    if args.command == "tour":
        from .tour import run

        run(seed=args.seed)
    elif args.command == "codes":
        from .rules.catalog import error_catalog

        for entry in error_catalog():
            row = _("row {row:>2}").format(row=entry.row) if entry.row else _("common")
            print(f"{entry.http_status}  {entry.code:<48} {row:<7} {entry.message}")
            if get_language() != "en":  # the catalogue's explanation beside the API's words, in the lab's language
                print(f"     {_(entry.description)}")
    elif args.command == "doctor":
        from .doctor import main as run_doctor

        return run_doctor(quick=args.quick, timeout=args.timeout)
    elif args.command in ("notebooks", "lab"):
        from .workshop import copy_notebooks, open_lab

        try:
            if args.command == "lab":
                return open_lab(args.dest, args.jupyter_args)
            copied = copy_notebooks(args.dest, overwrite=args.force, instructor=args.instructor)
            print(copied.report())
        except OSError as exc:
            print(_("ecs-snap-lab: {exc}").format(exc=exc), file=sys.stderr)
            return 2
    elif args.command == "serve":
        return _serve(args)
    elif args.command == "progress":
        return _progress(args)
    elif args.command == "explain":
        from .recipes import reproduce

        try:
            print(reproduce(args.code, args.row, args.action).explain())
        except KeyError as exc:
            print(_("ecs-snap-lab: {args}").format(args=exc.args[0]), file=sys.stderr)
            return 2
    return 0


def _add_progress(commands: argparse._SubParsersAction) -> None:
    progress = commands.add_parser(
        "progress", help=_("who is stuck: learners' saved notebooks as a learner x exercise table (never runs them)")
    )
    progress.add_argument(
        "paths", nargs="+", metavar="FILE_OR_FOLDER", help=_("saved notebooks, or folders searched for *.ipynb")
    )
    progress.add_argument(
        "--by",
        choices=("folder", "file"),
        default="folder",
        help=_("a learner is the folder holding the notebook (default) or the notebook file"),
    )
    progress.add_argument("--chart", metavar="OUT.png", help=_("also draw the table (png, svg or pdf)"))
    progress.add_argument("--csv", metavar="OUT.csv", help=_("also write it as CSV, a row per learner and exercise"))


def _progress(args: argparse.Namespace) -> int:
    """Print the table (and write the chart and the CSV); 0 if at least one notebook was read."""
    from .progress import read_progress

    progress = read_progress(args.paths, by=args.by)
    for problem in progress.problems:
        print(_("ecs-snap-lab: {problem}").format(problem=problem), file=sys.stderr)
    if not progress.notebooks:
        print(_("ecs-snap-lab: no notebook could be read"), file=sys.stderr)
        return 2
    print(progress.table())
    for kind, path in ((N_("CSV"), args.csv), (N_("chart"), args.chart)):
        if path is None:
            continue
        try:
            if kind == "CSV":
                progress.write_csv(path)
            else:
                from .progress_chart import progress_chart

                figure = progress_chart(progress).get_figure(root=True)
                assert figure is not None  # the Axes progress_chart drew is on a figure
                figure.savefig(path)
        except (OSError, ValueError) as exc:
            print(
                _("ecs-snap-lab: the {kind} could not be written to {path}: {exc}").format(
                    kind=kind, path=path, exc=exc
                ),
                file=sys.stderr,
            )
            return 2
        print(_("{kind} written to {path}").format(kind=_(kind), path=path))
    return 0


def _add_serve(commands: argparse._SubParsersAction) -> None:
    """`ecs-snap-lab serve`: its options."""
    serve = commands.add_parser("serve", help=_("a local ECS endpoint the official SDKs can call"))
    serve.add_argument("--port", type=int, default=8080, help=_("the port on 127.0.0.1 (0: any free port)"))
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        metavar=_("HOST"),
        help=_("the address to listen on (default 127.0.0.1; any other warns)"),
    )
    serve.add_argument(
        "--access-key",
        action="append",
        default=[],
        metavar="ID:SECRET",
        help=_("an AccessKey pair (repeatable; default: a fresh random pair, printed)"),
    )
    world = serve.add_mutually_exclusive_group()
    world.add_argument("--demo", action="store_true", help=_("serve Lab.demo(): a fleet with months of history"))
    world.add_argument("--load", metavar="WORLD.json", help=_("serve a lab saved with lab.save()"))
    serve.add_argument("--seed", type=int, default=0, metavar=_("SEED"))
    serve.add_argument(
        "--api",
        choices=[api.value for api in Api],
        help=_(
            "the API profile: seed (the 2018-19 page, the default) or 2026 (today's documentation); "
            "a saved lab keeps its own"
        ),
    )
    serve.add_argument(
        "--admin", action="store_true", help=_("enable /admin/ (clock, faults, reset), behind a printed token")
    )
    serve.add_argument(
        "--quiet",
        action="store_true",
        help=_("no access log (by default a Common Log Format line per request on stderr)"),
    )


def _serve(args: argparse.Namespace) -> int:
    """Run the local endpoint until interrupted, after printing how to reach it."""
    from .lab import Lab
    from .wire.server import ExposedEndpointWarning, serve

    keys: dict[str, str] = {}
    for pair in args.access_key:
        key_id, sep, secret = pair.partition(":")
        if not (sep and key_id and secret):
            print(_("ecs-snap-lab: --access-key takes ID:SECRET, not {pair!r}").format(pair=pair), file=sys.stderr)
            return 2
        keys[key_id] = secret
    try:
        if args.load:
            lab = Lab.load(args.load)
            if args.api and args.api != lab.api:
                raise ValueError(
                    _("{load} holds a lab of the {api} profile, not {api2}").format(
                        load=args.load, api=lab.api, api2=args.api
                    )
                )
        elif args.demo:
            lab = Lab.demo(seed=args.seed, api=args.api or "seed")
        else:
            lab = Lab(seed=args.seed, api=args.api or "seed")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExposedEndpointWarning)
            endpoint = serve(lab, port=args.port, access_keys=keys or None, admin=args.admin, host=args.host)
    except (OSError, ValueError) as exc:
        print(_("ecs-snap-lab: {exc}").format(exc=exc), file=sys.stderr)
        return 2
    for warning in caught:
        print(_("ecs-snap-lab: warning: {message}").format(message=warning.message), file=sys.stderr, flush=True)
    log_to_stderr(access=not args.quiet)
    with endpoint:
        try:
            # before saying how to reach it: whoever reads that may stop it at once, and must stop it cleanly
            signal.signal(signal.SIGTERM, _interrupt)  # a stop signal ends it as Ctrl-C does: sockets closed
            _how_to_reach(endpoint)
            wait_until_stopped()
        except KeyboardInterrupt:
            print(_("stopped"))
    return 0


def wait_until_stopped() -> None:
    """Block until Ctrl-C (KeyboardInterrupt) or a stop signal (turned into one by `_interrupt`)."""
    threading.Event().wait()


def log_to_stderr(access: bool, stream: TextIO | None = None) -> None:
    """The command is the application, so it decides where the library's logs go: warnings and errors of the lab
    and the endpoint to stderr, and with `access` the endpoint's access log (one Common Log Format line a request)."""
    from .wire.accesslog import access_log

    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("ecs-snap-lab: %(levelname)s %(name)s: %(message)s"))
    package = logging.getLogger("ecs_snap_lab")
    package.addHandler(handler)
    package.setLevel(logging.WARNING)
    if access:
        lines = logging.StreamHandler(stream or sys.stderr)
        lines.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(lines)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False  # its lines are not errors: not written twice, not prefixed


def _how_to_reach(endpoint: Endpoint) -> None:
    """The endpoint, its keys (a fresh random pair unless given), the admin token and code to paste."""
    from .wire.admin import TOKEN_HEADER

    print(_("Serving {lab!r}").format(lab=endpoint.lab))
    if get_display_timezone() is not None:  # the repr's time is UTC; the display zone's beside it
        print(_("The lab's clock: {time}").format(time=shown(endpoint.lab.now)))
    print(
        _("Endpoint: {endpoint}  ({url}, region {region})").format(
            endpoint=endpoint.endpoint, url=endpoint.url, region=endpoint.lab.region
        )
    )
    for key_id, secret in endpoint.access_keys.items():
        print(_("AccessKey: {key_id}:{secret}").format(key_id=key_id, secret=secret))
    if endpoint.admin_token:
        print(
            _("Admin token: {admin_token}  (send it as the header {TOKEN_HEADER}; keep it to yourself)").format(
                admin_token=endpoint.admin_token, TOKEN_HEADER=TOKEN_HEADER
            )
        )
        print(
            _("Admin: {url}admin/state (GET); POST advance?hours=N, fault?kind=InternalError, reset").format(
                url=endpoint.url
            )
        )
        header = f"{TOKEN_HEADER}: {endpoint.admin_token}"
        print(
            _('  e.g. curl -X POST -H "{header}" "{url}admin/advance?hours=1"').format(header=header, url=endpoint.url)
        )
    print(_("\nPaste into Python (aliyun-python-sdk-ecs):\n"))
    print(endpoint.snippet("old"))
    print(_("\nor (alibabacloud_ecs20140526):\n"))
    print(endpoint.snippet("new"))
    print(_("\nCtrl-C stops the endpoint."), flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run() -> int:
    """The console entry point: main(), quiet when the reader closes the pipe (`ecs-snap-lab codes | head`)."""
    try:
        return main()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(run())
