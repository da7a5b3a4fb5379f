#!/usr/bin/env python3
"""
Independent reference implementation of the tree-level QED matrix element for
radiative Bhabha scattering

        e+(p1) e-(p2) -> e+(p3) e-(p4) gamma(k)

built from the 8 Feynman diagrams with explicit numerical 4x4 Dirac matrices
(Dirac representation), metric (+,-,-,-), coupling e = 1.  No compact closed
formula (CALKUL / Berends-Kleiss etc.) is used anywhere.

Two independent evaluations of the spin-summed |M|^2 are implemented:

  A) explicit Dirac spinors u, v (2 spin states each) and two physical
     transverse photon polarisations: sum of |amplitude|^2 over 2^5 = 32
     helicity/polarisation configurations;
  B) "trace" evaluation: the amplitude is written as a rank-4 tensor in the
     external spinor indices and contracted with the spin projectors
     (pslash +- m) (no spinors at all), photon polarisation sum -g_{mu nu}.

Both return  (1/4) sum_spins |M|^2 / e^6  in GeV^-2.

Running this file performs all internal checks and (re)writes
reference_points.json next to it.

Requires only numpy.
"""
import json
import math
import os
import sys

import numpy as np

# ---------------------------------------------------------------------------
# Dirac algebra (Dirac representation)
# ---------------------------------------------------------------------------
I2 = np.eye(2, dtype=complex)
Z2 = np.zeros((2, 2), dtype=complex)
SIG = [np.array([[0, 1], [1, 0]], dtype=complex),
       np.array([[0, -1j], [1j, 0]], dtype=complex),
       np.array([[1, 0], [0, -1]], dtype=complex)]

G0 = np.block([[I2, Z2], [Z2, -I2]])
GAM = [G0] + [np.block([[Z2, s], [-s, Z2]]) for s in SIG]   # gamma^mu, upper index
METRIC = np.array([1.0, -1.0, -1.0, -1.0])
ID4 = np.eye(4, dtype=complex)


def mdot(a, b):
    """Minkowski product a.b with metric (+,-,-,-)."""
    return a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3]


def slash(p):
    """pslash = gamma^mu p_mu (p given with upper indices, may be complex)."""
    return p[0] * GAM[0] - p[1] * GAM[1] - p[2] * GAM[2] - p[3] * GAM[3]


def fprop(q, m):
    """Fermion propagator numerator/denominator (qslash + m)/(q^2 - m^2)
    (the common factor i is dropped: identical for every diagram)."""
    return (slash(q) + m * ID4) / (mdot(q, q) - m * m)


# ---------------------------------------------------------------------------
# spinors (Dirac representation, spin quantised along z in the rest frame)
# ---------------------------------------------------------------------------
CHI = [np.array([1, 0], dtype=complex), np.array([0, 1], dtype=complex)]


def sigma_dot(p):
    return p[1] * SIG[0] + p[2] * SIG[1] + p[3] * SIG[2]


def u_spinor(p, s, m):
    E = p[0]
    n = math.sqrt(E + m)
    c = CHI[s]
    return np.concatenate([n * c, sigma_dot(p) @ c / n])


def v_spinor(p, s, m):
    E = p[0]
    n = math.sqrt(E + m)
    c = CHI[s]
    return np.concatenate([sigma_dot(p) @ c / n, n * c])


def bar(w):
    return w.conj() @ G0


def transverse_pols(k):
    """Two real, spatial polarisation vectors orthogonal to k (and to each other)."""
    kv = np.asarray(k[1:], dtype=float)
    n = kv / np.linalg.norm(kv)
    a = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = a - n * np.dot(a, n)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(n, e1)
    return [np.concatenate([[0.0], e1]), np.concatenate([[0.0], e2])]


