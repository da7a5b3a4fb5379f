//! `darksens export hepdata`: result CSVs as a HEPData submission (`submission.yaml` and one
//! table per curve), with the scenario's description, confidence level, method and model
//! parameters from each CSV's sidecar as qualifiers.

mod grid;

use super::plot::read_results;
use darksens::error::Error;
use darksens::output::hepdata::{Dependent, Independent, Table, submission_yaml, table_yaml};
use darksens::output::{check_writable, write_atomically};
use darksens::units::format_number;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Options of `darksens export`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens export hepdata out/belle2_dp.csv -o hepdata/\n  darksens export hepdata out/belle2_dp.csv out/na64_dp.csv -o sub/\n\nThe directory gets submission.yaml and one table per curve; zip it to upload\n(e.g. `cd hepdata && zip ../submission.zip *`). The `.meta.json` sidecar next to\neach CSV gives the title, confidence level, method and model parameters."
)]
pub struct Opts {
    /// The format: `hepdata`.
    format: ExportFormat,
    /// CSV files written by `darksens scan`: mass scans, scans of another key, and emulsion
    /// grids (whose `.boundary.csv` beside them gives the excluded region).
    #[arg(required = true)]
    results: Vec<PathBuf>,
    /// The submission directory (created if missing; its tables are overwritten).
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// Print nothing but warnings and errors
    #[arg(short, long)]
    quiet: bool,
}

/// The formats `export` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    /// A HEPData submission directory.
    Hepdata,
}

/// Writes the submission.
///
/// # Errors
/// An unreadable CSV, a CSV that is not a scan's, or a directory that cannot be written.
pub fn run(opts: &Opts) -> Result<(), Error> {
    let ExportFormat::Hepdata = opts.format;
    let submission = opts.out.join("submission.yaml");
    check_writable(&submission)?;
    let earlier = earlier_tables(&submission);
    let mut tables = Vec::new();
    let mut sources = Vec::new();
    // Several files: each table named after its file too, as the plot's legend does.
    super::helpers::refuse_repeated(&opts.results, "each result is exported once")?;
    let names = (opts.results.len() > 1).then(|| super::helpers::distinct_names(&opts.results));
    for (file_number, path) in opts.results.iter().enumerate() {
        // The CSV first: a file that cannot be read is the error, not its missing sidecar.
        super::plot::refuse_what_is_not_results(path)?;
        let is_grid = grid::is_grid(path)?;
        let meta = sidecar(path);
        let stem = path
            .file_stem()
            .map_or_else(|| "results".to_string(), |s| slug(&s.to_string_lossy()));
        let version = meta
            .as_ref()
            .and_then(|m| m["darksens_version"].as_str())
            .unwrap_or("unknown");
        let scenario_file = meta
            .as_ref()
            .and_then(|m| m["scenario_file"].as_str())
            .map(|f| {
                Path::new(f)
                    .file_name()
                    .map_or_else(|| f.to_string(), |n| n.to_string_lossy().to_string())
            });
        sources.push(format!(
            "{} (darksens {version}{})",
            path.display(),
            scenario_file.map_or_else(String::new, |f| format!(", scenario {f}"))
        ));
        let file_name = |k: usize| {
            if opts.results.len() == 1 {
                format!("{stem}_{k}.yaml")
            } else {
                format!("{stem}_{}_{k}.yaml", file_number + 1)
            }
        };
        let file = names.as_ref().map(|n| n[file_number].as_str());
        let file_tables = if is_grid {
            grid::tables(path, meta.as_ref(), &file_name, file)?
        } else {
            curve_tables(path, meta.as_ref(), &file_name, file)?
        };
        // Only a file read as a scan's results is worth a word about its sidecar.
        if meta.is_none() {
            eprintln!(
                "warning: {} has no readable sidecar (.meta.json): the tables have no scenario title, confidence level or model parameters",
                path.display()
            );
        }
        tables.extend(file_tables);
    }
    if tables.is_empty() {
        return Err(Error::Usage(
            "no curve has a limit below eps = 1 (or any point where a signal is possible): nothing to export, and nothing was written".into(),
        ));
    }
    let comment = format!(
        "Expected sensitivities computed with darksens (not measured data), from {}.",
        sources.join("; ")
    );
    let removed = write_submission(&opts.out, &comment, &tables, &earlier)?;
    if opts.quiet {
        return Ok(());
    }
    println!(
        "wrote {} with {} table(s) in {}{}",
        submission.display(),
        tables.len(),
        opts.out.display(),
        if removed == 0 {
            String::new()
        } else {
            format!("; removed {removed} table(s) of the earlier submission there")
        }
    );
    Ok(())
}

