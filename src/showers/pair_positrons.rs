//! Positron-only second generation of the shower: one positron per photon conversion, sharing
//! the photon's energy with the Bethe–Heitler spectrum, in place of the factor 2 of
//! [DPT Eq. A.3].
//!
//! [DPT Eq. A.3], after Tsai and Whitis (Phys. Rev. 149 (1966) 1248), counts both particles of
//! each conversion as tracks of the species followed (docs/physics.md §6b). Following one
//! positron per conversion in the same approximation (Rossi's approximation B with complete
//! screening and no ionisation loss; energies in units of the incident energy `E`, depths in
//! `X0`, `b1 = 4/3`, `b2 = 7/9`):
//!
//! 1. The primary radiates photons of energy fraction `x`, per unit `x` at depth `t`
//!    [DPT Eq. 3.1], `gamma(x, t) = (1/x) (e^(p t) - e^(-b2 t)) / (p + b2)`, `p = b1 ln(1 - x)`.
//!    Integrated over depth up to `theta` this is `(1/x) Psi(x, theta)` with
//!    `Psi = theta^2 exp[theta p, -theta b2, 0]`, a second divided difference of the
//!    exponential (free of the removable 0/0 at `p = -b2`; see [`photon_path`]).
//! 2. A photon converts at the rate `b2` per `X0` into a pair whose positron takes the fraction
//!    `u` with density `P(u) = 1 - (4/3) u (1 - u)` per `X0` (the Bethe–Heitler pair spectrum in
//!    complete screening, PDG Review "Passage of particles through matter"; `integral P du =
//!    7/9 = b2`). Positrons per unit fraction `y = u x`, produced up to depth `theta`:
//!    `S(y, theta) = integral_y^1 dx/x^2 P(y/x) Psi(x, theta)` ([`positron_source`]).
//! 3. Each of them then loses energy as a first generation [DPT Eq. A.2], with the kernel
//!    `g(mu, tau) = mu^(b1 tau - 1) / Gamma(b1 tau)` in `mu = ln(y/v)` after a path `tau`:
//!    `f2(v, T) = integral_0^T dtau integral_0^lambda dlambda' g(lambda', tau)
//!    S(v e^lambda', T - tau)`, `lambda = ln(1/v)`.
//!
//! The photons come from the primary whatever its charge and `P(u) = P(1 - u)`, so the same
//! `f2` gives the positrons from an incident electron, the second-generation positrons from an
//! incident positron and the second-generation electrons from an incident electron. The
//! factor of [DPT Eq. A.3] over this `f2` is not 2 but 1.96 to 2.37 between `v = 0.9` and 0.3
//! (docs/validation.md).
//!
//! Numerics. The depth integral uses fixed 15-point Gauss–Kronrod panels; `S` is tabulated once
//! per depth node, in `eta = ln(1/y)` through the variable `w` of the track-length table
//! (`eta = eta_max e^(1 - 1/w)`), as its ratio to `eta Psi(1 - y, theta) / y`, which is smooth
//! in `w` and tends to 1 as `y -> 1`. `lambda'` is split at `c = lambda/2`: on the lower half the
//! power `lambda'^(a-1)` (`a = b1 tau`) is integrated exactly for the constant part `S(v)` and
//! in `s = ln(c/lambda')` for the rest; on the upper half in `s = ln(c/eta)`. Long paths add
//! nothing when `lambda` is small (the path weight integrates to `lambda^a / Gamma(a + 1)`):
//! a path whose bound is below `NEGLIGIBLE_PATH` of the sum so far is left out, its bound
//! counted in the error ([`PositronSecondGeneration::value`]).

use super::track_length::{B1, B2, lambda_at};
use crate::numerics::divided_difference::exp_divided_difference;
use crate::numerics::quadrature::{
    Estimate, Tolerance, gauss_kronrod_15, gauss_kronrod_15_nodes, integrate, integrate_to_cusp,
    relative_to,
};
use crate::numerics::table::UniformTable;
use rayon::prelude::*;
use statrs::function::gamma::ln_gamma;
use std::f64::consts::LN_2;
use std::sync::OnceLock;

