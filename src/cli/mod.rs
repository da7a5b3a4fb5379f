//! Command-line interface: argument parsing and exit codes here, one file per subcommand, and
//! what several subcommands share in [`helpers`]. Subcommands import only `helpers` and the
//! library, so the modules form a DAG.

/// `writeln!` into a `String` (which cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

mod check;
mod explain;
mod generate;
mod helpers;
mod init;
mod list;
mod merge;
mod plot;
mod reproduce;
mod scan;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Expected limits on light dark matter: disappearing-positron-track, thick-target and
/// emulsion-detector searches.
#[derive(Debug, Parser)]
#[command(name = "darksens", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the scan of a scenario and write CSV, PNG and a JSON sidecar.
    Scan(scan::Opts),
    /// Merge the shard files of a scan (`scan --shard K/N`) into its CSV, plot and sidecar.
    Merge(merge::Opts),
    /// Print every intermediate quantity at one mass (first curve).
    Explain(explain::Opts),
    /// Write the built-in radiative Bhabha generator's events (Les Houches) or spectrum (CSV).
    Generate(generate::Opts),
    /// Redraw a plot from existing result CSVs (and their sidecars) without recomputing.
    Plot(plot::Opts),
    /// Validate scenarios without computing (exit 0 when all are valid, 2 otherwise).
    Check(check::Opts),
    /// List materials, mediators, source kinds, limit methods and library curves.
    List,
    /// Write the shipped scenarios into DIR/configs (with a README), to start from.
    Init(init::Opts),
    /// Recompute published numbers (paper figures and tables) and compare: exit 0 only if all pass.
    Reproduce(reproduce::Opts),
    /// Print a shell completion script, e.g. `darksens completions bash > ~/.local/share/bash-completion/completions/darksens`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Parses arguments, runs, prints errors, and maps them to exit codes (2 bad input, 1 internal).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(opts) => scan::run(&opts),
        Command::Explain(opts) => explain::run(&opts),
        Command::Generate(opts) => generate::run(&opts),
        Command::Check(opts) => check::run(&opts),
        Command::Plot(opts) => plot::run(&opts),
        Command::Merge(opts) => merge::run(&opts),
        Command::Reproduce(opts) => reproduce::run_cli(&opts),
        Command::List => list::run(),
        Command::Init(opts) => init::run(&opts),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "darksens", &mut script);
            helpers::emit_bytes(&script)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Not eprintln!: a closed or full stderr must not turn the error into a panic.
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