/// Writes the tables and `submission.yaml` into `out`, then removes the tables of the
/// earlier submission there that this one does not list (they would be zipped with it);
/// returns how many were removed.
fn write_submission(
    out: &Path,
    comment: &str,
    tables: &[Table],
    earlier: &[String],
) -> Result<usize, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::Unwritable {
        path: out.to_path_buf(),
        message: e.to_string(),
    })?;
    for table in tables {
        write_atomically(&out.join(&table.data_file), table_yaml(table).as_bytes())?;
    }
    write_atomically(
        &out.join("submission.yaml"),
        submission_yaml(comment, tables).as_bytes(),
    )?;
    Ok(earlier
        .iter()
        .filter(|name| !tables.iter().any(|t| &t.data_file == *name))
        .filter(|name| std::fs::remove_file(out.join(name)).is_ok())
        .count())
}

/// The table files an earlier `submission.yaml` lists (plain names of YAML files in its
/// directory; nothing else is ever removed).
fn earlier_tables(submission: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(submission) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| line.strip_prefix("data_file: "))
        .filter_map(|value| serde_json::from_str::<String>(value).ok())
        .filter(|name| {
            Path::new(name).extension().is_some_and(|e| e == "yaml")
                && name != "submission.yaml"
                && Path::new(name).components().count() == 1
        })
        .collect()
}

