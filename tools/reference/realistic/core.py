# -*- coding: utf-8 -*-
"""
Numerical core of the realistic resonant-annihilation reference (see README.md next to this file).

Physics shared with the paper's formulas (DPT = Liang, Liu, Yang, arXiv:2212.04252) is imported from
the independent Python implementation ../dpt_reference.py: Bhabha spectrum dsigma_B/dE (Eq. 2.1-2.2),
Tsai-Whitis track-length shapes f1 (Eq. A.2) and f2 (Eq. A.3, factor 2) as Chebyshev tables Phi(w),
the dark-photon width (Eq. 4.3), the yield prefactor L n_e X0 (Eq. 4.4), and its generic
quadrature helpers (Gauss-Legendre nodes, adaptive Gauss-Legendre, Chebyshev tables).

Everything specific to bound electrons and initial-state radiation is in this file.

Notation (natural units, GeV):
  E    Bhabha positron energy (E_min..E_max), E' positron energy in the shower, v = E'/E,
  K(E') = integral dE (dsigma_B/dE) (1/E) (f1+f2)(E'/E)  over the allowed E  ("annihilation flux"),
         so that the at-rest yield is  N = PREF * integral dE' K(E') sigma(2 m_e (E' + m_e)),
  eps  = E_e - p_z, the effective target-electron energy: s = 2 m_e^2 + 2 E' eps,
  I_X(eps) = integral dE' K(E') sigma_X(2 m_e^2 + 2 eps E')   (X = 0: Breit-Wigner, X = ISR),
  bound yield  N = PREF sum_n w_n integral dp J_n(p) (eps/E_e) I_X(eps),   eps = E_e - p.
"""
import math
import os
import sys

import numpy as np
from numpy.polynomial.legendre import leggauss

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..")))
import dpt_reference as D  # noqa: E402

ME = D.ME
ALPHA = D.ALPHA
EMIN, EMAX = D.EMIN, D.EMAX
PREF = D.PREF_ANN                       # L n_e X0 (hbar c)^4, events per eps^2 per (GeV^-2 GeV^-2 ...)
E_LO = 0.95 * EMIN - ME                 # K(E') = 0 below (E_A' = E' + m_e >= 0.95 E >= 0.95 E_min)
E_K = 0.95 * EMAX - ME                  # above: upper limit E <= E_max instead of (E'+m_e)/0.95
AU_GEV = ME / 137.035999                # 1 atomic unit of momentum in GeV
F_CUT = 0.95

_GLC = {}


def gl(n):
    if n not in _GLC:
        _GLC[n] = leggauss(n)
    return _GLC[n]


# =====================================================================================
# Annihilation flux K(E') and its table
# =====================================================================================
def omega_of_lam(lam):
    """w = -1/ln(lambda), 0 at lambda = 0 (vectorised)."""
    lam = np.asarray(lam, float)
    out = np.zeros_like(lam)
    pos = lam > 0
    out[pos] = -1.0 / np.log(lam[pos])
    return out


def lam_of_omega(w):
    w = np.asarray(w, float)
    out = np.zeros_like(w)
    pos = w > 0
    out[pos] = np.exp(-1.0 / w[pos])
    return out


def K_direct(Ep, w_lo, w_hi, Phi, nw=24):
    """K(E') = int_{w_lo}^{w_hi} Phi(w) dsigma_B/dE(E' e^lambda(w)) dw  (Phi = (f1+f2) lambda/w^2,
    so (1/E)(f1+f2)(E'/E) dE = Phi(w) dw at fixed E'); two Gauss-Legendre panels of nw nodes.
    Vectorised over arrays Ep, w_lo, w_hi (w = -1/ln lambda, lambda = ln(E/E'))."""
    Ep, w_lo, w_hi = (np.atleast_1d(np.asarray(a, float)) for a in (Ep, w_lo, w_hi))
    x, wt = gl(nw)
    res = np.zeros(Ep.shape)
    mid = 0.5 * (w_lo + w_hi)
    for a, b in ((w_lo, mid), (mid, w_hi)):
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        W = c[:, None] + h[:, None] * x[None, :]
        lam = lam_of_omega(W)
        res += (Phi(W) * D.dsig_dE(Ep[:, None] * np.exp(lam)) * wt[None, :]).sum(1) * h
    return res


def K_limits(Ep):
    """(w_lo, w_hi) of the E integral at fixed E' (E_min <= E <= E_max, E >= E', E' + m_e >= 0.95 E)."""
    Ep = np.asarray(Ep, float)
    lo = np.where(Ep < EMIN, np.log1p((EMIN - Ep) / Ep), 0.0)
    hi = np.minimum(np.log1p((EMAX - Ep) / Ep), np.log((Ep + ME) / (F_CUT * Ep)))
    return omega_of_lam(lo), omega_of_lam(np.maximum(hi, lo))


