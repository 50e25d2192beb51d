"""Cost of the exact K-dimensional energetic term of the tree committee machine versus K: CPU
time per evaluation of (G_E, J, Kc) with the tensor rule over multisets (1 - q >= V_SWITCH) and
the nested rule over ordered fields (closer to q = 1), and the number of nodes. Nothing is
asserted; prints a table (docs/THEORY.md §8.4 quotes it).

    python benchmarks/bench_committee.py [--kmax 7]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from replica.models import committee as C
from replica.models.committee_kernels import energetic_kernel


def cpu_time(f, repeat=1):
    f()                                     # compile / warm the caches
    t = time.process_time()
    for _ in range(repeat):
        f()
    return (time.process_time() - t) / repeat


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kmax", type=int, default=7, help="largest odd K (default 7)")
    args = ap.parse_args(argv)
    print(f"{'K':>3} {'rule':>8} {'1-q':>6} {'nodes/points':>14} {'CPU s/eval':>11}")
    for k in range(1, args.kmax + 1, 2):
        rule = C.CommitteeRule.default(k)
        q = 0.5
        z, w = (np.ascontiguousarray(a) for a in rule.points(q))
        n = z.size
        t = cpu_time(lambda: energetic_kernel(z, w, q, k, True))
        print(f"{k:>3} {'tensor':>8} {1 - q:>6.2f} {n:>5}/{math.comb(n + k - 1, k):>8} {t:>11.3g}",
              flush=True)
        if k > 1:
            qn = 0.9
            t = cpu_time(lambda: C._energetic_cached.__wrapped__(
                qn, k, *(lambda r: (r.nodes, r.base, r.L))(C.SortedRule.default(k)), True, True))
            print(f"{k:>3} {'nested':>8} {1 - qn:>6.2f} {'':>14} {t:>11.3g}", flush=True)


if __name__ == "__main__":
    main()
