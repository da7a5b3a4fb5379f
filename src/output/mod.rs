//! Output files: the CSV of limits, the PNG plot and the JSON sidecar.
//!
//! Every file is written to a temporary file in its destination directory and renamed into
//! place, so an interrupted run never leaves a half-written file. Numbers are checked to be
//! finite before anything is written.

pub mod cache;
pub mod checkpoint;
pub mod csv;
pub mod lock;
pub mod plot;
pub mod sidecar;

use crate::error::Error;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temporary file in the same directory, then rename),
/// creating the directory if needed. The file is readable by everyone (0644).
///
/// # Errors
/// If the directory cannot be created or the file written.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_all_atomically(&[(path, bytes)], &|| Ok(()))
}

/// Writes several files all or nothing: every file goes to a temporary file in its directory
/// first; then `ready()` is asked (e.g. whether a signal arrived) and, if it fails, the temporary
/// files are removed and its error returned; otherwise all are renamed into place.
///
/// # Errors
/// If a directory cannot be created, a file written, or `ready()` fails.
pub fn write_all_atomically(
    files: &[(&Path, &[u8])],
    ready: &dyn Fn() -> Result<(), Error>,
) -> Result<(), Error> {
    let staged = files
        .iter()
        .map(|(path, bytes)| stage(path, bytes))
        .collect::<Result<Vec<_>, _>>()?;
    // Dropping `staged` on an error removes the temporary files.
    ready()?;
    for (file, (path, _)) in staged.into_iter().zip(files) {
        file.persist(path).map_err(|e| Error::Output {
            path: path.to_path_buf(),
            message: e.error.to_string(),
        })?;
    }
    Ok(())
}

/// Writes `bytes` to a temporary file next to `path`, readable by everyone (0644).
fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let fail = |message: String| Error::Output {
        path: path.to_path_buf(),
        message,
    };
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(directory).map_err(|e| {
        fail(format!(
            "cannot create directory '{}': {e}",
            directory.display()
        ))
    })?;
    let mut file = tempfile::Builder::new()
        .prefix(".darksens-")
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(|e| {
            fail(format!(
                "cannot create a file in '{}': {e}",
                directory.display()
            ))
        })?;
    file.write_all(bytes).map_err(|e| fail(e.to_string()))?;
    file.as_file().sync_all().map_err(|e| fail(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| fail(e.to_string()))?;
    }
    Ok(file)
}

/// Checks before any computation that `path` can be created: its directory exists or can be
/// created, is writable, and `path` is not a directory.
///
/// # Errors
/// [`Error::Unwritable`] (bad input, exit code 2) naming the path and how to choose another.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    let fail = |message: String| Error::Unwritable {
        path: path.to_path_buf(),
        message,
    };
    if path.is_dir() {
        return Err(fail("is a directory; give a file name".to_string()));
    }
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(directory).map_err(|e| {
        fail(format!(
            "cannot create directory '{}': {e}",
            directory.display()
        ))
    })?;
    tempfile::Builder::new()
        .prefix(".darksens-check-")
        .tempfile_in(directory)
        .map(drop)
        .map_err(|e| {
            fail(format!(
                "directory '{}' is not writable: {e}",
                directory.display()
            ))
        })
}

/// Shortest decimal representation that reads back to the same `f64`: plain notation for
/// `1e-3 <= |v| < 1e15` (`66.72`, `1`), scientific otherwise (`1.2119e-5`, `5.998e11`).
///
/// Both forms are the shortest round-trip digits of Rust's float formatting (`{}` and `{:e}`
/// without a precision).
#[must_use]
pub fn format_number(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || (1e-3..1e15).contains(&magnitude) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn numbers_round_trip_and_stay_short() {
        for (v, text) in [
            (1.0, "1"),
            (66.72, "66.72"),
            (1.2119e-5, "1.2119e-5"),
            (5.998e11, "599800000000"),
            (2.5e16, "2.5e16"),
            (0.0, "0"),
        ] {
            assert_eq!(format_number(v), text);
            assert_eq!(format_number(v).parse::<f64>(), Ok(v));
        }
    }
}
