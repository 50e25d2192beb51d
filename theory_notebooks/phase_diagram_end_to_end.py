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
# # A phase diagram end to end: the spherical perceptron with negative margins
#
# From the equations to the figure, with every line computed here: the capacity
# alpha_c(kappa) (the q -> 1 limit of the RS saddle point), the de Almeida–Thouless line where the
# RS replicon vanishes (an event refined by Brent's method), a scan over (alpha, kappa) stored in a
# resumable SQLite file, and a check that the replicon's sign on the scanned grid agrees with the
# AT line. `replica phase-diagram --model spherical` draws the same diagram at higher resolution.

# %%
import tempfile
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import numpy as np

from replica.models.gardner import capacity, capacity_from_saddle
from replica.plotting import new_figure, save
from replica.scan import Paths, scan
from replica.store import load
from replica.thresholds import at_alpha

workdir = Path(tempfile.mkdtemp())

# %% [markdown]
# ## 1. Capacity: closed form and saddle point

# %%
kappas = np.linspace(-1.2, 0.0, 7)
ac = np.array([capacity("spherical", k) for k in kappas])
ac_saddle = np.array([capacity_from_saddle(k, 1e-10) for k in kappas])
print(np.c_[kappas, ac, ac_saddle])
assert np.allclose(ac, ac_saddle, rtol=1e-8)

# %% [markdown]
# ## 2. The AT line: replicon = 0, refined by bracketing
#
# For kappa < 0 the replicon 1 - alpha int Dz [G(G-u)]^2 vanishes at alpha_AT(kappa) < alpha_c;
# at kappa = 0 the AT line meets capacity (alpha = 2).

# %%
k_at = kappas[kappas < 0]
a_at = np.array([at_alpha(k).value for k in k_at])
print(np.c_[k_at, a_at, ac[kappas < 0]])
assert np.all(a_at < ac[kappas < 0])

# %% [markdown]
# ## 3. A resumable scan along alpha at each kappa (continuation paths), stored in SQLite

# %%
paths = [[{"kappa": float(k), "alpha": float(f * a)} for f in np.linspace(0.05, 0.95, 10)]
         for k, a in zip(kappas, ac)]
store = workdir / "spherical_phase.sqlite"
res = scan("gardner-spherical", Paths(paths), store=store, executor="serial", quiet=True)
print(res.summary())
cols = load(store)
ok = cols["status"] == "ok"
print(f"{ok.sum()} converged points out of {len(ok)}")

# %% [markdown]
# ## 4. The replicon's sign on the grid agrees with the AT line

# %%
disagree = 0
for k, a, rep in zip(cols["kappa"][ok], cols["alpha"][ok], cols["replicon"][ok]):
    if k < 0:
        stable_by_line = a < np.interp(k, k_at, a_at)
        disagree += int(stable_by_line != (rep > 0))
    else:
        disagree += int(rep <= 0)
print("grid points whose replicon sign contradicts the AT line:", disagree)
assert disagree == 0

# %% [markdown]
# ## 5. The figure

# %%
fig, ax = new_figure(width=3.6, height=2.8)
ax.plot(ac, kappas, label=r"capacity $\alpha_c(\kappa)$")
ax.plot(a_at, k_at, ls="--", color="k", label="AT line (replicon = 0)")
sc = ax.scatter(cols["alpha"][ok], cols["kappa"][ok], c=cols["replicon"][ok] > 0, s=6,
                cmap="coolwarm_r", label="scanned points (blue: RS stable)")
ax.set(xlabel=r"$\alpha$", ylabel=r"$\kappa$", title="spherical perceptron, RS")
ax.legend(fontsize=6)
paths_out = save(fig, workdir, "spherical_phase_diagram")
print("written:", [str(p) for p in paths_out])
