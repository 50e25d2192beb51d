"""Benchmark: one large-deviation free-entropy evaluation (replica.models.large_deviation).

Prints, for y = infinity (constrained and unconstrained reference) and finite y (y = 2, both
references; the y = 1 free-reference saddle point, which has a closed form, as the start):
* the time of one residual evaluation (the kernels plus, at finite y, the central differences
  of G_E that give the conjugates: one G_E per difference);
* the time of each kernel (G_E, G_S) once;
* the per-node primitives of each kernel (ln H, ln H with G, the ln 2cosh group; counted in
  plain Python with the JIT off, in a subprocess) and the ratio of the kernel's time to
  (those counts x the measured cost of one primitive): how far a kernel is from the cost of
  its integrand evaluations.

Run:  .venv/bin/python benchmarks/bench_large_deviation.py   (single core; ~1 min with the
node counts in plain Python)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from _timing import best as _best

from replica._numba import jit
from replica.gauss import G_s, cosh_terms_s, log_H_abs_s, log_H_G_s
from replica.models import large_deviation as ld
from replica.models import ld_kernels as k
from replica.models.gardner import gardner

ALPHA, D_INF, D_Y = 0.6, 0.05, 0.1

_COUNT = """
import json, sys
import numpy as np
from replica.models import ld_kernels as k
calls = {"lnH": 0, "lnH_G": 0, "G": 0, "cosh": 0}
f_lh, f_lg, f_g, f_ch = k.log_H_abs_s, k.log_H_G_s, k.G_s, k.cosh_terms_s
def c_lh(x):
    calls["lnH"] += 1
    return f_lh(x)
def c_lg(x):
    calls["lnH_G"] += 1
    return f_lg(x)
def c_g(x):
    calls["G"] += 1
    return f_g(x)
def c_ch(h):
    calls["cosh"] += 1
    return f_ch(h)
