//! Resolution: the inputs a validated scenario names in files are read (spectrum tables, Les
//! Houches event files, library and user limit curves) or computed (the radiative Bhabha
//! generator, through its cache), once per document.
//!
//! A [`Resolver`] belongs to one scenario document and remembers what it read, so every curve
//! and every point of a scan over any key resolves against the same data: an event file is read
//! once however many points a scan has ([`Resolver::files_read`] counts the reads).

use super::checks::invalid;
use super::raw::OverlayStyle;
use super::validate::{
    BremRequest, CurveRef, Overlay, OverlayRequest, Scenario, SourceConfig, SourceRequest,
    SpectrumConfig, SpectrumRequest, Validated,
};
use crate::error::{InputError, ScenarioError};
use crate::output::cache::generate_cached;
use crate::published::PublishedLimit;
use crate::published::library::{LibraryCurve, find_curve, library_dirs};
use crate::showers::track_length::Incident;
use crate::signal::thick_target::BremMethod;
use crate::sources::TabulatedSpectrum;
use crate::sources::lhe::{LheSelection, read_spectrum};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A published curve as read: from the library (with its provenance) or from a file.
#[derive(Debug, Clone)]
enum ReadCurve {
    Library(Box<LibraryCurve>),
    File(PublishedLimit),
}

/// What one document has read, by request.
#[derive(Debug, Default)]
struct Memo {
    tables: HashMap<(String, bool), Arc<TabulatedSpectrum>>,
    events: HashMap<(String, [u64; 5]), Arc<TabulatedSpectrum>>,
    curves: HashMap<CurveRef, Arc<ReadCurve>>,
}

/// Reads the inputs of a document's scenarios, each once; relative paths are taken from the
/// scenario file's directory. It records the content digest (SHA-256) of every file it reads,
/// which the run's identity carries: a checkpoint or shard is never reused after an input
/// changed.
#[derive(Debug)]
pub struct Resolver {
    base_dir: PathBuf,
    memo: Mutex<Memo>,
    reads: AtomicUsize,
    digests: Mutex<BTreeMap<String, String>>,
}

impl Resolver {
    /// A resolver for the scenario file in `base_dir`.
    #[must_use]
    pub fn new(base_dir: &Path) -> Self {
        Self {
            base_dir: base_dir.to_path_buf(),
            memo: Mutex::new(Memo::default()),
            reads: AtomicUsize::new(0),
            digests: Mutex::new(BTreeMap::new()),
        }
    }

