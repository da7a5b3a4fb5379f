//! Les Houches Event files (hep-ph/0609017), as MadGraph writes them: reading a positron
//! spectrum from one, and writing one (the built-in radiative Bhabha generator's events).
//!
//! Reading keeps the final-state particles (`ISTUP = 1`) of the selected species (PDG -11 for
//! positrons, 11 for electrons) whose lab polar angle, measured from the electron beam, lies in
//! the scenario's window and whose energy passes its cut, and histograms them:
//! `dsigma/dE = sigma (sum of selected weights in the bin) / (sum of all weights) / width`, with
//! `sigma` the sum of `XSECUP` of the `<init>` block (pb). The spectrum handed to the physics is
//! the linear interpolant through the bin centres (flat over the outer half bins), scaled so that
//! it integrates to the selected cross section. If the file's first beam (`IDBMUP(1)`, along +z)
//! is the positron, z is mirrored so that +z is the electron beam as everywhere in darksens.

use super::tabulated::TabulatedSpectrum;
use crate::error::InputError;
use crate::files::{BoundedLines, LineError};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// What to select from an event file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LheSelection {
    /// PDG code of the selected particle (-11 positron, 11 electron).
    pub pdg: i64,
    /// Lab polar-angle window from the electron beam, radians.
    pub theta_min_rad: f64,
    /// See `theta_min_rad`.
    pub theta_max_rad: f64,
    /// Smallest energy kept, GeV.
    pub min_energy_gev: f64,
    /// Number of histogram bins.
    pub bins: usize,
}

/// A spectrum read from an event file, with what the reading found.
#[derive(Debug, Clone, PartialEq)]
pub struct LheSpectrum {
    /// The spectrum.
    pub spectrum: TabulatedSpectrum,
    /// Cross section of the file (sum of `XSECUP`), pb.
    pub sigma_file_pb: f64,
    /// Cross section of the selected particles, pb.
    pub sigma_selected_pb: f64,
    /// Its relative statistical error: the file's `XERRUP/XSECUP` and the selected share's, in
    /// quadrature.
    pub sigma_selected_relative_error: f64,
    /// Events read.
    pub events: usize,
    /// Particles selected.
    pub selected: usize,
    /// Histogram range, GeV.
    pub range_gev: (f64, f64),
}

/// One event: its weight and final-state particles `(pdg, px, py, pz, E)` in GeV.
#[derive(Debug, Clone, PartialEq)]
pub struct LheEvent {
    /// `XWGTUP`.
    pub weight: f64,
    /// Final-state particles.
    pub particles: Vec<(i64, [f64; 4])>,
}

/// The `<init>` block: beams and cross section.
#[derive(Debug, Clone, PartialEq)]
pub struct LheInit {
    /// PDG codes of beam 1 (along +z) and beam 2.
    pub beams: [i64; 2],
    /// Beam energies, GeV.
    pub energies_gev: [f64; 2],
    /// Cross section and its error, pb (summed over processes).
    pub sigma_pb: f64,
    /// See `sigma_pb`.
    pub sigma_error_pb: f64,
}

fn open(path: &Path) -> Result<Box<dyn BufRead>, InputError> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(InputError::Directory {
            path: name,
            what: "an event file",
        });
    }
    let file = std::fs::File::open(path).map_err(|e| InputError::Unreadable {
        path: name,
        reason: e.to_string(),
    })?;
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
            file,
        ))))
    } else {
        Ok(Box::new(BufReader::new(file)))
    }
}

/// Reads every event of a file, calling `each` on it.
///
/// # Errors
/// A message naming the file and line for anything that is not a Les Houches event file: no
/// `<LesHouchesEvents>` tag, a missing or malformed `<init>` block, an event whose lines are not
/// numbers or fewer than it announces, a file that ends inside an event, or no event at all.
pub fn read_events(
    path: &Path,
    each: impl FnMut(&LheEvent),
) -> Result<(LheInit, usize), InputError> {
    parse_events(open(path)?, &path.display().to_string(), each)
}

