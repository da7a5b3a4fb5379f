//! The structure docs/architecture.md promises, checked: the top-level modules of the library
//! and the modules of the command-line interface each form a DAG (a module never imports from
//! a higher one); the repository cites no document it does not contain; every relative
//! comparison in a test states its absolute margin; a key scan reads the scenario's input files
//! once.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("readable directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The code of a Rust file without comments and without its `#[cfg(test)] mod tests` block
/// (tests may import freely).
fn code_of(path: &Path) -> String {
    let mut text = std::fs::read_to_string(path).expect("source file");
    // The test module's block only (by its braces): code after it is still checked.
    for start in [
        "#[cfg(test)]\nmod tests",
        "#[cfg(test)]\npub(crate) mod tests",
    ] {
        while let Some(at) = text.find(start) {
            let open = at + text[at..].find('{').expect("a module block");
            let mut depth = 0;
            let mut end = text.len();
            for (k, c) in text[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + k + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            text.replace_range(at..end, "");
        }
    }
    // Comments: `//` that does not follow a `:` (a URL in a string stays).
    text.lines()
        .map(|l| {
            l.match_indices("//")
                .find(|(i, _)| !l[..*i].ends_with(':'))
                .map_or(l, |(i, _)| &l[..i])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Names following `prefix` in `code` (e.g. the module after `crate::`), including each
/// first name of a group (`crate::{units::X, numerics::Y}`) and past repeated prefixes
/// (`super::super::x`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let identifier = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        let mut rest = &code[i + prefix.len()..];
        while let Some(after) = rest.strip_prefix(prefix) {
            rest = after;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // The group's entries at its own depth.
            let mut depth = 0;
            let mut entry_start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => entry_start = true,
                    _ if entry_start && !c.is_whitespace() => {
                        names.insert(identifier(&group[k..]));
                        entry_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(identifier(rest));
        }
    }
    names.remove("");
    names
}

/// The layer of each top-level module, from the table of docs/architecture.md ("| 3 |
/// `showers` | ..."), so that the document and the check cannot drift apart.
fn documented_layers() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(root().join("docs/architecture.md")).expect("document");
    let mut layers = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(layer), Some(modules)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Ok(layer) = layer.parse::<u32>() else {
            continue;
        };
        for module in modules.split(',') {
            layers.insert(module.trim().trim_matches('`').to_string(), layer);
        }
    }
    layers
}

/// A cycle of the directed graph, if it has one (depth-first search).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

/// Edges between the modules of a directory: `module -> module it imports` through `prefix`.
fn module_graph(dir: &Path, prefix: &str, skip: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = std::fs::read_dir(dir)
        .expect("directory")
        .flatten()
        .map(|e| {
            e.file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .filter(|n| !skip.contains(&n.as_str()))
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for module in &modules {
        let single = dir.join(format!("{module}.rs"));
        let mut files = Vec::new();
        if single.is_file() {
            files.push(single);
        } else {
            files_under(&dir.join(module), &mut files);
        }
        let imported: BTreeSet<String> = files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rs"))
            .flat_map(|f| names_after(&code_of(f), prefix))
            .filter(|n| modules.contains(n) && n != module)
            .collect();
        edges.insert(module.clone(), imported);
    }
    edges
}

#[test]
fn library_modules_form_a_dag() {
    let edges = module_graph(&root().join("src"), "crate::", &["lib", "main", "cli"]);
    assert!(edges.len() > 10, "{edges:?}");
    assert_eq!(find_cycle(&edges), None, "import cycle among src/ modules");
    // The layer rule of docs/architecture.md: every module has its layer there, and imports
    // only from its own layer or below.
    let layers = documented_layers();
    assert!(layers.len() >= 20, "{layers:?}");
    for (module, imported) in &edges {
        let Some(&own) = layers.get(module) else {
            panic!("src/{module} has no layer in docs/architecture.md");
        };
        for other in imported {
            let theirs = layers[other];
            assert!(
                theirs <= own,
                "{module} (layer {own}) imports {other} (layer {theirs}), a higher layer"
            );
        }
    }
}

/// The import finder sees grouped and nested paths.
#[test]
fn grouped_imports_are_seen() {
    let code = "use crate::{units::A, numerics::{b, c}};\nlet x = super::super::scan::y;";
    let names = names_after(code, "crate::");
    assert_eq!(
        names,
        BTreeSet::from(["units".to_string(), "numerics".to_string()])
    );
    assert!(names_after(code, "super::").contains("scan"));
}

#[test]
fn cli_modules_form_a_dag() {
    let edges = module_graph(&root().join("src/cli"), "super::", &["mod"]);
    assert!(edges.contains_key("helpers") && edges.contains_key("scan"));
    assert_eq!(
        find_cycle(&edges),
        None,
        "import cycle among src/cli/ modules"
    );
    assert!(edges["helpers"].is_empty(), "helpers imports a subcommand");
}

/// The repository explains itself: nothing cites the team's notes or an issue number.
#[test]
fn no_citation_of_documents_outside_the_repository() {
    let mut files = Vec::new();
    for dir in [
        "src", "tests", "configs", "docs", "examples", "benches", "tools", "fuzz", ".ci",
    ] {
        if root().join(dir).is_dir() {
            files_under(&root().join(dir), &mut files);
        }
    }
    files.push(root().join("README.md"));
    // Built from pieces so that this file does not match itself.
    let forbidden = [
        ["PHYSICS", ".md"].concat(),
        ["EMU_", "EQUATIONS"].concat(),
        ["CRATES", ".md"].concat(),
        ["STYLE", ".md"].concat(),
        ["../", "shared"].concat(),
        ["work/", "shared"].concat(),
    ];
    let issue = regex_issue();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for needle in &forbidden {
            assert!(
                !text.contains(needle.as_str()),
                "{} cites {needle}",
                file.display()
            );
        }
        if let Some(found) = issue(&text) {
            panic!("{} cites an issue number: '{found}'", file.display());
        }
    }
}

/// Every `assert_relative_eq!` states its absolute margin: approx's default passes any two
/// numbers closer than `f64::EPSILON`, so a relative check of cross sections in cm^2 (about
/// 1e-30) or of yields per eps^2 at small couplings could not fail. `epsilon = 0.0` makes the
/// check purely relative; a comparison near zero states the margin it needs.
#[test]
fn relative_comparisons_state_their_absolute_margin() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        files_under(&root().join(dir), &mut files);
    }
    // Built from pieces so that this file does not match itself.
    let macro_call = ["assert_relative", "_eq!("].concat();
    let mut missing = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(file).expect("readable");
        for (start, _) in text.match_indices(macro_call.as_str()) {
            let mut depth = 0_i32;
            let mut end = start + macro_call.len() - 1;
            for (k, c) in text[end..].char_indices() {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end += k;
                    break;
                }
            }
            if !text[start..end].contains("epsilon =") {
                let line = text[..start].matches('\n').count() + 1;
                missing.push(format!("{}:{line}", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "relative comparisons without `epsilon = ...`: {missing:?}"
    );
}

/// A finder of an issue number cited as such (the word, a space, digits).
fn regex_issue() -> impl Fn(&str) -> Option<String> {
    |text: &str| {
        let lower = text.to_lowercase();
        for word in ["issue ", "issues "] {
            let word = [word.trim_end(), " "].concat();
            for (i, _) in lower.match_indices(&word) {
                let before = lower[..i].chars().last();
                if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    continue;
                }
                let rest = &lower[i + word.len()..];
                if rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return Some(text[i..(i + word.len() + 3).min(text.len())].to_string());
                }
            }
        }
        None
    }
}

