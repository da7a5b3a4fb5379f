//! A positron beam on a thin target (below 0.01 X0: the beam positron's own path, in closed
//! form) against independent numbers: its line shape in the beam energy, integrated over the
//! beam energy, is `n_e L integral sigma dE` (electrons at rest), the beam's Gaussian spread
//! keeps that area and has the beam's rms, the moving electrons keep it up to their flux
//! factor, and at 0.01 X0 the closed form meets the track-length tables.

mod common;

use common::curves;
use darksens::materials::compton::electron_momenta_of;
use darksens::numerics::quadrature::{Tolerance, integrate};
use darksens::pipeline::thick_target::Calculator;
use darksens::showers::track_length::B1;
use darksens::units::{ELECTRON_MASS_GEV, gev2_to_cm2};
use statrs::function::gamma::ln_gamma;

const FIXTURE: &str = "tests/fixtures/thin_positron_target.toml";
const MASS_MEV: f64 = 17.0;
const WIDE_WINDOW: &str = "target.max_visible_fraction=0.9";

fn calculator(beam_energy_gev: f64, extra: &[&str]) -> Calculator {
    let energy = format!("source.beam_energy_gev={beam_energy_gev}");
    let mut all = vec![
        "scan.parameter=\"model.mass_mev\"",
        "scan.range=[16.0, 18.0]",
        energy.as_str(),
    ];
    all.extend_from_slice(extra);
    let curve = &curves(FIXTURE, &all)[0];
    Calculator::new(&curve.scenario)
}

/// Annihilations per positron on target and per `eps^2` at one beam energy.
fn per_positron(beam_energy_gev: f64, extra: &[&str]) -> f64 {
    let c = calculator(beam_energy_gev, extra);
    let y = c.yields(MASS_MEV).annihilation;
    assert!(y.converged, "E0 = {beam_energy_gev} GeV, {extra:?}: {y:?}");
    y.value / c.search().n_incident()
}

/// `E_A' - m_e` at the resonance on an electron at rest, GeV.
fn resonance_gev() -> f64 {
    let m = MASS_MEV * 1e-3;
    m * m / (2.0 * ELECTRON_MASS_GEV) - ELECTRON_MASS_GEV
}

/// `n_e L` of the fixture's target with `extra` settings, cm^-2.
fn electrons_per_cm2(extra: &[&str]) -> f64 {
    let c = calculator(0.282, extra);
    let setup = c.search().setup();
    setup.material.electrons_per_cm3() * setup.thickness_x0 * setup.material.radiation_length_cm
}

/// `integral dE sigma(E)` (cm^2 GeV) of the fixture's mediator over the positron energies
/// `(lo, hi)`, at rest, with break points at the peak and at 1, 10, 100 and 1000 half-widths.
fn sigma_area(lo: f64, hi: f64) -> f64 {
    let c = calculator(0.282, &[]);
    let mediator = c.mediator(MASS_MEV);
    let e_res = resonance_gev();
    let half_width = mediator.resonance_half_width_gev();
    let mut breaks = vec![lo, e_res, hi];
    for k in [1.0, 10.0, 100.0, 1000.0] {
        breaks.extend([e_res - k * half_width, e_res + k * half_width]);
    }
    breaks.retain(|&e| e >= lo && e <= hi);
    breaks.sort_by(f64::total_cmp);
    integrate(
        |e| {
            let s = 2.0 * ELECTRON_MASS_GEV * (e + ELECTRON_MASS_GEV);
            let s_minus_m2 = 2.0 * ELECTRON_MASS_GEV * (e - e_res);
            gev2_to_cm2(mediator.sigma_annihilation_gev2(s, s_minus_m2))
        },
        &breaks,
        Tolerance::relative(1e-10),
    )
    .value
}

/// Break points `breaks` inside `(lo, hi)` with the ends.
fn with_ends(lo: f64, hi: f64, breaks: &[f64]) -> Vec<f64> {
    let mut all = vec![lo];
    all.extend(breaks.iter().copied().filter(|&e| e > lo && e < hi));
    all.push(hi);
    all
}

/// The beam positron's path in a target of `thickness_x0` that reaches the resonance from beam
/// energies up to `e^Lambda` times the resonance energy: the first generation [DPT Eq. A.2]
/// integrated over `lambda` up to `Lambda` and over the depth,
/// `integral_0^T dt Lambda^(b1 t)/Gamma(b1 t + 1)` (X0).
fn first_generation_path_x0(thickness_x0: f64, big_lambda: f64) -> f64 {
    integrate(
        |t| big_lambda.powf(B1 * t) * (-ln_gamma(B1 * t + 1.0)).exp(),
        &[0.0, thickness_x0],
        Tolerance::relative(1e-12),
    )
    .value
}

