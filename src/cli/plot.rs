//! `darksens plot`: redraw results from their CSV files (and sidecars) without recomputing.

use darksens::error::Error;
use darksens::limits::LimitStatus;
use darksens::output::plot::{
    LimitPlot, OverlaySeries, Series, XAxis, literal_label, overlay_warnings, render_png,
    render_svg,
};
use darksens::output::sidecar::VERSION;
use darksens::output::{check_writable, write_all_atomically};
use darksens::pipeline::thick_target::{annihilation_windows, line_plot, plot_frame};
use darksens::published::PublishedLimit;
use darksens::published::library::{ConstrainedModel, find_curve, library_dirs};
use darksens::scenario::{MASS_KEY, Scenario, validate_table};
use std::path::{Path, PathBuf};

/// Options of `darksens plot`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens plot out/belle2_dp.csv -o talk.png\n  darksens plot out/belle2_dp.csv out/belle2_scalar.csv -o both.svg\n  darksens plot out/belle2_dp.csv --overlay my_limit.csv -o a.svg\n\nThe CSVs come from `darksens scan` (scan configs/belle2_scalar.toml first for\nthe second)."
)]
pub struct Opts {
    /// CSV files written by `darksens scan` (their `.meta.json` sidecars give title and overlays).
    #[arg(required = true)]
    results: Vec<PathBuf>,
    /// More published curves: a library name (`darkcast/BaBar_Lees2017lec`) or a file; for a
    /// HEPData table with several variables, `Table1.yaml#2` or `Table1.yaml#expected` (repeatable).
    #[arg(long, value_name = "CURVE")]
    overlay: Vec<String>,
    /// Output file: `.png` (raster) or `.svg` (vector), chosen by the extension.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Plot title (default: the results' scenario title; where they differ, the titles
    /// combined).
    #[arg(long)]
    title: Option<String>,
    /// Print nothing but warnings and errors
    #[arg(short, long)]
    quiet: bool,
}

/// The formats `plot` writes.
enum Format {
    Png,
    Svg,
}

/// The format the output file's extension names (case-insensitive): `.png` or `.svg`; any
/// other name is a usage error that lists them, so that no file gets bytes of another format.
fn format_of(output: &Path) -> Result<Format, Error> {
    let extension = output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        other => Err(Error::Usage(format!(
            "-o {}: darksens plot writes PNG (.png) and SVG (.svg){}\n  hint: for PDF or another format write the SVG and convert it, e.g. `rsvg-convert -f pdf -o plot.pdf plot.svg`",
            output.display(),
            other.map_or_else(
                || ", chosen by the file's extension, and this name has none".to_string(),
                |e| format!(", not .{e}")
            )
        ))),
    }
}

/// One CSV: its scanned key and the curves in it.
pub(super) struct ResultFile {
    pub(super) parameter: String,
    pub(super) series: Vec<Series>,
    /// Per curve (as `series`): runs of grid points where annihilation gives more signal than
    /// bremsstrahlung, as `(first x, last x)`; empty without the yield columns.
    annihilation_ranges: Vec<Vec<(f64, f64)>>,
    /// A beam's scan of another key with the signal per particle at `model.g_ve`: the series
    /// are that line shape, not limits (as `darksens scan` drew it).
    pub(super) line_shape: bool,
    /// Per curve (as `series`): the scanned values of its points marked `unconverged`.
    pub(super) unconverged: Vec<Vec<f64>>,
}

/// `Err` with the reason when `header` is an emulsion grid's.
fn refuse_grid(header: &[String]) -> Result<(), String> {
    if header.iter().any(|h| h == "n_signal_total") {
        return Err("is the grid of an emulsion scan: `darksens scan` drew its plot (the PNG next to it); run the scan again, e.g. with --out DIR, to redraw it".into());
    }
    Ok(())
}

/// The column drawn, the band columns and whether the file is a line shape: a beam's key scan
/// with the signal per particle at the coupling is drawn as that line (no bands), any other
/// scan as its limit (`limit`, the `epsilon_limit` column). A line's points without signal are
/// not drawn (the axis is logarithmic).
fn value_columns(
    header: &[String],
    parameter: &str,
    limit: usize,
) -> (usize, Option<Vec<usize>>, bool) {
    let per_pot = header.iter().position(|h| h == "signal_per_pot_at_g_ve");
    match per_pot {
        Some(column) if parameter != "mass_mev" => (column, None, true),
        _ => (limit, band_columns(header), false),
    }
}

