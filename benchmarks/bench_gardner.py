"""Benchmark: RS Gardner solves (both models), warm, against a plain scipy.integrate.quad
reference implementation of the same equations at the same accuracy; import and JIT-cache costs.

Run:  .venv/bin/python benchmarks/bench_gardner.py
Prints a table; nothing is asserted (speed is measured here, never in tests).
"""
from __future__ import annotations

import math
import subprocess
import sys
import time

from _timing import best as _best
from scipy import integrate, optimize, special


# --- plain reference: the same saddle-point equations with scipy.integrate.quad ---------------

def _lnH(u):
    return special.log_ndtr(-u)


def _G(u):
    return math.exp(-0.5 * u * u - special.log_ndtr(-u)) / math.sqrt(2 * math.pi)


def _quad_Dz(f, c):
    g = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * f(z)
    a, _ = integrate.quad(g, -12, c, epsabs=1e-13, epsrel=1e-12, limit=200)
    b, _ = integrate.quad(g, c, 12, epsabs=1e-13, epsrel=1e-12, limit=200)
    return a + b


def quad_spherical(alpha, kappa):
    def J(q):
        sq, sv = math.sqrt(q), math.sqrt(1 - q)
        return (1 - q) * _quad_Dz(lambda z: _G((kappa - sq * z) / sv) ** 2, kappa / sq)
    q = optimize.brentq(lambda q: alpha * J(q) - q, 1e-6, 1 - 1e-9, xtol=1e-14)
    sq, sv = math.sqrt(q), math.sqrt(1 - q)
    E = _quad_Dz(lambda z: _lnH((kappa - sq * z) / sv), kappa / sq)
    return q, 0.5 * math.log(1 - q) + q / (2 * (1 - q)) + alpha * E


def quad_binary(alpha, kappa):
    def J(q):
        sq, sv = math.sqrt(q), math.sqrt(1 - q)
        return (1 - q) * _quad_Dz(lambda z: _G((kappa - sq * z) / sv) ** 2, kappa / sq)
    def g(q):
        qh = alpha * J(q) / (1 - q) ** 2
        return _quad_Dz(lambda z: math.tanh(math.sqrt(qh) * z) ** 2, 0.0) - q
    q = optimize.brentq(g, 1e-6, 0.999, xtol=1e-14)
    qh = alpha * J(q) / (1 - q) ** 2
    sq, sv = math.sqrt(q), math.sqrt(1 - q)
    E = _quad_Dz(lambda z: _lnH((kappa - sq * z) / sv), kappa / sq)
    lc = _quad_Dz(lambda z: abs(math.sqrt(qh) * z) + math.log1p(math.exp(-2 * abs(math.sqrt(qh) * z))), 0.0)
    return q, -qh * (1 - q) / 2 + lc + alpha * E


_FIRST_CALL = ("import time; t = time.perf_counter(); from replica.models.gardner import gardner; "
               "gardner('binary', alpha=0.5); print(time.perf_counter() - t)")
_FLOOR_MODULE = ("import numba, numpy as np\n\n\n@numba.njit(cache=True)\ndef f(x):\n"
                 "    return np.empty(2).sum() * 0.0 + x\n")
_NUMBA_FLOOR = ("import time; t = time.perf_counter(); import floor_kernel; floor_kernel.f(1.0); "
                "print(time.perf_counter() - t)")


