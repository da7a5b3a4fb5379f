//! Embeds the files an installed binary needs without the source tree: the limit library
//! (`limits/`, with its provenance and licence texts), the shipped scenarios (`configs/`), the
//! reproduction references (`tests/reference/`), the documentation (`docs/*.md`; `darksens
//! init` writes the documents the scenarios and error hints cite) and the Slurm scripts
//! (`examples/slurm/`, which `init` writes too). They become `src/assets.rs`'s
//! table, in sorted order so that builds are reproducible.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const EMBEDDED_DIRS: [&str; 5] = [
    "limits",
    "configs",
    "tests/reference",
    "docs",
    "examples/slurm",
];

fn collect(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, found);
        } else if std::fs::read_to_string(&path).is_ok() {
            found.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let mut files = Vec::new();
    for dir in EMBEDDED_DIRS {
        println!("cargo:rerun-if-changed={dir}");
        collect(&root.join(dir), &mut files);
    }
    let mut entries: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(&root)
                .expect("under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (relative, path)
        })
        .collect();
    // Sorted as strings: the lookup is a binary search on them.
    entries.sort();
    let mut table = String::from(
        "/// Every embedded file: its path relative to the repository root (with `/`), and its text.\n\
         pub static FILES: &[(&str, &str)] = &[\n",
    );
    for (relative, path) in &entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            table,
            "    ({relative:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("out dir")).join("assets.rs");
    std::fs::write(out, table).expect("write the asset table");
}
