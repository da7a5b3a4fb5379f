//! What the plots show, checked through their SVG: every curve drawn inside the frame, one
//! legend entry per curve and per overlay, every overlay drawn, axis labels that cover the data;
//! and the PNGs of a few shipped scenarios against reviewed reference images with a tolerant
//! pixel comparison (`tests/fixtures/plots/`).
//!
//! The checks are themselves tested: an SVG with an overlay removed, or a curve moved off the
//! axes, must fail them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn darksens() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("darksens"));
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_STEP",
    ] {
        command.env_remove(var);
    }
    command
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("plots")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Scans a shipped config with an SVG copy of the plot; returns the output directory.
fn scan_with_svg(config: &str, name: &str) -> PathBuf {
    scan_with_svg_setting(config, name, &[])
}

/// As [`scan_with_svg`], with further `--set` overrides.
fn scan_with_svg_setting(config: &str, name: &str, set: &[&str]) -> PathBuf {
    let dir = scratch(name);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = darksens();
    command
        .current_dir(repo)
        .args(["scan", config, "--quiet", "--no-checkpoint", "--out"])
        .arg(&dir)
        .arg("--set")
        .arg(format!("output.svg=\"{name}.svg\""));
    for s in set {
        command.args(["--set", s]);
    }
    let status = command.status().expect("darksens runs");
    assert!(status.success(), "scan of {config}");
    dir
}

/// An element's attribute.
fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = element[start..].find('"')? + start;
    Some(&element[start..end])
}

/// Whether a polygon is a published overlay's excluded region: those are filled opaquely (the
/// scan's own regions and bands are translucent).
fn is_overlay_fill(polygon: &str) -> bool {
    attribute(polygon, "opacity") == Some("1")
}

/// Every element `<tag .../>` or `<tag ...>` of the SVG.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    svg.match_indices(&open)
        .map(|(i, _)| {
            let end = svg[i..].find('>').map_or(svg.len(), |e| i + e + 1);
            &svg[i..end]
        })
        .collect()
}

/// The text content of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.match_indices("<text ")
        .filter_map(|(i, _)| {
            let start = svg[i..].find('>')? + i + 1;
            let end = svg[start..].find("</text>")? + start;
            Some(svg[start..end].trim().to_string())
        })
        .collect()
}

/// The text runs a label is drawn as: a `_` starts a subscript and a `^` a superscript that runs
/// to the next space or one of `=/()[],` (`N_b = 1000` is "N", "b", "= 1000"), each run trimmed.
fn label_runs(label: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut script = false;
    for c in label.chars() {
        if (c == '_' || c == '^') && !script {
            runs.push(std::mem::take(&mut current));
            script = true;
        } else if script && (c.is_whitespace() || "=/()[],".contains(c)) {
            runs.push(std::mem::take(&mut current));
            script = false;
            current.push(c);
        } else {
            current.push(c);
        }
    }
    runs.push(current);
    runs.into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

fn points(element: &str) -> Vec<(f64, f64)> {
    attribute(element, "points")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| {
            let (x, y) = p.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

/// What a plot must show.
struct Expected<'a> {
    /// Legend labels of the curves.
    curves: &'a [&'a str],
    /// Legend labels of the overlays (each also drawn as a shaded polygon).
    overlays: &'a [&'a str],
    /// Tick labels that must be on the axes (the decades the data span).
    ticks: &'a [&'a str],
}

