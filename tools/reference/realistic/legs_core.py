# -*- coding: utf-8 -*-
"""
Numerics of the "each leg as it happens" ISR treatment (docs/physics.md §9, Initial-state
radiation, *The two legs.*), independent of the Rust code (nothing under src/ or tests/ read).

  Kuraev-Fadin radiator of one leg:  W_h(x) = b x^(b-1) (1 + 3b/4) - b (1 - x/2),  b = beta/2,
      beta = (2 alpha/pi)(ln(s/m_e^2) - 1) at the at-rest s'' = 2 m_e (E'' + m_e).
  Positron's leg (photon visible): track length in the annihilation energy E'',
      f_rad(Lambda) = int_0^Lambda dt W_h(1 - e^-t) f(Lambda - t),  Lambda = ln(E/E''),
      and the window's cut on E'': E'' + m_e >= 0.95 E.
  Target electron's leg (unseen):  sigma_e(s) = int_0^1 dx W_h(x) sigma_0(s (1 - x)).
  Yield:  N = PREF int dE'' K_rad(E'') sigma_e(s''),
      K_rad(E'') = int dE (dsigma_B/dE) (1/E) f_rad(ln(E/E''))  over the allowed E.
  Bound electrons: I(eps) = int dE'' K_rad(E'') sigma_e(2 m_e^2 + 2 eps E''; b) replaces the
      I(eps) of core.py; case (g) takes the electron's b from the at-rest s'', case (g') (the
      convention, legs_reference.py) from the bound s = 2 m_e^2 + 2 eps E'' it radiates from.

Everything else (flux geometry, Breit-Wigner, Compton profiles, J-kernel) comes from core.py and
../dpt_reference.py. Variables: w = -1/ln(lambda) as in dpt_reference (Phi(w) = f lambda/w^2).
"""
import math

import numpy as np
from scipy.special import roots_jacobi

import core as C

D = C.D
ME, ALPHA = C.ME, C.ALPHA
EMIN, EMAX, E_LO, E_K = C.EMIN, C.EMAX, C.E_LO, C.E_K
LN2 = math.log(2.0)


def beta_full(s):
    return C.beta_isr(s)


def b_of_Epp(Epp, kappa):
    """b of a leg at annihilation energy E'' (at-rest s'' = 2 m_e (E'' + m_e)); kappa = 1: beta/2
    (the legs), 2: full beta, 0: no radiation."""
    return kappa * 0.5 * beta_full(2 * ME * (np.asarray(Epp, float) + ME))


_JAC = {}


def _jacobi(n, b):
    key = (n, float(b))
    if key not in _JAC:
        y, w = roots_jacobi(n, 0.0, b - 1.0)
        if len(_JAC) > 20000:
            _JAC.clear()
        _JAC[key] = ((1 + y) / 4.0, w * 4.0 ** (-b))
    return _JAC[key]


