# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A scan from a script: continuation, a resumable store, and loading the table back
#
# `replica.scan.scan` evaluates a model over a grid or along continuation paths. Every finished
# point is written at once to a SQLite file; rerunning the same scan resumes and recomputes
# nothing finished. This example scans the binary Gardner entropy along alpha for three margins
# (each margin is one continuation line: warm starts along alpha; the lines run in parallel when
# an executor with several workers is given), then locates the capacity from the stored table
# and compares it with the event found by bracketing.

# %%
import tempfile
from pathlib import Path

import numpy as np

from replica.scan import Grid, scan
from replica.store import load
from replica.models.gardner import capacity

workdir = Path(tempfile.mkdtemp())
store = workdir / "gardner_binary.sqlite"
grid = Grid({"kappa": [0.0, 0.2, 0.4], "alpha": np.linspace(0.05, 0.95, 19)}, along="alpha")
result = scan("gardner-binary", grid, store=store, executor="serial", quiet=True)
print(result.summary())

# %% [markdown]
# ## Resume: the second run finds everything stored and computes nothing

# %%
again = scan("gardner-binary", grid, store=store, executor="serial", quiet=True)
print(again.summary())
assert again.computed == 0 and again.already_done == grid.size

# %% [markdown]
# ## The table, in one call, as numpy columns (or a DataFrame with `as_frame=True`)
#
# Points past the RS spinodal (or with a negative binary entropy) are stored with their status
# and message — recorded, not hidden.

# %%
cols = load(store)
print(sorted(cols))
print("statuses:", dict(zip(*np.unique(cols["status"], return_counts=True))))

# %% [markdown]
# ## Capacity from the stored curve vs the bracketed event
#
# By default the Gardner point refuses a negative binary entropy (no solutions: kappa beyond
# kappa_max), so the stored curve stops at the last alpha below capacity, and the first failed
# point says why. Extrapolating the last two stored points to s = 0 estimates alpha_c to the
# grid's curvature error; the event `capacity("binary", kappa)` is refined by Brent's method.

# %%
for kappa in [0.0, 0.2, 0.4]:
    ok = (cols["kappa"] == kappa) & (cols["status"] == "ok")
    a, s = cols["alpha"][ok], cols["entropy"][ok]
    order = np.argsort(a)
    a, s = a[order], s[order]
    a0 = a[-1] - s[-1] * (a[-1] - a[-2]) / (s[-1] - s[-2])
    ac = capacity("binary", kappa)
    failed = (cols["kappa"] == kappa) & (cols["status"] == "failed")
    first = np.argmin(np.where(failed, cols["alpha"], np.inf))
    print(f"kappa = {kappa}: extrapolated zero {a0:.4f}; event alpha_c = {ac:.8f}; first failed "
          f"point alpha = {cols['alpha'][first]:.2f}: {str(cols['message'][first])[:70]}...")
    assert a[-1] < ac < cols["alpha"][first]
    assert abs(a0 - ac) < 1e-2
