//! `darksens export hepdata`: a scan's CSV becomes a HEPData submission whose numbers are the
//! CSV's, bit for bit (read back from the YAML), with the bands and the qualifiers of the
//! sidecar; input that is not a scan's CSV is refused with exit code 2. (CI also runs HEPData's
//! own validator on such a submission: `.ci/run`, step "HEPData export".)

use std::path::{Path, PathBuf};
use std::process::Command;

fn darksens() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("darksens"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("export")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// The values of each variable of a table written by the exporter, in order: the independent
/// variable first.
fn variables(yaml: &str) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::new();
    for line in yaml.lines() {
        if line.starts_with("- header:") {
            out.push(Vec::new());
        } else if let Some(v) = line.trim().strip_prefix("- {value: ") {
            let v = v.trim_end_matches('}');
            // HEPData's mark of a point without a value.
            let number = if v == "'-'" {
                f64::NAN
            } else {
                v.parse::<f64>().expect("a number")
            };
            out.last_mut().expect("a variable").push(number);
        }
    }
    out
}

/// `darksens export hepdata CSV -o OUT`.
fn export(csv: &Path, out: &Path) -> std::process::Output {
    darksens()
        .args(["export", "hepdata"])
        .arg(csv)
        .arg("-o")
        .arg(out)
        .output()
        .expect("darksens runs")
}

/// Scans the default scenario with the `--set` overrides `sets` into `dir`.
fn scan_default(dir: &Path, sets: &[&str]) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = darksens()
        .current_dir(repo)
        .args([
            "scan",
            "configs/belle2_dp.toml",
            "--quiet",
            "--no-checkpoint",
        ])
        .args(sets.iter().flat_map(|s| ["--set", s]))
        .arg("--out")
        .arg(dir)
        .status()
        .expect("darksens runs");
    assert!(status.success());
}

/// Scans the emulsion scenario on a 7 x 15 grid into `dir`.
fn scan_emulsion(dir: &Path) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = darksens()
        .current_dir(repo)
        .args(["scan", "configs/belle2_emulsion.toml", "--quiet"])
        .args(["--no-checkpoint", "--set", "scan.x.points=7"])
        .args(["--set", "scan.y.points=15", "--out"])
        .arg(dir)
        .status()
        .expect("darksens runs");
    assert!(status.success());
}

/// Scans the default scenario with expected bands on `points` masses into a scratch directory
/// and exports it; returns the directory and the submission's.
fn scan_and_export(name: &str, points: usize) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    scan_default(
        &dir,
        &[
            "limit.method=\"poisson-cls\"",
            "limit.bands=true",
            &format!("scan.points={points}"),
            "scan.dense_points=5",
        ],
    );
    let out = dir.join("hepdata");
    assert!(export(&dir.join("belle2_dp.csv"), &out).status.success());
    (dir, out)
}

