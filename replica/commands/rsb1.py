"""``replica rsb1``: one-step RSB and m real clones of the perceptron family (docs/THEORY.md §8.1).

    replica rsb1 mclone   --model binary --alpha 0.78 --m 4 --q1 0.98 [--kappa 0] --json
    replica rsb1 ogp      --model sbp --m 2 3 4 5 [--kappa 1] --json
    replica rsb1 jamming  --kappa -1 -0.5 0 --json
    replica rsb1 spherical --alpha 9 --kappa -1 [--m 0.6] [--start 0.73 0.86 0.6] --json
    replica rsb1 sbp      --kappa 1 [--alpha 1.5] --json
    replica rsb1 frozen   --alpha 0.7 --q1 0.6 0.9 0.999 --json

``ogp`` reports alpha_OGP(m) = min over q1 of alpha_m(q1) (RS inside the clones) with the q1 where
it is reached, the minimum over the m asked for, and the m beyond which the estimate increases
(unphysical: a physical alpha_OGP(m) is non-increasing in m, arXiv:2607.27000 eq. 30).
``replica threshold ogp --model {binary,sbp} --m M`` gives one threshold (keys alpha, q1).
"""
from __future__ import annotations

from ..errors import ReplicaInputError
from ._common import add_json_flag, emit, number

MODELS = ("binary", "sbp", "spherical")


def _family(model):
    if model not in MODELS:
        raise ReplicaInputError(f"--model must be one of {', '.join(MODELS)}, got {model!r}")
    return ("binary", "symmetric") if model == "sbp" else (model, "margin")


def _kappa(args):
    return (1.0 if args.model == "sbp" else 0.0) if args.kappa is None else args.kappa


def register(sub) -> None:
    p = sub.add_parser("rsb1", help="one-step RSB: m clones at fixed overlap, overlap-gap "
                       "thresholds, spherical 1RSB and jamming line",
                       description=__doc__.split("\n\n")[0])
    s = p.add_subparsers(dest="rsb1_command", metavar="WHAT")
    s.required = True

    q = s.add_parser("mclone", help="phi_m(q1): entropy per clone of m clones at overlap q1")
    q.add_argument("--model", required=True, choices=MODELS,
                   help="binary (margin), sbp (symmetric window) or spherical")
    q.add_argument("--alpha", type=number, required=True, help="load P/N >= 0")
    q.add_argument("--m", type=number, required=True, help="number of clones (integer >= 2 "
                   "for binary weights)")
    q.add_argument("--q1", type=number, required=True, help="mutual overlap in (0, 1)")
    q.add_argument("--kappa", type=number, help="margin (default 0; sbp: window half-width, "
                   "default 1)")
    add_json_flag(q)
    q.set_defaults(func=run_mclone)

    o = s.add_parser("ogp", help="m-overlap-gap thresholds alpha_OGP(m) (RS in the clones)")
    o.add_argument("--model", required=True, choices=MODELS, help="binary, sbp or spherical")
    o.add_argument("--m", type=int, nargs="+", required=True, help="numbers of clones")
    o.add_argument("--kappa", type=number, help="margin (default 0; sbp default 1)")
    add_json_flag(o)
    o.set_defaults(func=run_ogp_table)

    j = s.add_parser("jamming", help="spherical SAT/UNSAT line: alpha_c^RS and alpha_c^1RSB")
    j.add_argument("--kappa", type=number, nargs="+", required=True, help="margins")
    add_json_flag(j)
    j.set_defaults(func=run_jamming)

    e = s.add_parser("spherical", help="equilibrium 1RSB of the spherical perceptron")
    e.add_argument("--alpha", type=number, required=True, help="load P/N > 0")
    e.add_argument("--kappa", type=number, required=True, help="margin (kappa < 0: beyond "
                   "the AT line)")
    e.add_argument("--m", type=number, help="fixed Parisi block m (default: the static m, "
                   "where the complexity vanishes, located along m from the --start m or 0.6)")
    e.add_argument("--start", type=number, nargs="+", metavar="X",
                   help="starting point q0 q1 [m] (default: near the AT bifurcation, m 0.6)")
    add_json_flag(e)
    e.set_defaults(func=run_spherical)

    f = s.add_parser("frozen", help="binary m -> 1 expansion: d phi~/d qh1 against q1 "
                     "(zeros at q1 = q0 and q1 -> 1)")
    f.add_argument("--alpha", type=number, required=True, help="load P/N > 0")
    f.add_argument("--kappa", type=number, default=0.0, help="margin (default 0)")
    f.add_argument("--q1", type=number, nargs="+", required=True,
                   help="block overlaps in [q0, 1)")
    add_json_flag(f)
    f.set_defaults(func=run_frozen)

    b = s.add_parser("sbp", help="symmetric binary perceptron: RS (q = 0) entropy, capacity")
    b.add_argument("--kappa", type=number, default=1.0, help="window half-width (default 1)")
    b.add_argument("--alpha", type=number, help="load for the entropy (default: none)")
    add_json_flag(b)
    b.set_defaults(func=run_sbp)


