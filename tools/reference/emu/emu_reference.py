#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
Independent reference implementation of the physics of the emulsion-detector
inelastic-dark-matter paper [EMU], following the equations of docs/physics.md §8. The methods
were written from the equations only; the Rust code was read afterwards (not changed) only to
list, below, what each method shares with it.

Writes reference_values.json next to this file.

Methods (each analytic quantity is computed two ways):
  * sigma(e+e- -> gamma A')   [EMU Eq. 4]: scipy.integrate.quad of the differential formula in
    t = 1 -/+ cos(theta) on log-spaced sub-intervals, vs. the closed artanh form evaluated with
    mpmath at 40 digits.
  * sigma(e+e- -> A'* -> phi1 phi2) [EMU Eq. 5]: quad over cos(theta) vs. closed forms.
  * widths [EMU Eq. 6, 7, 9]: closed forms; Eq. 6 also from lambda^(3/2)/(48 pi M^5) form.
  * Gamma(phi1 -> phi2 f fbar) [EMU Eq. 10, 11], primary: 2-D Dalitz integral of Eq. 10 with
    nested scipy quad (boundaries derived in the f-fbar rest frame); cross-check: mpmath
    tanh-sinh of Eq. 11.
  * Acceptances [EMU Eq. 4, 13-16, Table 1], primary: a Monte Carlo that inverts exact CDFs
    (numpy PCG64, fixed seeds, fixed chunking): the A' polar angle from the integrated Eq. 4
    (Newton in t = ln(r - |cos|)), cos(theta_1*) and phi_1* from the conditional CDFs of the
    Eq. 13 bracket (safeguarded Newton), the phi1 polar angle from the printed Eq. 15, a uniform
    phi1 azimuth, and a plain count of the straight lines that cross a box face.
    Cross-checks (the former primary): exact-envelope proposal c = r tanh(u) + accept-reject for
    the A' angle, accept-reject (or weights) for the phi1 direction in the A' frame, explicit
    3-vectors and a Lorentz boost; hit count, and a Rao-Blackwellised estimator that replaces the
    azimuth hit test by the exact azimuthal fraction (closed form); for the off-shell central box
    a deterministic 2-D quadrature over the face.
  * Eq. 13 itself is checked against an explicit numerical Dirac trace (numpy gamma matrices).

What this reference shares with darksens, and why that is safe
  * The formulas of the paper (EMU Eqs. 4-7, 9-17, 19) and the contract of docs/physics.md §8
    (geometry of the boxes, acceptance denominator, c.m. frame, 4 m_e^2 regulator, 1/16 vs 1/32):
    necessarily shared, they are the physics under test. The constants (alpha, lepton and pion
    masses, hbar c, GeV^-2 -> pb) are shared inputs; the Rust test allows 1e-6 for their rounding.
  * Acceptances: the primary (acceptance_fraction_best_estimate) shares nothing with darksens'
    Monte Carlo but the formulas and the geometry: darksens samples the A' angle from the
    1/(r^2 - c^2) envelope with accept-reject, the phi1 direction by accept-reject under a bound
    of the Eq. 13 bracket, boosts three-vectors, and averages each event over the azimuth exactly;
    the primary here inverts CDFs (no envelope, no accept-reject), gets the polar angle from
    Eq. 15 (no vectors), and counts hits over a random azimuth. The face test (straight line from
    the IP through a rectangle perpendicular to the line of sight) is the geometry contract itself.
    The cross-check samples (corr_*, iso_*, *_raoblackwell) repeat darksens' design on purpose; they
    agree with the primary within their statistical errors (pull_* fields).
  * Off-shell central box: the test compares with the 2-D quadrature over the face, which shares
    nothing with darksens (its Monte Carlo accept-reject on sin^2 is the same as darksens' and is
    reported as a check only).
  * Cross sections, widths, flight length, muons: the numbers the Rust test reads are
    - sigma_quad_pb: QUADPACK on the differential Eq. 4 (darksens: the artanh closed form);
    - sigma_norm1over16/32_quad_pb: quad over cos (darksens: 4/3 of the value at 90 deg);
    - Gamma_phi1phi2/ee/mumu/tautau_GeV: closed forms of the printed A' widths (the formulas
      themselves; Eq. 6 also in its lambda form);
    - Gamma_ee/mumu_dalitz2D_GeV: a 2-D QUADPACK integral of Eq. 10 over the Dalitz region
      (darksens: tanh-sinh of the 1-D Eq. 11). Gamma_*_eq11_1D_GeV is tanh-sinh of Eq. 11, the
      same method as darksens, kept as a cross-check only (asserted to 1e-7 against the Dalitz
      value, found within 6e-16); the hadronic model width and d_ee_plus_mumu_plus_had_model_m
      use it, and the test reads neither;
    - beta_gamma_bar and d_ee_plus_mumu_m: <E1> is the cos-independent term of Eq. 14 (the
      formula, as in darksens; confirmed by a quad average of Eq. 14), d uses the Dalitz widths;
    - muons_per_cm2: scipy dblquad of Eq. 17 over the face. darksens integrates over the face
      too (its own adaptive quadrature, its own form of the integrand), so the value is
      confirmed by a second method, a 1-D integral over the polar angle of Eq. 17 times the exact
      azimuthal fraction of the face (asserted to 1e-9, found within 1e-15).

Usage: python3 emu_reference.py [--quick]
"""
import json
import math
import os
import sys
import time

from multiprocessing import Pool

import mpmath as mp
import numpy as np
from scipy import integrate

QUICK = "--quick" in sys.argv
T0 = time.time()

# ----------------------------------------------------------------------------------------------
# Constants (CODATA / PDG)
ALPHA = 1.0 / 137.035999084
M_E = 0.51099895e-3          # GeV
M_MU = 0.1056583755          # GeV
M_TAU = 1.77686              # GeV (PDG 2022)
M_PIPM = 0.13957039          # GeV (PDG), pi+- mass, hadronic threshold 2 m_pi
HBARC_GEV_M = 1.97326980e-16  # GeV m
GEV2_TO_PB = 0.3893793721e9  # pb GeV^2
PI = math.pi

mp.mp.dps = 40


def lam(a, b, c):
    """Kallen function lambda(a,b,c) (arguments are squared masses)."""
    return a * a + b * b + c * c - 2 * a * b - 2 * a * c - 2 * b * c


def log(msg):
    print("[%7.1fs] %s" % (time.time() - T0, msg), flush=True)


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b))


# ==============================================================================================
# 1. sigma(e+e- -> gamma A')  [EMU Eq. 4]
# ==============================================================================================
def dsig_gammaA_dcos_from_t(t, s, M, eps, sign):
    """[EMU Eq. 4] dsigma/dcos(theta) in GeV^-2, written in t = 1 - sign*cos(theta) so that
    sin^2(theta) = t (2 - t) keeps full precision near the collinear peaks."""
    c = sign * (1.0 - t)
    sin2 = t * (2.0 - t)
    num = (s + M * M) ** 2 + (s - M * M) ** 2 * c * c
    return 2 * PI * eps ** 2 * ALPHA ** 2 * num / (s * (s - M * M) * (s * sin2 + 4 * M_E ** 2))


def sigma_gammaA_quad(sqrt_s, M, eps):
    """Method (a): adaptive Gauss-Kronrod quadrature of Eq. 4 over cos in [-1, 1], split into the
    two halves, each integrated in t = 1 -/+ cos on log-spaced sub-intervals [1e-14 ... 1]."""
    s = sqrt_s ** 2
    edges = [0.0] + [10.0 ** k for k in range(-14, 0)] + [1.0]
    parts = []
    err = 0.0
    for sign in (+1, -1):
        for a, b in zip(edges[:-1], edges[1:]):
            v, e = integrate.quad(dsig_gammaA_dcos_from_t, a, b, args=(s, M, eps, sign),
                                  epsabs=0.0, epsrel=1e-13, limit=200)
            parts.append(v)
            err += e
    return math.fsum(parts), err


def sigma_gammaA_analytic(sqrt_s, M, eps, c=1):
    """Method (b): closed form of docs/physics.md §8 (artanh), mpmath 40 digits."""
    s = mp.mpf(sqrt_s) ** 2
    M = mp.mpf(M)
    me = mp.mpf(M_E)
    delta = 4 * me ** 2 / s
    r = mp.sqrt(1 + delta)
    c = mp.mpf(c)
    pref = 2 * mp.pi * mp.mpf(eps) ** 2 * mp.mpf(ALPHA) ** 2 / (s ** 2 * (s - M ** 2))
    br = ((s + M ** 2) ** 2 + (s - M ** 2) ** 2 * (1 + delta)) * (2 / r) * mp.atanh(c / r) \
        - 2 * (s - M ** 2) ** 2 * c
    return float(pref * br)


def sigma_gammaA_leading_log(sqrt_s, M, eps):
    """Approximate form quoted in docs/physics.md §8 (for information only)."""
    s = sqrt_s ** 2
    x = M * M / s
    return 4 * PI * eps ** 2 * ALPHA ** 2 / s * ((1 + x * x) / (1 - x) * math.log(s / M_E ** 2) - (1 - x))


def part1():
    log("part 1: sigma(e+e- -> gamma A')")
    out = []
    eps = 1e-3
    for sqrt_s in (3.773, 10.58):
        for M in (1.0, 3.0, 8.0):
            if M >= sqrt_s:
                continue
            q, qerr = sigma_gammaA_quad(sqrt_s, M, eps)
            an = sigma_gammaA_analytic(sqrt_s, M, eps)
            ll = sigma_gammaA_leading_log(sqrt_s, M, eps)
            r_ = rel(q, an)
            assert r_ < 1e-8, (sqrt_s, M, r_)
            out.append({
                "case": "gammaA_sqrts%.3f_M%.0f" % (sqrt_s, M),
                "sqrt_s_GeV": sqrt_s, "m_Aprime_GeV": M, "eps": eps,
                "cos_theta_range": [-1.0, 1.0], "regulator": "4 m_e^2 in denominator (EMU Eq. 4)",
                "m_e_GeV": M_E, "alpha": ALPHA,
                "sigma_quad_pb": q * GEV2_TO_PB,
                "sigma_quad_abs_error_estimate_pb": qerr * GEV2_TO_PB,
                "sigma_analytic_pb": an * GEV2_TO_PB,
                "sigma_analytic_GeVm2": an,
                "rel_diff_quad_vs_analytic": r_,
                "sigma_leading_log_approx_pb": ll * GEV2_TO_PB,
            })
            log("  sqrt_s=%.3f M=%.0f sigma=%.10e pb (quad %.10e, rel %.1e)"
                % (sqrt_s, M, an * GEV2_TO_PB, q * GEV2_TO_PB, r_))
    return out


# ==============================================================================================
# 2. sigma(e+e- -> A'* -> phi1 phi2)  [EMU Eq. 5]
# ==============================================================================================
def dsig_offshell_dcos(c, s, M, m1, m2, eps, gD, norm):
    """[EMU Eq. 5] with normalisation 1/norm (norm = 16 default, 32 = the garble)."""
    k = (1 - (m1 + m2) ** 2 / s) ** 1.5 * (1 - (m1 - m2) ** 2 / s) ** 1.5
    return eps ** 2 * ALPHA * gD ** 2 * s / (norm * (s - M * M) ** 2) * k * (1 - c * c)


def part2():
    log("part 2: off-shell sigma(e+e- -> A'* -> phi1 phi2)")
    out = []
    eps, gD = 1e-3, 0.1
    alphaD = gD ** 2 / (4 * PI)
    cases = [(10.58, 14.0, 5.00, 4.85), (10.58, 14.0, 5.00, 5.00), (10.58, 14.0, 4.0, 4.0),
             (10.58, 8.0, 3.0, 3.0)]
    for sqrt_s, M, m1, m2 in cases:
        s = sqrt_s ** 2
        rec = {"case": "offshell_sqrts%.2f_M%.1f_m1_%.3f_m2_%.3f" % (sqrt_s, M, m1, m2),
               "sqrt_s_GeV": sqrt_s, "m_Aprime_GeV": M, "m1_GeV": m1, "m2_GeV": m2, "eps": eps,
               "g_D": gD, "alpha_D": alphaD, "cos_theta_range": [-1.0, 1.0]}
        for norm in (16, 32):
            v, _ = integrate.quad(dsig_offshell_dcos, -1, 1, args=(s, M, m1, m2, eps, gD, norm),
                                  epsabs=0, epsrel=1e-13)
            # closed form: integral of sin^2 over cos = 4/3
            k = (1 - (m1 + m2) ** 2 / s) ** 1.5 * (1 - (m1 - m2) ** 2 / s) ** 1.5
            cf = eps ** 2 * ALPHA * gD ** 2 * s / (norm * (s - M * M) ** 2) * k * 4.0 / 3.0
            assert rel(v, cf) < 1e-12
            rec["sigma_norm1over%d_quad_pb" % norm] = v * GEV2_TO_PB
            rec["sigma_norm1over%d_closed_pb" % norm] = cf * GEV2_TO_PB
        if m1 == m2:
            beta = math.sqrt(1 - 4 * m1 * m1 / s)
            std = PI * eps ** 2 * ALPHA * alphaD * s * beta ** 3 / (3 * (s - M * M) ** 2)
            rec["sigma_scalarDM_closed_form_pb"] = std * GEV2_TO_PB
            rec["rel_diff_norm16_vs_scalarDM_closed_form"] = rel(std * GEV2_TO_PB,
                                                               rec["sigma_norm1over16_quad_pb"])
            assert rec["rel_diff_norm16_vs_scalarDM_closed_form"] < 1e-12
        out.append(rec)
        log("  %s: 1/16 -> %.10e pb, 1/32 -> %.10e pb" % (rec["case"], rec["sigma_norm1over16_quad_pb"],
                                                          rec["sigma_norm1over32_quad_pb"]))
    return out


# ==============================================================================================
# 3. A' widths and BR  [EMU Eq. 6, 7, 9]
# ==============================================================================================
def gamma_A_phiphi(M, m1, m2, gD):
    """[EMU Eq. 6], alpha_D form."""
    alphaD = gD ** 2 / (4 * PI)
    x = (1 - (m1 + m2) ** 2 / M ** 2) * (1 - (m1 - m2) ** 2 / M ** 2)
    return alphaD * M / 12 * x ** 1.5 if x > 0 else 0.0


def gamma_A_phiphi_lambda(M, m1, m2, gD):
    """[EMU Eq. 6], lambda form g^2 lambda^{3/2}/(48 pi M^5)."""
    L = lam(M * M, m1 * m1, m2 * m2)
    return gD ** 2 * L ** 1.5 / (48 * PI * M ** 5) if L > 0 else 0.0


def gamma_A_ff(M, mf, eps, Nc=1, Qf=1.0):
    """[EMU Eq. 7]"""
    if M <= 2 * mf:
        return 0.0
    return Nc * Qf ** 2 * eps ** 2 * ALPHA * M / 3 * (1 + 2 * mf ** 2 / M ** 2) * math.sqrt(1 - 4 * mf ** 2 / M ** 2)


def part3():
    log("part 3: A' widths, BR")
    eps, gD, M, m2 = 1e-3, 0.1, 8.0, 3.65
    alpha_s = 0.18
    R_udscb = 3 * (11.0 / 9.0) * (1 + alpha_s / PI)
    R_udsc = 3 * (10.0 / 9.0) * (1 + alpha_s / PI)
    out = []
    for m1 in (4.341, 4.333):
        g12 = gamma_A_phiphi(M, m1, m2, gD)
        g12b = gamma_A_phiphi_lambda(M, m1, m2, gD)
        assert rel(g12, g12b) < 1e-12
        gee = gamma_A_ff(M, M_E, eps)
        gmm = gamma_A_ff(M, M_MU, eps)
        gtt = gamma_A_ff(M, M_TAU, eps)
        bracket = ((1 - (m1 + m2) ** 2 / M ** 2) * (1 - (m1 - m2) ** 2 / M ** 2)) ** 1.5
        rec = {"case": "widths_M8_m1_%.3f_m2_3.65" % m1,
               "m_Aprime_GeV": M, "m1_GeV": m1, "m2_GeV": m2, "eps": eps, "g_D": gD,
               "alpha_D": gD ** 2 / (4 * PI), "m_e_GeV": M_E, "m_mu_GeV": M_MU, "m_tau_GeV": M_TAU,
               "phase_space_bracket_pow_1p5": bracket,
               "Gamma_phi1phi2_GeV": g12, "Gamma_ee_GeV": gee, "Gamma_mumu_GeV": gmm,
               "Gamma_tautau_GeV": gtt}
        for tag, R, desc in (
                ("udscb", R_udscb, "R = 3*sum_q Q_q^2*(1+alpha_s/pi), q = u,d,s,c,b (sum Q^2 = 11/9), "
                                   "alpha_s(8 GeV) = 0.18 [five-flavour prescription; note 2 m_b > 8 GeV]"),
                ("udsc", R_udsc, "R = 3*(10/9)*(1+alpha_s/pi), q = u,d,s,c only (b closed at 8 GeV), "
                                 "alpha_s = 0.18 [alternative]")):
            ghad = gmm * R  # [EMU Eq. 9]
            tot = g12 + gee + gmm + gtt + ghad
            rec["R_" + tag] = R
            rec["R_" + tag + "_description"] = desc
            rec["Gamma_had_R" + tag + "_GeV"] = ghad
            rec["Gamma_total_R" + tag + "_GeV"] = tot
            rec["BR_phi1phi2_R" + tag] = g12 / tot
            rec["BR_phi1phi2_R" + tag + "_without_tautau"] = g12 / (tot - gtt)
        if m1 == 4.341:
            rec["BR_phi1phi2_paper_quoted"] = 0.306   # the value quoted for the paper in docs/physics.md
        out.append(rec)
        log("  m1=%.3f G12=%.6e Gee=%.6e Gmm=%.6e Gtt=%.6e BR(udscb R=%.5f)=%.5f BR(udsc R=%.5f)=%.5f"
            % (m1, g12, gee, gmm, gtt, R_udscb, rec["BR_phi1phi2_Rudscb"], R_udsc, rec["BR_phi1phi2_Rudsc"]))
    return out


# ==============================================================================================
# 4. phi1 -> phi2 f fbar  [EMU Eq. 10, 11]
# ==============================================================================================
def d2G_dalitz(m23sq, m12sq, m1, m2, M, mf, eps, gD, Q):
    """[EMU Eq. 10] as printed: d Gamma / (dm_ffbar^2 dm_fbarphi2^2). m12 = f fbar, m23 = fbar phi2."""
    pref = eps ** 2 * Q ** 2 * ALPHA * gD ** 2 / (8 * PI ** 2 * m1 ** 3 * (m12sq - M * M) ** 2)
    return pref * ((m23sq - mf ** 2) * (m1 ** 2 + m2 ** 2 + mf ** 2 - m12sq - m23sq) - m1 ** 2 * m2 ** 2)


def d2G_dalitz_v(v, m12sq, m1, m2, M, mf, eps, gD, Q):
    """[EMU Eq. 10] in the shifted variable v = m_fbarphi2^2 - m_f^2 - m2^2 (same Jacobian 1).
    Exact algebra: (m23^2 - mf^2)(m1^2 + m2^2 + mf^2 - m12^2 - m23^2) - m1^2 m2^2
                 = v (m1^2 - m2^2 - m12^2 - v) - m12^2 m2^2,
    which avoids the cancellation against m1^2 m2^2 for small splittings."""
    pref = eps ** 2 * Q ** 2 * ALPHA * gD ** 2 / (8 * PI ** 2 * m1 ** 3 * (m12sq - M * M) ** 2)
    return pref * (v * ((m1 - m2) * (m1 + m2) - m12sq - v) - m12sq * m2 * m2)


def dalitz_v_limits(m12sq, m1, m2, mf):
    """Dalitz boundaries for v = m23^2 - mf^2 - m2^2, m23^2 = (p_fbar + p_phi2)^2, at fixed
    m12^2 = (p_f + p_fbar)^2. In the f-fbar rest frame: E_fbar* = m12/2, p_fbar* = sqrt(m12^2/4 - mf^2),
    E_phi2* = (m1^2 - m12^2 - m2^2)/(2 m12), p_phi2* = sqrt(lambda(m1^2, m2^2, m12^2))/(2 m12);
    m23^2 = mf^2 + m2^2 + 2 (E_fbar* E_phi2* -/+ p_fbar* p_phi2*)."""
    m12 = math.sqrt(m12sq)
    E2 = m12 / 2
    p2 = math.sqrt(max(m12sq / 4 - mf * mf, 0.0))
    E3 = ((m1 - m2) * (m1 + m2) - m12sq) / (2 * m12)
    lam3 = max(((m1 - m2) ** 2 - m12sq) * ((m1 + m2) ** 2 - m12sq), 0.0)
    p3 = math.sqrt(lam3) / (2 * m12)
    return 2 * (E2 * E3 - p2 * p3), 2 * (E2 * E3 + p2 * p3)


def gamma3_dalitz(m1, m2, M, mf, eps, gD, Q=1.0):
    """Method (a): 2-D numerical integral of Eq. 10 over the Dalitz region (nested QUADPACK).
    Outer variable y with m_ffbar^2 = 4 m_f^2 + y^2 (removes the threshold square root, which a
    plain QAGS in m_ffbar^2 resolves badly for m_f = m_e); inner variable v = m_fbarphi2^2 - m_f^2 - m2^2."""
    lo, hi = 4 * mf * mf, (m1 - m2) ** 2

    def inner(y):
        m12sq = lo + y * y
        a, b = dalitz_v_limits(m12sq, m1, m2, mf)
        v, _ = integrate.quad(d2G_dalitz_v, a, b, args=(m12sq, m1, m2, M, mf, eps, gD, Q),
                              epsabs=0, epsrel=1e-11)
        return 2 * y * v

    v, e = integrate.quad(inner, 0.0, math.sqrt(hi - lo), epsabs=0, epsrel=1e-12, limit=400)
    return v, e


def dG_dm_eq11(m, m1, m2, M, mf, eps, gD, Q):
    """[EMU Eq. 11] d Gamma / d m_ffbar (mpmath)."""
    m = mp.mpf(m)
    m2ff = m * m
    a = (m1 * m1 - m2 * m2 - m2ff)
    lam_ = a * a - 4 * m2 * m2 * m2ff
    if lam_ <= 0 or m2ff <= 4 * mf * mf:
        return mp.mpf(0)
    pref = mp.mpf(eps) ** 2 * Q ** 2 * mp.mpf(ALPHA) * mp.mpf(gD) ** 2 / (
        24 * mp.pi ** 2 * mp.mpf(m1) ** 3 * m2ff * (m2ff - mp.mpf(M) ** 2) ** 2)
    br = a * a * (m2ff + 2 * mf * mf) - 4 * m2 * m2 * m2ff ** 2 - 8 * m2 * m2 * mf * mf * m2ff
    return pref * br * mp.sqrt(m2ff - 4 * mf * mf) * mp.sqrt(lam_)


def gamma3_eq11(m1, m2, M, mf, eps, gD, Q=1.0, mlo=None, R=None):
    """Method (b): mpmath tanh-sinh of Eq. 11 over m_ffbar in [2 m_f, m1 - m2]
    (optionally times R(m), from mlo)."""
    m1, m2, M, mf = mp.mpf(m1), mp.mpf(m2), mp.mpf(M), mp.mpf(mf)
    lo = 2 * mf if mlo is None else mp.mpf(mlo)
    hi = m1 - m2
    if R is None:
        f = lambda m: dG_dm_eq11(m, m1, m2, M, mf, eps, gD, Q)
    else:
        f = lambda m: R(m) * dG_dm_eq11(m, m1, m2, M, mf, eps, gD, Q)
    return float(mp.quad(f, [lo, (lo + hi) / 2, hi]))


def R_pipi_bw(m):
    """Model of R(m) below 1 GeV used for the phi1 hadronic width: pi+pi- only,
    R = beta_pi^3/4 |F_pi|^2 with a rho Breit-Wigner form factor with p-wave running width
    (m_rho = 0.77526, Gamma_rho = 0.1491 GeV). A model, not data: see README."""
    m = mp.mpf(m)
    s = m * m
    if s <= 4 * M_PIPM ** 2:
        return mp.mpf(0)
    mr, gr = mp.mpf(0.77526), mp.mpf(0.1491)
    beta = mp.sqrt(1 - 4 * M_PIPM ** 2 / s)
    p = mp.sqrt(s / 4 - M_PIPM ** 2)
    pr = mp.sqrt(mr * mr / 4 - M_PIPM ** 2)
    g = gr * (mr / m) * (p / pr) ** 3
    F2 = mr ** 4 / ((s - mr * mr) ** 2 + mr * mr * g * g)
    return beta ** 3 / 4 * F2


def part4():
    log("part 4: phi1 -> phi2 f fbar")
    eps, gD = 1e-3, 0.1
    # the printed form of Eq. 10 and the shifted form agree (algebra check at a generic point)
    _m12sq, _v = 0.2, 0.3
    _a = d2G_dalitz(_v + M_MU ** 2 + 3.65 ** 2, _m12sq, 4.341, 3.65, 8.0, M_MU, eps, gD, 1.0)
    _b = d2G_dalitz_v(_v, _m12sq, 4.341, 3.65, 8.0, M_MU, eps, gD, 1.0)
    assert rel(_a, _b) < 1e-10, (_a, _b)
    out = []
    for M, m1, m2 in ((8.0, 4.341, 3.65), (8.0, 4.333, 3.65), (14.0, 5.00, 4.85)):
        rec = {"case": "phi1_3body_M%.0f_m1_%.3f_m2_%.3f" % (M, m1, m2),
               "m_Aprime_GeV": M, "m1_GeV": m1, "m2_GeV": m2, "eps": eps, "g_D": gD,
               "alpha_D": gD ** 2 / (4 * PI), "m_e_GeV": M_E, "m_mu_GeV": M_MU}
        for name, mf in (("ee", M_E), ("mumu", M_MU)):
            if m1 - m2 <= 2 * mf:
                rec["Gamma_%s_dalitz2D_GeV" % name] = 0.0
                rec["Gamma_%s_eq11_1D_GeV" % name] = 0.0
                rec["%s_channel" % name] = "closed: m1 - m2 <= 2 m_f"
                continue
            a, aerr = gamma3_dalitz(m1, m2, M, mf, eps, gD)
            b = gamma3_eq11(m1, m2, M, mf, eps, gD)
            r_ = rel(a, b)
            assert r_ < 1e-7, (name, r_)
            rec["Gamma_%s_dalitz2D_GeV" % name] = a
            rec["Gamma_%s_eq11_1D_GeV" % name] = b
            rec["Gamma_%s_rel_diff_2D_vs_1D" % name] = r_
            log("  %s %s: 2D %.12e  1D %.12e  rel %.1e" % (rec["case"], name, a, b, r_))
        # hadronic test value: R = 2 constant, massless Q=1 spectrum
        thr = 2 * M_PIPM
        if m1 - m2 > thr:
            h_thr = gamma3_eq11(m1, m2, M, 0.0, eps, gD, mlo=thr, R=lambda m: 2)
        else:
            h_thr = 0.0
        h0 = gamma3_eq11(m1, m2, M, 0.0, eps, gD, mlo=0.0, R=lambda m: 2)
        # cross-check the m_f = 0 spectrum with the Dalitz integral (R const) from 0
        h0_dalitz = 2 * gamma3_dalitz(m1, m2, M, 0.0, eps, gD)[0]
        assert rel(h0, h0_dalitz) < 1e-7
        rec["Gamma_had_R2const_from_2mpi_GeV"] = h_thr
        rec["Gamma_had_R2const_from_0_GeV"] = h0
        rec["Gamma_had_R2const_from_0_dalitz2D_GeV"] = h0_dalitz
        rec["had_test_definition"] = ("dGamma_had/dm = R(m) * dGamma(m_f=0,Q=1)/dm [EMU Eq. 11], R(m)=2 "
                                      "constant; integrated over m in [2 m_pi+-, m1-m2] with m_pi+- = %.8f GeV "
                                      "and also over [0, m1-m2]" % M_PIPM)
        # hadronic model used for the flight length (pi pi with rho BW); see README
        if m1 - m2 > thr:
            rec["Gamma_had_Rpipi_rhoBW_model_GeV"] = gamma3_eq11(m1, m2, M, 0.0, eps, gD, mlo=thr, R=R_pipi_bw)
        else:
            rec["Gamma_had_Rpipi_rhoBW_model_GeV"] = 0.0
        out.append(rec)
    # small-splitting limit
    lim = []
    M, m1 = 3.0, 1.0
    for D in (1e-2, 5e-3, 2e-3, 1e-3, 1e-4):
        m2 = m1 - D
        g = gamma3_eq11(m1, m2, M, 0.0, eps, gD)
        gd = gamma3_dalitz(m1, m2, M, 0.0, eps, gD)[0]
        alphaD = gD ** 2 / (4 * PI)
        limv = 4 * eps ** 2 * ALPHA * alphaD * D ** 5 / (15 * PI * M ** 4)
        lim.append({"m1_GeV": m1, "Delta_GeV": D, "m2_GeV": m2, "m_Aprime_GeV": M, "m_f_GeV": 0.0,
                    "eps": eps, "g_D": gD, "Gamma_eq11_GeV": g, "Gamma_dalitz2D_GeV": gd,
                    "Gamma_limit_4eps2_alpha_alphaD_Delta5_over_15piM4_GeV": limv,
                    "ratio_exact_over_limit": g / limv})
        log("  small splitting Delta=%.0e ratio=%.8f" % (D, g / limv))
    return out, lim


# ==============================================================================================
# 5. Flight length  [EMU Eq. 12, 14]
# ==============================================================================================
def mean_E1(sqrt_s, M, m1, m2):
    """<E1> over cos(theta1*) uniform = the cos-independent term of [EMU Eq. 14]."""
    s = sqrt_s ** 2
    return (s + M * M) / (4 * sqrt_s) * (1 + (m1 * m1 - m2 * m2) / (M * M))


def part5(p4):
    log("part 5: flight length")
    out = []
    sqrt_s, M, m2, eps, gD = 10.58, 8.0, 3.65, 1e-3, 0.1
    for m1 in (4.341, 4.333):
        r4 = [r for r in p4 if r["m1_GeV"] == m1 and r["m_Aprime_GeV"] == M][0]
        # the lepton widths from the 2-D Dalitz integral of Eq. 10 (independent of darksens' method;
        # equal to the tanh-sinh values of Eq. 11 to < 1e-15, asserted in part 4 to 1e-7)
        gee = r4["Gamma_ee_dalitz2D_GeV"]
        gmm = r4["Gamma_mumu_dalitz2D_GeV"]
        ghad = r4["Gamma_had_Rpipi_rhoBW_model_GeV"]
        E1 = mean_E1(sqrt_s, M, m1, m2)
        # also by direct numerical average of Eq. 14 over cos(theta1*)
        s = sqrt_s ** 2
        x = 1 + (m1 * m1 - m2 * m2) / (M * M)
        E14 = lambda c: (s + M * M) / (4 * sqrt_s) * x + (s - M * M) / (4 * sqrt_s) * math.sqrt(
            x * x - 4 * m1 * m1 / (M * M)) * c
        E1q = integrate.quad(E14, -1, 1)[0] / 2
        assert rel(E1, E1q) < 1e-13
        g = E1 / m1
        bg = math.sqrt(g * g - 1)
        d_emu = bg * HBARC_GEV_M / (gee + gmm)
        d_all = bg * HBARC_GEV_M / (gee + gmm + ghad)
        out.append({"case": "flight_sqrts10.58_M8_m1_%.3f_m2_3.65" % m1,
                    "sqrt_s_GeV": sqrt_s, "frame": "e+e- c.m. (no Belle II boost)",
                    "m_Aprime_GeV": M, "m1_GeV": m1, "m2_GeV": m2, "eps": eps, "g_D": gD,
                    "hbarc_GeV_m": HBARC_GEV_M,
                    "mean_E1_GeV": E1, "gamma_bar": g, "beta_gamma_bar": bg,
                    "Gamma_phi1_ee_GeV": gee, "Gamma_phi1_mumu_GeV": gmm,
                    "lepton_widths_from": "Gamma_ee/mumu_dalitz2D_GeV (2-D Dalitz integral of Eq. 10)",
                    "Gamma_phi1_had_Rpipi_rhoBW_model_GeV": ghad,
                    "d_ee_plus_mumu_m": d_emu,
                    "d_ee_plus_mumu_plus_had_model_m": d_all,
                    "hadron_treatment": "m1-m2 > 2 m_pi+-, so hadrons are open; R(m) below 1 GeV modelled as "
                                        "pi+pi- with a rho Breit-Wigner form factor (R_pipi_bw); the "
                                        "'d_ee_plus_mumu_m' value leaves hadrons out"})
        log("  m1=%.3f <E1>=%.6f gamma=%.6f d(e+mu)=%.6f m d(e+mu+had)=%.6f m (had/lep=%.3e)"
            % (m1, E1, g, d_emu, d_all, ghad / (gee + gmm)))
    return out


# ==============================================================================================
# Dirac-trace check of Eq. 13 (frame and sign of the interference term)
# ==============================================================================================
def dirac_check_eq13(n_points=25, seed=12345):
    I2 = np.eye(2)
    sig = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex),
           np.array([[1, 0], [0, -1]], complex)]
    Z = np.zeros((2, 2))
    g0 = np.block([[I2, Z], [Z, -I2]]).astype(complex)
    gs = [g0] + [np.block([[Z, s_], [-s_, Z]]) for s_ in sig]
    metric = np.diag([1.0, -1, -1, -1])

    def sl(p):
        return p[0] * gs[0] - p[1] * gs[1] - p[2] * gs[2] - p[3] * gs[3]

    def msq(k1, k2, q, j):
        # massless electrons; photon polarisation sum -g_{mu nu}; A' current j (on shell)
        P1 = k1 - q
        P2 = q - k2
        S1 = sl(P1) / (P1 @ metric @ P1)
        S2 = sl(P2) / (P2 @ metric @ P2)
        J = sl(j)
        tot = 0.0
        for mu in range(4):
            G = J @ S1 @ gs[mu] + gs[mu] @ S2 @ J
            Gb = g0 @ G.conj().T @ g0
            tr = np.trace(G @ sl(k1) @ Gb @ sl(k2))
            tot += -metric[mu, mu] * tr.real
        return tot

    rng = np.random.default_rng(seed)
    sqrt_s, M, m1, m2 = 10.58, 8.0, 4.341, 3.65
    s = sqrt_s ** 2
    E = sqrt_s / 2
    k1 = np.array([E, 0, 0, E])
    k2 = np.array([E, 0, 0, -E])
    pA = (s - M * M) / (2 * sqrt_s)
    EA = (s + M * M) / (2 * sqrt_s)
    pst = math.sqrt(lam(M * M, m1 * m1, m2 * m2)) / (2 * M)
    E1s = (M * M + m1 * m1 - m2 * m2) / (2 * M)
    E2s = (M * M - m1 * m1 + m2 * m2) / (2 * M)
    ratios_plus, ratios_minus = [], []
    for _ in range(n_points):
        th = rng.uniform(0.2, math.pi - 0.2)
        ph = rng.uniform(-math.pi, math.pi)
        ct1 = rng.uniform(-1, 1)
        ph1 = rng.uniform(-math.pi, math.pi)
        c, sn = math.cos(th), math.sin(th)
        Ahat = np.array([sn * math.cos(ph), sn * math.sin(ph), c])
        that = np.array([c * math.cos(ph), c * math.sin(ph), -sn])
        phat = np.array([-math.sin(ph), math.cos(ph), 0.0])
        st1 = math.sqrt(1 - ct1 * ct1)
        nst = st1 * math.cos(ph1) * that + st1 * math.sin(ph1) * phat + ct1 * Ahat
        gam, bg = EA / M, pA / M

        def boost(Es, pvec):
            par = pvec @ Ahat
            perp = pvec - par * Ahat
            return np.concatenate([[gam * Es + bg * par], perp + (gam * par + bg * Es) * Ahat])
        p1 = boost(E1s, pst * nst)
        p2 = boost(E2s, -pst * nst)
        q = np.concatenate([[pA], -pA * Ahat])
        j = p1 - p2
        val = msq(k1, k2, q, j)

        def eq13(sign):
            sp, sm = (s + M * M), (s - M * M)
            br = (sp ** 2 + sm ** 2 * c * c - (sm ** 2 + sp ** 2 * c * c) * ct1 ** 2
                  + sign * 4 * M * sqrt_s * sp * st1 * ct1 * math.cos(ph1) * sn * c
                  - 4 * M * M * s * st1 ** 2 * math.cos(ph1) ** 2 * sn * sn)
            return br / (s * s * sn * sn)
        ratios_plus.append(val / eq13(+1))
        ratios_minus.append(val / eq13(-1))
    rp = np.array(ratios_plus)
    rm = np.array(ratios_minus)
    return {"description": "explicit Dirac trace (numpy gamma matrices, massless e, photon pol sum -g, "
                           "A' current p1-p2 built from the stated frame: z*=A' dir, x*=theta-hat "
                           "(z comp -sin theta), y*=phi-hat) divided by the Eq. 13 bracket/(s^2 sin^2 theta) "
                           "at %d random points; constant ratio = agreement" % n_points,
            "rel_spread_ratio_plus_sign": float((rp.max() - rp.min()) / abs(rp.mean())),
            "rel_spread_ratio_minus_sign": float((rm.max() - rm.min()) / abs(rm.mean()))}


# ==============================================================================================
# 6. Monte Carlo acceptance  [EMU Eq. 4, 13-16, Table 1]
# ==============================================================================================
CHUNK = 2_000_000


def sample_cos_eq4(rng, n, s, M):
    """cos(theta) of the A' from Eq. 4 with the 4 m_e^2 regulator: exact proposal
    g(c) ~ 1/(r^2 - c^2) (c = r tanh(u), u uniform), accept with (N0 + N2 c^2)/(N0 + N2)."""
    delta = 4 * M_E ** 2 / s
    r = math.sqrt(1 + delta)
    umax = math.atanh(1 / r)
    N0, N2 = (s + M * M) ** 2, (s - M * M) ** 2
    res = np.empty(n)
    filled = 0
    while filled < n:
        k = int((n - filled) * 1.3) + 16
        c = r * np.tanh(rng.uniform(-umax, umax, k))
        acc = rng.uniform(0, 1, k) * (N0 + N2) < (N0 + N2 * c * c)
        c = c[acc][: n - filled]
        res[filled:filled + len(c)] = c
        filled += len(c)
    return res


def eq13_bracket(c, sn, x, cphi, s, M):
    """{...} of [EMU Eq. 13]; x = cos(theta1*), cphi = cos(phi1*)."""
    sp, sm = s + M * M, s - M * M
    st1 = np.sqrt(np.maximum(1 - x * x, 0.0))
    return (sp ** 2 + sm ** 2 * c * c - (sm ** 2 + sp ** 2 * c * c) * x * x
            + 4 * M * math.sqrt(s) * sp * st1 * x * cphi * sn * c
            - 4 * M * M * s * st1 ** 2 * cphi ** 2 * sn * sn)


def sample_onshell_chunk(rng, n, sqrt_s, M, m1, m2, mode):
    """One chunk of on-shell phi1 kinematics in the c.m. frame.
    mode 'corr': phi1 direction in A' frame from Eq. 13 by accept-reject (unweighted);
    mode 'iso' : isotropic in A' frame, returns also the Eq. 13 weight w (mean 1 per theta)."""
    s = sqrt_s ** 2
    c = sample_cos_eq4(rng, n, s, M)
    sn = np.sqrt((1 - c) * (1 + c))
    ph = rng.uniform(-PI, PI, n)
    N = (s + M * M) ** 2 + (s - M * M) ** 2 * c * c
    if mode == "corr":
        x = np.empty(n)
        phs = np.empty(n)
        bmax = N + 2 * M * sqrt_s * (s + M * M) * np.abs(sn * c)
        todo = np.arange(n)
        while len(todo):
            k = len(todo)
            xx = rng.uniform(-1, 1, k)
            pp = rng.uniform(-PI, PI, k)
            b = eq13_bracket(c[todo], sn[todo], xx, np.cos(pp), s, M)
            acc = rng.uniform(0, 1, k) * bmax[todo] < b
            x[todo[acc]] = xx[acc]
            phs[todo[acc]] = pp[acc]
            todo = todo[~acc]
        w = None
    else:
        x = rng.uniform(-1, 1, n)
        phs = rng.uniform(-PI, PI, n)
        w = eq13_bracket(c, sn, x, np.cos(phs), s, M) / (2.0 / 3.0 * N)
    # frame: z* = A' direction, x* = theta-hat (z comp -sin theta), y* = phi-hat
    cph, sph = np.cos(ph), np.sin(ph)
    Ahat = np.stack([sn * cph, sn * sph, c])
    that = np.stack([c * cph, c * sph, -sn])
    phat = np.stack([-sph, cph, np.zeros(n)])
    st1 = np.sqrt(np.maximum(1 - x * x, 0.0))
    sx, sy, sz = st1 * np.cos(phs), st1 * np.sin(phs), x
    pst = math.sqrt(lam(M * M, m1 * m1, m2 * m2)) / (2 * M)
    E1s = (M * M + m1 * m1 - m2 * m2) / (2 * M)
    gam = (s + M * M) / (2 * sqrt_s * M)
    bg = (s - M * M) / (2 * sqrt_s * M)
    ppar = gam * pst * sz + bg * E1s
    p = pst * sx * that + pst * sy * phat + ppar * Ahat
    E1 = gam * E1s + bg * pst * sz
    pabs = np.sqrt((p * p).sum(axis=0))
    u = p / pabs
    return {"u": u, "E1": E1, "pabs": pabs, "w": w, "c": c, "sn": sn, "x": x, "phs": phs}


def box_frame(theta_c, phi_c=0.0):
    n = np.array([math.sin(theta_c) * math.cos(phi_c), math.sin(theta_c) * math.sin(phi_c), math.cos(theta_c)])
    et = np.array([math.cos(theta_c) * math.cos(phi_c), math.cos(theta_c) * math.sin(phi_c), -math.sin(theta_c)])
    ep = np.array([-math.sin(phi_c), math.cos(phi_c), 0.0])
    return n, et, ep


def face_hit(u, theta_c, D, ha, hb, phi_c=0.0):
    """Straight line from the IP along unit vector u crosses the face (plane n.x = D, centred at
    D n, half-sides ha along theta-hat and hb along phi-hat)? Returns bool array and the distance
    to the face along the line."""
    n, et, ep = box_frame(theta_c, phi_c)
    dn = n @ u
    ok = dn > 0
    t = np.where(ok, D / np.where(ok, dn, 1.0), np.inf)
    a = t * (et @ u)
    b = t * (ep @ u)
    hit = ok & (np.abs(a) <= ha) & (np.abs(b) <= hb)
    return hit, t


def box_path(u, theta_c, D, ha, hb, depth):
    """Entry/exit distances along the ray of the cuboid behind the face (slab method)."""
    n, et, ep = box_frame(theta_c)
    un, ua, ub = n @ u, et @ u, ep @ u
    with np.errstate(divide="ignore", invalid="ignore"):
        t_in = D / un
        t_out = (D + depth) / un
        for comp, h in ((ua, ha), (ub, hb)):
            tt = np.where(comp != 0, h / np.abs(comp), np.inf)
            t_out = np.minimum(t_out, tt)
    return t_in, t_out


def rb_weight(costh, theta_c, D, ha, hb):
    """Rao-Blackwellised acceptance: exact fraction of the azimuth (uniform) for which a direction
    of polar angle theta (forward) crosses the face centred at (theta_c, phi=0).
    With A = sin(th) sin(thc), B = cos(th) cos(thc), P = sin(th) cos(thc), Q = cos(th) sin(thc):
      a(phi) = D (P cos(phi) - Q)/(A cos(phi) + B) (decreasing in |phi|),
      b(phi) = D sin(th) sin(phi)/(A cos(phi) + B) (increasing near the face).
    a(phi) = h  <=>  cos(phi) = (h B + D Q)/(D P - h A);  b(phi) = hb  <=>
    R sin(phi - psi) = hb B with R = sqrt((D sin th)^2 + (hb A)^2), psi = atan2(hb A, D sin th)."""
    th = np.arccos(np.clip(costh, -1, 1))
    w = np.zeros_like(th)
    sel = np.abs(th - theta_c) < 0.08
    th = th[sel]
    st, ct = np.sin(th), np.cos(th)
    stc, ctc = math.sin(theta_c), math.cos(theta_c)
    A, B, P, Q = st * stc, ct * ctc, st * ctc, ct * stc
    a0 = D * (P - Q) / (A + B)

    def phi_a(h):
        cphi = (h * B + D * Q) / (D * P - h * A)
        return np.where(a0 <= h, 0.0, np.arccos(np.clip(cphi, -1, 1)))
    lo = phi_a(ha)
    hi_a = np.where(a0 < -ha, -1.0, phi_a(-ha))
    Rr = np.sqrt((D * st) ** 2 + (hb * A) ** 2)
    psi = np.arctan2(hb * A, D * st)
    phib = psi + np.arcsin(np.clip(hb * B / Rr, -1, 1))
    hi = np.minimum(hi_a, phib)
    w[sel] = np.maximum(hi - lo, 0.0) / PI   # both signs of phi, over 2 pi
    return w


# Geometry contract (docs/physics.md §8)
BOXES = {
    "A": {"D_m": 7.0, "offaxis_m": 1.0, "side_polar_m": 0.2, "side_azimuth_m": 0.3},
    "B": {"D_m": 7.0, "offaxis_m": 1.4, "side_polar_m": 0.2, "side_azimuth_m": 0.4},
}
DEPTH_M = 1.32


def box_params(b, alt=False):
    if not alt:
        thc = math.asin(b["offaxis_m"] / b["D_m"])  # 7 m along the line of sight
        D = b["D_m"]
    else:
        thc = math.atan(b["offaxis_m"] / b["D_m"])  # alternative: 7 m along z
        D = math.hypot(b["offaxis_m"], b["D_m"])
    return thc, D, b["side_polar_m"] / 2, b["side_azimuth_m"] / 2


def _onshell_chunk_job(args):
    """One chunk of the cross-check Monte Carlo (tanh-envelope A' angle, accept-reject or weights
    for Eq. 13, three-vector boost): partial sums per box, in the order mc_onshell adds them."""
    ic, child, nchunks, sqrt_s, M, m1, m2, d_bar_m = args
    s = sqrt_s ** 2
    rng = np.random.Generator(np.random.PCG64(child))
    mode = "corr" if ic < nchunks else "iso"
    ev = sample_onshell_chunk(rng, CHUNK, sqrt_s, M, m1, m2, mode)
    u = ev["u"]
    part = {"mode": mode, "boxes": {}, "chk": None, "cos_lt_half": 0.0}
    if mode == "corr":
        part["cos_lt_half"] = float(np.sum(np.abs(ev["c"]) < 0.5))
        if ic == 0:
            # check the sampled kinematics against Eq. 14 and Eq. 15 (with Eq. 16)
            k = 200000
            c, sn, x, phs = ev["c"][:k], ev["sn"][:k], ev["x"][:k], ev["phs"][:k]
            xx = 1 + (m1 * m1 - m2 * m2) / (M * M)
            E14 = (s + M * M) / (4 * sqrt_s) * xx + (s - M * M) / (4 * sqrt_s) * math.sqrt(
                xx * xx - 4 * m1 * m1 / (M * M)) * x
            b1 = math.sqrt(1 - 4 * M * M * m1 * m1 / (M * M + m1 * m1 - m2 * m2) ** 2)
            st1 = np.sqrt(1 - x * x)
            numr = (s - M * M + (s + M * M) * b1 * x) * c - 2 * sqrt_s * M * b1 * st1 * np.cos(phs) * sn
            den = np.sqrt(4 * s * M * M * b1 ** 2 * st1 ** 2 + (s - M * M + (s + M * M) * b1 * x) ** 2)
            part["chk"] = {"max_abs_E1_minus_eq14": float(np.max(np.abs(ev["E1"][:k] - E14))),
                           "max_abs_cos1_minus_eq15": float(np.max(np.abs(u[2, :k] - numr / den)))}
    for name, b in BOXES.items():
        thc, D, ha, hb = box_params(b)
        hit, tface = face_hit(u, thc, D, ha, hb)
        rbw = rb_weight(u[2], thc, D, ha, hb)
        a = {}
        if mode == "corr":
            a["corr_hit"] = int(hit.sum())
            a["corr_rb"] = float(rbw.sum())
            a["corr_rb2"] = float((rbw * rbw).sum())
            a["corr_mirror_hit"] = int(face_hit(u, PI - thc, D, ha, hb)[0].sum())
            thc2, D2, _, _ = box_params(b, alt=True)
            a["corr_alt_hit"] = int(face_hit(u, thc2, D2, ha, hb)[0].sum())
            # event-by-event decay probability inside the box volume
            idx = np.nonzero(hit)[0]
            t_in, t_out = box_path(u[:, idx], thc, D, ha, hb, DEPTH_M)
            bgi = ev["pabs"][idx] / m1
            di = bgi / bg_bar_of(sqrt_s, M, m1, m2) * d_bar_m
            P = np.exp(-t_in / di) - np.exp(-t_out / di)
            a["vol_P"] = float(P.sum())
            a["vol_P2"] = float((P * P).sum())
        else:
            w = ev["w"]
            a["iso_hit"] = int(hit.sum())
            a["iso_rb"] = float(rbw.sum())
            a["iso_rb2"] = float((rbw * rbw).sum())
            a["w_hit"] = float((w * hit).sum())
            a["w_hit2"] = float((w * w * hit).sum())
            a["w_rb"] = float((w * rbw).sum())
            a["w_rb2"] = float(((w * rbw) ** 2).sum())
        part["boxes"][name] = a
    return part


# ---- Independent Monte Carlo (the primary acceptance). Nothing in it follows darksens' design:
#      the A' polar angle by numerical inversion of the exact CDF of Eq. 4 (no envelope, no
#      accept-reject), cos(theta_1*) and phi_1* by numerical inversion of their exact conditional
#      CDFs from the Eq. 13 bracket (no accept-reject), the phi1 polar angle from the printed
#      Eq. 15 (no three-vectors, no boost), the phi1 azimuth uniform and independent (the process
#      is symmetric about the beam), and a plain hit count of the face (no azimuthal averaging).
class Eq4InverseCDF:
    """Inverse of the exact CDF of |cos theta| of the A' [EMU Eq. 4] (4 m_e^2 regulator kept):
    with r^2 = 1 + 4 m_e^2/s, F(a) = int_0^a (N0 + N2 c^2)/(r^2 - c^2) dc
    = -N2 a + (N0 + N2 r^2)/(2r) ln((r + a)/(r - a)). Solved in t = ln(r - a), where F is smooth up
    to a = 1: a linear-interpolation guess from a 4001-point table of F(t), then Newton in t."""

    def __init__(self, s, M, ngrid=4001):
        delta = 4 * M_E ** 2 / s
        self.r = math.sqrt(1 + delta)
        self.rm1 = delta / (1 + self.r)                 # r - 1 without cancellation
        self.N2 = (s - M * M) ** 2
        self.Kh = ((s + M * M) ** 2 + self.N2 * (1 + delta)) / (2 * self.r)
        self.t_lo, self.t_hi = math.log(self.rm1), math.log(self.r)
        self.tg = np.linspace(self.t_lo, self.t_hi, ngrid)
        self.Fg = self.F(self.tg)
        self.Fg_inc, self.tg_dec = self.Fg[::-1].copy(), self.tg[::-1].copy()
        self.total = float(self.F(np.array([self.t_lo]))[0])

    def F(self, t):
        et = np.exp(t)
        return -self.N2 * (self.r - et) + self.Kh * (np.log(2 * self.r - et) - t)

    def dF(self, t):
        et = np.exp(t)
        return self.N2 * et - self.Kh * (et / (2 * self.r - et) + 1)

    def sample_abs(self, U, newton=3):
        """|cos theta| and 1 - |cos theta| for uniforms U (vectorised)"""
        target = U * self.total
        t = np.interp(target, self.Fg_inc, self.tg_dec)
        for _ in range(newton):
            et = np.exp(t)
            F = -self.N2 * (self.r - et) + self.Kh * (np.log(2 * self.r - et) - t)
            dF = self.N2 * et - self.Kh * (et / (2 * self.r - et) + 1)
            t = np.clip(t - (F - target) / dF, self.t_lo, self.t_hi)
        oma = np.maximum(np.exp(t) - self.rm1, 0.0)     # 1 - |c| = (r - |c|) - (r - 1)
        return 1.0 - oma, oma, float(np.max(np.abs(self.F(t) - target)) / self.total)


def _invert_monotone(G, dG, target, lo, hi, x0, tol=1e-12, itmax=100):
    """Solve G(x) = target for increasing G on [lo, hi] (arrays; G and dG take (x, index) so
    that only unconverged entries are evaluated): Newton steps, replaced by bisection of the
    current bracket whenever a step leaves it. An entry stops when its step is below tol
    (absolute; x is an angle or a cosine) or its bracket is narrower than tol. Returns x, the
    number of sweeps, and the number of entries still unconverged after itmax sweeps."""
    x = x0.copy()
    lo, hi = lo.copy(), hi.copy()
    act = np.arange(len(x))
    it = 0
    while len(act) and it < itmax:
        it += 1
        xa = x[act]
        g = G(xa, act) - target[act]
        up = g > 0
        ha = np.where(up, xa, hi[act])
        la = np.where(up, lo[act], xa)
        d = dG(xa, act)
        with np.errstate(divide="ignore", invalid="ignore"):
            xn = xa - g / d
        bad = ~((xn >= la) & (xn <= ha)) | ~(d > 0)
        xn = np.where(bad, 0.5 * (la + ha), xn)
        xn = np.where(g == 0, xa, xn)
        done = (np.abs(xn - xa) < tol) | (ha - la < tol)
        x[act], lo[act], hi[act] = xn, la, ha
        act = act[~done]
    return x, it, len(act)


INDEP_BLOCK = 250_000


def _indep_block(U, s, M, m1, m2, inv, want_check=False):
    """phi1 directions of one block of the independent Monte Carlo from five columns of uniforms."""
    n = U.shape[1]
    sqrt_s = math.sqrt(s)
    a, oma, res_c = inv.sample_abs(U[0])
    c = np.where(U[1] < 0.5, -a, a)
    sn = np.sqrt(oma * (2 - oma))
    sp, sm = s + M * M, s - M * M
    P = sp ** 2 + sm ** 2 * c * c
    Q = sm ** 2 + sp ** 2 * c * c
    S = 4 * M * M * s * sn * sn
    R = 4 * M * sqrt_s * sp * sn * c
    # cos(theta_1*) = x: marginal of the bracket over phi_1*, (P - S/2) - (Q - S/2) x^2 on [-1, 1],
    # even in x, equal to P - Q = S at x = +-1. Inverted from the nearer end, in y = 1 - |x|
    # (x = y - 1 for U < 1/2, x = 1 - y above: exact by the symmetry, 1 - U is exact), where the
    # CDF from that end, S y + a2 y^2 (1 - y/3), has no cancellation, so Newton converges to
    # rounding level even where the density at the end is small (collinear A', S -> 0).
    a0, a2 = P - S / 2, Q - S / 2
    Z = 2 * a0 - 2 * a2 / 3
    Uh = np.minimum(U[2], 1 - U[2])
    y, itx, ncx = _invert_monotone(lambda y, i: y * (S[i] + a2[i] * y * (1 - y / 3)),
                                   lambda y, i: S[i] + a2[i] * y * (2 - y),
                                   Uh * Z, np.zeros(n), np.ones(n), 2 * Uh)
    x = np.where(U[2] < 0.5, y - 1, 1 - y)
    st1 = np.sqrt(y * (2 - y))
    # phi_1* in [0, pi] given (theta, theta_1*): density A0 + B cos - D cos^2 (only cos phi_1* enters)
    A0, B, Dd = P - Q * x * x, R * st1 * x, S * st1 * st1
    tot = PI * (A0 - Dd / 2)
    ph, itp, ncp = _invert_monotone(lambda f, i: A0[i] * f + B[i] * np.sin(f) - Dd[i] * (f / 2 + np.sin(2 * f) / 4),
                                    lambda f, i: A0[i] + B[i] * np.cos(f) - Dd[i] * np.cos(f) ** 2,
                                    U[3] * tot, np.zeros(n), np.full(n, PI), U[3] * PI)
    cph = np.cos(ph)
    # phi1 polar angle in the c.m. frame from [EMU Eq. 15] with beta_1* of [EMU Eq. 16]
    b1 = math.sqrt(1 - 4 * M * M * m1 * m1 / (M * M + m1 * m1 - m2 * m2) ** 2)
    lon = s - M * M + (s + M * M) * b1 * x
    cos1 = (lon * c - 2 * sqrt_s * M * b1 * st1 * cph * sn) / np.sqrt(4 * s * M * M * b1 * b1 * st1 * st1 + lon * lon)
    cos1 = np.clip(cos1, -1.0, 1.0)
    sin1 = np.sqrt((1 - cos1) * (1 + cos1))
    phl = PI * (2 * U[4] - 1)                           # phi1 azimuth: uniform, independent
    u = np.stack([sin1 * np.cos(phl), sin1 * np.sin(phl), cos1])
    info = {"abs_c_lt_half": int(np.sum(a < 0.5)), "res_c": res_c, "itx": itx, "itp": itp,
            "ncx": ncx, "ncp": ncp}
    if want_check:
        # Eq. 15 against explicit three-vectors (A' at azimuth 0, the frame of Eq. 13), and the
        # sampled cos(theta_1*) against its exact conditional mean of x^2, (a0/3 - a2/5)/(a0 - a2/3)
        Ahat = np.stack([sn, np.zeros(n), c])
        that = np.stack([c, np.zeros(n), -sn])
        phat = np.stack([np.zeros(n), np.ones(n), np.zeros(n)])
        pst = math.sqrt(lam(M * M, m1 * m1, m2 * m2)) / (2 * M)
        E1s = (M * M + m1 * m1 - m2 * m2) / (2 * M)
        gam, bg = (s + M * M) / (2 * sqrt_s * M), (s - M * M) / (2 * sqrt_s * M)
        pv = pst * st1 * np.cos(ph) * that + pst * st1 * np.sin(ph) * phat + (gam * pst * x + bg * E1s) * Ahat
        uz = pv[2] / np.sqrt((pv * pv).sum(axis=0))
        ex2 = (a0 / 3 - a2 / 5) / (a0 - a2 / 3)
        info["check"] = {"n": n, "max_abs_eq15_minus_three_vector_cos": float(np.max(np.abs(uz - cos1))),
                         "mean_x2_minus_exact_conditional_mean": float(np.mean(x * x - ex2)),
                         "mean_x2_minus_exact_stat_err": float(np.std(x * x - ex2) / math.sqrt(n)),
                         "mean_x_sampled": float(np.mean(x)), "mean_x_stat_err": float(np.std(x) / math.sqrt(n))}
    return u, info


def indep_chunk_job(args):
    """One chunk of the independent Monte Carlo (one PCG64 stream, 5 x n uniforms drawn at once,
    processed in blocks): hit counts of each box, and checks on the first block of chunk 0."""
    ic, child, n, sqrt_s, M, m1, m2 = args
    s = sqrt_s ** 2
    rng = np.random.Generator(np.random.PCG64(child))
    U = rng.uniform(0, 1, (5, n))
    inv = Eq4InverseCDF(s, M)
    out = {"hits": {k: 0 for k in BOXES}, "abs_c_lt_half": 0, "max_cdf_residual_c": 0.0,
           "newton_iterations_x": 0, "newton_iterations_phi": 0, "unconverged_x": 0, "unconverged_phi": 0}
    for j0 in range(0, n, INDEP_BLOCK):
        u, info = _indep_block(U[:, j0:j0 + INDEP_BLOCK], s, M, m1, m2, inv, want_check=(ic == 0 and j0 == 0))
        for name, b in BOXES.items():
            thc, D, ha, hb = box_params(b)
            out["hits"][name] += int(face_hit(u, thc, D, ha, hb)[0].sum())
        out["abs_c_lt_half"] += info["abs_c_lt_half"]
        out["max_cdf_residual_c"] = max(out["max_cdf_residual_c"], info["res_c"])
        out["newton_iterations_x"] = max(out["newton_iterations_x"], info["itx"])
        out["newton_iterations_phi"] = max(out["newton_iterations_phi"], info["itp"])
        out["unconverged_x"] += info["ncx"]
        out["unconverged_phi"] += info["ncp"]
        if "check" in info:
            out["check"] = info["check"]
    return out


def mc_indep(sqrt_s, M, m1, m2, n_total, seed, pool=None):
    """Primary acceptance: plain hit counts of the independent Monte Carlo (chunks of CHUNK events,
    one PCG64 stream per chunk from SeedSequence(seed).spawn, summed in chunk order)."""
    nchunks = n_total // CHUNK
    args = [(ic, child, CHUNK, sqrt_s, M, m1, m2) for ic, child in enumerate(np.random.SeedSequence(seed).spawn(nchunks))]
    parts = pool.imap(indep_chunk_job, args) if pool is not None else map(indep_chunk_job, args)
    hits = {k: 0 for k in BOXES}
    nlt, res_c, itx, itp, ncx, ncp, check = 0, 0.0, 0, 0, 0, 0, None
    for part in parts:
        for k in BOXES:
            hits[k] += part["hits"][k]
        nlt += part["abs_c_lt_half"]
        res_c = max(res_c, part["max_cdf_residual_c"])
        itx, itp = max(itx, part["newton_iterations_x"]), max(itp, part["newton_iterations_phi"])
        ncx, ncp = ncx + part["unconverged_x"], ncp + part["unconverged_phi"]
        if "check" in part:
            check = part["check"]
    N = nchunks * CHUNK
    out = {"n_events": N, "hits": hits, "frac_abs_cosA_lt_0.5": nlt / N,
           "max_rel_cdf_residual_cosA": res_c, "max_newton_iterations_cos_theta1star": itx,
           "max_newton_iterations_phi1star": itp, "n_unconverged_cos_theta1star": ncx,
           "n_unconverged_phi1star": ncp, "checks_first_chunk": check}
    for k in BOXES:
        p = hits[k] / N
        out[k] = (p, math.sqrt(p * (1 - p) / N))
    return out


def mc_onshell(sqrt_s, M, m1, m2, n_total, seed, d_bar_m, pool=None):
    """Cross-check Monte Carlo (the former primary): the same events and sums as before, the
    chunks now spread over a worker pool and added in chunk order (bit-identical results)."""
    nchunks = n_total // CHUNK
    ss = np.random.SeedSequence(seed)
    acc = {k: {"corr_hit": 0, "corr_rb": 0.0, "corr_rb2": 0.0, "corr_mirror_hit": 0, "corr_alt_hit": 0,
               "iso_hit": 0, "iso_rb": 0.0, "iso_rb2": 0.0,
               "w_hit": 0.0, "w_hit2": 0.0, "w_rb": 0.0, "w_rb2": 0.0,
               "vol_P": 0.0, "vol_P2": 0.0} for k in BOXES}
    chk = {"max_abs_E1_minus_eq14": 0.0, "max_abs_cos1_minus_eq15": 0.0}
    n_corr = n_iso = 0
    cos_moments = [0.0, 0]
    args = [(ic, child, nchunks, sqrt_s, M, m1, m2, d_bar_m) for ic, child in enumerate(ss.spawn(2 * nchunks))]
    parts = pool.imap(_onshell_chunk_job, args) if pool is not None else map(_onshell_chunk_job, args)
    for part in parts:
        if part["mode"] == "corr":
            n_corr += CHUNK
            cos_moments[0] += part["cos_lt_half"]
            cos_moments[1] += CHUNK
            if part["chk"] is not None:
                chk = part["chk"]
        else:
            n_iso += CHUNK
        for name in BOXES:
            for key, v in part["boxes"][name].items():
                acc[name][key] += v
    out = {}
    for name, b in BOXES.items():
        a = acc[name]
        thc, D, ha, hb = box_params(b)
        pc = a["corr_hit"] / n_corr
        prb = a["corr_rb"] / n_corr
        prb_err = math.sqrt(max(a["corr_rb2"] / n_corr - prb ** 2, 0) / n_corr)
        pi_ = a["iso_hit"] / n_iso
        pirb = a["iso_rb"] / n_iso
        pirb_err = math.sqrt(max(a["iso_rb2"] / n_iso - pirb ** 2, 0) / n_iso)
        pw = a["w_hit"] / n_iso
        pw_err = math.sqrt(max(a["w_hit2"] / n_iso - pw ** 2, 0) / n_iso)
        pwrb = a["w_rb"] / n_iso
        pwrb_err = math.sqrt(max(a["w_rb2"] / n_iso - pwrb ** 2, 0) / n_iso)
        # ratio iso/corr from the same (isotropic) events: X = hit, Y = w*hit
        EX, EY, EY2 = pi_, pw, a["w_hit2"] / n_iso
        EXY = EY  # X*Y = hit*w*hit = w*hit
        varX, varY, cov = EX - EX ** 2, EY2 - EY ** 2, EXY - EX * EY
        ratio = EX / EY
        ratio_err = math.sqrt(max(varX / EY ** 2 + EX ** 2 * varY / EY ** 4 - 2 * EX * cov / EY ** 3, 0) / n_iso)
        pvol = a["vol_P"] / n_corr
        pvol_err = math.sqrt(max(a["vol_P2"] / n_corr - pvol ** 2, 0) / n_corr)
        fact = pc * (math.exp(-D / d_bar_m) - math.exp(-(D + DEPTH_M) / d_bar_m))
        out[name] = {
            "box": name, "face_distance_along_line_of_sight_m": D, "offaxis_m": b["offaxis_m"],
            "theta_centre_rad": thc, "theta_centre_deg": math.degrees(thc),
            "side_polar_m": b["side_polar_m"], "side_azimuth_m": b["side_azimuth_m"],
            "acceptance_fraction_corr_hitcount": pc, "acceptance_fraction_corr_hitcount_stat_err": math.sqrt(pc * (1 - pc) / n_corr),
            "acceptance_fraction_corr_raoblackwell": prb, "acceptance_fraction_corr_raoblackwell_stat_err": prb_err,
            "acceptance_fraction_corr_weighted_hitcount": pw, "acceptance_fraction_corr_weighted_hitcount_stat_err": pw_err,
            "acceptance_fraction_corr_weighted_raoblackwell": pwrb, "acceptance_fraction_corr_weighted_raoblackwell_stat_err": pwrb_err,
            "acceptance_fraction_iso_hitcount": pi_, "acceptance_fraction_iso_hitcount_stat_err": math.sqrt(pi_ * (1 - pi_) / n_iso),
            "acceptance_fraction_iso_raoblackwell": pirb, "acceptance_fraction_iso_raoblackwell_stat_err": pirb_err,
            "ratio_iso_over_corr_same_events": ratio, "ratio_iso_over_corr_same_events_stat_err": ratio_err,
            "acceptance_fraction_corr_mirror_box_backward_hitcount": a["corr_mirror_hit"] / n_corr,
            "acceptance_fraction_corr_alt_geometry_7m_along_z_hitcount": a["corr_alt_hit"] / n_corr,
            "alt_geometry_note": "alternative reading: face centre at z = 7 m, 1 m off axis "
                                 "(theta_c = atan(off/7), distance sqrt(49+off^2)); NOT the contract",
            "extra_decay_prob_definition": "mean over all events of 1[face hit] * (exp(-t_in/d_i) - exp(-t_out/d_i)), "
                                           "t_in/t_out = ray entry/exit of the 0.2 x 0.3(0.4) x 1.32 m cuboid behind the "
                                           "face, d_i = d_bar * (beta gamma)_i / (beta gamma)_bar with d_bar = Eq. 12 "
                                           "(e + mu widths only); factorised = A_face * (exp(-D/d_bar) - exp(-(D+1.32)/d_bar))",
            "extra_decay_prob_in_volume_event_by_event": pvol,
            "extra_decay_prob_in_volume_event_by_event_stat_err": pvol_err,
            "extra_factorised_A_times_decay_prob_a%.0fm_L1.32m" % D: fact,
            "extra_ratio_event_by_event_over_factorised": pvol / fact if fact > 0 else None,
        }
    out["_n_events_corr"] = n_corr
    out["_n_events_iso"] = n_iso
    out["_kinematics_checks"] = chk
    s = sqrt_s ** 2
    an_frac = sigma_gammaA_analytic(sqrt_s, M, 1.0, 0.5) / sigma_gammaA_analytic(sqrt_s, M, 1.0, 1.0)
    out["_check_fraction_abs_cosA_lt_0.5"] = {"mc": cos_moments[0] / cos_moments[1], "eq4_analytic": an_frac,
                                              "mc_stat_err": math.sqrt(an_frac * (1 - an_frac) / cos_moments[1])}
    return out


def bg_bar_of(sqrt_s, M, m1, m2):
    g = mean_E1(sqrt_s, M, m1, m2) / m1
    return math.sqrt(g * g - 1)


def central_box_exact(D=4.0, hz=0.15, hy=0.1):
    """Acceptance of the central box for dP/dOmega = (3/8pi) sin^2(theta) by 2-D quadrature over the
    face (plane x = D): dOmega = D dy dz / r^3, sin^2 = (D^2 + y^2)/r^2."""
    f = lambda z, y: 3 / (8 * PI) * (D * D + y * y) / (D * D + y * y + z * z) * D / (D * D + y * y + z * z) ** 1.5
    v, e = integrate.dblquad(f, -hy, hy, -hz, hz, epsabs=0, epsrel=1e-12)
    return v


def mc_central(n_total, seed, D=4.0, hz=0.15, hy=0.1):
    """Off-shell: phi1 polar angle from sin^2(theta) [Eq. 5], azimuth uniform; single box at
    theta = 90 deg, phi = 0; face 0.2 (along phi-hat = y) x 0.3 (along z) m^2 at 4 m."""
    nchunks = n_total // CHUNK
    hits = 0
    for child in np.random.SeedSequence(seed).spawn(nchunks):
        rng = np.random.Generator(np.random.PCG64(child))
        n = CHUNK
        c = np.empty(n)
        f = 0
        while f < n:
            k = int((n - f) * 1.6) + 16
            cc = rng.uniform(-1, 1, k)
            cc = cc[rng.uniform(0, 1, k) < 1 - cc * cc][: n - f]
            c[f:f + len(cc)] = cc
            f += len(cc)
        ph = rng.uniform(-PI, PI, n)
        sn = np.sqrt(1 - c * c)
        u = np.stack([sn * np.cos(ph), sn * np.sin(ph), c])
        hit, _ = face_hit(u, PI / 2, D, hz, hy)  # theta-hat at 90 deg is -z: ha = 0.15 along z
        hits += int(hit.sum())
    p = hits / (nchunks * CHUNK)
    return p, math.sqrt(p * (1 - p) / (nchunks * CHUNK))


def part6(p5):
    log("part 6: Monte Carlo acceptances")
    N = 4_000_000 if QUICK else 100_000_000          # cross-check samples (tanh envelope, Rao-Blackwell)
    N_I = 4_000_000 if QUICK else 400_000_000        # primary: independent sampler, plain hit count
    sqrt_s, M, m2 = 10.58, 8.0, 3.65
    paper = {4.341: {"A": 0.976e-2, "B": 0.065e-2}, 4.333: {"A": 0.194e-2, "B": 0.816e-2}}
    out = {"frame": "e+e- c.m. frame, sqrt_s = 10.58 GeV (no Belle II boost), e- beam along +z",
           "generator": "numpy PCG64, SeedSequence(seed).spawn(chunks), chunks of %d events" % CHUNK,
           "acceptance_definition": "fraction of all produced phi1 (both hemispheres, full Eq. 4 cross "
                                    "section incl. 4 m_e^2 regulator, no angular cut) whose straight line "
                                    "from the IP crosses the front face of one box at azimuth 0",
           "primary_method": "acceptance_fraction_best_estimate = acceptance_fraction_indep_hitcount: A' polar "
                             "angle by numerical inversion of the exact CDF of Eq. 4, cos(theta_1*) and phi_1* by "
                             "numerical inversion of their exact conditional CDFs from the Eq. 13 bracket, phi1 polar "
                             "angle from Eq. 15 (with Eq. 16), phi1 azimuth uniform and independent, plain hit count. "
                             "Shares nothing with darksens' Monte Carlo but the formulas and the box geometry.",
           "cross_check_methods": "corr_*: A' angle from the 1/(r^2 - c^2) envelope (c = r tanh u) + accept-reject, "
                                  "phi1 direction from Eq. 13 by accept-reject, three-vector boost (the same design as "
                                  "darksens); *_raoblackwell: exact azimuthal fraction of each event (as darksens); "
                                  "*_hitcount: the same events with the box at azimuth 0",
           "on_shell": [], "off_shell_central": None}
    pool = Pool(2)
    for m1, seed, seed_i in ((4.341, 20240501, 20240511), (4.333, 20240502, 20240512)):
        d_bar = [r for r in p5 if r["m1_GeV"] == m1][0]["d_ee_plus_mumu_m"]
        t0 = time.time()
        r = mc_onshell(sqrt_s, M, m1, m2, N, seed, d_bar, pool=pool)
        t1 = time.time()
        ri = mc_indep(sqrt_s, M, m1, m2, N_I, seed_i, pool=pool)
        t2 = time.time()
        an_frac = r["_check_fraction_abs_cosA_lt_0.5"]["eq4_analytic"]
        rec = {"case": "onshell_acceptance_M8_m1_%.3f_m2_3.65" % m1, "sqrt_s_GeV": sqrt_s,
               "m_Aprime_GeV": M, "m1_GeV": m1, "m2_GeV": m2, "seed": seed,
               "n_events_corr": r["_n_events_corr"], "n_events_iso": r["_n_events_iso"],
               "seed_indep": seed_i, "n_events_indep": ri["n_events"],
               "kinematics_checks": r["_kinematics_checks"],
               "check_fraction_abs_cosA_lt_0.5": r["_check_fraction_abs_cosA_lt_0.5"],
               "check_fraction_abs_cosA_lt_0.5_indep": {
                   "mc": ri["frac_abs_cosA_lt_0.5"], "eq4_analytic": an_frac,
                   "mc_stat_err": math.sqrt(an_frac * (1 - an_frac) / ri["n_events"])},
               "indep_sampler_checks": {
                   "max_rel_residual_of_inverted_eq4_cdf": ri["max_rel_cdf_residual_cosA"],
                   "max_newton_iterations_cos_theta1star": ri["max_newton_iterations_cos_theta1star"],
                   "max_newton_iterations_phi1star": ri["max_newton_iterations_phi1star"],
                   "newton_iteration_limit": 100,
                   "n_unconverged_cos_theta1star": ri["n_unconverged_cos_theta1star"],
                   "n_unconverged_phi1star": ri["n_unconverged_phi1star"],
                   "first_block": ri["checks_first_chunk"]},
               "runtime_s": {"cross_check_mc": t1 - t0, "indep_mc": t2 - t1},
               "d_bar_used_for_extra_m": d_bar, "depth_m": DEPTH_M}
        for b in ("A", "B"):
            rb = r[b]
            p_i, e_i = ri[b]
            prb, prb_err = rb["acceptance_fraction_corr_raoblackwell"], rb["acceptance_fraction_corr_raoblackwell_stat_err"]
            pc, pc_err = rb["acceptance_fraction_corr_hitcount"], rb["acceptance_fraction_corr_hitcount_stat_err"]
            rb["acceptance_fraction_best_estimate"] = p_i
            rb["acceptance_fraction_best_estimate_stat_err"] = e_i
            rb["best_estimate_is"] = ("acceptance_fraction_indep_hitcount (independent sampler: inverse CDFs of Eq. 4 "
                                      "and of the Eq. 13 bracket, Eq. 15, uniform azimuth, plain hit count; "
                                      "binomial 1-sigma error)")
            rb["acceptance_fraction_indep_hitcount"] = p_i
            rb["acceptance_fraction_indep_hitcount_stat_err"] = e_i
            rb["hits_indep"] = ri["hits"][b]
            rb["pull_indep_minus_corr_raoblackwell"] = (p_i - prb) / math.hypot(e_i, prb_err)
            rb["pull_indep_minus_corr_hitcount"] = (p_i - pc) / math.hypot(e_i, pc_err)
            rb["acceptance_fraction_paper_Table1"] = paper[m1][b]
            rec["box_" + b] = rb
            log("  m1=%.3f box %s: PRIMARY indep %.5f%% +- %.5f%% (pull vs RB %.2f, vs corr hit %.2f)"
                % (m1, b, 100 * p_i, 100 * e_i, rb["pull_indep_minus_corr_raoblackwell"],
                   rb["pull_indep_minus_corr_hitcount"]))
            log("  m1=%.3f box %s: corr %.5f%% +- %.5f%% (RB %.5f%% +- %.5f%%), iso %.5f%% (RB %.5f%%), "
                "iso/corr %.4f +- %.4f, paper %.3f%%; mirror %.5f%%, alt-geom %.5f%%, vol/fact %.4f"
                % (m1, b, 100 * rb["acceptance_fraction_corr_hitcount"], 100 * rb["acceptance_fraction_corr_hitcount_stat_err"],
                   100 * rb["acceptance_fraction_corr_raoblackwell"], 100 * rb["acceptance_fraction_corr_raoblackwell_stat_err"],
                   100 * rb["acceptance_fraction_iso_hitcount"], 100 * rb["acceptance_fraction_iso_raoblackwell"],
                   rb["ratio_iso_over_corr_same_events"], rb["ratio_iso_over_corr_same_events_stat_err"],
                   100 * paper[m1][b], 100 * rb["acceptance_fraction_corr_mirror_box_backward_hitcount"],
                   100 * rb["acceptance_fraction_corr_alt_geometry_7m_along_z_hitcount"],
                   rb["extra_ratio_event_by_event_over_factorised"]))
        out["on_shell"].append(rec)
    pool.close()
    pool.join()
    pc, pe = mc_central(N, 20240503)
    ex = central_box_exact()
    out["off_shell_central"] = {
        "case": "offshell_central_box_M14_m1_5.00_m2_4.85", "sqrt_s_GeV": sqrt_s, "m_Aprime_GeV": 14.0,
        "m1_GeV": 5.00, "m2_GeV": 4.85, "phi1_angular_distribution": "sin^2(theta) [Eq. 5], azimuth uniform",
        "face_distance_m": 4.0, "theta_centre_deg": 90.0, "side_along_z_m": 0.3, "side_along_azimuth_m": 0.2,
        "acceptance_fraction_mc": pc, "acceptance_fraction_mc_stat_err": pe, "n_events": N, "seed": 20240503,
        "acceptance_fraction_exact_2D_quadrature": ex, "acceptance_fraction_paper_Table1": 0.045e-2}
    log("  central box: MC %.6f%% +- %.6f%%, exact %.8f%%, paper 0.045%%" % (100 * pc, 100 * pe, 100 * ex))
    return out


# ==============================================================================================
# 7. Backgrounds  [EMU Eq. 17-19]
# ==============================================================================================
def part7():
    log("part 7: backgrounds")
    sqrt_s = 3.78
    s = sqrt_s ** 2
    D, off, ha, hb = 6.0, 0.84, 0.1, 0.15
    thc = math.asin(off / D)
    n, et, ep = box_frame(thc)
    lumi_pb = 10e3  # 10 fb^-1 = 1e4 pb^-1

    def dsdo(z, r):  # [EMU Eq. 17] per steradian
        c = z / r
        return ALPHA ** 2 / (4 * s) * (1 + c * c)

    def integrand(b, a):
        x = D * n + a * et + b * ep
        r = math.sqrt(x @ x)
        return dsdo(x[2], r) * D / r ** 3

    sig_face, _ = integrate.dblquad(integrand, -ha, ha, -hb, hb, epsabs=0, epsrel=1e-11)
    # second method: 1-D integral over the polar angle of dsigma/dOmega times 2 pi sin(theta) times
    # the exact azimuthal fraction of the face (rb_weight); its kinks are at the polar angles of
    # the corners and edge midpoints of the face
    kinks = sorted({math.acos(x[2] / math.sqrt(x @ x)) for x in
                    (D * n + a_ * et + b_ * ep for a_ in (-ha, 0.0, ha) for b_ in (-hb, 0.0, hb))})
    sig_polar, _ = integrate.quad(
        lambda th: ALPHA ** 2 / (4 * s) * (1 + math.cos(th) ** 2) * 2 * PI * math.sin(th)
        * rb_weight(np.array([math.cos(th)]), thc, D, ha, hb)[0],
        kinks[0] - 1e-3, kinks[-1] + 1e-3, points=kinks, epsabs=0, epsrel=1e-12, limit=500)
    assert rel(sig_face, sig_polar) < 1e-9, (sig_face, sig_polar)
    area_cm2 = (2 * ha) * (2 * hb) * 1e4
    n_mu = lumi_pb * sig_face * GEV2_TO_PB
    per_cm2 = n_mu / area_cm2
    point = lumi_pb * GEV2_TO_PB * ALPHA ** 2 / (4 * s) * (1 + math.cos(thc) ** 2) / (D * D) / 1e4
    sigma_tot_pb = 4 * PI * ALPHA ** 2 / (3 * s) * GEV2_TO_PB
    # cosmic
    I0 = 85.6
    flux = 2 * PI * I0 / 3  # Hz/m^2 [Eq. 19]
    flux_q, _ = integrate.dblquad(lambda c, ph: I0 * c * c, -PI, PI, 0, 1)
    six_months_s = 0.5 * 365.25 * 86400
    per_cm2_6m = flux * six_months_s / 1e4
    days_to_1e6 = 1e6 / (flux / 1e4 * 86400)
    log("  mumu per cm2 = %.4f (paper 20.2; face vs polar integral rel %.1e); cosmic %.4f Hz/m2, %.4e /cm2 in 6 months, %.1f days to 1e6"
        % (per_cm2, rel(sig_face, sig_polar), flux, per_cm2_6m, days_to_1e6))
    return {
        "collider_mumu": {
            "case": "BESIII_mumu_face", "sqrt_s_GeV": sqrt_s, "luminosity_fb-1": 10.0,
            "face_distance_m": D, "offaxis_m": off, "theta_centre_deg": math.degrees(thc),
            "face_m2": [0.2, 0.3], "side_polar_m": 0.2, "side_azimuth_m": 0.3,
            "sigma_mumu_total_pb": sigma_tot_pb,
            "sigma_into_face_pb": sig_face * GEV2_TO_PB,
            "sigma_into_face_polar_integral_of_azimuthal_fraction_pb": sig_polar * GEV2_TO_PB,
            "rel_diff_face_integral_vs_polar_integral": rel(sig_face, sig_polar),
            "muons_on_face": n_mu,
            "muons_per_cm2": per_cm2,
            "muons_per_cm2_point_approx": point,
            "muons_per_cm2_counting_both_muons": 2 * per_cm2,
            "counting": "one muon per event (the mu- direction follows Eq. 17; the mu+ of the same "
                        "events goes to the opposite face); 'counting_both_muons' doubles it",
            "muons_per_cm2_paper": 20.2},
        "cosmic": {
            "I0_m-2_s-1_sr-1": I0, "n": 3,
            "flux_2piI0over3_Hz_per_m2": flux, "flux_quadrature_Hz_per_m2": flux_q,
            "flux_paper_Hz_per_m2": 179.3,
            "six_months_s": six_months_s, "six_months_definition": "182.625 days (half a Julian year)",
            "muons_per_cm2_6months": per_cm2_6m, "muons_per_cm2_6months_paper": 0.28e6,
            "muons_per_cm2_180days": flux * 180 * 86400 / 1e4,
            "days_until_1e6_per_cm2": days_to_1e6}}


# ==============================================================================================
def main():
    here = os.path.dirname(os.path.abspath(__file__))
    res = {
        "_about": "Independent reference values for the emulsion-detector iDM paper [EMU]; "
                  "see README.md. Generated by emu_reference.py%s." % (" --quick" if QUICK else ""),
        "_constants": {"alpha": ALPHA, "m_e_GeV": M_E, "m_mu_GeV": M_MU, "m_tau_GeV": M_TAU,
                       "m_pi_pm_GeV": M_PIPM, "hbarc_GeV_m": HBARC_GEV_M, "GeVm2_to_pb": GEV2_TO_PB},
        "_versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                      "scipy": __import__("scipy").__version__, "mpmath": mp.__version__},
    }
    res["eq13_dirac_check"] = dirac_check_eq13()
    log("Eq.13 Dirac check: spread(+)=%.2e spread(-)=%.2e" % (res["eq13_dirac_check"]["rel_spread_ratio_plus_sign"],
                                                             res["eq13_dirac_check"]["rel_spread_ratio_minus_sign"]))
    res["sigma_ee_to_gammaAprime"] = part1()
    res["sigma_ee_to_phi1phi2_offshell"] = part2()
    res["Aprime_widths_BR"] = part3()
    p4, lim = part4()
    res["phi1_three_body_widths"] = p4
    res["phi1_small_splitting_limit"] = lim
    p5 = part5(p4)
    res["phi1_flight_length"] = p5
    res["acceptance_mc"] = part6(p5)
    res["backgrounds"] = part7()
    res["_runtime_s"] = time.time() - T0
    with open(os.path.join(here, "reference_values.json"), "w") as f:
        json.dump(res, f, indent=1)
    log("wrote reference_values.json")


if __name__ == "__main__":
    main()
