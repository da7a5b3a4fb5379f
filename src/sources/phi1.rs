//! Long-lived `phi1` from `e+ e-` collisions at `sqrt s` [EMU Eq. 4, 5, 13-16]: a Monte Carlo of
//! its direction and boost, and the acceptance of detector boxes for it.
//!
//! On shell (`e+ e- -> gamma A'`, `A' -> phi1 phi2`): the `A'` polar angle from Eq. 4 (with the
//! `4 m_e^2` regulator, sampled exactly from its `1/(r^2 - cos^2)` envelope and accepted with the
//! bounded remainder), a uniform azimuth, and the `phi1` direction in the `A'` rest frame from
//! the spin-correlated Eq. 13 (accept-reject under a bound of its bracket), boosted to the
//! centre-of-mass frame as full three-vectors (Eq. 14-16 are tested against them). Off shell
//! (`e+ e- -> A'* -> phi1 phi2`): `sin^2 theta_1` [Eq. 5] and two-body kinematics. Optionally the
//! events are boosted along the beam to the lab of an asymmetric collider.
//!
//! Acceptance (docs/physics.md §8): the fraction of all produced `phi1` whose line from the IP crosses a
//! box's front face. The distribution is symmetric about the beam axis, so each event contributes
//! its exact azimuthal average, [`DetectorBox::azimuthal_fraction`] of its polar angle: the same
//! expectation as a hit count over a random azimuth, with far less variance (tested against it).
//! Events come in chunks with their own ChaCha8 streams of the seed, summed in chunk order:
//! the numbers do not depend on the thread count.

use crate::detectors::emulsion::{DecayProfile, DecayProfileBuilder, DetectorBox, Direction};
use crate::models::inelastic::InelasticScalar;
use crate::processes::collider_production::two_body_momentum_gev;
use crate::units::ELECTRON_MASS_GEV;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::f64::consts::PI;

/// How the `phi1` are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Production {
    /// `e+ e- -> gamma A'`, `A' -> phi1 phi2` [EMU Eq. 4, 13-16].
    OnShell,
    /// `e+ e- -> A'* -> phi1 phi2` [EMU Eq. 5].
    OffShell,
}

/// Monte Carlo settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonteCarlo {
    /// Events.
    pub events: u64,
    /// Seed.
    pub seed: u64,
    /// Keep the `A'` spin correlation of Eq. 13 (without it, `phi1` is isotropic in the `A'`
    /// frame; the acceptances drop by about 22%, docs/physics.md §8).
    pub spin_correlation: bool,
    /// Velocity of the centre-of-mass frame along +z in the lab (0: the paper's centre-of-mass
    /// treatment; `(E- - E+)/(E- + E+)` for an asymmetric collider).
    pub boost_beta: f64,
}

/// One `phi1`: its direction and `beta gamma = p/m1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phi1 {
    /// Unit vector of flight.
    pub direction: Direction,
    /// `|p| / m1`.
    pub beta_gamma: f64,
}

/// The bracket of Eq. 13, `{...}`, at `A'` polar angle `(cos, sin)` and `phi1` angles in the `A'`
/// frame `(cos theta_1^*, sin theta_1^*, cos phi_1^*)` [EMU Eq. 13].
#[must_use]
pub fn eq13_bracket(s: f64, m: f64, angle: (f64, f64), star: (f64, f64, f64)) -> f64 {
    let (c, st) = angle;
    let (c1, s1, cp) = star;
    let m2 = m * m;
    let (plus, minus) = (s + m2, s - m2);
    plus * plus + minus * minus * c * c - (minus * minus + plus * plus * c * c) * c1 * c1
        + 4.0 * m * s.sqrt() * plus * s1 * c1 * cp * st * c
        - 4.0 * m2 * s * s1 * s1 * cp * cp * st * st
}

