//! Scenario files: reading, `--set` overrides, curves, and validation into typed settings.
//!
//! A scenario is read in three steps. The file is parsed as TOML (syntax errors carry line and
//! column); command-line `--set key=value` overrides are applied to it, giving the *base*
//! scenario; each `[[curve]]` is the base with its own `set` table applied. Every resolved curve
//! is then deserialised into [`raw::RawScenario`] (unknown keys and wrong types are errors) and
//! validated into a [`Scenario`] (unphysical values are errors). Every error names the file, the
//! line when the key is in the file, the key, and what to do.

pub(crate) mod checks;
pub mod emulsion;
pub mod params;
pub mod raw;
mod record;
pub use record::recorded_emulsion_table;
pub mod resolve;
mod shadowing;
mod validate;

use crate::error::{Origin, OverrideError, ScenarioError, SetError, plain_types};
use params::ScanKey;
use raw::RawScenario;
use resolve::Resolver;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use raw::OverlayStyle;
pub use validate::{
    BackgroundConfig, BremRequest, CurveRef, MASS_KEY, ModelConfig, OutputConfig, Overlay,
    OverlayRequest, Scan, Scenario, SourceConfig, SourceRequest, SpectrumConfig, SpectrumRequest,
    TargetConfig, Validated, background_is_zero,
};

/// What a scenario file describes, resolved: the kind of search decides the pipeline.
#[derive(Debug, Clone)]
pub enum Search {
    /// A thick-target search (Belle II's calorimeter, NA64): one or more curves over a scan.
    ThickTarget(Vec<Curve>),
    /// An emulsion detector near a collider \[EMU\].
    Emulsion(Box<emulsion::EmulsionScenario>),
}

/// A `--set key=value` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted key path, e.g. `model.alpha_d`.
    pub key: String,
    /// The value, parsed as a TOML value (a bare word is a string).
    pub value: toml::Value,
    /// The text as given, for messages.
    pub text: String,
}

impl Override {
    /// Parses `key=value`.
    ///
    /// # Errors
    /// If there is no `=` or the key is empty.
    pub fn parse(text: &str) -> Result<Self, OverrideError> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| OverrideError::NoValue(text.to_string()))?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(OverrideError::BadKey(text.to_string()));
        }
        let value = value.trim();
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_string()));
        Ok(Self {
            key: key.to_string(),
            value: parsed,
            text: text.to_string(),
        })
    }
}

/// The key a one-parameter scan of `table` varies (`scan.parameter`), if it names one.
fn scan_parameter(table: &toml::Table) -> Option<&str> {
    table.get("scan")?.get("parameter")?.as_str()
}

/// Whether a dotted key belongs to the whole run rather than to one curve: the title, the
/// output files and the overlays, which every curve shares.
fn belongs_to_the_run(key: &str) -> bool {
    ["title", "output", "overlay"]
        .iter()
        .any(|run| key == *run || key.strip_prefix(run).is_some_and(|r| r.starts_with('.')))
}

/// A `--set` of a key the scan varies (a thick-target scan's `scan.parameter`, an emulsion grid's
/// `scan.x`/`scan.y`) would be overwritten at every point: an
/// error that says so, rather than a value silently ignored.
fn refuse_setting_the_scanned_key(
    path: &Path,
    base: &toml::Table,
    overrides: &[Override],
    axes: &[(&str, &str)],
) -> Result<(), ScenarioError> {
    let scan = base.get("scan");
    // (the key, the scan table that varies it)
    let scanned: Vec<(&str, &str)> = axes
        .iter()
        .copied()
        .filter_map(|(axis, table)| {
            let axis_table = if axis.is_empty() {
                scan
            } else {
                scan?.get(axis)
            };
            Some((axis_table?.get("parameter")?.as_str()?, table))
        })
        .collect();
    let Some((o, (key, table))) = overrides.iter().find_map(|o| {
        scanned
            .iter()
            .find(|(key, _)| *key == o.key)
            .map(|found| (o, *found))
    }) else {
        return Ok(());
    };
    Err(ScenarioError::new(
        path,
        format!(
            "{} is a key this scan varies ({table}.parameter): every scan point sets it, so \
             the value given would be ignored",
            o.key
        ),
    )
    .with_origin(Origin::CommandLine(o.text.clone()))
    .with_hint(scanned_key_hint(key, table)))
}

/// How to do what setting the scanned `key` (of the scan table `table`) was meant to.
fn scanned_key_hint(key: &str, table: &str) -> String {
    if key == MASS_KEY {
        "for one mass use `darksens explain SCENARIO --mass-mev M`; to change the masses set \
         scan.log_range or scan.range (e.g. --set 'scan.log_range=[10.0,100.0]')"
            .to_string()
    } else {
        format!(
            "to change the values scanned set {table}.range or {table}.log_range; to fix this \
             key, scan another one ({table}.parameter)"
        )
    }
}

/// A scenario file with its command-line overrides, ready to resolve curves.
#[derive(Debug, Clone)]
pub struct ScenarioDocument {
    path: PathBuf,
    text: String,
    base: toml::Table,
    overrides: Vec<Override>,
    /// An emulsion scenario (`source.kind = "ee-collider"`, [`emulsion`]) rather than a
    /// thick-target one.
    emulsion: bool,
    /// Reads the inputs in files once for every curve and scan point.
    resolver: Arc<Resolver>,
}