#[test]
fn a_scan_exports_to_hepdata_with_its_numbers() {
    let (dir, out) = scan_and_export("belle2", 40);
    let submission = std::fs::read_to_string(out.join("submission.yaml")).expect("submission");
    assert_eq!(submission.matches("data_file:").count(), 3, "{submission}");
    assert!(submission.contains("name: \"bound electrons + ISR\""));
    // The CSV's rows of the first curve, bit for bit, with the four bands.
    let mut reader = csv::Reader::from_path(dir.join("belle2_dp.csv")).expect("csv");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| {
            &r[0] == "computed background"
                && !["closed", "eps-above-1"].contains(&&r[column("status")])
        })
        .collect();
    let table = std::fs::read_to_string(out.join("belle2_dp_1.yaml")).expect("table");
    let values = variables(&table);
    assert_eq!(values.len(), 6, "mass, limit and four bands");
    let names = [
        "mass_mev",
        "epsilon_limit",
        "epsilon_limit_minus2sigma",
        "epsilon_limit_minus1sigma",
        "epsilon_limit_plus1sigma",
        "epsilon_limit_plus2sigma",
    ];
    for (variable, name) in values.iter().zip(names) {
        let expected: Vec<f64> = rows
            .iter()
            .map(|r| r[column(name)].parse().expect("number"))
            .collect();
        assert_eq!(variable, &expected, "{name}");
    }
    assert!(table.contains("{name: \"CL\", value: \"90%\"}"), "{table}");
    assert!(table.contains("{name: \"$\\\\alpha_D$\", value: \"0.001\"}"));
    assert!(table.contains("units: \"MeV\""));
    // Qualifiers hold only what is fixed: no mass on a mass scan; the target's options tell
    // the third curve from the first.
    assert!(!table.contains("[MeV]\", value"), "{table}");
    assert!(table.contains("{name: \"target electrons\", value: \"at-rest\"}"));
    let third = std::fs::read_to_string(out.join("belle2_dp_3.yaml")).expect("table");
    assert!(
        third.contains("{name: \"target electrons\", value: \"compton-profile\"}")
            && third.contains("{name: \"initial-state radiation\", value: \"true\"}"),
        "{third}"
    );
}

/// A beam-energy scan's CSV is a line shape (the signal per positron on target at the
/// coupling g_ve): its table says so, with the coupling and the decay as qualifiers and no
/// confidence level, and keeps every point with signal (values far below 1 that a limit's
/// table would also keep, but as eps).
#[test]
fn a_line_shape_exports_as_signal_per_particle_not_as_eps() {
    let dir = scratch("line_shape");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = darksens()
        .current_dir(repo)
        .args([
            "scan",
            "configs/padme_x17.toml",
            "--quiet",
            "--no-checkpoint",
        ])
        .args(["--set", "scan.points=7"])
        .arg("--out")
        .arg(&dir)
        .status()
        .expect("darksens runs");
    assert!(status.success());
    let out = dir.join("hepdata");
    assert!(export(&dir.join("padme_x17.csv"), &out).status.success());
    let table = std::fs::read_to_string(out.join("padme_x17_1.yaml")).expect("table");
    assert!(
        table.contains("{name: \"signal per particle on target\"}"),
        "{table}"
    );
    assert!(
        !table.contains("epsilon") && !table.contains("CL"),
        "{table}"
    );
    assert!(
        table.contains("{name: \"$g_{ve}$\", value: \"0.001\"}"),
        "{table}"
    );
    assert!(
        table.contains("{name: \"decay\", value: \"visible\"}"),
        "{table}"
    );
    assert!(
        table.contains("{name: \"relative beam energy spread\", value: \"0.0025\"}"),
        "{table}"
    );
    assert!(
        table.contains("header: {name: \"beam energy $E_0$\", units: \"GeV\"}"),
        "{table}"
    );
    // The fixed mass is a qualifier; the scanned beam energy is not (it was, at one value).
    assert!(
        table.contains("{name: \"$m_{A'}$ [MeV]\", value: \"17\"}")
            && !table.contains("{name: \"beam energy [GeV]\""),
        "{table}"
    );
    let mut reader = csv::Reader::from_path(dir.join("padme_x17.csv")).expect("csv");
    let header = reader.headers().expect("header").clone();
    let column = header
        .iter()
        .position(|h| h == "signal_per_pot_at_g_ve")
        .expect("line column");
    let line: Vec<f64> = reader
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| &r[0] == "g_ve = 10^-3")
        .map(|r| r[column].parse().expect("number"))
        .filter(|&v: &f64| v > 0.0)
        .collect();
    assert_eq!(line.len(), 7, "every point has signal");
    assert_eq!(variables(&table)[1], line);
}

