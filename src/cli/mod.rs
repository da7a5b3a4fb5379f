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
mod export;
mod generate;
mod helpers;
mod import;
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
#[command(
    name = "darksens",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  darksens init                                  # scenarios into ./configs\n  darksens scan configs/belle2_dp.toml           # CSV, PNG, sidecar in out/\n  darksens explain configs/belle2_dp.toml --mass-mev 66.72\n  darksens plot out/belle2_dp.csv -o talk.svg\n  darksens reproduce --all --quick               # the papers' numbers\n\nOptions mean one thing everywhere: -o/--out DIR for scan, merge and export (a\ndirectory), -o/--output FILE for plot and generate (a file); --set KEY=VALUE\noverrides a key."
)]
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
    /// Print every intermediate quantity at one mass (of the first curve, or --curve).
    Explain(explain::Opts),
    /// Write the built-in radiative Bhabha generator's events (Les Houches) or spectrum (CSV).
    Generate(generate::Opts),
    /// Redraw a plot from existing result CSVs (and their sidecars) without recomputing.
    Plot(plot::Opts),
    /// Write result CSVs in another format: a HEPData submission.
    Export(export::Opts),
    /// Copy a published limit into a limit library: a HEPData table.
    Import(import::Opts),
    /// Validate scenarios without computing (exit 0 when all are valid, 2 otherwise).
    Check(check::Opts),
    /// List materials, mediators, source kinds, limit methods and library curves.
    #[command(
        after_help = "Examples:\n  darksens list\n  darksens list | grep darkcast/   # the curves an [[overlay]] can name"
    )]
    List,
    /// Write the shipped scenarios into DIR/configs (with a README) and the documentation they
    /// cite into DIR/docs, to start from.
    Init(init::Opts),
    /// Recompute published numbers (paper figures and tables) and compare: exit 0 only if all pass.
    Reproduce(reproduce::Opts),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  darksens completions bash > ~/.darksens.bash   # source it from ~/.bashrc\n  darksens completions zsh > ~/.zfunc/_darksens  # with ~/.zfunc in fpath\n\nbash-completion also loads ~/.local/share/bash-completion/completions/darksens."
    )]
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
        Command::Export(opts) => export::run(&opts),
        Command::Import(opts) => import::run(&opts),
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

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every example of every help page fits an 80-column terminal, so the help, wrapped to 80
    /// columns, shows each example on one line (none broken mid-command); the top-level help
    /// has examples too.
    #[test]
    fn help_examples_are_never_broken() {
        let mut root = Cli::command().term_width(80);
        root.build();
        let mut commands: Vec<clap::Command> = vec![root.clone()];
        commands.extend(root.get_subcommands().cloned());
        let mut examples = 0;
        for mut command in commands {
            let name = command.get_name().to_string();
            let source = command
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            let rendered = command.render_help().to_string();
            for line in source.lines() {
                assert!(
                    line.chars().count() <= 80,
                    "{name}: a line of the help's closing text is longer than 80 columns: {line}"
                );
            }
            for line in source
                .lines()
                .filter(|l| l.trim_start().starts_with("darksens "))
            {
                assert!(
                    line.len() <= 80,
                    "{name}: example longer than 80 columns: {line}"
                );
                assert!(
                    rendered.lines().any(|r| r.trim_end() == line.trim_end()),
                    "{name}: example broken in the help:\n{line}\n---\n{rendered}"
                );
                examples += 1;
            }
            if name != "help" {
                assert!(
                    source.contains("Examples:"),
                    "{name}: the help has examples"
                );
            }
        }
        assert!(examples >= 15, "{examples}");
    }

    /// Every command that reports what it wrote or checked takes `-q/--quiet`, so a script
    /// can run any of them silently.
    #[test]
    fn every_reporting_command_can_be_quiet() {
        let root = Cli::command();
        for name in [
            "scan",
            "merge",
            "generate",
            "export",
            "reproduce",
            "plot",
            "check",
            "import",
            "init",
        ] {
            let command = root
                .find_subcommand(name)
                .unwrap_or_else(|| panic!("no subcommand {name}"));
            assert!(
                command
                    .get_arguments()
                    .any(|a| a.get_id() == "quiet" && a.get_short() == Some('q')),
                "{name} has no -q/--quiet"
            );
        }
    }
}
