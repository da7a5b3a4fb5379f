//! Command-line tests (regression tests, not validation): the README commands, the CSV
//! interface, determinism across thread counts, `explain --json`, signals (bad input: the
//! catalogue of tests/bad_inputs.rs).

mod common;

use assert_cmd::Command;
use common::scratch;
use predicates::prelude::*;
use std::path::Path;

fn darksens() -> Command {
    let mut cmd = Command::cargo_bin("darksens").expect("binary built");
    // Inside a Slurm job array a scan would compute one shard only.
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SLURM_ARRAY_TASK_ID");
    cmd
}

/// The names of the files in a directory, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const SMALL: [&str; 4] = ["--set", "scan.points=12", "--set", "scan.dense_points=5"];

fn scan_csv(dir: &Path, threads: &str) -> Vec<u8> {
    darksens()
        .args(["scan", "configs/belle2_dp.toml", "--quiet", "--out"])
        .arg(dir)
        .args(SMALL)
        .env("RAYON_NUM_THREADS", threads)
        .assert()
        .success();
    std::fs::read(dir.join("belle2_dp.csv")).expect("csv written")
}

#[test]
fn scan_writes_csv_png_and_sidecar() {
    let dir = scratch("scan_outputs");
    darksens()
        .args(["scan", "configs/belle2_dp.toml", "--out"])
        .arg(&dir)
        .args(SMALL)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("best eps")
                .and(predicate::str::contains("annihilation dominates")),
        );
    let csv =
        String::from_utf8(std::fs::read(dir.join("belle2_dp.csv")).expect("csv")).expect("utf8");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "curve,mass_mev,epsilon_limit,n_ann_per_eps2,n_brem_per_eps2,n_background,n_required,status"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.iter().all(|r| r.ends_with(",ok")),
        "default numerics converge"
    );
    assert_eq!(rows.len(), 3 * 17, "three curves x 17 masses");
    assert!(rows[0].starts_with("computed background,1,"));
    assert!(rows[17].starts_with("N_b = 1000,1,"));
    assert!(rows[34].starts_with("bound electrons + ISR,1,"));
    let png = std::fs::read(dir.join("belle2_dp.png")).expect("png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("belle2_dp.meta.json")).expect("meta"))
            .expect("json");
    for key in [
        "darksens_version",
        "curves",
        "threads",
        "wall_time_s",
        "numerics",
        "overrides",
    ] {
        assert!(meta.get(key).is_some(), "sidecar lacks {key}");
    }
    assert_eq!(
        meta["curves"][1]["resolved_scenario"]["background"]["total"],
        1000.0
    );
    // Nothing but the three outputs: no temporary files left behind.
    assert_eq!(
        file_names(&dir),
        ["belle2_dp.csv", "belle2_dp.meta.json", "belle2_dp.png"]
    );
}

#[test]
fn csv_is_byte_identical_for_one_and_two_threads() {
    let one = scan_csv(&scratch("threads_1"), "1");
    let two = scan_csv(&scratch("threads_2"), "2");
    assert_eq!(one, two);
}

