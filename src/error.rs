//! Errors of the library, typed by what went wrong. Bad input (exit code 2) is a
//! [`ScenarioError`] (a scenario value, located by file, line and key), an [`InputError`] (a file
//! the scenario names: a spectrum table, an event file, a limit curve, a checkpoint) or a
//! [`ScanError`] (a scan that cannot be planned or assembled); a path that cannot be written
//! ([`Error::Output`]) and a numerical failure (naming the parameter point) are exit code 1.

use crate::units::format_number;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a scenario value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The scenario file itself.
    File,
    /// A command-line `--set` (its text; empty when not known).
    CommandLine(String),
    /// The `set` table of `[[curve]]` number `n` (1-based) with its label.
    Curve(usize, String),
    /// The file's own value, refused only with the `--set` overrides given (their texts,
    /// `--set scan.points=1` against the file's two-ended `scan.log_range`).
    WithCommandLine(Vec<String>),
}

/// A problem with the scenario: what, where (file, line, key) and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The scenario file.
    pub file: PathBuf,
    /// 1-based line in the file, when the key is written there.
    pub line: Option<usize>,
    /// Dotted key.
    pub key: Option<String>,
    /// Where the offending value came from.
    pub origin: Origin,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl ScenarioError {
    /// An error about the value of `key`, not yet located in a file: the scenario document adds
    /// the file, the line and where the value came from ([`crate::scenario::ScenarioDocument`]).
    pub fn at_key(key: &str, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            file: PathBuf::new(),
            line: None,
            key: Some(key.to_string()),
            origin: Origin::File,
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A new error about `file`.
    pub fn new(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: None,
            key: None,
            origin: Origin::File,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds the line.
    #[must_use]
    pub fn with_line(mut self, line: Option<usize>) -> Self {
        self.line = line.or(self.line);
        self
    }

    /// Adds the key.
    #[must_use]
    pub fn with_key(mut self, key: &str) -> Self {
        self.key = Some(key.to_string());
        self
    }

    /// Adds the origin.
    #[must_use]
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)?;
        match &self.origin {
            Origin::File => {}
            Origin::CommandLine(text) if text.is_empty() => {
                write!(f, " (after the --set overrides)")?;
            }
            Origin::CommandLine(text) => write!(f, " (from --set {text})")?,
            Origin::Curve(n, label) => write!(f, " (in [[curve]] {n}, \"{label}\")")?,
            Origin::WithCommandLine(texts) => write!(f, " (with --set {})", texts.join(" --set "))?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// A file darksens reads that it cannot use: the message names the file and, where one line is
/// to blame, the line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A directory where a file was expected.
    #[error("'{path}' is a directory, not {what}")]
    Directory {
        /// The path as given.
        path: String,
        /// What was expected, e.g. "a spectrum table".
        what: &'static str,
    },
    /// A file that cannot be opened or read.
    #[error("cannot read '{path}': {reason}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// A malformed line (or row).
    #[error("{file}:{line}: {message}")]
    Line {
        /// The file as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong there.
        message: String,
    },
    /// A file whose content as a whole cannot be used.
    #[error("{file}: {message}")]
    Content {
        /// The file as given.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// Numbers that do not form a valid table (built in memory, no file to name).
    #[error("{0}")]
    Values(String),
    /// The metadata of a library curve cannot be read.
    #[error("cannot read the metadata '{path}' of a library curve: {reason}")]
    UnreadableMetadata {
        /// The `.toml` file.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// A file that is not a checkpoint or shard file of darksens.
    #[error("'{path}' is not a darksens checkpoint or shard file")]
    NotAUnitFile {
        /// The path as given.
        path: String,
    },
    /// A curve the library does not have.
    #[error("no curve '{name}' in the library (searched: {library}); it has: {available}")]
    NoCurve {
        /// The name asked for.
        name: String,
        /// The library's directory.
        library: String,
        /// The curves it has, comma-separated.
        available: String,
    },
}

/// The built-in event generator kept too few events to make a spectrum.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{spectrum} (raise the number of points or loosen the cuts)")]
pub struct GeneratorError {
    /// Why the accepted events make no spectrum.
    pub spectrum: InputError,
}

/// A `--set key=value` that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OverrideError {
    /// No `=`.
    #[error("--set '{0}': expected key=value, e.g. --set model.alpha_d=0.1")]
    NoValue(String),
    /// An empty key or an empty segment of it.
    #[error("--set '{0}': the key must be a dotted path such as model.alpha_d")]
    BadKey(String),
}

/// A key of a scenario that cannot be set to a value (by `--set`, a curve's `set` table, or a
/// scan point).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SetError {
    /// A path into a list of tables (`[[detector]]`, `[[curve]]`), which `--set` cannot index.
    #[error(
        "cannot set '{key}': '{walked}' is a list of tables ([[{walked}]]), and a key cannot choose one of them; change it in the scenario file"
    )]
    ThroughList {
        /// The key.
        key: String,
        /// The part of it that is the list.
        walked: String,
    },
    /// A path through a value that is not a table.
    #[error("cannot set '{key}': '{walked}' is a value, not a table")]
    ThroughValue {
        /// The key.
        key: String,
        /// The part of it that is a value.
        walked: String,
    },
    /// A whole table replaced by a value.
    #[error(
        "cannot set '{key}': it is a table, and only single values (or a whole range) can be set; set its keys one by one, e.g. \"{key}.KEY\" = VALUE"
    )]
    Table {
        /// The key.
        key: String,
    },
    /// A list replaced by a single value.
    #[error("cannot set '{key}': it is a list; give one, e.g. --set {key}=[1.0, 1000.0]")]
    List {
        /// The key.
        key: String,
    },
    /// A fraction for a key that takes whole numbers.
    #[error("takes whole numbers, got {value}")]
    WholeNumber {
        /// The value given.
        value: f64,
    },
    /// A key of `[background.neutron]` in a scenario without that table.
    #[error("cannot set '{key}': the scenario has no [background.neutron] table")]
    NoNeutronTable {
        /// The key.
        key: String,
    },
}