/// Everything wrong with an SVG plot, empty when it shows what it should.
fn problems(svg: &str, expected: &Expected) -> Vec<String> {
    let mut found = Vec::new();
    // The frame: the largest closed black outline (a five-point path; the legend's box is the
    // smaller one).
    let frame = elements(svg, "polyline")
        .into_iter()
        .filter(|p| attribute(p, "stroke") == Some("#000000"))
        .map(points)
        .filter(|p| p.len() == 5 && p[0] == p[4])
        .map(|p| {
            let (x0, x1) = (p[0].0.min(p[2].0), p[0].0.max(p[2].0));
            let (y0, y1) = (p[0].1.min(p[2].1), p[0].1.max(p[2].1));
            (x0, y0, x1 - x0, y1 - y0)
        })
        .max_by(|a, b| (a.2 * a.3).total_cmp(&(b.2 * b.3)));
    let Some((fx, fy, fw, fh)) = frame else {
        return vec!["no frame".into()];
    };
    // Curves are the polylines drawn 3 image pixels wide (the SVG's coordinates are those of
    // its viewBox, a multiple of the image's size).
    let svg_element = elements(svg, "svg").into_iter().next().unwrap_or_default();
    let dimension = |k: &str| {
        attribute(svg_element, k)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(1.0)
    };
    let view_width = attribute(svg_element, "viewBox")
        .and_then(|v| v.split_whitespace().nth(2)?.parse::<f64>().ok())
        .unwrap_or_else(|| dimension("width"));
    let curve_width = format!("{}", 3.0 * view_width / dimension("width"));
    let curves: Vec<&str> = elements(svg, "polyline")
        .into_iter()
        .filter(|p| attribute(p, "stroke-width") == Some(curve_width.as_str()))
        .collect();
    if curves.is_empty() {
        found.push("no curve drawn".into());
    }
    for curve in &curves {
        for (x, y) in points(curve) {
            if !(x >= fx - 0.5 && x <= fx + fw + 0.5 && y >= fy - 0.5 && y <= fy + fh + 0.5) {
                found.push(format!("a curve leaves the frame at ({x}, {y})"));
                break;
            }
        }
    }
    let labels = texts(svg);
    for label in expected.curves.iter().chain(expected.overlays) {
        let runs = label_runs(label);
        let entries = labels
            .windows(runs.len())
            .filter(|w| w.iter().zip(&runs).all(|(t, r)| t == r))
            .count();
        if entries != 1 {
            found.push(format!("{entries} legend entries for '{label}'"));
        }
    }
    let shaded = elements(svg, "polygon")
        .into_iter()
        .filter(|p| is_overlay_fill(p))
        .count();
    if shaded != expected.overlays.len() {
        found.push(format!(
            "{shaded} shaded overlays drawn, {} expected",
            expected.overlays.len()
        ));
    }
    for tick in expected.ticks {
        if !labels.iter().any(|t| t == tick) {
            found.push(format!("no tick label '{tick}'"));
        }
    }
    found
}

const BELLE2_DP: Expected = Expected {
    curves: &["computed background", "N_b = 1000"],
    overlays: &["NA64 2019 (excluded)", "BaBar 2017 (excluded)"],
    ticks: &["10⁰", "1000", "10⁻⁵", "10⁻²"],
};

#[test]
fn the_default_plot_shows_its_curves_overlays_and_axes() {
    let dir = scan_with_svg("configs/belle2_dp.toml", "belle2_dp");
    let svg = std::fs::read_to_string(dir.join("belle2_dp.svg")).expect("svg");
    assert_eq!(problems(&svg, &BELLE2_DP), Vec::<String>::new());
}

/// A published curve named with --overlay that the scenario already draws is drawn once, and
/// the user is told.
#[test]
fn an_overlay_already_drawn_is_drawn_once() {
    let dir = scan_with_svg("configs/belle2_dp.toml", "overlay_twice");
    let redrawn = dir.join("redrawn.svg");
    let output = darksens()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("plot")
        .arg(dir.join("belle2_dp.csv"))
        .args(["--overlay", "darkcast/BaBar_Lees2017lec", "-o"])
        .arg(&redrawn)
        .output()
        .expect("darksens runs");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("darkcast/BaBar_Lees2017lec is already drawn (as \"BaBar 2017 (excluded)\")"),
        "{stderr}"
    );
    let svg = std::fs::read_to_string(&redrawn).expect("svg");
    assert_eq!(problems(&svg, &BELLE2_DP), Vec::<String>::new());
}

/// An emulsion scan is a projection: its region is labelled an expected sensitivity, never
/// "excluded" (which a slide would read as a result); BaBar's measured region keeps its word.
#[test]
fn a_projected_region_is_labelled_expected_not_excluded() {
    let dir = scan_with_svg("configs/belle2_emulsion.toml", "emulsion_label");
    let svg = std::fs::read_to_string(dir.join("emulsion_label.svg")).expect("svg");
    assert!(
        svg.contains("expected 90% CL sensitivity"),
        "the projection's legend entry"
    );
    let excluded: Vec<&str> = svg
        .match_indices("excluded")
        .map(|(i, _)| &svg[i.saturating_sub(40)..(i + 40).min(svg.len())])
        .filter(|context| !context.contains("BaBar"))
        .collect();
    assert!(excluded.is_empty(), "'excluded' beside: {excluded:?}");
}

