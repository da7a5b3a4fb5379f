//! Differential track length of positrons in a thick target (Tsai–Whitis shower model).
//!
//! [DPT App. A]: `T_e(E', E, L_T) = X0 integral_0^{L_T/X0} I_e(E', E, t) dt` [Eq. A.1] with the
//! first two generations of [Eq. A.2-A.3], `v = E'/E`, `b1 = 4/3`, `b2 = 7/9`. Writing
//! `T_e = (X0/E) f(v, T)` with `T = L_T/X0`, the dimensionless shape `f` depends only on the
//! energy fraction and the thickness, so it is tabulated once per thickness
//! ([`TrackLengthTable`]).
//!
//! Variables. `lambda = ln(1/v)` is the natural variable: `I1` is a function of `lambda` only,
//! and in the yields the change `(E, v) -> (E', lambda)` has unit Jacobian. As `v -> 1`,
//! `f1 ~ 1/(b1 lambda ln^2 lambda)`: an integrable spike so slow that 10% of the integral over
//! `0.95 < v < 1` lies within `1 - v < 1e-12` (docs/physics.md §6b). The table therefore uses
//! `lambda = lambda_max exp(1 - 1/w)`, `w` in `[0, 1]`, and stores the density per unit `w`,
//! `g(w) = f lambda / w^2`, which is smooth and tends to `1/b1` as `w -> 0`: the spike is
//! integrated exactly, with no cut-off.
//!
//! Second generation. With `a = b1 ln(1 - x)`, `b = b1 ln(1 - v/x)` and `c = -b2`, the bracket of
//! [Eq. A.3] divided by `b2 + b1 ln(1 - x)` is exactly the second divided difference
//! `exp(. t)[a, b, c]`; its removable 0/0 points (`x^2 = v`, `1 - x = e^(-7/12)`,
//! `1 - v/x = e^(-7/12)`) are coincident nodes. Integrating over depth `t` in `[0, T]` turns it
//! into `T^3 exp[Ta, Tb, Tc, 0]`, so `f2 = m integral_v^1 dx/x^2 T^3 exp[Ta, Tb, Tc, 0]`, a single
//! integral evaluated with [`exp_divided_difference`]. `m = 2` in [Eq. A.3] counts the electron
//! and the positron of each conversion (docs/physics.md §6b); it is a parameter.

use super::pair_positrons::PositronSecondGeneration;
use crate::numerics::divided_difference::exp_divided_difference;
use crate::numerics::quadrature::{
    Estimate, Tolerance, gauss_kronrod_15, gauss_kronrod_21, integrate, integrate_to_cusp,
};
use crate::numerics::table::UniformTable;
use rayon::prelude::*;
use statrs::function::gamma::ln_gamma;

/// `b1 = 4/3` of the Tsai–Whitis shower model [DPT Eq. A.2].
pub const B1: f64 = 4.0 / 3.0;
/// `b2 = 7/9` of the Tsai–Whitis shower model [DPT Eq. A.3].
pub const B2: f64 = 7.0 / 9.0;

/// Which particle enters the target, for the positron (annihilation) track length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Incident {
    /// Positrons from an incident positron: first + second generation, `I1 + I2`.
    Positron,
    /// Positrons from an incident electron: second generation only, `I2` [DPT Eq. A.4].
    Electron,
}

impl Incident {
    /// Generations making up the positron track length for this incident particle.
    #[must_use]
    pub fn positron_generations(self) -> Generations {
        match self {
            Self::Positron => Generations::FirstAndSecond,
            Self::Electron => Generations::SecondOnly,
        }
    }
}

/// Which generations of the shower a track-length table counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generations {
    /// The incident particle and its second generation, `I1 + I2`: same-species track length
    /// (positrons from a positron, electrons from an electron) [DPT Eq. A.1-A.3].
    FirstAndSecond,
    /// The second generation only, `I2`: opposite-species track length (positrons from an
    /// electron) [DPT Eq. A.4].
    SecondOnly,
}

/// Largest span, in e-folds of `s`, of one panel of [`TrackLengthTable::integrate_panel_log_end`].
pub const LOG_CHUNK_EFOLDS: f64 = 4.0;

/// Accuracy of each node of the table (relative); the interpolation error dominates.
const NODE_TOLERANCE: f64 = 1e-10;

