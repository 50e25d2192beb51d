"""Command-line front door: ``replica <command> ...`` and ``python -m replica <command> ...``.

Each command lives in its own module of :mod:`replica.commands` (one concept per module) and is
discovered automatically: a module ``replica/commands/<name>.py`` defines
``register(subparsers)``, which adds its parser(s) and sets ``func=run`` with
``run(args) -> int | None``.

Exit codes: 0 a result; 2 bad input (:class:`~replica.errors.ReplicaInputError`, ``ValueError``,
an unusable file), one line ``replica: error: ...`` naming the parameter; 3 nothing usable was
computed (:class:`~replica.errors.ConvergenceError`: the reason, where and why). No tracebacks
for expected failures (``REPLICA_DEBUG=1`` shows them); warnings raised while a command runs are
printed once each, on one line.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
import warnings

from . import __version__

#: negative numbers argparse must read as values, not options: -1, -.5, -1e-3, -inf, -nan
_NEGATIVE = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.I)
_RST = [(re.compile(r":[a-z:]+:`~?([^`]+)`"), r"\1"), (re.compile(r"``([^`]+)``"), r"\1"),
        (re.compile(r"`([^`]+)`"), r"\1"), (re.compile(r"::$", re.M), ":")]


def plain_text(text: str) -> str:
    """Help text without reStructuredText markup (roles, literals, ``::``)."""
    for pattern, repl in _RST:
        text = pattern.sub(repl, text)
    return text


class _Formatter(argparse.HelpFormatter):
    """Help with each option's default (when it has one) and without RST markup."""

    def _get_help_string(self, action):
        text = action.help or ""
        d = action.default
        if (d is not None and d is not False and d is not argparse.SUPPRESS
                and "default" not in text.lower()
                and action.option_strings and action.nargs != 0):
            shown = " ".join(map(str, d)) if isinstance(d, (list, tuple)) else d
            text += f" (default: {str(shown).replace('%', '%%')})"
        return text

    def _format_text(self, text):
        return super()._format_text(plain_text(text))


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE

    def error(self, message):  # one line, exit 2 (argparse's convention)
        self.exit(2, f"replica: error: {' '.join(message.split())}\n")


def iter_parsers(parser, path=("replica",)):
    """Yield ``(path, parser, help)`` for the parser and every sub-command, depth first."""
    yield path, parser, parser.description
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                for item in iter_parsers(sub, path + (name,)):
                    if item[1] is sub and not item[2]:
                        item = (item[0], sub, helps.get(name))
                    yield item


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
    for _, p, text in iter_parsers(parser):  # a sub-command's --help opens with its summary
        if not p.description and text:
            p.description = text
    return parser


def _one_line(exc) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv=None) -> int:
    from .errors import ConvergenceError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:   # usage errors (exit 2) and --help/--version (exit 0)
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = bool(os.environ.get("REPLICA_DEBUG"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            rc = args.func(args)
        except ConvergenceError as exc:
            if debug:
                raise
            print(f"replica: convergence error: {_one_line(exc)}", file=sys.stderr)
            rc = 3
        except (ValueError, OSError) as exc:
            if isinstance(exc, BrokenPipeError):
                # e.g. `replica ... | head`: the reader left; not an error of ours
                try:
                    sys.stdout = open(os.devnull, "w")
                except OSError:
                    pass
                return 0
            if debug:
                raise
            print(f"replica: error: {_one_line(exc)}", file=sys.stderr)
            rc = 2
        except KeyboardInterrupt:
            print("replica: interrupted", file=sys.stderr)
            return 130
    seen = set()
    for w in caught:
        text = f"{w.category.__name__}: {_one_line(w.message)}"
        if text not in seen and not debug:
            seen.add(text)
            print(f"replica: warning: {text}", file=sys.stderr)
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
