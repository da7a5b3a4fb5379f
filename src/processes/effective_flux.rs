//! The flux a resonance sees: the annihilation flux with the target electrons bound and moving
//! (Doppler broadening), as the flux an electron at rest would need for the same `s`.
//!
//! [DPT Eq. 4.4] takes the target electrons at rest, so that `s = 2 m_e E_A'` with
//! `E_A' = E' + m_e`. In the impulse approximation an electron of shell n has energy
//! `E_n = m_e - B_n` and a momentum component `p_z` along the positron distributed as its Compton
//! profile `J_n(p_z)`; then `s = 2 mu E_A'` with `mu = E_n - p_z`, and the annihilations per
//! unit path carry the flux factor `mu / E_n` ([`ElectronMomenta`] holds the distribution
//! `rho(mu)` of the material with that factor; docs/physics.md §9; the Compton-profile treatment
//! of resonant annihilation of Arias-Aragon, Darme, Grilli di Cortona and Nardi, Phys. Rev. Lett.
//! 132 (2024) 261801). The yield becomes
//!
//! `N = L n_e X0 integral dmu rho(mu) integral dE' Phi(E') sigma(2 mu (E' + m_e))`.
//!
//! With `E_eff = E_A' mu / m_e`, the energy an electron at rest would need for the same `s`,
//! this is the at-rest formula with the flux replaced by an effective one. In logarithms,
//! `y = ln E_eff = x + z` with `x = ln E_A'` and `z = ln(mu/m_e)`, the effective flux per unit
//! `y` is a convolution,
//!
//! `g(y) = integral dz k(z) f(y - z)`, with `f(x) = E_A' Phi(E')` and `k(z) = mu rho(mu)`.
//!
//! Every mass is then one integral `integral dy g(y) sigma(2 m_e e^y)` across the Breit–Wigner.
//! [`EffectiveFlux`] computes `g` once per search: `f` and `k` as exact cell integrals on one
//! uniform grid in the logarithm (the at-rest flux integrated in its own table variables, so its
//! cusps cost nothing; `rho` is piecewise linear, integrated in closed form), then their discrete
//! convolution by FFT. A convolution of cell masses moves each cell to its centre, an error of
//! second order in the step; it is measured by repeating the construction with twice the step.

use crate::materials::compton::ElectronMomenta;
use crate::models::Mediator;
use crate::numerics::convolution::convolve;
use crate::numerics::quadrature::{EndPoint, Estimate, Tolerance, integrate_segment};
use crate::numerics::table::UniformTable;
use crate::units::{ELECTRON_MASS_GEV, gev2_to_cm2};
use rayon::prelude::*;

/// The annihilation flux per unit `ln E_eff` that the resonance sees, tabulated.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveFlux {
    /// `g(y)` at `y = ln(E_eff / GeV)`, with a zero node at each end.
    table: UniformTable,
    /// Bound on the error of `g`, relative to its largest value.
    relative_error: f64,
}

/// Cell masses of the at-rest flux, `integral Phi dE'` over cells uniform in `x = ln E_A'`.
struct FluxCells {
    x_min: f64,
    step: f64,
    masses: Vec<Estimate>,
}

/// A function tabulated at `y_first + i step` with a bound on its round-off.
struct Grid {
    y_first: f64,
    step: f64,
    values: Vec<f64>,
    round_off: f64,
}