/// The longest line an event file may have, bytes. Event and `<init>` lines are about 100
/// bytes and the header lines of generators (run cards, comments) well under a kilobyte; a longer
/// line is a damaged or foreign file, and reading it whole could exhaust memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The text lines of an event file, bounded ([`BoundedLines`]).
struct TextLines<R>(BoundedLines<R>);

impl<R: BufRead> Iterator for TextLines<R> {
    type Item = Result<String, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(
            self.0
                .next()?
                .and_then(|line| String::from_utf8(line.bytes).map_err(|_| LineError::NotText)),
        )
    }
}

/// The lines of an event file with their numbers, and messages that name file and line.
struct Lines<R> {
    name: String,
    source: std::iter::Enumerate<TextLines<R>>,
    /// The last line read.
    last: usize,
}

impl<R: BufRead> Lines<R> {
    fn fail(&self, line: usize, message: &str) -> InputError {
        InputError::Line {
            file: self.name.clone(),
            line,
            message: message.to_string(),
        }
    }

    /// The next line with its number; `ended` says what was expected when the file ends.
    fn next(&mut self, ended: (usize, &str)) -> Result<(usize, String), InputError> {
        match self.source.next() {
            None => Err(self.fail(ended.0, ended.1)),
            Some((k, Err(e))) => Err(self.fail(k + 1, &e.to_string())),
            Some((k, Ok(text))) => {
                self.last = k + 1;
                Ok((k + 1, text))
            }
        }
    }

    /// The next line, or `None` at the end of the file.
    fn next_or_end(&mut self) -> Result<Option<(usize, String)>, InputError> {
        match self.source.next() {
            None => Ok(None),
            Some((k, Err(e))) => Err(self.fail(k + 1, &e.to_string())),
            Some((k, Ok(text))) => {
                self.last = k + 1;
                Ok(Some((k + 1, text)))
            }
        }
    }