/// Draws one on-shell `phi1` in the centre-of-mass frame.
fn draw_on_shell(model: &InelasticScalar, sqrt_s: f64, spin: bool, rng: &mut impl Rng) -> Phi1 {
    let s = sqrt_s * sqrt_s;
    let m = model.m_aprime_gev;
    let m2 = m * m;
    let (plus2, minus2) = ((s + m2).powi(2), (s - m2).powi(2));
    // A' polar angle: envelope 1/(r^2 - c^2), r^2 = 1 + 4 m_e^2/s, exactly invertible; accept
    // with (A + B c^2)/(A + B) <= 1.
    let r = (1.0 + 4.0 * ELECTRON_MASS_GEV.powi(2) / s).sqrt();
    let span = (1.0 / r).atanh();
    let (c, sin) = loop {
        let u: f64 = 2.0 * rng.random::<f64>() - 1.0;
        let t = (u * span).tanh();
        let c = r * t;
        if rng.random::<f64>() * (plus2 + minus2) <= plus2 + minus2 * c * c {
            // sin^2 = 1 - r^2 t^2, computed without cancellation where t -> 1/r.
            let sin2 = (1.0 - r * t) * (1.0 + r * t);
            break (c.clamp(-1.0, 1.0), sin2.max(0.0).sqrt());
        }
    };
    let phi = 2.0 * PI * rng.random::<f64>();
    // phi1 in the A' frame.
    let bound = plus2 + minus2 * c * c + 2.0 * m * sqrt_s * (s + m2) * (sin * c).abs();
    let (c1, s1, phi1) = loop {
        let c1: f64 = 2.0 * rng.random::<f64>() - 1.0;
        let phi1 = 2.0 * PI * rng.random::<f64>();
        let s1 = (1.0 - c1 * c1).max(0.0).sqrt();
        if !spin {
            break (c1, s1, phi1);
        }
        let weight = eq13_bracket(s, m, (c, sin), (c1, s1, phi1.cos()));
        if rng.random::<f64>() * bound <= weight {
            break (c1, s1, phi1);
        }
    };
    // Frame: z* along the A', x* = theta-hat, y* = phi-hat.
    let (cp, sp) = (phi.cos(), phi.sin());
    let z = [sin * cp, sin * sp, c];
    let x = [c * cp, c * sp, -sin];
    let y = [-sp, cp, 0.0];
    let e_star = (m2 + model.m1_gev.powi(2) - model.m2_gev.powi(2)) / (2.0 * m);
    let p_star = (e_star * e_star - model.m1_gev.powi(2)).max(0.0).sqrt();
    let (gamma, beta_gamma) = ((s + m2) / (2.0 * sqrt_s * m), (s - m2) / (2.0 * sqrt_s * m));
    let parallel = gamma * p_star * c1 + beta_gamma * e_star;
    let (tx, ty) = (p_star * s1 * phi1.cos(), p_star * s1 * phi1.sin());
    let p: [f64; 3] = std::array::from_fn(|i| parallel * z[i] + tx * x[i] + ty * y[i]);
    phi1_from_momentum(p, model.m1_gev)
}

/// Draws one off-shell `phi1` in the centre-of-mass frame.
fn draw_off_shell(model: &InelasticScalar, sqrt_s: f64, rng: &mut impl Rng) -> Phi1 {
    let c = loop {
        let c: f64 = 2.0 * rng.random::<f64>() - 1.0;
        if rng.random::<f64>() <= 1.0 - c * c {
            break c;
        }
    };
    let sin = (1.0 - c * c).max(0.0).sqrt();
    let phi = 2.0 * PI * rng.random::<f64>();
    let momentum = two_body_momentum_gev(sqrt_s, model.m1_gev, model.m2_gev);
    let p = [
        momentum * sin * phi.cos(),
        momentum * sin * phi.sin(),
        momentum * c,
    ];
    phi1_from_momentum(p, model.m1_gev)
}

fn phi1_from_momentum(p: [f64; 3], m1: f64) -> Phi1 {
    let norm = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
    Phi1 {
        direction: p.map(|x| x / norm),
        beta_gamma: norm / m1,
    }
}