/// Accuracy asked of each node of the source tables.
const NODE_TOLERANCE: f64 = 1e-7;

/// Accuracy asked of each `lambda'` integral.
const PATH_TOLERANCE: f64 = 1e-5;

/// A path whose contribution is bounded below this fraction of the depth integral so far is
/// left out ([`PositronSecondGeneration::value`]), four orders below the path integrals' own
/// tolerance.
const NEGLIGIBLE_PATH: f64 = 1e-9;

/// How far below [`NEGLIGIBLE_PATH`] of the largest node's bound a node's bound must be for its
/// source table not to be built with the generation: the bounds exceed the path integrals by less
/// than a thousand, so a node left to be built on first use is not needed at the track-length
/// table's nodes.
const PREDICTION_SLACK: f64 = 1e4;

/// Edges of the depth panels in `X0` (clipped to the thickness, which closes the last one): the
/// path integrand is smooth in depth, and these panels agree with eight 21-point panels to 1e-8.
const DEPTH_EDGES_X0: [f64; 5] = [0.0, 0.5, 2.0, 6.0, 16.0];

/// Pair energy sharing `P(u) = 1 - (4/3) u (1 - u)` per `X0` for the positron's fraction `u`
/// of the photon energy: the Bethe–Heitler spectrum in complete screening (PDG Review "Passage
/// of particles through matter", Tsai's approximation B), integrating to `b2 = 7/9`.
#[must_use]
pub fn pair_positron_spectrum(u: f64) -> f64 {
    1.0 - 4.0 / 3.0 * u * (1.0 - u)
}

/// Photons of the primary per unit `ln x` up to depth `theta` (in `X0`):
/// `Psi(x, theta) = integral_0^theta (e^(p t) - e^(-b2 t)) / (p + b2) dt
/// = theta^2 exp[theta p, -theta b2, 0]` with `p = b1 ln(1 - x)`, the depth integral of
/// [DPT Eq. 3.1] times `x`. Takes `1 - x` so that `x -> 1` loses nothing to cancellation.
///
/// With `A = theta p`, `B = -theta b2` (both at most 0) the divided difference is
/// `(phi(A) - phi(B)) / (A - B)`, `phi(z) = expm1(z)/z = exp[z, 0]`, used as it stands when
/// `|A - B| >= max(1, (|A| + |B|)/4)`: `phi` is positive and increasing, its slope on `[-5, 0]`
/// above 0.03 and `phi ~ 1/|z|` beyond, so the subtraction loses at most a factor 70. Closer
/// nodes go to [`exp_divided_difference`].
#[must_use]
pub fn photon_path(one_minus_x: f64, depth_x0: f64) -> f64 {
    PhotonPath::new(depth_x0).at_log(one_minus_x.ln())
}

/// `phi(z) = expm1(z)/z`, 1 at 0.
fn phi(z: f64) -> f64 {
    if z == 0.0 { 1.0 } else { z.exp_m1() / z }
}

/// [`photon_path`] at one depth, with what does not depend on the photon's energy computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PhotonPath {
    depth_x0: f64,
    /// `B = -theta b2`.
    b: f64,
    /// `phi(B)`.
    phi_b: f64,
}

impl PhotonPath {
    fn new(depth_x0: f64) -> Self {
        let b = -depth_x0 * B2;
        Self {
            depth_x0,
            b,
            phi_b: phi(b),
        }
    }

    /// `Psi(x, theta)` from `ln(1 - x)`.
    fn at_log(&self, ln_one_minus_x: f64) -> f64 {
        let (a, b) = (self.depth_x0 * (B1 * ln_one_minus_x), self.b);
        let theta2 = self.depth_x0 * self.depth_x0;
        if (a - b).abs() >= (0.25 * (a.abs() + b.abs())).max(1.0) {
            theta2 * (phi(a) - self.phi_b) / (a - b)
        } else {
            theta2 * exp_divided_difference(&[a, b, 0.0])
        }
    }
}

