//! Compton profiles of bound atomic electrons, per shell: the distribution `J(p_z)` of the
//! component of a bound electron's momentum along a fixed axis (the positron's direction), with
//! the shell's occupation and binding energy. They let resonant annihilation treat the target
//! electrons as bound and moving (the impulse approximation: an electron of shell n has energy
//! `m_e - B_n` and momentum component `p_z` distributed as `J_n`; docs/physics.md, "Bound atomic
//! electrons").
//!
//! The numbers are the Hartree-Fock profiles of Biggs, Mendelsohn and Mann, At. Data Nucl. Data
//! Tables 16 (1975) 201, as the `xraylib` package (4.3.0) gives them, with binding energies from
//! its edge energies; `data/atomic/README.md` says how they were taken, checked and normalised,
//! and `tools/atomic/make_compton_profiles.py` regenerates them. The tables are compiled into the
//! binary, so no file is read at run time.
//!
//! Each profile is per electron and normalised with its tail: `2 int_0^pmax J dp_z + tail = 1`,
//! where the tail beyond `pmax` = 100 a.u. is the model of the data README (a Lorentzian power
//! `J(pmax) ((1 + (p/b)^2)/(1 + (pmax/b)^2))^-k`, or a power `J(pmax) (p/pmax)^-2k`). Inside the
//! grid the profile is the linear interpolant of the table (which reproduces xraylib's own
//! interpolant to 5e-4 where `J > 0.01 J(0)`).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// How the target electrons are treated in resonant annihilation (`target.atomic_electrons`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AtomicElectrons {
    /// At rest, as in [DPT Eq. 4.4]: `s = 2 m_e E_A'`.
    AtRest,
    /// Bound and moving, with the Compton profiles of their shells (neutral atoms): the
    /// default, what a real target has.
    #[default]
    ComptonProfile,
}

/// The profiles, one row per (element, shell, `p_z`) point.
const PROFILES_CSV: &str = include_str!("../../data/atomic/compton_profiles.csv");
/// One row per shell: occupations, binding energy, tail model.
const SHELLS_CSV: &str = include_str!("../../data/atomic/compton_shells.csv");

/// One atomic unit of momentum (`alpha m_e c`) in GeV: `m_e alpha` with the constants of
/// [`crate::units`].
#[must_use]
pub fn atomic_unit_of_momentum_gev() -> f64 {
    crate::units::ELECTRON_MASS_GEV * crate::units::ALPHA
}

/// The profile beyond the last tabulated momentum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tail {
    /// `J(p) = J(pmax) ((1 + (p/b)^2) / (1 + (pmax/b)^2))^-k`.
    LorentzPower {
        /// `b`, atomic units.
        b_au: f64,
        /// `k`.
        k: f64,
    },
    /// `J(p) = J(pmax) (p/pmax)^-2k`.
    Power {
        /// `k`.
        k: f64,
    },
}

/// One shell of one element.
#[derive(Debug, Clone, PartialEq)]
pub struct Shell {
    /// Atomic number.
    pub z: u32,
    /// Element symbol.
    pub element: String,
    /// Subshell name (K, L1, ..., P1).
    pub name: String,
    /// Electrons in the shell of the neutral atom.
    pub occupation: f64,
    /// Electrons in the shell in the ionic picture of CsI (Cs+ I-), where it differs.
    pub occupation_csi_ionic: Option<f64>,
    /// Binding energy, GeV.
    pub binding_energy_gev: f64,
    /// Fraction of the electron beyond the grid (both signs).
    pub tail_fraction: f64,
    /// The profile's momenta, atomic units, from 0 to `pmax`, increasing.
    pz_au: Vec<f64>,
    /// `J` per atomic unit at those momenta.
    j_per_au: Vec<f64>,
    tail: Tail,
}

