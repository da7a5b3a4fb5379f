//! Nothing lost, nothing mixed: a scan killed at any moment and resumed after one of its input
//! files changed writes what a fresh run writes; two scans aimed at one output directory do not
//! mix; damaged checkpoints, caches and temporary files are noticed and repaired
//! (docs/validation.md, "Hardening").

mod common;

use assert_cmd::Command;
use common::scratch;
use proptest::prelude::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

fn darksens() -> Command {
    let mut cmd = Command::cargo_bin("darksens").expect("binary built");
    cmd.env_remove("SLURM_ARRAY_TASK_ID");
    cmd
}

fn repository(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A scan reading three files: a spectrum table (first curve), an event file (second curve)
/// and a published limit rescaled for the bremsstrahlung yield (both curves).
const SCENARIO: &str = r#"title = "integrity test: a table, an event file and a limit file"
[source]
kind = "collider-bhabha"
luminosity_ab = 50.0
spectrum = { table = "spectrum.csv" }
[target]
material = "CsI"
thickness_x0 = 16.0
brem_thickness_x0 = 1.0
max_visible_fraction = 0.05
[model]
mediator = "dark-photon"
alpha_d = 0.001
mchi_over_mmed = 0.3333333333333333
[background]
total = 94.0
[limit]
method = "sqrt-nb"
delta_chi2 = 2.71
[bremsstrahlung]
method = "rescaled-limit"
limit_file = "limit.csv"
[scan]
parameter = "model.mass_mev"
log_range = [1.0, 1000.0]
points = 4000
[[curve]]
label = "table"
[[curve]]
label = "events"
set = { "source.spectrum" = { lhe = "events.lhe", bins = 20 }, "source.theta_min_deg" = 32.2, "source.theta_max_deg" = 128.7 }
[output]
csv = "out/s.csv"
png = "out/s.png"
"#;

/// Writes the scenario and its three input files into `dir`.
fn inputs(dir: &Path) {
    std::fs::write(dir.join("s.toml"), SCENARIO).expect("scenario");
    // A smooth positron spectrum from 2 to 7 GeV.
    let rows: Vec<String> = (0..=50)
        .map(|k| {
            let e = 2.0 + 0.1 * f64::from(k);
            format!("{e},{}\n", 40.0 / (e * e))
        })
        .collect();
    let table = format!("energy_gev,dsigma_de_pb_per_gev\n{}", rows.concat());
    std::fs::write(dir.join("spectrum.csv"), table).expect("table");
    std::fs::copy(
        repository("limits/darkcast/NA64_NA642019imj.csv"),
        dir.join("limit.csv"),
    )
    .expect("limit");
    let mut events = String::new();
    let gz = std::fs::File::open(repository("tests/fixtures/radiative_bhabha_1000.lhe.gz"))
        .expect("event fixture");
    std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(gz), &mut events)
        .expect("gzip");
    std::fs::write(dir.join("events.lhe"), events).expect("events");
}

/// Changes one of the three inputs: `which` picks the file, `at` the row or event.
fn mutate(dir: &Path, which: usize, at: usize) {
    match which {
        0 => {
            // Doubles one row of the spectrum table.
            let path = dir.join("spectrum.csv");
            let text = std::fs::read_to_string(&path).expect("table");
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let row = 1 + at % (lines.len() - 1);
            let (e, v) = lines[row].split_once(',').expect("row");
            let v: f64 = v.parse().expect("number");
            lines[row] = format!("{e},{}", 2.0 * v);
            std::fs::write(&path, lines.join("\n") + "\n").expect("table");
        }
        1 => {
            // Removes one event.
            let path = dir.join("events.lhe");
            let text = std::fs::read_to_string(&path).expect("events");
            let starts: Vec<usize> = text.match_indices("<event>").map(|(k, _)| k).collect();
            let start = starts[at % starts.len()];
            let end = start + text[start..].find("</event>").expect("end") + "</event>\n".len();
            std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).expect("events");
        }
        _ => {
            // Halves the published limit at one mass.
            let path = dir.join("limit.csv");
            let text = std::fs::read_to_string(&path).expect("limit");
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let row = 1 + at % (lines.len() - 1);
            let (m, eps) = lines[row].split_once(',').expect("row");
            let eps: f64 = eps.parse().expect("number");
            lines[row] = format!("{m},{:e}", 0.5 * eps);
            std::fs::write(&path, lines.join("\n") + "\n").expect("limit");
        }
    }
}