/// The line shape's area `integral dE0 N(E0)/N_POT` over `(lo, hi)`.
fn line_area(lo: f64, hi: f64, breaks: &[f64], extra: &[&str], tol: f64) -> f64 {
    let all = with_ends(lo, hi, breaks);
    integrate(|e| per_positron(e, extra), &all, Tolerance::relative(tol)).value
}

/// The line shape's area, mean and rms over `(lo, hi)`.
fn line_moments(lo: f64, hi: f64, breaks: &[f64], extra: &[&str]) -> (f64, f64, f64) {
    let all = with_ends(lo, hi, breaks);
    let tol = Tolerance::relative(1e-7);
    let area = line_area(lo, hi, breaks, extra, 1e-7);
    let mean = integrate(|e| e * per_positron(e, extra), &all, tol).value / area;
    let variance =
        integrate(|e| (e - mean).powi(2) * per_positron(e, extra), &all, tol).value / area;
    (area, mean, variance.sqrt())
}

/// Electrons at rest: the line is the Breit–Wigner itself, and its area over the beam energy is
/// `n_e L integral sigma dE` (docs/physics.md §7.2: `n_e L pi g^2/(2 m_e)` in the narrow
/// limit), less what the beam positron's energy loss moves to beam energies above the range:
/// the path that reaches the resonance from there, `integral dt Lambda^(b1 t)/Gamma(b1 t + 1)`
/// [DPT Eq. A.2], is 1e-3 below the thickness on 100 um of diamond.
#[test]
fn at_rest_the_line_holds_the_resonance_area() {
    let e_res = resonance_gev();
    let half_width = calculator(0.282, &[])
        .mediator(MASS_MEV)
        .resonance_half_width_gev();
    let (lo, hi) = (e_res - 3000.0 * half_width, e_res + 3000.0 * half_width);
    let mut breaks = vec![e_res];
    for k in [1.0, 10.0, 100.0] {
        breaks.extend([e_res - k * half_width, e_res + k * half_width]);
    }
    breaks.sort_by(f64::total_cmp);
    for thickness_cm in [0.01, 1e-4] {
        let thickness = format!("target.thickness_cm={thickness_cm}");
        // The missing-energy window wide open, so that every annihilation in the range counts.
        let area = line_area(lo, hi, &breaks, &[&thickness, WIDE_WINDOW], 1e-8);
        // The path that reaches the resonance from beam energies up to hi: the first generation
        // integrated over lambda up to ln(hi/E_res), `integral_0^T dt Lambda^(b1 t)/Gamma(b1 t + 1)`.
        let big_lambda = (hi / e_res).ln();
        let thickness_x0 = thickness_cm / 12.148;
        let path_x0 = first_generation_path_x0(thickness_x0, big_lambda);
        let expected =
            electrons_per_cm2(&[&thickness]) * sigma_area(lo, hi) * path_x0 / thickness_x0;
        let deviation = area / expected - 1.0;
        let tolerance = 1e-5;
        eprintln!(
            "{thickness}: area {area:.6e} GeV against {expected:.6e} ({deviation:.1e}; the path {:.2e} below the thickness)",
            1.0 - path_x0 / thickness_x0
        );
        assert!(deviation.abs() < tolerance, "{thickness}: {deviation:.2e}");
    }
    // The narrow limit n_e L pi e^2/(2 m_e) (per eps^2): the area above, up to the
    // Breit–Wigner's tails beyond 3000 half widths (2/(3000 pi) of it).
    let narrow = electrons_per_cm2(&[])
        * gev2_to_cm2(std::f64::consts::PI * 4.0 * std::f64::consts::PI * darksens::units::ALPHA)
        / (2.0 * ELECTRON_MASS_GEV);
    let ratio = electrons_per_cm2(&[]) * sigma_area(lo, hi) / narrow;
    assert!(
        (ratio - 1.0 + 2.0 / (3000.0 * std::f64::consts::PI)).abs() < 1e-4,
        "{ratio}"
    );
}