# ---------------------------------------------------------------------------
# amplitude tensor
# ---------------------------------------------------------------------------
def amplitude_tensor(p1, p2, p3, p4, k, eps_conj, m):
    """Rank-4 tensor T[a,b,c,d] such that the full amplitude (up to a global
    phase, with e = 1) is

        M = sum_{abcd} vbar(p1)_a u(p2)_b ubar(p4)_c v(p3)_d T[a,b,c,d].

    eps_conj: the (complex-conjugated) photon polarisation vector, upper
    indices.  Fermion lines:
      s-channel family : [vbar(p1) X u(p2)] [ubar(p4) Y v(p3)]
      t-channel family : [ubar(p4) C u(p2)] [vbar(p1) D v(p3)]
    Relative sign between families: -1 (Fermi statistics, Bhabha's minus).
    All vertices (i e gamma^mu), propagators i(qslash+m)/(q^2-m^2) and
    -i g_{mu nu}/q^2 give the same overall constant for every diagram.
    """
    p1, p2, p3, p4, k = (np.asarray(x, dtype=float) for x in (p1, p2, p3, p4, k))
    es = slash(eps_conj)

    # internal fermion propagators (momentum along the fermion-number arrow)
    S_p2 = fprop(p2 - k, m)      # photon emitted from incoming e-  (p2)
    S_p1 = fprop(k - p1, m)      # photon emitted from incoming e+  (p1)
    S_p4 = fprop(p4 + k, m)      # photon emitted from outgoing e-  (p4)
    S_p3 = fprop(-p3 - k, m)     # photon emitted from outgoing e+  (p3)

    # photon propagators  1/q^2
    q2_s_ini = mdot(p3 + p4, p3 + p4)   # emission from initial legs: q = p3+p4
    q2_s_fin = mdot(p1 + p2, p1 + p2)   # emission from final legs:   q = p1+p2
    q2_t_ele = mdot(p1 - p3, p1 - p3)   # emission from e- line:      q = p1-p3 (= p4+k-p2)
    q2_t_pos = mdot(p2 - p4, p2 - p4)   # emission from e+ line:      q = p2-p4 (= p1-k-p3)

    T = np.zeros((4, 4, 4, 4), dtype=complex)
    for mu in range(4):
        g = METRIC[mu]
        gm = GAM[mu]
        # ---------------- s-channel family (annihilation) ----------------
        # S1: photon from incoming e-(p2)
        X = gm @ S_p2 @ es
        Y = gm
        Xs = X / q2_s_ini
        T += g * np.einsum('ab,cd->abcd', Xs, Y)
        # S2: photon from incoming e+(p1)
        X = es @ S_p1 @ gm
        T += g * np.einsum('ab,cd->abcd', X / q2_s_ini, gm)
        # S3: photon from outgoing e-(p4)
        Y = es @ S_p4 @ gm
        T += g * np.einsum('ab,cd->abcd', gm / q2_s_fin, Y)
        # S4: photon from outgoing e+(p3)
        Y = gm @ S_p3 @ es
        T += g * np.einsum('ab,cd->abcd', gm / q2_s_fin, Y)
        # ---------------- t-channel family (scattering), sign -1 ----------
        # C-line indices (c,b) [ubar(p4)_c C_cb u(p2)_b],
        # D-line indices (a,d) [vbar(p1)_a D_ad v(p3)_d]
        # T1: photon from incoming e-(p2)
        C = gm @ S_p2 @ es
        T -= g * np.einsum('ad,cb->abcd', gm / q2_t_ele, C)
        # T2: photon from outgoing e-(p4)
        C = es @ S_p4 @ gm
        T -= g * np.einsum('ad,cb->abcd', gm / q2_t_ele, C)
        # T3: photon from incoming e+(p1)
        D = es @ S_p1 @ gm
        T -= g * np.einsum('ad,cb->abcd', D / q2_t_pos, gm)
        # T4: photon from outgoing e+(p3)
        D = gm @ S_p3 @ es
        T -= g * np.einsum('ad,cb->abcd', D / q2_t_pos, gm)
    return T


