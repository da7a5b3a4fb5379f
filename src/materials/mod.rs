//! Target materials: density, radiation length and composition.
//!
//! Built-in values from docs/physics.md §1 (PDG "Atomic and nuclear properties of materials").
//! A scenario may define more (`[[material]]`) by density and composition, with `X0` from Tsai's
//! formula ([`radiation_length`]). Number densities follow from `n = rho N_A / (sum of A)` per
//! formula unit.

/// The density of osmium, the densest element at room temperature, g/cm^3 (22.59; the CRC
/// Handbook of Chemistry and Physics): no material is denser.
pub const DENSEST_ELEMENT_G_CM3: f64 = 22.59;

pub mod compton;
pub mod elements;
pub mod radiation_length;

use std::borrow::Cow;

use crate::units::AVOGADRO_PER_MOL;

/// One nuclear species.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nucleus {
    /// Element symbol, e.g. `"Cs"`.
    pub symbol: &'static str,
    /// Atomic number Z.
    pub z: f64,
    /// Atomic weight in g/mol (the `A` of the formulas: electrons and nuclei per gram).
    pub a: f64,
}

/// One species of a formula unit and how many of its atoms the unit holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constituent {
    /// The nucleus.
    pub nucleus: Nucleus,
    /// Atoms per formula unit (whole numbers for a compound, any positive ratio for a mixture).
    pub atoms: f64,
}

/// A target material.
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    /// Name as written in scenario files (`"CsI"`, `"Pb"`, `"W"`, or a `[[material]]` name).
    pub name: Cow<'static, str>,
    /// Density in g/cm^3.
    pub density_g_cm3: f64,
    /// Radiation length X0 in cm.
    pub radiation_length_cm: f64,
    /// The formula unit: each species once, with its number of atoms.
    pub composition: Cow<'static, [Constituent]>,
}

const CESIUM: Nucleus = Nucleus {
    symbol: "Cs",
    z: 55.0,
    a: 132.905,
};
const IODINE: Nucleus = Nucleus {
    symbol: "I",
    z: 53.0,
    a: 126.904,
};
const LEAD: Nucleus = Nucleus {
    symbol: "Pb",
    z: 82.0,
    a: 207.2,
};
const TUNGSTEN: Nucleus = Nucleus {
    symbol: "W",
    z: 74.0,
    a: 183.84,
};

const SILICON: Nucleus = Nucleus {
    symbol: "Si",
    z: 14.0,
    a: 28.085,
};
const OXYGEN: Nucleus = Nucleus {
    symbol: "O",
    z: 8.0,
    a: 15.999,
};
const CARBON: Nucleus = Nucleus {
    symbol: "C",
    z: 6.0,
    a: 12.011,
};

/// One atom of `nucleus` per formula unit.
const fn one(nucleus: Nucleus) -> Constituent {
    Constituent {
        nucleus,
        atoms: 1.0,
    }
}

/// Caesium iodide, the Belle II ECL crystal: 4.51 g/cm^3, X0 = 1.86 cm (docs/physics.md §1, [DPT Sec. 3.1]).
pub const CSI: Material = Material {
    name: Cow::Borrowed("CsI"),
    density_g_cm3: 4.51,
    radiation_length_cm: 1.86,
    composition: Cow::Borrowed(&[one(CESIUM), one(IODINE)]),
};

/// Lead (NA64 ECAL): 11.35 g/cm^3, X0 = 0.5612 cm (docs/physics.md §1).
pub const LEAD_TARGET: Material = Material {
    name: Cow::Borrowed("Pb"),
    density_g_cm3: 11.35,
    radiation_length_cm: 0.5612,
    composition: Cow::Borrowed(&[one(LEAD)]),
};

/// Tungsten: 19.3 g/cm^3, X0 = 0.3504 cm (docs/physics.md §1).
pub const TUNGSTEN_TARGET: Material = Material {
    name: Cow::Borrowed("W"),
    density_g_cm3: 19.3,
    radiation_length_cm: 0.3504,
    composition: Cow::Borrowed(&[one(TUNGSTEN)]),
};

/// Fused silica (SiO2), the Belle II TOP counter's quartz bars: 2.20 g/cm^3, X0 = 27.05 g/cm^2
/// = 12.30 cm (PDG, "Atomic and nuclear properties of materials": silicon dioxide, fused
/// quartz).
pub const FUSED_SILICA: Material = Material {
    name: Cow::Borrowed("fused-silica"),
    density_g_cm3: 2.20,
    radiation_length_cm: 12.295,
    composition: Cow::Borrowed(&[
        one(SILICON),
        Constituent {
            nucleus: OXYGEN,
            atoms: 2.0,
        },
    ]),
};

/// Diamond (C), a thin positron-beam target: 3.515 g/cm^3, X0 = 42.70 g/cm^2 = 12.15 cm (PDG,
/// "Atomic and nuclear properties of materials": carbon, diamond).
pub const DIAMOND: Material = Material {
    name: Cow::Borrowed("diamond"),
    density_g_cm3: 3.515,
    radiation_length_cm: 12.148,
    composition: Cow::Borrowed(&[one(CARBON)]),
};

/// Every material darksens knows, in the order `darksens list` shows them.
pub const ALL: [Material; 5] = [CSI, LEAD_TARGET, TUNGSTEN_TARGET, FUSED_SILICA, DIAMOND];

