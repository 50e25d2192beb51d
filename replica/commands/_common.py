"""Helpers shared by the CLI commands: number parsing, JSON output, readable tables."""
from __future__ import annotations

import argparse
import json
import math
import sys

from .._json import to_jsonable

__all__ = ["number", "kappa_ref_value", "add_json_flag", "emit", "to_jsonable"]


def number(text: str) -> float:
    """argparse type: a finite float (rejects 'nan', 'inf', non-numbers with a clear message)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
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
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def emit(obj, as_json: bool, stream=None) -> None:
    """Print ``obj`` (a dict or a list of dicts) as JSON or as a short aligned table."""
    stream = stream or sys.stdout
    data = to_jsonable(obj)
    if as_json:
        json.dump(data, stream, indent=2, allow_nan=False)
        stream.write("\n")
        return
    rows = data if isinstance(data, list) else [data]
    if not rows:
        stream.write("(no rows)\n")
        return
    if all(isinstance(r, dict) for r in rows):
        keys = [k for k in rows[0] if not isinstance(rows[0][k], (dict, list))]
        def fmt(v):
            if isinstance(v, float):
                return f"{v:.10g}"
            return str(v)
        if len(rows) == 1:
            width = max(len(k) for k in keys) if keys else 0
            for k in keys:
                stream.write(f"{k:<{width}}  {fmt(rows[0][k])}\n")
            return
        cols = [[k] + [fmt(r.get(k, "")) for r in rows] for k in keys]
        widths = [max(len(c) for c in col) for col in cols]
        for i in range(len(rows) + 1):
            stream.write("  ".join(col[i].rjust(w) for col, w in zip(cols, widths)) + "\n")
        return
    stream.write(json.dumps(data, indent=2) + "\n")