def bhabha_tensor(p1, p2, p3, p4):
    """2->2 Bhabha amplitude tensor with the same conventions (no photon)."""
    p1, p2, p3, p4 = (np.asarray(x, dtype=float) for x in (p1, p2, p3, p4))
    s = mdot(p1 + p2, p1 + p2)
    t = mdot(p1 - p3, p1 - p3)
    T = np.zeros((4, 4, 4, 4), dtype=complex)
    for mu in range(4):
        g = METRIC[mu]
        gm = GAM[mu]
        T += g * np.einsum('ab,cd->abcd', gm / s, gm)
        T -= g * np.einsum('ad,cb->abcd', gm / t, gm)
    return T


# ---------------------------------------------------------------------------
# method A: explicit spinors and transverse polarisations
# ---------------------------------------------------------------------------
def external_spinors(p1, p2, p3, p4, m):
    vb1 = [bar(v_spinor(p1, s, m)) for s in range(2)]
    u2 = [u_spinor(p2, s, m) for s in range(2)]
    ub4 = [bar(u_spinor(p4, s, m)) for s in range(2)]
    v3 = [v_spinor(p3, s, m) for s in range(2)]
    return vb1, u2, ub4, v3


def helicity_amplitudes(T, spinors):
    vb1, u2, ub4, v3 = spinors
    out = []
    for a in vb1:
        for b in u2:
            for c in ub4:
                for d in v3:
                    out.append(np.einsum('abcd,a,b,c,d->', T, a, b, c, d))
    return np.array(out)


def m2_spinors(p1, p2, p3, p4, k, m=0.0, return_gauge=False):
    """Method A. Returns (1/4) sum |M|^2 / e^6 [GeV^-2]; optionally also the
    gauge-check ratio max|M(eps->k)| / max|M(eps_phys)|."""
    sp = external_spinors(p1, p2, p3, p4, m)
    tot = 0.0
    amax = 0.0
    for eps in transverse_pols(k):
        A = helicity_amplitudes(amplitude_tensor(p1, p2, p3, p4, k, np.conj(eps), m), sp)
        tot += np.sum(np.abs(A) ** 2)
        amax = max(amax, np.max(np.abs(A)))
    res = tot / 4.0
    if not return_gauge:
        return res
    Ak = helicity_amplitudes(amplitude_tensor(p1, p2, p3, p4, k, np.asarray(k, dtype=complex), m), sp)
    return res, np.max(np.abs(Ak)) / amax


# ---------------------------------------------------------------------------
# method B: spin projectors (trace method), photon sum -g_{mu nu}
# ---------------------------------------------------------------------------
def proj_col(p, sign, m):
    """sum_s w_b conj(w_b') for column spinors: u (sign=+1) or v (sign=-1)."""
    return (slash(np.asarray(p, dtype=float)) + sign * m * ID4) @ G0


def proj_row(p, sign, m):
    """sum_s wbar_a conj(wbar_a') for row spinors ubar (+1) / vbar (-1)."""
    return (G0 @ (slash(np.asarray(p, dtype=float)) + sign * m * ID4)).T


def spin_sum_projectors(T, p1, p2, p3, p4, m):
    P1 = proj_row(p1, -1, m)
    P2 = proj_col(p2, +1, m)
    P4 = proj_row(p4, +1, m)
    P3 = proj_col(p3, -1, m)
    return np.einsum('abcd,efgh,ae,bf,cg,dh->', T, T.conj(), P1, P2, P4, P3,
                     optimize=True).real


def m2_traces(p1, p2, p3, p4, k, m=0.0):
    """Method B. (1/4) sum |M|^2 / e^6, photon polarisation sum -g_{mu nu}."""
    tot = 0.0
    for mu in range(4):
        e = np.zeros(4, dtype=complex)
        e[mu] = 1.0
        tot += -METRIC[mu] * spin_sum_projectors(amplitude_tensor(p1, p2, p3, p4, k, e, m),
                                                  p1, p2, p3, p4, m)
    return tot / 4.0