/// The shaded band is where annihilation dominates as computed, in the scan's plot and in the
/// plot redrawn from the CSV alone; where the curves' ranges differ (the default scan's third
/// curve: 37-93 MeV against 63-83 MeV) the band says so, where they agree (the paper's two
/// curves at rest) it does not. A curve above eps = 1 stops at the top of the frame.
/// Without the sidecar the file's name is the title, drawn as written.
#[test]
fn the_band_follows_the_computed_annihilation_range_and_curves_stop_at_one() {
    let some = "annihilation dominates for some curves";
    let paper = scan_with_svg("configs/belle2_dp_paper.toml", "band_paper");
    let svg = std::fs::read_to_string(paper.join("band_paper.svg")).expect("svg");
    assert!(texts(&svg).iter().any(|t| t == "annihilation dominates"));
    assert!(!texts(&svg).iter().any(|t| t == some));
    let dir = scan_with_svg("configs/belle2_dp.toml", "band");
    let svg = std::fs::read_to_string(dir.join("band.svg")).expect("svg");
    assert!(texts(&svg).iter().any(|t| t == some));
    let csv = dir.join("belle2_dp.csv");
    std::fs::rename(dir.join("belle2_dp.meta.json"), dir.join("hidden.json")).expect("rename");
    let redrawn = dir.join("redrawn.svg");
    let status = darksens()
        .args(["plot"])
        .arg(&csv)
        .arg("-o")
        .arg(&redrawn)
        .status()
        .expect("darksens runs");
    assert!(status.success());
    let svg = std::fs::read_to_string(&redrawn).expect("svg");
    assert!(texts(&svg).iter().any(|t| t == some));
    // Without its sidecar the title is the file's name, drawn as written (no subscript at "_").
    assert!(texts(&svg).iter().any(|t| t.ends_with("/belle2_dp.csv")));
    // A scan to 6 GeV reaches eps > 1 (429 at 5 GeV): the axis ends at 10^0.
    let wide = scan_with_svg_setting(
        "configs/belle2_dp.toml",
        "wide",
        &["scan.log_range=[1.0,6000.0]"],
    );
    let svg = std::fs::read_to_string(wide.join("wide.svg")).expect("svg");
    let labels = texts(&svg);
    let count = |tick: &str| labels.iter().filter(|t| *t == tick).count();
    // The mass axis (1 MeV to 10 GeV) is labelled 1 to 10000 in plain numbers; the eps axis
    // ends at 10⁰.
    assert!(
        count("10⁰") == 1 && count("1") == 1 && count("10000") == 1,
        "{labels:?}"
    );
}

/// The checks fail for the right reason: an overlay removed, a curve moved off the axes.
#[test]
fn a_broken_plot_fails_the_checks() {
    let dir = scan_with_svg("configs/belle2_dp.toml", "broken");
    let svg = std::fs::read_to_string(dir.join("broken.svg")).expect("svg");
    assert!(problems(&svg, &BELLE2_DP).is_empty());

    // An overlay dropped: its polygon and its legend entry gone.
    let overlay = elements(&svg, "polygon")
        .into_iter()
        .find(|p| is_overlay_fill(p))
        .expect("an overlay")
        .to_string();
    let without = svg
        .replacen(&overlay, "", 1)
        .replacen("NA64 2019 (excluded)", "", 1);
    let found = problems(&without, &BELLE2_DP);
    assert!(
        found.iter().any(|p| p.contains("shaded overlays")),
        "{found:?}"
    );
    assert!(found.iter().any(|p| p.contains("NA64 2019")), "{found:?}");

    // A curve off the axes: one of its points moved below the frame.
    let curve = elements(&svg, "polyline")
        .into_iter()
        .find(|p| attribute(p, "stroke-width") == Some("12"))
        .expect("a curve (3 pixels wide in a viewBox 4 times the image)")
        .to_string();
    let first = attribute(&curve, "points")
        .and_then(|p| p.split_whitespace().next())
        .expect("a point")
        .to_string();
    let moved = curve.replacen(&first, "2400,20000", 1);
    let off = svg.replacen(&curve, &moved, 1);
    let found = problems(&off, &BELLE2_DP);
    assert!(
        found.iter().any(|p| p.contains("leaves the frame")),
        "{found:?}"
    );
}