/// The sidecar of a results CSV, if it reads.
fn sidecar(csv: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(csv.with_extension("meta.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The unit a scenario key names in its suffix (`source.beam_energy_gev`: GeV), or none.
/// A scanned key as a HEPData variable name: the physicist's symbol where there is one (the
/// unit goes in `units`), else the key.
fn name_of_key(key: &str) -> String {
    match key {
        "model.alpha_d" => "$\\alpha_D$",
        "model.g_ve" => "$g_{ve}$",
        "model.mchi_over_mmed" => "$m_\\chi/m_{A'}$",
        "source.beam_energy_gev" => "beam energy $E_0$",
        "source.energy_spread" => "relative beam energy spread",
        "source.luminosity_ab" => "integrated luminosity",
        "background.total" => "background events $N_b$",
        "target.thickness_x0" | "target.thickness_cm" => "target thickness",
        "target.min_energy_loss_fraction" => "smallest energy loss kept, $1-E'/E$",
        other => other,
    }
    .to_string()
}

fn unit_of_key(key: &str) -> &'static str {
    [
        ("_mev", "MeV"),
        ("_gev", "GeV"),
        ("_ab", "ab$^{-1}$"),
        ("_cm", "cm"),
        ("_m", "m"),
        ("_deg", "deg"),
        ("_mrad", "mrad"),
        ("_x0", "$X_0$"),
    ]
    .into_iter()
    .find(|(suffix, _)| key.ends_with(suffix))
    .map_or("", |(_, unit)| unit)
}

/// A file-name-safe form of `text`.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The tables of the curves of one scan CSV (a curve with no point to keep is named in a
/// warning and has none).
///
/// # Errors
/// A CSV that cannot be read as a scan's.
fn curve_tables(
    path: &Path,
    meta: Option<&Value>,
    file_name: &dyn Fn(usize) -> String,
    file: Option<&str>,
) -> Result<Vec<Table>, Error> {
    let results = read_results(path)?;
    let meta = meta.filter(|m| match sidecar_mismatch(m, &results) {
        None => true,
        Some(why) => {
            eprintln!(
                "warning: {}: its sidecar (.meta.json) is not this CSV's ({why}), so it is not used: the tables get no scenario title, confidence level or model parameters",
                path.display()
            );
            false
        }
    });
    let kind = if results.line_shape {
        CurveKind::LineShape
    } else {
        CurveKind::Limit
    };
    let mut tables = Vec::new();
    for (k, series) in results.series.iter().enumerate() {
        if !series.points.iter().any(|p| kind.keeps(p.1)) {
            eprintln!(
                "warning: {}: curve \"{}\" has {}: no table",
                path.display(),
                series.label,
                kind.nothing_kept()
            );
            continue;
        }
        let unconverged = unconverged_note(&results.unconverged[k], &results.parameter);
        if let Some(note) = &unconverged {
            eprintln!(
                "warning: {}: curve \"{}\": {note}; they are exported, and the table's description says so",
                path.display(),
                series.label,
            );
        }
        let resolved = meta.and_then(|m| {
            m["curves"]
                .as_array()?
                .iter()
                .find(|c| c["label"].as_str() == Some(series.label.as_str()))
                .map(|c| c["resolved_scenario"].clone())
        });
        let mut table = curve_table(
            &results.parameter,
            kind,
            series,
            resolved.as_ref(),
            file_name(k + 1),
            file,
        );
        if let Some(note) = unconverged {
            let _ = write!(
                table.description,
                " {note} (their numerical error is above the scan's tolerance)."
            );
        }
        tables.push(table);
    }
    Ok(tables)
}

/// Why the sidecar `meta` does not belong to `results` (another scan's, or a CSV cut short or
/// edited since): its curves are not the CSV's, or a curve's best grid point is not among the
/// CSV's points (limits only). `None` when it fits.
fn sidecar_mismatch(meta: &Value, results: &super::plot::ResultFile) -> Option<String> {
    let labels: Vec<&str> = results.series.iter().map(|s| s.label.as_str()).collect();
    if let Some(curves) = meta["curves"].as_array() {
        let recorded: Vec<&str> = curves.iter().filter_map(|c| c["label"].as_str()).collect();
        if recorded != labels {
            return Some(format!("its curves are {recorded:?}, the CSV's {labels:?}"));
        }
    }
    // A line shape's points are its signal, not the limits the best points are.
    let bests = meta["best"].as_array().filter(|_| !results.line_shape);
    for best in bests.into_iter().flatten() {
        let (Some(label), Some(x), Some(eps)) = (
            best["curve"].as_str(),
            best["best_grid_value"].as_f64(),
            best["best_grid_epsilon_limit"].as_f64(),
        ) else {
            continue;
        };
        let series = results.series.iter().find(|s| s.label == label)?;
        // To round-off: the best point's limit is evaluated again when it is refined.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
        if !series
            .points
            .iter()
            .any(|p| close(p.0, x) && close(p.1, eps))
        {
            return Some(format!(
                "curve \"{label}\"'s best grid point, eps = {} at {}, is not in the CSV",
                format_number(eps),
                format_number(x)
            ));
        }
    }
    None
}

/// What a curve's points marked `unconverged` (at the scanned values `at`) are, in words: how
/// many and where; `None` for none.
fn unconverged_note(at: &[f64], parameter: &str) -> Option<String> {
    let (first, last) = (at.first()?, at.last()?);
    let mass = parameter == "model.mass_mev" || parameter == "mass_mev";
    let value = |x: f64| {
        if mass {
            format!("{} MeV", format_number(x))
        } else {
            format_number(x)
        }
    };
    let name = if mass { "mass" } else { parameter };
    Some(if at.len() == 1 {
        format!("1 point ({name} {}) is marked unconverged", value(*first))
    } else {
        format!(
            "{} points ({name} from {} to {}) are marked unconverged",
            at.len(),
            format_number(*first),
            value(*last)
        )
    })
}

/// A table's name: its label, after the name of its result file when several are exported
/// (`belle2_scalar: computed background`, as the plot's legend names them).
fn table_name(label: &str, file: Option<&str>) -> String {
    file.map_or_else(|| label.to_string(), |file| format!("{file}: {label}"))
}

/// What a curve of a scan CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CurveKind {
    /// The limit on eps (or the discovery reach) at each point.
    Limit,
    /// A beam's scan of another key than the mass: the signal per particle on target at the
    /// coupling `model.g_ve` (PADME's line shape), as `darksens scan` draws it.
    LineShape,
}

impl CurveKind {
    /// Whether a point with `value` goes into the table: a limit below 1 (at or above 1 it is
    /// no constraint), a line shape's point with signal.
    fn keeps(self, value: f64) -> bool {
        match self {
            Self::Limit => value < 1.0,
            Self::LineShape => value > 0.0,
        }
    }

    /// Why a curve without a kept point has no table.
    fn nothing_kept(self) -> &'static str {
        match self {
            Self::Limit => "no limit below eps = 1 (no constraint anywhere)",
            Self::LineShape => "no signal anywhere",
        }
    }
}