def m2_bhabha_numeric(p1, p2, p3, p4, m=0.0):
    T = bhabha_tensor(p1, p2, p3, p4)
    return spin_sum_projectors(T, p1, p2, p3, p4, m) / 4.0


def m2_bhabha_formula(p1, p2, p3, p4):
    s = mdot(p1 + p2, p1 + p2)
    t = mdot(p1 - p3, p1 - p3)
    u = mdot(p1 - p4, p1 - p4)
    return 2.0 * (s ** 4 + t ** 4 + u ** 4) / (s ** 2 * t ** 2)


def eikonal(p1, p2, p3, p4, k):
    """-J.J with J = sum eta_i p_i/(p_i.k); eta = -1 (in e+), +1 (in e-),
    +1 (out e+), -1 (out e-)."""
    J = np.zeros(4)
    for eta, p in ((-1, p1), (+1, p2), (+1, p3), (-1, p4)):
        J += eta * np.asarray(p) / mdot(p, k)
    return -mdot(J, J)


# ---------------------------------------------------------------------------
# kinematics helpers
# ---------------------------------------------------------------------------
def boost(p, beta):
    """Boost 4-vector p by velocity vector beta (p -> frame where the rest
    frame moves with velocity beta)."""
    beta = np.asarray(beta, dtype=float)
    b2 = np.dot(beta, beta)
    if b2 == 0.0:
        return np.array(p, dtype=float)
    gam = 1.0 / math.sqrt(1.0 - b2)
    bp = np.dot(beta, p[1:])
    E = gam * (p[0] + bp)
    vec = np.asarray(p[1:]) + ((gam - 1.0) * bp / b2 + gam * p[0]) * beta
    return np.concatenate([[E], vec])


def unit(theta, phi):
    return np.array([math.sin(theta) * math.cos(phi),
                     math.sin(theta) * math.sin(phi),
                     math.cos(theta)])


def two_body(Q, d, m):
    """Decay of total momentum Q into (electron along d, positron along -d)
    in the Q rest frame, boosted back.  Returns (p_positron, p_electron)."""
    M = math.sqrt(mdot(Q, Q))
    E = M / 2.0
    q = math.sqrt(E * E - m * m)
    pe = np.concatenate([[E], q * d])
    pp = np.concatenate([[E], -q * d])
    beta = Q[1:] / Q[0]
    return boost(pp, beta), boost(pe, beta)


def beams(Eminus, Eplus, m):
    """Incoming e+ (p1) along -z with Eplus, e- (p2) along +z with Eminus."""
    p1 = np.array([Eplus, 0.0, 0.0, -math.sqrt(Eplus ** 2 - m * m)])
    p2 = np.array([Eminus, 0.0, 0.0, math.sqrt(Eminus ** 2 - m * m)])
    return p1, p2


def angle_deg(a, b):
    a = np.asarray(a[1:]); b = np.asarray(b[1:])
    c = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def polar_deg(p):
    return math.degrees(math.acos(p[3] / np.linalg.norm(p[1:])))


# ---------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------
def check_projectors(m):
    p = np.array([3.0, 0.7, -1.1, 2.2])
    p[0] = math.sqrt(m * m + np.dot(p[1:], p[1:]))
    su = sum(np.outer(u_spinor(p, s, m), bar(u_spinor(p, s, m))) for s in range(2))
    sv = sum(np.outer(v_spinor(p, s, m), bar(v_spinor(p, s, m))) for s in range(2))
    e1 = np.max(np.abs(su - (slash(p) + m * ID4)))
    e2 = np.max(np.abs(sv - (slash(p) - m * ID4)))
    return max(e1, e2)