class PhiRad:
    """Phi_rad(w; b) = (Lambda / w^2) f_rad(Lambda),  Lambda = exp(-1/w)  (so f_rad dLambda = Phi_rad dw).

    f_rad = P1 + P2, split at t = Lambda/2:
      (Lambda/w^2) P1 = A Lambda^b int_0^1/2 tau^(b-1) r^(b-1) H(tau) dtau - b Lambda int_0^1/2 (1 - x/2) H(tau) dtau,
          t = Lambda tau, x = 1 - e^-t, r = x/t, A = b (1 + 3b/4),
          H(tau) = Lambda f(Lambda(1-tau))/w^2 = Phi(w_l) (w_l/w)^2/(1 - tau),  w_l = w/(1 - w ln(1 - tau));
          first integral: H(0) 2^-b / b + Gauss-Jacobi (weight tau^(b-1)) of r^(b-1) H - H(0).
      (Lambda/w^2) P2 = int_{ln2}^inf ds (1 + w s)^-2 Phi(w') [A Lambda^b (1-rho)^(b-1) r'^(b-1) - b Lambda (1 - x'/2)],
          lambda' = Lambda rho, rho = e^-s, w' = w/(1 + w s), t' = Lambda (1 - rho);
          Gauss-Legendre panels in s up to ln2 + 40, beyond (rho < 5e-18) in w' on [0, w/(1 + w(ln2 + 40))].
    Lambda^b = exp(-b/w): nothing underflows harmfully for small w. Vectorised over w (b scalar)."""

    def __init__(self, Phi, nj=32, n1=20, n2=16, s_breaks=(0.25, 0.5, 1, 2, 4, 8, 16, 26, 40), ntail=2):
        self.Phi = Phi
        self.nj, self.n1, self.n2, self.ntail = nj, n1, n2, ntail
        self.sb = np.array([LN2] + [LN2 + s for s in s_breaks])
        xg, wg = C.gl(n1)
        self.tau1 = 0.25 * (1 + xg)
        self.wt1 = 0.25 * wg
        x2, w2 = C.gl(n2)
        a, bb = self.sb[:-1], self.sb[1:]
        self.s2 = (0.5 * (a + bb)[:, None] + 0.5 * (bb - a)[:, None] * x2[None, :]).ravel()
        self.ws2 = (0.5 * (bb - a)[:, None] * w2[None, :]).ravel()
        self.S = self.sb[-1]
        xt, wt = C.gl(n2)
        edges = np.linspace(0, 1, ntail + 1)
        self.yt = (0.5 * (edges[:-1] + edges[1:])[:, None] + 0.5 * np.diff(edges)[:, None] * xt[None, :]).ravel()
        self.wyt = (0.5 * np.diff(edges)[:, None] * wt[None, :]).ravel()

    def __call__(self, w, b):
        w = np.atleast_1d(np.asarray(w, float))
        if b == 0.0:
            return self.Phi(w)
        out = np.zeros_like(w)
        ok = w > 0
        if not ok.any():
            return out
        w = w[ok]
        Phi = self.Phi
        A = b * (1 + 0.75 * b)
        Lb = np.exp(-b / w)                                   # Lambda^b
        Lam = np.exp(-1.0 / w)                                # may underflow to 0: only in b*Lambda terms
        # ---- P1
        tau_j, W_j = _jacobi(self.nj, b)

        def H(tau):                                           # (nw, ntau)
            wl = w[:, None] / (1 - w[:, None] * np.log1p(-tau[None, :]))
            return Phi(wl) * (wl / w[:, None]) ** 2 / (1 - tau[None, :])
        H0 = Phi(w)
        t = Lam[:, None] * tau_j[None, :]
        r = np.where(t > 1e-300, -np.expm1(-t) / np.where(t > 1e-300, t, 1.0), 1.0)
        Hj = H(tau_j)
        I1 = H0 * 2.0 ** (-b) / b + ((r ** (b - 1) * Hj - H0[:, None]) * W_j[None, :]).sum(1)
        t1 = Lam[:, None] * self.tau1[None, :]
        x1 = -np.expm1(-t1)
        I1b = ((1 - 0.5 * x1) * H(self.tau1) * self.wt1[None, :]).sum(1)
        P1 = A * Lb * I1 - b * Lam * I1b
        # ---- P2, s in [ln2, S]
        s = self.s2[None, :]
        wp = w[:, None] / (1 + w[:, None] * s)
        rho = np.exp(-s)
        tp = Lam[:, None] * (1 - rho)
        xp = -np.expm1(-tp)
        rp = np.where(tp > 1e-300, xp / np.where(tp > 1e-300, tp, 1.0), 1.0)
        G = A * Lb[:, None] * (1 - rho) ** (b - 1) * rp ** (b - 1) - b * Lam[:, None] * (1 - 0.5 * xp)
        P2a = (Phi(wp) * G / (1 + w[:, None] * s) ** 2 * self.ws2[None, :]).sum(1)
        # ---- tail s > S: w' in [0, wS], rho < e^-S (neglected), t' = Lambda
        wS = w / (1 + w * self.S)
        xL = -np.expm1(-Lam)
        rL = np.where(Lam > 1e-300, xL / np.where(Lam > 1e-300, Lam, 1.0), 1.0)
        Ginf = A * Lb * rL ** (b - 1) - b * Lam * (1 - 0.5 * xL)
        wpt = wS[:, None] * self.yt[None, :]
        P2b = Ginf * (Phi(wpt) * self.wyt[None, :]).sum(1) * wS / w ** 2
        out[ok] = P1 + P2a + P2b
        return out


