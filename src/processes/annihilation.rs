//! Resonant annihilation of shower positrons on atomic electrons, `e+ e- -> A'(*) -> chi chi`.
//!
//! [DPT Eq. 4.4]:
//! `N_ann = L integral dE dsigma_B/dE integral_{(1-f)E}^{E+m_e} dE_A' n_e T_e(E_A' - m_e, E, L_T) sigma_ann(E_A')`.
//! With `T_e = (X0/E) f(v)` and the variables of [`crate::detectors::thick_target`] this is
//! `L n_e X0 integral dE' sigma_ann(E' + m_e) Phi(E')` with the track-length flux
//! `Phi(E') = integral dlambda f(lambda) dsigma_B/dE(E' e^lambda)`.
//! `Phi` depends on neither the model nor the mass, so [`AnnihilationFlux`] tabulates it once;
//! each mass is then one integral against the Breit–Wigner, flattened by
//! [`integrate_peak`](crate::numerics::quadrature::integrate_peak).

use crate::detectors::thick_target::{MissingEnergyWindow, Process, Segment};
use crate::models::Mediator;
use crate::numerics::quadrature::{
    EndPoint, Estimate, SegmentPoint, Tolerance, integrate, integrate_segment,
};
use crate::numerics::table::{TableError, UniformTable};
use crate::processes::initial_state_radiation::{Radiator, beta_of_s, radiated_track_length};
use crate::showers::track_length::TrackLengthTable;
use crate::units::ELECTRON_MASS_GEV;
use rayon::prelude::*;
use std::f64::consts::PI;

/// The positron track length of the annihilation yield: the shower's ([`TrackLengthTable`]),
/// or with the positron's radiation before it annihilates
/// ([`crate::processes::initial_state_radiation::radiated_track_length`]), whose `beta` grows
/// with `s = 2 m_e (E + m_e)` at the annihilation energy `E`: then three tables at the `beta`
/// of the lowest, middle and highest energy of the flux, combined quadratically in `beta`
/// for each energy (the radiated shape depends on `beta` smoothly; over the Belle II window
/// `beta` of one leg moves by 5%, and the quadratic's error is of order `(5%)^3`).
#[derive(Debug, Clone, PartialEq)]
pub enum AnnihilationTrackLength {
    /// The shower alone [DPT App. A].
    Shower(TrackLengthTable),
    /// With the positron's radiation.
    Radiating {
        /// The radiated tables at `betas`.
        tables: Box<[TrackLengthTable; 3]>,
        /// Their `beta` (increasing).
        betas: [f64; 3],
        /// The share of the Kuraev–Fadin `beta` the positron radiates (1/2: its own leg).
        share: f64,
    },
}

impl AnnihilationTrackLength {
    /// The shower's table with the positron radiating `share` of the Kuraev–Fadin `beta`, for
    /// annihilation energies from `e_lo_gev` to `e_hi_gev`.
    #[must_use]
    pub fn radiating(
        shower: &TrackLengthTable,
        share: f64,
        (e_lo_gev, e_hi_gev): (f64, f64),
    ) -> Self {
        let beta = |e: f64| share * beta_of_s(2.0 * ELECTRON_MASS_GEV * (e + ELECTRON_MASS_GEV));
        let e_mid = (e_lo_gev * e_hi_gev).sqrt();
        let betas = [beta(e_lo_gev), beta(e_mid), beta(e_hi_gev)];
        let tables = betas.map(|b| radiated_track_length(shower, Radiator { beta: b }));
        Self::Radiating {
            tables: Box::new(tables),
            betas,
            share,
        }
    }

    /// The tables and their weights for an annihilation at `e_gev`.
    fn parts(&self, e_gev: f64) -> Vec<(&TrackLengthTable, f64)> {
        match self {
            Self::Shower(table) => vec![(table, 1.0)],
            Self::Radiating { tables, .. } => tables.iter().zip(self.weights(e_gev)).collect(),
        }
    }