/// The columns of the expected bands, -2 to +2 sigma, when the file has them all.
fn band_columns(header: &[String]) -> Option<Vec<usize>> {
    ["minus2sigma", "minus1sigma", "plus1sigma", "plus2sigma"]
        .iter()
        .map(|b| {
            header
                .iter()
                .position(|h| *h == format!("epsilon_limit_{b}"))
        })
        .collect()
}

/// The header of a results CSV; an empty file or an emulsion grid is refused.
fn header_of(reader: &mut csv::Reader<std::fs::File>) -> Result<Vec<String>, String> {
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    if header.iter().all(String::is_empty) {
        return Err("the file is empty; give a CSV written by `darksens scan`".into());
    }
    refuse_grid(&header)?;
    Ok(header)
}

/// What is wrong with a row of a results CSV beyond its numbers: a status darksens does not
/// write, or a value of the scanned key (`x`, after `previous` in the same curve) that goes back.
fn row_problem(
    status: Option<&str>,
    (x, previous): (f64, Option<f64>),
    (parameter, label): (&str, &str),
) -> Option<String> {
    if let Some(written) = status.filter(|w| !LimitStatus::NAMES.contains(w)) {
        return Some(format!(
            "status '{written}' is none of {}",
            LimitStatus::NAMES.join(", ")
        ));
    }
    previous.filter(|&p| x < p).map(|p| {
        format!(
            "{parameter} = {} comes after {} in curve \"{label}\": each curve's points must be in increasing order, as darksens writes them",
            darksens::units::format_number(x),
            darksens::units::format_number(p)
        )
    })
}

/// Refuses a directory, or a shard of a scan (which `darksens merge` makes into results),
/// where a results CSV is expected.
pub(super) fn refuse_what_is_not_results(path: &Path) -> Result<(), Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    let jsonl = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    if let Some(name) = name.filter(|n| jsonl && n.contains(".shard-")) {
        return Err(Error::Usage(format!(
            "{}: {name} is one shard of a scan, not its results; run `darksens merge` on all its shards (e.g. darksens merge {}/*.shard-*.jsonl -o DIR) and give the CSV it writes",
            path.display(),
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| ".".to_string(), |p| p.display().to_string())
        )));
    }
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "{}: is a directory; give the CSV a scan wrote in it (e.g. {}/belle2_dp.csv)",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

/// A results CSV opened, with its header ([`header_of`]); what is not one is refused
/// ([`refuse_what_is_not_results`]).
fn open_results(path: &Path) -> Result<(csv::Reader<std::fs::File>, Vec<String>), Error> {
    refuse_what_is_not_results(path)?;
    let fail = |message: String| Error::Usage(format!("{}: {message}", path.display()));
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| fail(format!("cannot read the results: {e}")))?;
    let header = header_of(&mut reader).map_err(fail)?;
    Ok((reader, header))
}

