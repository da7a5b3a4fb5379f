//! Bhabha positrons (or electrons) from the real beams: a crossing angle and each beam's energy
//! spread (docs/physics.md §9, "The real beams").
//!
//! **Geometry.** The polar-angle window is measured from the detector axis `z` (the solenoid's).
//! The beams cross at the full angle `alpha` in the `x-z` plane and `z` bisects the angle between
//! the electron beam and the reversed positron beam: the electron beam flies along
//! `(sin(alpha/2), 0, cos(alpha/2))`, the positron beam along `(sin(alpha/2), 0, -cos(alpha/2))`.
//! So the centre of mass moves with `beta = ((E- + E+) sin(alpha/2), 0, (E- - E+) cos(alpha/2)) /
//! (E- + E+)`, tilted from `z` towards `+x` (at SuperKEKB, `alpha` = 83 mrad: `beta_x` = 0.0415,
//! `beta_z` = 0.2724, 151 mrad from `z`), and `s = 4 E- E+ cos^2(alpha/2)`. With `alpha = 0` this is
//! the head-on collider of [`super::bhabha`] ([DPT Sec. 2]).
//!
//! **Spectrum.** For a massless final-state particle the lab energy depends only on the angle
//! `psi*` between its centre-of-mass direction and the boost: `E = gamma E* (1 + beta cos psi*)`.
//! On the circle of fixed `psi*` (azimuth `chi` about the boost) both the lab polar angle and the
//! scattering angle to the electron beam are linear in `cos chi`:
//! `cos theta_lab = A + B cos chi`, `cos theta* = P + Q cos chi`. So
//! `dsigma/dE = 1/(gamma beta E*) (1/pi) integral dchi dsigma/dcos theta*(P + Q cos chi)` over the
//! arcs `0 <= chi <= pi` whose lab angle is in the window (their ends are closed forms), one
//! adaptive 1-D integral per energy. It has kinks where an end of the window starts or stops
//! covering the whole circle: at the lab energies of the window's edges at azimuth 0 and pi.
//!
//! **Energy spread.** Each beam's energy is Gaussian with the given relative rms; the spectrum is
//! averaged over them with 3-point Gauss–Hermite quadrature per beam (exact for polynomials of
//! degree 5 in each energy; the spectrum depends smoothly on them away from the kinks, which the
//! spread smears over a few MeV, represented by the nine node spectra's shifted kinks).

use super::bhabha::bhabha_dsigma_dcos_theta_star;
use crate::numerics::chebyshev::{ChebyshevInterpolant, integrate_with_square_roots};
use crate::numerics::quadrature::{Estimate, Tolerance, integrate};
use crate::units::gev2_to_cm2;
use std::f64::consts::PI;

/// The beams of an e+e- collider as they really are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollidingBeams {
    /// Electron beam energy, GeV.
    pub electron_energy_gev: f64,
    /// Positron beam energy, GeV.
    pub positron_energy_gev: f64,
    /// Full crossing angle, radians (0: head-on).
    pub crossing_angle_rad: f64,
    /// Relative rms spread of the electron beam's energy (0: none).
    pub electron_energy_spread: f64,
    /// Relative rms spread of the positron beam's energy (0: none).
    pub positron_energy_spread: f64,
}

/// Nodes and weights of 3-point Gauss–Hermite quadrature for a standard normal variable: 0 and
/// `±sqrt 3`, weights 2/3 and 1/6 (Abramowitz and Stegun 25.4.46 in the probabilists'
/// normalisation); exact for polynomials of degree 5.
fn gauss_hermite_3() -> [(f64, f64); 3] {
    let r3 = 3.0_f64.sqrt();
    [(-r3, 1.0 / 6.0), (0.0, 2.0 / 3.0), (r3, 1.0 / 6.0)]
}

/// The kinematics of one pair of beam energies (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kinematics {
    /// `s`, GeV^2.
    s_gev2: f64,
    /// `E* = sqrt(s)/2`, GeV.
    e_star_gev: f64,
    /// `|beta|` of the centre of mass.
    beta: f64,
    /// `gamma` of the centre of mass.
    gamma: f64,
    /// Angle of the boost to `z`, towards `+x`.
    tau: f64,
    /// The electron beam's direction in the centre of mass, in the basis (boost, e1 =
    /// (cos tau, 0, -sin tau)): its two components.
    beam_along_boost: f64,
    beam_along_e1: f64,
}