impl ScenarioDocument {
    /// Reads and parses a scenario file and applies the command-line overrides.
    ///
    /// # Errors
    /// If the file cannot be read, is not valid TOML, or an override does not fit the schema.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Self, ScenarioError> {
        if path.is_dir() {
            return Err(
                ScenarioError::new(path, "is a directory, not a scenario file")
                    .with_hint("give the path of a .toml scenario, e.g. configs/belle2_dp.toml"),
            );
        }
        let text = crate::files::read_text(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                ScenarioError::new(path, "is not a text file (it is not valid UTF-8)")
                    .with_hint("a scenario is a TOML text file; start from one in configs/")
            } else if e.kind() == std::io::ErrorKind::NotFound
                && path.starts_with("configs")
                && !Path::new("configs").is_dir()
            {
                ScenarioError::new(path, format!("cannot read the scenario file: {e}")).with_hint(
                    "there is no configs/ here: `darksens init` writes the shipped scenarios into ./configs",
                )
            } else {
                ScenarioError::new(path, format!("cannot read the scenario file: {e}"))
                    .with_hint("check the path; shipped scenarios are in configs/")
            }
        })?;
        if text.trim().is_empty() {
            return Err(ScenarioError::new(path, "the scenario file is empty")
                .with_hint("start from a scenario in configs/, e.g. configs/belle2_dp.toml"));
        }
        Self::from_text(path, text, overrides)
    }

    /// As [`ScenarioDocument::load`], from text already read (`path` names it in messages).
    ///
    /// # Errors
    /// As [`ScenarioDocument::load`].
    pub fn from_text(
        path: &Path,
        text: String,
        overrides: &[Override],
    ) -> Result<Self, ScenarioError> {
        let mut base: toml::Table =
            toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        let is_emulsion = base
            .get("source")
            .and_then(|s| s.get("kind"))
            .and_then(toml::Value::as_str)
            == Some(emulsion::SOURCE_KIND);
        // Schema errors of the file itself, with the line they are on.
        if is_emulsion {
            schema_check::<emulsion::RawEmulsionScenario>(path, &text)?;
        } else {
            schema_check::<RawScenario>(path, &text)?;
        }
        for o in overrides {
            set_path(&mut base, &o.key, o.value.clone()).map_err(|m| {
                ScenarioError::new(path, m.to_string())
                    .with_origin(Origin::CommandLine(o.text.clone()))
            })?;
        }
        if !is_emulsion {
            refuse_setting_the_scanned_key(path, &base, overrides, &[("", "scan")])?;
        }
        let document = Self {
            path: path.to_path_buf(),
            text,
            base,
            overrides: overrides.to_vec(),
            emulsion: is_emulsion,
            resolver: Arc::new(Resolver::new(path.parent().unwrap_or(Path::new(".")))),
        };
        if is_emulsion {
            document.emulsion()?;
        } else {
            document.deserialize(&document.base, &Origin::CommandLine(String::new()), &[])?;
        }
        Ok(document)
    }

    /// Warnings about values that do not do what they seem to (lines starting `warning: `):
    /// a `--set` a curve's own `set` replaces, one that changes a value a curve's label names,
    /// one of a key no curve's limit method reads, and the file's own value of the key a scan
    /// varies (every point replaces it).
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        let Ok(mut file) = toml::from_str::<toml::Table>(&self.text) else {
            return Vec::new();
        };
        // `--set curve=[...]` replaces the file's curves: the warnings are about the new ones.
        if self.overrides.iter().any(|o| o.key == "curve") {
            match self.base.get("curve") {
                Some(curves) => file.insert("curve".into(), curves.clone()),
                None => file.remove("curve"),
            };
        }
        let mut warnings = shadowing::repeated_override_warnings(&self.overrides);
        warnings.extend(shadowing::override_warnings(&file, &self.overrides));
        warnings.extend(shadowing::unread_override_warnings(&file, &self.overrides));
        warnings.extend(shadowing::unread_scan_warnings(&file, &self.overrides));
        warnings.extend(self.scanned_value_warning(&file));
        warnings.extend(self.dense_range_warning());
        warnings.extend(self.unused_material_warnings());
        warnings.extend(self.library_copy_warnings());
        warnings
    }

    /// The library curves the scenario names (overlays, `bremsstrahlung.limit_curve` of the
    /// file and of its curves' `set`) whose copy on disk, found first (`$DARKSENS_LIMITS`,
    /// `limits/` beside `configs/`, `./limits`), differs from the built-in curve of that name:
    /// the run reads the copy, so its numbers are not those of the curve darksens ships.
    fn library_copy_warnings(&self) -> Vec<String> {
        let curve_of = |table: &toml::Value, key: &str| {
            table
                .get(key)
                .and_then(toml::Value::as_str)
                .map(str::to_string)
        };
        let mut names: Vec<String> = Vec::new();
        let overlays = self.base.get("overlay").and_then(toml::Value::as_array);
        names.extend(
            overlays
                .into_iter()
                .flatten()
                .filter_map(|o| curve_of(o, "curve")),
        );
        names.extend(
            self.base
                .get("bremsstrahlung")
                .and_then(|b| curve_of(b, "limit_curve")),
        );
        let curves = self.base.get("curve").and_then(toml::Value::as_array);
        names.extend(
            curves
                .into_iter()
                .flatten()
                .filter_map(|c| curve_of(c.get("set")?, "bremsstrahlung.limit_curve")),
        );
        names.sort();
        names.dedup();
        let dirs = crate::published::library::library_dirs(self.path.parent());
        names
            .iter()
            .filter_map(|name| {
                let shipped = crate::assets::file(&format!("limits/{name}.csv"))?;
                let copy = crate::published::library::copy_on_disk(&dirs, name)?;
                let differs = std::fs::read_to_string(&copy).is_ok_and(|text| text != shipped);
                differs.then(|| {
                    format!(
                        "warning: library curve {name}: read from {}, which differs from the built-in curve of that name; the run uses the file (its SHA-256 is in the sidecar). Rename the file to use both",
                        copy.display()
                    )
                })
            })
            .collect()
    }

    /// The `[[material]]`s no curve uses (neither as `target.material` nor in a
    /// `[[target.layer]]`, in the file, a `--set` or a curve's `set`): most often a name that
    /// differs from the one the target gives, so the target is a built-in material and the
    /// definition (its density, composition) silently unused.
    fn unused_material_warnings(&self) -> Vec<String> {
        let Some(materials) = self.base.get("material").and_then(toml::Value::as_array) else {
            return Vec::new();
        };
        let mut used: Vec<String> = Vec::new();
        let mut use_target = |target: Option<&toml::Value>, layers: Option<&toml::Value>| {
            used.extend(
                target
                    .and_then(|t| t.get("material"))
                    .and_then(toml::Value::as_str)
                    .map(str::to_string),
            );
            for layer in layers.and_then(toml::Value::as_array).into_iter().flatten() {
                used.extend(
                    layer
                        .get("material")
                        .and_then(toml::Value::as_str)
                        .map(str::to_string),
                );
            }
        };
        let target = self.base.get("target");
        use_target(target, target.and_then(|t| t.get("layer")));
        for curve in self
            .base
            .get("curve")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(set) = curve.get("set").and_then(toml::Value::as_table) else {
                continue;
            };
            // A curve's set writes `"target.material" = ...` or `target = { material = ... }`.
            let dotted: toml::Table = set
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("target.")?.to_string(), v.clone())))
                .collect();
            let dotted = toml::Value::Table(dotted);
            use_target(Some(&dotted), dotted.get("layer"));
            use_target(
                set.get("target"),
                set.get("target").and_then(|t| t.get("layer")),
            );
        }
        materials
            .iter()
            .enumerate()
            .filter_map(|(k, m)| {
                let name = m.get("name")?.as_str()?;
                (!used.iter().any(|u| u == name)).then(|| {
                    let index = format!("material[{}]", k + 1);
                    let place = match self.line_of(&[index.as_str()]) {
                        Some(line) => format!("{}:{line}", self.path.display()),
                        None => self.path.display().to_string(),
                    };
                    format!(
                        "warning: {place}: [[material]] \"{name}\" is not used: no curve's target.material or [[target.layer]] names it; check the name the target gives (a built-in material of another name is used instead), or remove it"
                    )
                })
            })
            .collect()
    }

    /// The file's value of the key a (one-parameter) scan varies, which no point uses, whether
    /// the file or a `--set scan.parameter` makes it the scan's. Only an optional key can be
    /// written without use (`model.mass_mev`: a required one such as a beam energy must be
    /// there even when scanned).
    fn scanned_value_warning(&self, file: &toml::Table) -> Option<String> {
        let scanned = scan_parameter(&self.base)?;
        if scanned != MASS_KEY {
            return None;
        }
        let value = file.get("model")?.get("mass_mev")?;
        let path: Vec<&str> = scanned.split('.').collect();
        let place = match self.line_of(&path) {
            Some(line) => format!("{}:{line}", self.path.display()),
            None => self.path.display().to_string(),
        };
        Some(format!(
            "warning: {place}: {scanned} = {value} is not used: the scan varies {scanned} (scan.parameter) and sets it at every point; remove it, or use `darksens explain --mass-mev` for one mass"
        ))
    }

    /// A `scan.dense_range` reaching outside the main range (`log_range` or `range`): its
    /// points are extra points, so the scan silently grows to cover them (most often a range
    /// in the wrong unit, or meant for another scenario's masses).
    fn dense_range_warning(&self) -> Option<String> {
        if self.emulsion {
            return None;
        }
        let scan = self.base.get("scan")?;
        let pair = |key: &str| -> Option<(f64, f64)> {
            let range = scan.get(key)?.as_array()?;
            let number =
                |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
            Some((number(range.first()?)?, number(range.get(1)?)?))
        };
        let (main_key, (lo, hi)) = ["log_range", "range"]
            .into_iter()
            .find_map(|key| Some((key, pair(key)?)))?;
        let (dense_lo, dense_hi) = pair("dense_range")?;
        if dense_lo >= lo && dense_hi <= hi {
            return None;
        }
        // Where the range was given: a --set (the last one), else the file's line.
        let given = self
            .overrides
            .iter()
            .rev()
            .find(|o| ["scan", "scan.dense_range"].contains(&o.key.as_str()));
        let place = match (given, self.line_of(&["scan", "dense_range"])) {
            (Some(o), _) => format!("{} (from --set {})", self.path.display(), o.text),
            (None, Some(line)) => format!("{}:{line}", self.path.display()),
            (None, None) => self.path.display().to_string(),
        };
        Some(format!(
            "warning: {place}: scan.dense_range [{dense_lo}, {dense_hi}] reaches outside scan.{main_key} [{lo}, {hi}]: its points are added to the scan, which then runs from {} to {}; give a dense range inside the main one",
            lo.min(dense_lo),
            hi.max(dense_hi)
        ))
    }

    /// For a scan of an emulsion grid: refuses a `--set` of a key the grid varies
    /// (`scan.x.parameter`, `scan.y.parameter`), which every grid point would overwrite.
    /// (`explain` sets those keys to choose its point, so only a scan asks this.)
    ///
    /// # Errors
    /// If an override sets a key the grid varies.
    pub fn refuse_setting_the_grid_keys(&self) -> Result<(), ScenarioError> {
        if !self.emulsion {
            return Ok(());
        }
        refuse_setting_the_scanned_key(
            &self.path,
            &self.base,
            &self.overrides,
            &[("x", "scan.x"), ("y", "scan.y")],
        )
    }

    /// The scenario file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The scenario name: the file stem (`belle2_dp` for `configs/belle2_dp.toml`).
    #[must_use]
    pub fn name(&self) -> String {
        self.path.file_stem().map_or_else(
            || "scenario".to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    }

    /// The command-line overrides.
    #[must_use]
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// The scenario table with the command-line overrides applied (as recorded in sidecars).
    #[must_use]
    pub fn resolved_table(&self) -> &toml::Table {
        &self.base
    }

    /// Whether this is an emulsion scenario (`source.kind = "ee-collider"`).
    #[must_use]
    pub fn is_emulsion(&self) -> bool {
        self.emulsion
    }

    /// What reads this document's inputs (and counts the files it read).
    #[must_use]
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// The search the file describes, validated and with its inputs read.
    ///
    /// # Errors
    /// As [`Self::curves`] and [`Self::emulsion`].
    pub fn search(&self) -> Result<Search, ScenarioError> {
        if self.emulsion {
            self.emulsion().map(|e| Search::Emulsion(Box::new(e)))
        } else {
            self.curves().map(Search::ThickTarget)
        }
    }

    /// The validated emulsion scenario.
    ///
    /// # Errors
    /// If this is not an emulsion scenario, or it does not deserialise or validate (the error
    /// names the key, its line and where the value came from).
    pub fn emulsion(&self) -> Result<emulsion::EmulsionScenario, ScenarioError> {
        self.name_the_overrides(self.emulsion_as_given(), Self::emulsion_as_given)
    }

    /// As [`Self::emulsion`], an error blamed on the file when no `--set` names its key.
    fn emulsion_as_given(&self) -> Result<emulsion::EmulsionScenario, ScenarioError> {
        let raw: emulsion::RawEmulsionScenario = deserialize_as(&self.base).map_err(|e| {
            self.schema_error::<emulsion::RawEmulsionScenario>(&e, &Origin::File, &[])
        })?;
        emulsion::validate(&raw, &self.name())
            .and_then(|validated| emulsion::resolve(validated, &self.resolver))
            .map_err(|invalid| self.locate(invalid, &[], None, &Origin::File))
    }

    /// Resolves and validates every curve (one unnamed curve when the file has none).
    ///
    /// # Errors
    /// The first curve that does not deserialise or validate; an emulsion scenario (it has no
    /// curves: see [`Self::emulsion`]).
    pub fn curves(&self) -> Result<Vec<Curve>, ScenarioError> {
        self.name_the_overrides(self.curves_as_given(), Self::curves_as_given)
    }

    /// An error blamed on the file's value of a key no `--set` names, which the file without
    /// the overrides does not have (`--set scan.points=1` refused at the file's two-ended
    /// `scan.log_range`): it names the overrides it came with, so that the reader does not
    /// look for a mistake in the file.
    fn name_the_overrides<T>(
        &self,
        result: Result<T, ScenarioError>,
        again: impl FnOnce(&Self) -> Result<T, ScenarioError>,
    ) -> Result<T, ScenarioError> {
        let error = match result {
            Err(error) if error.origin == Origin::File && !self.overrides.is_empty() => error,
            other => return other,
        };
        let file_alone = Self::from_text(&self.path, self.text.clone(), &[])
            .and_then(|plain| again(&plain).map(|_| ()));
        match file_alone {
            Err(own) if own.key == error.key && own.message == error.message => Err(error),
            _ => {
                let texts = self.overrides.iter().map(|o| o.text.clone()).collect();
                Err(error.with_origin(Origin::WithCommandLine(texts)))
            }
        }
    }

    /// As [`Self::curves`], an error blamed on the file when no `--set` names its key.
    fn curves_as_given(&self) -> Result<Vec<Curve>, ScenarioError> {
        if self.emulsion {
            return Err(ScenarioError::new(
                &self.path,
                "is an emulsion scenario (source.kind = \"ee-collider\"): it has no mass scan of eps",
            )
            .with_hint(
                "darksens scan (its grid of two keys), explain and check read it; this command needs a thick-target scenario (a positron source and a target, e.g. configs/belle2_dp.toml)",
            ));
        }
        let raw = self.deserialize(&self.base, &Origin::CommandLine(String::new()), &[])?;
        if raw.curves.is_empty() {
            let (raw, scenario) = self.validate_curve(&self.base, &Origin::File, &[], None)?;
            let curve = Curve {
                file: self.path.clone(),
                name: self.name(),
                label: "limit".to_string(),
                index: 0,
                table: self.base.clone(),
                raw,
                resolver: Arc::clone(&self.resolver),
                scenario,
            };
            self.check_scan_ends(&curve)?;
            return Ok(vec![curve]);
        }
        self.check_labels(&raw.curves)?;
        raw.curves
            .iter()
            .enumerate()
            .map(|(index, curve)| {
                let origin = Origin::Curve(index + 1, curve.label.clone());
                let mut table = self.base.clone();
                table.remove("curve");
                let set_line = self.line_of(&["curve", &index.to_string(), "set"]);
                let set_keys: Vec<String> = curve.set.keys().cloned().collect();
                let read_before = deserialize_as::<RawScenario>(&table).is_ok();
                for (key, value) in &curve.set {
                    set_path(&mut table, key, value.clone()).map_err(|m| {
                        ScenarioError::new(&self.path, m.to_string())
                            .with_origin(origin.clone())
                            .with_line(set_line)
                    })?;
                    // A value of the wrong type is named by its key: the set may hold several
                    // on one line.
                    if read_before
                        && deserialize_as::<RawScenario>(&table).is_err()
                        && let Err(error) = self.deserialize(&table, &origin, &set_keys)
                    {
                        let error = if error.key.is_some() {
                            error
                        } else {
                            error.with_key(key)
                        };
                        return Err(error.with_line(set_line));
                    }
                }
                self.refuse_curve_set_keys(&table, curve, &origin, set_line)?;
                let (raw, scenario) = self
                    .validate_curve(&table, &origin, &set_keys, set_line)
                    .map_err(|e| self.blame_the_curve_set(e, curve, &origin))?;
                let curve = Curve {
                    file: self.path.clone(),
                    name: self.name(),
                    label: curve.label.clone(),
                    index,
                    table,
                    raw,
                    resolver: Arc::clone(&self.resolver),
                    scenario,
                };
                self.check_scan_ends(&curve)
                    .map_err(|e| e.with_origin(origin))?;
                Ok(curve)
            })
            .collect()
    }

    /// A file's value that fails only with a curve's `set` (a set `source.kind` that the file's
    /// `electrons_on_target` does not fit): the curve is named, and the fix is to move the key
    /// from the file into the curves that need it, since a curve cannot remove a key.
    fn blame_the_curve_set(
        &self,
        error: ScenarioError,
        curve: &raw::RawCurve,
        origin: &Origin,
    ) -> ScenarioError {
        if error.origin != Origin::File || curve.set.is_empty() {
            return error;
        }
        let mut base = self.base.clone();
        base.remove("curve");
        if self
            .validate_curve(&base, &Origin::File, &[], None)
            .is_err()
        {
            return error;
        }
        let key = error.key.clone().unwrap_or_else(|| "that key".into());
        let set: Vec<&str> = curve.set.keys().map(String::as_str).collect();
        // The error's own hint says how to mend the value; this says where.
        let own = error
            .hint
            .as_ref()
            .map_or_else(String::new, |hint| format!("{hint}; "));
        ScenarioError {
            origin: origin.clone(),
            hint: Some(format!(
                "{own}the file's {key} is valid on its own, but not with this curve's set ({}): change that set, or, if the file's value is meant for other curves only, move {key} from the file into their sets (a curve cannot remove a key)",
                set.join(", ")
            )),
            ..error
        }
    }

    /// Refuses a curve's `set` of a key that belongs to the whole run (title, outputs,
    /// overlays) or that the scan varies: either would change nothing.
    fn refuse_curve_set_keys(
        &self,
        table: &toml::Table,
        curve: &raw::RawCurve,
        origin: &Origin,
        set_line: Option<usize>,
    ) -> Result<(), ScenarioError> {
        if let Some(key) = curve.set.keys().find(|k| belongs_to_the_run(k)) {
            return Err(ScenarioError::new(
                &self.path,
                format!(
                    "the curve's set gives {key}, which belongs to the whole run (one title, one set of output files and overlays for every curve), so it would change nothing"
                ),
            )
            .with_key(&format!("curve.set.{key}"))
            .with_line(set_line)
            .with_origin(origin.clone())
            .with_hint(format!(
                "set {key} in the file (or with --set), not in a curve"
            )));
        }
        let scanned = scan_parameter(table).filter(|key| curve.set.contains_key(*key));
        if let Some(key) = scanned {
            return Err(ScenarioError::new(
                &self.path,
                format!(
                    "the curve's set gives {key}, a key this scan varies \
                     (scan.parameter): every scan point sets it, so the value would be \
                     ignored"
                ),
            )
            .with_key(&format!("curve.set.{key}"))
            .with_line(set_line)
            .with_origin(origin.clone())
            .with_hint(scanned_key_hint(key, "scan")));
        }
        Ok(())
    }

    /// Every curve needs its own, non-empty label: labels name the rows of the CSV, the legend
    /// entries and the curves of `merge`, so two equal labels would mix two curves.
    fn check_labels(&self, curves: &[raw::RawCurve]) -> Result<(), ScenarioError> {
        for (index, curve) in curves.iter().enumerate() {
            let line = self.line_of(&["curve", &index.to_string(), "label"]);
            let fail = |message: String| {
                ScenarioError::new(&self.path, message)
                    .with_key("curve.label")
                    .with_line(line)
            };
            if curve.label.trim().is_empty() {
                return Err(
                    fail(format!("curve {} has an empty label", index + 1)).with_hint(
                        "give each [[curve]] a label = \"...\" for the CSV and the legend",
                    ),
                );
            }
            if let Some(first) = curves[..index].iter().position(|c| c.label == curve.label) {
                return Err(fail(format!(
                    "curves {} and {} are both labelled \"{}\"",
                    first + 1,
                    index + 1,
                    curve.label
                ))
                .with_hint(
                    "labels name the rows of the CSV and the legend entries: make each one unique",
                ));
            }
        }
        Ok(())
    }

    fn deserialize(
        &self,
        table: &toml::Table,
        origin: &Origin,
        set_keys: &[String],
    ) -> Result<RawScenario, ScenarioError> {
        RawScenario::deserialize_table(table)
            .map_err(|e| self.schema_error::<RawScenario>(&e, origin, set_keys))
    }

    /// A schema error (unknown key, wrong type) in the words of docs/scenario.md, naming the
    /// `--set` that made the table fail when one did (its key and line), else `origin`; an
    /// unknown key written in a `--set` or in a curve's `set` (`set_keys`) by its whole path,
    /// with the closest key.
    fn schema_error<T: serde::de::DeserializeOwned>(
        &self,
        error: &toml::de::Error,
        origin: &Origin,
        set_keys: &[String],
    ) -> ScenarioError {
        let mut hint = "see docs/scenario.md for every key, its type and unit".to_string();
        let failing = self.failing_override::<T>();
        let written: Vec<&str> = failing
            .map(|o| o.key.as_str())
            .into_iter()
            .chain(set_keys.iter().map(String::as_str))
            .collect();
        let unknown = UnknownKey::written_in(error.message(), &written);
        if let Some(closest) = unknown.as_ref().and_then(UnknownKey::closest) {
            hint = format!("did you mean {closest}? {hint}");
        }
        let located = ScenarioError::new(&self.path, plain_types(error.message())).with_hint(hint);
        match failing {
            Some(o) => located
                .with_key(&o.key)
                .with_line(self.line_of(&o.key.split('.').collect::<Vec<_>>()))
                .with_origin(Origin::CommandLine(o.text.clone())),
            None => match unknown {
                Some(unknown) => located.with_key(&unknown.path()),
                None => located,
            }
            .with_origin(origin.clone()),
        }
    }

    /// The first `--set` after which the file no longer deserialises as `T` (overrides applied
    /// one by one to the file's own table), if the file alone does.
    fn failing_override<T: serde::de::DeserializeOwned>(&self) -> Option<&Override> {
        let mut table: toml::Table = toml::from_str(&self.text).ok()?;
        deserialize_as::<T>(&table).ok()?;
        self.overrides.iter().find(|o| {
            set_path(&mut table, &o.key, o.value.clone()).is_err()
                || deserialize_as::<T>(&table).is_err()
        })
    }

    /// A scan of a key other than the mass is checked at both ends of its range, so that an
    /// unknown or non-numeric key, or a range that leaves the valid values, is an error before
    /// any computation (and for `darksens check`).
    fn check_scan_ends(&self, curve: &Curve) -> Result<(), ScenarioError> {
        let Some(scan) = &curve.scenario.scan else {
            return Ok(());
        };
        if scan.is_mass_scan() {
            return Ok(());
        }
        let ends = [scan.values.first(), scan.values.last()];
        for value in ends.into_iter().flatten() {
            curve.with_value(&scan.parameter, *value).map_err(|e| {
                let general = "scan.parameter must name a numeric key of the scenario, and the scanned values (scan.log_range or scan.range, and scan.dense_range) must stay inside its valid values (docs/scenario.md)";
                // The key's own hint (what to change) first, when it has one.
                let hint = match e.hint.as_deref() {
                    Some(own) if !own.starts_with("see docs/scenario.md") => {
                        format!("{own}; {general}")
                    }
                    _ => general.to_string(),
                };
                self.blame_the_scan(e).with_hint(hint)
            })?;
        }
        Ok(())
    }

    /// An error of a scanned value, placed where the scan is written: the file's
    /// `scan.parameter` line, and the `--set`s that changed the scan (its parameter from the
    /// command line has no line in the file).
    fn blame_the_scan(&self, error: ScenarioError) -> ScenarioError {
        let sets: Vec<&str> = self
            .overrides
            .iter()
            .filter(|o| o.key == "scan" || o.key.starts_with("scan."))
            .map(|o| o.text.as_str())
            .collect();
        let parameter_set = self
            .overrides
            .iter()
            .any(|o| o.key == "scan" || o.key == "scan.parameter");
        let line = if parameter_set {
            None
        } else {
            self.line_of(&["scan", "parameter"])
        };
        let message = if sets.is_empty() {
            error.message
        } else {
            format!(
                "{} (the scan from --set {})",
                error.message,
                sets.join(", --set ")
            )
        };
        ScenarioError {
            line,
            message,
            ..error
        }
    }

    /// Deserialises, validates and resolves one curve's table; the error names where the value
    /// came from (a --set, the curve's `set` table, or the file) and its line.
    fn validate_curve(
        &self,
        table: &toml::Table,
        origin: &Origin,
        set_keys: &[String],
        set_line: Option<usize>,
    ) -> Result<(RawScenario, Scenario), ScenarioError> {
        let raw = self
            .deserialize(table, origin, set_keys)
            .map_err(|e| e.with_line(set_line))?;
        let scenario = validate::validate(&raw, &self.name())
            .and_then(|validated| resolve::resolve(validated, &self.resolver))
            .map_err(|invalid| self.locate(invalid, set_keys, set_line, origin))?;
        Ok((raw, scenario))
    }

    /// A validation failure as an error naming the key, its line, and where the value came
    /// from: a `--set`, the curve's `set` table (`set_keys`, written at `set_line`), or the file.
    fn locate(
        &self,
        invalid: ScenarioError,
        set_keys: &[String],
        set_line: Option<usize>,
        origin: &Origin,
    ) -> ScenarioError {
        let key = invalid.key.clone().unwrap_or_default();
        let path: Vec<&str> = key.split('.').collect();
        // The key itself, or a key inside it (`--set source.spectrum.min_energy_gev=3` makes
        // the table `source.spectrum` that validation refuses).
        let from_command_line = self.overrides.iter().rev().find(|o| {
            o.key == key
                || (!key.is_empty()
                    && o.key
                        .strip_prefix(key.as_str())
                        .is_some_and(|rest| rest.starts_with('.')))
        });
        let (line, origin) = if let Some(o) = from_command_line {
            (self.line_of(&path), Origin::CommandLine(o.text.clone()))
        } else if set_keys.contains(&key) {
            (set_line, origin.clone())
        } else {
            (self.line_of(&path), Origin::File)
        };
        // A key the scan varies but the file leaves out: the scenario is checked with a value
        // of it before the scan replaces it at every point.
        let scanned = scan_parameter(&self.base) == Some(key.as_str());
        if scanned && line.is_none() && path.len() > 1 {
            let hint = format!(
                "the scan varies {key}, but the scenario is checked with a value of it first: write any valid value in [{}] (every point replaces it){}",
                path[0],
                invalid
                    .hint
                    .as_deref()
                    .map_or_else(String::new, |h| format!("; {h}"))
            );
            return ScenarioError {
                file: self.path.clone(),
                line: self.line_of(&path[..1]),
                origin,
                hint: Some(hint),
                ..invalid
            };
        }
        ScenarioError {
            file: self.path.clone(),
            line,
            origin,
            ..invalid
        }
    }

    /// 1-based line of a key path in the file, if the key is written there.
    fn line_of(&self, path: &[&str]) -> Option<usize> {
        let document = toml::de::DeTable::parse(&self.text).ok()?;
        let mut span = document.span();
        let mut current = toml::de::DeValue::Table(document.into_inner());
        // `layer[2]` is the second table of the array `layer` (1-based, as errors name it).
        let segments = path.iter().flat_map(|segment| {
            match segment
                .strip_suffix(']')
                .and_then(|s| s.split_once('['))
                .and_then(|(name, k)| Some((name, k.parse::<usize>().ok()?.checked_sub(1)?)))
            {
                Some((name, index)) => vec![name.to_string(), index.to_string()],
                None => vec![(*segment).to_string()],
            }
        });
        for segment in segments {
            let segment = segment.as_str();
            let next = match &current {
                toml::de::DeValue::Table(t) => t
                    .iter()
                    .find(|(k, _)| k.get_ref() == segment)
                    .map(|(_, v)| v.clone()),
                toml::de::DeValue::Array(a) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| a.get(i).cloned()),
                _ => None,
            }?;
            span = next.span();
            current = next.into_inner();
        }
        Some(
            self.text[..span.start.min(self.text.len())]
                .matches('\n')
                .count()
                + 1,
        )
    }
}

