//! Radiative Bhabha scattering `e+ e- -> e+ e- gamma` at tree level: a seeded Monte Carlo
//! integration of the exact massless matrix element over three-body phase space with the
//! detector cuts in the lab frame, giving the cross section (with its statistical error) and the
//! spectrum of the selected positron (or electron) [DPT App. F, Figs. 7-8].
//!
//! Matrix element: the compact form of Berends, De Causmaecker, Gastmans, Kleiss, Troost and Wu
//! (CALKUL), Phys. Lett. B 103 (1981) 124, and Nucl. Phys. B 206 (1982) 61, Eq. (2.10), for
//! massless fermions: the spin-averaged square is
//! `|M|^2 = e^6 F (-J.J)`, with
//! `F = [s s'(s^2 + s'^2) + t t'(t^2 + t'^2) + u u'(u^2 + u'^2)] / (s s' t t')` and the eikonal
//! factor `-J.J` of the four charged legs (see [`eikonal_factor`]). In the soft limit `F` becomes
//! the massless Bhabha square `2 (s^4 + t^4 + u^4)/(s^2 t^2)` and the whole the soft-photon
//! theorem; both are tested below, and the hard region against an independent evaluation of the
//! eight Feynman diagrams with explicit Dirac matrices (`tools/reference/radiative_bhabha/`).
//! The electron mass is neglected: the cuts (energies above 2 GeV, polar angles in the barrel,
//! photon separated from both leptons) keep every invariant far above `m_e^2`.
//!
//! Phase space: massless three-body phase space in the centre-of-mass frame, parametrised by
//! the Dalitz variables `x1 = 2 E_+/sqrt(s)`, `x2 = 2 E_-/sqrt(s)` and three Euler angles
//! ([`three_body`]); the photon-lepton collinear regions are the edges `x1 -> 1`, `x2 -> 1` and
//! the t-channel peak the positron's polar angle, so a separable VEGAS grid
//! ([`crate::numerics::vegas`]) over these five variables learns them: trained on
//! `TRAINING_ITERATIONS` passes, then frozen for the integration. Flat sampling with RAMBO
//! (Kleiss, Stirling and Ellis, Comput. Phys. Commun. 40 (1986) 359) is kept as an independent
//! second method ([`integrate_flat`]); the two agree within their errors (tested). Points are
//! drawn in fixed chunks, each from its own ChaCha8 stream of the seed, and summed in chunk
//! order, so the result does not depend on the thread count.

use super::AsymmetricCollider;
use super::tabulated::TabulatedSpectrum;
use crate::error::GeneratorError;
use crate::numerics::vegas::{Bins, Grid};
use crate::units::gev2_to_pb;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::f64::consts::PI;

/// A four-vector `(E, px, py, pz)` in GeV, metric `(+, -, -, -)`.
pub type FourVector = [f64; 4];

/// Minkowski product.
#[must_use]
pub fn dot(a: &FourVector, b: &FourVector) -> f64 {
    a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3]
}

/// Boost along +z with velocity `beta`.
#[must_use]
pub fn boost_z(p: &FourVector, beta: f64) -> FourVector {
    let gamma = 1.0 / (1.0 - beta * beta).sqrt();
    [
        gamma * (p[0] + beta * p[3]),
        p[1],
        p[2],
        gamma * (p[3] + beta * p[0]),
    ]
}

/// `-J.J` for the eikonal current `J = sum_i eta_i p_i/(p_i.k)` of the four charged legs, with
/// `eta = -1` for the incoming positron `p1`, `+1` for the incoming electron `p2`, `+1` for the
/// outgoing positron `p3` and `-1` for the outgoing electron `p4` (charge times +1 outgoing, -1
/// incoming). With massless legs only the cross terms remain:
/// `-J.J = 2 [p1p2/(p1k p2k) + p3p4/(p3k p4k) + p1p3/(p1k p3k) + p2p4/(p2k p4k)
///            - p1p4/(p1k p4k) - p2p3/(p2k p3k)]`.
#[must_use]
pub fn eikonal_factor(
    p1: &FourVector,
    p2: &FourVector,
    p3: &FourVector,
    p4: &FourVector,
    k: &FourVector,
) -> f64 {
    let (k1, k2, k3, k4) = (dot(p1, k), dot(p2, k), dot(p3, k), dot(p4, k));
    2.0 * (dot(p1, p2) / (k1 * k2)
        + dot(p3, p4) / (k3 * k4)
        + dot(p1, p3) / (k1 * k3)
        + dot(p2, p4) / (k2 * k4)
        - dot(p1, p4) / (k1 * k4)
        - dot(p2, p3) / (k2 * k3))
}

/// Spin-averaged `|M|^2 / e^6` of `e+(p1) e-(p2) -> e+(p3) e-(p4) gamma(k)`, massless, GeV^-2
/// (CALKUL, see the module documentation), with `s = (p1+p2)^2`, `s' = (p3+p4)^2`,
/// `t = (p1-p3)^2`, `t' = (p2-p4)^2`, `u = (p1-p4)^2`, `u' = (p2-p3)^2`.
#[must_use]
pub fn matrix_element_squared(
    p1: &FourVector,
    p2: &FourVector,
    p3: &FourVector,
    p4: &FourVector,
    k: &FourVector,
) -> f64 {
    let s = 2.0 * dot(p1, p2);
    let s_prime = 2.0 * dot(p3, p4);
    let t = -2.0 * dot(p1, p3);
    let t_prime = -2.0 * dot(p2, p4);
    let u = -2.0 * dot(p1, p4);
    let u_prime = -2.0 * dot(p2, p3);
    let f = (s * s_prime * (s * s + s_prime * s_prime)
        + t * t_prime * (t * t + t_prime * t_prime)
        + u * u_prime * (u * u + u_prime * u_prime))
        / (s * s_prime * t * t_prime);
    f * eikonal_factor(p1, p2, p3, p4, k)
}

/// Spin-averaged `|M|^2 / e^4` of massless Bhabha scattering: `2 (s^4 + t^4 + u^4)/(s^2 t^2)`
/// (the square of [DPT Eq. 2.1]'s amplitude; `dsigma/dOmega = |M|^2 e^4/(64 pi^2 s)`).
#[must_use]
pub fn bhabha_matrix_element_squared(s: f64, t: f64, u: f64) -> f64 {
    2.0 * (s.powi(4) + t.powi(4) + u.powi(4)) / (s * s * t * t)
}

/// Flat massless three-body phase space at centre-of-mass energy `sqrt_s` (RAMBO): three
/// momenta from six uniform numbers in (0, 1]... and the constant weight [`rambo_volume`].
fn rambo(sqrt_s: f64, rng: &mut impl Rng) -> [FourVector; 3] {
    let mut q = [[0.0; 4]; 3];
    for qi in &mut q {
        let c: f64 = 2.0 * rng.random::<f64>() - 1.0;
        let phi = 2.0 * PI * rng.random::<f64>();
        // -ln of a product of two numbers in (0, 1]: never infinite.
        let r: f64 = (1.0 - rng.random::<f64>()) * (1.0 - rng.random::<f64>());
        let energy = -r.ln();
        let sin = (1.0 - c * c).max(0.0).sqrt();
        *qi = [
            energy,
            energy * sin * phi.cos(),
            energy * sin * phi.sin(),
            energy * c,
        ];
    }
    let total: FourVector = [
        q[0][0] + q[1][0] + q[2][0],
        q[0][1] + q[1][1] + q[2][1],
        q[0][2] + q[1][2] + q[2][2],
        q[0][3] + q[1][3] + q[2][3],
    ];
    let mass = dot(&total, &total).sqrt();
    let b = [-total[1] / mass, -total[2] / mass, -total[3] / mass];
    let gamma = total[0] / mass;
    let a = 1.0 / (1.0 + gamma);
    let x = sqrt_s / mass;
    q.map(|qi| {
        let bq = b[0] * qi[1] + b[1] * qi[2] + b[2] * qi[3];
        [
            x * (gamma * qi[0] + bq),
            x * (qi[1] + b[0] * qi[0] + a * bq * b[0]),
            x * (qi[2] + b[1] * qi[0] + a * bq * b[1]),
            x * (qi[3] + b[2] * qi[0] + a * bq * b[2]),
        ]
    })
}