impl Shell {
    /// `J(p_z)` of one electron, per atomic unit of momentum; even in `p_z`.
    #[must_use]
    pub fn profile_per_au(&self, pz_au: f64) -> f64 {
        let p = pz_au.abs();
        let last = self.pz_au.len() - 1;
        let p_max = self.pz_au[last];
        if p >= p_max {
            let j_max = self.j_per_au[last];
            return match self.tail {
                Tail::LorentzPower { b_au, k } => {
                    j_max * ((1.0 + (p / b_au).powi(2)) / (1.0 + (p_max / b_au).powi(2))).powf(-k)
                }
                Tail::Power { k } => j_max * (p / p_max).powf(-2.0 * k),
            };
        }
        let i = self.pz_au.partition_point(|&x| x <= p).saturating_sub(1);
        self.interpolate(i, p)
    }

    /// As [`Shell::profile_per_au`], starting the search for the interval from `cursor` (the
    /// interval of the previous call, updated): walking is quicker than bisection when the
    /// momenta asked for move little from call to call.
    fn profile_per_au_near(&self, pz_au: f64, cursor: &mut usize) -> f64 {
        let p = pz_au.abs();
        let last = self.pz_au.len() - 1;
        if p >= self.pz_au[last] {
            return self.profile_per_au(p);
        }
        // The largest i with pz_au[i] <= p (pz_au[0] = 0 <= p < pz_au[last]).
        let mut i = (*cursor).min(last - 1);
        while self.pz_au[i] > p {
            i -= 1;
        }
        while self.pz_au[i + 1] <= p {
            i += 1;
        }
        *cursor = i;
        self.interpolate(i, p)
    }

    /// The linear interpolant of the table on its interval `i` at `p`.
    fn interpolate(&self, i: usize, p: f64) -> f64 {
        let (x0, x1) = (self.pz_au[i], self.pz_au[i + 1]);
        let t = (p - x0) / (x1 - x0);
        self.j_per_au[i] + t * (self.j_per_au[i + 1] - self.j_per_au[i])
    }

    /// The tabulated momenta (atomic units, from 0 to `pmax`): the kinks of the linear
    /// interpolant, break points for integrals over the profile.
    #[must_use]
    pub fn nodes_au(&self) -> &[f64] {
        &self.pz_au
    }

    /// The last tabulated momentum, atomic units.
    #[must_use]
    pub fn p_max_au(&self) -> f64 {
        self.pz_au[self.pz_au.len() - 1]
    }
}

/// Which occupations an ionic compound's shells take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupations {
    /// Those of the neutral atoms (the only ones Biggs et al. tabulate).
    NeutralAtoms,
    /// CsI as Cs+ I-: the caesium 6s electron on iodine's 5p shell (same profiles).
    Ionic,
}

/// The target electrons of a material as the resonance sees them: the distribution of
/// `mu = E_e - p_z`, the energy of a bound electron minus its momentum along the positron,
/// weighted by the flux factor `mu / E_e`.
///
/// In the impulse approximation an electron of shell n has `E_e = m_e - B_n` and `p_z`
/// distributed as `J_n`; then `s = (p_+ + p_-)^2 = 2 mu E_A'` up to terms of relative size
/// `p^2/(m_e E_A') < 1e-5`, with `E_A' = E' + m_e` as for an electron at rest (`mu = m_e`), and
/// the number of annihilations per unit path is `n_e sigma(s) mu / E_e` (the invariant flux
/// `p_+ . p_- = mu E'` over `E_+ E_-`). So
/// `rho(mu) = sum_n w_n J_n(E_n - mu) mu / E_n`, with `w_n` the fraction of the material's
/// electrons in shell n, and electrons at rest are `rho = delta(mu - m_e)`. Because `J_n` is
/// even, `integral rho dmu = 1` (less the far tails dropped, [`ElectronMomenta::norm`]).
///
/// Tabulated on the union of every shell's nodes, where the sum of the piecewise-linear
/// profiles is exact (the factor `mu/E_n` adds a curvature of relative size `(dmu/m_e)^2`).
#[derive(Debug, Clone, PartialEq)]
pub struct ElectronMomenta {
    mu_gev: Vec<f64>,
    density_per_gev: Vec<f64>,
    /// `E_n` of every shell (GeV) with its share of the electrons: the peaks of the distribution.
    peaks: Vec<(f64, f64)>,
    /// `integral rho dmu` from the first node to each node.
    cumulative: Vec<f64>,
    norm: f64,
}

