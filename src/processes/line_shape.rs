//! The resonance as one positron of a beam sees it: the cross section at a given lab energy,
//! spread by everything that moves `s` away from `2 m_e E_A'` at fixed energy.
//!
//! A positron of lab energy `E'` (`E_A' = E' + m_e`) on an electron at rest makes
//! `s = 2 m_e E_A'`. Three independent effects multiply it by a random factor `e^z`:
//! - the target electron's motion, `z = ln(mu/m_e)` with `mu` distributed as the material's
//!   [`ElectronMomenta`] (impulse approximation with the flux factor; docs/physics.md §9);
//! - the beam's energy spread: a positron meant to have `E'` has `E'(1 + delta)`, `delta`
//!   Gaussian of relative rms `r`, so `z = ln(1 + delta E'/E_A')`, taken Gaussian of rms `r`
//!   (left out: the skewness `-r^2/2`, and the factor `E'/E_A' = 1 - m_e/E_A'` on the rms,
//!   which the mass-independent kernel cannot carry: the line is that much too wide in rms,
//!   1.8e-3 of it at PADME's 282 MeV, below 1e-4 above 5 GeV);
//! - initial-state radiation, `z = ln(1 - x)` with `x` distributed as the Kuraev–Fadin radiator
//!   ([`Radiator`], `beta` at `s = m^2`, the resonance's own value).
//!
//! So the cross section the positron sees is the average over the distribution `k(z)` of the
//! sum of the three,
//!
//! `sigma_line(E_A') = integral dz k(z) sigma(2 m_e E_A' e^z)`,
//!
//! one integral across the Breit–Wigner for any width (for a narrow one it is
//! `k(z_r) integral sigma ds / m^2`, `z_r = ln(m^2/(2 m_e E_A'))`). [`LineSpread`] holds the
//! mass-independent part of `k` (motion and beam spread), [`LineKernel`] the whole of it for one
//! mass. Both are cell masses on one grid in `z` (cells centred on `j dz`), the independent
//! parts convolved by FFT: a delta (electrons at rest, no spread) is then exactly the cell at
//! `z = 0`. Moving each cell's mass to its centre is an error of second order in the step, and
//! the radiator's cell at `z = 0` (the `x^beta` spike, its mass exact from the closed-form
//! integral) of first order times its small width; both are measured by building the kernel
//! again on cells twice as wide.
//!
//! This replaces the effective flux (`crate::processes::effective_flux`) for a positron beam:
//! there the beam positron's track length is a spike at `E' = E0` that a grid in energy cannot
//! resolve, while here the spike is integrated in the track length's own variable against a
//! smooth `sigma_line`.

use crate::materials::compton::ElectronMomenta;
use crate::models::Mediator;
use crate::numerics::convolution::convolve;
use crate::numerics::quadrature::{Tolerance, integrate};
use crate::numerics::table::UniformTable;
use crate::processes::initial_state_radiation::Radiator;
use crate::units::{ELECTRON_MASS_GEV, gev2_to_cm2};
use statrs::function::erf::erf;
use std::sync::{PoisonError, RwLock};

/// Points of the kernel where it changes fast, break points of the integrals over it: its
/// centre (electrons at rest, no spread, no radiation) and the widths of the valence shells
/// (a few 1e-3 in `z`), the inner shells and the beam spread (percent), and the radiative tail.
pub const KERNEL_BREAKS_Z: [f64; 11] = [
    -0.3, -0.1, -0.03, -0.01, -0.003, 0.0, 0.003, 0.01, 0.03, 0.1, 0.3,
];

/// The resonance's cells within this many of its peak are integrated adaptively
/// ([`LineKernel::tabulated_cross_section`]).
const EXACT_CELLS: i64 = 64;

/// The tabulated cross section reaches this many cells beyond the range asked for on each
/// side (the cubic interpolation's stencil, with room to spare).
const TABLE_MARGIN: i64 = 4;

/// A beam's energy spread is followed to this many standard deviations.
pub const LINE_SPREAD_SIGMAS: f64 = 8.0;

/// Masses on cells of width `step` centred on `j step`, from `j = first`.
#[derive(Debug, Clone, PartialEq)]
struct Cells {
    first: i64,
    step: f64,
    masses: Vec<f64>,
    /// Bound on the absolute round-off of every mass.
    round_off: f64,
}

impl Cells {
    /// All the mass at `z = 0`.
    fn delta(step: f64) -> Self {
        Self {
            first: 0,
            step,
            masses: vec![1.0],
            round_off: 0.0,
        }
    }

    /// Cells `j = first ..= last` with masses `mass(z_lo, z_hi)` of each cell's edges.
    fn from_edges(first: i64, last: i64, step: f64, mass: impl Fn(f64, f64) -> f64) -> Self {
        #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
        let masses = (first..=last)
            .map(|j| mass((j as f64 - 0.5) * step, (j as f64 + 0.5) * step))
            .collect();
        Self {
            first,
            step,
            masses,
            round_off: 0.0,
        }
    }

    /// The distribution of the sum of two independent variables.
    fn convolved(&self, other: &Cells) -> Self {
        let c = convolve(&self.masses, &other.masses);
        Self {
            first: self.first + other.first,
            step: self.step,
            masses: c.values,
            round_off: c.round_off + self.round_off + other.round_off,
        }
    }

    /// The centre of the last cell.
    fn z_last(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
        let last = (self.first + index(self.masses.len()) - 1) as f64;
        last * self.step
    }
}

/// A count of cells as a cell index.
fn index(count: usize) -> i64 {
    i64::try_from(count).expect("cell counts below 1e7")
}

