//! A positron beam on a thick target (`source.kind = "positron-beam"`, configs/na64_positron.toml)
//! against independent numbers. The photons of the shower come from the primary whatever its
//! charge, so a positron beam's positrons are an electron beam's (the second generation,
//! [DPT Eq. A.3]) plus the beam positron itself, the first generation [DPT Eq. A.2]
//! `f1(v, T) = integral_0^T dt (ln 1/v)^(b1 t - 1) / Gamma(b1 t)`, with its spike at `v -> 1`
//! (`lambda f1 -> 1/(b1 ln^2 lambda)`). So, electrons at rest and no radiation (the paper's
//! physics, pinned on both):
//!
//! `N_e+(m) - N_e-(m) = N eff n_e X0 / E0 integral dE' sigma(E') f1(E'/E0, T)`
//!
//! with the right side integrated here on its own: the depth integral outside, and inside
//! `lambda = ln(E0/E')` mapped to `mu = lambda^(b1 t)`, which absorbs the power and leaves
//! `integral_0^T dt / Gamma(b1 t + 1) integral_0^(Lambda^(b1 t)) dmu E' sigma(E')`.

mod common;

use common::curves;
use darksens::numerics::quadrature::{Tolerance, integrate};
use darksens::pipeline::thick_target::Calculator;
use darksens::units::{ELECTRON_MASS_GEV, gev2_to_cm2};
use statrs::function::gamma::ln_gamma;

const B1: f64 = 4.0 / 3.0;

/// The paper's physics on both beams.
const PAPER: [&str; 3] = [
    "target.atomic_electrons=\"at-rest\"",
    "target.initial_state_radiation=false",
    "target.second_generation=\"tsai-whitis-pairs\"",
];

fn positron_beam() -> Calculator {
    Calculator::new(&curves("configs/na64_positron.toml", &PAPER)[0].scenario)
}

/// NA64's electron run with the positron run's particles on target (its physics is the paper's).
fn electron_beam() -> Calculator {
    Calculator::new(
        &curves(
            "configs/na64_dp.toml",
            &["source.electrons_on_target=1.01e10"],
        )[0]
        .scenario,
    )
}

/// `integral dE' sigma(E') f1(E'/E0, T)` over `E'` from `(1 - f) E0 - m_e` to `E0` (cm^2 GeV),
/// by the substitution of the module docs; break points at the resonance's peak and 1 and 10
/// half-widths from it.
fn first_generation_integral(c: &Calculator, mass_mev: f64) -> f64 {
    let mediator = c.mediator(mass_mev);
    let setup = c.search().setup();
    let window = c.search().window();
    let e0 = window.e_max_gev;
    let lo = (1.0 - window.max_visible_fraction) * e0 - ELECTRON_MASS_GEV;
    let big_lambda = (e0 / lo).ln();
    let e_res = mediator.resonance_energy_gev() - ELECTRON_MASS_GEV;
    let half_width = mediator.resonance_half_width_gev();
    let sigma_e = |lambda: f64| {
        let e = e0 * (-lambda).exp();
        let s = 2.0 * ELECTRON_MASS_GEV * (e + ELECTRON_MASS_GEV);
        let s_minus_m2 = 2.0 * ELECTRON_MASS_GEV * (e - e_res);
        gev2_to_cm2(mediator.sigma_annihilation_gev2(s, s_minus_m2)) * e
    };
    let depth = |t: f64| {
        if t <= 0.0 {
            return 0.0;
        }
        let a = B1 * t;
        let top = big_lambda.powf(a);
        let mut breaks = vec![0.0];
        for k in [-10.0, -1.0, 0.0, 1.0, 10.0] {
            let e = e_res + k * half_width;
            if e > lo && e < e0 {
                breaks.push((e0 / e).ln().powf(a));
            }
        }
        breaks.push(top);
        breaks.sort_by(f64::total_cmp);
        let inner = integrate(
            |mu: f64| sigma_e(mu.powf(1.0 / a)),
            &breaks,
            Tolerance::relative(1e-9),
        );
        inner.value * (-ln_gamma(a + 1.0)).exp()
    };
    let thickness = setup.thickness_x0;
    integrate(
        depth,
        &[0.0, 0.1, 0.5, 2.0, 6.0, thickness],
        Tolerance::relative(1e-8),
    )
    .value
}

/// The positron beam's extra yield is its own first generation, across the resonant range
/// (where the primary's spike at E' = E0 takes the resonance at 319.7 MeV) and below it.
#[test]
fn a_positron_beam_adds_its_first_generation_to_the_showers_positrons() {
    let (positrons, electrons) = (positron_beam(), electron_beam());
    let setup = positrons.search().setup();
    let material = &setup.material;
    let darksens::sources::Source::Beam(beam) = &setup.source else {
        panic!("a beam");
    };
    let normalisation = beam.particles_on_target * beam.efficiency / beam.energy_gev
        * material.electrons_per_cm3()
        * material.radiation_length_cm;
    for mass in [150.0, 230.0, 280.0, 315.0, 319.0, 321.0] {
        let with_positron = positrons
            .search()
            .yields(positrons.mediator(mass))
            .annihilation;
        let with_electron = electrons
            .search()
            .yields(electrons.mediator(mass))
            .annihilation;
        assert!(
            with_positron.converged && with_electron.converged,
            "{mass} MeV"
        );
        let expected = normalisation * first_generation_integral(&positrons, mass);
        let deviation = (with_positron.value - with_electron.value) / expected - 1.0;
        assert!(
            deviation.abs() < 1e-6,
            "m = {mass} MeV: e+ {:.6e} - e- {:.6e} against {expected:.6e} ({deviation:.1e})",
            with_positron.value,
            with_electron.value
        );
        eprintln!(
            "m = {mass} MeV: first generation {expected:.6e}, deviation {deviation:.1e}, e+/e- {:.2}",
            with_positron.value / with_electron.value
        );
        assert!(
            with_positron.value > 1.5 * with_electron.value,
            "{mass} MeV"
        );
    }
}

