#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
Independent lab-frame reference for the emulsion-detector iDM paper [EMU]: acceptance of a box
and the event-by-event probability that phi1 decays inside it, when every phi1 is boosted from
the e+e- c.m. frame along the electron beam (+z). Written from docs/physics.md §8 (Eq. 4, 12-16,
the geometry contract of §8.7 and the event-by-event decay option of §8.8) only; no Rust source
was read. Writes lab_frame_values.json next to this file. See README.md ("lab_frame.py").

Model point: EMU Table 1, first row: sqrt s = 10.58 GeV, M = 8 GeV, m1 = 4.341 GeV, m2 = 3.65 GeV,
on-shell e+e- -> gamma A', A' -> phi1 phi2 with the A' spin correlation of Eq. 13.

Primary Monte Carlo (no accept-reject, no three-vectors):
  * c.m. event: |cos theta| of the A' by Newton inversion of the exact CDF of Eq. 4 (4 m_e^2
    regulator kept), cos(theta_1*) and phi_1* by safeguarded-Newton inversion of their exact
    conditional CDFs from the Eq. 13 bracket (the inverters are imported from emu_reference.py,
    where they are validated), then E1 from Eq. 14 and cos(theta_1) from Eq. 15 (with Eq. 16).
    The uniform behind cos(theta_1*) is drawn from a mixture (uniform with probability 0.7, else
    concentrated at cos(theta_1*) -> 1, the fastest phi1) and every event carries the weight 1/q
    (<= 1/0.7); see primary_chunk. This resolves the short-lifetime decay probability of the
    backward box, which only the fastest phi1 reach.
  * lab: (E1, p cos theta_1, p sin theta_1) boosted along +z with beta: p_z' = gamma (p_z + beta E1),
    p_T' = p_T. The phi1 azimuth is uniform and independent of everything else (symmetry about the
    beam), so it is not sampled with the event: each event is integrated over the azimuth by
    stratified sampling, K strata on [-Phi, Phi] around the box azimuth, where Phi is the exact
    largest azimuth of any face point, one uniform point per stratum, weight 2 Phi / (2 pi K).
    Events whose lab polar angle lies outside the polar range of the face (exact range from a
    dense grid over the face, plus a margin) contribute zero and are skipped.
  * geometry (contract, docs/physics.md §8.7): face centre D n, n = (sin theta_c, 0, cos theta_c),
    face spanned by theta-hat (half side ha) and phi-hat (half side hb), cuboid of depth 1.32 m
    behind it. In the box frame the ray is t (u.n, u.theta-hat, u.phi-hat); it hits the face if
    u.n > 0 and |D u.theta-hat/u.n| <= ha, |D u.phi-hat/u.n| <= hb; t_in = D/u.n and
    t_out = min((D + depth)/u.n, ha/|u.theta-hat|, hb/|u.phi-hat|).
  * per event: acceptance weight = azimuthal hit fraction; P(l) = azimuthal mean of
    hit * [exp(-t_in/(bg l)) - exp(-t_out/(bg l))], bg = |p_lab|/m1, l = hbar c / Gamma.
    Means and 1-sigma errors from the per-event values (events are i.i.d.).