/// Positrons produced up to depth `theta`, per unit energy fraction `y = e^-eta` (step 2 of the
/// module docs): `S(y, theta) = integral_y^1 dx/x^2 P(y/x) Psi(x, theta)`.
///
/// The `1/ln(1 - x)` cusp at `x = 1` is integrated in the distance `1 - x`; below `x = 1/2`,
/// where `1/x^2` grows, in `ln x`.
#[must_use]
pub fn positron_source(eta: f64, depth_x0: f64, tol: Tolerance) -> Estimate {
    if depth_x0 <= 0.0 || eta <= 0.0 {
        return Estimate::exact(0.0);
    }
    let y = (-eta).exp();
    let one_minus_y = -(-eta).exp_m1();
    let photons = PhotonPath::new(depth_x0);
    let integrand =
        |x: f64, d: f64| pair_positron_spectrum(y / x) * photons.at_log(d.ln()) / (x * x);
    let near_one = integrate_to_cusp(|d| integrand(1.0 - d, d), one_minus_y.min(0.5), tol);
    if y >= 0.5 {
        return near_one;
    }
    let below_half = integrate(
        |s: f64| {
            let x = s.exp();
            integrand(x, 1.0 - x) * x
        },
        &[-eta, -LN_2],
        tol,
    );
    near_one + below_half
}

/// `S(e^-eta, theta)` for one depth `theta`, tabulated in `w` as
/// `q = y S / (eta Psi(1 - y, theta))`, `y = e^-eta`, which tends to `P(1) = 1` as `eta -> 0`
/// at every depth and stays bounded as `y -> 0`: `Psi` carries the onset of `S` at
/// `eta ~ e^(-1/(b1 theta))`, far too sharp in `w` for a table at small depths, and `1/y` its
/// growth towards small fractions.
#[derive(Debug, Clone, PartialEq)]
struct SourceTable {
    photons: PhotonPath,
    ratio: UniformTable,
}

/// The normalisation `eta Psi(1 - y, theta) / y` of a source table's ratio (`y = e^-eta`; the
/// `1/y` is the growth of `S` at small `y`). One `expm1` gives `y` and `1 - y` below
/// `eta = 1` (where `1 + expm1(-eta)` loses nothing).
fn source_scale(eta: f64, photons: &PhotonPath) -> f64 {
    let (y, one_minus_y) = if eta < 1.0 {
        let m = (-eta).exp_m1();
        (1.0 + m, -m)
    } else {
        let y = (-eta).exp();
        (y, 1.0 - y)
    };
    eta / y * photons.at_log(one_minus_y.ln())
}

/// The positron-only second generation `f2(v, T)` for one thickness, for
/// `0 < lambda = ln(1/v) <= lambda_max` (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct PositronSecondGeneration {
    thickness_x0: f64,
    lambda_max: f64,
    /// Nodes in `w` of each source table.
    table_nodes: usize,
    /// Depth panels `[a, b]` of the path `tau`.
    panels: Vec<(f64, f64)>,
    /// The panels' nodes `(tau, Kronrod weight)`, in the order the rule visits them.
    paths: Vec<(f64, f64)>,
    /// The nodes from the shortest path to the longest.
    by_path: Vec<usize>,
    /// One source table per node, at the depth `theta = T - tau`, with its relative error bound
    /// (interpolation and node integrals, relative to its largest value): built with the
    /// generation where a node of the track-length table may need it, otherwise on first use.
    sources: Vec<OnceLock<(SourceTable, f64)>>,
}

