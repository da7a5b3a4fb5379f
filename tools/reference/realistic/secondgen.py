# -*- coding: utf-8 -*-
"""
Second generation of the Tsai-Whitis track length (Rossi approximation B, complete screening):
positron-only direct convolution, against DPT Eq. A.3 (which carries a factor 2 for the electron
and the positron of each conversion).

  photons from the primary at depth t1 (per unit k)  [Tsai-Whitis; DPT Eq. 3.1]:
      gamma(k, t1) = (1/k) [(1 - x)^(b1 t1) - e^(-b2 t1)] / (b2 + b1 ln(1 - x)),   x = k/E,
  pair production per X0, positron with energy fraction u = E+/k  (Bethe-Heitler, Tsai approx. B):
      (1 - (4/3) u (1 - u)) du        (integrates to b2 = 7/9),
  that positron's own first-generation track  [DPT Eq. A.2]:
      E0 I1(E', E0, tau) = ln(E0/E')^(b1 tau - 1) / Gamma(b1 tau).
Hence, with y = u x (the positron's energy fraction of E) and the depth integrals done in closed form,
  f2_pos(v, T) = E int_0^T dt I2_pos
              = int_0^T dtau int_0^{ln(1/v)} dlam lam^(b1 tau - 1)/Gamma(b1 tau) S(v e^lam, T - tau),
  S(y, T'') = int_y^1 dx/x^2 P(y/x) Psi(x, T''),   P(u) = 1 - (4/3) u (1 - u),
  Psi(x, T'') = int_0^T'' dt1 [e^(p t1) - e^(-b2 t1)]/(p + b2) = (G(p) - G(-b2))/(p + b2),
  G(z) = (e^(z T'') - 1)/z,  p = b1 ln(1 - x).
The electron of the pair has the same distribution (P symmetric), so "both particles" = 2 f2_pos.
The photons come from the primary whatever its charge, so f2_pos is the same for an incident
electron (NA64: its only positrons) and an incident positron.
"""
import math

import numpy as np
from numpy.polynomial.legendre import leggauss
from scipy import integrate, special

B1, B2 = 4.0 / 3.0, 7.0 / 9.0


def G_of(z, T):
    return np.expm1(z * T) / z


def Psi(x, T):
    """(G(p) - G(-b2))/(p + b2), p = b1 ln(1-x); derivative form when p ~ -b2. Vectorised."""
    x = np.asarray(x, float)
    T = np.asarray(T, float)
    p = B1 * np.log1p(-x)
    d = p + B2
    Tb = np.broadcast_to(T, p.shape)
    out = np.empty(np.broadcast(p, Tb).shape)
    big = np.abs(d) > 1e-5
    out[big] = ((G_of(p, Tb) - G_of(-B2, Tb)) / d)[big]
    z = 0.5 * (p - B2)
    zT = z * Tb
    Gp = (np.exp(zT) * (zT - 1) + 1) / (z * z)             # G'(z) at the midpoint
    out[~big] = Gp[~big]
    return np.where(Tb > 0, out, 0.0)


def P_pair(u):
    return 1 - (4.0 / 3.0) * u * (1 - u)


_GL = {}


def gl(n):
    if n not in _GL:
        _GL[n] = leggauss(n)
    return _GL[n]


def S_src(y, T, nr=12):
    """S(y, T) = int_y^1 dx/x^2 P(y/x) Psi(x, T). Below x = 1/2 in ln x (the 1/x^2 growth for small
    y), above in r = -ln(1-x) (the 1/ln(1-x) end at x = 1 becomes an exponentially decaying
    tail). Vectorised over y (T broadcast)."""
    y = np.atleast_1d(np.asarray(y, float))
    T = np.broadcast_to(np.asarray(T, float), y.shape)
    x, w = gl(nr)
    tot = np.zeros_like(y)
    # part 1: x in [y, 1/2] (when y < 1/2), panels of width <= 0.5 in ln x
    lo = np.log(np.minimum(y, 0.5))
    hi = math.log(0.5)
    npan = int(np.max(np.ceil((hi - lo) / 0.5))) if np.any(lo < hi) else 0
    for j in range(npan):
        a = lo + (hi - lo) * j / npan
        b = lo + (hi - lo) * (j + 1) / npan
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        X = np.exp(c[:, None] + h[:, None] * x[None, :])
        f = P_pair(y[:, None] / X) * Psi(X, T[:, None]) / X          # dx/x^2 = d(ln x)/x
        tot += (f * w[None, :]).sum(1) * h
    # part 2: x in [max(y, 1/2), 1] in r = -ln(1-x)
    r0 = -np.log1p(-np.maximum(y, 0.5))
    edges = [0.0, 0.5, 1.5, 3.0, 5.0, 8.0, 12.0, 18.0, 26.0, 40.0]
    for a, b in zip(edges[:-1], edges[1:]):
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        R = r0[:, None] + c + h * x[None, :]
        X = -np.expm1(-R)
        f = np.exp(-R) / X ** 2 * P_pair(y[:, None] / X) * Psi(X, T[:, None])
        tot += (f * w[None, :]).sum(1) * h
    return tot