/// A quantity of a reproduction's reference file that does not fit its scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("quantity {quantity}: {problem}")]
pub struct ReferenceError {
    /// The quantity's name.
    pub quantity: String,
    /// What does not fit.
    pub problem: String,
}

/// A scan that cannot be planned, or whose stored results cannot be assembled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// A curve without a `[scan]` table.
    #[error(
        "curve \"{curve}\" has no [scan] section: add one, e.g.\n  [scan]\n  parameter = \"model.mass_mev\"\n  log_range = [1.0, 1000.0]\n  points = 300\n  (darksens explain --mass-mev M computes one mass without it)"
    )]
    NoScan {
        /// The curve's label.
        curve: String,
    },
    /// An emulsion scenario without its grid.
    #[error(
        "{file}: an emulsion scenario needs [scan] with x and y to be scanned, e.g.\n  [scan]\n  x = {{ parameter = \"model.g_d\", log_range = [1e-3, 1.0], points = 61 }}\n  y = {{ parameter = \"model.epsilon\", log_range = [1e-6, 1e-2], points = 81 }}\n  (darksens explain prints its single model point)"
    )]
    NoGrid {
        /// The scenario file.
        file: String,
    },
    /// An emulsion grid none of whose columns allows a signal.
    #[error(
        "{file}: no column of the grid allows a signal: at every {parameter} of scan.x ({from} to {to}) the masses fail {condition}, so every cell would be zero. Change scan.x's range, or the masses in [model] that the scan keeps fixed"
    )]
    GridClosed {
        /// The scenario file.
        file: String,
        /// The key scan.x varies.
        parameter: String,
        /// The first and last value of scan.x, as written.
        from: String,
        /// See `from`.
        to: String,
        /// What the masses must satisfy.
        condition: String,
    },
    /// Curves that scan different keys.
    #[error("all curves must scan the same key, got '{first}' and '{other}'")]
    DifferentKeys {
        /// The first curve's key.
        first: String,
        /// Another curve's key.
        other: String,
    },
    /// A scan of another key than the mass, with no mass set.
    #[error(
        "curve \"{curve}\": scanning {key} needs a fixed mass: set model.mass_mev in the scenario or with --set"
    )]
    NeedsMass {
        /// The curve's label.
        curve: String,
        /// The scanned key.
        key: String,
    },
    /// A mass outside the curve a bremsstrahlung yield is rescaled from.
    #[error(
        "{point}: the mass is outside the range {} - {} MeV of the published limit '{curve}', from which this scenario takes the bremsstrahlung yield (bremsstrahlung.method = \"rescaled-limit\"): there is no yield to compare. Narrow the scan to that range, or set bremsstrahlung.method = \"computed\"",
        format_number(*lo_mev),
        format_number(*hi_mev)
    )]
    OutsidePublishedRange {
        /// The curve and mass.
        point: String,
        /// Lowest mass of the published curve, MeV.
        lo_mev: f64,
        /// Highest mass, MeV.
        hi_mev: f64,
        /// The published curve.
        curve: String,
    },
    /// A mass in a gap of the published limit a bremsstrahlung yield is rescaled from.
    #[error(
        "{point}: the published limit '{curve}', from which this scenario takes the bremsstrahlung yield (bremsstrahlung.method = \"rescaled-limit\"), has no value between {} and {} MeV: there is no yield to compare. Leave that stretch out of the scan, or set bremsstrahlung.method = \"computed\"",
        format_number(*lo_mev),
        format_number(*hi_mev)
    )]
    InPublishedGap {
        /// The curve and mass.
        point: String,
        /// The mass before the gap, MeV.
        lo_mev: f64,
        /// The mass after it, MeV.
        hi_mev: f64,
        /// The published curve.
        curve: String,
    },
    /// A limit criterion that divides by the background, at a point where the computed background
    /// is zero (the sqrt-nb rule, the Asimov discovery signal).
    #[error("{point}: the background is 0, but {criterion} needs a positive one; {hint}")]
    NeedsBackground {
        /// The curve and mass.
        point: String,
        /// The criterion.
        criterion: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
    /// A Poisson criterion with a computed background beyond the largest its probabilities are
    /// trusted for.
    #[error(
        "{point}: the background is {:.4e} events, more than the {:e} up to which the Poisson probabilities are trusted (limit.method = \"poisson-cls\", or \"discovery\" with limit.statistic = \"poisson\"; 1e6 with a background.relative_uncertainty, over which they are averaged at a cost that grows with the count); use limit.method = \"sqrt-nb\" (or limit.statistic = \"asimov\"), exact to about 1/sqrt(N_b) there",
        background,
        max
    )]
    PoissonBackgroundTooLarge {
        /// The curve and mass.
        point: String,
        /// The background, events.
        background: f64,
        /// The largest background the Poisson probabilities are trusted for.
        max: f64,
    },
    /// A mediator heavier than the source can produce on its mass shell: no limit exists.
    #[error(
        "{point}: the mediator is beyond the reach of this source (at most {} MeV: {why}); none is made on its mass shell there, so no limit exists. Use masses below {0} MeV, or a source that reaches the mass (a scan may go beyond: those points are kept as closed rows)",
        crate::units::format_rounded(*reach_mev, 6)
    )]
    BeyondReach {
        /// The curve and mass.
        point: String,
        /// The heaviest mass the source can produce, MeV.
        reach_mev: f64,
        /// What sets it.
        why: String,
    },
    /// `darksens explain` of a thick-target scenario without a mass.
    #[error(
        "--mass-mev is required for {file} (the mediator mass of the point to explain), e.g. --mass-mev 66.72"
    )]
    MassRequired {
        /// The scenario file.
        file: String,
    },
    /// A mass outside the range darksens accepts.
    #[error(
        "--mass-mev must be between {} and {} MeV, got {}: {why}",
        format_number(*lo_mev),
        format_number(*hi_mev),
        format_number(*mass_mev)
    )]
    MassOutOfRange {
        /// The mass given.
        mass_mev: f64,
        /// Lowest accepted mass, MeV.
        lo_mev: f64,
        /// Highest accepted mass, MeV.
        hi_mev: f64,
        /// Why.
        why: &'static str,
    },
    /// `darksens explain --mass-mev` of an emulsion scenario.
    #[error(
        "{file} is an emulsion scenario: its masses are model.m_aprime_gev, model.m1_gev and model.m2_gev; drop --mass-mev (or use --set model.m_aprime_gev=...)"
    )]
    MassOfEmulsion {
        /// The scenario file.
        file: String,
    },
    /// A unit of work missing from the stored results being merged.
    #[error("the partial results lack the scan point '{0}'")]
    MissingUnit(String),
    /// A stored unit of work whose numbers are damaged (NaN, or the wrong number of words).
    #[error(
        "the partial results hold damaged numbers for the scan point '{0}'; rerun the shard that holds it"
    )]
    DamagedUnit(String),
    /// Stored results of another format or scenario.
    #[error("stored results of another format; delete them and rerun")]
    ForeignUnits,
    /// A scan with no points.
    #[error("the scan has no points")]
    Empty,
}