/// First-generation track length times `lambda`, `lambda f1(lambda, T)`, from
/// [DPT Eq. A.2]: `f1 = integral_0^T lambda^(b1 t - 1) / Gamma(b1 t) dt`.
///
/// Takes `l = ln(1/lambda)` so that `lambda` far below the smallest double is fine:
/// `lambda f1 = integral_0^T exp(-b1 t l - ln Gamma(b1 t)) dt`. For `l -> infinity` this tends to
/// `1/(b1 l^2)`.
#[must_use]
pub fn first_generation_times_lambda(ln_inv_lambda: f64, thickness_x0: f64) -> Estimate {
    let l = ln_inv_lambda;
    let a_max = B1 * thickness_x0;
    // In a = b1 t the integrand is a^(...) e^(-a l)/Gamma(a), peaked near a = 1/l for large l.
    let mut breaks = vec![0.0];
    if l > 1.0 {
        for k in [1.0, 4.0, 16.0, 64.0] {
            let a = k / l;
            if a < a_max {
                breaks.push(a);
            }
        }
    }
    breaks.push(a_max);
    let integrand = |a: f64| (-a * l - ln_gamma(a)).exp();
    integrate(integrand, &breaks, Tolerance::relative(NODE_TOLERANCE)).scaled(1.0 / B1)
}

/// Second-generation track length `f2(v, T)` [DPT Eq. A.3] integrated over depth, with the
/// conversion multiplicity `m` (2 in the paper).
///
/// `v = exp(-lambda)`; `one_minus_v` must be `1 - v` computed without cancellation.
#[must_use]
pub fn second_generation(
    lambda: f64,
    one_minus_v: f64,
    thickness_x0: f64,
    multiplicity: f64,
) -> Estimate {
    let v = (-lambda).exp();
    let t = thickness_x0;
    let t3 = t * t * t;
    // Integrand at x with exact distances dv = x - v and d1 = 1 - x.
    let kernel = |x: f64, dv: f64, d1: f64| -> f64 {
        let a = B1 * d1.ln();
        let b = B1 * (dv / x).ln();
        let c = -B2;
        t3 * exp_divided_difference(&[t * a, t * b, t * c, 0.0]) / (x * x)
    };
    let half = 0.5 * one_minus_v;
    let tol = Tolerance::relative(NODE_TOLERANCE);
    // Both ends are 1/ln cusps (b -> -inf as x -> v, a -> -inf as x -> 1).
    let left = integrate_to_cusp(|d| kernel(v + d, d, one_minus_v - d), half, tol);
    let right = integrate_to_cusp(|d| kernel(1.0 - d, one_minus_v - d, d), half, tol);
    (left + right).scaled(multiplicity)
}

/// How the second generation is counted (`target.second_generation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecondGenerationModel {
    /// One particle of the species followed per photon conversion, with the Bethe–Heitler
    /// energy sharing ([`crate::showers::pair_positrons`]): the default.
    #[default]
    Positrons,
    /// [DPT Eq. A.3] as printed, after Tsai and Whitis: both particles of each conversion
    /// counted (`target.second_generation_multiplicity`, 2).
    TsaiWhitisPairs,
}

/// The second generation of a track-length table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SecondGeneration {
    /// One positron per conversion ([`crate::showers::pair_positrons`]).
    Positrons,
    /// [DPT Eq. A.3] with `multiplicity` particles counted per conversion (2 as printed).
    TsaiWhitisPairs {
        /// Particles counted per conversion.
        multiplicity: f64,
    },
}

/// Settings that fix the shape of a track-length table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShowerSettings {
    /// Target thickness in radiation lengths, `L_T / X0`.
    pub thickness_x0: f64,
    /// Generations counted.
    pub generations: Generations,
    /// How the second generation is counted.
    pub second_generation: SecondGeneration,
}

/// Intervals in `w` of the second generation, tabulated apart (it is smooth in `w` and costly
/// per node) and interpolated into the track-length table: the first try, doubled until the
/// table's error bound is below the model's target (the most intervals of each model below).
/// For the positron-only model the same intervals serve each of its source tables. A narrow
/// window (Belle II, `lambda_max = 0.05`) meets the positron-only target with the first try,
/// 5e-8; `v` down to 0.25 needs 32.
const SECOND_GENERATION_FIRST_INTERVALS: usize = 16;

/// The most intervals tried for the positron-only second generation.
const POSITRON_MAX_INTERVALS: usize = 64;

