//! Checkpoints and shard results: the numbers of finished units of work of a scan, one JSON line
//! each, appended as they are computed.
//!
//! The first line describes the run (darksens version, the resolved scenario, the shard); each
//! further line is `{"key": ..., "words": [integers]}`: the unit's numbers as exact 64-bit words
//! (the bits of each float, counts), so a resumed or merged run gives the same bytes as one that
//! never stopped. What the words mean is the pipeline's business. A shard's file ends with
//! `{"complete": n}`. A line cut short by a kill is dropped when the file is read again.
//!
//! Lines are collected and written together once [`FLUSH_BYTES`] have gathered or
//! [`FLUSH_INTERVAL`] has passed (one write call per line cost a tenth of a 1e5-point scan), and
//! whenever the run stops; a kill (SIGKILL) loses at most the units of the last moment.

use crate::error::{Error, InputError};
use crate::files::BoundedLines;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Units by key. Hashed with foldhash rather than the standard SipHash: a resumed 1e5-point
/// scan looks up every unit, and SipHash of its key cost a fifth of that.
pub type Units = std::collections::HashMap<String, Vec<u64>, foldhash::fast::RandomState>;

/// Collected lines are written once they reach this many bytes ...
pub const FLUSH_BYTES: usize = 1 << 16;

/// ... or when a line comes this long after the last write (at most 20 writes a second, and a
/// slow unit's line is on disk by the next unit's).
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

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
    /// Whether words are stored for `key` (without copying them).
    fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// Format version of the first line.
const FORMAT: u64 = 2;

/// A unit file being written: the units read back from an earlier run plus new ones. The file
/// is locked while open, so a second run aimed at it is refused instead of truncating it.
#[derive(Debug)]
pub struct UnitFile {
    path: PathBuf,
    stored: Units,
    /// The unit count of the closing line the file already ends with, if any.
    complete: Option<usize>,
    writer: Mutex<Writer>,
}

/// The open file and the lines not yet written to it.
#[derive(Debug)]
struct Writer {
    file: std::fs::File,
    pending: String,
    last_write: Instant,
    /// Whether a line was added since the file was opened.
    added: bool,
}

impl Writer {
    /// Writes the pending lines (one write call).
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.file.write_all(self.pending.as_bytes())?;
            self.pending.clear();
        }
        self.last_write = Instant::now();
        Ok(())
    }
}

/// What reading a unit file found.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFileContents {
    /// The run description of the first line.
    pub run: Value,
    /// Words by unit key.
    pub units: Units,
    /// The unit count of the closing line, for a finished shard.
    pub complete: Option<usize>,
    /// Lines (1-based) that are not a unit record, before the last line: damage, not a kill.
    pub damaged_lines: Vec<usize>,
    /// Without damage, the bytes up to the end of the last whole line (the file without a line
    /// cut short by a kill): a run of the same scenario appends there instead of rewriting.
    pub intact_bytes: Option<u64>,
}

/// What [`UnitFile::open`] found in an earlier file at its path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resumed {
    /// Units kept from the earlier run.
    pub units: usize,
    /// Damaged lines skipped (their units are computed again).
    pub damaged_lines: Vec<usize>,
    /// Why an earlier file was not resumed (written for another run), if there was one.
    pub discarded: Option<String>,
}