pub(super) fn read_results(path: &Path) -> Result<ResultFile, Error> {
    let fail = |message: String| Error::Usage(format!("{}: {message}", path.display()));
    let (mut reader, header) = open_results(path)?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| fail(format!("no '{name}' column; is this a darksens scan CSV?")))
    };
    let (curve, limit) = (column("curve")?, column("epsilon_limit")?);
    // `status` (older files: `converged`, with no closed rows).
    let status = header.iter().position(|h| h == "status");
    let parameter = header
        .get(1)
        .cloned()
        .ok_or_else(|| fail("no columns".into()))?;
    let x = 1;
    let (eps, bands, line_shape) = value_columns(&header, &parameter, limit);
    let yields = (
        header.iter().position(|h| h == "n_ann_per_eps2"),
        header.iter().position(|h| h == "n_brem_per_eps2"),
    );
    let mut dominated = DominatedRuns::default();
    let mut series: Vec<Series> = Vec::new();
    let mut unconverged: Vec<Vec<f64>> = Vec::new();
    let mut previous_x = f64::NEG_INFINITY;
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| fail(format!("line {}: {e}", k + 2)))?;
        let number = |i: usize| -> Result<f64, Error> {
            record
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    fail(format!(
                        "line {}: column {} is not a finite number",
                        k + 2,
                        header[i]
                    ))
                })
        };
        let label = record.get(curve).unwrap_or_default().to_string();
        let new_curve = series.last().is_none_or(|s| s.label != label);
        let row_status = status.and_then(|i| record.get(i));
        let x_value = number(x)?;
        let previous = (!new_curve).then_some(previous_x);
        if let Some(problem) = row_problem(row_status, (x_value, previous), (&parameter, &label)) {
            return Err(fail(format!("line {}: {problem}", k + 2)));
        }
        previous_x = x_value;
        if let (Some(a), Some(b)) = yields {
            dominated.row(x_value, number(a)? > number(b)?, new_curve);
        }
        if new_curve {
            series.push(Series {
                label,
                points: Vec::new(),
                bands: Vec::new(),
            });
            unconverged.push(Vec::new());
        }
        if row_status == Some("unconverged") {
            unconverged[series.len() - 1].push(x_value);
        }
        // UNWRAP: a series was pushed just above when the list was empty.
        let current = series.last_mut().expect("a series");
        if row_status == Some("closed") {
            // No signal possible there: no limit (and no line) to draw.
            continue;
        }
        let eps_value = number(eps)?;
        if eps_value <= 0.0 {
            if line_shape {
                continue;
            }
            return Err(fail(format!(
                "line {}: {} = {} is not a limit on eps (it must be positive)",
                k + 2,
                header[eps],
                record.get(eps).unwrap_or_default()
            )));
        }
        current.points.push((x_value, eps_value));
        if let Some(values) = bands_of(&record, bands.as_ref(), number)? {
            current.bands.push((x_value, values));
        }
    }
    let no_rows = "the file has a header but no rows: nothing to draw or export";
    if series.is_empty() {
        return Err(fail(no_rows.into()));
    }
    Ok(ResultFile {
        parameter,
        series,
        annihilation_ranges: dominated.per_curve(),
        line_shape,
        unconverged,
    })
}

/// A row's expected bands (-2, -1, +1, +2 sigma) in the band `columns`, read by `number`;
/// `None` without band columns or with an empty band field.
fn bands_of(
    record: &csv::StringRecord,
    columns: Option<&Vec<usize>>,
    number: impl Fn(usize) -> Result<f64, Error>,
) -> Result<Option<[f64; 4]>, Error> {
    let Some(columns) = columns else {
        return Ok(None);
    };
    if !columns
        .iter()
        .all(|&i| record.get(i).is_some_and(|v| !v.is_empty()))
    {
        return Ok(None);
    }
    let values: Vec<f64> = columns
        .iter()
        .map(|&i| number(i))
        .collect::<Result<_, _>>()?;
    Ok(Some([values[0], values[1], values[2], values[3]]))
}

/// The frame of a plot of `path` without its sidecar: the file's name as the title, no
/// annotation or overlays.
fn bare_frame(path: &Path, parameter: &str) -> LimitPlot {
    LimitPlot {
        regions: Vec::new(),
        scan_edges: Vec::new(),
        extent: Vec::new(),
        overlays: Vec::new(),
        // Drawn as written: a file name's or key's `_` is not a subscript.
        title: literal_label(&path.display().to_string()),
        annotation: String::new(),
        x_axis: if parameter == MASS_KEY {
            darksens::output::plot::XAxis::MassMev {
                symbol: "A′".into(),
            }
        } else {
            darksens::output::plot::XAxis::Key {
                title: literal_label(parameter),
                logarithmic: true,
            }
        },
        y_title: "ε".into(),
        windows: Vec::new(),
        closed_windows: Vec::new(),
        series: Vec::new(),
        y_cap: Some(1.0),
        tight: false,
    }
}

/// The runs of a CSV's rows where annihilation dominates, per curve, as its rows are read.
#[derive(Default)]
struct DominatedRuns {
    /// The finished runs of each curve so far, `(first x, last x)`.
    per_curve: Vec<Vec<(f64, f64)>>,
    /// The run the last row is in.
    open: Option<(f64, f64)>,
}

