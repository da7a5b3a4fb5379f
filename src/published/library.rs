//! The library of published limit curves: `limits/<collection>/<name>.csv` with a
//! `<name>.toml` of provenance next to it.
//!
//! A curve's CSV has the columns `mass_gev` and either `epsilon` or `y`; its metadata records
//! the experiment, reference (arXiv, INSPIRE key), figure, how the numbers were obtained, the axis
//! kinds, the confidence level and the licence. Curves drawn in `y = eps^2 alpha_D (m_chi/m_A')^4`
//! against `m_chi` (the usual light-dark-matter plot) record the `alpha_D` and `m_chi/m_A'` they
//! assume, and [`LibraryCurve::epsilon_limit`] converts them explicitly.
//!
//! Where the curves are: a search path of directories, then the library compiled into the
//! binary (`crate::assets`, the `limits/` of the source tree it was built from). The
//! directories are `$DARKSENS_LIMITS`, `limits/` next to the scenario's directory, and
//! `./limits`, in that order, each one only if it exists. A curve name is looked up along the
//! path, so a user directory adds curves, or gives its own version of a built-in one, and never
//! hides the rest of the built-in library.

use crate::error::InputError;
use crate::published::PublishedLimit;
use crate::published::curve::{Row, Shape, read_curve_file};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the curve's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueAxis {
    /// The kinetic mixing `eps`.
    Epsilon,
    /// `y = eps^2 alpha_D (m_chi/m_A')^4`.
    Y,
}

/// What the curve's masses are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MassAxis {
    /// The mediator mass `m_A'`.
    Mediator,
    /// The dark-matter mass `m_chi`.
    DarkMatter,
}

/// The mediator a published limit constrains (its couplings and production differ between
/// them, so a limit on one is no limit on the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConstrainedModel {
    /// A kinetically mixed dark photon.
    DarkPhoton,
    /// A scalar coupled to electrons.
    Scalar,
}

impl ConstrainedModel {
    /// The name a plot gives it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::DarkPhoton => "dark-photon",
            Self::Scalar => "scalar",
        }
    }

    /// It in words, as a label says it ("for a dark photon").
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Self::DarkPhoton => "dark photon",
            Self::Scalar => "scalar",
        }
    }
}

/// How the mediator a published limit constrains decays (a limit on an invisible decay, from
/// missing energy, is no limit on a visible one, and the other way round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConstrainedDecay {
    /// To dark matter (or anything unseen).
    Invisible,
    /// To `e+ e-`.
    Visible,
}

impl ConstrainedDecay {
    /// The name a plot gives it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Invisible => "invisible",
            Self::Visible => "visible",
        }
    }
}

/// The keys every provenance file gives (the [`CurveMeta`] fields that are not optional).
const REQUIRED_META_KEYS: [&str; 11] = [
    "experiment",
    "reference",
    "arxiv",
    "inspire",
    "figure",
    "obtained",
    "axis",
    "mass",
    "cl",
    "meaning",
    "licence",
];

/// The required keys a provenance text that parses as TOML lacks; `None` when it lacks none
/// (or does not parse: that error has its own line).
fn missing_meta_keys(text: &str) -> Option<Vec<&'static str>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let missing: Vec<&str> = REQUIRED_META_KEYS
        .iter()
        .copied()
        .filter(|key| !table.contains_key(*key))
        .collect();
    (!missing.is_empty()).then_some(missing)
}