/// A Gaussian beam spread of relative rms r keeps the line's area and adds its variance to the
/// line's: `rms^2 = rms_0^2 + (r E)^2` (the lognormal's correction is of order r^2).
#[test]
fn the_beam_spread_keeps_the_area_and_adds_its_width_in_quadrature() {
    let r = 0.004;
    let spread = format!("source.energy_spread={r}");
    let thin = "target.thickness_cm=1e-4";
    let e_res = resonance_gev();
    let half_width = calculator(0.282, &[])
        .mediator(MASS_MEV)
        .resonance_half_width_gev();
    let (lo, hi) = (e_res * (1.0 - 10.0 * r), e_res * (1.0 + 10.0 * r));
    let mut breaks: Vec<f64> = [-3.0, -1.0, 1.0, 3.0]
        .iter()
        .map(|k| e_res * (1.0 + k * r))
        .collect();
    for k in [0.0, 1.0, 10.0, 100.0] {
        breaks.extend([e_res - k * half_width, e_res + k * half_width]);
    }
    breaks.sort_by(f64::total_cmp);
    let (area0, _, rms0) = line_moments(lo, hi, &breaks, &[thin]);
    let (area, mean, rms) = line_moments(lo, hi, &breaks, &[&spread, thin]);
    let expected_rms = (rms0 * rms0 + (r * mean).powi(2)).sqrt();
    eprintln!(
        "area {area:.6e} against {area0:.6e} at rest; rms {rms} against {expected_rms} (resonance alone {rms0})"
    );
    assert!(
        (area / area0 - 1.0).abs() < 1e-4,
        "area {area:e} against {area0:e}"
    );
    assert!(
        (rms / expected_rms - 1.0).abs() < 2e-3,
        "rms {rms} against {expected_rms}"
    );
    assert!(
        (mean / e_res - 1.0).abs() < 2.0 * r * r,
        "mean {mean} against {e_res}"
    );
}

/// Moving electrons move the line and spread it, and keep its area up to their flux factor:
/// `integral sigma_line dE = (integral sigma ds)/(2 m_e) integral rho(mu) m_e/mu dmu`
/// (docs/physics.md §9), here with `rho` integrated on its own nodes.
#[test]
fn moving_electrons_keep_the_area_up_to_the_flux_factor() {
    let bound = [
        "target.atomic_electrons=\"compton-profile\"",
        "target.thickness_cm=1e-4",
    ];
    let e_res = resonance_gev();
    // mu from 0.02 m_e to 2 m_e: E0 from E_res/2 to 50 E_res.
    let (lo, hi) = (0.45 * e_res, 52.0 * e_res);
    let breaks: Vec<f64> = [
        0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0, 1.01, 1.02, 1.05, 1.1, 1.25, 2.0, 5.0, 15.0,
    ]
    .iter()
    .map(|k| k * e_res)
    .collect();
    let area = line_area(lo, hi, &breaks, &bound, 1e-5);
    let electrons = electron_momenta_of(&[("C", 1.0)]).expect("carbon");
    let (mu_lo, mu_hi) = electrons.range_gev();
    let mut mu_breaks: Vec<f64> = electrons.peaks().iter().map(|(e, _)| *e).collect();
    mu_breaks.extend([mu_lo, mu_hi]);
    mu_breaks.sort_by(f64::total_cmp);
    let flux_factor = integrate(
        |mu| electrons.density_per_gev(mu) * ELECTRON_MASS_GEV / mu,
        &mu_breaks,
        Tolerance::relative(1e-10),
    )
    .value;
    let expected = electrons_per_cm2(&bound)
        * gev2_to_cm2(std::f64::consts::PI * 4.0 * std::f64::consts::PI * darksens::units::ALPHA)
        / (2.0 * ELECTRON_MASS_GEV)
        * flux_factor;
    eprintln!("area {area:.6e} against {expected:.6e} (flux factor {flux_factor})");
    assert!(
        (area / expected - 1.0).abs() < 5e-4,
        "{area:e} against {expected:e}"
    );
}

/// At 0.01 X0 the closed form (just below) meets the track-length tables (from there up): at
/// the resonance, where the primary's path makes the yield (linear in the thickness), and
/// 3% above it, where only the positron's energy loss reaches the resonance (the loss part
/// grows like the thickness squared; the tables' second generation adds a share of order T).
#[test]
fn the_closed_form_meets_the_tables_at_the_thin_target_limit() {
    let e_res = resonance_gev();
    let (thin, thick) = (0.009_999, 0.01);
    for (e0, power, tolerance) in [(e_res, 1.0, 1e-4), (1.03 * e_res, 2.0, 1e-4)] {
        let yield_at = |t: f64| per_positron(e0, &[&format!("target.thickness_cm={}", t * 12.148)]);
        let (a, b) = (yield_at(thin), yield_at(thick));
        let scaled = a * (thick / thin).powf(power);
        eprintln!("E0 = {e0}: thin {a:e}, tables {b:e}, ratio {}", b / scaled);
        assert!(
            (b / scaled - 1.0).abs() < tolerance,
            "E0 = {e0}: {b:e} against {scaled:e}"
        );
    }
}