def run_mclone(args) -> int:
    from ..models.rsb1 import mclone_saddle

    w, c = _family(args.model)
    s = mclone_saddle(w, args.alpha, _kappa(args), args.m, args.q1, constraint=c)
    emit({"model": args.model, "alpha": args.alpha, "kappa": _kappa(args), **s.order,
          **{k: v for k, v in s.thermo.items()}}, args.json)
    return 0


def run_ogp(args) -> int:
    """``replica threshold ogp``: one alpha_OGP(m) (keys alpha, q1, m, kappa, q0, ...)."""
    from ..rsb1_thresholds import alpha_ogp

    if args.model == "spherical":
        raise ReplicaInputError("threshold ogp: --model must be binary or sbp")
    w, c = _family(args.model)
    m = 4 if getattr(args, "m", None) is None else args.m
    r = alpha_ogp(w, _kappa(args), m, constraint=c)
    emit({"model": args.model, **{k: v for k, v in r.items()
                                  if not k.startswith("grid")}}, args.json)
    return 0


def run_ogp_table(args) -> int:
    from ..rsb1_thresholds import alpha_ogp

    w, c = _family(args.model)
    ms = sorted(set(args.m))
    rows = []
    for m in ms:
        r = alpha_ogp(w, _kappa(args), m, constraint=c)
        rows.append({"m": m, "alpha_ogp": r["alpha"], "q1": r["q1"], "q0": r["q0"]})
    best = min(rows, key=lambda r: r["alpha_ogp"])
    for r in rows:
        r["physical"] = r["m"] <= best["m"]
    out = {"model": args.model, "kappa": _kappa(args), "thresholds": rows,
           "min_over_m": best["alpha_ogp"], "m_star": best["m"],
           "unphysical_m": [r["m"] for r in rows if not r["physical"]],
           "note": "RS in the clones: alpha_OGP(m) increasing beyond m_star is unphysical "
                   "(arXiv:2607.27000 eq. 30); min over m is the estimate"}
    if args.json:
        emit(out, True)
    else:
        emit({k: v for k, v in out.items() if k != "thresholds"}, False)
        emit(rows, False)
    return 0


def run_jamming(args) -> int:
    from ..rsb1_thresholds import alpha_c_1rsb
    from ..thresholds import at_alpha

    rows = []
    for k in args.kappa:
        r = alpha_c_1rsb(k)
        row = {"kappa": k, "alpha_c_rs": r["alpha_rs"], "alpha_c_1rsb": r["alpha"],
               "q0": r["q0"], "mu": r["mu"], "rs": r["rs"]}
        if k < 0:
            row["alpha_at"] = at_alpha(k).value
            row["below_at"] = r["below_at"]
            if r["below_at"]:
                row["note"] = ("alpha_c_1rsb < alpha_AT: a discontinuous transition within "
                               "1RSB (the 1RSB branch folds back below the AT line before "
                               "q1 -> 1); RS, locally stable there, is not the 1RSB "
                               "equilibrium; whether full RSB keeps it is open")
        rows.append(row)
    emit(rows, args.json)
    return 0


def run_spherical(args) -> int:
    from ..models.rsb1_spherical import rsb1_spherical
    from ..rsb1_thresholds import static_1rsb

    start = list(args.start or [])
    if len(start) not in (0, 2, 3):
        raise ReplicaInputError("--start takes q0 q1 [m]")
    x0 = start[:2] or None
    if args.m is not None:
        s = rsb1_spherical(args.alpha, args.kappa, m=args.m, x0=x0)
        emit({"alpha": args.alpha, "kappa": args.kappa, **s.order, **s.thermo}, args.json)
        return 0
    m0 = start[2] if len(start) == 3 else 0.6
    x = None if x0 is None else [x0[0], x0[1] - x0[0]]
    r = static_1rsb(args.alpha, args.kappa, m0=m0, x0=x)
    emit({"alpha": args.alpha, "kappa": args.kappa, **r}, args.json)
    return 0


def run_sbp(args) -> int:
    from ..models.rsb1 import sbp_capacity, sbp_rs_entropy

    out = {"kappa": args.kappa, "alpha_c": sbp_capacity(args.kappa), "q": 0.0}
    if args.alpha is not None:
        out["alpha"] = args.alpha
        out["entropy"] = sbp_rs_entropy(args.alpha, args.kappa)
    emit(out, args.json)
    return 0


def run_frozen(args) -> int:
    from ..models.rsb1 import frozen_m1_profile

    r = frozen_m1_profile(args.alpha, args.kappa, args.q1)
    rows = [{"q1": a, "qh1": b, "dphi_dqh1": c}
            for a, b, c in zip(r["q1"], r["qh1"], r["dphi_dqh1"])]
    out = {"alpha": args.alpha, "kappa": args.kappa, "q0": r["q0"], "qh0": r["qh0"],
           "profile": rows}
    if args.json:
        emit(out, True)
    else:
        emit({k: v for k, v in out.items() if k != "profile"}, False)
        emit(rows, False)
    return 0