def f_rad_quadpack(Lam, b, Phi, rtol=1e-11):
    """Check of PhiRad in the original variable t (scipy QUADPACK): f_rad(Lambda) =
    int_0^Lambda dt W_h(1 - e^-t) f(Lambda - t), f(lambda) = Phi(w) w^2/lambda; the t^(b-1) end point with
    the algebraic weight (QAWS) on [0, Lambda/2], the lambda -> 0 end (f ~ 1/(lambda ln^2 lambda)) in
    lambda = Lambda - t on log-spaced break points."""
    from scipy import integrate
    A = b * (1 + 0.75 * b)

    def f(lam):
        if lam <= 0:
            return 0.0
        w = -1.0 / math.log(lam)
        return float(Phi(np.array([w]))[0]) * w * w / lam

    def Wh_reg(t):                    # W_h(x)/t^(b-1): x^(b-1) = t^(b-1) (x/t)^(b-1)
        x = -math.expm1(-t)
        return A * (x / t) ** (b - 1) if t > 0 else A
    h = Lam / 2
    a1 = integrate.quad(lambda t: Wh_reg(t) * f(Lam - t), 0, h, weight="alg", wvar=(b - 1, 0),
                        epsabs=0, epsrel=rtol, limit=500)[0]
    a2 = integrate.quad(lambda t: -b * (1 + 0.5 * math.expm1(-t)) * f(Lam - t), 0, h, epsabs=0, epsrel=rtol, limit=500)[0]

    def Wh(t):
        x = -math.expm1(-t)
        return A * x ** (b - 1) - b * (1 - 0.5 * x)
    # lambda = Lam - t in (0, h]: in w = -1/ln(lambda) (f dlambda = Phi dw; the 1/ln spike of f at
    # lambda -> 0 holds a share ~1/|ln lambda| of its integral, unreachable by log-spaced panels in lambda)
    wL = -1.0 / math.log(Lam)
    wh = wL / (1 + wL * LN2)
    pts = sorted(set(wL / (1 + wL * (LN2 + k)) for k in (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)))
    g = lambda w: float(Phi(np.array([w]))[0]) * Wh(Lam - math.exp(-1.0 / w)) if w > 0 else 0.0
    a3 = integrate.quad(g, 0, wh, points=pts, epsabs=0, epsrel=rtol, limit=500)[0]
    return a1 + a2 + a3


# =====================================================================================
# K_rad(E'') and its table
# =====================================================================================
W_BREAKS = (0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3)


def K_rad_direct(Epp, kappa, PR, nw=20, scale=1.0, wlims=None):
    """K_rad(E'') = int dw Phi_rad(w; b(E'')) dsigma_B/dE(E'' e^lambda(w)) over the allowed E (core.K_limits),
    Gauss-Legendre (nw nodes) on panels at W_BREAKS (Phi_rad varies on the scale w ~ b near w = 0).
    scale < 1 subdivides each panel (refinement). Scalar or array E''; loops over E''.
    wlims = (w_lo, w_hi): exact limits (table nodes next to E_min, E_max, where E'' itself has lost the digits)."""
    Epp = np.atleast_1d(np.asarray(Epp, float))
    out = np.zeros_like(Epp)
    lo, hi = C.K_limits(Epp) if wlims is None else (np.atleast_1d(wlims[0]), np.atleast_1d(wlims[1]))
    x, wg = C.gl(nw)
    for i, (E2, a, c) in enumerate(zip(Epp, lo, hi)):
        if not (E_LO * (1 - 1e-15) <= E2 <= EMAX) or c <= a:
            continue
        b = float(b_of_Epp(E2, kappa))
        br = [a, c] + [p for p in W_BREAKS if a < p < c]
        br = np.unique(br)
        if scale != 1.0:
            k = int(round(1 / scale))
            br = np.unique(np.concatenate([np.linspace(p, q, k + 1) for p, q in zip(br[:-1], br[1:])]))
        p, q = br[:-1], br[1:]
        W = (0.5 * (p + q)[:, None] + 0.5 * (q - p)[:, None] * x[None, :]).ravel()
        WT = (0.5 * (q - p)[:, None] * wg[None, :]).ravel()
        lam = C.lam_of_omega(W)
        out[i] = np.sum(PR(W, b) * D.dsig_dE(E2 * np.exp(lam)) * WT)
    return out


OM_EDGES = (0.0, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3)