/// Index of the cell that holds `z`.
fn cell_of(z: f64, step: f64) -> i64 {
    #[expect(clippy::cast_possible_truncation, reason = "cell indices below 1e7")]
    let j = (z / step).round() as i64;
    j
}

/// The motion of the target electrons (`None`: at rest) as cells in `z = ln(mu/m_e)`.
fn electron_cells(electrons: Option<&ElectronMomenta>, step: f64) -> Cells {
    let Some(electrons) = electrons else {
        return Cells::delta(step);
    };
    let (mu_lo, mu_hi) = electrons.range_gev();
    let z = |mu: f64| (mu / ELECTRON_MASS_GEV).ln();
    Cells::from_edges(
        cell_of(z(mu_lo), step) - 1,
        cell_of(z(mu_hi), step) + 1,
        step,
        |a, b| electrons.integral_between(ELECTRON_MASS_GEV * a.exp(), ELECTRON_MASS_GEV * b.exp()),
    )
}

/// A Gaussian of rms `rms` in `z` as cells (a delta for `rms = 0`).
fn gaussian_cells(rms: f64, step: f64) -> Cells {
    if rms <= 0.0 {
        return Cells::delta(step);
    }
    let reach = cell_of(LINE_SPREAD_SIGMAS * rms, step) + 1;
    let phi = |z: f64| 0.5 * erf(z / (rms * std::f64::consts::SQRT_2));
    Cells::from_edges(-reach, reach, step, |a, b| phi(b) - phi(a))
}

/// `x = 1 - e^z` and `ln x` at the radiator's cell edges `z = (j - 1/2) step`, entry `-j` for
/// `j = 0, -1, -2, ...`: they do not depend on the mass, so each is computed once for the
/// step, and the list grows when a kernel reaches deeper than any before it.
#[derive(Debug)]
struct RadiatorEdges {
    step: f64,
    edges: RwLock<Vec<(f64, f64)>>,
}

impl RadiatorEdges {
    /// None computed yet, for cells of `step`.
    fn new(step: f64) -> Self {
        Self {
            step,
            edges: RwLock::new(Vec::new()),
        }
    }

    /// `f` of the first `count` edges.
    fn with<R>(&self, count: usize, f: impl FnOnce(&[(f64, f64)]) -> R) -> R {
        {
            let edges = self.edges.read().unwrap_or_else(PoisonError::into_inner);
            if edges.len() >= count {
                return f(&edges[..count]);
            }
        }
        let mut edges = self.edges.write().unwrap_or_else(PoisonError::into_inner);
        let known = edges.len();
        #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
        edges.extend((known..count).map(|i| {
            let x = -(-(i as f64 + 0.5) * self.step).exp_m1();
            (x, x.ln())
        }));
        f(&edges[..count])
    }
}

impl Clone for RadiatorEdges {
    fn clone(&self) -> Self {
        let edges = self.edges.read().unwrap_or_else(PoisonError::into_inner);
        Self {
            step: self.step,
            edges: RwLock::new(edges.clone()),
        }
    }
}

/// The radiator with `beta` in `z = ln(1 - x) <= 0`, from `z = first step` to 0: the mass of
/// each cell from the closed-form integral of the radiator (the cell at 0 holds the `x^beta`
/// spike of `x < 1 - e^(-step/2)`), at the `edges` of cells (of their step).
fn radiator_cells(beta: f64, first: i64, edges: &RadiatorEdges) -> Cells {
    let radiator = Radiator { beta };
    let step = edges.step;
    let count = usize::try_from(1 - first).unwrap_or(1);
    // Cell j = [a, b] in z (b <= step/2) is x from 1 - e^b to 1 - e^a: the cumulative
    // radiator at its lower edge (entry -j) less that at its upper edge (entry -j - 1; none for
    // the cell at 0).
    let masses = edges.with(count, |edges| {
        let cumulative: Vec<f64> = edges
            .iter()
            .rev()
            .map(|&(x, ln_x)| radiator.cumulative_at_log(x, ln_x))
            .collect();
        cumulative
            .iter()
            .enumerate()
            .map(|(k, &below)| below.max(0.0) - cumulative.get(k + 1).copied().unwrap_or(0.0))
            .collect()
    });
    Cells {
        first,
        step,
        masses,
        round_off: 0.0,
    }
}

/// What spreads a beam positron's `s` apart from the resonance's own width, with its
/// mass-independent part (motion and beam spread) as cells at the fine and the coarse step.
#[derive(Debug, Clone)]
pub struct LineSpread {
    /// Relative rms of the beam energy.
    relative_energy_spread: f64,
    /// Share of the Kuraev–Fadin `beta` whose photon is not seen (`None`: no radiation here).
    radiation_share: Option<f64>,
    fine: Cells,
    coarse: Cells,
    /// The radiator's cell edges at the fine and the coarse step.
    radiator_edges: [RadiatorEdges; 2],
}

impl LineSpread {
    /// The spread of the target electrons' motion (`None`: at rest), a Gaussian beam energy
    /// spread of relative rms `relative_energy_spread`, and radiation with `radiation_share`
    /// of `beta` (`None`: none), on cells of `step` in `z`.
    #[must_use]
    pub fn new(
        electrons: Option<&ElectronMomenta>,
        relative_energy_spread: f64,
        radiation_share: Option<f64>,
        step: f64,
    ) -> Self {
        let smooth = |step: f64| {
            let moving = electron_cells(electrons, step);
            if relative_energy_spread > 0.0 {
                moving.convolved(&gaussian_cells(relative_energy_spread, step))
            } else {
                moving
            }
        };
        Self {
            relative_energy_spread,
            radiation_share,
            fine: smooth(step),
            coarse: smooth(2.0 * step),
            radiator_edges: [RadiatorEdges::new(step), RadiatorEdges::new(2.0 * step)],
        }
    }

