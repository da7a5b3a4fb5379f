//! Command-line interface: argument parsing, one file per subcommand, exit codes.

/// `writeln!` into a `String` (which cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

mod check;
mod explain;
mod explain_emulsion;
mod generate;
mod list;
mod merge;
mod plot;
mod reproduce;
mod scan;
mod scan_emulsion;
mod signals;

use clap::{Parser, Subcommand};
use darksens::error::Error;
use darksens::scenario::Override;
use std::path::PathBuf;
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
    /// Recompute published numbers (paper figures and tables) and compare: exit 0 only if all pass.
    Reproduce(reproduce::Opts),
    /// Print a shell completion script, e.g. `darksens completions bash > ~/.local/share/bash-completion/completions/darksens`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options shared by the subcommands that read a scenario.
#[derive(Debug, clap::Args)]
struct ScenarioArgs {
    /// Scenario file (TOML), e.g. configs/belle2_dp.toml.
    scenario: PathBuf,
    /// Override a key before validation, e.g. --set model.alpha_d=0.1 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl ScenarioArgs {
    fn overrides(&self) -> Result<Vec<Override>, Error> {
        self.set
            .iter()
            .map(|s| Override::parse(s).map_err(Error::Usage))
            .collect()
    }
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
        Command::List => {
            list::run();
            Ok(())
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "darksens",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Writes text to stdout; a closed pipe (e.g. `darksens scan ... | head`) ends quietly.
fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