class KRadTable:
    """K_rad(E'') on Chebyshev panels, in the variables of core.KTable:
       omega = -1/ln ln(E_min/E'') below E_min, E'' on [E_min, E_K], omega2 = -1/ln ln(E_max/E'') above,
       with panels graded towards omega = 0 (K_rad approaches its value at E_min, E_max like
       Lambda^b = exp(-b/omega)). Node values from K_rad_direct (pool: optional multiprocessing pool)."""

    def __init__(self, kappa, PR, n=20, nII=9, nw=20, scale=1.0, pool=None):
        self.kappa = kappa
        om1 = float(C.omega_of_lam(np.log(EMIN / E_LO)))
        om2 = float(C.omega_of_lam(np.log(EMAX / E_K)))
        self.om1, self.om2 = om1, om2
        e1 = [e for e in OM_EDGES if e < om1] + [om1]
        e3 = [e for e in OM_EDGES if e < om2] + [om2]
        e2 = list(np.linspace(EMIN, E_K, nII))
        if scale != 1.0:
            k = int(round(1 / scale))
            sub = lambda e: list(np.unique(np.concatenate([np.linspace(p, q, k + 1) for p, q in zip(e[:-1], e[1:])])))
            e1, e2, e3 = sub(e1), sub(e2), sub(e3)
        self.n = n
        # all node E'' values
        nodes1 = [D.cheb2_nodes(n, a, b) for a, b in zip(e1[:-1], e1[1:])]
        nodes2 = [D.cheb2_nodes(n, a, b) for a, b in zip(e2[:-1], e2[1:])]
        nodes3 = [D.cheb2_nodes(n, a, b) for a, b in zip(e3[:-1], e3[1:])]
        om_I = np.concatenate(nodes1)
        E1 = EMIN * np.exp(-C.lam_of_omega(om_I))
        E2 = np.concatenate(nodes2)
        om_III = np.concatenate(nodes3)
        E3 = EMAX * np.exp(-C.lam_of_omega(om_III))
        allE = np.concatenate([E1, E2, E3])
        # exact w-limits at the nodes (as core.KTable): below E_min the lower limit is the node's omega,
        # above E_K the upper limit is the node's omega2 (E'' next to E_min, E_max has lost those digits)
        lo2, hi2 = C.K_limits(E2)
        hi1 = C.omega_of_lam(np.log((E1 + ME) / (C.F_CUT * E1)))
        wlo = np.concatenate([om_I, lo2, np.zeros_like(E3)])
        whi = np.concatenate([hi1, hi2, om_III])
        idx = np.array_split(np.arange(len(allE)), 16)
        args = [(allE[i], kappa, nw, scale, (wlo[i], whi[i])) for i in idx]
        if pool is not None:
            vals = np.concatenate(pool.map(_kjob, args))
        else:
            vals = np.concatenate([_kjob(a) for a in args])
        # w-limits are exact at the node E'' values except where lam rounding matters: at omega = 0 nodes
        # (E'' = E_min exactly / E_max exactly) K_rad_direct handles lo = 0 / hi = 0.
        n1, n2 = len(E1), len(E2)
        self.tI = self._mk(e1, nodes1, vals[:n1])
        self.tIIa = self._mk(e2, nodes2, vals[n1:n1 + n2])
        self.tIIb = self._mk(e3, nodes3, vals[n1 + n2:])
        self.n_nodes = len(allE)

    def _mk(self, edges, nodes, vals):
        n = self.n
        t = D.ChebTable.__new__(D.ChebTable)
        t.edges, t.n = np.array(edges, float), n
        bw = np.ones(n + 1)
        bw[1::2] = -1
        bw[0] *= 0.5
        bw[-1] *= 0.5
        t.bw, t.nodes = bw, nodes
        t.vals = [vals[i * (n + 1):(i + 1) * (n + 1)] for i in range(len(nodes))]
        t.label = "K_rad"
        return t

    def __call__(self, Ep):
        Ep = np.asarray(Ep, float)
        shp = Ep.shape
        Ep = Ep.ravel()
        out = np.zeros_like(Ep)
        m1 = (Ep >= E_LO) & (Ep < EMIN)
        if m1.any():
            lam = np.log1p((EMIN - Ep[m1]) / Ep[m1])
            out[m1] = self.tI(np.minimum(C.omega_of_lam(lam), self.om1))
        m2 = (Ep >= EMIN) & (Ep <= E_K)
        if m2.any():
            out[m2] = self.tIIa(Ep[m2])
        m3 = (Ep > E_K) & (Ep <= EMAX)
        if m3.any():
            lam = np.log1p((EMAX - Ep[m3]) / Ep[m3])
            out[m3] = self.tIIb(np.minimum(C.omega_of_lam(lam), self.om2))
        return np.maximum(out, 0.0).reshape(shp)