/// Limits at or above eps = 1 (no constraint) are left out of the tables like closed points,
/// and tables an earlier submission in the directory listed are removed (nothing else).
#[test]
fn no_constraint_is_left_out_and_earlier_tables_are_removed() {
    let dir = scratch("no_constraint");
    scan_default(&dir, &["scan.log_range=[1.0, 50000.0]", "scan.points=30"]);
    let csv = std::fs::read_to_string(dir.join("belle2_dp.csv")).expect("csv");
    let above = csv.lines().filter(|l| l.ends_with(",eps-above-1")).count();
    assert!(above > 0, "the scan reaches eps >= 1");
    let out = dir.join("hepdata");
    std::fs::create_dir_all(&out).expect("dir");
    std::fs::write(
        out.join("submission.yaml"),
        "---\nname: \"old\"\ndata_file: \"old_1.yaml\"\n",
    )
    .expect("earlier submission");
    for name in ["old_1.yaml", "notes.yaml"] {
        std::fs::write(out.join(name), "x").expect("earlier file");
    }
    let output = export(&dir.join("belle2_dp.csv"), &out);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("removed 1 table(s)"));
    assert!(!out.join("old_1.yaml").exists());
    assert!(
        out.join("notes.yaml").exists(),
        "a file no submission listed stays"
    );
    for k in 1..=3 {
        let table =
            std::fs::read_to_string(out.join(format!("belle2_dp_{k}.yaml"))).expect("table");
        let values = variables(&table);
        assert!(values[1].iter().all(|&eps| eps < 1.0), "{:?}", values[1]);
        assert_eq!(values[0].len(), values[1].len());
    }
    // Results with no limit below 1 give nothing to export: refused, the submission kept.
    let only_above: String = csv
        .lines()
        .enumerate()
        .filter(|(k, l)| *k == 0 || l.ends_with(",eps-above-1"))
        .flat_map(|(_, l)| [l, "\n"])
        .collect();
    let file = dir.join("above.csv");
    std::fs::write(&file, only_above).expect("csv");
    let output = export(&file, &out);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing to export"));
    assert!(out.join("belle2_dp_1.yaml").exists());
}

