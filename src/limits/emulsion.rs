//! Signal of an emulsion detector near a collider [EMU Eq. 20-21] at one model point: every
//! intermediate number, per detector.
//!
//! `N_sig = L sigma BR A (exp(-a/d) - exp(-(a + L_det)/d))` on shell [Eq. 20] (`sigma` of
//! `e+e- -> gamma A'` over the full angle, `BR = BR(A' -> phi1 phi2)`), and without the `BR`
//! off shell [Eq. 21]; `A` the acceptance of the box (Monte Carlo), `a` its distance and
//! `L_det` its depth, `d` the mean flight length [Eq. 12]. A point is excluded at 90% CL with
//! no background when `N_sig >= 2.3` (in one detector, or summed over identical ones).

use crate::error::Error;
use crate::models::inelastic::InelasticScalar;
use crate::models::r_ratio::RRatio;
use crate::numerics::quadrature::Estimate;
use crate::processes::collider_production::{
    sigma_gamma_aprime, sigma_off_shell, two_body_momentum_gev,
};
use crate::scenario::emulsion::{BabarConditions, EmulsionScan, EmulsionScenario};
use crate::sources::phi1::{BoxAcceptance, Production, acceptances};
use crate::units::{HBARC_GEV_M, gev2_to_pb};

/// `exp(-a/d) - exp(-(a + L)/d)`: the probability to decay between `a` and `a + L` along the
/// line of flight, for a mean decay length `d` [EMU Eq. 20].
#[must_use]
pub fn decay_window_probability(distance_m: f64, depth_m: f64, decay_length_m: f64) -> f64 {
    if decay_length_m <= 0.0 {
        return 0.0;
    }
    // exp(-a/d) (1 - exp(-L/d)), without cancellation for L << d.
    (-distance_m / decay_length_m).exp() * -(-depth_m / decay_length_m).exp_m1()
}

/// One detector at a model point.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorSignal {
    /// The detector's name.
    pub name: String,
    /// Its acceptance (Monte Carlo, with its error).
    pub acceptance: BoxAcceptance,
    /// `exp(-a/d) - exp(-(a + L)/d)`.
    pub decay_probability: f64,
    /// Signal events [Eq. 20 or 21].
    pub n_signal: f64,
    /// With `monte_carlo.decay_in_volume`: the event-by-event probability to decay inside the
    /// box (replacing `A` times the decay window), and the signal with it.
    pub in_volume: Option<(crate::sources::phi1::Fraction, f64)>,
}

/// Every number of a model point.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulsionPoint {
    /// Production cross section before the branching ratio and acceptance, pb.
    pub sigma_production_pb: f64,
    /// `BR(A' -> phi1 phi2)` (used on shell only).
    pub br_aprime_to_phi1_phi2: f64,
    /// Total width of the `A'`, GeV.
    pub width_aprime_gev: f64,
    /// Total width of `phi1`, GeV, with its integration error.
    pub width_phi1_gev: Estimate,
    /// Mean flight length of `phi1` [Eq. 12], m.
    pub flight_length_m: Estimate,
    /// Per detector.
    pub detectors: Vec<DetectorSignal>,
}

impl EmulsionPoint {
    /// Signal events summed over the detectors.
    #[must_use]
    pub fn n_signal_total(&self) -> f64 {
        self.detectors.iter().map(|d| d.n_signal).sum()
    }
}

/// The acceptances of the scenario's boxes (they depend on the masses only, not on `eps` or
/// `g_D`).
#[must_use]
pub fn scenario_acceptances(scenario: &EmulsionScenario) -> Vec<BoxAcceptance> {
    acceptances(
        &scenario.model,
        scenario.sqrt_s_gev,
        scenario.production,
        &scenario.detectors,
        &scenario.monte_carlo,
    )
}

