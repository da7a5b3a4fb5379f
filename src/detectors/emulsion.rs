//! Emulsion + MPGD detector boxes near an `e+ e-` interaction point [EMU Sec. 5, Fig. 2], and
//! their geometric acceptance for long-lived `phi1` flying in straight lines from the IP
//! (docs/physics.md §8, the acceptance contract).
//!
//! A box is described from the IP: its front face's centre lies at `distance_m` along the line
//! of sight, `offset_m` from the beam axis (so at polar angle `asin(offset/distance)`, forward
//! of the IP along the electron beam, or backward), at azimuth `azimuth_deg`; the face is
//! perpendicular to the line of sight, `face_polar_m` long along the polar direction and
//! `face_azimuthal_m` along the azimuth; the box is `depth_m` deep behind it. A central box
//! (`offset = distance`) sits at 90 degrees with its polar side along the beam.

use std::f64::consts::PI;

/// Which side of the IP along the beam axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hemisphere {
    /// Along the electron beam (+z).
    Forward,
    /// Along the positron beam (-z).
    Backward,
}

/// A detector box.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorBox {
    /// Name (e.g. "A").
    pub name: String,
    /// IP to the centre of the front face, m.
    pub distance_m: f64,
    /// Distance of the face centre from the beam axis, m (at most `distance_m`).
    pub offset_m: f64,
    /// Side of the face along the polar direction, m.
    pub face_polar_m: f64,
    /// Side of the face along the azimuth, m.
    pub face_azimuthal_m: f64,
    /// Depth behind the face, m.
    pub depth_m: f64,
    /// Azimuth of the face centre, degrees.
    pub azimuth_deg: f64,
    /// Forward or backward of the IP.
    pub hemisphere: Hemisphere,
    /// The probability that a `phi1` decaying inside is detected (1: every decay, as in \[EMU\]).
    pub efficiency: f64,
}

/// Depth of the paper's boxes (emulsion films and MPGD layers) [EMU Sec. 5], m.
pub const EMU_DEPTH_M: f64 = 1.32;

/// A unit vector `(x, y, z)`, z along the electron beam.
pub type Direction = [f64; 3];

fn dot(a: &Direction, b: &Direction) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

impl DetectorBox {
    /// A box of the paper's depth facing the IP from the forward hemisphere at azimuth 0.
    #[must_use]
    pub fn forward(
        name: &str,
        distance_m: f64,
        offset_m: f64,
        face_polar_m: f64,
        face_azimuthal_m: f64,
    ) -> Self {
        Self {
            name: name.into(),
            distance_m,
            offset_m,
            face_polar_m,
            face_azimuthal_m,
            depth_m: EMU_DEPTH_M,
            azimuth_deg: 0.0,
            hemisphere: Hemisphere::Forward,
            efficiency: 1.0,
        }
    }

    /// A box of the paper's depth at 90 degrees (`offset = distance`), its polar side along the
    /// beam.
    #[must_use]
    pub fn central(name: &str, distance_m: f64, face_polar_m: f64, face_azimuthal_m: f64) -> Self {
        Self::forward(name, distance_m, distance_m, face_polar_m, face_azimuthal_m)
    }

    /// Polar angle of the face centre from +z, radians.
    #[must_use]
    pub fn centre_polar_rad(&self) -> f64 {
        let theta = (self.offset_m / self.distance_m).clamp(0.0, 1.0).asin();
        match self.hemisphere {
            Hemisphere::Forward => theta,
            Hemisphere::Backward => PI - theta,
        }
    }

    /// The box's frame: the line of sight `c`, the polar direction `e_theta` and the azimuthal
    /// direction `e_phi` at the face centre.
    #[must_use]
    pub fn frame(&self) -> [Direction; 3] {
        let (theta, phi) = (self.centre_polar_rad(), self.azimuth_deg.to_radians());
        let (st, ct, sp, cp) = (theta.sin(), theta.cos(), phi.sin(), phi.cos());
        [
            [st * cp, st * sp, ct],
            [ct * cp, ct * sp, -st],
            [-sp, cp, 0.0],
        ]
    }

    /// Where a straight line from the IP along `n` enters and leaves the box, in metres from
    /// the IP, if it crosses the front face (`None` otherwise). The exit is through the back or
    /// a side, whichever comes first.
    #[must_use]
    pub fn path_through(&self, n: &Direction) -> Option<(f64, f64)> {
        self.path_through_frame(&self.frame(), n)
    }

