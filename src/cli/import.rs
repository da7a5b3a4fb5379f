//! `darksens import hepdata`: a HEPData table into a limit library, as a curve CSV with its
//! provenance TOML, so that scenarios and plots name it like any library curve.

use darksens::error::Error;
use darksens::output::write_atomically;
use darksens::published::curve::MISSING_VALUE;
use darksens::published::hepdata::read_table;
use darksens::published::library::{
    ConstrainedDecay, ConstrainedModel, CurveMeta, MassAxis, ValueAxis,
};
use darksens::units::format_number;
use std::path::PathBuf;

/// Options of `darksens import`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens import hepdata Table1.yaml --name na64/invisible2023 --dependent 1 \\\n      --experiment NA64 --record ins2620233 --doi 10.17182/hepdata.1\n  darksens list          # the curve is listed from ./limits\n\nThen `[[overlay]] curve = \"na64/invisible2023\"` in a scenario draws it. The\ntable is the data file of one table of the record (not submission.yaml)."
)]
pub struct Opts {
    /// The format: `hepdata`.
    format: ImportFormat,
    /// The table's YAML data file.
    table: PathBuf,
    /// The curve's name in the library, `collection/name`.
    #[arg(long, value_name = "COLLECTION/NAME")]
    name: String,
    /// The dependent variable: its position (1 for the first) or name (a name may start with
    /// a sign: `--dependent "-2 sigma"`).
    #[arg(long, allow_hyphen_values = true)]
    dependent: Option<String>,
    /// The library directory (default: $DARKSENS_LIMITS, else ./limits).
    #[arg(long, value_name = "DIR")]
    library: Option<PathBuf>,
    /// The experiment, for the legend (default: the table's `experiment` qualifier, or
    /// `darksens` for a table darksens exported, else "unknown").
    #[arg(long)]
    experiment: Option<String>,
    /// The journal reference.
    #[arg(long, default_value = "")]
    reference: String,
    /// The arXiv identifier.
    #[arg(long, default_value = "")]
    arxiv: String,
    /// The HEPData record (e.g. `ins2620233`).
    #[arg(long, default_value = "")]
    record: String,
    /// The record's (or the table's) DOI.
    #[arg(long, default_value = "")]
    doi: String,
    /// The mediator the limit constrains (default: the table's `mediator` qualifier, as
    /// darksens's own export writes it, else dark-photon).
    #[arg(long, value_enum)]
    model: Option<ModelName>,
    /// Overwrite a curve of that name.
    #[arg(long)]
    force: bool,
    /// Print nothing but warnings and errors
    #[arg(short, long)]
    quiet: bool,
}

/// The formats `import` reads.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ImportFormat {
    /// One table of a HEPData record (its YAML data file).
    Hepdata,
}

/// Mediators a curve may constrain.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ModelName {
    /// A kinetically mixed dark photon.
    DarkPhoton,
    /// A scalar coupled to electrons.
    Scalar,
}

/// Writes the curve and its provenance.
///
/// # Errors
/// A table that does not read as a limit, a bad name, an existing curve without `--force`, or
/// a library that cannot be written.
pub fn run(opts: &Opts) -> Result<(), Error> {
    let ImportFormat::Hepdata = opts.format;
    let valid_part = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-+.".contains(c))
            && !p.starts_with('.')
    };
    let parts: Vec<&str> = opts.name.split('/').collect();
    if parts.len() != 2 || !parts.iter().all(|p| valid_part(p)) {
        return Err(Error::Usage(format!(
            "--name {}: a library curve is named COLLECTION/NAME with letters, digits and _-+. (e.g. na64/invisible2023)",
            opts.name
        )));
    }
    let table = read_table(&opts.table, opts.dependent.as_deref())?;
    let library = opts.library.clone().unwrap_or_else(|| {
        std::env::var_os("DARKSENS_LIMITS").map_or_else(|| PathBuf::from("limits"), PathBuf::from)
    });
    let csv = library.join(format!("{}.csv", opts.name));
    if csv.exists() && !opts.force {
        return Err(Error::Usage(format!(
            "{} exists: give another --name, or --force to replace it",
            csv.display()
        )));
    }
    if !opts.force && darksens::published::library::built_in_curves().contains(&opts.name) {
        return Err(Error::Usage(format!(
            "--name {}: is a curve of the built-in library, and a curve of that name in {} would be drawn in its place wherever a scenario names it; give another --name, or --force to do so",
            opts.name,
            library.display()
        )));
    }
    let bytes = std::fs::read(&opts.table).map_err(|e| Error::Usage(e.to_string()))?;
    let meta = provenance(opts, &table, &bytes)?;
    let rows = library_rows(&table.limit);
    let toml_text = format!(
        "# Provenance of {}.csv, written by darksens import hepdata.\n{}",
        parts[1],
        toml::to_string(&meta).map_err(|e| Error::Usage(e.to_string()))?
    );
    std::fs::create_dir_all(library.join(parts[0])).map_err(|e| Error::Unwritable {
        path: library.join(parts[0]),
        message: e.to_string(),
    })?;
    write_atomically(&csv, rows.as_bytes())?;
    write_atomically(&csv.with_extension("toml"), toml_text.as_bytes())?;
    if opts.quiet {
        return Ok(());
    }
    println!(
        "wrote {} and its provenance ({} points of '{}')",
        csv.display(),
        table.limit.outline().0.len(),
        table.dependent
    );
    Ok(())
}