    /// Whether the pair's radiation is in it.
    #[must_use]
    pub fn radiates(&self) -> bool {
        self.radiation_share.is_some()
    }

    /// Whether it spreads anything (otherwise the resonance is seen as it is).
    #[must_use]
    pub fn spreads(&self) -> bool {
        self.fine.masses.len() > 1 || self.radiation_share.is_some()
    }

    /// The lowest `z` above which the electrons' motion and the beam spread hold all but
    /// `fraction` of their mass: a kernel cut no higher than this keeps the Breit–Wigner's
    /// tail, which every part of the kernel sees, to that fraction.
    #[must_use]
    pub fn z_holding_all_but(&self, fraction: f64) -> f64 {
        let total: f64 = self.fine.masses.iter().sum();
        let mut below = 0.0;
        let mut cell = self.fine.first;
        for &mass in &self.fine.masses {
            below += mass;
            if below > fraction * total {
                break;
            }
            cell += 1;
        }
        #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
        let z = (cell as f64 - 0.5) * self.fine.step;
        z
    }

    /// The highest `z` the kernel reaches, the top of the electrons' motion and the beam
    /// spread (radiation only lowers `s`): where the resonance lies above it at a positron's
    /// energy, its tail below is all that positron sees.
    #[must_use]
    pub fn z_highest(&self) -> f64 {
        self.fine.z_last() + 0.5 * self.fine.step
    }

    /// The lowest `z_r` of the cross section tabulated from `z_from` up
    /// ([`LineKernel::tabulated_cross_section`]).
    #[must_use]
    pub fn lowest_table_z(&self, z_from: f64) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
        let z = (cell_of(z_from, self.fine.step) - TABLE_MARGIN) as f64 * self.fine.step;
        z
    }

    /// With radiation, the kernel's tail below `z_cut` for a mediator of mass `mass_gev`, in
    /// bands down to `z_floor` ([`KernelTail`]); `None` without radiation, where the kernel
    /// ends with the motion and the spread.
    #[must_use]
    pub fn tail_below(&self, mass_gev: f64, z_cut: f64, z_floor: f64) -> Option<KernelTail> {
        let share = self.radiation_share?;
        let radiator = Radiator {
            beta: share * Radiator::at_s(mass_gev * mass_gev).beta,
        };
        // The radiator's mass at z_x = ln(1 - x) < b.
        let radiated_below = |b: f64| {
            if b >= 0.0 {
                1.0
            } else {
                (1.0 - radiator.cumulative(-b.exp_m1())).max(0.0)
            }
        };
        // z = z_s + z_x: below b when z_s <= z_highest and z_x < b - z_highest (the lower
        // bound), and only when z_s < a or z_x < b - a (the upper; a holds all but
        // KERNEL_TAIL_SHARE of the motion and spread below it).
        let (z_top, a) = (self.z_highest(), self.z_holding_all_but(KERNEL_TAIL_SHARE));
        let mut edges = vec![z_cut];
        let mut width = TAIL_BAND_Z;
        while edges[edges.len() - 1] > z_floor.max(z_cut - TAIL_REACH_Z) {
            edges.push(edges[edges.len() - 1] - width);
            width *= TAIL_BAND_GROWTH;
        }
        Some(KernelTail {
            lower: edges.iter().map(|&b| radiated_below(b - z_top)).collect(),
            upper: edges
                .iter()
                .map(|&b| (KERNEL_TAIL_SHARE + radiated_below(b - a)).min(1.0))
                .collect(),
            edges,
        })
    }

    /// Relative rms of the beam energy.
    #[must_use]
    pub fn relative_energy_spread(&self) -> f64 {
        self.relative_energy_spread
    }

    /// The whole distribution of `z` for a mediator of mass `mass_gev`, tabulated from `z_lo`
    /// up; `None` when nothing reaches `z_lo`.
    #[must_use]
    pub fn kernel(&self, mass_gev: f64, z_lo: f64) -> Option<LineKernel> {
        let beta = self
            .radiation_share
            .map(|share| share * Radiator::at_s(mass_gev * mass_gev).beta);
        let build = |smooth: &Cells, edges: &RadiatorEdges| {
            let cells = match beta {
                Some(beta) => {
                    let first = cell_of(z_lo - smooth.z_last(), smooth.step) - 2;
                    debug_assert_eq!(smooth.step, edges.step, "cells and edges of one step");
                    smooth.convolved(&radiator_cells(beta, first.min(0), edges))
                }
                None => smooth.clone(),
            };
            (cells.z_last() > z_lo).then_some(cells)
        };
        let [fine_edges, coarse_edges] = &self.radiator_edges;
        let fine = build(&self.fine, fine_edges)?;
        let coarse = build(&self.coarse, coarse_edges)?;
        Some(LineKernel::from_cells(&fine, &coarse, z_lo))
    }
}

/// The share of the motion and the beam spread that may lie below the kernel's table, and of
/// the cross section that the kernel's part below it may add ([`KernelTail`]).
pub const KERNEL_TAIL_SHARE: f64 = 1e-6;

/// The first band below a cut in [`KernelTail`] is this wide in `z`, each next one
/// [`TAIL_BAND_GROWTH`] times wider, down to [`TAIL_REACH_Z`] below the cut (where the
/// radiator holds about `beta e^-40`).
const TAIL_BAND_Z: f64 = 0.01;
const TAIL_BAND_GROWTH: f64 = 1.5;
const TAIL_REACH_Z: f64 = 40.0;

