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

from scipy import integrate, optimize, special


def _best(f, repeat=7, number=20):
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            f()
        best = min(best, (time.perf_counter() - t) / number)
    return best


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


def main():
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import replica"], capture_output=True, check=True)
    import_replica = time.perf_counter() - t0
    code = ("import time; t=time.perf_counter(); from replica.models.gardner import gardner; "
            "gardner('binary', 0.5, 0.0); gardner('spherical', 1.0, 0.0); "
            "print(time.perf_counter()-t)")
    first = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
    second = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)

    import os

    from replica.models import gardner as gmod
    from replica.models.gardner import gardner

    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    print(f"python -c 'import replica'                : {import_replica:.3f} s (whole interpreter)")
    print(f"import + first binary & spherical solve    : {first:.2f} s, again in a new process: "
          f"{second:.2f} s (numba cache on disk: no recompilation)")
    print()
    print(f"{'model':<10} {'alpha':>6} {'kappa':>6} {'cold [ms]':>10} {'warm [ms]':>10} "
          f"{'quad ref [ms]':>14} {'ratio (quad/warm)':>18} {'|ds| vs quad':>13} "
          f"{'kernel evals':>13} {'evals x t_eval [ms]':>20}")
    for model, alpha, kappa in [("spherical", 1.0, 0.0), ("spherical", 1.9, 0.0),
                                ("spherical", 3.0, -0.5), ("binary", 0.5, 0.0),
                                ("binary", 0.8, 0.0), ("binary", 0.3, 0.5)]:
        sol = gardner(model, alpha, kappa)
        cold = _best(lambda: gardner(model, alpha, kappa), repeat=3, number=5)
        # warm: a continuation step, starting from the solution at a nearby alpha
        prev = gardner(model, alpha * 0.99, kappa).x
        warm = _best(lambda: gardner(model, alpha, kappa, x0=prev))
        ref = quad_spherical if model == "spherical" else quad_binary
        q_ref, s_ref = ref(alpha, kappa)
        t_ref = _best(lambda: ref(alpha, kappa), repeat=3, number=1)
        # what bounds the warm solve: integral evaluations x the cost of one of them
        kern, calls = gmod._energetic_kernel, [0]

        def counted(*a):
            calls[0] += 1
            return kern(*a)
        gmod._energetic_kernel = counted
        try:
            gmod._LAST_EN[0] = None
            gardner(model, alpha, kappa, x0=prev)
        finally:
            gmod._energetic_kernel = kern
        t_ev = _best(lambda: kern(1.0 - sol.x[0] * 1.001, kappa, gmod._XG, gmod._WG), number=50)
        print(f"{model:<10} {alpha:6.2f} {kappa:6.2f} {cold*1e3:10.3f} {warm*1e3:10.3f} "
              f"{t_ref*1e3:14.1f} {t_ref/warm:18.0f} {abs(s_ref - sol.entropy):13.1e} "
              f"{calls[0]:13d} {calls[0]*t_ev*1e3:20.3f}")


if __name__ == "__main__":
    main()