class KTable:
    """K(E') as piecewise Chebyshev tables in variables in which it is smooth:
         E_LO <= E' < E_min : omega = -1/ln(ln(E_min/E'))   (1/ln cusp of the v -> 1 spike at E_min)
         E_min <= E' <= E_K : E'
         E_K <= E' <= E_max : omega2 = -1/ln(ln(E_max/E'))  (1/ln cusp to zero at E_max)
       The nodes are computed with the exact w-limits (no loss of digits next to E_min, E_max)."""

    def __init__(self, Phi, n=20):
        self.Phi = Phi
        om1 = float(omega_of_lam(np.log(EMIN / E_LO)))
        om2 = float(omega_of_lam(np.log(EMAX / E_K)))
        self.om1, self.om2 = om1, om2

        def f_I(om):                                    # below E_min, in omega
            om = np.atleast_1d(om)
            lam = lam_of_omega(om)
            Ep = EMIN * np.exp(-lam)
            hi = omega_of_lam(np.log((Ep + ME) / (F_CUT * Ep)))
            return K_direct(Ep, om, hi, Phi)

        def f_IIa(Ep):
            Ep = np.atleast_1d(Ep)
            lo, hi = K_limits(Ep)
            return K_direct(Ep, np.zeros_like(Ep), hi, Phi)

        def f_IIb(om):                                  # above E_K, in omega2
            om = np.atleast_1d(om)
            Ep = EMAX * np.exp(-lam_of_omega(om))
            return K_direct(Ep, np.zeros_like(Ep), om, Phi)

        e1 = sorted(set([0.0, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, om1]))
        e1 = [e for e in e1 if e <= om1]
        e2 = list(np.linspace(EMIN, E_K, 9))
        e3 = [e for e in sorted(set([0.0, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, om2])) if e <= om2]
        self.tI = D.ChebTable(e1, n, lambda w: float(f_I(w)[0]))
        self.tIIa = D.ChebTable(e2, n, lambda e: float(f_IIa(e)[0]))
        self.tIIb = D.ChebTable(e3, n, lambda w: float(f_IIb(w)[0]))
        self.f_I, self.f_IIa, self.f_IIb = f_I, f_IIa, f_IIb

    def __call__(self, Ep):
        Ep = np.asarray(Ep, float)
        shp = Ep.shape
        Ep = Ep.ravel()
        out = np.zeros_like(Ep)
        m1 = (Ep >= E_LO) & (Ep < EMIN)
        if m1.any():
            lam = np.log1p((EMIN - Ep[m1]) / Ep[m1])
            out[m1] = self.tI(np.minimum(omega_of_lam(lam), self.om1))
        m2 = (Ep >= EMIN) & (Ep <= E_K)
        if m2.any():
            out[m2] = self.tIIa(Ep[m2])
        m3 = (Ep > E_K) & (Ep <= EMAX)
        if m3.any():
            lam = np.log1p((EMAX - Ep[m3]) / Ep[m3])
            out[m3] = self.tIIb(np.minimum(omega_of_lam(lam), self.om2))
        return np.maximum(out, 0.0).reshape(shp)

    def direct(self, Ep):
        """K from the w-integral at E' (no table), for checks."""
        Ep = np.atleast_1d(np.asarray(Ep, float))
        lo, hi = K_limits(Ep)
        ok = (Ep >= E_LO) & (Ep <= EMAX) & (hi > lo)
        out = np.zeros_like(Ep)
        if ok.any():
            out[ok] = K_direct(Ep[ok], lo[ok], hi[ok], self.Phi)
        return out


# =====================================================================================
# Dark photon: Breit-Wigner, and its ISR-convolved version
# =====================================================================================
class Model:
    """invisible dark photon, m_chi = m/3 [DPT Eq. 4.2-4.3]"""

    def __init__(self, m, aD=1e-3):
        self.m, self.aD = m, aD
        self.mchi = m / 3.0
        self.G = D.width_dp(m, aD, self.mchi)
        self.mG = m * self.G
        self.s_th = 4 * self.mchi ** 2
        self.C0 = 4 * math.pi * ALPHA * aD / 3

    def A(self, s):
        s = np.asarray(s, float)
        th = np.clip(1 - self.s_th / np.where(s > 0, s, 1.0), 0.0, None)
        return np.where(s > self.s_th, self.C0 * (s + 2 * self.mchi ** 2) * np.sqrt(th), 0.0)

    def sigma0(self, s):
        """sigma_ann(s), eps = 1, GeV^-2 [DPT Eq. 4.2]"""
        s = np.asarray(s, float)
        return self.A(s) / ((s - self.m ** 2) ** 2 + self.mG ** 2)

    def u_of_s(self, s):
        return np.arcsinh((np.asarray(s, float) - self.m ** 2) / self.mG)

    def s_of_u(self, u):
        return self.m ** 2 + self.mG * np.sinh(u)