    /// The weights of the radiating tables for an annihilation at `e_gev`: quadratic
    /// interpolation in the radiator's `beta` between the three tabulated ones (`[1]` alone when
    /// they coincide); `[1, 0, 0]` for a shower without radiation.
    fn weights(&self, e_gev: f64) -> [f64; 3] {
        let Self::Radiating { betas, share, .. } = self else {
            return [1.0, 0.0, 0.0];
        };
        let b = share * beta_of_s(2.0 * ELECTRON_MASS_GEV * (e_gev + ELECTRON_MASS_GEV));
        let [b0, b1, b2] = *betas;
        if b2 > b0 {
            [
                (b - b1) * (b - b2) / ((b0 - b1) * (b0 - b2)),
                (b - b0) * (b - b2) / ((b1 - b0) * (b1 - b2)),
                (b - b0) * (b - b1) / ((b2 - b0) * (b2 - b1)),
            ]
        } else {
            [0.0, 1.0, 0.0]
        }
    }

    /// `integral f(lambda) h(lambda) dlambda` for annihilations at an energy `e_gev(lambda)`
    /// that changes along the integral (a beam: `E' = E0 e^-lambda`), each table weighted at
    /// that energy, each integrated by [`TrackLengthTable::integrate_over_lambda`] (exact at
    /// the spike `lambda = 0`).
    pub fn integrate_over_lambda_at<E: Fn(f64) -> f64, H: Fn(f64) -> f64>(
        &self,
        e_gev: E,
        h: H,
        lambda_lo: f64,
        lambda_hi: f64,
        lambda_breaks: &[f64],
        tol: Tolerance,
    ) -> Estimate {
        match self {
            Self::Shower(table) => {
                table.integrate_over_lambda(h, lambda_lo, lambda_hi, lambda_breaks, tol)
            }
            Self::Radiating { tables, .. } => tables
                .iter()
                .enumerate()
                .map(|(k, table)| {
                    table.integrate_over_lambda(
                        |lambda| h(lambda) * self.weights(e_gev(lambda))[k],
                        lambda_lo,
                        lambda_hi,
                        lambda_breaks,
                        tol,
                    )
                })
                .fold(Estimate::exact(0.0), |a, b| a + b),
        }
    }

    /// The first table (all share the shower's settings and `lambda` range).
    #[must_use]
    pub fn table(&self) -> &TrackLengthTable {
        match self {
            Self::Shower(table) => table,
            Self::Radiating { tables, .. } => &tables[1],
        }
    }

    /// Bound on the tables' error relative to their largest value.
    #[must_use]
    pub fn interpolation_error(&self) -> f64 {
        match self {
            Self::Shower(table) => table.interpolation_error(),
            Self::Radiating { tables, .. } => tables
                .iter()
                .map(TrackLengthTable::interpolation_error)
                .fold(0.0, f64::max),
        }
    }

    /// The shape at `lambda` for an annihilation at `e_gev`.
    #[must_use]
    pub fn shape(&self, e_gev: f64, lambda: f64) -> f64 {
        self.parts(e_gev)
            .iter()
            .map(|(t, c)| c * t.shape(lambda))
            .sum()
    }

    /// `integral f(lambda) h(lambda) dlambda` for an annihilation at `e_gev`
    /// ([`TrackLengthTable::integrate_over_lambda`]).
    pub fn integrate_over_lambda<H: FnMut(f64) -> f64>(
        &self,
        e_gev: f64,
        h: H,
        lambda_lo: f64,
        lambda_hi: f64,
        lambda_breaks: &[f64],
        tol: Tolerance,
    ) -> Estimate {
        let parts = self.parts(e_gev);
        self.table().integrate_density_over_lambda(
            |w| parts.iter().map(|(t, c)| c * t.density(w)).sum(),
            h,
            lambda_lo,
            lambda_hi,
            lambda_breaks,
            tol,
        )
    }
}

