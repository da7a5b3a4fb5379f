//! Errors of the library. Bad input is a [`ScenarioError`] (exit code 2); a numerical failure
//! names the parameter point (exit code 1).

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
                write!(f, " (after the --set overrides)")?
            }
            Origin::CommandLine(text) => write!(f, " (from --set {text})")?,
            Origin::Curve(n, label) => write!(f, " (in [[curve]] {n}, \"{label}\")")?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Any error of a darksens run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input.
    #[error("{0}")]
    Scenario(Box<ScenarioError>),
    /// Bad command-line usage not caught by the argument parser.
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
            Self::Scenario(_) | Self::Usage(_) => 2,
            Self::Interrupted { signal } => u8::try_from(128 + signal).unwrap_or(1),
            Self::Numerical { .. } | Self::Output { .. } | Self::Reproduction(_) => 1,
        }
    }
}

/// A serde message in the words of docs/scenario.md: "expected f64" becomes "expected a
/// number", "invalid type: sequence" becomes "invalid type: an array", and so on.
#[must_use]
pub fn plain_types(message: &str) -> String {
    [
        ("expected f64", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("invalid type: sequence", "invalid type: an array"),
        ("invalid type: map", "invalid type: a table"),
        ("invalid type: floating point", "invalid type: the number"),
        ("invalid type: integer", "invalid type: the whole number"),
    ]
    .iter()
    .fold(message.to_string(), |m, (from, to)| m.replace(from, to))
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