def _fresh_process(code, env=None, cwd=None):
    """(in-process seconds, wall seconds, CPU seconds) of ``python -c code`` in a new process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=cwd, check=True).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(out.split()[-1]), wall, cpu


def first_call():
    """First call in a fresh process: cold JIT cache (a private empty NUMBA_CACHE_DIR: every
    kernel compiled) and warm cache (the same directory again: import + cache load), next to the
    floor set by numba itself (import numba + load one trivial cached kernel, which initialises
    numba's CPU target)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as floor_dir:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold = _fresh_process(_FIRST_CALL, env)
        warm = min((_fresh_process(_FIRST_CALL, env) for _ in range(3)), key=lambda r: r[2])
        with open(os.path.join(floor_dir, "floor_kernel.py"), "w") as fh:
            fh.write(_FLOOR_MODULE)
        fenv = dict(os.environ, NUMBA_CACHE_DIR=floor_dir, PYTHONPATH=floor_dir)
        _fresh_process(_NUMBA_FLOOR, fenv, cwd=floor_dir)
        floor = min((_fresh_process(_NUMBA_FLOOR, fenv, cwd=floor_dir) for _ in range(3)),
                    key=lambda r: r[2])
    print("first call in a fresh process: python -c \"from replica.models.gardner import gardner; "
          "gardner('binary', alpha=0.5)\"  (target < 1 s)")
    print(f"  {'':28} {'in-process [s]':>15} {'wall [s]':>9} {'CPU [s]':>8}")
    for name, r in (("cold JIT cache (compiles)", cold), ("warm JIT cache", warm),
                    ("numba floor (trivial kernel)", floor)):
        print(f"  {name:28} {r[0]:15.2f} {r[1]:9.2f} {r[2]:8.2f}")


def main():
    import os

    from replica.models import gardner as gmod
    from replica.models.gardner import gardner

    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    first_call()
    print()
    print("warm solve = gardner(model, alpha, kappa, x0=<solution at 0.99 alpha>); "
          "previous path = the scalar secant + Brent fallback (replica.solve), same kernels")
    print(f"{'model':<10} {'alpha':>6} {'kappa':>6} {'cold [ms]':>10} {'warm [ms]':>10} "
          f"{'prev [ms]':>10} {'quad ref [ms]':>14} {'quad/warm':>10} {'quad/prev':>10} "
          f"{'|ds| vs quad':>13} {'kernel evals':>13} {'evals x t_eval [ms]':>20}")
    ratios = {}
    for model, alpha, kappa in [("spherical", 1.0, 0.0), ("spherical", 1.9, 0.0),
                                ("spherical", 3.0, -0.5), ("binary", 0.5, 0.0),
                                ("binary", 0.8, 0.0), ("binary", 0.3, 0.5)]:
        sol = gardner(model, alpha, kappa)
        cold = _best(lambda: gardner(model, alpha, kappa), repeat=3, number=5)
        # warm: a continuation step, starting from the solution at a nearby alpha
        prev = gardner(model, alpha * 0.99, kappa).x
        warm = _best(lambda: gardner(model, alpha, kappa, x0=prev))
        fast = gmod._fast_solve
        gmod._fast_solve = lambda *a, **k: None        # the previous path, for comparison
        try:
            t_prev = _best(lambda: gardner(model, alpha, kappa, x0=prev))
        finally:
            gmod._fast_solve = fast
        ref = quad_spherical if model == "spherical" else quad_binary
        q_ref, s_ref = ref(alpha, kappa)
        t_ref = _best(lambda: ref(alpha, kappa), repeat=3, number=1)
        # what bounds the warm solve: integral evaluations x the cost of one of them
        r = gmod._warm_newton(model == "binary", alpha, kappa, 1.0 - float(prev[0]), gmod._XG,
                              gmod._WG, 4e-15, 10)
        t_ev = _best(lambda: gmod._residual_pass(model == "binary", alpha, kappa, r[1],
                                                 gmod._XG, gmod._WG), number=50)
        ratios.setdefault(model, []).append(t_ref / warm)
        print(f"{model:<10} {alpha:6.2f} {kappa:6.2f} {cold*1e3:10.3f} {warm*1e3:10.3f} "
              f"{t_prev*1e3:10.3f} {t_ref*1e3:14.1f} {t_ref/warm:10.0f} {t_ref/t_prev:10.0f} "
              f"{abs(s_ref - sol.entropy):13.1e} {r[2]:13d} {r[2]*t_ev*1e3:20.3f}")
    print("warm solve / quad reference (target >= 100): " + ", ".join(
        f"{m} min x{min(v):.0f} median x{sorted(v)[len(v) // 2]:.0f}" for m, v in ratios.items()))


if __name__ == "__main__":
    main()