    /// [`Self::path_through`] with the box's [`Self::frame`] computed once by the caller.
    #[must_use]
    pub fn path_through_frame(&self, frame: &[Direction; 3], n: &Direction) -> Option<(f64, f64)> {
        let [c, e_theta, e_phi] = *frame;
        let along = dot(n, &c);
        if along <= 0.0 {
            return None;
        }
        let (w, h) = (0.5 * self.face_polar_m, 0.5 * self.face_azimuthal_m);
        let (u, v) = (dot(n, &e_theta) / along, dot(n, &e_phi) / along);
        if (u * self.distance_m).abs() > w || (v * self.distance_m).abs() > h {
            return None;
        }
        // Along the line, depth beyond the IP grows as t * along; the sides are reached where
        // |t * u * along| = w (in the box frame: lateral offset t n.e_theta).
        let t_in = self.distance_m / along;
        let mut t_out = (self.distance_m + self.depth_m) / along;
        for (lateral, half) in [(dot(n, &e_theta), w), (dot(n, &e_phi), h)] {
            if lateral.abs() > 0.0 {
                t_out = t_out.min(half / lateral.abs());
            }
        }
        Some((t_in, t_out.max(t_in)))
    }

    /// The range of `cos(theta)` (polar angle from +z) that holds every direction onto the
    /// front face: the face lies within `atan(half diagonal / distance)` of the line of sight.
    #[must_use]
    pub fn polar_cosine_range(&self) -> (f64, f64) {
        let half_diagonal = 0.5 * self.face_polar_m.hypot(self.face_azimuthal_m);
        let radius = (half_diagonal / self.distance_m).atan();
        let theta = self.centre_polar_rad();
        let (lo, hi) = ((theta - radius).max(0.0), (theta + radius).min(PI));
        (hi.cos(), lo.cos())
    }

    /// Whether the straight line along `n` crosses the front face.
    #[must_use]
    pub fn hit(&self, n: &Direction) -> bool {
        self.path_through(n).is_some()
    }

    /// The fraction of azimuths (rotations about the beam axis) that put a direction of polar
    /// angle `theta` onto the front face: the exact average of [`Self::hit`] over a uniform
    /// azimuth ([`AzimuthalView::fraction`]).
    #[must_use]
    pub fn azimuthal_fraction(&self, theta: f64) -> f64 {
        self.azimuthal_view().fraction(theta.cos(), theta.sin())
    }

    /// What [`Self::azimuthal_fraction`] needs of the box, computed once for many directions.
    #[must_use]
    pub fn azimuthal_view(&self) -> AzimuthalView {
        let theta_c = self.centre_polar_rad();
        AzimuthalView {
            sin_centre: theta_c.sin(),
            cos_centre: theta_c.cos(),
            polar_half: 0.5 * self.face_polar_m / self.distance_m,
            azimuthal_half: 0.5 * self.face_azimuthal_m / self.distance_m,
            cosines: self.polar_cosine_range(),
        }
    }
}

/// A box as seen from the IP, for the azimuthal average of [`DetectorBox::azimuthal_fraction`]:
/// the polar angle of the face centre, the face's half sides over the distance, and the range of
/// `cos(theta)` that can reach the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AzimuthalView {
    sin_centre: f64,
    cos_centre: f64,
    polar_half: f64,
    azimuthal_half: f64,
    cosines: (f64, f64),
}

