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
# # Franz–Parisi local entropy in the teacher–student setting (binary weights, RS)
#
# Derivation of the free entropy solved by `replica.models.ts_fp` (model `ts-fp-binary`), with a
# numerical check of every step. Runs as a plain script (a few minutes of CPU at most) and as a
# notebook (jupytext percent format). Notation of `theory_notebooks/franz_parisi_derivation.py`
# (storage) and `theory_notebooks/teacher_student_derivation.py` (the teacher–student Gardner
# problem).
#
# ## 1. Definition
#
# A binary teacher $w^*$ labels $P=\alpha N$ Gaussian patterns, $y^\mu = \mathrm{sign}(w^*\cdot
# \xi^\mu/\sqrt N)$. A reference student $\tilde w$ is drawn uniformly from the students of
# margin $\kappa_{\rm ref}$ ($y^\mu\tilde w\cdot\xi^\mu/\sqrt N \ge \kappa_{\rm ref}$ for all
# $\mu$; $\kappa_{\rm ref}=0$: a typical, Gibbs, student of the version space; larger
# $\kappa_{\rm ref}$: flatter students, up to $\kappa_{\max}(\alpha)$ where their entropy vanishes).
# We count the students $w$ of margin $\kappa$ at overlap $p = 1-2d$ with it:
# $$ S(d) = \lim_N \frac1N \mathbb{E}_{w^*,\xi}\frac{1}{Z_{\rm ref}}\sum_{\tilde w}
#   \chi_{\kappa_{\rm ref}}(\tilde w)\,\ln \sum_w \chi_\kappa(w)\,\delta(w\cdot\tilde w - Np). $$
# Replicas as in the storage case: $n\to0$ reference replicas $\tilde w^a$, $s\to0$ constrained
# replicas $w^b$ attached to $\tilde w^1$. RS overlaps: $Q$ ($\tilde w^a\cdot\tilde w^{a'}$),
# $R$ ($\tilde w^a\cdot w^*$), $q$ ($w^b\cdot w^{b'}$), $p$ ($w^b\cdot\tilde w^1$, fixed),
# $t$ ($w^b\cdot\tilde w^{a\ne1}$), $r$ ($w^b\cdot w^*$), all divided by $N$. The reference
# block does not feel the constrained replicas: $(Q, R, \hat Q, \hat R)$ is the teacher–student
# Gardner saddle point at margin $\kappa_{\rm ref}$ (`teacher-student-binary-qr`).

# %%
import math
import time
import warnings

import numpy as np
from scipy import integrate, special

from replica.models import franz_parisi as fp
from replica.models import ts_fp
from replica.models.fp_kernels import energetic_terms
from replica.models.teacher_student import BINARY_QR
from replica.models.teacher_student import energetic as ts_energetic

T0 = time.time()
warnings.simplefilter("ignore", integrate.IntegrationWarning)
lnH = lambda x: special.log_ndtr(-x)
H = lambda x: special.ndtr(-x)
Dn = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)

# %% [markdown]
# ## 2. Energetic term: the fields, conditioned on the teacher
#
# For one pattern the teacher's field $z^*$, the reference fields $\tilde u_a$ and the
# constrained fields $u_b$ are jointly Gaussian with the overlaps as covariances.
# Representation with i.i.d. standard $z^*, z_0, \tilde y_a, z_1, y_b$:
# $$ \tilde u_a = Rz^* + \sqrt{Q-R^2}\,z_0 + \sqrt{1-Q}\,\tilde y_a,\qquad
#    u_b = rz^* + A z_0 + B\tilde y_1 + C z_1 + \sqrt{1-q}\,y_b, $$
# $A = (t - rR)/\sqrt{Q-R^2}$, $B = (p-t)/\sqrt{1-Q}$, $C^2 = q - r^2 - A^2 - B^2$. Check:

