//! From a resolved scenario to results: one driver per kind of search behind the [`Driver`]
//! trait, and what every scan shares (units of work, shards, checkpoints, progress,
//! interruption).
//!
//! - [`thick_target`]: mass scans (and scans of any other numeric key) of thick-target
//!   searches: tables built once per physics, yields per point, limits, the best point and the
//!   annihilation-dominated range.
//! - [`emulsion`]: one model point of an emulsion search, and its two-parameter grid.
//!
//! A scan is a list of *units of work* in scan order, each named by a key and computed
//! independently into *words* (its numbers as exact 64-bit patterns). [`compute_all`] computes
//! them in parallel (skipping those a checkpoint already holds), [`compute_shard`] a
//! deterministic share of them, and the driver's [`Driver::finish`] turns the words of every unit
//! into the files a scan writes. So checkpoints, shards, merging and resuming work the same way
//! for every kind, and a merged or resumed run writes the bytes an uninterrupted one does.

pub mod emulsion;
pub mod thick_target;

use crate::error::{Error, ScanError};
use crate::output::checkpoint::UnitStore;
use crate::scenario::{ScenarioDocument, Search};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// The numbers of one unit of work as exact 64-bit words (the bits of each float, counts).
pub type Words = Vec<u64>;

/// The files a scan writes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputPaths {
    /// The main CSV.
    pub csv: PathBuf,
    /// Further CSVs (the boundary of an emulsion grid).
    pub extra_csv: Vec<PathBuf>,
    /// The plot.
    pub png: PathBuf,
    /// The vector copy of the plot, when asked for.
    pub svg: Option<PathBuf>,
    /// The JSON sidecar.
    pub meta: PathBuf,
}

impl OutputPaths {
    /// Paths for a scan whose `[output]` gives `csv`, `png` and `svg`, moved into `out` when
    /// given; the sidecar is `<csv stem>.meta.json`.
    #[must_use]
    pub fn new(csv: &Path, png: &Path, svg: Option<&Path>, out: Option<&Path>) -> Self {
        let csv = redirect(csv, out);
        Self {
            meta: csv.with_extension("meta.json"),
            png: redirect(png, out),
            svg: svg.map(|p| redirect(p, out)),
            extra_csv: Vec::new(),
            csv,
        }
    }

    /// Every path, CSVs first.
    pub fn all(&self) -> impl Iterator<Item = &PathBuf> {
        std::iter::once(&self.csv)
            .chain(&self.extra_csv)
            .chain([&self.png, &self.meta])
            .chain(self.svg.as_ref())
    }

