"""Reference values: flat minima of deep linear networks (Mulayoff & Michaeli, ICML 2020)."""
from __future__ import annotations

import math

from ..references import Reference


def _scalar_chain():
    from ...linear_nets.networks import min_sharpness
    return min_sharpness([[2.0]], 3)


def _scalar_chain_eta():
    from ...linear_nets.networks import eta_star
    return eta_star([[2.0]], 3)


def _nonwhite_min():
    from ...linear_nets.networks import min_sharpness
    return min_sharpness([[1.0, 0.0]], 2, [[1.0, 0.0], [0.0, 4.0]])


def _nonwhite_balanced():
    from ...linear_nets.networks import balanced_sharpness
    return balanced_sharpness([[1.0, 0.0]], 2, [[1.0, 0.0], [0.0, 4.0]])


def _whitened_diag():
    from ...linear_nets.networks import min_sharpness
    return min_sharpness([[3.0, 0.0], [0.0, 1.0]], 4)


def _whitened_diag_hessian():
    """Independent route: top eigenvalue of the dense Hessian (assembled from exact
    Hessian-vector products) at the balanced minimum."""
    from ...linear_nets.networks import Moments, balanced_minimum, sharpness
    T = [[3.0, 0.0], [0.0, 1.0]]
    return sharpness(balanced_minimum(T, 4), Moments.from_target(T), method="dense")


def _nonwhite_brute_force():
    """Independent route: all global minima of the N = 2, width-1 network are W_2 = c,
    W_1 = (1/c, 0); minimise the dense-Hessian top eigenvalue over c (golden section)."""
    import numpy as np
    from scipy.optimize import minimize_scalar

    from ...linear_nets.networks import Moments, sharpness
    m = Moments.from_target([[1.0, 0.0]], [[1.0, 0.0], [0.0, 4.0]])
    f = lambda c: sharpness([np.array([[1.0 / c, 0.0]]), np.array([[c]])], m, method="dense")
    return float(minimize_scalar(f, bounds=(0.3, 2.0), method="bounded",
                                 options={"xatol": 1e-10}).fun)


REFERENCES = [
    Reference(
        name="linear.min_sharpness.scalar_chain.N=3.T=2",
        value=3 * 2 ** (4 / 3), tol=1e-12,
        source="Mulayoff & Michaeli 2020 / closed form: N |T|^{2-2/N} with N = 3, T = 2 "
               "(scalar chain lambda = T^2 sum_i w_i^{-2}, minimised at w_i = T^{1/N})",
        model="deep linear network", params={"depth": 3, "target": [[2.0]], "input_cov": "I"},
        compute=_scalar_chain,
        description="minimum sharpness 3 * 2^(4/3) = 7.5595 over all global minima"),
    Reference(
        name="linear.eta_star.scalar_chain.N=3.T=2",
        value=2 / (3 * 2 ** (4 / 3)), tol=1e-12,
        source="closed form 2 / (N |T|^{2-2/N}), N = 3, T = 2 (GD linear stability)",
        model="deep linear network", params={"depth": 3, "target": [[2.0]]},
        compute=_scalar_chain_eta,
        description="GD step size above which no global minimum is stable: 0.26457"),
    Reference(
        name="linear.min_sharpness.whitened.N=4.T=diag(3,1)",
        value=4 * 3 ** 1.5, tol=1e-11,
        source="Mulayoff & Michaeli 2020 (whitened inputs): N sigma_1(T)^{2-2/N} = 4 * 3^{3/2}",
        model="deep linear network", params={"depth": 4, "target": [[3.0, 0.0], [0.0, 1.0]]},
        compute=_whitened_diag),
    Reference(
        name="linear.sharpness.balanced_minimum.N=4.T=diag(3,1)",
        value=4 * 3 ** 1.5, tol=1e-10,
        source="closed form sum_{i=1}^N s_a^{2(N-i)/N} s_b^{2(i-1)/N} at a = b = 1 (docs/THEORY.md §5), "
               "equal to the whitened minimum 4 * 3^{3/2}; recomputed from the dense Hessian",
        model="deep linear network", params={"depth": 4, "target": [[3.0, 0.0], [0.0, 1.0]]},
        compute=_whitened_diag_hessian),
    Reference(
        name="linear.min_sharpness.nonwhite_example.N=2",
        value=4 / math.sqrt(3), tol=1e-9,
        source="closed form N max_w |T S^{1/2} w|^{2-2/N} |S^{1/2} w|^{2/N} "
               "(docs/THEORY.md §5; Mulayoff & Michaeli 2020): 2 max_c c sqrt(4 - 3c^2) at c^2 = 2/3",
        model="deep linear network",
        params={"depth": 2, "target": [[1.0, 0.0]], "input_cov": [[1.0, 0.0], [0.0, 4.0]]},
        compute=_nonwhite_min,
        description="non-white inputs: the flattest minimum is not balanced"),
    Reference(
        name="linear.min_sharpness.nonwhite_example.N=2.brute_force",
        value=4 / math.sqrt(3), tol=1e-7,
        source="independent: direct minimisation of the dense-Hessian sharpness over the "
               "one-parameter family of all global minima (W_2 = c, W_1 = (1/c, 0)), bounded "
               "Brent to xatol 1e-10; the minimum is a kink where two eigenvalues cross "
               "(c^4 = 1/3), so the value error is <= slope x xatol ~ 1e-9",
        model="deep linear network",
        params={"depth": 2, "target": [[1.0, 0.0]], "input_cov": [[1.0, 0.0], [0.0, 4.0]]},
        compute=_nonwhite_brute_force),
    Reference(
        name="linear.balanced_sharpness.nonwhite_example.N=2",
        value=4.0, tol=1e-12,
        source="closed form: at W_1 = (1, 0), W_2 = 1 the Hessian is diag-block with top "
               "eigenvalue Sigma_22 = 4 (docs/THEORY.md §5 example)",
        model="deep linear network",
        params={"depth": 2, "target": [[1.0, 0.0]], "input_cov": [[1.0, 0.0], [0.0, 4.0]]},
        compute=_nonwhite_balanced),
]