impl AzimuthalView {
    /// The fraction of azimuths that put a direction of polar angle `theta` (given as
    /// `cos theta`, `sin theta`) onto the front face. With `x = cos(phi - phi_box)` the face's
    /// two conditions are linear and quadratic in `x`, solved here in closed form; zero at once
    /// outside the face's range of `cos theta`.
    #[must_use]
    pub fn fraction(&self, cos_theta: f64, sin_theta: f64) -> f64 {
        if cos_theta < self.cosines.0 || cos_theta > self.cosines.1 {
            return 0.0;
        }
        let (s1, c1) = (sin_theta, cos_theta);
        let (sc, cc) = (self.sin_centre, self.cos_centre);
        // n.c = C x + D; n.e_theta = A x - B; n.e_phi = s1 sin(phi).
        let (a, b, c, d) = (s1 * cc, c1 * sc, s1 * sc, c1 * cc);
        let (k, k2) = (self.polar_half, self.azimuthal_half);
        // Polar side: -k (Cx + D) <= A x - B <= k (C x + D).
        let mut lo = -1.0_f64;
        let mut hi = 1.0_f64;
        let mut linear = |coefficient: f64, constant: f64| {
            // coefficient * x <= constant
            if coefficient > 0.0 {
                hi = hi.min(constant / coefficient);
            } else if coefficient < 0.0 {
                lo = lo.max(constant / coefficient);
            } else if constant < 0.0 {
                hi = -2.0;
            }
        };
        linear(a - k * c, b + k * d);
        linear(-(a + k * c), k * d - b);
        // In front of the IP: C x + D > 0.
        linear(-c, d);
        if lo >= hi {
            return 0.0;
        }
        // Azimuthal side: s1^2 (1 - x^2) <= k2^2 (C x + D)^2 (with C x + D > 0 already), i.e.
        // q(x) = (s1^2 + k2^2 C^2) x^2 + 2 k2^2 C D x + k2^2 D^2 - s1^2 >= 0.
        let qa = s1 * s1 + k2 * k2 * c * c;
        let qb = 2.0 * k2 * k2 * c * d;
        let qc = k2 * k2 * d * d - s1 * s1;
        let span = |x0: f64, x1: f64| {
            if x1 > x0 {
                x0.clamp(-1.0, 1.0).acos() - x1.clamp(-1.0, 1.0).acos()
            } else {
                0.0
            }
        };
        let total = if qa <= 0.0 {
            // theta = 0 and a face straight ahead: every azimuth is the same point.
            if qc >= 0.0 { span(lo, hi) } else { 0.0 }
        } else {
            let disc = qb * qb - 4.0 * qa * qc;
            if disc <= 0.0 {
                span(lo, hi)
            } else {
                let root = disc.sqrt();
                let (r1, r2) = ((-qb - root) / (2.0 * qa), (-qb + root) / (2.0 * qa));
                span(lo, hi.min(r1)) + span(lo.max(r2), hi)
            }
        };
        total / PI
    }
}

/// Width of a [`DecayProfile`] bin in the logarithm of the reduced distance.
const PROFILE_BIN_LN: f64 = 2e-3;

/// Decay lengths per unit `beta gamma` beyond this multiple of the largest reduced exit distance
/// use the series of [`DecayProfile::probability`] in `1/l`.
const PROFILE_SERIES_FROM: f64 = 20.0;

/// A bin of reduced distances: its weight, and the weighted mean and variance of its distances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileBin {
    /// Total weight.
    pub weight: f64,
    /// Weighted mean distance, m.
    pub mean_m: f64,
    /// Weighted variance of the distances, m^2.
    pub variance_m2: f64,
}

/// The probability that a `phi1` of a Monte Carlo sample decays inside a box, as a function of
/// its decay length per unit `beta gamma`, `l = hbar c / Gamma(phi1)`:
///
/// `P(l) = sum_i w_i [exp(-a_i/l) - exp(-b_i/l)]`,
///
/// where a line of flight `i` enters the box at `t_in` and leaves at `t_out` from the IP,
/// `a_i = t_in / (beta gamma)_i` and `b_i = t_out / (beta gamma)_i` are its reduced distances and
/// `w_i` its weight (the survival law `exp(-t / (beta gamma l))` along the line). Every coupling
/// dependence of the decay is in `l`, so one sample serves a whole coupling grid.
///
/// The two sums are kept as bins of width `PROFILE_BIN_LN` in `ln a` (and `ln b`), each
/// replaced by its weight, mean `r` and variance `v` as `W exp(-r/l + v/(2 l^2))`, the first two
/// cumulants of the bin: the error is the third cumulant, at most about
/// `0.1 (r delta/l)^3 / 6` relative (`delta` the bin width), 4e-6 at `r/l = 30` (where
/// `exp(-30)` leaves no signal at any coupling a scan reaches) and tested against the exact sum.
/// For `l` beyond `PROFILE_SERIES_FROM` times the largest `b`, where the two sums cancel, the
/// series `M1/l - M2/(2 l^2) + M3/(6 l^3) - M4/(24 l^4)` with the exact moments
/// `M_k = sum w (b^k - a^k)` is used (truncation below 3e-7).
#[derive(Debug, Clone, PartialEq)]
pub struct DecayProfile {
    /// Bins of the entry distances, ascending.
    pub entries: Vec<ProfileBin>,
    /// Bins of the exit distances, ascending.
    pub exits: Vec<ProfileBin>,
    /// `M_k = sum w (b^k - a^k)`, k = 1..4, m^k.
    pub moments: [f64; 4],
    /// The largest reduced exit distance, m.
    pub largest_exit_m: f64,
}