#[test]
fn explain_json_has_every_interface_key() {
    let output = darksens()
        .args([
            "explain",
            "configs/belle2_dp.toml",
            "--mass-mev",
            "66.72",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).expect("json");
    for key in [
        "sigma_source_pb",
        "sigma_bhabha_pb",
        "n_positrons",
        "e_min_gev",
        "e_max_gev",
        "p_photon_punch",
        "n_bkg_photon",
        "n_bkg_neutron",
        "n_background",
        "n_ann_per_eps2",
        "n_brem_per_eps2",
        "n_required",
        "epsilon_limit",
    ] {
        assert!(
            json[key].as_f64().is_some_and(f64::is_finite),
            "{key} missing or not a number"
        );
    }
    assert_eq!(json["sigma_source_pb"], json["sigma_bhabha_pb"]);
    let n_required = json["n_required"].as_f64().unwrap_or_default();
    let total = json["n_ann_per_eps2"].as_f64().unwrap_or_default()
        + json["n_brem_per_eps2"].as_f64().unwrap_or_default();
    let eps = json["epsilon_limit"].as_f64().unwrap_or_default();
    assert!((eps * eps * total / n_required - 1.0).abs() < 1e-12);
    assert_eq!(json["status"], "ok");
}

/// The electron control sample counts electrons entering the target, and explain names them so.
#[test]
fn explain_names_the_particles_of_the_control_sample() {
    let explain = |config: &str| -> serde_json::Value {
        let output = darksens()
            .args(["explain", config, "--mass-mev", "50", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&output).expect("json")
    };
    let electrons = explain("configs/belle2_control_electron.toml");
    let positrons = explain("configs/belle2_dp.toml");
    assert!(electrons["n_electrons"].as_f64().is_some_and(|n| n > 1e11));
    assert!(electrons.get("n_positrons").is_none());
    assert!(positrons["n_positrons"].as_f64().is_some_and(|n| n > 1e11));
    assert!(positrons.get("n_electrons").is_none());
}

/// A limit at or above eps = 1 is no constraint, and explain says so (JSON `status`, a note in
/// the text) instead of printing the number alone.
#[test]
fn explain_flags_a_limit_above_one() {
    let explain = |json: bool| {
        let mut command = darksens();
        command.args(["explain", "configs/belle2_dp.toml", "--mass-mev", "5000"]);
        if json {
            command.arg("--json");
        }
        command.assert().success().get_output().stdout.clone()
    };
    let json: serde_json::Value = serde_json::from_slice(&explain(true)).expect("json");
    assert!(json["epsilon_limit"].as_f64().is_some_and(|e| e > 1.0));
    assert_eq!(json["status"], "eps-above-1");
    let text = String::from_utf8(explain(false)).expect("utf-8");
    assert!(
        text.contains("NO CONSTRAINT") && text.contains("eps-above-1"),
        "{text}"
    );
}

/// A mediator at the floor of the pair's radiative tail is not converged for a reason no printed
/// error shows (its radiative return is not computed): explain says that reason, and a mass
/// well above the floor is not flagged.
#[test]
fn explain_says_why_a_light_mediator_is_not_converged() {
    let explain = |mass: &str| {
        let output = darksens()
            .args([
                "explain",
                "configs/belle2_dp.toml",
                "--curve",
                "3",
                "--mass-mev",
                mass,
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(output).expect("utf-8")
    };
    let light = explain("0.01");
    assert!(
        light.contains("NOT CONVERGED: the resonance, sqrt(s) = m = 0.01 MeV")
            && light.contains("radiative return of the positrons above is not computed")
            && !light.contains("a number above missed its tolerance"),
        "{light}"
    );
    assert!(!explain("3").contains("NOT CONVERGED"));
    let json = darksens()
        .args([
            "explain",
            "configs/belle2_dp.toml",
            "--curve",
            "3",
            "--mass-mev",
            "0.01",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&json).expect("json");
    assert_eq!(json["misses_radiative_return"], true);
    assert_eq!(json["converged"], false);
}

/// explain says what a scan of the same point would warn about: a sqrt(N_b) rule below one
/// signal event (the second curve, with its 1000 background events, is not named), and the
/// scenario's own warnings.
#[test]
fn explain_warns_as_a_scan_would() {
    let explain = |curve: &str| {
        let output = darksens()
            .args(["explain", "configs/belle2_dp.toml", "--mass-mev", "70"])
            .args(["--set", "source.luminosity_ab=1e-6", "--curve", curve])
            .args(["--set", "limit.cl=0.95"])
            .assert()
            .success()
            .get_output()
            .stderr
            .clone();
        String::from_utf8(output).expect("utf-8")
    };
    let first = explain("1");
    assert!(
        first.contains(
            "curve \"computed background\": the sqrt-nb rule asks for 0.0022107 signal events"
        ),
        "{first}"
    );
    assert!(
        first.contains("--set limit.cl=0.95 changes no limit"),
        "{first}"
    );
    assert!(!explain("2").contains("sqrt-nb rule asks"));
}

#[test]
fn set_overrides_change_the_result() {
    let base = darksens()
        .args([
            "explain",
            "configs/belle2_dp.toml",
            "--mass-mev",
            "300",
            "--json",
        ])
        .output()
        .expect("runs");
    let more = darksens()
        .args([
            "explain",
            "configs/belle2_dp.toml",
            "--mass-mev",
            "300",
            "--json",
            "--set",
            "source.luminosity_ab=5",
            "--set",
            "background.total=500",
        ])
        .output()
        .expect("runs");
    let a: serde_json::Value = serde_json::from_slice(&base.stdout).expect("json");
    let b: serde_json::Value = serde_json::from_slice(&more.stdout).expect("json");
    assert_eq!(b["n_background"], 500.0);
    let ratio = a["n_brem_per_eps2"].as_f64().unwrap_or_default()
        / b["n_brem_per_eps2"].as_f64().unwrap_or(1.0);
    assert!(
        (ratio - 10.0).abs() < 1e-9,
        "yields scale with luminosity: {ratio}"
    );
}

/// Bad input: exit code 2 and a message naming what, where and how.
/// Curves on one target with different models (alpha_D widens the resonance) have different
/// annihilation ranges: each curve states its own, none is stated for all.
#[test]
fn each_curve_states_its_own_annihilation_range_when_they_differ() {
    let dir = scratch("own_ranges");
    let output = darksens()
        .args(["scan", "configs/na64_dp.toml", "--no-checkpoint", "--out"])
        .arg(&dir)
        .output()
        .expect("darksens runs");
    assert!(output.status.success());
    let summary = String::from_utf8_lossy(&output.stdout);
    let ranges: Vec<&str> = summary
        .lines()
        .filter(|l| l.contains("annihilation dominates for"))
        .collect();
    assert_eq!(ranges.len(), 2, "{summary}");
    assert!(ranges.iter().all(|l| l.starts_with("  ")), "{summary}");
    assert_ne!(ranges[0], ranges[1], "{summary}");
}

/// The summary states the criterion and its confidence level: once when every curve has the
/// same, on each curve's lines when they differ (the radiative Bhabha comparison counts three
/// events on one curve); `sqrt-nb` with another `delta_chi2` gives another level.
#[test]
fn the_summary_states_the_criterion_of_the_limits() {
    let dir = scratch("criterion");
    let summary = |config: &str, set: &[&str]| {
        let mut command = darksens();
        command.args(["scan", config, "--no-checkpoint"]);
        for item in ["scan.points=3", "scan.dense_points=2"].iter().chain(set) {
            command.args(["--set", item]);
        }
        let output = command.arg("--out").arg(&dir).output().expect("runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let shared = summary("configs/belle2_scalar.toml", &[]);
    let lines: Vec<&str> = shared.lines().filter(|l| l.contains("limit: ")).collect();
    assert_eq!(
        lines,
        [
            "limit: expected 90% CL upper limit, N_s = sqrt(2.71 N_b) (90% = P(chi^2_1 <= 2.71), two-sided)"
        ],
        "{shared}"
    );
    let wider = summary("configs/belle2_scalar.toml", &["limit.delta_chi2=1"]);
    assert!(
        wider.contains("limit: expected 68.3% CL upper limit, N_s = sqrt(1 N_b)"),
        "{wider}"
    );
    let own = summary("configs/belle2_rbs.toml", &[]);
    let lines: Vec<&str> = own.lines().filter(|l| l.contains("limit: ")).collect();
    assert_eq!(lines.len(), 2, "{own}");
    assert!(lines[0].starts_with("  limit: expected 90% CL"), "{own}");
    assert!(
        lines[1].contains("N_s = 3 signal events (95% CL for a count without background)"),
        "{own}"
    );
}

/// A scan of one mass (`[m, m]` with one point) runs and says so; a best limit at an end of
/// a scan says the limit may be stronger beyond it.
#[test]
fn a_one_mass_scan_runs_and_a_best_limit_at_the_scan_end_is_flagged() {
    let run = |name: &str, sets: &[&str]| {
        let dir = scratch(name);
        let mut command = darksens();
        command.args(["scan", "configs/belle2_dp.toml", "--no-checkpoint", "--out"]);
        command.arg(&dir);
        for set in sets {
            command.args(["--set", set]);
        }
        let output = command.output().expect("darksens runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let one = run(
        "one_mass",
        &[
            "scan.log_range=[250.0,250.0]",
            "scan.points=1",
            "scan.dense_range=[250.0,250.0]",
            "scan.dense_points=1",
        ],
    );
    assert!(
        one.contains("at m = 250.000 MeV (the scan's only point)"),
        "{one}"
    );
    let above = run(
        "edge_mass",
        &[
            "scan.log_range=[100.0,250.0]",
            "scan.points=5",
            "scan.dense_range=[110.0,120.0]",
            "scan.dense_points=2",
        ],
    );
    assert!(
        above.contains(
            "at m = 100.000 MeV (the scan's lowest mass: the limit may be stronger below the scan)"
        ),
        "{above}"
    );
}

/// A bremsstrahlung yield rescaled from a published limit is named as such by `explain`, with
/// no integration error claimed for it.
#[test]
fn explain_names_a_rescaled_bremsstrahlung_yield() {
    let output = darksens()
        .args(["explain", "configs/na64_dp.toml", "--mass-mev", "100"])
        .output()
        .expect("darksens runs");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("rescaled from the published limit [DPT Eq. C.1]")
            && text.contains("bremsstrahlung not integrated")
            && !text.contains("[DPT Eq. 4.5]"),
        "{text}"
    );
}

#[test]
fn explain_rejects_a_non_positive_mass() {
    darksens()
        .args(["explain", "configs/belle2_dp.toml", "--mass-mev", "-3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--mass-mev must be between 0.001 and 10000000 MeV, got -3",
        ));
}

#[test]
fn unwritable_output_fails_before_computing() {
    let dir = scratch("unwritable");
    let blocker = dir.join("file");
    std::fs::write(&blocker, "not a directory").expect("write");
    darksens()
        .args(["scan", "configs/belle2_dp.toml", "--out"])
        .arg(blocker.join("sub"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot"));
}

#[test]
fn scanning_another_key_names_its_column() {
    let dir = scratch("alpha_d_scan");
    darksens()
        .args([
            "scan",
            "configs/belle2_dp_alphad.toml",
            "--quiet",
            "--set",
            "scan.points=3",
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.join("belle2_dp_alphad.csv")).expect("csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "curve,model.alpha_d,mass_mev,epsilon_limit,n_ann_per_eps2,n_brem_per_eps2,n_background,n_required,status"
        )
    );
    let first: Vec<&str> = lines.next().expect("a row").split(',').collect();
    assert_eq!((first[1], first[2]), ("1e-4", "66.66"));
}

#[test]
fn scanning_another_key_needs_a_mass() {
    darksens()
        .args([
            "scan",
            "configs/belle2_dp.toml",
            "--set",
            "scan.parameter=model.alpha_d",
            "--set",
            "scan.log_range=[1e-3, 1e-1]",
            "--set",
            "scan.dense_range=[1e-2, 2e-2]",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a fixed mass"));
    // The mass scan's dense range left in place is outside the couplings alpha_D may take.
    darksens()
        .args([
            "scan",
            "configs/belle2_dp.toml",
            "--set",
            "scan.parameter=model.alpha_d",
            "--set",
            "scan.log_range=[1e-3, 1e-1]",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("got 90"))
        .stderr(predicate::str::contains("scan.dense_range"));
}

#[test]
fn poisson_cls_bands_add_four_columns_and_explain_shows_them() {
    let dir = scratch("bands");
    darksens()
        .args([
            "scan",
            "configs/belle2_dp.toml",
            "--quiet",
            "--set",
            "limit.method=poisson-cls",
            "--set",
            "limit.bands=true",
            "--out",
        ])
        .arg(&dir)
        .args(SMALL)
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.join("belle2_dp.csv")).expect("csv");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    assert_eq!(
        header[7..],
        [
            "status",
            "epsilon_limit_minus2sigma",
            "epsilon_limit_minus1sigma",
            "epsilon_limit_plus1sigma",
            "epsilon_limit_plus2sigma"
        ]
    );
    for row in csv.lines().skip(1) {
        let v: Vec<f64> = row
            .split(',')
            .skip(1)
            .filter(|x| *x != "ok")
            .map(|x| x.parse().expect("number"))
            .collect();
        // -2 <= -1 <= median <= +1 <= +2 sigma
        assert!(
            v[6] <= v[7] && v[7] <= v[1] && v[1] <= v[8] && v[8] <= v[9],
            "{row}"
        );
    }
    let output = darksens()
        .args([
            "explain",
            "configs/belle2_dp.toml",
            "--mass-mev",
            "70",
            "--json",
            "--set",
            "limit.method=poisson-cls",
            "--set",
            "limit.bands=true",
        ])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["n_required_bands"].as_array().map(Vec::len), Some(4));
}

/// Bands asked of a method that has none (`sqrt-nb`) are named in a warning, not dropped
/// silently; `poisson-cls` has them and says nothing.
#[test]
fn bands_of_a_method_without_them_are_named() {
    let dir = scratch("bands_sqrt_nb");
    let stderr = |method: &str| {
        let output = darksens()
            .args([
                "scan",
                "configs/belle2_dp.toml",
                "--quiet",
                "--no-checkpoint",
            ])
            .args(["--set", &format!("limit.method={method}")])
            .args(["--set", "limit.bands=true", "--out"])
            .arg(&dir)
            .args(SMALL)
            .output()
            .expect("runs");
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let warned = stderr("sqrt-nb");
    assert!(
        warned.contains("only limit.method = \"poisson-cls\" has expected bands")
            && warned.contains("\"computed background\", \"N_b = 1000\""),
        "{warned}"
    );
    let quiet = stderr("poisson-cls");
    assert!(!quiet.contains("expected bands"), "{quiet}");
}

#[test]
fn discovery_reach_without_background_needs_one_event() {
    let dir = scratch("discovery");
    darksens()
        .args([
            "scan",
            "configs/na64_dp.toml",
            "--quiet",
            "--set",
            "scan.points=5",
            "--set",
            "scan.dense_points=3",
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    let limits = std::fs::read_to_string(dir.join("na64_dp.csv")).expect("csv");
    darksens()
        .args([
            "scan",
            "configs/na64_dp.toml",
            "--quiet",
            "--set",
            "scan.points=5",
            "--set",
            "scan.dense_points=3",
        ])
        .args([
            "--set",
            "limit.method=discovery",
            "--set",
            "limit.statistic=poisson",
            "--set",
            "limit.z=5",
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    let discovery = std::fs::read_to_string(dir.join("na64_dp.csv")).expect("csv");
    for (l, d) in limits.lines().skip(1).zip(discovery.lines().skip(1)) {
        let eps = |row: &str| {
            row.split(',')
                .nth(2)
                .and_then(|x| x.parse::<f64>().ok())
                .expect("eps")
        };
        // Zero background: 5 sigma needs one event (median at ln 2 = 0.69 signal) against 2.3.
        assert!(
            (eps(d) / eps(l) - (std::f64::consts::LN_2 / 2.3).sqrt()).abs() < 1e-9,
            "{l} / {d}"
        );
    }
}

/// Without its sidecar a CSV is drawn alone, with a warning that says what is missing.
#[test]
fn a_plot_without_its_sidecar_says_what_is_missing() {
    let dir = scratch("alone");
    let csv = dir.join("alone.csv");
    std::fs::write(
        &csv,
        "curve,mass_mev,epsilon_limit,n_ann_per_eps2,n_brem_per_eps2,n_background,n_required,status\n\
         a,1,1e-4,0,1e9,90,15.6,ok\n\
         a,10,2e-4,0,2e8,90,15.6,ok\n",
    )
    .expect("csv");
    darksens()
        .arg("plot")
        .arg(&csv)
        .arg("-o")
        .arg(dir.join("alone.png"))
        .assert()
        .success()
        .stderr(
            predicate::str::contains("has no readable sidecar").and(predicate::str::contains(
                "no scenario title, annotation or overlays",
            )),
        );
}

/// A `--set` that a curve's own `set` replaces, or that falsifies a curve's label, is named on
/// stderr (the run goes on: both may be meant).
#[test]
fn a_set_that_a_curve_overrides_or_its_label_contradicts_is_named() {
    darksens()
        .args([
            "check",
            "configs/na64_dp.toml",
            "--set",
            "model.alpha_d=0.3",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "curve 1 \"α_D = 0.1\" names 0.1 in its label",
        ))
        .stderr(predicate::str::contains(
            "--set model.alpha_d=0.3 does not reach curve 2 \"α_D = 0.5\"",
        ));
    darksens()
        .args(["check", "configs/na64_dp.toml", "--set", "limit.n_signal=3"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

/// A mass the file gives to a mass scan is replaced at every point: named with its line, and
/// the run goes on. A scan over another key uses the file's mass, and says nothing.
#[test]
fn a_mass_the_mass_scan_replaces_is_named() {
    let dir = scratch("unused_mass");
    let text = std::fs::read_to_string("tests/bad_inputs/base.toml").expect("base scenario");
    let with_mass = text.replace(
        "mchi_over_mmed = 0.3333333333333333\n",
        "mchi_over_mmed = 0.3333333333333333\nmass_mev = 50.0\n",
    );
    assert_ne!(with_mass, text, "the base scenario's [model] moved");
    let scenario = dir.join("with_mass.toml");
    std::fs::write(&scenario, &with_mass).expect("scenario");
    darksens()
        .arg("check")
        .arg(&scenario)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "with_mass.toml:22: model.mass_mev = 50.0 is not used: the scan varies model.mass_mev",
        ));
    let alpha_scan = dir.join("alpha_scan.toml");
    std::fs::write(
        &alpha_scan,
        with_mass
            .replace(
                "parameter = \"model.mass_mev\"",
                "parameter = \"model.alpha_d\"",
            )
            .replace("log_range = [10.0, 100.0]", "log_range = [0.01, 0.1]"),
    )
    .expect("scenario");
    darksens()
        .arg("check")
        .arg(&alpha_scan)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    // The same file made a mass scan by --set: its mass is named again.
    darksens()
        .arg("check")
        .arg(&alpha_scan)
        .args(["--set", "scan.parameter=model.mass_mev"])
        .args(["--set", "scan.log_range=[10.0, 100.0]"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "alpha_scan.toml:22: model.mass_mev = 50.0 is not used: the scan varies model.mass_mev",
        ));
}

#[test]
fn check_list_plot_and_completions() {
    darksens()
        .args(["check", "configs/belle2_dp.toml", "configs/na64_dp.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok: configs/na64_dp.toml"));
    // A material the scenario defines is shown as validation made it: X0 from Tsai's formula
    // (42.39 g/cm^2 for C21 H6 O at 1.56 g/cm^3, computed by hand from the PDG's formula).
    darksens()
        .args(["check", "configs/belle2_dp_realistic.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "material cdc-cfrp: 1.56 g/cm^3, X0 = 27.17",
        ));
    darksens()
        .args([
            "check",
            "configs/belle2_dp.toml",
            "--print",
            "--set",
            "model.alpha_d=0.5",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("alpha_d = 0.5"));
    darksens()
        .args([
            "check",
            "configs/belle2_emulsion.toml",
            "--print",
            "--set",
            "limit.n_signal=3.0",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("# emulsion scenario")
                .and(predicate::str::contains("[[detector]]"))
                .and(predicate::str::contains("n_signal = 3.0")),
        );
    // A scenario without a title is named after its file, and its record says so.
    let dir = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string("configs/na64_dp.toml").expect("config");
    let untitled: Vec<&str> = text.lines().filter(|l| !l.starts_with("title")).collect();
    let untitled = untitled.join("\n");
    std::fs::write(dir.path().join("untitled.toml"), untitled).expect("write");
    darksens()
        .arg("check")
        .arg(dir.path().join("untitled.toml"))
        .arg("--print")
        .assert()
        .success()
        .stdout(predicate::str::contains("title = \"untitled\""));
    // --outputs: the files a scan writes (the shard files follow the CSV's name), only them.
    darksens()
        .args([
            "check",
            "configs/belle2_emulsion_splitting.toml",
            "--outputs",
            "--quiet",
            "--set",
            "output.csv=runs/v2.csv",
        ])
        .assert()
        .success()
        .stdout(
            "runs/v2.csv\nruns/v2.boundary.csv\nout/belle2_emulsion_splitting.png\nruns/v2.meta.json\n",
        );
    darksens()
        .args(["check", "configs/belle2_dp.toml", "missing.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("1 of 2 scenario(s) are invalid"));
    darksens().arg("list").assert().success().stdout(
        predicate::str::contains("darkcast/NA64_NA642019imj")
            .and(predicate::str::contains("poisson-cls")),
    );
    darksens()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("darksens"));
}

/// Redrawing from the CSV and sidecar gives the same PNG bytes as the scan, with a sidecar of
/// its own; an overlay outside the plotted range is said so.
#[test]
fn a_redrawn_plot_matches_the_scan() {
    let dir = scratch("replot");
    darksens()
        .args(["scan", "configs/belle2_dp.toml", "--quiet", "--out"])
        .arg(&dir)
        .args(SMALL)
        .assert()
        .success();
    let replot = dir.join("replot.png");
    darksens()
        .arg("plot")
        .arg(dir.join("belle2_dp.csv"))
        .arg("-o")
        .arg(&replot)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&replot).expect("replot"),
        std::fs::read(dir.join("belle2_dp.png")).expect("plot")
    );
    // The redrawn plot has its own sidecar, beside it and not in place of the scan's: the
    // result it drew (with the content digest of the CSV) and the scenario that made it.
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("replot.png.meta.json")).expect("plot sidecar"),
    )
    .expect("json");
    let drawn = &record["results"][0];
    assert_eq!(drawn["scenario_file"], "configs/belle2_dp.toml");
    // The title drawn, taken from the scan's sidecar, not given on the command line.
    assert_eq!(
        record["title"],
        "Belle II disappearing positron track: invisible dark photon (DPT Fig. 3)"
    );
    assert_eq!(record["title_given"], false);
    assert_eq!(
        drawn["sha256"].as_str().expect("digest"),
        darksens::digest::sha256_file(&dir.join("belle2_dp.csv")).expect("csv")
    );
    assert!(
        std::fs::read_to_string(dir.join("belle2_dp.meta.json"))
            .expect("scan sidecar")
            .contains("\"curves\"")
    );
    // LEP's recast starts at 10 GeV, far beyond this scan: drawn nowhere, and said so.
    darksens()
        .arg("plot")
        .arg(dir.join("belle2_dp.csv"))
        .args(["--overlay", "darkcast/LEP_Fox2011fx", "-o"])
        .arg(dir.join("replot.svg"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "overlay \"LEP (recast) 2011 (excluded)\" (10000-90000 MeV) lies outside the plotted range",
        ));
    assert!(
        std::fs::read_to_string(dir.join("replot.svg"))
            .expect("svg")
            .starts_with("<svg")
    );
    // A file that is not there is reported as a missing file, not as a missing library curve.
    for spec in ["my_limit.csv", "./nowhere", "table.yaml#expected"] {
        darksens()
            .arg("plot")
            .arg(dir.join("belle2_dp.csv"))
            .args(["--overlay", spec, "-o"])
            .arg(dir.join("replot.svg"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--overlay {spec}: no such file"
            )));
    }
}

/// Results of the same name from two directories are told apart in the legend by their
/// directories; the same file given twice is refused.
#[test]
fn plotted_results_have_distinct_names() {
    let dir = scratch("distinct_names");
    for (sub, alpha) in [("a", "0.001"), ("r1", "0.1")] {
        darksens()
            .args(["scan", "configs/belle2_dp.toml", "--quiet", "--out"])
            .arg(dir.join(sub))
            .args(SMALL)
            .args(["--set", &format!("model.alpha_d={alpha}")])
            .assert()
            .success();
    }
    let svg = dir.join("both.svg");
    darksens()
        .arg("plot")
        .arg(dir.join("a/belle2_dp.csv"))
        .arg(dir.join("r1/belle2_dp.csv"))
        .arg("-o")
        .arg(&svg)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg).expect("svg");
    for name in [
        "a/belle2_dp: computed background",
        "r1/belle2_dp: computed background",
    ] {
        assert!(text.contains(name), "{name}");
    }
    // Different models: no common annotation. The same scenario twice: its annotation.
    assert!(!text.contains("50 ab⁻¹"), "{text}");
    std::fs::create_dir_all(dir.join("b")).expect("dir");
    for file in ["belle2_dp.csv", "belle2_dp.meta.json"] {
        std::fs::copy(dir.join("a").join(file), dir.join("b").join(file)).expect("copy");
    }
    let same = dir.join("same.svg");
    darksens()
        .arg("plot")
        .arg(dir.join("a/belle2_dp.csv"))
        .arg(dir.join("b/belle2_dp.csv"))
        .arg("-o")
        .arg(&same)
        .assert()
        .success();
    let text = std::fs::read_to_string(&same).expect("svg");
    assert!(text.contains("50 ab⁻¹"), "{text}");
    darksens()
        .arg("plot")
        .arg(dir.join("a/belle2_dp.csv"))
        .arg(dir.join("a/../a/belle2_dp.csv"))
        .arg("-o")
        .arg(dir.join("twice.png"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is given twice"));
}

/// A scan past the source's reach finishes: the points beyond it are rows with status
/// `closed` and no limit, those whose limit is eps >= 1 are `eps-above-1`; the summary names both
/// ranges, the sidecar lists them, and the plot of the CSV leaves the closed rows out.
#[test]
fn closed_points_and_no_constraint_are_rows_with_a_status() {
    let dir = scratch("closed");
    let out = darksens()
        .args(["scan", "configs/belle2_dp.toml", "--out"])
        .arg(&dir)
        .args(["--set", "scan.log_range=[1.0, 20000.0]"])
        .args(SMALL)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains("closed (beyond the source's reach"),
        "{stdout}"
    );
    assert!(
        stdout.contains("no constraint (the limit is eps >= 1)"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(dir.join("belle2_dp.csv")).expect("csv");
    let (mut closed, mut above) = (Vec::new(), 0);
    for row in csv.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        let (mass, eps, status) = (f[1].parse::<f64>().expect("mass"), f[2], f[7]);
        match status {
            "closed" => {
                assert!(eps.is_empty() && mass > 6617.0, "{row}");
                assert_eq!((f[3], f[4]), ("0", "0"), "{row}");
                closed.push(mass);
            }
            "eps-above-1" => {
                assert!(eps.parse::<f64>().expect("eps") >= 1.0, "{row}");
                above += 1;
            }
            "ok" => assert!(
                eps.parse::<f64>().expect("eps") < 1.0 && mass < 6618.0,
                "{row}"
            ),
            other => panic!("status {other} in {row}"),
        }
    }
    assert!(!closed.is_empty() && above > 0);
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("belle2_dp.meta.json")).expect("sidecar"),
    )
    .expect("json");
    let listed = meta["numerics"]["points_by_status"]["computed background"]["closed"]
        .as_array()
        .expect("list")
        .len();
    assert_eq!(3 * listed, closed.len());
    darksens()
        .args(["plot"])
        .arg(dir.join("belle2_dp.csv"))
        .arg("-o")
        .arg(dir.join("replot.png"))
        .assert()
        .success();
}

/// The sidecar counts, per curve, the annihilation yields a large scan took from its panels in
/// the mass (most of them from 4096 masses on); a small scan computes every one.
#[test]
fn the_sidecar_counts_interpolated_annihilation_yields() {
    let counts = |points: &str| -> Vec<u64> {
        let dir = scratch(&format!("interpolated-{points}"));
        darksens()
            .args(["scan", "configs/belle2_dp.toml", "--quiet", "--out"])
            .arg(&dir)
            .args(["--set", &format!("scan.points={points}")])
            .assert()
            .success();
        let meta: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("belle2_dp.meta.json")).expect("sidecar"),
        )
        .expect("json");
        let counted = &meta["numerics"]["annihilation_yields_interpolated_in_mass"];
        ["computed background", "N_b = 1000", "bound electrons + ISR"]
            .iter()
            .map(|label| counted[label].as_u64().expect("a count per curve"))
            .collect()
    };
    assert_eq!(counts("50"), [0, 0, 0]);
    // 5000 log-spaced masses and the 121 dense ones.
    for n in counts("5000") {
        assert!(n > 5121 / 2 && n <= 5121, "{n} of 5121 interpolated");
    }
}

#[test]
fn points_missing_the_tolerance_are_flagged_not_accepted() {
    let dir = scratch("unconverged");
    darksens()
        .args(["scan", "configs/belle2_dp.toml", "--out"])
        .arg(&dir)
        .args(SMALL)
        // Eight intervals per segment cannot resolve the at-rest curves' annihilation flux
        // table to the default 1e-3 (1.6e-2). (A coarse track-length table no longer serves:
        // its intervals are doubled until it meets the tolerance. The third curve's effective
        // flux builds itself again on half the step when its grid misses the tolerance, and
        // most of its masses pass their own checks.)
        .args(["--set", "numerics.flux_intervals=8"])
        .assert()
        .success()
        // The summary names them too, under each curve, and flags a best limit among them.
        .stdout(
            predicate::str::contains("unconverged (an integral or table missed its tolerance)")
                .and(predicate::str::contains(
                    "status unconverged: a number missed its tolerance, do not quote it)",
                )),
        )
        .stderr(
            predicate::str::contains("missed the numerical tolerance")
                .and(predicate::str::contains("status = unconverged")),
        );
    let csv = std::fs::read_to_string(dir.join("belle2_dp.csv")).expect("csv");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    let at_rest: Vec<&&str> = rows
        .iter()
        .filter(|r| !r.starts_with("bound electrons + ISR,"))
        .collect();
    assert!(!at_rest.is_empty() && at_rest.iter().all(|r| r.ends_with(",unconverged")));
    // The bound curve's effective flux checks each yield against the coarser grid, and most
    // pass.
    let bound_ok = rows
        .iter()
        .filter(|r| r.starts_with("bound electrons + ISR,") && r.ends_with(",ok"))
        .count();
    assert!(
        bound_ok > rows.len() / 6,
        "{bound_ok} bound-electron rows ok"
    );
    let unconverged = rows.iter().filter(|r| r.ends_with(",unconverged")).count();
    let meta = std::fs::read_to_string(dir.join("belle2_dp.meta.json")).expect("sidecar");
    let meta: serde_json::Value = serde_json::from_str(&meta).expect("json");
    let flagged = meta["numerics"]["unconverged_points"]
        .as_array()
        .expect("list")
        .len();
    assert_eq!(flagged, unconverged);
    // No at-rest point converged, so their best is an unconverged one, and says so.
    let best = meta["best"].as_array().expect("best points");
    assert_eq!(best[0]["status"], "unconverged");
}

/// SIGINT or SIGTERM during a scan: exit code 128 + signal, a message, and no output file, not
/// even a temporary one. What is left is the checkpoint, which the message names (rerunning
/// resumes); with --no-checkpoint nothing at all is left.
#[cfg(unix)]
#[test]
fn a_signal_stops_the_scan_and_leaves_no_output() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    for (signal, code, checkpoint) in [("INT", 130, true), ("TERM", 143, true), ("INT", 130, false)]
    {
        let dir = scratch(&format!("interrupted_{signal}_{checkpoint}"));
        let binary = assert_cmd::cargo::cargo_bin!("darksens");
        let mut command = std::process::Command::new(binary);
        command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["scan", "configs/belle2_dp.toml", "--quiet", "--out"])
            .arg(&dir)
            // About ten seconds of work on two cores: still running when the signal comes.
            .args(["--set", "scan.points=300000"])
            // Prints "[... ms] tables" once the tables are built and the mass loop starts.
            .env("DARKSENS_TIMING", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if !checkpoint {
            command.arg("--no-checkpoint");
        }
        let mut child = command.spawn().expect("darksens starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        while !line.contains("tables") {
            line.clear();
            let n = stderr.read_line(&mut line).expect("stderr readable");
            assert!(n > 0, "darksens ended before its scan started");
        }
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).expect("stderr readable");
        let status = child.wait().expect("darksens ends");
        assert_eq!(status.code(), Some(code), "SIG{signal}: {rest}");
        assert!(rest.contains("no output was written"), "{rest}");
        let mut left: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("out dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                for inner in std::fs::read_dir(&path).expect("dir") {
                    left.push(inner.expect("entry").path().display().to_string());
                }
            } else {
                left.push(path.display().to_string());
            }
        }
        if checkpoint {
            assert!(
                rest.contains("run the same command again to resume"),
                "{rest}"
            );
            assert_eq!(left.len(), 1, "SIG{signal} left {left:?}");
            assert!(
                left[0].ends_with(".darksens/belle2_dp.checkpoint.jsonl"),
                "{left:?}"
            );
        } else {
            assert!(left.is_empty(), "SIG{signal} left {left:?}");
        }
    }
}

/// SIGINT during `generate`: the unweighting stops within a batch (it used to run to the end,
/// minutes for a million events, before noticing), exit code 130, and no event file, not even a
/// temporary one.
#[cfg(unix)]
#[test]
fn a_signal_stops_event_generation_promptly() {
    let dir = scratch("generate_interrupted");
    let binary = assert_cmd::cargo::cargo_bin!("darksens");
    let child = std::process::Command::new(binary)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["generate", "configs/belle2_rbs.toml", "--quiet"])
        .args(["--events", "1000000", "--output"])
        .arg(dir.join("events.lhe.gz"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("darksens starts");
    // A million events take about a minute on two cores: still generating after 2 s.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let signalled = std::time::Instant::now();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let output = child.wait_with_output().expect("darksens ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        signalled.elapsed() < std::time::Duration::from_secs(5),
        "took {:?} after the signal",
        signalled.elapsed()
    );
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("no output was written"), "{stderr}");
    assert_eq!(file_names(&dir), Vec::<String>::new());
}

/// An emulsion scan (a Monte Carlo per column of its grid) stops on SIGINT or SIGTERM like a
/// mass scan: exit code 128 + signal, no output, the finished columns kept in the checkpoint;
/// the same command then resumes from it and writes the bytes of an uninterrupted run. The
/// columns have 4e6 events each (about 0.1 s on one core), so that the checkpoint, written
/// every 50 ms, shows two finished columns well before the last one.
#[cfg(unix)]
#[test]
fn an_emulsion_scan_stops_on_a_signal_and_resumes_to_the_same_bytes() {
    use std::process::Stdio;
    let grid = [
        "--set",
        "scan.x.points=12",
        "--set",
        "monte_carlo.events=4000000",
    ];
    let whole = scratch("emulsion_whole");
    let status = darksens()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "configs/belle2_emulsion_splitting.toml", "--quiet"])
        .args(grid)
        .arg("--out")
        .arg(&whole)
        .output()
        .expect("darksens runs")
        .status;
    assert!(status.success());
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let dir = scratch(&format!("emulsion_interrupted_{signal}"));
        let checkpoint = dir.join(".darksens/belle2_emulsion_splitting.checkpoint.jsonl");
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["scan", "configs/belle2_emulsion_splitting.toml", "--quiet"])
            .args(grid)
            .arg("--out")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("darksens starts");
        // Two finished columns (the header line and two unit lines) before the signal.
        let lines = || std::fs::read_to_string(&checkpoint).map_or(0, |t| t.lines().count());
        let started = std::time::Instant::now();
        while lines() < 3 {
            assert!(started.elapsed().as_secs() < 60, "no column finished");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let output = child.wait_with_output().expect("darksens ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "SIG{signal}: {stderr}");
        assert!(stderr.contains("no output was written"), "{stderr}");
        assert!(
            !dir.join("belle2_emulsion_splitting.csv").exists(),
            "SIG{signal} wrote the grid"
        );
        assert!(checkpoint.exists(), "SIG{signal} lost the checkpoint");
        let resumed = darksens()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["scan", "configs/belle2_emulsion_splitting.toml"])
            .args(grid)
            .arg("--out")
            .arg(&dir)
            .output()
            .expect("darksens runs");
        assert!(resumed.status.success());
        assert!(
            String::from_utf8_lossy(&resumed.stderr).contains("resuming: "),
            "no resume"
        );
        for file in [
            "belle2_emulsion_splitting.csv",
            "belle2_emulsion_splitting.boundary.csv",
            "belle2_emulsion_splitting.png",
        ] {
            assert_eq!(
                std::fs::read(dir.join(file)).expect("resumed output"),
                std::fs::read(whole.join(file)).expect("whole output"),
                "{file} after SIG{signal} and resume"
            );
        }
        assert!(!checkpoint.exists(), "the checkpoint is removed at the end");
    }
}

/// `darksens merge` refuses an incomplete, duplicated, unfinished or mixed set of shards.
#[test]
fn merge_checks_the_set_of_shards() {
    let dir = scratch("merge_checks");
    let shard = |k: usize, n: usize, extra: &[&str]| {
        darksens()
            .args(["scan", "configs/belle2_dp.toml", "--quiet", "--out"])
            .arg(&dir)
            .args(SMALL)
            .args(["--shard", &format!("{k}/{n}")])
            .args(extra)
            .assert()
            .success();
        dir.join(format!("belle2_dp.shard-{k}-of-{n}.jsonl"))
    };
    let (s1, s2, s3) = (shard(1, 3, &[]), shard(2, 3, &[]), shard(3, 3, &[]));
    let merge = |files: &[&Path]| {
        let mut cmd = darksens();
        cmd.args(["merge", "--quiet", "-o"])
            .arg(dir.join("merged"))
            .args(files);
        cmd.assert()
    };
    merge(&[&s1, &s3])
        .code(2)
        .stderr(predicate::str::contains("shard 2 of 3 missing"));
    merge(&[&s1, &s2, &s2, &s3])
        .code(2)
        .stderr(predicate::str::contains(
            "shard 2/3 is given more than once",
        ));
    let other = shard(1, 2, &[]);
    merge(&[&s1, &s2, &s3, &other])
        .code(2)
        .stderr(predicate::str::contains("different splits"));
    // A different --set is a different run.
    std::fs::rename(&s3, dir.join("kept")).expect("rename");
    let changed = shard(3, 3, &["--set", "model.alpha_d=0.1"]);
    merge(&[&s1, &s2, &changed])
        .code(2)
        .stderr(predicate::str::contains(
            "come from different runs (what differs: curve 1 \"computed background\": model.alpha_d 0.1 -> 0.001; curve 2",
        ));
    // A --set that gives the same scenario (the file's own alpha_D) is the same run.
    let same = shard(3, 3, &["--set", "model.alpha_d=1e-3"]);
    merge(&[&s1, &s2, &same]).success();
    // An unfinished shard (its closing line missing).
    let text = std::fs::read_to_string(dir.join("kept")).expect("shard");
    let cut: Vec<&str> = text.lines().filter(|l| !l.contains("complete")).collect();
    std::fs::write(&s3, cut.join("\n") + "\n").expect("write");
    merge(&[&s1, &s2, &s3])
        .code(2)
        .stderr(predicate::str::contains("did not finish"));
    std::fs::rename(dir.join("kept"), &s3).expect("rename");
    merge(&[&s1, &s2, &s3]).success();
    assert!(dir.join("merged/belle2_dp.csv").exists());
    // A finished shard run again keeps its points (a job array's task retried).
    darksens()
        .args(["scan", "configs/belle2_dp.toml", "--out"])
        .arg(&dir)
        .args(SMALL)
        .args(["--shard", "1/3"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("resuming:").and(predicate::str::contains("afresh").not()),
        );
    merge(&[&s1, &s2, &s3]).success();
}

/// `darksens generate` writes the generator's events and spectrum: the same bytes with one
/// thread and with three, an event file the scenario reader accepts with the generator's cross
/// section, and a spectrum table that `spectrum = { table = ... }` reads back to the same
/// number of positrons as the generator itself.
#[test]
fn generate_writes_events_and_spectrum_independent_of_threads() {
    let dir = scratch("generate");
    let run = |threads: &str, stem: &str| {
        darksens()
            .args([
                "generate",
                "configs/belle2_dp.toml",
                "--set",
                "source.spectrum={generator=\"radiative-bhabha\", points=200000}",
                "--events",
                "50",
                "--output",
            ])
            .arg(dir.join(format!("{stem}.lhe.gz")))
            .arg("--spectrum")
            .arg(dir.join(format!("{stem}.csv")))
            .env("RAYON_NUM_THREADS", threads)
            .assert()
            .success()
            .stdout(predicate::str::contains("50 unweighted events"));
    };
    run("1", "one");
    run("3", "three");
    for ext in ["lhe.gz", "csv"] {
        assert_eq!(
            std::fs::read(dir.join(format!("one.{ext}"))).expect("one"),
            std::fs::read(dir.join(format!("three.{ext}"))).expect("three"),
            "{ext}"
        );
    }
    // The table integrates to the generator's cross section (recorded in its header), and the
    // event file's <init> carries the same.
    let table = std::fs::read_to_string(dir.join("one.csv")).expect("csv");
    let sigma_line = table
        .lines()
        .find_map(|l| l.strip_prefix("# sigma = "))
        .expect("sigma in the header");
    let sigma: f64 = sigma_line
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .expect("a number");
    let spectrum = darksens::sources::TabulatedSpectrum::parse_csv(&table, "one.csv", false)
        .expect("the table reads back");
    let integral = spectrum.sigma_cm2() / darksens::units::PICOBARN_CM2;
    assert!(
        (integral / sigma - 1.0).abs() < 1e-12,
        "{integral} against {sigma}"
    );
    let (init, events) = darksens::sources::lhe::read_events(&dir.join("one.lhe.gz"), |_| {})
        .expect("the event file reads back");
    assert_eq!(events, 50);
    assert!((init.sigma_pb / sigma - 1.0).abs() < 1e-8);
}

/// `darksens explain` of an emulsion scenario (no --mass-mev): the JSON keys the documentation names, and
/// N_sig of each box is L sigma BR A (exp(-a/d) - exp(-(a+L)/d)) [EMU Eq. 20] from the printed
/// parts.
#[test]
fn explain_emulsion_json() {
    let output = darksens()
        .args([
            "explain",
            "configs/belle2_emulsion.toml",
            "--json",
            "--set",
            "monte_carlo.events=200000",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    for key in [
        "sigma_production_pb",
        "br_aprime_to_phi1_phi2",
        "width_phi1_gev",
        "flight_length_m",
    ] {
        assert!(json[key].as_f64().is_some_and(|v| v > 0.0), "{key}: {json}");
    }
    let cosmic = json["background"]["cosmic_muon_flux_hz_per_m2"]
        .as_f64()
        .expect("cosmic");
    assert!((cosmic - 179.3).abs() < 0.05, "{cosmic}");
    assert!(
        json["background"]["collider_muons_per_cm2"]["A"]
            .as_f64()
            .is_some_and(|v| v > 0.0)
    );
    let d = json["flight_length_m"].as_f64().expect("d");
    for name in ["A", "B"] {
        let a = &json["acceptance"][name];
        let (value, error) = (
            a["value"].as_f64().expect("value"),
            a["error"].as_f64().expect("error"),
        );
        assert!(
            value > 0.0 && error > 0.0 && error < 0.1 * value,
            "{name}: {a}"
        );
        let expected = 50.0e6
            * json["sigma_production_pb"].as_f64().expect("sigma")
            * json["br_aprime_to_phi1_phi2"].as_f64().expect("br")
            * value
            * ((-7.0 / d).exp() - (-8.32 / d).exp());
        let n = json["n_signal"][name].as_f64().expect("n_signal");
        assert!(
            (n / expected - 1.0).abs() < 1e-12,
            "{name}: {n} against {expected}"
        );
    }
}

/// `darksens scan` of an emulsion scenario writes the grid, the boundary, the plot and the
/// sidecar; every cell marked excluded lies inside a boundary interval of its column and no
/// other does (the boundary is the grid's own, refined).
#[test]
fn emulsion_scan_outputs_agree() {
    let dir = scratch("emulsion_scan");
    darksens()
        .args(["scan", "configs/belle2_emulsion.toml", "--quiet", "--out"])
        .arg(&dir)
        .args([
            "--set",
            "monte_carlo.events=200000",
            "--set",
            "scan.x.points=13",
            "--set",
            "scan.y.points=41",
        ])
        .assert()
        .success();
    assert_eq!(
        file_names(&dir),
        [
            "belle2_emulsion.boundary.csv",
            "belle2_emulsion.csv",
            "belle2_emulsion.meta.json",
            "belle2_emulsion.png"
        ]
    );
    let grid = std::fs::read_to_string(dir.join("belle2_emulsion.csv")).expect("grid");
    let boundary =
        std::fs::read_to_string(dir.join("belle2_emulsion.boundary.csv")).expect("boundary");
    assert!(grid.starts_with(
        "g_d,epsilon,n_signal_A,n_signal_B,n_signal_total,flight_length_m,excluded\n"
    ));
    assert!(boundary.starts_with("region,g_d,epsilon_lower,epsilon_upper\n"));
    let intervals: Vec<(f64, f64, f64)> = boundary
        .lines()
        .skip(1)
        .filter_map(|l| l.strip_prefix("signal,"))
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.parse().expect("number")).collect();
            (v[0], v[1], v[2])
        })
        .collect();
    assert!(!intervals.is_empty());
    let mut excluded_cells = 0;
    for line in grid.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (g, eps): (f64, f64) = (
            fields[0].parse().expect("g"),
            fields[1].parse().expect("eps"),
        );
        let total: f64 = fields[4].parse().expect("total");
        let excluded = fields[6] == "true";
        assert_eq!(excluded, total >= 2.3, "{line}");
        let inside = intervals
            .iter()
            .any(|&(x, lo, hi)| x == g && eps >= lo * (1.0 - 1e-12) && eps <= hi * (1.0 + 1e-12));
        assert_eq!(excluded, inside, "{line}");
        excluded_cells += usize::from(excluded);
    }
    assert!(excluded_cells > 10, "{excluded_cells}");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("belle2_emulsion.meta.json")).expect("meta"),
    )
    .expect("json");
    assert_eq!(meta["resolved_scenario"]["monte_carlo"]["events"], 200_000);
    assert!(meta["darksens_version"].is_string() && meta["wall_time_s"].is_number());
}

