"""``replica reference list | show | check``: the registry of reference values.

* ``replica reference list [--model M] [--json]``: every entry (name, model, params, value, tol,
  source);
* ``replica reference show NAME [--json]``: one entry in full (with its topic module);
* ``replica reference check [NAME ...] [--model M] [--json]``: recompute entries with their
  ``compute`` callables and report the matching digits; exits 1 if any entry misses its
  tolerance or fails to compute.

Unknown names exit 2 with a one-line message (like every bad input).
"""
from __future__ import annotations

import sys

from ..errors import ReplicaInputError
from ._common import add_json_flag, emit


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reference", help="list, show and recheck the registry of reference values",
        description="The registry of reference values (replica.testing.references).")
    sub = parser.add_subparsers(dest="reference_command", metavar="ACTION",
                                parser_class=type(parser))

    p = sub.add_parser("list", help="list all reference values")
    p.add_argument("--model", help="only entries of this model")
    add_json_flag(p)
    p.set_defaults(func=run_list)

    p = sub.add_parser("show", help="show one reference value in full")
    p.add_argument("name", help="name of the entry (see replica reference list)")
    add_json_flag(p)
    p.set_defaults(func=run_show)

    p = sub.add_parser("check", help="recompute entries and report matching digits")
    p.add_argument("names", nargs="*", metavar="NAME", help="entries to check (default: all)")
    p.add_argument("--model", help="only entries of this model")
    add_json_flag(p)
    p.set_defaults(func=run_check)

    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _lookup(name: str):
    from ..testing.references import get_reference

    try:
        return get_reference(name)
    except KeyError as exc:
        raise ReplicaInputError(exc.args[0]) from None


def _selected(names, model):
    from ..testing.references import all_references

    refs = [_lookup(n) for n in names] if names else list(all_references().values())
    if model:
        refs = [r for r in refs if r.model == model]
        if not refs:
            known = sorted({r.model for r in all_references().values()})
            raise ReplicaInputError(f"no reference with model {model!r}; models: "
                                    f"{', '.join(known)}")
    return refs


def run_list(args) -> int:
    refs = _selected([], args.model)
    if args.json:
        emit([{k: r.as_dict()[k] for k in ("name", "model", "params", "value", "tol", "source")}
              for r in refs], True)
    else:
        emit([{"name": r.name, "model": r.model, "value": repr(r.value), "tol": f"{r.tol:.1e}",
               "digits": f"{r.digits:.1f}", "source": _short(r.source)} for r in refs], False)
    return 0


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def run_show(args) -> int:
    from ..testing.references import reference_topic

    ref = _lookup(args.name)
    row = ref.as_dict()
    row["digits"] = round(ref.digits, 1)
    row["topic"] = f"replica/testing/refs/{reference_topic(ref.name)}.py"
    row["recomputable"] = ref.compute is not None
    if args.json:
        emit(row, True)
    else:
        row["params"] = ", ".join(f"{k}={v}" for k, v in ref.params.items()) or "-"
        emit(row, False)
    return 0


def run_check(args) -> int:
    refs = _selected(args.names, args.model)
    rows = []
    for ref in refs:
        chk = ref.check()
        rows.append(chk.as_dict())
        if not args.json:  # progress on stderr: some entries take seconds
            print(f"{'ok  ' if chk.passed else 'FAIL'} {chk.summary()} [{chk.seconds:.2f} s]",
                  file=sys.stderr, flush=True)
    bad = [r for r in rows if r["status"] != "ok"]
    if args.json:
        emit(rows, True)
    else:
        # full-precision values: the point of the table is to see the digits
        emit([{"name": r["name"], "status": r["status"], "expected": repr(r["expected"]),
               "found": "-" if r["found"] is None else repr(r["found"]),
               "|diff|": "-" if r["error"] is None else f"{r['error']:.2e}",
               "tol": f"{r['tol']:.1e}", "digits": f"{r['digits']:.1f}",
               "asks": f"{r['required_digits']:.1f}", "seconds": f"{r['seconds']:.2f}"}
              for r in rows], False)
        print(f"{len(rows) - len(bad)}/{len(rows)} reference values reproduced within tolerance",
              file=sys.stderr)
    return 1 if bad else 0