    /// The directory of the CSV.
    #[must_use]
    pub fn directory(&self) -> PathBuf {
        self.csv
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// The CSV's file stem.
    #[must_use]
    pub fn stem(&self) -> String {
        self.csv
            .file_stem()
            .map_or_else(|| "scan".to_string(), |s| s.to_string_lossy().into_owned())
    }

    /// Where an unsharded scan keeps its finished units.
    #[must_use]
    pub fn checkpoint(&self) -> PathBuf {
        self.directory()
            .join(".darksens")
            .join(format!("{}.checkpoint.jsonl", self.stem()))
    }

    /// The result file of one shard.
    #[must_use]
    pub fn shard_file(&self, shard: Shard) -> PathBuf {
        self.directory().join(format!(
            "{}.shard-{}-of-{}.jsonl",
            self.stem(),
            shard.index + 1,
            shard.count
        ))
    }
}

/// `path` moved into the directory `out`, when given.
#[must_use]
pub fn redirect(path: &Path, out: Option<&Path>) -> PathBuf {
    match (out, path.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// What a finished scan writes and prints.
#[derive(Debug)]
pub struct Report {
    /// Every file, its bytes or already staged beside its path, written all or none.
    pub files: Vec<crate::output::OutputFile>,
    /// The summary for stdout.
    pub summary: String,
    /// Warnings for stderr, printed even when quiet (points that missed a tolerance).
    pub warnings: Vec<String>,
}

/// Facts of the run that a report records.
#[derive(Debug, Clone, Copy)]
pub struct RunClock {
    /// When the computation started (the sidecar's wall time and the summary's).
    pub start: Instant,
    /// Print the time of each stage to stderr.
    pub verbose: bool,
}

/// Every intermediate number at one point, as text and as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Aligned text with a meaning for each number.
    pub text: String,
    /// The same numbers as pretty JSON.
    pub json: String,
    /// What the point calls for a word about (lines starting `warning: `), as a scan of it
    /// would say.
    pub warnings: Vec<String>,
}

/// What the generic scan, shard, merge, explain and check need of a kind of search.
pub trait Driver: Sync {
    /// One line on what a scan of the scenario computes (`darksens check`).
    fn describe(&self) -> String;
    /// What can be said of the scan before anything is computed, beyond validation (such as
    /// a scan with no point within reach of its source); `darksens check` runs it, as `scan`
    /// does first. Nothing by default.
    ///
    /// # Errors
    /// As [`Driver::units`].
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
    /// The warnings a scan would give that are known before anything is computed (each a
    /// line starting `warning: `); `darksens check` prints them. None by default.
    fn setup_warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// What identifies the run: two runs with the same identity compute the same numbers
    /// (checkpoint and shard headers; `darksens merge` compares it). It holds the content
    /// digests of the input files, so an edited input never reuses stored numbers.
    fn identity(&self) -> serde_json::Value;
    /// The files a scan writes, moved into `out` when given.
    fn outputs(&self, out: Option<&Path>) -> OutputPaths;
    /// The keys of the units of work, in scan order.
    ///
    /// # Errors
    /// A scenario that cannot be scanned (no `[scan]`, inconsistent curves, a point that does
    /// not validate).
    fn units(&self) -> Result<Vec<String>, Error>;
    /// The units `needed` (indices into [`Driver::units`]) in batches that share what
    /// [`Driver::prepare`] builds, such as one set of tables: each batch is prepared and then
    /// computed while the others are (so the masses of a curve with cheap tables do not wait
    /// for another curve's expensive ones). One batch by default.
    ///
    /// # Errors
    /// As [`Driver::compute`].
    fn batches(&self, needed: &[usize]) -> Result<Vec<Vec<usize>>, Error> {
        Ok(vec![needed.to_vec()])
    }
    /// Builds, in parallel, what the units `needed` (indices into [`Driver::units`]) share,
    /// such as tables, before they are computed; nothing by default.
    ///
    /// # Errors
    /// As [`Driver::compute`].
    fn prepare(&self, needed: &[usize]) -> Result<(), Error> {
        let _ = needed;
        Ok(())
    }
    /// Computes unit `k` of [`Driver::units`].
    ///
    /// # Errors
    /// A number that is not finite, naming the point.
    fn compute(&self, k: usize) -> Result<Words, Error>;
    /// Whether words read back from a checkpoint or a shard file could have come from
    /// [`Driver::compute`]: the right shape, and numbers that are not NaN. Rejected words are
    /// computed again (and counted in [`Monitor::rejected`]).
    fn accepts(&self, words: &Words) -> bool;
    /// The files and summary of the finished scan, from the words of every unit (in the order
    /// of [`Driver::units`]).
    ///
    /// # Errors
    /// A numerical failure while refining or rendering.
    fn finish(
        &self,
        words: &[Words],
        paths: &OutputPaths,
        clock: RunClock,
    ) -> Result<Report, Error>;
    /// Every intermediate number at one point: the mediator mass for a thick-target search (of
    /// the curve `curve` names by label or position from 1, else the first), the scenario's
    /// model point for an emulsion search (`mass_mev` and `curve` must then be absent).
    ///
    /// # Errors
    /// A missing or unneeded mass, a curve the scenario does not have, or a numerical failure.
    fn explain(&self, mass_mev: Option<f64>, curve: Option<&str>) -> Result<Explanation, Error>;
}

/// The driver of the search a document describes.
///
/// # Errors
/// As [`ScenarioDocument::search`].
pub fn driver(document: &ScenarioDocument) -> Result<Box<dyn Driver + '_>, Error> {
    let search = document.search()?;
    // After resolution: the run records the digests of the files it read.
    let run = RunSource::of(document);
    Ok(match search {
        Search::ThickTarget(curves) => Box::new(thick_target::ThickTarget::new(curves, run)),
        Search::Emulsion(scenario) => Box::new(emulsion::Emulsion::new(*scenario, run)),
    })
}

/// Where a run's scenario came from, as recorded in sidecars and run identities.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSource {
    /// The scenario file as given.
    pub scenario_file: String,
    /// The command-line overrides as given.
    pub overrides: Vec<String>,
    /// The scenario table with the overrides applied.
    pub resolved_table: toml::Table,
    /// The SHA-256 of every input file the scenario read, by the name it gives it.
    pub inputs: std::collections::BTreeMap<String, String>,
}