/// The radiated kernel's tail below a cut `b_0`: band edges `b_0 > b_1 > ...` with bounds
/// `L(b_k) <= M(b_k) <= U(b_k)` on the kernel's mass below each.
///
/// What the tail adds to the cross section at `z_r` is `D = integral_(z < b_0) sigma dM`. Below
/// the resonance `sigma(m^2 e^(z - z_r))` rises with `z` (the numerator with `s`, the
/// Breit–Wigner as `s` nears `m^2`; zero below the threshold), so by parts
/// `D = sigma(b_0) M(b_0) - integral M sigma' dz <= sigma(b_0) U(b_0) - sum_k L(b_(k+1)) (sigma(b_k) - sigma(b_(k+1)))`.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelTail {
    edges: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl KernelTail {
    /// The band edges, from the cut down.
    #[must_use]
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// Bounds (cm^2) on what the tail below each band edge adds to the cross section of
    /// `mediator` at `z_r = z_resonance`, which must lie above the cut.
    #[must_use]
    pub fn added_below_each_edge(&self, mediator: &Mediator, z_resonance: f64) -> Vec<f64> {
        let m2 = mediator.mass_gev() * mediator.mass_gev();
        let sigma: Vec<f64> = self
            .edges
            .iter()
            .map(|&b| {
                let u = b - z_resonance;
                gev2_to_cm2(mediator.sigma_annihilation_gev2(m2 * u.exp(), m2 * u.exp_m1()))
            })
            .collect();
        // Suffix sums of L(b_(k+1)) (sigma_k - sigma_(k+1)), from the last edge up.
        let mut below = vec![0.0; self.edges.len()];
        for k in (0..self.edges.len() - 1).rev() {
            below[k] = below[k + 1] + self.lower[k + 1] * (sigma[k] - sigma[k + 1]);
        }
        (0..self.edges.len())
            .map(|k| (sigma[k] * self.upper[k] - below[k]).max(0.0))
            .collect()
    }
}

/// The distribution `k(z)` of `z = ln(s/(2 m_e E_A'))` for one mass, tabulated.
#[derive(Debug, Clone, PartialEq)]
pub struct LineKernel {
    /// `k` per unit `z` at the cell centres, with two zero nodes at each end.
    table: UniformTable,
    /// The same densities as cells of the grid (`z = (first + i) step`), for the correlation
    /// with the resonance ([`LineKernel::tabulated_cross_section`]).
    cells: Cells,
    /// Bound on the error of `k` relative to its largest value (infinite, not estimated, for
    /// [`LineKernel::coarser`]).
    relative_error: f64,
    /// The same kernel from the cells of twice the step, which the bound compares with.
    coarser: Option<Box<LineKernel>>,
}

impl LineKernel {
    /// The density from the fine cells at and above `z_lo`, its error from the coarse ones.
    fn from_cells(fine: &Cells, coarse: &Cells, z_lo: f64) -> Self {
        let table_of = |cells: &Cells| {
            let skip = usize::try_from(cell_of(z_lo, cells.step) - 2 - cells.first).unwrap_or(0);
            let skip = skip.min(cells.masses.len().saturating_sub(1));
            // Cell masses to densities at the centres, to fourth order: a cell's mass is
            // `step (k + step^2 k''/24)`, with `k''` from the neighbouring masses. Beyond the
            // distribution's ends the masses are taken equal to the end cells' (no curvature
            // there), so that the corrections only move mass between neighbours and hold its
            // total, also where the distribution ends in a step: at the radiator's spike
            // (electrons at rest, no spread: about 0.6 of the radiator in the cell at 0, none
            // above), zeros beyond added `m0/24` to the kernel, 2.7% at 300 MeV.
            let masses = &cells.masses;
            let end = masses[masses.len() - 1];
            let mass = |j: usize| masses.get(j).copied().unwrap_or(end);
            // Two zero nodes where the distribution ends (not where the table is cut at z_lo).
            let padding = if skip == 0 { 2 } else { 0 };
            let mut values = vec![0.0; padding];
            values.extend((skip..masses.len()).map(|j| {
                let below = if j == 0 { masses[0] } else { masses[j - 1] };
                let curvature = mass(j + 1) - 2.0 * masses[j] + below;
                (masses[j] - curvature / 24.0) / cells.step
            }));
            values.extend([0.0, 0.0]);
            #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
            let z_first = (cells.first + index(skip) - index(padding)) as f64 * cells.step;
            #[expect(clippy::cast_precision_loss, reason = "a table length")]
            let z_end = z_first + (values.len() - 1) as f64 * cells.step;
            UniformTable::from_values(z_first, z_end, values)
        };
        let table = table_of(fine);
        let coarse_table = table_of(coarse);
        let largest = table.values().iter().fold(0.0_f64, |m, &v| m.max(v));
        let coarse_nodes =
            UniformTable::nodes(coarse_table.x_lo(), coarse_table.x_hi(), coarse_table.len());
        let grid_error = coarse_nodes
            .iter()
            .zip(coarse_table.values())
            .filter(|(z, _)| **z >= table.x_lo().max(z_lo) && **z <= table.x_hi())
            .map(|(&z, &v)| (table.eval(z) - v).abs())
            .fold(0.0_f64, f64::max);
        let relative_error = if largest > 0.0 {
            (grid_error + fine.round_off / fine.step) / largest
        } else {
            0.0
        };
        let coarser = Self::from_table(coarse_table, coarse, f64::INFINITY, None);
        Self::from_table(table, fine, relative_error, Some(Box::new(coarser)))
    }

