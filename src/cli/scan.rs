//! `darksens scan`: the whole scan, outputs and a printed summary.

use super::ScenarioArgs;
use darksens::error::Error;
use darksens::limits::LimitCriterion;
use darksens::models::MediatorKind;
use darksens::output::checkpoint::YieldFile;
use darksens::output::checkpoint::YieldStore;
use darksens::output::plot::{LimitPlot, OverlaySeries, Series, XAxis};
use darksens::output::sidecar::RunRecord;
use darksens::output::{check_writable, format_number, plot, sidecar, write_all_atomically};
use darksens::pipeline::thick_target::{
    BestPoint, CurveResult, annihilation_dominated_ranges, best_limit, run_scan_with, run_shard,
    scan_size, shard_size,
};
use darksens::pipeline::{Monitor, Shard, interrupted};
use darksens::scenario::{Curve, MASS_KEY, OverlayStyle, Scenario, ScenarioDocument, SourceConfig};
use darksens::sources::{PositronSpectrum, Source};
use darksens::units::GEV_PER_MEV;
use darksens::units::PICOBARN_CM2;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `darksens scan`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens scan configs/belle2_dp.toml\n  darksens scan configs/belle2_dp.toml --set model.alpha_d=0.1 --set background.total=500 --out results/\n  darksens scan configs/na64_dp.toml --set limit.method=poisson-cls --set limit.bands=true\n  darksens scan configs/belle2_dp.toml --shard 2/8      # one share; then darksens merge\n\nA scan keeps its finished points in <out>/.darksens/<name>.checkpoint.jsonl while it runs;\nafter a kill, the same command resumes from there. Inside a Slurm job array, the array task\nselects the shard (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT) unless --shard is given."
)]
pub struct Opts {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Write the outputs into this directory instead of the scenario's paths.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker threads (default: all cores; also RAYON_NUM_THREADS).
    #[arg(long)]
    threads: Option<usize>,
    /// Compute only share K of N of the scan points (1 <= K <= N) into
    /// <out>/<name>.shard-K-of-N.jsonl, for `darksens merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Keep no checkpoint (an interrupted scan then starts again from nothing).
    #[arg(long)]
    no_checkpoint: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Print the time of each stage to stderr.
    #[arg(long, short)]
    verbose: bool,
}