impl DominatedRuns {
    /// A row at `x`, the first of a new curve or not.
    fn row(&mut self, x: f64, dominates: bool, new_curve: bool) {
        if dominates && !new_curve {
            self.open = Some(self.open.map_or((x, x), |(lo, _)| (lo, x)));
            return;
        }
        // A run ends here; it belongs to the curve before this row's when that is new.
        self.close();
        if new_curve {
            self.per_curve.push(Vec::new());
        }
        self.open = dominates.then_some((x, x));
    }

    fn close(&mut self) {
        if let (Some(ended), Some(ranges)) = (self.open.take(), self.per_curve.last_mut()) {
            ranges.push(ended);
        }
    }

    /// Each curve's runs, the last closed.
    fn per_curve(mut self) -> Vec<Vec<(f64, f64)>> {
        self.close();
        self.per_curve
    }
}

/// The refined mass ranges where annihilation dominates, per curve, as every result's sidecar
/// records them (`best[].annihilation_dominated_mev`); `None` if one has no sidecar or no such
/// record.
fn sidecar_annihilation_ranges(results: &[PathBuf]) -> Option<Vec<Vec<(f64, f64)>>> {
    let mut per_curve = Vec::new();
    for csv_path in results {
        let text = std::fs::read_to_string(csv_path.with_extension("meta.json")).ok()?;
        let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
        for best in meta["best"].as_array()? {
            let ranges = best["annihilation_dominated_mev"].as_array()?.iter();
            per_curve.push(
                ranges
                    .map(|pair| Some((pair[0].as_f64()?, pair[1].as_f64()?)))
                    .collect::<Option<Vec<_>>>()?,
            );
        }
    }
    Some(per_curve)
}

/// The scenarios recorded in a result's sidecar, if it has one.
fn sidecar_scenarios(csv_path: &Path) -> Option<Vec<Scenario>> {
    let text = std::fs::read_to_string(csv_path.with_extension("meta.json")).ok()?;
    let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
    let file = PathBuf::from(meta["scenario_file"].as_str()?);
    meta["curves"]
        .as_array()?
        .iter()
        .map(|c| {
            let table: toml::Table = toml::Value::try_from(&c["resolved_scenario"])
                .ok()?
                .as_table()?
                .clone();
            validate_table(&table, &file).ok()
        })
        .collect()
}

/// The mediator of the results' scenarios (from their sidecars), when they name one; a
/// warning when the results are for different mediators (their limits are on different
/// couplings, and the axis is drawn for the first's).
fn results_mediator(results: &[PathBuf]) -> Option<ConstrainedModel> {
    let of = |path: &PathBuf| {
        sidecar_scenarios(path).and_then(|s| s.first().map(|s| s.model.mediator.constrained()))
    };
    let mediators: Vec<(&PathBuf, ConstrainedModel)> = results
        .iter()
        .filter_map(|p| of(p).map(|m| (p, m)))
        .collect();
    let first = mediators.first()?.1;
    if let Some((path, other)) = mediators.iter().find(|(_, m)| *m != first) {
        eprintln!(
            "warning: the results are for different mediators ({} in {}, {} in {}): their limits constrain different couplings; the mass axis is the mediator's, m_med, and overlays are labelled for the first's",
            first.name(),
            results[0].display(),
            other.name(),
            path.display()
        );
    }
    Some(first)
}

/// A library curve's label when it constrains another mediator than the results' (`ours`),
/// with a warning, as a scenario's own overlays are labelled.
fn for_another_mediator(
    label: String,
    theirs: Option<ConstrainedModel>,
    ours: Option<ConstrainedModel>,
) -> String {
    match (theirs, ours) {
        (Some(theirs), Some(ours)) if theirs != ours => {
            let name = theirs.words();
            eprintln!(
                "warning: overlay \"{label}\" is a limit on a {name}, but the results are for a {}: it is drawn for orientation, labelled \"for a {name}\"",
                ours.name()
            );
            format!("{label}, for a {name}")
        }
        _ => label,
    }
}