/// The same meeting with carbon's moving electrons and the pair's radiation: below 0.01 X0 the
/// closed form against the spread resonance (both legs' radiation in it), from 0.01 X0 the
/// tables' positron leg with the spike's direct integral and the effective flux below it. With
/// the window wide open the positron's photon is lost either way. 10% above the resonance,
/// where only the tails reach it, the tables' second generation (left out of the closed form)
/// shows: 2e-3.
#[test]
fn the_realistic_thin_target_meets_the_thick_one() {
    let e_res = resonance_gev();
    let (thin, thick) = (0.009_999, 0.01);
    let realistic = [
        "target.atomic_electrons=\"compton-profile\"",
        "target.initial_state_radiation=true",
        WIDE_WINDOW,
    ];
    for (e0, tolerance) in [
        (0.99 * e_res, 5e-4),
        (e_res, 5e-4),
        (1.01 * e_res, 5e-4),
        (1.1 * e_res, 3e-3),
    ] {
        let yield_at = |t: f64| {
            let thickness = format!("target.thickness_cm={}", t * 12.148);
            let mut sets = realistic.to_vec();
            sets.push(&thickness);
            per_positron(e0, &sets)
        };
        let (a, b) = (yield_at(thin), yield_at(thick));
        let ratio = b / (a * thick / thin);
        eprintln!("E0 = {e0}: thin {a:e}, thick {b:e}, ratio {ratio}");
        assert!((ratio - 1.0).abs() < tolerance, "E0 = {e0}: {ratio}");
    }
}

/// X17 made per positron on target by `configs/padme_x17.toml` (`g_ve = 1e-3`, m = 17 MeV) at
/// the beam energy `e0_gev`, with the settings `extra`.
fn padme_signal_per_pot(e0_gev: f64, extra: &[&str]) -> f64 {
    let energy = format!("source.beam_energy_gev={e0_gev}");
    let mut sets = vec![
        "scan.parameter=\"target.thickness_cm\"",
        "scan.range=[0.01, 0.02]",
    ];
    sets.extend(extra);
    sets.push(&energy);
    let curve = &curves("configs/padme_x17.toml", &sets)[0];
    let c = Calculator::new(&curve.scenario);
    let p = c.point("X17", 17.0).expect("a point");
    assert!(p.converged, "E0 = {e0_gev} GeV, {extra:?}");
    p.at_coupling
        .and_then(|(_, per)| per)
        .expect("signal per POT")
}

/// PADME's X17 with carbon's electrons at rest, no radiation, and the window wide open.
const X17_AT_REST: [&str; 3] = [
    "target.atomic_electrons=\"at-rest\"",
    "target.initial_state_radiation=false",
    "target.max_visible_fraction=0.9",
];

/// The X17 line's area over beam energies up to `hi_gev`, MeV: `n_e L pi g_ve^2/(2 m_e)` =
/// 12.66e-6 MeV on 100 um of diamond (docs/physics.md §7.2), less the beam positron's path that
/// reaches the resonance only from beam energies above `hi_gev` [DPT Eq. A.2].
fn x17_area_up_to_mev(hi_gev: f64) -> f64 {
    let thickness_x0 = 0.01 / 12.148;
    let path_x0 = first_generation_path_x0(thickness_x0, (hi_gev / resonance_gev()).ln());
    12.66e-6 * path_x0 / thickness_x0
}

/// PADME's X17 (`configs/padme_x17.toml`, a visible dark photon at `g_ve = 1e-3`): with the
/// electrons at rest, the area of the line of signal per positron over the beam energy is
/// `n_e L pi g_ve^2/(2 m_e)`, 12.66e-6 MeV on 100 um of diamond (docs/physics.md §7.2), less
/// the path the energy loss moves to beam energies above the scan; the beam spread (kept) does
/// not change it.
#[test]
fn padme_line_area_at_rest() {
    let per_pot = |e0: f64| padme_signal_per_pot(e0, &X17_AT_REST);
    let e_res = resonance_gev();
    let r = 0.0025;
    let (lo, hi) = (e_res * (1.0 - 10.0 * r), e_res * (1.0 + 10.0 * r));
    let breaks: Vec<f64> = [-10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0]
        .iter()
        .map(|k| e_res * (1.0 + k * r))
        .collect();
    let area_mev = integrate(per_pot, &breaks, Tolerance::relative(1e-7)).value * 1e3;
    let published = x17_area_up_to_mev(hi);
    eprintln!("area {area_mev:.5e} MeV against {published:.5e} MeV (range {lo}-{hi} GeV)");
    assert!(
        (area_mev / published - 1.0).abs() < 1e-3,
        "{area_mev:e} against {published:e}"
    );
}