/// Absolute error bound asked of the positron-only second generation's density (`g` is at
/// most `1/b1 = 0.75`; the track-length table as a whole is asked for 1e-3 of that).
const POSITRON_TABLE_ERROR: f64 = 1e-6;

/// The most intervals tried for the Tsai–Whitis second generation: those of the default
/// track-length table, which computed it at every node before.
const TSAI_WHITIS_MAX_INTERVALS: usize = TrackLengthTable::DEFAULT_INTERVALS;

/// Absolute error bound asked of the Tsai–Whitis second generation's density: the paper's
/// model, kept far below the papers' precision and the positron-only model's bound.
const TSAI_WHITIS_TABLE_ERROR: f64 = 1e-9;

/// `lambda f2 / w^2` of the second generation on its own grid in `w`, with a bound on its
/// absolute error (interpolation and node integrals): nodes from `level(intervals)` on
/// `2 intervals + 1` points, [`SECOND_GENERATION_FIRST_INTERVALS`] first, the intervals doubled
/// up to `max_intervals` while the bound exceeds `target`. When `keeps_nodes` the node function
/// does not depend on the intervals, so each doubling computes only the new nodes, midway
/// between the old ones; else every level is computed afresh.
fn second_generation_density<L: Fn(f64) -> Estimate + Sync>(
    level: impl Fn(usize) -> L,
    keeps_nodes: bool,
    (target, max_intervals): (f64, usize),
) -> (UniformTable, f64) {
    let mut intervals = SECOND_GENERATION_FIRST_INTERVALS;
    let mut node = level(intervals);
    let mut estimates: Vec<Estimate> = UniformTable::nodes(0.0, 1.0, 2 * intervals + 1)
        .par_iter()
        .map(|&w| node(w))
        .collect();
    loop {
        let (table, error) = UniformTable::from_estimates(0.0, 1.0, &estimates);
        if error <= target || intervals >= max_intervals {
            return (table, error);
        }
        intervals *= 2;
        let nodes = UniformTable::nodes(0.0, 1.0, 2 * intervals + 1);
        if keeps_nodes {
            let fresh: Vec<Estimate> = nodes
                .par_iter()
                .skip(1)
                .step_by(2)
                .map(|&w| node(w))
                .collect();
            let mut fresh = fresh.into_iter();
            estimates = estimates
                .into_iter()
                .flat_map(|old| std::iter::once(old).chain(fresh.next()))
                .collect();
        } else {
            node = level(intervals);
            estimates = nodes.par_iter().map(|&w| node(w)).collect();
        }
    }
}

/// `lambda = lambda_max exp(1 - 1/w)` of the table variable `w` in `(0, 1]` (the pair
/// positrons' tables use the same map, for `eta` as well).
pub(super) fn lambda_at(lambda_max: f64, w: f64) -> f64 {
    lambda_max * (1.0 - 1.0 / w).exp()
}

/// The Tsai–Whitis second generation [DPT Eq. A.3] as `lambda f2 / w^2` at `w` (the nodes of
/// [`second_generation_density`], which it keeps from level to level).
fn tsai_whitis_density(thickness_x0: f64, lambda_max: f64, multiplicity: f64, w: f64) -> Estimate {
    let lambda = lambda_at(lambda_max, w);
    // lambda f2 ~ lambda^2 / ln(1/lambda): below 1e-30 it is zero in double precision
    // relative to 1/b1.
    if w == 0.0 || lambda <= 1e-30 {
        return Estimate::exact(0.0);
    }
    let one_minus_v = -(-lambda).exp_m1();
    second_generation(lambda, one_minus_v, thickness_x0, multiplicity).scaled(lambda / (w * w))
}

/// The positron-only second generation ([`crate::showers::pair_positrons`]) as
/// `lambda f2 / w^2` at `w`, from `generation` (whose source tables have as many intervals as
/// the level of [`second_generation_density`]).
fn positron_density(generation: &PositronSecondGeneration, lambda_max: f64, w: f64) -> Estimate {
    if w == 0.0 {
        return Estimate::exact(0.0);
    }
    let lambda = lambda_at(lambda_max, w);
    generation.value(lambda).scaled(lambda / (w * w))
}

/// The first generation in the density `g(w) = f lambda / w^2` at `lambda`, evaluated directly
/// (the second generation is added from its own table).
fn first_generation_density(settings: &ShowerSettings, ln_inv_lambda: f64, w: f64) -> Estimate {
    match settings.generations {
        Generations::FirstAndSecond => {
            first_generation_times_lambda(ln_inv_lambda, settings.thickness_x0)
                .scaled(1.0 / (w * w))
        }
        Generations::SecondOnly => Estimate::exact(0.0),
    }
}