fn extra_overlay(
    spec: &str,
    mediator: Option<ConstrainedModel>,
    alpha_ds: Option<&[f64]>,
) -> Result<OverlaySeries, Error> {
    let path = Path::new(spec);
    // A HEPData table's dependent variable: `Table1.yaml#2` or `Table1.yaml#expected`.
    let table = spec
        .rsplit_once('#')
        .filter(|(file, _)| Path::new(file).is_file());
    // A HEPData table is labelled by its file's name and variable, and tagged when it
    // constrains another mediator (its `mediator` qualifier).
    let from_table = |file: &str, table: darksens::published::hepdata::HepDataCurve| {
        let name = Path::new(file)
            .file_name()
            .map_or_else(|| file.to_string(), |n| n.to_string_lossy().to_string());
        let label = for_another_mediator(
            format!("{name} ({})", table.dependent),
            table.mediator(),
            mediator,
        );
        let expected = table.is_expected();
        let alpha_d = table.alpha_d();
        (label, table.limit, expected, alpha_d)
    };
    // An expected limit is a line; an observed one a shaded excluded region.
    let (label, limit, expected, alpha_d) = if let Some((file, dependent)) = table {
        from_table(
            file,
            darksens::published::hepdata::read_table(Path::new(file), Some(dependent))?,
        )
    } else if path.is_file() && darksens::published::hepdata::is_table_file(path) {
        from_table(spec, darksens::published::hepdata::read_table(path, None)?)
    } else if path.is_file() {
        (spec.to_string(), PublishedLimit::read(path)?, false, None)
    } else if names_a_file(spec) {
        return Err(Error::Usage(format!(
            "--overlay {spec}: no such file (a library curve is named COLLECTION/NAME without an extension; `darksens list` shows them)"
        )));
    } else {
        let curve = find_curve(&library_dirs(None), spec)?;
        (
            for_another_mediator(curve.meta.default_label(), curve.meta.model, mediator),
            curve.epsilon_limit(),
            curve.meta.expected == Some(true),
            curve.meta.alpha_d,
        )
    };
    // Escaped as a name, then the coupling it was computed at where no result shares it.
    let label = literal_label(&label)
        + &alpha_ds
            .and_then(|ours| darksens::output::plot::alpha_d_caveat(alpha_d, ours))
            .unwrap_or_default();
    Ok(OverlaySeries::from_limit(label, !expected, &limit))
}

/// Whether an `--overlay` that is no file was meant as one: it ends in a curve file's
/// extension (`.csv`, `.lmt`, `.yaml`, `.yml`, `.txt`, `.dat`; a HEPData variable after `#`
/// aside) or starts as a path does (`./`, `../`, `/`, `~`).
fn names_a_file(spec: &str) -> bool {
    let file = spec.rsplit_once('#').map_or(spec, |(file, _)| file);
    let extension = Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    matches!(
        extension.as_deref(),
        Some("csv" | "lmt" | "yaml" | "yml" | "txt" | "dat")
    ) || ["./", "../", "/", "~"].iter().any(|p| file.starts_with(p))
}

/// The frame (title, annotation, overlays, axes) of a plot of `results` from their sidecars:
/// the first result's, with the annotation (beams, model, target) kept only when every result
/// has the same one; a bare frame, with a warning, without a readable sidecar.
fn frame(results: &[PathBuf], parameter: &str) -> LimitPlot {
    let frame_of = |path: &Path| {
        sidecar_scenarios(path)
            .filter(|scenarios| !scenarios.is_empty())
            .map(|scenarios| {
                let refs: Vec<&Scenario> = scenarios.iter().collect();
                let logarithmic = scenarios[0].scan.as_ref().is_none_or(|s| s.logarithmic);
                plot_frame(&refs, parameter, logarithmic)
            })
    };
    let Some(mut plot) = frame_of(&results[0]) else {
        eprintln!(
            "warning: {} has no readable sidecar ({}): the plot has no scenario title, annotation or overlays; keep the .meta.json next to the CSV, or give --title and --overlay",
            results[0].display(),
            results[0].with_extension("meta.json").display()
        );
        return bare_frame(&results[0], parameter);
    };
    let others: Vec<Option<LimitPlot>> = results[1..].iter().map(|p| frame_of(p)).collect();
    // Results for different mediators share a mass axis named for neither.
    let mixed = others
        .iter()
        .flatten()
        .any(|f| match (&f.x_axis, &plot.x_axis) {
            (XAxis::MassMev { symbol: theirs }, XAxis::MassMev { symbol: ours }) => theirs != ours,
            _ => false,
        });
    if let (true, XAxis::MassMev { symbol }) = (mixed, &mut plot.x_axis) {
        *symbol = "med".into();
    }
    if others.iter().any(|frame| {
        frame
            .as_ref()
            .is_none_or(|f| f.annotation != plot.annotation)
    }) {
        plot.annotation.clear();
    }
    let titles: Vec<&str> = std::iter::once(plot.title.as_str())
        .chain(others.iter().flatten().map(|f| f.title.as_str()))
        .collect();
    plot.title = combined_title(&titles);
    plot
}