/// BaBar's conditions [EMU Eq. 22-23] from user files: with `eps_1(m) = 1e-3` flat, a cell is
/// marked BaBar-excluded exactly when `eps sqrt(BR(A' -> l l)) > 1e-3`, with BR from the cell's
/// couplings; the boundary file has the `babar` intervals and the plot their grey region.
#[test]
fn emulsion_scan_with_babar_conditions() {
    let dir = scratch("emulsion_babar");
    std::fs::write(
        dir.join("eps1.csv"),
        "mass_gev,epsilon\n0.1,1e-3\n20.0,1e-3\n",
    )
    .expect("file");
    let config = std::fs::read_to_string("configs/belle2_emulsion.toml").expect("config")
        + "\n[babar]\nlepton_limit = \"eps1.csv\"\n";
    let config = format!("{config}\n[output]\ncsv = \"grid.csv\"\npng = \"grid.png\"\n");
    std::fs::write(dir.join("babar.toml"), config).expect("config");
    darksens()
        .current_dir(&dir)
        .args([
            "scan",
            "babar.toml",
            "--quiet",
            "--set",
            "monte_carlo.events=100000",
            "--set",
            "scan.x.points=7",
            "--set",
            "scan.y.points=31",
        ])
        .assert()
        .success();
    let grid = std::fs::read_to_string(dir.join("grid.csv")).expect("grid");
    assert!(
        grid.lines()
            .next()
            .expect("header")
            .ends_with(",excluded,babar_excluded")
    );
    let explain = |g: &str, eps: &str| -> f64 {
        let output = darksens()
            .args(["explain", "configs/belle2_emulsion.toml", "--json"])
            .args([
                "--set",
                &format!("model.g_d={g}"),
                "--set",
                &format!("model.epsilon={eps}"),
            ])
            .args(["--set", "monte_carlo.events=1000"])
            .output()
            .expect("runs");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        // BR(A' -> l l) = Gamma_ll / Gamma_total; Gamma_ll = 2 eps^2 alpha M / 3 (massless
        // to 1e-3 at M = 8 GeV).
        let total = json["width_aprime_gev"].as_f64().expect("width");
        let eps: f64 = eps.parse().expect("eps");
        let leptons = 2.0 * eps * eps * darksens::units::ALPHA * 8.0 / 3.0;
        eps * (leptons / total).sqrt()
    };
    let mut babar_cells = 0;
    for line in grid.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let marked = f[7] == "true";
        let value = explain(f[0], f[1]);
        // Cells within 1% of the threshold are not asserted (massless-lepton approximation).
        if (value / 1e-3 - 1.0).abs() > 0.01 {
            assert_eq!(marked, value > 1e-3, "{line}: eps sqrt(BR) = {value}");
        }
        babar_cells += usize::from(marked);
    }
    assert!(babar_cells > 5, "{babar_cells}");
    let boundary = std::fs::read_to_string(dir.join("grid.boundary.csv")).expect("boundary");
    assert!(
        boundary.lines().any(|l| l.starts_with("babar,")),
        "{boundary}"
    );
}