/// A stretch without a constraint (eps >= 1) between limits is kept as points without a
/// value, so that a line through the table breaks there; points the scan marks unconverged are
/// exported with a warning and a note in the description.
#[test]
fn gaps_stay_gaps_and_unconverged_points_are_told() {
    let dir = scratch("gaps");
    // Little luminosity: "N_b = 1000" has no constraint from a few MeV to about 65 MeV.
    scan_default(
        &dir,
        &[
            "scan.log_range=[1.0, 20000.0]",
            "scan.points=40",
            "scan.dense_points=5",
            "source.luminosity_ab=1e-6",
        ],
    );
    let out = dir.join("hepdata");
    let output = export(&dir.join("belle2_dp.csv"), &out);
    assert!(output.status.success());
    let csv = std::fs::read_to_string(dir.join("belle2_dp.csv")).expect("csv");
    let rows: Vec<(f64, f64)> = csv
        .lines()
        .filter(|l| l.starts_with("N_b = 1000,") && !l.ends_with(",closed"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].parse().expect("mass"), f[2].parse().expect("eps"))
        })
        .collect();
    let first = rows.iter().position(|r| r.1 < 1.0).expect("a limit");
    let last = rows.iter().rposition(|r| r.1 < 1.0).expect("a limit");
    assert!(
        rows[first..=last].iter().any(|r| r.1 >= 1.0),
        "the scan has a gap"
    );
    let table = std::fs::read_to_string(out.join("belle2_dp_2.yaml")).expect("table");
    let values = variables(&table);
    let expected: Vec<f64> = rows[first..=last].iter().map(|r| r.0).collect();
    assert_eq!(values[0], expected);
    for (eps, row) in values[1].iter().zip(&rows[first..=last]) {
        if row.1 < 1.0 {
            assert_eq!(*eps, row.1);
        } else {
            assert!(eps.is_nan(), "{row:?} has no value");
        }
    }
    // Read back (as a plot overlay or an import reads it) the gap stays a gap: nothing is
    // excluded between the last limit before it and the first after it.
    let read = darksens::published::hepdata::read_table(&out.join("belle2_dp_2.yaml"), None)
        .expect("the table reads");
    let gap = rows[first..=last]
        .iter()
        .find(|r| r.1 >= 1.0)
        .expect("a gap");
    assert_eq!(read.limit.eps_at(gap.0 * 1e-3), None, "{gap:?}");
    assert!(read.limit.pieces().0.len() >= 2);
    let library = dir.join("limits");
    let import = darksens()
        .args(["import", "hepdata"])
        .arg(out.join("belle2_dp_2.yaml"))
        .args(["--name", "mine/gaps", "--library"])
        .arg(&library)
        .output()
        .expect("darksens runs");
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let imported =
        darksens::published::library::find_curve(std::slice::from_ref(&library), "mine/gaps")
            .expect("the imported curve reads");
    assert_eq!(imported.values.pieces(), read.limit.pieces());
    assert_eq!(imported.values.eps_at(gap.0 * 1e-3), None);
    let plot = darksens()
        .arg("plot")
        .arg(dir.join("belle2_dp.csv"))
        .arg("--overlay")
        .arg(out.join("belle2_dp_2.yaml"))
        .arg("-o")
        .arg(dir.join("with_gap.png"))
        .output()
        .expect("darksens runs");
    assert!(
        plot.status.success(),
        "{}",
        String::from_utf8_lossy(&plot.stderr)
    );
    // A thin target: every point of the at-rest curves misses the tolerance.
    let dir = scratch("unconverged");
    scan_default(
        &dir,
        &[
            "scan.points=8",
            "scan.dense_points=3",
            "target.thickness_x0=0.02",
            "target.brem_thickness_x0=0.02",
        ],
    );
    let out = dir.join("hepdata");
    let output = export(&dir.join("belle2_dp.csv"), &out);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("curve \"computed background\": 11 points (mass from 1 to 1000 MeV) are marked unconverged"),
        "{stderr}"
    );
    let submission = std::fs::read_to_string(out.join("submission.yaml")).expect("submission");
    assert!(submission.contains("11 points (mass from 1 to 1000 MeV) are marked unconverged"));
}

/// A sidecar that is not the CSV's (another scan's, or the CSV cut short since) is not used:
/// its qualifiers would describe another calculation.
#[test]
fn a_sidecar_of_another_scan_is_not_used() {
    let dir = scratch("other_sidecar");
    scan_default(&dir, &["scan.points=6", "scan.dense_points=3"]);
    let csv = std::fs::read_to_string(dir.join("belle2_dp.csv")).expect("csv");
    let meta = std::fs::read_to_string(dir.join("belle2_dp.meta.json")).expect("sidecar");
    let output = export(&dir.join("belle2_dp.csv"), &dir.join("own"));
    assert!(output.status.success());
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The first curve only, and every limit of the first curve halved.
    let cut: String = csv.lines().take(4).flat_map(|l| [l, "\n"]).collect();
    let halved: String = csv
        .lines()
        .enumerate()
        .map(|(k, line)| {
            let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
            if k > 0 && fields[0] == "computed background" {
                let eps: f64 = fields[2].parse().expect("eps");
                fields[2] = (eps / 2.0).to_string();
            }
            fields.join(",") + "\n"
        })
        .collect();
    for (name, text, why) in [
        ("cut", cut, "its curves are"),
        ("halved", halved, "best grid point"),
    ] {
        std::fs::write(dir.join(format!("{name}.csv")), text).expect("csv");
        std::fs::write(dir.join(format!("{name}.meta.json")), &meta).expect("sidecar");
        let output = export(&dir.join(format!("{name}.csv")), &dir.join(name));
        assert!(output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is not this CSV's") && stderr.contains(why),
            "{stderr}"
        );
        let table =
            std::fs::read_to_string(dir.join(name).join(format!("{name}_1.yaml"))).expect("table");
        assert!(!table.contains("limit method"), "{table}");
    }
}