/// The longest title [`combined_title`] makes from several: longer ones do not fit the image
/// at a readable size.
const LONGEST_COMBINED_TITLE: usize = 100;

/// The title of a plot of results with `titles` (the first result's first; repeated and
/// empty ones count once and not at all): their common title; else, when they share a head
/// before ": " (outside parentheses), the head and each one's rest, without its closing
/// parenthesis (a figure reference) where the rests stay distinct without it: "invisible dark
/// photon / invisible scalar mediator"; else the titles so shortened, side by side. Where
/// that is too long: the head and the number of scenarios, or the first title and how many
/// more.
fn combined_title(titles: &[&str]) -> String {
    let mut distinct: Vec<&str> = Vec::new();
    for title in titles {
        if !title.is_empty() && !distinct.contains(title) {
            distinct.push(title);
        }
    }
    let Some(&first) = distinct.first() else {
        return titles.first().map_or_else(String::new, ToString::to_string);
    };
    if distinct.len() == 1 {
        return first.to_string();
    }
    let head = split_head(first).map(|(head, _)| head);
    let shared_head = head.filter(|head| {
        distinct
            .iter()
            .all(|t| split_head(t).is_some_and(|(h, _)| h == *head))
    });
    let parts: Vec<&str> = match shared_head {
        Some(_) => distinct
            .iter()
            .filter_map(|t| split_head(t).map(|(_, rest)| rest))
            .collect(),
        None => distinct.clone(),
    };
    let combined = shortened_if_distinct(&parts).join(" / ");
    let combined = match shared_head {
        Some(head) => format!("{head}: {combined}"),
        None => combined,
    };
    if combined.chars().count() <= LONGEST_COMBINED_TITLE {
        combined
    } else if let Some(head) = shared_head {
        format!("{head}: {} scenarios compared", distinct.len())
    } else {
        format!("{first} and {} more", distinct.len() - 1)
    }
}

/// A title's head and rest around its first ": " outside parentheses.
fn split_head(title: &str) -> Option<(&str, &str)> {
    let mut depth = 0_i32;
    for (k, c) in title.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' if depth == 0 && title[k + 1..].starts_with(' ') => {
                return Some((&title[..k], &title[k + 2..]));
            }
            _ => {}
        }
    }
    None
}

/// `parts` without a closing parenthesis each (" (DPT Fig. 3)"), when they all stay distinct
/// and non-empty so; else as they are.
fn shortened_if_distinct(parts: &[&str]) -> Vec<String> {
    let shorten = |text: &str| -> String {
        text.trim_end()
            .strip_suffix(')')
            .and_then(|t| t.rfind(" (").map(|k| &t[..k]))
            .filter(|short| !short.is_empty())
            .unwrap_or(text)
            .to_string()
    };
    let short: Vec<String> = parts.iter().map(|p| shorten(p)).collect();
    let distinct = short
        .iter()
        .enumerate()
        .all(|(k, a)| short[..k].iter().all(|b| b != a));
    if distinct {
        short
    } else {
        parts.iter().map(ToString::to_string).collect()
    }
}