def f2_pos_A(v, T, ntau=12, nj=24, nlam=10):
    """positron-only second generation f2_pos(v, T), method A (vectorised over v): Gauss-Legendre
    in tau on panels; at each tau, lambda on [0, L/2] by Gauss-Jacobi with the weight
    lambda^(b1 tau - 1) and on [L/2, L] by Gauss-Legendre panels graded towards L
    (S -> 0 like (1-y)/ln^2(1-y) at y -> 1), L = ln(1/v)."""
    scalar = np.ndim(v) == 0
    v = np.atleast_1d(np.asarray(v, float))
    L = -np.log(v)
    tedges = [0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.5, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 20.0, 24.0, 28.0, 32.0, 36.0, 40.0]
    tedges = [t for t in tedges if t < T] + [T]
    xt, wt = gl(ntau)
    xl, wl = gl(nlam)
    # graded panels on [L/2, L], as fractions of L
    gr = np.array([0.5] + [1 - 0.5 * 4.0 ** -k for k in range(1, 14)] + [1.0])
    fr = np.concatenate([0.5 * (a + b) + 0.5 * (b - a) * xl for a, b in zip(gr[:-1], gr[1:])])
    fw = np.concatenate([0.5 * (b - a) * wl for a, b in zip(gr[:-1], gr[1:])])
    lam2 = L[:, None] * fr[None, :]
    w2 = L[:, None] * fw[None, :]
    tot = np.zeros_like(v)
    for a, b in zip(tedges[:-1], tedges[1:]):
        for xi, wi in zip(xt, wt):
            tau = 0.5 * (a + b) + 0.5 * (b - a) * xi
            al = B1 * tau
            xj, wj = special.roots_jacobi(nj, 0.0, al - 1.0)
            lam = 0.25 * L[:, None] * (1 + xj[None, :])
            Sv = S_src((v[:, None] * np.exp(lam)).ravel(), T - tau).reshape(lam.shape)
            part1 = (0.25 * L) ** al * (Sv * wj[None, :]).sum(1)
            S2 = S_src((v[:, None] * np.exp(lam2)).ravel(), T - tau).reshape(lam2.shape)
            part2 = (w2 * lam2 ** (al - 1) * S2).sum(1)
            tot += 0.5 * (b - a) * wi * (part1 + part2) * special.rgamma(al)
    return float(tot[0]) if scalar else tot


def f2_pos_B(v, T, rtol=1e-9):
    """Same quantity with scipy QUADPACK at every level: tau outer; lambda with the algebraic
    weight lambda^(b1 tau - 1) (QAWS); S(y) in the original variable x with the log end point
    left to QAGS's extrapolation."""
    L = -math.log(v)

    def S_B(y, Tr):
        if Tr <= 0:
            return 0.0
        f = lambda x: P_pair(y / x) * float(Psi(np.array([x]), Tr)[0]) / x ** 2
        return integrate.quad(f, y, 1.0, epsabs=0, epsrel=rtol * 0.1, limit=400)[0]

    def inner(tau):
        al = B1 * tau
        if al <= 0:
            return S_B(v, T)
        g = lambda lam: S_B(v * math.exp(lam), T - tau)
        r = integrate.quad(g, 0, L, weight="alg", wvar=(al - 1, 0), epsabs=0, epsrel=rtol * 0.1, limit=400)[0]
        return r * special.rgamma(al)
    pts = [p for p in (0.25, 1.0, 3.0, 8.0, 16.0) if p < T]
    return integrate.quad(inner, 0, T, points=pts or None, epsabs=0, epsrel=rtol, limit=200)[0]


def moment_closed(k, T):
    """int_0^1 v^k f2_pos(v, T) dv, from the Mellin factorisation:
       int_0^T dtau (k+1)^(-b1 tau) pi_k int_0^1 x^(k-1) Psi(x, T - tau) dx,   pi_k = int_0^1 u^k P(u) du.
       (moments of the first-generation kernel: int e^(-(k+1) lam) lam^(a-1)/Gamma(a) = (k+1)^(-a))"""
    pik = 1.0 / (k + 1) - (4.0 / 3.0) * (1.0 / (k + 2) - 1.0 / (k + 3))

    def xin(Tr):
        f = lambda r: math.exp(-r) * (-math.expm1(-r)) ** (k - 1) * float(Psi(np.array([-math.expm1(-r)]), Tr)[0])
        return integrate.quad(f, 0, np.inf, epsabs=0, epsrel=1e-12, limit=400)[0]
    g = lambda tau: (k + 1) ** (-B1 * tau) * xin(T - tau)
    return pik * integrate.quad(g, 0, T, epsabs=0, epsrel=1e-11, limit=200)[0]