/// What a model point's signal needs at unit couplings (`eps = g_D = 1`), for one set of
/// masses: every coupling dependence is then exact scaling, `sigma_on ~ eps^2`,
/// `sigma_off ~ eps^2 g_D^2`, `Gamma(A' -> phi1 phi2) ~ g_D^2`, `Gamma(A' -> SM) ~ eps^2`,
/// `Gamma(phi1) ~ eps^2 g_D^2` [EMU Eq. 4-11], so a grid over the couplings costs one Monte
/// Carlo and one set of width integrals.
#[derive(Debug, Clone, PartialEq)]
pub struct MassPoint {
    /// Production.
    pub production: Production,
    /// Production cross section at unit couplings, pb.
    pub sigma_unit_pb: f64,
    /// `Gamma(A' -> phi1 phi2)` at `g_D = 1`, GeV.
    pub width_dark_unit_gev: f64,
    /// `Gamma(A' -> SM)` at `eps = 1`, GeV.
    pub width_sm_unit_gev: f64,
    /// `Gamma(A' -> e e) + Gamma(A' -> mu mu)` at `eps = 1`, GeV (BaBar's `A' -> l l` [Eq. 22]).
    pub width_leptons_unit_gev: f64,
    /// The dark-photon mass, GeV.
    pub m_aprime_gev: f64,
    /// `Gamma(phi1)` at `eps = g_D = 1`, GeV, with its integration error.
    pub width_phi1_unit_gev: Estimate,
    /// `beta gamma` of `phi1` for the mean flight length [Eq. 12].
    pub beta_gamma: f64,
    /// Per detector: name, acceptance, distance and depth (m).
    pub detectors: Vec<(String, BoxAcceptance, f64, f64)>,
    /// Integrated luminosity, pb^-1.
    pub luminosity_pb: f64,
}

impl MassPoint {
    /// The scenario's masses, with the given acceptances of its boxes.
    #[must_use]
    pub fn new(scenario: &EmulsionScenario, acceptance: &[BoxAcceptance], r: &RRatio) -> Self {
        let unit = InelasticScalar {
            epsilon: 1.0,
            g_d: 1.0,
            ..scenario.model
        };
        let sqrt_s = scenario.sqrt_s_gev;
        let s = sqrt_s * sqrt_s;
        let (sigma_unit_pb, beta_gamma) = match scenario.production {
            Production::OnShell => (
                gev2_to_pb(sigma_gamma_aprime(s, unit.m_aprime_gev, 1.0, 1.0)),
                unit.mean_beta_gamma_on_shell(sqrt_s),
            ),
            Production::OffShell => (
                gev2_to_pb(sigma_off_shell(s, &unit, scenario.normalisation)),
                two_body_momentum_gev(sqrt_s, unit.m1_gev, unit.m2_gev) / unit.m1_gev,
            ),
        };
        let width_dark_unit_gev = unit.width_aprime_to_phi1_phi2_gev();
        Self {
            production: scenario.production,
            sigma_unit_pb,
            width_dark_unit_gev,
            width_sm_unit_gev: unit.width_aprime_total_gev(r) - width_dark_unit_gev,
            width_leptons_unit_gev: unit
                .width_aprime_to_leptons_gev(crate::units::ELECTRON_MASS_GEV)
                + unit.width_aprime_to_leptons_gev(crate::units::MUON_MASS_GEV),
            m_aprime_gev: unit.m_aprime_gev,
            width_phi1_unit_gev: unit.phi1_width_total_gev(r),
            beta_gamma,
            detectors: scenario
                .detectors
                .iter()
                .zip(acceptance)
                .map(|(d, a)| (d.name.clone(), *a, d.distance_m, d.depth_m))
                .collect(),
            luminosity_pb: scenario.luminosity_pb,
        }
    }

    /// `BR(A' -> phi1 phi2)` at `eps`, `g_D`.
    #[must_use]
    pub fn branching_ratio(&self, epsilon: f64, g_d: f64) -> f64 {
        let dark = g_d * g_d * self.width_dark_unit_gev;
        let total = dark + epsilon * epsilon * self.width_sm_unit_gev;
        if total > 0.0 { dark / total } else { 0.0 }
    }