pub(super) fn redirect(path: &Path, out: Option<&Path>) -> PathBuf {
    match (out, path.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// The files a scan writes.
pub(super) struct OutputPaths {
    pub csv: PathBuf,
    pub png: PathBuf,
    pub meta: PathBuf,
    pub svg: Option<PathBuf>,
}

impl OutputPaths {
    /// The scenario's `[output]` paths, moved into `out` when given.
    pub fn new(scenario: &Scenario, out: Option<&Path>) -> Self {
        let csv = redirect(&scenario.output.csv, out);
        Self {
            meta: csv.with_extension("meta.json"),
            png: redirect(&scenario.output.png, out),
            svg: scenario.output.svg.as_ref().map(|p| redirect(p, out)),
            csv,
        }
    }

    /// Fails, before anything is computed, if an output cannot be written.
    pub fn check(&self) -> Result<(), Error> {
        for path in [&self.csv, &self.png, &self.meta]
            .into_iter()
            .chain(self.svg.as_ref())
        {
            check_writable(path)?;
        }
        Ok(())
    }

    fn directory(&self) -> PathBuf {
        self.csv
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    fn stem(&self) -> String {
        self.csv
            .file_stem()
            .map_or_else(|| "scan".to_string(), |s| s.to_string_lossy().into_owned())
    }

    /// Where an unsharded scan keeps its finished points.
    fn checkpoint(&self) -> PathBuf {
        self.directory()
            .join(".darksens")
            .join(format!("{}.checkpoint.jsonl", self.stem()))
    }

    /// The result file of one shard.
    fn shard_file(&self, shard: Shard) -> PathBuf {
        self.directory().join(format!(
            "{}.shard-{}-of-{}.jsonl",
            self.stem(),
            shard.index + 1,
            shard.count
        ))
    }
}

/// Parses `K/N` (1-based K).
fn parse_shard(text: &str) -> Result<Shard, Error> {
    let fail = || {
        Error::Usage(format!(
            "--shard '{text}': expected K/N with 1 <= K <= N, e.g. --shard 2/8"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(fail)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| fail())?,
        n.trim().parse().map_err(|_| fail())?,
    );
    if k == 0 || k > n {
        return Err(fail());
    }
    Ok(Shard {
        index: k - 1,
        count: n,
    })
}

/// The shard from `--shard`, else from a Slurm job array; `None` for the whole scan.
fn shard_of(opts: &Opts) -> Result<Option<Shard>, Error> {
    let shard = match &opts.shard {
        Some(text) => Some(parse_shard(text)?),
        None => slurm_shard(|name| std::env::var(name).ok())?,
    };
    Ok(shard.filter(|s| s.count > 1))
}

/// The shard of a Slurm array task: index (ID - MIN) / STEP of COUNT.
fn slurm_shard(var: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, Error> {
    let (Some(id), Some(count)) = (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT"))
    else {
        return Ok(None);
    };
    let number = |name: &str, text: &str| {
        text.trim().parse::<usize>().map_err(|_| {
            Error::Usage(format!(
                "{name}='{text}' is not a whole number; pass --shard K/N instead"
            ))
        })
    };
    let id = number("SLURM_ARRAY_TASK_ID", &id)?;
    let count = number("SLURM_ARRAY_TASK_COUNT", &count)?;
    let min = var("SLURM_ARRAY_TASK_MIN").map_or(Ok(0), |t| number("SLURM_ARRAY_TASK_MIN", &t))?;
    let step =
        var("SLURM_ARRAY_TASK_STEP").map_or(Ok(1), |t| number("SLURM_ARRAY_TASK_STEP", &t))?;
    let index = id.checked_sub(min).map(|d| d / step.max(1));
    match index {
        Some(index) if count > 0 && index < count => {
            eprintln!(
                "note: Slurm array task {id} (of {count}, from {min} in steps of {step}): computing shard {}/{count}; pass --shard to choose another",
                index + 1
            );
            Ok(Some(Shard { index, count }))
        }
        _ => Err(Error::Usage(format!(
            "Slurm array task {id} does not fit SLURM_ARRAY_TASK_MIN = {min}, STEP = {step}, COUNT = {count}; pass --shard K/N"
        ))),
    }
}

fn set_threads(threads: Option<usize>) -> Result<(), Error> {
    if let Some(threads) = threads {
        if threads == 0 {
            return Err(Error::Usage("--threads must be at least 1".into()));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    }
    Ok(())
}

/// Runs the scan (or one shard of it).
pub fn run(opts: &Opts) -> Result<(), Error> {
    set_threads(opts.threads)?;
    let document = ScenarioDocument::load(&opts.scenario.scenario, &opts.scenario.overrides()?)?;
    if document.is_emulsion() {
        if opts.shard.is_some() {
            return Err(Error::Usage(
                "--shard is for mass scans; an emulsion scan runs in one process".into(),
            ));
        }
        let quiet = opts.quiet;
        let out = opts.out.as_deref();
        return super::scan_emulsion::run(&document, out, quiet, &|total| {
            progress_bar(total, quiet)
        });
    }
    let curves = document.curves()?;
    let paths = OutputPaths::new(&curves[0].scenario, opts.out.as_deref());
    let run_description = darksens::pipeline::thick_target::run_description(&document, &curves);
    if let Some(shard) = shard_of(opts)? {
        return run_shard_job(opts, &curves, &paths, shard, &run_description);
    }
    paths.check()?;
    let start = Instant::now();
    let checkpoint = if opts.no_checkpoint {
        None
    } else {
        let (file, reused) = YieldFile::open(&paths.checkpoint(), &run_description)?;
        if reused > 0 && !opts.quiet {
            eprintln!(
                "resuming: {reused} finished point(s) read from {}",
                file.path().display()
            );
        }
        Some(file)
    };
    let stop = super::signals::install();
    let bar = progress_bar(scan_size(&curves), opts.quiet);
    let monitor = Monitor {
        progress: Some(&|n| bar.inc(n)),
        stop,
        store: checkpoint.as_ref().map(|c| c as &dyn YieldStore),
        stored_only: false,
    };
    let results = run_scan_with(&curves, &monitor);
    bar.finish_and_clear();
    let results = match (results, checkpoint.as_ref()) {
        (Ok(results), _) => results,
        (Err(e @ Error::Interrupted { .. }), Some(file)) => {
            eprintln!(
                "note: the finished points are kept in {}; run the same command again to resume (or delete it)",
                file.path().display()
            );
            return Err(e);
        }
        (Err(e), _) => {
            // A failure that a rerun would repeat: nothing worth keeping.
            if let Some(file) = checkpoint {
                file.remove();
            }
            return Err(e);
        }
    };
    if opts.verbose {
        eprintln!(
            "[{:>8.1} ms] tables and scan",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
    let finished = Finished {
        document: &document,
        curves: &curves,
        results: &results,
        paths: &paths,
        start,
        quiet: opts.quiet,
        verbose: opts.verbose,
    };
    finished.write(stop)?;
    if let Some(file) = checkpoint {
        file.remove();
    }
    Ok(())
}

/// One shard: its units of work into its shard file, nothing else.
fn run_shard_job(
    opts: &Opts,
    curves: &[Curve],
    paths: &OutputPaths,
    shard: Shard,
    run_description: &serde_json::Value,
) -> Result<(), Error> {
    let path = paths.shard_file(shard);
    check_writable(&path)?;
    let mut description = run_description.clone();
    description["shard"] = serde_json::json!({ "index": shard.index + 1, "count": shard.count });
    let (file, reused) = YieldFile::open(&path, &description)?;
    if reused > 0 && !opts.quiet {
        eprintln!(
            "resuming: {reused} finished point(s) read from {}",
            path.display()
        );
    }
    let start = Instant::now();
    let stop = super::signals::install();
    let bar = progress_bar(shard_size(curves, shard)?, opts.quiet);
    let monitor = Monitor {
        progress: Some(&|n| bar.inc(n)),
        stop,
        store: Some(&file),
        stored_only: false,
    };
    let owned = run_shard(curves, shard, &monitor);
    bar.finish_and_clear();
    if matches!(owned, Err(Error::Interrupted { .. })) {
        eprintln!(
            "note: the finished points are kept in {}; run the same command again to resume",
            path.display()
        );
    }
    let owned = owned?;
    file.finish(owned)?;
    if !opts.quiet {
        super::emit(&format!(
            "shard {}/{}: {owned} of {} scan unit(s) in {:.2} s, written to {}\nmerge all shards with: darksens merge {} -o {}\n",
            shard.index + 1,
            shard.count,
            shard_size_total(curves)?,
            start.elapsed().as_secs_f64(),
            path.display(),
            paths
                .directory()
                .join(format!("{}.shard-*-of-{}.jsonl", paths.stem(), shard.count))
                .display(),
            paths.directory().display(),
        ));
    }
    Ok(())
}

fn shard_size_total(curves: &[Curve]) -> Result<u64, Error> {
    shard_size(curves, Shard { index: 0, count: 1 })
}

/// A computed scan, ready to be written (by `scan` and by `merge`).
pub(super) struct Finished<'a> {
    pub document: &'a ScenarioDocument,
    pub curves: &'a [Curve],
    pub results: &'a [CurveResult],
    pub paths: &'a OutputPaths,
    pub start: Instant,
    pub quiet: bool,
    pub verbose: bool,
}

impl Finished<'_> {
    /// Refines the best limits, renders CSV, plot and sidecar, writes them all or none, and
    /// prints the summary.
    pub fn write(
        &self,
        stop: Option<&'static std::sync::atomic::AtomicUsize>,
    ) -> Result<(), Error> {
        let (results, paths) = (self.results, self.paths);
        let stage = |name: &str, since: Instant| {
            if self.verbose {
                eprintln!("[{:>8.1} ms] {name}", since.elapsed().as_secs_f64() * 1e3);
            }
        };
        let t = Instant::now();
        let bests = results
            .iter()
            .map(best_limit)
            .collect::<Result<Vec<_>, _>>()?;
        stage("refinement of the best limits", t);
        let t = Instant::now();
        let csv_bytes = darksens::pipeline::thick_target::render_csv(results)?;
        let plot = plot_of(self.curves, results);
        let png_bytes = plot::render_png(&plot)?;
        let svg_bytes = paths
            .svg
            .as_ref()
            .map(|_| plot::render_svg(&plot))
            .transpose()?;
        stage("CSV and PNG rendering", t);
        let wall_time_s = self.start.elapsed().as_secs_f64();
        let record = RunRecord {
            scenario_file: self.document.path().display().to_string(),
            overrides: self
                .document
                .overrides()
                .iter()
                .map(|o| o.text.clone())
                .collect(),
            curves: self
                .curves
                .iter()
                .map(|c| (c.label.clone(), c.table.clone()))
                .collect(),
            threads: rayon::current_num_threads(),
            wall_time_s,
            outputs: vec![
                paths.csv.display().to_string(),
                paths.png.display().to_string(),
            ],
            numerics: numerics_record(results),
            best: results
                .iter()
                .zip(&bests)
                .map(|(c, b)| best_record(c, b))
                .collect(),
        };
        let meta_bytes = sidecar::render(&record);
        let mut files: Vec<(&Path, &[u8])> = vec![
            (&paths.csv, &csv_bytes),
            (&paths.png, &png_bytes),
            (&paths.meta, &meta_bytes),
        ];
        if let (Some(path), Some(bytes)) = (&paths.svg, &svg_bytes) {
            files.push((path, bytes));
        }
        // All files or none: a signal up to the final renames leaves nothing behind.
        write_all_atomically(&files, &|| interrupted(stop))?;
        warn_unconverged(results);
        if !self.quiet {
            let mut written: Vec<&Path> = vec![&paths.csv, &paths.png, &paths.meta];
            written.extend(paths.svg.as_deref());
            print_summary(self.document, results, &bests, wall_time_s, &written);
        }
        Ok(())
    }
}

pub(super) fn plot_of(curves: &[Curve], results: &[CurveResult]) -> LimitPlot {
    let scenarios: Vec<&Scenario> = curves.iter().map(|c| &c.scenario).collect();
    let mut plot = plot_frame(&scenarios, &results[0].parameter, results[0].logarithmic);
    plot.series = results
        .iter()
        .map(|c| Series {
            label: c.label.clone(),
            points: c
                .values
                .iter()
                .zip(&c.points)
                .map(|(x, p)| (*x, p.epsilon_limit))
                .collect(),
            bands: c
                .values
                .iter()
                .zip(&c.points)
                .filter_map(|(x, p)| p.epsilon_bands.map(|b| (*x, b)))
                .collect(),
        })
        .collect();
    plot
}

/// Title, annotation, axes and overlays of a plot of `scenarios` (one per curve) scanning
/// `parameter`, without the curves.
pub(super) fn plot_frame(scenarios: &[&Scenario], parameter: &str, logarithmic: bool) -> LimitPlot {
    let s = scenarios[0];
    let mass_scan = parameter == MASS_KEY;
    // A parameter goes into the annotation only when every curve shares it.
    let shared =
        |f: &dyn Fn(&darksens::scenario::Scenario) -> f64| scenarios.iter().all(|c| f(c) == f(s));
    let symbol = match s.model.mediator {
        MediatorKind::DarkPhoton => "A′",
        MediatorKind::Scalar => "φ",
    };
    // Model parameters, leaving out the scanned one (it is the x axis).
    let scanned = parameter;
    let mut parts = Vec::new();
    if scanned != "model.mass_mev" {
        if let Some(m) = s.model.mass_mev {
            parts.push(format!("m_{symbol} = {} MeV", format_number(m)));
        }
    }
    if scanned != "model.alpha_d" && shared(&|x| x.model.alpha_d) {
        parts.push(format!("α_D = {}", format_number(s.model.alpha_d)));
    }
    if scanned != "model.mchi_over_mmed" && shared(&|x| x.model.mchi_over_mmed) {
        parts.push(format!(
            "m_χ = {} m_{symbol}",
            format_number((s.model.mchi_over_mmed * 1000.0).round() / 1000.0)
        ));
    }
    match s.source {
        SourceConfig::Collider { luminosity_ab, .. } if scanned != "source.luminosity_ab" => {
            parts.push(format!("{} ab⁻¹", format_number(luminosity_ab)));
        }
        SourceConfig::Beam(beam) => {
            parts.push(format!(
                "{} GeV e⁻, {:.3e} EOT",
                format_number(beam.energy_gev),
                beam.particles_on_target
            ));
        }
        SourceConfig::Collider { .. } => {}
    }
    if scanned != "target.thickness_x0" {
        parts.push(format!(
            "{} X₀ {}",
            format_number(s.target.thickness_x0),
            s.target.material.name
        ));
    }
    let annotation = parts.join("   ");
    let x_axis = if mass_scan {
        XAxis::MassMev {
            symbol: symbol.to_string(),
        }
    } else {
        XAxis::Key {
            title: axis_title(parameter),
            logarithmic,
        }
    };
    // The vertical axis says what the curves are when they all say the same.
    let describe = |c: &Scenario| match c.limit {
        LimitCriterion::SqrtBackground { .. } | LimitCriterion::Fixed { .. } => {
            "ε  (expected 90% CL upper limit)".to_string()
        }
        LimitCriterion::PoissonCls { cl, .. } => format!(
            "ε  (expected {}% CL upper limit, CLs)",
            format_number(100.0 * cl)
        ),
        LimitCriterion::Discovery { z, .. } => {
            format!("ε  (median {}σ discovery)", format_number(z))
        }
    };
    let y_title = if scenarios.iter().all(|c| describe(c) == describe(s)) {
        describe(s)
    } else {
        "ε".to_string()
    };
    let overlays = if mass_scan {
        s.overlays
            .iter()
            .map(|o| OverlaySeries {
                label: o.label.clone(),
                excluded: o.style == OverlayStyle::Excluded,
                points: o
                    .limit
                    .points()
                    .iter()
                    .map(|&(m, e)| (m / GEV_PER_MEV, e))
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    // The kinematic window of resonant annihilation on atomic electrons, m = sqrt(2 m_e E_A'),
    // for E_A' from (1 - f) E_min to E_max + m_e.
    // One band covering every curve's window (curves may have different sources).
    let windows = if mass_scan {
        let me = darksens::units::ELECTRON_MASS_GEV;
        let mass = |e_aprime: f64| (2.0 * me * e_aprime).sqrt() / GEV_PER_MEV;
        let (lo, hi) = scenarios
            .iter()
            .map(|c| {
                let source = darksens::pipeline::thick_target::setup_of(c).source;
                (
                    mass((1.0 - c.target.max_visible_fraction) * source.e_min_gev()),
                    mass(source.e_max_gev() + me),
                )
            })
            .fold((f64::INFINITY, 0.0_f64), |(a, b), (lo, hi)| {
                (a.min(lo), b.max(hi))
            });
        vec![(lo, hi, "annihilation resonance".to_string())]
    } else {
        Vec::new()
    };
    LimitPlot {
        regions: Vec::new(),
        extent: Vec::new(),
        windows,
        overlays,
        title: s.title.clone(),
        annotation,
        x_axis,
        y_title,
        series: Vec::new(),
    }
}

fn numerics_record(results: &[CurveResult]) -> serde_json::Value {
    let worst = results
        .iter()
        .flat_map(|c| c.points.iter())
        .map(|p| {
            p.yields
                .annihilation
                .relative_error()
                .max(p.yields.bremsstrahlung.relative_error())
        })
        .fold(0.0, f64::max);
    let unconverged: Vec<f64> = results
        .iter()
        .flat_map(|c| c.values.iter().zip(&c.points))
        .filter(|(_, p)| !p.converged)
        .map(|(v, _)| *v)
        .collect();
    // The largest bound over the curves' tables.
    let largest =
        |f: &dyn Fn(&darksens::signal::thick_target::ThickTargetSearch) -> Option<f64>| {
            results
                .iter()
                .filter_map(|c| f(c.calculator.search()))
                .reduce(f64::max)
        };
    serde_json::json!({
        "track_length_table_relative_error": largest(&|s| Some(s.annihilation_track_length().interpolation_error())),
        "annihilation_flux_table_relative_error": largest(&|s| s.annihilation_flux().map(|f| f.interpolation_error())),
        "largest_yield_relative_error_estimate": worst,
        "unconverged_points": unconverged,
    })
}

/// Tells on stderr (even with `--quiet`) which points missed the numerical tolerances.
fn warn_unconverged(results: &[CurveResult]) {
    for curve in results {
        let missed: Vec<String> = curve
            .values
            .iter()
            .zip(&curve.points)
            .filter(|(_, p)| !p.converged)
            .map(|(v, _)| format_number(*v))
            .collect();
        if missed.is_empty() {
            continue;
        }
        let shown = missed
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = if missed.len() > 5 { ", ..." } else { "" };
        eprintln!(
            "warning: curve \"{}\": {} of {} point(s) missed the numerical tolerance ({} = {shown}{more}); they are marked converged = false in the CSV. Raise numerics.track_length_intervals / flux_intervals or loosen numerics.relative_tolerance.",
            curve.label,
            missed.len(),
            curve.points.len(),
            curve.parameter,
        );
    }
}

fn best_record(curve: &CurveResult, best: &BestPoint) -> serde_json::Value {
    let p = &best.refined;
    serde_json::json!({
        "curve": curve.label,
        "parameter": curve.parameter,
        "value": best.value,
        "mass_mev": p.mass_mev,
        "epsilon_limit": p.epsilon_limit,
        "alpha_d": p.alpha_d,
        "mchi_over_mmed": p.mchi_over_mmed,
        "y": p.y(),
        "annihilation_fraction": p.annihilation_fraction(),
        "n_background": p.n_background,
        "best_grid_value": best.grid_value,
        "best_grid_epsilon_limit": best.grid.epsilon_limit,
    })
}

fn print_summary(
    document: &ScenarioDocument,
    results: &[CurveResult],
    bests: &[BestPoint],
    wall_time_s: f64,
    written: &[&Path],
) {
    let mut out = String::new();
    let first = &results[0];
    let scenario = first.calculator.scenario();
    let search = first.calculator.search();
    let mass_scan = first.is_mass_scan();
    outln!(out, "{}", scenario.title);
    outln!(
        out,
        "scenario {}: {} curve(s) x {} {}, {} thread(s), {:.2} s",
        document.path().display(),
        results.len(),
        first.points.len(),
        if mass_scan {
            "masses".to_string()
        } else {
            format!("values of {}", first.parameter)
        },
        rayon::current_num_threads(),
        wall_time_s
    );
    let first_source = describe_source(&search.setup().source);
    outln!(out, "{first_source}");
    let ranges_text = |curve: &CurveResult| {
        let ranges = annihilation_dominated_ranges(curve);
        if ranges.is_empty() {
            "bremsstrahlung dominates at every scanned mass".to_string()
        } else {
            let text: Vec<String> = ranges
                .iter()
                .map(|(lo, hi)| format!("{lo:.2}-{hi:.2} MeV"))
                .collect();
            format!(
                "annihilation dominates for {}; bremsstrahlung elsewhere",
                text.join(", ")
            )
        }
    };
    let shared_source = results
        .iter()
        .all(|c| c.calculator.search().setup().source == search.setup().source);
    for (curve, best) in results.iter().zip(bests) {
        let b = curve.calculator.background();
        let breakdown = match b.total_override {
            Some(total) => format!("N_b = {total} (set by background.total)"),
            None if b.photon.is_none() && b.neutron.is_none() => {
                "no background estimate".to_string()
            }
            None => format!(
                "N_b = {:.2} = photons {:.2} + neutrons {:.2}",
                b.total(),
                b.photon.map_or(0.0, |p| p.events),
                b.neutron.map_or(0.0, |n| n.events)
            ),
        };
        let p = &best.refined;
        outln!(out, "curve \"{}\": {breakdown}", curve.label);
        if !shared_source {
            outln!(
                out,
                "  {}",
                describe_source(&curve.calculator.search().setup().source)
            );
            if let Some(line) = background_scaling(curve, &results[0]) {
                outln!(out, "  {line}");
            }
        }
        if mass_scan {
            outln!(
                out,
                "  best eps = {:.4e} at m = {:.3} MeV (refined; best grid point {:.4e} at {:.3} MeV)",
                p.epsilon_limit,
                p.mass_mev,
                best.grid.epsilon_limit,
                best.grid_value
            );
        } else {
            outln!(
                out,
                "  best eps = {:.4e} at {} = {} (m = {} MeV)",
                p.epsilon_limit,
                curve.parameter,
                format_number(best.value),
                format_number(p.mass_mev)
            );
        }
        outln!(
            out,
            "  there: alpha_D = {}, m_chi/m_med = {:.4}, y = eps^2 alpha_D (m_chi/m_med)^4 = {:.3e}, annihilation {:.1}% of the signal",
            format_number(p.alpha_d),
            p.mchi_over_mmed,
            p.y(),
            100.0 * p.annihilation_fraction()
        );
        if mass_scan && !shared_source {
            outln!(out, "  {}", ranges_text(curve));
        }
    }
    if mass_scan && shared_source {
        outln!(out, "{}", ranges_text(first));
    }
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    outln!(out, "wrote {}", names.join(", "));
    super::emit(&out);
}

/// Axis title for a scanned key: the physicist's symbol and unit where we know them.
pub(super) fn axis_title(key: &str) -> String {
    match key {
        "model.alpha_d" => "α_D".to_string(),
        "model.mchi_over_mmed" => "m_χ / m_A′".to_string(),
        "source.luminosity_ab" => "integrated luminosity [ab⁻¹]".to_string(),
        "background.total" => "background events N_b".to_string(),
        "target.thickness_x0" => "target thickness [X₀]".to_string(),
        "target.min_energy_loss_fraction" => "smallest energy loss kept, 1 − E′/E".to_string(),
        other => other.to_string(),
    }
}

/// How a computed background follows the positron count: per 1e9 positrons, next to the
/// first curve's when this curve has another source [DPT App. F: "94 backgrounds for 6e11
/// positrons, so about 1 for 8e9"].
fn background_scaling(curve: &CurveResult, first: &CurveResult) -> Option<String> {
    let per_billion = |c: &CurveResult| {
        let b = c.calculator.background();
        let n = c.calculator.search().n_incident();
        (b.total_override.is_none() && (b.photon.is_some() || b.neutron.is_some()) && n > 0.0)
            .then(|| 1e9 * b.total() / n)
    };
    let ours = per_billion(curve)?;
    if std::ptr::eq(curve, first) {
        return Some(format!(
            "background per 1e9 selected positrons: {ours:.4} (photons and neutrons scale with their number)"
        ));
    }
    let theirs = per_billion(first)?;
    Some(format!(
        "background per 1e9 selected positrons: {ours:.4} (curve \"{}\": {theirs:.4}); N_b scales with the positron count",
        first.label
    ))
}

/// One line on the incident particles.
pub fn describe_source(source: &Source) -> String {
    match source {
        Source::Collider { spectrum, .. } => format!(
            "{} in the window: {:.4e}  (sigma = {:.4e} pb, E = {:.3}-{:.3} GeV){}",
            if spectrum.selects_electrons() {
                "electrons"
            } else {
                "positrons"
            },
            source.n_incident(),
            spectrum.sigma_cm2() / PICOBARN_CM2,
            spectrum.e_min_gev(),
            spectrum.e_max_gev(),
            match spectrum {
                PositronSpectrum::Bhabha(_) => String::new(),
                PositronSpectrum::Tabulated(t) => format!(" from {}", t.source),
            }
        ),
        Source::Beam(beam) => format!(
            "beam: {} GeV electrons, {:.4e} on target, signal efficiency {}",
            format_number(beam.energy_gev),
            beam.particles_on_target,
            format_number(beam.efficiency)
        ),
    }
}

/// A progress bar on stderr, drawn only on a terminal, without `--quiet`, and only once the scan
/// has run for a second (short scans stay silent). No colours, so `NO_COLOR` is respected.
pub(super) fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::hidden(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} points, {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style);
    }
    if !quiet && std::io::stderr().is_terminal() {
        let delayed = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if !delayed.is_finished() {
                delayed.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        });
    }
    bar
}
