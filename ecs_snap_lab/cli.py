"""The `ecs-snap-lab` command."""

from __future__ import annotations

import argparse
import os
import sys

from .workshop import DEFAULT_FOLDER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ecs-snap-lab", description="Learn ECS CreateSnapshot on a simulated account."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    tour = commands.add_parser("tour", help="a short printed walk-through")
    tour.add_argument("--seed", type=int, default=0)
    explain = commands.add_parser("explain", help="reproduce an error code and explain it")
    explain.add_argument("code")
    explain.add_argument("--row", type=int, help="the seed table's row, for a code with two (InternalError: 12, 26)")
    explain.add_argument("--action", help="the action, for a code another action answers differently (CreateDisk)")
    commands.add_parser("codes", help="list the error catalogue")
    notebooks = commands.add_parser("notebooks", help="copy the workshop notebooks into a folder")
    notebooks.add_argument("dest", help="the folder to copy them into (created if needed)")
    notebooks.add_argument("--force", action="store_true", help="replace notebooks the folder already has")
    lab = commands.add_parser("lab", help="copy the notebooks (keeping your edits) and open JupyterLab on them")
    lab.add_argument("dest", nargs="?", default=DEFAULT_FOLDER, help=f"the workshop folder (default {DEFAULT_FOLDER})")
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="passed to JupyterLab, e.g. --no-browser")
    args = parser.parse_args(argv)

    if args.command == "tour":
        from .tour import run

        run(seed=args.seed)
    elif args.command == "codes":
        from .rules.catalog import error_catalog

        for entry in error_catalog():
            row = f"row {entry.row:>2}" if entry.row else "common"
            print(f"{entry.http_status}  {entry.code:<48} {row:<7} {entry.message}")
    elif args.command in ("notebooks", "lab"):
        from .workshop import copy_notebooks, open_lab

        try:
            if args.command == "lab":
                return open_lab(args.dest, args.jupyter_args)
            print(copy_notebooks(args.dest, overwrite=args.force).report())
        except OSError as exc:
            print(f"ecs-snap-lab: {exc}", file=sys.stderr)
            return 2
    elif args.command == "explain":
        from .recipes import reproduce

        try:
            print(reproduce(args.code, args.row, args.action).explain())
        except KeyError as exc:
            print(f"ecs-snap-lab: {exc.args[0]}", file=sys.stderr)
            return 2
    return 0


def run() -> int:
    """The console entry point: main(), quiet when the reader closes the pipe (`ecs-snap-lab codes | head`)."""
    try:
        return main()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(run())