/// One resolved curve.
#[derive(Debug, Clone)]
pub struct Curve {
    /// The scenario file (for messages).
    pub file: PathBuf,
    /// The scenario name (for default output paths).
    pub name: String,
    /// Label (legend and CSV).
    pub label: String,
    /// Position among the file's curves (0-based).
    pub index: usize,
    /// The resolved TOML table (recorded in the sidecar).
    pub table: toml::Table,
    /// The same as typed fields (a key scan changes one of them).
    pub raw: RawScenario,
    /// Reads the inputs in files of the document once (shared by every curve and point).
    pub resolver: Arc<Resolver>,
    /// The validated scenario with its inputs read.
    pub scenario: Scenario,
}

impl Curve {
    /// The curve's scenario with `key` set to `value` (a point of a scan over `key`): the typed
    /// field changed, validated again, and resolved against the inputs already read.
    ///
    /// # Errors
    /// If the key is not a numeric key of the schema, or the result does not validate; the
    /// message names the point.
    pub fn with_value(&self, key: &str, value: f64) -> Result<Scenario, ScenarioError> {
        let point = format!(
            "at scan point {key} = {}",
            crate::units::format_number(value)
        );
        let fail = |message: String| {
            ScenarioError::new(&self.file, format!("{message} ({point})")).with_key(key)
        };
        let Some(scan_key) = ScanKey::find(key) else {
            return Err(fail(self.not_a_scan_key(key, value)));
        };
        // A point is not scanned itself, and draws no plot: its copy leaves out the scan, the
        // curves and the overlays (validated with the curve).
        let mut raw = RawScenario {
            scan: None,
            curves: Vec::new(),
            overlays: Vec::new(),
            ..self.raw.clone()
        };
        scan_key
            .apply(&mut raw, value)
            .map_err(|e| fail(e.to_string()))?;
        validate::validate(&raw, &self.name)
            .and_then(|validated| resolve::resolve(validated, &self.resolver))
            .map_err(|invalid| {
                // The scanned key is named once; another key the value made invalid is named
                // in the message.
                let message = match &invalid.key {
                    Some(other) if other != key => format!("{other}: {}", invalid.message),
                    _ => invalid.message,
                };
                ScenarioError {
                    hint: invalid.hint,
                    ..fail(message)
                }
            })
    }

