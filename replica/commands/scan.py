"""``replica scan``: a resumable scan of any model over a grid of its external parameters.

    replica scan --model gardner-binary --param alpha=0.1:0.8:15 --fixed kappa=0 \\
                 --store gardner.sqlite [--along alpha] [--executor process --workers 4]

Every finished point is committed to the SQLite store at once; rerunning the same command after
an interruption (even ``kill -9``) resumes and recomputes nothing finished. A store that belongs
to a different scan is refused (exit 2) and left untouched. Load the table back with
``replica.store.load(FILE)``.
"""
from __future__ import annotations

import sys

from ._common import add_json_flag, emit, integer, positive_int

#: parameters that accept a word, and the words they accept
_WORDS = {"kappa_ref": ("max",)}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scan", help="resumable parameter scan of a model (grid or continuation lines)",
        description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="registered model name (see --list-models); "
                   "'module:function' of your own point function needs --allow-user-code")
    p.add_argument("--allow-user-code", action="store_true",
                   help="allow --model module:function: imports that module and runs the "
                        "function for every point (it is your code, run with your rights)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=START:STOP:NUM",
                   help="a scanned parameter (repeat for a grid; first varies slowest)")
    p.add_argument("--fixed", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter held fixed (repeatable)")
    p.add_argument("--store", help="SQLite file of the scan (created, or reopened to resume)")
    p.add_argument("--along", metavar="NAME",
                   help="continue along this scanned parameter (warm starts, step halving); "
                        "the lines along it run in parallel")
    p.add_argument("--executor", choices=("serial", "process", "dask"), default="process",
                   help="where points run (default: process pool on the local cores)")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="dask scheduler address tcp://host:port (implies --executor dask)")
    p.add_argument("--workers", type=positive_int,
                   help="number of worker processes (default: one per core; at most 4 per core)")
    p.add_argument("--max-halvings", type=integer, default=4,
                   help="step halvings before a continuation point is recorded as failed")
    p.add_argument("--retry-failed", action="store_true",
                   help="recompute points stored as failed")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--list-models", action="store_true", help="list the registered models")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import MAX_GRID_POINTS, ReplicaInputError
    from .. import models
    from ..scan import ALIASES, MODELS, Grid, get_model, parse_fixed, parse_range, scan

    known = sorted(set(MODELS) | set(ALIASES) | set(models.available()))
    if args.list_models:
        rows = []
        for n in known:
            try:
                m = get_model(n)
            except ReplicaInputError as exc:   # registered, but its module does not load
                rows.append({"model": n, "parameters": "", "required": "",
                             "description": f"unavailable: {exc}"})
                continue
            rows.append({"model": m.name, "parameters": " ".join(m.params or ("*",)),
                         "required": " ".join(m.required), "description": m.description})
        emit(rows, args.json)
        return 0
    if not args.model:
        raise ReplicaInputError("--model is required (see --list-models)")
    if args.model not in known:
        if ":" not in args.model:
            raise ReplicaInputError(f"--model: unknown model {args.model!r}; known models: "
                                    f"{', '.join(known)} (see --list-models)")
        if not args.allow_user_code:
            raise ReplicaInputError(f"--model {args.model!r} names a Python function, not a "
                                    "registered model; running it needs --allow-user-code")
    if not 0 <= args.max_halvings <= 60:
        raise ReplicaInputError(f"--max-halvings must be in [0, 60], got {args.max_halvings}")
    if not args.store:
        raise ReplicaInputError("--store FILE is required (the scan is resumable from it)")
    if not args.param:
        raise ReplicaInputError("give at least one --param NAME=START:STOP:NUM")
    axes = {}
    for text in args.param:
        spec = text.split("=", 1)[-1].split(":")
        if len(spec) == 3:
            try:
                num = float(spec[2])
            except ValueError:
                num = None
            if num is not None and num > MAX_GRID_POINTS:
                raise ReplicaInputError(f"--param {text}: at most {MAX_GRID_POINTS} points per "
                                        f"axis, got {spec[2]}")
        name, values = parse_range(text)
        if name in axes:
            raise ReplicaInputError(f"--param {name} given twice")
        axes[name] = values
    fixed = {}
    for text in args.fixed:
        name, value = parse_fixed(text)
        if name in fixed:
            raise ReplicaInputError(f"--fixed {name} given twice")
        if isinstance(value, str) and value not in _WORDS.get(name, ()):
            words = _WORDS.get(name)
            raise ReplicaInputError(f"--fixed {name}={value}: {name} must be a number"
                                    + (f" or one of {', '.join(words)}" if words else ""))
        fixed[name] = value
    size = 1
    for v in axes.values():
        size *= len(v)
    if size > MAX_GRID_POINTS:
        raise ReplicaInputError(f"--param: the grid has {size} points, more than "
                                f"{MAX_GRID_POINTS}")
    executor = "dask" if args.scheduler else args.executor
    try:
        result = scan(args.model, Grid(axes, along=args.along), fixed=fixed, store=args.store,
                      executor=executor, workers=args.workers, scheduler=args.scheduler,
                      max_halvings=args.max_halvings, retry_failed=args.retry_failed,
                      quiet=args.quiet, json=args.json)
    except RuntimeError as exc:  # executor failure: the finished points are stored
        if type(exc) is not RuntimeError:
            raise
        print(f"replica: error: {exc}", file=sys.stderr)
        return 1
    if not args.json:
        emit(result.summary(), False)
        if result.already_done:
            print(f"resumed: {result.already_done} of {result.total} points were already stored "
                  f"in {args.store}; {result.computed} computed now")
    if result.computed and not result.ok and not result.already_done:
        print(f"replica: no point of the scan could be computed ({result.failed} failed, "
              f"{result.nonfinite} non-finite); the reasons are in the store's message column",
              file=sys.stderr)
        return 3
    return 0