impl Kinematics {
    /// Beams of energies `e_minus`, `e_plus` (GeV) crossing at `crossing_angle_rad`.
    #[must_use]
    pub fn new(e_minus: f64, e_plus: f64, crossing_angle_rad: f64) -> Self {
        let half = 0.5 * crossing_angle_rad;
        let total = e_minus + e_plus;
        let p = [total * half.sin(), (e_minus - e_plus) * half.cos()];
        let s_gev2 = 4.0 * e_minus * e_plus * half.cos().powi(2);
        let beta_vec = [p[0] / total, p[1] / total];
        let beta = beta_vec[0].hypot(beta_vec[1]);
        let gamma = total / s_gev2.sqrt();
        let tau = beta_vec[0].atan2(beta_vec[1]);
        // The electron beam boosted into the centre of mass: p* = p + [(gamma - 1)(n.p) -
        // gamma beta E] n, with n the boost's direction.
        let p1 = [e_minus * half.sin(), e_minus * half.cos()];
        let n = [tau.sin(), tau.cos()];
        let e1 = [tau.cos(), -tau.sin()];
        let along = n[0] * p1[0] + n[1] * p1[1];
        let along_star = gamma * (along - beta * e_minus);
        let across_star = e1[0] * p1[0] + e1[1] * p1[1];
        let norm = along_star.hypot(across_star);
        Self {
            s_gev2,
            e_star_gev: 0.5 * s_gev2.sqrt(),
            beta,
            gamma,
            tau,
            beam_along_boost: along_star / norm,
            beam_along_e1: across_star / norm,
        }
    }

    /// `s`, GeV^2.
    #[must_use]
    pub fn s_gev2(&self) -> f64 {
        self.s_gev2
    }

    /// Lab energy of a massless final-state particle flying at lab polar angle `theta` and
    /// azimuth `phi` (from `+x`): `E = E* / (gamma (1 - beta . n))`.
    #[must_use]
    pub fn lab_energy_gev(&self, theta_rad: f64, phi_rad: f64) -> f64 {
        let beta_dot_n = self.beta
            * (self.tau.sin() * theta_rad.sin() * phi_rad.cos() + self.tau.cos() * theta_rad.cos());
        self.e_star_gev / (self.gamma * (1.0 - beta_dot_n))
    }

    /// The lab energies where the window `[theta_min, theta_max]` (radians) has kinks: each
    /// edge at azimuth pi and 0 (ascending for a boost towards `+x`, `z` mostly).
    #[must_use]
    pub fn window_energies_gev(&self, theta_min_rad: f64, theta_max_rad: f64) -> [f64; 4] {
        let mut e = [
            self.lab_energy_gev(theta_max_rad, PI),
            self.lab_energy_gev(theta_max_rad, 0.0),
            self.lab_energy_gev(theta_min_rad, PI),
            self.lab_energy_gev(theta_min_rad, 0.0),
        ];
        e.sort_by(f64::total_cmp);
        e
    }

    /// `cos psi*` of a lab energy (the centre-of-mass angle to the boost), `None` outside
    /// `[-1, 1]`.
    fn cos_psi(&self, energy_gev: f64) -> Option<f64> {
        let cos_psi = (energy_gev / (self.gamma * self.e_star_gev) - 1.0) / self.beta;
        (-1.0..=1.0).contains(&cos_psi).then_some(cos_psi)
    }

