#!/usr/bin/env python3
"""
Independent reference numbers for SuperKEKB's crossing beams (docs/physics.md §9, "The real
beams"): the Bhabha positron spectrum in the ECL barrel window when the beams cross at 83 mrad.
Writes crossing_angle_reference.json (checks and spectrum values) and crossing_spectrum.csv (the
spectrum as a table for `spectrum = { table = ... }`) next to this file; tests/real_beams.rs
compares darksens's spectrum with it, and the whole calculation (flux, yields) with the built-in
spectrum against the same calculation with this table.

Geometry (docs/physics.md §9): the detector axis z bisects the electron beam and the reversed
positron beam; the electron moves along (sin a, 0, cos a), the positron along (sin a, 0, -cos a),
a = 41.5 mrad. Then P = (E- + E+, (E- + E+) sin a, 0, (E- - E+) cos a) and s = 4 E- E+ cos^2 a.

Spectrum, by a method of its own (darksens integrates over the azimuth about the boost):
for a massless final positron of lab energy E and direction n, E = (s/2)/(E_tot - p.n), so at
fixed E the directions lie on a cone about p with cos(beta_c) = (E_tot - s/(2E))/|p|. With lab
polar angle theta (from z) as the outer variable and the lab azimuth phi fixed by the cone
(two roots, +-phi0, mirror images),
    dsigma/dE = int dtheta 4 sin(theta) dsigma/dOmega*(c) / sqrt(p_x^2 sin^2 theta - (q - p_z cos theta)^2),
q = E_tot - s/(2E), over the window 32.2-128.7 degrees intersected with the cone's polar range
[|theta_p - beta_c|, theta_p + beta_c] (theta_p: the polar angle of p). The square root vanishes
at both ends of that range; theta = mid - half cos(v) removes both inverse square roots.
dsigma/dOmega* = alpha^2 (3 + c^2)^2 / (4 s (1 + c)^2) [DPT Eq. 2.1], with c the cosine of the
angle between the positron and the incoming electron in the centre of mass, both obtained by
boosting the lab four-vectors (no closed-form angle relation is used). The spectrum has four
square-root kinks, where the cone's polar edges cross the window's edges.

Checks written to the JSON:
  * the cross section in the window two ways: int dsigma/dE dE (the spectrum above, in u on each
    piece between kinks, E = a + (b - a)(1 - cos pi u)/2, where the kinks' square roots are
    smooth), and a direct two-dimensional integral of dsigma/dOmega_lab over the window;
  * the same direct integral with head-on beams against the closed form of dpt_reference.py;
  * the theta integral (Gauss-Legendre, four panels of 24 nodes) against twice the nodes;
  * the table's trapezoid cross section against the direct one (its linear interpolation).

The yields are not computed here: dpt_reference.n_ann_B does the track-length integral with one
14-point Gauss-Jacobi rule in lambda, which assumes a spectrum smooth inside its window; across
the kinks its yields were 0.1-1.2% off (darksens with this spectrum as a table agrees with
darksens's own crossing spectrum to 2e-6), and a kink-aware version in nested Python QUADPACK
took more than ten minutes per mass.

Usage:  python3 crossing_angle_reference.py     (about 30 s)
Versions used: see "meta.versions" in the JSON.
"""
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import dpt_reference as D  # noqa: E402

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import integrate  # noqa: E402

ALPHA = D.ALPHA
E_MINUS, E_PLUS = 7.0, 4.0
CROSSING_RAD = 83e-3
THETA_MIN, THETA_MAX = math.radians(32.2), math.radians(128.7)
GL_NODES = 24                   # Gauss-Legendre nodes per panel of the spectrum's theta integral
TABLE_POINTS = 1000             # intervals per piece between kinks of crossing_spectrum.csv