def beta_isr(s):
    """beta = (2 alpha/pi)(ln(s/m_e^2) - 1)  [Kuraev-Fadin]"""
    return (2 * ALPHA / math.pi) * (np.log(np.asarray(s, float) / ME ** 2) - 1)


def graded_breaks(a, b, centre, width, ratio=2.0, nmax=60):
    """break points between a and b graded geometrically (ratio) away from `centre` starting at
    `width` (a point where the integrand has structure of scale `width`)."""
    pts = [a, b]
    if a < centre < b:
        pts.append(centre)
    d = width
    for _ in range(nmax):
        lo, hi = centre - d, centre + d
        if a < lo < b:
            pts.append(lo)
        if a < hi < b:
            pts.append(hi)
        if lo <= a and hi >= b:
            break
        d *= ratio
    return np.unique(np.array(pts, float))


def panel_rule(breaks_list, n):
    """Gauss-Legendre n-point rule on every panel of every break-point list; returns
    (nodes, weights, owner index) flattened, for vectorised evaluation and np.bincount."""
    x, w = gl(n)
    nodes, wts, own = [], [], []
    for i, br in enumerate(breaks_list):
        br = np.asarray(br, float)
        a, b = br[:-1], br[1:]
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        nodes.append((c[:, None] + h[:, None] * x[None, :]).ravel())
        wts.append((h[:, None] * w[None, :]).ravel())
        own.append(np.full(len(a) * n, i))
    return np.concatenate(nodes), np.concatenate(wts), np.concatenate(own)


def sigma_isr_direct(model, s, n=20):
    """sigma_ISR(s) = int_0^1 dx W(x) sigma0(s(1-x)),
    W = beta x^(beta-1)(1 + 3 beta/4) - beta (1 - x/2)  [Kuraev-Fadin, 1st order + exponentiation].
    Written as (1 + 3beta/4) int_0^{Z} sigma0(s(1 - z^(1/beta))) dz - beta int_0^{x_th} (1-x/2) sigma0(s(1-x)) dx
    with z = x^beta (removes the x^(beta-1) end point), x_th = 1 - s_th/s. Both integrals with
    Gauss-Legendre on panels graded geometrically around the Breit-Wigner peak x_r = 1 - m^2/s
    (width m Gamma / s). Vectorised over s."""
    s = np.atleast_1d(np.asarray(s, float))
    out = np.zeros_like(s)
    m2, mG = model.m ** 2, model.mG
    b_list1, b_list2, idx = [], [], []
    for i, sv in enumerate(s):
        if sv <= model.s_th * (1 + 1e-12):
            continue
        beta = float(beta_isr(sv))
        xth = 1 - model.s_th / sv
        xr = 1 - m2 / sv
        wx = mG / sv
        b2 = graded_breaks(0.0, xth, xr, 0.25 * wx)
        Z = xth ** beta
        # structure of sigma0(s(1-x)) in x: width wx around x_r (x_r > 0), or a fall-off on the
        # scale |x_r| + wx from x = 0 (x_r <= 0); mapped to z = x^beta (dz = beta z dx/x)
        xc = max(abs(xr), wx)
        zc = xc ** beta
        wz = 0.25 * beta * zc * (wx / xc if xr > 0 else 1.0)
        b1 = graded_breaks(0.0, Z, min(zc, Z), wz)
        # square-root zero of the threshold factor at x_th: grade towards it
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
    beta = beta_isr(sv)
    z, wz, o1 = panel_rule(b_list1, n)
    bet1 = beta[o1]
    x1 = np.where(z > 0, np.exp(np.log(np.maximum(z, 1e-300)) / bet1), 0.0)
    f1 = model.sigma0(sv[o1] * (1 - x1)) * wz
    I1 = np.bincount(o1, weights=f1, minlength=len(idx))
    x2, w2, o2 = panel_rule(b_list2, n)
    f2 = (1 - 0.5 * x2) * model.sigma0(sv[o2] * (1 - x2)) * w2
    I2 = np.bincount(o2, weights=f2, minlength=len(idx))
    out[idx] = (1 + 0.75 * beta) * I1 - beta * I2
    return out


