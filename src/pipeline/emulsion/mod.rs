//! The driver of emulsion searches \[EMU\]: one model point (`darksens explain`), and the
//! two-parameter grid of Figs. 14-16 (`darksens scan`).
//!
//! The units of work of a grid are its Monte Carlos: one for the whole grid when the horizontal
//! key is a coupling (the masses, and so the acceptances, never change), else one per column.
//! A unit's words are the column's [`MassPoint`] (cross section, widths, boost and the boxes'
//! acceptances at unit couplings); every cell follows from it by exact coupling scaling.

mod grid;
mod report;

pub use grid::{
    GridColumn, GridResult, Tip, grid, grid_units, scan_grid, shared_events, unit_mass_point,
};

use super::{Driver, Explanation, OutputPaths, Report, RunClock, RunSource, Words};
use crate::detectors::emulsion::{DecayProfile, ProfileBin};
use crate::error::{Error, ScanError};
use crate::models::r_ratio::RRatio;
use crate::numerics::quadrature::Estimate;
use crate::output::sidecar::{VERSION, toml_to_json};
use crate::scenario::emulsion::{EmulsionScan, EmulsionScenario};
use crate::signal::emulsion::{BoxAtMasses, EmulsionPoint, MassPoint, evaluate};
use crate::sources::phi1::{BoxAcceptance, EventSample, Fraction, Production};
use std::path::Path;
use std::sync::OnceLock;

/// Every number of the scenario's model point (runs the Monte Carlo).
///
/// # Errors
/// A result that is not finite (named with the model point).
pub fn evaluate_scenario(scenario: &EmulsionScenario) -> Result<EmulsionPoint, Error> {
    evaluate_scenario_from(scenario, None)
}

/// [`evaluate_scenario`], with the events' angles taken from `stored` when it was drawn for
/// this scenario's Monte Carlo ([`crate::signal::emulsion::EmulsionSetup::event_key`]): the
/// same numbers, without drawing them again.
///
/// # Errors
/// As [`evaluate_scenario`].
pub fn evaluate_scenario_from(
    scenario: &EmulsionScenario,
    stored: Option<&EventSample>,
) -> Result<EmulsionPoint, Error> {
    evaluate(
        &scenario.setup,
        &scenario.model,
        scenario.setup.samples_from(&scenario.model, stored),
        &RRatio::pdg(),
    )
}

/// The pipeline of an emulsion scenario.
#[derive(Debug)]
pub struct Emulsion {
    scenario: EmulsionScenario,
    run: RunSource,
    r: RRatio,
    /// The events the grid's columns share ([`shared_events`]), drawn by [`Driver::prepare`].
    events: OnceLock<Option<EventSample>>,
}

impl Emulsion {
    /// The driver of `scenario`, read from the file `run` describes.
    #[must_use]
    pub fn new(scenario: EmulsionScenario, run: RunSource) -> Self {
        Self {
            scenario,
            run,
            r: RRatio::pdg(),
            events: OnceLock::new(),
        }
    }

    /// The scenario.
    #[must_use]
    pub fn scenario(&self) -> &EmulsionScenario {
        &self.scenario
    }

    /// What the grid `result` ran, as `darksens scan` records it in `<name>.meta.json`
    /// without the output files ([`crate::output::sidecar::Sidecar`]); the Python package
    /// returns it as `Grid.meta`.
    ///
    /// # Errors
    /// A scenario without a grid.
    pub fn record(
        &self,
        result: &GridResult,
        wall_time_s: f64,
    ) -> Result<crate::output::sidecar::Sidecar, Error> {
        Ok(report::grid_record(
            &self.scenario,
            self.scan()?,
            &self.run,
            result,
            wall_time_s,
        ))
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
        // The search for the region's tips on a mass or placement axis runs Monte Carlos at
        // new values, with the columns' shared events (drawn here if no column was computed).
        let stored = if scan.x.parameter.is_coupling() {
            None
        } else {
            self.events
                .get_or_init(|| shared_events(&self.scenario, scan))
                .as_ref()
        };
        grid(&self.scenario, scan, &units, &self.r, stored)
    }
}