# %%
Q, R, q, t, p, r = 0.62, 0.55, 0.8, 0.5, 0.75, 0.52
A = (t - r * R) / math.sqrt(Q - R * R)
B = (p - t) / math.sqrt(1 - Q)
C = math.sqrt(q - r * r - A * A - B * B)
# columns: z*, z0, y~1, y~2, z1, y_b, y_b'; rows: teacher, u~1, u~2, u_b, u_b'
M = np.array([[1, 0, 0, 0, 0, 0, 0],
              [R, math.sqrt(Q - R * R), math.sqrt(1 - Q), 0, 0, 0, 0],
              [R, math.sqrt(Q - R * R), 0, math.sqrt(1 - Q), 0, 0, 0],
              [r, A, B, 0, C, math.sqrt(1 - q), 0],
              [r, A, B, 0, C, 0, math.sqrt(1 - q)]])
expected = np.array([[1, R, R, r, r], [R, 1, Q, p, p], [R, Q, 1, t, t], [r, p, t, 1, q],
                     [r, p, t, q, 1]])
assert np.allclose(M @ M.T, expected, atol=1e-14)
print("covariance of the representation == overlaps: True")

# %% [markdown]
# The labels are $\mathrm{sign}(z^*)$; flipping every Gaussian maps the $z^*<0$ half onto the
# $z^*>0$ half, so (gauge $y=+1$, factor 2)
# $$ G_E = 2\int_0^\infty Dz^*\ \Big[\int Dz_0\frac{1}{H(a)}\int_{\tilde y>a}D\tilde y\int Dz_1
#    \ln H\Big(\frac{\kappa - rz^* - Az_0 - B\tilde y - Cz_1}{\sqrt{1-q}}\Big)\Big],\quad
#    a = \frac{\kappa_{\rm ref} - Rz^* - \sqrt{Q-R^2}z_0}{\sqrt{1-Q}}. $$
# At fixed $z^*$ the bracket is the **storage** Franz–Parisi energetic term of the fields
# with the teacher's part removed and rescaled to unit variance: dividing the reference fields by
# $\sqrt{1-R^2}$ and the constrained ones by $\sqrt{1-r^2}$ gives the partial correlations
# $$ Q_s = \frac{Q-R^2}{1-R^2},\ q_s = \frac{q-r^2}{1-r^2},\
#    t_s = \frac{t-rR}{\sqrt{(1-r^2)(1-R^2)}},\ p_s = \frac{p-rR}{\sqrt{(1-r^2)(1-R^2)}},\
#    \kappa_{{\rm ref},s} = \frac{\kappa_{\rm ref}-Rz^*}{\sqrt{1-R^2}},\
#    \kappa_s = \frac{\kappa - rz^*}{\sqrt{1-r^2}}, $$
# so $G_E = 2\int_0^\infty Dz^*\,G_E^{\rm FP}(Q_s,\kappa_{{\rm ref},s},\kappa_s; q_s,t_s,p_s)$
# with the storage kernel `fp_kernels.energetic_terms`. Check the bracket at one $z^*$
# against the 3-variable integral by nested quadrature (independent of the kernel):

# %%
kr, k, zs = 0.1, 0.05, 0.8
Qs, qs = (Q - R * R) / (1 - R * R), (q - r * r) / (1 - r * r)
c = 1 / math.sqrt((1 - r * r) * (1 - R * R))
ts_, ps_ = (t - r * R) * c, (p - r * R) * c
krs, ks = (kr - R * zs) / math.sqrt(1 - R * R), (k - r * zs) / math.sqrt(1 - r * r)
xg, wg, base = fp.DEFAULT_QUAD.rule()
kernel = energetic_terms(Qs, krs, ks, 1 - qs, ts_, ps_, xg, wg, base)[0]
sq1 = math.sqrt(1 - q)


def tensor_rule(lo, hi, n=160):
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (hi - lo) * x + 0.5 * (hi + lo), 0.5 * (hi - lo) * w