/// Volume of massless three-body phase space, `(2 pi)^-5 (pi/2)^2 s / 2`, in GeV^2 (the RAMBO
/// weight for n = 3: `(2 pi)^(4-3n) (pi/2)^(n-1) s^(n-2) / ((n-1)! (n-2)!)`).
#[must_use]
pub fn rambo_volume(s: f64) -> f64 {
    (2.0 * PI).powi(-5) * (PI / 2.0).powi(2) * s / 2.0
}

/// What the generator computes, and its cuts (all in the lab frame).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The beams (electron along +z).
    pub collider: AsymmetricCollider,
    /// Polar-angle window of all three final particles, degrees from +z.
    pub theta_min_deg: f64,
    /// See `theta_min_deg`.
    pub theta_max_deg: f64,
    /// Smallest energy of each final particle, GeV.
    pub min_energy_gev: f64,
    /// Smallest `Delta R = sqrt(Delta eta^2 + Delta phi^2)` between the photon and each lepton.
    pub min_delta_r: f64,
    /// Smallest `Delta R` between the electron and the positron. Without it the massless
    /// cross section diverges logarithmically where the leptons are collinear (`s' -> 0`:
    /// `e+e- -> gamma gamma*`, `gamma* -> e+e-`); MadGraph's default run card has 0.4 (`drll`).
    pub min_delta_r_leptons: f64,
    /// Phase-space points.
    pub points: u64,
    /// Seed of the random numbers.
    pub seed: u64,
    /// Bins of the spectrum histogram.
    pub bins: usize,
    /// Histogram the electron instead of the positron.
    pub electrons: bool,
    /// The QED coupling: `1/alpha` (137.036, the Thomson limit, by default; MadGraph's default
    /// Standard Model uses 132.507).
    pub alpha_inverse: f64,
}

impl Settings {
    /// SuperKEKB (7 GeV electrons on 4 GeV positrons) with the cuts of [DPT App. F]: all three
    /// particles at 32.2-128.7 degrees in the lab with E > 2 GeV, the photon Delta R > 0.1 from
    /// both leptons, and Delta R > 0.4 between the leptons (MadGraph's default); alpha(0),
    /// 2e6 points, seed 1, 50 bins, positrons. The defaults of `spectrum = "radiative-bhabha"`.
    #[must_use]
    pub fn belle2_paper() -> Self {
        Self {
            collider: AsymmetricCollider {
                electron_energy_gev: 7.0,
                positron_energy_gev: 4.0,
            },
            theta_min_deg: 32.2,
            theta_max_deg: 128.7,
            min_energy_gev: 2.0,
            min_delta_r: 0.1,
            min_delta_r_leptons: 0.4,
            points: 2_000_000,
            seed: 1,
            bins: 50,
            electrons: false,
            alpha_inverse: 1.0 / crate::units::ALPHA,
        }
    }

    /// Everything the result depends on, as text (the cache key).
    #[must_use]
    pub fn key(&self) -> String {
        format!(
            "darksens {} radiative-bhabha sampler=vegas{DIMS}x{GRID_BINS}x{TRAINING_ITERATIONS}x{TRAINING_POINTS} envelope={}^{ENVELOPE_DIMS}x{ENVELOPE_SAFETY:?} electron_gev={:?} positron_gev={:?} theta_deg={:?}..{:?} min_energy_gev={:?} min_delta_r={:?} min_delta_r_leptons={:?} points={} seed={} bins={} electrons={} alpha_inverse={:?}",
            env!("CARGO_PKG_VERSION"),
            envelope_divisions(self.points),
            self.collider.electron_energy_gev,
            self.collider.positron_energy_gev,
            self.theta_min_deg,
            self.theta_max_deg,
            self.min_energy_gev,
            self.min_delta_r,
            self.min_delta_r_leptons,
            self.points,
            self.seed,
            self.bins,
            self.electrons,
            self.alpha_inverse
        )
    }
}

/// Outcome of a generator run.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// Cross section within the cuts, pb.
    pub sigma_pb: f64,
    /// Its statistical error (one standard deviation), pb.
    pub sigma_error_pb: f64,
    /// Phase-space points that passed the cuts.
    pub accepted: u64,
    /// Largest weight seen, pb.
    pub max_weight_pb: f64,
    /// Largest weight seen in each cell of the unweighting's envelope, pb (`d^3` cells, `d`
    /// divisions per dimension by the number of points; [`unweighted_events`]).
    pub cell_max_weights_pb: Vec<f64>,
    /// The trained VEGAS grid the points were drawn with ([`train_grid`]), which the
    /// unweighting draws with again.
    pub grid: Grid,
    /// Spectrum of the selected particle.
    pub spectrum: TabulatedSpectrum,
}

/// A phase-space point in the lab frame: the outgoing positron, electron and photon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Outgoing positron.
    pub positron: FourVector,
    /// Outgoing electron.
    pub electron: FourVector,
    /// Photon.
    pub photon: FourVector,
    /// Weight, pb (the cross section is the mean weight over all points, zero ones included).
    pub weight_pb: f64,
}

/// Points per chunk: each chunk has its own random stream.
const CHUNK: u64 = 1 << 16;

/// Pseudorapidity of a lab momentum:
/// `eta = -ln tan(theta/2) = sign(p_z) ln((|p| + |p_z|)/p_T)` (without cancellation).
fn pseudorapidity(p: &FourVector) -> f64 {
    let pt2 = p[1] * p[1] + p[2] * p[2];
    let norm = (pt2 + p[3] * p[3]).sqrt();
    ((norm + p[3].abs()) / pt2.sqrt()).ln().copysign(p[3])
}

/// Whether `Delta R = sqrt(Delta eta^2 + Delta phi^2)` of two lab momenta of pseudorapidities
/// `eta_a`, `eta_b` is at least `min`; `Delta phi` in `[0, pi]` from the transverse momenta,
/// `atan2(|a_T x b_T|, a_T . b_T)`, computed only when `|Delta eta|` alone falls short.
fn separated_by(a: (&FourVector, f64), b: (&FourVector, f64), min: f64) -> bool {
    let deta = a.1 - b.1;
    if deta.abs() >= min {
        return true;
    }
    let (a, b) = (a.0, b.0);
    let cross = (a[1] * b[2] - a[2] * b[1]).abs();
    let dphi = cross.atan2(a[1] * b[1] + a[2] * b[2]);
    deta * deta + dphi * dphi >= min * min
}

