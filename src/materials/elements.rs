//! The elements Z = 1-92 by symbol, with their standard atomic weights, for materials given by
//! composition.
//!
//! Table `data/atomic/elements.csv` (embedded in the binary), written by
//! `tools/atomic/make_elements.py` from the IUPAC abridged standard atomic weights 2021
//! (T. Prohaska et al., Pure Appl. Chem. 94 (2022) 573) as the public-domain `periodictable`
//! package gives them; the few elements without a standard weight carry the mass number of
//! their longest-lived isotope. Provenance in `data/atomic/README.md`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::Nucleus;

/// The embedded table: `Z,symbol,name,atomic_weight_g_mol,weight_kind`.
const ELEMENTS_CSV: &str = include_str!("../../data/atomic/elements.csv");

/// The nucleus of element `symbol` (case-sensitive, e.g. `"Si"`), or `None` when the symbol is
/// not one of Z = 1-92.
#[must_use]
pub fn element(symbol: &str) -> Option<Nucleus> {
    table().get(symbol).copied()
}

/// Every element symbol, in order of Z.
#[must_use]
pub fn symbols() -> Vec<&'static str> {
    let mut all: Vec<Nucleus> = table().values().copied().collect();
    all.sort_by(|a, b| a.z.total_cmp(&b.z));
    all.into_iter().map(|n| n.symbol).collect()
}

fn table() -> &'static BTreeMap<&'static str, Nucleus> {
    static TABLE: OnceLock<BTreeMap<&'static str, Nucleus>> = OnceLock::new();
    TABLE.get_or_init(|| parse(ELEMENTS_CSV))
}

/// Parses the embedded table. It is part of the source: a malformed row is a build defect,
/// caught by the tests, so parsing panics with the row.
fn parse(text: &'static str) -> BTreeMap<&'static str, Nucleus> {
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&'static str> = line.split(',').collect();
            let number = |k: usize| -> f64 {
                fields
                    .get(k)
                    .and_then(|f| f.parse().ok())
                    .unwrap_or_else(|| panic!("malformed row of elements.csv: {line}"))
            };
            let nucleus = Nucleus {
                symbol: fields[1],
                z: number(0),
                a: number(3),
            };
            (nucleus.symbol, nucleus)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds Z = 1..92 once each, with masses increasing roughly as 2-2.6 Z (only the
    /// Ar/K, Co/Ni, Te/I and Th/Pa inversions break strict order), and the values the built-in
    /// materials use.
    #[test]
    fn the_table_holds_every_element_once() {
        let symbols = symbols();
        assert_eq!(symbols.len(), 92);
        for (k, symbol) in symbols.iter().enumerate() {
            let n = element(symbol).expect("listed");
            assert!((n.z - (k + 1) as f64).abs() < 1e-12, "{symbol}");
            assert!(
                n.a >= n.z && n.a < 2.7 * n.z + 1.0,
                "{symbol}: A = {} for Z = {}",
                n.a,
                n.z
            );
        }
        for material in crate::materials::ALL {
            for c in material.composition.iter() {
                let n = element(c.nucleus.symbol).expect("built-in elements are listed");
                assert!(
                    (n.z - c.nucleus.z).abs() < 1e-12 && (n.a / c.nucleus.a - 1.0).abs() < 1e-4,
                    "{}: {n:?} against {:?}",
                    material.name,
                    c.nucleus
                );
            }
        }
        assert_eq!(element("si"), None);
        assert_eq!(element("Xx"), None);
    }
}
