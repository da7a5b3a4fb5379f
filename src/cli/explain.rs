//! `darksens explain`: every intermediate quantity at one point (a thick-target scenario's
//! curve, the first unless `--curve` names another, at one mass, or an emulsion scenario's
//! model point).

use super::helpers::{ScenarioArgs, ThreadsArg, emit};
use darksens::error::Error;
use darksens::pipeline::driver;
use darksens::scenario::ScenarioDocument;

/// Options of `darksens explain`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens explain configs/belle2_dp.toml --mass-mev 66.72\n  darksens explain configs/na64_dp.toml --mass-mev 250 --json\n  darksens explain configs/belle2_dp.toml --mass-mev 70 --curve 3   # or a label\n  darksens explain configs/belle2_emulsion.toml --json   # emulsion: no mass"
)]
pub struct Opts {
    #[command(flatten)]
    scenario: ScenarioArgs,
    #[command(flatten)]
    threads: ThreadsArg,
    /// Mediator mass in MeV (thick-target scenarios; an emulsion scenario has its masses in
    /// [model]).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    mass_mev: Option<f64>,
    /// The curve to explain, by label or position from 1 (default: the first)
    #[arg(long, value_name = "LABEL|N")]
    curve: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the explanation.
pub fn run(opts: &Opts) -> Result<(), Error> {
    opts.threads.start()?;
    let document = ScenarioDocument::load(&opts.scenario.scenario, &opts.scenario.overrides()?)?;
    for warning in document.warnings() {
        eprintln!("{warning}");
    }
    let explanation = driver(&document)?.explain(opts.mass_mev, opts.curve.as_deref())?;
    for warning in &explanation.warnings {
        eprintln!("{warning}");
    }
    emit(if opts.json {
        &explanation.json
    } else {
        &explanation.text
    })
}
