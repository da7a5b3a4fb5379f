//! Checkpoints and shard results: the numbers of finished units of work of a scan, one JSON line
//! each, appended as they are computed.
//!
//! The first line describes the run (darksens version, the resolved scenario, the shard); each
//! further line is `{"key": ..., "words": [integers]}`: the unit's numbers as exact 64-bit words
//! (the bits of each float, counts), so a resumed or merged run gives the same bytes as one that
//! never stopped. What the words mean is the pipeline's business. A shard's file ends with
//! `{"complete": n}`. A line cut short by a kill is dropped when the file is read again.

use crate::error::{Error, InputError};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where the numbers of units computed earlier are kept: a checkpoint of an interrupted run, or
/// the partial results of shards. Keys name a unit of work of a scan.
pub trait UnitStore: Sync {
    /// The words stored for `key`, if any.
    fn get(&self, key: &str) -> Option<Vec<u64>>;
    /// Records the words just computed for `key`.
    ///
    /// # Errors
    /// If the store cannot record them (e.g. a full disk).
    fn put(&self, key: &str, words: &[u64]) -> Result<(), Error>;
}

/// Format version of the first line.
const FORMAT: u64 = 2;

/// A unit file being written: the units read back from an earlier run plus new ones.
#[derive(Debug)]
pub struct UnitFile {
    path: PathBuf,
    stored: HashMap<String, Vec<u64>>,
    writer: Mutex<std::fs::File>,
}

/// What reading a unit file found.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFileContents {
    /// The run description of the first line.
    pub run: Value,
    /// Words by unit key.
    pub units: HashMap<String, Vec<u64>>,
    /// The unit count of the closing line, for a finished shard.
    pub complete: Option<usize>,
}

/// Reads a unit file. Lines that do not parse (a line cut short by a kill) are dropped.
///
/// # Errors
/// If the file cannot be read or its first line is not a darksens run description.
pub fn read(path: &Path) -> Result<UnitFileContents, InputError> {
    let file = std::fs::File::open(path).map_err(|e| InputError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut lines = BufReader::new(file).lines();
    let first = lines
        .next()
        .and_then(Result::ok)
        .and_then(|l| serde_json::from_str::<Value>(&l).ok())
        .filter(|v| v["darksens_yields"] == json!(FORMAT))
        .ok_or_else(|| InputError::NotAUnitFile {
            path: path.display().to_string(),
        })?;
    let mut units = HashMap::new();
    let mut complete = None;
    for line in lines.map_while(Result::ok) {
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if let Some(n) = v["complete"].as_u64() {
            complete = usize::try_from(n).ok();
            continue;
        }
        let words: Option<Vec<u64>> = v["words"]
            .as_array()
            .and_then(|a| a.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>());
        if let (Some(key), Some(words)) = (v["key"].as_str(), words) {
            units.insert(key.to_string(), words);
        }
    }
    Ok(UnitFileContents {
        run: first["run"].clone(),
        units,
        complete,
    })
}

impl UnitFile {
    /// Opens `path` for the run described by `run`: the units of an earlier file for the same run
    /// are kept (and its last line, if cut short, dropped); a file for another run (a changed
    /// scenario, another darksens version) is started afresh. Returns the file and how many units
    /// it already holds.
    ///
    /// # Errors
    /// If the file or its directory cannot be created.
    pub fn open(path: &Path, run: &Value) -> Result<(Self, usize), Error> {
        let fail = |message: String| Error::Output {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        }
        let earlier = read(path)
            .ok()
            .filter(|c| &c.run == run && c.complete.is_none());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(path)
            .map_err(|e| fail(e.to_string()))?;
        let stored = if let Some(contents) = earlier {
            // Keep whole lines only: cut the file after its last newline.
            let text = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
            let end = text.iter().rposition(|&b| b == b'\n').map_or(0, |k| k + 1);
            file.set_len(end as u64).map_err(|e| fail(e.to_string()))?;
            file.seek(std::io::SeekFrom::End(0))
                .map_err(|e| fail(e.to_string()))?;
            contents.units
        } else {
            file.set_len(0).map_err(|e| fail(e.to_string()))?;
            let header = json!({ "darksens_yields": FORMAT, "run": run });
            writeln!(file, "{header}").map_err(|e| fail(e.to_string()))?;
            HashMap::new()
        };
        let reused = stored.len();
        Ok((
            Self {
                path: path.to_path_buf(),
                stored,
                writer: Mutex::new(file),
            },
            reused,
        ))
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes a shard's file with the number of units it holds.
    ///
    /// # Errors
    /// If the line cannot be written.
    pub fn finish(&self, units: usize) -> Result<(), Error> {
        self.write_line(&json!({ "complete": units }))
    }

    /// Removes the file (a checkpoint, after the outputs are written) and its directory if that
    /// is left empty.
    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }

    fn write_line(&self, value: &Value) -> Result<(), Error> {
        let line = format!("{value}\n");
        let mut file = self.writer.lock().map_err(|_| Error::Numerical {
            point: "checkpoint".into(),
            message: "a worker thread panicked while writing".into(),
        })?;
        // One write call per line: a kill leaves at most the last line cut short.
        file.write_all(line.as_bytes()).map_err(|e| Error::Output {
            path: self.path.clone(),
            message: e.to_string(),
        })
    }
}

impl UnitStore for UnitFile {
    fn get(&self, key: &str) -> Option<Vec<u64>> {
        self.stored.get(key).cloned()
    }

    fn put(&self, key: &str, words: &[u64]) -> Result<(), Error> {
        self.write_line(&json!({ "key": key, "words": words }))
    }
}

/// A store made of several shard files, read-only (for merging).
#[derive(Debug, Default)]
pub struct MergedUnits(pub HashMap<String, Vec<u64>>);

impl UnitStore for MergedUnits {
    fn get(&self, key: &str) -> Option<Vec<u64>> {
        self.0.get(key).cloned()
    }

    fn put(&self, _key: &str, _words: &[u64]) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(x: f64) -> Vec<u64> {
        vec![x.to_bits(), (x * 1e-7).to_bits(), 315, 1, u64::MAX]
    }

    #[test]
    fn words_round_trip_exactly_and_a_cut_line_is_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("c.jsonl");
        let run = json!({"scenario": "x"});
        let (file, reused) = UnitFile::open(&path, &run).expect("open");
        assert_eq!(reused, 0);
        file.put("a", &sample(0.1 + 0.2)).expect("put");
        file.put("b", &sample(f64::MIN_POSITIVE)).expect("put");
        drop(file);
        // A kill in the middle of a line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("append");
        write!(f, "{{\"key\": \"c\", \"wor").expect("write");
        drop(f);

        let (file, reused) = UnitFile::open(&path, &run).expect("reopen");
        assert_eq!(reused, 2);
        assert_eq!(file.get("a"), Some(sample(0.1 + 0.2)));
        assert_eq!(file.get("b"), Some(sample(f64::MIN_POSITIVE)));
        assert_eq!(file.get("c"), None);
        file.put("c", &sample(2.0)).expect("put after the cut");
        drop(file);
        assert_eq!(read(&path).expect("read").units.len(), 3);

        // Another run starts afresh.
        let (_, reused) = UnitFile::open(&path, &json!({"scenario": "y"})).expect("open");
        assert_eq!(reused, 0);
    }
}