/// Boosts a `phi1` along +z with velocity `beta`.
fn boost(phi1: Phi1, m1: f64, beta: f64) -> Phi1 {
    if beta == 0.0 {
        return phi1;
    }
    let p = phi1.beta_gamma * m1;
    let energy = p.hypot(m1);
    let gamma = 1.0 / (1.0 - beta * beta).sqrt();
    let momentum = phi1.direction.map(|d| d * p);
    let pz = gamma * (momentum[2] + beta * energy);
    phi1_from_momentum([momentum[0], momentum[1], pz], m1)
}

/// Draws one `phi1` (in the lab when `mc.boost_beta` is set).
pub fn draw(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    mc: &MonteCarlo,
    rng: &mut impl Rng,
) -> Phi1 {
    let phi1 = match production {
        Production::OnShell => draw_on_shell(model, sqrt_s, mc.spin_correlation, rng),
        Production::OffShell => draw_off_shell(model, sqrt_s, rng),
    };
    boost(phi1, model.m1_gev, mc.boost_beta)
}

/// A Monte Carlo fraction and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fraction {
    /// The fraction.
    pub value: f64,
    /// Its statistical error (one standard deviation).
    pub error: f64,
}

/// What the Monte Carlo gives for one box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxAcceptance {
    /// The acceptance of the contract: the fraction of `phi1` that cross the front face.
    pub acceptance: Fraction,
    /// The mean `beta gamma` of the accepted `phi1` (they are slower than average).
    pub mean_beta_gamma_accepted: f64,
}

/// Events per chunk (each chunk its own random stream).
const CHUNK: u64 = 1 << 16;

/// Runs `visit` over `mc.events` events in chunks, each chunk with its own stream of the seed
/// and its own accumulator from `start`; returns the accumulators in chunk order (so anything
/// folded from them in that order does not depend on the thread count).
fn over_events<T: Send>(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    mc: &MonteCarlo,
    start: &(dyn Fn() -> T + Sync),
    visit: &(dyn Fn(&mut T, &Phi1, &mut ChaCha8Rng) + Sync),
) -> Vec<T> {
    let chunks = mc.events.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = ChaCha8Rng::seed_from_u64(mc.seed);
            rng.set_stream(chunk);
            let n = CHUNK.min(mc.events - chunk * CHUNK);
            let mut accumulator = start();
            for _ in 0..n {
                let phi1 = draw(model, sqrt_s, production, mc, &mut rng);
                visit(&mut accumulator, &phi1, &mut rng);
            }
            accumulator
        })
        .collect()
}

/// Per box, the sums over `mc.events` events of a per-event score `x` (its mean, and the mean of
/// its square for the error) and of `x * beta gamma`, summed in chunk order.
fn sum_over_events(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    boxes: &[DetectorBox],
    mc: &MonteCarlo,
    score: &(dyn Fn(&Phi1, usize, &mut ChaCha8Rng) -> f64 + Sync),
) -> Vec<[f64; 3]> {
    let per_chunk = over_events(
        model,
        sqrt_s,
        production,
        mc,
        &|| vec![[0.0; 3]; boxes.len()],
        &|sums: &mut Vec<[f64; 3]>, phi1, rng| {
            for (k, sum) in sums.iter_mut().enumerate() {
                let x = score(phi1, k, rng);
                sum[0] += x;
                sum[1] += x * x;
                sum[2] += x * phi1.beta_gamma;
            }
        },
    );
    (0..boxes.len())
        .map(|k| {
            per_chunk.iter().fold([0.0; 3], |acc, c| {
                [acc[0] + c[k][0], acc[1] + c[k][1], acc[2] + c[k][2]]
            })
        })
        .collect()
}

/// The mean of a per-event score and its standard error, from its sums over `events`.
fn fraction(sum: f64, sum2: f64, events: u64) -> Fraction {
    #[expect(
        clippy::cast_precision_loss,
        reason = "event counts are far below 2^52"
    )]
    let n = events as f64;
    let mean = sum / n;
    Fraction {
        value: mean,
        error: ((sum2 / n - mean * mean).max(0.0) / n).sqrt(),
    }
}

