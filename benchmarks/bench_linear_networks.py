"""Seconds per deep-linear-network experiment and per core operation (not asserted anywhere).

    .venv/bin/python benchmarks/bench_linear_networks.py [--full]

Prints wall and CPU seconds for experiments (a) gd-step-size, (b) resnet, (c) relu (quick unless
--full) and for the dense vs Lanczos sharpness of a mid-sized network.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from replica.linear_nets import networks as ln
from replica.linear_nets.experiments import EXPERIMENTS


def _timed(label, fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:<40s} wall {time.perf_counter() - w0:8.2f} s   cpu {time.process_time() - c0:8.2f} s")
    return out


def main(argv):
    quick = "--full" not in argv
    for name, fn in EXPERIMENTS.items():
        _timed(f"experiment {name} ({'quick' if quick else 'full'})", lambda: fn(quick=quick))
    rng = np.random.default_rng(0)
    dims = [20, 30, 30, 30, 10]
    ws = [0.3 * rng.standard_normal((dims[i + 1], dims[i])) for i in range(4)]
    m = ln.Moments.from_data(rng.standard_normal((200, 20)), rng.standard_normal((200, 10)))
    P = sum(w.size for w in ws)
    d = _timed(f"sharpness dense (P={P})", lambda: ln.sharpness(ws, m, method="dense"))
    la = _timed(f"sharpness Lanczos (P={P})", lambda: ln.sharpness(ws, m, method="lanczos"))
    print(f"dense {d:.12g}  Lanczos {la:.12g}")


if __name__ == "__main__":
    main(sys.argv[1:])