/// The scalar plot: its two curves, and its overlays labelled as the dark-photon limits they
/// are. The shipped config draws them knowingly (`for_orientation = true`), so its scan does not
/// warn; without that key the scan warns for each.
#[test]
fn the_scalar_plot_shows_its_curve() {
    let dir = scan_with_svg("configs/belle2_scalar.toml", "belle2_scalar");
    let svg = std::fs::read_to_string(dir.join("belle2_scalar.svg")).expect("svg");
    let found = problems(
        &svg,
        &Expected {
            curves: &["computed background", "N_b = 1000"],
            overlays: &[
                "NA64 2019 (excluded), for a dark photon",
                "BaBar 2017 (excluded), for a dark photon",
            ],
            ticks: &["10⁻⁵"],
        },
    );
    assert_eq!(found, Vec::<String>::new());
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/belle2_scalar.toml"),
    )
    .expect("config");
    let unacknowledged: String = shipped
        .lines()
        .filter(|l| !l.starts_with("for_orientation"))
        .flat_map(|l| [l, "\n"])
        .collect();
    assert_ne!(
        shipped, unacknowledged,
        "the config draws its overlays knowingly"
    );
    let dir = scratch("scalar-warnings");
    std::fs::create_dir_all(&dir).expect("dir");
    for (name, text, warnings) in [
        ("shipped", &shipped, 0),
        ("unacknowledged", &unacknowledged, 2),
    ] {
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(&config, text).expect("config");
        let out = darksens()
            .arg("scan")
            .arg(&config)
            .args(["--quiet", "--no-checkpoint"])
            .args([
                "--set",
                "scan.points=5",
                "--set",
                "scan.dense_points=3",
                "--out",
            ])
            .arg(dir.join(name))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(
            stderr
                .matches("is a limit on a dark photon, but this scenario's mediator is a scalar")
                .count(),
            warnings,
            "{name}: {stderr}"
        );
    }
}

/// Decodes an RGB PNG.
fn pixels(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png file"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).expect("png data");
    buffer.truncate(info.buffer_size());
    (info.width, info.height, buffer)
}

/// The share of pixels that differ by more than 48 (of 255) in any channel: anti-aliasing and
/// font hinting move a few edge pixels between builds; a missing curve, overlay, legend or
/// shifted axis changes thousands.
fn differing_share(a: &Path, b: &Path) -> f64 {
    let (wa, ha, pa) = pixels(a);
    let (wb, hb, pb) = pixels(b);
    assert_eq!((wa, ha), (wb, hb), "image sizes differ");
    let differ = pa
        .chunks(3)
        .zip(pb.chunks(3))
        .filter(|(x, y)| x.iter().zip(*y).any(|(u, v)| u.abs_diff(*v) > 48))
        .count();
    differ as f64 / f64::from(wa * ha)
}

/// The PNGs of the shipped Belle II scenarios against reviewed reference images
/// (`tests/fixtures/plots/`, looked at by a person when they were made). To review and replace
/// them after an intended change of the plots: `DARKSENS_UPDATE_PLOTS=1 cargo test --release
/// --test plots`, then look at every file before committing.
#[test]
fn plots_match_their_reviewed_reference_images() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plots");
    for (config, name) in [
        ("configs/belle2_dp.toml", "belle2_dp"),
        ("configs/belle2_scalar.toml", "belle2_scalar"),
        ("configs/belle2_emulsion.toml", "belle2_emulsion"),
    ] {
        let dir = scan_with_svg(config, &format!("reference_{name}"));
        let png = dir.join(format!("{name}.png"));
        let reference = fixtures.join(format!("{name}.png"));
        if std::env::var_os("DARKSENS_UPDATE_PLOTS").is_some() {
            std::fs::create_dir_all(&fixtures).expect("fixtures directory");
            std::fs::copy(&png, &reference).expect("reference image written");
            continue;
        }
        let share = differing_share(&png, &reference);
        assert!(
            share < 0.002,
            "{name}: {:.3}% of the pixels differ from {} (look at {})",
            100.0 * share,
            reference.display(),
            png.display()
        );
    }
}