    /// `dsigma/dE` in GeV^-3 of the particle selected by `sign` (+1 positron, -1 electron) in the
    /// window `cos theta_max <= cos theta_lab <= cos theta_min` (module docs).
    ///
    /// Head-on (no crossing angle) every energy has one lab angle, so the spectrum steps at the
    /// window's edges; whether the angle is inside is decided at `inside_at`: the energy itself,
    /// or, for a piece between two steps, its middle, so that the piece's ends (the steps,
    /// where rounding could pick either side) take the value of its inside.
    #[must_use]
    pub fn dsigma_de_gev3(
        &self,
        energy_gev: f64,
        (cos_theta_min, cos_theta_max): (f64, f64),
        sign: f64,
        tol: Tolerance,
        inside_at: f64,
    ) -> Estimate {
        let (beta, gamma) = (self.beta, self.gamma);
        let Some(cos_psi) = self.cos_psi(energy_gev) else {
            return Estimate::exact(0.0);
        };
        let sin_psi = (1.0 - cos_psi * cos_psi).sqrt();
        let denominator = 1.0 + beta * cos_psi;
        let a = (cos_psi + beta) * self.tau.cos() / denominator;
        let b = -sin_psi * self.tau.sin() / (gamma * denominator);
        // The arc 0 <= chi <= pi whose lab angle is in the window, as a range of u = cos chi.
        let (u_lo, u_hi) = if b.abs() < 1e-300 {
            // Head-on: one polar angle, in the window up to rounding at its edges.
            let a = self
                .cos_psi(inside_at)
                .map_or(f64::NAN, |c| (c + beta) * self.tau.cos() / (1.0 + beta * c));
            if (cos_theta_max - 1e-12..=cos_theta_min + 1e-12).contains(&a) {
                (-1.0, 1.0)
            } else {
                return Estimate::exact(0.0);
            }
        } else {
            let (u1, u2) = ((cos_theta_min - a) / b, (cos_theta_max - a) / b);
            (u1.min(u2).max(-1.0), u1.max(u2).min(1.0))
        };
        if u_lo >= u_hi {
            return Estimate::exact(0.0);
        }
        let p = cos_psi * self.beam_along_boost;
        let q = sin_psi * self.beam_along_e1;
        let arc = integrate(
            |chi: f64| bhabha_dsigma_dcos_theta_star(self.s_gev2, p + q * chi.cos(), sign),
            &[u_hi.acos(), u_lo.acos()],
            tol,
        );
        // dcos psi/dE = 1/(gamma beta E*); the arc counts twice (chi and -chi) over 2 pi.
        arc.scaled(1.0 / (PI * gamma * beta * self.e_star_gev))
    }
}

/// Bhabha scattering in a lab polar-angle window with the real beams (module docs).
///
/// The spectrum is computed once: between consecutive kinks it is interpolated in
/// `u = arccos(1 - 2 (E - a)/(b - a))/pi`, in which its square-root behaviour at both ends of the
/// piece `[a, b]` becomes smooth, at Chebyshev points (a smooth interpolant, so that integrals
/// of products with it converge as for the function itself); the points double until the
/// interpolant agrees with the direct spectrum within `PIECE_TOLERANCE` of the piece's
/// largest value.
#[derive(Debug, Clone, PartialEq)]
pub struct RealBeamsBhabhaSpectrum {
    beams: CollidingBeams,
    /// Gauss–Hermite weights with the kinematics of their beam energies.
    nodes: Vec<(f64, Kinematics)>,
    /// `(cos theta_min, cos theta_max)` of the window.
    window_cos: (f64, f64),
    sign: f64,
    e_min_gev: f64,
    e_max_gev: f64,
    kinks_gev: Vec<f64>,
    /// `dsigma/dE` (cm^2/GeV) between consecutive kinks, in `u`.
    pieces: Vec<ChebyshevInterpolant>,
    /// Largest interpolation error bound of the pieces, relative to the spectrum's largest value.
    interpolation_error: f64,
    sigma_cm2: Estimate,
}

/// Relative accuracy of the inner (azimuthal) integral of the spectrum.
const ARC_TOLERANCE: f64 = 1e-10;

/// Accepted interpolation error of each piece of the spectrum, relative to its largest value.
/// The kinks are located to rounding (1e-16 relative), which a square-root onset turns into
/// about 1e-7 next to them: below that the points would only chase rounding.
const PIECE_TOLERANCE: f64 = 1e-6;

/// `E` at the piece variable `u` on `[a, b]` (its inverse is in
/// [`RealBeamsBhabhaSpectrum::dsigma_de_cm2_per_gev`]).
fn piece_energy(a: f64, b: f64, u: f64) -> f64 {
    a + 0.5 * (b - a) * (1.0 - (PI * u).cos())
}