    /// How far BaBar's searches exclude the point [EMU Eq. 22-23]: the largest of
    /// `eps / threshold - 1` over the given conditions, with the thresholds
    /// `eps_1(m_A') / sqrt(BR(A' -> l l))` and `eps_2(m_A') exp(min_flight / (2 d))`; positive
    /// means excluded, `-1` when no condition applies (no file, or `m_A'` outside its curve).
    #[must_use]
    pub fn babar_excess(&self, epsilon: f64, g_d: f64, babar: &BabarConditions) -> f64 {
        let mut excess = -1.0_f64;
        if let Some(eps1) = babar
            .lepton
            .as_ref()
            .and_then(|c| c.eps_at(self.m_aprime_gev))
        {
            let total =
                g_d * g_d * self.width_dark_unit_gev + epsilon * epsilon * self.width_sm_unit_gev;
            let br = epsilon * epsilon * self.width_leptons_unit_gev / total;
            if br > 0.0 {
                excess = excess.max(epsilon * br.sqrt() / eps1 - 1.0);
            }
        }
        if let Some(eps2) = babar
            .invisible
            .as_ref()
            .and_then(|c| c.eps_at(self.m_aprime_gev))
        {
            let exponent = babar.min_flight_m / (2.0 * self.flight_length_m(epsilon, g_d));
            // exp(exponent) overflows only where the threshold is far above any eps.
            if exponent < 700.0 {
                excess = excess.max(epsilon / (eps2 * exponent.exp()) - 1.0);
            }
        }
        excess
    }

    /// Mean flight length at `eps`, `g_D`, m [Eq. 12].
    #[must_use]
    pub fn flight_length_m(&self, epsilon: f64, g_d: f64) -> f64 {
        self.beta_gamma * HBARC_GEV_M
            / (epsilon * epsilon * g_d * g_d * self.width_phi1_unit_gev.value)
    }

    /// Production cross section at `eps`, `g_D`, pb.
    #[must_use]
    pub fn sigma_pb(&self, epsilon: f64, g_d: f64) -> f64 {
        match self.production {
            Production::OnShell => epsilon * epsilon * self.sigma_unit_pb,
            Production::OffShell => epsilon * epsilon * g_d * g_d * self.sigma_unit_pb,
        }
    }

    /// Signal events of each detector at `eps`, `g_D` [Eq. 20 on shell, 21 off shell].
    #[must_use]
    pub fn n_signal(&self, epsilon: f64, g_d: f64) -> Vec<f64> {
        let factor = match self.production {
            Production::OnShell => self.branching_ratio(epsilon, g_d),
            Production::OffShell => 1.0,
        };
        let d = self.flight_length_m(epsilon, g_d);
        let common = self.luminosity_pb * self.sigma_pb(epsilon, g_d) * factor;
        self.detectors
            .iter()
            .map(|(_, a, distance, depth)| {
                common * a.acceptance.value * decay_window_probability(*distance, *depth, d)
            })
            .collect()
    }

    /// Every number at `eps`, `g_D`.
    #[must_use]
    pub fn point(&self, epsilon: f64, g_d: f64) -> EmulsionPoint {
        let d = self.flight_length_m(epsilon, g_d);
        let n = self.n_signal(epsilon, g_d);
        let scale2 = epsilon * epsilon * g_d * g_d;
        EmulsionPoint {
            sigma_production_pb: self.sigma_pb(epsilon, g_d),
            br_aprime_to_phi1_phi2: self.branching_ratio(epsilon, g_d),
            width_aprime_gev: g_d * g_d * self.width_dark_unit_gev
                + epsilon * epsilon * self.width_sm_unit_gev,
            width_phi1_gev: Estimate {
                value: scale2 * self.width_phi1_unit_gev.value,
                error: scale2 * self.width_phi1_unit_gev.error,
                ..self.width_phi1_unit_gev
            },
            flight_length_m: Estimate {
                value: d,
                error: d * self.width_phi1_unit_gev.error / self.width_phi1_unit_gev.value,
                ..self.width_phi1_unit_gev
            },
            detectors: self
                .detectors
                .iter()
                .zip(n)
                .map(|((name, a, distance, depth), n_signal)| DetectorSignal {
                    name: name.clone(),
                    acceptance: *a,
                    decay_probability: decay_window_probability(*distance, *depth, d),
                    n_signal,
                    in_volume: None,
                })
                .collect(),
        }
    }
}