impl PositronSecondGeneration {
    /// Tabulates the positron sources for a target of `thickness_x0` and energy fractions down
    /// to `e^-lambda_max`, with `intervals` intervals in `w` per source table (built in
    /// parallel; the result does not depend on the thread count).
    ///
    /// A long path needs its table only if `lambda_max` is large: a node's table is built here
    /// if at some node of a track-length table with the same intervals the node's bound (see
    /// [`Self::value`]) reaches 1e-13 of the largest node's bound, and on first use otherwise
    /// (the values do not depend on which).
    #[must_use]
    pub fn new(thickness_x0: f64, lambda_max: f64, intervals: usize) -> Self {
        let mut edges: Vec<f64> = DEPTH_EDGES_X0
            .iter()
            .copied()
            .filter(|&t| t < thickness_x0)
            .collect();
        edges.push(thickness_x0);
        let panels: Vec<(f64, f64)> = edges.windows(2).map(|p| (p[0], p[1])).collect();
        let paths: Vec<(f64, f64)> = panels
            .iter()
            .flat_map(|&(a, b)| gauss_kronrod_15_nodes(a, b))
            .collect();
        let mut by_path: Vec<usize> = (0..paths.len()).collect();
        by_path.sort_by(|&i, &j| paths[i].0.total_cmp(&paths[j].0));
        let n = 2 * intervals + 1;
        let mut generation = Self {
            thickness_x0,
            lambda_max,
            table_nodes: n,
            panels,
            paths,
            by_path,
            sources: Vec::new(),
        };
        let mut wanted = vec![false; generation.paths.len()];
        for &w in &UniformTable::nodes(0.0, 1.0, n)[1..] {
            let lambda = lambda_at(lambda_max, w);
            let bounds: Vec<f64> = generation
                .paths
                .iter()
                .map(|&(tau, weight)| weight * generation.path_bound(lambda, tau))
                .collect();
            let largest = bounds.iter().fold(0.0_f64, |m, &b| m.max(b));
            for (wanted, bound) in wanted.iter_mut().zip(&bounds) {
                *wanted |= *bound > NEGLIGIBLE_PATH / PREDICTION_SLACK * largest;
            }
        }
        generation.sources = generation
            .paths
            .par_iter()
            .zip(&wanted)
            .map(|(&(tau, _), &wanted)| {
                let table = OnceLock::new();
                if wanted {
                    let _ = table.set(source_table(lambda_max, thickness_x0 - tau, n));
                }
                table
            })
            .collect();
        generation
    }

    /// The source table of node `k` (built now if it was not).
    fn source_table(&self, k: usize) -> &(SourceTable, f64) {
        self.sources[k].get_or_init(|| {
            source_table(
                self.lambda_max,
                self.thickness_x0 - self.paths[k].0,
                self.table_nodes,
            )
        })
    }

    /// `S(e^-eta, theta)` from the table of one depth node.
    fn source(&self, table: &SourceTable, eta: f64) -> f64 {
        if eta <= 0.0 {
            return 0.0;
        }
        let w = 1.0 / (1.0 - (eta / self.lambda_max).ln());
        table.ratio.eval(w) * source_scale(eta, &table.photons)
    }

    /// `f2(v, T)` at `lambda = ln(1/v)` (clamped to `lambda_max`): the depth integral over the
    /// panels' rule, its error the rule's estimate plus the inner integrals' and the tables'.
    /// Paths are taken from the shortest; a node whose bound on its path integral, times its
    /// weight, is below 1e-9 of the sum so far (a lower bound of the total: every path integral
    /// is positive) is left out and its bound added to the error. The bound: `S(y, theta) <=
    /// Psi_max (1/y - 1)` for `y >= v`, and the path weight integrates to
    /// `lambda^a / Gamma(a + 1)`, `a = b1 tau` (docs/physics.md §9).
    #[must_use]
    pub fn value(&self, lambda: f64) -> Estimate {
        self.value_leaving_out(lambda, NEGLIGIBLE_PATH)
    }

    /// [`Self::value`] leaving out paths below `negligible` of the sum so far (0: none).
    fn value_leaving_out(&self, lambda: f64, negligible: f64) -> Estimate {
        let lambda = lambda.min(self.lambda_max);
        if lambda <= 0.0 {
            return Estimate::exact(0.0);
        }
        let mut inner = vec![0.0; self.paths.len()];
        // Each inner integral's error bound plus its source table's, weighted by its size.
        let (mut inner_error, mut inner_scale) = (0.0_f64, 0.0_f64);
        let (mut so_far, mut left_out) = (0.0_f64, 0.0_f64);
        let mut evaluations = 0;
        for &k in &self.by_path {
            let (tau, weight) = self.paths[k];
            let bound = weight * self.path_bound(lambda, tau);
            if bound <= negligible * so_far {
                left_out += bound;
                continue;
            }
            let (table, table_error) = self.source_table(k);
            let path = self.along_lambda(lambda, tau, table);
            evaluations += path.evaluations;
            inner_error += path.error_bound() + table_error * path.value.abs();
            inner_scale += path.value.abs();
            so_far += weight * path.value.max(0.0);
            inner[k] = path.value;
        }
        let mut node = 0;
        let mut total = Estimate::exact(0.0);
        for &(a, b) in &self.panels {
            total = total
                + gauss_kronrod_15(
                    &mut |_| {
                        node += 1;
                        inner[node - 1]
                    },
                    a,
                    b,
                );
        }
        let inner_relative = relative_to(inner_error, inner_scale);
        Estimate {
            error: total.error + inner_relative * total.value.abs() + left_out,
            evaluations: total.evaluations + evaluations,
            converged: total.converged && inner_relative.is_finite(),
            ..total
        }
    }

