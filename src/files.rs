//! The text of an input file (scenario, spectrum table, limit curve, reproduction reference),
//! read with a bound on its size: a device such as `/dev/zero`, or a file far larger than any
//! input, is an error after [`MAX_INPUT_BYTES`] instead of a process that fills memory. A
//! UTF-8 byte-order mark (which spreadsheet programs write) is dropped, so that a header reads
//! as it looks. Files read line by line (event files, checkpoints and shards) go through
//! [`BoundedLines`], which bounds each line instead.

use std::io::{BufRead, Error, ErrorKind, Read};
use std::path::Path;

/// The largest input text darksens reads whole, bytes. Shipped inputs are below 1 MB; a
/// table of a million rows is about 40 MB.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// The text of `path`, without a leading byte-order mark.
///
/// # Errors
/// As [`std::fs::File::open`]; [`ErrorKind::FileTooLarge`] above [`MAX_INPUT_BYTES`];
/// [`ErrorKind::InvalidData`] if the content is not UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::new(
            ErrorKind::FileTooLarge,
            format!(
                "it is larger than {} MiB, the most darksens reads from an input file (is it the right file?)",
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::new(
            ErrorKind::InvalidData,
            "it is not a text file (not valid UTF-8)",
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// One line of [`BoundedLines`]: its bytes without the line end, and whether a newline ended it
/// (the last line of a file cut short by a kill has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The bytes, without `\n` or `\r\n`.
    pub bytes: Vec<u8>,
    /// Whether a `\n` ended the line.
    pub terminated: bool,
    /// The bytes the line took in the stream, its end included.
    pub length: usize,
}

/// What went wrong reading a line.
#[derive(Debug)]
pub enum LineError {
    /// The reader failed.
    Io(Error),
    /// The line is longer than the bound (bytes): a damaged or foreign file, or an endless
    /// stream such as `/dev/zero`.
    TooLong(usize),
    /// The line is not UTF-8 text (for readers that want text).
    NotText,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read: {e}"),
            Self::TooLong(max) => write!(
                f,
                "the line is longer than {} MiB: a damaged file, or not the kind of file expected",
                max >> 20
            ),
            Self::NotText => write!(
                f,
                "the line is not text (UTF-8): a damaged file, or not the kind of file expected"
            ),
        }
    }
}

/// The lines of a reader, each read with a bound: a line longer than `max_bytes` is an error
/// after reading that much, not a buffer that grows with it. Iteration ends at the first error.
pub struct BoundedLines<R> {
    reader: R,
    max_bytes: usize,
    failed: bool,
}

impl<R: BufRead> BoundedLines<R> {
    /// The lines of `reader`, at most `max_bytes` each.
    pub fn new(reader: R, max_bytes: usize) -> Self {
        Self {
            reader,
            max_bytes,
            failed: false,
        }
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = Result<Line, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let mut bytes = Vec::new();
        let limit = u64::try_from(self.max_bytes).unwrap_or(u64::MAX - 1) + 1;
        let read = (&mut self.reader).take(limit).read_until(b'\n', &mut bytes);
        let outcome = match read {
            Err(e) => Err(LineError::Io(e)),
            Ok(0) => return None,
            Ok(length) => {
                let terminated = bytes.last() == Some(&b'\n');
                if terminated {
                    bytes.pop();
                    if bytes.last() == Some(&b'\r') {
                        bytes.pop();
                    }
                }
                if bytes.len() > self.max_bytes {
                    Err(LineError::TooLong(self.max_bytes))
                } else {
                    Ok(Line {
                        bytes,
                        terminated,
                        length,
                    })
                }
            }
        };
        self.failed = outcome.is_err();
        Some(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A byte-order mark is dropped, a larger-than-allowed stream is refused after the limit,
    /// binary content is named as such.
    #[test]
    fn bom_dropped_endless_stream_and_binary_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let bom = dir.path().join("bom.csv");
        std::fs::write(&bom, "\u{feff}energy_gev,x\n1,2\n").expect("write");
        assert_eq!(read_text(&bom).expect("text"), "energy_gev,x\n1,2\n");
        let binary = dir.path().join("binary");
        std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x80]).expect("write");
        assert_eq!(
            read_text(&binary).expect_err("binary").kind(),
            ErrorKind::InvalidData
        );
        if Path::new("/dev/zero").exists() {
            let error = read_text(Path::new("/dev/zero")).expect_err("endless");
            assert_eq!(error.kind(), ErrorKind::FileTooLarge);
            assert!(error.to_string().contains("larger than 64 MiB"), "{error}");
        }
    }

    /// Lines come without their ends and count them in their length, the last one says it had none, a line at the bound is
    /// kept and one byte more is an error, after which iteration ends.
    #[test]
    fn lines_are_bounded_and_say_how_they_ended() {
        let text = b"one\r\ntwo\nthree";
        let lines: Vec<Line> = BoundedLines::new(&text[..], 5)
            .collect::<Result<_, _>>()
            .expect("short lines");
        let expected = [("one", true, 5), ("two", true, 4), ("three", false, 5)];
        assert_eq!(lines.len(), 3);
        for (line, (bytes, terminated, length)) in lines.iter().zip(expected) {
            assert_eq!(
                (line.bytes.as_slice(), line.terminated, line.length),
                (bytes.as_bytes(), terminated, length)
            );
        }
        let mut long = BoundedLines::new(&b"123456\nok\n"[..], 5);
        assert!(matches!(long.next(), Some(Err(LineError::TooLong(5)))));
        assert!(long.next().is_none());
        let mut endless =
            BoundedLines::new(std::io::BufReader::new(std::io::repeat(b'x')), 1 << 20);
        assert!(matches!(endless.next(), Some(Err(LineError::TooLong(_)))));
    }
}