/// One segment of the flux table: uniform in `E'`, or, towards a cusp at the upper end, uniform
/// in `y` with `E' = hi - (hi - lo) exp(1 - 1/y)`.
#[derive(Debug, Clone, PartialEq)]
struct FluxSegment {
    segment: Segment,
    table: UniformTable,
}

impl FluxSegment {
    fn cusp(&self) -> bool {
        self.segment.ends.1 == EndPoint::Cusp
    }

    /// A segment with a square-root end (a kink of the real beams' spectrum) and no cusp: its
    /// table variable is `u` with `E' = lo + (hi - lo) (1 - cos(pi u))/2`, in which
    /// `sqrt(E' - lo)` and `sqrt(hi - E')` are smooth.
    fn square_root(&self) -> bool {
        !self.cusp()
            && (self.segment.ends.0 == EndPoint::SquareRoot
                || self.segment.ends.1 == EndPoint::SquareRoot)
    }

    /// The range of the table variable.
    fn variable_range(&self) -> (f64, f64) {
        if self.cusp() || self.square_root() {
            (0.0, 1.0)
        } else {
            (self.segment.lo, self.segment.hi)
        }
    }

    fn variable(&self, p: &SegmentPoint) -> f64 {
        let length = self.segment.hi - self.segment.lo;
        if self.cusp() {
            if p.to_hi <= 0.0 {
                0.0
            } else {
                1.0 / (1.0 - (p.to_hi / length).ln())
            }
        } else if self.square_root() {
            // From the nearer end, where the distance is exact.
            let half_angle = |d: f64| (d.max(0.0) / length).min(1.0).sqrt().asin() * 2.0 / PI;
            if p.from_lo <= p.to_hi {
                half_angle(p.from_lo)
            } else {
                1.0 - half_angle(p.to_hi)
            }
        } else {
            p.x
        }
    }

    /// `|dE'/dv|` of the table variable: 1 for a uniform segment, `(hi - lo) e^(1 - 1/y)/y^2`
    /// for a cusp segment, `(pi/2) (hi - lo) sin(pi u)` for a square-root one.
    fn jacobian(&self, variable: f64) -> f64 {
        if self.cusp() {
            if variable <= 0.0 {
                0.0
            } else {
                (self.segment.hi - self.segment.lo) * (1.0 - 1.0 / variable).exp()
                    / (variable * variable)
            }
        } else if self.square_root() {
            0.5 * PI * (self.segment.hi - self.segment.lo) * (PI * variable).sin()
        } else {
            1.0
        }
    }

    fn point(&self, variable: f64) -> SegmentPoint {
        let Segment { lo, hi, .. } = self.segment;
        if self.square_root() {
            let length = hi - lo;
            let from_lo = length * (0.5 * PI * variable).sin().powi(2);
            let to_hi = length * (0.5 * PI * variable).cos().powi(2);
            return SegmentPoint {
                x: if variable <= 0.5 {
                    lo + from_lo
                } else {
                    hi - to_hi
                },
                from_lo,
                to_hi,
            };
        }
        if self.cusp() {
            let d = if variable <= 0.0 {
                0.0
            } else {
                (hi - lo) * (1.0 - 1.0 / variable).exp()
            };
            SegmentPoint {
                x: hi - d,
                from_lo: (hi - lo) - d,
                to_hi: d,
            }
        } else {
            SegmentPoint {
                x: variable,
                from_lo: variable - lo,
                to_hi: hi - variable,
            }
        }
    }
}

