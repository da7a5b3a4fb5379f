//! Target materials: density, radiation length and nuclear composition.
//!
//! Values from docs/physics.md §1 (PDG "Atomic and nuclear properties of materials"). Number
//! densities follow from `n = rho N_A / (sum of A)` per formula unit.

pub mod compton;
pub mod radiation_length;

use crate::units::AVOGADRO_PER_MOL;

/// One nuclear species in a formula unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nucleus {
    /// Element symbol, e.g. `"Cs"`.
    pub symbol: &'static str,
    /// Atomic number Z.
    pub z: f64,
    /// Mass number A (atomic mass in g/mol).
    pub a: f64,
}

/// A target material.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Material {
    /// Name as written in scenario files (`"CsI"`, `"Pb"`, `"W"`).
    pub name: &'static str,
    /// Density in g/cm^3.
    pub density_g_cm3: f64,
    /// Radiation length X0 in cm.
    pub radiation_length_cm: f64,
    /// Nuclei of one formula unit (one entry per atom).
    pub nuclei: &'static [Nucleus],
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
    a: 28.0855,
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

/// Caesium iodide, the Belle II ECL crystal: 4.51 g/cm^3, X0 = 1.86 cm (docs/physics.md §1, [DPT Sec. 3.1]).
pub const CSI: Material = Material {
    name: "CsI",
    density_g_cm3: 4.51,
    radiation_length_cm: 1.86,
    nuclei: &[CESIUM, IODINE],
};

/// Lead (NA64 ECAL): 11.35 g/cm^3, X0 = 0.5612 cm (docs/physics.md §1).
pub const LEAD_TARGET: Material = Material {
    name: "Pb",
    density_g_cm3: 11.35,
    radiation_length_cm: 0.5612,
    nuclei: &[LEAD],
};

/// Tungsten: 19.3 g/cm^3, X0 = 0.3504 cm (docs/physics.md §1).
pub const TUNGSTEN_TARGET: Material = Material {
    name: "W",
    density_g_cm3: 19.3,
    radiation_length_cm: 0.3504,
    nuclei: &[TUNGSTEN],
};

/// Fused silica (SiO2), the Belle II TOP counter's quartz bars: 2.20 g/cm^3, X0 = 27.05 g/cm^2
/// = 12.30 cm (PDG, "Atomic and nuclear properties of materials": silicon dioxide, fused
/// quartz).
pub const FUSED_SILICA: Material = Material {
    name: "fused-silica",
    density_g_cm3: 2.20,
    radiation_length_cm: 12.295,
    nuclei: &[SILICON, OXYGEN, OXYGEN],
};

/// Diamond (C), a thin positron-beam target: 3.515 g/cm^3, X0 = 42.70 g/cm^2 = 12.15 cm (PDG,
/// "Atomic and nuclear properties of materials": carbon, diamond).
pub const DIAMOND: Material = Material {
    name: "diamond",
    density_g_cm3: 3.515,
    radiation_length_cm: 12.148,
    nuclei: &[CARBON],
};

/// Every material darksens knows, in the order `darksens list` shows them.
pub const ALL: [Material; 5] = [CSI, LEAD_TARGET, TUNGSTEN_TARGET, FUSED_SILICA, DIAMOND];

impl Material {
    /// Looks a material up by its scenario name (case-sensitive).
    #[must_use]
    pub fn by_name(name: &str) -> Option<Material> {
        ALL.into_iter().find(|m| m.name == name)
    }

    /// Names of all known materials, for error messages.
    #[must_use]
    pub fn known_names() -> Vec<&'static str> {
        ALL.iter().map(|m| m.name).collect()
    }

    /// Number density of formula units in cm^-3 (= of each nucleus species).
    #[must_use]
    pub fn formula_units_per_cm3(&self) -> f64 {
        let molar_mass: f64 = self.nuclei.iter().map(|n| n.a).sum();
        self.density_g_cm3 * AVOGADRO_PER_MOL / molar_mass
    }

    /// Electron number density in cm^-3 (Z summed over the formula unit).
    #[must_use]
    pub fn electrons_per_cm3(&self) -> f64 {
        let electrons: f64 = self.nuclei.iter().map(|n| n.z).sum();
        self.formula_units_per_cm3() * electrons
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// docs/physics.md §1 quotes n_e = 1.129e24 cm^-3 and n_N = 1.0454e22 cm^-3 for CsI, and
    /// n_e = 2.705e24 cm^-3 for Pb, each to four significant figures.
    #[test]
    fn number_densities_match_physics_reference() {
        assert_relative_eq!(CSI.electrons_per_cm3(), 1.129e24, max_relative = 5e-4);
        assert_relative_eq!(CSI.formula_units_per_cm3(), 1.0454e22, max_relative = 5e-4);
        assert_relative_eq!(
            LEAD_TARGET.electrons_per_cm3(),
            2.705e24,
            max_relative = 5e-4
        );
    }

    #[test]
    fn lookup_by_name() {
        assert_eq!(Material::by_name("CsI"), Some(CSI));
        assert_eq!(Material::by_name("csi"), None);
    }
}