/// The scenario keys: a positron beam counts positrons on target, and the electron beam's key
/// is refused on it (and the other way round), with the key named.
#[test]
fn the_beam_names_its_particles() {
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "configs/na64_positron.toml"])
        .args(["--set", "source.electrons_on_target=1e10"])
        .output()
        .expect("darksens runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("source.electrons_on_target"), "{stderr}");
    let explained = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "explain",
            "configs/na64_positron.toml",
            "--mass-mev",
            "300",
            "--json",
        ])
        .output()
        .expect("darksens runs");
    assert!(explained.status.success());
    let json: serde_json::Value =
        serde_json::from_slice(&explained.stdout).expect("explain --json");
    assert_eq!(json["n_incident"].as_f64(), Some(1.01e10));
    assert!(json["n_ann_per_eps2"].as_f64().is_some_and(|n| n > 0.0));
}

/// On electrons at rest with radiation and no beam spread, the kernel that spreads the beam
/// positron's resonance is the bare radiator, whose spike no pointwise bound accepts; the beam
/// positron's yield is checked against the same with the kernel on twice the step instead
/// (docs/validation.md §17). At NA64's 316 MeV it converges, and its stated error covers the
/// difference from eight times the flux intervals. At 478.63 MeV, the top of the beam's reach,
/// the point misses (the annihilation's stated error, 1.6e-3, holds the check's difference)
/// and `explain` names the kernel's check among the causes, as it does at every unconverged
/// point of a positron beam; with lead's bound electrons (the shipped scenario) the point at
/// 316 MeV converges and nothing is said.
#[test]
fn explain_checks_the_spread_kernel_on_the_yield() {
    let explain = |mass: &str, set: &[&str], json: bool| {
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["explain", "configs/na64_positron.toml", "--mass-mev", mass])
            .args(set)
            .args(if json { &["--json"][..] } else { &[][..] })
            .output()
            .expect("darksens runs");
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let at_rest = "target.atomic_electrons=\"at-rest\"";
    let annihilation = |intervals: &str| {
        let flux = format!("numerics.flux_intervals={intervals}");
        let out = explain("316", &["--set", at_rest, "--set", &flux], true);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let v = if v.is_array() { v[0].clone() } else { v };
        let number = |key: &str| v[key].as_f64().expect(key);
        (
            number("n_ann_per_eps2"),
            number("n_ann_relative_error"),
            v["converged"].as_bool().expect("converged"),
        )
    };
    let (value, relative_error, converged) = annihilation("128");
    let (finer, _, _) = annihilation("1024");
    assert!(converged && relative_error < 1e-3, "{relative_error}");
    assert!(
        (value - finer).abs() <= relative_error * value,
        "{value} against {finer} with 8 times the intervals: stated error {relative_error:.1e}"
    );
    let top = explain("478.63", &["--set", at_rest], false);
    assert!(
        top.contains("NOT CONVERGED")
            && top.contains("the check of the kernel that spreads the positron beam's resonance"),
        "{top}"
    );
    let bound = explain("316", &[], false);
    assert!(
        !bound.contains("NOT CONVERGED") && !bound.contains("the kernel that spreads"),
        "{bound}"
    );
}

/// NA64's published positron-run limit at the bottom of its resonant dip, eps = 4.786e-4 at
/// m = 245.65 MeV (the public digitisation of the published curve, which is not shipped for
/// want of a licence: limits/na64_positron/README.md). The shipped scenario (40 X0 of lead,
/// efficiency 0.5, bound electrons and radiation) gives 0.91 of it: its yield is 1.21 times
/// the one the published limit implies, which a signal efficiency of about 0.41 instead of the
/// assumed 0.5 would account for (docs/validation.md §21). Asserted between 0.8 and 1.0.
#[test]
fn na64_positron_limit_at_the_dip_against_the_published_one() {
    let scenario = &curves("configs/na64_positron.toml", &[])[0].scenario;
    let c = Calculator::new(scenario);
    let p = c.point("α_D = 0.1", 245.65).expect("a point");
    assert!(p.converged, "{p:?}");
    let ratio = p.epsilon_limit / 4.786e-4;
    eprintln!(
        "eps {:.4e}, {ratio:.3} of the published limit",
        p.epsilon_limit
    );
    assert!((0.8..1.0).contains(&ratio), "ratio {ratio}");
}