/// `segment` split at the kinks strictly inside it, each piece with its share of `intervals`
/// (by length, at least 8); a cusp end stays with the piece that has it. A table with more
/// kinks in the segment than `intervals` is finer than the flux grid: its slope jumps are of
/// the order of its spacing, and they are left inside the intervals, where the table's error
/// bound (`interpolation_error`) measures them (a 4001-point table of the Bhabha spectrum:
/// converged, and its limits within 1e-5 of the analytic ones, `tests/spectra.rs`).
fn split_at_kinks(
    segment: Segment,
    kinks: &[f64],
    kink_end: EndPoint,
    intervals: usize,
) -> Vec<(Segment, usize)> {
    let inside: Vec<f64> = kinks
        .iter()
        .copied()
        .filter(|&k| k > segment.lo && k < segment.hi)
        .collect();
    if inside.is_empty() || inside.len() > intervals {
        return vec![(segment, intervals)];
    }
    let mut edges = vec![segment.lo];
    edges.extend(inside);
    edges.push(segment.hi);
    let length = segment.hi - segment.lo;
    let last = edges.len() - 2;
    edges
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            // A step of the spectrum (a `Cusp` kink) gives the flux a cusp only below it,
            // where the track-length spike sees the step from outside; above it the spike
            // lies inside the support and the flux is regular.
            let above_kink = if kink_end == EndPoint::Cusp {
                EndPoint::Regular
            } else {
                kink_end
            };
            let ends = (
                if k == 0 { segment.ends.0 } else { above_kink },
                if k == last { segment.ends.1 } else { kink_end },
            );
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a small positive count"
            )]
            let share = ((intervals as f64) * (w[1] - w[0]) / length).ceil() as usize;
            (
                Segment {
                    lo: w[0],
                    hi: w[1],
                    ends,
                },
                share.max(8),
            )
        })
        .collect()
}

/// The positron track-length flux `Phi(E')` in cm^2/GeV (per unit luminosity), tabulated.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnihilationFlux {
    window: MissingEnergyWindow,
    segments: Vec<FluxSegment>,
    interpolation_error: f64,
}

impl AnnihilationFlux {
    /// Default number of table intervals per segment.
    pub const DEFAULT_INTERVALS: usize = 128;