/// `init` writes the shipped scenarios (from the binary) and a README into DIR/configs, refuses
/// to overwrite them without --force, and a scan runs there with the built-in library.
#[test]
fn init_writes_the_shipped_scenarios() {
    let dir = scratch("init");
    darksens()
        .arg("init")
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("scenarios and a README"));
    for entry in std::fs::read_dir("configs").expect("configs") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        assert_eq!(
            std::fs::read(dir.join("configs").join(name)).expect("written"),
            std::fs::read(&path).expect("shipped"),
            "{}",
            path.display()
        );
    }
    assert!(dir.join("configs/README.md").is_file());
    // So do the Slurm scripts the README's cluster section runs, executable.
    for script in ["submit.sh", "scan_array.sbatch", "merge.sbatch"] {
        let written = dir.join("examples/slurm").join(script);
        assert_eq!(
            std::fs::read(&written).expect("written"),
            std::fs::read(Path::new("examples/slurm").join(script)).expect("shipped"),
            "{script}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&written)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "{script} is not executable");
        }
    }
    // The documentation the scenarios and the error hints cite comes with them.
    for doc in ["scenario.md", "physics.md", "validation.md"] {
        assert_eq!(
            std::fs::read(dir.join("docs").join(doc)).expect("written"),
            std::fs::read(Path::new("docs").join(doc)).expect("shipped"),
            "{doc}"
        );
    }
    darksens()
        .arg("init")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exist").and(predicate::str::contains("--force")));
    darksens()
        .arg("init")
        .arg(&dir)
        .arg("--force")
        .assert()
        .success();
    darksens()
        .current_dir(&dir)
        .args(["scan", "configs/belle2_dp.toml", "--quiet"])
        .args(SMALL)
        .env_remove("DARKSENS_LIMITS")
        .assert()
        .success();
    assert!(dir.join("out/belle2_dp.png").is_file());
}

