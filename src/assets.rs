//! Files compiled into the binary, so that an installed `darksens` works in any directory: the
//! limit library (`limits/`, with provenance and licences), the shipped scenarios (`configs/`,
//! which `darksens init` writes out) and the reproduction references (`tests/reference/`).
//! `build.rs` lists them; directories on disk add to them (see the library's search path).

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The embedded file at `path` (relative to the repository root, `/`-separated).
#[must_use]
pub fn file(path: &str) -> Option<&'static str> {
    let path = path.strip_prefix("./").unwrap_or(path);
    FILES
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .map(|k| FILES[k].1)
}

/// Every embedded file under the directory `prefix` (e.g. `"configs/"`), in path order.
pub fn under(prefix: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    FILES
        .iter()
        .filter(move |(p, _)| p.starts_with(prefix))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds the library, the scenarios and the references, sorted (the lookup is a
    /// binary search), each equal to the file in the source tree.
    #[test]
    fn the_shipped_files_are_embedded() {
        assert!(FILES.windows(2).all(|w| w[0].0 < w[1].0));
        for path in [
            "configs/belle2_dp.toml",
            "limits/darkcast/NA64_NA642019imj.csv",
            "limits/darkcast/LICENSE-GPL-2.0.txt",
            "tests/reference/dpt/fig3.toml",
        ] {
            let on_disk = std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path),
            )
            .expect("source file");
            assert_eq!(file(path), Some(on_disk.as_str()), "{path}");
        }
        assert!(under("configs/").count() >= 12);
        assert_eq!(file("configs/no_such.toml"), None);
    }
}