class Beams:
    """The colliding beams' kinematics for a full crossing angle `crossing` (radians)."""

    def __init__(self, crossing):
        a = crossing / 2
        self.p1 = np.array([E_MINUS, E_MINUS * math.sin(a), 0.0, E_MINUS * math.cos(a)])
        self.p2 = np.array([E_PLUS, E_PLUS * math.sin(a), 0.0, -E_PLUS * math.cos(a)])
        total = self.p1 + self.p2
        self.e_tot = total[0]
        self.p_vec = total[1:]
        self.p_abs = float(np.linalg.norm(self.p_vec))
        self.s = self.e_tot ** 2 - self.p_abs ** 2
        self.theta_p = math.atan2(self.p_vec[0], self.p_vec[2])
        self.b = self.p_vec / self.e_tot                       # the centre of mass's velocity
        self.gamma = self.e_tot / math.sqrt(self.s)
        self.electron_cm = self.boost(self.p1)[1:]

    def boost(self, k):
        """k (E, px, py, pz) in the centre-of-mass frame: a pure boost by -b."""
        b2 = float(self.b @ self.b)
        e, v = k[0], k[1:]
        if b2 == 0.0:
            return np.array(k, float)
        bv = float(self.b @ v)
        e_cm = self.gamma * (e - bv)
        v_cm = v + ((self.gamma - 1) * bv / b2 - self.gamma * e) * self.b
        return np.concatenate([[e_cm], v_cm])

    def dsigma_domega_cm(self, n):
        """dsigma/dOmega* (GeV^-2) of a positron leaving along lab direction n   [DPT Eq. 2.1]"""
        k = self.boost(np.concatenate([[1.0], n]))[1:]
        c = float(k @ self.electron_cm) / (np.linalg.norm(k) * np.linalg.norm(self.electron_cm))
        return ALPHA ** 2 * (3 + c * c) ** 2 / (4 * self.s * (1 + c) ** 2)

    def energy(self, n):
        """lab energy of a massless positron along n"""
        return self.s / 2 / (self.e_tot - float(self.p_vec @ n))

    def cone_angle(self, e):
        """opening angle beta_c of the cone of directions with lab energy e"""
        return math.acos(max(-1.0, min(1.0, (self.e_tot - self.s / (2 * e)) / self.p_abs)))

    def energy_at_cone(self, beta_c):
        return self.s / 2 / (self.e_tot - self.p_abs * math.cos(beta_c))

    def kinks(self):
        """the four square-root kinks: where the cone's polar edges cross the window's edges"""
        return sorted(self.energy_at_cone(bc) for bc in (
            THETA_MIN - self.theta_p, THETA_MIN + self.theta_p,
            THETA_MAX - self.theta_p, THETA_MAX + self.theta_p))

    def dsigma_de(self, e, nodes=None):
        """dsigma/dE in GeV^-3 at lab energy e (the theta-outer integral of the docstring)"""
        beta_c = self.cone_angle(e)
        lo, hi = abs(self.theta_p - beta_c), self.theta_p + beta_c
        a, b = max(lo, THETA_MIN), min(hi, THETA_MAX)
        if b <= a:
            return 0.0
        q = self.e_tot - self.s / (2 * e)
        px, pz = self.p_vec[0], self.p_vec[2]
        mid, half = (lo + hi) / 2, (hi - lo) / 2

        def integrand(v):
            theta = mid - half * math.cos(v)
            st, ct = math.sin(theta), math.cos(theta)
            # p_x^2 sin^2 theta - (q - p_z cos theta)^2 as a product, exact at the cone's ends:
            # |p|^2 (cos(theta - theta_p) - cos beta_c)(cos beta_c - cos(theta + theta_p)), with
            # theta - lo = 2 half sin^2(v/2) and hi - theta = 2 half cos^2(v/2).
            radicand = 4 * self.p_abs ** 2 * (math.sin(half * math.sin(v / 2) ** 2)
                                              * math.sin(half * math.cos(v / 2) ** 2)
                                              * math.sin((theta + lo) / 2) * math.sin((theta + hi) / 2))
            cos_phi = (q - pz * ct) / (px * st)
            sin_phi = math.sqrt(radicand) / (px * st)
            n = np.array([st * cos_phi, st * sin_phi, ct])
            return 4 * st * self.dsigma_domega_cm(n) * half * math.sin(v) / math.sqrt(radicand)

        va = math.acos(max(-1.0, min(1.0, (mid - a) / half)))
        vb = math.acos(max(-1.0, min(1.0, (mid - b) / half)))
        return gauss_legendre(integrand, va, vb, nodes or GL_NODES)

    def sigma_direct(self):
        """sigma in the window (GeV^-2): dsigma/dOmega_lab = dsigma/dOmega* (E/E*)^2 over
        cos(theta) in the window and phi in [0, pi] (twice: mirror symmetry), scipy dblquad."""
        e_star2 = self.s / 4

        def f(phi, cos_theta):
            st = math.sqrt(1 - cos_theta ** 2)
            n = np.array([st * math.cos(phi), st * math.sin(phi), cos_theta])
            return 2 * self.dsigma_domega_cm(n) * self.energy(n) ** 2 / e_star2

        return integrate.dblquad(f, math.cos(THETA_MAX), math.cos(THETA_MIN), 0.0, math.pi,
                                 epsabs=0, epsrel=1e-11)[0]


def gauss_legendre(f, a, b, n):
    """Gauss-Legendre with n nodes on [a, b], in four equal panels (the integrand in v is smooth:
    the substitution has removed the cone's inverse square roots)."""
    x, w = np.polynomial.legendre.leggauss(n)
    edges = np.linspace(a, b, 5)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        total += half * sum(wi * f(mid + half * xi) for xi, wi in zip(x, w))
    return total


def sigma_from_spectrum(beams):
    """int dsigma/dE dE over the pieces between kinks, in u (where the kinks are smooth)."""
    edges = beams.kinks()
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        def in_u(u, a=a, b=b):
            e = a + (b - a) * (1 - math.cos(math.pi * u)) / 2
            return beams.dsigma_de(e) * (b - a) * math.pi * math.sin(math.pi * u) / 2
        total += integrate.quad(in_u, 0, 1, epsabs=0, epsrel=1e-12, limit=200)[0]
    return total