/// The neutron background's inputs describe Belle II's CsI calorimeter of 16 X0: a thinner
/// calorimeter (or another material, or a scan of the thickness) that keeps them is told so,
/// once, naming the curves; the default scenario is not, nor one that sets ecl_lambda.
#[test]
fn neutron_inputs_of_another_calorimeter_are_named() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |extra: &[&str]| {
        let out = darksens()
            .args([
                "scan",
                "configs/belle2_dp.toml",
                "--quiet",
                "--no-checkpoint",
                "--out",
            ])
            .arg(dir.path())
            .args(SMALL)
            .args(extra)
            .output()
            .expect("runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(!run(&[]).contains("neutron"));
    let stderr = run(&["--set", "target.thickness_x0=8"]);
    assert_eq!(
        stderr.matches("keeps Belle II's inputs").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "\"computed background\" (8 X0 of CsI), \"bound electrons + ISR\" (8 X0 of CsI)"
        ),
        "the curve with background.total is not named: {stderr}"
    );
    // Setting ecl_lambda for the calorimeter is the answer the warning asks for.
    let set = [
        "--set",
        "target.thickness_x0=8",
        "--set",
        "background.neutron.ecl_lambda=0.35",
    ];
    assert!(!run(&set).contains("keeps Belle II's inputs"));
    // A scan of the thickness is another calorimeter at its other points.
    let scan = [
        "--set",
        "scan.parameter=\"target.thickness_x0\"",
        "--set",
        "scan.log_range=[8.0, 24.0]",
        "--set",
        "scan.dense_range=[10.0, 12.0]",
        "--set",
        "model.mass_mev=66.7",
    ];
    let stderr = run(&scan);
    assert!(stderr.contains("(8-24 X0 of CsI)"), "{stderr}");
    // Belle II's own 30 cm of CsI (16.13 X0) is the calorimeter the inputs describe; another
    // depth is named to four digits.
    assert!(!run(&["--set", "target.thickness_x0=16.13"]).contains("neutron"));
    let stderr = run(&["--set", "target.thickness_x0=17.123456"]);
    assert!(stderr.contains("(17.12 X0 of CsI)"), "{stderr}");
}