/// The sums of a bin: weight, and the first and second moments about the bin's lower edge.
type BinSums = [f64; 3];

/// Collects the lines of flight of a [`DecayProfile`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecayProfileBuilder {
    entries: std::collections::BTreeMap<i64, BinSums>,
    exits: std::collections::BTreeMap<i64, BinSums>,
    moments: [f64; 4],
    largest_exit_m: f64,
}

/// The bin of a positive distance and its lower edge.
fn profile_bin(distance_m: f64) -> (i64, f64) {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "ln of a finite positive distance over the bin width is far inside i64"
    )]
    let k = (distance_m.ln() / PROFILE_BIN_LN).floor() as i64;
    #[expect(clippy::cast_precision_loss, reason = "|k| is below 2^20")]
    let edge = (k as f64 * PROFILE_BIN_LN).exp();
    (k, edge)
}

fn add_to_bin(bins: &mut std::collections::BTreeMap<i64, BinSums>, distance_m: f64, weight: f64) {
    let (k, edge) = profile_bin(distance_m);
    let x = distance_m - edge;
    let sums = bins.entry(k).or_insert([0.0; 3]);
    sums[0] += weight;
    sums[1] += weight * x;
    sums[2] += weight * x * x;
}

fn merge_bins(
    into: &mut std::collections::BTreeMap<i64, BinSums>,
    from: std::collections::BTreeMap<i64, BinSums>,
) {
    for (k, s) in from {
        let sums = into.entry(k).or_insert([0.0; 3]);
        for (a, b) in sums.iter_mut().zip(s) {
            *a += b;
        }
    }
}

fn finish_bins(bins: std::collections::BTreeMap<i64, BinSums>) -> Vec<ProfileBin> {
    bins.into_iter()
        .filter(|(_, s)| s[0] > 0.0)
        .map(|(k, [w, s1, s2])| {
            #[expect(clippy::cast_precision_loss, reason = "|k| is below 2^20")]
            let edge = (k as f64 * PROFILE_BIN_LN).exp();
            let shift = s1 / w;
            ProfileBin {
                weight: w,
                mean_m: edge + shift,
                variance_m2: (s2 / w - shift * shift).max(0.0),
            }
        })
        .collect()
}

impl DecayProfileBuilder {
    /// Adds a line of flight with reduced entry and exit distances `a <= b` (m) and `weight`.
    /// Lines with a non-finite or non-positive distance (a `phi1` at rest) never decay inside
    /// and are left out.
    pub fn add(&mut self, entry_m: f64, exit_m: f64, weight: f64) {
        if !(entry_m > 0.0 && exit_m.is_finite() && exit_m >= entry_m && weight > 0.0) {
            return;
        }
        add_to_bin(&mut self.entries, entry_m, weight);
        add_to_bin(&mut self.exits, exit_m, weight);
        let (mut a, mut b) = (1.0, 1.0);
        for m in &mut self.moments {
            a *= entry_m;
            b *= exit_m;
            *m += weight * (b - a);
        }
        self.largest_exit_m = self.largest_exit_m.max(exit_m);
    }

    /// Adds the lines of `other` (call in a fixed order: the sums are then reproducible).
    pub fn merge(&mut self, other: Self) {
        merge_bins(&mut self.entries, other.entries);
        merge_bins(&mut self.exits, other.exits);
        for (a, b) in self.moments.iter_mut().zip(other.moments) {
            *a += b;
        }
        self.largest_exit_m = self.largest_exit_m.max(other.largest_exit_m);
    }

    /// The profile.
    #[must_use]
    pub fn finish(self) -> DecayProfile {
        DecayProfile {
            entries: finish_bins(self.entries),
            exits: finish_bins(self.exits),
            moments: self.moments,
            largest_exit_m: self.largest_exit_m,
        }
    }
}