/// The same X17 with a monoenergetic beam: the bare Breit–Wigner (its half-width some 8 eV of
/// beam energy) keeps both of its sides, since the `e+ e-` it decays to is open at every beam
/// energy. Below the resonance the positron's energy loss only moves it further away, so the
/// line there is the lower half of the resonance: together the whole area again.
#[test]
fn a_visible_line_keeps_both_sides_of_its_resonance() {
    let monoenergetic: Vec<&str> = X17_AT_REST
        .into_iter()
        .chain(["source.energy_spread=0.0"])
        .collect();
    let per_pot = |e0: f64| padme_signal_per_pot(e0, &monoenergetic);
    let e_res = resonance_gev();
    let r = 0.0025;
    let (lo, hi) = (e_res * (1.0 - 10.0 * r), e_res * (1.0 + 10.0 * r));
    // The half-width in the beam energy: Gamma m/(2 m_e), with Gamma = alpha_ve m/3 and
    // alpha_ve = g_ve^2/(4 pi) (= eps^2 alpha), to 1e-3 (the electron's mass in the width).
    let m = MASS_MEV * 1e-3;
    let alpha_ve = 1e-6 / (4.0 * std::f64::consts::PI);
    let half_width = alpha_ve * m / 3.0 * m / (2.0 * ELECTRON_MASS_GEV);
    let mut breaks = vec![lo];
    for k in [
        -1e5, -1e4, -1e3, -1e2, -10.0, -1.0, 0.0, 1.0, 10.0, 1e2, 1e3, 1e4, 1e5,
    ] {
        breaks.push(e_res + k * half_width);
    }
    breaks.push(hi);
    // `breaks[7]` is the peak.
    let below = integrate(per_pot, &breaks[..8], Tolerance::relative(1e-6)).value * 1e3;
    let area_mev = below + integrate(per_pot, &breaks[7..], Tolerance::relative(1e-6)).value * 1e3;
    let published = x17_area_up_to_mev(hi);
    eprintln!("area {area_mev:.5e} MeV ({below:.5e} below the peak) against {published:.5e} MeV");
    // Half the area, less the 1% whose positrons lose more than a half-width on the way in
    // (`(Gamma/E)^(b1 t)` is 0.99 at the target's mean depth).
    assert!(
        (below / (0.5 * 12.66e-6) - 1.0).abs() < 2e-2,
        "below the resonance {below:e} MeV, half of it is {:e}",
        0.5 * 12.66e-6
    );
    assert!(
        (area_mev / published - 1.0).abs() < 2e-3,
        "{area_mev:e} against {published:e}"
    );
}

/// Beam energies (MeV) of PADME's expected X17 signal with carbon's Compton profiles
/// (m = 17 MeV, `g_ve = 1e-3`, Gaussian beam spread 0.5%, radiation of the pair not included):
/// the 16 points drawn in the signal-model figure of the PADME Run III analysis (the figure
/// macro `plotmaking/signalMacro.C` of github.com/tommasoSpadaro/PADMERunIIISensitivity, commit
/// 6b10a6e, "BES = 0.005, from [12]", each with a 5% error bar). That repository carries no
/// licence: the values are quoted as reference numbers (docs/validation.md §22).
const PADME_BEAM_MEV: [f64; 16] = [
    274.486, 275.7399, 278.0296, 279.7196, 280.919, 282.2274, 282.9361, 283.5358, 283.9174,
    284.5171, 285.3894, 285.7165, 286.5343, 288.1698, 290.1324, 291.877,
];

/// X17 per positron on target at [`PADME_BEAM_MEV`], same source (digit for digit as quoted).
#[allow(clippy::unreadable_literal)]
const PADME_SIGNAL_PER_POT: [f64; 16] = [
    1.442496e-07,
    1.96416e-07,
    4.479024e-07,
    1.004291e-06,
    1.508302e-06,
    1.739074e-06,
    1.675802e-06,
    1.518018e-06,
    1.370794e-06,
    1.107938e-06,
    7.9244e-07,
    6.767728e-07,
    4.348432e-07,
    2.136992e-07,
    1.290432e-07,
    7.59968e-08,
];

