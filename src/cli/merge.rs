//! `darksens merge`: the shard files of a scan into the CSV, plot and sidecar an unsharded run
//! writes.

use super::helpers::{summarize_numbers, write_report};
use darksens::error::Error;
use darksens::output::checkpoint::{MergedUnits, UnitFileContents, difference, read};
use darksens::output::lock::Lock;
use darksens::output::sidecar::VERSION;
use darksens::output::{check_writable, remove_stale_temporaries};
use darksens::pipeline::{Monitor, RunClock, compute_all, driver};
use darksens::scenario::{Override, ScenarioDocument};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `darksens merge`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens merge out/belle2_dp.shard-*-of-8.jsonl\n  darksens merge results/*.shard-*.jsonl -o results/\n\nEvery shard K/N of one run must be there exactly once, finished, from the same\ndarksens version and the same resolved scenario; the scenario file must still\ngive that scenario."
)]
pub struct Opts {
    /// The shard files (`<name>.shard-K-of-N.jsonl`).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Write the outputs into this directory instead of the scenario's paths.
    #[arg(short = 'o', long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but warnings and errors (no summary, no progress).
    #[arg(long, short)]
    quiet: bool,
}

/// One shard file.
struct ShardFile {
    path: PathBuf,
    index: u64,
    count: u64,
    run: Value,
    contents: UnitFileContents,
}

fn read_shard(path: &Path) -> Result<ShardFile, Error> {
    let fail = |message: String| Error::Usage(format!("{}: {message}", path.display()));
    if path.is_dir() {
        return Err(fail("is a directory, not a shard file".into()));
    }
    let contents = read(path)?;
    let shard = &contents.run["shard"];
    let (Some(index), Some(count)) = (shard["index"].as_u64(), shard["count"].as_u64()) else {
        return Err(fail(
            "is not a shard file (a checkpoint of an unsharded scan?)".into(),
        ));
    };
    let Some(units) = contents.complete else {
        return Err(fail(format!(
            "shard {index}/{count} did not finish; rerun its job (it resumes where it stopped)"
        )));
    };
    if !contents.damaged_lines.is_empty() {
        return Err(fail(format!(
            "shard {index}/{count} is damaged ({}); delete it and rerun its job",
            summarize_numbers(&contents.damaged_lines, "line")
        )));
    }
    if units != contents.units.len() {
        return Err(fail(format!(
            "says {units} units but holds {}; delete it and rerun its job",
            contents.units.len()
        )));
    }
    let mut run = contents.run.clone();
    if let Some(object) = run.as_object_mut() {
        object.remove("shard");
    }
    Ok(ShardFile {
        path: path.to_path_buf(),
        index,
        count,
        run,
        contents,
    })
}

/// Checks that the shards are one complete set from one run.
fn check_set(shards: &[ShardFile]) -> Result<(), Error> {
    let first = &shards[0];
    for s in shards {
        let version = &s.run["darksens_version"];
        if version != &Value::from(VERSION) {
            return Err(Error::Usage(format!(
                "{} was written by darksens {version}, this is {VERSION}: rerun the shards with one version",
                s.path.display()
            )));
        }
        if s.count != first.count {
            return Err(Error::Usage(format!(
                "{} is shard {}/{} but {} is shard {}/{}: the files come from different splits",
                s.path.display(),
                s.index,
                s.count,
                first.path.display(),
                first.index,
                first.count
            )));
        }
        // The overrides as typed may differ (their order, `1e-2` for `0.01`) where the
        // scenarios they resolve to do not: the resolved scenarios decide.
        let (this, that) = (as_resolved(&s.run), as_resolved(&first.run));
        if this != that {
            return Err(Error::Usage(format!(
                "{} and {} come from different runs (what differs: {}); rerun the shards from one scenario and its files",
                s.path.display(),
                first.path.display(),
                difference(&this, &that)
            )));
        }
    }
    let mut missing = Vec::new();
    for k in 1..=first.count {
        let holders: Vec<&ShardFile> = shards.iter().filter(|s| s.index == k).collect();
        match holders.len() {
            0 => missing.push(usize::try_from(k).unwrap_or(usize::MAX)),
            1 => {}
            _ => {
                let files: Vec<String> = holders
                    .iter()
                    .map(|s| s.path.display().to_string())
                    .collect();
                return Err(Error::Usage(format!(
                    "shard {k}/{} is given more than once: {}",
                    first.count,
                    files.join(", ")
                )));
            }
        }
    }
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "{} of {} missing: run them (the same command with --shard K/{}), then merge again",
            summarize_numbers(&missing, "shard"),
            first.count,
            first.count
        )));
    }
    Ok(())
}

/// A run description without the overrides as typed (the resolved scenarios it holds say
/// what they did).
fn as_resolved(run: &Value) -> Value {
    let mut run = run.clone();
    if let Some(map) = run.as_object_mut() {
        map.remove("overrides");
    }
    run
}

/// Merges the shards.
pub fn run(opts: &Opts) -> Result<(), Error> {
    let start = Instant::now();
    let shards = opts
        .shards
        .iter()
        .map(|p| read_shard(p))
        .collect::<Result<Vec<_>, _>>()?;
    check_set(&shards)?;
    let run = &shards[0].run;
    let scenario_file = PathBuf::from(run["scenario_file"].as_str().unwrap_or_default());
    let overrides = run["overrides"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(Override::parse)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    if !scenario_file.exists() && scenario_file.is_relative() {
        return Err(Error::Usage(format!(
            "the shards were computed from the scenario '{}', a path relative to the directory the scans ran in, and there is no such file here\n  hint: run darksens merge from that directory (the shards may be given with any path)",
            scenario_file.display()
        )));
    }
    let document = ScenarioDocument::load(&scenario_file, &overrides)?;
    let driver = driver(&document)?;
    let now = driver.identity();
    if as_resolved(&now) != as_resolved(run) {
        return Err(Error::Usage(format!(
            "{} no longer gives the run the shards computed (changed since: {}); rerun the shards",
            scenario_file.display(),
            difference(run, &now)
        )));
    }
    let paths = driver.outputs(opts.out.as_deref());
    for path in paths.all() {
        check_writable(path)?;
    }
    let _lock = Lock::outputs(&paths.directory(), &paths.stem())?;
    for path in paths.all() {
        remove_stale_temporaries(path);
    }
    let units = driver.units()?;
    let mut store = MergedUnits::default();
    for shard in shards {
        store.0.extend(shard.contents.units);
    }
    let monitor = Monitor {
        store: Some(&store),
        stored_only: true,
        ..Monitor::default()
    };
    let words = compute_all(driver.as_ref(), &units, &monitor)?;
    let clock = RunClock {
        start,
        verbose: false,
    };
    let report = driver.finish(&words, &paths, clock)?;
    write_report(report, None, opts.quiet)
}