/// Momenta beyond `E_n - MU_MIN_OVER_ME m_e` (and as far on the other side) are dropped: there
/// `mu` would approach zero, where the impulse approximation means nothing; the fraction lost is
/// below 1e-4 of the electrons in CsI and about 1e-3 in lead ([`ElectronMomenta::norm`]).
const MU_MIN_OVER_ME: f64 = 0.02;

/// Points of `mu` per parallel chunk when the distribution is tabulated.
const DENSITY_CHUNK: usize = 1024;

impl ElectronMomenta {
    /// The electrons of a formula unit given as `(symbol, atoms)` pairs; `None` when an element
    /// has no tabulated profiles ([`elements`] lists those that have).
    #[must_use]
    pub fn of_atoms(atoms: &[(&str, f64)], occupations: Occupations) -> Option<Self> {
        let m_e = crate::units::ELECTRON_MASS_GEV;
        let au = atomic_unit_of_momentum_gev();
        let mut shells_used: Vec<(&Shell, f64)> = Vec::new();
        for &(symbol, count) in atoms {
            let shells = shells(symbol)?;
            for shell in shells {
                let n = count
                    * match occupations {
                        Occupations::Ionic => {
                            shell.occupation_csi_ionic.unwrap_or(shell.occupation)
                        }
                        Occupations::NeutralAtoms => shell.occupation,
                    };
                if n > 0.0 {
                    shells_used.push((shell, n));
                }
            }
        }
        let electrons: f64 = shells_used.iter().map(|(_, n)| n).sum();
        let mut mu: Vec<f64> = Vec::new();
        let mut peaks = Vec::new();
        for (shell, n) in &shells_used {
            let e_n = m_e - shell.binding_energy_gev;
            let p_cut = (e_n - MU_MIN_OVER_ME * m_e) / au;
            let tail_nodes = (1..=16)
                .map(|k| shell.p_max_au() + (p_cut - shell.p_max_au()) * f64::from(k) / 16.0);
            for p in shell.nodes_au().iter().copied().chain(tail_nodes) {
                if p <= p_cut {
                    mu.push(e_n - p * au);
                    mu.push(e_n + p * au);
                }
            }
            peaks.push((e_n, n / electrons));
        }
        mu.sort_by(f64::total_cmp);
        mu.dedup_by(|a, b| (*a - *b).abs() <= 1e-15 * b.abs());
        // Every shell at every point (some 4e5 profile values for CsI): in chunks side by
        // side, each walking along every shell's table from the previous point.
        let density_per_gev: Vec<f64> = mu
            .par_chunks(DENSITY_CHUNK)
            .flat_map_iter(|chunk| {
                let mut cursors = vec![0_usize; shells_used.len()];
                chunk
                    .iter()
                    .map(|&m| {
                        shells_used
                            .iter()
                            .zip(cursors.iter_mut())
                            .map(|((shell, n), cursor)| {
                                let e_n = m_e - shell.binding_energy_gev;
                                let p_au = (e_n - m) / au;
                                if p_au.abs() * au > e_n - MU_MIN_OVER_ME * m_e {
                                    0.0
                                } else {
                                    n / electrons * shell.profile_per_au_near(p_au, cursor) / au * m
                                        / e_n
                                }
                            })
                            .sum::<f64>()
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        Some(Self::from_table(mu, density_per_gev, peaks))
    }

    /// A distribution given as a table: `rho` per GeV at increasing `mu_gev` (linear in
    /// between), and the peaks with their weights (break points for integrals over it). Used
    /// for distributions other than the tabulated atoms' (a narrow one tends to electrons at
    /// rest).
    ///
    /// # Panics
    /// If the table has fewer than two points, or `mu_gev` does not increase.
    #[must_use]
    pub fn from_table(mu_gev: Vec<f64>, density_per_gev: Vec<f64>, peaks: Vec<(f64, f64)>) -> Self {
        assert!(mu_gev.len() >= 2 && mu_gev.len() == density_per_gev.len());
        assert!(mu_gev.windows(2).all(|w| w[1] > w[0]));
        let mut cumulative = Vec::with_capacity(mu_gev.len());
        let mut total = 0.0;
        cumulative.push(total);
        for (x, y) in mu_gev.windows(2).zip(density_per_gev.windows(2)) {
            total += 0.5 * (x[1] - x[0]) * (y[0] + y[1]);
            cumulative.push(total);
        }
        Self {
            mu_gev,
            density_per_gev,
            peaks,
            cumulative,
            norm: total,
        }
    }

    /// `rho(mu)` per GeV (zero outside the tabulated range).
    #[must_use]
    pub fn density_per_gev(&self, mu_gev: f64) -> f64 {
        let last = self.mu_gev.len() - 1;
        if !(mu_gev > self.mu_gev[0] && mu_gev < self.mu_gev[last]) {
            return 0.0;
        }
        let i = self.mu_gev.partition_point(|&x| x <= mu_gev) - 1;
        let t = (mu_gev - self.mu_gev[i]) / (self.mu_gev[i + 1] - self.mu_gev[i]);
        self.density_per_gev[i] + t * (self.density_per_gev[i + 1] - self.density_per_gev[i])
    }

    /// `integral_a^b rho dmu`, exact for the piecewise-linear table (zero outside its range).
    #[must_use]
    pub fn integral_between(&self, mu_a_gev: f64, mu_b_gev: f64) -> f64 {
        self.cumulative(mu_b_gev) - self.cumulative(mu_a_gev)
    }

    /// `integral_{-inf}^mu rho dmu'`, exact for the piecewise-linear table.
    fn cumulative(&self, mu_gev: f64) -> f64 {
        let x = &self.mu_gev;
        let last = x.len() - 1;
        if mu_gev <= x[0] {
            return 0.0;
        }
        let mu = mu_gev.min(x[last]);
        let i = (x.partition_point(|&v| v <= mu) - 1).min(last - 1);
        self.cumulative_within(i, mu)
    }

    /// `integral_{-inf}^mu rho dmu'` for `mu` in the table's interval `i`: the cumulative at its
    /// start plus the exact integral of the linear piece.
    fn cumulative_within(&self, i: usize, mu: f64) -> f64 {
        let (x, y) = (&self.mu_gev, &self.density_per_gev);
        let t = mu - x[i];
        let slope = (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
        self.cumulative[i] + t * (y[i] + 0.5 * slope * t)
    }

    /// `integral_{-inf}^mu rho dmu'` at each of `mu_gev` (increasing), as
    /// [`ElectronMomenta::integral_between`] gives it, found by one walk along the table
    /// instead of a search per point.
    ///
    /// # Panics
    /// If `mu_gev` does not increase.
    #[must_use]
    pub fn cumulative_at_increasing(&self, mu_gev: &[f64]) -> Vec<f64> {
        assert!(mu_gev.windows(2).all(|w| w[1] >= w[0]), "increasing points");
        let x = &self.mu_gev;
        let last = x.len() - 1;
        let mut i = 0;
        mu_gev
            .iter()
            .map(|&mu_asked| {
                if mu_asked <= x[0] {
                    return 0.0;
                }
                let mu = mu_asked.min(x[last]);
                // The largest i < last with x[i] <= mu, as `cumulative` finds it.
                while i + 1 < last && x[i + 1] <= mu {
                    i += 1;
                }
                self.cumulative_within(i, mu)
            })
            .collect()
    }

    /// `integral rho dmu`: 1 less the fraction of electrons in the dropped far tails.
    #[must_use]
    pub fn norm(&self) -> f64 {
        self.norm
    }

    /// The range of `mu` covered, GeV.
    #[must_use]
    pub fn range_gev(&self) -> (f64, f64) {
        (self.mu_gev[0], self.mu_gev[self.mu_gev.len() - 1])
    }

    /// The energies `E_n` of the shells (GeV), where the distribution peaks, with their weights.
    #[must_use]
    pub fn peaks(&self) -> &[(f64, f64)] {
        &self.peaks
    }
}

/// The electrons of a formula unit of `(symbol, atoms)` (neutral atoms), built once per formula
/// and shared between the curves and threads of a run; `None` when an element has no tabulated
/// profiles.
///
/// The store is locked only to look up and to insert, never while building: the build runs in
/// parallel, and a thread waiting there may take up other work that asks for electrons (a lock
/// held across it deadlocks). Two threads asking for the same new formula at once both build
/// it (the same values) and the first stored is kept.
#[must_use]
pub fn electron_momenta_of(atoms: &[(&str, f64)]) -> Option<Arc<ElectronMomenta>> {
    type Formula = Vec<(String, u64)>;
    static BUILT: OnceLock<Mutex<BTreeMap<Formula, Arc<ElectronMomenta>>>> = OnceLock::new();
    let key: Formula = atoms
        .iter()
        .map(|(s, n)| ((*s).to_string(), n.to_bits()))
        .collect();
    let store = || {
        BUILT
            .get_or_init(|| Mutex::new(BTreeMap::new()))
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(found) = store().get(&key) {
        return Some(Arc::clone(found));
    }
    let momenta = Arc::new(ElectronMomenta::of_atoms(atoms, Occupations::NeutralAtoms)?);
    Some(Arc::clone(store().entry(key).or_insert(momenta)))
}

/// The shells of every tabulated element, by symbol: the shell table is read on first use, each
/// element's profiles (30 000 rows in all) only when that element is first asked for.
fn table() -> &'static BTreeMap<String, OnceLock<Vec<Shell>>> {
    static TABLE: OnceLock<BTreeMap<String, OnceLock<Vec<Shell>>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let (header, rows) = csv_rows(SHELLS_CSV);
        let element = column(&header, "element");
        rows.iter()
            .map(|row| (row[element].to_string(), OnceLock::new()))
            .collect()
    })
}

/// The shells of `element` (a symbol such as `"Cs"`), or `None` when it is not tabulated.
#[must_use]
pub fn shells(element: &str) -> Option<&'static [Shell]> {
    table().get(element).map(|cell| {
        cell.get_or_init(|| parse_element(element, SHELLS_CSV, PROFILES_CSV))
            .as_slice()
    })
}

/// Whether `element` has tabulated profiles (without reading them).
#[must_use]
pub fn has_profiles(element: &str) -> bool {
    table().contains_key(element)
}

/// The tabulated element symbols.
#[must_use]
pub fn elements() -> Vec<&'static str> {
    table().keys().map(String::as_str).collect()
}

/// The header and the rows of an embedded table, split at commas.
fn csv_rows(text: &'static str) -> (Vec<&'static str>, Vec<Vec<&'static str>>) {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().unwrap_or_default().split(',').collect();
    (header, lines.map(|l| l.split(',').collect()).collect())
}

/// The position of column `name` in `header`.
fn column(header: &[&str], name: &str) -> usize {
    header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("column {name} missing in the atomic tables"))
}