_G = {}


def _kjob(args):
    Ep, kappa, nw, scale, wl = args
    return K_rad_direct(Ep, kappa, _G["PR"], nw=nw, scale=scale, wlims=wl)


# =====================================================================================
# sigma_e(s; b) = int_0^1 dx W_h(x) sigma_0(s(1-x))
# =====================================================================================
def sigma_e_direct(model, s, b, n=20):
    """core.sigma_isr_direct with beta replaced by a given b (array like s; b = 0: sigma_0).
    Same method: z = x^b for the x^(b-1) end point, graded Gauss-Legendre panels around the
    Breit-Wigner peak and towards the threshold."""
    s = np.atleast_1d(np.asarray(s, float))
    b = np.broadcast_to(np.asarray(b, float), s.shape)
    out = np.zeros_like(s)
    zero = b == 0
    if zero.any():
        out[zero] = model.sigma0(s[zero])
    m2, mG = model.m ** 2, model.mG
    b_list1, b_list2, idx = [], [], []
    for i, sv in enumerate(s):
        if zero[i] or sv <= model.s_th * (1 + 1e-12):
            continue
        beta = float(b[i])
        xth = 1 - model.s_th / sv
        xr = 1 - m2 / sv
        wx = mG / sv
        b2 = C.graded_breaks(0.0, xth, xr, 0.25 * wx)
        Z = xth ** beta
        xc = max(abs(xr), wx)
        zc = xc ** beta
        wz = 0.25 * beta * zc * (wx / xc if xr > 0 else 1.0)
        b1 = C.graded_breaks(0.0, Z, min(zc, Z), wz)
        b1 = np.unique(np.concatenate([b1, Z - Z * (1 - (1 - xth * 4.0 ** -np.arange(1, 25)) ** beta)]))
        b1 = b1[(b1 >= 0) & (b1 <= Z)]
        b2 = np.unique(np.concatenate([b2, xth - xth * 4.0 ** -np.arange(1, 25)]))
        b2 = b2[(b2 >= 0) & (b2 <= xth)]
        b_list1.append(b1)
        b_list2.append(b2)
        idx.append(i)
    if not idx:
        return out
    idx = np.array(idx)
    sv = s[idx]
    beta = b[idx]
    z, wz, o1 = C.panel_rule(b_list1, n)
    bet1 = beta[o1]
    x1 = np.where(z > 0, np.exp(np.log(np.maximum(z, 1e-300)) / bet1), 0.0)
    f1 = model.sigma0(sv[o1] * (1 - x1)) * wz
    I1 = np.bincount(o1, weights=f1, minlength=len(idx))
    x2, w2, o2 = C.panel_rule(b_list2, n)
    f2 = (1 - 0.5 * x2) * model.sigma0(sv[o2] * (1 - x2)) * w2
    I2 = np.bincount(o2, weights=f2, minlength=len(idx))
    out[idx] = (1 + 0.75 * beta) * I1 - beta * I2
    return out


def sigma_e_quadpack(model, s, b):
    """core.sigma_isr_B (QUADPACK, QAWS weight) with beta replaced by b."""
    from scipy import integrate
    if s <= model.s_th:
        return 0.0
    if b == 0:
        return float(model.sigma0(s))
    beta = b
    xth = 1 - model.s_th / s
    xr = 1 - model.m ** 2 / s
    wx = model.mG / s
    f = lambda x: float(model.sigma0(s * (1 - x)))
    pk = sorted(set(xr + k * wx * sg for k in (0, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1e3, 3e3, 1e4, 3e4, 1e5)
                    for sg in (1, -1)))
    x1 = xr / 2 if xr > 200 * wx else max(xr, 0.0) + 2 * wx
    x1 = min(x1, xth)
    a = integrate.quad(f, 0, x1, weight="alg", wvar=(beta - 1, 0), epsabs=0, epsrel=1e-12, limit=2000)[0]
    pts = [p for p in pk if x1 < p < xth]
    bb = integrate.quad(lambda x: x ** (beta - 1) * f(x), x1, xth, points=pts or None, epsabs=0,
                        epsrel=1e-12, limit=2000)[0] if xth > x1 else 0.0
    pts = [p for p in pk if 0 < p < xth]
    reg = integrate.quad(lambda x: (1 - x / 2) * f(x), 0, xth, points=pts or None, epsabs=0,
                         epsrel=1e-12, limit=2000)[0]
    return beta * (1 + 0.75 * beta) * (a + bb) - beta * reg