def random_point(rng, m, sqrt_s=10.0):
    p1, p2 = beams(sqrt_s / 2, sqrt_s / 2, m)
    P = p1 + p2
    w = rng.uniform(0.5, 3.0)
    k = w * np.concatenate([[1.0], unit(math.acos(rng.uniform(-1, 1)), rng.uniform(0, 2 * math.pi))])
    p3, p4 = two_body(P - k, unit(math.acos(rng.uniform(-1, 1)), rng.uniform(0, 2 * math.pi)), m)
    return p1, p2, p3, p4, k


def run_checks():
    print("=" * 78)
    print("Radiative Bhabha  e+(p1) e-(p2) -> e+(p3) e-(p4) gamma(k): internal checks")
    print("=" * 78)
    summary = {}

    # 0) spinor completeness
    for m in (0.0, 0.000511, 0.3):
        print(f"[spinors] m={m}: max |sum u ubar - (p+m)|, |sum v vbar - (p-m)| = {check_projectors(m):.2e}")

    # 1) 2->2 Bhabha from the same machinery vs the textbook formula (fixes the
    #    relative s/t sign)
    p1, p2 = beams(5.0, 5.0, 0.0)
    worst = 0.0
    for th in (0.3, 1.0, 1.7, 2.6):
        d = unit(th, 0.4)
        p3 = np.concatenate([[5.0], -5.0 * d]); p4 = np.concatenate([[5.0], 5.0 * d])
        r = m2_bhabha_numeric(p1, p2, p3, p4) / m2_bhabha_formula(p1, p2, p3, p4)
        worst = max(worst, abs(r - 1))
    print(f"[2->2 Bhabha] numeric diagrams vs 2(s^4+t^4+u^4)/(s^2 t^2): max |ratio-1| = {worst:.2e}")
    summary["bhabha22"] = worst

    # 2) gauge invariance, method A vs method B, Lorentz invariance
    rng = np.random.default_rng(12345)
    for m in (0.0, 0.000511):
        gmax = 0.0; abmax = 0.0; lmax = 0.0
        for _ in range(20):
            p1, p2, p3, p4, k = random_point(rng, m)
            a, g = m2_spinors(p1, p2, p3, p4, k, m, return_gauge=True)
            b = m2_traces(p1, p2, p3, p4, k, m)
            beta = np.array([0.1, -0.2, 0.5])
            a2 = m2_spinors(*(boost(x, beta) for x in (p1, p2, p3, p4, k)), m=m)
            gmax = max(gmax, g); abmax = max(abmax, abs(a / b - 1)); lmax = max(lmax, abs(a2 / a - 1))
        print(f"[m={m}] gauge: max|M(eps->k)|/max|M| = {gmax:.2e};  "
              f"spinors vs traces(-g): {abmax:.2e};  boosted frame: {lmax:.2e}")
        summary[f"gauge_m{m}"] = gmax
        summary[f"AB_m{m}"] = abmax

    # 3) soft-photon limit
    soft = {}
    for m in (0.0, 0.000511):
        print(f"[soft limit, m={m}]  ratio |M|^2 / (|M_Bhabha|^2 * (-J.J))")
        p1, p2 = beams(7.0, 4.0, m)
        P = p1 + p2
        d = unit(math.radians(70.0), 0.5)   # e- direction in the (p3+p4) rest frame
        nk = unit(math.radians(100.0), 3.5)
        rows = []
        for w in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6):
            k = w * np.concatenate([[1.0], nk])
            p3, p4 = two_body(P - k, d, m)
            me, g = m2_spinors(p1, p2, p3, p4, k, m, return_gauge=True)
            ratio = me / (m2_bhabha_formula(p1, p2, p3, p4) * eikonal(p1, p2, p3, p4, k))
            rows.append((w, ratio))
            print(f"    E_gamma = {w:8.1e} GeV   ratio = {ratio:.12f}   (gauge {g:.1e})")
        soft[m] = rows
    summary["soft"] = soft
    return summary


# ---------------------------------------------------------------------------
# reference points
# ---------------------------------------------------------------------------
LAB_P1 = np.array([4.0, 0.0, 0.0, -4.0])   # e+ , 4 GeV along -z
LAB_P2 = np.array([7.0, 0.0, 0.0, 7.0])    # e- , 7 GeV along +z