    /// Why `key` cannot be scanned, in the words of the schema: the error of writing `value`
    /// at `key` into the scenario's table (an unknown field, a wrong type, a value that does not
    /// validate).
    fn not_a_scan_key(&self, key: &str, value: f64) -> String {
        let mut table = self.table.clone();
        if let Err(error) = set_path(&mut table, key, toml::Value::Float(value)) {
            return error.to_string();
        }
        match RawScenario::deserialize_table(&table) {
            Err(e) => plain_types(e.message()),
            Ok(raw) => match validate::validate(&raw, &self.name) {
                Err(invalid) => format!("{}: {}", invalid.key.unwrap_or_default(), invalid.message),
                Ok(_) => format!("'{key}' is not a number that a scan can vary"),
            },
        }
    }
}

/// Validates a resolved scenario table (e.g. one recorded in a sidecar) as if it were the
/// scenario file `file`: relative paths resolve against its directory.
///
/// # Errors
/// If the table does not deserialise or validate.
pub fn validate_table(table: &toml::Table, file: &Path) -> Result<Scenario, ScenarioError> {
    let name = file.file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let raw = RawScenario::deserialize_table(table)
        .map_err(|e| ScenarioError::new(file, e.message().to_string()))?;
    let resolver = Resolver::new(file.parent().unwrap_or(Path::new(".")));
    validate::validate(&raw, &name)
        .and_then(|validated| resolve::resolve(validated, &resolver))
        .map_err(|invalid| ScenarioError {
            file: file.to_path_buf(),
            ..invalid
        })
}

