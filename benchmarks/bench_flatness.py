"""Wall-clock seconds of each flatness experiment and of the full set of this issue's figures.

Times (after a warm-up that loads the numba caches): the replica local-energy curve (25 sigmas,
typical and max-margin references), the GMM saddle points along alpha, one training run per
algorithm and model, and each gallery figure built from scratch (no data cache) in full mode
(target: all four figures in under 10 minutes on 2 cores) or, with --quick, in quick mode.

Usage: .venv/bin/python benchmarks/bench_flatness.py [--quick] [--skip-figures]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def _t(label, fn, rows):
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    rows.append((label, dt))
    print(f"{label:<55s} {dt:8.2f} s", flush=True)
    return dt


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="figures in quick mode")
    ap.add_argument("--skip-figures", action="store_true")
    args = ap.parse_args(argv)

    from replica.flatness import experiments as ex
    from replica.flatness.local_energy import local_energy_replica
    from replica.models import gmm

    rows = []
    local_energy_replica("spherical", 1.0, 0.0, [0.1])  # warm-up (numba caches)
    sig = np.geomspace(0.01, 2, 25)
    _t("local energy, spherical typical kappa=0 (25 sigmas)",
       lambda: local_energy_replica("spherical", 1.0, 0.0, sig), rows)
    _t("local energy, spherical max margin (25 sigmas)",
       lambda: local_energy_replica("spherical", 1.0, "max", sig), rows)
    _t("local energy, binary typical alpha=0.5 (25 sigmas)",
       lambda: local_energy_replica("binary", 0.5, 0.0, sig), rows)
    _t("GMM typical + max margin, 40 alphas (Delta=1)",
       lambda: [(gmm.typical(a, 1.0), gmm.max_margin(a, 1.0)) for a in np.linspace(0.1, 3.5, 40)],
       rows)
    for model, N, alpha in (("perceptron", 99, 2.0), ("committee", 99, 2.0), ("mlp", 50, 4.0)):
        for alg in ("sgd", "esgd", "rsgd"):
            _t(f"train {alg} {model} N={N} alpha={alpha} 150 epochs + dE",
               lambda: ex.train_one(model, alg, N=N, alpha=alpha, epochs=150, stop_at_zero=False,
                                    sigmas=(0.1, 0.3), noise_samples=200), rows)
    if not args.skip_figures:
        from replica.gallery.flatness import FIGURES

        total = 0.0
        with tempfile.TemporaryDirectory() as tmp:
            for fig in FIGURES:
                total += _t(f"figure {fig.name} ({'quick' if args.quick else 'full'})",
                            lambda: fig.build(Path(tmp) / "out", args.quick, Path(tmp) / "data"),
                            rows)
        print(f"{'all flatness figures':<55s} {total:8.2f} s "
              f"({'quick' if args.quick else 'full'}; target < 600 s full)")


if __name__ == "__main__":
    main()
