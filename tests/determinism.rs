//! Determinism everywhere: every shipped scenario, with fewer points, gives the same
//! CSV and PNG bytes on 1, 2 and 4 threads, split into three shards and merged, and resumed
//! after a SIGKILL.

use std::path::{Path, PathBuf};
use std::process::Command;

fn darksens() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("darksens"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SLURM_ARRAY_TASK_ID");
    command
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("determinism")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn run(command: &mut Command) {
    let output = command.output().expect("darksens runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Fewer points for a config (the dense range only where it has one).
fn reduced(config: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(config))
        .expect("config");
    let mut set = vec!["--set".to_string(), "scan.points=14".to_string()];
    if text.contains("dense_points") {
        set.extend(["--set".to_string(), "scan.dense_points=7".to_string()]);
    }
    set
}

/// The CSV and PNG bytes of a result directory.
fn outputs(dir: &Path, stem: &str) -> (Vec<u8>, Vec<u8>) {
    let read = |ext: &str| {
        std::fs::read(dir.join(format!("{stem}.{ext}")))
            .unwrap_or_else(|e| panic!("{}/{stem}.{ext}: {e}", dir.display()))
    };
    (read("csv"), read("png"))
}

/// Whether a shipped config is an emulsion scenario (`source.kind = "ee-collider"`): its grid
/// scan (Monte Carlo acceptances and decay profiles included) is compared instead.
fn is_emulsion(config: &str) -> bool {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(config))
        .is_ok_and(|t| t.contains("kind = \"ee-collider\""))
}

fn emulsion_scan_is_identical_across_threads_and_shards(config: &str) {
    let stem = Path::new(config)
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let set = [
        "--set",
        "monte_carlo.events=200000",
        "--set",
        "scan.x.points=9",
        "--set",
        "scan.y.points=13",
    ];
    let read = |dir: &Path| {
        let (csv, png) = outputs(dir, &stem);
        let boundary = std::fs::read(dir.join(format!("{stem}.boundary.csv"))).expect("boundary");
        (csv, png, boundary)
    };
    let scan = |threads: &str| {
        let dir = scratch(&format!("{stem}-{threads}"));
        run(darksens()
            .args(["scan", config, "--quiet", "--out"])
            .arg(&dir)
            .args(set)
            .env("RAYON_NUM_THREADS", threads));
        read(&dir)
    };
    let one = scan("1");
    for threads in ["2", "4"] {
        assert!(scan(threads) == one, "{config}: {threads} threads differ");
    }
    let dir = scratch(&format!("{stem}-shards"));
    for k in 1..=2 {
        run(darksens()
            .args([
                "scan",
                config,
                "--quiet",
                "--shard",
                &format!("{k}/2"),
                "--out",
            ])
            .arg(&dir)
            .args(set));
    }
    run(darksens()
        .args(["merge", "--quiet", "-o"])
        .arg(&dir)
        .args((1..=2).map(|k| dir.join(format!("{stem}.shard-{k}-of-2.jsonl")))));
    assert!(
        read(&dir) == one,
        "{config}: two shards merged differ from one run"
    );
}

#[test]
fn every_shipped_config_is_identical_across_threads_and_shards() {
    let mut configs: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("configs"))
            .expect("configs")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| format!("configs/{}", p.file_name().expect("name").to_string_lossy()))
            .collect();
    configs.sort();
    assert!(configs.len() >= 6, "{configs:?}");
    for config in &configs {
        if is_emulsion(config) {
            emulsion_scan_is_identical_across_threads_and_shards(config);
            continue;
        }
        let stem = Path::new(config)
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let set = reduced(config);
        let mut reference = None;
        for threads in ["1", "2", "4"] {
            let dir = scratch(&format!("{stem}-{threads}"));
            run(darksens()
                .args(["scan", config, "--quiet", "--no-checkpoint", "--out"])
                .arg(&dir)
                .args(&set)
                .env("RAYON_NUM_THREADS", threads));
            let bytes = outputs(&dir, &stem);
            match &reference {
                None => reference = Some(bytes),
                Some(r) => assert!(r == &bytes, "{config}: {threads} threads differ from 1"),
            }
        }
        let dir = scratch(&format!("{stem}-shards"));
        for k in 1..=3 {
            run(darksens()
                .args([
                    "scan",
                    config,
                    "--quiet",
                    "--shard",
                    &format!("{k}/3"),
                    "--out",
                ])
                .arg(&dir)
                .args(&set)
                .env("RAYON_NUM_THREADS", "2"));
        }
        let shards: Vec<PathBuf> = (1..=3)
            .map(|k| dir.join(format!("{stem}.shard-{k}-of-3.jsonl")))
            .collect();
        run(darksens()
            .args(["merge", "--quiet", "-o"])
            .arg(&dir)
            .args(&shards));
        assert!(
            reference.as_ref() == Some(&outputs(&dir, &stem)),
            "{config}: three shards merged differ from one run"
        );
    }
}

/// A scan killed with SIGKILL keeps its finished points; the same command then computes only
/// the rest and writes the same bytes as a run that was never stopped.
#[cfg(unix)]
#[test]
fn a_killed_scan_resumes_to_the_same_bytes() {
    let set = ["--set", "scan.points=20000", "--set", "scan.dense_points=7"];
    let whole = scratch("resume-whole");
    run(darksens()
        .args([
            "scan",
            "configs/belle2_dp.toml",
            "--quiet",
            "--no-checkpoint",
            "--out",
        ])
        .arg(&whole)
        .args(set));

    let dir = scratch("resume");
    let checkpoint = dir.join(".darksens/belle2_dp.checkpoint.jsonl");
    let mut child = darksens()
        .args(["scan", "configs/belle2_dp.toml", "--quiet", "--out"])
        .arg(&dir)
        .args(set)
        .spawn()
        .expect("darksens starts");
    // Kill it once a few thousand points are in the checkpoint.
    let lines = || std::fs::read_to_string(&checkpoint).map_or(0, |t| t.lines().count());
    while lines() < 3000 {
        assert!(
            child.try_wait().expect("status").is_none(),
            "finished before the kill"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let kept = lines();
    assert!(
        !dir.join("belle2_dp.csv").exists(),
        "no output after a kill"
    );
    assert!(
        kept < 20_007,
        "the kill came too late to test anything ({kept} lines)"
    );

    let output = darksens()
        .args(["scan", "configs/belle2_dp.toml", "--out"])
        .arg(&dir)
        .args(set)
        .output()
        .expect("darksens runs");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reused: usize = stderr
        .split("resuming: ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no resume note: {stderr}"));
    // Every whole line of the checkpoint but its header (and at most one line cut by the kill).
    assert!(
        reused + 2 >= kept && reused < kept,
        "reused {reused} of {kept} lines"
    );
    assert_eq!(outputs(&dir, "belle2_dp"), outputs(&whole, "belle2_dp"));
    assert!(
        !checkpoint.exists(),
        "the checkpoint is removed after the outputs are written"
    );
}