/// Massless three-body phase space at centre-of-mass energy `sqrt_s` from `u` in `[0, 1]^5`:
/// the momenta `[positron, electron, photon]` in the centre-of-mass frame and the weight
/// `dPhi_3/du`, GeV^2, with `dPhi_3 = (2 pi)^-5 / 8 dE_+ dE_- dcos(theta) dphi dchi` (the
/// three-body phase space in two energies and three Euler angles, PDG Review of Particle
/// Physics, "Kinematics", three-body decays)
/// (`theta`, `phi`: the positron's direction; `chi`: the rotation of the event plane about it),
/// `x1 = u0`, `x2 = 1 - u0 + u0 u1` (so `dx1 dx2 = x1 du0 du1`), and the opening angle of the
/// leptons from `k^2 = 0`: `1 - cos(theta_12) = 2 (x1 + x2 - 1)/(x1 x2)`. The weight integrates
/// to [`rambo_volume`] (tested).
#[must_use]
pub fn three_body(sqrt_s: f64, u: &[f64]) -> ([FourVector; 3], f64) {
    let x1 = u[0];
    let x2 = 1.0 - x1 + x1 * u[1];
    let (e1, e2) = (0.5 * sqrt_s * x1, 0.5 * sqrt_s * x2);
    let weight = sqrt_s * sqrt_s * x1 * PI * PI / (4.0 * (2.0 * PI).powi(5));
    if x1 <= 0.0 || x2 <= 0.0 {
        return ([[0.0; 4]; 3], 0.0);
    }
    let cos12 = (1.0 - 2.0 * (x1 + x2 - 1.0) / (x1 * x2)).clamp(-1.0, 1.0);
    let sin12 = (1.0 - cos12 * cos12).sqrt();
    let cos = 2.0 * u[2] - 1.0;
    let sin = (1.0 - cos * cos).max(0.0).sqrt();
    let (sin_phi, cos_phi) = (2.0 * PI * u[3]).sin_cos();
    let (sin_chi, cos_chi) = (2.0 * PI * u[4]).sin_cos();
    let n1 = [sin * cos_phi, sin * sin_phi, cos];
    let a = [cos * cos_phi, cos * sin_phi, -sin];
    let b = [-sin_phi, cos_phi, 0.0];
    let n2: [f64; 3] =
        std::array::from_fn(|i| cos12 * n1[i] + sin12 * (cos_chi * a[i] + sin_chi * b[i]));
    let p1 = [e1, e1 * n1[0], e1 * n1[1], e1 * n1[2]];
    let p2 = [e2, e2 * n2[0], e2 * n2[1], e2 * n2[2]];
    let k = [
        sqrt_s - e1 - e2,
        -p1[1] - p2[1],
        -p1[2] - p2[2],
        -p1[3] - p2[3],
    ];
    ([p1, p2, k], weight)
}

/// The event of centre-of-mass momenta `[positron, electron, photon]` with phase-space weight
/// `phase_space_gev2`: boosted to the lab, cut, and weighted with `|M|^2 / (2 s)` in pb (zero
/// when it fails the cuts).
fn event(selection: &Selection, cm: &[FourVector; 3], phase_space_gev2: f64) -> Event {
    let sel = selection;
    let [q3, q4, k] = cm;
    let beta = sel.beta;
    let (positron, electron, photon) = (boost_z(q3, beta), boost_z(q4, beta), boost_z(k, beta));
    // theta_min <= theta <= theta_max as cos(theta_max) <= p_z/|p| <= cos(theta_min): no
    // angle is computed for a point that fails the energy or polar-angle cuts.
    let passes = |p: &FourVector| {
        let cos = p[3] / (p[1] * p[1] + p[2] * p[2] + p[3] * p[3]).sqrt();
        p[0] >= sel.min_energy_gev && cos >= sel.cos_theta_max && cos <= sel.cos_theta_min
    };
    let separated = || {
        let e_plus = (&positron, pseudorapidity(&positron));
        let e_minus = (&electron, pseudorapidity(&electron));
        let gamma = (&photon, pseudorapidity(&photon));
        separated_by(gamma, e_plus, sel.min_delta_r)
            && separated_by(gamma, e_minus, sel.min_delta_r)
            && separated_by(e_plus, e_minus, sel.min_delta_r_leptons)
    };
    let weight_pb = if phase_space_gev2 > 0.0
        && passes(&positron)
        && passes(&electron)
        && passes(&photon)
        && separated()
    {
        // In the centre-of-mass frame: the incoming electron along +z.
        let half = 0.5 * sel.sqrt_s;
        let p1 = [half, 0.0, 0.0, -half];
        let p2 = [half, 0.0, 0.0, half];
        let m2 = sel.e6 * matrix_element_squared(&p1, &p2, q3, q4, k);
        gev2_to_pb(m2 / (2.0 * sel.s) * phase_space_gev2)
    } else {
        0.0
    };
    Event {
        positron,
        electron,
        photon,
        weight_pb,
    }
}

/// What every point needs of the [`Settings`], computed once: the beams' frame, the cuts (the
/// polar-angle window as cosines) and the coupling.
#[derive(Debug, Clone, Copy)]
struct Selection {
    /// `s = 4 E- E+`, GeV^2, and its root (the phase space's energy: `2 sqrt(E- E+)`).
    s: f64,
    sqrt_s: f64,
    root_s_phase_space: f64,
    /// Velocity of the centre-of-mass frame along the electron beam.
    beta: f64,
    cos_theta_min: f64,
    cos_theta_max: f64,
    min_energy_gev: f64,
    min_delta_r: f64,
    min_delta_r_leptons: f64,
    /// `e^6 = (4 pi alpha)^3`.
    e6: f64,
}

impl Selection {
    fn new(settings: &Settings) -> Self {
        let c = &settings.collider;
        let (e_minus, e_plus) = (c.electron_energy_gev, c.positron_energy_gev);
        let s = 4.0 * e_minus * e_plus;
        Self {
            s,
            sqrt_s: s.sqrt(),
            root_s_phase_space: 2.0 * (e_minus * e_plus).sqrt(),
            beta: (e_minus - e_plus) / (e_minus + e_plus),
            cos_theta_min: settings.theta_min_deg.to_radians().cos(),
            cos_theta_max: settings.theta_max_deg.to_radians().cos(),
            min_energy_gev: settings.min_energy_gev,
            min_delta_r: settings.min_delta_r,
            min_delta_r_leptons: settings.min_delta_r_leptons,
            e6: (4.0 * PI / settings.alpha_inverse).powi(3),
        }
    }
}

/// A point of flat phase space (RAMBO) and its event.
fn draw_flat(selection: &Selection, rng: &mut ChaCha8Rng) -> Event {
    let root_s = selection.root_s_phase_space;
    event(
        selection,
        &rambo(root_s, rng),
        rambo_volume(root_s * root_s),
    )
}

/// A point of the VEGAS-mapped phase space and its event (the bins it fell in, in `bins`),
/// with the cell it fell in of an envelope of `divisions` per dimension.
fn draw_vegas(
    selection: &Selection,
    grid: &Grid,
    rng: &mut ChaCha8Rng,
    bins: &mut Bins,
    divisions: usize,
) -> (Event, usize) {
    let y: [f64; DIMS] = std::array::from_fn(|_| rng.random());
    (
        vegas_event(selection, grid, &y, bins),
        envelope_cell(&y, divisions),
    )
}

/// The event at the VEGAS variables `y` (the bins they fell in, in `bins`).
fn vegas_event(selection: &Selection, grid: &Grid, y: &[f64; DIMS], bins: &mut Bins) -> Event {
    let mut u = [0.0; DIMS];
    let jacobian = grid.map(y, &mut u, bins);
    let (cm, weight) = three_body(selection.root_s_phase_space, &u);
    event(selection, &cm, weight * jacobian)
}

/// VEGAS variables the unweighting's envelope divides: the first three (the Dalitz variables
/// `x1`, `x2` and the positron's polar angle, [`three_body`]), where the weight's peaks that a
/// separable grid cannot flatten sit (photon-lepton collinear edges inside the `Delta R` cuts).
const ENVELOPE_DIMS: usize = 3;
/// Most equal divisions of each of them (8: 512 cells).
const ENVELOPE_DIVISIONS_MAX: usize = 8;
/// Fewest integration points per cell: the divisions are the most that leave this many (the
/// largest weight of fewer points understates the cell's supremum too often). 2e6 points (the
/// default) give 8 divisions, 2e5 give 3.
const ENVELOPE_POINTS_PER_CELL: u64 = 3500;
/// The envelope over a cell is this factor times the largest weight the integration saw there.
/// Measured at the defaults (8 divisions) with two independent samples of 2e6 points: 21 points
/// in 2e6 above the envelope, carrying 5e-5 of sigma (factor 1.0: 423 and 2.9e-4); unweighting
/// efficiency 7.4%, 9 times the 0.82% of hit-or-miss under the single largest weight.
const ENVELOPE_SAFETY: f64 = 1.25;