/// The acceptance of every box, from `mc.events` events.
#[must_use]
pub fn acceptances(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    boxes: &[DetectorBox],
    mc: &MonteCarlo,
) -> Vec<BoxAcceptance> {
    let score = |phi1: &Phi1, k: usize, _: &mut ChaCha8Rng| {
        boxes[k].azimuthal_fraction(phi1.direction[2].clamp(-1.0, 1.0).acos())
    };
    sum_over_events(model, sqrt_s, production, boxes, mc, &score)
        .into_iter()
        .map(|[w, w2, wbg]| BoxAcceptance {
            acceptance: fraction(w, w2, mc.events),
            mean_beta_gamma_accepted: if w > 0.0 { wbg / w } else { 0.0 },
        })
        .collect()
}

/// Azimuths per event in [`decay_in_volume`] (stratified: one in each of as many equal sectors).
const AZIMUTHS: u32 = 16;

/// A box with what many lines through it share: its frame, the range of `cos(theta)` its face
/// can be seen at, and the `AZIMUTHS` base rotations about the beam.
struct Target<'a> {
    b: &'a DetectorBox,
    frame: [Direction; 3],
    cosines: (f64, f64),
    rotations: [(f64, f64); AZIMUTHS as usize],
}

impl<'a> Target<'a> {
    fn new(b: &'a DetectorBox) -> Self {
        Self {
            b,
            frame: b.frame(),
            cosines: b.polar_cosine_range(),
            rotations: std::array::from_fn(|k| {
                #[expect(clippy::cast_precision_loss, reason = "k < AZIMUTHS")]
                let angle = 2.0 * PI * k as f64 / f64::from(AZIMUTHS);
                angle.sin_cos()
            }),
        }
    }

    /// Where the lines of one event, turned to `AZIMUTHS` stratified azimuths about the beam
    /// (`2 pi (k + offset) / AZIMUTHS`, one random offset per event and box, drawn even when
    /// the event's polar angle cannot see the face), enter and leave the box: `(t_in, t_out)`
    /// in m for each azimuth whose line crosses the front face.
    fn paths(&self, phi1: &Phi1, rng: &mut ChaCha8Rng) -> Vec<(f64, f64)> {
        let offset: f64 = rng.random();
        let d = phi1.direction;
        if d[2] < self.cosines.0 || d[2] > self.cosines.1 {
            return Vec::new();
        }
        let (s0, c0) = (2.0 * PI * offset / f64::from(AZIMUTHS)).sin_cos();
        self.rotations
            .iter()
            .filter_map(|&(sk, ck)| {
                // Rotation by the k-th base angle plus the offset's.
                let (s, c) = (sk * c0 + ck * s0, ck * c0 - sk * s0);
                let n = [c * d[0] - s * d[1], s * d[0] + c * d[1], d[2]];
                self.b.path_through_frame(&self.frame, &n)
            })
            .collect()
    }
}

/// The event-by-event probability that a `phi1` decays inside each box: the mean over events of
/// `exp(-t_in/l) - exp(-t_out/l)` for the line's entry and exit (front face to the back or a
/// side), with each event's own decay length `l = beta gamma * decay_length_per_beta_gamma_m`
/// (`hbar c / Gamma(phi1)`), zero for a line that misses the face. Each event is turned to
/// `AZIMUTHS` stratified azimuths about the beam (the distribution is symmetric about it).
/// Accepted `phi1` are slower than average, so this is below the factorised Eq. 20 estimate
/// `A (exp(-a/d) - exp(-(a+L)/d))` (docs/physics.md §8: by about 14% at the Table 1 point).
/// [`acceptances_with_profiles`] draws the same events and lines and keeps them for any decay length.
#[must_use]
pub fn decay_in_volume(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    boxes: &[DetectorBox],
    mc: &MonteCarlo,
    decay_length_per_beta_gamma_m: f64,
) -> Vec<Fraction> {
    let targets: Vec<Target> = boxes.iter().map(Target::new).collect();
    let score = |phi1: &Phi1, k: usize, rng: &mut ChaCha8Rng| {
        let length = phi1.beta_gamma * decay_length_per_beta_gamma_m;
        let total: f64 = targets[k]
            .paths(phi1, rng)
            .into_iter()
            .map(|(t_in, t_out)| (-t_in / length).exp() * -(-(t_out - t_in) / length).exp_m1())
            .sum();
        total / f64::from(AZIMUTHS)
    };
    sum_over_events(model, sqrt_s, production, boxes, mc, &score)
        .into_iter()
        .map(|[p, p2, _]| fraction(p, p2, mc.events))
        .collect()
}

