"""Independent high-precision path for the teacher-student perceptron on the Nishimori line:
mpmath quadrature and root finding on the textbook form of the equations (Engel & Van den
Broeck eq. (2.42) for the spherical student; the state-evolution form for the binary one),
sharing no code with replica's numerics."""
import mpmath as mp


def _H(x):
    return mp.erfc(x / mp.sqrt(2)) / 2


def E(r):
    """int Dt H(-x t) ln H(-x t), x = sqrt(r/(1-r)) (breakpoints on the scale 1/x)."""
    r = mp.mpf(r)
    x = mp.sqrt(r / (1 - r))
    pts = [-mp.inf] + [k / x for k in (-8, -2, -0.5, 0, 0.5, 2, 8)] + [mp.inf]
    return mp.quad(lambda t: mp.npdf(t) * _H(-x * t) * mp.log(_H(-x * t)), pts)


def rh_of(alpha, r):
    """rh = (alpha/pi) int Dt exp(-r t^2/2)/H(sqrt(r) t) / sqrt(1 - r)."""
    r = mp.mpf(r)
    integ = mp.quad(lambda t: mp.npdf(t) * mp.exp(-r * t * t / 2) / _H(mp.sqrt(r) * t),
                    [-mp.inf, 0, mp.inf])
    return alpha / mp.pi * integ / mp.sqrt(1 - r)


def spherical(alpha, r0):
    """(r, phi) solving r/(1-r) = rh(r); phi = ln(1-r)/2 + r/2 + 2 alpha E(r)."""
    # in u = ln(1 - r), so that the secant steps stay in r < 1
    u = mp.findroot(lambda u: mp.log1p(rh_of(alpha, 1 - mp.exp(u))) + u, mp.log(1 - mp.mpf(r0)))
    r = 1 - mp.exp(u)
    return r, mp.log(1 - r) / 2 + r / 2 + 2 * alpha * E(r)


def binary(alpha, r0):
    """(r, phi) solving r = int Dz tanh(sqrt(rh) z + rh);
    phi = -rh (1 + r)/2 + int Dz ln 2cosh(sqrt(rh) z + rh) + 2 alpha E(r)."""
    def tanh_avg(rh):
        s = mp.sqrt(rh)
        return mp.quad(lambda z: mp.npdf(z) * mp.tanh(s * z + rh), [-mp.inf, -s, 0, mp.inf])

    u = mp.findroot(lambda u: mp.log(1 - tanh_avg(rh_of(alpha, 1 - mp.exp(u)))) - u,
                    mp.log(1 - mp.mpf(r0)))
    r = 1 - mp.exp(u)
    rh = rh_of(alpha, r)
    s = mp.sqrt(rh)
    lc = mp.quad(lambda z: mp.npdf(z) * mp.log(2 * mp.cosh(s * z + rh)), [-mp.inf, -s, 0, mp.inf])
    return r, -rh * (1 + r) / 2 + lc + 2 * alpha * E(r)
