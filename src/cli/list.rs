//! `darksens list`: what a scenario may name.

use darksens::limits::LimitCriterion;
use darksens::models::MediatorKind;
use darksens::published::library::{BUILT_IN_NAME, all_curves, find_curve, library_dirs};
use darksens::scenario::raw::SourceKind;

/// Prints materials, mediators, source kinds, limit methods and library curves.
pub fn run() -> Result<(), darksens::error::Error> {
    let mut out = String::new();
    outln!(
        out,
        "materials (target.material, and target.layer for layers in front; define others with [[material]], docs/scenario.md):"
    );
    let width = darksens::materials::ALL
        .iter()
        .map(|m| m.name.len())
        .max()
        .unwrap_or(0);
    for m in darksens::materials::ALL {
        outln!(
            out,
            "  {:<width$} {:>6} g/cm^3, X0 = {} cm, electrons {:.4e} cm^-3",
            m.name,
            m.density_g_cm3,
            m.radiation_length_cm,
            m.electrons_per_cm3()
        );
    }
    outln!(
        out,
        "mediators (model.mediator): {}",
        MediatorKind::NAMES.join(", ")
    );
    outln!(
        out,
        "source kinds (source.kind): {}, {} (an emulsion scenario: docs/scenario.md)",
        SourceKind::NAMES.join(", "),
        darksens::scenario::emulsion::SOURCE_KIND
    );
    outln!(
        out,
        "collider spectra (source.spectrum): bhabha, radiative-bhabha, {{ table = ... }}, {{ lhe = ... }}, {{ generator = \"radiative-bhabha\", ... }}"
    );
    outln!(
        out,
        "emulsion models (model.kind): inelastic-scalar, production on-shell | off-shell; scan keys: {}",
        darksens::scenario::emulsion::GridParameter::ALL
            .iter()
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(", ")
    );
    outln!(
        out,
        "limit methods (limit.method): {}",
        LimitCriterion::NAMES.join(", ")
    );
    outln!(
        out,
        "bremsstrahlung methods (bremsstrahlung.method): computed, rescaled-limit, none"
    );
    let dirs = library_dirs(None);
    let mut places: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    places.push(BUILT_IN_NAME.to_string());
    outln!(
        out,
        "limit library (searched in order: {}; add curves with DARKSENS_LIMITS or ./limits):",
        places.join(", ")
    );
    for (name, place) in all_curves(&dirs) {
        match find_curve(&dirs, &name) {
            Ok(curve) => outln!(
                out,
                "  {:<32} {}, {}{}{}",
                name,
                curve.meta.experiment,
                curve.meta.figure,
                // An imported curve may have no arXiv number.
                if curve.meta.arxiv.is_empty() {
                    String::new()
                } else {
                    format!(" (arXiv:{})", curve.meta.arxiv)
                },
                if place == BUILT_IN_NAME {
                    String::new()
                } else {
                    format!(" [{place}]")
                }
            ),
            Err(e) => outln!(out, "  {name:<32} unreadable: {e}"),
        }
    }
    super::helpers::emit(&out)
}