    /// Tabulates `Phi` for a spectrum `dsigma/dE` (cm^2/GeV) and a track-length table, with
    /// `intervals` intervals per segment. The interpolation error is measured as for
    /// [`TrackLengthTable::new`] (coarse half-table against the odd nodes).
    ///
    /// `kinks` are energies where the spectrum has a kink (the points of a table): through the
    /// track-length spike at `E = E'`, `Phi` has a kink there too, so the segments are split
    /// at them and each piece gets its share of the intervals by length (at least 8), so that
    /// the table stays smooth piece by piece.
    ///
    /// A piece whose interpolation error exceeds `target_error` (relative to the largest flux)
    /// is halved, each half with the piece's intervals, up to [`MAX_REFINEMENTS`] times (with a
    /// radiating positron, or a spectrum with steps, a piece with a cusp end first gets twice
    /// the intervals instead, up to `MAX_CUSP_NODES_FACTOR` times the table's: the spike that
    /// radiation empties, at `lambda ~ e^(-1/beta)`, stays at the same place in the cusp
    /// variable when the piece is halved, and a step's cusp has the step's scale, which the
    /// cusp variable of a halved piece resolves worse): a spectrum
    /// with a spike narrower than the grid (the forward Bhabha peak `1/(1 + cos theta*)^2`
    /// when the window reaches within a few degrees of the positron beam: 1 MeV wide at
    /// `theta_max = 177 deg` on a 3 GeV range) gets nodes where it needs them instead of a
    /// uniform table that overshoots into negative flux there. The node integrals' errors
    /// (tolerance: `node_tolerance`) count in the bound but refine nothing: a halved piece
    /// keeps them.
    pub fn new<S: Fn(f64) -> f64 + Sync>(
        window: MissingEnergyWindow,
        spectrum: S,
        track_length: &AnnihilationTrackLength,
        (intervals, target_error): (usize, f64),
        (kinks, kink_end): (&[f64], EndPoint),
    ) -> Self {
        // A cusp whose scale is not the piece's takes more nodes before the piece is halved:
        // the spike that radiation empties, and the `1/ln` cusp below a step of the spectrum,
        // whose scale is the distance to the step, which the piece's cusp variable (scaled to
        // the piece) resolves worse as the piece shrinks.
        let doubles_cusps = matches!(track_length, AnnihilationTrackLength::Radiating { .. })
            || kink_end == EndPoint::Cusp;
        let initial: Vec<(Segment, usize)> = window
            .segments(Process::Annihilation)
            .into_iter()
            .flat_map(|segment| split_at_kinks(segment, kinks, kink_end, intervals))
            .collect();
        let node_tolerance = node_tolerance(
            &window,
            &initial,
            &spectrum,
            (kinks, kink_end),
            track_length,
        );
        let build = |segment: Segment, intervals: usize| {
            build_piece(
                &window,
                segment,
                intervals,
                &spectrum,
                (kinks, kink_end),
                track_length,
                node_tolerance,
            )
        };
        let mut pieces: Vec<(Piece, usize)> = initial
            .into_par_iter()
            .map(|(segment, intervals)| (build(segment, intervals), 0))
            .collect();
        loop {
            let scale = pieces.iter().fold(0.0_f64, |m, (p, _)| m.max(p.scale));
            // A piece whose node integrals miss the target keeps them when halved: only the
            // interpolation error refines it (the other stays in the table's bound, flagged).
            let too_coarse = |(p, depth): &(Piece, usize)| {
                p.error.interpolation > target_error * scale && *depth < MAX_REFINEMENTS
            };
            if !pieces.iter().any(too_coarse) {
                break;
            }
            pieces = pieces
                .into_par_iter()
                .flat_map_iter(|piece| {
                    if too_coarse(&piece) {
                        let (p, depth) = piece;
                        let n = p.intervals;
                        if doubles_cusps && p.table.cusp() && n < MAX_CUSP_NODES_FACTOR * intervals
                        {
                            // The emptied spike stays at the same place in the cusp variable
                            // when the piece is halved: more nodes, up to a limit, then
                            // halving as elsewhere.
                            vec![(build(p.table.segment, 2 * n), depth + 1)]
                        } else {
                            halves(p.table.segment)
                                .into_iter()
                                .map(|half| (build(half, n), depth + 1))
                                .collect()
                        }
                    } else {
                        vec![piece]
                    }
                })
                .collect();
        }
        let scale = pieces.iter().fold(0.0_f64, |m, (p, _)| m.max(p.scale));
        let worst = pieces.iter().fold(0.0_f64, |m, (p, _)| {
            m.max(p.error.interpolation).max(p.error.nodes)
        });
        Self {
            window,
            segments: pieces.into_iter().map(|(p, _)| p.table).collect(),
            interpolation_error: worst / scale,
        }
    }

    /// Bound on the error of the table (interpolation and node integrals) relative to the largest
    /// flux value.
    #[must_use]
    pub fn interpolation_error(&self) -> f64 {
        self.interpolation_error
    }

    /// The window the flux was built for.
    #[must_use]
    pub fn window(&self) -> &MissingEnergyWindow {
        &self.window
    }

    /// `Phi(E')` in cm^2/GeV, interpolated (zero outside the support).
    #[must_use]
    pub fn eval(&self, e_prime_gev: f64) -> f64 {
        self.segments
            .iter()
            .find(|s| e_prime_gev >= s.segment.lo && e_prime_gev <= s.segment.hi)
            .map_or(0.0, |s| {
                let p = SegmentPoint {
                    x: e_prime_gev,
                    from_lo: e_prime_gev - s.segment.lo,
                    to_hi: s.segment.hi - e_prime_gev,
                };
                s.table.eval(s.variable(&p))
            })
    }