/// The table of one curve: the scanned values, the limit and its expected bands (when the CSV
/// has them, at every point), or a line shape's signal per particle, qualified with what the
/// resolved scenario says.
fn curve_table(
    parameter: &str,
    kind: CurveKind,
    series: &darksens::output::plot::Series,
    resolved: Option<&Value>,
    data_file: String,
    file: Option<&str>,
) -> Table {
    let at = |path: &[&str]| {
        path.iter()
            .try_fold(resolved?, |v, k| v.get(*k))
            .filter(|v| !v.is_null())
    };
    let mediator = at(&["model", "mediator"]).and_then(Value::as_str);
    let independent = if parameter == "mass_mev" || parameter == "model.mass_mev" {
        let symbol = if mediator == Some("scalar") {
            "\\phi"
        } else {
            "A'"
        };
        (format!("$m_{{{symbol}}}$"), "MeV".to_string())
    } else {
        (name_of_key(parameter), unit_of_key(parameter).to_string())
    };
    let independent = |values| Independent {
        name: independent.0.clone(),
        units: independent.1.clone(),
        values,
    };
    let (qualifiers, method) = qualifiers_of(resolved, parameter);
    let title = at(&["title"])
        .and_then(Value::as_str)
        .unwrap_or("darksens scan");
    let kept = table_points(kind, series);
    let points: Vec<f64> = kept.iter().map(|p| p.0).collect();
    if kind == CurveKind::LineShape {
        return line_shape_table(
            series,
            &kept,
            title,
            qualifiers,
            independent(points),
            data_file,
            file,
        );
    }
    let quantity = if method == Some("discovery") {
        "median discovery reach"
    } else {
        "expected upper limit"
    };
    let mut dependents = vec![Dependent {
        name: format!("$\\epsilon$ ({quantity})"),
        units: String::new(),
        qualifiers: qualifiers.clone(),
        values: kept.iter().map(|p| p.1).collect(),
    }];
    let band_at = |x: f64| series.bands.iter().find(|b| b.0 == x).map(|b| b.1);
    if !series.bands.is_empty()
        && kept
            .iter()
            .all(|&(x, eps)| eps.is_nan() || band_at(x).is_some())
    {
        for (j, name) in ["-2 sigma", "-1 sigma", "+1 sigma", "+2 sigma"]
            .iter()
            .enumerate()
        {
            dependents.push(Dependent {
                name: format!("$\\epsilon$ (expected, {name})"),
                units: String::new(),
                qualifiers: qualifiers.clone(),
                values: kept
                    .iter()
                    .map(|&(x, eps)| {
                        band_at(x)
                            .filter(|_| !eps.is_nan())
                            .map_or(f64::NAN, |b| b[j])
                    })
                    .collect(),
            });
        }
    }
    Table {
        name: table_name(&series.label, file),
        description: format!(
            "{title}: {quantity} on the kinetic mixing $\\epsilon$, curve \"{}\". Computed with darksens; points where no signal is possible or the limit is at or above 1 (no constraint) are left out, and given as '-' between limits.",
            series.label
        ),
        data_file,
        independents: vec![independent(points)],
        dependents,
        keywords: vec![
            ("observables".to_string(), vec!["EPSILON".to_string()]),
            (
                "phrases".to_string(),
                vec![
                    if mediator == Some("scalar") {
                        "Dark scalar"
                    } else {
                        "Dark photon"
                    }
                    .to_string(),
                    "Light dark matter".to_string(),
                    "Expected limit".to_string(),
                ],
            ),
        ],
    }
}

/// The points of a curve's table. A limit at or above eps = 1 is no constraint: left out, like
/// closed points; between the first and the last limit below 1 such a point stays, without a
/// value (NaN, written '-'), so that a line drawn through the table breaks there rather than
/// bridging a stretch without a constraint. A line shape keeps its points with signal.
fn table_points(kind: CurveKind, series: &darksens::output::plot::Series) -> Vec<(f64, f64)> {
    let points = &series.points;
    match kind {
        CurveKind::LineShape => points.iter().copied().filter(|p| kind.keeps(p.1)).collect(),
        CurveKind::Limit => {
            let first = points.iter().position(|p| kind.keeps(p.1));
            let last = points.iter().rposition(|p| kind.keeps(p.1));
            match (first, last) {
                (Some(first), Some(last)) => points[first..=last]
                    .iter()
                    .map(|&(x, eps)| (x, if kind.keeps(eps) { eps } else { f64::NAN }))
                    .collect(),
                _ => Vec::new(),
            }
        }
    }
}