/// The longest line of a unit file, bytes: a record holds the words of one unit (a few
/// kilobytes for a column of an emulsion grid); longer is damage, not a record.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Reads a unit file. A last line cut short by a kill is dropped; other lines that are not a
/// unit record are skipped and listed in [`UnitFileContents::damaged_lines`].
///
/// # Errors
/// If the file cannot be read or its first line is not a darksens run description.
pub fn read(path: &Path) -> Result<UnitFileContents, InputError> {
    let file = std::fs::File::open(path).map_err(|e| InputError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse(BufReader::new(file), &path.display().to_string())
}

/// As [`read`], from a reader (`name` names it in messages). Lines are read with a bound
/// ([`MAX_LINE_BYTES`]); a line past it ends the reading with an error naming the line.
///
/// # Errors
/// As [`read`].
pub fn parse(reader: impl BufRead, name: &str) -> Result<UnitFileContents, InputError> {
    let not_a_unit_file = || InputError::NotAUnitFile {
        path: name.to_string(),
    };
    let mut lines = BoundedLines::new(reader, MAX_LINE_BYTES);
    let header = lines
        .next()
        .and_then(Result::ok)
        .filter(|l| l.terminated)
        .ok_or_else(not_a_unit_file)?;
    let first = serde_json::from_slice::<Value>(&header.bytes)
        .ok()
        .filter(|v| v["darksens_yields"] == json!(FORMAT))
        .ok_or_else(not_a_unit_file)?;
    let mut units = Units::default();
    let mut complete = None;
    let mut damaged_lines = Vec::new();
    // Bytes read so far, and up to the end of the last line that was whole.
    let (mut read, mut whole) = (header.length, header.length);
    // Lines are parsed side by side in blocks (a checkpoint of 1e5 masses holds 1e5 lines).
    let mut block: Vec<Vec<u8>> = Vec::with_capacity(PARSE_BLOCK_LINES);
    let mut first_line = 2;
    let mut lines = lines.peekable();
    while lines.peek().is_some() {
        block.clear();
        while block.len() < PARSE_BLOCK_LINES {
            let Some(line) = lines.next() else { break };
            let line = line.map_err(|e| InputError::Line {
                file: name.to_string(),
                line: first_line + block.len(),
                message: e.to_string(),
            })?;
            read += line.length;
            // A line without its newline is the last, cut short by a kill (every line is
            // written whole with its newline): expected, dropped, no damage.
            if !line.terminated {
                break;
            }
            whole = read;
            block.push(line.bytes);
        }
        let records: Vec<Option<Record>> = block.par_iter().map(|l| parse_record(l)).collect();
        for (offset, record) in records.into_iter().enumerate() {
            match record {
                Some(Record::Complete(n)) => complete = Some(n),
                Some(Record::Unit(key, words)) => {
                    units.insert(key, words);
                }
                None => damaged_lines.push(first_line + offset),
            }
        }
        first_line += block.len();
    }
    Ok(UnitFileContents {
        run: first["run"].clone(),
        units,
        complete,
        intact_bytes: damaged_lines
            .is_empty()
            .then(|| u64::try_from(whole).unwrap_or(u64::MAX)),
        damaged_lines,
    })
}

/// Lines parsed side by side at a time when a unit file is read.
const PARSE_BLOCK_LINES: usize = 4096;

/// One line after the first.
enum Record {
    Unit(String, Vec<u64>),
    Complete(usize),
}

/// A unit's line, read without building a JSON tree (a checkpoint of 1e5 masses holds 1e5).
#[derive(serde::Deserialize)]
struct UnitLine {
    key: String,
    words: Vec<u64>,
}

/// A shard's closing line.
#[derive(serde::Deserialize)]
struct CompleteLine {
    complete: u64,
}

fn parse_record(line: &[u8]) -> Option<Record> {
    if let Ok(unit) = serde_json::from_slice::<UnitLine>(line) {
        return Some(Record::Unit(unit.key, unit.words));
    }
    let closing = serde_json::from_slice::<CompleteLine>(line).ok()?;
    usize::try_from(closing.complete).ok().map(Record::Complete)
}

/// Which top-level entries of two run descriptions differ, for a message (input files by
/// name: `inputs.spectrum.csv`).
#[must_use]
pub fn difference(a: &Value, b: &Value) -> String {
    let mut keys: Vec<String> = Vec::new();
    let empty = serde_json::Map::new();
    let (ma, mb) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut names: Vec<&String> = ma.keys().chain(mb.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (x, y) = (&a[name.as_str()], &b[name.as_str()]);
        if x == y {
            continue;
        }
        match (name.as_str(), x.as_object(), y.as_object()) {
            ("inputs", Some(xa), Some(ya)) => {
                let mut files: Vec<&String> = xa.keys().chain(ya.keys()).collect();
                files.sort();
                files.dedup();
                keys.extend(
                    files
                        .into_iter()
                        .filter(|f| xa.get(f.as_str()) != ya.get(f.as_str()))
                        .map(|f| format!("input file {f}")),
                );
            }
            ("resolved_scenario", _, _) => {
                keys.push(format!("the scenario ({})", changed_keys(x, y)));
            }
            ("curves", _, _) => keys.push(changed_curves(x, y)),
            (other, _, _) => keys.push(other.replace('_', " ")),
        }
    }
    if keys.is_empty() {
        "nothing".into()
    } else {
        keys.join(", ")
    }
}

/// At most this many changed keys are named in a message.
const CHANGED_KEYS_SHOWN: usize = 4;

/// The keys whose values differ between two resolved scenarios, with both values
/// (`model.alpha_d 0.001 -> 0.1`; a key one of them lacks is `none`).
fn changed_keys(a: &Value, b: &Value) -> String {
    fn walk(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
        if let (Some(ma), Some(mb)) = (a.as_object(), b.as_object()) {
            let mut names: Vec<&String> = ma.keys().chain(mb.keys()).collect();
            names.sort();
            names.dedup();
            for name in names {
                let (x, y) = (&a[name.as_str()], &b[name.as_str()]);
                if x != y {
                    let key = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    walk(x, y, &key, out);
                }
            }
        } else {
            let shown = |v: &Value| match v {
                Value::Null => "none".to_string(),
                other => other.to_string(),
            };
            out.push(format!("{path} {} -> {}", shown(a), shown(b)));
        }
    }
    let mut changed = Vec::new();
    walk(a, b, "", &mut changed);
    let more = changed.len().saturating_sub(CHANGED_KEYS_SHOWN);
    changed.truncate(CHANGED_KEYS_SHOWN);
    if more > 0 {
        changed.push(format!("{more} more"));
    }
    changed.join(", ")
}

/// What differs between two lists of curves (`{label, resolved_scenario}`): their number, or
/// each changed curve with its changed keys.
fn changed_curves(a: &Value, b: &Value) -> String {
    let empty = Vec::new();
    let (ca, cb) = (
        a.as_array().unwrap_or(&empty),
        b.as_array().unwrap_or(&empty),
    );
    if ca.len() != cb.len() {
        return format!("the number of curves ({} -> {})", ca.len(), cb.len());
    }
    let changed: Vec<String> = ca
        .iter()
        .zip(cb)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(k, (x, y))| {
            let label = x["label"].as_str().unwrap_or_default();
            let mut what = Vec::new();
            if x["label"] != y["label"] {
                what.push(format!("label {} -> {}", x["label"], y["label"]));
            }
            let (sx, sy) = (&x["resolved_scenario"], &y["resolved_scenario"]);
            if sx != sy {
                what.push(changed_keys(sx, sy));
            }
            format!("curve {} \"{label}\": {}", k + 1, what.join(", "))
        })
        .collect();
    changed.join("; ")
}

