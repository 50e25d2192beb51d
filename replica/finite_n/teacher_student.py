r"""Exact enumeration of the binary teacher–student perceptron at finite N (ground truth for
:mod:`replica.models.teacher_student`).

An instance: a teacher w* drawn uniformly from {-1,+1}^N, P Gaussian patterns xi^mu (i.i.d.
N(0, 1) entries), labels y^mu = sign(w*.xi^mu); the labels are absorbed (xi^mu <- y^mu xi^mu), so
the version space is the set of w with every field w.xi^mu >= 0 (probability-zero ties aside), and
it always contains the teacher. For each requested P the enumeration
(:mod:`replica.finite_n.enumerate`, all 2^N vectors) gives

* ``count`` = |version space| (>= 1), so ``(1/N) ln count`` -> the RS free entropy phi(alpha)
  where phi > 0 (below alpha_IT) and 0 beyond;
* the Hamming-distance profile n(D) of the version space around the teacher, hence the exact
  generalisation error of the Gibbs student, eps_g = sum_D n(D) arccos(1 - 2D/N)/pi / count (the
  probability that a uniformly drawn consistent student and the teacher disagree on a new
  Gaussian pattern: arccos(r)/pi for overlap r), and the mean teacher overlap.

Patterns of smaller P are the first rows of the same instance. Instance i of a run with seed s
uses ``SeedSequence(s).spawn(instances)[i]`` (teacher and patterns from its two children).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ReplicaInputError
from .enumerate import N_MAX, distance_profile, enumerate_instance, instance_seeds, n_patterns

__all__ = ["planted_instance", "TeacherStudentRun", "enumerate_teacher_student"]


def planted_instance(n: int, p: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """(patterns with labels absorbed, shape (p, n); the teacher, int8 ±1) of one instance."""
    ss_t, ss_x = np.random.SeedSequence(seed).spawn(2) if not isinstance(
        seed, np.random.SeedSequence) else seed.spawn(2)
    teacher = (2 * np.random.default_rng(ss_t).integers(0, 2, size=n) - 1).astype(np.int8)
    xi = np.random.default_rng(ss_x).standard_normal((int(p), int(n)))
    y = np.sign(xi @ teacher.astype(float))
    y[y == 0] = 1.0
    return np.ascontiguousarray(xi * y[:, None]), teacher


@dataclass(frozen=True)
class TeacherStudentRun:
    """Per-instance results of :func:`enumerate_teacher_student`: arrays [instance, alpha]."""

    n: int
    alphas: np.ndarray          # P/N actually used
    counts: np.ndarray
    eps_g: np.ndarray
    overlap: np.ndarray         # mean teacher overlap r over the version space

    def summary(self) -> list[dict]:
        """Per alpha: quenched entropy (1/N) mean ln count, Gibbs eps_g and r, with standard
        errors over the instances."""
        out = []
        k = self.counts.shape[0]
        for j, a in enumerate(self.alphas):
            s = np.log(self.counts[:, j].astype(float)) / self.n
            row = {"n": self.n, "alpha": float(a), "instances": int(k)}
            for key, v in (("entropy", s), ("eps_g", self.eps_g[:, j]),
                           ("r", self.overlap[:, j])):
                row[key] = float(np.mean(v))
                row[key + "_se"] = float(np.std(v, ddof=1) / math.sqrt(k)) if k > 1 else math.nan
            out.append(row)
        return out


def enumerate_teacher_student(n: int, alphas, *, instances: int = 20,
                              seed: int = 0) -> TeacherStudentRun:
    """Exact version-space counts and Gibbs generalisation errors for ``instances`` planted
    instances of size ``n`` (<= 25) at each alpha (P = round(alpha N))."""
    n = int(n)
    if n < 2 or n > N_MAX:
        raise ReplicaInputError(f"N must be in [2, {N_MAX}] for exact enumeration, got {n}")
    ps = np.array([n_patterns(n, a) for a in np.atleast_1d(alphas)], dtype=np.int64)
    D = np.arange(n + 1)
    theta = np.arccos(np.clip(1.0 - 2.0 * D / n, -1.0, 1.0)) / math.pi
    counts = np.zeros((instances, ps.size), dtype=np.int64)
    eps = np.zeros((instances, ps.size))
    ov = np.zeros((instances, ps.size))
    for i, ss in enumerate(instance_seeds(seed, instances)):
        xi, teacher = planted_instance(n, int(ps.max()), ss)
        res = enumerate_instance(xi, ps, (0.0,), profiles=False)
        for j, p in enumerate(ps):
            c = int(res.counts[int(np.searchsorted(res.ps, p)), 0])
            prof = distance_profile(xi, int(p), teacher, 0.0)
            if prof.sum() != c or prof[0] != 1:
                raise RuntimeError(f"teacher-student enumeration: inconsistent profile at N={n}, "
                                   f"P={p} (sum {prof.sum()} vs count {c}, teacher {prof[0]})")
            counts[i, j] = c
            eps[i, j] = float(prof @ theta) / c
            ov[i, j] = float(prof @ (1.0 - 2.0 * D / n)) / c
    return TeacherStudentRun(n=n, alphas=ps / n, counts=counts, eps_g=eps, overlap=ov)