impl RunSource {
    /// The summary's line naming the command-line overrides (`None` without any), so that a
    /// run with them is not taken for the file's own result.
    #[must_use]
    pub fn overrides_line(&self) -> Option<String> {
        (!self.overrides.is_empty()).then(|| {
            let sets: Vec<String> = self
                .overrides
                .iter()
                .map(|o| format!("--set {o}"))
                .collect();
            format!("with {} (not the file's own values)", sets.join(" "))
        })
    }

    /// A sidecar with what every run records: the scenario file, the overrides, the inputs'
    /// SHA-256 and `wall_time_s` (a kind adds its own fields).
    #[must_use]
    pub fn sidecar(&self, wall_time_s: f64) -> crate::output::sidecar::Sidecar {
        let mut sidecar = crate::output::sidecar::Sidecar::new(
            self.scenario_file.clone(),
            self.overrides.clone(),
            wall_time_s,
        );
        sidecar.inputs.clone_from(&self.inputs);
        sidecar
    }

    /// The source of `document`.
    #[must_use]
    pub fn of(document: &ScenarioDocument) -> Self {
        Self {
            scenario_file: document.path().display().to_string(),
            overrides: document
                .overrides()
                .iter()
                .map(|o| o.text.clone())
                .collect(),
            resolved_table: document.resolved_table().clone(),
            inputs: document.resolver().digests(),
        }
    }
}

/// A deterministic share of a scan: shard `index` (0-based) of `count`. Units of work are dealt
/// round-robin in scan order, so every shard gets the same mix of cheap and expensive points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Whether the unit at `position` (in scan order) belongs to this shard.
    #[must_use]
    pub fn owns(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

/// What the caller of a long scan sees and controls: progress reports, a stop flag, a store of
/// units computed before, and whether anything may be computed at all.
#[derive(Default, Clone, Copy)]
pub struct Monitor<'a> {
    /// Called with `n` as `n` more units are done (from any thread).
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// A signal number, 0 while running: when a handler stores a signal there (SIGINT,
    /// SIGTERM), the scan stops before its next unit with [`Error::Interrupted`].
    pub stop: Option<&'a AtomicUsize>,
    /// Units computed before are taken from here, and new ones recorded here.
    pub store: Option<&'a dyn UnitStore>,
    /// Take every unit from the store and compute none (merging shards): a missing unit is an
    /// error.
    pub stored_only: bool,
    /// Counts stored units whose words the driver rejected (and which were computed again).
    pub rejected: Option<&'a AtomicUsize>,
}