/// Trapezoid rule over the points `(x, y)`.
fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2)
        .zip(y.windows(2))
        .map(|(x, y)| 0.5 * (x[1] - x[0]) * (y[0] + y[1]))
        .sum()
}

/// Full width at half maximum of the points `(x, y)` (one peak), the crossings interpolated
/// linearly between neighbours.
fn half_maximum_width(x: &[f64], y: &[f64]) -> f64 {
    let peak = (0..y.len())
        .max_by(|&i, &j| y[i].total_cmp(&y[j]))
        .expect("points");
    let half = 0.5 * y[peak];
    let crossing = |i: usize, j: usize| x[i] + (half - y[i]) * (x[j] - x[i]) / (y[j] - y[i]);
    let below = (0..peak).rev().find(|&i| y[i] < half).expect("a rise");
    let above = (peak..y.len()).find(|&i| y[i] < half).expect("a fall");
    crossing(above - 1, above) - crossing(below, below + 1)
}

/// Our line of the X17 against PADME's published expected signal with carbon's Compton
/// profiles (radiation of the pair left out, as there; 0.5% beam spread), at PADME's 16 beam
/// energies. The area over 274.5-291.9 MeV agrees to 1.1% (asserted 3%): both are the resonance
/// area `n_e L pi g_ve^2/(2 m_e)` less the tails outside the range. The line's core does not:
/// with free-atom Hartree-Fock profiles ours is 17% narrower and its peak, at the same beam
/// energy, 14% higher (both asserted within 20%; docs/validation.md §22 discusses the gap).
#[test]
fn padme_line_against_the_published_compton_profile_line() {
    let physics = [
        "source.energy_spread=0.005",
        "target.initial_state_radiation=false",
    ];
    let ours: Vec<f64> = PADME_BEAM_MEV
        .iter()
        .map(|e| padme_signal_per_pot(e * 1e-3, &physics))
        .collect();
    let area =
        trapezoid(&PADME_BEAM_MEV, &ours) / trapezoid(&PADME_BEAM_MEV, &PADME_SIGNAL_PER_POT);
    let argmax = |y: &[f64]| (0..y.len()).max_by(|&i, &j| y[i].total_cmp(&y[j]));
    let peak = argmax(&PADME_SIGNAL_PER_POT).expect("points");
    let height = ours[peak] / PADME_SIGNAL_PER_POT[peak];
    let width = half_maximum_width(&PADME_BEAM_MEV, &ours)
        / half_maximum_width(&PADME_BEAM_MEV, &PADME_SIGNAL_PER_POT);
    eprintln!("ours against PADME's: area {area:.4}, peak {height:.4}, FWHM {width:.4}");
    for (e, (o, p)) in PADME_BEAM_MEV
        .iter()
        .zip(ours.iter().zip(PADME_SIGNAL_PER_POT))
    {
        eprintln!(
            "  {e:9.4} MeV  {o:.4e}  {p:.4e}  {:+.1}%",
            100.0 * (o / p - 1.0)
        );
    }
    assert!((area - 1.0).abs() < 0.03, "area ratio {area}");
    assert_eq!(
        argmax(&ours),
        Some(peak),
        "the peaks sit at the same beam energy"
    );
    assert!((1.0..1.2).contains(&height), "peak ratio {height}");
    assert!((0.8..1.0).contains(&width), "FWHM ratio {width}");
}

/// The sidecar's best point of a visible mediator gives `g_ve = eps e`, not the dark sector's
/// couplings and `y`.
fn best_point_gives_g_ve(sidecar: &std::path::Path, e: f64) {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sidecar).expect("the sidecar")).expect("JSON");
    let best = &meta["best"][0];
    assert!(best["y"].is_null() && best["alpha_d"].is_null(), "{best}");
    let (eps, g) = (best["epsilon_limit"].as_f64(), best["g_ve_limit"].as_f64());
    assert!(
        (g.expect("g_ve") / (eps.expect("eps") * e) - 1.0).abs() < 1e-12,
        "{best}"
    );
}