/// The qualifiers give the confidence level the limit method has, and only the inputs it reads.
#[test]
fn qualifiers_follow_the_limit_method() {
    let mut runs = 0;
    let mut qualifiers = |sets: &[&str]| {
        runs += 1;
        let dir = scratch(&format!("qualifiers_{runs}"));
        scan_default(
            &dir,
            &[sets, &["scan.points=5", "scan.dense_points=3"]].concat(),
        );
        let out = dir.join("hepdata");
        assert!(export(&dir.join("belle2_dp.csv"), &out).status.success());
        std::fs::read_to_string(out.join("belle2_dp_1.yaml")).expect("table")
    };
    let table = qualifiers(&[]);
    assert!(table.contains(r#"{name: "CL", value: "90%"}"#), "{table}");
    assert!(!table.contains("signal events required"));
    let table = qualifiers(&["limit.delta_chi2=3.84"]);
    assert!(table.contains(r#"{name: "CL", value: "95%"}"#), "{table}");
    // A fixed count states its level (1 - e^-n) only where there is no background.
    let table = qualifiers(&[
        "limit.method=\"fixed\"",
        "limit.n_signal=3.0",
        "background.total=0.0",
    ]);
    assert!(table.contains(r#"{name: "CL", value: "95%"}"#), "{table}");
    let table = qualifiers(&[
        "limit.method=\"fixed\"",
        "limit.n_signal=3.0",
        "background.total=5.0",
    ]);
    assert!(!table.contains(r#"{name: "CL""#), "{table}");
    assert!(table.contains(r#"{name: "signal events required", value: "3"}"#));
    assert!(!table.contains("background events"), "{table}");
    // A collider's crossing angle is a qualifier where it is not zero.
    assert!(!table.contains("crossing angle"), "{table}");
    let table = qualifiers(&["source.crossing_angle_mrad=83.0"]);
    assert!(
        table.contains(r#"{name: "crossing angle [mrad]", value: "83"}"#),
        "{table}"
    );
}

#[test]
fn what_is_not_a_scan_csv_is_refused() {
    let dir = scratch("bad");
    let file = dir.join("not_a_scan.csv");
    std::fs::write(&file, "a,b\n1,2\n").expect("write");
    let output = export(&file, &dir.join("out"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no 'curve' column"), "{stderr}");
}

/// An expected limit (the exported table's variable, and the library curve imported from it)
/// is drawn as a line unless the overlay says otherwise.
fn expected_limits_are_lines(
    dir: &Path,
    file: &Path,
    with: &dyn Fn(&str) -> String,
    scenario: &str,
) {
    let styles = |extra: &str| {
        let document =
            darksens::scenario::ScenarioDocument::from_text(file, with(extra), &[]).expect("reads");
        let curves = document.curves().expect("resolves");
        let overlays = &curves[0].scenario.overlays;
        overlays[overlays.len() - 1].style
    };
    assert_eq!(
        styles("\"-2 sigma\""),
        darksens::scenario::OverlayStyle::Line
    );
    assert_eq!(
        styles("\"-2 sigma\"\nstyle = \"excluded\""),
        darksens::scenario::OverlayStyle::Excluded
    );
    // A one-variable table (as darksens exports a curve without bands) given as a file without
    // `dependent`: its expected limit still a line (it was drawn as an excluded region when the
    // file was read as a bare curve).
    let second = dir.join("one_variable.yaml");
    std::fs::write(
        &second,
        "independent_variables:\n- header: {name: \"$m_{A'}$\", units: \"MeV\"}\n  values:\n  - {value: 20}\n  - {value: 200}\n\
         dependent_variables:\n- header: {name: \"$\\\\epsilon$ (expected upper limit)\"}\n  values:\n  - {value: 1e-3}\n  - {value: 2e-3}\n",
    )
    .expect("table");
    let bare = format!(
        "{scenario}\n[[overlay]]\nfile = {:?}\n",
        second.display().to_string()
    );
    let document = darksens::scenario::ScenarioDocument::from_text(file, bare, &[]).expect("reads");
    let curves = document.curves().expect("resolves");
    let last = curves[0].scenario.overlays.last().expect("the overlay");
    assert_eq!(last.style, darksens::scenario::OverlayStyle::Line);
    // The library curve imported from it too (found in limits/ beside the scenario's directory).
    std::fs::create_dir_all(dir.join("configs")).expect("configs");
    let beside = dir.join("configs").join("library_overlay.toml");
    let document = darksens::scenario::ScenarioDocument::from_text(
        &beside,
        format!("{scenario}\n[[overlay]]\ncurve = \"mine/belle2\"\n"),
        &[],
    )
    .expect("reads");
    let curves = document.curves().expect("resolves");
    let overlays = &curves[0].scenario.overlays;
    assert_eq!(
        overlays[overlays.len() - 1].style,
        darksens::scenario::OverlayStyle::Line
    );
}

/// The model of an imported export comes along from the table's qualifiers (the decay was
/// lost before); with no --experiment, the experiment is darksens, not "unknown".
fn model_comes_along(meta: &darksens::published::library::CurveMeta) {
    use darksens::published::library::{ConstrainedDecay, ConstrainedModel};
    assert_eq!(meta.experiment, "darksens");
    assert_eq!(meta.decay, Some(ConstrainedDecay::Invisible));
    assert_eq!(meta.model, Some(ConstrainedModel::DarkPhoton));
    assert_eq!(meta.alpha_d, Some(0.001));
}

/// A built-in curve's name would put an imported curve in its place wherever a scenario names
/// it: refused without --force.
#[test]
fn an_import_under_a_built_in_name_needs_force() {
    let (dir, out) = scan_and_export("built_in_name", 5);
    let builtin = darksens::published::library::built_in_curves()[0].clone();
    let import = |force: bool| {
        darksens()
            .args(["import", "hepdata"])
            .arg(out.join("belle2_dp_1.yaml"))
            .args(["--name", &builtin, "--dependent", "1", "--library"])
            .arg(dir.join("limits"))
            .args(force.then_some("--force"))
            .output()
            .expect("darksens runs")
    };
    let refused = import(false);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is a curve of the built-in library")
    );
    assert!(import(true).status.success());
}

/// Export, import into a library, and use as an overlay: the library curve holds the CSV's
/// limits (masses in GeV), a scenario draws the exported table with `dependent`, and a wrong
/// choice is refused with the table's variables listed.
#[test]
fn an_exported_table_comes_back_as_a_limit() {
    let (dir, out) = scan_and_export("round_trip", 30);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table = out.join("belle2_dp_1.yaml");
    let library = dir.join("limits");
    let import = darksens()
        .args(["import", "hepdata"])
        .arg(&table)
        .args(["--name", "mine/belle2", "--dependent", "1", "--library"])
        .arg(&library)
        .status()
        .expect("darksens runs");
    assert!(import.success());
    let curve =
        darksens::published::library::find_curve(std::slice::from_ref(&library), "mine/belle2")
            .expect("the imported curve reads");
    let mut reader = csv::Reader::from_path(dir.join("belle2_dp.csv")).expect("csv");
    let expected: Vec<(f64, f64)> = reader
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| &r[0] == "computed background")
        .map(|r| {
            (
                r[1].parse::<f64>().expect("mass") * 1e-3,
                r[2].parse().expect("eps"),
            )
        })
        .collect();
    // darksens's own limits are expected ones: a line on a plot, not an excluded region.
    assert_eq!(curve.meta.expected, Some(true));
    model_comes_along(&curve.meta);
    assert!(curve.meta.meaning.starts_with("expected upper limit"));
    assert!(
        !curve.meta.licence.starts_with("CC0"),
        "{}",
        curve.meta.licence
    );
    let imported = curve.values.outline().0;
    assert_eq!(imported.len(), expected.len());
    for (a, b) in imported.iter().zip(&expected) {
        assert!((a.0 / b.0 - 1.0).abs() < 1e-15 && a.1 == b.1, "{a:?} {b:?}");
    }
    assert_eq!(curve.meta.cl, 0.9, "the CL qualifier comes back");
    // A variable named with a leading sign, as a separate argument.
    let band = darksens()
        .args(["import", "hepdata"])
        .arg(&table)
        .args([
            "--name",
            "mine/belle2_minus2",
            "--dependent",
            "-2 sigma",
            "--library",
        ])
        .arg(&library)
        .output()
        .expect("darksens runs");
    assert!(
        band.status.success(),
        "{}",
        String::from_utf8_lossy(&band.stderr)
    );
    // A scenario overlays the exported table's -2 sigma band by name.
    let scenario = std::fs::read_to_string(repo.join("configs/belle2_dp.toml")).expect("config");
    let with = |dependent: &str| {
        format!(
            "{scenario}\n[[overlay]]\nfile = {:?}\ndependent = {dependent}\n",
            table.display().to_string()
        )
    };
    let file = dir.join("with_table.toml");
    let check = |text: String| {
        std::fs::write(&file, text).expect("scenario");
        darksens()
            .arg("check")
            .arg(&file)
            .output()
            .expect("darksens runs")
    };
    let checked = check(with("\"-2 sigma\""));
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    expected_limits_are_lines(&dir, &file, &with, &scenario);

    // The table named as the curve, its variable by position.
    let as_curve = format!(
        "{scenario}\n[[overlay]]\ncurve = {:?}\ndependent = 3\n",
        table.display().to_string()
    );
    let checked = check(as_curve);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let checked = check(with("9"));
    assert_eq!(checked.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert!(
        stderr.contains("dependent variable 9 is not there")
            && stderr.contains("overlay[3].dependent"),
        "{stderr}"
    );
}

/// An emulsion grid exports as two tables: the signal on the grid (two independent variables,
/// every cell of the CSV bit for bit) and the excluded region's edges (the boundary file's).
#[test]
fn an_emulsion_grid_exports_its_signal_and_excluded_region() {
    let dir = scratch("emulsion");
    scan_emulsion(&dir);
    let out = dir.join("hepdata");
    assert!(
        export(&dir.join("belle2_emulsion.csv"), &out)
            .status
            .success()
    );
    let numbers = |path: &Path, skip: usize| -> Vec<Vec<f64>> {
        let mut reader = csv::Reader::from_path(path).expect("csv");
        let rows: Vec<Vec<f64>> = reader
            .records()
            .map(|r| {
                r.expect("row")
                    .iter()
                    .skip(skip)
                    .filter_map(|c| c.parse().ok())
                    .collect()
            })
            .collect();
        (0..rows[0].len())
            .map(|j| rows.iter().map(|r| r[j]).collect())
            .collect()
    };
    // g_d, epsilon, n_signal_A, n_signal_B, n_signal_total (then the flight length).
    let grid = numbers(&dir.join("belle2_emulsion.csv"), 0);
    let table = std::fs::read_to_string(out.join("belle2_emulsion_1.yaml")).expect("table");
    assert_eq!(variables(&table), grid[..5].to_vec());
    assert_eq!(grid[0].len(), 7 * 15);
    assert!(
        table.contains("{name: \"$m_1$ [GeV]\", value: \"4.341\"}"),
        "{table}"
    );
    // g_d, epsilon_lower, epsilon_upper of the signal region.
    let edges = numbers(&dir.join("belle2_emulsion.boundary.csv"), 1);
    assert!(!edges[0].is_empty(), "the grid excludes a region");
    let table = std::fs::read_to_string(out.join("belle2_emulsion_2.yaml")).expect("table");
    assert_eq!(variables(&table), edges);
    // 2.3 events without background: 90% CL (1 - e^-2.3).
    assert!(table.contains(r#"{name: "CL", value: "90%"}"#), "{table}");
    // The boundary file alone is refused with a pointer to the grid.
    let output = export(&dir.join("belle2_emulsion.boundary.csv"), &out);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("export the grid's CSV"));
}

/// Several results in one submission: every table is named after its file too, as the plot's
/// legend names them, so that two files' curves of the same label stay apart.
#[test]
fn tables_of_several_files_are_named_after_their_file() {
    let dir = scratch("several");
    scan_default(&dir, &["scan.points=20", "scan.dense_points=5"]);
    scan_emulsion(&dir);
    let out = dir.join("hepdata");
    let output = darksens()
        .args(["export", "hepdata"])
        .arg(dir.join("belle2_dp.csv"))
        .arg(dir.join("belle2_emulsion.csv"))
        .arg("-o")
        .arg(&out)
        .output()
        .expect("darksens runs");
    assert!(output.status.success(), "{output:?}");
    let submission = std::fs::read_to_string(out.join("submission.yaml")).expect("submission");
    for name in [
        "belle2_dp: computed background",
        "belle2_dp: N_b = 1000",
        "belle2_emulsion: Signal events",
        "belle2_emulsion: Expected sensitivity region",
    ] {
        assert!(
            submission.contains(&format!("name: \"{name}\"")),
            "{name}: {submission}"
        );
    }
    assert!(!submission.contains("(2)"), "{submission}");
}

/// A CSV that does not exist is the error, with no warning about its missing sidecar before it;
/// exit code 2 and no submission written.
#[test]
fn a_missing_csv_is_named_without_a_sidecar_warning() {
    let dir = scratch("export_missing");
    let output = export(&dir.join("nothing_here.csv"), &dir.join("hepdata"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("nothing_here.csv: cannot read the results"),
        "{stderr}"
    );
    assert!(!stderr.contains("sidecar"), "{stderr}");
    assert!(!dir.join("hepdata/submission.yaml").exists());
}

/// An exported table overlaid on results at another alpha_D is labelled with the alpha_D it
/// was computed at (near the resonance the limit depends on it); on results that share it, not.
#[test]
fn an_overlay_at_another_alpha_d_says_so() {
    let (dir, out) = scan_and_export("alpha_d_overlay", 20);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = darksens()
        .current_dir(repo)
        .args(["scan", "configs/na64_dp.toml", "--quiet", "--no-checkpoint"])
        .args(["--set", "scan.points=20", "--out"])
        .arg(dir.join("na64"))
        .status()
        .expect("darksens runs");
    assert!(status.success());
    let table = format!("{}#1", out.join("belle2_dp_1.yaml").display());
    let plot = |results: &Path, svg: &str| {
        let status = darksens()
            .arg("plot")
            .arg(results)
            .args(["--overlay", &table, "-o"])
            .arg(dir.join(svg))
            .status()
            .expect("darksens runs");
        assert!(status.success());
        std::fs::read_to_string(dir.join(svg)).expect("svg")
    };
    // The subscript D is drawn apart: the legend's text is "<table> (<variable>), α", "D",
    // "= 0.001" (the subtitle's alpha_D stands alone).
    let caveat = "(expected upper limit)), α\n";
    let on_na64 = plot(&dir.join("na64/na64_dp.csv"), "na64.svg");
    assert!(on_na64.contains(caveat), "{on_na64}");
    let on_itself = plot(&dir.join("belle2_dp.csv"), "itself.svg");
    assert!(
        !on_itself.contains(caveat) && on_itself.contains("(expected upper limit))\n"),
        "{on_itself}"
    );
}
