//! What several subcommands share: the scenario arguments, output on stdout, threads, the
//! progress bar, shards, writing a report, and the signal handlers. No physics here.

use darksens::error::Error;
use darksens::output::write_all_atomically;
use darksens::pipeline::{Report, Shard, interrupted};
use darksens::scenario::Override;
use std::path::{Path, PathBuf};

/// Options shared by the subcommands that read a scenario.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML), e.g. configs/belle2_dp.toml.
    pub scenario: PathBuf,
    /// Override a key before validation, e.g. --set model.alpha_d=0.1 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl ScenarioArgs {
    /// The `--set` overrides, parsed.
    pub fn overrides(&self) -> Result<Vec<Override>, Error> {
        parse_overrides(&self.set)
    }
}

/// Parses `--set key=value` overrides.
pub fn parse_overrides(set: &[String]) -> Result<Vec<Override>, Error> {
    set.iter()
        .map(|s| Override::parse(s).map_err(Error::from))
        .collect()
}

/// Writes text to stdout; a closed pipe (e.g. `darksens scan ... | head`) ends quietly.
pub fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Writes every file of a report all or none (a signal up to the final renames leaves nothing
/// behind), then prints its warnings (always) and summary (unless quiet).
pub fn write_report(
    report: &Report,
    stop: Option<&'static std::sync::atomic::AtomicUsize>,
    quiet: bool,
) -> Result<(), Error> {
    let files: Vec<(&Path, &[u8])> = report
        .files
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    write_all_atomically(&files, &|| interrupted(stop))?;
    for warning in &report.warnings {
        eprintln!("{warning}");
    }
    if !quiet {
        emit(&report.summary);
    }
    Ok(())
}

/// Parses `K/N` (1-based K).
pub fn parse_shard(text: &str) -> Result<Shard, Error> {
    let fail = || {
        Error::Usage(format!(
            "--shard '{text}': expected K/N with 1 <= K <= N, e.g. --shard 2/8"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(fail)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| fail())?,
        n.trim().parse().map_err(|_| fail())?,
    );
    if k == 0 || k > n {
        return Err(fail());
    }
    Ok(Shard {
        index: k - 1,
        count: n,
    })
}

/// The shard of a Slurm array task: index (ID - MIN) / STEP of COUNT.
pub fn slurm_shard(var: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, Error> {
    let (Some(id), Some(count)) = (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT"))
    else {
        return Ok(None);
    };
    let number = |name: &str, text: &str| {
        text.trim().parse::<usize>().map_err(|_| {
            Error::Usage(format!(
                "{name}='{text}' is not a whole number; pass --shard K/N instead"
            ))
        })
    };
    let id = number("SLURM_ARRAY_TASK_ID", &id)?;
    let count = number("SLURM_ARRAY_TASK_COUNT", &count)?;
    let min = var("SLURM_ARRAY_TASK_MIN").map_or(Ok(0), |t| number("SLURM_ARRAY_TASK_MIN", &t))?;
    let step =
        var("SLURM_ARRAY_TASK_STEP").map_or(Ok(1), |t| number("SLURM_ARRAY_TASK_STEP", &t))?;
    let index = id.checked_sub(min).map(|d| d / step.max(1));
    match index {
        Some(index) if count > 0 && index < count => {
            eprintln!(
                "note: Slurm array task {id} (of {count}, from {min} in steps of {step}): computing shard {}/{count}; pass --shard to choose another",
                index + 1
            );
            Ok(Some(Shard { index, count }))
        }
        _ => Err(Error::Usage(format!(
            "Slurm array task {id} does not fit SLURM_ARRAY_TASK_MIN = {min}, STEP = {step}, COUNT = {count}; pass --shard K/N"
        ))),
    }
}

/// Sets the number of worker threads (default: all cores, or `RAYON_NUM_THREADS`).
pub fn set_threads(threads: Option<usize>) -> Result<(), Error> {
    if let Some(threads) = threads {
        if threads == 0 {
            return Err(Error::Usage("--threads must be at least 1".into()));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    }
    Ok(())
}

/// A progress bar on stderr, drawn only on a terminal, without `--quiet`, and only once the scan
/// has run for a second (short scans stay silent). No colours, so `NO_COLOR` is respected.
pub fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::hidden(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} points, {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style);
    }
    if !quiet && std::io::stderr().is_terminal() {
        let delayed = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if !delayed.is_finished() {
                delayed.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        });
    }
    bar
}

/// SIGINT and SIGTERM during a scan: the first one asks the scan to stop (it returns
/// [`Error::Interrupted`] and writes nothing, exit code 128 + signal); a second one ends the
/// process at once.
pub mod signals {
    use signal_hook::consts::signal::{SIGINT, SIGTERM};
    use std::sync::atomic::{AtomicBool, AtomicUsize};

    /// The first signal received (0 while none).
    static STOP: AtomicUsize = AtomicUsize::new(0);
    /// Set by the first signal, so that the second one exits immediately.
    static ARMED: AtomicBool = AtomicBool::new(false);

    /// Installs the handlers and returns the stop flag for a [`darksens::pipeline::Monitor`];
    /// `None` if the handlers cannot be installed (the default action, ending the process, remains).
    pub fn install() -> Option<&'static AtomicUsize> {
        for signal in [SIGINT, SIGTERM] {
            // The shutdown must be registered first: it checks ARMED before the flag sets it.
            let installed =
                signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, &ARMED)
                    .and_then(|_| signal_hook::flag::register(signal, &ARMED))
                    .and_then(|_| {
                        signal_hook::flag::register_usize(
                            signal,
                            &STOP,
                            usize::try_from(signal).unwrap_or(1),
                        )
                    });
            if installed.is_err() {
                return None;
            }
        }
        Some(&STOP)
    }
}