/// A scan of 1000 values of `model.alpha_d` with a Les Houches spectrum reads the event file
/// once: every point is the curve's scenario with one typed field changed, resolved against the
/// inputs the document already read.
#[test]
fn a_key_scan_reads_its_event_file_once() {
    let dir = root().join("tests/fixtures");
    let text = r#"
title = "LHE alpha_D scan"
[source]
kind = "collider-bhabha"
luminosity_ab = 50.0
theta_min_deg = 32.2
theta_max_deg = 128.7
spectrum = { lhe = "radiative_bhabha_1000.lhe.gz", bins = 20 }
[target]
material = "CsI"
[model]
mediator = "dark-photon"
alpha_d = 0.001
mchi_over_mmed = 0.3333333333333333
mass_mev = 60.0
[background]
total = 1.0
[limit]
method = "fixed"
n_signal = 3.0
[numerics]
track_length_intervals = 32
flux_intervals = 32
[scan]
parameter = "model.alpha_d"
log_range = [1e-4, 1.0]
points = 1000
"#
    .to_string();
    let document = darksens::scenario::ScenarioDocument::from_text(
        &dir.join("lhe_alpha_scan.toml"),
        text,
        &[],
    )
    .expect("valid scenario");
    let curves = document.curves().expect("curves");
    assert_eq!(
        document.resolver().files_read(),
        1,
        "validation read it once"
    );
    let results = darksens::pipeline::thick_target::run_scan(&curves).expect("scan");
    assert_eq!(results[0].points.len(), 1000);
    assert_eq!(
        document.resolver().files_read(),
        1,
        "1000 points and the event file is still read once"
    );
    // The limit grows with alpha_D only through the width; every point is a number.
    assert!(results[0].points.iter().all(|p| p.epsilon_limit > 0.0));
}
