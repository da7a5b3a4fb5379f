//! `darksens explain`: every intermediate quantity at one mass, for the first curve.

use super::ScenarioArgs;
use darksens::error::Error;
use darksens::output::format_number;
use darksens::pipeline::thick_target::Calculator;
use darksens::scenario::ScenarioDocument;
use darksens::sources::{PositronSpectrum, Source};
use darksens::units::PICOBARN_CM2;

/// Options of `darksens explain`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens explain configs/belle2_dp.toml --mass-mev 66.72\n  darksens explain configs/na64_dp.toml --mass-mev 250 --json\n  darksens explain configs/belle2_emulsion.toml --json   # an emulsion scenario: no --mass-mev"
)]
pub struct Opts {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Mediator mass in MeV (thick-target scenarios; an emulsion scenario has its masses in
    /// [model]).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    mass_mev: Option<f64>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the explanation.
pub fn run(opts: &Opts) -> Result<(), Error> {
    let document = ScenarioDocument::load(&opts.scenario.scenario, &opts.scenario.overrides()?)?;
    if document.is_emulsion() {
        if opts.mass_mev.is_some() {
            return Err(Error::Usage(format!(
                "{} is an emulsion scenario: its masses are model.m_aprime_gev, model.m1_gev and model.m2_gev; drop --mass-mev (or use --set model.m_aprime_gev=...)",
                opts.scenario.scenario.display()
            )));
        }
        return super::explain_emulsion::run(&document.emulsion()?, opts.json);
    }
    let Some(mass_mev) = opts.mass_mev else {
        return Err(Error::Usage(format!(
            "--mass-mev is required for {} (the mediator mass of the point to explain), e.g. --mass-mev 66.72",
            opts.scenario.scenario.display()
        )));
    };
    if !(mass_mev.is_finite() && mass_mev > 0.0) {
        return Err(Error::Usage(format!(
            "--mass-mev must be a positive number of MeV, got {mass_mev}"
        )));
    }
    let curves = document.curves()?;
    let curve = &curves[0];
    let calculator = Calculator::new(&curve.scenario);
    let point = calculator.point(&curve.label, mass_mev)?;
    let search = calculator.search();
    let source = &search.setup().source;
    let background = calculator.background();
    let mut values: Vec<(&str, f64, &str)> = match source {
        Source::Collider { spectrum, .. } => {
            let mut values = vec![(
                "sigma_source_pb",
                spectrum.sigma_cm2() / PICOBARN_CM2,
                "cross section of the selected particles after cuts",
            )];
            if let PositronSpectrum::Bhabha(_) = spectrum {
                values.push((
                    "sigma_bhabha_pb",
                    spectrum.sigma_cm2() / PICOBARN_CM2,
                    "Bhabha cross section in the window [DPT Eq. 2.2]",
                ));
            }
            values.extend([
                (
                    "n_positrons",
                    search.n_incident(),
                    "particles entering the target, L sigma",
                ),
                (
                    "e_min_gev",
                    spectrum.e_min_gev(),
                    "lowest energy in the window",
                ),
                (
                    "e_max_gev",
                    spectrum.e_max_gev(),
                    "highest energy in the window",
                ),
            ]);
            values
        }
        Source::Beam(beam) => vec![
            ("beam_energy_gev", beam.energy_gev, "beam energy"),
            (
                "n_incident",
                beam.particles_on_target,
                "particles on target",
            ),
            ("efficiency", beam.efficiency, "signal efficiency"),
        ],
    };
    values.extend([
        (
            "p_photon_punch",
            background.photon.map_or(0.0, |p| p.punch_through.value),
            "photon punch-through probability [DPT Eq. 3.2]",
        ),
        (
            "n_bkg_photon",
            background.photon.map_or(0.0, |p| p.events),
            "photon background events",
        ),
        (
            "n_bkg_neutron",
            background.neutron.map_or(0.0, |n| n.events),
            "neutron background events",
        ),
        (
            "n_background",
            point.n_background,
            "background used for the limit",
        ),
        (
            "n_ann_per_eps2",
            point.yields.annihilation.value,
            "annihilation events per eps^2 [DPT Eq. 4.4]",
        ),
        (
            "n_brem_per_eps2",
            point.yields.bremsstrahlung.value,
            "bremsstrahlung events per eps^2 [DPT Eq. 4.5]",
        ),
        (
            "n_required",
            point.n_required,
            "signal events the criterion needs",
        ),
        (
            "epsilon_limit",
            point.epsilon_limit,
            "expected limit on eps",
        ),
        ("y", point.y(), "y = eps^2 alpha_D (m_chi/m)^4 at the limit"),
    ]);
    if let Some(bands) = point.n_required_bands {
        let names = [
            "n_required_minus2sigma",
            "n_required_minus1sigma",
            "n_required_plus1sigma",
            "n_required_plus2sigma",
        ];
        for (name, n) in names.into_iter().zip(bands) {
            values.push((
                name,
                n,
                "signal events at a background quantile (expected band)",
            ));
        }
    }
    let mut out = String::new();
    if opts.json {
        let mut map = serde_json::Map::new();
        map.insert(
            "curve".into(),
            serde_json::Value::String(curve.label.clone()),
        );
        map.insert("mass_mev".into(), serde_json::json!(mass_mev));
        for (key, value, _) in &values {
            map.insert((*key).to_string(), serde_json::json!(value));
        }
        if let Some(bands) = point.n_required_bands {
            map.insert("n_required_bands".into(), serde_json::json!(bands));
        }
        map.insert(
            "n_ann_relative_error".into(),
            serde_json::json!(point.yields.annihilation.relative_error()),
        );
        map.insert(
            "n_brem_relative_error".into(),
            serde_json::json!(point.yields.bremsstrahlung.relative_error()),
        );
        outln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_default()
        );
    } else {
        outln!(
            out,
            "{} -- curve \"{}\", m = {} MeV",
            calculator.scenario().title,
            curve.label,
            mass_mev
        );
        for (key, value, meaning) in &values {
            outln!(out, "  {key:<18} {:<24} {meaning}", format_number(*value));
        }
        outln!(
            out,
            "  integration errors: annihilation {:.1e}, bremsstrahlung {:.1e} (relative)",
            point.yields.annihilation.relative_error(),
            point.yields.bremsstrahlung.relative_error()
        );
    }
    super::emit(&out);
    Ok(())
}
