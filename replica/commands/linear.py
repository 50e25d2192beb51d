"""``replica linear ...``: flat minima of deep linear networks (Mulayoff & Michaeli 2020).

    replica linear min-sharpness --depth 3 --target "[[2]]" [--input-cov "[[1]]"] [--json]
    replica linear experiment {gd-step-size,resnet,relu} [--quick] [--json] [--out DIR]

Matrices are JSON arrays (a flat list is one row). ``min-sharpness`` prints the minimum
sharpness over all global minima (key ``min_sharpness``), the GD threshold ``eta_star`` and the
sharpness of the balanced minimum.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import ReplicaInputError
from ._common import add_json_flag, check_out_dir, emit, integer, to_jsonable


def _matrix(name: str, text: str):
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        raise ReplicaInputError(f"{name} must be a JSON array such as [[1,0]], got {text!r}") from None
    def numbers_only(v):
        if isinstance(v, list):
            return all(numbers_only(x) for x in v)
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not isinstance(value, (list, int, float)) or not numbers_only(value):
        raise ReplicaInputError(f"{name} must be a JSON array of numbers (no strings, booleans "
                                f"or null), got {text[:60]!r}")
    return value


def register(subparsers) -> None:
    p = subparsers.add_parser("linear", help="flat minima of deep linear networks",
                              description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="linear_command", metavar="SUBCOMMAND")

    q = sub.add_parser("min-sharpness", help="minimum sharpness over all global minima")
    q.add_argument("--depth", type=integer, required=True, help="number of layers N, 1..100000")
    q.add_argument("--target", required=True, help='target matrix T as JSON, e.g. "[[1,0]]"')
    q.add_argument("--input-cov", default=None,
                   help='input covariance Sigma_x as JSON (default identity), e.g. "[[1,0],[0,4]]"')
    add_json_flag(q)
    q.set_defaults(func=run_min_sharpness)

    e = sub.add_parser("experiment", help="seeded experiments (a) gd-step-size (b) resnet (c) relu")
    e.add_argument("name", choices=["gd-step-size", "resnet", "relu"],
                   help="which experiment: gd-step-size, resnet or relu")
    e.add_argument("--quick", action="store_true", help="reduced size (seconds)")
    e.add_argument("--seed", type=integer, default=0, help="seed of the experiment")
    e.add_argument("--out", default=None, help="directory to write linear_<name>.json into")
    add_json_flag(e)
    e.set_defaults(func=run_experiment)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_min_sharpness(args) -> int:
    from ..linear_nets.networks import min_sharpness_details

    T = _matrix("--target", args.target)
    S = None if args.input_cov is None else _matrix("--input-cov", args.input_cov)
    info = min_sharpness_details(T, args.depth, S)
    out = info.as_dict()
    if info.value > 0:
        out["ratio_balanced_to_min"] = info.balanced / info.value
    else:   # zero target: every minimum is flat, no step size is unstable
        out.pop("eta_star", None)
        out["note"] = ("min_sharpness = 0 (zero target): eta_star = 2/min_sharpness is "
                       "unbounded, every GD step size is stable")
    if args.json:
        emit(out, True)
    else:
        emit({k: v for k, v in out.items() if k != "direction"}, False)
    return 0


def _rows(name, res):
    """A flat table of the experiment's headline numbers."""
    if name == "gd-step-size":
        return res["rows"]
    if name == "resnet":
        return [{k: v for k, v in c.items() if k not in ("trajectory", "input_variances")}
                for c in res["cases"]]
    rows = []
    for b in res["inits"]:
        rows.append({"init_scale": b["init_scale"], "eta": "init", "final_loss": b["initial_loss"],
                     "sharpness": b["initial_sharpness"], **b["initial_summary"]})
        for r in b["runs"]:
            rows.append({"init_scale": b["init_scale"], "eta": r["eta"],
                         "final_loss": r["final_loss"], "sharpness": r["sharpness"],
                         **(r["summary"] or {})})
    return rows


def run_experiment(args) -> int:
    from ..linear_nets.experiments import EXPERIMENTS

    if args.out:   # refused before computing: a file in the way, an unwritable place
        check_out_dir("--out", args.out)
    res = EXPERIMENTS[args.name](quick=args.quick, seed=args.seed)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        with open(out / f"linear_{args.name.replace('-', '_')}.json", "w") as fh:
            json.dump(to_jsonable(res), fh, indent=1, allow_nan=False)
    if args.json:
        emit(res, True)
    else:
        if args.name == "gd-step-size":
            print(f"min_sharpness = {res['min_sharpness']:.10g}, eta_star = {res['eta_star']:.10g}")
        emit(_rows(args.name, res), False)
    return 0