impl Driver for Emulsion {
    /// A grid with no column that allows a signal is refused before any Monte Carlo (a mass
    /// scan's masses all beyond the reach are, too).
    fn check(&self) -> Result<(), Error> {
        let Some(scan) = self.scenario.scan.as_ref() else {
            return Ok(());
        };
        if grid::any_column_open(&self.scenario, scan) {
            return Ok(());
        }
        let values = &scan.x.values;
        let condition = match self.scenario.setup.production {
            Production::OnShell => format!(
                "m1 - m2 > 2 m_e and m1 + m2 < m_A' < sqrt(s) = {} GeV",
                crate::units::format_number(self.scenario.setup.sqrt_s_gev)
            ),
            Production::OffShell => format!(
                "m1 - m2 > 2 m_e and m1 + m2 < sqrt(s) = {} GeV",
                crate::units::format_number(self.scenario.setup.sqrt_s_gev)
            ),
        };
        Err(Error::Scan(ScanError::GridClosed {
            file: self.run.scenario_file.clone(),
            parameter: scan.x.parameter.key().to_string(),
            from: crate::units::format_number(values.first().copied().unwrap_or(f64::NAN)),
            to: crate::units::format_number(values.last().copied().unwrap_or(f64::NAN)),
            condition,
        }))
    }

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
            "resolved_scenario": toml_to_json(&toml::Value::Table(crate::scenario::recorded_emulsion_table(&self.run.resolved_table, &self.scenario))),
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
        self.check()?;
        Ok(if scan.x.parameter.is_coupling() {
            vec!["grid/masses".to_string()]
        } else {
            (0..scan.x.values.len())
                .map(|k| format!("grid/column/{k}"))
                .collect()
        })
    }

    fn prepare(&self, needed: &[usize]) -> Result<(), Error> {
        let scan = self.scan()?;
        if needed.len() > 1 {
            self.events
                .get_or_init(|| shared_events(&self.scenario, scan));
        }
        Ok(())
    }

    fn compute(&self, k: usize) -> Result<Words, Error> {
        let scan = self.scan()?;
        // Without prepared events each column draws its own: the same numbers.
        let stored = self.events.get().and_then(Option::as_ref);
        Ok(unit_mass_point(&self.scenario, scan, k, &self.r, stored)
            .map_or_else(Vec::new, |m| encode(&m)))
    }

    fn accepts(&self, words: &Words) -> bool {
        // Decoding refuses a wrong layout and a NaN in any float.
        decode(words, &self.scenario).is_ok()
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

    fn explain(&self, mass_mev: Option<f64>, curve: Option<&str>) -> Result<Explanation, Error> {
        if curve.is_some() {
            return Err(Error::Usage(format!(
                "{}: an emulsion scenario has no curves to choose from; leave out --curve",
                self.run.scenario_file
            )));
        }
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

/// Words before the detectors.
const HEADER_WORDS: usize = 13;

/// The words of a unit: a column's [`MassPoint`] (the detector names come from the scenario):
/// a header, then per detector its acceptance, error, mean `beta gamma` of the accepted,
/// distance, depth, efficiency and, when decays are counted event by event, its
/// [`DecayProfile`] (bin counts, moments, largest exit, then three words per bin).
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
    for b in &m.detectors {
        let a = &b.acceptance;
        words.extend(
            [
                a.acceptance.value,
                a.acceptance.error,
                a.mean_beta_gamma_accepted,
                b.distance_m,
                b.depth_m,
                b.efficiency,
            ]
            .map(f64::to_bits),
        );
        match &b.decay_profile {
            None => words.push(0),
            Some(p) => {
                words.extend([1, p.entries.len() as u64, p.exits.len() as u64]);
                words.extend(p.moments.map(f64::to_bits));
                words.push(p.largest_exit_m.to_bits());
                for bin in p.entries.iter().chain(&p.exits) {
                    words.extend([bin.weight, bin.mean_m, bin.variance_m2].map(f64::to_bits));
                }
            }
        }
    }
    words
}

/// Reads words in order: counts as they are, floats refused when NaN.
struct WordReader<'a> {
    words: &'a [u64],
    next: usize,
}