/// Divisions per dimension of the envelope of an integration of `points` points: the most, up
/// to [`ENVELOPE_DIVISIONS_MAX`], with [`ENVELOPE_POINTS_PER_CELL`] points per cell (at least 1).
fn envelope_divisions(points: u64) -> usize {
    (1..=ENVELOPE_DIVISIONS_MAX)
        .rev()
        .find(|&d| {
            u64::try_from(envelope_cells(d))
                .is_ok_and(|cells| cells * ENVELOPE_POINTS_PER_CELL <= points)
        })
        .unwrap_or(1)
}

/// Cells of an envelope of `divisions` per dimension: `divisions^ENVELOPE_DIMS`.
fn envelope_cells(divisions: usize) -> usize {
    (0..ENVELOPE_DIMS).map(|_| divisions).product()
}

/// The envelope cell of the VEGAS variables `y` with `divisions` per dimension: the index of
/// the division of each of the first [`ENVELOPE_DIMS`], the first the most significant digit.
fn envelope_cell(y: &[f64; DIMS], divisions: usize) -> usize {
    y[..ENVELOPE_DIMS].iter().fold(0, |cell, &yd| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "0 <= y < 1: a division index"
        )]
        let division = ((yd * divisions as f64) as usize).min(divisions - 1);
        cell * divisions + division
    })
}

/// The unweighting's envelope: over each cell of the first [`ENVELOPE_DIMS`] VEGAS variables a
/// constant bound on the weight ([`ENVELOPE_SAFETY`] times the largest seen there), and the
/// probability of drawing each cell, proportional to its bound (the cells have equal volume).
/// A point drawn in cell `k` and kept with probability `weight / bound_k` is then distributed
/// as the weight: hit-or-miss under a piecewise-constant envelope instead of one constant.
struct Envelope {
    divisions: usize,
    bound: Vec<f64>,
    /// `cumulative[k]`: the sum of the bounds of cells `0..=k`.
    cumulative: Vec<f64>,
}

impl Envelope {
    /// The envelope of the cells' largest weights (`divisions^ENVELOPE_DIMS` of them); `None`
    /// when none is positive, one is not a number, or their count is not a cube.
    fn new(cell_max_weights_pb: &[f64]) -> Option<Self> {
        let cells = cell_max_weights_pb.len();
        let divisions = (1..=ENVELOPE_DIVISIONS_MAX).find(|&d| envelope_cells(d) == cells)?;
        if cell_max_weights_pb.iter().any(|w| w.is_nan() || *w < 0.0) {
            return None;
        }
        let bound: Vec<f64> = cell_max_weights_pb
            .iter()
            .map(|w| ENVELOPE_SAFETY * w)
            .collect();
        let cumulative: Vec<f64> = bound
            .iter()
            .scan(0.0, |sum, b| {
                *sum += b;
                Some(*sum)
            })
            .collect();
        (cumulative[cells - 1] > 0.0).then_some(Self {
            divisions,
            bound,
            cumulative,
        })
    }

    /// Draws a cell in proportion to its bound and VEGAS variables `y` uniformly inside it;
    /// returns the cell.
    fn draw(&self, rng: &mut ChaCha8Rng, y: &mut [f64; DIMS]) -> usize {
        let cells = self.cumulative.len();
        let r = rng.random::<f64>() * self.cumulative[cells - 1];
        // The first cell whose cumulative bound exceeds r (empty cells are never drawn).
        let cell = self.cumulative.partition_point(|&c| c <= r).min(cells - 1);
        let mut rest = cell;
        #[expect(clippy::cast_precision_loss, reason = "division counts are small")]
        let width = 1.0 / self.divisions as f64;
        for d in (0..ENVELOPE_DIMS).rev() {
            #[expect(clippy::cast_precision_loss, reason = "division indices are small")]
            let division = (rest % self.divisions) as f64;
            rest /= self.divisions;
            y[d] = (division + rng.random::<f64>()) * width;
        }
        for yd in &mut y[ENVELOPE_DIMS..] {
            *yd = rng.random();
        }
        cell
    }
}

/// Dimensions of the phase-space map ([`three_body`]).
const DIMS: usize = 5;
/// VEGAS bins per dimension.
const GRID_BINS: usize = 50;
/// Training passes of the grid.
const TRAINING_ITERATIONS: u64 = 6;
/// Points per training pass.
const TRAINING_POINTS: u64 = 1 << 17;
/// Points per training chunk (each its own stream).
const TRAINING_CHUNK: u64 = 1 << 13;
/// First random stream of the training (the integration uses streams `0..chunks`).
const TRAINING_STREAMS: u64 = 1 << 61;
/// Grid-compression exponent of the refinement (Lepage's 1.5).
const GRID_ALPHA: f64 = 1.5;

/// The VEGAS grid for `settings`: `TRAINING_ITERATIONS` passes of `TRAINING_POINTS` points,
/// deterministic (chunk streams of the seed, summed in chunk order).
#[must_use]
pub fn train_grid(settings: &Settings) -> Grid {
    let mut grid = Grid::uniform(DIMS, GRID_BINS);
    let selection = Selection::new(settings);
    let chunks = TRAINING_POINTS / TRAINING_CHUNK;
    for iteration in 0..TRAINING_ITERATIONS {
        let per_chunk: Vec<Vec<Vec<f64>>> = (0..chunks)
            .into_par_iter()
            .map(|chunk| {
                let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
                rng.set_stream(TRAINING_STREAMS + iteration * chunks + chunk);
                let mut sums = grid.empty_sums();
                let mut bins = Vec::with_capacity(DIMS);
                for _ in 0..TRAINING_CHUNK {
                    let w = draw_vegas(&selection, &grid, &mut rng, &mut bins, 1)
                        .0
                        .weight_pb;
                    Grid::accumulate(&mut sums, &bins, w);
                }
                sums
            })
            .collect();
        let mut sums = grid.empty_sums();
        for chunk in per_chunk {
            for (total, part) in sums.iter_mut().zip(chunk) {
                for (t, p) in total.iter_mut().zip(part) {
                    *t += p;
                }
            }
        }
        grid.refine(&sums, GRID_ALPHA);
    }
    grid
}

/// What one chunk of points adds up to.
struct ChunkSums {
    /// Sum of the weights, pb.
    sum: f64,
    /// Sum of their squares.
    sum2: f64,
    /// The largest weight.
    max: f64,
    /// The largest weight in each envelope cell.
    cell_max: Vec<f64>,
    /// `(weight, energy)` of the selected particle of every accepted point.
    accepted: Vec<(f64, f64)>,
}

/// `settings.points` points drawn by `draw` (each with its envelope cell) in chunks of `CHUNK`,
/// chunk `c` from stream `c` of the seed: the sums of each chunk, in chunk order.
fn integrate_chunks(
    settings: &Settings,
    draw: impl Fn(&mut ChaCha8Rng, &mut Bins) -> (Event, usize) + Sync,
) -> Vec<ChunkSums> {
    let chunks = settings.points.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
            rng.set_stream(chunk);
            let n = CHUNK.min(settings.points - chunk * CHUNK);
            let (mut sum, mut sum2, mut max) = (0.0, 0.0, 0.0_f64);
            let mut cell_max = vec![0.0_f64; envelope_cells(envelope_divisions(settings.points))];
            let mut accepted = Vec::new();
            let mut bins = Vec::with_capacity(DIMS);
            for _ in 0..n {
                let (event, cell) = draw(&mut rng, &mut bins);
                let w = event.weight_pb;
                if w > 0.0 {
                    sum += w;
                    sum2 += w * w;
                    max = max.max(w);
                    cell_max[cell] = cell_max[cell].max(w);
                    let selected = if settings.electrons {
                        event.electron
                    } else {
                        event.positron
                    };
                    accepted.push((w, selected[0]));
                }
            }
            ChunkSums {
                sum,
                sum2,
                max,
                cell_max,
                accepted,
            }
        })
        .collect()
}

