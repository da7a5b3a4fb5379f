#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
Independent reference for the resonant annihilation yield with initial-state radiation treated
"each leg as it happens" (docs/physics.md §9, Initial-state radiation, *The two legs.*):

  (f) electrons at rest, legs;   (g) bound electrons (CsI Compton profiles, impulse approximation), legs;
  (g') bound electrons, legs, with the electron's b taken at the pair's actual (bound) s before the
       electron radiates (the convention; (g) is the variant with both legs' b at the at-rest s'').

Positron's leg: the positron radiates (W_h, b = beta(s'')/2) before annihilating at E''; the photon is
seen, so the cut is on E'': E'' + m_e >= 0.95 E; track length f_rad(Lambda) = int dt W_h(1-e^-t) f(Lambda-t).
Electron's leg: unseen, sigma_e(s'') = int dx W_h(x) sigma_0(s''(1-x)), b = beta(s'')/2, s'' at rest.
Yield N = PREF int dE'' K_rad(E'') sigma_e(s''); bound electrons: core.py's I(eps) with K_rad and sigma_e.
(g'): I(eps) = int dE'' K_rad(E'') sigma_e(s), s = 2 m_e^2 + 2 eps E'', sigma_e(s) with b = beta(s)/2 at that
same s (the 1-D table of (f), over the bound s range); the positron's leg (K_rad) keeps b = beta(s''_at-rest)/2.

Numerics in legs_core.py; everything else from core.py and ../dpt_reference.py (as realistic_reference.py).
Writes legs_reference.json next to this file.  Usage:  python3 legs_reference.py   (2 worker processes)
    python3 legs_reference.py --reuse   # (f), (g) and their checks loaded from the existing legs_reference.json;
                                        # computes (g') (+ (g) again at the standard settings, as a check of the load)
"""
import json
import math
import os
import sys
import time
import warnings
from multiprocessing import Pool

import mpmath as mp
import numpy as np
import scipy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import core as C  # noqa: E402
import legs_core as L  # noqa: E402

D = C.D
AD = 1e-3
warnings.filterwarnings("ignore")
G = {}
# data/atomic/ of the repository (tools/reference/realistic/../../..), or $DARKSENS_ROOT for a
# copy of this folder elsewhere
DATA_ROOT = os.environ.get("DARKSENS_ROOT", os.path.normpath(os.path.join(HERE, "..", "..", "..")))

MASSES_G = [40.0, 50.0, 60.0, 64.0, 66.0, 67.0, 70.0, 75.0, 80.0, 85.0, 90.0]
MASSES_F = [40.0, 50.0, 60.0, 64.0, 66.3, 67.2, 70.0, 75.0, 80.0, 85.0, 90.0]
CHECK_F = [60.0, 67.2, 75.0, 85.0]          # method B (adaptive + QUADPACK sigma_e) and refinement
CHECK_G = [60.0, 67.0, 80.0]                # refinement of every table
JSON_VIS = [66.72132, 67.0]                 # masses of realistic_reference.json's isr_photon_counted_visible


def ktab(kappa, fine):
    return G["K"][(kappa, fine)]


def sig_rest(model, kappa_e, fine, s_hi=None):
    """sigma_e(s) with b = kappa_e beta(s)/2 at the same s (1-D table in u). At rest s = s''; for case (g')
    the bound s = 2 m_e^2 + 2 eps E'' (s_hi: upper end of the table)."""
    kw = dict(n=24, du=0.25, grade=16) if fine else {}
    if kappa_e == 0:
        return lambda s, Ep: model.sigma0(s)
    if s_hi is None:
        s_hi = 2 * C.ME * (C.EMAX + C.ME) * 1.0001
    t = L.SigmaUTable(model, model.s_th, s_hi, lambda s: kappa_e * 0.5 * C.beta_isr(s), **kw)
    return lambda s, Ep: t(s)


def sig_2d(model, kappa_e, s_hi, fine):
    """sigma_e(s; b(E'')) for bound electrons: Chebyshev in b over b(E_LO)..b(E_max)."""
    if kappa_e == 0:
        return lambda s, Ep: model.sigma0(s)
    blo = float(L.b_of_Epp(C.E_LO, kappa_e))
    bhi = float(L.b_of_Epp(C.EMAX, kappa_e))
    kw = dict(n=24, du=0.25, grade=16) if fine else {}
    t = L.SigmaE2D(model, model.s_th, s_hi, blo, bhi, nb=8 if fine else 6, **kw)
    return lambda s, Ep: t(s, L.b_of_Epp(np.clip(Ep, C.E_LO, C.EMAX), kappa_e))


def yield_f(m_mev, kp=1, ke=1, fine=False, two_d=False):
    model = C.Model(m_mev * 1e-3, AD)
    if two_d:
        sig = sig_2d(model, ke, 2 * C.ME * (C.EMAX + C.ME) * 1.0001, fine)
    else:
        sig = sig_rest(model, ke, fine)
    kw = dict(n=16, depth=1e-13, du=0.25) if fine else {}
    return C.PREF * float(L.I_legs(np.array([C.ME]), model, ktab(kp, fine), sig, **kw)[0])


def yield_f_B(m_mev, kp=1, ke=1, rtol=1e-9):
    """method B for (f): adaptive Gauss-Legendre (dpt_reference.adaptive_gl) in the Breit-Wigner angle
    theta = atan((s - m^2)/(m Gamma)), sigma_e by QUADPACK (QAWS) at every node, refined K_rad table."""
    model = C.Model(m_mev * 1e-3, AD)
    K = ktab(kp, True)
    m2, mG = model.m ** 2, model.mG
    s_a = max(2 * C.ME * (C.E_LO + C.ME), model.s_th * (1 + 1e-12))
    s_b = 2 * C.ME * (C.EMAX + C.ME)
    th = lambda s: math.atan((s - m2) / mG)

    def f(t):
        s = m2 + mG * np.tan(t)
        Ep = s / (2 * C.ME) - C.ME
        sg = np.array([L.sigma_e_quadpack(model, float(x), ke * 0.5 * float(C.beta_isr(x))) for x in s])
        return K(Ep) * sg * (1 + np.tan(t) ** 2) * mG / (2 * C.ME)
    br = [th(s_a), th(s_b)] + [th(2 * C.ME * (E + C.ME)) for E in (C.EMIN, C.E_K) if s_a < 2 * C.ME * (E + C.ME) < s_b]
    if s_a < m2 < s_b:
        br.append(0.0)
    # grading below the images of E_min and E_max (cusps of K_rad)
    for E in (C.EMIN, C.EMAX):
        sE = 2 * C.ME * (E + C.ME)
        if s_a < sE <= s_b:
            d = 1e-3 * sE
            while d > 1e-14 * sE:
                if sE - d > s_a:
                    br.append(th(sE - d))
                d /= 10
    val, err = D.adaptive_gl(f, br, rtol=rtol, n=16, min_panels=2)
    return C.PREF * val, err / abs(val)


def yield_g(m_mev, kp=1, ke=1, fine=False, bound_s=False):
    """(g): electron's b from the at-rest s'' (2-D sigma_e(s; b(E'')) table);
    (g') (bound_s=True): electron's b = kappa_e beta(s)/2 at the bound s itself (1-D table)."""
    model = C.Model(m_mev * 1e-3, AD)
    lo, hi = C.eps_range(G["shells"])
    e_lo = max(lo, (model.s_th - 2 * C.ME ** 2) / (2 * C.EMAX))
    e_hi = hi
    s_hi = 2 * C.ME ** 2 + 2 * e_hi * C.EMAX
    if bound_s:
        sig = sig_rest(model, ke, fine, s_hi * 1.0001)
    else:
        sig = sig_2d(model, ke, s_hi * 1.0001, fine)
    K = ktab(kp, fine)
    kw = dict(n=16, depth=1e-13, du=0.25) if fine else {}
    Ifun = lambda e: L.I_legs(e, model, K, sig, **kw)
    n, dmax = (12, 0.02) if fine else (10, 0.1)
    It = L.ITableLegs(model, Ifun, e_lo, e_hi, n=n, dmax=dmax)
    yb, _ = C.bound_yield(G["shells"], G["w"], It, It.edges)
    return C.PREF * yb, It.max_err_rel


def job(spec):
    t0 = time.time()
    kind, m = spec[0], spec[1]
    if kind == "f":
        _, m, kp, ke, fine, two_d = spec
        r = yield_f(m, kp, ke, fine, two_d)
    elif kind == "fB":
        _, m, kp, ke = spec
        r = yield_f_B(m, kp, ke)
    elif kind == "g":
        _, m, kp, ke, fine = spec
        r = yield_g(m, kp, ke, fine)
    elif kind == "gp":
        _, m, kp, ke, fine = spec
        r = yield_g(m, kp, ke, fine, bound_s=True)
    elif kind == "sigchk":                      # (g') sigma_e table at bound s vs QUADPACK (QAWS) at random s
        model = C.Model(m * 1e-3, AD)
        lo, hi = C.eps_range(G["shells"])
        s_hi = 2 * C.ME ** 2 + 2 * hi * C.EMAX
        rng = np.random.default_rng(int(m * 10))
        u_lo, u_hi = float(model.u_of_s(model.s_th)), float(model.u_of_s(s_hi))
        uu = np.concatenate([rng.uniform(u_lo, u_hi, 30), rng.uniform(-4, 4, 20), u_lo + 10.0 ** rng.uniform(-8, -1, 10)])
        ss = model.s_of_u(uu)
        ss = ss[(ss > model.s_th) & (ss < s_hi)]
        q = np.array([L.sigma_e_quadpack(model, float(x), 0.5 * float(C.beta_isr(x))) for x in ss])
        ts = sig_rest(model, 1, False, s_hi * 1.0001)(ss, None)
        tf = sig_rest(model, 1, True, s_hi * 1.0001)(ss, None)
        mx = float(np.max(q))
        r = dict(n_points=int(len(ss)), s_range_GeV2=[float(model.s_th), float(s_hi)],
                 table_vs_quadpack_max_abs_rel_to_max=float(np.max(np.abs(ts - q)) / mx),
                 refined_table_vs_quadpack_max_abs_rel_to_max=float(np.max(np.abs(tf - q)) / mx),
                 table_vs_quadpack_max_rel_where_above_1em6_of_max=float(np.max(np.abs(ts / q - 1)[q > 1e-6 * mx])))
    elif kind == "a_core":                      # (a), (b) from core.py's own machinery for 40 MeV
        model = C.Model(m * 1e-3, AD)
        KA = C.KTable(G["Phi"])
        ra = C.PREF * C.I_of_eps(np.array([C.ME]), model, KA, model.sigma0)[0]
        lo, hi = C.eps_range(G["shells"])
        e_lo = max(lo, (model.s_th - 2 * C.ME ** 2) / (2 * C.EMAX))
        It = C.ITable(model, KA, model.sigma0, e_lo, hi, n=10, dmax=0.1)
        rb = C.PREF * C.bound_yield(G["shells"], G["w"], It, It.edges)[0]
        r = (float(ra), float(rb))
    else:
        raise ValueError(kind)
    return spec, r, time.time() - t0


def _init_K(args):
    kappa, fine = args
    return args


def main():
    T0 = time.time()
    reuse = "--reuse" in sys.argv[1:]
    old = json.load(open(os.path.join(HERE, "legs_reference.json"))) if reuse else None
    with Pool(2) as pool:
        tabs = pool.map(D._table_job, [("A", 16.0, 1), ("A", 16.0, 2)])
    G["Phi"] = D.PhiSum(tabs[0], tabs[1])
    G["PR"] = L.PhiRad(G["Phi"])
    L._G["PR"] = G["PR"]
    G["shells"] = C.load_shells((53, 55), root=DATA_ROOT)
    G["w"], _ = C.csi_weights(G["shells"])
    t_tab = time.time() - T0
    print("[Phi tables] %.0f s" % t_tab, flush=True)
    # ---- unit check of PhiRad against QUADPACK in the original variable, and its refinement
    PRr = L.PhiRad(G["Phi"], nj=48, n1=32, n2=24, s_breaks=(0.125, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 22, 26, 33, 40, 50), ntail=4)
    phicheck = []
    for b in (() if reuse else (0.0207, 0.0414)):
        for Lam in (1e-12, 1e-5, 1e-3, 0.01, 0.03, 0.05):
            w = -1 / math.log(Lam)
            v = float(G["PR"](np.array([w]), b)[0])
            q = L.f_rad_quadpack(Lam, b, G["Phi"]) * Lam / w ** 2
            phicheck.append(dict(b=b, Lambda=Lam, Phi_rad=v, refined_rel=float(PRr(np.array([w]), b)[0]) / v - 1,
                                 quadpack_rel=q / v - 1))
    # ---- K_rad tables (kappa_p = 1 legs, 0 none, 2 full beta), standard and refined
    G["K"] = {}
    with Pool(2) as pool:
        klist = ((1, False), (0, False), (1, True)) if reuse else ((1, False), (0, False), (2, False), (1, True), (0, True), (2, True))
        for kp, fine in klist:
            t1 = time.time()
            kw = dict(n=28, nw=28, scale=0.5) if fine else {}
            G["K"][(kp, fine)] = L.KRadTable(kp, G["PR"], pool=pool, **kw)
            print("[K_rad table kappa=%d fine=%s] %d nodes, %.0f s" % (kp, fine, G["K"][(kp, fine)].n_nodes, time.time() - t1), flush=True)
    # K table checks, in the tables' own variables (exact w-limits): standard and refined table against
    # K_rad_direct with the refined w-quadrature, at random omega (below E_min), E'' (E_min..E_K), omega2 (above E_K)
    rng = np.random.default_rng(11)
    K0 = ktab(0, False)
    omI = np.concatenate([rng.uniform(0, K0.om1, 60), np.linspace(0.026, 0.06, 12)])
    omIII = np.concatenate([rng.uniform(0, K0.om2, 60), np.linspace(0.026, 0.06, 12)])
    E2 = rng.uniform(C.EMIN, C.E_K, 60)
    E1 = C.EMIN * np.exp(-C.lam_of_omega(omI))
    E3 = C.EMAX * np.exp(-C.lam_of_omega(omIII))
    lo2, hi2 = C.K_limits(E2)
    hi1 = C.omega_of_lam(np.log((E1 + C.ME) / (C.F_CUT * E1)))

    def direct(kp):
        return np.concatenate([L.K_rad_direct(E1, kp, G["PR"], nw=28, scale=0.5, wlims=(omI, hi1)),
                               L.K_rad_direct(E2, kp, G["PR"], nw=28, scale=0.5, wlims=(lo2, hi2)),
                               L.K_rad_direct(E3, kp, G["PR"], nw=28, scale=0.5, wlims=(np.zeros_like(E3), omIII))])

    def tab(T):
        return np.concatenate([T.tI(omI), T.tIIa(E2), T.tIIb(omIII)])
    kchk = {}
    for kp in (() if reuse else (1, 2, 0)):
        kd = direct(kp)
        kchk["kappa_p=%d" % kp] = dict(table_vs_direct_max_abs_rel_to_max=float(np.max(np.abs(tab(ktab(kp, False)) - kd)) / kd.max()),
                                       refined_table_vs_direct=float(np.max(np.abs(tab(ktab(kp, True)) - kd)) / kd.max()))
    KA = C.KTable(G["Phi"])
    if not reuse:
        kchk["kappa_p=0_table_vs_core_KTable_same_points"] = float(np.max(np.abs(tab(K0) - np.concatenate([KA.tI(omI), KA.tIIa(E2), KA.tIIb(omIII)]))) / KA.tIIa(E2).max())
    print("[K checks]", json.dumps(kchk), flush=True)

    # ---- jobs
    ref = json.load(open(os.path.join(HERE, "realistic_reference.json")))
    cols = ref["scan"]["columns"]
    scan = {row[0]: dict(zip(cols, row)) for row in ref["scan"]["rows"]}
    vis = ref["headline"]["isr_photon_counted_visible"]
    # (g'): legs with the electron's b at the bound s; refinement at CHECK_G; sigma_e table vs QUADPACK;
    # sanity: positron's leg off, electron's leg full beta(s) at the bound s = case (d) of realistic_reference.json
    jobs_gp = [("gp", m, 1, 1, False) for m in MASSES_G] + [("gp", m, 1, 1, True) for m in CHECK_G]
    jobs_gp += [("gp", m, 0, 2, False) for m in MASSES_G + JSON_VIS if m in scan or m in JSON_VIS]
    jobs_gp += [("gp", m, 1, 1, False) for m in JSON_VIS] + [("sigchk", m) for m in CHECK_G]
    if reuse:                                   # (g) again at the standard settings: check of the loaded values
        jobs_gp += [("g", m, 1, 1, False) for m in MASSES_G]
    jobs = []
    for m in MASSES_F:
        jobs.append(("f", m, 1, 1, False, False))
    for m in MASSES_G:
        jobs.append(("g", m, 1, 1, False))
    for m in CHECK_F:
        jobs += [("f", m, 1, 1, True, False), ("fB", m, 1, 1), ("f", m, 1, 1, False, True)]
    for m in CHECK_G:
        jobs.append(("g", m, 1, 1, True))
    # sanity: beta -> 0 (both legs), full beta on the positron only, full beta on the electron only (= case (c))
    for m in MASSES_F:
        jobs.append(("f", m, 0, 0, False, False))
    for m in MASSES_G:
        jobs.append(("g", m, 0, 0, False))
    for m in JSON_VIS + [70.0, 80.0]:
        jobs += [("f", m, 2, 0, False, False), ("f", m, 0, 2, False, False), ("f", m, 1, 1, False, False)]
        jobs += [("g", m, 2, 0, False), ("g", m, 0, 2, False), ("g", m, 1, 1, False)]
    jobs.append(("a_core", 40.0))
    # expensive first
    jobs = [j for j in jobs_gp if j[-1] is True] + ([] if reuse else jobs) + [j for j in jobs_gp if j[-1] is not True]
    jobs = list(dict.fromkeys(jobs))
    R, cpu = {}, {}
    with Pool(2) as pool:
        for spec, r, dt in pool.imap_unordered(job, jobs):
            R[spec] = r
            cpu[repr(spec)] = dt
            print("  %s -> %s  (%.0f s)" % (spec, r, dt), flush=True)
    if os.environ.get("LEGS_R_DUMP"):           # optional: keep the raw job results
        import pickle
        with open(os.environ["LEGS_R_DUMP"], "wb") as fh:
            pickle.dump((R, cpu, t_tab, phicheck, kchk), fh)

    def relerr_claim(vals):
        return max(1e-9, 10 * max(abs(v) for v in vals))

    if not reuse:
        out = {"meta": {
            "description": "Resonant annihilation yield e+ e- -> A' -> invisible, Belle II disappearing positron track "
                           "(DPT arXiv:2212.04252), with initial-state radiation 'each leg as it happens' "
                           "(docs/physics.md §9 Initial-state radiation, *The two legs.*): (f) electrons at rest, (g) bound "
                           "electrons (CsI Compton profiles, impulse approximation). Independent of src/ and tests/.",
            "units": "events per eps^2 (eps = 1) at 50 ab^-1; masses in MeV",
            "model": "alpha_D = 1e-3, m_chi = m/3, finite width (Breit-Wigner of DPT Eq. 4.2-4.3); CsI 16 X0, f = 0.05, "
                     "no cut on small energy losses; track length f1 + f2 (DPT Eq. A.2 + A.3, factor 2) from "
                     "../dpt_reference.py (mpmath 'A' tables), as cases (a)-(d) of realistic_reference.py",
            "conventions": {
                "radiator_per_leg": "W_h(x) = b x^(b-1)(1 + 3b/4) - b(1 - x/2), b = beta/2, beta = (2 alpha/pi)(ln(s/m_e^2) - 1)",
                "b_of_both_legs": "beta at the at-rest s'' = 2 m_e (E'' + m_e), E'' the annihilation energy after the "
                                  "positron radiated (also for bound electrons)",
                "positron_leg": "photon visible: cut E'' + m_e >= 0.95 E; track length in E'': (1/E) f_rad(ln(E/E'')), "
                                "f_rad(L) = int_0^L dt W_h(1 - e^-t) f(L - t)",
                "electron_leg": "unseen: sigma_e(s) = int_0^1 dx W_h(x) sigma_0(s(1-x)); bound: s = 2 m_e^2 + 2 eps E'' "
                                "(eps = E_e - p_z), b from the at-rest s''",
                "yield": "N = PREF int dE'' K_rad(E'') sigma_e(s''); bound: N = PREF sum_n w_n int dp J_n (eps/E_e) I(eps), "
                         "I(eps) = int dE'' K_rad(E'') sigma_e(2 m_e^2 + 2 eps E''; b(E''))",
            },
            "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                         "mpmath": mp.__version__},
            "workers": 2,
        }}
        out["checks_components"] = {"Phi_rad_vs_quadpack_and_refined": phicheck, "K_rad_tables": kchk}
        # ---- case (f)
        cf = {}
        for m in MASSES_F:
            v = R[("f", m, 1, 1, False, False)]
            e = {"value": v}
            if m in CHECK_F:
                vf = R[("f", m, 1, 1, True, False)]
                vB, eB = R[("fB", m, 1, 1)]
                v2 = R[("f", m, 1, 1, False, True)]
                e["check_method"] = ("B: adaptive Gauss-Legendre in the Breit-Wigner angle with sigma_e by QUADPACK (QAWS) "
                                     "at every node and the refined K_rad table; refinement: every table and rule refined; "
                                     "sigma_e through the 2-D (s, b) table of case (g)")
                e["agreement"] = {"method_B_rel": vB / v - 1, "method_B_error_estimate": eB, "refined_rel": vf / v - 1,
                                  "sigma_e_2d_table_rel": v2 / v - 1}
                e["estimated_rel_accuracy"] = relerr_claim([vB / v - 1, vf / v - 1, v2 / v - 1])
            cf["m=%g MeV" % m] = e
        worst = max(cf[k]["estimated_rel_accuracy"] for k in cf if "estimated_rel_accuracy" in cf[k])
        for k in cf:
            if "estimated_rel_accuracy" not in cf[k]:
                cf[k]["estimated_rel_accuracy"] = worst
                cf[k]["check_method"] = "none at this mass; accuracy: the worst of the checked masses"
        out["case_f_at_rest_legs"] = cf
        # ---- case (g)
        cg = {}
        for m in MASSES_G:
            v, ierr = R[("g", m, 1, 1, False)]
            e = {"value": v, "I_table_interpolation_err_rel": ierr}
            if m in CHECK_G:
                vf, ierrf = R[("g", m, 1, 1, True)]
                e["check_method"] = ("refinement of every table and rule (K_rad: panels halved, 28 nodes; sigma_e: u panels halved, "
                                     "24 nodes, 8 b nodes; I(eps): 12 nodes, panels <= 2%; I_legs: 16 nodes, panels 0.25)")
                e["agreement"] = {"refined_rel": vf / v - 1}
                e["estimated_rel_accuracy"] = relerr_claim([vf / v - 1, ierr])
            cg["m=%g MeV" % m] = e
        worst = max(cg[k]["estimated_rel_accuracy"] for k in cg if "estimated_rel_accuracy" in cg[k])
        for k in cg:
            if "estimated_rel_accuracy" not in cg[k]:
                cg[k]["estimated_rel_accuracy"] = max(worst, 10 * cg[k]["I_table_interpolation_err_rel"])
                cg[k]["check_method"] = "I(eps) table vs direct at panel points; accuracy: the worst of the checked masses"
        out["case_g_bound_legs"] = cg
        # ---- sanity checks
        san = {"beta_0_reproduces_a_b": {}, "legs_between_all_seen_and_all_unseen": {}}
        a40, b40 = R[("a_core", 40.0)]
        for m in sorted(set(MASSES_F + MASSES_G)):
            d = {}
            if ("f", m, 0, 0, False, False) in R:
                fa = R[("f", m, 0, 0, False, False)]
                ra = scan[m]["N_a_at_rest"] if m in scan else a40
                d["f_beta0"], d["a_ref"], d["rel"] = fa, ra, fa / ra - 1
                d["a_ref_source"] = "realistic_reference.json scan" if m in scan else "core.py I_of_eps (not in the JSON scan)"
            if ("g", m, 0, 0, False) in R:
                gb = R[("g", m, 0, 0, False)][0]
                rb = scan[m]["N_b_bound"] if m in scan else b40
                d["g_beta0"], d["b_ref"], d["rel_g"] = gb, rb, gb / rb - 1
            san["beta_0_reproduces_a_b"]["m=%g MeV" % m] = d
        for m in JSON_VIS + [70.0, 80.0]:
            key = "m=%g MeV" % m
            f11 = R[("f", m, 1, 1, False, False)]
            f20 = R[("f", m, 2, 0, False, False)]
            f02 = R[("f", m, 0, 2, False, False)]
            g11 = R[("g", m, 1, 1, False)][0]
            g20 = R[("g", m, 2, 0, False)][0]
            g02 = R[("g", m, 0, 2, False)][0]
            d = {"f_legs": f11, "f_positron_full_beta": f20, "f_electron_full_beta": f02,
                 "g_legs": g11, "g_positron_full_beta": g20, "g_electron_full_beta": g02}
            vk = [k for k in vis if abs(float(k.split("=")[1].split()[0]) - m) < 1e-6]
            if m in scan or vk:
                c_un = vis[vk[0]]["N_c"] if vk else scan[m]["N_c_isr"]
                d_un = vis[vk[0]]["N_d"] if vk else scan[m]["N_d_bound_isr"]
                d["c_all_unseen_json"], d["d_all_unseen_json"] = c_un, d_un
                d["f_electron_full_beta_over_c"] = f02 / c_un
                d["g_electron_full_beta_over_d"] = g02 / d_un
            if vk:
                c_se, d_se = vis[vk[0]]["N_c_isr_photon_visible"], vis[vk[0]]["N_d_isr_photon_visible"]
                d["c_all_seen_json"], d["d_all_seen_json"] = c_se, d_se
                d["f_positron_full_beta_over_c_all_seen"] = f20 / c_se
                d["g_positron_full_beta_over_d_all_seen"] = g20 / d_se
                d["f_between"] = bool(min(c_se, c_un) <= f11 <= max(c_se, c_un))
                d["g_between"] = bool(min(d_se, d_un) <= g11 <= max(d_se, d_un))
                d["f_position_(legs-seen)/(unseen-seen)"] = (f11 - c_se) / (c_un - c_se)
                d["g_position_(legs-seen)/(unseen-seen)"] = (g11 - d_se) / (d_un - d_se)
            san["legs_between_all_seen_and_all_unseen"][key] = d
        san["note"] = ("beta_0: both radiators off (kappa = 0) through the legs code (K_rad table, I_legs, I(eps) table): "
                       "reproduces (a), (b). electron_full_beta: positron leg off, electron leg with the full beta: at rest "
                       "this is exactly case (c) (beta at s'' = s); bound it differs from (d) only by beta taken at the at-rest s''. "
                       "positron_full_beta: electron leg off, positron leg with the full beta and the photon visible: the "
                       "'isr_photon_counted_visible' variant (whose correction is computed in the narrow-width limit, 1e-4, "
                       "and whose beta is taken at s before radiation).")
        out["sanity_checks"] = san
    else:
        out = old
        cf, cg, san = old["case_f_at_rest_legs"], old["case_g_bound_legs"], old["sanity_checks"]
        out["runtime_s_previous_full_run"] = old.pop("runtime_s")
    # ---- conventions of (g') in the meta block
    cv = out["meta"]["conventions"]
    cv["b_of_both_legs"] = ("(f), (g): beta at the at-rest s'' = 2 m_e (E'' + m_e), E'' the annihilation energy after the "
                            "positron radiated (also for bound electrons). (g'): the same for the positron's leg; the "
                            "electron's leg takes beta at the pair's actual s before the electron radiates, the bound "
                            "s = 2 m_e^2 + 2 eps E'' (as case (d) of realistic_reference.py)")
    cv["electron_leg"] = ("unseen: sigma_e(s) = int_0^1 dx W_h(x) sigma_0(s(1-x)); bound: s = 2 m_e^2 + 2 eps E'' "
                          "(eps = E_e - p_z); (g): b from the at-rest s''; (g'): b = beta(s)/2 at that same bound s")
    cv["yield"] = ("N = PREF int dE'' K_rad(E'') sigma_e(s''); bound: N = PREF sum_n w_n int dp J_n (eps/E_e) I(eps), "
                   "(g): I(eps) = int dE'' K_rad(E'') sigma_e(2 m_e^2 + 2 eps E''; b(E'')); "
                   "(g'): I(eps) = int dE'' K_rad(E'') sigma_e(2 m_e^2 + 2 eps E''), b = beta(s)/2 at the bound s")
    cv["case_g_prime_is_the_convention"] = ("(g') = case_g_bound_legs_beta_at_bound_s is the convention (electron's leg "
                                            "at the actual s, positron's leg at the at-rest s''); (g) is the variant "
                                            "with both legs at the at-rest s''")
    out["meta"]["description"] = out["meta"]["description"].replace(
        "(g) bound electrons (CsI Compton profiles, impulse approximation).",
        "(g) bound electrons (CsI Compton profiles, impulse approximation), both legs' beta at the at-rest s''; "
        "(g') bound electrons, electron's leg beta at the actual bound s (the convention).")
    # ---- case (g')
    cgp = {}
    for m in MASSES_G:
        v, ierr = R[("gp", m, 1, 1, False)]
        key = "m=%g MeV" % m
        e = {"value": v, "I_table_interpolation_err_rel": ierr, "rel_to_case_g": v / cg[key]["value"] - 1}
        if m in CHECK_G:
            vf, ierrf = R[("gp", m, 1, 1, True)]
            e["check_method"] = ("refinement of every table and rule (K_rad: panels halved, 28 nodes; sigma_e(s) at the "
                                 "bound s: u panels halved, 24 nodes; I(eps): 12 nodes, panels <= 2%; I_legs: 16 nodes, "
                                 "panels 0.25)")
            e["agreement"] = {"refined_rel": vf / v - 1, "refined_I_table_interpolation_err_rel": ierrf}
            e["estimated_rel_accuracy"] = relerr_claim([vf / v - 1, ierr])
        if reuse:
            e["case_g_recomputed_rel_to_stored"] = R[("g", m, 1, 1, False)][0] / cg[key]["value"] - 1
        cgp[key] = e
    worst = max(cgp[k]["estimated_rel_accuracy"] for k in cgp if "estimated_rel_accuracy" in cgp[k])
    for k in cgp:
        if "estimated_rel_accuracy" not in cgp[k]:
            cgp[k]["estimated_rel_accuracy"] = max(worst, 10 * cgp[k]["I_table_interpolation_err_rel"])
            cgp[k]["check_method"] = "I(eps) table vs direct at panel points; accuracy: the worst of the checked masses"
    sgp = {"sigma_e_bound_s_table_vs_quadpack": {"m=%g MeV" % m: R[("sigchk", m)] for m in CHECK_G},
           "electron_full_beta_positron_off_reproduces_d": {}, "legs_between_all_seen_and_all_unseen": {}}
    for m in MASSES_G + JSON_VIS:
        if ("gp", m, 0, 2, False) not in R:
            continue
        vk = [k for k in vis if abs(float(k.split("=")[1].split()[0]) - m) < 1e-6]
        dref = scan[m]["N_d_bound_isr"] if m in scan else vis[vk[0]]["N_d"]
        v = R[("gp", m, 0, 2, False)][0]
        sgp["electron_full_beta_positron_off_reproduces_d"]["m=%g MeV" % m] = {
            "gprime_kp0_ke_full": v, "d_json": dref, "rel": v / dref - 1,
            "d_source": "realistic_reference.json scan N_d_bound_isr" if m in scan else "realistic_reference.json headline isr_photon_counted_visible N_d"}
    for m in JSON_VIS:
        vk = [k for k in vis if abs(float(k.split("=")[1].split()[0]) - m) < 1e-6][0]
        d_se, d_un = vis[vk]["N_d_isr_photon_visible"], vis[vk]["N_d"]
        v = R[("gp", m, 1, 1, False)][0]
        sgp["legs_between_all_seen_and_all_unseen"]["m=%g MeV" % m] = {
            "gprime_legs": v, "d_all_seen_json": d_se, "d_all_unseen_json": d_un,
            "between": bool(min(d_se, d_un) <= v <= max(d_se, d_un)), "position_(legs-seen)/(unseen-seen)": (v - d_se) / (d_un - d_se)}
    sgp["note"] = ("(g') with the positron's leg off (kappa_p = 0: the K table of (a)-(d)) and the electron's leg with the "
                   "full beta(s) at the bound s is case (d) of realistic_reference.py (sigma_ISR with beta at the s before "
                   "radiation), computed through the legs code (KRadTable, SigmaUTable, I_legs, ITableLegs).")
    san["case_g_prime"] = sgp
    keys = list(out.keys())
    new = {}
    for k in keys:
        new[k] = out[k]
        if k == "case_g_bound_legs":
            new["case_g_bound_legs_beta_at_bound_s"] = cgp
    out = new
    out["runtime_s"] = {"total": time.time() - T0, "Phi_tables": t_tab, "cpu_by_job": cpu,
                        "mode": "--reuse: (f), (g) loaded from the previous JSON" if reuse else "full"}
    with open(os.path.join(HERE, "legs_reference.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    print("\n=== (f) at rest, legs ===")
    for k, e in cf.items():
        print("%-12s %.9e  acc %.1e  %s" % (k, e["value"], e["estimated_rel_accuracy"], json.dumps(e.get("agreement", ""))))
    print("=== (g) bound, legs ===")
    for k, e in cg.items():
        print("%-12s %.9e  acc %.1e  %s" % (k, e["value"], e["estimated_rel_accuracy"], json.dumps(e.get("agreement", ""))))
    print("=== (g') bound, legs, electron's beta at the bound s ===")
    for k, e in cgp.items():
        print("%-12s %.9e  acc %.1e  vs (g) %+.3e  %s" % (k, e["value"], e["estimated_rel_accuracy"], e["rel_to_case_g"],
                                                        json.dumps(e.get("agreement", ""))))
    print(json.dumps(san if not reuse else sgp, indent=1))
    print("runtime %.0f s" % (time.time() - T0))


if __name__ == "__main__":
    main()