def main():
    t_start = time.time()
    beams = Beams(CROSSING_RAD)
    head_on = Beams(0.0)
    edges = beams.kinks()
    print(f"s = {beams.s:.12f} GeV^2 (4 E- E+ cos^2 a = {4 * E_MINUS * E_PLUS * math.cos(CROSSING_RAD / 2) ** 2:.12f})")
    print(f"theta_p = {beams.theta_p * 1e3:.4f} mrad; kinks {['%.6f' % k for k in edges]} GeV")

    rng = np.random.default_rng(1)
    probes = np.sort(rng.uniform(edges[0], edges[-1], 50))
    direct = np.array([beams.dsigma_de(float(e)) for e in probes])
    doubled = np.array([beams.dsigma_de(float(e), 2 * GL_NODES) for e in probes])
    quadrature_err = float(np.max(np.abs(doubled - direct)) / np.max(direct))
    print(f"theta integral: {GL_NODES} against {2 * GL_NODES} nodes per panel, {quadrature_err:.1e} of the largest value")

    sigma_spec = sigma_from_spectrum(beams)
    sigma_dir = beams.sigma_direct()
    sigma_head_on = head_on.sigma_direct()
    sigma_closed = float(D.sigma_bhabha_closed())
    gev2_to_pb = D.HBARC2 / D.PB
    print(f"sigma: spectrum {sigma_spec * gev2_to_pb:.9f} pb, direct {sigma_dir * gev2_to_pb:.9f} pb, "
          f"ratio - 1 = {sigma_spec / sigma_dir - 1:.2e}")
    print(f"head-on: direct {sigma_head_on * gev2_to_pb:.9f} pb, closed form {sigma_closed * gev2_to_pb:.9f} pb, "
          f"ratio - 1 = {sigma_head_on / sigma_closed - 1:.2e}")

    # Values to compare darksens's spectrum with: across the support and next to each kink.
    spectrum_points = {}
    for e in np.linspace(edges[0], edges[-1], 25)[1:-1]:
        spectrum_points[f"{e:.9f}"] = beams.dsigma_de(float(e)) * gev2_to_pb
    for k in edges:
        for e in (k * (1 - 1e-4), k * (1 + 1e-4)):
            if edges[0] < e < edges[-1]:
                spectrum_points[f"{e:.9f}"] = beams.dsigma_de(e) * gev2_to_pb

    # The spectrum as a table for `spectrum = { table = ... }`: TABLE_POINTS intervals per piece
    # between kinks, equally spaced in u (dense next to the kinks), direct values.
    table_rows = []
    for k, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        for ui in np.linspace(0.0, 1.0, TABLE_POINTS + 1)[(1 if k else 0):]:
            e = float(a + (b - a) * (1 - math.cos(math.pi * ui)) / 2)
            table_rows.append((e, max(float(beams.dsigma_de(e)), 0.0) * gev2_to_pb))
    with open(os.path.join(HERE, "crossing_spectrum.csv"), "w") as f:
        f.write("energy_gev,dsigma_de_pb_per_gev\n")
        for e, v in table_rows:
            f.write(f"{e!r},{v!r}\n")
    trapezoid = sum((e2 - e1) * (v1 + v2) / 2 for (e1, v1), (e2, v2) in zip(table_rows, table_rows[1:]))
    print(f"table: {len(table_rows)} rows, trapezoid sigma {trapezoid:.9f} pb ({trapezoid / (sigma_dir * gev2_to_pb) - 1:.2e})")

    out = {
        "meta": {
            "what": "SuperKEKB's 83 mrad crossing beams: the Bhabha positron spectrum in the ECL barrel window, checks of it, and values at energies (the table is crossing_spectrum.csv)",
            "conventions": {
                "beams": "electron 7 GeV along (sin a, 0, cos a), positron 4 GeV along (sin a, 0, -cos a), a = 41.5 mrad; the window's polar angles 32.2-128.7 degrees from z",
                "spectrum": "dsigma/dE in pb/GeV of the final positron, massless kinematics, [DPT Eq. 2.1] in the centre of mass",
                "table": "crossing_spectrum.csv: the spectrum at TABLE_POINTS + 1 energies per piece between kinks, equally spaced in u, for spectrum = { table = ... }",
            },
            "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                         "mpmath": mpmath.__version__},
            "seconds": round(time.time() - t_start),
        },
        "s_gev2": beams.s,
        "support_gev": [edges[0], edges[-1]],
        "kinks_gev": edges,
        "sigma_window_pb": {"from_spectrum": sigma_spec * gev2_to_pb, "direct": sigma_dir * gev2_to_pb,
                            "relative_difference": sigma_spec / sigma_dir - 1},
        "head_on_sigma_check": {"direct_pb": sigma_head_on * gev2_to_pb, "closed_form_pb": sigma_closed * gev2_to_pb,
                                "relative_difference": sigma_head_on / sigma_closed - 1},
        "theta_integral_error": quadrature_err,
        "dsigma_de_pb_per_gev": spectrum_points,
        "table": {"file": "crossing_spectrum.csv", "rows": len(table_rows), "trapezoid_sigma_pb": trapezoid},
    }
    with open(os.path.join(HERE, "crossing_angle_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote crossing_angle_reference.json in {time.time() - t_start:.0f} s")


if __name__ == "__main__":
    main()