class SigmaISRTable:
    """sigma_ISR(s) tabulated per mass: Chebyshev panels in u = asinh((s - m^2)/(m Gamma)), of
    ln(sigma_ISR * cosh(u)^2) (smooth, O(1) variation)."""

    def __init__(self, model, s_lo, s_hi, n=16, du=0.5):
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
        if at_th:          # sqrt zero at the threshold: grade the first panels towards it
            edges += [u_lo + du * 4.0 ** -j for j in range(1, 12) if u_lo + du * 4.0 ** -j < edges[1]]
        self.edges = np.unique(np.array(edges))
        self.u_lo, self.u_hi = u_lo, u_hi
        self.n = n
        # all nodes at once
        nodes = [D.cheb2_nodes(n, a, b) for a, b in zip(self.edges[:-1], self.edges[1:])]
        allu = np.concatenate(nodes)
        vals = sigma_isr_direct(model, model.s_of_u(allu))
        g = vals * np.cosh(allu) ** 2
        self.tab = D.ChebTable.__new__(D.ChebTable)
        self.tab.edges = self.edges
        self.tab.n = n
        bw = np.ones(n + 1)
        bw[1::2] = -1
        bw[0] *= 0.5
        bw[-1] *= 0.5
        self.tab.bw = bw
        self.tab.nodes = nodes
        self.tab.vals = [g[i * (n + 1):(i + 1) * (n + 1)] for i in range(len(nodes))]
        self.tab.label = "sigma_isr"

    def __call__(self, s):
        s = np.asarray(s, float)
        u = self.model.u_of_s(s)
        ok = (u >= self.u_lo) & (u <= self.u_hi) & (s > self.model.s_th)
        out = np.zeros_like(s)
        if ok.any():
            uu = u[ok]
            out[ok] = np.maximum(self.tab(uu), 0.0) / np.cosh(uu) ** 2
        return out


# =====================================================================================
# I_X(eps) = int dE' K(E') sigma_X(2 m_e^2 + 2 eps E')
# =====================================================================================
def I_of_eps(eps, model, Ktab, sigma, n=12, depth=1e-11):
    """Vectorised over eps. Integration variable u = asinh((s - m^2)/(m Gamma)),
    dE' = m Gamma cosh(u) du / (2 eps). Gauss-Legendre panels no wider than 0.5 in u (the
    Breit-Wigner and the ISR-convolved cross-section are smooth on that scale in u), break points
    at u = 0 and at the images of E_LO, E_min, E_K and E_max, and geometric grading (ratio 4, down
    to `depth` in u) below the images of E_min and E_max, where K has 1/ln cusps; clipped to the
    support of K and to the threshold s > 4 m_chi^2."""
    eps = np.atleast_1d(np.asarray(eps, float))
    blist, keep = [], []
    for i, e in enumerate(eps):
        s_a = max(2 * ME ** 2 + 2 * e * E_LO, model.s_th * (1 + 1e-12))
        s_b = 2 * ME ** 2 + 2 * e * EMAX
        if e <= 0 or s_b <= s_a:
            continue
        ua, ub = float(model.u_of_s(s_a)), float(model.u_of_s(s_b))
        nu = int(math.ceil((ub - ua) / 0.5))
        br = list(np.linspace(ua, ub, nu + 1))
        uc = float(model.u_of_s(2 * ME ** 2 + 2 * e * EMIN))
        uk = float(model.u_of_s(2 * ME ** 2 + 2 * e * E_K))
        br += [f for f in (0.0, uc, uk) if ua < f < ub]
        for f in (uc, ub):
            if ua < f <= ub:
                d = 0.5
                while d > depth:
                    if f - d > ua:
                        br.append(f - d)
                    d /= 4
        if 2 * ME ** 2 + 2 * e * E_LO < model.s_th:      # square-root zero at the threshold
            d = 0.5
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
    u, w, o = panel_rule(blist, n)
    e = eps[keep][o]
    s = model.s_of_u(u)
    Ep = (s - 2 * ME ** 2) / (2 * e)
    f = Ktab(Ep) * sigma(s) * model.mG * np.cosh(u) / (2 * e) * w
    out[keep] = np.bincount(o, weights=f, minlength=len(keep))
    return out


def I_of_eps_adaptive(eps, model, Kfun, sigma, rtol=1e-11):
    """Check of I_of_eps: dpt_reference's vectorised adaptive Gauss-Legendre in the Breit-Wigner
    angle theta = atan((s - m^2)/(m Gamma)) (sigma0 only), break points at the images of
    E_LO, E_min, E_K, E_max."""
    m2, mG = model.m ** 2, model.mG
    s_a = max(2 * ME ** 2 + 2 * eps * E_LO, model.s_th * (1 + 1e-12))
    s_b = 2 * ME ** 2 + 2 * eps * EMAX
    th = lambda s: math.atan((s - m2) / mG)
    br = [th(s_a), th(s_b)] + [th(2 * ME ** 2 + 2 * eps * Ef) for Ef in (EMIN, E_K)
                                if s_a < 2 * ME ** 2 + 2 * eps * Ef < s_b] + ([0.0] if s_a < m2 < s_b else [])

    def f(t):
        s = m2 + mG * np.tan(t)
        Ep = (s - 2 * ME ** 2) / (2 * eps)
        return Kfun(Ep) * model.A(s) / (2 * eps * mG)
    val, err = D.adaptive_gl(f, br, rtol=rtol, n=16, min_panels=2)
    return val, err


