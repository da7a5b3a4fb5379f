//! Output files: the CSV of limits, the PNG plot and the JSON sidecar.
//!
//! Every file is written to a temporary file in its destination directory and renamed into
//! place, so an interrupted run never leaves a half-written file. Numbers are checked to be
//! finite before anything is written.

pub mod cache;
pub mod checkpoint;
pub mod csv;
pub mod hepdata;
pub mod lock;
pub mod plot;
pub mod sidecar;

use crate::error::Error;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

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
/// files are removed and its error returned; otherwise all are renamed into place. If a rename
/// fails, the files already renamed are put back as they were (the earlier version, or none),
/// so the set on disk is always the old one or the new one, never a mix.
///
/// # Errors
/// If a directory cannot be created, a file written, or `ready()` fails.
pub fn write_all_atomically(
    files: &[(&Path, &[u8])],
    ready: &dyn Fn() -> Result<(), Error>,
) -> Result<(), Error> {
    // Staged side by side (each waits for its own flush to the disk); the first failure in
    // the order given is the one reported.
    let staged = files
        .par_iter()
        .map(|(path, bytes)| stage(path, bytes))
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    persist_all(
        files.iter().map(|(path, _)| *path).zip(staged).collect(),
        ready,
    )
}

/// One file of a set written all or none ([`write_set_atomically`]).
#[derive(Debug)]
pub enum OutputFile {
    /// The file's path and bytes.
    Bytes(PathBuf, Vec<u8>),
    /// A file already written beside its path (a large CSV, written as it was formatted).
    Staged(StagedFile),
}