impl EffectiveFlux {
    /// Grid step in the logarithm of the energy for a flux table of `intervals` intervals per
    /// segment (256 by default gives 2e-4, a tenth of the narrowest shell's width in CsI, the
    /// caesium 6s electron's `2.5e-3`).
    #[must_use]
    pub fn log_step(intervals: usize) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "a small count")]
        let n = intervals as f64;
        0.05 / n
    }

    /// The effective flux of an at-rest flux given by its integral over energy intervals:
    /// `at_rest_integral(a, b) = integral_a^b Phi(E') dE'` (positron energies in GeV; the result
    /// in the flux's units times GeV) on the support `support_gev` of `Phi`, broadened by the
    /// target electrons `electrons`, on a grid of step about `log_step` in `ln E`.
    #[must_use]
    pub fn new<I: Fn(f64, f64) -> Estimate + Sync>(
        at_rest_integral: I,
        support_gev: (f64, f64),
        electrons: &ElectronMomenta,
        log_step: f64,
    ) -> Self {
        let x_min = (support_gev.0 + ELECTRON_MASS_GEV).ln();
        let x_max = (support_gev.1 + ELECTRON_MASS_GEV).ln();
        // An even number of cells, so that pairs of them make the coarse grid.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive cell count"
        )]
        let half = ((x_max - x_min) / (2.0 * log_step)).ceil().max(2.0) as usize;
        let cells = 2 * half;
        #[expect(clippy::cast_precision_loss, reason = "a small count")]
        let step = (x_max - x_min) / cells as f64;
        let energy = |x: f64| x.exp() - ELECTRON_MASS_GEV;
        let masses: Vec<Estimate> = (0..cells)
            .into_par_iter()
            .map(|j| {
                #[expect(clippy::cast_precision_loss, reason = "a small count")]
                let (a, b) = (x_min + step * j as f64, x_min + step * (j + 1) as f64);
                let lo = if j == 0 { support_gev.0 } else { energy(a) };
                let hi = if j + 1 == cells {
                    support_gev.1
                } else {
                    energy(b)
                };
                at_rest_integral(lo, hi)
            })
            .collect();
        let fine = FluxCells {
            x_min,
            step,
            masses,
        };
        let coarse = fine.coarsened();
        let (fine_grid, coarse_grid) =
            rayon::join(|| fine.broadened(electrons), || coarse.broadened(electrons));
        let table = padded_table(&fine_grid);
        let largest = fine_grid.values.iter().fold(0.0_f64, |m, &g| m.max(g));
        // The coarse grid's error is about four times the fine one's (second order): their
        // difference at the coarse nodes (midway between fine nodes) bounds the fine grid's
        // error; the cell integrals' errors and the round-off of the transforms come on top.
        let grid_error = coarse_grid
            .values
            .iter()
            .enumerate()
            .map(|(i, &g)| {
                #[expect(clippy::cast_precision_loss, reason = "a small count")]
                let y = coarse_grid.y_first + coarse_grid.step * i as f64;
                (table.eval(y) - g).abs()
            })
            .fold(0.0_f64, f64::max);
        let cell_error = fine.masses.iter().fold(0.0_f64, |m, e| {
            m.max(if e.converged { e.error } else { f64::INFINITY })
        }) / step;
        let relative_error = if largest > 0.0 {
            (grid_error + cell_error + fine_grid.round_off) / largest
        } else {
            0.0
        };
        Self {
            table,
            relative_error,
        }
    }

    /// Bound on the error of the effective flux relative to its largest value (the grid against
    /// one of twice the step, plus the errors of the cell integrals and the round-off; the
    /// at-rest flux's own table error comes on top).
    #[must_use]
    pub fn relative_error(&self) -> f64 {
        self.relative_error
    }

    /// `g(y)` per unit `y = ln(E_eff/GeV)`, in the at-rest flux's units times GeV (zero outside
    /// its support; the interpolant's undershoot next to a zero, and round-off, are cut at zero).
    #[must_use]
    pub fn per_log_energy(&self, y: f64) -> f64 {
        if y <= self.table.x_lo() || y >= self.table.x_hi() {
            0.0
        } else {
            self.table.eval(y).max(0.0)
        }
    }

    /// `integral dy g(y) sigma_ann(2 m_e e^y)` at `eps = 1` (cm^2 times the flux's integral), the
    /// counterpart of
    /// [`crate::processes::annihilation::AnnihilationFlux::integrate_cross_section`]: the
    /// threshold `s = 4 m_chi^2` is a square-root end, and the Breit–Wigner peak at
    /// `y = ln(m^2/(2 m_e))` has the half width `Gamma/m` in `y`.
    #[must_use]
    pub fn integrate_cross_section(&self, mediator: &Mediator, tol: Tolerance) -> Estimate {
        let e_resonance = mediator.resonance_energy_gev();
        let y_resonance = e_resonance.ln();
        let width = mediator.resonance_half_width_gev() / e_resonance;
        let y_threshold = mediator.threshold_energy_gev().ln();
        let (y_lo, y_hi) = (self.table.x_lo(), self.table.x_hi());
        if y_hi <= y_threshold {
            return Estimate::exact(0.0);
        }
        let (lo, lo_end) = if y_threshold > y_lo {
            (y_threshold, EndPoint::SquareRoot)
        } else {
            (y_lo, EndPoint::Regular)
        };
        let m2 = 2.0 * ELECTRON_MASS_GEV * e_resonance;
        integrate_segment(
            |p| {
                let s = 2.0 * ELECTRON_MASS_GEV * p.x.exp();
                let s_minus_m2 = m2 * (p.x - y_resonance).exp_m1();
                gev2_to_cm2(mediator.sigma_annihilation_gev2(s, s_minus_m2))
                    * self.per_log_energy(p.x)
            },
            lo,
            y_hi,
            (lo_end, EndPoint::Regular),
            Some((y_resonance, width)),
            tol,
        )
    }
}

