"""Helpers shared by the CLI commands: number parsing, the --model and --json options, JSON
output, readable tables.

No numpy at import time: every command module imports this one while the parser is built, and
closed-form commands must start fast.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import sys

from .._json import to_jsonable as _to_jsonable

__all__ = ["check_out_dir", "number", "integer", "positive_int", "kappa_ref_value", "add_json_flag", "add_model_arg",
           "emit", "to_jsonable"]


def number(text: str) -> float:
    """argparse type: a finite float (rejects 'nan', 'inf', non-numbers with a clear message)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return v


def integer(text: str) -> int:
    """argparse type: an integer written in decimal (1e3 is accepted when it is integral)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not math.isfinite(v) or v != int(v):
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
    return int(v)


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    v = integer(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return v


def kappa_ref_value(text: str):
    """argparse type for --kappa-ref: a number or the word 'max'
    (:func:`replica.models.base.parse_kappa_ref`)."""
    from ..models.base import parse_kappa_ref

    try:
        return parse_kappa_ref(text, "--kappa-ref")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print machine-readable JSON (only finite numbers)")


def add_model_arg(parser, choices, help_text: str = "", *, required: bool = True,
                  default=None) -> None:
    """The --model option, validated the same way by every command: an unknown name exits 2
    with "argument --model: unknown model 'X'; choose one of ..."."""
    choices = tuple(choices)

    def model(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"unknown model {text!r}; choose one of "
                                             f"{', '.join(choices)}")
        return text

    model.__name__ = "model"
    parser.add_argument("--model", type=model, required=required, default=default,
                        metavar="{" + ",".join(choices) + "}",
                        help=help_text or f"the model: {', '.join(choices)}")


def check_out_dir(option: str, path) -> None:
    """Refuse, before any computation, an output directory that cannot be one: an existing
    non-directory, or a parent path that is a regular file."""
    from pathlib import Path

    from ..errors import ReplicaInputError

    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ReplicaInputError(f"{option} {path} exists and is not a directory")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ReplicaInputError(f"{option} {path}: {parent} is a file, not a directory")
            break


def to_jsonable(obj):
    """numpy -> plain Python with non-finite numbers written as strings (for data caches);
    command output goes through :func:`emit`, which refuses non-finite numbers."""
    return _to_jsonable(obj, nonfinite="string")


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.10g}"
    return "-" if v is None else str(v)


def emit(obj, as_json: bool, stream=None, *, columns=None) -> None:
    """Print ``obj`` (a dict or a list of dicts) as JSON or as a short aligned table.

    Non-finite numbers are refused (:class:`~replica.errors.NonFiniteResultError`, exit 3).
    ``columns``: for tables, the keys shown (the full record stays in --json); a table wider
    than the terminal drops its last columns and says so.
    """
    stream = stream or sys.stdout
    data = _to_jsonable(obj)
    if as_json:
        json.dump(data, stream, indent=2, allow_nan=False)
        stream.write("\n")
        return
    rows = data if isinstance(data, list) else [data]
    if not rows:
        stream.write("(no rows)\n")
        return
    if all(isinstance(r, dict) for r in rows):
        keys = columns or [k for k in rows[0] if not isinstance(rows[0][k], (dict, list))]
        if len(rows) == 1 and columns is None:
            width = max(len(k) for k in keys) if keys else 0
            for k in keys:
                stream.write(f"{k:<{width}}  {_fmt(rows[0][k])}\n")
            return
        cols = [[k] + [_fmt(r.get(k)) for r in rows] for k in keys]
        widths = [max(len(c) for c in col) for col in cols]
        limit = shutil.get_terminal_size((100, 24)).columns
        shown, total = 0, -2
        while shown < len(cols) and total + 2 + widths[shown] <= limit:
            total += 2 + widths[shown]
            shown += 1
        shown = max(shown, 1)
        for i in range(len(rows) + 1):
            stream.write("  ".join(col[i].rjust(w) for col, w in
                                   zip(cols[:shown], widths[:shown])).rstrip() + "\n")
        if shown < len(cols):
            stream.write(f"({len(cols) - shown} more column(s) in --json: "
                         f"{', '.join(keys[shown:])})\n")
        return
    stream.write(json.dumps(data, indent=2) + "\n")
