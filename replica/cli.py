"""Command-line front door: ``replica <command> ...`` and ``python -m replica <command> ...``.

Each command lives in its own module of :mod:`replica.commands` (one concept per module) and is
discovered automatically: a module ``replica/commands/<name>.py`` defines
``register(subparsers)``, which adds its parser(s) and sets ``func=run`` with
``run(args) -> int | None``.

Errors: bad input (:class:`~replica.errors.ReplicaInputError` or ``ValueError``) prints one line
``replica: error: ...`` and exits 2; a :class:`~replica.errors.ConvergenceError` prints its message
and exits 3. No tracebacks for expected failures (``REPLICA_DEBUG=1`` shows them).
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from . import __version__


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's convention)
        self.exit(2, f"replica: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="replica", description="Replica computations for neural-network models.")
    parser.add_argument("--version", action="version", version=f"replica {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv=None) -> int:
    from .errors import ConvergenceError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        rc = args.func(args)
    except ConvergenceError as exc:
        if os.environ.get("REPLICA_DEBUG"):
            raise
        print(f"replica: convergence error: {exc}", file=sys.stderr)
        return 3
    except ValueError as exc:
        if os.environ.get("REPLICA_DEBUG"):
            raise
        print(f"replica: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("replica: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `replica ... | head`: the reader left; not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