    /// The kernel of the densities `table`, made from `cells`, on their grid.
    fn from_table(
        table: UniformTable,
        cells: &Cells,
        relative_error: f64,
        coarser: Option<Box<LineKernel>>,
    ) -> Self {
        let step = cells.step;
        Self {
            cells: Cells {
                first: cell_of(table.x_lo(), step),
                step,
                masses: table.values().iter().map(|k| k * step).collect(),
                round_off: cells.round_off,
            },
            table,
            relative_error,
            coarser,
        }
    }

    /// The same kernel from cells of twice the step (`None` for that kernel itself): an
    /// integral over both estimates the error of the grid where its pointwise bound
    /// ([`LineKernel::relative_error`]) is too pessimistic, as at the radiator's spike
    /// ([`crate::numerics::quadrature::Estimate::checked_against_coarser`]).
    #[must_use]
    pub fn coarser(&self) -> Option<&LineKernel> {
        self.coarser.as_deref()
    }

    /// `k(z)` per unit `z` (zero outside the table; the interpolant's undershoot next to a
    /// zero is cut at zero).
    #[must_use]
    pub fn density(&self, z: f64) -> f64 {
        if z <= self.table.x_lo() || z >= self.table.x_hi() {
            0.0
        } else {
            self.table.eval(z).max(0.0)
        }
    }

    /// The range of `z` where `k` is tabulated.
    #[must_use]
    pub fn support(&self) -> (f64, f64) {
        (self.table.x_lo(), self.table.x_hi())
    }

    /// Bound on the error of `k` relative to its largest value (the grid against one of twice
    /// the step, and the transforms' round-off).
    #[must_use]
    pub fn relative_error(&self) -> f64 {
        self.relative_error
    }

    /// `sigma_line(E_A') = integral dz k(z) sigma(2 m_e E_A' e^z)` at `eps = 1`, cm^2, for
    /// `E_A' = e_a_gev`: break points at the Breit–Wigner's peak and 1, 10 and 100 half widths
    /// (`Gamma/m` in `z`) on each side, and at the threshold `s = 4 m_chi^2`.
    #[must_use]
    pub fn cross_section_cm2(&self, mediator: &Mediator, e_a_gev: f64, tol: Tolerance) -> f64 {
        let s0 = 2.0 * ELECTRON_MASS_GEV * e_a_gev;
        let m2 = mediator.mass_gev() * mediator.mass_gev();
        let z_resonance = (m2 / s0).ln();
        let z_threshold = (4.0 * mediator.dm_mass_gev().powi(2) / s0).ln();
        let half_width = mediator.width_gev() / mediator.mass_gev();
        let (lo, hi) = self.support();
        let lo = lo.max(z_threshold);
        if hi <= lo {
            return 0.0;
        }
        let mut breaks = vec![lo, hi, z_resonance];
        breaks.extend(KERNEL_BREAKS_Z);
        for k in [1.0, 10.0, 100.0] {
            breaks.extend([z_resonance - k * half_width, z_resonance + k * half_width]);
        }
        breaks.retain(|&z| z >= lo && z <= hi);
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        integrate(
            |z| {
                let s = s0 * z.exp();
                let s_minus_m2 = m2 * (z - z_resonance).exp_m1();
                gev2_to_cm2(mediator.sigma_annihilation_gev2(s, s_minus_m2)) * self.density(z)
            },
            &breaks,
            tol,
        )
        .value
    }

    /// `sigma_line` (cm^2) tabulated against `z_r = ln(m^2/(2 m_e E_A'))` on the kernel's grid
    /// over `z_range` (and a few cells beyond each end, for the cubic interpolation), by one
    /// correlation of the kernel's cells with the resonance's:
    /// `sigma_line(z_r) = sum_i k_i integral_(cell i) sigma(m^2 e^(z - z_r)) dz` at the grid's
    /// `z_r` (the kernel constant across a cell, the resonance integrated across it: exact for a
    /// resonance narrower than a cell, second order for a broader one), cubic in between. The
    /// resonance's cells within `EXACT_CELLS` of its peak, and the one that holds the
    /// threshold, are integrated adaptively, the others by the midpoint rule. Every node sums
    /// the whole kernel, wherever `z_range` lies (beyond the kernel it is the resonance's
    /// wings). [`LineKernel::cross_section_cm2`] is the direct integral it is tested against.
    #[must_use]
    pub fn tabulated_cross_section(
        &self,
        mediator: &Mediator,
        z_range: (f64, f64),
    ) -> UniformTable {
        let step = self.cells.step;
        let m2 = mediator.mass_gev() * mediator.mass_gev();
        let u_threshold = (4.0 * mediator.dm_mass_gev().powi(2) / m2).ln();
        let half_width = mediator.width_gev() / mediator.mass_gev();
        let sigma =
            |u: f64| gev2_to_cm2(mediator.sigma_annihilation_gev2(m2 * u.exp(), m2 * u.exp_m1()));
        let kernel = &self.cells.masses;
        let (first, length) = (self.cells.first, index(kernel.len()));
        // Table nodes q_lo ..= q_hi (z_r = q step), at least four.
        let (z_from, z_to) = (z_range.0.min(z_range.1), z_range.0.max(z_range.1));
        let q_lo = cell_of(z_from, step) - TABLE_MARGIN;
        let q_hi = (cell_of(z_to, step) + TABLE_MARGIN).max(q_lo + 3);
        // Resonance cells j = first - q_hi ..= first + length - 1 - q_lo (u = z - z_r = j step):
        // every kernel cell i against every node q, j = i - q.
        let (j_lo, j_hi) = (first - q_hi, first + length - 1 - q_lo);
        #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
        let resonance: Vec<f64> = (j_lo..=j_hi)
            .map(|j| {
                let (a, b) = ((j as f64 - 0.5) * step, (j as f64 + 0.5) * step);
                if b <= u_threshold {
                    return 0.0;
                }
                let a = a.max(u_threshold);
                if j.abs() <= EXACT_CELLS || a == u_threshold {
                    let mut breaks = vec![a, b, 0.0];
                    for k in [1.0, 10.0, 100.0] {
                        breaks.extend([-k * half_width, k * half_width]);
                    }
                    breaks.retain(|&u| u >= a && u <= b);
                    breaks.sort_by(f64::total_cmp);
                    breaks.dedup();
                    integrate(sigma, &breaks, Tolerance::relative(1e-10)).value
                } else {
                    // Far from the peak the resonance is smooth on a cell: the midpoint rule
                    // (relative error (step/u)^2/24, below 1e-5 beyond 64 cells).
                    sigma(0.5 * (a + b)) * (b - a)
                }
            })
            .collect();
        // sigma_line[q] = sum_i k_i B[i - q]: the convolution of k with B reversed,
        // R[t] = B[j_hi - t], is sum_p k_p R[s - p] = sum_p k_p B[j_hi - s + p], which is node q
        // (i = first + p) at s = j_hi - first + q = length - 1 + (q - q_lo).
        let reversed: Vec<f64> = resonance.iter().rev().map(|b| b / step).collect();
        let c = convolve(kernel, &reversed);
        let nodes = usize::try_from(q_hi - q_lo + 1).unwrap_or(4);
        let values: Vec<f64> = c.values[kernel.len() - 1..]
            .iter()
            .take(nodes)
            .map(|v| v.max(0.0))
            .collect();
        #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
        let (lo, hi) = (q_lo as f64 * step, q_hi as f64 * step);
        UniformTable::from_values(lo, hi, values)
    }