/// A two-sided `.lmt` (third column: the upper edge) and a closed contour (FORESEE style) are
/// drawn as closed shaded regions, each with its legend entry, inside the frame.
#[test]
fn two_sided_and_contour_overlays_are_closed_regions() {
    let dir = scan_with_svg("configs/belle2_dp.toml", "regions");
    std::fs::write(
        dir.join("band.lmt"),
        "#  mass  lower  upper\n0.002 1e-4 1e-2\n0.02 3e-5 3e-3\n0.2 1e-4 1e-2\n",
    )
    .expect("band");
    std::fs::write(
        dir.join("island.csv"),
        "mass_gev,epsilon\n0.3,1e-3\n0.5,3e-4\n0.8,1e-3\n0.5,3e-3\n0.3,1e-3\n",
    )
    .expect("contour");
    let out = dir.join("regions.svg");
    let status = darksens()
        .current_dir(&dir)
        .args([
            "plot",
            "belle2_dp.csv",
            "--overlay",
            "band.lmt",
            "--overlay",
            "island.csv",
            "-o",
        ])
        .arg(&out)
        .status()
        .expect("darksens runs");
    assert!(status.success());
    let svg = std::fs::read_to_string(&out).expect("svg");
    let expected = Expected {
        overlays: &[
            "NA64 2019 (excluded)",
            "BaBar 2017 (excluded)",
            "band.lmt",
            "island.csv",
        ],
        ..BELLE2_DP
    };
    assert_eq!(problems(&svg, &expected), Vec::<String>::new());
    // The band's polygon has a top edge below the frame's top: it is closed, not shaded up to
    // the top as a one-sided limit would be.
    let shaded: Vec<Vec<(f64, f64)>> = elements(&svg, "polygon")
        .into_iter()
        .filter(|p| is_overlay_fill(p))
        .map(points)
        .collect();
    let top = |p: &Vec<(f64, f64)>| p.iter().map(|q| q.1).fold(f64::INFINITY, f64::min);
    let tops: Vec<f64> = shaded.iter().map(top).collect();
    let frame_top = tops.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(
        tops.iter().filter(|t| **t > frame_top + 20.0).count(),
        2,
        "two regions end below the top of the frame: {tops:?}"
    );
}

/// Overlays that a plot cannot honestly show are named: on a scan of the beam energy (no mass
/// axis) they are not drawn and each gets a warning; on a mass scan of a mediator that decays
/// to e+ e-, a library limit on an invisible decay is drawn labelled "invisible decay", with a
/// warning.
#[test]
fn overlays_of_another_axis_or_decay_are_named() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = scratch("visible-overlays");
    let text = std::fs::read_to_string(repo.join("configs/padme_x17.toml")).expect("config");
    let text = format!(
        "{text}\n[[overlay]]\ncurve = \"darkcast/NA64_NA642019imj\"\nlabel = \"NA64 2019\"\n"
    );
    let scenario = dir.join("padme_overlay.toml");
    std::fs::write(&scenario, text).expect("write");
    let run = |sets: &[&str]| {
        let out = darksens()
            .args(["scan", "--quiet", "--no-checkpoint"])
            .arg(&scenario)
            .args(sets.iter().flat_map(|s| ["--set", s]))
            .arg("--out")
            .arg(&dir)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let stderr = run(&["scan.points=5"]);
    assert!(
        stderr.contains("overlay \"NA64 2019\" is a limit against the mass, and this scan is of source.beam_energy_gev: it is not drawn"),
        "{stderr}"
    );
    let stderr = run(&[
        "scan.parameter=\"model.mass_mev\"",
        "scan.range=[15.0, 19.0]",
        "scan.points=5",
        "output.svg=\"padme_overlay.svg\"",
    ]);
    assert!(
        stderr.contains("is a limit on a mediator with an invisible decay, but this scenario's mediator decays to e+ e-"),
        "{stderr}"
    );
    let svg = std::fs::read_to_string(dir.join("padme_overlay.svg")).expect("svg");
    assert!(
        svg.contains("NA64 2019, invisible decay"),
        "the legend says so"
    );
}