impl FluxCells {
    /// The same flux on cells twice as wide (pairs of cells summed).
    fn coarsened(&self) -> Self {
        Self {
            x_min: self.x_min,
            step: 2.0 * self.step,
            masses: self.masses.chunks(2).map(|p| p[0] + p[1]).collect(),
        }
    }

    /// The broadened flux per unit `y` on this grid: the discrete convolution of the flux cells
    /// with the kernel cells.
    fn broadened(&self, electrons: &ElectronMomenta) -> Grid {
        let flux: Vec<f64> = self.masses.iter().map(|e| e.value).collect();
        let inverse_step = 1.0 / self.step;
        let (first, kernel) = self.kernel(electrons);
        let c = convolve(&kernel, &flux);
        #[expect(clippy::cast_precision_loss, reason = "|k| is below 1e6")]
        let y_first = self.x_min + (first as f64 + 0.5) * self.step;
        Grid {
            y_first,
            step: self.step,
            values: c.values.iter().map(|g| g * inverse_step).collect(),
            round_off: c.round_off * inverse_step,
        }
    }

    /// `k(z)` as cell masses on cells of this grid's step centred at `z = k step`, from the
    /// first `k` whose cell reaches the distribution to the last: `(k_first, masses)`.
    fn kernel(&self, electrons: &ElectronMomenta) -> (i64, Vec<f64>) {
        let (mu_lo, mu_hi) = electrons.range_gev();
        #[expect(clippy::cast_possible_truncation, reason = "|z|/step is below 1e6")]
        let index = |mu: f64| ((mu / ELECTRON_MASS_GEV).ln() / self.step).round() as i64;
        let (first, last) = (index(mu_lo), index(mu_hi));
        let masses = (first..=last)
            .map(|k| {
                #[expect(clippy::cast_precision_loss, reason = "|k| is below 1e6")]
                let z = k as f64 * self.step;
                electrons.integral_between(
                    ELECTRON_MASS_GEV * (z - 0.5 * self.step).exp(),
                    ELECTRON_MASS_GEV * (z + 0.5 * self.step).exp(),
                )
            })
            .collect();
        (first, masses)
    }
}

