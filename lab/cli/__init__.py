"""The lab's command line, ``python -m lab COMMAND ...``: one module per command group.

Each command group is a module of this package with a ``register(subparsers)`` function that
adds its sub-parsers; every sub-parser sets ``func(args) -> int`` (the exit code). Today:

- :mod:`lab.cli.node` — ``node serve|bench|build-model`` (the vLLM inference node);
- :mod:`lab.cli.mission` — ``respond`` and ``sweep`` (response times of the constellation);
- :mod:`lab.cli.cost` — ``cost`` (what a million tokens costs in orbit and on the ground);
- :mod:`lab.cli.study` — ``study`` (a design study from a YAML spec, in process or on Dask).

Adding a group (``cost``, ``study``, ...) is one line: its module name in :data:`COMMAND_GROUPS`.

Errors: argparse rejects malformed arguments itself (``error: ...``, exit code 2). A user error
found later — a ``ValueError``/``TypeError`` from the lab (e.g. a preset parameter out of range),
a missing file, or a :class:`~lab.cli._args.CommandError` a command raises (a port in use, vLLM
missing) — is printed the same way, ``python -m lab: error: <message>``, with exit code 2.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from lab.cli._args import CommandError

__all__ = ["COMMAND_GROUPS", "CommandError", "build_parser", "main"]

#: Modules of :mod:`lab.cli` that add command groups, in the order of ``--help``.
COMMAND_GROUPS = ("node", "mission", "cost", "study")

#: Exceptions that are the user's to fix: message and exit code 2, no traceback.
_USER_ERRORS = (ValueError, TypeError, FileNotFoundError, CommandError)

PROG = "python -m lab"


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m lab`` argument parser, with every group of :data:`COMMAND_GROUPS`."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Orbital Compute Lab: computing in orbit, from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit code (2 for a user error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except _USER_ERRORS as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