/// Provenance and meaning of a library curve (`<name>.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurveMeta {
    /// Experiment.
    pub experiment: String,
    /// Journal reference.
    pub reference: String,
    /// arXiv identifier.
    pub arxiv: String,
    /// INSPIRE texkey.
    pub inspire: String,
    /// Figure and curve of the reference.
    pub figure: String,
    /// How the numbers were obtained (digitisation, file, commit).
    pub obtained: String,
    /// Values: `"epsilon"` or `"y"`.
    pub axis: ValueAxis,
    /// Masses: `"mediator"` or `"dark-matter"`.
    pub mass: MassAxis,
    /// Confidence level.
    pub cl: f64,
    /// `alpha_D` assumed by a `y` curve.
    pub alpha_d: Option<f64>,
    /// `m_chi/m_A'` assumed by a `y` curve or a dark-matter mass axis.
    pub mchi_over_mmed: Option<f64>,
    /// The mediator the limit constrains (`"dark-photon"` or `"scalar"`); a plot of another
    /// mediator labels and warns about it. Every built-in curve records it.
    pub model: Option<ConstrainedModel>,
    /// How that mediator decays (`"invisible"` or `"visible"`); a plot of the other decay
    /// labels and warns about it. Every built-in curve records it.
    pub decay: Option<ConstrainedDecay>,
    /// `true`: the CSV's points are the vertices of a closed contour, inside excluded
    /// (FORESEE and AxionLimits curves); default `false` (above, or between two columns).
    pub contour: Option<bool>,
    /// `true`: an expected limit (a projection, or a search's expected sensitivity), drawn as
    /// a line unless an overlay asks for a region; default `false` (an observed exclusion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<bool>,
    /// What the curve means (excluded side, model).
    pub meaning: String,
    /// Licence of the data.
    pub licence: String,
}

impl CurveMeta {
    /// The legend label of a curve drawn without one: the experiment and year, and whether
    /// the region is excluded or the line an expected limit ("BaBar 2017 (excluded)").
    #[must_use]
    pub fn default_label(&self) -> String {
        let kind = if self.expected == Some(true) {
            "expected"
        } else {
            "excluded"
        };
        let name = format!("{} {}", self.experiment, year_of(&self.reference));
        format!("{} ({kind})", name.trim())
    }
}

/// The year of a reference such as "NA64, PRL 123 (2019) 121801": the first four digits that
/// close a parenthesis ("(2019)", "(Fox et al. 2011)"), or nothing.
fn year_of(reference: &str) -> String {
    reference
        .match_indices(')')
        .filter_map(|(end, _)| reference.get(end.saturating_sub(4)..end))
        .find(|year| year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default()
        .to_string()
}

/// A curve of the library, read with its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryCurve {
    /// `collection/name`.
    pub name: String,
    /// Provenance.
    pub meta: CurveMeta,
    /// The region as in the file (masses and values in the file's axes).
    pub values: PublishedLimit,
}

/// `eps = sqrt(y / (alpha_D r^4))` for `y = eps^2 alpha_D r^4`, `r = m_chi/m_A'`.
#[must_use]
pub fn epsilon_from_y(y: f64, alpha_d: f64, mchi_over_mmed: f64) -> f64 {
    (y / (alpha_d * mchi_over_mmed.powi(4))).sqrt()
}

/// `y = eps^2 alpha_D r^4`, `r = m_chi/m_A'`.
#[must_use]
pub fn y_from_epsilon(epsilon: f64, alpha_d: f64, mchi_over_mmed: f64) -> f64 {
    epsilon * epsilon * alpha_d * mchi_over_mmed.powi(4)
}

impl LibraryCurve {
    /// Reads `<csv>` and the `.toml` next to it.
    ///
    /// # Errors
    /// A message naming the file (and line) for unreadable or malformed data or metadata.
    pub fn read(csv_path: &Path, name: &str) -> Result<Self, InputError> {
        let toml_path = csv_path.with_extension("toml");
        let file = toml_path.display().to_string();
        let meta_text =
            crate::files::read_text(&toml_path).map_err(|e| InputError::UnreadableMetadata {
                path: file.clone(),
                reason: e.to_string(),
            })?;
        let csv_text = read_curve_file(csv_path)?;
        Self::from_texts(
            name,
            (&csv_path.display().to_string(), &csv_text),
            (&file, &meta_text),
        )
    }

