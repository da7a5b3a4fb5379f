//! `darksens check`: validate scenarios without computing.

use super::helpers::{emit, parse_overrides};
use darksens::error::Error;
use darksens::pipeline::driver;
use darksens::scenario::{ScenarioDocument, Search};

/// Options of `darksens check`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens check configs/*.toml\n  darksens check configs/belle2_dp.toml --set model.alpha_d=0.1 --print\n  darksens check configs/belle2_dp.toml --outputs   # where scan writes"
)]
pub struct Opts {
    /// Scenario files.
    #[arg(required = true)]
    scenarios: Vec<std::path::PathBuf>,
    /// Override a key before validation (repeatable; applies to every file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Print the resolved scenario (TOML): each curve's for a thick target, the whole one for
    /// an emulsion search.
    #[arg(long)]
    print: bool,
    /// Print only the files `darksens scan` would write (without --out), one per line, CSV
    /// first; a shard file is named after the CSV (`<stem>.shard-K-of-N.jsonl`).
    #[arg(long, conflicts_with = "print")]
    outputs: bool,
    /// Print nothing but warnings and errors
    #[arg(short, long)]
    quiet: bool,
}

/// One file: its line for the report, or the error.
fn check_one(path: &std::path::Path, set: &[String], opts: &Opts) -> Result<String, Error> {
    let document = ScenarioDocument::load(path, &parse_overrides(set)?)?;
    document.refuse_setting_the_grid_keys()?;
    for warning in document.warnings() {
        eprintln!("{warning}");
    }
    let driver = driver(&document)?;
    driver.check()?;
    for warning in driver.setup_warnings() {
        eprintln!("{warning}");
    }
    if opts.outputs {
        let mut paths = String::new();
        for path in driver.outputs(None).all() {
            outln!(paths, "{}", path.display());
        }
        return Ok(paths);
    }
    let mut out = format!("ok: {} ({})\n", path.display(), driver.describe());
    // Materials the scenario defines: what validation made of them (the radiation length may
    // come from Tsai's formula).
    if let Search::ThickTarget(curves) = document.search()? {
        let mut seen: Vec<String> = Vec::new();
        for curve in &curves {
            let target = &curve.scenario.target;
            let materials = target
                .front_layers
                .iter()
                .map(|layer| &layer.material)
                .chain(std::iter::once(&target.material));
            for m in materials {
                if darksens::materials::Material::by_name(&m.name).is_none()
                    && !seen.contains(&m.name.to_string())
                {
                    seen.push(m.name.to_string());
                    outln!(
                        out,
                        "  material {}: {} g/cm^3, X0 = {:.4} cm, {:.4e} electrons/cm^3",
                        m.name,
                        m.density_g_cm3,
                        m.radiation_length_cm,
                        m.electrons_per_cm3()
                    );
                }
            }
        }
    }
    if opts.print {
        match document.search()? {
            Search::ThickTarget(curves) => {
                for curve in &curves {
                    outln!(
                        out,
                        "# curve \"{}\" (with the --set overrides and every default the run uses)\n{}",
                        curve.label,
                        toml::to_string_pretty(&curve.recorded_table()).unwrap_or_default()
                    );
                }
            }
            Search::Emulsion(scenario) => {
                let recorded = darksens::scenario::recorded_emulsion_table(
                    document.resolved_table(),
                    &scenario,
                );
                outln!(
                    out,
                    "# emulsion scenario (with the --set overrides and every default the run uses)\n{}",
                    toml::to_string_pretty(&recorded).unwrap_or_default()
                );
            }
        }
    }
    Ok(out)
}

/// Validates every file, reporting each problem; exit code 2 when any is invalid.
pub fn run(opts: &Opts) -> Result<(), Error> {
    let mut out = String::new();
    let mut invalid = 0;
    for path in &opts.scenarios {
        match check_one(path, &opts.set, opts) {
            Ok(text) => out.push_str(&text),
            Err(error) => {
                eprintln!("error: {error}");
                invalid += 1;
            }
        }
    }
    // --print and --outputs ask for their text even when quiet.
    if !opts.quiet || opts.print || opts.outputs {
        emit(&out)?;
    }
    if invalid == 0 {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{invalid} of {} scenario(s) are invalid",
            opts.scenarios.len()
        )))
    }
}