    /// A bound on the path integral of [`Self::along_lambda`] for the path `tau` at `lambda`:
    /// `S(y, theta) <= Psi_max (1/y - 1)` for `y >= v` (`P <= 1`, `integral_y^1 dx/x^2 =
    /// 1/y - 1`), with `Psi <= min(theta^2/2, theta/b2)` (the depth integrand of [`photon_path`]
    /// is `integral_0^t e^(p s) e^(-b2 (t - s)) ds`, at most `t` and `1/b2`) and `Psi <= 1/b2^2`
    /// where `p <= -b2` for every `x >= v` (the integrand is then at most `t e^(-b2 t)`); and
    /// `integral_0^lambda g(lambda', tau) dlambda' = lambda^a / Gamma(a + 1)`, `a = b1 tau`.
    fn path_bound(&self, lambda: f64, tau: f64) -> f64 {
        let theta = self.thickness_x0 - tau;
        let mut photons = (0.5 * theta * theta).min(theta / B2);
        if B1 * (-(-lambda).exp_m1()).ln() <= -B2 {
            photons = photons.min(1.0 / (B2 * B2));
        }
        let a = B1 * tau;
        photons * lambda.exp_m1() * (a * lambda.ln() - ln_gamma(a + 1.0)).exp()
    }

    /// `integral_0^lambda dlambda' g(lambda', tau) S(v e^lambda', T - tau)` for one path `tau`
    /// (the source table at depth `T - tau`), split at `c = lambda/2` (module docs).
    fn along_lambda(&self, lambda: f64, tau: f64, table: &SourceTable) -> Estimate {
        let a = B1 * tau;
        let c = 0.5 * lambda;
        let tol = Tolerance::relative(PATH_TOLERANCE);
        let source_at_v = self.source(table, lambda);
        // Lower half: S(v) c^a / Gamma(a + 1) + (1/Gamma(a)) int_0^inf ds c^a e^(-a s)
        // [S(v e^(c e^-s)) - S(v)], lambda' = c e^-s.
        let weight = (a * c.ln() - ln_gamma(a + 1.0)).exp();
        let constant = source_at_v * weight;
        let lower = integrate(
            |s: f64| {
                let lambda_prime = c * (-s).exp();
                (-a * s).exp() * (self.source(table, lambda - lambda_prime) - source_at_v)
            },
            &[0.0, 3.0, 10.0, 40.0],
            Tolerance {
                absolute: PATH_TOLERANCE * source_at_v.abs(),
                ..tol
            },
        )
        .scaled(a * weight);
        // Upper half: (1/Gamma(a)) int_0^inf ds eta (lambda - eta)^(a-1) S(e^-eta), eta = c e^-s.
        let ln_gamma_a = ln_gamma(a);
        let upper = integrate(
            |s: f64| {
                let eta = c * (-s).exp();
                let power = ((a - 1.0) * (lambda - eta).ln() - ln_gamma_a).exp();
                eta * power * self.source(table, eta)
            },
            &[0.0, 3.0, 10.0, 30.0],
            tol,
        );
        Estimate::exact(constant) + lower + upper
    }
}