    /// The curve from the texts of its CSV and TOML, each with the name messages give it.
    ///
    /// # Errors
    /// As [`LibraryCurve::read`].
    pub fn from_texts(
        name: &str,
        (csv_source, csv_text): (&str, &str),
        (file, meta_text): (&str, &str),
    ) -> Result<Self, InputError> {
        let file = file.to_string();
        let meta: CurveMeta = toml::from_str(meta_text).map_err(|e| {
            // Every key a provenance file lacks at once, rather than one per attempt at line 1.
            if let Some(missing) = missing_meta_keys(meta_text) {
                return InputError::Content {
                    file: file.clone(),
                    message: format!(
                        "missing key(s) {}: a curve's provenance gives {} (`darksens import hepdata` writes a complete one; the source's limits/darkcast/*.toml are examples)",
                        missing.join(", "),
                        REQUIRED_META_KEYS.join(", ")
                    ),
                };
            }
            let message = crate::error::plain_types(e.message());
            match e.span() {
                Some(s) => InputError::Line {
                    file: file.clone(),
                    line: meta_text[..s.start.min(meta_text.len())]
                        .matches('\n')
                        .count()
                        + 1,
                    message,
                },
                None => InputError::Content {
                    file: file.clone(),
                    message,
                },
            }
        })?;
        let content = |message: String| InputError::Content {
            file: file.clone(),
            message,
        };
        if meta.axis == ValueAxis::Y && (meta.alpha_d.is_none() || meta.mchi_over_mmed.is_none()) {
            return Err(content(
                "a y curve must record alpha_d and mchi_over_mmed".into(),
            ));
        }
        let out_of_range = |key: &str, value: f64, range: &str| {
            content(format!("{key} = {value} is outside {range}"))
        };
        if let Some(alpha_d) = meta.alpha_d.filter(|a| !(a.is_finite() && *a > 0.0)) {
            return Err(out_of_range("alpha_d", alpha_d, "(0, inf)"));
        }
        if let Some(r) = meta.mchi_over_mmed.filter(|r| !(*r > 0.0 && *r < 1.0)) {
            return Err(out_of_range("mchi_over_mmed", r, "(0, 1)"));
        }
        if !(meta.cl > 0.0 && meta.cl < 1.0) {
            return Err(out_of_range("cl", meta.cl, "(0, 1)"));
        }
        if meta.mass == MassAxis::DarkMatter && meta.mchi_over_mmed.is_none() {
            return Err(content(
                "a dark-matter mass axis needs mchi_over_mmed".into(),
            ));
        }
        let shape = if meta.contour == Some(true) {
            Shape::Contour
        } else {
            Shape::FromColumns
        };
        let (values, column) = parse_csv_curve(csv_text, csv_source, shape)?;
        let expected = match meta.axis {
            ValueAxis::Epsilon => "epsilon",
            ValueAxis::Y => "y",
        };
        if column != expected {
            return Err(content(format!(
                "axis = \"{expected}\" but the CSV's column is '{column}'"
            )));
        }
        Ok(Self {
            name: name.to_string(),
            meta,
            values,
        })
    }

    /// The curve as `eps` against the mediator mass, converted with the recorded `alpha_D` and
    /// mass ratio when it is given in `y` or against `m_chi`.
    #[must_use]
    pub fn epsilon_limit(&self) -> PublishedLimit {
        let r = self.meta.mchi_over_mmed.unwrap_or(1.0);
        let (mass_axis, value_axis) = (self.meta.mass, self.meta.axis);
        let alpha_d = self.meta.alpha_d.unwrap_or(1.0);
        self.values
            .map(&format!("library curve {}", self.name), |mass, value| {
                let mediator_mass = match mass_axis {
                    MassAxis::Mediator => mass,
                    MassAxis::DarkMatter => mass / r,
                };
                let eps = match value_axis {
                    ValueAxis::Epsilon => value,
                    ValueAxis::Y => epsilon_from_y(value, alpha_d, r),
                };
                (mediator_mass, eps)
            })
    }
}

/// Reads a curve CSV: a header `mass_gev,epsilon` or `mass_gev,y`, with a third column
/// `epsilon_upper` (`y_upper`) for a region between two edges; returns the curve and the value
/// column's name (`epsilon` or `y`).
///
/// # Errors
/// A message with the file and line for a wrong header, non-numbers, non-increasing masses or
/// an upper edge below the lower one.
pub fn read_csv_curve(path: &Path, shape: Shape) -> Result<(PublishedLimit, String), InputError> {
    let text = read_curve_file(path)?;
    parse_csv_curve(&text, &path.display().to_string(), shape)
}