def random_rotation(rng):
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    a, b, c, d = q
    return np.array([[a*a+b*b-c*c-d*d, 2*(b*c-a*d), 2*(b*d+a*c)],
                     [2*(b*c+a*d), a*a-b*b+c*c-d*d, 2*(c*d-a*b)],
                     [2*(b*d-a*c), 2*(c*d+a*b), a*a-b*b-c*c+d*d]])


def generic_event(rng):
    """Massless 3-body final state: uniform Dalitz energies + random
    orientation in the CM frame, boosted to the lab."""
    P = LAB_P1 + LAB_P2
    rs = math.sqrt(mdot(P, P))
    while True:
        x3, x4 = rng.uniform(0, 1, size=2)
        xk = 2.0 - x3 - x4
        if 0 < xk < 1:
            break
    E3, E4, Ek = x3 * rs / 2, x4 * rs / 2, xk * rs / 2
    c = (Ek ** 2 - E3 ** 2 - E4 ** 2) / (2 * E3 * E4)
    v4 = E4 * np.array([0.0, 0.0, 1.0])
    v3 = E3 * np.array([math.sqrt(max(0.0, 1 - c * c)), 0.0, c])
    R = random_rotation(rng)
    v4 = R @ v4; v3 = R @ v3; vk = -(v3 + v4)
    beta = P[1:] / P[0]
    p3 = boost(np.concatenate([[E3], v3]), beta)
    p4 = boost(np.concatenate([[E4], v4]), beta)
    k = boost(np.concatenate([[np.linalg.norm(vk)], vk]), beta)
    return p3, p4, k


def solve_e4(P, n4, k):
    """Given direction n4 of the massless e- and the photon k, solve
    (P - p4 - k)^2 = 0 for E4 (linear)."""
    N4 = np.concatenate([[1.0], n4])
    E4 = (mdot(P, P) - 2 * mdot(P, k)) / (2 * (mdot(P, N4) - mdot(k, N4)))
    p4 = E4 * N4
    p3 = P - p4 - k
    return p3, p4


def rotate_towards(n, angle, phi):
    """Direction at opening angle `angle` from unit vector n (azimuth phi around n)."""
    a = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = a - n * np.dot(a, n); e1 /= np.linalg.norm(e1)
    e2 = np.cross(n, e1)
    return math.cos(angle) * n + math.sin(angle) * (math.cos(phi) * e1 + math.sin(phi) * e2)


def passes(p3, p4, k, generic=True):
    for p in (p3, p4, k):
        if not (30.0 <= polar_deg(p) <= 130.0):
            return False
    if p3[0] <= 1.0 or p4[0] <= 1.0:
        return False
    if generic:
        if k[0] <= 1.0:
            return False
        if angle_deg(k, p3) <= 10.0 or angle_deg(k, p4) <= 10.0:
            return False
    return True


def fmt(x):
    return "%.16e" % x          # 17 significant digits, exact float round trip


def vec_json(p):
    return "[" + ", ".join(fmt(float(x)) for x in p) + "]"