# =====================================================================================
# Compton profiles (data/atomic/compton_profiles.csv, compton_shells.csv)
# =====================================================================================
class Shell:
    def __init__(self, Z, name, occ, B_kev, p, J, tail_b, tail_k, tail_frac):
        self.Z, self.name, self.occ = Z, name, occ
        self.B = B_kev * 1e-6                       # GeV
        self.Ee = ME - self.B
        self.p_au, self.J_au = p, J                 # p >= 0, one electron, 1/a.u.
        self.tail_b, self.tail_k, self.tail_frac = tail_b, tail_k, tail_frac
        self.pmax = p[-1]

    def J(self, p_au):
        """even profile per electron [1/a.u.]; linear interpolation of the table, tail model beyond."""
        a = np.abs(np.asarray(p_au, float))
        out = np.interp(a, self.p_au, self.J_au, right=0.0)
        t = a > self.pmax
        if t.any():
            Jm = self.J_au[-1]
            if self.tail_b > 0:
                out[t] = Jm * ((1 + (a[t] / self.tail_b) ** 2) / (1 + (self.pmax / self.tail_b) ** 2)) ** (-self.tail_k)
            else:
                out[t] = Jm * (a[t] / self.pmax) ** (-2 * self.tail_k)
        return out


def load_shells(Zs, ionic=False, root=None):
    import csv
    root = root or os.path.normpath(os.path.join(HERE, "..", "..", ".."))
    prof = os.path.join(root, "data", "atomic", "compton_profiles.csv")
    meta = os.path.join(root, "data", "atomic", "compton_shells.csv")
    pts = {}
    with open(prof) as fh:
        for r in csv.DictReader(fh):
            key = (int(r["Z"]), r["shell"])
            pts.setdefault(key, []).append((float(r["pz_au"]), float(r["J_per_au"])))
    shells = []
    with open(meta) as fh:
        for r in csv.DictReader(fh):
            Z = int(r["Z"])
            if Z not in Zs:
                continue
            occ = int(r["occupation"])
            if ionic and r["occupation_csi_ionic"] != "":
                occ = int(r["occupation_csi_ionic"])
            if occ == 0:
                continue
            arr = np.array(pts[(Z, r["shell"])])
            shells.append(Shell(Z, r["shell"], occ, float(r["binding_energy_kev"]), arr[:, 0], arr[:, 1],
                                float(r["tail_b_au"]), float(r["tail_k"]), float(r["tail_fraction"])))
    return shells


# =====================================================================================
# Tabulation of I_X(eps) in eps, and the bound-electron yield
# =====================================================================================
P_CAP_AU = 300.0          # |p_z| beyond which the profiles (tail model) are dropped


class ITable:
    """I_X(eps) on Chebyshev panels in eps: geometric grading (ratio 3) around the images of the
    flux features eps_f = (m^2 - 2 m_e^2)/(2 E'_f), E'_f in {E_LO, E_min, E_K, E_max}, starting at
    a quarter of the Breit-Wigner width in eps, plus panels no wider than `dmax` (relative)."""

    def __init__(self, model, Ktab, sigma, e_lo, e_hi, n=12, dmax=0.02):
        self.model = model
        m2 = model.m ** 2
        q = m2 - 2 * ME ** 2
        br = [e_lo, e_hi]
        for Ef in (E_LO, EMIN, E_K, EMAX):
            ef = q / (2 * Ef)
            width = 0.25 * ef * model.mG / q
            br += list(graded_breaks(e_lo, e_hi, ef, width, ratio=3.0))
        br = np.unique(np.array(br))
        fine = [br[0]]
        for a, b in zip(br[:-1], br[1:]):
            k = int(math.ceil((b - a) / (dmax * 0.5 * (a + b))))
            fine += list(np.linspace(a, b, k + 1)[1:])
        self.edges = np.unique(np.array(fine))
        self.n = n
        nodes = [D.cheb2_nodes(n, a, b) for a, b in zip(self.edges[:-1], self.edges[1:])]
        alle = np.concatenate(nodes)
        vals = I_of_eps(alle, model, Ktab, sigma)
        t = D.ChebTable.__new__(D.ChebTable)
        t.edges, t.n = self.edges, n
        bw = np.ones(n + 1)
        bw[1::2] = -1
        bw[0] *= 0.5
        bw[-1] *= 0.5
        t.bw, t.nodes = bw, nodes
        t.vals = [vals[i * (n + 1):(i + 1) * (n + 1)] for i in range(len(nodes))]
        t.label = "I(eps)"
        self.tab = t
        self.e_lo, self.e_hi = e_lo, e_hi
        self.n_nodes = len(alle)
        # error estimate: compare with direct evaluation at panel midpoints
        mids = self.edges[:-1] + (self.edges[1:] - self.edges[:-1]) / 3.0
        dv = I_of_eps(mids, model, Ktab, sigma)
        self.max_err_rel = float(np.max(np.abs(self.tab(mids) - dv)) / max(np.max(np.abs(vals)), 1e-300))

    def __call__(self, e):
        e = np.asarray(e, float)
        out = np.zeros_like(e)
        ok = (e >= self.e_lo) & (e <= self.e_hi)
        if ok.any():
            out[ok] = self.tab(e[ok])
        return out