    /// The energies `(lo, hi)` between which `Phi` is tabulated (zero outside).
    #[must_use]
    pub fn support_gev(&self) -> (f64, f64) {
        let lo = self
            .segments
            .iter()
            .fold(f64::INFINITY, |m, s| m.min(s.segment.lo));
        let hi = self
            .segments
            .iter()
            .fold(f64::NEG_INFINITY, |m, s| m.max(s.segment.hi));
        (lo, hi)
    }

    /// `integral_a^b Phi(E') dE'` in cm^2, integrating the table of each segment in its own
    /// variable (with the Jacobian of the cusp map, the `1/ln` spikes at the segment ends are
    /// smooth there) between its nodes, where the cubic interpolant is a polynomial: the
    /// Gauss–Kronrod panels are exact for the uniform segments.
    #[must_use]
    pub fn integral_between(&self, a: f64, b: f64) -> Estimate {
        let tol = Tolerance::relative(1e-10);
        self.segments
            .iter()
            .filter(|s| s.segment.hi > a && s.segment.lo < b)
            .map(|s| {
                let Segment { lo, hi, .. } = s.segment;
                let point = |e: f64| SegmentPoint {
                    x: e,
                    from_lo: e - lo,
                    to_hi: hi - e,
                };
                // The cusp variable decreases with E': integrate from the smaller end.
                let (v_1, v_2) = (s.variable(&point(a.max(lo))), s.variable(&point(b.min(hi))));
                let (v_a, v_b) = (v_1.min(v_2), v_1.max(v_2));
                let nodes = s.table.len() - 1;
                let (t_lo, t_hi) = (s.table.x_lo(), s.table.x_hi());
                let spacing = (t_hi - t_lo) / nodes as f64;
                let mut breaks = vec![v_a];
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a node index within the table"
                )]
                let first = ((v_a - t_lo) / spacing).floor().max(0.0) as usize + 1;
                breaks.extend(
                    (first..nodes)
                        .map(|i| t_lo + spacing * i as f64)
                        .take_while(|&v| v < v_b),
                );
                breaks.push(v_b);
                integrate(|v| s.table.eval(v) * s.jacobian(v), &breaks, tol)
            })
            .sum()
    }

    /// `integral dE' sigma_ann(E' + m_e) Phi(E')` in cm^4 at `eps = 1` [DPT Eq. 4.4] (with the
    /// scalar cross section [DPT Eq. E.3] for a scalar); multiply by
    /// `L n_e X0` for the yield.
    ///
    /// Per segment: break at the threshold `s = 4 m_chi^2` (square-root onset), the table's cusps
    /// get their own pieces, and the rest is integrated across the Breit–Wigner peak at
    /// `E' = m^2/(2 m_e) - m_e` of half width `Gamma m/(2 m_e)`.
    #[must_use]
    pub fn integrate_cross_section(&self, mediator: &Mediator, tol: Tolerance) -> Estimate {
        let e_threshold = mediator.threshold_energy_gev() - ELECTRON_MASS_GEV;
        let e_resonance = mediator.resonance_energy_gev() - ELECTRON_MASS_GEV;
        let peak = Some((e_resonance, mediator.resonance_half_width_gev()));
        self.segments
            .iter()
            .map(|s| {
                let Segment { lo, hi, ends } = s.segment;
                if hi <= e_threshold {
                    return Estimate::exact(0.0);
                }
                let (start, start_end) = if lo < e_threshold {
                    (e_threshold, EndPoint::SquareRoot)
                } else {
                    (lo, ends.0)
                };
                integrate_segment(
                    |p| {
                        // p is relative to [start, hi]; hi is shared with the table segment.
                        let q = SegmentPoint {
                            x: p.x,
                            from_lo: p.x - lo,
                            to_hi: p.to_hi,
                        };
                        mediator.sigma_on_electron_at_rest_cm2(p.x) * s.table.eval(s.variable(&q))
                    },
                    start,
                    hi,
                    (start_end, ends.1),
                    peak,
                    tol,
                )
            })
            .sum()
    }
}