impl Material {
    /// Looks a built-in material up by its scenario name (case-sensitive).
    #[must_use]
    pub fn by_name(name: &str) -> Option<Material> {
        ALL.into_iter().find(|m| m.name == name)
    }

    /// Names of the built-in materials, for error messages.
    #[must_use]
    pub fn known_names() -> Vec<&'static str> {
        ALL.iter()
            .map(|m| match m.name {
                Cow::Borrowed(name) => name,
                Cow::Owned(_) => unreachable!("built-in names are static"),
            })
            .collect()
    }

    /// A material given by density and composition, with `X0` from Tsai's formula
    /// ([`radiation_length::compound_radiation_length_g_cm2`]) unless `radiation_length_cm` is
    /// given.
    #[must_use]
    pub fn from_composition(
        name: &str,
        density_g_cm3: f64,
        composition: Vec<Constituent>,
        radiation_length_cm: Option<f64>,
    ) -> Self {
        let radiation_length_cm = radiation_length_cm.unwrap_or_else(|| {
            radiation_length::compound_radiation_length_g_cm2(&composition) / density_g_cm3
        });
        Self {
            name: Cow::Owned(name.to_string()),
            density_g_cm3,
            radiation_length_cm,
            composition: Cow::Owned(composition),
        }
    }

    /// Molar mass of a formula unit, g/mol.
    #[must_use]
    pub fn molar_mass_g_mol(&self) -> f64 {
        self.composition.iter().map(|c| c.atoms * c.nucleus.a).sum()
    }

    /// Number density of formula units in cm^-3 (times `atoms`: of each nucleus species).
    #[must_use]
    pub fn formula_units_per_cm3(&self) -> f64 {
        self.density_g_cm3 * AVOGADRO_PER_MOL / self.molar_mass_g_mol()
    }

    /// Electron number density in cm^-3 (Z summed over the formula unit).
    #[must_use]
    pub fn electrons_per_cm3(&self) -> f64 {
        let electrons: f64 = self.composition.iter().map(|c| c.atoms * c.nucleus.z).sum();
        self.formula_units_per_cm3() * electrons
    }

    /// The formula unit as `(symbol, atoms)` pairs, as the atomic-electron tables take it.
    #[must_use]
    pub fn atoms(&self) -> Vec<(&'static str, f64)> {
        self.composition
            .iter()
            .map(|c| (c.nucleus.symbol, c.atoms))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The built-in materials' nuclei are the element table's (data/atomic/elements.csv, IUPAC
    /// 2021 abridged atomic weights), so a built-in and the same composition given as a
    /// `[[material]]` have the same electrons per gram.
    #[test]
    fn built_in_nuclei_are_the_element_table_s() {
        for material in ALL {
            for constituent in material.composition.iter() {
                let nucleus = constituent.nucleus;
                assert_eq!(
                    Some(nucleus),
                    elements::element(nucleus.symbol),
                    "{} in {}",
                    nucleus.symbol,
                    material.name
                );
            }
        }
    }

    /// docs/physics.md §1 quotes n_e = 1.129e24 cm^-3 and n_N = 1.0454e22 cm^-3 for CsI, and
    /// n_e = 2.705e24 cm^-3 for Pb, each to four significant figures.
    #[test]
    fn number_densities_match_physics_reference() {
        assert_relative_eq!(
            CSI.electrons_per_cm3(),
            1.129e24,
            max_relative = 5e-4,
            epsilon = 0.0
        );
        assert_relative_eq!(
            CSI.formula_units_per_cm3(),
            1.0454e22,
            max_relative = 5e-4,
            epsilon = 0.0
        );
        assert_relative_eq!(
            LEAD_TARGET.electrons_per_cm3(),
            2.705e24,
            max_relative = 5e-4,
            epsilon = 0.0
        );
    }

    /// `X0` from composition (Tsai's formula, the element table's atomic weights) against the
    /// PDG's tabulated values ("Atomic and nuclear properties of materials", g/cm^2): lead
    /// tungstate 7.39, BGO 7.97, polyethylene 44.77, water 36.08, within 1e-3, the rounding of
    /// their three or four printed figures (largest deviation 2.3e-4, BGO).
    #[test]
    fn radiation_length_from_composition_matches_the_pdg() {
        for (formula, pdg_g_cm2) in [
            (&[("Pb", 1.0), ("W", 1.0), ("O", 4.0)][..], 7.39),
            (&[("Bi", 4.0), ("Ge", 3.0), ("O", 12.0)][..], 7.97),
            (&[("C", 1.0), ("H", 2.0)][..], 44.77),
            (&[("H", 2.0), ("O", 1.0)][..], 36.08),
        ] {
            let composition = formula
                .iter()
                .map(|&(symbol, atoms)| Constituent {
                    nucleus: elements::element(symbol).expect("element"),
                    atoms,
                })
                .collect();
            let material = Material::from_composition("test", 1.0, composition, None);
            assert!(
                (material.radiation_length_cm / pdg_g_cm2 - 1.0).abs() < 1e-3,
                "{formula:?}: {} g/cm^2 against {pdg_g_cm2}",
                material.radiation_length_cm
            );
        }
    }

    #[test]
    fn lookup_by_name() {
        assert_eq!(Material::by_name("CsI"), Some(CSI));
        assert_eq!(Material::by_name("csi"), None);
    }
}