k.log_H_abs_s, k.log_H_G_s, k.G_s, k.cosh_terms_s = c_lh, c_lg, c_g, c_ch
a = json.loads(sys.argv[1])
args = [np.array(v) if isinstance(v, list) else v for v in a["args"]]
getattr(k, a["kernel"])(*args)
print(json.dumps(calls))
"""


def count_nodes(kernel, args):
    """Per-node primitive calls of one kernel evaluation, counted with the JIT off."""
    env = dict(os.environ, REPLICA_DISABLE_JIT="1")
    payload = json.dumps({"kernel": kernel, "args": [a.tolist() if isinstance(a, np.ndarray)
                                                     else a for a in args]})
    out = subprocess.run([sys.executable, "-c", _COUNT, payload], capture_output=True,
                         text=True, env=env, check=True).stdout
    return json.loads(out)


@jit
def _primitive_sum(xs, which):
    """Sum over xs of one per-node primitive (0: ln H, 1: ln H and G, 2: G, 3: the ln 2cosh
    group), so that its cost per call can be timed."""
    s = 0.0
    for x in xs:
        if which == 0:
            s += log_H_abs_s(x)
        elif which == 1:
            a, b = log_H_G_s(x)
            s += a + b
        elif which == 2:
            s += G_s(x)
        else:
            a, b, c, e = cosh_terms_s(x)
            s += a + b + c + e
    return s


def primitive_costs():
    xs = np.random.default_rng(0).normal(0.0, 3.0, 100_000)
    cost = {}
    for which, name in enumerate(("lnH", "lnH_G", "G", "cosh")):
        _primitive_sum(xs, which)
        cost[name] = _best(lambda: _primitive_sum(xs, which), repeat=5, number=5) / xs.size
    return cost


def kernel_calls():
    """(label, evaluation closure, [(kernel name, args)]) at the benchmark points."""
    quad = ld.DEFAULT_QUAD
    xg, wg, base = quad.rule()
    out = []
    for label, kr in (("y=inf constrained", 0.0), ("y=inf free", None)):
        sol = ld.local_entropy_inf(ALPHA, D_INF, 0.0, kr)
        prob = ld._problem(ALPHA, D_INF, 0.0, kr, quad)[0]
        th = sol.thermo
        p = 1.0 - 2.0 * D_INF
        if kr is None:
            ks = [("energetic_inf_free", [0.0, th["q1"], th["delta"], xg, wg, base]),
                  ("entropic_inf_free", [th["qh1"], th["eps"], th["ph"], xg, wg, base])]
        else:
            ks = [("energetic_inf", [kr, True, 0.0, p, th["chi"], th["b"], th["D2"], th["c2"],
                                     xg, wg, base]),
                  ("entropic_inf", [th["R"], th["tau"], th["qh1"], th["eps"], th["ph"], xg,
                                    wg, base])]
        out.append((label, (lambda prob=prob, u=sol.u: prob.evaluate(u)), ks))
    # finite y: from the y = 1 free-reference saddle point (Q = p^2 q, t = p q, q0 = q) to
    # y = 2, with the budget q1 - t^2/Q - (p-t)^2/(1-Q) shared equally by D^2 and C^2 (both
    # integrals of G_E active, as at a generic point)
    p = 1.0 - 2.0 * D_Y
    g = gardner("binary", ALPHA, 0.0)
    x0 = np.array([np.log(1 - p * p * g.q), p * g.q, g.q, np.arctanh(p)])
    th1 = ld.local_entropy_y(ALPHA, D_Y, 1.0, 0.0, None, x0=x0).thermo
    y = 2.0
    for label, kr in (("y=2 constrained", 0.0), ("y=2 free", None)):
        prob = ld._FiniteProblem(ALPHA, D_Y, 0.0, kr, y, quad)
        x = ld.unknowns_y(th1, y)
        Q, t, q0, q1, ph = prob.order(x)
        x[2] = t * t / Q + 0.5 * (q1 - t * t / Q - (p - t) ** 2 / (1 - Q))
        info = prob.evaluate(x)[1]
        Q, t, q0, q1, ph = prob.order(x)
        ks = [("energetic_finite", [Q, 0.0 if kr is None else kr, kr is not None, 0.0, y, t,
                                    p, q0, q1, xg, wg, base]),
              ("entropic_finite", [info["Qh"], info["th"], info["qh0"], info["qh1"], ph, y,
                                   xg, wg, base])]
        out.append((label, (lambda prob=prob, x=x: prob.evaluate(x)), ks))
    return out


def main():
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    cost = primitive_costs()
    print("per-node primitives [ns]: " + ", ".join(f"{n} {c * 1e9:.1f}" for n, c in cost.items())
          + "  (ln H: log_H_abs_s; ln H + G: log_H_G_s; G: G_s; ln 2cosh, sech^2, tanh, "
          "sigmoid: cosh_terms_s)")
    print(f"{'point':<18} {'evaluation [ms]':>15} {'kernel':<18} {'kernel [ms]':>11} "
          f"{'ln H':>9} {'ln H+G':>9} {'G':>9} {'cosh':>9} {'floor [ms]':>10} "
          f"{'time/floor':>10}")
    for label, evaluate, ks in kernel_calls():
        t_eval = _best(evaluate, repeat=3, number=1)
        first = True
        for name, args in ks:
            f = getattr(k, name)
            t_k = _best(lambda: f(*args), repeat=3, number=2)
            n = count_nodes(name, args)
            floor = sum(n[key] * cost[key] for key in n)
            ratio = f"{t_k / floor:10.1f}" if floor > 0 else f"{'-':>10}"
            print(f"{label if first else '':<18} "
                  f"{(f'{t_eval * 1e3:15.3f}') if first else '':>15} {name:<18} "
                  f"{t_k * 1e3:11.3f} {n['lnH']:9d} {n['lnH_G']:9d} {n['G']:9d} {n['cosh']:9d} "
                  f"{floor * 1e3:10.3f} {ratio}")
            first = False
    print("evaluation = one residual evaluation of the solver (y = inf: G_E and G_S once; "
          "finite y: G_S once and G_E at the central differences of the conjugates)")


if __name__ == "__main__":
    main()