/// `sum W exp(-r/l + v/(2 l^2))` over bins; terms beyond `r/l = 700` underflow and are dropped.
fn binned_survival(bins: &[ProfileBin], length_m: f64) -> f64 {
    let inverse = 1.0 / length_m;
    bins.iter()
        .take_while(|b| b.mean_m * inverse < 700.0)
        .map(|b| {
            let x = b.mean_m * inverse;
            b.weight * (-x + 0.5 * b.variance_m2 * inverse * inverse).exp()
        })
        .sum()
}

impl DecayProfile {
    /// The probability to decay inside the box for a decay length per unit `beta gamma` of
    /// `length_per_beta_gamma_m` (`hbar c / Gamma`, m); zero for a length that is not positive.
    #[must_use]
    pub fn probability(&self, length_per_beta_gamma_m: f64) -> f64 {
        let l = length_per_beta_gamma_m;
        if l.is_nan() || l <= 0.0 || self.entries.is_empty() {
            return 0.0;
        }
        if l >= PROFILE_SERIES_FROM * self.largest_exit_m || l.is_infinite() {
            let x = 1.0 / l;
            let [m1, m2, m3, m4] = self.moments;
            return x * (m1 - x * (m2 / 2.0 - x * (m3 / 6.0 - x * m4 / 24.0)));
        }
        (binned_survival(&self.entries, l) - binned_survival(&self.exits, l)).max(0.0)
    }

    /// The total weight of the lines that cross the box (the acceptance of the sample's
    /// weighting).
    #[must_use]
    pub fn weight(&self) -> f64 {
        self.entries.iter().map(|b| b.weight).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn box_a() -> DetectorBox {
        DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3)
    }

    fn central() -> DetectorBox {
        DetectorBox {
            azimuth_deg: 30.0,
            ..DetectorBox::central("central", 4.0, 0.3, 0.2)
        }
    }

    fn direction(theta: f64, phi: f64) -> Direction {
        [
            theta.sin() * phi.cos(),
            theta.sin() * phi.sin(),
            theta.cos(),
        ]
    }

    /// The face seen from the IP: its centre is hit, points just inside its corners are, and
    /// points just outside its edges are not; the solid angle integrated from the azimuthal
    /// fraction equals the closed form of a rectangle seen face on,
    /// `4 arctan(w h / (2 a sqrt(4 a^2 + w^2 + h^2)))` (full sides w, h at distance a).
    #[test]
    fn face_and_solid_angle() {
        for b in [box_a(), central()] {
            let [c, e_theta, e_phi] = b.frame();
            let at = |u: f64, v: f64| -> Direction {
                let p: [f64; 3] =
                    std::array::from_fn(|i| b.distance_m * c[i] + u * e_theta[i] + v * e_phi[i]);
                let norm = dot(&p, &p).sqrt();
                p.map(|x| x / norm)
            };
            let (w, h) = (0.5 * b.face_polar_m, 0.5 * b.face_azimuthal_m);
            assert!(b.hit(&c));
            assert!(b.hit(&at(0.999 * w, 0.999 * h)) && b.hit(&at(-0.999 * w, -0.999 * h)));
            assert!(!b.hit(&at(1.001 * w, 0.0)) && !b.hit(&at(0.0, -1.001 * h)));
            let (t_in, t_out) = b.path_through(&c).expect("hit");
            assert!(
                (t_in - b.distance_m).abs() < 1e-12 && (t_out - t_in - b.depth_m).abs() < 1e-12
            );
            // Solid angle: integral of 2 pi fraction(theta) sin(theta) dtheta.
            let n = 200_000;
            let (t0, t1) = (0.0, PI);
            let step = (t1 - t0) / f64::from(n);
            let omega: f64 = (0..n)
                .map(|i| {
                    let t = t0 + (f64::from(i) + 0.5) * step;
                    2.0 * PI * b.azimuthal_fraction(t) * t.sin() * step
                })
                .sum();
            let (a, fw, fh) = (b.distance_m, b.face_polar_m, b.face_azimuthal_m);
            let exact =
                4.0 * (fw * fh / (2.0 * a * (4.0 * a * a + fw * fw + fh * fh).sqrt())).atan();
            assert!(
                (omega / exact - 1.0).abs() < 1e-4,
                "{}: {omega} against {exact}",
                b.name
            );
        }
    }