class SigmaUTable:
    """sigma_e(s; b) at fixed b, or with b = bfun(s), on Chebyshev panels in u = asinh((s - m^2)/(m Gamma))
    of sigma cosh(u)^2 (as core.SigmaISRTable)."""

    def __init__(self, model, s_lo, s_hi, bfun, n=16, du=0.5, grade=12):
        self.model = model
        at_th = s_lo <= model.s_th
        u_lo = float(model.u_of_s(max(s_lo, model.s_th)))
        u_hi = float(model.u_of_s(s_hi))
        edges = [u_lo]
        while edges[-1] < u_hi:
            nxt = min(u_hi, (math.floor(edges[-1] / du) + 1) * du)
            if nxt - edges[-1] < 0.05 * du and nxt < u_hi:
                nxt = min(u_hi, nxt + du)
            edges.append(nxt)
        if at_th:
            edges += [u_lo + du * 4.0 ** -j for j in range(1, grade) if u_lo + du * 4.0 ** -j < edges[1]]
        self.edges = np.unique(np.array(edges))
        self.u_lo, self.u_hi = u_lo, u_hi
        nodes = [D.cheb2_nodes(n, a, b) for a, b in zip(self.edges[:-1], self.edges[1:])]
        allu = np.concatenate(nodes)
        sv = model.s_of_u(allu)
        vals = sigma_e_direct(model, sv, bfun(sv))
        g = vals * np.cosh(allu) ** 2
        t = D.ChebTable.__new__(D.ChebTable)
        t.edges, t.n = self.edges, n
        bw = np.ones(n + 1)
        bw[1::2] = -1
        bw[0] *= 0.5
        bw[-1] *= 0.5
        t.bw, t.nodes = bw, nodes
        t.vals = [g[i * (n + 1):(i + 1) * (n + 1)] for i in range(len(nodes))]
        self.tab = t

    def __call__(self, s):
        s = np.asarray(s, float)
        u = self.model.u_of_s(s)
        ok = (u >= self.u_lo) & (u <= self.u_hi) & (s > self.model.s_th)
        out = np.zeros_like(s)
        if ok.any():
            uu = u[ok]
            out[ok] = self.tab(uu) / np.cosh(uu) ** 2
        return out


class SigmaE2D:
    """sigma_e(s; b) for b in [b_lo, b_hi]: SigmaUTable at nb Chebyshev (2nd kind) nodes b_j, barycentric
    interpolation in b."""

    def __init__(self, model, s_lo, s_hi, b_lo, b_hi, nb=6, **kw):
        self.bn = D.cheb2_nodes(nb - 1, b_lo, b_hi)
        self.tabs = [SigmaUTable(model, s_lo, s_hi, (lambda s, bj=bj: np.full_like(s, bj)), **kw) for bj in self.bn]
        bw = np.ones(nb)
        bw[1::2] = -1
        bw[0] *= 0.5
        bw[-1] *= 0.5
        self.bw = bw

    def __call__(self, s, b):
        s = np.asarray(s, float)
        b = np.broadcast_to(np.asarray(b, float), s.shape)
        V = np.stack([t(s) for t in self.tabs], axis=-1)
        d = b[..., None] - self.bn
        ex = d == 0
        d = np.where(ex, 1.0, d)
        r = self.bw / d
        out = (r * V).sum(-1) / r.sum(-1)
        if ex.any():
            ii = ex.any(-1)
            out[ii] = V[ii][ex[ii]]
        return out


