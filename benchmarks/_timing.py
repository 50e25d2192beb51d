"""Timing helper shared by the benchmark scripts (not a benchmark itself)."""
from __future__ import annotations

import math
import time


def best(f, repeat=7, number=20):
    """The best time of one call of ``f()`` [s]: the minimum over ``repeat`` batches of the
    mean over ``number`` calls (the least disturbed by other load on the machine)."""
    out = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            f()
        out = min(out, (time.perf_counter() - t0) / number)
    return out
