//! The driver of emulsion searches [EMU]: one model point (`darksens explain`), and the
//! two-parameter grid of Figs. 14-16 (`darksens scan`).
//!
//! The units of work of a grid are its Monte Carlos: one for the whole grid when the horizontal
//! key is a coupling (the masses, and so the acceptances, never change), else one per column.
//! A unit's words are the column's [`MassPoint`] (cross section, widths, boost and the boxes'
//! acceptances at unit couplings); every cell follows from it by exact coupling scaling.

mod grid;
mod report;

pub use grid::{GridColumn, GridResult, grid, grid_units, scan_grid, unit_mass_point};

use super::{Driver, Explanation, OutputPaths, Report, RunClock, RunSource, Words};
use crate::error::{Error, ScanError};
use crate::models::r_ratio::RRatio;
use crate::numerics::quadrature::Estimate;
use crate::output::sidecar::{VERSION, toml_to_json};
use crate::scenario::emulsion::{EmulsionScan, EmulsionScenario};
use crate::signal::emulsion::{EmulsionPoint, MassPoint, evaluate};
use crate::sources::phi1::{BoxAcceptance, Fraction, Production};
use std::path::Path;

/// Every number of the scenario's model point (runs the Monte Carlo).
///
/// # Errors
/// A result that is not finite (named with the model point).
pub fn evaluate_scenario(scenario: &EmulsionScenario) -> Result<EmulsionPoint, Error> {
    let acceptance = scenario.setup.acceptances(&scenario.model);
    evaluate(
        &scenario.setup,
        &scenario.model,
        &acceptance,
        &RRatio::pdg(),
    )
}

/// The pipeline of an emulsion scenario.
#[derive(Debug)]
pub struct Emulsion {
    scenario: EmulsionScenario,
    run: RunSource,
    r: RRatio,
}

impl Emulsion {
    /// The driver of `scenario`, read from the file `run` describes.
    #[must_use]
    pub fn new(scenario: EmulsionScenario, run: RunSource) -> Self {
        Self {
            scenario,
            run,
            r: RRatio::pdg(),
        }
    }

    /// The scenario.
    #[must_use]
    pub fn scenario(&self) -> &EmulsionScenario {
        &self.scenario
    }

    fn scan(&self) -> Result<&EmulsionScan, Error> {
        self.scenario.scan.as_ref().ok_or_else(|| {
            Error::Scan(ScanError::NoGrid {
                file: self.run.scenario_file.clone(),
            })
        })
    }

    /// The grid from the words of every unit.
    ///
    /// # Errors
    /// Words that do not decode, or a cell that is not finite.
    pub fn result(&self, words: &[Words]) -> Result<GridResult, Error> {
        let scan = self.scan()?;
        let units = words
            .iter()
            .map(|w| decode(w, &self.scenario))
            .collect::<Result<Vec<_>, Error>>()?;
        grid(&self.scenario, scan, &units)
    }
}

impl Driver for Emulsion {
    fn describe(&self) -> String {
        let names: Vec<&str> = self
            .scenario
            .setup
            .detectors
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        format!(
            "emulsion scenario, {} detector(s): {}",
            names.len(),
            names.join(", ")
        )
    }

    fn identity(&self) -> serde_json::Value {
        serde_json::json!({
            "darksens_version": VERSION,
            "scenario_file": self.run.scenario_file,
            "overrides": self.run.overrides,
            "inputs": self.run.inputs,
            "resolved_scenario": toml_to_json(&toml::Value::Table(self.run.resolved_table.clone())),
        })
    }

    fn outputs(&self, out: Option<&Path>) -> OutputPaths {
        let output = &self.scenario.output;
        let mut paths = OutputPaths::new(&output.csv, &output.png, output.svg.as_deref(), out);
        let stem = paths.stem();
        paths
            .extra_csv
            .push(paths.csv.with_file_name(format!("{stem}.boundary.csv")));
        paths
    }

    fn units(&self) -> Result<Vec<String>, Error> {
        let scan = self.scan()?;
        Ok(if scan.x.parameter.is_coupling() {
            vec!["grid/masses".to_string()]
        } else {
            (0..scan.x.values.len())
                .map(|k| format!("grid/column/{k}"))
                .collect()
        })
    }

    fn compute(&self, k: usize) -> Result<Words, Error> {
        let scan = self.scan()?;
        Ok(unit_mass_point(&self.scenario, scan, k, &self.r).map_or_else(Vec::new, |m| encode(&m)))
    }

