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
            let number = v.trim_end_matches('}').parse::<f64>().expect("a number");
            out.last_mut().expect("a variable").push(number);
        }
    }
    out
}

#[test]
fn a_scan_exports_to_hepdata_with_its_numbers() {
    let dir = scratch("belle2");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = darksens()
        .current_dir(repo)
        .args([
            "scan",
            "configs/belle2_dp.toml",
            "--quiet",
            "--no-checkpoint",
        ])
        .args([
            "--set",
            "limit.method=\"poisson-cls\"",
            "--set",
            "limit.bands=true",
        ])
        .args([
            "--set",
            "scan.points=40",
            "--set",
            "scan.dense_points=11",
            "--out",
        ])
        .arg(&dir)
        .status()
        .expect("darksens runs");
    assert!(status.success());
    let out = dir.join("hepdata");
    let status = darksens()
        .args(["export", "hepdata"])
        .arg(dir.join("belle2_dp.csv"))
        .arg("-o")
        .arg(&out)
        .status()
        .expect("darksens runs");
    assert!(status.success());
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
        .filter(|r| &r[0] == "computed background" && &r[column("status")] != "closed")
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
}

#[test]
fn what_is_not_a_scan_csv_is_refused() {
    let dir = scratch("bad");
    let file = dir.join("not_a_scan.csv");
    std::fs::write(&file, "a,b\n1,2\n").expect("write");
    let output = darksens()
        .args(["export", "hepdata"])
        .arg(&file)
        .arg("-o")
        .arg(dir.join("out"))
        .output()
        .expect("darksens runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no 'curve' column"), "{stderr}");
}