/// The table of a line shape: the signal per particle on target at the coupling of the
/// qualifiers (`model.g_ve`) against the scanned key, its points with signal.
fn line_shape_table(
    series: &darksens::output::plot::Series,
    kept: &[(f64, f64)],
    title: &str,
    qualifiers: Vec<(String, String)>,
    independent: Independent,
    data_file: String,
    file: Option<&str>,
) -> Table {
    Table {
        name: table_name(&series.label, file),
        description: format!(
            "{title}: expected signal events per particle on target at the coupling $g_{{ve}}$ of the qualifiers (the line shape), curve \"{}\". Computed with darksens; points without signal are left out.",
            series.label
        ),
        data_file,
        independents: vec![independent],
        dependents: vec![Dependent {
            name: "signal per particle on target".to_string(),
            units: String::new(),
            // No confidence level or limit method: the line is no limit.
            qualifiers: qualifiers
                .into_iter()
                .filter(|(name, _)| name != "CL" && name != "limit method")
                .collect(),
            values: kept.iter().map(|p| p.1).collect(),
        }],
        keywords: vec![
            ("observables".to_string(), vec!["N".to_string()]),
            (
                "phrases".to_string(),
                vec![
                    "Dark photon".to_string(),
                    "Resonant annihilation".to_string(),
                    "Line shape".to_string(),
                ],
            ),
        ],
    }
}

/// The qualifiers of a curve's limits from its resolved scenario (in the sidecar): confidence
/// level, limit method, model parameters, exposure, mediator, the target's physics options and
/// title, each only where it is fixed (the scanned key `parameter` is the table's independent
/// variable, and a mass scan has no fixed mass); and the limit method.
fn qualifiers_of<'a>(
    resolved: Option<&'a Value>,
    parameter: &str,
) -> (Vec<(String, String)>, Option<&'a str>) {
    let at = |path: &[&str]| {
        path.iter()
            .try_fold(resolved?, |v, k| v.get(*k))
            .filter(|v| !v.is_null())
    };
    let mediator = at(&["model", "mediator"]).and_then(Value::as_str);
    let mut qualifiers = Vec::new();
    let method = at(&["limit", "method"]).and_then(Value::as_str);
    let number_at = |path: &[&str]| at(path).and_then(Value::as_f64);
    let cl = match method {
        // N_s/sqrt(N_b) = sqrt(delta_chi2): the CL of a chi^2 with one degree of freedom
        // (2.71: 90%).
        Some("sqrt-nb") => Some(chi_squared_one_cl(
            number_at(&["limit", "delta_chi2"]).unwrap_or(2.71),
        )),
        // n_signal events and no background: exp(-n_signal) = 1 - CL (2.3: 90%); with a
        // background the count has no such level, and only the count is a qualifier.
        Some("fixed") if background_free(&at) => {
            number_at(&["limit", "n_signal"]).map(|n| -(-n).exp_m1())
        }
        Some("poisson-cls") => Some(number_at(&["limit", "cl"]).unwrap_or(0.9)),
        _ => None,
    };
    if let Some(percent) = cl.and_then(quoted_percent) {
        qualifiers.push(("CL".to_string(), format!("{}%", format_number(percent))));
    }
    if let Some(method) = method {
        qualifiers.push(("limit method".to_string(), method.to_string()));
    }
    let scanned = |path: &[&str]| {
        path.join(".") == parameter || (path == ["model", "mass_mev"] && parameter == "mass_mev")
    };
    let number_qualifier = |name: &str, path: &[&str]| {
        at(path)
            .filter(|_| !scanned(path))
            .and_then(Value::as_f64)
            .map(|v| (name.to_string(), format_number(v)))
    };
    let mass_symbol = if mediator == Some("scalar") {
        "\\phi"
    } else {
        "A'"
    };
    qualifiers.extend(
        [
            number_qualifier(
                &format!("$m_{{{mass_symbol}}}$ [MeV]"),
                &["model", "mass_mev"],
            ),
            number_qualifier(
                darksens::published::hepdata::ALPHA_D_QUALIFIER,
                &["model", "alpha_d"],
            ),
            number_qualifier("$m_\\chi/m_{med}$", &["model", "mchi_over_mmed"]),
            number_qualifier("$g_{ve}$", &["model", "g_ve"]),
            number_qualifier("luminosity [ab$^{-1}$]", &["source", "luminosity_ab"]),
            number_qualifier("electrons on target", &["source", "electrons_on_target"]),
            number_qualifier("positrons on target", &["source", "positrons_on_target"]),
            number_qualifier("beam energy [GeV]", &["source", "beam_energy_gev"]),
            // A positron beam's spread shapes its line: stated, 0 included (mono-energetic).
            number_qualifier("relative beam energy spread", &["source", "energy_spread"]),
            // A collider's crossing and spreads, where the beams are not the paper's ideal.
            number_qualifier("crossing angle [mrad]", &["source", "crossing_angle_mrad"])
                .filter(|(_, v)| v != "0"),
            number_qualifier(
                "relative electron beam energy spread",
                &["source", "electron_energy_spread"],
            )
            .filter(|(_, v)| v != "0"),
            number_qualifier(
                "relative positron beam energy spread",
                &["source", "positron_energy_spread"],
            )
            .filter(|(_, v)| v != "0"),
            // Each only where the limit method reads it.
            number_qualifier("background events (set)", &["background", "total"])
                .filter(|_| method != Some("fixed")),
            number_qualifier("signal events required", &["limit", "n_signal"])
                .filter(|_| method == Some("fixed")),
        ]
        .into_iter()
        .flatten(),
    );
    // The target's physics options, which tell the curves of one scan apart.
    for (name, path) in [
        ("target electrons", ["target", "atomic_electrons"]),
        ("second generation", ["target", "second_generation"]),
        (
            "initial-state radiation",
            ["target", "initial_state_radiation"],
        ),
    ] {
        if let Some(v) = at(&path).filter(|_| !scanned(&path)) {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            qualifiers.push((name.to_string(), text));
        }
    }
    if let Some(mediator) = mediator {
        qualifiers.push(("mediator".to_string(), mediator.to_string()));
    }
    if let Some(decay) = at(&["model", "decay"]).and_then(Value::as_str) {
        qualifiers.push(("decay".to_string(), decay.to_string()));
    }
    let title = at(&["title"])
        .and_then(Value::as_str)
        .unwrap_or("darksens scan");
    qualifiers.push(("scenario".to_string(), title.to_string()));
    (qualifiers, method)
}