/// A piece with a cusp end is refined by doubling its intervals up to this factor over the
/// table's, then by halving ([`AnnihilationFlux::new`]).
const MAX_CUSP_NODES_FACTOR: usize = 8;

/// Most times a piece of the flux table is halved ([`AnnihilationFlux::new`]): 2^-24 of a
/// GeV-wide segment is below a keV.
pub const MAX_REFINEMENTS: usize = 24;

/// One tabulated piece with its error bound (absolute) and largest value.
struct Piece {
    table: FluxSegment,
    intervals: usize,
    /// Its node integrals' and its interpolation's error bounds.
    error: TableError,
    scale: f64,
}

/// A segment cut in two at its middle; a cusp end stays with the half that has it.
fn halves(segment: Segment) -> [Segment; 2] {
    let middle = 0.5 * (segment.lo + segment.hi);
    [
        Segment {
            lo: segment.lo,
            hi: middle,
            ends: (segment.ends.0, EndPoint::Regular),
        },
        Segment {
            lo: middle,
            hi: segment.hi,
            ends: (EndPoint::Regular, segment.ends.1),
        },
    ]
}

/// The flux table of one segment with `intervals` intervals, its error bound (the node
/// integrals' errors and the coarse half-table against the odd nodes) and largest value.
fn build_piece<S: Fn(f64) -> f64 + Sync>(
    window: &MissingEnergyWindow,
    segment: Segment,
    intervals: usize,
    spectrum: &S,
    kinks: (&[f64], EndPoint),
    track_length: &AnnihilationTrackLength,
    tol: Tolerance,
) -> Piece {
    let skeleton = FluxSegment {
        segment,
        table: UniformTable::from_values(0.0, 1.0, vec![0.0; 4]),
    };
    let (v_lo, v_hi) = skeleton.variable_range();
    let nodes = UniformTable::nodes(v_lo, v_hi, 2 * intervals + 1);
    let estimates: Vec<Estimate> = nodes
        .par_iter()
        .map(|&v| {
            flux_direct(
                window,
                &segment,
                &skeleton.point(v),
                spectrum,
                kinks,
                track_length,
                tol,
            )
        })
        .collect();
    let (table, error) = UniformTable::from_estimates_by_part(v_lo, v_hi, &estimates);
    let scale = table.values().iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    Piece {
        table: FluxSegment { segment, table },
        intervals,
        error,
        scale,
    }
}

/// The node integrals' tolerance: relative 1e-7, with an absolute floor of 1e-7 of an estimate
/// of the largest flux (the flux at the middle of each piece, to 1e-3). Where the flux goes to
/// zero (at the ends of a spectrum with square-root onsets, where the node integrals meet the
/// track-length spike; at the end of a table that falls to zero in a short last interval) and
/// between two kinks closer than about 1e-5 of the energy (a crossing angle below 0.01 mrad at
/// Belle II), the adaptive rule cannot meet a relative tolerance, and without the floor such a
/// table was flagged with an infinite error although its values were right. The table is
/// judged relative to its largest value, so the floor is 1e3 below the default target
/// (`numerics.table_tolerance / 10`), whatever the flux's size (the electron control sample's
/// is 1e-4 of the positrons').
fn node_tolerance<S: Fn(f64) -> f64 + Sync>(
    window: &MissingEnergyWindow,
    initial: &[(Segment, usize)],
    spectrum: &S,
    kinks: (&[f64], EndPoint),
    track_length: &AnnihilationTrackLength,
) -> Tolerance {
    let relative = Tolerance::relative(1e-7);
    let largest = initial
        .par_iter()
        .map(|(segment, _)| {
            let half = 0.5 * (segment.hi - segment.lo);
            let middle = SegmentPoint {
                x: segment.lo + half,
                from_lo: half,
                to_hi: half,
            };
            flux_direct(
                window,
                segment,
                &middle,
                spectrum,
                kinks,
                track_length,
                Tolerance::relative(1e-3),
            )
            .value
            .abs()
        })
        .reduce(|| 0.0, f64::max);
    Tolerance {
        absolute: 1e-7 * largest,
        ..relative
    }
}