    /// The lab energies `E_A'` (GeV) at which the resonance of `mass_gev` sits at the given
    /// points of the kernel: break points for integrals over the positron energy.
    #[must_use]
    pub fn resonance_energies_gev(mass_gev: f64, z: &[f64]) -> Vec<f64> {
        z.iter()
            .map(|z| mass_gev * mass_gev / (2.0 * ELECTRON_MASS_GEV) * (-z).exp())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::materials::compton::electron_momenta_of;
    use crate::models::DarkPhoton;
    use crate::numerics::quadrature::tanh_sinh;

    const STEP: f64 = 2e-4;

    /// `integral k dz` of a kernel: the fraction of the target electrons kept, times
    /// the radiator's share above the table's lower end.
    fn kernel_norm(kernel: &LineKernel) -> crate::numerics::quadrature::Estimate {
        let (lo, hi) = kernel.support();
        integrate(
            |z| kernel.density(z),
            &UniformTable::nodes(lo, hi, 65),
            Tolerance::relative(1e-10),
        )
    }

    /// A narrow dark photon (its width far below every spread): `integral sigma ds = pi e^2`
    /// at `eps = 1` ([DPT Eq. 4.2] in the narrow-width limit).
    fn narrow(mass_gev: f64) -> Mediator {
        Mediator::DarkPhoton(DarkPhoton {
            mass_gev,
            alpha_d: 1e-8,
            mchi_over_mmed: 1.0 / 3.0,
        })
    }

    fn area_gev2() -> f64 {
        std::f64::consts::PI * 4.0 * std::f64::consts::PI * crate::units::ALPHA
    }

    /// The radiator's cells from the edges shared between masses, whichever kernel grew the
    /// list, are the closed form's cell masses `M(1 - e^a) - M(1 - e^b)`.
    #[test]
    fn radiator_cells_from_shared_edges_are_the_closed_form() {
        let beta = Radiator::at_s(0.017_f64.powi(2)).beta;
        let radiator = Radiator { beta };
        let edges = RadiatorEdges::new(STEP);
        let shallow = radiator_cells(beta, -10, &edges);
        let deep = radiator_cells(beta, -1000, &edges);
        let again = radiator_cells(beta, -10, &edges);
        assert_eq!(shallow, again);
        let x = |z: f64| -z.exp_m1();
        for (k, mass) in deep.masses.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "cell indices below 1e7")]
            let j = (k as f64) - 1000.0;
            let (a, b) = ((j - 0.5) * STEP, (j + 0.5) * STEP);
            let above = if b >= 0.0 {
                0.0
            } else {
                radiator.cumulative(x(b))
            };
            let expected = radiator.cumulative(x(a)) - above;
            assert!(
                (mass - expected).abs() <= 1e-15 * expected,
                "cell {j}: {mass} against {expected}"
            );
        }
        // Together they hold the radiator's mass above the deepest edge.
        let total: f64 = deep.masses.iter().sum();
        let expected = radiator.cumulative(x(-1000.5 * STEP));
        assert!(
            (total / expected - 1.0).abs() < 1e-13,
            "{total} against {expected}"
        );
    }

    /// Electrons at rest without a spread: the kernel is the bare radiator, its `x^beta` spike
    /// in the cell at 0, and the cells the resonance is correlated with hold the radiator's
    /// mass above the table's lower edge, at every step (to the curvature term across that
    /// edge, 1e-10; with zeros beyond the spike the curvature terms added `m0/24`, 2.7%).
    #[test]
    fn the_bare_radiator_keeps_its_mass() {
        let mass = 0.3;
        let radiator = Radiator {
            beta: Radiator::at_s(mass * mass).beta,
        };
        for step in [4e-4, 2e-4, 1e-4] {
            let line = LineSpread::new(None, 0.0, Some(1.0), step);
            let kernel = line.kernel(mass, -0.5).expect("a kernel");
            let held: f64 = kernel.cells.masses.iter().sum();
            // The lowest cell kept is the one two below z_lo's.
            let lowest_edge = (-0.5 / step).round() * step - 2.5 * step;
            let expected = radiator.cumulative(-lowest_edge.exp_m1());
            assert!(
                (held / expected - 1.0).abs() < 1e-8,
                "step {step}: {held} against {expected}"
            );
        }
    }

    /// A beam spread alone is a Gaussian in `z` of the beam's rms: its density at the centre
    /// and one rms away, and the narrow resonance seen through it is `k(z_r) pi e^2 / m^2`.
    #[test]
    fn a_beam_spread_alone_is_a_gaussian() {
        let r = 0.004;
        let line = LineSpread::new(None, r, None, STEP);
        let kernel = line.kernel(0.017, -0.1).expect("a kernel");
        let gauss =
            |z: f64| (-0.5 * (z / r).powi(2)).exp() / (r * (2.0 * std::f64::consts::PI).sqrt());
        for z in [0.0, r, -2.0 * r] {
            let k = kernel.density(z);
            assert!(
                (k / gauss(z) - 1.0).abs() < 1e-6,
                "z = {z}: {k} against {}",
                gauss(z)
            );
        }
        assert!((kernel_norm(&kernel).value - 1.0).abs() < 1e-9);
        assert!(
            kernel.relative_error() < 1e-5,
            "{}",
            kernel.relative_error()
        );
        let mediator = narrow(0.017);
        let m2 = 0.017_f64.powi(2);
        for z_r in [0.0_f64, 0.003, -0.006] {
            let e_a = m2 / (2.0 * ELECTRON_MASS_GEV) * (-z_r).exp();
            let sigma = kernel.cross_section_cm2(&mediator, e_a, Tolerance::relative(1e-9));
            let expected = gev2_to_cm2(area_gev2() / m2) * gauss(z_r);
            assert!(
                (sigma / expected - 1.0).abs() < 1e-5,
                "z_r = {z_r}: {sigma:e} against {expected:e}"
            );
        }
    }

    /// Moving electrons alone: `k(z) = mu rho(mu)` at `mu = m_e e^z` (the density in `z` of the
    /// material's distribution), within the kernel's own error bound; its integral is the
    /// distribution's norm.
    #[test]
    fn moving_electrons_alone_are_their_distribution_in_z() {
        let electrons = electron_momenta_of(&[("C", 1.0)]).expect("carbon profiles");
        let line = LineSpread::new(Some(&electrons), 0.0, None, STEP);
        let kernel = line.kernel(0.017, -1.0).expect("a kernel");
        let largest = kernel.table.values().iter().fold(0.0_f64, |m, &v| m.max(v));
        for z in [-0.2, -0.03, -0.005, 0.0, 0.004, 0.02, 0.1] {
            let mu = ELECTRON_MASS_GEV * f64::exp(z);
            let expected = mu * electrons.density_per_gev(mu);
            let error = (kernel.density(z) - expected).abs() / largest;
            assert!(
                error < 2e-4 && error <= 2.0 * kernel.relative_error() + 1e-9,
                "z = {z}: {} against {expected} (error {error:.1e}, bound {:.1e})",
                kernel.density(z),
                kernel.relative_error()
            );
        }
        let norm = kernel_norm(&kernel).value;
        assert!(
            (norm - electrons.norm()).abs() < 1e-6,
            "{norm} against {}",
            electrons.norm()
        );
    }

    /// A beam spread, the bound's largest accepted ratio to the tail, and the tail below `b`.
    type Case<'a> = (f64, f64, &'a dyn Fn(f64) -> f64);

    /// The bound on what the radiated kernel's tail adds below a cut, against the tail's
    /// integral computed directly, for a broad resonance above the kernel's reach and below
    /// each band edge down to the threshold: never below it, and at most `ratio` times it
    /// where it matters. Electrons at rest (the radiator alone, `z = ln(1 - x)`: 1.1 below the
    /// cut, 1.7 next to the threshold, where the bands are widest), and a Gaussian beam spread
    /// of 1%, which tests the shifts of the bounds by the spread's reach (its 1e-6 quantile
    /// below, its top above: `z_s + z_x`, integrated over the Gaussian's `z_s`; 2.2-2.9 times
    /// beyond the spread's reach of the cut).
    #[test]
    fn the_kernel_tail_bound_holds() {
        let mediator = Mediator::DarkPhoton(DarkPhoton {
            mass_gev: 0.44,
            alpha_d: 0.1,
            mchi_over_mmed: 1.0 / 3.0,
        });
        let m2 = mediator.mass_gev().powi(2);
        let radiator = Radiator::at_s(m2);
        let z_resonance: f64 = 0.3;
        let s = m2 * (-z_resonance).exp();
        let z_threshold = z_resonance + (4.0_f64 / 9.0).ln();
        // What the radiator below z_x < c adds for a pair whose s is moved by e^(z_s) first.
        let radiated_below = |c: f64, z_s: f64| {
            let s_moved = s * z_s.exp();
            let (x_lo, x_hi) = (
                (-c.exp_m1()).max(0.0),
                1.0 - 4.0 * mediator.dm_mass_gev().powi(2) / s_moved,
            );
            if x_lo >= x_hi {
                return 0.0;
            }
            let sigma = |x: f64| {
                let s_x = s_moved * (1.0 - x);
                gev2_to_cm2(mediator.sigma_annihilation_gev2(s_x, s_x - m2))
            };
            radiator.integral_against(sigma, &[x_lo, x_hi], Tolerance::relative(1e-10))
        };
        let r: f64 = 0.01;
        let gauss =
            |z: f64| (-0.5 * (z / r).powi(2)).exp() / (r * (2.0 * std::f64::consts::PI).sqrt());
        let cases: [Case; 2] = [
            (0.0, 2.0, &|b| radiated_below(b, 0.0)),
            (r, 3.0, &|b| {
                integrate(
                    |z_s| gauss(z_s) * radiated_below(b - z_s, z_s),
                    &[-8.0 * r, 0.0, 8.0 * r],
                    Tolerance::relative(1e-8),
                )
                .value
            }),
        ];
        for (spread, ratio, exact_below) in cases {
            let line = LineSpread::new(None, spread, Some(1.0), STEP);
            let tail = line
                .tail_below(mediator.mass_gev(), -0.02, z_threshold - 8.0 * spread)
                .expect("radiation");
            let edges = tail.edges();
            assert!(edges.len() > 5 && edges[edges.len() - 1] <= z_threshold - 8.0 * spread);
            let bounds = tail.added_below_each_edge(&mediator, z_resonance);
            let largest = bounds[0];
            for (&b, &bound) in edges.iter().zip(&bounds) {
                let exact = exact_below(b);
                assert!(
                    bound >= exact,
                    "spread {spread}, b = {b}: bound {bound} below {exact}"
                );
                // Within the spread's reach of the cut the upper bound takes all the mass as
                // possibly below (9-16 times the tail there): a deeper cut, never a wrong one.
                if exact > 1e-3 * largest && b <= -0.02 - 5.0 * spread {
                    assert!(
                        bound <= ratio * exact,
                        "spread {spread}, b = {b}: bound {bound} against {exact}"
                    );
                }
            }
        }
    }

    /// With radiation on a beam spread, the kernel below the peak is the radiator's tail
    /// convolved with the Gaussian: against a direct integral over the Gaussian (tanh-sinh),
    /// `k(z) = integral dz' g(z') W(1 - e^(z - z')) e^(z - z')`.
    #[test]
    fn radiation_adds_its_tail_to_the_spread() {
        let r = 0.003;
        let share = 1.0;
        let mass = 0.017;
        let beta = Radiator::at_s(mass * mass).beta;
        let line = LineSpread::new(None, r, Some(share), STEP);
        let kernel = line.kernel(mass, -0.5).expect("a kernel");
        assert!(
            kernel.relative_error() < 1e-3,
            "{}",
            kernel.relative_error()
        );
        let radiator = Radiator { beta };
        let gauss =
            |z: f64| (-0.5 * (z / r).powi(2)).exp() / (r * (2.0 * std::f64::consts::PI).sqrt());
        for z in [-0.3, -0.1, -0.03] {
            let direct = tanh_sinh(
                |zp, _, _| {
                    let x = -(z - zp).exp_m1();
                    gauss(zp) * radiator.density(x) * (z - zp).exp()
                },
                -8.0 * r,
                8.0 * r,
                1e-12,
            );
            let k = kernel.density(z);
            assert!(
                (k / direct.value - 1.0).abs() < 1e-3,
                "z = {z}: {k} against {}",
                direct.value
            );
        }
        // The tabulated cross section (one correlation) against the direct integral, for a
        // narrow and a broad resonance, across the line.
        for alpha_d in [1e-8, 0.1] {
            let mediator = Mediator::DarkPhoton(DarkPhoton {
                mass_gev: mass,
                alpha_d,
                mchi_over_mmed: 1.0 / 3.0,
            });
            let table = kernel.tabulated_cross_section(&mediator, (-0.3, 0.02));
            let peak = table.values().iter().fold(0.0_f64, |m, &v| m.max(v));
            for z_r in [-0.3, -0.05, -0.01, -0.003, 0.0, 0.002, 0.007, 0.02] {
                let e_a = mass * mass / (2.0 * ELECTRON_MASS_GEV) * f64::exp(-z_r);
                let direct = kernel.cross_section_cm2(&mediator, e_a, Tolerance::relative(1e-9));
                let deviation = (table.eval(z_r) - direct).abs() / peak;
                assert!(
                    deviation < 1e-4,
                    "alpha_D = {alpha_d}, z_r = {z_r}: {} against {direct} ({deviation:.1e} of the peak)",
                    table.eval(z_r)
                );
            }
            // A table asked for beyond the kernel's top sums the whole kernel there too: the
            // resonance's wing, against the direct integral relative to its own size.
            let wing = kernel.tabulated_cross_section(&mediator, (0.1, 0.15));
            for z_r in [0.1, 0.125, 0.15] {
                let e_a = mass * mass / (2.0 * ELECTRON_MASS_GEV) * f64::exp(-z_r);
                let direct = kernel.cross_section_cm2(&mediator, e_a, Tolerance::relative(1e-9));
                let deviation = (wing.eval(z_r) / direct - 1.0).abs();
                assert!(
                    deviation < 1e-4,
                    "alpha_D = {alpha_d}, z_r = {z_r}: {} against {direct}",
                    wing.eval(z_r)
                );
            }
        }
        // The radiator moves mass down and creates none: what is above the table's end is the
        // radiator's mass above it.
        let norm = kernel_norm(&kernel).value;
        let expected = radiator.cumulative(-(-0.5_f64).exp_m1());
        assert!((norm - expected).abs() < 1e-3, "{norm} against {expected}");
    }
}