    /// The numbers of a line (all finite), for `what` in messages.
    fn numbers(&self, line: usize, text: &str, what: &str) -> Result<Vec<f64>, InputError> {
        text.split_whitespace()
            .map(|f| {
                f.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        self.fail(line, &format!("{what}: '{f}' is not a finite number"))
                    })
            })
            .collect()
    }

    /// A count of a line that must be a positive whole number.
    fn count(value: f64) -> Option<usize> {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive whole number, checked first"
        )]
        (value >= 1.0 && value.fract() == 0.0 && value < 1e9).then_some(value as usize)
    }

    /// The `<init>` block after its opening tag at `line`: beams and the summed cross section.
    fn init(&mut self, line: usize) -> Result<LheInit, InputError> {
        let (l1, first) = self.next((line, "the file ends inside <init>"))?;
        let head = self.numbers(l1, &first, "<init> beam line")?;
        if head.len() != 10 {
            return Err(self.fail(
                l1,
                &format!(
                    "<init> beam line: expected 10 numbers (IDBMUP EBMUP PDFGUP PDFSUP IDWTUP NPRUP), got {}",
                    head.len()
                ),
            ));
        }
        let processes = head[9];
        let Some(count) = Self::count(processes) else {
            return Err(self.fail(
                l1,
                &format!("<init>: NPRUP must be a positive whole number, got {processes}"),
            ));
        };
        let (mut sigma, mut error2) = (0.0, 0.0);
        for _ in 0..count {
            let (lp, text) = self.next((l1, "the file ends inside <init>"))?;
            let p = self.numbers(lp, &text, "<init> process line")?;
            if p.len() < 4 {
                return Err(self.fail(
                    lp,
                    "<init> process line: expected XSECUP XERRUP XMAXUP LPRUP",
                ));
            }
            if p[0] < 0.0 {
                return Err(self.fail(
                    lp,
                    &format!("<init>: the cross section XSECUP is negative ({})", p[0]),
                ));
            }
            sigma += p[0];
            error2 += p[1] * p[1];
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "PDG codes are small integers"
        )]
        let beams = [head[0] as i64, head[1] as i64];
        if !(head[2] > 0.0 && head[3] > 0.0) {
            return Err(self.fail(
                l1,
                &format!(
                    "<init>: the beam energies EBMUP must be positive, got {} and {} GeV",
                    head[2], head[3]
                ),
            ));
        }
        Ok(LheInit {
            beams,
            energies_gev: [head[2], head[3]],
            sigma_pb: sigma,
            sigma_error_pb: error2.sqrt(),
        })
    }

    /// One `<event>` after its opening tag at `line`, up to its closing tag.
    fn event(&mut self, line: usize) -> Result<LheEvent, InputError> {
        let (lh, head) = self.next((line, "the file ends inside an <event>"))?;
        let h = self.numbers(lh, &head, "event header")?;
        let announced = (h.len() >= 3).then(|| Self::count(h[0])).flatten();
        let Some(announced) = announced else {
            return Err(self.fail(
                lh,
                "event header: expected NUP IDPRUP XWGTUP SCALUP AQEDUP AQCDUP",
            ));
        };
        let mut event = LheEvent {
            weight: h[2],
            particles: Vec::new(),
        };
        for _ in 0..announced {
            let (lp, text) = self.next((lh, "the file ends inside an <event>"))?;
            if text.trim_start().starts_with('<') {
                return Err(self.fail(
                    lp,
                    &format!("the event announces {} particles but has fewer", h[0]),
                ));
            }
            let p = self.numbers(lp, &text, "particle line")?;
            if p.len() < 13 {
                return Err(self.fail(
                    lp,
                    &format!(
                        "particle line: expected 13 numbers (IDUP ISTUP MOTHUP ICOLUP PUP VTIMUP SPINUP), got {}",
                        p.len()
                    ),
                ));
            }
            if p[1] == 1.0 && p[9] < 0.0 {
                return Err(self.fail(
                    lp,
                    &format!("a final-state particle has negative energy ({} GeV)", p[9]),
                ));
            }
            if p[1] == 1.0 {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "PDG codes are small integers"
                )]
                event
                    .particles
                    .push((p[0] as i64, [p[6], p[7], p[8], p[9]]));
            }
        }
        // Optional lines (reweighting blocks, comments) up to the closing tag.
        loop {
            let (lc, text) = self.next((lh, "the file ends inside an <event> (no </event>)"))?;
            let t = text.trim();
            if t.starts_with("</event") {
                return Ok(event);
            }
            if t.starts_with("<event") {
                return Err(self.fail(lc, "a new <event> before </event>"));
            }
        }
    }
}

/// As [`read_events`], from a reader (`name` names it in messages).
///
/// # Errors
/// As [`read_events`].
pub fn parse_events(
    reader: impl BufRead,
    name: &str,
    mut each: impl FnMut(&LheEvent),
) -> Result<(LheInit, usize), InputError> {
    let mut lines = Lines {
        name: name.to_string(),
        source: TextLines(BoundedLines::new(reader, MAX_LINE_BYTES)).enumerate(),
        last: 0,
    };
    let mut started = false;
    let mut closed = false;
    let mut init: Option<LheInit> = None;
    let mut events = 0;
    while let Some((line, text)) = lines.next_or_end()? {
        let t = text.trim();
        if t.starts_with("<LesHouchesEvents") {
            started = true;
        } else if t.starts_with("</LesHouchesEvents") {
            closed = true;
            break;
        } else if t.starts_with("<init") {
            if !started {
                return Err(lines.fail(
                    line,
                    "<init> before <LesHouchesEvents>: not a Les Houches event file",
                ));
            }
            init = Some(lines.init(line)?);
        } else if t.starts_with("<event") {
            if init.is_none() {
                return Err(lines.fail(line, "<event> before the <init> block"));
            }
            each(&lines.event(line)?);
            events += 1;
        }
    }
    let init = match (started, init) {
        (false, _) => {
            return Err(InputError::Content {
                file: name.to_string(),
                message: "no <LesHouchesEvents> tag: not a Les Houches event file".into(),
            });
        }
        (true, None) => {
            return Err(InputError::Content {
                file: name.to_string(),
                message: "no <init> block".into(),
            });
        }
        (true, Some(init)) => init,
    };
    if events == 0 {
        return Err(lines.fail(lines.last, "the file has no <event>"));
    }
    if !closed {
        return Err(lines.fail(
            lines.last,
            "the file ends without </LesHouchesEvents>: it was cut short (an interrupted download or copy, or a generator still writing); every event file ends with that tag",
        ));
    }
    Ok((init, events))
}