/// The shipped PADME scan from the command line: the CSV carries the signal at each curve's
/// coupling, `n_ann_per_eps2 (g_ve/e)^2` in events and per positron on target, and
/// `darksens plot` redraws the line from it.
#[test]
fn padme_scan_writes_the_line_shape() {
    let out = common::scratch("padme_line_shape");
    let darksens = assert_cmd::cargo::cargo_bin!("darksens");
    let status = std::process::Command::new(darksens)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "scan",
            "configs/padme_x17.toml",
            "--set",
            "scan.points=5",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("darksens runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(out.join("padme_x17.csv")).expect("the CSV");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let e = (4.0 * std::f64::consts::PI * darksens::units::ALPHA).sqrt();
    best_point_gives_g_ve(&out.join("padme_x17.meta.json"), e);
    let mut rows = 0;
    let mut line_of_1e3: (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let number = |name: &str| cells[column(name)].parse::<f64>().expect(name);
        let g = if cells[0] == "g_ve = 10^-3" {
            line_of_1e3.0.push(number("source.beam_energy_gev") * 1e3);
            line_of_1e3.1.push(number("signal_per_pot_at_g_ve"));
            1e-3
        } else {
            5.6e-4
        };
        let events = number("n_ann_per_eps2") * (g / e).powi(2);
        assert!(
            (number("n_signal_at_g_ve") / events - 1.0).abs() < 1e-12,
            "{line}"
        );
        assert!(
            (number("signal_per_pot_at_g_ve") * 7.1e9 / events - 1.0).abs() < 1e-12,
            "{line}"
        );
        rows += 1;
    }
    assert_eq!(rows, 10);
    // The summary gives the line's peak and width from the same points (the width by this
    // file's own half-maximum interpolation).
    let summary = String::from_utf8_lossy(&status.stdout);
    let (x, y) = &line_of_1e3;
    let peak = y.iter().copied().fold(0.0, f64::max);
    let line = summary
        .lines()
        .find(|l| l.contains(&format!("line: peak {peak:.4e} per positron on target")))
        .unwrap_or_else(|| panic!("no line summary with the peak {peak:.4e}:\n{summary}"));
    let width: f64 = line
        .split("full width at half maximum ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no width in {line}"));
    // Three figures: the crossings are interpolated between points half an MeV apart.
    let expected = half_maximum_width(x, y);
    assert!(
        (width / expected - 1.0).abs() < 5e-3 && line.contains("(from the scan's points, "),
        "{width} against {expected} MeV"
    );
    let png = out.join("again.png");
    let plotted = std::process::Command::new(darksens)
        .arg("plot")
        .arg(out.join("padme_x17.csv"))
        .arg("-o")
        .arg(&png)
        .output()
        .expect("darksens runs");
    assert!(
        plotted.status.success(),
        "{}",
        String::from_utf8_lossy(&plotted.stderr)
    );
    assert!(std::fs::metadata(&png).is_ok_and(|m| m.len() > 1000));
    // explain takes the scenario's own mass (the scan is over the beam energy) and gives the
    // yield with the electrons at rest beside the realistic one.
    let explained = std::process::Command::new(darksens)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["explain", "configs/padme_x17.toml", "--json"])
        .output()
        .expect("darksens runs");
    assert!(
        explained.status.success(),
        "{}",
        String::from_utf8_lossy(&explained.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&explained.stdout).expect("explain --json");
    let realistic = json["n_ann_per_eps2"].as_f64().expect("n_ann_per_eps2");
    let at_rest = json["n_ann_at_rest_per_eps2"].as_f64().expect("at rest");
    assert!(
        realistic > 0.0 && at_rest > realistic,
        "{realistic} {at_rest}"
    );
}

/// `darksens explain --json` quotes the limit of a mediator decaying to `e+ e-` as
/// `g_ve = eps e` (`e = sqrt(4 pi alpha)`) and leaves out `y`, which needs `alpha_D`; an invisible
/// mediator keeps `y = eps^2 alpha_D (m_chi/m)^4` and has no `g_ve_limit`.
#[test]
fn explain_quotes_the_coupling_the_mediator_has() {
    let explain = |config: &str, mass: &str| -> serde_json::Value {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["explain", config, "--mass-mev", mass, "--json"])
            .output()
            .expect("darksens runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let first = |v: &serde_json::Value| -> serde_json::Value {
        v.get("curves")
            .and_then(|c| c.get(0))
            .cloned()
            .unwrap_or_else(|| v.clone())
    };
    let visible = first(&explain("configs/padme_x17.toml", "17"));
    let eps = visible["epsilon_limit"].as_f64().expect("eps");
    let g = visible["g_ve_limit"].as_f64().expect("g_ve_limit");
    let e = (4.0 * std::f64::consts::PI / 137.035_999_f64).sqrt();
    assert!((g / (eps * e) - 1.0).abs() < 1e-9, "{g} against {eps} e");
    assert!(visible.get("y").is_none(), "{visible}");
    let invisible = first(&explain("configs/belle2_dp.toml", "66.7"));
    assert!(invisible["y"].as_f64().expect("y") > 0.0);
    assert!(invisible.get("g_ve_limit").is_none(), "{invisible}");
}