/// Per box, the acceptance sums of [`sum_over_events`] and the lines of a decay profile.
type Sums = (Vec<[f64; 3]>, Vec<DecayProfileBuilder>);

/// The acceptance and the decay profile of each box from one pass over `mc.events` events:
/// the acceptance as [`acceptances`] (the same estimator, other events, since the profile draws
/// its azimuth offsets between them), the profile from the lines of [`decay_in_volume`] (the
/// same events, azimuths and weights), kept as reduced distances `t / (beta gamma)` so that the
/// probability to decay inside follows for any decay length ([`DecayProfile::probability`]).
#[must_use]
pub fn acceptances_with_profiles(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    boxes: &[DetectorBox],
    mc: &MonteCarlo,
) -> Vec<(BoxAcceptance, DecayProfile)> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "event counts are far below 2^52"
    )]
    let weight = 1.0 / (mc.events as f64 * f64::from(AZIMUTHS));
    let targets: Vec<Target> = boxes.iter().map(Target::new).collect();
    let per_chunk = over_events(
        model,
        sqrt_s,
        production,
        mc,
        &|| -> Sums {
            (
                vec![[0.0; 3]; boxes.len()],
                vec![DecayProfileBuilder::default(); boxes.len()],
            )
        },
        &|(sums, builders): &mut Sums, phi1, rng| {
            let theta = phi1.direction[2].clamp(-1.0, 1.0).acos();
            for ((sum, builder), target) in sums.iter_mut().zip(builders.iter_mut()).zip(&targets) {
                let x = target.b.azimuthal_fraction(theta);
                sum[0] += x;
                sum[1] += x * x;
                sum[2] += x * phi1.beta_gamma;
                for (t_in, t_out) in target.paths(phi1, rng) {
                    builder.add(t_in / phi1.beta_gamma, t_out / phi1.beta_gamma, weight);
                }
            }
        },
    );
    let mut sums = vec![[0.0; 3]; boxes.len()];
    let mut merged = vec![DecayProfileBuilder::default(); boxes.len()];
    for (chunk_sums, chunk_builders) in per_chunk {
        for (into, from) in sums.iter_mut().zip(chunk_sums) {
            for (a, b) in into.iter_mut().zip(from) {
                *a += b;
            }
        }
        for (into, from) in merged.iter_mut().zip(chunk_builders) {
            into.merge(from);
        }
    }
    sums.into_iter()
        .zip(merged)
        .map(|([w, w2, wbg], builder)| {
            (
                BoxAcceptance {
                    acceptance: fraction(w, w2, mc.events),
                    mean_beta_gamma_accepted: if w > 0.0 { wbg / w } else { 0.0 },
                },
                builder.finish(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn table1(m1: f64) -> InelasticScalar {
        InelasticScalar::new(8.0, m1, 3.65, 1e-3, 0.1)
    }

    fn mc(events: u64) -> MonteCarlo {
        MonteCarlo {
            events,
            seed: 1,
            spin_correlation: true,
            boost_beta: 0.0,
        }
    }

    /// Box A of the paper and its acceptance at Belle II, on shell.
    fn box_a(model: &InelasticScalar, settings: &MonteCarlo) -> (DetectorBox, BoxAcceptance) {
        let b = DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3);
        let a = acceptances(
            model,
            10.58,
            Production::OnShell,
            std::slice::from_ref(&b),
            settings,
        )[0];
        (b, a)
    }

    /// Averaged over the `phi1` angles, Eq. 13's bracket is 2/3 of Eq. 4's numerator
    /// (docs/physics.md §8), at several `A'` angles; quadrature on a product grid.
    #[test]
    fn eq13_averages_to_eq4() {
        let (s, m) = (10.58_f64.powi(2), 8.0_f64);
        for c in [-0.9_f64, -0.2, 0.0, 0.5, 0.95] {
            let st = (1.0 - c * c).sqrt();
            let n = 400;
            let mut sum = 0.0;
            for i in 0..n {
                let c1 = -1.0 + (f64::from(i) + 0.5) * 2.0 / f64::from(n);
                for j in 0..n {
                    let p1 = (f64::from(j) + 0.5) * 2.0 * PI / f64::from(n);
                    sum += eq13_bracket(s, m, (c, st), (c1, (1.0 - c1 * c1).sqrt(), p1.cos()));
                }
            }
            let mean = sum / f64::from(n * n);
            let numerator = (s + m * m).powi(2) + (s - m * m).powi(2) * c * c;
            assert_relative_eq!(mean, 2.0 / 3.0 * numerator, max_relative = 1e-4);
        }
    }

    /// The sampled kinematics against Eq. 14-16: every `phi1` energy lies between the Eq. 14
    /// extremes (`cos theta_1^* = -1, 1`) and the mean energy is Eq. 14's first term (Eq. 13 is
    /// even in `cos theta_1^*` after the `phi_1^*` average); the `A'` polar angle is as peaked as
    /// Eq. 4 says: the fraction of `A'` within `|cos| < 0.5` matches its closed form.
    #[test]
    fn sampled_kinematics_follow_eq14() {
        let model = table1(4.333);
        let sqrt_s = 10.58;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 200_000;
        let (lo, hi) = (
            model.phi1_energy_gev(sqrt_s, -1.0),
            model.phi1_energy_gev(sqrt_s, 1.0),
        );
        let mut mean = 0.0;
        for _ in 0..n {
            let phi1 = draw_on_shell(&model, sqrt_s, true, &mut rng);
            let energy = (phi1.beta_gamma * model.m1_gev).hypot(model.m1_gev);
            assert!(energy >= lo * (1.0 - 1e-12) && energy <= hi * (1.0 + 1e-12));
            mean += energy / f64::from(n);
        }
        let expected = model.phi1_energy_gev(sqrt_s, 0.0);
        let spread = (hi - lo) / 12f64.sqrt();
        assert!(
            (mean - expected).abs() < 4.0 * spread / f64::from(n).sqrt(),
            "{mean} {expected}"
        );
    }

    /// The lab polar angle of `phi1` built from three-vectors equals Eq. 15 for the same angles.
    #[test]
    fn three_vectors_reproduce_eq15() {
        let model = table1(4.341);
        let (sqrt_s, m) = (10.58_f64, 8.0_f64);
        let s = sqrt_s * sqrt_s;
        let beta = model.phi1_speed_in_aprime_frame();
        for (theta, theta1, phi1) in [
            (0.3_f64, 1.1_f64, 0.4_f64),
            (2.0, 0.2, 2.5),
            (1.2, 2.9, 4.0),
        ] {
            let (c, st, c1, s1, cp) = (
                theta.cos(),
                theta.sin(),
                theta1.cos(),
                theta1.sin(),
                phi1.cos(),
            );
            let numerator =
                (s - m * m + (s + m * m) * beta * c1) * c - 2.0 * sqrt_s * m * beta * s1 * cp * st;
            let denominator = (4.0 * s * m * m * beta * beta * s1 * s1
                + (s - m * m + (s + m * m) * beta * c1).powi(2))
            .sqrt();
            // The same with vectors (A' azimuth 0): z* = (st, 0, c), x* = (c, 0, -st).
            let e_star = (m * m + model.m1_gev.powi(2) - model.m2_gev.powi(2)) / (2.0 * m);
            let p_star = beta * e_star;
            let (gamma, bg) = (
                (s + m * m) / (2.0 * sqrt_s * m),
                (s - m * m) / (2.0 * sqrt_s * m),
            );
            let parallel = gamma * p_star * c1 + bg * e_star;
            let tx = p_star * s1 * cp;
            let ty = p_star * s1 * phi1.sin();
            let p = [parallel * st + tx * c, ty, parallel * c - tx * st];
            let cos_lab = p[2] / (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
            assert_relative_eq!(cos_lab, numerator / denominator, max_relative = 1e-12);
        }
    }

    /// The event-by-event decay probability in box A at the Table 1 point is 14% below the
    /// factorised `A (exp(-a/d) - exp(-(a+L)/d))` (docs/physics.md §8; the independent Python Monte
    /// Carlo of tools/reference/emu gives 0.862), with the paper's mean boost for `d` and the
    /// lepton widths only, as there.
    #[test]
    fn decay_in_volume_is_below_the_factorised_estimate() {
        let model = table1(4.341);
        let r = crate::models::r_ratio::RRatio::perturbative_only();
        let leptons = model
            .phi1_width_gev(crate::models::inelastic::Channel::Electrons, &r)
            .value
            + model
                .phi1_width_gev(crate::models::inelastic::Channel::Muons, &r)
                .value;
        let per_beta_gamma = crate::units::HBARC_GEV_M / leptons;
        let d = model.mean_beta_gamma_on_shell(10.58) * per_beta_gamma;
        let settings = mc(400_000);
        let (b, a) = box_a(&model, &settings);
        let inside = decay_in_volume(
            &model,
            10.58,
            Production::OnShell,
            std::slice::from_ref(&b),
            &settings,
            per_beta_gamma,
        )[0];
        let factorised = a.acceptance.value * ((-7.0 / d).exp() - (-8.32 / d).exp());
        let ratio = inside.value / factorised;
        assert!((ratio - 0.862).abs() < 0.01, "{ratio} ({inside:?})");
    }

    /// The decay profile, kept for any decay length, gives the event-by-event probability of
    /// [`decay_in_volume`] drawn at one decay length (the same events; the profile's binning is
    /// below 1e-6), in and out of the exponential regime and with the Belle II boost.
    #[test]
    fn decay_profile_reproduces_decay_in_volume() {
        let model = table1(4.341);
        let b = DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3);
        for boost_beta in [0.0, 3.0 / 11.0] {
            let settings = MonteCarlo {
                boost_beta,
                ..mc(100_000)
            };
            let (accepted, profile) = &acceptances_with_profiles(
                &model,
                10.58,
                Production::OnShell,
                std::slice::from_ref(&b),
                &settings,
            )[0];
            // Every line that crosses the face has weight: the profile's total is the
            // acceptance of its own events.
            let alone = acceptances(
                &model,
                10.58,
                Production::OnShell,
                std::slice::from_ref(&b),
                &settings,
            )[0];
            let sigma = accepted.acceptance.error.hypot(alone.acceptance.error);
            assert!((accepted.acceptance.value - alone.acceptance.value).abs() < 4.0 * sigma);
            assert!((profile.weight() / accepted.acceptance.value - 1.0).abs() < 0.05);
            for per_beta_gamma in [0.5, 3.0, 40.0, 1e3, 1e6] {
                let direct = decay_in_volume(
                    &model,
                    10.58,
                    Production::OnShell,
                    std::slice::from_ref(&b),
                    &settings,
                    per_beta_gamma,
                )[0];
                let kept = profile.probability(per_beta_gamma);
                assert!(direct.value > 0.0);
                assert!(
                    (kept / direct.value - 1.0).abs() < 1e-6,
                    "beta {boost_beta}, l {per_beta_gamma}: {kept} against {direct:?}"
                );
            }
        }
    }

    /// The exact azimuthal average gives the same acceptance as counting hits over a random
    /// azimuth, within their errors (second method).
    #[test]
    fn azimuthal_average_agrees_with_hit_counting() {
        let model = table1(4.341);
        let settings = mc(400_000);
        let (b, averaged) = box_a(&model, &settings);
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let n = 4_000_000;
        let hits = (0..n)
            .filter(|_| {
                b.hit(&draw(&model, 10.58, Production::OnShell, &settings, &mut rng).direction)
            })
            .count();
        let counted = hits as f64 / f64::from(n);
        let error = (counted / f64::from(n))
            .sqrt()
            .hypot(averaged.acceptance.error);
        assert!(
            (counted - averaged.acceptance.value).abs() < 4.0 * error,
            "{counted} against {:?}",
            averaged.acceptance
        );
    }
}