/// The track-length shape `f(v, T)` tabulated in `w` (see the module docs), for
/// `0 < lambda = ln(1/v) <= lambda_max`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackLengthTable {
    settings: ShowerSettings,
    lambda_max: f64,
    /// `g(w)`, or `g(w) / F(w)` with an emptied spike.
    density: UniformTable,
    /// `beta` of a spike emptied by radiation ([`TrackLengthTable::from_density_estimates`]).
    emptied_spike: Option<f64>,
    interpolation_error: f64,
}

impl TrackLengthTable {
    /// Default number of intervals of the table in `w`.
    pub const DEFAULT_INTERVALS: usize = 256;

    /// Builds the table for `lambda` in `(0, lambda_max]` with `intervals` intervals in `w`
    /// (nodes evaluated in parallel; the result does not depend on the thread count).
    ///
    /// The interpolation error is measured at build time: the table is evaluated on `2n + 1`
    /// nodes, and the interpolant of the even nodes is compared with the odd ones. The stated
    /// bound [`Self::interpolation_error`] is that coarse-grid error (the full table is about
    /// 16 times better, the bound is conservative).
    #[must_use]
    pub fn new(settings: ShowerSettings, lambda_max: f64, intervals: usize) -> Self {
        let n = 2 * intervals + 1;
        let nodes = UniformTable::nodes(0.0, 1.0, n);
        let (thickness, t) = (settings.thickness_x0, lambda_max);
        let (second, second_error) = match settings.second_generation {
            SecondGeneration::Positrons => second_generation_density(
                |k| {
                    let generation = PositronSecondGeneration::new(thickness, t, k);
                    move |w| positron_density(&generation, t, w)
                },
                false,
                (POSITRON_TABLE_ERROR, POSITRON_MAX_INTERVALS),
            ),
            SecondGeneration::TsaiWhitisPairs { multiplicity } => second_generation_density(
                |_| move |w| tsai_whitis_density(thickness, t, multiplicity, w),
                true,
                (TSAI_WHITIS_TABLE_ERROR, TSAI_WHITIS_MAX_INTERVALS),
            ),
        };
        let estimates: Vec<Estimate> = nodes
            .par_iter()
            .map(|&w| {
                if w == 0.0 {
                    // lambda f1 -> 1/(b1 ln^2 lambda) = w^2/b1 (1 + O(w)); f2 -> 0 faster.
                    return Estimate::exact(match settings.generations {
                        Generations::FirstAndSecond => 1.0 / B1,
                        Generations::SecondOnly => 0.0,
                    });
                }
                let ln_inv_lambda = 1.0 / w - 1.0 - lambda_max.ln();
                first_generation_density(&settings, ln_inv_lambda, w)
                    + Estimate::exact(second.eval(w))
            })
            .collect();
        // Node integrals that missed their tolerance count in full against the table, and so
        // does the error of the second generation's own table.
        Self::from_density_estimates(settings, lambda_max, &estimates, second_error, None)
    }

