"""Independent high-precision path for the RS Gardner volume: mpmath quadrature (breakpoint at the
kink) + mpmath root finding, sharing no code with replica's numerics. Used by the tests and by
the reference registry's certification."""
import mpmath as mp


def _lnH(u):
    return mp.log(mp.erfc(u / mp.sqrt(2)) / 2)


def _G(u):
    return mp.npdf(u) / (mp.erfc(u / mp.sqrt(2)) / 2)


def _int_Dz(f, c=None):
    pts = [-mp.inf, c, mp.inf] if c is not None else [-mp.inf, 0, mp.inf]
    return mp.quad(lambda z: mp.npdf(z) * f(z), pts)


def E(q, kappa):
    q = mp.mpf(q)
    sq, sv = mp.sqrt(q), mp.sqrt(1 - q)
    return _int_Dz(lambda z: _lnH((kappa - sq * z) / sv), kappa / sq)


def I(q, kappa):
    q = mp.mpf(q)
    sq, sv = mp.sqrt(q), mp.sqrt(1 - q)
    return _int_Dz(lambda z: _G((kappa - sq * z) / sv) ** 2, kappa / sq)


def K(q, kappa):
    q = mp.mpf(q)
    sq, sv = mp.sqrt(q), mp.sqrt(1 - q)
    def f(z):
        u = (kappa - sq * z) / sv
        g = _G(u)
        return (g * (g - u)) ** 2
    return _int_Dz(f, kappa / sq)


def spherical(alpha, kappa, q0, dps=30):
    """(q, entropy, replicon) solving q/(1-q) = alpha I(q) from the starting guess q0."""
    with mp.workdps(dps):
        alpha, kappa = mp.mpf(alpha), mp.mpf(kappa)
        f = lambda q: q / (1 - q) - alpha * I(q, kappa)
        # a bracket around the starting guess: a wrong guess gives no sign change and an error
        d = mp.mpf(1e-6) * (1 - mp.mpf(q0))
        q = mp.findroot(f, (mp.mpf(q0) - d, mp.mpf(q0) + d), solver="anderson",
                        tol=mp.mpf(10) ** (-dps + 8))
        s = mp.log(1 - q) / 2 + q / (2 * (1 - q)) + alpha * E(q, kappa)
        return float(q), float(s), float(1 - alpha * K(q, kappa))


def binary(alpha, kappa, q0, qh0, dps=25):
    """(q, qh, entropy) of the Gardner–Derrida RS equations from a starting guess."""
    with mp.workdps(dps):
        alpha, kappa = mp.mpf(alpha), mp.mpf(kappa)
        def eqs(q, qh):
            t2 = _int_Dz(lambda z: mp.tanh(mp.sqrt(qh) * z) ** 2)
            return [q - t2, qh - alpha * I(q, kappa) / (1 - q)]
        q, qh = mp.findroot(eqs, (mp.mpf(q0), mp.mpf(qh0)), tol=mp.mpf(10) ** (-dps + 8))
        lc = _int_Dz(lambda z: mp.log(2 * mp.cosh(mp.sqrt(qh) * z)))
        s = -qh * (1 - q) / 2 + lc + alpha * E(q, kappa)
        return float(q), float(qh), float(s)