/// Every number of the scenario's model point, given the boxes' acceptances.
///
/// # Errors
/// A result that is not finite (named with the model point).
pub fn evaluate_with(
    scenario: &EmulsionScenario,
    acceptance: &[BoxAcceptance],
    r: &RRatio,
) -> Result<EmulsionPoint, Error> {
    let model = &scenario.model;
    let mut point = MassPoint::new(scenario, acceptance, r).point(model.epsilon, model.g_d);
    if scenario.decay_in_volume {
        let per_beta_gamma = HBARC_GEV_M / point.width_phi1_gev.value;
        let inside = crate::sources::phi1::decay_in_volume(
            model,
            scenario.sqrt_s_gev,
            scenario.production,
            &scenario.detectors,
            &scenario.monte_carlo,
            per_beta_gamma,
        );
        let per_acceptance_decay = |d: &DetectorSignal| {
            if d.acceptance.acceptance.value * d.decay_probability > 0.0 {
                d.n_signal / (d.acceptance.acceptance.value * d.decay_probability)
            } else {
                0.0
            }
        };
        for (d, p) in point.detectors.iter_mut().zip(inside) {
            let n = per_acceptance_decay(d) * p.value;
            d.in_volume = Some((p, n));
        }
    }
    let finite = [
        point.sigma_production_pb,
        point.br_aprime_to_phi1_phi2,
        point.width_phi1_gev.value,
        point.flight_length_m.value,
    ]
    .iter()
    .chain(point.detectors.iter().map(|d| &d.n_signal))
    .all(|v| v.is_finite());
    if !finite {
        return Err(Error::Numerical {
            point: format!(
                "m_A' = {} GeV, m1 = {} GeV, m2 = {} GeV, eps = {}, g_D = {}",
                model.m_aprime_gev, model.m1_gev, model.m2_gev, model.epsilon, model.g_d
            ),
            message: format!("a result is not finite: {point:?}"),
        });
    }
    Ok(point)
}

/// Every number of the scenario's model point (runs the Monte Carlo).
///
/// # Errors
/// As [`evaluate_with`].
pub fn evaluate(scenario: &EmulsionScenario) -> Result<EmulsionPoint, Error> {
    evaluate_with(scenario, &scenario_acceptances(scenario), &RRatio::pdg())
}

/// One column of a grid: a value of the horizontal key and every cell above it.
#[derive(Debug, Clone, PartialEq)]
pub struct GridColumn {
    /// The horizontal value.
    pub x: f64,
    /// Whether the masses of this column are allowed (on shell: `m1 + m2 < M < sqrt s`; off
    /// shell: `m1 + m2 < sqrt s`; always `m1 > m2 > 0`). A closed column has no signal.
    pub open: bool,
    /// Acceptance of each detector (zero in a closed column).
    pub acceptance: Vec<crate::sources::phi1::Fraction>,
    /// Per cell (in the order of the vertical values): signal events of each detector.
    pub n_signal: Vec<Vec<f64>>,
    /// Per cell: mean flight length, m.
    pub flight_length_m: Vec<f64>,
    /// The excluded intervals of the vertical key `(lower, upper)`, found by bisection on the
    /// exact signal between grid values (an end equal to the scan's first or last value means
    /// the region continues beyond the grid).
    pub excluded: Vec<(f64, f64)>,
    /// Per cell: whether BaBar's searches exclude it [EMU Eq. 22-23] (all false without
    /// `[babar]` files).
    pub babar: Vec<bool>,
    /// The intervals BaBar excludes, as `excluded`.
    pub babar_excluded: Vec<(f64, f64)>,
}

/// A two-parameter scan [EMU Figs. 14-16]: signal on a grid and the excluded region.
#[derive(Debug, Clone, PartialEq)]
pub struct GridResult {
    /// The detectors' names.
    pub detectors: Vec<String>,
    /// The vertical values.
    pub y_values: Vec<f64>,
    /// Per horizontal value.
    pub columns: Vec<GridColumn>,
}

/// Whether a model's masses allow the production.
fn kinematically_open(model: &InelasticScalar, sqrt_s: f64, production: Production) -> bool {
    let ordered = model.m2_gev > 0.0 && model.m1_gev > model.m2_gev;
    ordered
        && match production {
            Production::OnShell => {
                model.m_aprime_gev > model.m1_gev + model.m2_gev && model.m_aprime_gev < sqrt_s
            }
            Production::OffShell => model.m1_gev + model.m2_gev < sqrt_s,
        }
}

