//! `darksens check`: validate scenarios without computing.

use super::ScenarioArgs;
use darksens::error::Error;
use darksens::scenario::ScenarioDocument;

/// Options of `darksens check`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens check configs/*.toml\n  darksens check configs/na64_dp.toml --set model.alpha_d=0.5 --print"
)]
pub struct Opts {
    /// Scenario files.
    #[arg(required = true)]
    scenarios: Vec<std::path::PathBuf>,
    /// Override a key before validation (repeatable; applies to every file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Print each curve's resolved scenario (TOML).
    #[arg(long)]
    print: bool,
}

/// Validates every file, reporting each problem; exit code 2 when any is invalid.
pub fn run(opts: &Opts) -> Result<(), Error> {
    let mut out = String::new();
    let mut invalid = 0;
    for path in &opts.scenarios {
        let args = ScenarioArgs {
            scenario: path.clone(),
            set: opts.set.clone(),
        };
        let document = args
            .overrides()
            .and_then(|o| ScenarioDocument::load(path, &o).map_err(Error::from));
        if let Ok(d) = &document
            && d.is_emulsion()
        {
            match d.emulsion() {
                Ok(e) => outln!(
                    out,
                    "ok: {} (emulsion scenario, {} detector(s): {})",
                    path.display(),
                    e.setup.detectors.len(),
                    e.setup
                        .detectors
                        .iter()
                        .map(|b| b.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Err(error) => {
                    eprintln!("error: {error}");
                    invalid += 1;
                }
            }
            continue;
        }
        let result = document.and_then(|d| d.curves().map(|c| (d, c)).map_err(Error::from));
        match result {
            Ok((_, curves)) => {
                let points = curves[0]
                    .scenario
                    .scan
                    .as_ref()
                    .map_or(0, |s| s.values.len());
                outln!(
                    out,
                    "ok: {} ({} curve(s), {} scan point(s))",
                    path.display(),
                    curves.len(),
                    points
                );
                if opts.print {
                    for curve in &curves {
                        outln!(out, "# curve \"{}\"", curve.label);
                        outln!(
                            out,
                            "{}",
                            toml::to_string_pretty(&curve.table).unwrap_or_default()
                        );
                    }
                }
            }
            Err(error) => {
                eprintln!("error: {error}");
                invalid += 1;
            }
        }
    }
    super::emit(&out);
    if invalid == 0 {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{invalid} of {} scenario(s) are invalid",
            opts.scenarios.len()
        )))
    }
}