    /// The SHA-256 of every input file read so far, by the name the scenario gives it
    /// (`library:<name>` for a library curve's CSV and `.toml`).
    #[must_use]
    pub fn digests(&self) -> BTreeMap<String, String> {
        self.digests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Records the digest of `path` under `name` (an unreadable file gets none: reading it
    /// fails with its own message).
    fn record(&self, name: String, path: &Path) {
        if let Ok(digest) = crate::digest::sha256_file(path) {
            self.digests
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(name, digest);
        }
    }

    /// How many input files (tables, event files, curves) this resolver has read.
    #[must_use]
    pub fn files_read(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        // A panic while holding the lock leaves the memo valid (entries are inserted whole).
        self.memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads `file` and, once it has been read successfully, records its digest (a file that
    /// fails to read, such as an endless stream, is never hashed).
    fn read<T, E>(&self, read: impl FnOnce(&Path) -> Result<T, E>, file: &str) -> Result<T, E> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let path = self.base_dir.join(file);
        let value = read(&path)?;
        self.record(file.to_string(), &path);
        Ok(value)
    }

    /// A spectrum table `energy_gev,dsigma_de_pb_per_gev`.
    fn table(&self, file: &str, electrons: bool) -> Result<Arc<TabulatedSpectrum>, InputError> {
        let key = (file.to_string(), electrons);
        if let Some(found) = self.memo().tables.get(&key) {
            return Ok(Arc::clone(found));
        }
        let table = Arc::new(self.read(|p| TabulatedSpectrum::read_csv(p, electrons), file)?);
        self.memo().tables.insert(key, Arc::clone(&table));
        Ok(table)
    }

    /// The histogram of an event file for one selection.
    fn events(
        &self,
        file: &str,
        selection: &LheSelection,
    ) -> Result<Arc<TabulatedSpectrum>, InputError> {
        let bits = [
            u64::from_ne_bytes(selection.pdg.to_ne_bytes()),
            selection.theta_min_rad.to_bits(),
            selection.theta_max_rad.to_bits(),
            selection.min_energy_gev.to_bits(),
            selection.bins as u64,
        ];
        let key = (file.to_string(), bits);
        if let Some(found) = self.memo().events.get(&key) {
            return Ok(Arc::clone(found));
        }
        let read = self.read(|p| read_spectrum(p, selection), file)?;
        let spectrum = Arc::new(
            read.spectrum
                .with_statistical_error(read.sigma_selected_relative_error),
        );
        self.memo().events.insert(key, Arc::clone(&spectrum));
        Ok(spectrum)
    }

    /// A published curve from the library or a file.
    fn curve(&self, curve: &CurveRef) -> Result<Arc<ReadCurve>, InputError> {
        if let Some(found) = self.memo().curves.get(curve) {
            return Ok(Arc::clone(found));
        }
        let read = match curve {
            CurveRef::Library(name) => {
                self.reads.fetch_add(1, Ordering::Relaxed);
                let dirs = library_dirs(Some(&self.base_dir));
                let curve = find_curve(&dirs, name)?;
                // The digests of the files read: the first directory that has the curve, else
                // the built-in copy.
                let csv = crate::published::library::copy_on_disk(&dirs, name);
                for extension in ["csv", "toml"] {
                    let key = format!("library:{name}.{extension}");
                    if let Some(csv) = &csv {
                        self.record(key, &csv.with_extension(extension));
                    } else if let Some(text) =
                        crate::assets::file(&format!("limits/{name}.{extension}"))
                    {
                        self.digests
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(key, crate::digest::sha256_hex(text.as_bytes()));
                    }
                }
                ReadCurve::Library(Box::new(curve))
            }
            CurveRef::File(file) => ReadCurve::File(self.read(PublishedLimit::read, file)?),
        };
        let read = Arc::new(read);
        self.memo().curves.insert(curve.clone(), Arc::clone(&read));
        Ok(read)
    }

    /// A curve as `eps(m)`.
    pub(crate) fn limit(&self, curve: &CurveRef) -> Result<PublishedLimit, InputError> {
        Ok(match self.curve(curve)?.as_ref() {
            ReadCurve::Library(c) => c.epsilon_limit(),
            ReadCurve::File(limit) => limit.clone(),
        })
    }
}

/// The scenario a validated one describes, with its inputs read.
///
/// # Errors
/// An input that cannot be read or computed, naming the key that asked for it.
pub(crate) fn resolve(
    validated: Validated,
    resolver: &Resolver,
) -> Result<Scenario, ScenarioError> {
    let Validated {
        title,
        source,
        target,
        model,
        background,
        limit,
        scan,
        numerics,
        output,
        bremsstrahlung,
        overlays,
    } = validated;
    Ok(Scenario {
        title,
        source: resolve_source(source, resolver)?,
        target,
        model,
        background,
        limit,
        scan,
        numerics,
        output,
        bremsstrahlung: resolve_bremsstrahlung(bremsstrahlung, resolver)?,
        overlays: overlays
            .iter()
            .map(|o| resolve_overlay(o, resolver))
            .collect::<Result<_, _>>()?,
    })
}

fn resolve_source(
    source: SourceRequest,
    resolver: &Resolver,
) -> Result<SourceConfig, ScenarioError> {
    let (spectrum, luminosity_ab, particle) = match source {
        SourceRequest::Beam(beam) => return Ok(SourceConfig::Beam(beam)),
        SourceRequest::Collider {
            spectrum,
            luminosity_ab,
            particle,
        } => (spectrum, luminosity_ab, particle),
    };
    let electrons = particle == Incident::Electron;
    let spectrum = match spectrum {
        SpectrumRequest::Bhabha {
            collider,
            theta_min_deg,
            theta_max_deg,
            real_beams,
        } => SpectrumConfig::Bhabha {
            collider,
            theta_min_deg,
            theta_max_deg,
            real_beams,
        },
        SpectrumRequest::Table(file) => {
            let table = resolver.table(&file, electrons).map_err(|e| {
                invalid(
                    "source.spectrum.table",
                    e.to_string(),
                    "paths are relative to the scenario file's directory; columns energy_gev,dsigma_de_pb_per_gev",
                )
            })?;
            SpectrumConfig::Tabulated(table.as_ref().clone())
        }
        SpectrumRequest::Lhe { file, selection } => {
            let spectrum = resolver.events(&file, &selection).map_err(|e| {
                invalid(
                    "source.spectrum.lhe",
                    e.to_string(),
                    "paths are relative to the scenario file's directory; .lhe or .lhe.gz as MadGraph writes them",
                )
            })?;
            SpectrumConfig::Tabulated(spectrum.as_ref().clone())
        }
        SpectrumRequest::Generator(settings) => {
            let generated = generate_cached(&settings).map_err(|e| {
                invalid(
                    "source.spectrum",
                    e.to_string(),
                    "loosen the cuts or raise the number of points",
                )
            })?;
            SpectrumConfig::Generated {
                settings,
                generated,
            }
        }
    };
    Ok(SourceConfig::Collider {
        spectrum,
        luminosity_ab,
        particle,
    })
}

fn resolve_bremsstrahlung(
    request: BremRequest,
    resolver: &Resolver,
) -> Result<BremMethod, ScenarioError> {
    Ok(match request {
        BremRequest::Computed => BremMethod::Computed,
        BremRequest::Omitted => BremMethod::Omitted,
        BremRequest::RescaledLimit { curve, n_signal } => {
            let curve = resolver.limit(&curve).map_err(|e| match &curve {
                CurveRef::Library(_) => invalid(
                    "bremsstrahlung.limit_curve",
                    e.to_string(),
                    "darksens list shows the library curves",
                ),
                CurveRef::File(_) => invalid(
                    "bremsstrahlung.limit_file",
                    e.to_string(),
                    "paths are relative to the scenario file's directory",
                ),
            })?;
            BremMethod::RescaledLimit { curve, n_signal }
        }
    })
}

fn resolve_overlay(
    request: &OverlayRequest,
    resolver: &Resolver,
) -> Result<Overlay, ScenarioError> {
    let key = |field: &str| format!("overlay[{}].{field}", request.index + 1);
    // A HEPData table, with its variable chosen or the first: whether that variable is an
    // expected limit decides how it is drawn.
    let table_file = match &request.curve {
        CurveRef::File(file)
            if request.dependent.is_some()
                || crate::published::hepdata::is_table_file(std::path::Path::new(file)) =>
        {
            Some(file)
        }
        _ => None,
    };
    if let Some(file) = table_file {
        let dependent = request.dependent.as_deref();
        let table = resolver
            .read(
                |path| crate::published::hepdata::read_table(path, dependent),
                file,
            )
            .map_err(|e| match dependent {
                Some(_) => invalid(
                    &key("dependent"),
                    e.to_string(),
                    "dependent is the variable's position in the table (1 for the first) or its name",
                ),
                None => invalid(
                    &key("file"),
                    e.to_string(),
                    "paths are relative to the scenario file's directory; a table with several variables takes overlay.dependent",
                ),
            })?;
        let label = request.label.clone();
        let label_is_name = label.is_none();
        // Named by the variable when one was chosen, else by the file (as other files are).
        let label = label.unwrap_or_else(|| match dependent {
            Some(_) => table.dependent.clone(),
            None => file.clone(),
        });
        let expected = table.is_expected();
        let alpha_d = table.alpha_d();
        return Ok(finish_overlay(
            request,
            (label, label_is_name),
            (table.limit, alpha_d),
            (None, None, expected),
        ));
    }
    let read = resolver
        .curve(&request.curve)
        .map_err(|e| match &request.curve {
            CurveRef::Library(_) => invalid(
                &key("curve"),
                e.to_string(),
                "darksens list shows the library curves",
            ),
            CurveRef::File(_) => invalid(
                &key("file"),
                e.to_string(),
                "paths are relative to the scenario file's directory",
            ),
        })?;
    let (limit, default_label) = match (read.as_ref(), &request.curve) {
        (ReadCurve::Library(curve), _) => (curve.epsilon_limit(), curve.meta.default_label()),
        (ReadCurve::File(limit), CurveRef::File(file)) => (limit.clone(), file.clone()),
        (ReadCurve::File(limit), CurveRef::Library(name)) => (limit.clone(), name.clone()),
    };
    let label_is_name = request.label.is_none() && !matches!(read.as_ref(), ReadCurve::Library(_));
    let (model, decay, expected) = match read.as_ref() {
        ReadCurve::Library(curve) => (
            curve.meta.model,
            curve.meta.decay,
            curve.meta.expected == Some(true),
        ),
        ReadCurve::File(_) => (None, None, false),
    };
    let label = request.label.clone().unwrap_or(default_label);
    let alpha_d = match read.as_ref() {
        ReadCurve::Library(curve) => curve.meta.alpha_d,
        ReadCurve::File(_) => None,
    };
    Ok(finish_overlay(
        request,
        (label, label_is_name),
        (limit, alpha_d),
        (model, decay, expected),
    ))
}

/// The overlay of a curve read for `request`, rescaled when it asks; drawn as the request
/// says, else as a line for an expected limit and a region for an observed one.
fn finish_overlay(
    request: &OverlayRequest,
    (label, label_is_name): (String, bool),
    (limit, alpha_d): (PublishedLimit, Option<f64>),
    (model, decay, expected): (
        Option<crate::published::library::ConstrainedModel>,
        Option<crate::published::library::ConstrainedDecay>,
        bool,
    ),
) -> Overlay {
    let limit = match request.rescale {
        None => limit,
        Some((from, to)) => {
            // eps ~ L^(-1/4): the signal grows as eps^2 L and the background-limited
            // sensitivity as sqrt(L).
            let factor = (to / from).powf(-0.25);
            limit.map(
                &format!("{} rescaled from {from} to {to} ab^-1", limit.source),
                |m, e| (m, e * factor),
            )
        }
    };
    Overlay {
        label,
        label_is_name,
        style: request.style.unwrap_or(if expected {
            OverlayStyle::Line
        } else {
            OverlayStyle::Excluded
        }),
        limit,
        model,
        decay,
        alpha_d,
        for_orientation: request.for_orientation,
    }
}