/// [`write_all_atomically`] for files given as bytes or already staged: the same all-or-none
/// replacement of the set.
///
/// # Errors
/// As [`write_all_atomically`].
pub fn write_set_atomically(
    files: Vec<OutputFile>,
    ready: &dyn Fn() -> Result<(), Error>,
) -> Result<(), Error> {
    // As in `write_all_atomically`: side by side, the first failure in order reported.
    let staged = files
        .into_par_iter()
        .map(|file| match file {
            OutputFile::Bytes(path, bytes) => stage(&path, &bytes).map(|staged| (path, staged)),
            OutputFile::Staged(file) => file.flushed(),
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let (paths, staged): (Vec<PathBuf>, Vec<_>) = staged.into_iter().unzip();
    persist_all(
        paths.iter().map(PathBuf::as_path).zip(staged).collect(),
        ready,
    )
}

/// Renames staged files into place all or none, once `ready()` allows it (see
/// [`write_all_atomically`]).
fn persist_all(
    staged: Vec<(&Path, tempfile::NamedTempFile)>,
    ready: &dyn Fn() -> Result<(), Error>,
) -> Result<(), Error> {
    // Dropping `staged` on an error removes the temporary files.
    ready()?;
    // The earlier version of each file, kept until every new one is in place.
    let mut replaced: Vec<(&Path, Option<tempfile::TempPath>)> = Vec::new();
    let mut result = Ok(());
    for (path, file) in staged {
        let earlier = match set_aside(path) {
            Ok(earlier) => earlier,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        match file.persist(path) {
            Ok(_) => replaced.push((path, earlier)),
            Err(e) => {
                replaced.push((path, earlier));
                result = Err(Error::Output {
                    path: path.to_path_buf(),
                    message: format!("{}; the earlier outputs are left as they were", e.error),
                });
                break;
            }
        }
    }
    if result.is_err() {
        for (path, earlier) in replaced.into_iter().rev() {
            match earlier {
                Some(old) => {
                    let _ = old.persist(path);
                }
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
    // Dropping the set-aside versions removes them once all new files stand.
    result
}

/// Moves an existing regular file at `path` to a temporary name beside it (removed when the
/// returned path is dropped); `None` when there is none.
fn set_aside(path: &Path) -> Result<Option<tempfile::TempPath>, Error> {
    if !path.is_file() {
        return Ok(None);
    }
    let aside = temporary_in(path)?.into_temp_path();
    std::fs::rename(path, &aside).map_err(|e| Error::Output {
        path: path.to_path_buf(),
        message: format!("cannot set the earlier file aside: {e}"),
    })?;
    Ok(Some(aside))
}

/// The directory a path is written into.
fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The prefix of the temporary files of `path`: `.<file name>.darksens-`.
fn temporary_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!(".{name}.darksens-")
}

/// A new temporary file beside `path`, named after it.
fn temporary_in(path: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let directory = directory_of(path);
    tempfile::Builder::new()
        .prefix(&temporary_prefix(path))
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(|e| Error::Output {
            path: path.to_path_buf(),
            message: format!("cannot create a file in '{}': {e}", directory.display()),
        })
}

/// Removes temporary files of `path` that an earlier run killed while writing left behind.
/// Call it only while holding the lock of the outputs (no other run is writing them).
pub fn remove_stale_temporaries(path: &Path) {
    let prefix = temporary_prefix(path);
    let Ok(entries) = std::fs::read_dir(directory_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A file written in pieces (an event file): a temporary file beside its path, renamed into place
/// by [`StagedFile::commit`]; dropped before that, it is removed, so an interrupted run leaves
/// neither a partial file nor a temporary one.
#[derive(Debug)]
pub struct StagedFile {
    file: tempfile::NamedTempFile,
    path: PathBuf,
}

impl StagedFile {
    /// Starts the file that will stand at `path` (its directory is created if needed).
    ///
    /// # Errors
    /// If the directory cannot be created or written.
    pub fn create(path: &Path) -> Result<Self, Error> {
        Ok(Self {
            file: stage(path, &[])?,
            path: path.to_path_buf(),
        })
    }

    /// Where to write the content.
    pub fn writer(&mut self) -> &mut std::fs::File {
        self.file.as_file_mut()
    }

    /// Flushes the file to disk and renames it into place.
    ///
    /// # Errors
    /// If flushing or renaming fails.
    pub fn commit(self) -> Result<(), Error> {
        let (path, file) = self.flushed()?;
        file.persist(&path).map(drop).map_err(|e| Error::Output {
            path,
            message: e.error.to_string(),
        })
    }

    /// The file flushed to disk, not yet in place.
    fn flushed(self) -> Result<(PathBuf, tempfile::NamedTempFile), Error> {
        self.file.as_file().sync_all().map_err(|e| Error::Output {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        Ok((self.path, self.file))
    }
}

/// Writes `bytes` to a temporary file next to `path`, readable by everyone (0644).
fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let fail = |message: String| Error::Output {
        path: path.to_path_buf(),
        message,
    };
    let directory = directory_of(path);
    std::fs::create_dir_all(directory).map_err(|e| {
        fail(format!(
            "cannot create directory '{}': {e}",
            directory.display()
        ))
    })?;
    let mut file = temporary_in(path)?;
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

/// Checks before any computation that `path` can be created: the nearest existing directory on
/// its way is writable, nothing on the way is a file, and `path` is not a directory. Creates
/// nothing (an interrupted run leaves no empty directory behind).
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
    let directory = directory_of(path);
    let existing = directory
        .ancestors()
        .find(|a| a.as_os_str().is_empty() || a.exists())
        .map_or(Path::new("."), |a| {
            if a.as_os_str().is_empty() {
                Path::new(".")
            } else {
                a
            }
        });
    if !existing.is_dir() {
        return Err(fail(format!(
            "cannot create directory '{}': '{}' is a file",
            directory.display(),
            existing.display()
        )));
    }
    tempfile::Builder::new()
        .prefix(".darksens-check-")
        .tempfile_in(existing)
        .map(drop)
        .map_err(|e| {
            // The system's reason, without the name of the probe file.
            let text = e.to_string();
            let reason = text.split(" at path ").next().unwrap_or(&text);
            fail(format!(
                "directory '{}' does not take new files (creating one there failed: {reason})",
                existing.display()
            ))
        })
}

pub use crate::units::format_number;

/// `value` with five significant digits, for summaries (CSV and JSON keep every digit):
/// `6704.0`, `0.01`, `1.2346e-5` below 1e-3.
#[must_use]
pub fn five_digits(value: f64) -> String {
    if value != 0.0 && value.abs() < 1e-3 {
        return format!("{value:.4e}");
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small non-negative digit count"
    )]
    let decimals = (4.0 - value.abs().log10().floor()).clamp(0.0, 12.0) as usize;
    let text = format!("{value:.decimals$}");
    // Trailing zeros after the point say nothing here: 0.010000 -> 0.01.
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{format_number, write_all_atomically};

    /// Five significant digits, trailing zeros dropped, and exponent form for small values.
    #[test]
    fn summaries_show_five_digits() {
        assert_eq!(super::five_digits(6_704.005_739), "6704");
        assert_eq!(super::five_digits(1_667.924_230_3), "1667.9");
        assert_eq!(super::five_digits(20000.0), "20000");
        assert_eq!(super::five_digits(0.010_000_000_000_000_004), "0.01");
        assert_eq!(super::five_digits(0.273_3), "0.2733");
        assert_eq!(super::five_digits(1.211_93e-5), "1.2119e-5");
    }

    /// A set of outputs is replaced as a unit: when the last rename fails (its target became a
    /// directory), the files already renamed are put back, and no temporary file is left.
    #[test]
    fn a_failed_rename_puts_the_earlier_outputs_back() {
        let dir = tempfile::tempdir().expect("dir");
        let (csv, png, meta) = (
            dir.path().join("s.csv"),
            dir.path().join("s.png"),
            dir.path().join("s.meta.json"),
        );
        std::fs::write(&csv, "old csv").expect("old");
        std::fs::create_dir(&meta).expect("a directory in the way");
        std::fs::write(meta.join("inside"), "x").expect("not empty");
        let new: [(&std::path::Path, &[u8]); 3] =
            [(&csv, b"new csv"), (&png, b"new png"), (&meta, b"new meta")];
        let error = write_all_atomically(&new, &|| Ok(())).expect_err("the rename fails");
        assert!(error.to_string().contains("left as they were"), "{error}");
        assert_eq!(std::fs::read_to_string(&csv).expect("csv"), "old csv");
        assert!(!png.exists(), "a new file is taken back");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["s.csv", "s.meta.json"]);

        std::fs::remove_dir_all(&meta).expect("clear the way");
        write_all_atomically(&new, &|| Ok(())).expect("written");
        assert_eq!(std::fs::read_to_string(&meta).expect("meta"), "new meta");
    }

    /// A file written as it was formatted (a staged file) is part of the set like one given as
    /// bytes: nothing stands until `ready()` allows it, and a refusal leaves neither the files
    /// nor their temporary files.
    #[test]
    fn a_staged_file_is_replaced_with_the_set() {
        use super::{OutputFile, StagedFile, write_set_atomically};
        use std::io::Write as _;
        let dir = tempfile::tempdir().expect("dir");
        let (csv, png) = (dir.path().join("s.csv"), dir.path().join("s.png"));
        let set = || {
            let mut staged = StagedFile::create(&csv).expect("staged");
            staged.writer().write_all(b"new csv").expect("written");
            vec![
                OutputFile::Staged(staged),
                OutputFile::Bytes(png.clone(), b"new png".to_vec()),
            ]
        };
        let refused = || {
            Err(crate::error::Error::Output {
                path: csv.clone(),
                message: "interrupted".into(),
            })
        };
        write_set_atomically(set(), &refused).expect_err("refused");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "nothing is left"
        );
        write_set_atomically(set(), &|| Ok(())).expect("written");
        assert_eq!(std::fs::read_to_string(&csv).expect("csv"), "new csv");
        assert_eq!(std::fs::read_to_string(&png).expect("png"), "new png");
    }

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