/// A table of a grid's values, with a zero node added at each end.
fn padded_table(grid: &Grid) -> UniformTable {
    let mut padded = Vec::with_capacity(grid.values.len() + 2);
    padded.push(0.0);
    padded.extend_from_slice(&grid.values);
    padded.push(0.0);
    #[expect(clippy::cast_precision_loss, reason = "a small count")]
    let y_last = grid.y_first + grid.step * grid.values.len() as f64;
    UniformTable::from_values(grid.y_first - grid.step, y_last, padded)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M_E: f64 = ELECTRON_MASS_GEV;

    /// A flat flux `Phi = c` on `[a, b]`, integrated exactly.
    fn flat_flux(c: f64, (a, b): (f64, f64)) -> impl Fn(f64, f64) -> Estimate + Sync {
        move |lo: f64, hi: f64| Estimate::exact(c * (hi.min(b) - lo.max(a)).max(0.0))
    }

    /// Electrons with `mu` uniform on `[mu_1, mu_2]` (in units of `m_e`).
    fn uniform_electrons(mu_1: f64, mu_2: f64) -> ElectronMomenta {
        let density = 1.0 / ((mu_2 - mu_1) * M_E);
        ElectronMomenta::from_table(
            vec![mu_1 * M_E, mu_2 * M_E],
            vec![density, density],
            vec![(M_E, 1.0)],
        )
    }

    /// A flat flux on `[a, b]` broadened by a flat `rho` on `[mu_1, mu_2]` has the closed form
    /// `g(y) = c e^y m_e integral rho(mu)/mu dmu` over the `mu` with `e^y m_e/mu` in
    /// `[a + m_e, b + m_e]`, a logarithm: the table reproduces it to 1e-6 away from its kinks,
    /// and its error bound covers the difference.
    #[test]
    fn flat_flux_and_flat_electrons_give_the_closed_form() {
        let (a, b, c) = (4.0, 6.0, 2.5);
        let (mu_1, mu_2) = (0.8, 1.2);
        let flux = EffectiveFlux::new(
            flat_flux(c, (a, b)),
            (a, b),
            &uniform_electrons(mu_1, mu_2),
            2e-4,
        );
        let closed = |y: f64| {
            let lo = (y.exp() * M_E / (b + M_E)).max(mu_1 * M_E);
            let hi = (y.exp() * M_E / (a + M_E)).min(mu_2 * M_E);
            if hi <= lo {
                0.0
            } else {
                c * y.exp() * M_E / ((mu_2 - mu_1) * M_E) * (hi / lo).ln()
            }
        };
        let largest = closed(((a + M_E) * (b + M_E)).sqrt().ln());
        // Kinks at y = ln(E_A' mu/m_e) for the four corners; test between them.
        for y in [1.20, 1.30, 1.55, 1.70, 1.85, 1.98] {
            let ours = flux.per_log_energy(y);
            let exact = closed(y);
            assert!(
                (ours - exact).abs() <= 1e-6 * largest,
                "y = {y}: {ours} against {exact}"
            );
            assert!((ours - exact).abs() <= flux.relative_error() * largest + 1e-12);
        }
        assert!(flux.per_log_energy(0.5) == 0.0 && flux.per_log_energy(3.0) == 0.0);
    }

    /// The convolution conserves the flux: `integral g dy = integral Phi dE' integral rho dmu`.
    #[test]
    fn broadening_conserves_the_flux() {
        let (a, b, c) = (4.0, 6.0, 1.0);
        let electrons = uniform_electrons(0.3, 1.7);
        let flux = EffectiveFlux::new(flat_flux(c, (a, b)), (a, b), &electrons, 5e-4);
        let total = crate::numerics::quadrature::integrate(
            |y| flux.per_log_energy(y),
            &[flux.table.x_lo(), flux.table.x_hi()],
            Tolerance::relative(1e-10),
        );
        let expected = c * (b - a) * electrons.norm();
        assert!(
            (total.value / expected - 1.0).abs() < 1e-6,
            "{} against {expected}",
            total.value
        );
    }
}