/// The source table of one depth `theta` on `n` nodes in `w`, with its relative error bound
/// (the interpolant of the even nodes against the odd ones, and the node integrals).
fn source_table(eta_max: f64, depth_x0: f64, n: usize) -> (SourceTable, f64) {
    let nodes = UniformTable::nodes(0.0, 1.0, n);
    let photons = PhotonPath::new(depth_x0);
    let estimates: Vec<Estimate> = nodes
        .iter()
        .map(|&w| {
            let eta = lambda_at(eta_max, w);
            let scale = source_scale(eta, &photons);
            if w == 0.0 || scale == 0.0 || depth_x0 <= 0.0 {
                return Estimate::exact(pair_positron_spectrum(1.0));
            }
            positron_source(eta, depth_x0, Tolerance::relative(NODE_TOLERANCE)).scaled(1.0 / scale)
        })
        .collect();
    let (ratio, error) = UniformTable::from_estimates(0.0, 1.0, &estimates);
    let scale = ratio.values().iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    (SourceTable { photons, ratio }, error / scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::tanh_sinh;

    /// Closed form: `integral_0^1 P(u) du = 1 - (4/3)(1/6) = 7/9 = b2`, the total pair rate that
    /// attenuates the photons of [DPT Eq. 3.1].
    #[test]
    fn the_pair_spectrum_integrates_to_the_conversion_rate() {
        let total = integrate(
            pair_positron_spectrum,
            &[0.0, 1.0],
            Tolerance::relative(1e-14),
        );
        assert!((total.value - B2).abs() < 1e-14, "{}", total.value);
        assert_eq!(pair_positron_spectrum(0.0), 1.0);
        assert_eq!(pair_positron_spectrum(1.0), 1.0);
        assert!((pair_positron_spectrum(0.5) - 2.0 / 3.0).abs() < 1e-15);
    }

    /// `Psi` against the depth integral of [DPT Eq. 3.1] done numerically, including the
    /// removable 0/0 at `b2 + b1 ln(1 - x) = 0` (`1 - x = e^(-7/12)`), where the printed formula
    /// is replaced by its limit `t e^(-b2 t)`.
    #[test]
    fn the_photon_path_is_the_depth_integral_of_the_photon_spectrum() {
        for one_minus_x in [0.9, 0.5, (-7.0_f64 / 12.0).exp(), 0.1, 1e-6] {
            for depth in [0.05, 1.0, 16.0] {
                let p = B1 * f64::ln(one_minus_x);
                let spectrum = |t: f64| {
                    if (p + B2).abs() < 1e-12 {
                        t * (-B2 * t).exp()
                    } else {
                        ((p * t).exp() - (-B2 * t).exp()) / (p + B2)
                    }
                };
                let direct = integrate(spectrum, &[0.0, depth], Tolerance::relative(1e-13));
                let ours = photon_path(one_minus_x, depth);
                assert!(
                    (ours / direct.value - 1.0).abs() < 1e-11,
                    "1 - x = {one_minus_x}, depth {depth}: {ours} against {}",
                    direct.value
                );
            }
        }
    }

    /// The direct form of `Psi` against the general divided difference (Taylor series and
    /// recurrence, [`exp_divided_difference`]) across energies and depths, on both sides of the
    /// switch between them.
    #[test]
    fn the_photon_path_agrees_with_the_general_divided_difference() {
        for k in 0..400 {
            let one_minus_x = f64::from(k).mul_add(-0.0025, 1.0).max(1e-9);
            for depth in [1e-3, 0.05, 0.7, 3.0, 16.0] {
                let p = B1 * one_minus_x.ln();
                let general =
                    depth * depth * exp_divided_difference(&[depth * p, -depth * B2, 0.0]);
                let ours = photon_path(one_minus_x, depth);
                assert!(
                    (ours / general - 1.0).abs() < 2e-14,
                    "1 - x = {one_minus_x}, depth {depth}: {ours} against {general}"
                );
            }
        }
    }

    /// Energy sum rule of the pair spectrum: `integral_0^1 y S(y, theta) dy =
    /// (integral u P(u) du) integral_0^1 Psi(x, theta) dx`, with `integral u P = 7/18`
    /// (closed form), the right side a one-dimensional tanh-sinh integral.
    #[test]
    fn the_positron_source_carries_seven_eighteenths_of_the_photon_energy() {
        for depth in [0.3, 4.0] {
            let tol = Tolerance::relative(1e-11);
            let photons = tanh_sinh(
                |_, one_minus_x, _| photon_path(one_minus_x, depth),
                0.0,
                1.0,
                1e-12,
            );
            // y S(y) dy in eta = ln(1/y): y^2 S deta, which falls like e^-eta (S ~ 1/y).
            let moment = integrate(
                |eta: f64| (-2.0 * eta).exp() * positron_source(eta, depth, tol).value,
                &[0.0, 1e-3, 0.1, 1.0, 5.0, 20.0, 45.0],
                Tolerance::relative(1e-10),
            );
            let expected = 7.0 / 18.0 * photons.value;
            assert!(
                (moment.value / expected - 1.0).abs() < 1e-8,
                "depth {depth}: {} against {expected}",
                moment.value
            );
        }
    }

    /// The bound of each path integral holds (a limit), and says how loose it is: below a
    /// thousand times the integral (measured: up to about 600 on the longest paths), which
    /// [`PREDICTION_SLACK`] covers.
    #[test]
    fn the_path_bound_holds() {
        let mut loosest = 0.0_f64;
        for (thickness, lambda_max) in [(16.0, 0.0514), (1.0, 0.0513), (16.0, 4.0_f64.ln())] {
            let generation = PositronSecondGeneration::new(thickness, lambda_max, 16);
            for lambda in [1e-4, 1e-2, 0.3 * lambda_max, lambda_max] {
                for k in 0..generation.paths.len() {
                    let tau = generation.paths[k].0;
                    let (table, _) = generation.source_table(k);
                    let path = generation.along_lambda(lambda, tau, table).value;
                    let bound = generation.path_bound(lambda, tau);
                    assert!(
                        path <= bound,
                        "T {thickness}, lambda {lambda}, tau {tau}: {path} above {bound}"
                    );
                    if path > 1e-300 {
                        loosest = loosest.max(bound / path);
                    }
                }
            }
        }
        assert!(loosest < 1e3, "bound {loosest} times the path integral");
    }

    /// Leaving out the negligible paths moves `f2` by less than the error it states, and the
    /// tables built with the generation are every one the track-length table's nodes use.
    #[test]
    fn negligible_paths_are_left_out_within_the_stated_error() {
        for (thickness, lambda_max) in [(16.0, 0.0514), (16.0, 4.0_f64.ln())] {
            let generation = PositronSecondGeneration::new(thickness, lambda_max, 16);
            let built = |g: &PositronSecondGeneration| {
                g.sources.iter().filter(|s| s.get().is_some()).count()
            };
            let before = built(&generation);
            let lambdas: Vec<f64> = UniformTable::nodes(0.0, 1.0, 33)[1..]
                .iter()
                .map(|&w| lambda_at(lambda_max, w))
                .collect();
            let left: Vec<Estimate> = lambdas.iter().map(|&l| generation.value(l)).collect();
            assert_eq!(built(&generation), before, "a table was built on first use");
            for (&lambda, left) in lambdas.iter().zip(left) {
                assert!(left.converged);
                let all = generation.value_leaving_out(lambda, 0.0);
                assert!(
                    (left.value - all.value).abs() <= left.error && left.error <= 2.0 * all.error,
                    "lambda {lambda}: {left:?} against {all:?}"
                );
            }
            if lambda_max < 0.1 {
                assert!(
                    before < generation.paths.len() * 3 / 4,
                    "{before} tables built"
                );
            }
        }
    }

    /// As the thickness goes to zero the second generation vanishes like `T^3` (emission,
    /// conversion and path each take depth); no value is negative or non-finite.
    #[test]
    fn the_second_generation_grows_from_nothing_like_the_cube_of_the_thickness() {
        let lambda = 0.5;
        let small = PositronSecondGeneration::new(1e-3, 1.0, 16)
            .value(lambda)
            .value;
        let smaller = PositronSecondGeneration::new(5e-4, 1.0, 16)
            .value(lambda)
            .value;
        assert!(small > 0.0 && smaller > 0.0);
        let power = (small / smaller).log2();
        assert!((power - 3.0).abs() < 0.01, "grows like T^{power}");
    }
}
