"""``replica gmm {bayes,capacity,typical,max-margin,compare}``: Gaussian-mixture classification
(x = y v*/sqrt d + sqrt(Delta) z; Pittorino et al. 2021 §6) — see :mod:`replica.models.gmm`."""
from __future__ import annotations

from ._common import add_json_flag, emit, number


def register(sub) -> None:
    p = sub.add_parser("gmm", help="Gaussian-mixture classification: Bayes, typical, max margin")
    s = p.add_subparsers(dest="gmm_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    b = s.add_parser("bayes", help="Bayes-optimal test error")
    b.add_argument("--alpha", type=number, required=True, help="n/d >= 0")
    b.add_argument("--delta", type=number, required=True, help="noise variance Delta > 0")
    b.add_argument("--rho", type=number, default=0.5, help="P(y=+1) in (0,1) (default 0.5)")
    add_json_flag(b)
    b.set_defaults(func=run_bayes)

    c = s.add_parser("capacity", help="linear-separability threshold alpha_c(Delta)")
    c.add_argument("--delta", type=number, required=True, help="noise variance Delta > 0")
    c.add_argument("--kappa", type=number, default=0.0, help="margin (default 0)")
    add_json_flag(c)
    c.set_defaults(func=run_capacity)

    t = s.add_parser("typical", help="typical zero-error classifiers (RS saddle point q, R)")
    t.add_argument("--alpha", type=number, required=True, help="samples per dimension n/d >= 0")
    t.add_argument("--delta", type=number, required=True, help="noise variance Delta > 0")
    t.add_argument("--kappa", type=number, default=0.0, help="margin kappa")
    add_json_flag(t)
    t.set_defaults(func=run_typical)

    m = s.add_parser("max-margin", help="maximum margin and its overlap R")
    m.add_argument("--alpha", type=number, required=True, help="samples per dimension n/d >= 0")
    m.add_argument("--delta", type=number, required=True, help="noise variance Delta > 0")
    add_json_flag(m)
    m.set_defaults(func=run_max_margin)

    k = s.add_parser("compare", help="typical vs max-margin vs Bayes: R and test error")
    k.add_argument("--alpha", type=number, required=True, help="samples per dimension n/d >= 0")
    k.add_argument("--delta", type=number, required=True, help="noise variance Delta > 0")
    add_json_flag(k)
    k.set_defaults(func=run_compare)


def run_bayes(args):
    from ..models import gmm

    err = gmm.bayes_error(args.alpha, args.delta, args.rho)
    emit({"alpha": args.alpha, "delta": args.delta, "rho": args.rho, "error": err,
          "M": gmm.bayes_overlap(args.alpha, args.delta), "R": gmm.bayes_R(args.alpha, args.delta),
          "bias": gmm.bayes_bias(args.delta, args.rho)}, args.json)


def run_capacity(args):
    from ..models import gmm

    ac, R = gmm.alpha_c_at_margin(gmm._check_delta(args.delta), args.kappa)
    emit({"delta": args.delta, "kappa": args.kappa, "alpha_c": ac, "R": R,
          "error": float(gmm.generalization_error(R, args.delta)),
          "method": "max_R (1-R^2)/F((kappa-R)/sqrt(Delta)), q -> 1 limit of the RS volume"},
         args.json)


def run_typical(args):
    from ..models import gmm

    s = gmm.typical(args.alpha, args.delta, args.kappa)
    emit({"alpha": args.alpha, "delta": args.delta, "kappa": args.kappa, "q": s.q, "R": s.R,
          "entropy": s.entropy, "error": s.error, "residual": s.residual_norm}, args.json)


def run_max_margin(args):
    from ..models import gmm

    s = gmm.max_margin(args.alpha, args.delta)
    emit({"alpha": args.alpha, "delta": args.delta, "kappa_max": s.kappa_max, "R": s.R,
          "error": s.error}, args.json)


def run_compare(args):
    from ..models import gmm

    t = gmm.typical(args.alpha, args.delta)
    m = gmm.max_margin(args.alpha, args.delta)
    rows = [{"estimator": "typical", "R": t.R, "error": t.error},
            {"estimator": "max-margin", "R": m.R, "error": m.error},
            {"estimator": "bayes", "R": gmm.bayes_R(args.alpha, args.delta),
             "error": gmm.bayes_error(args.alpha, args.delta)}]
    emit(rows, args.json)
