//! What several subcommands share: the scenario arguments, output on stdout, threads, the
//! progress bar, shards, writing a report, and the signal handlers. No physics here.

use darksens::error::Error;
use darksens::output::write_set_atomically;
use darksens::pipeline::{Report, Shard, interrupted};
use darksens::scenario::Override;
use std::path::PathBuf;

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

/// The `--threads` option of the subcommands that compute in parallel.
#[derive(Debug, clap::Args)]
pub struct ThreadsArg {
    /// Worker threads (default: all cores; also RAYON_NUM_THREADS).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl ThreadsArg {
    /// Starts the worker threads ([`set_threads`]).
    pub fn start(&self) -> Result<(), Error> {
        set_threads(self.threads)
    }
}

/// Parses `--set key=value` overrides.
pub fn parse_overrides(set: &[String]) -> Result<Vec<Override>, Error> {
    set.iter()
        .map(|s| Override::parse(s).map_err(Error::from))
        .collect()
}

/// Writes text to stdout; a closed pipe (e.g. `darksens list | head`) ends quietly.
///
/// # Errors
/// Any other write error (a full disk, `> /dev/full`): what was asked for was not written.
pub fn emit(text: &str) -> Result<(), Error> {
    emit_bytes(text.as_bytes())
}

/// [`emit`] for bytes.
///
/// # Errors
/// As [`emit`].
pub fn emit_bytes(bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Output {
            path: PathBuf::from("standard output"),
            message: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Writes every file of a report all or none (a signal up to the final renames leaves nothing
/// behind), then prints its warnings (always) and summary (unless quiet).
pub fn write_report(
    report: Report,
    stop: Option<&'static std::sync::atomic::AtomicUsize>,
    quiet: bool,
) -> Result<(), Error> {
    write_set_atomically(report.files, &|| interrupted(stop))?;
    for warning in &report.warnings {
        eprintln!("{warning}");
    }
    if quiet { Ok(()) } else { emit(&report.summary) }
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
    // One task is what resubmitting a single task of an array gives (`sbatch --array=5`): read
    // as an array of one, it would compute the whole scan instead of its shard.
    if count == 1 {
        return Err(Error::Usage(format!(
            "Slurm array task {id} is the only task of its array (SLURM_ARRAY_TASK_COUNT=1): if it reruns one task of a larger array, pass that task's shard, --shard K/N (task K of an array 1-N: --shard {id}/N); for the whole scan in one task, pass --shard 1/1"
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

/// The most worker threads a run starts: more than a few per core only costs time (4000 threads
/// take minutes to start and coordinate).
fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (4 * cores).max(16)
}

/// Sets the number of worker threads: `--threads`, else `RAYON_NUM_THREADS`, else one per core;
/// a number above [`max_threads`] is lowered to it with a warning.
pub fn set_threads(threads: Option<usize>) -> Result<(), Error> {
    let (asked, source) = match threads {
        Some(0) => return Err(Error::Usage("--threads must be at least 1".into())),
        Some(n) => (Some(n), "--threads".to_string()),
        None => match std::env::var("RAYON_NUM_THREADS") {
            Ok(text) if !text.trim().is_empty() => match text.trim().parse::<usize>() {
                Ok(0) => (None, String::new()),
                Ok(n) => (Some(n), format!("RAYON_NUM_THREADS={n}")),
                Err(_) => {
                    eprintln!(
                        "warning: RAYON_NUM_THREADS='{text}' is not a number of threads; using one per core"
                    );
                    (None, String::new())
                }
            },
            _ => (None, String::new()),
        },
    };
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(asked) = asked {
        let cap = max_threads();
        let threads = if asked > cap {
            eprintln!(
                "warning: {source} asks for {asked} threads; using {cap} (4 per core, at least 16): more only slows the run"
            );
            cap
        } else {
            asked
        };
        builder = builder.num_threads(threads);
    } else {
        // Ignore an unusable RAYON_NUM_THREADS rather than let the pool read it.
        builder = builder
            .num_threads(std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    }
    builder
        .build_global()
        .map_err(|e| Error::Usage(format!("cannot start the worker threads: {e}")))?;
    Ok(())
}

/// A sorted list of numbers as ranges (`5, 9, 12-40`), at most 12 of them and then how many
/// more: a message about 100000 missing shards stays one line.
pub fn summarize_numbers(numbers: &[usize], noun: &str) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &n in numbers {
        match ranges.last_mut() {
            Some((_, end)) if n == *end + 1 => *end = n,
            _ => ranges.push((n, n)),
        }
    }
    let shown: Vec<String> = ranges
        .iter()
        .take(12)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let plural = if numbers.len() == 1 { "" } else { "s" };
    let mut text = format!("{noun}{plural} {}", shown.join(", "));
    if ranges.len() > 12 {
        let rest: usize = ranges[12..].iter().map(|&(a, b)| b - a + 1).sum();
        text = format!("{text} and {rest} more");
    }
    text
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

/// Refuses a result file given twice (the same file by two paths too): `what` says why once is
/// enough ("each result is drawn once").
///
/// # Errors
/// The first file given twice.
pub fn refuse_repeated(paths: &[PathBuf], what: &str) -> Result<(), Error> {
    for (k, path) in paths.iter().enumerate() {
        let same = |other: &PathBuf| match (path.canonicalize(), other.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => path == other,
        };
        if paths[..k].iter().any(same) {
            return Err(Error::Usage(format!(
                "{} is given twice: {what}",
                path.display()
            )));
        }
    }
    Ok(())
}

/// The names of result files where several are shown together (the plot's legend, the tables
/// of a HEPData export): each file's stem, with as many of its directories as make the names
/// differ (`out/belle2_dp` and `r1/belle2_dp`; `belle2_dp` and `belle2_scalar`).
pub fn distinct_names(paths: &[PathBuf]) -> Vec<String> {
    let parts: Vec<Vec<String>> = paths
        .iter()
        .map(|p| {
            let mut parts: Vec<String> = p
                .parent()
                .map(|d| {
                    d.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            parts.push(
                p.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            parts
        })
        .collect();
    let longest = parts.iter().map(Vec::len).max().unwrap_or(1);
    let at_depth = |depth: usize| -> Vec<String> {
        parts
            .iter()
            .map(|p| p[p.len().saturating_sub(depth)..].join("/"))
            .collect()
    };
    (1..=longest)
        .map(at_depth)
        .find(|names| {
            let mut sorted = names.clone();
            sorted.sort();
            sorted.windows(2).all(|w| w[0] != w[1])
        })
        .unwrap_or_else(|| at_depth(longest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_of_numbers_are_summarized() {
        assert_eq!(summarize_numbers(&[7], "line"), "line 7");
        assert_eq!(
            summarize_numbers(&[1, 2, 3, 5, 9, 10], "shard"),
            "shards 1-3, 5, 9-10"
        );
        let every_other: Vec<usize> = (1..=99_999).step_by(2).collect();
        let text = summarize_numbers(&every_other, "shard");
        assert!(text.len() < 100, "{text}");
        assert!(text.ends_with("and 49988 more"), "{text}");
    }

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
        // An array of one task (a resubmitted task of a larger array) says which shard it is
        // only with --shard.
        let error = slurm(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
        ])
        .expect_err("refused");
        assert!(error.to_string().contains("--shard 5/N"), "{error}");
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