    /// A table of the density `g(w) = f lambda / w^2` given at the `2n + 1` equally spaced nodes
    /// of `w` in `[0, 1]` (for `0 < lambda <= lambda_max`), for a shape derived from the
    /// Tsai–Whitis one with `settings` (e.g. with the positron's radiation before it
    /// annihilates, `crate::processes::initial_state_radiation`). The error bound is measured
    /// as for [`Self::new`], with `extra_error` (absolute, on `g`) added to the node errors.
    ///
    /// With `emptied_spike = Some(beta)` the estimates are of `g / F` with
    /// `F = (1 + beta L) e^(-beta L)`, `L = ln(1/lambda)` ([`Self::spike_factor`]): radiation with
    /// a density `beta t^(beta - 1)` in the extra loss `t` empties the spike `lambda f ~ 1/(b1 L^2)`
    /// as `g ~ F Gamma(1 + beta)/b1`, a structure of width `beta` in `w` that the ratio does
    /// not have.
    ///
    /// # Panics
    /// If fewer than seven estimates are given.
    #[must_use]
    pub fn from_density_estimates(
        settings: ShowerSettings,
        lambda_max: f64,
        estimates: &[Estimate],
        extra_error: f64,
        emptied_spike: Option<f64>,
    ) -> Self {
        let (density, error) = UniformTable::from_estimates(0.0, 1.0, estimates);
        let mut table = Self {
            settings,
            lambda_max,
            density,
            emptied_spike,
            interpolation_error: 0.0,
        };
        let error = match emptied_spike {
            None => error,
            // The bound on g: the ratio's errors (node integrals, the half table at the odd
            // nodes) times F, which is small where the ratio bends (w below a few beta).
            Some(beta) => {
                let values = table.density.values();
                let n = values.len();
                let coarse = UniformTable::from_values(
                    0.0,
                    1.0,
                    values.iter().step_by(2).copied().collect(),
                );
                (0..n)
                    .map(|i| {
                        #[expect(clippy::cast_precision_loss, reason = "a node index")]
                        let w = i as f64 / (n - 1) as f64;
                        let e = &estimates[i];
                        let node = if e.converged { e.error } else { f64::INFINITY };
                        let interpolation = if i % 2 == 1 {
                            (coarse.eval(w) - values[i]).abs()
                        } else {
                            0.0
                        };
                        node.max(interpolation) * table.spike_factor(beta, w)
                    })
                    .fold(0.0, f64::max)
            }
        };
        let scale = (0..table.density.len())
            .map(|i| {
                #[expect(clippy::cast_precision_loss, reason = "a node index")]
                let w = i as f64 / (table.density.len() - 1) as f64;
                table.density(w).abs()
            })
            .fold(0.0_f64, f64::max);
        table.interpolation_error = error.max(extra_error) / scale;
        table
    }

    /// `F(w) = (1 + beta L) e^(-beta L)` with `L = ln(1/lambda(w))`, 0 at `w = 0`: the factor
    /// of a spike emptied by radiation ([`Self::from_density_estimates`]).
    #[must_use]
    pub fn spike_factor(&self, beta: f64, w: f64) -> f64 {
        if w <= 0.0 {
            return 0.0;
        }
        let l = 1.0 / w - 1.0 - self.lambda_max.ln();
        (1.0 + beta * l) * (-beta * l).exp()
    }

    /// The track length gathered between two depths: `f(v, T) - f(v, T')` for `self` at `T`
    /// and `other` at `T' < T` (the same settings otherwise, so the same grid): the shape of a
    /// layer that starts at `T'` (docs/physics.md §9). Its spike is gone (`f1` gathers it in the
    /// first radiation lengths): the density is zero at `w = 0`. The error bound is the sum of
    /// the two tables'.
    ///
    /// # Panics
    /// If the tables are not on the same grid (a programming error).
    #[must_use]
    pub fn minus(&self, other: &TrackLengthTable) -> TrackLengthTable {
        assert!(
            self.lambda_max == other.lambda_max
                && self.density.len() == other.density.len()
                && self.emptied_spike.is_none()
                && other.emptied_spike.is_none(),
            "tables on different grids"
        );
        let scale = |t: &TrackLengthTable| {
            t.density
                .values()
                .iter()
                .fold(0.0_f64, |m, v| m.max(v.abs()))
        };
        let estimates: Vec<Estimate> = self
            .density
            .values()
            .iter()
            .zip(other.density.values())
            .map(|(a, b)| Estimate::exact(a - b))
            .collect();
        let error =
            self.interpolation_error * scale(self) + other.interpolation_error * scale(other);
        Self::from_density_estimates(self.settings, self.lambda_max, &estimates, error, None)
    }

    /// Number of nodes of the table in `w`.
    #[must_use]
    pub fn nodes(&self) -> usize {
        self.density.len()
    }

    /// The settings the table was built for.
    #[must_use]
    pub fn settings(&self) -> &ShowerSettings {
        &self.settings
    }

    /// Largest `lambda = ln(1/v)` covered.
    #[must_use]
    pub fn lambda_max(&self) -> f64 {
        self.lambda_max
    }

    /// Bound on the error of the density (interpolation and node integrals), relative to its
    /// largest value.
    #[must_use]
    pub fn interpolation_error(&self) -> f64 {
        self.interpolation_error
    }

    /// Table variable `w` for a given `lambda` (0 for `lambda = 0`).
    #[must_use]
    pub fn w_of_lambda(&self, lambda: f64) -> f64 {
        if lambda <= 0.0 {
            0.0
        } else {
            1.0 / (1.0 - (lambda / self.lambda_max).ln())
        }
    }