/// The subtitle writes the beam's particles on target and the target's thickness as a
/// physicist does (`2.84×10¹¹ EOT`; PADME's `7.1×10⁹ POT` on `8.23×10⁻⁴ X₀` of diamond), not
/// in computer notation (`2.840e11`, `8.23e-4`).
#[test]
fn the_subtitle_writes_powers_of_ten() {
    let subtitle = |config: &str, name: &str, on_target: &str| {
        let dir = scan_with_svg(config, name);
        let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).expect("svg written");
        let labels = texts(&svg);
        // The run with the particles on target, and the subscript run after it (X₀).
        let at = labels
            .iter()
            .position(|t| t.contains(on_target))
            .unwrap_or_else(|| panic!("no subtitle with {on_target} in {labels:?}"));
        let next = labels.get(at + 1).cloned().unwrap_or_default();
        (labels[at].clone(), next)
    };
    let (na64, _) = subtitle("configs/na64_dp.toml", "subtitle_na64", "EOT");
    assert!(na64.contains("2.84×10¹¹ EOT"), "{na64}");
    let (padme, subscript) = subtitle("configs/padme_x17.toml", "subtitle_padme", "POT");
    assert!(padme.contains("7.1×10⁹ POT"), "{padme}");
    // X₀ with a real subscript: the font's `₀` is small and at mid-height.
    assert!(
        padme.ends_with("8.23×10⁻⁴ X") && subscript == "0",
        "{padme} then {subscript}"
    );
    for text in [&na64, &padme] {
        assert!(
            !text.contains("e1") && !text.contains("e9") && !text.contains("e-"),
            "{text}"
        );
    }
}

/// A HEPData table given to `plot --overlay` as a bare file is drawn as its first variable says:
/// an expected limit (such as darksens's own export) as a line, an observed one as a shaded
/// excluded region.
#[test]
fn hepdata_overlays_are_drawn_as_their_variable_says() {
    let dir = scan_with_svg("configs/belle2_dp.toml", "hepdata_overlays");
    let table = |name: &str| {
        format!(
            "independent_variables:\n- header: {{name: 'M', units: MeV}}\n  values:\n  - {{value: 20}}\n  - {{value: 200}}\n\
             dependent_variables:\n- header: {{name: '{name}'}}\n  values:\n  - {{value: 1e-3}}\n  - {{value: 2e-3}}\n"
        )
    };
    std::fs::write(dir.join("observed.yaml"), table("Observed limit")).expect("table");
    std::fs::write(
        dir.join("expected.yaml"),
        table("$\\epsilon$ (expected upper limit)"),
    )
    .expect("table");
    let fills = |overlay: &str| {
        let out = dir.join(format!("{overlay}.svg"));
        let status = darksens()
            .current_dir(&dir)
            .args(["plot", "belle2_dp.csv", "--overlay", overlay, "-o"])
            .arg(&out)
            .status()
            .expect("darksens runs");
        assert!(status.success());
        let svg = std::fs::read_to_string(&out).expect("svg");
        elements(&svg, "polygon")
            .into_iter()
            .filter(|p| is_overlay_fill(p))
            .count()
    };
    // The scan's own overlays (NA64 and BaBar) are two fills; the observed table adds a third.
    assert_eq!(fills("expected.yaml"), 2);
    assert_eq!(fills("observed.yaml"), 3);
}

/// The scan's edges are drawn where the region would go on, not along eps = 1, the largest
/// kinetic mixing allowed, where it ends: with the scan up to 1 the plot has one dashed edge
/// fewer than with the scan up to 0.5 (the first and last g_D columns keep theirs).
#[test]
fn no_scan_edge_along_eps_1() {
    let edges = |y_top: &str, name: &str| {
        let y = format!("scan.y.log_range=[1e-4, {y_top}]");
        let dir = scan_with_svg_setting(
            "configs/belle2_emulsion_central.toml",
            name,
            &["scan.x.points=9", &y],
        );
        let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).expect("svg written");
        svg.split("<polyline")
            .skip(1)
            .filter(|p| p.to_ascii_uppercase().contains("#EB8200"))
            .count()
    };
    let (at_one, below_one) = (
        edges("1.0", "edges_at_eps_1"),
        edges("0.5", "edges_below_eps_1"),
    );
    assert!(
        at_one > 0 && below_one > at_one,
        "{at_one} edges against {below_one}"
    );
}