/// As [`read_csv_curve`], from the text of a file `source` names. Read with the `csv` crate:
/// quoted fields, surrounding spaces, `#` comment lines and a byte-order mark are fine, and
/// messages give the line in the file.
///
/// # Errors
/// As [`read_csv_curve`].
pub fn parse_csv_curve(
    text: &str,
    source: &str,
    shape: Shape,
) -> Result<(PublishedLimit, String), InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e
                .position()
                .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
            InputError::Line {
                file: source.to_string(),
                line,
                message: format!("not a CSV row: {e}"),
            }
        })?;
        let line = record
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        rows.push(Row { line, fields });
    }
    let Some((header, rows)) = rows.split_first() else {
        return Err(InputError::Content {
            file: source.to_string(),
            message: "empty file".into(),
        });
    };
    let names: Vec<&str> = header.fields.iter().map(String::as_str).collect();
    let column = match names.as_slice() {
        ["mass_gev", value @ ("epsilon" | "y")] => *value,
        ["mass_gev", "epsilon", "epsilon_upper"] => "epsilon",
        ["mass_gev", "y", "y_upper"] => "y",
        _ => {
            return Err(InputError::Line {
                file: source.to_string(),
                line: header.line,
                message: format!(
                    "the header must be 'mass_gev,epsilon' or 'mass_gev,y', with a third column 'epsilon_upper' ('y_upper') for a region between two edges; got '{}'",
                    names.join(",")
                ),
            });
        }
    };
    if names.len() == 3 && shape == Shape::Contour {
        return Err(InputError::Line {
            file: source.to_string(),
            line: header.line,
            message: "a closed contour has two columns (its vertices), not an upper edge".into(),
        });
    }
    if let Some(row) = rows.iter().find(|r| r.fields.len() != names.len()) {
        return Err(InputError::Line {
            file: source.to_string(),
            line: row.line,
            message: format!(
                "expected {} values as in the header, got {}",
                names.len(),
                row.fields.len()
            ),
        });
    }
    let limit = PublishedLimit::from_rows(rows, source, shape)?;
    Ok((limit, column.to_string()))
}

/// Where the built-in library's files are in [`crate::assets`].
const BUILT_IN: &str = "limits/";

/// How the built-in library is named in messages and listings.
pub const BUILT_IN_NAME: &str = "built in";

/// The library's directories for a scenario in `scenario_dir`, in search order (see the module
/// docs); the built-in library comes after them.
#[must_use]
pub fn library_dirs(scenario_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("DARKSENS_LIMITS") {
        candidates.push(PathBuf::from(dir));
    }
    if let Some(dir) = scenario_dir {
        candidates.push(dir.join("..").join("limits"));
    }
    candidates.push(PathBuf::from("limits"));
    let mut dirs: Vec<PathBuf> = Vec::new();
    for c in candidates.into_iter().filter(|c| c.is_dir()) {
        let same = |d: &PathBuf| match (d.canonicalize(), c.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => *d == c,
        };
        if !dirs.iter().any(same) {
            dirs.push(c);
        }
    }
    dirs
}

/// The CSV of the curve `name` that [`find_curve`] reads from disk: the first of the library
/// directories `dirs` that has one; `None` when only the built-in copy (or none) exists.
#[must_use]
pub fn copy_on_disk(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    dirs.iter()
        .map(|d| d.join(format!("{name}.csv")))
        .find(|p| p.is_file())
}

/// Names (`collection/name`) of the curves in a library directory, sorted.
#[must_use]
pub fn list_curves(root: &Path) -> Vec<String> {
    let mut names = Vec::new();
    let Ok(collections) = std::fs::read_dir(root) else {
        return names;
    };
    for collection in collections.flatten() {
        let Ok(files) = std::fs::read_dir(collection.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "csv")
                && path.with_extension("toml").is_file()
                && let (Some(c), Some(n)) = (
                    collection.file_name().to_str(),
                    path.file_stem().and_then(|s| s.to_str()),
                )
            {
                names.push(format!("{c}/{n}"));
            }
        }
    }
    names.sort();
    names
}