def eps_range(shells):
    lo = min(sh.Ee for sh in shells) - P_CAP_AU * AU_GEV
    hi = max(sh.Ee for sh in shells) + P_CAP_AU * AU_GEV
    return lo, hi


def bound_yield(shells, weights, Ifun, edges, ngl=6):
    """sum_n w_n int dp J_n(p) (eps/E_e) I(eps), eps = E_e - p, for I given on panels with
    break points `edges` (eps); J linear between its nodes (exact product integration by
    Gauss-Legendre on the merged break points), tail model for p_max < |p| < P_CAP_AU.
    Returns (total, per-shell list) of the integral (multiply by PREF for events/eps^2)."""
    x, w = gl(ngl)
    per = []
    for sh, wt in zip(shells, weights):
        pj = sh.p_au
        tail = sh.pmax * (P_CAP_AU / sh.pmax) ** np.linspace(0, 1, 41)
        pos = np.concatenate([pj, tail[1:]])
        pb = np.concatenate([-pos[::-1], pos[1:]])                      # a.u.
        pe = (sh.Ee - np.asarray(edges)) / AU_GEV                       # I panel edges in p (a.u.)
        pe = pe[(pe > pb[0]) & (pe < pb[-1])]
        br = np.unique(np.concatenate([pb, pe]))
        a, b = br[:-1], br[1:]
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        P = (c[:, None] + h[:, None] * x[None, :]).ravel()
        W = (h[:, None] * w[None, :]).ravel()
        eps = sh.Ee - P * AU_GEV
        val = np.sum(W * sh.J(P) * (eps / sh.Ee) * Ifun(eps))
        per.append(wt * val)
    return float(np.sum(per)), per


def csi_weights(shells):
    """weight of each shell = electrons in it per CsI / electrons per CsI (Cs and I one atom each)"""
    tot = sum(sh.occ for sh in shells)
    return [sh.occ / tot for sh in shells], tot


# =====================================================================================
# Method B for bound electrons: E' outermost, profile-smeared cross-section G(E') with the
# Lorentzian integrated analytically against the piecewise-linear profile
# =====================================================================================
def _seg_arrays(sh, ntail=200):
    """break points (GeV) and values (per GeV) of J_n as one piecewise-linear function on
    [-p_cap, p_cap] (table nodes, tail model sampled on a fine geometric grid)."""
    tail = sh.pmax * (P_CAP_AU / sh.pmax) ** np.linspace(0, 1, ntail + 1)
    pos = np.concatenate([sh.p_au, tail[1:]])
    p = np.concatenate([-pos[::-1], pos[1:]])
    return p * AU_GEV, sh.J(p) / AU_GEV


def G_bound(Ep, shells, weights, model, ngl=4):
    """G(E') = sum_n w_n int dp J_n(p) (eps/E_e) sigma0(2 m_e^2 + 2 E' eps), eps = E_e - p.
    With q = p - p_r (p_r: resonance), g = m Gamma/(2E'), S(p) = eps A(s)/(4 E'^2 E_e):
        G_n = S(p_r) T0 + S'(p_r) T1 + int J (S - S_r - S' q)/(q^2 + g^2) dp,
        T0 = int J/(q^2+g^2) dp,  T1 = int J q/(q^2+g^2) dp   (closed form per linear piece of J),
    the last (non-resonant, relative size ~g/m_e^2) by Gauss-Legendre on the pieces."""
    Ep = np.atleast_1d(np.asarray(Ep, float))
    m2, mG = model.m ** 2, model.mG
    g = mG / (2 * Ep)
    er = (m2 - 2 * ME ** 2) / (2 * Ep)
    total = np.zeros_like(Ep)
    x, wq = gl(ngl)
    for sh, wt in zip(shells, weights):
        pb, Jb = sh._segs if hasattr(sh, "_segs") else _seg_arrays(sh)
        sh._segs = (pb, Jb)
        pr = sh.Ee - er                                             # (nE,)
        a, b = pb[:-1], pb[1:]
        Ja, Jbv = Jb[:-1], Jb[1:]
        slope = (Jbv - Ja) / (b - a)
        qa = a[None, :] - pr[:, None]
        qb = b[None, :] - pr[:, None]
        gg = g[:, None]
        c0 = Ja[None, :] - slope[None, :] * qa                       # J = c0 + c1 q on the piece
        c1 = slope[None, :]
        dat = np.arctan(qb / gg) - np.arctan(qa / gg)
        dln = np.log((qb * qb + gg * gg) / (qa * qa + gg * gg))
        T0 = np.sum(c0 / gg * dat + 0.5 * c1 * dln, axis=1)
        T1 = np.sum(0.5 * c0 * dln + c1 * ((qb - qa) - gg * dat), axis=1)
        # S and S' at p_r
        def S_of(p):
            eps = sh.Ee - p
            s = 2 * ME ** 2 + 2 * Ep[:, None] * eps if np.ndim(p) == 2 else 2 * ME ** 2 + 2 * Ep * eps
            E2 = (Ep[:, None] if np.ndim(p) == 2 else Ep) ** 2
            return eps * model.A(s) / (4 * E2 * sh.Ee)
        Sr = S_of(pr)
        h = 1e-4 * ME
        S1 = (S_of(pr + h) - S_of(pr - h)) / (2 * h)
        # remainder
        c, hw = 0.5 * (a + b), 0.5 * (b - a)
        P = c[None, :, None] + hw[None, :, None] * x[None, None, :]            # (1, nseg, ngl)
        Jp = (Ja[None, :, None] + slope[None, :, None] * (P - a[None, :, None]))
        q = P - pr[:, None, None]
        epsP = sh.Ee - P
        sP = 2 * ME ** 2 + 2 * Ep[:, None, None] * epsP
        SP = epsP * model.A(sP) / (4 * Ep[:, None, None] ** 2 * sh.Ee)
        R = (SP - Sr[:, None, None] - S1[:, None, None] * q) / (q * q + g[:, None, None] ** 2)
        T3 = np.sum(Jp * R * (hw[None, :, None] * wq[None, None, :]), axis=(1, 2))
        total += wt * (Sr * T0 + S1 * T1 + T3)
    return total


