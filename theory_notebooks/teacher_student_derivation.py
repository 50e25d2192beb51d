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
# # The teacher–student perceptron (Gibbs learning), replica symmetric
#
# This notebook derives the free entropy that `replica.models.teacher_student` solves
# (docs/THEORY.md §8.3) and checks each step numerically. Sources: Györgyi, PRA 41, 7097 (1990);
# Seung, Sompolinsky & Tishby, PRA 45, 6056 (1992); Engel & Van den Broeck (2001), ch. 2 and 7.
#
# ## 1. Setting
#
# A teacher $w^*$ (binary or spherical, $|w^*|^2 = N$) labels Gaussian patterns,
# $y^\mu = \mathrm{sign}(w^*\cdot\xi^\mu/\sqrt N)$. The version space is
# $V = \int d\mu(w)\prod_\mu \theta(y^\mu w\cdot\xi^\mu)$ and Gibbs learning draws a student
# uniformly from it. We want $\phi = \lim \frac1N\mathbb E\ln V$, the overlap
# $r = w\cdot w^*/N$ and $\epsilon_g = \arccos(r)/\pi$ (the probability that student and teacher
# disagree on a new pattern: the angle between them over $\pi$).
#
# ## 2. Replicas and the energetic term
#
# With $n$ replicas, the fields $u_0 = w^*\cdot\xi/\sqrt N$ and $\lambda_a = w^a\cdot\xi/\sqrt N$
# are jointly Gaussian: unit variances, $\langle u_0\lambda_a\rangle = r$,
# $\langle\lambda_a\lambda_b\rangle = q$. In RS write $\lambda_a = \sqrt q\,t + \sqrt{1-q}\,y_a$
# and $u_0 = (r/\sqrt q)\,t + \sqrt{1 - r^2/q}\,z_0$. For $u_0 > 0$ every student field must be
# positive: $\prod_a \theta(\lambda_a) \to H(-\sqrt q t/\sqrt{1-q})^n$, and
# $P(u_0 > 0\,|\,t) = H(-r t/\sqrt{q - r^2})$. The sign $u_0 < 0$ gives the same by $t \to -t$:
#
# $$ G_E(q, r) = 2\int Dt\, H\Big(-\frac{r t}{\sqrt{q-r^2}}\Big)\ln H\Big(-\sqrt{\frac{q}{1-q}}\,t\Big). $$
#
# Entropic terms: binary (gauge $w^* = +1$, conjugates $\hat q$, $\hat r$)
# $-\frac{\hat q}{2}(1-q) - r\hat r + \int Dz\ln 2\cosh(\sqrt{\hat q}z + \hat r)$; spherical
# $\frac12\ln(1-q) + \frac{q - r^2}{2(1-q)}$ (the order-$n$ term of $\frac12\ln\det$ of the
# overlap matrix with the teacher's row, relative to the sphere).

# %%
import math

from scipy import integrate, special

from replica import models, thresholds
from replica.models import teacher_student as ts

H = lambda x: 0.5 * special.erfc(x / math.sqrt(2))
lnH = lambda x: special.log_ndtr(-x)
phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def Dz(f, lo=-12.0, hi=12.0, points=None):
    return integrate.quad(lambda z: phi(z) * f(z), lo, hi, points=points, limit=400,
                          epsabs=1e-14, epsrel=1e-12)[0]


def G_E_quad(q, r):
    a, b = r / math.sqrt(q - r * r), math.sqrt(q / (1 - q))
    return 2 * Dz(lambda t: H(-a * t) * lnH(-b * t), points=[0.0])


for q, r in [(0.5, 0.4), (0.7, 0.7), (0.3, 0.1)]:
    print(f"q={q}, r={r}: G_E kernel {ts.energetic(q, r)['G_E']:.14f}, scipy {G_E_quad(q, r):.14f}")
    assert abs(ts.energetic(q, r)["G_E"] - G_E_quad(q, r)) < 1e-10

# %% [markdown]
# ## 3. Derivatives by Gaussian integration by parts
#
# $\partial_a H(-a t) = t\,\phi(a t)$ and $Dt\,\phi(a t) = Ds/\sqrt{2\pi(1+a^2)}$ with
# $s = \sqrt{1+a^2}\,t$; one more integration by parts in $s$ gives
#
# $$ \partial_r G_E = \frac{2}{\sqrt{2\pi(1-q)}}\int Ds\,G(\beta s),\qquad
#    \beta = \sqrt{\frac{q-r^2}{1-q}}, $$
#
# a smooth integral whatever $q \to 1$. The $q$-derivative has a part through $a$ (which is
# $-\frac{r}{2q}\partial_r G_E$) and one through $b$:
# $\partial_q G_E = -\frac{r}{2q}\partial_r G_E + \frac{1}{\sqrt q(1-q)^{3/2}}\int Dt\,t\,H(-at)G(-bt)$.
# On the Nishimori line $a = b$ and $H(-y)G(-y) = \phi(y)$ makes the last integral vanish (odd),
# so $-2\partial_q G_E = \partial_r G_E$: the conjugates coincide, $\hat q = \hat r$.
# Check both against finite differences:

# %%
h = 1e-6
for q, r in [(0.6, 0.5), (0.8, 0.3), (0.9, 0.9)]:
    e = ts.energetic(q, r)
    fq = (ts.energetic(q + h, r)["G_E"] - ts.energetic(q - h, r)["G_E"]) / (2 * h)
    fr = (ts.energetic(q, r + h)["G_E"] - ts.energetic(q, r - h)["G_E"]) / (2 * h)
    print(f"q={q}, r={r}: dG/dq {e['dG_dq']:.10f} (fd {fq:.10f}), dG/dr {e['dG_dr']:.10f} "
          f"(fd {fr:.10f})")
    assert abs(e["dG_dq"] - fq) < 1e-7 and abs(e["dG_dr"] - fr) < 1e-7
e = ts.energetic(0.9, 0.9)
assert abs(-2 * e["dG_dq"] - e["dG_dr"]) < 1e-12

# %% [markdown]
# ## 4. The Nishimori line
#
# The teacher is drawn from the student's prior, so the Gibbs measure is the Bayes posterior and
# a student is statistically equivalent to the teacher: $q = r$, $\hat q = \hat r$. With
# $x = \sqrt{r/(1-r)}$, $G_E = 2E(r)$, $E = \int Dt\,H(-xt)\ln H(-xt)$ and
# $\hat r = 4\alpha E'(r) = \alpha\sqrt{2/\pi}\,I(r)/\sqrt{1-r}$, $I(r) = \int Ds\,G(\sqrt r s)$.
# Binary: $r = \int Dz\tanh(\sqrt{\hat r}z + \hat r)$ (the Nishimori identity
# $\langle\tanh^2\rangle = \langle\tanh\rangle$ makes the $q$-equation the same one); spherical:
# $r/(1-r) = \hat r$. The (q, r) models solve both equations separately; started off the line
# they land on it:

# %%
for name, alpha in [("teacher-student-binary-qr", 1.0), ("teacher-student-spherical-qr", 2.0)]:
    ref = models.get(name.replace("-qr", "")).saddle({"alpha": alpha})
    r = ref.order["r"]
    s = models.get(name).saddle({"alpha": alpha}, x0=[math.log1p(-(r * r + 0.1)),
                                                     math.log1p(-(r - 0.1))])
    print(name, alpha, {k: round(v, 12) for k, v in s.order.items()})
    assert abs(s.order["q"] - s.order["r"]) < 1e-10 and abs(s.order["r"] - r) < 1e-10

# %% [markdown]
# ## 5. Small alpha
#
# Expanding $\ln H(-y) = -\ln 2 + G(0)y - G(0)^2y^2/2 + \dots$ ($G(0) = 2\phi(0)$):
# $G_E = -\ln 2 + \frac{2}{\pi}r - \frac{q}{\pi} + \dots$, so $\hat q = \hat r = 2\alpha/\pi$,
# $r = 2\alpha/\pi + O(\alpha^2)$, and the binary free entropy is
# $(1-\alpha)\ln 2 + O(\alpha^2)$ (the annealed count: each label halves the space).

# %%
for a in (1e-3, 1e-2):
    s = models.get("teacher-student-binary").saddle({"alpha": a})
    print(a, s.order["r"] / a, 2 / math.pi, (s.thermo["entropy"] - (1 - a) * math.log(2)) / a**2)

# %% [markdown]
# ## 6. Spherical student at large alpha: eps_g ~ 0.625/alpha
#
# As $r \to 1$, $E \approx \frac{1}{x}\phi(0)\int du\,H(-u)\ln H(-u) = -\frac{I(1)}{\sqrt{2\pi}}
# \sqrt{1-r}$, and $\phi \approx \frac12\ln(1-r) - 2\alpha\frac{I(1)}{\sqrt{2\pi}}\sqrt{1-r}$ is
# stationary at $\sqrt{1-r} = \sqrt{\pi/2}/(\alpha I(1))$. With $\arccos(1-\delta) \approx
# \sqrt{2\delta}$: $\epsilon_g \approx 1/(\sqrt\pi I(1)\alpha)$; the centre of mass has
# $\arccos\sqrt r \approx \sqrt{1-r}$, a factor $\sqrt2$ smaller.

# %%
I1 = Dz(lambda s: phi(s) / H(s), points=[0.0])
C = 1 / (math.sqrt(math.pi) * I1)
print("I(1) =", I1, " C_Gibbs =", C, " C_Bayes =", C / math.sqrt(2))
assert abs(C - ts.gibbs_large_alpha_constant()["eps_g"]) < 1e-10
for a in (10.0, 100.0, 1000.0):
    s = models.get("teacher-student-spherical").saddle({"alpha": a})
    print(f"alpha = {a:6g}: alpha eps_g = {a * s.thermo['eps_g']:.8f}, "
          f"alpha eps_Bayes = {a * s.thermo['eps_bayes']:.8f}")

# %% [markdown]
# ## 7. The binary first-order transition
#
# Following the branch from $\alpha = 0$ with the continuation engine: it turns at a fold (the
# spinodal, where iteration from $r = 0$ — AMP's state evolution — stops converging to $r < 1$)
# and its free entropy crosses the teacher state's $\phi = 0$ before that.

# %%
fold = thresholds.fold("teacher-student-binary", {"alpha": 0.5}, "alpha", to=1.7)
it = thresholds.event("teacher-student-binary", {"alpha": 0.5}, "alpha", "entropy", to=1.45)
print(f"alpha_AMP (fold) = {fold.value:.8f}, alpha_IT (phi = 0) = {it.value:.8f}")
print("eps_g just below alpha_IT:", it.details["state"]["eps_g"], "-> 0 above")
assert round(it.value, 3) == 1.245 and abs(fold.value - 1.4926) < 1e-4