/// Reads the spectrum of the selected particle from an event file.
///
/// # Errors
/// As [`read_events`], and no selected particle or zero total weight.
pub fn read_spectrum(path: &Path, selection: &LheSelection) -> Result<LheSpectrum, InputError> {
    let name = path.display().to_string();
    let (mut total_weight, mut total_weight2) = (0.0, 0.0);
    // (event, weight, energy, cosine of the polar angle along the file's +z) of every
    // candidate.
    let mut candidates: Vec<(usize, f64, f64, f64)> = Vec::new();
    let mut event_index = 0;
    let (init, events) = read_events(path, |event| {
        total_weight += event.weight;
        total_weight2 += event.weight * event.weight;
        for (pdg, p) in &event.particles {
            if *pdg == selection.pdg {
                let momentum = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
                let cos = if momentum > 0.0 { p[2] / momentum } else { 1.0 };
                candidates.push((event_index, event.weight, p[3], cos));
            }
        }
        event_index += 1;
    })?;
    // darksens puts the electron beam along +z.
    let flip = if init.beams[0] == -11 { -1.0 } else { 1.0 };
    let kept: Vec<(usize, f64, f64)> = candidates
        .iter()
        .filter(|(_, _, e, cos)| {
            let theta = (flip * cos).clamp(-1.0, 1.0).acos();
            *e >= selection.min_energy_gev
                && theta >= selection.theta_min_rad
                && theta <= selection.theta_max_rad
        })
        .map(|(i, w, e, _)| (*i, *w, *e))
        .collect();
    if !(total_weight.is_finite() && total_weight > 0.0) {
        return Err(InputError::Content {
            file: name,
            message: format!("the event weights sum to {total_weight}; they must be positive"),
        });
    }
    if kept.len() < 2 {
        return Err(InputError::Content {
            file: name,
            message: format!(
                "{} particle(s) with PDG code {} pass the angular and energy cuts in {events} events; at least two are needed for a spectrum",
                kept.len(),
                selection.pdg
            ),
        });
    }
    // Each selected particle carries sigma w / (sum of all weights).
    let samples: Vec<(f64, f64)> = kept
        .iter()
        .map(|(_, w, e)| (init.sigma_pb * w / total_weight, *e))
        .collect();
    let sigma_selected_relative_error = selected_relative_error(
        &init,
        (total_weight, total_weight2),
        &selected_per_event(&kept),
    );
    let sigma_selected_pb = samples.iter().map(|s| s.0).sum();
    let (spectrum, range_gev) = TabulatedSpectrum::histogram(
        &format!("{name} ({events} events, {} bins)", selection.bins),
        &samples,
        selection.bins,
        selection.pdg == 11,
    )?;
    Ok(LheSpectrum {
        spectrum,
        sigma_file_pb: init.sigma_pb,
        sigma_selected_pb,
        sigma_selected_relative_error,
        events,
        selected: kept.len(),
        range_gev,
    })
}

/// `(w_i, k_i)` of every event with a selected particle: its weight and how many of its
/// particles are selected, from the selected `(event, weight, energy)` in file order.
fn selected_per_event(kept: &[(usize, f64, f64)]) -> Vec<(f64, f64)> {
    let mut events: Vec<(usize, f64, f64)> = Vec::new();
    for &(index, weight, _) in kept {
        match events.last_mut() {
            Some(last) if last.0 == index => last.2 += 1.0,
            _ => events.push((index, weight, 1.0)),
        }
    }
    events.into_iter().map(|(_, w, k)| (w, k)).collect()
}