/// Redraws the plot.
pub fn run(opts: &Opts) -> Result<(), Error> {
    check_writable(&opts.output)?;
    format_of(&opts.output)?;
    refuse_record_over_a_sidecar(opts)?;
    super::helpers::refuse_repeated(&opts.results, "each result is drawn once")?;
    let files = opts
        .results
        .iter()
        .map(|p| read_results(p))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(other) = files.iter().find(|f| f.parameter != files[0].parameter) {
        return Err(Error::Usage(format!(
            "the results scan different keys ('{}' and '{}')",
            files[0].parameter, other.parameter
        )));
    }
    let parameter = if files[0].parameter == "mass_mev" {
        MASS_KEY.to_string()
    } else {
        files[0].parameter.clone()
    };
    let mut plot = frame(&opts.results, &parameter);
    if let Some(title) = &opts.title {
        plot.title.clone_from(title);
    }
    let mediator = results_mediator(&opts.results);
    // The results' alpha_D, when every result's sidecar gives it (else no overlay is
    // labelled with its own: the comparison would be with nothing).
    let alpha_ds: Option<Vec<f64>> = opts
        .results
        .iter()
        .map(|p| sidecar_scenarios(p).filter(|s| !s.is_empty()))
        .collect::<Option<Vec<_>>>()
        .map(|all| all.iter().flatten().map(|s| s.model.alpha_d).collect());
    for spec in &opts.overlay {
        let overlay = extra_overlay(spec, mediator, alpha_ds.as_deref())?;
        // The same curve named again (the scenario drew it, or --overlay gave it twice) is drawn once.
        if let Some(drawn) = plot.overlays.iter().find(|o| o.pieces == overlay.pieces) {
            eprintln!(
                "note: --overlay {spec} is already drawn (as \"{}\"); drawn once",
                drawn.label
            );
            continue;
        }
        plot.overlays.push(overlay);
    }
    if parameter == MASS_KEY {
        // The scan's refined ranges from the sidecar; else the grid's, from the yield columns.
        let ranges = sidecar_annihilation_ranges(&opts.results).unwrap_or_else(|| {
            files
                .iter()
                .flat_map(|f| f.annihilation_ranges.iter().cloned())
                .collect()
        });
        plot.windows = annihilation_windows(&ranges);
    }
    let several = files.len() > 1;
    let line_shape = files.iter().all(|f| f.line_shape);
    if files.iter().any(|f| f.line_shape) && !line_shape {
        return Err(Error::Usage(
            "some results are line shapes (signal per particle on target) and some limits: plot them apart".into(),
        ));
    }
    plot.series = files
        .into_iter()
        .zip(super::helpers::distinct_names(&opts.results))
        .flat_map(|(f, name)| {
            f.series.into_iter().map(move |mut s| {
                if several {
                    s.label = format!("{}: {}", literal_label(&name), s.label);
                }
                s
            })
        })
        .collect();
    if line_shape {
        let series = std::mem::take(&mut plot.series);
        plot = line_plot(plot, series);
    }
    for warning in overlay_warnings(&plot) {
        eprintln!("{warning}");
    }
    let bytes = match format_of(&opts.output)? {
        Format::Svg => render_svg(&plot)?,
        Format::Png => render_png(&plot)?,
    };
    let record_path = record_path(&opts.output);
    let record = plot_record(opts, &plot.title)?;
    write_all_atomically(&[(&opts.output, &bytes), (&record_path, &record)], &|| {
        Ok(())
    })?;
    if opts.quiet {
        return Ok(());
    }
    super::helpers::emit(&format!(
        "wrote {}, {}\n",
        opts.output.display(),
        record_path.display()
    ))
}

/// `Err` when the plot's record would land on a result's own sidecar (a scan whose name ends
/// in `.png`: `talk.png.csv` has `talk.png.meta.json`).
fn refuse_record_over_a_sidecar(opts: &Opts) -> Result<(), Error> {
    let record_path = record_path(&opts.output);
    let same_file = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if let Some(result) = opts
        .results
        .iter()
        .find(|r| same_file(&r.with_extension("meta.json"), &record_path))
    {
        return Err(Error::Usage(format!(
            "-o {}: the plot's record {} would replace the sidecar of {}; choose another name for the plot",
            opts.output.display(),
            record_path.display(),
            result.display()
        )));
    }
    Ok(())
}