def yield_bound_B(model, shells, weights, Kfun, rtol=1e-9):
    """PREF int dE' K(E') G(E'): dpt_reference's adaptive Gauss-Legendre over E' with break points
    at E_LO, E_min, E_K, E_max, in omega = -1/ln ln(E_min/E') below E_min (K smooth there)."""
    def f_below(om):
        lam = lam_of_omega(om)
        Ep = EMIN * np.exp(-lam)
        jac = np.where(om > 0, Ep * lam / np.maximum(om, 1e-300) ** 2, 0.0)   # dE'/d(omega)
        return Kfun(Ep) * G_bound(Ep, shells, weights, model) * jac
    om1 = float(omega_of_lam(np.log(EMIN / E_LO)))
    Ia, ea = D.adaptive_gl(f_below, [0.0, 0.02, 0.05, 0.1, 0.2, om1], rtol=rtol, n=16)
    f_above = lambda Ep: Kfun(Ep) * G_bound(Ep, shells, weights, model)
    Ib, eb = D.adaptive_gl(f_above, list(np.linspace(EMIN, E_K, 9)) + [EMAX - 1e-3, EMAX - 1e-6, EMAX], rtol=rtol, n=16)
    return PREF * (Ia + Ib), (ea + eb) / abs(Ia + Ib)


# =====================================================================================
# Method B for ISR: QUADPACK throughout (no tables of sigma_ISR)
# =====================================================================================
def sigma_isr_B(model, s):
    """sigma_ISR(s) with scipy QUADPACK: the x^(beta-1) end point with the algebraic weight
    (QAWS) on [0, x1], ordinary adaptive quadrature with break points around the Breit-Wigner
    peak x_r = 1 - m^2/s beyond."""
    from scipy import integrate
    if s <= model.s_th:
        return 0.0
    beta = float(beta_isr(s))
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
    b = integrate.quad(lambda x: x ** (beta - 1) * f(x), x1, xth, points=pts or None, epsabs=0,
                       epsrel=1e-12, limit=2000)[0] if xth > x1 else 0.0
    pts = [p for p in pk if 0 < p < xth]
    reg = integrate.quad(lambda x: (1 - x / 2) * f(x), 0, xth, points=pts or None, epsabs=0,
                         epsrel=1e-12, limit=2000)[0]
    return beta * (1 + 0.75 * beta) * (a + b) - beta * reg