impl RealBeamsBhabhaSpectrum {
    /// Positrons (`electrons = false`) or electrons in the lab polar-angle window
    /// `[theta_min, theta_max]` (radians from the detector axis).
    #[must_use]
    pub fn new(
        beams: CollidingBeams,
        theta_min_rad: f64,
        theta_max_rad: f64,
        electrons: bool,
    ) -> Self {
        let spread = |relative: f64| -> Vec<(f64, f64)> {
            if relative > 0.0 {
                gauss_hermite_3()
                    .iter()
                    .map(|&(x, w)| (1.0 + relative * x, w))
                    .collect()
            } else {
                vec![(1.0, 1.0)]
            }
        };
        let mut nodes = Vec::new();
        for (f_minus, w_minus) in spread(beams.electron_energy_spread) {
            for (f_plus, w_plus) in spread(beams.positron_energy_spread) {
                nodes.push((
                    w_minus * w_plus,
                    Kinematics::new(
                        f_minus * beams.electron_energy_gev,
                        f_plus * beams.positron_energy_gev,
                        beams.crossing_angle_rad,
                    ),
                ));
            }
        }
        let mut kinks_gev: Vec<f64> = nodes
            .iter()
            .flat_map(|(_, k)| k.window_energies_gev(theta_min_rad, theta_max_rad))
            .collect();
        kinks_gev.sort_by(f64::total_cmp);
        kinks_gev.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * b.abs());
        let e_min_gev = kinks_gev[0];
        let e_max_gev = kinks_gev[kinks_gev.len() - 1];
        let mut spectrum = Self {
            beams,
            nodes,
            window_cos: (theta_min_rad.cos(), theta_max_rad.cos()),
            sign: if electrons { -1.0 } else { 1.0 },
            e_min_gev,
            e_max_gev,
            kinks_gev,
            pieces: Vec::new(),
            interpolation_error: 0.0,
            sigma_cm2: Estimate::exact(0.0),
        };
        let (pieces, errors): (Vec<ChebyshevInterpolant>, Vec<f64>) = spectrum
            .kinks_gev
            .windows(2)
            .map(|w| spectrum.tabulate_piece(w[0], w[1]))
            .unzip();
        let largest = pieces
            .iter()
            .flat_map(|p| p.values().iter().copied())
            .fold(0.0, f64::max);
        spectrum.interpolation_error = errors.iter().fold(0.0_f64, |m, &e| m.max(e)) / largest;
        spectrum.pieces = pieces;
        spectrum.sigma_cm2 = integrate_with_square_roots(
            |e| spectrum.dsigma_de_cm2_per_gev(e),
            &spectrum.kinks_gev,
            Tolerance::relative(1e-10),
        );
        spectrum
    }

    /// The beams.
    #[must_use]
    pub fn beams(&self) -> &CollidingBeams {
        &self.beams
    }

    /// Whether the selected particle is the electron.
    #[must_use]
    pub fn selects_electrons(&self) -> bool {
        self.sign < 0.0
    }

    /// Lowest energy in the window, GeV.
    #[must_use]
    pub fn e_min_gev(&self) -> f64 {
        self.e_min_gev
    }

    /// Highest energy in the window, GeV.
    #[must_use]
    pub fn e_max_gev(&self) -> f64 {
        self.e_max_gev
    }

    /// The energies where the spectrum has kinks (the window's edges at azimuth 0 and pi, for
    /// every pair of beam energies), ascending, `e_min` and `e_max` included.
    #[must_use]
    pub fn kinks_gev(&self) -> &[f64] {
        &self.kinks_gev
    }

    /// The interpolant of `dsigma/dE` on the piece `[a, b]` between two kinks, with its
    /// absolute error bound (struct docs).
    fn tabulate_piece(&self, a: f64, b: f64) -> (ChebyshevInterpolant, f64) {
        let middle = 0.5 * (a + b);
        ChebyshevInterpolant::adaptive(
            |u| self.dsigma_de_at(piece_energy(a, b, u), middle).value,
            (0.0, 1.0),
            PIECE_TOLERANCE,
            10,
        )
    }

    /// Bound on the tabulated spectrum's interpolation error, relative to its largest value.
    #[must_use]
    pub fn interpolation_error(&self) -> f64 {
        self.interpolation_error
    }

    /// `dsigma/dE` in cm^2/GeV, zero outside `[e_min, e_max]` (tabulated, struct docs).
    #[must_use]
    pub fn dsigma_de_cm2_per_gev(&self, energy_gev: f64) -> f64 {
        if energy_gev < self.e_min_gev || energy_gev > self.e_max_gev {
            return 0.0;
        }
        let k = self
            .kinks_gev
            .partition_point(|&kink| kink <= energy_gev)
            .clamp(1, self.pieces.len());
        let (a, b) = (self.kinks_gev[k - 1], self.kinks_gev[k]);
        let u = (1.0 - 2.0 * (energy_gev - a) / (b - a))
            .clamp(-1.0, 1.0)
            .acos()
            / PI;
        self.pieces[k - 1].eval(u)
    }

    /// `dsigma/dE` in cm^2/GeV computed directly (the azimuthal integrals at every pair of beam
    /// energies), with their error bound.
    #[must_use]
    pub fn dsigma_de_estimate(&self, energy_gev: f64) -> Estimate {
        self.dsigma_de_at(energy_gev, energy_gev)
    }

    /// [`Self::dsigma_de_estimate`] with the head-on window test made at `inside_at`
    /// ([`Kinematics::dsigma_de_gev3`]).
    fn dsigma_de_at(&self, energy_gev: f64, inside_at: f64) -> Estimate {
        if energy_gev < self.e_min_gev || energy_gev > self.e_max_gev {
            return Estimate::exact(0.0);
        }
        self.nodes
            .iter()
            .map(|(w, k)| {
                k.dsigma_de_gev3(
                    energy_gev,
                    self.window_cos,
                    self.sign,
                    Tolerance::relative(ARC_TOLERANCE),
                    inside_at,
                )
                .scaled(w * gev2_to_cm2(1.0))
            })
            .sum()
    }

    /// The cross section in the window, cm^2 (integrated once, error bound included).
    #[must_use]
    pub fn sigma(&self) -> Estimate {
        self.sigma_cm2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::bhabha::{AsymmetricCollider, BhabhaSpectrum};

    const THETA_MIN: f64 = 32.2 * PI / 180.0;
    const THETA_MAX: f64 = 128.7 * PI / 180.0;

    fn belle2(crossing_mrad: f64, spreads: (f64, f64)) -> CollidingBeams {
        CollidingBeams {
            electron_energy_gev: 7.0,
            positron_energy_gev: 4.0,
            crossing_angle_rad: crossing_mrad * 1e-3,
            electron_energy_spread: spreads.0,
            positron_energy_spread: spreads.1,
        }
    }

    fn relative(a: f64, b: f64) -> f64 {
        (a / b - 1.0).abs()
    }

    /// Limit: head-on beams without spread give the closed forms of [DPT Eq. 2.1-2.2], for the
    /// positron and the electron, pointwise and in total.
    #[test]
    fn head_on_beams_give_the_closed_form() {
        let collider = AsymmetricCollider {
            electron_energy_gev: 7.0,
            positron_energy_gev: 4.0,
        };
        for electrons in [false, true] {
            let ours = RealBeamsBhabhaSpectrum::new(
                belle2(0.0, (0.0, 0.0)),
                THETA_MIN,
                THETA_MAX,
                electrons,
            );
            let closed = if electrons {
                BhabhaSpectrum::electrons(collider, THETA_MIN, THETA_MAX)
            } else {
                BhabhaSpectrum::new(collider, THETA_MIN, THETA_MAX)
            };
            assert!(relative(ours.e_min_gev(), closed.e_min_gev()) < 1e-13);
            assert!(relative(ours.e_max_gev(), closed.e_max_gev()) < 1e-13);
            for k in 0..=20 {
                let e = closed.e_min_gev()
                    + (closed.e_max_gev() - closed.e_min_gev())
                        * (0.001 + 0.998 * f64::from(k) / 20.0);
                let b = closed.dsigma_de_cm2_per_gev(e);
                let direct = ours.dsigma_de_estimate(e).value;
                assert!(relative(direct, b) < 1e-9, "E = {e}: {direct} against {b}");
                // The interpolant within its stated bound.
                let largest = closed.dsigma_de_cm2_per_gev(closed.e_min_gev());
                let tabulated = ours.dsigma_de_cm2_per_gev(e);
                assert!(
                    (tabulated - b).abs() <= 2.0 * ours.interpolation_error() * largest,
                    "E = {e}: {tabulated} against {b}, bound {}",
                    ours.interpolation_error()
                );
            }
            assert!(relative(ours.sigma().value, closed.sigma_cm2()) < 1e-6);
            assert!(
                ours.interpolation_error() < 1e-6,
                "{}",
                ours.interpolation_error()
            );
        }
    }

    /// Head-on beams with an energy spread: the spectrum steps at every pair of beam energies'
    /// window edges. Against the Gauss–Hermite average of the nine closed-form spectra
    /// [DPT Eq. 2.1-2.2] of those pairs, at energies across the steps (every piece between two
    /// of them must take its inside's value at its ends: deciding at the end itself made the
    /// pieces fail to converge, 40 s of tables and every point of a scan unconverged).
    #[test]
    fn head_on_beams_with_a_spread_average_the_closed_forms() {
        let spreads = (6.4e-4, 8.1e-4);
        let ours = RealBeamsBhabhaSpectrum::new(belle2(0.0, spreads), THETA_MIN, THETA_MAX, false);
        assert!(
            ours.interpolation_error() < 1e-6,
            "{}",
            ours.interpolation_error()
        );
        let mut pairs = Vec::new();
        for (x_minus, w_minus) in gauss_hermite_3() {
            for (x_plus, w_plus) in gauss_hermite_3() {
                let collider = AsymmetricCollider {
                    electron_energy_gev: 7.0 * (1.0 + spreads.0 * x_minus),
                    positron_energy_gev: 4.0 * (1.0 + spreads.1 * x_plus),
                };
                pairs.push((
                    w_minus * w_plus,
                    BhabhaSpectrum::new(collider, THETA_MIN, THETA_MAX),
                ));
            }
        }
        let average = |e: f64| -> f64 {
            pairs
                .iter()
                .map(|(w, spectrum)| w * spectrum.dsigma_de_cm2_per_gev(e))
                .sum()
        };
        let largest = average(ours.e_min_gev() + 0.02);
        // 400 energies across the lower steps (4.33-4.37 GeV) and 400 over the whole window.
        let (lo, hi) = (ours.e_min_gev(), ours.e_max_gev());
        let energies = (0..400)
            .map(|k| 4.33 + 0.04 * (f64::from(k) + 0.5) / 400.0)
            .chain((0..400).map(|k| lo + (hi - lo) * (f64::from(k) + 0.5) / 400.0));
        for e in energies {
            let on_a_step = ours.kinks_gev().iter().any(|k| (e / k - 1.0).abs() < 1e-9);
            if on_a_step {
                continue;
            }
            assert!(
                (ours.dsigma_de_cm2_per_gev(e) - average(e)).abs() <= 1e-6 * largest,
                "E = {e}: {} against {}",
                ours.dsigma_de_cm2_per_gev(e),
                average(e)
            );
        }
        let sigma: f64 = pairs.iter().map(|(w, s)| w * s.sigma_cm2()).sum();
        assert!(relative(ours.sigma().value, sigma) < 1e-6);
    }

    /// Second method: the cross section below `E0` integrated over lab angles, `integral
    /// dOmega_lab dsigma/dOmega* (E/E*)^2` over the window with the azimuths where `E < E0` (a
    /// closed-form range at each polar angle), against the spectrum integrated up to `E0`. The
    /// kinematics are built here from the beams' four-momenta in three dimensions, independently
    /// of [`Kinematics`].
    fn cumulative_by_lab_angles(beams: (f64, f64, f64), e0: f64, sign: f64) -> f64 {
        let (e_minus, e_plus, alpha) = beams;
        let tol = Tolerance::relative(1e-11);
        let h = 0.5 * alpha;
        let p_minus = [e_minus * h.sin(), 0.0, e_minus * h.cos()];
        let p_plus = [e_plus * h.sin(), 0.0, -e_plus * h.cos()];
        let total_e = e_minus + e_plus;
        let p: Vec<f64> = (0..3).map(|i| p_minus[i] + p_plus[i]).collect();
        let p2: f64 = p.iter().map(|x| x * x).sum();
        let sqrt_s = (total_e * total_e - p2).sqrt();
        let e_star = 0.5 * sqrt_s;
        let beta_vec: Vec<f64> = p.iter().map(|x| x / total_e).collect();
        let beta = p2.sqrt() / total_e;
        let gamma = total_e / sqrt_s;
        let n: Vec<f64> = beta_vec.iter().map(|b| b / beta).collect();
        // A lab four-vector (E, k) boosted into the centre of mass.
        let to_cm = |e: f64, k: &[f64]| -> Vec<f64> {
            let along: f64 = (0..3).map(|i| n[i] * k[i]).sum();
            let factor = (gamma - 1.0) * along - gamma * beta * e;
            (0..3).map(|i| k[i] + factor * n[i]).collect()
        };
        let beam_star = to_cm(e_minus, &p_minus);
        let beam_norm: f64 = beam_star.iter().map(|x| x * x).sum::<f64>().sqrt();
        let c0 = 1.0 - e_star / (gamma * e0);
        integrate(
            |theta: f64| {
                let (bx, bz) = (beta_vec[0], beta_vec[2]);
                let r = (c0 - bz * theta.cos()) / (bx * theta.sin());
                let phi_lo = r.clamp(-1.0, 1.0).acos();
                let inner = integrate(
                    |phi: f64| {
                        let dir = [
                            theta.sin() * phi.cos(),
                            theta.sin() * phi.sin(),
                            theta.cos(),
                        ];
                        let beta_dot_n: f64 = (0..3).map(|i| beta_vec[i] * dir[i]).sum();
                        let e = e_star / (gamma * (1.0 - beta_dot_n));
                        let k: Vec<f64> = dir.iter().map(|d| e * d).collect();
                        let star = to_cm(e, &k);
                        let cos_star = (0..3).map(|i| star[i] * beam_star[i]).sum::<f64>()
                            / (e_star * beam_norm);
                        bhabha_dsigma_dcos_theta_star(sqrt_s * sqrt_s, cos_star, sign) / (2.0 * PI)
                            * (e / e_star).powi(2)
                    },
                    &[phi_lo, PI],
                    tol,
                );
                2.0 * inner.value * theta.sin()
            },
            &[THETA_MIN, THETA_MAX],
            tol,
        )
        .value
            * gev2_to_cm2(1.0)
    }

    #[test]
    fn crossing_beams_match_an_integral_over_lab_angles() {
        for electrons in [false, true] {
            let spectrum = RealBeamsBhabhaSpectrum::new(
                belle2(83.0, (0.0, 0.0)),
                THETA_MIN,
                THETA_MAX,
                electrons,
            );
            let kinks = spectrum.kinks_gev().to_vec();
            assert_eq!(kinks.len(), 4);
            // Between and beyond the kinks.
            for e0 in [
                0.5 * (kinks[0] + kinks[1]),
                kinks[1],
                0.5 * (kinks[1] + kinks[2]),
                0.3 * kinks[2] + 0.7 * kinks[3],
                kinks[3],
            ] {
                let ours = cross_section_below(&spectrum, e0);
                let lab = cumulative_by_lab_angles((7.0, 4.0, 0.083), e0, spectrum.sign);
                assert!(
                    relative(ours, lab) < 1e-7,
                    "E0 = {e0}: {ours} against {lab}"
                );
            }
        }
    }

    /// Our spectrum integrated from its lowest energy to `e0`, cm^2.
    fn cross_section_below(spectrum: &RealBeamsBhabhaSpectrum, e0: f64) -> f64 {
        let mut breaks: Vec<f64> = spectrum
            .kinks_gev()
            .iter()
            .copied()
            .filter(|&e| e < e0)
            .collect();
        breaks.push(e0);
        integrate(
            |e| spectrum.dsigma_de_cm2_per_gev(e),
            &breaks,
            Tolerance::relative(1e-11),
        )
        .value
    }

    /// Second method for the spread: one beam's spread (1e-3, larger than SuperKEKB's to be
    /// seen) against Simpson's rule over its Gaussian (+-6 sigma, 48 intervals) of the lab-angle
    /// cross section below `E0`, away from the kinks.
    #[test]
    fn the_energy_spread_is_the_average_over_gaussian_beams() {
        let spread = 1e-3;
        let spectrum =
            RealBeamsBhabhaSpectrum::new(belle2(83.0, (spread, 0.0)), THETA_MIN, THETA_MAX, false);
        let kinks = spectrum.kinks_gev().to_vec();
        let e0 = 5.2;
        assert!(kinks.iter().all(|&k| (k - e0).abs() > 0.1));
        let ours = cross_section_below(&spectrum, e0);
        let intervals = 48;
        let h = 12.0 / f64::from(intervals);
        let average: f64 = (0..=intervals)
            .map(|j| {
                let x = -6.0 + h * f64::from(j);
                let simpson = if j == 0 || j == intervals {
                    1.0
                } else if j % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                simpson * h / 3.0 * (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
                    * cumulative_by_lab_angles((7.0 * (1.0 + spread * x), 4.0, 0.083), e0, 1.0)
            })
            .sum();
        assert!(relative(ours, average) < 1e-7, "{ours} against {average}");
    }
}