impl UnitFile {
    /// Opens `path` for the run described by `run`: the valid units of an earlier file for the
    /// same run are kept (new lines are appended after its last whole line; a file with damaged
    /// lines is rewritten without them); a file for another run (a changed scenario or input
    /// file, another darksens version) is started afresh. Returns the file and what was found.
    ///
    /// # Errors
    /// If the file or its directory cannot be created, or another run holds the file
    /// ([`Error::Busy`]).
    pub fn open(path: &Path, run: &Value) -> Result<(Self, Resumed), Error> {
        let fail = |message: String| Error::Output {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(path)
            .map_err(|e| fail(e.to_string()))?;
        super::lock::Lock::file(&file, path)?;
        let mut resumed = Resumed::default();
        let (mut stored, mut complete, mut intact_bytes) = (Units::default(), None, None);
        match read(path) {
            // A finished shard of the same run is kept too: run again, it computes nothing
            // and keeps its closing line.
            Ok(c) if &c.run == run => {
                resumed.damaged_lines = c.damaged_lines;
                // A rewritten file has lost its closing line.
                complete = c.intact_bytes.and(c.complete);
                (stored, intact_bytes) = (c.units, c.intact_bytes);
            }
            Ok(c) => {
                resumed.discarded = Some(format!("changed: {}", difference(&c.run, run)));
            }
            Err(_) => {}
        }
        resumed.units = stored.len();
        let unit = Self {
            path: path.to_path_buf(),
            stored,
            complete,
            writer: Mutex::new(Writer {
                file,
                pending: String::new(),
                last_write: Instant::now(),
                added: false,
            }),
        };
        match intact_bytes {
            Some(length) => unit.append_after(length)?,
            None => unit.rewrite(run)?,
        }
        Ok((unit, resumed))
    }

    /// Drops what follows the first `length` bytes (a line cut short by a kill) and writes new
    /// lines after them.
    fn append_after(&self, length: u64) -> Result<(), Error> {
        let fail = |e: std::io::Error| Error::Output {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let mut writer = self.writer()?;
        writer.file.set_len(length).map_err(fail)?;
        writer
            .file
            .seek(std::io::SeekFrom::Start(length))
            .map_err(fail)?;
        Ok(())
    }

    /// Writes the header and the kept units (in key order) in place of the file's content.
    fn rewrite(&self, run: &Value) -> Result<(), Error> {
        let fail = |e: std::io::Error| Error::Output {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let mut text = format!("{}\n", json!({ "darksens_yields": FORMAT, "run": run }));
        let mut keys: Vec<&String> = self.stored.keys().collect();
        keys.sort();
        for key in keys {
            let record = json!({ "key": key, "words": self.stored[key] });
            text.push_str(&record.to_string());
            text.push('\n');
        }
        let mut writer = self.writer()?;
        writer.pending.clear();
        writer.file.set_len(0).map_err(fail)?;
        writer
            .file
            .seek(std::io::SeekFrom::Start(0))
            .map_err(fail)?;
        writer.file.write_all(text.as_bytes()).map_err(fail)
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, Writer>, Error> {
        self.writer.lock().map_err(|_| Error::Numerical {
            point: "checkpoint".into(),
            message: "a worker thread panicked while writing".into(),
        })
    }

    /// Writes every line collected so far.
    ///
    /// # Errors
    /// If the file cannot be written.
    pub fn flush(&self) -> Result<(), Error> {
        self.writer()?.flush().map_err(|e| Error::Output {
            path: self.path.clone(),
            message: e.to_string(),
        })
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
        let unchanged = self.writer().map(|w| !w.added)?;
        if unchanged && self.complete == Some(units) {
            return Ok(());
        }
        self.add_line(&json!({ "complete": units }).to_string(), true)
    }

    /// Removes the file (a checkpoint, after the outputs are written) and its directory if that
    /// is left empty.
    pub fn remove(self) {
        if let Ok(mut writer) = self.writer.lock() {
            writer.pending.clear();
        }
        let _ = std::fs::remove_file(&self.path);
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }

    /// Adds a line, written with the others once enough have gathered ([`FLUSH_BYTES`],
    /// [`FLUSH_INTERVAL`]), or at once when `now`.
    fn add_line(&self, line: &str, now: bool) -> Result<(), Error> {
        let mut writer = self.writer()?;
        writer.added = true;
        writer.pending.push_str(line);
        writer.pending.push('\n');
        if now
            || writer.pending.len() >= FLUSH_BYTES
            || writer.last_write.elapsed() >= FLUSH_INTERVAL
        {
            writer.flush().map_err(|e| Error::Output {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }
}

impl Drop for UnitFile {
    /// What was computed is kept whatever ends the run (an error in another unit, a signal).
    fn drop(&mut self) {
        if let Ok(writer) = self.writer.get_mut() {
            let _ = writer.flush();
        }
    }
}

impl UnitStore for UnitFile {
    fn get(&self, key: &str) -> Option<Vec<u64>> {
        self.stored.get(key).cloned()
    }

    fn contains(&self, key: &str) -> bool {
        self.stored.contains_key(key)
    }

    fn put(&self, key: &str, words: &[u64]) -> Result<(), Error> {
        // The line json!({"key": key, "words": words}) would give, without building a Value.
        let mut line = String::with_capacity(48 + 21 * words.len());
        line.push_str("{\"key\":");
        line.push_str(&Value::from(key).to_string());
        line.push_str(",\"words\":[");
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&w.to_string());
        }
        line.push_str("]}");
        self.add_line(&line, false)
    }
}

/// A store made of several shard files, read-only (for merging).
#[derive(Debug, Default)]
pub struct MergedUnits(pub Units);

impl UnitStore for MergedUnits {
    fn get(&self, key: &str) -> Option<Vec<u64>> {
        self.0.get(key).cloned()
    }

    fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
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
        let (file, resumed) = UnitFile::open(&path, &run).expect("open");
        assert_eq!(resumed, Resumed::default());
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

        let (file, resumed) = UnitFile::open(&path, &run).expect("reopen");
        assert_eq!(resumed.units, 2);
        assert!(
            resumed.damaged_lines.is_empty(),
            "a cut last line is no damage"
        );
        assert_eq!(file.get("a"), Some(sample(0.1 + 0.2)));
        assert_eq!(file.get("b"), Some(sample(f64::MIN_POSITIVE)));
        assert_eq!(file.get("c"), None);
        file.put("c", &sample(2.0)).expect("put after the cut");
        drop(file);
        assert_eq!(read(&path).expect("read").units.len(), 3);

        // Another run starts afresh.
        let (_, resumed) = UnitFile::open(&path, &json!({"scenario": "y"})).expect("open");
        assert_eq!(resumed.units, 0);
        assert_eq!(resumed.discarded.as_deref(), Some("changed: scenario"));
    }

    /// A damaged line in the middle (bytes that are not UTF-8, a broken record) costs only its
    /// own unit: the units after it are kept, and the line is named.
    #[test]
    fn a_damaged_line_is_skipped_and_named_and_the_rest_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("c.jsonl");
        let run = json!({"scenario": "x"});
        let (file, _) = UnitFile::open(&path, &run).expect("open");
        for k in 0..12 {
            file.put(&format!("u{k}"), &sample(f64::from(k)))
                .expect("put");
        }
        drop(file);
        let text = std::fs::read(&path).expect("read");
        let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        lines[4] = vec![0xff, 0xfe, b'{'];
        lines[8] = b"{\"key\": \"u7\", \"words\": [1, -2]}".to_vec();
        std::fs::write(&path, lines.join(&b'\n')).expect("write");

        let contents = read(&path).expect("read");
        assert_eq!(contents.damaged_lines, vec![5, 9]);
        assert_eq!(contents.units.len(), 10);
        let (file, resumed) = UnitFile::open(&path, &run).expect("reopen");
        assert_eq!((resumed.units, resumed.damaged_lines), (10, vec![5, 9]));
        assert_eq!(file.get("u11"), Some(sample(11.0)));
        drop(file);
        assert!(
            read(&path).expect("read").damaged_lines.is_empty(),
            "rewritten clean"
        );
    }

    /// A file of the same run is appended to, not rewritten: its bytes stay, a cut last line
    /// goes (even one that would parse), and a finished shard keeps its closing line while it
    /// runs again.
    #[test]
    fn a_resumed_file_is_appended_to_and_a_finished_one_stays_finished() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("c.jsonl");
        let run = json!({"scenario": "x"});
        let (file, _) = UnitFile::open(&path, &run).expect("open");
        file.put("a", &sample(1.0)).expect("put");
        file.put("b", &sample(2.0)).expect("put");
        drop(file);
        let whole = std::fs::read(&path).expect("read");
        let mut cut = whole.clone();
        cut.extend_from_slice(b"{\"key\":\"c\",\"words\":[1]}");
        std::fs::write(&path, &cut).expect("write");

        let (file, resumed) = UnitFile::open(&path, &run).expect("reopen");
        assert_eq!(resumed.units, 2, "the unterminated line is cut, not a unit");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            whole,
            "kept byte for byte"
        );
        file.put("c", &sample(3.0)).expect("put");
        file.finish(3).expect("finish");
        drop(file);
        let finished = std::fs::read(&path).expect("read");
        assert!(finished.starts_with(&whole));
        assert_eq!(read(&path).expect("read").complete, Some(3));

        let (file, resumed) = UnitFile::open(&path, &run).expect("reopen finished");
        assert_eq!(resumed.units, 3);
        assert_eq!(read(&path).expect("read").complete, Some(3), "still closed");
        file.finish(3).expect("finish again");
        drop(file);
        assert_eq!(
            std::fs::read(&path).expect("read"),
            finished,
            "nothing added"
        );
    }

    #[test]
    fn the_difference_of_two_runs_names_the_changed_input() {
        let a = json!({"inputs": {"s.csv": "1", "l.csv": "2"}, "resolved_scenario": {"x": 1}});
        let b = json!({"inputs": {"s.csv": "1", "l.csv": "3"}, "resolved_scenario": {"x": 1}});
        assert_eq!(difference(&a, &b), "input file l.csv");
        let c = json!({"inputs": {"s.csv": "1", "l.csv": "3"}, "resolved_scenario": {"x": 2}});
        assert_eq!(
            difference(&a, &c),
            "input file l.csv, the scenario (x 1 -> 2)"
        );
        // A curve's changed keys are named, with both values.
        let curves = |alpha: f64, total: Option<f64>| {
            json!({"curves": [
                {"label": "a", "resolved_scenario": {"model": {"alpha_d": 0.001}}},
                {"label": "b", "resolved_scenario": {"model": {"alpha_d": alpha}, "background": {"total": total}}},
            ]})
        };
        assert_eq!(
            difference(&curves(0.001, None), &curves(0.1, Some(10.0))),
            "curve 2 \"b\": background.total none -> 10.0, model.alpha_d 0.001 -> 0.1"
        );
        assert_eq!(
            difference(&curves(0.001, None), &json!({"curves": []})),
            "the number of curves (2 -> 0)"
        );
    }
}