/// Deserialises a scenario schema from an already parsed table.
fn deserialize_as<T: serde::de::DeserializeOwned>(
    table: &toml::Table,
) -> Result<T, toml::de::Error> {
    toml::Value::Table(table.clone()).try_into()
}

impl RawScenario {
    /// Deserialises from an already parsed table.
    ///
    /// # Errors
    /// Unknown keys and wrong types.
    pub fn deserialize_table(table: &toml::Table) -> Result<Self, toml::de::Error> {
        deserialize_as(table)
    }
}

/// Keys whose value is a name or an inline table (`source.spectrum = "bhabha"` or
/// `source.spectrum = { table = "..." }`): either may replace the other.
const VALUES_THAT_MAY_BE_TABLES: &[&str] = &["source.spectrum"];

/// Sets a dotted key in a table, creating intermediate tables; refuses to replace a table
/// (a section) except for [`VALUES_THAT_MAY_BE_TABLES`].
fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), SetError> {
    let mut segments: Vec<&str> = key.split('.').collect();
    // UNWRAP: split always yields at least one segment.
    let last = segments.pop().expect("non-empty key");
    let mut current = table;
    let mut walked = String::new();
    for segment in segments {
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(segment);
        let entry = current
            .entry(segment.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            toml::Value::Array(items) if items.iter().all(toml::Value::is_table) => {
                return Err(SetError::ThroughList {
                    key: key.to_string(),
                    walked,
                });
            }
            _ => {
                return Err(SetError::ThroughValue {
                    key: key.to_string(),
                    walked,
                });
            }
        };
    }
    match (current.get(last), &value) {
        (Some(toml::Value::Table(_)), _) if !VALUES_THAT_MAY_BE_TABLES.contains(&key) => {
            return Err(SetError::Table {
                key: key.to_string(),
            });
        }
        (Some(toml::Value::Array(_)), v) if !v.is_array() => {
            return Err(SetError::List {
                key: key.to_string(),
            });
        }
        _ => {}
    }
    current.insert(last.to_string(), value);
    Ok(())
}