/// Mean and standard error of the weights of `settings.points` points, pb.
fn mean_and_error(settings: &Settings, per_chunk: &[ChunkSums]) -> (f64, f64) {
    #[expect(
        clippy::cast_precision_loss,
        reason = "point counts are far below 2^52"
    )]
    let n = settings.points as f64;
    let sum: f64 = per_chunk.iter().map(|c| c.sum).sum();
    let sum2: f64 = per_chunk.iter().map(|c| c.sum2).sum();
    let mean = sum / n;
    (mean, ((sum2 / n - mean * mean).max(0.0) / n).sqrt())
}

/// The cross section within the cuts, pb, and its standard error, from flat phase space
/// (RAMBO, no adaptation): the independent second method for [`generate`]. It needs many more
/// points for the same precision.
#[must_use]
pub fn integrate_flat(settings: &Settings) -> (f64, f64) {
    let selection = Selection::new(settings);
    let per_chunk = integrate_chunks(settings, |rng, _| (draw_flat(&selection, rng), 0));
    mean_and_error(settings, &per_chunk)
}

/// Integrates the cross section and histograms the selected particle's energy.
///
/// # Errors
/// Fewer than two accepted points (cuts that leave nothing, or too few points).
pub fn generate(settings: &Settings) -> Result<Generated, GeneratorError> {
    let grid = train_grid(settings);
    let selection = Selection::new(settings);
    let divisions = envelope_divisions(settings.points);
    let per_chunk = integrate_chunks(settings, |rng, bins| {
        draw_vegas(&selection, &grid, rng, bins, divisions)
    });
    #[expect(
        clippy::cast_precision_loss,
        reason = "point counts are far below 2^52"
    )]
    let n = settings.points as f64;
    let (sigma_pb, sigma_error_pb) = mean_and_error(settings, &per_chunk);
    let max_weight_pb = per_chunk.iter().map(|c| c.max).fold(0.0, f64::max);
    let cell_max_weights_pb: Vec<f64> = (0..envelope_cells(divisions))
        .map(|k| per_chunk.iter().map(|c| c.cell_max[k]).fold(0.0, f64::max))
        .collect();
    let samples: Vec<(f64, f64)> = per_chunk
        .into_iter()
        .flat_map(|c| c.accepted)
        .map(|(w, e)| (w / n, e))
        .collect();
    let accepted = samples.len() as u64;
    let name = format!(
        "radiative Bhabha generator (sigma = {sigma_pb:.4} +- {sigma_error_pb:.4} pb, {} points, seed {})",
        settings.points, settings.seed
    );
    let (spectrum, _) =
        TabulatedSpectrum::histogram(&name, &samples, settings.bins, settings.electrons)
            .map_err(|spectrum| GeneratorError { spectrum })?;
    Ok(Generated {
        sigma_pb,
        sigma_error_pb,
        accepted,
        max_weight_pb,
        cell_max_weights_pb,
        grid,
        spectrum,
    })
}

impl Generated {
    /// The text a cache keeps for this run: the spectrum table with the settings' key, the
    /// cross section and the table's source as `#` comments. [`Generated::from_cache_text`]
    /// reads it back bit for bit.
    #[must_use]
    pub fn to_cache_text(&self, settings: &Settings) -> String {
        let comments = [
            format!("key: {}", settings.key()),
            format!(
                "sigma_pb={:?} sigma_error_pb={:?} accepted={} max_weight_pb={:?} cell_max_weights_pb={} grid={}",
                self.sigma_pb,
                self.sigma_error_pb,
                self.accepted,
                self.max_weight_pb,
                exact_list(&self.cell_max_weights_pb),
                self.grid
                    .edges()
                    .iter()
                    .map(|e| exact_list(e))
                    .collect::<Vec<_>>()
                    .join(";")
            ),
            format!("source: {}", self.spectrum.source),
        ];
        self.spectrum.to_csv(&comments)
    }

    /// The run a cache text of [`Generated::to_cache_text`] holds, if it was written for
    /// `settings` and parses.
    #[must_use]
    pub fn from_cache_text(text: &str, settings: &Settings) -> Option<Self> {
        let mut lines = text.lines();
        let key = lines.next()?.strip_prefix("# key: ")?;
        if key != settings.key() {
            return None;
        }
        let numbers: std::collections::HashMap<&str, &str> = lines
            .next()?
            .strip_prefix("# ")?
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let number = |k: &str| numbers.get(k)?.parse::<f64>().ok();
        let source = lines.next()?.strip_prefix("# source: ")?;
        let table = TabulatedSpectrum::parse_csv(text, source, settings.electrons).ok()?;
        Some(Self {
            sigma_pb: number("sigma_pb")?,
            sigma_error_pb: number("sigma_error_pb")?,
            accepted: numbers.get("accepted")?.parse().ok()?,
            max_weight_pb: number("max_weight_pb")?,
            cell_max_weights_pb: parse_list(numbers.get("cell_max_weights_pb")?)
                .filter(|w| w.len() == envelope_cells(envelope_divisions(settings.points)))?,
            grid: Grid::from_edges(
                numbers
                    .get("grid")?
                    .split(';')
                    .map(parse_list)
                    .collect::<Option<Vec<_>>>()?,
            )
            .filter(|g| g.dims() == DIMS && g.bins() == GRID_BINS)?,
            spectrum: TabulatedSpectrum::from_points(
                source,
                &table.points_pb(),
                settings.electrons,
            )
            .ok()?,
        })
    }
}

/// Numbers as `a,b,c` that [`parse_list`] reads back bit for bit.
fn exact_list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The numbers of an [`exact_list`]; `None` if one does not parse.
fn parse_list(text: &str) -> Option<Vec<f64>> {
    text.split(',').map(|v| v.parse().ok()).collect()
}

/// Unweighted events and what it took to draw them.
#[derive(Debug, Clone, PartialEq)]
pub struct Unweighted {
    /// The events, each to carry weight `sigma / events.len()`.
    pub events: Vec<Event>,
    /// Phase-space points drawn up to the last event kept.
    pub points: u64,
    /// Events whose weight exceeded the envelope over their cell (kept with probability one, so
    /// slightly under-represented; a handful in a large sample is normal for hit-or-miss).
    pub overweight: usize,
}

/// First random stream of the unweighting (the integration uses streams `0..chunks`).
const UNWEIGHTING_STREAMS: u64 = 1 << 62;