    /// `lambda` for a table variable `w`.
    #[must_use]
    pub fn lambda_of_w(&self, w: f64) -> f64 {
        if w <= 0.0 {
            0.0
        } else {
            lambda_at(self.lambda_max, w)
        }
    }

    /// Density per unit `w`, `g(w) = f(v) lambda / w^2`.
    #[must_use]
    pub fn density(&self, w: f64) -> f64 {
        match self.emptied_spike {
            Some(beta) => self.density.eval(w) * self.spike_factor(beta, w),
            None => self.density.eval(w),
        }
    }

    /// The shape `f(v, T)` at `lambda = ln(1/v)` (interpolated).
    #[must_use]
    pub fn shape(&self, lambda: f64) -> f64 {
        let w = self.w_of_lambda(lambda);
        self.density(w) * w * w / lambda
    }

    /// `integral f(v(lambda)) h(lambda) dlambda` over `[lambda_lo, lambda_hi]` (clamped to the
    /// table), integrated in `w` so the spike at `lambda = 0` is exact. `lambda_breaks` are
    /// extra break points where `h` has a kink.
    pub fn integrate_over_lambda<H: FnMut(f64) -> f64>(
        &self,
        h: H,
        lambda_lo: f64,
        lambda_hi: f64,
        lambda_breaks: &[f64],
        tol: Tolerance,
    ) -> Estimate {
        self.integrate_density_over_lambda(
            |w| self.density(w),
            h,
            lambda_lo,
            lambda_hi,
            lambda_breaks,
            tol,
        )
    }

    /// As [`Self::integrate_over_lambda`] with another density per unit `w` on this table's
    /// variable (a combination of tables on the same `lambda` range).
    pub fn integrate_density_over_lambda<D: Fn(f64) -> f64, H: FnMut(f64) -> f64>(
        &self,
        density: D,
        mut h: H,
        lambda_lo: f64,
        lambda_hi: f64,
        lambda_breaks: &[f64],
        tol: Tolerance,
    ) -> Estimate {
        let lambda_hi = lambda_hi.min(self.lambda_max);
        if lambda_hi <= lambda_lo {
            return Estimate::exact(0.0);
        }
        let mut breaks = Vec::with_capacity(2 + lambda_breaks.len());
        breaks.push(self.w_of_lambda(lambda_lo.max(0.0)));
        for &lb in lambda_breaks {
            if lb > lambda_lo && lb < lambda_hi {
                breaks.push(self.w_of_lambda(lb));
            }
        }
        breaks.push(self.w_of_lambda(lambda_hi));
        breaks.sort_by(f64::total_cmp);
        integrate(
            |w| {
                if w <= 0.0 {
                    0.0
                } else {
                    density(w) * h(self.lambda_of_w(w))
                }
            },
            &breaks,
            tol,
        )
    }

    /// One 15-point Gauss–Kronrod panel of `integral f(lambda) h(lambda) dlambda` over
    /// `[lambda_lo, lambda_hi]` in the table variable `w` (for a spike at `lambda = 0`).
    pub fn integrate_panel_w<H: Fn(f64) -> f64>(
        &self,
        h: &H,
        lambda_lo: f64,
        lambda_hi: f64,
    ) -> Estimate {
        let (w_lo, w_hi) = (
            self.w_of_lambda(lambda_lo),
            self.w_of_lambda(lambda_hi.min(self.lambda_max)),
        );
        if w_hi <= w_lo {
            return Estimate::exact(0.0);
        }
        gauss_kronrod_15(
            &mut |w| {
                if w <= 0.0 {
                    0.0
                } else {
                    self.density(w) * h(self.lambda_of_w(w))
                }
            },
            w_lo,
            w_hi,
        )
    }