/// Any error of a darksens run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input: a scenario value.
    #[error("{0}")]
    Scenario(Box<ScenarioError>),
    /// Bad input: a file the scenario or the command names.
    #[error("{0}")]
    Input(#[from] InputError),
    /// Bad input: a scan that cannot be planned.
    #[error("{0}")]
    Scan(#[from] ScanError),
    /// Bad input: a reference file of `darksens reproduce` that does not fit its scenario.
    #[error("{0}")]
    Reference(#[from] ReferenceError),
    /// Bad input: a `--set` that cannot be read.
    #[error("{0}")]
    Override(#[from] OverrideError),
    /// An output path that cannot be written (checked before computing).
    #[error("cannot write '{}': {message}\n  hint: write somewhere you can: the scenario's [output] paths or --out DIR for scan and merge, -o for plot, export, generate and import's --library DIR", path.display())]
    Unwritable {
        /// The path.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Another darksens run is writing the same files.
    #[error(
        "another darksens run is writing {what} ({}); wait for it to finish, or choose another --out",
        path.display()
    )]
    Busy {
        /// The lock or data file.
        path: PathBuf,
        /// What is being written.
        what: String,
    },
    /// Bad command-line usage not caught by the argument parser (the command-line interface's
    /// own checks).
    #[error("{0}")]
    Usage(String),
    /// A result that is not a finite positive number, with the point where it happened.
    #[error("numerical failure at {point}: {message}")]
    Numerical {
        /// The parameter point, e.g. `curve "computed background", m = 66.7 MeV`.
        point: String,
        /// What went wrong.
        message: String,
    },
    /// Published numbers that a reproduction did not reproduce within their tolerance.
    #[error("{0}")]
    Reproduction(String),
    /// The run was stopped by a signal before its outputs were written.
    #[error("interrupted by {}; no output was written", signal_name(*.signal))]
    Interrupted {
        /// The signal number (2 for SIGINT, 15 for SIGTERM).
        signal: i32,
    },
    /// Writing an output file failed.
    #[error("cannot write '{path}': {message}")]
    Output {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl From<ScenarioError> for Error {
    fn from(error: ScenarioError) -> Self {
        Self::Scenario(Box::new(error))
    }
}

impl Error {
    /// Process exit code: 2 for bad input, 1 for internal failures, 128 + the signal number for
    /// an interruption (130 for SIGINT, 143 for SIGTERM, as shells report them).
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Scenario(_)
            | Self::Input(_)
            | Self::Scan(_)
            | Self::Override(_)
            | Self::Reference(_)
            | Self::Unwritable { .. }
            | Self::Busy { .. }
            | Self::Usage(_) => 2,
            Self::Interrupted { signal } => u8::try_from(128 + signal).unwrap_or(1),
            Self::Numerical { .. } | Self::Output { .. } | Self::Reproduction(_) => 1,
        }
    }
}

/// A serde message in the words of docs/scenario.md: "expected f64" becomes "expected a
/// number", "invalid type: sequence" becomes "invalid type: an array", and so on.
#[must_use]
pub fn plain_types(message: &str) -> String {
    let mut plain = [
        ("expected f64", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("invalid type: sequence", "invalid type: an array"),
        ("invalid type: map", "invalid type: a table"),
        ("invalid type: floating point", "invalid type: the number"),
        ("invalid type: integer", "invalid type: the whole number"),
        // The emulsion scenario's source kind is read before this list is (docs/scenario.md).
        (
            "`collider-bhabha`, `electron-beam`, `positron-beam`",
            "`collider-bhabha`, `electron-beam`, `positron-beam` (or `ee-collider`, an emulsion scenario)",
        ),
    ]
    .iter()
    .fold(message.to_string(), |m, (from, to)| m.replace(from, to));
    // TOML reads 4e6 (and 4000000.0) as a float, which a count refuses.
    if plain.contains("invalid type: the number") && plain.contains("expected a whole number") {
        plain.push_str(" (TOML reads an exponent or a decimal point as a float: write the count out, 4000000 rather than 4e6)");
    }
    plain
}

/// Conventional name of a termination signal.
fn signal_name(signal: i32) -> String {
    match signal {
        1 => "SIGHUP".into(),
        2 => "SIGINT (Ctrl-C)".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}