/// `Phi` at one point by direct integration over `lambda` (used to fill the table and in tests).
pub(crate) fn flux_direct<S: Fn(f64) -> f64>(
    window: &MissingEnergyWindow,
    segment: &Segment,
    p: &SegmentPoint,
    spectrum: &S,
    (kinks, kink_end): (&[f64], EndPoint),
    track_length: &AnnihilationTrackLength,
    tol: Tolerance,
) -> Estimate {
    let (lambda_lo, lambda_hi) = window.lambda_range(Process::Annihilation, segment, p);
    let (e_min, e_max) = (window.e_min_gev, window.e_max_gev);
    // The spectrum's kinks at E = E' e^lambda are break points in lambda. A step of the
    // spectrum (a `Cusp` kink) at the segment's upper end is reached through the exact distance
    // to it (seen from just below, closer than E' can be written), and the spectrum is taken on
    // the side of each step that `lambda` is on, even where `E' e^lambda` rounds onto the step.
    let steps = kink_end == EndPoint::Cusp;
    let offset_to = |k: f64| {
        if steps && k == segment.hi {
            p.to_hi
        } else {
            k - p.x
        }
    };
    let kinks_above: Vec<(f64, f64)> = kinks
        .iter()
        .filter(|&&k| offset_to(k) > 0.0)
        .map(|&k| {
            let lambda = if steps {
                (offset_to(k) / p.x).ln_1p()
            } else {
                (k / p.x).ln()
            };
            (lambda, k)
        })
        .filter(|&(l, _)| l > lambda_lo && l < lambda_hi)
        .collect();
    let lambda_kinks: Vec<f64> = kinks_above.iter().map(|&(l, _)| l).collect();
    let h = |lambda: f64| {
        let e = p.x * lambda.exp();
        if !steps {
            return spectrum(e.clamp(e_min, e_max));
        }
        let i = kinks_above.partition_point(|&(l, _)| l <= lambda);
        let floor = if i > 0 { kinks_above[i - 1].1 } else { e_min }.max(e_min);
        let ceiling = kinks_above.get(i).map_or(e_max, |&(_, k)| k.next_down());
        spectrum(e.clamp(floor, ceiling.min(e_max).max(floor)))
    };
    if kink_end != EndPoint::SquareRoot {
        return track_length.integrate_over_lambda(
            p.x,
            h,
            lambda_lo,
            lambda_hi,
            &lambda_kinks,
            tol,
        );
    }
    // Square-root kinks: each half panel next to one is integrated in t with
    // lambda = kink + (middle - kink) t^2, where the integrand is smooth; the other half panels
    // as usual (the spike at lambda = 0, when the range starts there, among them).
    let from_kink = |kink: f64, middle: f64| {
        let d = middle - kink;
        integrate(
            |t: f64| {
                let lambda = kink + d * t * t;
                track_length.shape(p.x, lambda) * h(lambda) * 2.0 * d * t
            },
            &[0.0, 1.0],
            tol,
        )
    };
    let mut edges = vec![lambda_lo];
    edges.extend(&lambda_kinks);
    edges.push(lambda_hi);
    edges
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let (a, b) = (w[0], w[1]);
            if b <= a {
                return Estimate::exact(0.0);
            }
            let middle = 0.5 * (a + b);
            let left = if k > 0 {
                from_kink(a, middle)
            } else {
                track_length.integrate_over_lambda(p.x, h, a, middle, &[], tol)
            };
            // The upper end of the range is a kink too (or smooth), never the spike.
            let right = from_kink(b, middle).scaled(-1.0);
            left + right
        })
        .sum()
}