/// The library CSV of a curve: `mass_gev,epsilon` rows, and where the table has no value
/// between two pieces a row `mass,-` at their masses' geometric mean, so that the library's
/// curve has the same gap.
fn library_rows(limit: &darksens::published::PublishedLimit) -> String {
    use std::fmt::Write as _;
    let mut rows = String::from("mass_gev,epsilon\n");
    let mut before: Option<f64> = None;
    for piece in limit.pieces().0 {
        if let (Some(end), Some(&(start, _))) = (before, piece.first()) {
            let mass = (end * start).sqrt();
            let _ = writeln!(rows, "{},{MISSING_VALUE}", format_number(mass));
        }
        for (mass, eps) in &piece {
            let _ = writeln!(rows, "{},{}", format_number(*mass), format_number(*eps));
        }
        before = piece.last().map(|p| p.0);
    }
    rows
}

/// The experiment a curve's legend names: `--experiment`, else the table's `experiment`
/// qualifier, else `darksens` when the table is a darksens export (it has `scenario` and
/// `limit method` qualifiers), else "unknown", with a note on how to name it.
fn experiment_of<'a>(opts: &Opts, qualifier: &impl Fn(&str) -> Option<&'a str>) -> String {
    if let Some(given) = &opts.experiment {
        return given.clone();
    }
    if let Some(named) = qualifier("experiment") {
        return named.to_string();
    }
    // darksens's export writes both; another record's "scenario" alone may be a benchmark.
    if qualifier("scenario").is_some() && qualifier("limit method").is_some() {
        return "darksens".to_string();
    }
    if !opts.quiet {
        eprintln!(
            "note: the table names no experiment: the legend and `darksens list` say \"unknown\"; give --experiment NAME"
        );
    }
    "unknown".to_string()
}

/// The provenance of the imported curve: what the options and the table say.
fn provenance(
    opts: &Opts,
    table: &darksens::published::hepdata::HepDataCurve,
    bytes: &[u8],
) -> Result<CurveMeta, Error> {
    let cl = table.confidence_level()?;
    let qualifier = |wanted: &str| {
        table
            .qualifiers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value.trim())
    };
    let number = |wanted: &str| qualifier(wanted).and_then(|v| v.parse::<f64>().ok());
    // What darksens's own export says of the model (an option given on the command line wins).
    let model = match opts.model {
        Some(ModelName::Scalar) => ConstrainedModel::Scalar,
        Some(ModelName::DarkPhoton) => ConstrainedModel::DarkPhoton,
        None => table.mediator().unwrap_or(ConstrainedModel::DarkPhoton),
    };
    let decay = match qualifier("decay") {
        Some("invisible") => Some(ConstrainedDecay::Invisible),
        Some("visible") => Some(ConstrainedDecay::Visible),
        _ => None,
    };
    let file_name = opts
        .table
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    Ok(CurveMeta {
        experiment: experiment_of(opts, &qualifier),
        reference: opts.reference.clone(),
        arxiv: opts.arxiv.clone(),
        inspire: String::new(),
        figure: format!("HEPData table {file_name}, variable '{}'", table.dependent),
        obtained: format!(
            "imported with darksens import hepdata from {file_name} (sha256 {}){}{}",
            darksens::digest::sha256_hex(bytes),
            if opts.record.is_empty() {
                String::new()
            } else {
                format!(", HEPData record {}", opts.record)
            },
            if opts.doi.is_empty() {
                String::new()
            } else {
                format!(", DOI {}", opts.doi)
            }
        ),
        axis: ValueAxis::Epsilon,
        mass: MassAxis::Mediator,
        cl: cl.unwrap_or(0.9),
        alpha_d: number(darksens::published::hepdata::ALPHA_D_QUALIFIER),
        mchi_over_mmed: number("$m_\\chi/m_{med}$"),
        model: Some(model),
        // From the table's `decay` qualifier (darksens's export writes it); otherwise add
        // `decay = "invisible"` or "visible" to the metadata file to have plots of the other
        // decay warn.
        decay,
        contour: None,
        expected: table.is_expected().then_some(true),
        meaning: format!(
            "{}, from the table's variable '{}'{}",
            if table.is_expected() {
                "expected upper limit on eps (a projection: drawn as a line, not as an excluded region)"
            } else {
                "lower edge of the excluded eps (above is excluded)"
            },
            table.dependent,
            if cl.is_none() {
                "; the table gives no CL qualifier, 90% assumed"
            } else {
                ""
            }
        ),
        licence: "that of the table imported: records published on hepdata.net are released under the CC0 waiver; a table from elsewhere keeps its author's terms".into(),
    })
}