/// The relative statistical error of the selected cross section `sigma F`, `F = sum_i k_i w_i /
/// sum_i w_i` the selected share of the weights (`selected`: `(w_i, k_i)` of the events with a
/// selected particle; `weights`: the sum of every event's weight and of its square). `sigma`'s
/// own error is the file's `XERRUP`, and `F`'s is the ratio estimator's (delta method):
/// `Var F = sum_i (k_i w_i - F w_i)^2 / (sum_i w_i)^2`, which for unweighted events with one
/// particle at most is the binomial `F (1 - F) / N`. The two are added in quadrature (our
/// addition: an event file's spectrum is a Monte Carlo sample).
fn selected_relative_error(init: &LheInit, weights: (f64, f64), selected: &[(f64, f64)]) -> f64 {
    let (sum_w, sum_w2) = weights;
    let share = selected.iter().map(|&(w, k)| k * w).sum::<f64>() / sum_w;
    // sum_i (a_i - F w_i)^2 over every event: the selecting ones summed term by term, the
    // others (a_i = 0) adding F^2 w_i^2.
    let selecting: f64 = selected
        .iter()
        .map(|&(w, k)| ((k - share) * w).powi(2))
        .sum();
    let others_w2 = (sum_w2 - selected.iter().map(|&(w, _)| w * w).sum::<f64>()).max(0.0);
    let spread = selecting + share * share * others_w2;
    let share_error2 = spread / (sum_w * sum_w) / (share * share);
    let sigma_error = if init.sigma_pb > 0.0 {
        init.sigma_error_pb / init.sigma_pb
    } else {
        0.0
    };
    (sigma_error * sigma_error + share_error2).sqrt()
}

/// Events formatted (and compressed) as one block: blocks are formatted in parallel and joined
/// in order, so the file does not depend on the thread count.
const EVENTS_PER_BLOCK: usize = 4096;

/// How an event file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Plain text (`.lhe`).
    Plain,
    /// Gzip (`.lhe.gz`): each block a gzip member of its own, compressed in parallel (a
    /// multi-member file, as RFC 1952 allows; `gunzip`, Python's `gzip` and this crate's reader
    /// read it whole).
    Gzip,
}

/// Writes events as a Les Houches event file (unweighted events carry weight `sigma/N`; massless
/// external particles; the beams are the incoming particles). `alpha_qed` is the QED coupling
/// the events were generated with, written in every event line (`AQEDUP`).
///
/// # Errors
/// If the file cannot be written.
pub fn write_events(
    out: &mut impl Write,
    init: &LheInit,
    (generator, alpha_qed): (&str, f64),
    events: &[LheEvent],
) -> std::io::Result<()> {
    write_events_encoded(out, init, (generator, alpha_qed), events, Encoding::Plain)
}

/// [`write_events`] with the given encoding.
///
/// # Errors
/// If the file cannot be written.
pub fn write_events_encoded(
    out: &mut impl Write,
    init: &LheInit,
    (generator, alpha_qed): (&str, f64),
    events: &[LheEvent],
    encoding: Encoding,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut blocks = vec![header_text(init, generator)];
    blocks.extend(
        events
            .par_chunks(EVENTS_PER_BLOCK)
            .map(|chunk| events_text(init, alpha_qed, chunk))
            .collect::<Vec<_>>(),
    );
    blocks.push("</LesHouchesEvents>\n".to_string());
    match encoding {
        Encoding::Plain => {
            for block in &blocks {
                out.write_all(block.as_bytes())?;
            }
        }
        Encoding::Gzip => {
            let members = blocks
                .par_iter()
                .map(|block| {
                    let mut encoder =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                    encoder.write_all(block.as_bytes())?;
                    encoder.finish()
                })
                .collect::<std::io::Result<Vec<Vec<u8>>>>()?;
            for member in &members {
                out.write_all(member)?;
            }
        }
    }
    out.flush()
}