# tensor-product Gauss-Legendre in (z0, y~, z1), the y~ range starting at the boundary a(z0)
z0, w0 = tensor_rule(-8.5, 8.5)
u, wu = tensor_rule(0.0, 1.0, 120)
z1, w1 = tensor_rule(-9.0, 9.0)
direct = 0.0
for zi, wi in zip(z0, w0):
    a = (kr - R * zs - math.sqrt(Q - R * R) * zi) / math.sqrt(1 - Q)
    y = a + 12.0 * u                           # y~ in [a, a + 12]
    Y, Z1 = np.meshgrid(y, z1, indexing="ij")
    inner = lnH((k - r * zs - A * zi - B * Y - C * Z1) / sq1)
    val = np.einsum("i,j,ij->", 12.0 * wu * np.exp(-y * y / 2) / math.sqrt(2 * math.pi),
                    w1 * np.exp(-z1 * z1 / 2) / math.sqrt(2 * math.pi), inner)
    direct += wi * Dn(zi) * val / H(a)
print(f"storage kernel at the conditioned overlaps {kernel:.10f}   nested quadrature {direct:.10f}")
assert abs(kernel - direct) < 1e-7

# %% [markdown]
# The integrand is smooth in $z^*$ (the margins move linearly): a 12-point Gauss–Legendre rule on
# three panels of $[0, 9]$ is converged to ~1e-13. At the typical point ($q=t=p=Q$, $r=R$,
# $\kappa=\kappa_{\rm ref}$) the conditioned problem is at its own typical point and
# $G_E^{\rm FP} = \int Dz_0 \ln H((\kappa_{{\rm ref},s} - \sqrt{Q_s}z_0)/\sqrt{1-Q_s})$, so that
# $G_E$ must be the teacher–student Gardner term $2\int Dt\,H(-Rt/\sqrt{Q-R^2})\ln
# H((\kappa_{\rm ref}-\sqrt Q t)/\sqrt{1-Q})$:

# %%
ref = ts_fp.ts_reference(1.0, 0.05)
en = ts_fp.energetic(ref, ref.kappa_ref, 1 - ref.Q, ref.Q, ref.Q, ref.R)
gd = ts_energetic(ref.Q, ref.R, kappa=ref.kappa_ref)
print(f"G_E(typical) {en['G_E']:.14f}   teacher-student Gardner {gd['G_E']:.14f}")
assert abs(en["G_E"] - gd["G_E"]) < 1e-12

# %% [markdown]
# ### Derivatives of $G_E$
# * $q, t, p$ enter only through $q_s, t_s, p_s$: chain rule on the storage derivatives,
#   $\partial_q = \partial_{q_s}/(1-r^2)$, $\partial_t = \partial_{t_s}/\sqrt{(1-r^2)(1-R^2)}$,
#   same for $p$.
# * $r$ is the covariance of $u_b$ with $z^*$. Price's theorem: $\partial_r G_E =
#   \mathbb E[\partial_{z^*}\partial_{u_b}F]$ with $F$ the (replicated) constraint; the label
#   $\mathrm{sign}(z^*)$ is a step, so $\partial_{z^*}$ puts the teacher's field on $z^* = 0$,
#   where the two labels contribute equally:
#   $$ \partial_r G_E = 2\varphi(0)\,\mathbb E[\partial_{u}(\cdot)\,|\,z^*=0]
#      = -\frac{2\varphi(0)}{\sqrt{1-r^2}}\,\partial_{\kappa_s}G^{\rm FP}_E\big|_{z^*=0}. $$
#   (For the Gardner problem this is the known $\partial_rG_E = \frac{2}{\sqrt{2\pi(1-q)}}\int
#   Ds\,G(\ldots)$.) The $\kappa_s$-derivative is a 4-point central difference of the storage
#   kernel (step 1e-3; the kernel does not expose $\langle G(x)\rangle$).
#
# Check against central differences of $G_E$ itself (which integrates over $z^*$):

# %%
ref = ts_fp.ts_reference(0.8, 0.1)
args = dict(kappa=0.05, omq=0.3, t=0.5, p=0.7, r=0.5)


def GE(**kw):
    a = dict(args)
    a.update(kw)
    return ts_fp.energetic(ref, a["kappa"], a["omq"], a["t"], a["p"], a["r"])


e0 = GE()
h = 1e-5
fd = {"dG_dq": (GE(omq=0.3 - h)["G_E"] - GE(omq=0.3 + h)["G_E"]) / (2 * h),
      "dG_dt": (GE(t=0.5 + h)["G_E"] - GE(t=0.5 - h)["G_E"]) / (2 * h),
      "dG_dp": (GE(p=0.7 + h)["G_E"] - GE(p=0.7 - h)["G_E"]) / (2 * h),
      "dG_dr": (GE(r=0.5 + h)["G_E"] - GE(r=0.5 - h)["G_E"]) / (2 * h)}