/// `n` unweighted events: points of the VEGAS-mapped phase space of `grid` (that of
/// [`train_grid`]), hit-or-miss under the piecewise-constant envelope of the integration's
/// largest weights per cell, `cell_max_weights_pb` ([`Generated::cell_max_weights_pb`],
/// `Envelope`). Chunks of points have their own random streams and are taken in order, so
/// the events are the same whatever the thread count. `cancelled` is asked between batches of
/// chunks; `None` when it said yes.
#[must_use]
pub fn unweighted_events(
    settings: &Settings,
    grid: &Grid,
    cell_max_weights_pb: &[f64],
    n: usize,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Unweighted> {
    let mut out = Unweighted {
        events: Vec::with_capacity(n),
        points: 0,
        overweight: 0,
    };
    let Some(envelope) = Envelope::new(cell_max_weights_pb) else {
        return Some(out);
    };
    let selection = Selection::new(settings);
    let batch = 2 * rayon::current_num_threads() as u64;
    let mut next_chunk = 0;
    while out.events.len() < n {
        if cancelled() {
            return None;
        }
        // For each chunk of the batch: (index of the point within the chunk, event, overweight).
        let found: Vec<Vec<(u64, Event, bool)>> = (next_chunk..next_chunk + batch)
            .into_par_iter()
            .map(|chunk| {
                let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
                rng.set_stream(UNWEIGHTING_STREAMS + chunk);
                let mut kept = Vec::new();
                let mut bins = Vec::with_capacity(DIMS);
                let mut y = [0.0; DIMS];
                for index in 0..CHUNK {
                    let bound = envelope.bound[envelope.draw(&mut rng, &mut y)];
                    let event = vegas_event(&selection, grid, &y, &mut bins);
                    let r: f64 = rng.random();
                    if event.weight_pb > r * bound {
                        kept.push((index, event, event.weight_pb > bound));
                    }
                }
                kept
            })
            .collect();
        for (k, kept) in found.into_iter().enumerate() {
            let chunk = next_chunk + k as u64;
            for (index, event, over) in kept {
                if out.events.len() == n {
                    return Some(out);
                }
                out.events.push(event);
                out.points = chunk * CHUNK + index + 1;
                out.overweight += usize::from(over);
            }
        }
        next_chunk += batch;
    }
    Some(out)
}

/// A lab four-vector `[E, px, py, pz]` as Les Houches orders it, `[px, py, pz, E]`.
fn lhe_momentum(p: &FourVector) -> [f64; 4] {
    [p[1], p[2], p[3], p[0]]
}

/// Writes `n` unweighted events of the generator as a Les Houches event file: the `<init>`
/// block carries the cross section and its error from `generated`, every event the weight
/// `sigma / n`, the positron (-11), electron (11) and photon (22) in the lab frame (electron
/// beam along +z), and the header every setting (the cache key), so that the file can be
/// regenerated bit for bit.
///
/// # Errors
/// If the output cannot be written; [`std::io::ErrorKind::Interrupted`] when `cancelled` said
/// yes before all events were drawn (nothing is written then).
pub fn write_lhe(
    settings: &Settings,
    generated: &Generated,
    n: usize,
    out: &mut impl std::io::Write,
    encoding: super::lhe::Encoding,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> std::io::Result<Unweighted> {
    use super::lhe::{LheEvent, LheInit, write_events_encoded};
    let unweighted = unweighted_events(
        settings,
        &generated.grid,
        &generated.cell_max_weights_pb,
        n,
        cancelled,
    )
    .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::Interrupted, "cancelled"))?;
    #[expect(
        clippy::cast_precision_loss,
        reason = "event counts are far below 2^52"
    )]
    let weight = generated.sigma_pb / unweighted.events.len().max(1) as f64;
    let events: Vec<LheEvent> = unweighted
        .events
        .iter()
        .map(|e| LheEvent {
            weight,
            particles: vec![
                (-11, lhe_momentum(&e.positron)),
                (11, lhe_momentum(&e.electron)),
                (22, lhe_momentum(&e.photon)),
            ],
        })
        .collect();
    let init = LheInit {
        beams: [11, -11],
        energies_gev: [
            settings.collider.electron_energy_gev,
            settings.collider.positron_energy_gev,
        ],
        sigma_pb: generated.sigma_pb,
        sigma_error_pb: generated.sigma_error_pb,
    };
    write_events_encoded(
        out,
        &init,
        (&settings.key(), 1.0 / settings.alpha_inverse),
        &events,
        encoding,
    )?;
    Ok(unweighted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn belle2() -> Settings {
        Settings {
            points: 200_000,
            bins: 40,
            ..Settings::belle2_paper()
        }
    }

    /// RAMBO conserves momentum, keeps the particles massless, and its points average the flat
    /// phase-space volume: the fraction of events with all three particles in the forward
    /// hemisphere of a fixed axis... is checked instead through a closed form: the mean of
    /// E1 over flat massless 3-body phase space is sqrt(s)/3 by symmetry.
    #[test]
    fn rambo_conserves_momentum_and_is_symmetric() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut mean = [0.0; 3];
        let n = 20_000;
        for _ in 0..n {
            let q = rambo(10.0, &mut rng);
            for mu in 0..4 {
                let total: f64 = q.iter().map(|p| p[mu]).sum();
                let expected = if mu == 0 { 10.0 } else { 0.0 };
                assert!((total - expected).abs() < 1e-12, "{mu}: {total}");
            }
            for (i, p) in q.iter().enumerate() {
                assert!(dot(p, p).abs() < 1e-12 * p[0] * p[0]);
                mean[i] += p[0] / f64::from(n);
            }
        }
        for m in mean {
            assert!((m - 10.0 / 3.0).abs() < 0.03, "{m}");
        }
    }

    /// The Dalitz-Euler map gives massless momenta that conserve four-momentum, and its
    /// weights average to the phase-space volume (the weight depends on `u0` only, so the
    /// average is exact on the midpoint rule) and reproduce flat phase space: the photon is
    /// isotropic (`<cos^2> = 1/3`) with mean energy `sqrt(s)/3`, as RAMBO gives in closed form.
    #[test]
    fn three_body_map_is_flat_phase_space() {
        let sqrt_s = 10.58;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut sum_w, mut sum_cos2, mut sum_e) = (0.0, 0.0, 0.0);
        let n = 200_000;
        for _ in 0..n {
            let u: [f64; 5] = std::array::from_fn(|_| rng.random());
            let (q, w) = three_body(sqrt_s, &u);
            for mu in 0..4 {
                let total: f64 = q.iter().map(|p| p[mu]).sum();
                let expected = if mu == 0 { sqrt_s } else { 0.0 };
                assert!((total - expected).abs() < 1e-12, "{mu}: {total}");
            }
            for p in &q {
                assert!(dot(p, p).abs() < 1e-11 * sqrt_s * sqrt_s, "{p:?}");
            }
            let k = q[2];
            sum_w += w;
            sum_cos2 += w * (k[3] / k[0]).powi(2);
            sum_e += w * k[0];
        }
        let midpoint: f64 = (0..1000)
            .map(|i| three_body(sqrt_s, &[(f64::from(i) + 0.5) / 1000.0, 0.3, 0.2, 0.1, 0.7]).1)
            .sum::<f64>()
            / 1000.0;
        assert_relative_eq!(
            midpoint,
            rambo_volume(sqrt_s * sqrt_s),
            max_relative = 1e-6,
            epsilon = 0.0
        );
        assert!(
            (sum_cos2 / sum_w - 1.0 / 3.0).abs() < 4e-3,
            "{}",
            sum_cos2 / sum_w
        );
        assert!(
            (sum_e / sum_w / sqrt_s - 1.0 / 3.0).abs() < 2e-3,
            "{}",
            sum_e / sum_w
        );
    }

    /// Second method: flat phase space (RAMBO, no adaptation) with 4x the points and other
    /// random numbers agrees with the VEGAS-adapted integration within their combined errors,
    /// and the adapted error is several times smaller per point.
    #[test]
    fn vegas_agrees_with_flat_phase_space() {
        let adapted = generate(&Settings {
            points: 1_000_000,
            ..belle2()
        })
        .expect("generates");
        let (flat, flat_error) = integrate_flat(&Settings {
            points: 4_000_000,
            seed: 7,
            ..belle2()
        });
        let combined = adapted.sigma_error_pb.hypot(flat_error);
        assert!(
            (adapted.sigma_pb - flat).abs() < 3.0 * combined,
            "VEGAS {} +- {} against flat {flat} +- {flat_error}",
            adapted.sigma_pb,
            adapted.sigma_error_pb
        );
        // Per point: flat's error with 4x the points is still over twice VEGAS's.
        assert!(flat_error > 2.0 * adapted.sigma_error_pb);
    }

    /// The reported error is the spread: eight seeds of a small run scatter about their mean
    /// as their errors say (chi^2 per degree of freedom below 3, and above 0.1).
    #[test]
    fn reported_error_matches_the_spread_over_seeds() {
        let runs: Vec<(f64, f64)> = (1..=8)
            .map(|seed| {
                let g = generate(&Settings {
                    points: 100_000,
                    seed,
                    ..belle2()
                })
                .expect("generates");
                (g.sigma_pb, g.sigma_error_pb)
            })
            .collect();
        let weights: f64 = runs.iter().map(|(_, e)| e.powi(-2)).sum();
        let mean = runs.iter().map(|(v, e)| v * e.powi(-2)).sum::<f64>() / weights;
        let chi2: f64 = runs.iter().map(|(v, e)| ((v - mean) / e).powi(2)).sum();
        let per_dof = chi2 / 7.0;
        assert!(
            (0.1..3.0).contains(&per_dof),
            "chi2/dof = {per_dof}: {runs:?}"
        );
    }

    /// 1% statistical precision on sigma from 5e4 points (its speed is gated in
    /// `tests/speed.rs`, against a yardstick measured in the same run).
    #[test]
    fn one_percent_on_sigma_from_fifty_thousand_points() {
        let g = generate(&Settings {
            points: 50_000,
            ..belle2()
        })
        .expect("generates");
        assert!(g.sigma_error_pb < 0.01 * g.sigma_pb, "{g:?}");
    }

    /// Event files are the same bytes whatever the thread count, carry the generator's sigma,
    /// and each event passes the cuts with weight sigma / N.
    #[test]
    fn event_files_do_not_depend_on_the_thread_count() {
        let settings = Settings {
            points: 100_000,
            ..belle2()
        };
        let generated = generate(&settings).expect("generates");
        let write = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| {
                    let mut bytes = Vec::new();
                    let u = write_lhe(
                        &settings,
                        &generated,
                        300,
                        &mut bytes,
                        super::super::lhe::Encoding::Plain,
                        &|| false,
                    )
                    .expect("writes");
                    (bytes, u)
                })
        };
        let (one, u) = write(1);
        let (three, _) = write(3);
        assert_eq!(one, three);
        assert_eq!(u.events.len(), 300);
        assert!(u.events.iter().all(|e| e.weight_pb > 0.0));
        let text = String::from_utf8(one).expect("text");
        assert_eq!(text.matches("<event>").count(), 300);
        assert!(text.contains(&format!("{:.8e}", generated.sigma_pb)));
    }

    /// The cut helpers against their definitions from the angles: the pseudorapidity against
    /// `-ln tan(theta/2)` with `theta = atan2(p_T, p_z)`, forward and backward; the separation
    /// against `Delta R` from `Delta eta` and the azimuths' difference folded into `[0, pi]`,
    /// on both sides of the cut.
    #[test]
    fn cut_helpers_follow_their_definitions() {
        let momentum = |theta: f64, phi: f64| -> FourVector {
            [
                5.0,
                5.0 * theta.sin() * phi.cos(),
                5.0 * theta.sin() * phi.sin(),
                5.0 * theta.cos(),
            ]
        };
        let eta_of = |theta: f64| -(0.5 * theta).tan().ln();
        for theta in [0.05, 0.6, 1.2, PI / 2.0, 2.0, 2.9] {
            let p = momentum(theta, 0.7);
            let expected = eta_of(p[1].hypot(p[2]).atan2(p[3]));
            assert!((pseudorapidity(&p) - expected).abs() < 1e-12, "{theta}");
        }
        let mut checked = [0, 0];
        for (ta, pa, tb, pb) in [
            (1.0, 0.1, 1.05, 0.2),
            (1.0, 3.0, 1.1, -3.0),
            (0.8, 0.0, 1.9, 0.1),
            (1.2, -2.0, 1.25, -1.7),
            (1.3, 1.0, 1.3, 1.3),
        ] {
            let (a, b) = (momentum(ta, pa), momentum(tb, pb));
            let (ea, eb) = (pseudorapidity(&a), pseudorapidity(&b));
            let mut dphi = (pa - pb).abs() % (2.0 * PI);
            if dphi > PI {
                dphi = 2.0 * PI - dphi;
            }
            let delta_r = (ea - eb).hypot(dphi);
            for min in [0.1, 0.4] {
                let expected = delta_r >= min;
                checked[usize::from(expected)] += 1;
                assert_eq!(
                    separated_by((&a, ea), (&b, eb), min),
                    expected,
                    "{delta_r} {min}"
                );
            }
        }
        assert!(checked[0] > 0 && checked[1] > 0, "{checked:?}");
    }

    /// Soft-photon theorem: as k -> 0 the radiative square tends to the Bhabha square times
    /// the eikonal factor.
    #[test]
    fn soft_limit_is_bhabha_times_the_eikonal_factor() {
        let e = 5.0;
        let p1 = [e, 0.0, 0.0, -e];
        let p2 = [e, 0.0, 0.0, e];
        let (c, s_) = (0.3_f64, (1.0_f64 - 0.09).sqrt());
        for scale in [1e-3, 1e-5] {
            // A soft photon; the leptons share the rest back to back, to O(scale).
            let w = scale * e;
            let k = [w, w * 0.6, 0.0, w * 0.8];
            let rest = [2.0 * e - w, -k[1], -k[2], -k[3]];
            // Outgoing leptons: back to back in the rest frame of `rest`, approximately.
            let half = 0.5 * (dot(&rest, &rest)).sqrt();
            let q3r = [half, half * s_, 0.0, half * c];
            let q4r = [half, -half * s_, 0.0, -half * c];
            // Boost from the rest frame of `rest` to the centre-of-mass frame (general boost).
            let m = dot(&rest, &rest).sqrt();
            let b = [rest[1] / rest[0], rest[2] / rest[0], rest[3] / rest[0]];
            let gamma = rest[0] / m;
            let boost = |p: &FourVector| -> FourVector {
                let bp = b[0] * p[1] + b[1] * p[2] + b[2] * p[3];
                let b2 = b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
                let f = if b2 > 0.0 {
                    (gamma - 1.0) * bp / b2
                } else {
                    0.0
                };
                [
                    gamma * (p[0] + bp),
                    p[1] + f * b[0] + gamma * b[0] * p[0],
                    p[2] + f * b[1] + gamma * b[1] * p[0],
                    p[3] + f * b[2] + gamma * b[2] * p[0],
                ]
            };
            let (q3, q4) = (boost(&q3r), boost(&q4r));
            let radiative = matrix_element_squared(&p1, &p2, &q3, &q4, &k);
            let s = 2.0 * dot(&p1, &p2);
            let t = -2.0 * dot(&p1, &q3);
            let u = -2.0 * dot(&p1, &q4);
            let soft =
                bhabha_matrix_element_squared(s, t, u) * eikonal_factor(&p1, &p2, &q3, &q4, &k);
            assert_relative_eq!(
                radiative / soft,
                1.0,
                max_relative = 20.0 * scale,
                epsilon = 0.0
            );
        }
    }

    /// C symmetry: exchanging the electron and the positron (both in and out) leaves |M|^2
    /// unchanged; so does time reversal (in <-> out).
    #[test]
    fn matrix_element_is_symmetric() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..100 {
            let [q3, q4, k] = rambo(10.0, &mut rng);
            let p1 = [5.0, 0.0, 0.0, -5.0];
            let p2 = [5.0, 0.0, 0.0, 5.0];
            let m = matrix_element_squared(&p1, &p2, &q3, &q4, &k);
            assert_relative_eq!(
                m,
                matrix_element_squared(&p2, &p1, &q4, &q3, &k),
                max_relative = 1e-12,
                epsilon = 0.0
            );
            // Time reversal with the photon crossed stays a different process; check the
            // parity image instead (all three-momenta reversed).
            let parity = |p: &FourVector| [p[0], -p[1], -p[2], -p[3]];
            assert_relative_eq!(
                m,
                matrix_element_squared(
                    &parity(&p1),
                    &parity(&p2),
                    &parity(&q3),
                    &parity(&q4),
                    &parity(&k)
                ),
                max_relative = 1e-12,
                epsilon = 0.0
            );
        }
    }

    /// With equal beam energies and a window symmetric about 90 degrees, charge conjugation
    /// makes the positron and electron spectra the same: equal cross sections (exactly: the
    /// same points pass), and equal mean energies and energy spreads within the statistics.
    /// With the Belle II boost they differ.
    #[test]
    fn symmetric_beams_give_equal_positron_and_electron_spectra() {
        let symmetric = Settings {
            collider: AsymmetricCollider {
                electron_energy_gev: 5.29,
                positron_energy_gev: 5.29,
            },
            theta_min_deg: 40.0,
            theta_max_deg: 140.0,
            points: 400_000,
            ..belle2()
        };
        let moments = |s: &TabulatedSpectrum| {
            let points = s.points_pb();
            let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
            for w in points.windows(2) {
                // Midpoint moments of the linear interpolant, fine enough for a comparison.
                let (e, f) = (0.5 * (w[0].0 + w[1].0), 0.5 * (w[0].1 + w[1].1));
                let de = w[1].0 - w[0].0;
                m0 += f * de;
                m1 += e * f * de;
                m2 += e * e * f * de;
            }
            let mean = m1 / m0;
            (mean, (m2 / m0 - mean * mean).sqrt())
        };
        let positrons = generate(&symmetric).expect("positrons");
        let electrons = generate(&Settings {
            electrons: true,
            ..symmetric
        })
        .expect("electrons");
        assert_eq!(positrons.sigma_pb, electrons.sigma_pb);
        let (mp, sp) = moments(&positrons.spectrum);
        let (me, se) = moments(&electrons.spectrum);
        assert!((mp / me - 1.0).abs() < 5e-3, "mean {mp} against {me}");
        assert!((sp / se - 1.0).abs() < 2e-2, "spread {sp} against {se}");
        // The boosted collider is not symmetric: the electron goes forward, harder.
        let boosted = belle2();
        let (mp, _) = moments(&generate(&boosted).expect("positrons").spectrum);
        let (me, _) = moments(
            &generate(&Settings {
                electrons: true,
                ..boosted
            })
            .expect("electrons")
            .spectrum,
        );
        assert!(me > 1.02 * mp, "electrons {me} GeV, positrons {mp} GeV");
    }

    /// A spectrum read back from the cache is the computed one, bit for bit.
    #[test]
    fn cache_round_trip_is_exact() {
        let settings = Settings {
            points: 20_000,
            ..belle2()
        };
        let fresh = generate(&settings).expect("generates");
        let text = fresh.to_cache_text(&settings);
        assert_eq!(Generated::from_cache_text(&text, &settings), Some(fresh));
        let other = Settings {
            seed: 2,
            ..settings
        };
        assert_eq!(Generated::from_cache_text(&text, &other), None);
    }

    /// The envelope draws its cells in proportion to their bounds and puts the point inside the
    /// cell it drew; cells without weight are never drawn.
    #[test]
    fn envelope_draws_points_inside_cells_in_proportion_to_their_bounds() {
        let cells = envelope_cells(ENVELOPE_DIVISIONS_MAX);
        let maxima: Vec<f64> = (0..cells)
            .map(|k| if k % 3 == 0 { 0.0 } else { (k % 7 + 1) as f64 })
            .collect();
        let envelope = Envelope::new(&maxima).expect("positive");
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut y = [0.0; DIMS];
        let draws = 400_000;
        let mut counts = vec![0usize; cells];
        for _ in 0..draws {
            let cell = envelope.draw(&mut rng, &mut y);
            assert_eq!(envelope_cell(&y, ENVELOPE_DIVISIONS_MAX), cell);
            assert!(y.iter().all(|v| (0.0..1.0).contains(v)));
            counts[cell] += 1;
        }
        let total: f64 = maxima.iter().sum();
        for (k, &count) in counts.iter().enumerate() {
            let expected = f64::from(draws) * maxima[k] / total;
            assert!(
                (count as f64 - expected).abs() <= 5.0 * expected.sqrt() + 1e-9,
                "cell {k}: {count} drawn, {expected} expected"
            );
        }
        assert!(Envelope::new(&vec![0.0; cells]).is_none());
        assert!(Envelope::new(&[1.0; 3]).is_none());
        assert!(Envelope::new(&[1.0; 27]).is_some());
        assert_eq!(envelope_divisions(2_000_000), 8);
        assert_eq!(envelope_divisions(200_000), 3);
        assert_eq!(envelope_divisions(10), 1);
        let mut nan = maxima.clone();
        nan[5] = f64::NAN;
        assert!(Envelope::new(&nan).is_none());
    }

    /// Unweighted events are distributed as the weights: the means of five observables (the
    /// three energies, the positron's and the photon's cos theta in the lab) over 20 000 events
    /// agree with the weighted means of 400 000 independent VEGAS points within 4.5 combined
    /// standard errors, few events exceed their cell's envelope, and the envelope keeps more
    /// points than the single largest weight would. The grid the generator keeps (and an event
    /// file draws with) is the one training gives.
    #[test]
    fn unweighted_events_follow_the_weights() {
        let settings = belle2();
        let generated = generate(&settings).expect("generates");
        assert_eq!(generated.grid, train_grid(&settings));
        let grid = &generated.grid;
        let observables = |e: &Event| {
            let cos = |p: &FourVector| p[3] / (p[1] * p[1] + p[2] * p[2] + p[3] * p[3]).sqrt();
            [
                e.positron[0],
                e.electron[0],
                e.photon[0],
                cos(&e.positron),
                cos(&e.photon),
            ]
        };
        // Weighted reference: its own streams, far from the integration's and unweighting's.
        let selection = Selection::new(&settings);
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        rng.set_stream(1 << 40);
        let mut bins = Vec::new();
        let (mut w_sum, mut w2_sum) = (0.0, 0.0);
        let (mut m1, mut m2) = ([0.0; 5], [0.0; 5]);
        for _ in 0..400_000 {
            let (event, _) = draw_vegas(&selection, grid, &mut rng, &mut bins, 1);
            if event.weight_pb > 0.0 {
                let w = event.weight_pb;
                let o = observables(&event);
                w_sum += w;
                w2_sum += w * w;
                for i in 0..5 {
                    m1[i] += w * o[i];
                    m2[i] += w * o[i] * o[i];
                }
            }
        }
        let n_eff = w_sum * w_sum / w2_sum;
        let unweighted = unweighted_events(
            &settings,
            grid,
            &generated.cell_max_weights_pb,
            20_000,
            &|| false,
        )
        .expect("not cancelled");
        let n = unweighted.events.len() as f64;
        assert_eq!(unweighted.events.len(), 20_000);
        assert!(
            unweighted.overweight < 40,
            "{} overweight",
            unweighted.overweight
        );
        let efficiency = n / unweighted.points as f64;
        let single_max = generated.sigma_pb / generated.max_weight_pb;
        assert!(
            efficiency > 3.0 * single_max,
            "{efficiency} against {single_max}"
        );
        for i in 0..5 {
            let mean_w = m1[i] / w_sum;
            let var = m2[i] / w_sum - mean_w * mean_w;
            let values: Vec<f64> = unweighted
                .events
                .iter()
                .map(|e| observables(e)[i])
                .collect();
            let mean_u = values.iter().sum::<f64>() / n;
            let error = (var / n + var / n_eff).sqrt();
            assert!(
                (mean_u - mean_w).abs() < 4.5 * error,
                "observable {i}: events {mean_u}, weighted {mean_w} +- {error}"
            );
        }
    }

    /// Same seed, same numbers, whatever the thread count; the spectrum integrates to sigma.
    #[test]
    fn generation_is_deterministic_and_consistent() {
        let settings = belle2();
        let a = generate(&settings).expect("generates");
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool")
            .install(|| generate(&settings).expect("generates"));
        assert_eq!(a, b);
        assert_relative_eq!(
            a.spectrum.sigma_cm2() / crate::units::PICOBARN_CM2,
            a.sigma_pb,
            max_relative = 1e-12,
            epsilon = 0.0
        );
        assert!(a.sigma_error_pb < 0.1 * a.sigma_pb);
        assert!(a.spectrum.e_min_gev() >= 2.0);
    }
}