impl WordReader<'_> {
    fn word(&mut self) -> Result<u64, Error> {
        let w = *self.words.get(self.next).ok_or(ScanError::ForeignUnits)?;
        self.next += 1;
        Ok(w)
    }

    fn count(&mut self) -> Result<usize, Error> {
        usize::try_from(self.word()?).map_err(|_| ScanError::ForeignUnits.into())
    }

    fn float(&mut self) -> Result<f64, Error> {
        let x = f64::from_bits(self.word()?);
        if x.is_nan() {
            Err(ScanError::ForeignUnits.into())
        } else {
            Ok(x)
        }
    }

    fn bins(&mut self, n: usize) -> Result<Vec<ProfileBin>, Error> {
        (0..n)
            .map(|_| {
                Ok(ProfileBin {
                    weight: self.float()?,
                    mean_m: self.float()?,
                    variance_m2: self.float()?,
                })
            })
            .collect()
    }

    fn profile(&mut self) -> Result<Option<DecayProfile>, Error> {
        if self.count()? == 0 {
            return Ok(None);
        }
        let (entries, exits) = (self.count()?, self.count()?);
        if entries + exits > self.words.len() {
            return Err(ScanError::ForeignUnits.into());
        }
        let moments = [self.float()?, self.float()?, self.float()?, self.float()?];
        let largest_exit_m = self.float()?;
        Ok(Some(DecayProfile {
            entries: self.bins(entries)?,
            exits: self.bins(exits)?,
            moments,
            largest_exit_m,
        }))
    }
}

/// A unit's [`MassPoint`] from its words; `None` for a closed column (no words).
fn decode(words: &[u64], scenario: &EmulsionScenario) -> Result<Option<MassPoint>, Error> {
    if words.is_empty() {
        return Ok(None);
    }
    let names = &scenario.setup.detectors;
    let mut r = WordReader { words, next: 0 };
    let production = if r.count()? == 1 {
        Production::OffShell
    } else {
        Production::OnShell
    };
    let (sigma_unit_pb, width_dark_unit_gev, width_sm_unit_gev) =
        (r.float()?, r.float()?, r.float()?);
    let (width_leptons_unit_gev, m_aprime_gev) = (r.float()?, r.float()?);
    let width_phi1_unit_gev = Estimate {
        value: r.float()?,
        error: r.float()?,
        evaluations: r.count()?,
        converged: r.count()? == 1,
    };
    let (beta_gamma, luminosity_pb) = (r.float()?, r.float()?);
    if r.count()? != names.len() || r.next != HEADER_WORDS {
        return Err(ScanError::ForeignUnits.into());
    }
    let mut detectors = Vec::with_capacity(names.len());
    for b in names {
        let acceptance = BoxAcceptance {
            acceptance: Fraction {
                value: r.float()?,
                error: r.float()?,
            },
            mean_beta_gamma_accepted: r.float()?,
        };
        detectors.push(BoxAtMasses {
            name: b.name.clone(),
            acceptance,
            distance_m: r.float()?,
            depth_m: r.float()?,
            efficiency: r.float()?,
            decay_profile: r.profile()?,
        });
    }
    if r.next != words.len() {
        return Err(ScanError::ForeignUnits.into());
    }
    Ok(Some(MassPoint {
        production,
        sigma_unit_pb,
        width_dark_unit_gev,
        width_sm_unit_gev,
        width_leptons_unit_gev,
        m_aprime_gev,
        width_phi1_unit_gev,
        beta_gamma,
        detectors,
        luminosity_pb,
    }))
}
