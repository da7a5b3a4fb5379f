//! The bad-input catalogue, `tests/bad_inputs/cases.toml`: every case runs the built binary and
//! must exit with the code it states (2 for bad input), print each of its message fragments on
//! stderr (and none of its `stderr_lacks`),
//! never panic, and leave no file behind.
//!
//! A case's scenario is `base.toml` with text replacements (`edit`), or a file of its own
//! (`file`), or none (the arguments say everything). Placeholders in arguments, environment,
//! edits and fragments: `{here}` the catalogue directory, `{repo}` the repository, `{scenario}`
//! the case's scenario file, `{out}` an empty output directory.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case is about (unique).
    name: String,
    /// Text replacements applied, in order, to `base.toml`.
    #[serde(default)]
    edit: Vec<[String; 2]>,
    /// A scenario file of the catalogue to use instead of `base.toml`.
    file: Option<String>,
    /// Arguments; default `scan {scenario} --out {out}`.
    args: Option<Vec<String>>,
    /// Extra environment variables.
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// The exit code.
    exit: i32,
    /// Fragments that must all appear on stderr.
    stderr: Vec<String>,
    /// Fragments that must not appear on stderr (e.g. a suggestion where none fits).
    #[serde(default)]
    stderr_lacks: Vec<String>,
    /// Files to create (empty) before the run, relative to the case's directory (e.g.
    /// `out/.darksens`, a file where darksens wants a directory); they may stay.
    #[serde(default)]
    touch: Vec<String>,
    /// Where stdout goes instead of a pipe (e.g. `/dev/full`).
    stdout: Option<String>,
    /// The most seconds the case may take (default 20): inputs that used to hang must end
    /// at once.
    max_seconds: Option<f64>,
}

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn load() -> Vec<Case> {
    let text = std::fs::read_to_string(here().join("cases.toml")).expect("cases.toml");
    toml::from_str::<Catalogue>(&text)
        .expect("cases.toml parses")
        .case
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Runs one case; returns a description of what went wrong, if anything.
fn run(case: &Case, root: &Path) -> Option<String> {
    let work = root.join(slug(&case.name));
    let _ = std::fs::remove_dir_all(&work);
    let inputs = work.join("inputs");
    let out = work.join("out");
    std::fs::create_dir_all(&inputs).expect("scratch");
    let here = here();
    let fill = |s: &str, scenario: &Path| {
        s.replace("{here}", &here.display().to_string())
            .replace("{repo}", env!("CARGO_MANIFEST_DIR"))
            .replace("{scenario}", &scenario.display().to_string())
            .replace("{out}", &out.display().to_string())
    };
    let scenario = if let Some(file) = &case.file {
        here.join(file)
    } else {
        let mut text = std::fs::read_to_string(here.join("base.toml")).expect("base.toml");
        for [from, to] in &case.edit {
            if !text.contains(from.as_str()) {
                return Some(format!("edit '{from}' does not match base.toml"));
            }
            text = text.replacen(from.as_str(), &fill(to, Path::new("")), 1);
        }
        let path = inputs.join(format!("{}.toml", slug(&case.name)));
        std::fs::write(&path, text).expect("write scenario");
        path
    };
    let default_args = ["scan", "{scenario}", "--out", "{out}"].map(String::from);
    let args: Vec<String> = case
        .args
        .as_deref()
        .unwrap_or(&default_args)
        .iter()
        .map(|a| fill(a, &scenario))
        .collect();
    let touched: Vec<PathBuf> = case.touch.iter().map(|t| work.join(t)).collect();
    for path in &touched {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, "").expect("touch");
    }
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("darksens"));
    command
        .current_dir(&work)
        .args(&args)
        .env_remove("DARKSENS_LIMITS")
        // A panic would print its backtrace: the check for "panicked" below sees it.
        .env("RUST_BACKTRACE", "1");
    for (key, value) in &case.env {
        command.env(key, fill(value, &scenario));
    }
    match &case.stdout {
        Some(target) => command.stdout(std::fs::File::create(target).expect("stdout target")),
        None => command.stdout(std::process::Stdio::null()),
    };
    let (output, seconds) = run_with_limit(command, case.max_seconds.unwrap_or(20.0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // `DARKSENS_SHOW_MESSAGES=1 cargo test --test bad_inputs -- --nocapture` prints every message
    // for review.
    if std::env::var_os("DARKSENS_SHOW_MESSAGES").is_some() {
        eprintln!("### {}\n$ darksens {}\n{stderr}", case.name, args.join(" "));
    }
    let mut problems = Vec::new();
    if seconds > case.max_seconds.unwrap_or(20.0) {
        problems.push(format!("took {seconds:.1} s (killed)"));
    }
    if output.status.code() != Some(case.exit) {
        problems.push(format!(
            "exit code {:?}, expected {}",
            output.status.code(),
            case.exit
        ));
    }
    if stderr.contains("panicked") {
        problems.push("panicked".to_string());
    }
    for fragment in &case.stderr {
        let fragment = fill(fragment, &scenario);
        if !stderr.contains(&fragment) {
            problems.push(format!("stderr lacks '{fragment}'"));
        }
    }
    for fragment in &case.stderr_lacks {
        if stderr.contains(fragment.as_str()) {
            problems.push(format!("stderr has '{fragment}'"));
        }
    }
    let written: Vec<PathBuf> = files_under(&work)
        .into_iter()
        .filter(|p| !p.starts_with(&inputs) && !touched.contains(p))
        .collect();
    if !written.is_empty() {
        problems.push(format!("wrote {written:?}"));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "case '{}' (darksens {}): {}\n--- stderr ---\n{stderr}",
            case.name,
            args.join(" "),
            problems.join("; ")
        )
    })
}

/// Runs `command`, killing it after `limit` seconds; its output and the seconds it took.
fn run_with_limit(mut command: Command, limit: f64) -> (std::process::Output, f64) {
    use std::io::Read;
    let start = std::time::Instant::now();
    let mut child = command
        .stderr(std::process::Stdio::piped())
        .stdin(std::process::Stdio::null())
        .spawn()
        .expect("darksens runs");
    // Read stderr on a thread: a full pipe must not stall the child.
    let mut pipe = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed().as_secs_f64() > limit {
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let seconds = start.elapsed().as_secs_f64();
    let stderr = reader.join().expect("stderr reader");
    (
        std::process::Output {
            status,
            stdout: Vec::new(),
            stderr,
        },
        seconds,
    )
}

#[test]
fn base_scenario_is_valid() {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
        .args(["check"])
        .arg(here().join("base.toml"))
        .output()
        .expect("darksens runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_bad_input_is_rejected_with_its_message() {
    let cases = load();
    let mut names: Vec<String> = cases.iter().map(|c| slug(&c.name)).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names must be unique");
    assert!(cases.len() >= 40, "the catalogue has {} cases", cases.len());
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_inputs");
    let failures: Vec<String> = cases.iter().filter_map(|c| run(c, &root)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
