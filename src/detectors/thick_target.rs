//! A thick target that positrons enter with a known spectrum, and the missing-energy window
//! that selects dark-matter production in it.
//!
//! Belle II's ECL in the disappearing-positron-track search [DPT Sec. 2-4]: positrons from the
//! collision enter 16 X0 of CsI; the event is kept when at most a fraction `f` (5%) of the
//! positron energy is seen, i.e. when the dark photon carries `E_A' > (1 - f) E`.
//!
//! Integration variables. The yields are integrals over the incident energy `E`, the positron
//! energy at the collision `E'` and (for bremsstrahlung) `E_A'`. Changing `(E, E')` to
//! `(E', lambda = ln(E/E'))` has unit Jacobian (`dE dv = dE' dlambda`) and puts the
//! track-length spike at `lambda = 0` for every `E'`. The window then reads, for `E'`:
//! `lambda` from `max(lambda_delta, ln(E_min/E'))` to `min(ln(E_max/E'), lambda_vis(E'))`, where
//! `lambda_delta = -ln(1 - delta)` drops the last fraction `delta` of energy loss
//! (`target.min_energy_loss_fraction`, docs/physics.md §6b) and `lambda_vis` is the visible-energy cut:
//! `ln((E' + m_e)/((1-f) E'))` for annihilation (`E_A' = E' + m_e`) and `-ln(1 - f)` for
//! bremsstrahlung (the `E_A'` limits are applied inside). Where the lower limit `ln(E_min/E')`
//! reaches the spike (`E' -> E_min` from below, and `E' -> E_max`), the `E'` integrand has a
//! `1/ln` cusp; those segment ends are flagged [`EndPoint::Cusp`].

use crate::materials::Material;
use crate::numerics::quadrature::{EndPoint, SegmentPoint};
use crate::units::ELECTRON_MASS_GEV;

/// A layer of material that the particles cross before the target (Belle II: the TOP counter's
/// quartz bars in front of the ECL). In the Tsai–Whitis picture the shower develops the same
/// way per `X0` in every material, so a layer is a range of depth in `X0`; what differs from
/// layer to layer is the number of target electrons per `X0` (docs/physics.md §9).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// The material.
    pub material: Material,
    /// Thickness in radiation lengths of the material.
    pub thickness_x0: f64,
    /// Whether annihilation in the layer counts as signal.
    pub signal: bool,
}

/// Which production process a window is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// `e+ e- -> A'(*) -> chi chi` on atomic electrons [DPT Eq. 4.4].
    Annihilation,
    /// `e+ N -> e+ N A'` on nuclei [DPT Eq. 4.5].
    Bremsstrahlung,
}

/// A segment of the `E'` integration with the behaviour at its ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Lower end, GeV.
    pub lo: f64,
    /// Upper end, GeV.
    pub hi: f64,
    /// Behaviour of the integrand at `(lo, hi)`.
    pub ends: (EndPoint, EndPoint),
}

/// The missing-energy selection applied to positrons of energy `E` in `[e_min, e_max]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MissingEnergyWindow {
    /// Lowest incident energy, GeV.
    pub e_min_gev: f64,
    /// Highest incident energy, GeV.
    pub e_max_gev: f64,
    /// Largest visible fraction `f` of the incident energy (0.05 in [DPT Eq. 4.4]).
    pub max_visible_fraction: f64,
    /// Smallest fractional energy loss `delta` kept in the track length (0 = exact).
    pub min_energy_loss_fraction: f64,
}

impl MissingEnergyWindow {
    /// `lambda_delta = -ln(1 - delta)`.
    #[must_use]
    pub fn lambda_min_loss(&self) -> f64 {
        -(-self.min_energy_loss_fraction).ln_1p()
    }

    /// Largest `lambda` any integrand of `process` can reach (sizes the track-length tables).
    #[must_use]
    pub fn lambda_max(&self, process: Process) -> f64 {
        let base = -(-self.max_visible_fraction).ln_1p();
        match process {
            Process::Annihilation => base + (ELECTRON_MASS_GEV / self.support(process).0).ln_1p(),
            Process::Bremsstrahlung => base,
        }
    }

    /// `(lowest, highest)` `E'` with a non-empty `lambda` range.
    #[must_use]
    pub fn support(&self, process: Process) -> (f64, f64) {
        let f = self.max_visible_fraction;
        let shift = match process {
            Process::Annihilation => ELECTRON_MASS_GEV,
            Process::Bremsstrahlung => 0.0,
        };
        (
            (1.0 - f) * self.e_min_gev - shift,
            (1.0 - self.min_energy_loss_fraction) * self.e_max_gev,
        )
    }

