//! `darksens generate`: the built-in radiative Bhabha generator's events as a Les Houches file,
//! and its spectrum as a CSV table.

use super::helpers::{ScenarioArgs, ThreadsArg, signals};
use darksens::error::Error;
use darksens::output::lock::Lock;
use darksens::output::{
    StagedFile, check_writable, remove_stale_temporaries, write_all_atomically,
};
use darksens::pipeline::interrupted;
use darksens::scenario::{Curve, ScenarioDocument, SourceConfig, SpectrumConfig};
use darksens::sources::lhe::Encoding;
use darksens::sources::radiative_bhabha::{Generated, Settings, Unweighted, write_lhe};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;

/// Most events one call writes (about 600 bytes each uncompressed).
const MAX_EVENTS: usize = 1_000_000;

/// Options of `darksens generate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  darksens generate configs/belle2_rbs.toml --events 10000 -o rbs.lhe.gz
  darksens generate configs/belle2_rbs.toml --spectrum rbs_positrons.csv
  (the CSV is what spectrum = { table = ... } reads)

The generator's settings (beams, polar-angle window, source.spectrum options,
seed) come from the first curve of the scenario whose source.spectrum is the
radiative Bhabha generator. The same command writes the same bytes whatever the
thread count; the file's header records every setting.")]
pub struct Opts {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Number of unweighted events to write (with --output).
    #[arg(long, value_name = "N")]
    events: Option<usize>,
    /// Event file: `.lhe`, or `.lhe.gz` for a gzip-compressed file (with --events).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also (or only) write the selected particle's spectrum as a CSV table
    /// (`energy_gev,dsigma_de_pb_per_gev`, the form `spectrum = { table = ... }` reads).
    #[arg(long, value_name = "FILE.csv")]
    spectrum: Option<PathBuf>,
    #[command(flatten)]
    threads: ThreadsArg,
    /// Print nothing but warnings and errors (no summary, no progress).
    #[arg(short, long)]
    quiet: bool,
}

/// The first curve that uses the generator, with its settings and integration.
fn generator_curve(curves: &[Curve]) -> Option<(&Curve, &Settings, &Generated)> {
    curves
        .iter()
        .find_map(|curve| match &curve.scenario.source {
            SourceConfig::Collider {
                spectrum:
                    SpectrumConfig::Generated {
                        settings,
                        generated,
                    },
                ..
            } => Some((curve, settings, generated.as_ref())),
            _ => None,
        })
}

/// Why a scenario gives the generator nothing to run: a beam has no collider; a collider's
/// curves read another spectrum.
fn no_generator(scenario: &std::path::Path, curves: &[darksens::scenario::Curve]) -> Error {
    let collider = curves
        .iter()
        .any(|c| c.raw.source.kind == darksens::scenario::raw::SourceKind::ColliderBhabha);
    if collider {
        Error::Usage(format!(
            "{}: no curve uses the built-in generator; set source.spectrum = \"radiative-bhabha\" \
             (or a table {{ generator = \"radiative-bhabha\", ... }}), e.g. with --set \
             source.spectrum=radiative-bhabha",
            scenario.display()
        ))
    } else {
        Error::Usage(format!(
            "{}: has no collider (source.kind = \"collider-bhabha\"): the generator makes \
             radiative Bhabha events at an e+ e- collider, not at a beam; start from a \
             collider scenario such as configs/belle2_rbs.toml",
            scenario.display()
        ))
    }
}