for key, v in fd.items():
    print(f"{key}: kernel {e0[key]: .10f}   finite difference {v: .10f}")
    assert abs(e0[key] - v) < 2e-8

# %% [markdown]
# ## 3. Entropic term
# Teacher gauge $w^*=+1$. The entropic part couples $\hat R\sum_a\tilde w_a + \hat r\sum_bw_b +
# \hat Q\sum_{a<a'}\tilde w_a\tilde w_{a'} + \hat t\sum_{a,b}\tilde w_aw_b + \hat p\sum_b\tilde
# w_1w_b + \hat q\sum_{b<b'}w_bw_{b'}$ ($\hat p$ in excess of $\hat t$). Hubbard–Stratonovich
# with $z_0$ on $\sqrt{\hat Q}\sum_a\tilde w_a + (\hat t/\sqrt{\hat Q})\sum_bw_b$ and $z_1$ on
# $\sqrt{\hat q - \hat t^2/\hat Q}\sum_bw_b$; summing $\tilde w_{a\ne1}$ gives
# $(2\cosh(\sqrt{\hat Q}z_0+\hat R))^{n-1}$, and at $n\to0$, order $s$, $\tilde w_1=\sigma$
# carries the weight $(1+\sigma T)/2$, $T = \tanh(\sqrt{\hat Q}z_0 + \hat R)$:
# $$ G_S = \int Dz_0\sum_{\sigma=\pm1}\frac{1+\sigma T}{2}\int Dz_1\ln2\cosh h_\sigma,\qquad
#    h_\sigma = \frac{\hat t}{\sqrt{\hat Q}}z_0 + \sqrt{\hat q-\hat t^2/\hat Q}\,z_1 + \hat r +
#    \sigma\hat p. $$
# The interaction terms: $-\frac{\hat q}2(1-q) - (p-t)\hat t - p\hat p - r\hat r$. The storage
# gauge ($\hat R = \hat r = 0$) folds the two $\sigma$ into the weight $1+\tanh(\sqrt{\hat Q}
# z_0)$. Moments ($\langle\cdot\rangle$ over $z_0$, $\sigma$, $z_1$; integrations by parts in
# $z_0$ and $z_1$): $1-q = \langle\mathrm{sech}^2h\rangle$, $t = \langle T\tanh h\rangle$,
# $p = \langle\sigma\tanh h\rangle$, $r = \langle\tanh h\rangle$. Check against finite
# differences of $G_S$, and the storage limit against `fp_kernels.binary_entropic_terms`:

# %%
ref = ts_fp.ts_reference(1.0, 0.0)
qh, th, ph, rh = 1.3, 1.1, 0.3, 0.9
es = ts_fp.entropic(ref, qh, th, ph, rh)


def GS(**kw):
    a = dict(qh=qh, th=th, ph=ph, rh=rh)
    a.update(kw)
    return ts_fp.entropic(ref, a["qh"], a["th"], a["ph"], a["rh"])["G_S"]


pp = 1 - 2 * es["d"]
checks = {"(1-q)/2 = dG_S/dqh": (es["one_minus_q"] / 2, (GS(qh=qh + h) - GS(qh=qh - h)) / (2 * h)),
          "p - t = dG_S/dth": (pp - es["t"], (GS(th=th + h) - GS(th=th - h)) / (2 * h)),
          "p = dG_S/dph": (pp, (GS(ph=ph + h) - GS(ph=ph - h)) / (2 * h)),
          "r = dG_S/drh": (es["r"], (GS(rh=rh + h) - GS(rh=rh - h)) / (2 * h))}
for key, (a, b) in checks.items():
    print(f"{key}: moment {a:.10f}   finite difference {b:.10f}")
    assert abs(a - b) < 1e-8

