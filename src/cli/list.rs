//! `darksens list`: what a scenario may name.

use darksens::limits::LimitCriterion;
use darksens::materials::Material;
use darksens::models::MediatorKind;
use darksens::published::library::{find_curve, library_root, list_curves};
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
    let _ = Material::known_names();
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
    if let Some(root) = library_root(None) {
        outln!(out, "limit library ({}):", root.display());
        for name in list_curves(&root) {
            match find_curve(Some(&root), &name) {
                Ok(curve) => outln!(
                    out,
                    "  {:<32} {}, {} (arXiv:{})",
                    name,
                    curve.meta.experiment,
                    curve.meta.figure,
                    curve.meta.arxiv
                ),
                Err(e) => outln!(out, "  {name:<32} unreadable: {e}"),
            }
        }
    } else {
        outln!(
            out,
            "limit library: not found (set DARKSENS_LIMITS to the limits/ directory)"
        );
    }
    super::helpers::emit(&out)
}
