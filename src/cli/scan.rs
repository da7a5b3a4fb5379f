//! `darksens scan`: the whole scan (or one shard of it), its files and a printed summary. The
//! same flow for every kind of search: the driver names the units of work and turns their
//! numbers into files.

use super::helpers::{
    ScenarioArgs, ThreadsArg, emit, parse_shard, progress_bar, signals, slurm_shard,
    summarize_numbers, write_report,
};
use darksens::error::Error;
use darksens::output::checkpoint::{Resumed, UnitFile, UnitStore};
use darksens::output::lock::Lock;
use darksens::output::{check_writable, remove_stale_temporaries};
use darksens::pipeline::{
    Driver, Monitor, OutputPaths, RunClock, Shard, compute_all, compute_shard, driver,
};
use darksens::scenario::ScenarioDocument;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Options of `darksens scan`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens scan configs/belle2_dp.toml\n  darksens scan configs/belle2_dp.toml -o results/ --set model.alpha_d=0.1\n  darksens scan configs/na64_dp.toml --set limit.method=poisson-cls\n  darksens scan configs/belle2_dp.toml --shard 2/8   # then darksens merge\n\nA scan keeps its finished points in <out>/.darksens/<name>.checkpoint.jsonl\nwhile it runs; after a kill, the same command resumes from there. Inside a Slurm\njob array, the array task selects the shard (SLURM_ARRAY_TASK_ID, _MIN, _STEP,\n_COUNT) unless --shard is given."
)]
pub struct Opts {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Write the outputs into this directory instead of the scenario's paths.
    #[arg(short = 'o', long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    threads: ThreadsArg,
    /// Compute only share K of N of the scan points (1 <= K <= N) into
    /// <out>/<name>.shard-K-of-N.jsonl, for `darksens merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Keep no checkpoint (an interrupted scan then starts again from nothing).
    #[arg(long)]
    no_checkpoint: bool,
    /// Print nothing but warnings and errors (no summary, no progress).
    #[arg(long, short)]
    quiet: bool,
    /// Print the time of each stage to stderr.
    #[arg(long, short)]
    verbose: bool,
}

/// The shard from `--shard`, else from a Slurm job array; `None` for the whole scan.
fn shard_of(opts: &Opts) -> Result<Option<Shard>, Error> {
    let shard = match &opts.shard {
        Some(text) => Some(parse_shard(text)?),
        None => slurm_shard(|name| std::env::var(name).ok())?,
    };
    Ok(shard.filter(|s| s.count > 1))
}