    /// The `E'` segments of `process`, split where the `lambda` limits change form.
    #[must_use]
    pub fn segments(&self, process: Process) -> Vec<Segment> {
        let (lo, hi) = self.support(process);
        let delta = self.min_energy_loss_fraction;
        let exact = delta == 0.0;
        let shift = lo - (1.0 - self.max_visible_fraction) * self.e_min_gev;
        let kink = (1.0 - self.max_visible_fraction) * self.e_max_gev + shift;
        let low_corner = (1.0 - delta) * self.e_min_gev;
        let mut points: Vec<(f64, bool)> = vec![(lo, false), (hi, exact)];
        for (p, cusp) in [(low_corner, exact), (kink, false)] {
            if p > lo && p < hi {
                points.push((p, cusp));
            }
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        points.dedup_by(|a, b| a.0 == b.0);
        points
            .windows(2)
            .map(|w| Segment {
                lo: w[0].0,
                hi: w[1].0,
                ends: (
                    EndPoint::Regular,
                    if w[1].1 {
                        EndPoint::Cusp
                    } else {
                        EndPoint::Regular
                    },
                ),
            })
            .collect()
    }

    /// `(lambda_lo, lambda_hi)` at a point of a segment, with `ln(E_min/E')` and `ln(E_max/E')`
    /// computed from the exact distances to the segment ends when those ends are `E_min`/`E_max`.
    #[must_use]
    pub fn lambda_range(
        &self,
        process: Process,
        segment: &Segment,
        p: &SegmentPoint,
    ) -> (f64, f64) {
        let offset = |anchor: f64| {
            if segment.hi == anchor {
                -p.to_hi
            } else if segment.lo == anchor {
                p.from_lo
            } else {
                p.x - anchor
            }
        };
        let ln_emin_over = -(offset(self.e_min_gev) / self.e_min_gev).ln_1p();
        let ln_emax_over = -(offset(self.e_max_gev) / self.e_max_gev).ln_1p();
        let visible = -(-self.max_visible_fraction).ln_1p()
            + match process {
                Process::Annihilation => (ELECTRON_MASS_GEV / p.x).ln_1p(),
                Process::Bremsstrahlung => 0.0,
            };
        (
            self.lambda_min_loss().max(ln_emin_over),
            ln_emax_over.min(visible),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn belle2(delta: f64) -> MissingEnergyWindow {
        MissingEnergyWindow {
            e_min_gev: 4.35,
            e_max_gev: 6.62,
            max_visible_fraction: 0.05,
            min_energy_loss_fraction: delta,
        }
    }

    #[test]
    fn exact_window_has_cusps_at_emin_and_emax() {
        let segments = belle2(0.0).segments(Process::Bremsstrahlung);
        let ends: Vec<_> = segments.iter().map(|s| (s.hi, s.ends.1)).collect();
        assert_eq!(
            ends,
            vec![
                (4.35, EndPoint::Cusp),
                (0.95 * 6.62, EndPoint::Regular),
                (6.62, EndPoint::Cusp)
            ]
        );
        assert_eq!(segments[0].lo, 0.95 * 4.35);
    }

    #[test]
    fn cut_window_has_no_cusps() {
        let segments = belle2(1e-3).segments(Process::Annihilation);
        assert!(
            segments
                .iter()
                .all(|s| s.ends == (EndPoint::Regular, EndPoint::Regular))
        );
        assert!((segments.last().unwrap().hi - 0.999 * 6.62).abs() < 1e-12);
    }

    #[test]
    fn lambda_range_touches_the_spike_only_inside_the_energy_range() {
        let window = belle2(0.0);
        let segments = window.segments(Process::Annihilation);
        // 1e-20 GeV below E_min: lambda_lo is the tiny ln(E_min/E'), not zero.
        let s = &segments[0];
        let p = SegmentPoint {
            x: s.hi,
            from_lo: s.hi - s.lo,
            to_hi: 1e-20,
        };
        let (lo, _) = window.lambda_range(Process::Annihilation, s, &p);
        assert!((lo / (1e-20 / 4.35) - 1.0).abs() < 1e-12);
        let inside = &segments[1];
        let q = SegmentPoint {
            x: 5.0,
            from_lo: 5.0 - inside.lo,
            to_hi: inside.hi - 5.0,
        };
        assert_eq!(
            window.lambda_range(Process::Annihilation, inside, &q).0,
            0.0
        );
    }
}