/// Starts a scan of `dir/s.toml`, waits until its tables are built, lets it run for `delay`
/// and kills it (SIGKILL: no handler runs, the checkpoint's last line may be cut).
#[cfg(unix)]
fn kill_scan_after(dir: &Path, delay: Duration) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
        .current_dir(dir)
        .args(["scan", "s.toml", "--quiet", "--threads", "2"])
        .env("DARKSENS_TIMING", "1")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("darksens starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("tables") {
        line.clear();
        if stderr.read_line(&mut line).expect("stderr") == 0 {
            break;
        }
    }
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

/// A scan of `dir/s.toml` run to the end; its CSV and what it said on stderr.
fn finished_scan(dir: &Path) -> (Vec<u8>, String) {
    let output = darksens()
        .current_dir(dir)
        .args(["scan", "s.toml", "--threads", "2"])
        .output()
        .expect("darksens runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (std::fs::read(dir.join("out/s.csv")).expect("csv"), stderr)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// Kill a scan at a random moment, change one input file, resume: the CSV equals a fresh
    /// run's on the changed files, and the resumed run says why it did not reuse the points.
    #[cfg(unix)]
    #[test]
    fn a_resumed_scan_never_mixes_old_and_new_inputs(
        which in 0usize..3,
        at in 0usize..1000,
        delay_ms in 0u64..600,
    ) {
        let dir = scratch(&format!("resume_after_edit_{which}_{at}_{delay_ms}"));
        inputs(&dir);
        kill_scan_after(&dir, Duration::from_millis(delay_ms));
        let checkpoint = dir.join("out/.darksens/s.checkpoint.jsonl");
        let killed_with_points = std::fs::read_to_string(&checkpoint)
            .is_ok_and(|t| t.lines().count() > 2);
        mutate(&dir, which, at);
        let (resumed, stderr) = finished_scan(&dir);
        prop_assert!(!stderr.contains("resuming"), "{}", stderr);
        if killed_with_points {
            prop_assert!(stderr.contains("starting afresh") && stderr.contains("input file"), "{}", stderr);
        }
        prop_assert!(!checkpoint.exists());
        std::fs::remove_dir_all(dir.join("out")).expect("clean");
        let (fresh, _) = finished_scan(&dir);
        prop_assert!(resumed == fresh, "the resumed CSV differs from a fresh run's");
        std::fs::remove_dir_all(&dir).expect("clean");
    }
}

/// Unchanged inputs: the killed scan resumes (at least when it had stored points) to the
/// bytes of an uninterrupted run.
#[cfg(unix)]
#[test]
fn a_killed_scan_resumes_to_the_same_bytes() {
    let dir = scratch("resume_unchanged");
    inputs(&dir);
    let (fresh, _) = finished_scan(&dir);
    std::fs::remove_dir_all(dir.join("out")).expect("clean");
    kill_scan_after(&dir, Duration::from_millis(300));
    let had_points = std::fs::read_to_string(dir.join("out/.darksens/s.checkpoint.jsonl"))
        .is_ok_and(|t| t.lines().count() > 2);
    let (resumed, stderr) = finished_scan(&dir);
    if had_points {
        assert!(stderr.contains("resuming"), "{stderr}");
    }
    assert!(resumed == fresh, "resumed CSV differs");
}

/// Damage inside a checkpoint (a line of garbage, a NaN yield) costs only the damaged points,
/// and the scan says so.
#[test]
fn a_damaged_checkpoint_keeps_its_valid_points_and_says_what_was_wrong() {
    let dir = scratch("damaged_checkpoint");
    inputs(&dir);
    let (fresh, _) = finished_scan(&dir);
    // A checkpoint as a killed run would leave it: a shard file of the whole scan is one.
    darksens()
        .current_dir(&dir)
        .args(["scan", "s.toml", "--quiet", "--shard", "1/2"])
        .assert()
        .success();
    let shard = std::fs::read_to_string(dir.join("out/s.shard-1-of-2.jsonl")).expect("shard");
    let mut lines: Vec<String> = shard
        .lines()
        .filter(|l| !l.contains("complete"))
        .map(str::to_string)
        .collect();
    let header: serde_json::Value = serde_json::from_str(&lines[0]).expect("header");
    let mut header = header;
    header["run"].as_object_mut().expect("run").remove("shard");
    lines[0] = header.to_string();
    lines[5] = "\u{1}garbage".to_string();
    let mut unit: serde_json::Value = serde_json::from_str(&lines[9]).expect("unit");
    unit["words"][0] = serde_json::json!(f64::NAN.to_bits());
    lines[9] = unit.to_string();
    std::fs::create_dir_all(dir.join("out/.darksens")).expect("dir");
    std::fs::write(
        dir.join("out/.darksens/s.checkpoint.jsonl"),
        lines.join("\n") + "\n",
    )
    .expect("checkpoint");
    std::fs::remove_file(dir.join("out/s.csv")).expect("old csv");
    let (resumed, stderr) = finished_scan(&dir);
    assert!(
        stderr.contains("1 damaged line(s) skipped (line 6)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 stored point(s) held damaged numbers"),
        "{stderr}"
    );
    assert!(stderr.contains("resuming"), "{stderr}");
    assert!(resumed == fresh, "resumed CSV differs");
}

/// Two different scans into one directory at once: the second is refused (exit 2) while the
/// first runs, and the first writes exactly what it writes alone.
#[cfg(unix)]
#[test]
fn a_second_scan_into_the_same_outputs_is_refused_while_the_first_runs() {
    let dir = scratch("concurrent");
    inputs(&dir);
    let (alone, _) = finished_scan(&dir);
    std::fs::remove_dir_all(dir.join("out")).expect("clean");
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
        .current_dir(&dir)
        .args(["scan", "s.toml", "--quiet", "--threads", "1"])
        .env("DARKSENS_TIMING", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("first scan starts");
    let mut stderr = BufReader::new(first.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("tables") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "first ended early"
        );
    }
    let second = darksens()
        .current_dir(&dir)
        .args(["scan", "s.toml", "--quiet", "--set", "model.alpha_d=0.1"])
        .output()
        .expect("second runs");
    let message = String::from_utf8_lossy(&second.stderr);
    let first_status = first.wait().expect("first ends");
    assert!(first_status.success());
    assert_eq!(second.status.code(), Some(2), "{message}");
    assert!(
        message.contains("another darksens run is writing"),
        "{message}"
    );
    let written = std::fs::read(dir.join("out/s.csv")).expect("csv");
    assert!(written == alone, "the first scan's CSV was disturbed");
    assert!(
        !dir.join("out/.darksens").exists(),
        "lock and checkpoint removed"
    );
}

/// A cached generator spectrum edited on disk is regenerated, not used.
#[test]
fn an_edited_generator_cache_is_regenerated() {
    let dir = scratch("cache_edit");
    let cache = dir.join("cache");
    let generate = |name: &str| {
        darksens()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("DARKSENS_CACHE", &cache)
            .args([
                "generate",
                "configs/belle2_dp.toml",
                "--quiet",
                "--set",
                "source.spectrum={generator=\"radiative-bhabha\", points=20000}",
                "--spectrum",
            ])
            .arg(dir.join(name))
            .assert()
            .success();
        std::fs::read(dir.join(name)).expect("spectrum")
    };
    let first = generate("first.csv");
    let cached: Vec<PathBuf> = std::fs::read_dir(&cache)
        .expect("cache")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let text = std::fs::read_to_string(&cached[0]).expect("cache file");
    // Ten times the cross section in the header and in one bin.
    let edited = text.replacen("sigma_pb=1", "sigma_pb=9", 1);
    assert_ne!(edited, text);
    std::fs::write(&cached[0], edited).expect("edit");
    let second = generate("second.csv");
    assert!(first == second, "the edited cache was used");
    assert_eq!(
        std::fs::read_to_string(&cached[0]).expect("cache"),
        text,
        "rewritten"
    );
}

/// Temporary files that a run killed while writing left beside its outputs are removed by the
/// next run of the same outputs; an interrupted run leaves no empty output directory.
#[test]
fn stale_temporary_files_and_empty_directories_do_not_accumulate() {
    let dir = scratch("stale_temporaries");
    inputs(&dir);
    std::fs::create_dir_all(dir.join("out")).expect("out");
    let stale = dir.join("out/.s.csv.darksens-AbCdEf.tmp");
    let other = dir.join("out/.other.csv.darksens-AbCdEf.tmp");
    std::fs::write(&stale, vec![0u8; 1 << 20]).expect("stale");
    std::fs::write(&other, "another scan's").expect("other");
    finished_scan(&dir);
    assert!(!stale.exists(), "stale temporary removed");
    assert!(
        other.exists(),
        "another output's temporary is not ours to remove"
    );

    // A scan stopped by SIGINT without a checkpoint leaves no directory it created.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
        .current_dir(&dir)
        .args([
            "scan",
            "s.toml",
            "--quiet",
            "--no-checkpoint",
            "--out",
            "new/deeper",
        ])
        .args(["--set", "scan.points=400000"])
        .env("DARKSENS_TIMING", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("scan starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("tables") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "ended early"
        );
    }
    assert!(
        dir.join("new/deeper/.darksens").exists(),
        "the lock is there"
    );
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    assert_eq!(child.wait().expect("ends").code(), Some(130));
    assert!(!dir.join("new").exists(), "no empty directory left");
}
