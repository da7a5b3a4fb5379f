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
    remove: bool,
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
        Self::acquire(&path, true, busy)
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

    fn acquire(path: &Path, remove: bool, busy: impl Fn() -> Error) -> Result<Self, Error> {
        let fail = |e: std::io::Error| Error::Output {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::Unwritable {
                path: path.to_path_buf(),
                message: format!("cannot create directory '{}': {e}", dir.display()),
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
                    remove,
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
        if self.remove {
            let _ = std::fs::remove_file(&self.path);
            if let Some(dir) = self.path.parent() {
                // Only when empty: a checkpoint may still be there.
                let _ = std::fs::remove_dir(dir);
            }
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
}