/// The number in column `k` of `row`.
fn number(row: &[&str], k: usize) -> f64 {
    row[k]
        .parse()
        .unwrap_or_else(|_| panic!("not a number in column {k} of {row:?}"))
}

/// Parses one element's shells and profiles from the two embedded tables. They are part of the
/// source: a malformed row is a build defect, caught by the tests, so parsing panics with the row
/// instead of returning an error.
fn parse_element(symbol: &str, shells_csv: &'static str, profiles_csv: &'static str) -> Vec<Shell> {
    let (shell_header, shell_rows) = csv_rows(shells_csv);
    let c = |name| column(&shell_header, name);
    let (z, element, name, occupation, ionic, binding, tail_kind, tail_b, tail_k, tail_fraction) = (
        c("Z"),
        c("element"),
        c("shell"),
        c("occupation"),
        c("occupation_csi_ionic"),
        c("binding_energy_kev"),
        c("tail_kind"),
        c("tail_b_au"),
        c("tail_k"),
        c("tail_fraction"),
    );
    let mut shells: Vec<Shell> = shell_rows
        .iter()
        .filter(|row| row[element] == symbol)
        .map(|row| {
            let tail = match row[tail_kind] {
                "lorentz_power" => Tail::LorentzPower {
                    b_au: number(row, tail_b),
                    k: number(row, tail_k),
                },
                "power" => Tail::Power {
                    k: number(row, tail_k),
                },
                other => panic!("unknown tail model {other} in {row:?}"),
            };
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "atomic numbers are small positive integers"
            )]
            Shell {
                z: number(row, z) as u32,
                element: row[element].to_string(),
                name: row[name].to_string(),
                occupation: number(row, occupation),
                occupation_csi_ionic: (!row[ionic].is_empty()).then(|| number(row, ionic)),
                binding_energy_gev: number(row, binding) * 1e-6,
                tail_fraction: number(row, tail_fraction),
                pz_au: Vec::new(),
                j_per_au: Vec::new(),
                tail,
            }
        })
        .collect();
    let mut lines = profiles_csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let c = |name| column(&header, name);
    let (element_p, shell_p, pz, j) = (c("element"), c("shell"), c("pz_au"), c("J_per_au"));
    assert!(
        header.starts_with(&["Z", "element"]),
        "the profile table must start with the columns Z,element"
    );
    // The rows are grouped by element: start at the element's first row (found by a substring
    // search of `Z,symbol,`, far quicker than splitting every row) and stop after its last.
    let z_first = shells.first().map_or(0, |s| s.z);
    let prefix = format!("\n{z_first},{symbol},");
    let start = profiles_csv
        .find(&prefix)
        .map_or(profiles_csv.len(), |i| i + 1);
    for line in profiles_csv[start..].lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.split(',').nth(element_p) != Some(symbol) {
            break;
        }
        let row: Vec<&str> = line.split(',').collect();
        let shell = shells
            .iter_mut()
            .find(|s| s.name == row[shell_p])
            .unwrap_or_else(|| panic!("profile row of an unknown shell: {row:?}"));
        shell.pz_au.push(number(&row, pz));
        shell.j_per_au.push(number(&row, j));
    }
    if let Some(empty) = shells.iter().find(|s| s.pz_au.len() < 2) {
        panic!("no profile rows for shell {} of {symbol}", empty.name);
    }
    shells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::{Tolerance, integrate};
    use std::f64::consts::PI;

    /// The hydrogen 1s profile has the closed form `J(q) = 8 / (3 pi (1 + q^2)^3)` (atomic
    /// units; e.g. Biggs et al. 1975, or any text on Compton scattering): the table reproduces
    /// it to its three significant figures (half a unit of the third is at most 5e-3 relative).
    #[test]
    fn hydrogen_matches_its_closed_form() {
        let h = &shells("H").expect("hydrogen tabulated")[0];
        for q in [0.0, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0, 4.0] {
            let exact = 8.0 / (3.0 * PI * (1.0_f64 + q * q).powi(3));
            let ours = h.profile_per_au(q);
            assert!(
                (ours / exact - 1.0).abs() < 5e-3,
                "q = {q}: table {ours}, closed form {exact}"
            );
        }
    }

    /// Every shell holds one electron: the interpolant over the grid (integrated adaptively
    /// between its nodes, both signs) plus the tail model (integrated numerically out to where
    /// it is negligible) is 1 to 2e-4, and the tail integral agrees with the table's
    /// `tail_fraction` (computed by the generator in closed form) to 2e-4 of an electron.
    #[test]
    fn every_shell_holds_one_electron() {
        for element in elements() {
            for shell in shells(element).expect("listed") {
                let tol = Tolerance::relative(1e-9);
                let core = integrate(|p| shell.profile_per_au(p), shell.nodes_au(), tol);
                let p_max = shell.p_max_au();
                // The tail in u = ln(p / pmax) out to pmax e^12 (the power tails fall at least
                // as p^-4 there, leaving < 1e-15).
                let tail = integrate(
                    |u: f64| {
                        let p = p_max * u.exp();
                        p * shell.profile_per_au(p)
                    },
                    &[0.0, 1.0, 3.0, 6.0, 12.0],
                    tol,
                );
                assert!(core.converged && tail.converged, "{element} {}", shell.name);
                let total = 2.0 * (core.value + tail.value);
                assert!(
                    (total - 1.0).abs() < 2e-4,
                    "{element} {}: {total}",
                    shell.name
                );
                assert!(
                    (2.0 * tail.value - shell.tail_fraction).abs() < 2e-4,
                    "{element} {}: tail {} against {}",
                    shell.name,
                    2.0 * tail.value,
                    shell.tail_fraction
                );
            }
        }
    }

    /// The occupations add up to Z for every element, also in the ionic picture of CsI (Cs+ I-
    /// has the 6s electron of Cs on iodine: 108 electrons either way).
    #[test]
    fn occupations_add_up_to_the_atomic_number() {
        for element in elements() {
            let all = shells(element).expect("listed");
            let sum: f64 = all.iter().map(|s| s.occupation).sum();
            assert_eq!(sum, f64::from(all[0].z), "{element}");
        }
        let ionic = |element: &str| -> f64 {
            shells(element)
                .expect("tabulated")
                .iter()
                .map(|s| s.occupation_csi_ionic.unwrap_or(s.occupation))
                .sum()
        };
        assert_eq!((ionic("Cs"), ionic("I")), (54.0, 54.0));
    }

    /// The cumulative distribution by one walk equals the one found point by point, below,
    /// across and beyond the table.
    #[test]
    fn the_cumulative_by_one_walk_matches_the_searches() {
        let electrons =
            ElectronMomenta::of_atoms(&[("Cs", 1.0), ("I", 1.0)], Occupations::NeutralAtoms)
                .expect("tabulated");
        let (lo, hi) = electrons.range_gev();
        let points: Vec<f64> = (0..=3000)
            .map(|k| lo - 1e-4 + (hi - lo + 2e-4) * f64::from(k) / 3000.0)
            .collect();
        let walked = electrons.cumulative_at_increasing(&points);
        for (mu, c) in points.iter().zip(&walked) {
            assert_eq!(
                c.to_bits(),
                electrons.cumulative(*mu).to_bits(),
                "mu = {mu}"
            );
        }
    }

    /// The walking search finds the same interval as bisection, whatever the order of the
    /// momenta asked for (both signs, inside and beyond the table).
    #[test]
    fn walking_from_the_last_interval_matches_bisection() {
        let shell = &shells("I").unwrap()[3];
        let mut cursor = 0;
        let mut p = 0.0_f64;
        for k in 0..2000 {
            // A scrambled walk over [-1.2 pmax, 1.2 pmax], with runs up and down.
            p = ((p + 0.37 * f64::from(k % 7) - 1.1) * 1.7).sin() * 1.2 * shell.p_max_au();
            assert_eq!(
                shell.profile_per_au_near(p, &mut cursor).to_bits(),
                shell.profile_per_au(p).to_bits(),
                "p_z = {p}"
            );
        }
    }

    /// The K shell of caesium: binding energy 35.98 keV (the K edge) and an rms momentum of
    /// about a quarter of `m_e` (the Dirac-Coulomb 1s value for Z = 55 is 0.276 m_e, a few per
    /// cent above the screened Hartree-Fock one); the outer 6s electron is 100 times narrower.
    #[test]
    fn caesium_k_shell_is_fast_and_its_outer_electron_slow() {
        let cs = shells("Cs").expect("tabulated");
        let rms_over_me = |shell: &Shell| {
            let second = integrate(
                |p| p * p * shell.profile_per_au(p),
                shell.nodes_au(),
                Tolerance::relative(1e-9),
            )
            .value;
            // The tail's second moment, to pmax e^12 in u = ln(p/pmax).
            let tail = integrate(
                |u: f64| {
                    let p = shell.p_max_au() * u.exp();
                    p * p * p * shell.profile_per_au(p)
                },
                &[0.0, 1.0, 3.0, 6.0, 12.0],
                Tolerance::relative(1e-9),
            )
            .value;
            (2.0 * (second + tail)).sqrt() * crate::units::ALPHA
        };
        let k = &cs[0];
        assert_eq!(k.name, "K");
        assert!((k.binding_energy_gev / 35.98e-6 - 1.0).abs() < 1e-3);
        let k_rms = rms_over_me(k);
        assert!((0.24..0.28).contains(&k_rms), "{k_rms}");
        let outer = cs.last().expect("shells");
        assert!(rms_over_me(outer) < 0.01, "{}", rms_over_me(outer));
    }

    /// The light-cone distribution of CsI holds all 108 electrons per formula unit, less the far
    /// tails it drops (below 1e-3), in both occupation pictures; at rest it would be one point.
    #[test]
    fn csi_electrons_are_all_there() {
        for occupations in [Occupations::NeutralAtoms, Occupations::Ionic] {
            let csi = ElectronMomenta::of_atoms(&[("Cs", 1.0), ("I", 1.0)], occupations)
                .expect("tabulated");
            assert!((csi.norm() - 1.0).abs() < 1e-3, "{}", csi.norm());
            let weights: f64 = csi.peaks().iter().map(|(_, w)| w).sum();
            assert!((weights - 1.0).abs() < 1e-12, "{weights}");
        }
        assert!(ElectronMomenta::of_atoms(&[("Xx", 1.0)], Occupations::NeutralAtoms).is_none());
    }

    /// For hydrogen (`E_e = m_e - 13.6 eV`) `rho(mu) E_e / mu = J(E_e - mu)`, whose integral is
    /// the closed-form distribution function of the 1s profile,
    /// `F(q) = 1/2 + (atan q + q/(1 + q^2) + (2/3) q/(1 + q^2)^2)/pi`: the tabulated
    /// distribution integrates to it to 2e-3 (the table's three figures) over every interval.
    #[test]
    fn hydrogen_distribution_integrates_to_its_closed_form() {
        let h =
            ElectronMomenta::of_atoms(&[("H", 1.0)], Occupations::NeutralAtoms).expect("tabulated");
        let au = atomic_unit_of_momentum_gev();
        let e_e = crate::units::ELECTRON_MASS_GEV - 13.6e-9;
        let cdf = |q: f64| {
            0.5 + (q.atan() + q / (1.0 + q * q) + 2.0 / 3.0 * q / (1.0 + q * q).powi(2)) / PI
        };
        for (q1, q2) in [
            (-3.0, -1.0),
            (-1.0, 0.0),
            (-0.3, 0.3),
            (0.0, 0.5),
            (0.5, 2.0),
            (2.0, 10.0),
        ] {
            // p_z = q au, mu = E_e - p_z: the interval [q1, q2] is mu in [E_e - q2 au, E_e - q1 au].
            let ours = integrate(
                |mu| h.density_per_gev(mu) * e_e / mu,
                &[e_e - q2 * au, e_e - q1 * au],
                Tolerance::relative(1e-10),
            )
            .value;
            let exact = cdf(q2) - cdf(q1);
            assert!(
                (ours - exact).abs() < 2e-3 * exact.max(1e-2),
                "[{q1}, {q2}]: {ours} against {exact}"
            );
        }
    }
}
