//! One run at a time per set of outputs: a scan (or a merge) holds an exclusive lock on
//! `<dir>/.darksens/<stem>.lock` while it computes and writes, and a shard holds one on its own
//! file. A second run aimed at the same files is refused at once instead of truncating the first
//! one's checkpoint or mixing its outputs with the first's.

use crate::error::Error;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// An exclusive lock on a file, released (and the file removed, when it was created for
/// locking) when dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    /// Directories this lock created (deepest first), removed again if left empty.
    created: Vec<PathBuf>,
}

impl Lock {
    /// Locks the lock file of outputs in `dir` named `stem`, creating `dir/.darksens/`.
    ///
    /// # Errors
    /// [`Error::Busy`] when another run holds it; an output error when it cannot be created.
    pub fn outputs(dir: &Path, stem: &str) -> Result<Self, Error> {
        let path = dir.join(".darksens").join(format!("{stem}.lock"));
        let busy = || Error::Busy {
            path: path.clone(),
            what: format!("the outputs '{stem}' in {}", dir.display()),
        };
        Self::acquire(&path, busy)
    }

    /// Locks an existing or new data file (a checkpoint, a shard file) for this run.
    ///
    /// # Errors
    /// [`Error::Busy`] when another run holds it; an output error when it cannot be opened.
    pub fn file(file: &File, path: &Path) -> Result<(), Error> {
        match file.try_lock() {
            Ok(()) => Ok(()),
            Err(TryLockError::WouldBlock) => Err(Error::Busy {
                path: path.to_path_buf(),
                what: format!("'{}'", path.display()),
            }),
            Err(TryLockError::Error(e)) => Err(Error::Output {
                path: path.to_path_buf(),
                message: format!("cannot lock: {e}"),
            }),
        }
    }

    fn acquire(path: &Path, busy: impl Fn() -> Error) -> Result<Self, Error> {
        let fail = |e: std::io::Error| Error::Output {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut created = Vec::new();
        if let Some(dir) = path.parent() {
            created = dir
                .ancestors()
                .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
                .map(Path::to_path_buf)
                .collect();
            std::fs::create_dir_all(dir).map_err(|e| {
                let what = match dir.ancestors().find(|a| a.is_file()) {
                    Some(file) => format!(
                        "the file '{}' is in the way (move it, or choose another output directory)",
                        file.display()
                    ),
                    None => e.to_string(),
                };
                Error::Unwritable {
                    path: path.to_path_buf(),
                    message: format!("cannot create directory '{}': {what}", dir.display()),
                }
            })?;
        }
        loop {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(fail)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Err(busy()),
                Err(TryLockError::Error(e)) => return Err(fail(e)),
            }
            // The holder before us may have removed the file after we opened it: then our lock
            // is on a deleted file, so start again on the one at the path now.
            if same_file(&file, path) {
                return Ok(Self {
                    file,
                    path: path.to_path_buf(),
                    created,
                });
            }
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        // Only when empty: a checkpoint or the outputs may be there.
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
        for dir in &self.created {
            let _ = std::fs::remove_dir(dir);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_outputs_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let first = Lock::outputs(dir.path(), "scan").expect("first");
        let second = Lock::outputs(dir.path(), "scan");
        assert!(matches!(second, Err(Error::Busy { .. })), "{second:?}");
        assert!(
            Lock::outputs(dir.path(), "other").is_ok(),
            "other outputs are free"
        );
        drop(first);
        assert!(
            !dir.path().join(".darksens").exists(),
            "nothing left behind"
        );
        assert!(Lock::outputs(dir.path(), "scan").is_ok());
    }

    #[test]
    fn directories_the_lock_created_go_when_left_empty() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("a/b");
        let lock = Lock::outputs(&out, "scan").expect("lock");
        assert!(out.join(".darksens/scan.lock").exists());
        drop(lock);
        assert!(!dir.path().join("a").exists(), "empty directories removed");

        let lock = Lock::outputs(&out, "scan").expect("lock");
        std::fs::write(out.join("scan.csv"), "x").expect("an output");
        drop(lock);
        assert!(out.join("scan.csv").exists(), "outputs stay");
        assert!(!out.join(".darksens").exists());
    }

    #[test]
    fn a_file_in_the_way_is_bad_input() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(".darksens"), "").expect("file");
        let error = Lock::outputs(dir.path(), "scan").expect_err("refused");
        assert_eq!(error.exit_code(), 2, "{error}");
        assert!(error.to_string().contains("in the way"), "{error}");
    }
}