/// Names of the built-in curves (a `collection/name.csv` with its `.toml`), sorted.
#[must_use]
pub fn built_in_curves() -> Vec<String> {
    crate::assets::under(BUILT_IN)
        .filter_map(|(path, _)| {
            let name = path.strip_prefix(BUILT_IN)?.strip_suffix(".csv")?;
            (name.matches('/').count() == 1
                && crate::assets::file(&format!("{BUILT_IN}{name}.toml")).is_some())
            .then(|| name.to_string())
        })
        .collect()
}

/// Every curve name on the search path of `dirs` and in the built-in library, with where it is
/// found first (a directory, or [`BUILT_IN_NAME`]), sorted by name.
#[must_use]
pub fn all_curves(dirs: &[PathBuf]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let sources = dirs
        .iter()
        .map(|d| (list_curves(d), d.display().to_string()))
        .chain(std::iter::once((
            built_in_curves(),
            BUILT_IN_NAME.to_string(),
        )));
    for (names, place) in sources {
        for name in names {
            if !found.iter().any(|(n, _)| *n == name) {
                found.push((name, place.clone()));
            }
        }
    }
    found.sort();
    found
}

/// Loads the curve `collection/name` from the first directory of `dirs` that has it, else from
/// the built-in library.
///
/// # Errors
/// If no place has the curve (the message lists what there is), or its files are malformed.
pub fn find_curve(dirs: &[PathBuf], name: &str) -> Result<LibraryCurve, InputError> {
    if let Some(path) = copy_on_disk(dirs, name) {
        return LibraryCurve::read(&path, name);
    }
    let csv = format!("{BUILT_IN}{name}.csv");
    let toml = format!("{BUILT_IN}{name}.toml");
    if let (Some(csv_text), Some(toml_text)) =
        (crate::assets::file(&csv), crate::assets::file(&toml))
    {
        return LibraryCurve::from_texts(
            name,
            (&format!("{csv} ({BUILT_IN_NAME})"), csv_text),
            (&format!("{toml} ({BUILT_IN_NAME})"), toml_text),
        );
    }
    let mut places: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    places.push(format!("the {BUILT_IN_NAME} library"));
    Err(InputError::NoCurve {
        name: name.to_string(),
        library: places.join(", "),
        available: all_curves(dirs)
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn year_is_read_before_the_last_parenthesis() {
        assert_eq!(year_of("NA64, PRL 123 (2019) 121801"), "2019");
        assert_eq!(year_of("LEP (Fox et al. 2011)"), "2011");
        assert_eq!(
            year_of("P. J. Fox et al., PRD 84 (2011) 014028 (LEP mono-photon recast)"),
            "2011"
        );
        assert_eq!(year_of("(99)"), "");
        assert_eq!(year_of("no year"), "");
    }

    /// The keys a provenance file must give are exactly the fields it cannot leave out: each
    /// one removed from a complete file fails, every other key removed together does not; and
    /// a file lacking several names them all at once.
    #[test]
    fn required_provenance_keys_are_the_fields_that_cannot_be_left_out() {
        let full = crate::assets::file("limits/darkcast/BaBar_Lees2017lec.toml").expect("built in");
        let table: toml::Table = toml::from_str(full).expect("toml");
        let without = |keys: &[&str]| {
            let mut t = table.clone();
            for key in keys {
                t.remove(*key);
            }
            toml::to_string(&t).expect("toml")
        };
        assert!(toml::from_str::<CurveMeta>(full).is_ok());
        for key in REQUIRED_META_KEYS {
            assert!(
                toml::from_str::<CurveMeta>(&without(&[key])).is_err(),
                "{key} is optional"
            );
        }
        let optional: Vec<&str> = table
            .keys()
            .map(String::as_str)
            .filter(|k| !REQUIRED_META_KEYS.contains(k))
            .collect();
        assert!(!optional.is_empty());
        assert!(toml::from_str::<CurveMeta>(&without(&optional)).is_ok());
        let error = LibraryCurve::from_texts(
            "my/c",
            ("c.csv", "mass_gev,epsilon\n0.01,1e-3\n0.1,1e-3\n"),
            ("c.toml", "experiment = \"X\"\ncl = 0.9\n"),
        )
        .expect_err("incomplete provenance");
        assert!(
            error.to_string().contains(
                "missing key(s) reference, arxiv, inspire, figure, obtained, axis, mass, meaning, licence"
            ),
            "{error}"
        );
    }

    #[test]
    fn epsilon_and_y_round_trip() {
        let (eps, alpha_d, r) = (3e-4, 0.5, 1.0 / 3.0);
        let y = y_from_epsilon(eps, alpha_d, r);
        assert_relative_eq!(y, 9e-8 * 0.5 / 81.0, max_relative = 1e-14, epsilon = 0.0);
        assert_relative_eq!(
            epsilon_from_y(y, alpha_d, r),
            eps,
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }

    #[test]
    fn shipped_library_reads_and_converts() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("limits");
        let names = list_curves(&root);
        assert!(
            names.contains(&"darkcast/NA64_NA642019imj".to_string()),
            "{names:?}"
        );
        // The built-in copy has the same curves and reads to the same numbers; each records
        // the model it constrains and how that decays.
        assert_eq!(built_in_curves(), names);
        for name in &names {
            let meta = find_curve(&[], name).expect("reads").meta;
            assert!(meta.model.is_some() && meta.decay.is_some(), "{name}");
        }
        for name in &names {
            let curve = find_curve(std::slice::from_ref(&root), name).expect("reads");
            let limit = curve.epsilon_limit();
            assert!(limit.outline().0.len() > 10, "{name}");
            let built_in = find_curve(&[], name).expect("built in");
            assert_eq!(
                (&built_in.meta, built_in.values.boundary()),
                (&curve.meta, curve.values.boundary())
            );
        }
        // A y curve against m_chi converts back to the same eps against m_A'.
        let curve = find_curve(&[], "darkcast/NA64_NA642019imj").expect("reads");
        let (alpha_d, r) = (0.5, 1.0 / 3.0);
        let as_y = LibraryCurve {
            meta: CurveMeta {
                axis: ValueAxis::Y,
                mass: MassAxis::DarkMatter,
                alpha_d: Some(alpha_d),
                mchi_over_mmed: Some(r),
                ..curve.meta.clone()
            },
            values: curve
                .values
                .map("as y", |m, e| (m * r, y_from_epsilon(e, alpha_d, r))),
            ..curve.clone()
        };
        for (a, b) in curve
            .epsilon_limit()
            .outline()
            .0
            .iter()
            .zip(&as_y.epsilon_limit().outline().0)
        {
            assert_relative_eq!(a.0, b.0, max_relative = 1e-14, epsilon = 0.0);
            assert_relative_eq!(a.1, b.1, max_relative = 1e-14, epsilon = 0.0);
        }
    }
}

/// A directory on the search path adds curves and overrides built-in ones of the same name;
/// the rest of the built-in library stays.
#[test]
fn a_user_directory_adds_to_the_built_in_library() {
    let dir = std::env::temp_dir().join(format!("darksens-library-{}", std::process::id()));
    let meta = crate::assets::file("limits/darkcast/NA64_NA642019imj.toml").expect("meta");
    for name in ["mine/extra", "darkcast/NA64_NA642019imj"] {
        let csv = dir.join(format!("{name}.csv"));
        std::fs::create_dir_all(csv.parent().expect("collection")).expect("dir");
        std::fs::write(&csv, "mass_gev,epsilon\n0.01,1e-4\n0.1,1e-3\n").expect("csv");
        std::fs::write(csv.with_extension("toml"), meta).expect("toml");
    }
    let dirs = [dir.clone()];
    let all = all_curves(&dirs);
    let place = |n: &str| {
        all.iter()
            .find(|(name, _)| name == n)
            .map(|(_, p)| p.clone())
    };
    let here = Some(dir.display().to_string());
    assert_eq!(place("mine/extra"), here);
    assert_eq!(place("darkcast/NA64_NA642019imj"), here);
    assert_eq!(
        place("darkcast/BaBar_Lees2017lec"),
        Some(BUILT_IN_NAME.to_string())
    );
    for name in ["mine/extra", "darkcast/NA64_NA642019imj"] {
        assert_eq!(
            find_curve(&dirs, name)
                .expect("found")
                .values
                .outline()
                .0
                .len(),
            2,
            "{name}"
        );
    }
    assert!(find_curve(&dirs, "darkcast/BaBar_Lees2017lec").is_ok());
    let missing = find_curve(&dirs, "mine/none").expect_err("missing");
    assert!(
        missing.to_string().contains("darkcast/BaBar_Lees2017lec"),
        "{missing}"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn csv_errors_name_the_line() {
        let dir = std::env::temp_dir().join(format!("darksens-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("bad.csv");
        std::fs::write(&path, "mass_gev,epsilon\n0.001,1e-5\n0.002,oops\n").expect("write");
        let read = |p: &Path| read_csv_curve(p, Shape::FromColumns);
        let error = read(&path).expect_err("rejects").to_string();
        assert!(
            error.contains("bad.csv:3: eps 'oops' is not a number"),
            "{error}"
        );
        std::fs::write(&path, "mass,eps\n0.001,1e-5\n").expect("write");
        assert!(
            read(&path)
                .expect_err("rejects")
                .to_string()
                .contains(":1: the header must be")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// CSV through the csv crate: quoted fields, spaces, comments and a byte-order mark read
    /// as they look, and messages keep the line in the file.
    #[test]
    fn csv_reads_quotes_comments_and_upper_edges() {
        let text = "\u{feff}# digitised\n\"mass_gev\",\"epsilon\"\n# a comment\n\"0.001\",1e-5\n 0.01 , 1e-4\n";
        let (limit, column) = parse_csv_curve(text, "q.csv", Shape::FromColumns).expect("parses");
        assert_eq!(column, "epsilon");
        assert_eq!(limit.outline().0, vec![(0.001, 1e-5), (0.01, 1e-4)]);
        let error = parse_csv_curve(
            "# one\n# two\nmass_gev,epsilon\n0.001,1e-5\n0.002,oops\n",
            "c.csv",
            Shape::FromColumns,
        )
        .expect_err("rejects")
        .to_string();
        assert!(
            error.contains("c.csv:5: eps 'oops' is not a number"),
            "{error}"
        );
        let (band, column) = parse_csv_curve(
            "mass_gev,y,y_upper\n0.001,1e-12,1e-9\n0.01,1e-13,1e-8\n",
            "b.csv",
            Shape::FromColumns,
        )
        .expect("parses");
        assert_eq!(column, "y");
        assert!(band.outline().1, "a band is a closed outline");
        for (text, message) in [
            ("mass_gev,epsilon,upper\n", "b.csv:1: the header must be"),
            (
                "mass_gev,epsilon\n0.001,1e-5,1e-3\n",
                "b.csv:2: expected 2 values",
            ),
            (
                "mass_gev,epsilon_upper,epsilon\n",
                "b.csv:1: the header must be",
            ),
        ] {
            let error = parse_csv_curve(text, "b.csv", Shape::FromColumns)
                .expect_err("rejects")
                .to_string();
            assert!(error.contains(message), "{error}");
        }
    }

    /// A library curve whose metadata says `contour = true` is a closed contour, drawn and
    /// converted like the others.
    #[test]
    fn a_library_contour() {
        let meta = crate::assets::file("limits/darkcast/NA64_NA642019imj.toml").expect("meta");
        let meta = format!("{meta}\ncontour = true\n");
        let curve = LibraryCurve::from_texts(
            "mine/contour",
            (
                "c.csv",
                "mass_gev,epsilon\n0.001,1e-4\n0.01,1e-5\n0.1,1e-4\n0.01,1e-3\n",
            ),
            ("c.toml", &meta),
        )
        .expect("reads");
        let limit = curve.epsilon_limit();
        assert!(
            matches!(limit.boundary(), crate::published::curve::Boundary::Inside(v) if v.len() == 4)
        );
        let wrong_axis = LibraryCurve::from_texts(
            "mine/y",
            ("y.csv", "mass_gev,y\n0.001,1e-4\n0.01,1e-5\n0.1,1e-4\n"),
            ("y.toml", meta.as_str()),
        )
        .expect_err("axis mismatch")
        .to_string();
        assert!(wrong_axis.contains("column is 'y'"), "{wrong_axis}");
    }
}