/// Where the record of a redrawn plot goes: the plot's file name with `.meta.json` appended
/// (`talk.png.meta.json`), so that a plot redrawn next to its CSV never replaces the scan's
/// own sidecar (`belle2_dp.meta.json`).
fn record_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(".meta.json");
    output.with_file_name(name)
}

/// The sidecar of a redrawn plot: the darksens version, every result drawn (as given, with
/// its SHA-256 and, from its own sidecar, the scenario file, its overrides and the version that
/// computed it), the extra overlays and the title drawn (`--title`, or the one the results'
/// titles make, as written: a file name's escaped `_` as `_`). No time or thread count, so the
/// same command gives the same bytes.
fn plot_record(opts: &Opts, drawn_title: &str) -> Result<Vec<u8>, Error> {
    let results = opts
        .results
        .iter()
        .map(|path| {
            let sha256 = darksens::digest::sha256_file(path)
                .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            let meta = std::fs::read_to_string(path.with_extension("meta.json"))
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
            let field = |key: &str| {
                meta.as_ref()
                    .and_then(|m| m.get(key))
                    .cloned()
                    .unwrap_or(serde_json::Value::Null)
            };
            Ok(serde_json::json!({
                "computed_by_darksens_version": field("darksens_version"),
                "file": path.display().to_string(),
                "overrides": field("overrides"),
                "scenario_file": field("scenario_file"),
                "sha256": sha256,
            }))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    // An overlay given as a file (`t.yaml`, `t.yaml#2`) with its SHA-256; a library name as is.
    let overlays: Vec<serde_json::Value> = opts
        .overlay
        .iter()
        .map(|spec| {
            let file = Path::new(spec.split('#').next().unwrap_or(spec));
            let sha256 = file
                .is_file()
                .then(|| darksens::digest::sha256_file(file).ok())
                .flatten();
            serde_json::json!({ "curve": spec, "sha256": sha256 })
        })
        .collect();
    let record = serde_json::json!({
        "darksens_version": VERSION,
        "extra_overlays": overlays,
        "outputs": [opts.output.display().to_string()],
        "results": results,
        "title": drawn_title.replace("\\_", "_").replace("\\^", "^"),
        "title_given": opts.title.is_some(),
    });
    let mut bytes = serde_json::to_vec_pretty(&record).unwrap_or_default();
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::combined_title;

    /// Results of one scenario keep its title; scenarios with a common head are named by
    /// their rests, without their figure references; titles too long together give way to a
    /// count.
    #[test]
    fn a_plot_of_several_scenarios_names_them_all() {
        let dp = "Belle II disappearing positron track: invisible dark photon (DPT Fig. 3)";
        let scalar = "Belle II disappearing positron track: invisible scalar mediator (DPT Fig. 6)";
        assert_eq!(combined_title(&[dp, dp]), dp);
        assert_eq!(
            combined_title(&[dp, scalar]),
            "Belle II disappearing positron track: invisible dark photon / invisible scalar mediator"
        );
        // Without a common head the two would take 103 characters side by side.
        assert_eq!(
            combined_title(&[dp, "NA64 (2.84e11 EOT): resonant annihilation (DPT Fig. 5)"]),
            format!("{dp} and 1 more")
        );
        // Repeated titles count once.
        assert_eq!(
            combined_title(&[dp, scalar, dp]),
            combined_title(&[dp, scalar])
        );
        let long = |k: usize| {
            format!("Belle II disappearing positron track: a long description of scenario {k}")
        };
        let (a, b, c) = (long(1), long(2), long(3));
        assert_eq!(
            combined_title(&[&a, &b, &c, &a]),
            "Belle II disappearing positron track: 3 scenarios compared"
        );
        assert_eq!(combined_title(&["a (x)", "b"]), "a / b");
        // Rests that differ only in their parentheses keep them.
        assert_eq!(
            combined_title(&["PADME: line (m = 17 MeV)", "PADME: line (m = 16 MeV)"]),
            "PADME: line (m = 17 MeV) / line (m = 16 MeV)"
        );
        // A colon inside the head's parenthesis is not the head's end.
        assert_eq!(
            combined_title(&["A (ref: 1): b", "A (ref: 1): c"]),
            "A (ref: 1): b / c"
        );
        assert_eq!(combined_title(&["", "b"]), "b");
    }
}
