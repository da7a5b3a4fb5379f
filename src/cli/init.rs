//! `darksens init`: writes the shipped scenarios and the documentation they cite (built into
//! the binary) into a directory, so that a user with only the installed binary can start from
//! them.

use darksens::assets;
use darksens::error::Error;
use darksens::output::write_atomically;
use std::path::PathBuf;

/// Options of `darksens init`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  darksens init                 # ./configs\n  darksens init ~/darksens-work # ~/darksens-work/configs\n  cd ~/darksens-work && darksens scan configs/belle2_dp.toml"
)]
pub struct Opts {
    /// Directory to write `configs/`, `docs/` and `examples/slurm/` into (default: the
    /// current directory).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Replace scenarios and documents that already exist there (by default nothing is
    /// overwritten: existing scenarios stop init, existing documents are kept).
    #[arg(long)]
    force: bool,
    /// Print nothing but warnings and errors
    #[arg(short, long)]
    quiet: bool,
}

/// The README written next to the scenarios.
const README: &str = r#"# darksens scenarios

Written by `darksens init` from the copies built into darksens. Each file is a scenario: read
its comments, change what you need, and run it from the directory that holds `configs/`:

    darksens check configs/*.toml          # validate
    darksens scan configs/belle2_dp.toml   # CSV, PNG and sidecar in out/
    darksens explain configs/belle2_dp.toml --mass-mev 66.72
    darksens list                          # materials, methods, library curves
    darksens reproduce --all --quick       # the papers' numbers (from the built-in copies)

Every scenario key, its type, unit and default: `docs/scenario.md` (written beside `configs/`,
with the physics the scenarios cite, `docs/physics.md`, and what darksens reproduces,
`docs/validation.md`).

Published limit curves (`[[overlay]] curve = "darkcast/..."`) come from the library built into
darksens. Curves of your own go in `limits/<collection>/<name>.csv`, with a `<name>.toml` of
provenance next to each (see `darksens list`), or in the directory `DARKSENS_LIMITS` names.
"#;

/// The documents the scenarios and the error messages cite (`docs/` of the source tree), and
/// the scripts that run a scan as a Slurm job array (the README's cluster section).
const DOCS: [&str; 7] = [
    "docs/scenario.md",
    "docs/physics.md",
    "docs/validation.md",
    "docs/references.md",
    "examples/slurm/submit.sh",
    "examples/slurm/scan_array.sbatch",
    "examples/slurm/merge.sbatch",
];

/// Writes the scenarios and the documents.
pub fn run(opts: &Opts) -> Result<(), Error> {
    let configs = opts.dir.join("configs");
    let files: Vec<(PathBuf, &str)> = assets::under("configs/")
        .filter(|(path, _)| {
            std::path::Path::new(path)
                .extension()
                .is_some_and(|e| e == "toml")
        })
        .map(|(path, text)| (opts.dir.join(path), text))
        .chain(std::iter::once((configs.join("README.md"), README)))
        .collect();
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| path.display().to_string())
        .collect();
    if !existing.is_empty() && !opts.force {
        return Err(Error::Usage(format!(
            "{} file(s) already exist and would be replaced: {}\n  hint: choose another directory, or pass --force to overwrite them",
            existing.len(),
            existing.join(", ")
        )));
    }
    // Documents of an earlier init (or of the user's own) are kept unless --force.
    let (docs, kept): (Vec<_>, Vec<_>) = DOCS
        .iter()
        .filter_map(|path| assets::file(path).map(|text| (opts.dir.join(path), text)))
        .partition(|(path, _)| opts.force || !path.exists());
    std::fs::create_dir_all(&configs).map_err(|e| {
        Error::Usage(format!(
            "cannot create {}: {e}\n  hint: choose a directory you can write to",
            configs.display()
        ))
    })?;
    for (path, text) in files.iter().chain(&docs) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::Usage(format!(
                    "cannot create {}: {e}\n  hint: choose a directory you can write to",
                    parent.display()
                ))
            })?;
        }
        // A directory the user cannot write to is bad input (exit code 2), as for scan's --out.
        write_atomically(path, text.as_bytes()).map_err(|e| {
            Error::Usage(format!(
                "{e}\n  hint: choose a directory you can write to (darksens init DIR)"
            ))
        })?;
        make_executable_if_script(path)?;
    }
    let dir = opts.dir.display().to_string();
    let cd = if opts.dir == std::path::Path::new(".") {
        String::new()
    } else if dir.contains(|c: char| c.is_whitespace() || c == '\'') {
        format!("cd '{}' && ", dir.replace('\'', r"'\''"))
    } else {
        format!("cd {dir} && ")
    };
    let kept = if kept.is_empty() {
        String::new()
    } else {
        format!(
            " ({} already there kept; --force replaces them)",
            kept.len()
        )
    };
    if opts.quiet {
        return Ok(());
    }
    super::helpers::emit(&format!(
        "wrote {} scenarios and a README into {}, the documentation into {}, the Slurm scripts into {}{kept}\nnext: {cd}darksens scan configs/belle2_dp.toml\n",
        files.len() - 1,
        configs.display(),
        opts.dir.join("docs").display(),
        opts.dir.join("examples/slurm").display()
    ))
}

/// A script (`.sh`, `.sbatch`) is made executable, as in the source tree.
fn make_executable_if_script(path: &std::path::Path) -> Result<(), Error> {
    #[cfg(unix)]
    if path.extension().is_some_and(|e| e == "sh" || e == "sbatch") {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::Usage(format!("cannot make {} executable: {e}", path.display())))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