# =====================================================================================
# I(eps) = int dE'' K_rad(E'') sigma_e(2 m_e^2 + 2 eps E''; b(E''))
# =====================================================================================
def I_legs(eps, model, Kfun, sig, n=12, depth=1e-11, du=0.5):
    """core.I_of_eps with sigma(s) replaced by sig(s, E'') (the electron's radiator depends on E'').
    Gauss-Legendre in u = asinh((s - m^2)/(m Gamma)), panels <= du, break points at the images of
    E_min, E_K, geometric grading below the images of E_min and E_max."""
    eps = np.atleast_1d(np.asarray(eps, float))
    ME_ = ME
    blist, keep = [], []
    for i, e in enumerate(eps):
        s_a = max(2 * ME_ ** 2 + 2 * e * E_LO, model.s_th * (1 + 1e-12))
        s_b = 2 * ME_ ** 2 + 2 * e * EMAX
        if e <= 0 or s_b <= s_a:
            continue
        ua, ub = float(model.u_of_s(s_a)), float(model.u_of_s(s_b))
        nu = int(math.ceil((ub - ua) / du))
        br = list(np.linspace(ua, ub, nu + 1))
        uc = float(model.u_of_s(2 * ME_ ** 2 + 2 * e * EMIN))
        uk = float(model.u_of_s(2 * ME_ ** 2 + 2 * e * E_K))
        br += [f for f in (0.0, uc, uk) if ua < f < ub]
        for f in (uc, ub):
            if ua < f <= ub:
                d = du
                while d > depth:
                    if f - d > ua:
                        br.append(f - d)
                    d /= 4
        if 2 * ME_ ** 2 + 2 * e * E_LO < model.s_th:
            d = du
            while d > depth:
                if ua + d < ub:
                    br.append(ua + d)
                d /= 4
        blist.append(np.unique(np.array(br)))
        keep.append(i)
    out = np.zeros_like(eps)
    if not keep:
        return out
    keep = np.array(keep)
    u, w, o = C.panel_rule(blist, n)
    e = eps[keep][o]
    s = model.s_of_u(u)
    Ep = (s - 2 * ME_ ** 2) / (2 * e)
    f = Kfun(Ep) * sig(s, Ep) * model.mG * np.cosh(u) / (2 * e) * w
    out[keep] = np.bincount(o, weights=f, minlength=len(keep))
    return out


class ITableLegs:
    """core.ITable for a general I(eps) function (graded Chebyshev panels around the images of the
    flux features; error estimate against direct evaluation at panel points)."""

    def __init__(self, model, Ifun, e_lo, e_hi, n=12, dmax=0.02):
        m2 = model.m ** 2
        q = m2 - 2 * ME ** 2
        br = [e_lo, e_hi]
        for Ef in (E_LO, EMIN, E_K, EMAX):
            ef = q / (2 * Ef)
            width = 0.25 * ef * model.mG / q
            br += list(C.graded_breaks(e_lo, e_hi, ef, width, ratio=3.0))
        br = np.unique(np.array(br))
        fine = [br[0]]
        for a, b in zip(br[:-1], br[1:]):
            k = int(math.ceil((b - a) / (dmax * 0.5 * (a + b))))
            fine += list(np.linspace(a, b, k + 1)[1:])
        self.edges = np.unique(np.array(fine))
        nodes = [D.cheb2_nodes(n, a, b) for a, b in zip(self.edges[:-1], self.edges[1:])]
        alle = np.concatenate(nodes)
        vals = Ifun(alle)
        t = D.ChebTable.__new__(D.ChebTable)
        t.edges, t.n = self.edges, n
        bw = np.ones(n + 1)
        bw[1::2] = -1
        bw[0] *= 0.5
        bw[-1] *= 0.5
        t.bw, t.nodes = bw, nodes
        t.vals = [vals[i * (n + 1):(i + 1) * (n + 1)] for i in range(len(nodes))]
        self.tab = t
        self.e_lo, self.e_hi = e_lo, e_hi
        self.n_nodes = len(alle)
        mids = self.edges[:-1] + (self.edges[1:] - self.edges[:-1]) / 3.0
        dv = Ifun(mids)
        self.max_err_rel = float(np.max(np.abs(self.tab(mids) - dv)) / max(np.max(np.abs(vals)), 1e-300))

    def __call__(self, e):
        e = np.asarray(e, float)
        out = np.zeros_like(e)
        ok = (e >= self.e_lo) & (e <= self.e_hi)
        if ok.any():
            out[ok] = self.tab(e[ok])
        return out
