"""``replica solve``: the saddle point of any registered model, or a branch followed along one of
its parameters by the continuation engine.

    replica solve --list
    replica solve gardner-binary --param alpha=0.5 --param kappa=0 --json
    replica solve gardner-binary --param alpha=0.001 --along alpha --to 0.9 --event entropy --json

A point: the model's saddle point (reached by continuation from the model's known point when
a direct solve fails); JSON keys: the parameters, the order parameters, the thermodynamics,
``status``, ``residual``, ``method``. A branch (``--along``): ``points`` (one row per accepted
point), ``folds`` and ``events`` (each with the parameter ``value`` and the state there) and
``end`` (why the branch stopped).
"""
from __future__ import annotations

from ._common import add_json_flag, emit, number


def register(sub) -> None:
    p = sub.add_parser("solve", help="saddle point or branch of any registered model "
                       "(replica solve --list shows them)",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("model", nargs="?", help="a registered model name (see --list)")
    p.add_argument("--list", action="store_true", help="list the registered models and their "
                   "parameters, then exit")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a model parameter (repeat for each; defaults apply to the others)")
    p.add_argument("--along", metavar="NAME", help="follow the branch along this parameter "
                   "(default: solve at one point)")
    p.add_argument("--to", type=number, help="end value of the --along parameter")
    p.add_argument("--event", action="append", default=[], metavar="KEY",
                   help="a thermodynamic key whose sign changes are located on the branch "
                        "(repeatable)")
    p.add_argument("--mode", default="arclength", choices=("arclength", "natural"),
                   help="continuation: pseudo-arclength through folds (default) or natural "
                        "parameter steps")
    p.add_argument("--max-steps", type=int, default=1000,
                   help="most accepted points on the branch (default 1000)")
    add_json_flag(p)
    p.set_defaults(func=run)


def _parse_params(items):
    from ..errors import ReplicaInputError

    out = {}
    for text in items:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise ReplicaInputError(f"--param must be NAME=VALUE, got {text!r}")
        out[name.strip()] = value.strip()
    return out


def run(args) -> int:
    from .. import models
    from ..errors import ConvergenceError, ReplicaInputError

    if args.list:
        rows = []
        for name in models.available():
            try:
                m = models.get(name)
            except ReplicaInputError as exc:
                rows.append({"model": name, "description": f"(unavailable: {exc})",
                             "parameters": []})
                continue
            rows.append({"model": name, "description": m.description,
                         "parameters": [p.describe() for p in m.params]})
        if args.json:
            emit(rows, True)
        else:
            for r in rows:
                print(f"{r['model']}: {r['description']}")
                for d in r["parameters"]:
                    print(f"    {d}")
        return 0
    if not args.model:
        raise ReplicaInputError("model: give a registered model name (replica solve --list)")
    m = models.get(args.model)
    params = m.validate(_parse_params(args.param))
    if args.along is None:
        if args.to is not None or args.event:
            raise ReplicaInputError("--to and --event need --along")
        try:
            sol = m.saddle(params)
        except ConvergenceError:
            from ..continuation import reach
            sol = reach(m, params)
        emit(sol.as_dict(), args.json)
        return 0
    from ..continuation import Event, follow

    if args.to is None:
        raise ReplicaInputError("--along needs --to (the end value)")
    br = follow(m, params, args.along, args.to, mode=args.mode,
                events=[Event(e) for e in args.event], max_steps=args.max_steps)
    rows = [{**p.params, **p.order, **{k: v for k, v in p.thermo.items()
                                       if isinstance(v, (int, float))}} for p in br.points]
    out = br.summary()
    out["points"] = rows
    if args.json:
        emit(out, True)
    else:
        emit(rows, False)
        for f in br.folds:
            print(f"fold at {args.along} = {f.value:.12g}")
        for e in br.events:
            print(f"event {e.name} at {args.along} = {e.value:.12g}")
        print(f"end: {br.end}")
    return 0 if br.points else 3