Cross-check Monte Carlo (fully different route): emu_reference.py's three-vector sampler
(tanh envelope + accept-reject for the A' angle, accept-reject under a bound for Eq. 13, random
A' azimuth, explicit three-vectors), an explicit boost of the four-vector, and a plain hit count
with emu_reference.py's face_hit / box_path (one random azimuth per event, no symmetry used);
and the primary code again with another mixture (alpha = 0.5, k = 8) and another seed.

Usage: nice python3 lab_frame.py [--quick]
"""
import json
import math
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
import scipy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import emu_reference as ER  # noqa: E402  (our own validated c.m. reference; nothing in it is changed)

QUICK = "--quick" in sys.argv
T0 = time.time()
PI = math.pi
HBARC = 1.97326980e-16          # GeV m (as in emu_reference.py and the brief)

# model point [EMU Table 1, first row]
SQRT_S, M_AP, M1, M2 = 10.58, 8.0, 4.341, 3.65
BETA_LAB = 0.2733               # boost of every phi1 along +z (electron beam)
GAMMA_PHI1 = 2.878062962343648e-17   # GeV, total phi1 width at eps = 1e-3, g_D = 0.1 (given input)
WIDTHS = {"Gamma_nominal": GAMMA_PHI1, "Gamma_x10": 10 * GAMMA_PHI1, "Gamma_div10": GAMMA_PHI1 / 10}
DEPTH_M = 1.32
BOXES = {
    # name: distance along the line of sight, polar angle of the face centre, face polar x azimuthal
    "A": {"distance_m": 7.0, "offset_m": 1.0, "hemisphere": "forward", "face_polar_m": 0.2, "face_azimuthal_m": 0.3},
    "B": {"distance_m": 7.0, "offset_m": 1.4, "hemisphere": "forward", "face_polar_m": 0.2, "face_azimuthal_m": 0.4},
    "P30": {"distance_m": 7.0, "offset_m": 7.0 * math.sin(math.radians(30)), "hemisphere": "forward",
            "face_polar_m": 0.2, "face_azimuthal_m": 0.3},
    "P150": {"distance_m": 7.0, "offset_m": 7.0 * math.sin(math.radians(30)), "hemisphere": "backward",
             "face_polar_m": 0.2, "face_azimuthal_m": 0.3},
}
for _b in BOXES.values():
    _t = math.asin(_b["offset_m"] / _b["distance_m"])
    _b["theta_c_rad"] = _t if _b["hemisphere"] == "forward" else PI - _t

# Monte Carlo sizes
CHUNK = 1_000_000                # events per PCG64 stream
BLOCK = 250_000                  # events per vectorised block
N_PRIMARY = 4_000_000 if QUICK else 200_000_000
N_CROSS = 4_000_000 if QUICK else 100_000_000
K_AZ = 32                        # azimuthal strata per event
N_ROBUST = 4_000_000 if QUICK else 50_000_000
SEED_PRIMARY = 20240611
SEED_CROSS = 20240612
SEED_ROBUST = 20240613
N_WCHECK = 4_000_000 if QUICK else 500_000_000   # draws of the weights-only check
SEED_WCHECK = 20240614
ALPHA_MIX, K_FOCUS = 0.7, 4      # primary: cos(theta_1*) mixture (see primary_chunk)
ALPHA_MIX_R, K_FOCUS_R = 0.5, 8  # second importance sampler (robustness of the tail)
BETAS = (BETA_LAB, 0.0)          # the lab frame, and the c.m. sanity check (same events)
NW = len(WIDTHS)


def log(msg):
    print("[%7.1fs] %s" % (time.time() - T0, msg), flush=True)


# ---------------------------------------------------------------------------------------------
# geometry
def box_geom(b):
    thc, D = b["theta_c_rad"], b["distance_m"]
    ha, hb = b["face_polar_m"] / 2, b["face_azimuthal_m"] / 2
    n = np.array([math.sin(thc), 0.0, math.cos(thc)])
    et = np.array([math.cos(thc), 0.0, -math.sin(thc)])
    ep = np.array([0.0, 1.0, 0.0])
    # exact largest |azimuth| of a face point: x = D n + a et + b ep, x_y = b, x_x = D sin thc + a cos thc
    phi_max = math.atan(hb / (D * math.sin(thc) - ha * abs(math.cos(thc))))
    # polar range of the face (dense grid over the whole face) plus a margin
    a, bb = np.meshgrid(np.linspace(-ha, ha, 401), np.linspace(-hb, hb, 401))
    X = D * n[:, None, None] + a[None] * et[:, None, None] + bb[None] * ep[:, None, None]
    th = np.arctan2(np.hypot(X[0], X[1]), X[2])
    return {"thc": thc, "D": D, "ha": ha, "hb": hb, "Phi": 1.001 * phi_max,
            "th_lo": float(th.min()) - 2e-3, "th_hi": float(th.max()) + 2e-3,
            "phi_max_exact": phi_max, "th_face_min": float(th.min()), "th_face_max": float(th.max())}


GEOM = {k: box_geom(b) for k, b in BOXES.items()}


def azimuth_integrals(theta, bg, g, rng, decay_l_over_bg):
    """Stratified azimuthal integration for events of lab polar angle theta and lab beta*gamma bg.
    Returns per-event acceptance weights (azimuthal hit fraction), the per-event decay
    probabilities (one column per width), and max |phi| of a hit / Phi (for a check)."""
    n = len(theta)
    K, Phi = K_AZ, g["Phi"]
    phi = -Phi + (np.arange(K)[None, :] + rng.uniform(0, 1, (n, K))) * (2 * Phi / K)
    st, ct = np.sin(theta)[:, None], np.cos(theta)[:, None]
    sc, cc = math.sin(g["thc"]), math.cos(g["thc"])
    cph = np.cos(phi)
    un = st * sc * cph + ct * cc
    ua = st * cc * cph - ct * sc
    ub = st * np.sin(phi)
    D, ha, hb = g["D"], g["ha"], g["hb"]
    with np.errstate(divide="ignore", invalid="ignore"):
        hit = (un > 0) & (np.abs(D * ua) <= ha * un) & (np.abs(D * ub) <= hb * un)
        t_in = D / un
        t_out = np.minimum(np.minimum((D + DEPTH_M) / un, ha / np.abs(ua)), hb / np.abs(ub))
    wfac = 2 * Phi / (2 * PI * K)
    acc = hit.sum(axis=1) * wfac
    P = np.zeros((n, len(decay_l_over_bg)))
    for j, lob in enumerate(decay_l_over_bg):
        lam_ = (bg * lob)[:, None]
        with np.errstate(invalid="ignore", over="ignore"):
            pr = np.exp(-t_in / lam_) * (-np.expm1(-(t_out - t_in) / lam_))
        P[:, j] = np.where(hit, pr, 0.0).sum(axis=1) * wfac
    phimax = float(np.max(np.where(hit, np.abs(phi), 0.0))) / Phi if n else 0.0
    return acc, P, phimax


# ---------------------------------------------------------------------------------------------
# primary sampler: c.m. kinematics (cos theta_A', cos theta_1*, phi_1*) by CDF inversion
def cm_block(U0, U1, xpos, Uh, U3, s, M, m1, m2, inv):
    """cos(theta_1) [Eq. 15] and E1 [Eq. 14] of phi1 in the c.m. frame. U0, U1: |cos| and sign of the
    A' angle; xpos, Uh: the uniform U2 of cos(theta_1*) given as its side (U2 >= 1/2, i.e. x > 0) and
    Uh = min(U2, 1 - U2) (passed separately so that U2 -> 1 keeps full precision); U3: phi_1*."""
    n = len(U0)
    sqrt_s = math.sqrt(s)
    a, oma, _ = inv.sample_abs(U0)
    c = np.where(U1 < 0.5, -a, a)
    sn = np.sqrt(oma * (2 - oma))
    sp, sm = s + M * M, s - M * M
    P = sp ** 2 + sm ** 2 * c * c
    Q = sm ** 2 + sp ** 2 * c * c
    S = 4 * M * M * s * sn * sn
    R = 4 * M * sqrt_s * sp * sn * c
    # cos(theta_1*) = x from the phi_1*-averaged bracket (P - S/2) - (Q - S/2) x^2, inverted in y = 1 - |x|
    a0, a2 = P - S / 2, Q - S / 2
    Z = 2 * a0 - 2 * a2 / 3
    y, _, ncx = ER._invert_monotone(lambda y, i: y * (S[i] + a2[i] * y * (1 - y / 3)),
                                    lambda y, i: S[i] + a2[i] * y * (2 - y),
                                    Uh * Z, np.zeros(n), np.ones(n), 2 * Uh)
    x = np.where(xpos, 1 - y, y - 1)
    st1 = np.sqrt(y * (2 - y))
    # phi_1* in [0, pi] given (theta, theta_1*): density A0 + B cos - D cos^2
    A0, B, Dd = P - Q * x * x, R * st1 * x, S * st1 * st1
    tot = PI * (A0 - Dd / 2)
    ph, _, ncp = ER._invert_monotone(lambda f, i: A0[i] * f + B[i] * np.sin(f) - Dd[i] * (f / 2 + np.sin(2 * f) / 4),
                                     lambda f, i: A0[i] + B[i] * np.cos(f) - Dd[i] * np.cos(f) ** 2,
                                     U3 * tot, np.zeros(n), np.full(n, PI), U3 * PI)
    cph = np.cos(ph)
    # [EMU Eq. 16], [EMU Eq. 15]
    b1 = math.sqrt(1 - 4 * M * M * m1 * m1 / (M * M + m1 * m1 - m2 * m2) ** 2)
    lon = s - M * M + (s + M * M) * b1 * x
    cos1 = (lon * c - 2 * sqrt_s * M * b1 * st1 * cph * sn) / np.sqrt(4 * s * M * M * b1 * b1 * st1 * st1 + lon * lon)
    cos1 = np.clip(cos1, -1.0, 1.0)
    # [EMU Eq. 14]
    r = 1 + (m1 * m1 - m2 * m2) / (M * M)
    E1 = (s + M * M) / (4 * sqrt_s) * r + (s - M * M) / (4 * sqrt_s) * math.sqrt(r * r - 4 * m1 * m1 / (M * M)) * x
    return cos1, E1, ncx + ncp


def boost_z(cos1, E1, m1, beta):
    """lab polar angle and |p|/m1 after a boost of the four-momentum along +z with velocity beta."""
    p = np.sqrt(np.maximum((E1 - m1) * (E1 + m1), 0.0))
    sin1 = np.sqrt((1 - cos1) * (1 + cos1))
    gam = 1 / math.sqrt(1 - beta * beta)
    pz = gam * (p * cos1 + beta * E1)
    pt = p * sin1
    El = gam * (E1 + beta * p * cos1)
    pl = np.hypot(pz, pt)
    return np.arctan2(pt, pz), pl / m1, float(np.max(np.abs((El - pl) * (El + pl) / (m1 * m1) - 1)))


def zero_sums():
    # per box: [sum w, sum w^2, sum P_j, sum P_j^2, sum w*bg, sum (w*bg)^2, sum w*(w*bg), sum P_j*w]
    return {"w": 0.0, "w2": 0.0, "wbg": 0.0, "wbg2": 0.0, "w_wbg": 0.0,
            "P": np.zeros(NW), "P2": np.zeros(NW), "Pw": np.zeros(NW), "phimax": 0.0,
            "n_in_band": 0, "th_hit_min": 10.0, "th_hit_max": -10.0, "Pmax": np.zeros(NW), "wmax": 0.0}


def primary_chunk(args):
    """One chunk of the primary Monte Carlo. The uniform U2 that fixes cos(theta_1*) is drawn from
    the mixture q(U2) = alpha + (1 - alpha) [U2 > 1/2] (2/k) (2 (1 - U2))^(1/k - 1) (with probability
    alpha uniform, otherwise 1 - U2 = v^k / 2), and every event carries the weight 1/q(U2) <= 1/alpha.
    This puts more events at cos(theta_1*) -> 1, the fastest phi1, which dominate the decay
    probability of short-lived phi1 in boxes that see only slow phi1 (P150 in the lab)."""
    ic, child, n, alpha, kfoc = args
    s = SQRT_S ** 2
    rng = np.random.Generator(np.random.PCG64(child))
    inv = ER.Eq4InverseCDF(s, M_AP)
    lob = [HBARC / G for G in WIDTHS.values()]      # decay length / (beta gamma)
    out = {"n": n, "unconverged": 0, "max_mass_shell_dev": 0.0, "W": 0.0, "W2": 0.0, "W_xpos": 0.0,
           "sums": {beta: {k: zero_sums() for k in BOXES} for beta in BETAS}, "bg_all": {beta: 0.0 for beta in BETAS}}
    for j0 in range(0, n, BLOCK):
        nb = min(BLOCK, n - j0)
        U = rng.uniform(0, 1, (6, nb))
        focus = U[4] >= alpha
        xpos = np.where(focus, True, U[2] >= 0.5)
        Uh = np.where(focus, 0.5 * U[5] ** kfoc, np.minimum(U[2], 1 - U[2]))
        with np.errstate(divide="ignore"):
            q = alpha + (1 - alpha) * np.where(xpos, (2.0 / kfoc) * (2 * Uh) ** (1.0 / kfoc - 1), 0.0)
        W = 1.0 / q
        out["W"] += float(W.sum())
        out["W2"] += float((W * W).sum())
        out["W_xpos"] += float(W[xpos].sum())
        cos1, E1, nc = cm_block(U[0], U[1], xpos, Uh, U[3], s, M_AP, M1, M2, inv)
        out["unconverged"] += nc
        for beta in BETAS:
            th, bg, dev = boost_z(cos1, E1, M1, beta)
            out["max_mass_shell_dev"] = max(out["max_mass_shell_dev"], dev)
            out["bg_all"][beta] += float((W * bg).sum())
            for k in BOXES:
                g = GEOM[k]
                sel = np.nonzero((th >= g["th_lo"]) & (th <= g["th_hi"]))[0]
                acc0, P0, phimax = azimuth_integrals(th[sel], bg[sel], g, rng, lob)
                acc, P = acc0 * W[sel], P0 * W[sel][:, None]
                S_ = out["sums"][beta][k]
                S_["w"] += float(acc.sum())
                S_["w2"] += float((acc * acc).sum())
                wbg = acc * bg[sel]
                S_["wbg"] += float(wbg.sum())
                S_["wbg2"] += float((wbg * wbg).sum())
                S_["w_wbg"] += float((acc * wbg).sum())
                S_["P"] += P.sum(axis=0)
                S_["P2"] += (P * P).sum(axis=0)
                S_["Pw"] += (P * acc[:, None]).sum(axis=0)
                S_["phimax"] = max(S_["phimax"], phimax)
                if len(sel):
                    S_["Pmax"] = np.maximum(S_["Pmax"], P.max(axis=0))
                    S_["wmax"] = max(S_["wmax"], float(acc.max()))
                S_["n_in_band"] += len(sel)
                hs = acc0 > 0
                if hs.any():
                    S_["th_hit_min"] = min(S_["th_hit_min"], float(th[sel][hs].min()))
                    S_["th_hit_max"] = max(S_["th_hit_max"], float(th[sel][hs].max()))
    return out


# ---------------------------------------------------------------------------------------------
# cross-check: three-vector sampler of emu_reference.py, explicit boost, plain hit count
def cross_chunk(args):
    ic, child, n = args
    rng = np.random.Generator(np.random.PCG64(child))
    lob = [HBARC / G for G in WIDTHS.values()]
    out = {"n": n, "boxes": {beta: {k: {"hit": 0, "P": np.zeros(NW), "P2": np.zeros(NW), "bg": 0.0}
                                     for k in BOXES} for beta in BETAS}}
    for j0 in range(0, n, BLOCK):
        nb = min(BLOCK, n - j0)
        ev = ER.sample_onshell_chunk(rng, nb, SQRT_S, M_AP, M1, M2, "corr")
        pvec = ev["u"] * ev["pabs"]
        E = ev["E1"]
        for beta in BETAS:
            gam = 1 / math.sqrt(1 - beta * beta)
            pl = np.stack([pvec[0], pvec[1], gam * (pvec[2] + beta * E)])
            pabs = np.sqrt((pl * pl).sum(axis=0))
            u = pl / pabs
            bg = pabs / M1
            for k in BOXES:
                g = GEOM[k]
                hit, _ = ER.face_hit(u, g["thc"], g["D"], g["ha"], g["hb"])
                idx = np.nonzero(hit)[0]
                t_in, t_out = ER.box_path(u[:, idx], g["thc"], g["D"], g["ha"], g["hb"], DEPTH_M)
                o = out["boxes"][beta][k]
                o["hit"] += len(idx)
                o["bg"] += float(bg[idx].sum())
                for j, l in enumerate(lob):
                    lam_ = bg[idx] * l
                    pr = np.exp(-t_in / lam_) - np.exp(-t_out / lam_)
                    o["P"][j] += pr.sum()
                    o["P2"][j] += (pr * pr).sum()
    return out


def weights_only_chunk(args):
    """E[W] of the cos(theta_1*) mixture alone (same draws as primary_chunk, nothing else): a check of
    the mixture density that is not diluted by the rest of the event."""
    ic, child, n, alpha, kfoc = args
    rng = np.random.Generator(np.random.PCG64(child))
    W1 = W2 = 0.0
    for j0 in range(0, n, BLOCK):
        nb = min(BLOCK, n - j0)
        U = rng.uniform(0, 1, (3, nb))
        focus = U[1] >= alpha
        xpos = np.where(focus, True, U[0] >= 0.5)
        Uh = np.where(focus, 0.5 * U[2] ** kfoc, np.minimum(U[0], 1 - U[0]))
        with np.errstate(divide="ignore"):
            W = 1.0 / (alpha + (1 - alpha) * np.where(xpos, (2.0 / kfoc) * (2 * Uh) ** (1.0 / kfoc - 1), 0.0))
        W1 += float(W.sum())
        W2 += float((W * W).sum())
    return W1, W2


def run_chunks(job, n_total, seed, pool, extra=()):
    nch = n_total // CHUNK
    args = [(ic, ch, CHUNK) + tuple(extra) for ic, ch in enumerate(np.random.SeedSequence(seed).spawn(nch))]
    return list(pool.imap(job, args)), nch * CHUNK


def mean_err(s1, s2, N):
    m = s1 / N
    return m, math.sqrt(max(s2 / N - m * m, 0.0) / N)


def summarise_primary(parts, N, beta):
    """Box records (means, errors, ratios, checks) from the chunk sums of a primary-type run."""
    wkeys = list(WIDTHS)
    bgbar = ER.bg_bar_of(SQRT_S, M_AP, M1, M2)
    boxes = {}
    for k, b in BOXES.items():
        g = GEOM[k]
        S = zero_sums()
        for p in parts:                              # chunk order: deterministic
            q = p["sums"][beta][k]
            for key in ("w", "w2", "wbg", "wbg2", "w_wbg", "n_in_band"):
                S[key] += q[key]
            for key in ("P", "P2", "Pw"):
                S[key] = S[key] + q[key]
            S["phimax"] = max(S["phimax"], q["phimax"])
            S["Pmax"] = np.maximum(S["Pmax"], q["Pmax"])
            S["wmax"] = max(S["wmax"], q["wmax"])
            S["th_hit_min"] = min(S["th_hit_min"], q["th_hit_min"])
            S["th_hit_max"] = max(S["th_hit_max"], q["th_hit_max"])
        # the skipped regions must be empty: hits stay inside the exact azimuth bound and inside the
        # face's polar range (the band adds a 2 mrad margin on each side)
        assert S["phimax"] <= 1 / 1.001 + 1e-12
        assert S["w"] == 0 or (S["th_hit_min"] >= g["th_face_min"] - 1e-6 and S["th_hit_max"] <= g["th_face_max"] + 1e-6)
        A, Ae = mean_err(S["w"], S["w2"], N)
        # mean lab beta gamma of accepted phi1: ratio of means E[w bg]/E[w], delta-method error
        EX, EY = S["wbg"] / N, S["w"] / N
        mbg = mbg_e = None
        if EY > 0:
            mbg = EX / EY
            vX, vY = S["wbg2"] / N - EX ** 2, S["w2"] / N - EY ** 2
            cXY = S["w_wbg"] / N - EX * EY
            mbg_e = math.sqrt(max(vX / EY ** 2 + EX ** 2 * vY / EY ** 4 - 2 * EX * cXY / EY ** 3, 0) / N)
        rec = {"distance_m": b["distance_m"], "offset_m": b["offset_m"], "hemisphere": b["hemisphere"],
               "theta_centre_deg": math.degrees(g["thc"]), "face_polar_m": b["face_polar_m"],
               "face_azimuthal_m": b["face_azimuthal_m"], "depth_m": DEPTH_M, "n_events": N,
               "acceptance_fraction": A, "acceptance_fraction_stat_err": Ae,
               "mean_lab_beta_gamma_accepted": mbg, "mean_lab_beta_gamma_accepted_stat_err": mbg_e}
        for j, wk in enumerate(wkeys):
            Pm, Pe = mean_err(S["P"][j], S["P2"][j], N)
            rec["P_inside_%s" % wk] = Pm
            rec["P_inside_%s_stat_err" % wk] = Pe
        # factorised Eq. 20 window with the c.m. mean boost of Eq. 12 (what the factorised option uses)
        for j, wk in enumerate(wkeys):
            d = bgbar * HBARC / WIDTHS[wk]
            win = math.exp(-b["distance_m"] / d) * (-math.expm1(-DEPTH_M / d))
            if A > 0 and win > 0:
                # ratio P / (A win) with a delta-method error (P and A from the same events)
                EP, EA = S["P"][j] / N, S["w"] / N
                vP, vA = S["P2"][j] / N - EP ** 2, S["w2"] / N - EA ** 2
                cPA = S["Pw"][j] / N - EP * EA
                r = EP / EA
                re = math.sqrt(max(vP / EA ** 2 + EP ** 2 * vA / EA ** 4 - 2 * EP * cPA / EA ** 3, 0) / N)
                rec["ratio_P_inside_over_A_times_window_%s" % wk] = r / win
                rec["ratio_P_inside_over_A_times_window_%s_stat_err" % wk] = re / win
        rec["window_definition"] = ("window = exp(-distance/d) - exp(-(distance + 1.32)/d), d = beta_gamma_bar hbar c "
                                    "/ Gamma, beta_gamma_bar = %.9f (Eq. 12, c.m. frame, for every beta)" % bgbar)
        rec["_checks"] = {"azimuth_bound_Phi_rad": g["Phi"], "max_abs_hit_azimuth_over_Phi": S["phimax"],
                          "face_polar_range_deg": [math.degrees(g["th_face_min"]), math.degrees(g["th_face_max"])],
                          "hit_polar_range_deg": ([math.degrees(S["th_hit_min"]), math.degrees(S["th_hit_max"])]
                                                  if S["w"] > 0 else None),
                          "fraction_of_events_in_polar_band": S["n_in_band"] / N,
                          "largest_single_event_share_acceptance": S["wmax"] / S["w"] if S["w"] > 0 else None,
                          "largest_single_event_share_P_inside": {wk: (float(S["Pmax"][j] / S["P"][j])
                                                                       if S["P"][j] > 0 else None)
                                                                  for j, wk in enumerate(wkeys)}}
        boxes[k] = rec
    return boxes


def summarise_cross(xparts, NX, beta):
    wkeys = list(WIDTHS)
    out = {}
    for k in BOXES:
        hit = sum(p["boxes"][beta][k]["hit"] for p in xparts)
        Px = sum(p["boxes"][beta][k]["P"] for p in xparts)
        Px2 = sum(p["boxes"][beta][k]["P2"] for p in xparts)
        bgx = sum(p["boxes"][beta][k]["bg"] for p in xparts)
        pa = hit / NX
        xc = {"n_events": NX, "hits": hit, "acceptance_fraction": pa,
              "acceptance_fraction_stat_err": math.sqrt(pa * (1 - pa) / NX),
              "mean_lab_beta_gamma_accepted": bgx / hit if hit else None}
        for j, wk in enumerate(wkeys):
            Pm, Pe = mean_err(Px[j], Px2[j], NX)
            xc["P_inside_%s" % wk] = Pm
            xc["P_inside_%s_stat_err" % wk] = Pe
        out[k] = xc
    return out


def pulls(a, b):
    """(a - b)/combined error for acceptance and the three P_inside."""
    out = {}
    for key in ["acceptance_fraction"] + ["P_inside_%s" % wk for wk in WIDTHS]:
        e = math.hypot(a[key + "_stat_err"], b[key + "_stat_err"])
        out["pull_" + key] = (a[key] - b[key]) / e if e > 0 else None
    return out


def weight_checks(parts, N):
    W = sum(p["W"] for p in parts)
    W2 = sum(p["W2"] for p in parts)
    Wx = sum(p["W_xpos"] for p in parts)
    mW, eW = mean_err(W, W2, N)
    return {"mean_weight": mW, "mean_weight_stat_err": eW, "weighted_fraction_cos_theta1star_positive": Wx / N,
            "note": "E[W] = 1 and the weighted x > 0 fraction = 1/2 exactly if the mixture density is right"}


def main():
    res = {"_about": "Independent lab-frame reference (e+e- -> gamma A', A' -> phi1 phi2, boosted along +z) for "
                     "docs/physics.md §8.6-8.8; see README.md (lab_frame.py). Generated by lab_frame.py%s."
                     % (" --quick" if QUICK else ""),
           "_versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__},
           "_constants": {"hbarc_GeV_m": HBARC, "m_e_GeV": ER.M_E},
           "model": {"sqrt_s_GeV": SQRT_S, "m_Aprime_GeV": M_AP, "m1_GeV": M1, "m2_GeV": M2,
                     "production": "on shell, Eq. 4 (4 m_e^2 regulator) x A' spin correlation Eq. 13",
                     "acceptance_denominator": "all produced phi1 (full Eq. 4 cross section, both hemispheres)"},
           "lab_boost": {"beta": BETA_LAB, "gamma": 1 / math.sqrt(1 - BETA_LAB ** 2),
                         "direction": "+z (electron beam); p_z' = gamma (p_z + beta E)"},
           "widths_GeV": dict(WIDTHS),
           "widths_note": "Gamma_nominal = total phi1 width at eps = 1e-3, g_D = 0.1 (input); x10 and /10 variants",
           "decay_length_over_beta_gamma_m": {k: HBARC / v for k, v in WIDTHS.items()},
           "box_depth_m": DEPTH_M,
           "P_inside_definition": "mean over ALL produced phi1 of 1[line crosses the front face] * "
                                  "(exp(-t_in/(bg l)) - exp(-t_out/(bg l))), bg = |p_lab|/m1, l = hbar c/Gamma, "
                                  "t_in/t_out = entry (front face) / exit (back or side) distance from the IP"}
    with Pool(2) as pool:
        t = time.time()
        parts, N = run_chunks(primary_chunk, N_PRIMARY, SEED_PRIMARY, pool, (ALPHA_MIX, K_FOCUS))
        t_primary = time.time() - t
        log("primary: %d events in %.1f s" % (N, t_primary))
        t = time.time()
        rparts, NR = run_chunks(primary_chunk, N_ROBUST, SEED_ROBUST, pool, (ALPHA_MIX_R, K_FOCUS_R))
        t_robust = time.time() - t
        log("second importance sampler: %d events in %.1f s" % (NR, t_robust))
        t = time.time()
        xparts, NX = run_chunks(cross_chunk, N_CROSS, SEED_CROSS, pool)
        t_cross = time.time() - t
        log("cross-check: %d events in %.1f s" % (NX, t_cross))
        wchecks = {}
        for name, (al, kf) in (("primary", (ALPHA_MIX, K_FOCUS)), ("second", (ALPHA_MIX_R, K_FOCUS_R))):
            wp, NWt = run_chunks(weights_only_chunk, N_WCHECK, SEED_WCHECK, pool, (al, kf))
            m, e = mean_err(sum(p[0] for p in wp), sum(p[1] for p in wp), NWt)
            wchecks[name] = {"n_draws": NWt, "mean_weight": m, "mean_weight_stat_err": e, "pull_from_1": (m - 1) / e}
        log("weights-only check: %s" % wchecks)
    unconv = sum(p["unconverged"] for p in parts + rparts)
    msd = max(p["max_mass_shell_dev"] for p in parts + rparts)
    assert unconv == 0
    assert msd < 1e-9
    frames = {}
    for beta in BETAS:
        boxes = summarise_primary(parts, N, beta)
        rob = summarise_primary(rparts, NR, beta)
        xc = summarise_cross(xparts, NX, beta)
        for k in BOXES:
            r2 = {key: v for key, v in rob[k].items() if key.startswith(("acceptance", "P_inside", "mean_lab"))}
            r2.update(pulls(boxes[k], rob[k]))
            boxes[k]["cross_check_second_importance_sampler"] = r2
            xc[k].update(pulls(boxes[k], xc[k]))
            boxes[k]["cross_check_three_vector_hitcount"] = xc[k]
        frames[beta] = boxes
    res["lab"] = {"beta": BETA_LAB, "n_events_primary": N, "boxes": frames[BETA_LAB],
                  "mean_lab_beta_gamma_all_phi1": sum(p["bg_all"][BETA_LAB] for p in parts) / N}
    # sanity check in the c.m. frame (beta = 0), same events
    bgbar = ER.bg_bar_of(SQRT_S, M_AP, M1, M2)
    A0 = frames[0.0]["A"]
    res["sanity_beta0"] = {
        "beta": 0.0, "n_events_primary": N,
        "box_A_acceptance_fraction": A0["acceptance_fraction"],
        "box_A_acceptance_fraction_stat_err": A0["acceptance_fraction_stat_err"],
        "box_A_acceptance_fraction_paper": 0.00976,
        "box_A_acceptance_fraction_emu_reference_primary": 0.0098003,
        "box_A_acceptance_fraction_emu_reference_primary_stat_err": 0.0000049,
        "box_A_ratio_P_inside_over_A_times_window": A0["ratio_P_inside_over_A_times_window_Gamma_nominal"],
        "box_A_ratio_P_inside_over_A_times_window_stat_err":
            A0["ratio_P_inside_over_A_times_window_Gamma_nominal_stat_err"],
        "box_A_ratio_expected_docs": 0.86,
        "beta_gamma_bar_eq12": bgbar, "d_mean_m_Gamma_nominal": bgbar * HBARC / GAMMA_PHI1,
        "mean_beta_gamma_all_phi1": sum(p["bg_all"][0.0] for p in parts) / N,
        "note": "d = beta_gamma_bar (Eq. 12, <E1> of Eq. 14) hbar c / Gamma_nominal; emu_reference.py's 0.862 "
                "used d(e + mu only) = 2.2414 m, so a small difference is expected",
        "boxes": frames[0.0]}
    res["_method"] = {
        "primary": "inverse-CDF c.m. sampler (Eq. 4, Eq. 13 conditionals; cos theta_1* uniform drawn from a "
                   "mixture, alpha = %.2f uniform + power k = %d towards cos theta_1* = 1, event weight 1/q), E1 "
                   "from Eq. 14, cos theta_1 from Eq. 15, boost of (E, p_z, p_T) along +z, stratified azimuthal "
                   "integration (%d strata per event on [-Phi, Phi], Phi = exact largest azimuth of the face), "
                   "events outside the face's polar range skipped" % (ALPHA_MIX, K_FOCUS, K_AZ),
        "cross_check_second_importance_sampler": "same code, alpha = %.2f, k = %d, other seed, %d events"
                                                 % (ALPHA_MIX_R, K_FOCUS_R, NR),
        "cross_check_three_vector_hitcount": "emu_reference.sample_onshell_chunk (accept-reject, three-vectors), "
                                             "explicit boost, plain hit count with emu_reference.face_hit / box_path, "
                                             "%d events; it cannot resolve tail-dominated P_inside (P150 in the lab)"
                                             % NX,
        "seeds": {"primary": SEED_PRIMARY, "second_importance_sampler": SEED_ROBUST, "cross_check": SEED_CROSS},
        "chunk_events": CHUNK, "rng": "numpy PCG64, SeedSequence(seed).spawn(n_chunks), one stream per chunk, "
                                      "summed in chunk order (independent of worker count)",
        "weights_primary": weight_checks(parts, N), "weights_second": weight_checks(rparts, NR),
        "weights_only_check_seed_%d" % SEED_WCHECK: wchecks,
        "n_unconverged_newton": unconv, "max_mass_shell_deviation_lab": msd,
        "runtime_primary_s": t_primary, "runtime_second_importance_sampler_s": t_robust,
        "runtime_cross_check_s": t_cross, "workers": 2}
    res["_runtime_s"] = time.time() - T0
    with open(os.path.join(HERE, "lab_frame_values.json"), "w") as f:
        json.dump(res, f, indent=1)
    log("weights: %s" % res["_method"]["weights_primary"])
    for beta in BETAS:
        for k, r in frames[beta].items():
            x, y = r["cross_check_second_importance_sampler"], r["cross_check_three_vector_hitcount"]
            log("beta=%.4f %-4s A=%.6e +- %.1e  P=%.6e +- %.1e  Px10=%.4e +- %.1e  P/10=%.4e +- %.1e  <bg>=%.4f"
                % (beta, k, r["acceptance_fraction"], r["acceptance_fraction_stat_err"],
                   r["P_inside_Gamma_nominal"], r["P_inside_Gamma_nominal_stat_err"],
                   r["P_inside_Gamma_x10"], r["P_inside_Gamma_x10_stat_err"],
                   r["P_inside_Gamma_div10"], r["P_inside_Gamma_div10_stat_err"],
                   r["mean_lab_beta_gamma_accepted"] or 0))
            log("      pulls second IS: %s" % ", ".join("%.2f" % v if v is not None else "-"
                                                        for kk, v in x.items() if kk.startswith("pull")))
            log("      pulls 3-vector : %s" % ", ".join("%.2f" % v if v is not None else "-"
                                                        for kk, v in y.items() if kk.startswith("pull")))
    log("wrote lab_frame_values.json")


if __name__ == "__main__":
    main()