/// The opening tag, the header naming the generator and the `<init>` block.
fn header_text(init: &LheInit, generator: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "<LesHouchesEvents version=\"3.0\">");
    let _ = writeln!(out, "<header>\n<!-- written by {generator} -->\n</header>");
    let _ = writeln!(out, "<init>");
    let _ = writeln!(
        out,
        " {} {} {:.8e} {:.8e} 0 0 0 0 3 1",
        init.beams[0], init.beams[1], init.energies_gev[0], init.energies_gev[1]
    );
    let _ = writeln!(
        out,
        " {:.8e} {:.8e} {:.8e} 1",
        init.sigma_pb, init.sigma_error_pb, init.sigma_pb
    );
    let _ = writeln!(out, "</init>");
    out
}

/// The `<event>` blocks of `events`, the beams as the incoming particles.
fn events_text(init: &LheInit, alpha_qed: f64, events: &[LheEvent]) -> String {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let mut out = String::with_capacity(events.len() * 512);
    // The beam lines are the same in every event, and so is the first line of events of equal
    // weight and multiplicity (unweighted events): each is formatted once.
    let mut beams = String::new();
    for (k, pdg) in init.beams.iter().enumerate() {
        let sign = if k == 0 { 1.0 } else { -1.0 };
        let e = init.energies_gev[k];
        let _ = writeln!(
            beams,
            " {pdg} -1 0 0 0 0 0.0 0.0 {:.10e} {:.10e} 0.0 0.0 9.0",
            sign * e,
            e
        );
    }
    let mut first: Option<((u64, usize), String)> = None;
    for event in events {
        let shape = (event.weight.to_bits(), event.particles.len());
        if first.as_ref().is_none_or(|(s, _)| *s != shape) {
            let line = format!(
                "<event>\n {} 1 {:.8e} -1.0 {alpha_qed:.7e} 0.0\n",
                event.particles.len() + 2,
                event.weight
            );
            first = Some((shape, line));
        }
        if let Some((_, line)) = &first {
            out.push_str(line);
        }
        out.push_str(&beams);
        for (pdg, p) in &event.particles {
            let _ = writeln!(
                out,
                " {pdg} 1 1 2 0 0 {:.10e} {:.10e} {:.10e} {:.10e} 0.0 0.0 9.0",
                p[0], p[1], p[2], p[3]
            );
        }
        out.push_str("</event>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::PICOBARN_CM2;
    use approx::assert_relative_eq;

    fn event(pdg: i64, energy: f64, cos: f64) -> LheEvent {
        let sin = (1.0 - cos * cos).sqrt();
        LheEvent {
            weight: 2.0,
            particles: vec![
                (pdg, [energy * sin, 0.0, energy * cos, energy]),
                (22, [0.0, energy, 0.0, energy]),
            ],
        }
    }

    fn write(name: &str, init: &LheInit, events: &[LheEvent]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("darksens-lhe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(name);
        let mut file = std::fs::File::create(&path).expect("file");
        write_events(&mut file, init, ("test", crate::units::ALPHA), events).expect("write");
        path
    }

    /// Belle II's beams (electrons of 7 GeV along +z, positrons of 4 GeV), 100 pb.
    fn belle2_init() -> LheInit {
        LheInit {
            beams: [11, -11],
            energies_gev: [7.0, 4.0],
            sigma_pb: 100.0,
            sigma_error_pb: 1.0,
        }
    }

    /// Every event line states the coupling the events were made with (MadGraph's 1/132.507
    /// here), not a fixed alpha(0).
    #[test]
    fn event_lines_carry_the_generator_coupling() {
        let init = belle2_init();
        let mut bytes = Vec::new();
        write_events(
            &mut bytes,
            &init,
            ("test", 1.0 / 132.507),
            &[event(-11, 3.0, 0.0), event(-11, 4.0, 0.0)],
        )
        .expect("write");
        let text = String::from_utf8(bytes).expect("text");
        let couplings: Vec<f64> = text
            .lines()
            .skip_while(|l| *l != "<event>")
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|w| w[0] == "<event>")
            .map(|w| {
                w[1].split_whitespace()
                    .nth(4)
                    .expect("AQEDUP")
                    .parse()
                    .expect("number")
            })
            .collect();
        assert_eq!(couplings.len(), 2);
        for alpha in couplings {
            assert_relative_eq!(alpha, 1.0 / 132.507, max_relative = 1e-7, epsilon = 0.0);
        }
    }

    #[test]
    fn written_events_read_back_into_the_right_histogram() {
        let init = belle2_init();
        // Four positrons at 3, 4, 5, 6 GeV in the barrel, one outside the window, one electron.
        let events = vec![
            event(-11, 3.0, 0.0),
            event(-11, 4.0, 0.2),
            event(-11, 5.0, -0.2),
            event(-11, 6.0, 0.1),
            event(-11, 5.5, 0.99),
            event(11, 4.5, 0.0),
        ];
        let path = write("a.lhe", &init, &events);
        let selection = LheSelection {
            pdg: -11,
            theta_min_rad: 32.2_f64.to_radians(),
            theta_max_rad: 128.7_f64.to_radians(),
            min_energy_gev: 0.0,
            bins: 3,
        };
        let s = read_spectrum(&path, &selection).expect("reads");
        assert_eq!((s.events, s.selected), (6, 4));
        assert_relative_eq!(s.sigma_file_pb, 100.0, epsilon = 0.0);
        // 4 of 6 equal weights selected.
        assert_relative_eq!(
            s.sigma_selected_pb,
            100.0 * 4.0 / 6.0,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        assert_relative_eq!(
            s.spectrum.sigma_cm2() / PICOBARN_CM2,
            s.sigma_selected_pb,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        assert_eq!(s.range_gev, (3.0, 6.0));
        // Unweighted events, one positron each: the binomial F (1 - F) / N with F = 2/3 and
        // N = 6, relative F's variance (1 - F)/(F N) = 1/12, and the file's 1% in quadrature.
        assert_relative_eq!(
            s.sigma_selected_relative_error,
            (1e-4_f64 + 1.0 / 12.0).sqrt(),
            max_relative = 1e-12,
            epsilon = 0.0
        );
        // An energy cut at 4.5 GeV keeps two.
        let cut = LheSelection {
            min_energy_gev: 4.5,
            ..selection
        };
        assert_eq!(read_spectrum(&path, &cut).expect("reads").selected, 2);
        // With the positron as beam 1 (along +z), z is mirrored: the same selection.
        let flipped = LheInit {
            beams: [-11, 11],
            energies_gev: [4.0, 7.0],
            ..init
        };
        let path = write("b.lhe", &flipped, &events);
        assert_eq!(read_spectrum(&path, &selection).expect("reads").selected, 4);
    }

    /// Weighted events with several selected particles: the selected share's variance against
    /// the direct sum `sum_i (a_i - F w_i)^2 / (sum w)^2` over every event.
    #[test]
    fn the_selected_share_of_weighted_events_has_the_ratio_estimators_error() {
        // (weight, selected particles): an event without any, and one with two.
        let all = [(1.0, 1.0), (2.0, 0.0), (3.0, 2.0), (0.5, 1.0)];
        let sum_w: f64 = all.iter().map(|e| e.0).sum();
        let share = all.iter().map(|e| e.0 * e.1).sum::<f64>() / sum_w;
        let spread: f64 = all.iter().map(|e| (e.0 * e.1 - share * e.0).powi(2)).sum();
        let expected = (spread / (sum_w * sum_w)).sqrt() / share;
        let kept = [(0, 1.0, 3.0), (2, 3.0, 4.0), (2, 3.0, 5.0), (3, 0.5, 6.0)];
        let selected = selected_per_event(&kept);
        assert_eq!(selected, [(1.0, 1.0), (3.0, 2.0), (0.5, 1.0)]);
        let exact = LheInit {
            sigma_error_pb: 0.0,
            ..belle2_init()
        };
        let weights = (sum_w, all.iter().map(|e| e.0 * e.0).sum());
        assert_relative_eq!(
            selected_relative_error(&exact, weights, &selected),
            expected,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        // Everything selected once: only the file's error is left.
        let every: Vec<(f64, f64)> = all.iter().map(|e| (e.0, 1.0)).collect();
        assert_relative_eq!(
            selected_relative_error(&belle2_init(), weights, &every),
            0.01,
            max_relative = 1e-6,
            epsilon = 0.0
        );
    }

    #[test]
    fn malformed_files_name_the_line() {
        let dir = std::env::temp_dir().join(format!("darksens-lhe-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let check = |name: &str, text: &str, fragment: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("write");
            let error = read_events(&path, |_| {})
                .expect_err("malformed")
                .to_string();
            assert!(error.contains(fragment), "{name}: {error}");
        };
        let init = "<LesHouchesEvents version=\"3.0\">\n<init>\n11 -11 7 4 0 0 0 0 3 1\n100 1 100 1\n</init>\n";
        check("none.lhe", "hello\n", "no <LesHouchesEvents> tag");
        check(
            "noinit.lhe",
            "<LesHouchesEvents>\n<event>\n",
            "noinit.lhe:2: <event> before the <init> block",
        );
        check(
            "short.lhe",
            &format!("{init}<event>\n 3 1 1 0 0 0\n -11 1 1 2 0 0 1 0 1 2 0 0 9\n</event>\n"),
            "short.lhe:9: the event announces 3 particles but has fewer",
        );
        check(
            "text.lhe",
            &format!("{init}<event>\n 1 1 1 0 0 0\n -11 1 1 2 0 0 x 0 1 2 0 0 9\n</event>\n"),
            "text.lhe:8: particle line: 'x' is not a finite number",
        );
        check(
            "cut.lhe",
            &format!("{init}<event>\n 1 1 1 0 0 0\n -11 1 1 2 0 0 1 0 1 2 0 0 9\n"),
            "the file ends inside an <event>",
        );
        check(
            "empty.lhe",
            &format!("{init}</LesHouchesEvents>\n"),
            "has no <event>",
        );
        check(
            "beams.lhe",
            "<LesHouchesEvents>\n<init>\n11 -11 7 4\n</init>\n",
            "beams.lhe:3: <init> beam line: expected 10 numbers",
        );
        let event = "<event>\n 1 1 1 0 0 0\n -11 1 1 2 0 0 1 0 1 2 0 0 9\n</event>\n";
        check(
            "unclosed.lhe",
            &format!("{init}{event}"),
            "unclosed.lhe:9: the file ends without </LesHouchesEvents>",
        );
        check(
            "negative.lhe",
            &format!(
                "{init}<event>\n 1 1 1 0 0 0\n -11 1 1 2 0 0 1 0 1 -2 0 0 9\n</event>\n</LesHouchesEvents>\n"
            ),
            "negative.lhe:8: a final-state particle has negative energy (-2 GeV)",
        );
        check(
            "zero_beam.lhe",
            &format!(
                "<LesHouchesEvents>\n<init>\n11 -11 0 4 0 0 0 0 3 1\n100 1 100 1\n</init>\n{event}</LesHouchesEvents>\n"
            ),
            "zero_beam.lhe:3: <init>: the beam energies EBMUP must be positive, got 0 and 4 GeV",
        );
        check(
            "long.lhe",
            &format!(
                "<LesHouchesEvents>\n<!-- {} -->\n",
                "x".repeat(MAX_LINE_BYTES)
            ),
            "long.lhe:2: the line is longer than 1 MiB",
        );
    }

    /// A stream without newlines (`/dev/zero`) stops at the line limit instead of filling memory.
    #[test]
    fn an_endless_line_is_an_error_not_a_growing_buffer() {
        let endless = std::io::BufReader::new(std::io::repeat(0));
        let error = parse_events(endless, "zeros", |_| {}).expect_err("no newline ever");
        assert!(
            error
                .to_string()
                .contains("zeros:1: the line is longer than 1 MiB"),
            "{error}"
        );
    }
}