def yield_rest_B(model, Kdir, sigma, rtol=1e-10):
    """At-rest yield PREF int dE' K(E') sigma(2 m_e (E'+m_e)) with scipy QUADPACK: below E_min in
    omega = -1/ln ln(E_min/E') (K smooth, the 1/ln cusp flattened), E_min..E_K in u = asinh((s-m^2)/mGamma),
    E_K..E_max in omega2 = -1/ln ln(E_max/E'); break points at the Breit-Wigner peak.
    Kdir(Ep, w_lo, w_hi) evaluates K from its w-integral with exact limits."""
    from scipy import integrate
    m2, mG = model.m ** 2, model.mG
    s0 = lambda Ep: 2 * ME * (Ep + ME)
    Epr = m2 / (2 * ME) - ME
    hw = mG / (2 * ME)
    ks = (0, 0.3, 1, 3, 10, 30, 100, 300, 1e3, 3e3)

    def f_om(om):
        lam = math.exp(-1 / om) if om > 0 else 0.0
        Ep = EMIN * math.exp(-lam)
        if om == 0:
            return 0.0
        hi = float(omega_of_lam(math.log((Ep + ME) / (F_CUT * Ep))))
        K = float(Kdir(np.array([Ep]), np.array([om]), np.array([hi]))[0])
        return K * float(sigma(np.array([s0(Ep)]))[0]) * Ep * lam / om ** 2
    om1 = float(omega_of_lam(math.log(EMIN / E_LO)))
    pts = []
    for k in ks:
        for sg in (1, -1):
            E = Epr + sg * k * hw
            if E_LO < E < EMIN:
                pts.append(float(omega_of_lam(math.log(EMIN / E))))
    Ia = integrate.quad(f_om, 0, om1, points=sorted(set(pts)) or None, epsabs=0, epsrel=rtol, limit=2000)[0]

    def f_u(u):
        s = m2 + mG * math.sinh(u)
        Ep = s / (2 * ME) - ME
        hi = float(omega_of_lam(math.log((Ep + ME) / (F_CUT * Ep))))
        K = float(Kdir(np.array([Ep]), np.array([0.0]), np.array([hi]))[0])
        return K * float(sigma(np.array([s]))[0]) * mG * math.cosh(u) / (2 * ME)
    ua, ub = math.asinh((s0(EMIN) - m2) / mG), math.asinh((s0(E_K) - m2) / mG)
    pts = [p for p in (0.0, -1, 1, -3, 3) if ua < p < ub]
    Ib = integrate.quad(f_u, ua, ub, points=pts or None, epsabs=0, epsrel=rtol, limit=2000)[0]

    def f_om2(om):
        if om == 0:
            return 0.0
        lam = math.exp(-1 / om)
        Ep = EMAX * math.exp(-lam)
        K = float(Kdir(np.array([Ep]), np.array([0.0]), np.array([om]))[0])
        return K * float(sigma(np.array([s0(Ep)]))[0]) * Ep * lam / om ** 2
    om2 = float(omega_of_lam(math.log(EMAX / E_K)))
    pts = []
    for k in ks:
        for sg in (1, -1):
            E = Epr + sg * k * hw
            if E_K < E < EMAX:
                pts.append(float(omega_of_lam(math.log(EMAX / E))))
    Ic = integrate.quad(f_om2, 0, om2, points=sorted(set(pts)) or None, epsabs=0, epsrel=rtol, limit=2000)[0]
    return PREF * (Ia + Ib + Ic)


# =====================================================================================
# Variant: the ISR photon counted as visible energy
# =====================================================================================
def delta_isr_visible(eps, model, Phi, rtol=1e-9):
    """The collinear ISR photon (energy x E') showers in the calorimeter. Counting it as visible,
    the cut becomes E'(1 - x) + m_e >= 0.95 E instead of E' + m_e >= 0.95 E. The yield removed by
    this stricter cut, in the narrow-width limit of the Breit-Wigner (exact up to O(Gamma/m) of
    this few-per-cent correction, since only x > ~0.05 is affected):
        Delta(eps) = 4 pi^2 alpha int dE' [K(E') - K_x(E')] W(x_r; s) / s,
        s = 2 m_e^2 + 2 eps E',  x_r = 1 - m^2/s > 0,
    K_x: the flux with the upper limit E <= (E'(1 - x_r) + m_e)/0.95.  Scalar eps."""
    m2 = model.m ** 2
    q = m2 - 2 * ME ** 2
    Er = q / (2 * eps)                              # x_r = 0 here
    a = max(Er, E_LO)
    if a >= EMAX:
        return 0.0

    def f(Ep):
        Ep = np.asarray(Ep, float)
        s = 2 * ME ** 2 + 2 * eps * Ep
        xr = np.clip(1 - m2 / s, 0.0, 1.0)
        lo = np.where(Ep < EMIN, np.log1p((EMIN - Ep) / Ep), 0.0)
        hi0 = np.minimum(np.log1p((EMAX - Ep) / Ep), np.log((Ep + ME) / (F_CUT * Ep)))
        hix = np.minimum(np.log1p((EMAX - Ep) / Ep), np.log((Ep * (1 - xr) + ME) / (F_CUT * Ep)))
        top = np.maximum(hix, lo)                   # K - K_x = int over lambda in [top, hi0]
        ok = hi0 > top
        val = np.zeros_like(Ep)
        if ok.any():
            val[ok] = K_direct(Ep[ok], omega_of_lam(top[ok]), omega_of_lam(hi0[ok]), Phi)
        beta = beta_isr(s)
        W = beta * np.where(xr > 0, xr, 1.0) ** (beta - 1) * (1 + 0.75 * beta) - beta * (1 - 0.5 * xr)
        return np.where(xr > 0, val * W / s, 0.0)
    br = [a, EMAX] + [b for b in (EMIN, E_K, Er / 0.95, (Er + ME) / 0.95) if a < b < EMAX]
    v, _ = D.adaptive_gl(f, br, rtol=rtol, n=16)
    return 4 * math.pi ** 2 * ALPHA * v
