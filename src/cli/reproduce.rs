//! `darksens reproduce`: published numbers against ours, from the reference files.

use super::helpers::ThreadsArg;
use darksens::error::Error;
use darksens::output::format_number;
use darksens::reproduce::{
    Against, Outcome, Published, Session, built_in_references, list, parse, reference_root,
};
use std::time::Instant;

/// Options of `darksens reproduce`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens reproduce --list\n  darksens reproduce dpt/fig3\n  darksens reproduce --all --quick      # what CI runs\n\nReference files: tests/reference/<paper>/<name>.toml in the working directory (a\nsource tree) or $DARKSENS_REFERENCE, else the copies built into darksens (with\nthe built-in scenarios); each records the published value, its source, the\npaper's precision and our tolerance with its reason."
)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "four independent command-line flags"
)]
pub struct Opts {
    /// Reproductions to run, e.g. dpt/fig3 (see --list).
    names: Vec<String>,
    /// Run every reproduction.
    #[arg(long, conflicts_with = "names")]
    all: bool,
    /// Fewer scan points (each reference file says which); the tolerances stay the same.
    #[arg(long)]
    quick: bool,
    /// List the reproductions and exit.
    #[arg(long)]
    list: bool,
    /// Print only the reproductions with a quantity outside its tolerance (and the error).
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    threads: ThreadsArg,
}

/// Runs the reproductions; exit code 0 only if every quantity passes.
pub fn run_cli(opts: &Opts) -> Result<(), Error> {
    opts.threads.start()?;
    // Reference files on disk (a source tree, or DARKSENS_REFERENCE) with the configs two
    // levels above them; else the built-in references with the built-in scenarios.
    let root = reference_root();
    let available: Vec<(String, String, String)> = match &root {
        Some(root) => list(root)
            .into_iter()
            .map(|(name, path)| {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                (name, path.display().to_string(), text)
            })
            .collect(),
        None => built_in_references()
            .into_iter()
            .map(|(name, source, text)| (name, source, text.to_string()))
            .collect(),
    };
    if opts.list {
        let mut out = String::new();
        for (name, source, text) in &available {
            let title =
                parse(text, source).map_or_else(|e| format!("(unreadable: {e})"), |r| r.title);
            outln!(out, "{name:<28} {title}");
        }
        return super::helpers::emit(&out);
    }
    let names: Vec<String> = available.iter().map(|(n, _, _)| n.clone()).collect();
    let chosen: Vec<&(String, String, String)> = if opts.all {
        available.iter().collect()
    } else if opts.names.is_empty() {
        return Err(Error::Usage(format!(
            "name reproductions or pass --all; available: {}",
            names.join(", ")
        )));
    } else {
        opts.names
            .iter()
            .map(|n| {
                available
                    .iter()
                    .find(|(name, _, _)| name == n)
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "no reproduction '{n}'; available: {}",
                            names.join(", ")
                        ))
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let repo = root.as_ref().map(|r| r.join("../.."));
    let mut failed = 0;
    let mut total = 0;
    let mut against_papers = 0;
    // One session: a later reproduction takes the scans and tables an earlier one computed.
    let mut session = Session::new(repo.as_deref());
    for (name, source, text) in chosen {
        let reproduction = parse(text, source)?;
        let started = Instant::now();
        let outcomes = session.run(&reproduction, opts.quick)?;
        let mut out = String::new();
        outln!(
            out,
            "\n{name}: {} ({}{}, {:.1} s)",
            reproduction.title,
            reproduction.config,
            if opts.quick { ", quick" } else { "" },
            started.elapsed().as_secs_f64()
        );
        outln!(out, "{}", table(&outcomes));
        let failed_here = outcomes.iter().filter(|o| !o.passed).count();
        if !opts.quiet || failed_here > 0 {
            super::helpers::emit(&out)?;
        }
        total += outcomes.len();
        against_papers += outcomes
            .iter()
            .filter(|o| Against::of(&o.source) == Some(Against::Paper))
            .count();
        failed += failed_here;
    }
    if failed > 0 {
        return Err(Error::Reproduction(format!(
            "{failed} of {total} quantities outside their tolerance; a real gap belongs in docs/validation.md, not in a wider tolerance"
        )));
    }
    if opts.quiet {
        return Ok(());
    }
    super::helpers::emit(&format!(
        "\nall {total} quantities within tolerance ({against_papers} against the papers' numbers, {} against independent calculations in tools/reference and docs)\n",
        total - against_papers
    ))
}

/// A relative deviation in per cent with its sign: three decimals, or two figures in
/// scientific form when three decimals would show a nonzero deviation as `-0.000%` (tolerances
/// go down to 1e-7).
fn signed_percent(deviation: f64) -> String {
    let percent = 100.0 * deviation;
    if percent == 0.0 {
        "0%".to_string()
    } else if percent.abs() < 5e-4 {
        format!("{percent:+.1e}%")
    } else {
        format!("{percent:+.3}%")
    }
}

/// The comparison as an aligned text table.
fn table(outcomes: &[Outcome]) -> String {
    let mut rows = vec![[
        "quantity".to_string(),
        "expected".to_string(),
        "against".to_string(),
        "ours".to_string(),
        "deviation".to_string(),
        "tolerance".to_string(),
        "result".to_string(),
    ]];
    for o in outcomes {
        let ours = if o.compared > 1 {
            format!("{} (worst of {})", short(o.ours), o.compared)
        } else {
            short(o.ours)
        };
        let (paper, deviation, tolerance) = match o.paper {
            Published::Value(v) => (
                short(v),
                signed_percent(o.deviation),
                format!("{}%", short(100.0 * o.tolerance)),
            ),
            Published::Range(lo, hi) => (
                format!("{} to {}", short(lo), short(hi)),
                if o.deviation == 0.0 {
                    "inside".to_string()
                } else {
                    format!("{} outside", signed_percent(o.deviation))
                },
                if o.tolerance == 0.0 {
                    "the range".to_string()
                } else {
                    format!("range + {}%", short(100.0 * o.tolerance))
                },
            ),
        };
        rows.push([
            o.name.clone(),
            paper,
            Against::of(&o.source)
                .map_or("?", Against::name)
                .to_string(),
            ours,
            deviation,
            tolerance,
            if o.passed { "pass" } else { "FAIL" }.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            format!("  {}", cells.join("  ").trim_end())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Five significant figures.
fn short(value: f64) -> String {
    if value.is_finite() && value != 0.0 {
        // Five significant figures, rounded in decimal (no binary residue like 8189899999.999999).
        let rounded: f64 = format!("{value:.4e}").parse().unwrap_or(value);
        if rounded.abs() >= 1e6 {
            format!("{rounded:e}")
        } else {
            format_number(rounded)
        }
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::signed_percent;

    /// A small deviation is not shown as `-0.000%`.
    #[test]
    fn small_deviations_keep_their_figures() {
        assert_eq!(signed_percent(-2.1e-8), "-2.1e-6%");
        assert_eq!(signed_percent(0.0), "0%");
        assert_eq!(signed_percent(-9.0e-5), "-0.009%");
        assert_eq!(signed_percent(0.0123), "+1.230%");
    }
}
