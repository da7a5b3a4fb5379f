#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
Independent reference: BREMSSTRAHLUNG yield N_bre (e- N -> e- N A', DPT Eq. 4.5-4.7) of the
ELECTRON control sample ("disappearing electron track", DPT Sec. 4;
configs/belle2_control_electron.toml), per eps^2, at m_A' = 1, 10, 66.72, 100, 300, 1000 MeV,
with the positron sample's N_bre at the same masses and the ratio electron/positron.

Conventions (docs/physics.md; see also CONTROL_BREM_README.md):
  * Source: the final-state electron of Bhabha scattering in the same barrel window 32.2-128.7 deg
    (same E_min-E_max), spectrum DPT Eq. 2.1-2.2 with 1 + cos theta* -> 1 - cos theta*
    (docs/physics.md §2.1, "Control sample"; dpt_reference.dsig_dE_electron).
  * Bremsstrahlung track length: that of the INCIDENT species itself (the electron), first plus
    second generation, f1 + f2 (docs/physics.md §3.1 table: "the incident species, for
    bremsstrahlung | either | f1 + f2 (same-species)"; docs/validation.md §6: "bremsstrahlung is
    computed with the electron's own track length as before"; the config's comment: "bremsstrahlung
    is unchanged"), over target.brem_thickness_x0 = 1 X0 (docs/physics.md §3.1 and §5 "Contract,
    thickness"). In the Tsai-Whitis model I1 and I2 do not depend on the charge of the primary, so
    this is exactly the positron sample's brem track length: f1 + f2(T = 1) with the factor 2 of
    Eq. A.3 (target.second_generation = "tsai-whitis-pairs", multiplicity 2 by default).
    The annihilation-only rule "f2 only" (Eq. A.4) does NOT apply to bremsstrahlung.
  * Cut: E_A' >= (1 - f) E with f = target.max_visible_fraction = 0.05, E_A' <= min(E', E - m_e),
    E' from E_A' to E (x -> 1 allowed; docs/physics.md §5 "Contract, limits", §6b).
  * delta = target.min_energy_loss_fraction: not set in the config -> default 0 (exact; §6b).
  * CsI, n_N = density of formula units multiplying phi_Cs + phi_I (§5 "Contract, density"),
    50 ab^-1; the model's alpha_D, m_chi and target.atomic_electrons / initial_state_radiation /
    thickness_x0 (16 X0) enter only the annihilation yield, not N_bre.
So the ONLY change against the positron sample's N_bre is the source spectrum.

Methods: generic copies of dpt_reference.py's n_bre_A and n_bre_B_indep (and Psi_bre) in which
the hard-wired positron spectrum (dsig_dE / _dsig_s) is a parameter; nothing else is changed.
  A: (E, w, y) Gauss-Legendre, track length from the mpmath w-table of Phi = (f1+f2) lambda/w^2
     (T = 1), phi_N from mpmath; run at two settings (the finer is method_A).
  B: lambda = ln(E/E') outermost (scipy quad), E (scipy quad), printed E_A' kernel on graded GL
     panels; f1 from the printed t integral / the exact u-interchange near lambda = 0; f2 from the
     ln(lambda) table built from the printed (t, x) double integral; phi_N from scipy. Run at
     rtol 1e-10 (method_B, the value) and refined (rtol 1e-12, 30 spike nodes).
Check: the same generic copies with the positron spectrum reproduce the stored positron N_bre of
dpt_reference.json (yields['alphaD=0.001,delta=0'], which does not depend on alpha_D).

Usage: python3 control_brem_reference.py      (writes control_brem_reference.json next to this file)
"""
import json
import math
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
from numpy.polynomial import chebyshev as NPC
from scipy import integrate, special

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dpt_reference as dr  # noqa: E402  (constants, spectra, track-length and phi tables)

MASSES_MEV = [1.0, 10.0, 66.72, 100.0, 300.0, 1000.0]
CONFIG = os.path.normpath(os.path.join(HERE, "..", "..", "configs", "belle2_control_electron.toml"))
SPECTRA = {"electron": (dr.dsig_dE_electron, dr._dsig_electron_s),
           "positron": (dr.dsig_dE, dr._dsig_s)}


# =====================================================================================
# Conventions from the scenario file (read only; embedded fallback if it is not there)
# =====================================================================================
def scenario_conventions():
    want = {"particle": "electron", "material": "CsI", "thickness_x0": 16.0, "brem_thickness_x0": 1.0,
            "max_visible_fraction": 0.05, "min_energy_loss_fraction": 0.0,
            "second_generation": "tsai-whitis-pairs", "electron_energy_gev": 7.0, "positron_energy_gev": 4.0,
            "luminosity_ab": 50.0, "theta_min_deg": 32.2, "theta_max_deg": 128.7}
    got = dict(want)
    src = "embedded (config file not found)"
    if os.path.exists(CONFIG):
        import tomllib
        with open(CONFIG, "rb") as fh:
            c = tomllib.load(fh)
        s, t = c["source"], c["target"]
        got = {"particle": s.get("particle", "positron"), "material": t["material"],
               "thickness_x0": float(t["thickness_x0"]), "brem_thickness_x0": float(t.get("brem_thickness_x0", 1.0)),
               "max_visible_fraction": float(t["max_visible_fraction"]),
               "min_energy_loss_fraction": float(t.get("min_energy_loss_fraction", 0.0)),
               "second_generation": t.get("second_generation", "positrons"),
               "electron_energy_gev": float(s["electron_energy_gev"]), "positron_energy_gev": float(s["positron_energy_gev"]),
               "luminosity_ab": float(s["luminosity_ab"]), "theta_min_deg": float(s["theta_min_deg"]),
               "theta_max_deg": float(s["theta_max_deg"])}
        src = CONFIG
        bad = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
        if bad:
            raise RuntimeError("config differs from what this reference implements: %r" % bad)
    # the same values as hard-wired in dpt_reference.py
    assert dr.T_BRE == got["brem_thickness_x0"] and dr.T_ANN == got["thickness_x0"]
    assert dr.F_VIS == got["max_visible_fraction"] and dr.LUMI == got["luminosity_ab"] * 1e42
    assert (dr.E_MINUS, dr.E_PLUS) == (got["electron_energy_gev"], got["positron_energy_gev"])
    return got, src


# =====================================================================================
# Generic copies of dpt_reference's brem functions: the spectrum is a parameter.
# Bodies are those of dpt_reference.n_bre_A / Psi_bre / n_bre_B_indep, dsig_dE -> dsig.
# =====================================================================================
def n_bre_A_gen(m, delta, Phi1, phiA, dsig, nE=32, nw=20, ny=16, npan=4):
    """N_bre per eps^2, method A [DPT Eq. 4.5-4.7] (copy of dr.n_bre_A with the spectrum dsig)."""
    kap = dr.ME * dr.ME / (m * m)
    lam0 = math.log(1 / 0.95)
    lam_d = -math.log1p(-delta) if delta > 0 else 0.0
    xe, we = dr.gl(nE // 2)
    x, wt = dr.gl(nw)
    tot = 0.0
    EMIN, EMAX, ME = dr.EMIN, dr.EMAX, dr.ME
    for (ea, eb) in ((EMIN, (EMIN + EMAX) / 2), ((EMIN + EMAX) / 2, EMAX)):
        for xi, wi in zip(xe, we):
            E = (ea + eb) / 2 + (eb - ea) / 2 * xi
            lam_k = -math.log1p(-ME / E)
            br = {lam_d, lam_k, lam0}
            for j in np.arange(0, 12, 0.5):
                dl = kap * 10 ** j
                if dl < 0.3 * lam0:
                    br.add(math.log((1 - dl) / 0.95))
                if dl < 0.3 * lam_k:
                    br.add(lam_k - dl)
                    br.add(lam_k + dl)
            for q in (1e-12, 1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 2e-2, 3e-2, 4e-2):
                br.add(q)
            br = np.array(sorted(b for b in br if lam_d <= b <= lam0))
            wb = dr.w_of_lam(br)
            a, b = wb[:-1], wb[1:]
            c, h = (a + b) / 2, (b - a) / 2
            W = (c[:, None] + h[:, None] * x[None, :]).ravel()
            WT = (h[:, None] * wt[None, :]).ravel()
            lam = dr.lam_of_w(W)
            Ep = E * np.exp(-lam)
            xlo = 0.95 * np.exp(lam)
            xhi = np.minimum(1.0, (1 - ME / E) * np.exp(lam))
            val = Phi1(W) * np.exp(-lam) * phiA(Ep) * dr.H_x(xlo, xhi, m, ny, npan)
            tot += (eb - ea) / 2 * wi * dsig(E) * (val * WT).sum()
    return dr.PREF_BRE * tot


def Psi_bre_gen(lam, m, phiB, dsig_s, rtol=1e-12):
    """Psi(lambda) = e^-lambda int dE dsigma/dE phi(E e^-lambda) H (copy of dr.Psi_bre, spectrum dsig_s)."""
    ME, EMIN, EMAX = dr.ME, dr.EMIN, dr.EMAX
    em1 = math.expm1(lam)
    zhi = 0.05 - 0.95 * em1
    if zhi <= 0:
        return 0.0
    kap = ME * ME / (m * m)
    elam = math.exp(-lam)

    def g(E):
        zlo = max(0.0, -(em1 - ME / E * (1 + em1)))
        if zlo >= zhi:
            return 0.0
        return dsig_s(E) * float(phiB(np.array([E * elam]))[0]) * dr.H_graded(zlo, zhi, m)
    pts = []
    one_m = -math.expm1(-lam)
    for zeta in [0.0] + [kap * 10.0 ** j for j in range(-2, 5)]:
        den = one_m + zeta * elam
        if den > 0 and EMIN < ME / den < EMAX:
            pts.append(ME / den)
    return elam * integrate.quad(g, EMIN, EMAX, points=sorted(set(pts)) or None, epsabs=0,
                                 epsrel=rtol, limit=400)[0]


def n_bre_B_gen(m, delta, f2tab1, phiB, dsig_s, rtol=1e-10, n_spike=20, rtol_psi=1e-12):
    """N_bre per eps^2, method B [DPT Eq. 4.5-4.7] (copy of dr.n_bre_B_indep, spectrum dsig_s)."""
    T = dr.T_BRE
    ME, EMIN, EMAX, B1 = dr.ME, dr.EMIN, dr.EMAX, dr.B1
    lam_d = -math.log1p(-delta) if delta > 0 else 0.0
    lam0 = -math.log(0.95)
    kap = ME * ME / (m * m)
    lk_max = -math.log1p(-ME / EMAX)
    lk_min = -math.log1p(-ME / EMIN)
    a = 0.5 * lk_max
    spike = 0.0
    psi = lambda l: Psi_bre_gen(l, m, phiB, dsig_s, rtol_psi)
    if lam_d < a:
        n = n_spike
        xc = np.cos(np.pi * (np.arange(n) + 0.5) / n)
        vals = np.array([psi(a * (1 + x) / 2) for x in xc])
        cf = NPC.chebfit(xc, vals, n - 1)
        P = lambda l: NPC.chebval(2 * np.asarray(l) / a - 1, cf)
        P0 = float(P(0.0))

        def uint(u):
            if u == 0:
                return P0
            xj, wj = special.roots_jacobi(20, 0.0, u)
            lj = a * (1 + xj) / 2
            gj = float(wj @ ((P(lj) - P0) / lj)) * (a / 2) ** (u + 1)
            return (P0 * a ** u + u * gj) / math.gamma(1 + u)
        s1 = integrate.quad(uint, 0, B1 * T, points=[1e-4, 1e-2, 0.1, 0.5], epsabs=0, epsrel=1e-13,
                            limit=200)[0] / B1
        la = math.log(a)
        xg, wg = dr.gl(16)
        e = np.linspace(la - 40, la, 11)
        c_, h_ = (e[:-1] + e[1:]) / 2, (e[1:] - e[:-1]) / 2
        L = (c_[:, None] + h_[:, None] * xg[None, :]).ravel()
        W = (h_[:, None] * wg[None, :]).ravel()
        lam = np.exp(L)
        spike = s1 + float((W * lam * f2tab1(lam) * P(lam)).sum())
    lo = max(lam_d, a)
    pts = [lk_max, lk_min] + [math.log((1 - kap * 10.0 ** j) / 0.95) for j in range(-2, 8) if kap * 10.0 ** j < 0.04]
    pts += [lk_min + kap * 10.0 ** j for j in range(-1, 2)] + [lk_max - kap * 10.0 ** j for j in range(-1, 2)]
    pts = sorted(set(p for p in pts if lo < p < lam0))
    reg = integrate.quad(lambda l: (dr.f1_printed(l, T) + float(f2tab1(np.array([l]))[0])) * psi(l),
                         lo, lam0, points=pts, epsabs=0, epsrel=rtol, limit=400)[0]
    return dr.PREF_BRE * (spike + reg)


# =====================================================================================
# Jobs (pool of 2 workers)
# =====================================================================================
def job(spec):
    t0 = time.time()
    kind = spec[0]
    if kind in ("table", "f2log"):
        r = dr._job(spec)[0]
    elif kind == "phi":
        r = dr.phi_tables(spec[1])
    elif kind == "B":
        _, sample, m, f2t, phiB = spec
        r = n_bre_B_gen(m, 0.0, f2t, phiB, SPECTRA[sample][1])
    elif kind == "Bref":
        _, sample, m, f2t, phiB = spec
        r = n_bre_B_gen(m, 0.0, f2t, phiB, SPECTRA[sample][1], rtol=1e-12, n_spike=30, rtol_psi=1e-13)
    elif kind == "A":
        _, sample, m, Phi1, phiA = spec
        dsig = SPECTRA[sample][0]
        r = (n_bre_A_gen(m, 0.0, Phi1, phiA, dsig, nE=48, nw=32, ny=24, npan=6),
             n_bre_A_gen(m, 0.0, Phi1, phiA, dsig),
             n_bre_A_gen(m, 0.0, Phi1, phiA, dsig, nE=64, nw=40, ny=32, npan=8))
    else:
        raise ValueError(kind)
    return r, time.time() - t0


def main():
    T0 = time.time()
    conv, conv_src = scenario_conventions()
    stored = json.load(open(os.path.join(HERE, "dpt_reference.json")))
    ystore = stored["yields"]["alphaD=0.001,delta=0"]
    sig_e = stored["control_sample"]["sigma_electron_window_pb"]
    sig_p = stored["bhabha"]["sigma_bhabha_pb"]["value"]

    # ---- phase 1: track-length tables at T = brem_thickness_x0 = 1 and phi_N tables per mass
    T = dr.T_BRE
    jobs = [("table", "A", T, 1), ("table", "A", T, 2)] + [("f2log", T, k) for k in range(len(dr.F2_EDGES) - 1)]
    jobs += [("phi", mm * 1e-3) for mm in MASSES_MEV]
    with Pool(2) as pool:
        res = pool.map(job, jobs, chunksize=1)
    R = {j: r for j, (r, _) in zip(jobs, res)}
    t_phase1 = time.time() - T0
    print("[phase 1] tables %.0f s" % t_phase1, flush=True)
    PhiA1 = dr.PhiSum(R[("table", "A", T, 1)], R[("table", "A", T, 2)])
    f2t1 = dr.F2LogTable(T, values=[R[("f2log", T, k)] for k in range(len(dr.F2_EDGES) - 1)])
    phit = {mm: R[("phi", mm * 1e-3)] for mm in MASSES_MEV}

    # ---- phase 2: yields, both samples, methods A and B (+ refined B)
    jobs2 = []
    for sample in ("electron", "positron"):
        for mm in MASSES_MEV:
            m = mm * 1e-3
            jobs2 += [("Bref", sample, m, f2t1, phit[mm][1]), ("B", sample, m, f2t1, phit[mm][1]),
                      ("A", sample, m, PhiA1, phit[mm][0])]
    jobs2.sort(key=lambda j: {"Bref": 0, "B": 1, "A": 2}[j[0]])
    with Pool(2) as pool:
        res2 = pool.map(job, jobs2, chunksize=1)
    R2 = {j[:3]: r for j, (r, _) in zip(jobs2, res2)}
    jt = {"%s %s m=%g" % (j[0], j[1], j[2] * 1e3): dt for j, (_, dt) in zip(jobs2, res2)}
    print("[phase 2] yields %.0f s" % (time.time() - T0 - t_phase1), flush=True)

    out_y, worst = {}, 0.0
    for mm in MASSES_MEV:
        m = mm * 1e-3
        row = {}
        for sample in ("electron", "positron"):
            b, bref = R2[("B", sample, m)], R2[("Bref", sample, m)]
            a, a_coarse, a_fine = R2[("A", sample, m)]
            rAB = dr.rel(a, b)
            acc = max(2 * rAB, 2 * dr.rel(b, bref), dr.rel(a, a_coarse), dr.rel(a, a_fine), 1e-12)
            worst = max(worst, rAB, dr.rel(b, bref))
            row[sample] = {"value": b, "method_A": a, "method_B": b, "rel_diff_A_B": rAB,
                           "method_B_refined": bref, "rel_diff_B_Brefined": dr.rel(b, bref),
                           "method_A_coarse": a_coarse, "method_A_finer": a_fine,
                           "rel_diff_A_Acoarse": dr.rel(a, a_coarse), "rel_diff_A_Afiner": dr.rel(a, a_fine),
                           "rel_accuracy_claimed": float("%.1e" % acc)}
        ps = ystore["m=%g MeV" % mm]["N_bre"]
        row["positron"]["stored_dpt_reference_value"] = ps["value"]
        row["positron"]["rel_diff_recomputed_vs_stored"] = dr.rel(row["positron"]["value"], ps["value"])
        if row["positron"]["rel_diff_recomputed_vs_stored"] > 1e-12:
            raise RuntimeError("positron N_bre at %g MeV: recomputed %r, stored %r" % (mm, row["positron"]["value"], ps["value"]))
        e, p = row["electron"], row["positron"]
        out_y["m=%g MeV" % mm] = {
            "N_bre_electron": e, "N_bre_positron": p,
            "ratio_electron_over_positron": {"value": e["value"] / p["value"],
                                             "method_A": e["method_A"] / p["method_A"],
                                             "method_B": e["method_B"] / p["method_B"],
                                             "rel_diff_A_B": dr.rel(e["method_A"] / p["method_A"], e["method_B"] / p["method_B"])}}
    if worst > 1e-9:
        raise RuntimeError("methods disagree by %.2e > 1e-9" % worst)

    out = {
        "meta": {
            "description": "N_bre (e N -> e N A', DPT Eq. 4.5-4.7) per eps^2 of the ELECTRON control sample "
                           "(configs/belle2_control_electron.toml, DPT Sec. 4) and of the positron sample, "
                           "dark photon, CsI, 50 ab^-1; value = method B.",
            "python": sys.version.split()[0], "numpy": np.__version__, "scipy": __import__("scipy").__version__,
            "mpmath": dr.mp.__version__, "runtime_s": None, "workers": 2,
            "scenario_values_used": conv, "scenario_values_source": conv_src,
            "conventions": [
                "Source: final-state electron of Bhabha scattering, same barrel window 32.2-128.7 deg (E in "
                "[%.12f, %.12f] GeV), DPT Eq. 2.1-2.2 with 1 + cos theta* -> 1 - cos theta* (docs/physics.md §2.1, "
                "'Control sample'); dpt_reference.dsig_dE_electron; window sigma %.10e pb (positron %.10e pb)."
                % (dr.EMIN, dr.EMAX, sig_e, sig_p),
                "Bremsstrahlung track length = the incident electron's OWN track length, first + second generation "
                "f1 + f2 (docs/physics.md §3.1 table: 'the incident species, for bremsstrahlung | either | f1 + f2 "
                "(same-species)'; docs/validation.md §6; scenario.md [source]/[target]), NOT f2 only: Eq. A.4's "
                "'second generation only' applies to the positrons needed for annihilation. In Tsai-Whitis I1, I2 "
                "do not depend on the primary's charge, so this equals the positron sample's brem track length.",
                "Depth: target.brem_thickness_x0 = 1 X0 (config; docs/physics.md §3.1 and §5 'Contract, "
                "thickness'); target.thickness_x0 = 16 only enters annihilation.",
                "Second generation: Eq. A.3 with the factor 2 (target.second_generation = 'tsai-whitis-pairs', "
                "multiplicity default 2; docs/physics.md §3.1, §6b).",
                "Cut: (1 - f) E <= E_A' <= min(E', E - m_e), f = target.max_visible_fraction = 0.05; E' from E_A' "
                "to E, x -> 1 allowed (docs/physics.md §5 'Contract, limits', §6b).",
                "delta = target.min_energy_loss_fraction = 0 (not set in the config; scenario.md default 0 = "
                "exact, docs/physics.md §6b).",
                "n_N = CsI formula-unit density multiplying phi_Cs + phi_I (docs/physics.md §5 'Contract, density'); "
                "phi_N of DPT Eq. 4.7 with A = 132.905, 126.904.",
                "alpha_D, m_chi, atomic_electrons, initial_state_radiation do not enter N_bre.",
                "The only difference to the positron sample's N_bre is the source spectrum.",
            ],
            "methods": {
                "A": "copy of dpt_reference.n_bre_A (spectrum as parameter): (E, w, y) Gauss-Legendre, track length "
                     "from the mpmath w-table of Phi = (f1+f2) lambda/w^2 (T = 1), phi_N mpmath; method_A at "
                     "nE=48,nw=32,ny=24,npan=6, method_A_coarse at 32/20/16/4, method_A_finer at 64/40/32/8.",
                "B": "copy of dpt_reference.n_bre_B_indep (spectrum as parameter): lambda outermost, E, printed E_A' "
                     "kernel on graded GL panels; f1 printed t integral, u-interchange (Gauss-Jacobi) near lambda=0; "
                     "f2 from the ln(lambda) table of the printed (t, x) double integral; phi_N scipy; method_B at "
                     "rtol 1e-10, method_B_refined at rtol 1e-12 (Psi 1e-13, 30 spike nodes).",
                "check": "the positron values recomputed by the same copies equal dpt_reference.json "
                         "yields['alphaD=0.001,delta=0'][m].N_bre.value (rel_diff_recomputed_vs_stored).",
            },
            "max_rel_diff_between_methods": worst,
        },
        "masses_mev": MASSES_MEV,
        "yields_per_eps2": out_y,
        "headline": {"m_mev": MASSES_MEV,
                     "N_bre_electron": [out_y["m=%g MeV" % mm]["N_bre_electron"]["value"] for mm in MASSES_MEV],
                     "N_bre_positron": [out_y["m=%g MeV" % mm]["N_bre_positron"]["value"] for mm in MASSES_MEV],
                     "ratio_electron_over_positron": [out_y["m=%g MeV" % mm]["ratio_electron_over_positron"]["value"]
                                                      for mm in MASSES_MEV],
                     "sigma_window_ratio_electron_over_positron": sig_e / sig_p},
        "job_time_s": jt,
    }
    out["meta"]["runtime_s"] = time.time() - T0
    with open(os.path.join(HERE, "control_brem_reference.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    print("sigma_e/sigma_p (window) = %.10f" % (sig_e / sig_p))
    print("%8s %22s %22s %14s %9s %9s %9s" % ("m MeV", "N_bre electron", "N_bre positron", "ratio e/p",
                                             "A-B e", "A-B p", "p vs JSON"))
    for mm in MASSES_MEV:
        r = out_y["m=%g MeV" % mm]
        e, p = r["N_bre_electron"], r["N_bre_positron"]
        print("%8g %22.13e %22.13e %14.10f %9.1e %9.1e %9.1e" % (mm, e["value"], p["value"],
              r["ratio_electron_over_positron"]["value"], e["rel_diff_A_B"], p["rel_diff_A_B"],
              p["rel_diff_recomputed_vs_stored"]))
    print("runtime %.0f s" % out["meta"]["runtime_s"])


if __name__ == "__main__":
    main()
