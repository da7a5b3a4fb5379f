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

/// Most shards a scan may be split into (a guard against typos such as `--shard 2/1000000000`,
/// whose merge would have to list a billion files).
pub const MAX_SHARDS: usize = 100_000;

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
    if n > MAX_SHARDS {
        return Err(Error::Usage(format!(
            "--shard '{text}': at most {MAX_SHARDS} shards (a scan has a few thousand points; each shard should get many)"
        )));
    }
    Ok(Shard {
        index: k - 1,
        count: n,
    })
}

/// The shard of a Slurm array task: index (ID - MIN) / STEP of COUNT. Slurm sets
/// `SLURM_ARRAY_TASK_ID` in every task of an array, with `_COUNT`, `_MIN` and `_STEP`; an ID
/// without a count, a step of zero, or an ID that is not `MIN + k STEP` for `k < COUNT` is an
/// error (a silently wrong shard would compute the same points twice and lose others).
pub fn slurm_shard(var: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, Error> {
    let (id, count) = match (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT")) {
        (None, None) => return Ok(None),
        (Some(id), Some(count)) => (id, count),
        (id, _) => {
            let (set, unset) = if id.is_some() {
                ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT")
            } else {
                ("SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_ID")
            };
            return Err(Error::Usage(format!(
                "{set} is set but {unset} is not, so the shard is unknown; pass --shard K/N"
            )));
        }
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
    if step == 0 {
        return Err(Error::Usage(
            "SLURM_ARRAY_TASK_STEP=0: an array's step is at least 1; pass --shard K/N".into(),
        ));
    }
    if count > MAX_SHARDS {
        return Err(Error::Usage(format!(
            "SLURM_ARRAY_TASK_COUNT={count}: at most {MAX_SHARDS} shards; use a smaller array"
        )));
    }
    let index = id
        .checked_sub(min)
        .filter(|d| d % step == 0)
        .map(|d| d / step);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A Slurm environment from `(name, value)` pairs.
    fn slurm(vars: &[(&str, &str)]) -> Result<Option<Shard>, Error> {
        slurm_shard(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_string())
        })
    }

    /// The shard of every task of `sbatch --array=MIN-MAX:STEP`: each task its own shard, in
    /// order, covering every shard once.
    #[test]
    fn slurm_array_tasks_map_to_distinct_shards() {
        for (min, step, count) in [(0, 1, 4), (1, 1, 8), (3, 2, 5), (10, 5, 3)] {
            let mut shards = Vec::new();
            for k in 0..count {
                let id = (min + k * step).to_string();
                let (min, step, count) = (min.to_string(), step.to_string(), count.to_string());
                let shard = slurm(&[
                    ("SLURM_ARRAY_TASK_ID", &id),
                    ("SLURM_ARRAY_TASK_MIN", &min),
                    ("SLURM_ARRAY_TASK_STEP", &step),
                    ("SLURM_ARRAY_TASK_COUNT", &count),
                ])
                .expect("a valid task")
                .expect("a shard");
                shards.push(shard);
            }
            for (k, shard) in shards.iter().enumerate() {
                assert_eq!(*shard, Shard { index: k, count });
            }
        }
        // Outside a job array: the whole scan.
        assert_eq!(slurm(&[]).expect("no array"), None);
        // MIN and STEP default to 0 and 1.
        assert_eq!(
            slurm(&[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "3")
            ])
            .expect("valid"),
            Some(Shard { index: 2, count: 3 })
        );
    }

    /// Inconsistent Slurm variables are errors, never a silently chosen shard.
    #[test]
    fn inconsistent_slurm_variables_are_refused() {
        for (vars, fragment) in [
            (
                vec![("SLURM_ARRAY_TASK_ID", "1")],
                "SLURM_ARRAY_TASK_COUNT is not",
            ),
            (
                vec![("SLURM_ARRAY_TASK_COUNT", "4")],
                "SLURM_ARRAY_TASK_ID is not",
            ),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("SLURM_ARRAY_TASK_STEP", "0"),
                ],
                "STEP=0",
            ),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("SLURM_ARRAY_TASK_MIN", "1"),
                    ("SLURM_ARRAY_TASK_STEP", "2"),
                ],
                "does not fit",
            ),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                "does not fit",
            ),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "0"),
                    ("SLURM_ARRAY_TASK_COUNT", "1000000000"),
                ],
                "at most",
            ),
        ] {
            let error = slurm(&vars).expect_err("refused").to_string();
            assert!(error.contains(fragment), "{vars:?}: {error}");
        }
    }

    #[test]
    fn shards_are_bounded() {
        assert!(parse_shard("2/1000000000").is_err());
        assert_eq!(
            parse_shard("2/8").expect("valid"),
            Shard { index: 1, count: 8 }
        );
    }
}