impl Monitor<'_> {
    fn done(&self, n: u64) {
        if let Some(progress) = self.progress {
            progress(n);
        }
    }

    /// `Err(Error::Interrupted)` once a signal arrived.
    ///
    /// # Errors
    /// [`Error::Interrupted`] naming the signal.
    pub fn check(&self) -> Result<(), Error> {
        interrupted(self.stop)
    }

    /// The words of unit `key`: from the store, or computed (and recorded).
    fn unit(
        &self,
        key: &str,
        driver: &dyn Driver,
        compute: impl FnOnce() -> Result<Words, Error>,
    ) -> Result<Words, Error> {
        self.check()?;
        if let Some(stored) = self.store.and_then(|s| s.get(key)) {
            if driver.accepts(&stored) {
                self.done(1);
                return Ok(stored);
            }
            if let Some(rejected) = self.rejected {
                rejected.fetch_add(1, Ordering::Relaxed);
            }
            if self.stored_only {
                return Err(ScanError::DamagedUnit(key.to_string()).into());
            }
        } else if self.stored_only {
            return Err(ScanError::MissingUnit(key.to_string()).into());
        }
        let words = compute()?;
        if let Some(store) = self.store {
            store.put(key, &words)?;
        }
        self.done(1);
        Ok(words)
    }
}

/// `Err(Error::Interrupted)` once `stop` holds a signal number.
///
/// # Errors
/// [`Error::Interrupted`] naming the signal.
pub fn interrupted(stop: Option<&AtomicUsize>) -> Result<(), Error> {
    match stop.map(|s| s.load(Ordering::Relaxed)) {
        Some(signal) if signal != 0 => Err(Error::Interrupted {
            signal: i32::try_from(signal).unwrap_or(0),
        }),
        _ => Ok(()),
    }
}

/// The words of every unit, in scan order: from the monitor's store or computed, in parallel
/// (an indexed parallel map, so the order and every number are the same whatever the thread
/// count).
///
/// # Errors
/// The first failing unit, an interruption, or (with `stored_only`) a missing unit.
pub fn compute_all(
    driver: &dyn Driver,
    units: &[String],
    monitor: &Monitor,
) -> Result<Vec<Words>, Error> {
    let all: Vec<usize> = (0..units.len()).collect();
    let mut words: Vec<Option<Words>> = vec![None; units.len()];
    for (k, w) in compute_batches(driver, units, &all, monitor)? {
        words[k] = Some(w);
    }
    words
        .into_iter()
        .map(|w| w.ok_or_else(|| ScanError::ForeignUnits.into()))
        .collect()
}

/// The words of the units `candidates` with their indices: [`Driver::batches`] side by side,
/// each prepared and then computed in parallel. Each unit's words depend on the unit alone, so
/// they are the same whatever the thread count and the order in which batches finish.
///
/// # Errors
/// As [`compute_all`].
fn compute_batches(
    driver: &dyn Driver,
    units: &[String],
    candidates: &[usize],
    monitor: &Monitor,
) -> Result<Vec<(usize, Words)>, Error> {
    let batches = driver.batches(candidates)?;
    let done = batches
        .par_iter()
        .map(|batch| {
            prepare(driver, units, batch, monitor)?;
            batch
                .par_iter()
                .map(|&k| {
                    monitor
                        .unit(&units[k], driver, || driver.compute(k))
                        .map(|w| (k, w))
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(done.into_iter().flatten().collect())
}

/// Computes the units of one shard into the monitor's store and nothing else; returns how many
/// units the shard owns. [`compute_all`] with a store holding every shard's units then gives
/// the same words as an unsharded run.
///
/// # Errors
/// As [`compute_all`].
pub fn compute_shard(
    driver: &dyn Driver,
    units: &[String],
    shard: Shard,
    monitor: &Monitor,
) -> Result<usize, Error> {
    let owned: Vec<usize> = (0..units.len()).filter(|&k| shard.owns(k)).collect();
    compute_batches(driver, units, &owned, monitor)?;
    Ok(owned.len())
}

/// [`Driver::prepare`] for the units of `candidates` that the monitor's store does not hold
/// (nothing when it holds them all, or when only stored units may be used).
///
/// # Errors
/// As [`Driver::prepare`].
fn prepare(
    driver: &dyn Driver,
    units: &[String],
    candidates: &[usize],
    monitor: &Monitor,
) -> Result<(), Error> {
    if monitor.stored_only {
        return Ok(());
    }
    let needed: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&k| monitor.store.is_none_or(|s| !s.contains(&units[k])))
        .collect();
    if needed.is_empty() {
        return Ok(());
    }
    driver.prepare(&needed)
}