/// The signal summed over the detectors minus `n_excluded`, at a vertical value.
fn excess(
    mass_point: &MassPoint,
    model: &InelasticScalar,
    scan: &EmulsionScan,
    y: f64,
    n_excluded: f64,
) -> f64 {
    let m = scan.y.parameter.apply(model, y);
    mass_point.n_signal(m.epsilon, m.g_d).iter().sum::<f64>() - n_excluded
}

/// Bisection of the boundary between `a` and `b` (where the excess changes sign), in log space
/// for a logarithmic axis: 100 halvings, far below any grid spacing.
fn boundary(f: impl Fn(f64) -> f64, a: f64, b: f64, logarithmic: bool) -> f64 {
    let to = |v: f64| if logarithmic { v.ln() } else { v };
    let from = |u: f64| if logarithmic { u.exp() } else { u };
    let (mut lo, mut hi) = (to(a), to(b));
    let positive_at_lo = f(a) >= 0.0;
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if (f(from(mid)) >= 0.0) == positive_at_lo {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    from(0.5 * (lo + hi))
}

/// The intervals of `ys` where `inside` holds, their inner ends refined by [`boundary`] on `f`
/// (positive inside); an end at the first or last value means the interval goes on.
fn intervals(
    ys: &[f64],
    inside: &[bool],
    f: impl Fn(f64) -> f64 + Copy,
    logarithmic: bool,
) -> Vec<(f64, f64)> {
    let mut found = Vec::new();
    let mut start = inside.first().copied().unwrap_or(false).then_some(ys[0]);
    for i in 1..ys.len() {
        match (inside[i - 1], inside[i]) {
            (false, true) => start = Some(boundary(f, ys[i - 1], ys[i], logarithmic)),
            (true, false) => {
                let end = boundary(f, ys[i - 1], ys[i], logarithmic);
                found.push((start.take().unwrap_or(ys[0]), end));
            }
            _ => {}
        }
    }
    if let Some(lo) = start {
        found.push((lo, ys[ys.len() - 1]));
    }
    found
}

/// Runs the scan of `scenario.scan` (calls `progress(done, total)` after each column).
///
/// # Errors
/// No `[scan]`, or a number that is not finite (named with its cell).
pub fn scan_grid(
    scenario: &EmulsionScenario,
    r: &RRatio,
    progress: &dyn Fn(usize, usize),
) -> Result<GridResult, Error> {
    let Some(scan) = &scenario.scan else {
        return Err(Error::Usage(format!(
            "scenario '{}' has no [scan]: add x = {{ parameter = \"model.g_d\", log_range = [...], points = ... }} and y = {{ parameter = \"model.epsilon\", ... }}",
            scenario.title
        )));
    };
    let names: Vec<String> = scenario.detectors.iter().map(|d| d.name.clone()).collect();
    // With a coupling on x the masses never change: one Monte Carlo for the whole grid.
    let shared = scan
        .x
        .parameter
        .is_coupling()
        .then(|| MassPoint::new(scenario, &scenario_acceptances(scenario), r));
    let mut columns = Vec::with_capacity(scan.x.values.len());
    for (k, &x) in scan.x.values.iter().enumerate() {
        let model = scan.x.parameter.apply(&scenario.model, x);
        if !kinematically_open(&model, scenario.sqrt_s_gev, scenario.production) {
            columns.push(GridColumn {
                x,
                open: false,
                acceptance: vec![
                    crate::sources::phi1::Fraction {
                        value: 0.0,
                        error: 0.0
                    };
                    names.len()
                ],
                n_signal: vec![vec![0.0; names.len()]; scan.y.values.len()],
                flight_length_m: vec![0.0; scan.y.values.len()],
                excluded: Vec::new(),
                babar: vec![false; scan.y.values.len()],
                babar_excluded: Vec::new(),
            });
            progress(k + 1, scan.x.values.len());
            continue;
        }
        let column_scenario = EmulsionScenario {
            model,
            ..scenario.clone()
        };
        let own;
        let mass_point = if let Some(m) = &shared {
            m
        } else {
            own = MassPoint::new(&column_scenario, &scenario_acceptances(&column_scenario), r);
            &own
        };
        let mut n_signal = Vec::with_capacity(scan.y.values.len());
        let mut flight = Vec::with_capacity(scan.y.values.len());
        for &y in &scan.y.values {
            let m = scan.y.parameter.apply(&model, y);
            let n = mass_point.n_signal(m.epsilon, m.g_d);
            let d = mass_point.flight_length_m(m.epsilon, m.g_d);
            if let Some(bad) = n.iter().chain(std::iter::once(&d)).find(|v| !v.is_finite()) {
                return Err(Error::Numerical {
                    point: format!(
                        "{} = {x}, {} = {y}",
                        scan.x.parameter.key(),
                        scan.y.parameter.key()
                    ),
                    message: format!("a signal or flight length is {bad}; nothing was written"),
                });
            }
            n_signal.push(n);
            flight.push(d);
        }
        let f = |y: f64| excess(mass_point, &model, scan, y, scenario.n_signal);
        let ys = &scan.y.values;
        let inside: Vec<bool> = n_signal
            .iter()
            .map(|n| n.iter().sum::<f64>() >= scenario.n_signal)
            .collect();
        let excluded = intervals(ys, &inside, f, scan.y.logarithmic);
        let babar_f = |y: f64| {
            let m = scan.y.parameter.apply(&model, y);
            mass_point.babar_excess(m.epsilon, m.g_d, &scenario.babar)
        };
        let babar: Vec<bool> = ys.iter().map(|&y| babar_f(y) > 0.0).collect();
        let babar_excluded = intervals(ys, &babar, babar_f, scan.y.logarithmic);
        columns.push(GridColumn {
            x,
            open: true,
            acceptance: mass_point
                .detectors
                .iter()
                .map(|d| d.1.acceptance)
                .collect(),
            n_signal,
            flight_length_m: flight,
            excluded,
            babar,
            babar_excluded,
        });
        progress(k + 1, scan.x.values.len());
    }
    Ok(GridResult {
        detectors: names,
        y_values: scan.y.values.clone(),
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Belle II with box A of the paper, 1000 events.
    fn belle2_box_a(
        model: InelasticScalar,
        production: Production,
        scan: Option<EmulsionScan>,
    ) -> EmulsionScenario {
        EmulsionScenario {
            title: "t".into(),
            sqrt_s_gev: 10.58,
            luminosity_ab: 50.0,
            luminosity_pb: 50e6,
            model,
            production,
            normalisation: crate::processes::collider_production::OffShellNormalisation::Derived,
            detectors: vec![crate::detectors::emulsion::DetectorBox::forward(
                "A", 7.0, 1.0, 0.2, 0.3,
            )],
            monte_carlo: crate::sources::phi1::MonteCarlo {
                events: 1000,
                seed: 1,
                spin_correlation: true,
                boost_beta: 0.0,
            },
            n_signal: 2.3,
            kl: None,
            decay_in_volume: false,
            babar: BabarConditions::default(),
            scan,
            output: crate::scenario::emulsion::EmulsionOutput {
                csv: "x.csv".into(),
                png: "x.png".into(),
                svg: None,
            },
        }
    }

    /// The coupling scaling of [`MassPoint`] against direct evaluation of the model at other
    /// couplings (widths, branching ratio, flight length, cross section).
    #[test]
    fn coupling_scaling_is_exact() {
        let r = RRatio::pdg();
        for production in [Production::OnShell, Production::OffShell] {
            let model = match production {
                Production::OnShell => InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1),
                Production::OffShell => InelasticScalar::new(14.0, 5.0, 4.85, 1e-3, 0.1),
            };
            let scenario = belle2_box_a(model, production, None);
            let acceptance = [BoxAcceptance {
                acceptance: crate::sources::phi1::Fraction {
                    value: 0.01,
                    error: 0.0,
                },
                mean_beta_gamma_accepted: 0.3,
            }];
            let mass_point = MassPoint::new(&scenario, &acceptance, &r);
            for (eps, g) in [(1e-3, 0.1), (3e-5, 0.7), (2e-2, 1e-3)] {
                let m = InelasticScalar {
                    epsilon: eps,
                    g_d: g,
                    ..model
                };
                let scaled = mass_point.point(eps, g);
                assert_relative_eq!(
                    scaled.br_aprime_to_phi1_phi2,
                    m.br_aprime_to_phi1_phi2(&r),
                    max_relative = 1e-12
                );
                assert_relative_eq!(
                    scaled.width_phi1_gev.value,
                    m.phi1_width_total_gev(&r).value,
                    max_relative = 1e-9
                );
                let direct_d = match production {
                    Production::OnShell => m.flight_length_m(10.58, &r).value,
                    Production::OffShell => {
                        let p = two_body_momentum_gev(10.58, m.m1_gev, m.m2_gev);
                        m.decay_length_m(p / m.m1_gev, &r).value
                    }
                };
                assert_relative_eq!(scaled.flight_length_m.value, direct_d, max_relative = 1e-9);
                let direct_sigma = match production {
                    Production::OnShell => {
                        gev2_to_pb(sigma_gamma_aprime(10.58 * 10.58, 8.0, eps, 1.0))
                    }
                    Production::OffShell => gev2_to_pb(sigma_off_shell(
                        10.58 * 10.58,
                        &m,
                        crate::processes::collider_production::OffShellNormalisation::Derived,
                    )),
                };
                assert_relative_eq!(
                    scaled.sigma_production_pb,
                    direct_sigma,
                    max_relative = 1e-12
                );
            }
        }
    }

    /// The boundary of a grid column is where the summed signal equals `n_signal` (to 1e-9),
    /// for couplings on x (one Monte Carlo) and for a mass on x (one per column, closed columns
    /// included).
    #[test]
    fn grid_boundaries_are_on_the_threshold() {
        use crate::scenario::emulsion::{GridAxis, GridParameter};
        let r = RRatio::pdg();
        let axis = |parameter, lo: f64, hi: f64, n: usize| GridAxis {
            parameter,
            values: (0..n)
                .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (n - 1) as f64).exp())
                .collect(),
            logarithmic: true,
        };
        for x in [
            axis(GridParameter::GD, 1e-2, 1.0, 5),
            axis(GridParameter::SplittingOverM2, 0.05, 0.5, 5),
        ] {
            let mut scenario = belle2_box_a(
                InelasticScalar::new(8.0, 4.341, 3.65, 1e-3, 0.1),
                Production::OnShell,
                Some(EmulsionScan {
                    x: x.clone(),
                    y: axis(GridParameter::Epsilon, 1e-7, 1e-1, 31),
                }),
            );
            scenario.monte_carlo.events = 50_000;
            let grid = scan_grid(&scenario, &r, &|_, _| {}).expect("grid");
            let mut edges = 0;
            for column in &grid.columns {
                let model = x.parameter.apply(&scenario.model, column.x);
                if !column.open {
                    // (m1 - m2)/m2 = 0.5 puts m1 + m2 above m_A' = 8.
                    assert!(model.m1_gev + model.m2_gev >= 8.0, "{model:?}");
                    continue;
                }
                let column_scenario = EmulsionScenario {
                    model,
                    ..scenario.clone()
                };
                let acceptance: Vec<BoxAcceptance> = column
                    .acceptance
                    .iter()
                    .map(|a| BoxAcceptance {
                        acceptance: *a,
                        mean_beta_gamma_accepted: 0.0,
                    })
                    .collect();
                let mass_point = MassPoint::new(&column_scenario, &acceptance, &r);
                for &(lo, hi) in &column.excluded {
                    for edge in [lo, hi] {
                        if edge == 1e-7 || (edge / 1e-1 - 1.0).abs() < 1e-12 {
                            continue;
                        }
                        let n: f64 = mass_point.n_signal(edge, model.g_d).iter().sum();
                        assert!((n / 2.3 - 1.0).abs() < 1e-9, "{edge}: {n}");
                        edges += 1;
                    }
                }
            }
            assert!(edges >= 4, "{edges}");
        }
    }

    /// The decay window against its limits: `L/d e^(-a/d)` for `d >> L`, and the full
    /// difference of exponentials.
    #[test]
    fn decay_window() {
        assert_relative_eq!(
            decay_window_probability(7.0, 1.32, 2.0),
            (-3.5_f64).exp() - (-4.16_f64).exp(),
            max_relative = 1e-14
        );
        let d = 1e6;
        assert_relative_eq!(
            decay_window_probability(7.0, 1.32, d),
            1.32 / d,
            max_relative = 1e-5
        );
        assert_eq!(decay_window_probability(7.0, 1.32, 0.0), 0.0);
    }
}