/// Whether the file's text deserialises as `T`; a wrong type is named by its key (the path
/// through the tables, e.g. `target.thickness_x0`) and its line.
fn schema_check<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<(), ScenarioError> {
    let deserializer =
        toml::de::Deserializer::parse(text).map_err(|e| toml_error(path, text, &e))?;
    serde_path_to_error::deserialize::<_, T>(deserializer)
        .map(drop)
        .map_err(|e| {
            let key = one_based(&e.path().to_string());
            // An unknown key names itself by this path (with its positions in arrays of
            // tables, and inside inline tables), its closest sibling in the hint.
            let error = toml_error_at(path, text, e.inner(), Some(&key));
            let named = error
                .message
                .lines()
                .next()
                .is_some_and(|first| first.contains(&format!("{key}:")));
            if key == "." || named {
                error
            } else {
                error.with_key(&key)
            }
        })
}

/// A key path as `serde_path_to_error` writes it (`curve[1].label`, positions from 0) with the
/// positions counted from 1, as every other message names the tables of an array
/// (`curve[2].label` is the second `[[curve]]`).
fn one_based(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut rest = key;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let close = rest.find(']').unwrap_or(rest.len());
        match rest[..close].parse::<usize>() {
            Ok(k) => out.push_str(&(k + 1).to_string()),
            Err(_) => out.push_str(&rest[..close]),
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> ScenarioError {
    toml_error_at(path, text, error, None)
}

/// As [`toml_error`], for an error at the key path `key` when it is known (the table of an
/// unknown key is then the path's, not the last `[header]` above the line).
fn toml_error_at(
    path: &Path,
    text: &str,
    error: &toml::de::Error,
    key: Option<&str>,
) -> ScenarioError {
    // A table the file lacks: its span is the whole file, whose first line is not the place.
    if key.is_none_or(|k| k == ".")
        && let Some(missing) = missing_table(path, error.message())
    {
        return missing;
    }
    let line = error
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let mut message = plain_types(error.message().trim());
    let mut hint = "see docs/scenario.md for every key, its type and unit".to_string();
    // An unknown key by its whole dotted path, as `--set` errors give it, and the closest key.
    let unknown = match key.filter(|k| k.contains('.')) {
        Some(key) => UnknownKey::at(&message, key),
        None => line.and_then(|line| UnknownKey::of(&message, text, line)),
    };
    if let Some(unknown) = unknown {
        message = format!("{}: {message}", unknown.path());
        if let Some(closest) = unknown.closest() {
            hint = format!("did you mean {closest}? {hint}");
        }
    }
    // Quote the offending line, so that a type error shows its key.
    if let Some(content) = line.and_then(|l| text.lines().nth(l - 1)).map(str::trim)
        && !content.is_empty()
        && !message.contains(content)
    {
        message = format!("{message}\n  | {content}");
    }
    ScenarioError::new(path, message)
        .with_line(line)
        .with_hint(hint)
}

/// The error of a required top-level table the file does not have ("missing field `limit`" in
/// the schema's words), without a line: the table is nowhere in the file.
fn missing_table(path: &Path, message: &str) -> Option<ScenarioError> {
    let name = message.strip_prefix("missing field `")?.split('`').next()?;
    // `[[detector]]` is the one required array of tables.
    let header = if name == "detector" {
        format!("[[{name}]]")
    } else {
        format!("[{name}]")
    };
    Some(
        ScenarioError::new(
            path,
            format!("the scenario has no {header} table, which it needs"),
        )
        .with_hint(format!(
            "add {header} (docs/scenario.md lists its keys), or start from a shipped scenario (`darksens init` writes them)"
        )),
    )
}

/// An unknown key reported by the schema ("unknown field `alpah_d`, expected one of ..."), with
/// the table it was written in.
struct UnknownKey {
    /// Dotted path of the table (`model`), empty at the top level.
    table: String,
    /// The key as written.
    key: String,
    /// The keys the table has.
    expected: Vec<String>,
}

impl UnknownKey {
    /// The key and the keys expected instead, from the schema's message.
    fn parse(message: &str) -> Option<(String, Vec<String>)> {
        let rest = message.strip_prefix("unknown field `")?;
        let (key, rest) = rest.split_once('`')?;
        let expected = rest
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        Some((key.to_string(), expected))
    }

    /// Reads the schema's message; the table is that of the dotted key among `written` (a
    /// `--set`, a curve's `set`) that ends in the unknown one.
    fn written_in(message: &str, written: &[&str]) -> Option<Self> {
        let (key, expected) = Self::parse(message)?;
        let tables: Vec<&str> = written
            .iter()
            .filter_map(|w| w.rsplit_once('.').filter(|(_, last)| *last == key))
            .map(|(table, _)| table)
            .collect();
        // Two written keys end the same way (`source.x` and `target.x`): which one failed
        // cannot be told, so none is named.
        let [table] = tables[..] else {
            return None;
        };
        let table = table.to_string();
        Some(Self {
            table,
            key,
            expected,
        })
    }

    /// Reads the schema's message about the key at the dotted path `key` (its table: all but
    /// the last part).
    fn at(message: &str, key: &str) -> Option<Self> {
        let (unknown, expected) = Self::parse(message)?;
        let (table, last) = key.rsplit_once('.')?;
        (last == unknown).then(|| Self {
            table: table.to_string(),
            key: unknown,
            expected,
        })
    }

    /// Reads the schema's message; the table is the last `[header]` above `line` of `text`, or,
    /// when `line` is itself the header of the unknown key (a misspelled table, `[limits]`),
    /// the table that header would sit in.
    fn of(message: &str, text: &str, line: usize) -> Option<Self> {
        let (key, expected) = Self::parse(message)?;
        let header = |l: &str| {
            l.trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let own = lines
            .get(line.wrapping_sub(1))
            .filter(|l| l.starts_with('['))
            .map(|l| header(l))
            .and_then(|path| match path.rsplit_once('.') {
                Some((table, last)) => (last.trim() == key).then(|| table.trim().to_string()),
                None => (path == key).then(String::new),
            });
        let table = own.unwrap_or_else(|| {
            lines
                .iter()
                .take(line.saturating_sub(1))
                .rfind(|l| l.starts_with('['))
                .map(|l| header(l))
                .unwrap_or_default()
        });
        Some(Self {
            table,
            key,
            expected,
        })
    }

    fn dotted(&self, key: &str) -> String {
        if self.table.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.table)
        }
    }

    /// `model.alpah_d`.
    fn path(&self) -> String {
        self.dotted(&self.key)
    }

    /// The closest key of the table, `model.alpha_d`, when at most two edits away from the key
    /// or from the key without its unit (`luminosty` is one from `luminosity_ab`'s
    /// `luminosity`).
    fn closest(&self) -> Option<String> {
        fn without_unit(k: &str) -> &str {
            k.rsplit_once('_').map_or(k, |(stem, _)| stem)
        }
        self.expected
            .iter()
            .map(|k| {
                let distance = strsim::damerau_levenshtein(&self.key, k)
                    .min(strsim::damerau_levenshtein(&self.key, without_unit(k)));
                (distance, k)
            })
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| format!("`{}`", self.dotted(k)))
    }
}