    /// Outside the face's range of `cos(theta)`, where [`AzimuthalView::fraction`] returns at
    /// once, no azimuth hits the face: polar angles just beyond the range on both sides, 3600
    /// azimuths each; just inside, the fraction is positive.
    #[test]
    fn nothing_is_seen_outside_the_polar_range() {
        for b in [box_a(), central()] {
            let (lo, hi) = b.polar_cosine_range();
            for cos in [lo - 1e-4, hi + 1e-4] {
                let theta = cos.clamp(-1.0, 1.0).acos();
                assert_eq!(b.azimuthal_fraction(theta), 0.0);
                let hits = (0..3600)
                    .filter(|k| b.hit(&direction(theta, 2.0 * PI * f64::from(*k) / 3600.0)))
                    .count();
                assert_eq!(hits, 0, "{} at cos {cos}", b.name);
            }
            assert!(b.azimuthal_fraction(b.centre_polar_rad()) > 0.0);
        }
    }

    /// The azimuthal fraction is the average of the direct hit test over a uniform azimuth.
    #[test]
    fn azimuthal_fraction_is_the_average_of_hits() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for b in [box_a(), central()] {
            let theta_c = b.centre_polar_rad();
            for dt in [-0.012, -0.005, 0.0, 0.004, 0.011] {
                let theta = theta_c + dt;
                let n = 400_000;
                let hits = (0..n)
                    .filter(|_| b.hit(&direction(theta, 2.0 * PI * rng.random::<f64>())))
                    .count();
                let fraction = b.azimuthal_fraction(theta);
                let mc = hits as f64 / f64::from(n);
                let sigma = (fraction * (1.0 - fraction) / f64::from(n))
                    .sqrt()
                    .max(1e-6);
                assert!(
                    (mc - fraction).abs() < 5.0 * sigma,
                    "{} at {theta}: {mc} against {fraction}",
                    b.name
                );
            }
        }
    }

    /// The binned profile against the exact sum over its lines, from the exponential regime
    /// (`a/l = 30`) to decay lengths a million times the box's distance, on both sides of the
    /// switch to the series; a single line is the closed form `exp(-a/l) - exp(-b/l)`.
    #[test]
    fn decay_profile_matches_the_exact_sum() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let lines: Vec<(f64, f64, f64)> = (0..20_000)
            .map(|_| {
                let a = 3.0 * (rng.random::<f64>() * 2.5).exp();
                let b = a * (1.05 + 0.35 * rng.random::<f64>());
                (a, b, rng.random::<f64>() * 1e-5)
            })
            .collect();
        let mut builder = DecayProfileBuilder::default();
        for &(a, b, w) in &lines {
            builder.add(a, b, w);
        }
        let profile = builder.finish();
        assert!(profile.entries.len() < 2000, "{}", profile.entries.len());
        let exact = |l: f64| -> f64 {
            lines
                .iter()
                .map(|&(a, b, w)| w * (-a / l).exp() * -(-(b - a) / l).exp_m1())
                .sum()
        };
        let a_min = lines.iter().map(|l| l.0).fold(f64::INFINITY, f64::min);
        let b_max = profile.largest_exit_m;
        let switch = PROFILE_SERIES_FROM * b_max;
        let mut lengths: Vec<f64> = (0..=60)
            .map(|i| a_min / 30.0 * (f64::from(i) / 60.0 * (1e6 * 30.0 * 40.0_f64).ln()).exp())
            .collect();
        lengths.extend([switch * (1.0 - 1e-9), switch * (1.0 + 1e-9)]);
        for l in lengths {
            let (binned, direct) = (profile.probability(l), exact(l));
            assert!(
                (binned / direct - 1.0).abs() < 1e-6,
                "l = {l}: {binned} against {direct}"
            );
        }
        let mut single = DecayProfileBuilder::default();
        single.add(7.0, 8.32, 1.0);
        let single = single.finish();
        for l in [0.3_f64, 2.0, 30.0, 1e4] {
            let closed = (-7.0 / l).exp() - (-8.32 / l).exp();
            assert!((single.probability(l) / closed - 1.0).abs() < 1e-9, "{l}");
        }
        assert_eq!(single.probability(0.0), 0.0);
        assert_eq!(single.probability(1e-3), 0.0);
    }
}