/// Writes the events and/or the spectrum.
pub fn run(opts: &Opts) -> Result<(), Error> {
    // What to write, with the one missing option named (clap's own rules named both options
    // when one of them was missing).
    let events = match (opts.events, &opts.output, &opts.spectrum) {
        (Some(n), Some(path), _) => {
            check_event_request(n, path)?;
            Some((n, path))
        }
        (Some(_), None, _) => {
            return Err(Error::Usage(
                "--events needs --output FILE, the event file (.lhe, or .lhe.gz compressed)".into(),
            ));
        }
        (None, Some(_), _) => {
            return Err(Error::Usage(
                "--output needs --events N, the number of events to write".into(),
            ));
        }
        (None, None, None) => {
            return Err(Error::Usage(
                "nothing to write: give --events N --output FILE for events, --spectrum FILE.csv for the spectrum, or both".into(),
            ));
        }
        (None, None, Some(_)) => None,
    };
    if let Some(path) = &opts.spectrum
        && path.extension().is_none_or(|e| e != "csv")
    {
        return Err(Error::Usage(format!(
            "--spectrum '{}': the file name must end in .csv",
            path.display()
        )));
    }
    opts.threads.start()?;
    let document = ScenarioDocument::load(&opts.scenario.scenario, &opts.scenario.overrides()?)?;
    // Outputs checked and locked before the (possibly long) generator run.
    let _locks = opts
        .spectrum
        .iter()
        .chain(events.map(|(_, p)| p))
        .map(|p| claim(p))
        .collect::<Result<Vec<Lock>, Error>>()?;
    let stop = signals::install();
    let curves = document.curves()?;
    let Some((curve, settings, generated)) = generator_curve(&curves) else {
        return Err(no_generator(&opts.scenario.scenario, &curves));
    };
    let mut out = String::new();
    outln!(
        out,
        "radiative Bhabha generator for curve \"{}\": sigma = {:.4} +- {:.4} pb ({} points, seed {})",
        curve.label,
        generated.sigma_pb,
        generated.sigma_error_pb,
        settings.points,
        settings.seed
    );
    if let Some(path) = &opts.spectrum {
        let comments = [
            format!(
                "written by darksens generate from {}",
                document.path().display()
            ),
            format!("settings: {}", settings.key()),
            format!(
                "sigma = {:?} +- {:?} pb",
                generated.sigma_pb, generated.sigma_error_pb
            ),
        ];
        let text = generated.spectrum.to_csv(&comments);
        write_all_atomically(&[(path.as_path(), text.as_bytes())], &|| interrupted(stop))?;
        outln!(out, "wrote {} ({} bins)", path.display(), settings.bins);
    }
    if let Some((n, path)) = events {
        let unweighted = write_event_file(settings, generated, (n, path), stop)?;
        #[expect(
            clippy::cast_precision_loss,
            reason = "point counts are far below 2^52"
        )]
        let efficiency = unweighted.events.len() as f64 / unweighted.points.max(1) as f64;
        outln!(
            out,
            "{} unweighted events from {} points (efficiency {:.3e}); {} above the envelope of their cell (kept with weight one)",
            unweighted.events.len(),
            unweighted.points,
            efficiency,
            unweighted.overweight
        );
        outln!(out, "wrote {}", path.display());
    }
    if !opts.quiet {
        super::helpers::emit(&out)?;
    }
    Ok(())
}

/// Checks the number of events and the event file's name.
fn check_event_request(n: usize, path: &Path) -> Result<(), Error> {
    if !(1..=MAX_EVENTS).contains(&n) {
        return Err(Error::Usage(format!(
            "--events must be from 1 to {MAX_EVENTS}, got {n}"
        )));
    }
    let name = path.to_string_lossy();
    if !(name.ends_with(".lhe.gz") || name.ends_with(".lhe")) {
        return Err(Error::Usage(format!(
            "--output '{name}': the file name must end in .lhe or .lhe.gz"
        )));
    }
    Ok(())
}

/// Writes `n` unweighted events to `path` (gzip for `.lhe.gz`).
fn write_event_file(
    settings: &Settings,
    generated: &Generated,
    (n, path): (usize, &Path),
    stop: Option<&AtomicUsize>,
) -> Result<Unweighted, Error> {
    let mut file = StagedFile::create(path)?;
    // A signal while generating stops the unweighting between batches; the error is then the
    // interruption, not a write failure.
    let cancelled = || stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed) != 0);
    let fail = |e: std::io::Error| {
        interrupted(stop).err().unwrap_or_else(|| Error::Output {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    };
    let encoding = if path.to_string_lossy().ends_with(".gz") {
        Encoding::Gzip
    } else {
        Encoding::Plain
    };
    let unweighted = {
        let mut writer = std::io::BufWriter::new(file.writer());
        let unweighted =
            write_lhe(settings, generated, n, &mut writer, encoding, &cancelled).map_err(fail)?;
        writer.flush().map_err(fail)?;
        unweighted
    };
    // A signal while generating: the staged file is dropped (removed), nothing is written.
    interrupted(stop)?;
    file.commit()?;
    Ok(unweighted)
}

/// Checks that `path` can be written (before anything is computed), takes the lock of its
/// outputs and clears what an earlier killed run left.
fn claim(path: &Path) -> Result<Lock, Error> {
    check_writable(path)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let lock = Lock::outputs(&directory_of(path), &name)?;
    remove_stale_temporaries(path);
    Ok(lock)
}

/// The directory `path` is written into.
fn directory_of(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