/// Runs the scan (or one shard of it).
pub fn run(opts: &Opts) -> Result<(), Error> {
    // The wall time includes reading the scenario's inputs (a spectrum the built-in generator
    // makes can take seconds).
    let start = Instant::now();
    opts.threads.start()?;
    let document = ScenarioDocument::load(&opts.scenario.scenario, &opts.scenario.overrides()?)?;
    document.refuse_setting_the_grid_keys()?;
    for warning in document.warnings() {
        eprintln!("{warning}");
    }
    let driver = driver(&document)?;
    let paths = driver.outputs(opts.out.as_deref());
    if let Some(shard) = shard_of(opts)? {
        return run_shard_job(opts, driver.as_ref(), &paths, shard, start);
    }
    for path in paths.all() {
        check_writable(path)?;
    }
    let units = driver.units()?;
    // One run at a time per set of outputs; what a run killed while writing left goes.
    let _lock = Lock::outputs(&paths.directory(), &paths.stem())?;
    for path in paths.all() {
        remove_stale_temporaries(path);
    }
    let checkpoint = if opts.no_checkpoint {
        None
    } else {
        let (file, resumed) = UnitFile::open(&paths.checkpoint(), &driver.identity())?;
        report_resumed(&resumed, file.path(), opts.quiet);
        Some(file)
    };
    let stop = signals::install();
    let bar = progress_bar(units.len() as u64, opts.quiet);
    let rejected = AtomicUsize::new(0);
    let monitor = Monitor {
        progress: Some(&|n| bar.inc(n)),
        stop,
        store: checkpoint.as_ref().map(|c| c as &dyn UnitStore),
        stored_only: false,
        rejected: Some(&rejected),
    };
    let words = compute_all(driver.as_ref(), &units, &monitor);
    bar.finish_and_clear();
    report_rejected(&rejected, checkpoint.as_ref().map(UnitFile::path));
    let kept = |file: &UnitFile| {
        eprintln!(
            "note: the finished points are kept in {}; run the same command again to resume (or delete it)",
            file.path().display()
        );
    };
    let words = match (words, checkpoint.as_ref()) {
        (Ok(words), _) => words,
        (Err(e @ Error::Interrupted { .. }), Some(file)) => {
            kept(file);
            return Err(e);
        }
        (Err(e), _) => {
            // A failure that a rerun would repeat: nothing worth keeping.
            if let Some(file) = checkpoint {
                file.remove();
            }
            return Err(e);
        }
    };
    if opts.verbose {
        eprintln!(
            "[{:>8.1} ms] tables and scan",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
    let clock = RunClock {
        start,
        verbose: opts.verbose,
    };
    let report = match driver.finish(&words, &paths, clock) {
        Ok(report) => report,
        Err(e) => {
            // The limits are taken from the stored yields here: a bad input (a criterion the
            // background does not allow) or a numerical failure would come back on a rerun, so
            // the points are not worth keeping; only a file that could not be written may go
            // well the next time.
            if !matches!(e, Error::Output { .. })
                && let Some(file) = checkpoint
            {
                file.remove();
            }
            return Err(e);
        }
    };
    // A signal while the files were drawn: nothing is written, and every point stays for the
    // rerun.
    if let Err(e) = write_report(report, stop, opts.quiet) {
        if let (Error::Interrupted { .. }, Some(file)) = (&e, checkpoint.as_ref()) {
            kept(file);
        }
        return Err(e);
    }
    if let Some(file) = checkpoint {
        file.remove();
    }
    Ok(())
}

/// Says what was taken from an earlier checkpoint or shard file (damage always, the rest unless
/// quiet).
fn report_resumed(resumed: &Resumed, path: &std::path::Path, quiet: bool) {
    if !resumed.damaged_lines.is_empty() {
        eprintln!(
            "warning: {}: {} damaged line(s) skipped ({}); their points are computed again",
            path.display(),
            resumed.damaged_lines.len(),
            summarize_numbers(&resumed.damaged_lines, "line"),
        );
    }
    if quiet {
        return;
    }
    if let Some(why) = &resumed.discarded {
        eprintln!(
            "note: {} was written for another run ({why}); starting afresh",
            path.display()
        );
    }
    if resumed.units > 0 {
        eprintln!(
            "resuming: {} finished point(s) read from {}",
            resumed.units,
            path.display()
        );
    }
}

/// Says how many stored points held damaged numbers (computed again).
fn report_rejected(rejected: &AtomicUsize, path: Option<&std::path::Path>) {
    let n = rejected.load(Ordering::Relaxed);
    if let (true, Some(path)) = (n > 0, path) {
        eprintln!(
            "warning: {}: {n} stored point(s) held damaged numbers (NaN or the wrong count); computed again",
            path.display()
        );
    }
}

/// One shard: its units of work into its shard file, nothing else.
fn run_shard_job(
    opts: &Opts,
    driver: &dyn Driver,
    paths: &OutputPaths,
    shard: Shard,
    start: Instant,
) -> Result<(), Error> {
    let path = paths.shard_file(shard);
    check_writable(&path)?;
    let units = driver.units()?;
    let mut identity = driver.identity();
    identity["shard"] = serde_json::json!({ "index": shard.index + 1, "count": shard.count });
    // The shard file is locked while open: the same shard twice at once is refused.
    let (file, resumed) = UnitFile::open(&path, &identity)?;
    report_resumed(&resumed, &path, opts.quiet);
    let stop = signals::install();
    let owned_count = (0..units.len()).filter(|&k| shard.owns(k)).count();
    let bar = progress_bar(owned_count as u64, opts.quiet);
    let rejected = AtomicUsize::new(0);
    let monitor = Monitor {
        progress: Some(&|n| bar.inc(n)),
        stop,
        store: Some(&file),
        stored_only: false,
        rejected: Some(&rejected),
    };
    let owned = compute_shard(driver, &units, shard, &monitor);
    bar.finish_and_clear();
    report_rejected(&rejected, Some(&path));
    if matches!(owned, Err(Error::Interrupted { .. })) {
        eprintln!(
            "note: the finished points are kept in {}; run the same command again to resume",
            path.display()
        );
    }
    let owned = owned?;
    file.finish(owned)?;
    if !opts.quiet {
        emit(&format!(
            "shard {}/{}: {owned} of {} scan unit(s) in {:.2} s, written to {}\nmerge all shards with: darksens merge {} -o {}\n",
            shard.index + 1,
            shard.count,
            units.len(),
            start.elapsed().as_secs_f64(),
            path.display(),
            paths
                .directory()
                .join(format!("{}.shard-*-of-{}.jsonl", paths.stem(), shard.count))
                .display(),
            paths.directory().display(),
        ))?;
    }
    Ok(())
}