def make_points(n_generic=10):
    rng = np.random.default_rng(20240611)
    P = LAB_P1 + LAB_P2
    events = []
    while len(events) < n_generic:
        p3, p4, k = generic_event(rng)
        if passes(p3, p4, k):
            events.append(("generic", p3, p4, k))
    # soft photon, E_gamma = 1e-3 GeV
    nsoft = 0
    while nsoft < 2:
        n4 = unit(math.acos(rng.uniform(-0.64, 0.86)), rng.uniform(0, 2 * math.pi))
        nk = unit(math.acos(rng.uniform(-0.64, 0.86)), rng.uniform(0, 2 * math.pi))
        k = 1e-3 * np.concatenate([[1.0], nk])
        p3, p4 = solve_e4(P, n4, k)
        if passes(p3, p4, k, generic=False) and angle_deg(k, p3) > 10 and angle_deg(k, p4) > 10:
            events.append(("soft_photon", p3, p4, k)); nsoft += 1
    # photon ~3 degrees from the outgoing electron
    ncol = 0
    while ncol < 2:
        n4 = unit(math.acos(rng.uniform(-0.64, 0.86)), rng.uniform(0, 2 * math.pi))
        nk = rotate_towards(n4, math.radians(3.0), rng.uniform(0, 2 * math.pi))
        Ek = rng.uniform(1.5, 3.0)
        k = Ek * np.concatenate([[1.0], nk])
        p3, p4 = solve_e4(P, n4, k)
        if passes(p3, p4, k, generic=False) and k[0] > 1.0 and angle_deg(k, p3) > 10:
            events.append(("collinear_e-_gamma_3deg", p3, p4, k)); ncol += 1
    return events


def write_reference(path):
    events = make_points()
    entries = []
    print("=" * 78)
    print("Reference points (lab frame: e- 7 GeV along +z, e+ 4 GeV along -z, m_e = 0)")
    print("=" * 78)
    worst_cons = 0.0; worst_mass = 0.0; worst_gauge = 0.0; worst_ab = 0.0
    for i, (label, p3, p4, k) in enumerate(events):
        strs = {n: vec_json(v) for n, v in
                (("p1", LAB_P1), ("p2", LAB_P2), ("p3", p3), ("p4", p4), ("k", k))}
        # use the momenta exactly as written (round trip through the text)
        mom = {n: np.array(json.loads(s)) for n, s in strs.items()}
        q1, q2, q3, q4, qk = (mom[n] for n in ("p1", "p2", "p3", "p4", "k"))
        cons = np.max(np.abs(q1 + q2 - q3 - q4 - qk)) / 11.0
        mass = max(abs(mdot(q, q)) / q[0] ** 2 for q in (q3, q4, qk))
        me, g = m2_spinors(q1, q2, q3, q4, qk, 0.0, return_gauge=True)
        mb = m2_traces(q1, q2, q3, q4, qk, 0.0)
        worst_cons = max(worst_cons, cons); worst_mass = max(worst_mass, mass)
        worst_gauge = max(worst_gauge, g); worst_ab = max(worst_ab, abs(me / mb - 1))
        print(f"{i:2d} {label:24s} E3={q3[0]:7.4f} E4={q4[0]:7.4f} Ek={qk[0]:9.6f} "
              f"th3={polar_deg(q3):6.1f} th4={polar_deg(q4):6.1f} thk={polar_deg(qk):6.1f} "
              f"ang(k,e+)={angle_deg(qk, q3):6.1f} ang(k,e-)={angle_deg(qk, q4):6.2f}  "
              f"|M|^2/e^6={me:.15e}  gauge={g:.1e}  A/B-1={me / mb - 1:.1e}")
        entries.append((label, strs, me))
    lines = ["["]
    for j, (label, strs, me) in enumerate(entries):
        lines.append("  {")
        lines.append(f'    "label": "{label}",')
        for n in ("p1", "p2", "p3", "p4", "k"):
            lines.append(f'    "{n}": {strs[n]},')
        lines.append('    "m_e": 0.0,')
        lines.append(f'    "m2_over_e6": {fmt(me)}')
        lines.append("  }" + ("," if j < len(entries) - 1 else ""))
    lines.append("]")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    json.load(open(path))   # validate
    print(f"max relative momentum non-conservation: {worst_cons:.1e};  max |p^2|/E^2: {worst_mass:.1e}")
    print(f"max gauge ratio: {worst_gauge:.1e};  max |spinor/trace - 1|: {worst_ab:.1e}")
    print(f"wrote {len(entries)} points to {path}")
    return len(entries)


if __name__ == "__main__":
    run_checks()
    here = os.path.dirname(os.path.abspath(__file__))
    write_reference(os.path.join(here, "reference_points.json"))