/// Far below the resonance a positron sees the Breit–Wigner's tail through the whole of the
/// spread kernel. For a tail `sigma ~ 1/(d - z)^2` (`d = ln(s_res/s)`) a Gaussian spread of
/// rms `r` in `z` raises it by `3 (r/d)^2` to leading order; before, the kernel was cut where
/// it could not make the resonance, and the tail fell by up to six orders of magnitude.
#[test]
fn the_beam_spread_keeps_the_resonance_tail_far_below_it() {
    let spread = 0.0025;
    let with_spread = format!("source.energy_spread={spread}");
    for e0 in [0.240, 0.255, 0.265] {
        let bare = per_positron(e0, &[WIDE_WINDOW]);
        let spread_tail = per_positron(e0, &[WIDE_WINDOW, with_spread.as_str()]);
        let d = ((resonance_gev() + ELECTRON_MASS_GEV) / (e0 + ELECTRON_MASS_GEV)).ln();
        let expected = 3.0 * (spread / d).powi(2);
        let rise = spread_tail / bare - 1.0;
        assert!(
            (rise - expected).abs() < 0.3 * expected + 1e-4,
            "E0 = {e0}: the spread raises the tail by {rise:.3e}, expected {expected:.3e}"
        );
    }
}

/// Beyond the source's reach a visible mediator's point keeps the tail of its Breit–Wigner (its
/// signal at `g_ve`) but is closed: that tail scales as `eps^2` only at the width `g_ve` gives,
/// so no limit on eps follows from it, as `explain` says when it refuses the mass. Within the
/// reach the point has its limit.
#[test]
fn a_visible_mediator_beyond_the_reach_is_closed_but_keeps_its_tail() {
    use darksens::limits::LimitStatus;
    let curve = &curves(
        "configs/padme_x17.toml",
        &[
            "scan.parameter=\"model.mass_mev\"",
            "scan.range=[20.0, 40.0]",
            "source.positrons_on_target=1e14",
        ],
    )[0];
    let c = Calculator::new(&curve.scenario);
    let inside = c.point("X17", 20.0).expect("a point");
    assert_eq!(inside.status(), LimitStatus::Ok, "{inside:?}");
    for mass_mev in [26.0, 30.0, 40.0] {
        let beyond = c.point("X17", mass_mev).expect("a point");
        assert_eq!(beyond.status(), LimitStatus::Closed, "{mass_mev} MeV");
        assert!(beyond.yields.annihilation.value > 0.0, "{mass_mev} MeV");
        assert!(
            beyond.at_coupling.is_some_and(|(n, _)| n > 0.0),
            "{mass_mev} MeV: {:?}",
            beyond.at_coupling
        );
    }
}

/// The error a thin target's yield states covers what finer numerics change: the kernel that
/// spreads the resonance (here PADME's moving electrons and beam spread, at the scan's
/// middle) is accepted by its pointwise bound, and that bound is part of the yield's error.
/// The quadrature's error alone (1e-6) fell short of the change with four times the
/// intervals (1.1e-5; 1.5e-5 with twice the intervals).
#[test]
fn the_stated_error_covers_four_times_the_intervals() {
    let yield_with = |intervals: &str| {
        let flux = format!("numerics.flux_intervals={intervals}");
        let sets = [
            "scan.parameter=\"target.thickness_cm\"",
            "scan.range=[0.01, 0.02]",
            &flux,
        ];
        let curve = &curves("configs/padme_x17.toml", &sets)[0];
        Calculator::new(&curve.scenario)
            .yields(MASS_MEV)
            .annihilation
    };
    let (default, finer) = (yield_with("128"), yield_with("512"));
    assert!(
        default.converged && finer.converged,
        "{default:?} {finer:?}"
    );
    let change = (default.value - finer.value).abs();
    // Above what the quadrature alone states (a few 1e-6): the test sees a missing error.
    assert!(
        change > 5e-6 * default.value,
        "the change {change:e} is too small to test the stated error"
    );
    assert!(
        change <= default.error,
        "{} against {} with four times the intervals: stated error {:.1e} relative",
        default.value,
        finer.value,
        default.relative_error()
    );
}