    /// `integral f(lambda) h(lambda) dlambda` over `[lambda_lo, lambda_hi]` in
    /// `s = ln(|lambda - lambda_end| + scale)`, where `lambda_end` is the upper end (`at_upper`)
    /// or the lower one: a logarithm `ln(|lambda - lambda_end| + scale)` in `h` becomes linear.
    /// `lambda_lo` must be positive (away from the spike).
    ///
    /// The Jacobian `e^s` grows by `e` per unit of `s`, so the `s` range is cut into chunks of at
    /// most [`LOG_CHUNK_EFOLDS`] e-folds, each one 21-point Gauss–Kronrod panel (whose 10-point
    /// companion then resolves it and the error estimate stays realistic).
    pub fn integrate_panel_log_end<H: Fn(f64) -> f64>(
        &self,
        h: &H,
        lambda_lo: f64,
        lambda_hi: f64,
        scale: f64,
        at_upper: bool,
    ) -> Estimate {
        let lambda_hi = lambda_hi.min(self.lambda_max);
        if lambda_hi <= lambda_lo {
            return Estimate::exact(0.0);
        }
        let length = lambda_hi - lambda_lo;
        let (s_lo, s_hi) = (scale.ln(), (length + scale).ln());
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a small positive count"
        )]
        let chunks = ((s_hi - s_lo) / LOG_CHUNK_EFOLDS).ceil().max(1.0) as usize;
        let width = (s_hi - s_lo) / chunks as f64;
        let mut integrand = |s: f64| {
            let d = (s.exp() - scale).clamp(0.0, length);
            let lambda = if at_upper {
                lambda_hi - d
            } else {
                lambda_lo + d
            };
            self.shape(lambda) * h(lambda) * (d + scale)
        };
        (0..chunks)
            .map(|k| {
                let a = s_lo + width * k as f64;
                let b = if k + 1 == chunks { s_hi } else { a + width };
                gauss_kronrod_21(&mut integrand, a, b)
            })
            .sum()
    }

    /// Fraction of `v` in `[v_lo, 1]` weighted track length: `integral_{v_lo}^1 f dv`.
    #[must_use]
    pub fn integral_above(&self, v_lo: f64, tol: Tolerance) -> Estimate {
        self.integrate_over_lambda(|lambda| (-lambda).exp(), 0.0, -v_lo.ln(), &[], tol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::tanh_sinh;
    use approx::assert_relative_eq;

    fn positron(thickness_x0: f64) -> ShowerSettings {
        ShowerSettings {
            thickness_x0,
            generations: Generations::FirstAndSecond,
            second_generation: SecondGeneration::TsaiWhitisPairs { multiplicity: 2.0 },
        }
    }

    /// Closed form: `integral_0^1 v^k f1 dv = (1 - (k+1)^(-b1 T)) / (b1 ln(k+1))`, because
    /// `integral_0^inf lambda^(a-1) e^{-(k+1) lambda} / Gamma(a) dlambda = (k+1)^-a`.
    #[test]
    fn first_generation_moments_match_closed_form() {
        let thickness = 16.0;
        for k in [1.0_f64, 4.0] {
            // f1 v^k dv = f1 e^{-(k+1) lambda} dlambda. Above lambda = 1/e integrate in lambda;
            // below, in s = 1/ln(1/lambda), where dlambda = lambda ds/s^2 and lambda f1 ~ s^2/b1.
            let weight = |lambda: f64| (-(k + 1.0) * lambda).exp();
            let upper = integrate(
                |lambda| {
                    first_generation_times_lambda(-lambda.ln(), thickness).value / lambda
                        * weight(lambda)
                },
                &[(-1.0_f64).exp(), 5.0, 20.0, 60.0],
                Tolerance::relative(1e-11),
            );
            let lower = tanh_sinh(
                |s, _, _| {
                    let l = 1.0 / s;
                    first_generation_times_lambda(l, thickness).value / s / s * weight((-l).exp())
                },
                0.0,
                1.0,
                1e-10,
            );
            let exact = (1.0 - (k + 1.0).powf(-B1 * thickness)) / (B1 * (k + 1.0).ln());
            assert_relative_eq!(
                upper.value + lower.value,
                exact,
                max_relative = 1e-8,
                epsilon = 0.0
            );
        }
    }

    /// The `lambda -> 0` limit `lambda f1 -> 1/(b1 ln^2 lambda) (1 + 2 gamma_E / ln(1/lambda))`.
    #[test]
    fn first_generation_spike_asymptotics() {
        let l = 1.0e4_f64;
        let euler = 0.577_215_664_901_532_9;
        let expected = 1.0 / (B1 * l * l) * (1.0 + 2.0 * euler / l);
        assert_relative_eq!(
            first_generation_times_lambda(l, 16.0).value,
            expected,
            max_relative = 1e-6,
            epsilon = 0.0
        );
    }

    /// The second generation at a removable 0/0 point of [Eq. A.3] is continuous and right:
    /// v = 0.195 puts x^2 = v and 1 - x = e^(-7/12) at the same x. At v = 0.19505 it is
    /// compared with the printed integrand integrated directly (tanh-sinh, whose nodes never
    /// land on the 0/0 points), and the neighbours lie on either side of it.
    #[test]
    fn second_generation_is_continuous_through_removable_points() {
        let thickness = 16.0;
        let f = |v: f64| second_generation(-v.ln(), 1.0 - v, thickness, 2.0).value;
        let (below, at, above) = (f(0.1947), f(0.19505), f(0.1954));
        assert_relative_eq!(
            at,
            printed_second_generation(0.19505, thickness),
            max_relative = 1e-7,
            epsilon = 0.0
        );
        assert!(
            (at - 0.5 * (below + above)).abs() < 2e-3 * at,
            "{below} {at} {above}"
        );
    }

    /// The printed integrand of [Eq. A.3] (with its factor 2) integrated over `x` and `t` by
    /// tanh-sinh: the second method for `f2` at `v`.
    fn printed_second_generation(v: f64, thickness: f64) -> f64 {
        let i2 = |x: f64, t: f64| {
            let term1 = ((1.0 - x).powf(B1 * t) - (1.0 - v / x).powf(B1 * t))
                / (B1 * ((x - x * x) / (x - v)).ln());
            let term2 =
                ((-B2 * t).exp() - (1.0 - v / x).powf(B1 * t)) / (B2 + B1 * (1.0 - v / x).ln());
            2.0 / (x * x) / (B2 + B1 * (1.0 - x).ln()) * (term1 + term2)
        };
        tanh_sinh(
            |t, _, _| tanh_sinh(|x, _, _| i2(x, t), v, 1.0, 1e-10).value,
            0.0,
            thickness,
            1e-9,
        )
        .value
    }

    /// Second method for f2: the printed integrand of [Eq. A.3] integrated over x and t
    /// directly with tanh-sinh at points away from the removable singularities.
    #[test]
    fn second_generation_matches_direct_double_integral() {
        let (thickness, v) = (4.0, 0.7_f64);
        let ours = second_generation(-v.ln(), 1.0 - v, thickness, 2.0);
        assert_relative_eq!(
            ours.value,
            printed_second_generation(v, thickness),
            max_relative = 1e-7,
            epsilon = 0.0
        );
    }

    /// The table reproduces direct evaluation and its stated interpolation bound holds.
    #[test]
    fn table_matches_direct_evaluation() {
        let settings = positron(16.0);
        let table = TrackLengthTable::new(settings, 0.06, 128);
        assert!(
            table.interpolation_error() < 1e-6,
            "{}",
            table.interpolation_error()
        );
        for lambda in [1e-200, 1e-12, 1e-4, 0.003, 0.0513] {
            let l = -f64::ln(lambda);
            let w = table.w_of_lambda(lambda);
            let second = if lambda > 1e-30 {
                lambda * second_generation(lambda, -(-lambda).exp_m1(), 16.0, 2.0).value
            } else {
                0.0
            };
            let direct = (first_generation_times_lambda(l, 16.0).value + second) / (w * w);
            assert_relative_eq!(table.density(w), direct, max_relative = 1e-6, epsilon = 0.0);
        }
    }

    /// [DPT Sec. 4]: positrons above 0.95 E from an incident electron are about 5e-4 of those
    /// from an incident positron; the exact evaluation of the printed formulas gives
    /// 3.7926565608e-4 (`tools/reference/dpt_reference.json`, `ratio_f2_T16`: the independent
    /// reference, two methods agreeing to 3e-14; docs/physics.md §6b), here to 1e-7 (the
    /// tables' bound is 1e-6 of their largest value, the ratio's parts are both near it).
    #[test]
    fn electron_to_positron_control_ratio() {
        let tol = Tolerance::relative(1e-9);
        let lambda_max = -(0.95_f64).ln();
        let pos = TrackLengthTable::new(positron(16.0), lambda_max, 128).integral_above(0.95, tol);
        let ele_settings = ShowerSettings {
            generations: Generations::SecondOnly,
            ..positron(16.0)
        };
        let ele = TrackLengthTable::new(ele_settings, lambda_max, 128).integral_above(0.95, tol);
        let ratio = ele.value / pos.value;
        assert_relative_eq!(
            ratio,
            3.792_656_560_8e-4,
            max_relative = 1e-7,
            epsilon = 0.0
        );
    }
}