/// A dense range outside the main range grows the scan; check names it with its line.
#[test]
fn a_dense_range_outside_the_scan_is_named() {
    let check = |set: &str| {
        let out = darksens()
            .args(["check", "configs/belle2_dp.toml", "--set", set])
            .output()
            .expect("runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let stderr = check("scan.dense_range=[2000.0, 3000.0]");
    assert!(
        stderr.contains("configs/belle2_dp.toml (from --set scan.dense_range=[2000.0, 3000.0]): scan.dense_range [2000, 3000] reaches outside scan.log_range [1, 1000]"),
        "{stderr}"
    );
    assert!(stderr.contains("runs from 1 to 3000"), "{stderr}");
    // The file's own range is named by its line.
    let stderr = check("scan.log_range=[1.0, 70.0]");
    assert!(
        stderr.contains("configs/belle2_dp.toml:48: scan.dense_range [60, 90] reaches outside scan.log_range [1, 70]"),
        "{stderr}"
    );
    assert!(!check("scan.dense_range=[1.0, 1000.0]").contains("dense_range"));
}

/// A beam energy or spectrum above any electron or positron beam (most likely MeV given for
/// GeV) runs, and is named in a warning.
#[test]
fn an_energy_in_mev_for_gev_is_named() {
    let check_all = |config: &str, sets: &[&str]| {
        let mut command = darksens();
        command.args(["check", config]);
        for set in sets {
            command.args(["--set", set]);
        }
        let out = command.output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{stderr}");
        stderr
    };
    let check = |config: &str, set: &str| check_all(config, &[set]);
    let stderr = check("configs/belle2_dp.toml", "source.electron_energy_gev=7000");
    assert!(
        stderr.contains("warning: source.electron_energy_gev reaches 7000 GeV (every curve)"),
        "{stderr}"
    );
    assert!(!stderr.contains("positron_energy_gev"), "{stderr}");
    let stderr = check("configs/na64_dp.toml", "source.beam_energy_gev=2000");
    assert!(
        stderr.contains("source.beam_energy_gev reaches 2000 GeV"),
        "{stderr}"
    );
    assert!(!check("configs/na64_dp.toml", "source.beam_energy_gev=1000").contains("MeV"));
    // A scan of the energy is judged by its highest point.
    let stderr = check_all(
        "configs/belle2_dp.toml",
        &[
            "scan.parameter=\"source.electron_energy_gev\"",
            "scan.log_range=[7.0, 7000.0]",
            "scan.dense_range=[8.0, 9.0]",
            "model.mass_mev=66.7",
        ],
    );
    assert!(
        stderr.contains("source.electron_energy_gev reaches 7000 GeV"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("mev.csv"),
        "energy_gev,dsigma_de_pb_per_gev\n4500,1\n5000,2\n6000,1\n",
    )
    .expect("table");
    let scenario = r#"
title = "a spectrum table in MeV"
[source]
kind = "collider-bhabha"
spectrum = { table = "mev.csv" }
luminosity_ab = 50.0
[target]
material = "CsI"
thickness_x0 = 16.0
[model]
mediator = "dark-photon"
alpha_d = 0.001
mchi_over_mmed = 0.3333333333333333
mass_mev = 50.0
[limit]
method = "poisson-cls"
"#;
    std::fs::write(dir.path().join("s.toml"), scenario).expect("scenario");
    let out = darksens()
        .arg("check")
        .arg(dir.path().join("s.toml"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("the highest energy of source.spectrum reaches 6000 GeV"),
        "{stderr}"
    );
}

/// `explain` of a line-shape scenario quotes the line (the signal per positron at model.g_ve)
/// that the scan's CSV has at the same beam energy, bit for bit.
#[test]
fn explain_quotes_the_line_shape_of_the_scan() {
    let dir = tempfile::tempdir().expect("dir");
    darksens()
        .args([
            "scan",
            "configs/padme_x17.toml",
            "--quiet",
            "--no-checkpoint",
            "--out",
        ])
        .arg(dir.path())
        .args([
            "--set",
            "scan.range=[0.282, 0.283]",
            "--set",
            "scan.points=2",
        ])
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("padme_x17.csv")).expect("csv");
    let row = csv
        .lines()
        .find(|l| l.starts_with("g_ve = 10^-3,0.282,"))
        .expect("the row at 282 MeV");
    let from_csv: f64 = row
        .rsplit(',')
        .next()
        .expect("last cell")
        .parse()
        .expect("number");
    let out = darksens()
        .args(["explain", "configs/padme_x17.toml", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let first = if json.is_array() { &json[0] } else { &json };
    assert_eq!(
        first["signal_per_pot_at_g_ve"].as_f64(),
        Some(from_csv),
        "{first}"
    );
}

/// `reproduce --quiet` prints nothing when every quantity passes, and only the reproduction
/// with a failing quantity (its table and the error) when one fails.
#[test]
fn a_quiet_reproduction_prints_only_its_failures() {
    darksens()
        .args(["reproduce", "dpt/fig3", "--quick", "--quiet"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    // A reference tree beside a copy of the config, with a value no scan gives.
    let dir = scratch("reproduce_quiet");
    let references = dir.join("tests/reference/dpt");
    std::fs::create_dir_all(&references).expect("mkdir");
    std::fs::create_dir_all(dir.join("configs")).expect("mkdir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join("configs/belle2_dp_paper.toml"),
        dir.join("configs/belle2_dp_paper.toml"),
    )
    .expect("copy");
    std::fs::write(
        references.join("wrong.toml"),
        "title = \"a wrong value\"\nconfig = \"configs/belle2_dp_paper.toml\"\n\
         quick = [\"scan.points=12\", \"scan.dense_points=5\"]\n\n[[quantity]]\n\
         name = \"best_mass_paper_mev\"\nmeasure = \"best-mass-mev\"\nvalue = 10.0\n\
         source = \"DPT Sec. 4, altered by a test\"\nprecision = \"two figures\"\ntolerance = 0.01\n\
         reason = \"a test\"\n",
    )
    .expect("write");
    darksens()
        .env("DARKSENS_REFERENCE", dir.join("tests/reference"))
        .args(["reproduce", "dpt/wrong", "--quick", "--quiet"])
        .assert()
        .failure()
        .stdout(
            predicate::str::contains("best_mass_paper_mev").and(predicate::str::contains("FAIL")),
        )
        .stderr(predicate::str::contains(
            "1 of 1 quantities outside their tolerance",
        ));
}

/// `darksens plot` of results for different mediators, or with a library curve on another
/// mediator than the results', says so (the scenario's own overlays were already labelled).
#[test]
fn plots_of_different_mediators_are_named() {
    let dir = scratch("mediators");
    for (config, out) in [
        ("configs/belle2_dp.toml", "dp"),
        ("configs/belle2_scalar.toml", "scalar"),
    ] {
        darksens()
            .args(["scan", config, "--quiet", "--no-checkpoint", "--out"])
            .arg(dir.join(out))
            .args(SMALL)
            .assert()
            .success();
    }
    darksens()
        .arg("plot")
        .arg(dir.join("dp/belle2_dp.csv"))
        .arg(dir.join("scalar/belle2_scalar.csv"))
        .arg("-o")
        .arg(dir.join("both.svg"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the results are for different mediators (dark-photon in",
        ));
    // The mass axis is named for neither mediator: m with the subscript "med".
    let svg = std::fs::read_to_string(dir.join("both.svg")).expect("svg");
    assert!(
        svg.contains(">\nmed\n<") && !svg.contains(">\nA′\n<"),
        "{svg}"
    );
    darksens()
        .arg("plot")
        .arg(dir.join("scalar/belle2_scalar.csv"))
        .args(["--overlay", "darkcast/NA64_Banerjee2017hhz", "-o"])
        .arg(dir.join("scalar.svg"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "is a limit on a dark photon, but the results are for a scalar",
        ));
    let svg = std::fs::read_to_string(dir.join("scalar.svg")).expect("svg");
    assert!(
        svg.contains("NA64 2018 (excluded), for a dark photon"),
        "{svg}"
    );
}

/// A plot's record never replaces a scan's sidecar: a scan named `talk.png` (its sidecar
/// `talk.png.meta.json`) redrawn as `talk.png` is refused before anything is drawn; under
/// another name the record keeps the scan's overrides.
#[test]
fn a_plot_record_never_replaces_a_scan_sidecar() {
    let dir = scratch("plot_record_collision");
    std::fs::create_dir_all(&dir).expect("dir");
    let scenario = dir.join("talk.png.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/belle2_dp.toml"),
        &scenario,
    )
    .expect("copy");
    darksens()
        .arg("scan")
        .arg(&scenario)
        .args(["--quiet", "--out"])
        .arg(&dir)
        .args(SMALL)
        .assert()
        .success();
    let sidecar = std::fs::read(dir.join("talk.png.meta.json")).expect("scan sidecar");
    darksens()
        .arg("plot")
        .arg(dir.join("talk.png.csv"))
        .arg("-o")
        .arg(dir.join("talk.png"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("would replace the sidecar of"));
    assert_eq!(
        std::fs::read(dir.join("talk.png.meta.json")).expect("kept"),
        sidecar
    );
    darksens()
        .arg("plot")
        .arg(dir.join("talk.png.csv"))
        .arg("-o")
        .arg(dir.join("slides.png"))
        .assert()
        .success();
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("slides.png.meta.json")).expect("record"),
    )
    .expect("json");
    assert_eq!(
        record["results"][0]["overrides"].as_array().map(Vec::len),
        Some(SMALL.len() / 2)
    );
}

/// A curve that scans its own number of masses: the summary gives the range of counts, as
/// `check` does, not the first curve's.
#[test]
fn the_summary_counts_each_curves_masses() {
    let dir = scratch("own_points");
    let text = std::fs::read_to_string("configs/belle2_dp.toml")
        .unwrap()
        .replace(
            "set = { \"background.total\" = 1000.0 }",
            "set = { \"background.total\" = 1000.0, \"scan.points\" = 5, \"scan.dense_points\" = 2 }",
        );
    let scenario = dir.join("own_points.toml");
    std::fs::write(&scenario, text).unwrap();
    let set = ["--set", "scan.points=9", "--set", "scan.dense_points=3"];
    darksens()
        .args(["check", scenario.to_str().unwrap()])
        .args(set)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 curve(s), 7-12 scan points"));
    darksens()
        .args([
            "scan",
            scenario.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ])
        .args(set)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 curve(s) x 7-12 masses"));
}

/// A library curve in the user's `limits/` that differs from the built-in curve of its name is
/// what the run reads: a warning says so, and the sidecar records the SHA-256 of what was read.
#[test]
fn a_changed_copy_of_a_library_curve_is_named_and_recorded() {
    let dir = scratch("library_copy");
    let repo = std::env::current_dir().unwrap();
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::create_dir_all(dir.join("limits/darkcast")).unwrap();
    std::fs::copy(
        repo.join("configs/na64_dp.toml"),
        dir.join("configs/na64_dp.toml"),
    )
    .unwrap();
    let provenance = "limits/darkcast/NA64_NA642019imj.toml";
    std::fs::copy(repo.join(provenance), dir.join(provenance)).unwrap();
    let copy = "mass_gev,epsilon\n0.001,1e-2\n1.0,1e-2\n";
    std::fs::write(dir.join("limits/darkcast/NA64_NA642019imj.csv"), copy).unwrap();
    darksens()
        .current_dir(&dir)
        .env_remove("DARKSENS_LIMITS")
        .args(["scan", "configs/na64_dp.toml", "--quiet", "--out", "out"])
        .args(["--set", "scan.points=4", "--set", "scan.dense_points=2"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: library curve darkcast/NA64_NA642019imj: read from configs/../limits/darkcast/NA64_NA642019imj.csv, which differs from the built-in curve",
        ));
    let sidecar: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/na64_dp.meta.json")).unwrap()).unwrap();
    assert_eq!(
        sidecar["inputs"]["library:darkcast/NA64_NA642019imj.csv"],
        darksens::digest::sha256_hex(copy.as_bytes())
    );
    // The shipped copy (the repository's limits/, identical to the built-in curve): no warning.
    darksens()
        .env_remove("DARKSENS_LIMITS")
        .args(["check", "configs/na64_dp.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains("library curve").not());
}

/// A shipped scenario asked for where there is no configs/ (a new user with the installed
/// binary): the hint is `darksens init`.
#[test]
fn a_scenario_missing_without_configs_points_to_init() {
    let dir = tempfile::tempdir().expect("dir");
    darksens()
        .current_dir(dir.path())
        .args(["scan", "configs/belle2_dp.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`darksens init` writes the shipped scenarios",
        ));
}

/// An emulsion scan states its acceptance Monte Carlo's precision: the summary gives the
/// largest relative error, the sidecar every open column's acceptance of every box with its
/// error, and the error falls as 1/sqrt(events) (four times the events, half the error).
#[test]
fn an_emulsion_scan_states_its_monte_carlo_error() {
    let dir = scratch("emulsion_mc_error");
    let run = |events: u64| {
        let out = dir.join(events.to_string());
        let output = darksens()
            .args([
                "scan",
                "configs/belle2_emulsion.toml",
                "--out",
                out.to_str().unwrap(),
            ])
            .args(["--set", &format!("monte_carlo.events={events}")])
            .args(["--set", "scan.x.points=3", "--set", "scan.y.points=5"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let summary = String::from_utf8(output).unwrap();
        let sidecar: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("belle2_emulsion.meta.json")).unwrap())
                .unwrap();
        let rows = sidecar["numerics"]["acceptance"]
            .as_array()
            .unwrap()
            .clone();
        let largest = rows
            .iter()
            .map(|r| r["error"].as_f64().unwrap() / r["acceptance"].as_f64().unwrap())
            .fold(0.0, f64::max);
        assert!(
            summary.contains(&format!(
                "acceptance Monte Carlo: statistical error at most {:.2}%",
                100.0 * largest
            )),
            "{summary}"
        );
        assert_eq!(rows.len(), 3 * 2, "three open columns, boxes A and B");
        rows.iter()
            .map(|r| r["error"].as_f64().unwrap())
            .collect::<Vec<_>>()
    };
    let coarse = run(100_000);
    let fine = run(400_000);
    for (c, f) in coarse.iter().zip(&fine) {
        let ratio = c / f;
        assert!(
            (1.8..2.2).contains(&ratio),
            "error ratio {ratio} for 4x the events"
        );
    }
}

/// A visible mediator scanned beyond the beam's reach: the rows there are closed, keep the tail
/// of the Breit–Wigner in their yields and signal at `g_ve`, and the summary says so (it does
/// not say that no signal is possible).
#[test]
fn a_visible_mediator_beyond_the_reach_is_summarised_as_a_tail() {
    let dir = scratch("visible_beyond_reach");
    darksens()
        .args(["scan", "configs/padme_x17.toml", "--out"])
        .arg(&dir)
        .args(["--set", "scan.parameter=model.mass_mev"])
        .args(["--set", "scan.range=[20.0,40.0]", "--set", "scan.points=11"])
        .args(["--set", "source.positrons_on_target=1e14"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "closed (beyond the source's reach: only the tail of the Breit-Wigner",
        ))
        .stdout(predicate::str::contains("no signal possible").not());
    let csv = std::fs::read_to_string(dir.join("padme_x17.csv")).expect("csv");
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let beyond: Vec<&Vec<&str>> = rows.iter().filter(|r| r[1] == "30").collect();
    assert_eq!(beyond.len(), 2, "{csv}");
    for row in beyond {
        assert_eq!((row[2], row[7]), ("", "closed"), "{row:?}");
        let n_ann: f64 = row[3].parse().expect("a yield");
        let at_g_ve: f64 = row[8].parse().expect("a signal");
        assert!(n_ann > 0.0 && at_g_ve > 0.0, "{row:?}");
    }
}

/// An excluded region that reaches eps = 1, the largest kinetic mixing allowed, ends there: the
/// summary says so instead of "the region goes on above" (tests/plots.rs: no edge drawn).
#[test]
fn a_region_reaching_eps_1_ends_there() {
    let dir = scratch("region_at_eps_1");
    let scan = |y_top: &str| {
        let y = format!("scan.y.log_range=[1e-4, {y_top}]");
        let out = darksens()
            .args([
                "scan",
                "configs/belle2_emulsion_central.toml",
                "--no-checkpoint",
                "--out",
            ])
            .arg(&dir)
            .args(["--set", "scan.x.points=9", "--set", &y])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("utf-8")
    };
    let at_one = scan("1.0");
    assert!(
        at_one.contains("to 1 (the largest value allowed)") && !at_one.contains("goes on above"),
        "{at_one}"
    );
    let below_one = scan("0.5");
    assert!(
        below_one.contains("(the region goes on above)"),
        "{below_one}"
    );
}

/// The radiative Bhabha curve's source is a Monte Carlo integral: `explain` states its
/// statistical error (the generator's own, as `generate` prints it), and a Bhabha curve's has
/// none.
#[test]
fn explain_states_a_monte_carlo_sources_error() {
    let explain = |curve: &str| -> serde_json::Value {
        let output = darksens()
            .args([
                "explain",
                "configs/belle2_rbs.toml",
                "--mass-mev",
                "67.3",
                "--json",
            ])
            .args(["--curve", curve])
            .output()
            .expect("darksens runs");
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).expect("json")
    };
    let generated = explain("2");
    let error = generated["sigma_source_relative_error"]
        .as_f64()
        .expect("an error");
    let dir = scratch("generator_error");
    let generator = darksens()
        .args(["generate", "configs/belle2_rbs.toml", "--spectrum"])
        .arg(dir.join("spectrum.csv"))
        .output()
        .expect("darksens runs");
    let stdout = String::from_utf8_lossy(&generator.stdout);
    let numbers: Vec<f64> = stdout
        .split("sigma = ")
        .nth(1)
        .and_then(|rest| rest.split(" pb").next())
        .map(|s| s.split(" +- ").filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    assert_eq!(numbers.len(), 2, "{stdout}");
    assert!(
        (error / (numbers[1] / numbers[0]) - 1.0).abs() < 1e-3,
        "{error} against {stdout}"
    );
    assert!(explain("1")["sigma_source_relative_error"].is_null());
}

/// On a placement axis each step of the tip's bisection is a Monte Carlo of its own: the
/// summary names the two columns the tip lies between and the statistical error that blurs
/// it, and gives the acceptances' largest error in the columns that decide the region apart
/// from the largest anywhere (a box far behind, which few events reach).
#[test]
fn a_placement_tip_states_its_monte_carlo_error() {
    let dir = scratch("placement_tip");
    let output = darksens()
        .args(["scan", "configs/belle2_emulsion_placement.toml", "--out"])
        .arg(&dir)
        .args(["--set", "scan.x.points=44", "--set", "scan.y.points=41"])
        .args(["--set", "monte_carlo.events=100000"])
        .output()
        .expect("darksens runs");
    assert!(output.status.success(), "{output:?}");
    let summary = String::from_utf8_lossy(&output.stdout);
    let tip = summary
        .lines()
        .find(|l| {
            l.starts_with("the region closes between the columns at detector_polar_angle_deg = ")
        })
        .unwrap_or_else(|| panic!("no tip:\n{summary}"));
    assert!(
        tip.contains("bisected on a Monte Carlo at each step"),
        "{tip}"
    );
    let precision = summary
        .lines()
        .find(|l| l.starts_with("acceptance Monte Carlo: statistical error at most "))
        .unwrap_or_else(|| panic!("no precision line:\n{summary}"));
    let percents: Vec<f64> = precision
        .split("at most ")
        .skip(1)
        .filter_map(|p| p.split('%').next()?.parse().ok())
        .collect();
    assert_eq!(percents.len(), 2, "{precision}");
    assert!(percents[1] < percents[0], "{precision}");
    assert!(
        precision.ends_with("in the columns with an excluded interval and their neighbours"),
        "{precision}"
    );
}

/// A background part that is not computed (the scenario sets `background.total`) is `null` in
/// explain's JSON and left out of its text, not a 0 that reads as "0 + 0 = 94".
#[test]
fn explain_leaves_out_background_parts_not_computed() {
    let explain_with = |config: &str, json: bool, set: &[&str]| {
        let mut command = darksens();
        command.args(["explain", config, "--mass-mev", "66.66"]);
        if json {
            command.arg("--json");
        }
        for item in set {
            command.args(["--set", item]);
        }
        let output = command.output().expect("darksens runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).expect("utf8")
    };
    let explain = |json: bool| explain_with("configs/belle2_dp_alphad.toml", json, &[]);
    let json: serde_json::Value = serde_json::from_str(&explain(true)).expect("json");
    for key in [
        "p_photon_punch",
        "n_bkg_photon",
        "n_bkg_neutron",
        "n_bkg_neutron_error",
    ] {
        assert!(json[key].is_null(), "{key}: {}", json[key]);
    }
    assert_eq!(json["n_background"], 94.0);
    let text = explain(false);
    assert!(!text.contains("n_bkg_photon"), "{text}");
    assert!(text.contains("set by background.total"), "{text}");
    // Said from the scenario, not from the numbers: a total of 0 is set by it too, and a
    // computed background is not.
    let zero = explain_with(
        "configs/belle2_dp_alphad.toml",
        false,
        &["background.total=0", "limit.method=poisson-cls"],
    );
    assert!(zero.contains("set by background.total"), "{zero}");
    let computed = explain_with("configs/belle2_dp.toml", false, &[]);
    assert!(computed.contains("n_bkg_neutron"), "{computed}");
    assert!(!computed.contains("set by background.total"), "{computed}");
}