/// Whether a resolved scenario's background is zero, as the plot's axis decides
/// ([`darksens::scenario::background_is_zero`]).
fn background_free<'a>(at: &impl Fn(&[&str]) -> Option<&'a Value>) -> bool {
    darksens::scenario::background_is_zero(
        at(&["background", "total"]).and_then(Value::as_f64),
        at(&["background", "photon_veto_inefficiency"]).is_some(),
        at(&["background", "neutron"]).is_some(),
    )
}

/// A confidence level `cl` as a percentage to quote: to 0.1% (2.71 and 2.3 give 89.97%: 90%),
/// with as many more decimals as keep a level below 1 below 100% (8 signal events with no
/// background: 99.97%, not 100%, which no reader takes for a confidence level); `None` for one
/// too close to 1 to write in 12 decimals.
fn quoted_percent(cl: f64) -> Option<f64> {
    (1..=12).find_map(|decimals| {
        let scale = 10f64.powi(decimals);
        let percent = (100.0 * scale * cl).round() / scale;
        (percent < 100.0).then_some(percent)
    })
}

/// The confidence level of a chi^2 with one degree of freedom below `delta_chi2`.
fn chi_squared_one_cl(delta_chi2: f64) -> f64 {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    // UNWRAP: one degree of freedom is a valid chi^2 distribution.
    ChiSquared::new(1.0)
        .expect("one degree of freedom")
        .cdf(delta_chi2)
}

#[cfg(test)]
mod tests {
    use super::quoted_percent;

    /// A confidence level is quoted to 0.1%, and never as 100% (which import refuses, and
    /// which misstates it).
    #[test]
    fn a_confidence_level_is_quoted_below_100_percent() {
        assert_eq!(quoted_percent(-(-2.3_f64).exp_m1()), Some(90.0));
        assert_eq!(quoted_percent(0.95), Some(95.0));
        // 8 signal events with no background: 1 - e^-8 = 99.966%.
        assert_eq!(quoted_percent(-(-8.0_f64).exp_m1()), Some(99.97));
        assert_eq!(quoted_percent(1.0 - 1.07e-4), Some(99.99));
        assert_eq!(quoted_percent(1.0), None);
    }
}