    fn accepts(&self, words: &Words) -> bool {
        // Every word but the flags and counts (production, evaluations, convergence, detector
        // count) holds a float.
        let counts = [0, 8, 9, 12];
        decode(words, &self.scenario).is_ok()
            && words
                .iter()
                .enumerate()
                .all(|(k, &w)| counts.contains(&k) || !f64::from_bits(w).is_nan())
    }

    fn finish(
        &self,
        words: &[Words],
        paths: &OutputPaths,
        clock: RunClock,
    ) -> Result<Report, Error> {
        let result = self.result(words)?;
        let wall_time_s = clock.start.elapsed().as_secs_f64();
        report::finish(
            &self.scenario,
            self.scan()?,
            &self.run,
            &result,
            paths,
            wall_time_s,
        )
    }

    fn explain(&self, mass_mev: Option<f64>) -> Result<Explanation, Error> {
        if mass_mev.is_some() {
            return Err(ScanError::MassOfEmulsion {
                file: self.run.scenario_file.clone(),
            }
            .into());
        }
        let point = evaluate_scenario(&self.scenario)?;
        Ok(report::explain(&self.scenario, &point))
    }
}

/// Words of one detector in a unit: acceptance, its error, mean `beta gamma` of the accepted,
/// distance and depth.
const WORDS_PER_DETECTOR: usize = 5;
/// Words before the detectors.
const HEADER_WORDS: usize = 13;

/// The words of a unit: a column's [`MassPoint`] (the detector names come from the scenario).
fn encode(m: &MassPoint) -> Words {
    let mut words = vec![
        u64::from(m.production == Production::OffShell),
        m.sigma_unit_pb.to_bits(),
        m.width_dark_unit_gev.to_bits(),
        m.width_sm_unit_gev.to_bits(),
        m.width_leptons_unit_gev.to_bits(),
        m.m_aprime_gev.to_bits(),
        m.width_phi1_unit_gev.value.to_bits(),
        m.width_phi1_unit_gev.error.to_bits(),
        m.width_phi1_unit_gev.evaluations as u64,
        u64::from(m.width_phi1_unit_gev.converged),
        m.beta_gamma.to_bits(),
        m.luminosity_pb.to_bits(),
        m.detectors.len() as u64,
    ];
    for (_, a, distance, depth) in &m.detectors {
        words.extend([
            a.acceptance.value.to_bits(),
            a.acceptance.error.to_bits(),
            a.mean_beta_gamma_accepted.to_bits(),
            distance.to_bits(),
            depth.to_bits(),
        ]);
    }
    words
}

/// A unit's [`MassPoint`] from its words; `None` for a closed column (no words).
fn decode(words: &[u64], scenario: &EmulsionScenario) -> Result<Option<MassPoint>, Error> {
    if words.is_empty() {
        return Ok(None);
    }
    let names = &scenario.setup.detectors;
    if words.len() != HEADER_WORDS + WORDS_PER_DETECTOR * names.len()
        || words[12] != names.len() as u64
    {
        return Err(ScanError::ForeignUnits.into());
    }
    let f = |k: usize| f64::from_bits(words[k]);
    Ok(Some(MassPoint {
        production: if words[0] == 1 {
            Production::OffShell
        } else {
            Production::OnShell
        },
        sigma_unit_pb: f(1),
        width_dark_unit_gev: f(2),
        width_sm_unit_gev: f(3),
        width_leptons_unit_gev: f(4),
        m_aprime_gev: f(5),
        width_phi1_unit_gev: Estimate {
            value: f(6),
            error: f(7),
            evaluations: usize::try_from(words[8]).unwrap_or(usize::MAX),
            converged: words[9] == 1,
        },
        beta_gamma: f(10),
        luminosity_pb: f(11),
        detectors: names
            .iter()
            .enumerate()
            .map(|(d, b)| {
                let base = HEADER_WORDS + WORDS_PER_DETECTOR * d;
                (
                    b.name.clone(),
                    BoxAcceptance {
                        acceptance: Fraction {
                            value: f(base),
                            error: f(base + 1),
                        },
                        mean_beta_gamma_accepted: f(base + 2),
                    },
                    f(base + 3),
                    f(base + 4),
                )
            })
            .collect(),
    }))
}