# %% [markdown]
# ## 4. Saddle point, the typical point, and the Nishimori symmetry
# Stationarity: $\hat q = -2\alpha\partial_qG_E$, $\hat t = -\alpha\partial_tG_E$,
# $\hat r = \alpha\partial_rG_E$; $q, t, r$ from the moments; $\hat p$ from $p = 1-2d$. The
# slope $dS/dd = -2(\alpha\partial_pG_E - \hat t - \hat p)$. At $d^* = (1-Q)/2$ with
# $\kappa=\kappa_{\rm ref}$: $q=t=p=Q$, $r=R$, $\hat q=\hat t=\hat Q$, $\hat r = \hat R$,
# $\hat p=0$ solve the equations exactly (the constrained replicas are further reference
# replicas), $S(d^*)$ is the entropy of the reference's problem and $dS/dd = 0$:

# %%
M_ = ts_fp.TS_FP_BINARY
for a, kr in ((1.0, 0.0), (0.5, 0.05)):
    p0, x0 = M_.typical_point(M_.validate({"alpha": a, "kappa_ref": kr, "d": 0.1}))
    th0 = M_.thermo(x0, p0)
    g = BINARY_QR.saddle({"alpha": a, "kappa": kr}).thermo["entropy"]
    print(f"alpha={a} kappa_ref={kr}: |residual| {th0['residual']:.1e}  S(d*) {th0['entropy']:.12f}"
          f"  reference entropy {g:.12f}  dS/dd {th0['dS_dd']:.1e}")
    assert th0["residual"] < 1e-10 and abs(th0["entropy"] - g) < 1e-10 and abs(th0["dS_dd"]) < 1e-9

# %% [markdown]
# **Nishimori symmetry.** At $\kappa_{\rm ref}=0$ the reference is a sample of the posterior
# (Bayes-optimal setting), statistically interchangeable with the teacher: around it
# ($\kappa = 0$) the overlaps with the other reference replicas and with the teacher coincide,
# $t = r$ and $\hat t = \hat r$, at **every** $d$ — an identity that the equations do not impose
# term by term. Solve at $d = 0.2 < d^*$ and check, with $S \le H_2(d)$:

# %%
par = M_.validate({"alpha": 1.0, "kappa_ref": 0.0, "kappa": 0.0, "d": 0.2})
s = M_.saddle(par, x0=M_.typical_point(par)[1])          # warm start: the typical point
o = s.order
print(f"t = {o['t']:.12f}  r = {o['r']:.12f}   th = {o['th']:.10f}  rh = {o['rh']:.10f}")
print(f"S(0.2) = {s.thermo['entropy']:.10f} <= H2(0.2) = {fp.h2(0.2):.10f}; "
      f"eps_g of the constrained students {s.thermo['eps_g']:.6f}")
assert abs(o["t"] - o["r"]) < 1e-9 and abs(o["th"] - o["rh"]) < 1e-8
assert s.thermo["entropy"] < fp.h2(0.2)

# %% [markdown]
# ## 5. Storage limit
# With $R = r = \hat R = \hat r = 0$ the teacher drops out: $Q_s = Q$, $\kappa_{{\rm ref},s} =
# \kappa_{\rm ref}$, ..., $2\int_0^\infty Dz^* = 1$, and $G_S$ is the storage entropic term.
# The free entropy as a function of the order parameters equals `franz_parisi.free_entropy`:

# %%
from replica.models.gardner import gardner  # noqa: E402

g = gardner("binary", 0.6, 0.2)
sref = ts_fp.TSReference(0.6, 0.2, g.q, 0.0, g.qh, 0.0, g.entropy, 0.5)
order = {"q": 0.72, "t": 0.55, "r": 0.0, "qh": 2.1, "th": 0.9, "ph": 0.4, "rh": 0.0}
mine = ts_fp.free_entropy(sref, 0.1, 0.15, order)["entropy"]
theirs = fp.free_entropy("binary", 0.6, 0.2, 0.1, 0.15,
                         {k: order[k] for k in ("q", "t", "qh", "th", "ph")})["entropy"]
print(f"teacher-student FP at R = r = 0: {mine:.14f}   storage FP: {theirs:.14f}")
assert abs(mine - theirs) < 1e-10
print(f"done in {time.time() - T0:.0f} s")
