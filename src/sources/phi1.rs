//! Long-lived `phi1` from `e+ e-` collisions at `sqrt s` [EMU Eq. 4, 5, 13-16]: a Monte Carlo of
//! its direction and boost, and the acceptance of detector boxes for it.
//!
//! On shell (`e+ e- -> gamma A'`, `A' -> phi1 phi2`): the `A'` polar angle from Eq. 4 (with the
//! `4 m_e^2` regulator, sampled exactly from its `1/(r^2 - cos^2)` envelope and accepted with the
//! bounded remainder) and the `phi1` direction in the `A'` rest frame from the spin-correlated
//! Eq. 13 (accept-reject under a bound of its bracket), boosted to the centre-of-mass frame as
//! three-vectors (Eq. 14-16 are tested against them). Off shell (`e+ e- -> A'* -> phi1 phi2`):
//! `sin^2 theta_1` [Eq. 5] and two-body kinematics. Optionally the events are boosted along the
//! beam to the lab of an asymmetric collider.
//!
//! The angles of an event ([`EventAngles`]) do not depend on `m1`, `m2` (Eq. 4, 5 and 13 hold
//! only `s` and `m_A'`), so a scan over the `phi1` masses or the box placement draws them once
//! ([`EventSample`]) and reuses the same events in every column: only the kinematics are redone.
//! The event's azimuth about the beam is never drawn: the distribution is symmetric about the
//! beam axis and every use averages over it.
//!
//! Acceptance (docs/physics.md §8): the fraction of all produced `phi1` whose line from the IP crosses a
//! box's front face. Each event contributes its exact azimuthal average,
//! [`DetectorBox::azimuthal_fraction`] of its polar angle: the same expectation as a hit count
//! over a random azimuth, with far less variance (tested against it).
//! Events come in chunks with their own ChaCha8 streams of the seed, summed in chunk order:
//! the numbers do not depend on the thread count.

use crate::detectors::emulsion::{
    AzimuthalView, DecayProfile, DecayProfileBuilder, DetectorBox, Direction,
};
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

/// The random part of one event that the masses `m1`, `m2` do not enter. On shell: the `A'`
/// polar angle [Eq. 4] and the `phi1` angles in the `A'` frame [Eq. 13], whose distributions
/// hold only `sqrt s` and `m_A'`; off shell: the `phi1` polar angle [Eq. 5]. And the azimuth
/// offset of the event's stratified lines through a box ([`decay_in_volume`]). The event's
/// azimuth about the beam is not drawn: the distribution is symmetric about the beam, and every
/// use averages over the azimuth (exactly, or with the stratified lines).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventAngles {
    /// `cos` of the `A'` polar angle (on shell) or of the `phi1` polar angle (off shell), in the
    /// centre-of-mass frame.
    cos_theta: f64,
    /// Its `sin`.
    sin_theta: f64,
    /// `cos theta_1^*` in the `A'` frame (on shell).
    cos_star: f64,
    /// `sin theta_1^* cos phi_1^*` (on shell).
    sin_star_cos_phi: f64,
    /// `sin theta_1^* sin phi_1^*` (on shell).
    sin_star_sin_phi: f64,
    /// Uniform in `[0, 1)`: the offset of the event's stratified azimuths, in sectors.
    azimuth_offset: f64,
}

/// Draws [`EventAngles`]: what the distributions of Eq. 4, 5 and 13 need, computed once.
#[derive(Debug, Clone, Copy)]
struct AngleSampler {
    production: Production,
    spin: bool,
    s: f64,
    m: f64,
    /// `(s + m^2)^2` and `(s - m^2)^2`.
    plus2: f64,
    minus2: f64,
    /// `r = sqrt(1 + 4 m_e^2/s)` of Eq. 4's regulator and `atanh(1/r)`.
    r: f64,
    span: f64,
}

impl AngleSampler {
    fn new(sqrt_s: f64, m_aprime_gev: f64, production: Production, spin: bool) -> Self {
        let s = sqrt_s * sqrt_s;
        let m = m_aprime_gev;
        let r = (1.0 + 4.0 * ELECTRON_MASS_GEV.powi(2) / s).sqrt();
        Self {
            production,
            spin,
            s,
            m,
            plus2: (s + m * m).powi(2),
            minus2: (s - m * m).powi(2),
            r,
            span: (1.0 / r).atanh(),
        }
    }

    fn draw(&self, rng: &mut impl Rng) -> EventAngles {
        let mut angles = match self.production {
            Production::OnShell => self.draw_on_shell(rng),
            Production::OffShell => draw_off_shell(rng),
        };
        angles.azimuth_offset = rng.random();
        angles
    }

    /// The `A'` polar angle [Eq. 4] and the `phi1` angles in the `A'` frame [Eq. 13].
    fn draw_on_shell(&self, rng: &mut impl Rng) -> EventAngles {
        let (s, m) = (self.s, self.m);
        let (plus2, minus2, r) = (self.plus2, self.minus2, self.r);
        // A' polar angle: envelope 1/(r^2 - c^2), r^2 = 1 + 4 m_e^2/s, exactly invertible;
        // accept with (A + B c^2)/(A + B) <= 1.
        let (c, sin) = loop {
            let u: f64 = 2.0 * rng.random::<f64>() - 1.0;
            let t = (u * self.span).tanh();
            let c = r * t;
            if rng.random::<f64>() * (plus2 + minus2) <= plus2 + minus2 * c * c {
                // sin^2 = 1 - r^2 t^2, computed without cancellation where t -> 1/r.
                let sin2 = (1.0 - r * t) * (1.0 + r * t);
                break (c.clamp(-1.0, 1.0), sin2.max(0.0).sqrt());
            }
        };
        // phi1 in the A' frame: Eq. 13 (accept-reject under a bound of its bracket).
        let bound = plus2 + minus2 * c * c + 2.0 * m * s.sqrt() * (s + m * m) * (sin * c).abs();
        loop {
            let c1: f64 = 2.0 * rng.random::<f64>() - 1.0;
            let (sp, cp) = (2.0 * PI * rng.random::<f64>()).sin_cos();
            let s1 = (1.0 - c1 * c1).max(0.0).sqrt();
            if !self.spin
                || rng.random::<f64>() * bound <= eq13_bracket(s, m, (c, sin), (c1, s1, cp))
            {
                return EventAngles {
                    cos_theta: c,
                    sin_theta: sin,
                    cos_star: c1,
                    sin_star_cos_phi: s1 * cp,
                    sin_star_sin_phi: s1 * sp,
                    azimuth_offset: 0.0,
                };
            }
        }
    }
}

/// The `phi1` polar angle off shell, `sin^2 theta_1` [Eq. 5].
fn draw_off_shell(rng: &mut impl Rng) -> EventAngles {
    let c = loop {
        let c: f64 = 2.0 * rng.random::<f64>() - 1.0;
        if rng.random::<f64>() <= 1.0 - c * c {
            break c;
        }
    };
    EventAngles {
        cos_theta: c,
        sin_theta: (1.0 - c * c).max(0.0).sqrt(),
        cos_star: 0.0,
        sin_star_cos_phi: 0.0,
        sin_star_sin_phi: 0.0,
        azimuth_offset: 0.0,
    }
}

/// A `phi1` in the lab, seen from the beam axis: its polar angle and `beta gamma = p/m1` (its
/// azimuth is averaged over by every use).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabPhi1 {
    /// `cos` of the polar angle from +z.
    pub cos_theta: f64,
    /// `sin` of the polar angle.
    pub sin_theta: f64,
    /// `|p| / m1`.
    pub beta_gamma: f64,
}

/// What turns [`EventAngles`] into a [`LabPhi1`] at given masses [EMU Eq. 14-16, as three-vectors]:
/// on shell the `phi1` energy and momentum in the `A'` frame and the `A'` boost, off shell its
/// momentum; then the boost of the centre-of-mass frame along the beam.
#[derive(Debug, Clone, Copy)]
struct Kinematics {
    production: Production,
    m1: f64,
    /// On shell: `E^*`, `p^*` of `phi1` in the `A'` frame; `gamma`, `beta gamma` of the `A'`.
    e_star: f64,
    p_star: f64,
    gamma: f64,
    beta_gamma: f64,
    /// Off shell: the `phi1` momentum, GeV.
    momentum: f64,
    /// Velocity of the centre-of-mass frame along +z in the lab.
    boost_beta: f64,
}

impl Kinematics {
    fn new(model: &InelasticScalar, sqrt_s: f64, production: Production, boost_beta: f64) -> Self {
        let s = sqrt_s * sqrt_s;
        let (m, m1, m2) = (model.m_aprime_gev, model.m1_gev, model.m2_gev);
        let e_star = (m * m + m1 * m1 - m2 * m2) / (2.0 * m);
        Self {
            production,
            m1,
            e_star,
            p_star: (e_star * e_star - m1 * m1).max(0.0).sqrt(),
            gamma: (s + m * m) / (2.0 * sqrt_s * m),
            beta_gamma: (s - m * m) / (2.0 * sqrt_s * m),
            momentum: two_body_momentum_gev(sqrt_s, m1, m2),
            boost_beta,
        }
    }

    /// The `phi1` of `angles`, with the `A'` (on shell) or the `phi1` (off shell) at azimuth 0:
    /// `(p_T, p_z)` in the centre-of-mass frame, then boosted along +z.
    fn lab(&self, a: &EventAngles) -> LabPhi1 {
        // Squares summed and rooted, not `hypot`: the momenta are GeV-sized (no overflow), and
        // `hypot` was two thirds of a mass scan's time.
        let (transverse, along) = match self.production {
            Production::OnShell => {
                // Frame: z* along the A' = (sin, 0, cos), x* = theta-hat = (cos, 0, -sin),
                // y* = phi-hat = (0, 1, 0).
                let parallel =
                    self.gamma * self.p_star * a.cos_star + self.beta_gamma * self.e_star;
                let (tx, ty) = (
                    self.p_star * a.sin_star_cos_phi,
                    self.p_star * a.sin_star_sin_phi,
                );
                let in_plane = parallel * a.sin_theta + tx * a.cos_theta;
                (
                    (in_plane * in_plane + ty * ty).sqrt(),
                    parallel * a.cos_theta - tx * a.sin_theta,
                )
            }
            Production::OffShell => (self.momentum * a.sin_theta, self.momentum * a.cos_theta),
        };
        let p2 = transverse * transverse + along * along;
        let (along, p2) = if self.boost_beta == 0.0 {
            (along, p2)
        } else {
            let energy = (p2 + self.m1 * self.m1).sqrt();
            let gamma = 1.0 / (1.0 - self.boost_beta * self.boost_beta).sqrt();
            let boosted = gamma * (along + self.boost_beta * energy);
            (boosted, transverse * transverse + boosted * boosted)
        };
        let norm = p2.sqrt();
        let inverse = 1.0 / norm;
        LabPhi1 {
            cos_theta: along * inverse,
            sin_theta: transverse * inverse,
            beta_gamma: norm / self.m1,
        }
    }
}

/// Draws one `phi1` (in the lab when `mc.boost_beta` is set) with a uniform azimuth.
pub fn draw(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    mc: &MonteCarlo,
    rng: &mut impl Rng,
) -> Phi1 {
    let angles =
        AngleSampler::new(sqrt_s, model.m_aprime_gev, production, mc.spin_correlation).draw(rng);
    let lab = Kinematics::new(model, sqrt_s, production, mc.boost_beta).lab(&angles);
    let (sin_phi, cos_phi) = (2.0 * PI * rng.random::<f64>()).sin_cos();
    Phi1 {
        direction: [
            lab.sin_theta * cos_phi,
            lab.sin_theta * sin_phi,
            lab.cos_theta,
        ],
        beta_gamma: lab.beta_gamma,
    }
}

/// A Monte Carlo fraction and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fraction {
    /// The fraction.
    pub value: f64,
    /// Its statistical error (one standard deviation).
    pub error: f64,
}

impl Fraction {
    /// The error relative to the fraction; `None` for a fraction no event reached (zero), whose
    /// relative error is undefined.
    #[must_use]
    pub fn relative_error(self) -> Option<f64> {
        (self.value > 0.0).then(|| self.error / self.value)
    }
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

/// The most events an [`EventSample`] keeps (48 bytes each: 400 MB); a Monte Carlo with more
/// draws its angles again for every set of masses, with the same numbers.
pub const STORED_EVENTS_MAX: u64 = 1 << 23;

/// What fixes the [`EventAngles`] of a Monte Carlo: `sqrt s`, `m_A'` (on shell), the
/// production, the spin correlation, the seed and the number of events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventKey {
    sqrt_s: f64,
    m_aprime_gev: f64,
    production: Production,
    spin: bool,
    seed: u64,
    events: u64,
}

impl EventKey {
    /// The key of the Monte Carlo `mc` of `model`.
    #[must_use]
    pub fn new(
        model: &InelasticScalar,
        sqrt_s: f64,
        production: Production,
        mc: &MonteCarlo,
    ) -> Self {
        Self {
            sqrt_s,
            m_aprime_gev: match production {
                Production::OnShell => model.m_aprime_gev,
                Production::OffShell => 0.0,
            },
            production,
            spin: mc.spin_correlation && production == Production::OnShell,
            seed: mc.seed,
            events: mc.events,
        }
    }

    fn sampler(&self) -> AngleSampler {
        AngleSampler::new(self.sqrt_s, self.m_aprime_gev, self.production, self.spin)
    }

    fn chunks(&self) -> u64 {
        self.events.div_ceil(CHUNK)
    }

    /// The random stream of chunk `chunk` and its number of events.
    fn chunk_stream(&self, chunk: u64) -> (ChaCha8Rng, u64) {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(chunk);
        (rng, CHUNK.min(self.events - chunk * CHUNK))
    }
}

/// The [`EventAngles`] of every event of a Monte Carlo, kept so that Monte Carlos at other
/// masses `m1`, `m2` (or with other boxes) reuse them: the same events, so the same numbers as
/// drawing them again, at the cost of the kinematics alone.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSample {
    key: EventKey,
    chunks: Vec<Vec<EventAngles>>,
}

impl EventSample {
    /// Draws the angles of `key`'s events, in parallel chunks; `None` above
    /// [`STORED_EVENTS_MAX`] events.
    #[must_use]
    pub fn draw(key: EventKey) -> Option<Self> {
        if key.events > STORED_EVENTS_MAX {
            return None;
        }
        let sampler = key.sampler();
        let chunks = (0..key.chunks())
            .into_par_iter()
            .map(|chunk| {
                let (mut rng, n) = key.chunk_stream(chunk);
                (0..n).map(|_| sampler.draw(&mut rng)).collect()
            })
            .collect();
        Some(Self { key, chunks })
    }

    /// What the sample was drawn for.
    #[must_use]
    pub fn key(&self) -> EventKey {
        self.key
    }
}

/// Runs `visit` over `mc.events` events in chunks, each chunk with its own stream of the seed
/// and its own accumulator from `start`; returns the accumulators in chunk order (so anything
/// folded from them in that order does not depend on the thread count). The events' angles come
/// from `stored` when it was drawn for this Monte Carlo, else are drawn here (the same angles).
fn over_events<T: Send>(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    mc: &MonteCarlo,
    stored: Option<&EventSample>,
    start: impl Fn() -> T + Sync,
    visit: impl Fn(&mut T, &LabPhi1, &EventAngles) + Sync,
) -> Vec<T> {
    let key = EventKey::new(model, sqrt_s, production, mc);
    let stored = stored.filter(|s| s.key == key);
    let kinematics = Kinematics::new(model, sqrt_s, production, mc.boost_beta);
    let sampler = key.sampler();
    (0..key.chunks())
        .into_par_iter()
        .map(|chunk| {
            let mut accumulator = start();
            let mut one = |angles: &EventAngles| {
                visit(&mut accumulator, &kinematics.lab(angles), angles);
            };
            if let Some(sample) = stored {
                sample.chunks[usize::try_from(chunk).expect("chunks fit memory")]
                    .iter()
                    .for_each(&mut one);
            } else {
                let (mut rng, n) = key.chunk_stream(chunk);
                for _ in 0..n {
                    one(&sampler.draw(&mut rng));
                }
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
    stored: Option<&EventSample>,
    score: impl Fn(&LabPhi1, &EventAngles, usize) -> f64 + Sync,
) -> Vec<[f64; 3]> {
    let per_chunk = over_events(
        model,
        sqrt_s,
        production,
        mc,
        stored,
        || vec![[0.0; 3]; boxes.len()],
        |sums: &mut Vec<[f64; 3]>, phi1: &LabPhi1, angles: &EventAngles| {
            for (k, sum) in sums.iter_mut().enumerate() {
                let x = score(phi1, angles, k);
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

/// The acceptance of every box, from `mc.events` events (their angles from `stored` when it
/// holds them).
#[must_use]
pub fn acceptances(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    boxes: &[DetectorBox],
    mc: &MonteCarlo,
    stored: Option<&EventSample>,
) -> Vec<BoxAcceptance> {
    let views: Vec<AzimuthalView> = boxes.iter().map(DetectorBox::azimuthal_view).collect();
    let score = |phi1: &LabPhi1, _: &EventAngles, k: usize| {
        views[k].fraction(phi1.cos_theta, phi1.sin_theta)
    };
    sum_over_events(model, sqrt_s, production, boxes, mc, stored, score)
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

    /// Where the lines of one event at the `AZIMUTHS` stratified azimuths
    /// `2 pi (k + offset) / AZIMUTHS` about the beam enter and leave the box: `(t_in, t_out)`
    /// in m for each azimuth whose line crosses the front face.
    fn paths(&self, phi1: &LabPhi1, offset: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
        let (c, s) = (phi1.cos_theta, phi1.sin_theta);
        let seen = c >= self.cosines.0 && c <= self.cosines.1;
        let (s0, c0) = (2.0 * PI * offset / f64::from(AZIMUTHS)).sin_cos();
        self.rotations
            .iter()
            .take(if seen { self.rotations.len() } else { 0 })
            .filter_map(move |&(sk, ck)| {
                // The k-th base angle plus the offset's.
                let (sin_phi, cos_phi) = (sk * c0 + ck * s0, ck * c0 - sk * s0);
                let n = [s * cos_phi, s * sin_phi, c];
                self.b.path_through_frame(&self.frame, &n)
            })
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
    let score = |phi1: &LabPhi1, angles: &EventAngles, k: usize| {
        let length = phi1.beta_gamma * decay_length_per_beta_gamma_m;
        let total: f64 = targets[k]
            .paths(phi1, angles.azimuth_offset)
            .map(|(t_in, t_out)| (-t_in / length).exp() * -(-(t_out - t_in) / length).exp_m1())
            .sum();
        total / f64::from(AZIMUTHS)
    };
    sum_over_events(model, sqrt_s, production, boxes, mc, None, score)
        .into_iter()
        .map(|[p, p2, _]| fraction(p, p2, mc.events))
        .collect()
}

/// Per box, the acceptance sums and the lines of a decay profile.
type Sums = (Vec<[f64; 3]>, Vec<DecayProfileBuilder>);

/// The acceptance and the decay profile of each box from one pass over `mc.events` events
/// (their angles from `stored` when it holds them): the acceptance as [`acceptances`] (the same
/// events, so the same numbers), the profile from the lines of [`decay_in_volume`] (the same
/// events, azimuths and weights), kept as reduced distances `t / (beta gamma)` so that the
/// probability to decay inside follows for any decay length ([`DecayProfile::probability`]).
#[must_use]
pub fn acceptances_with_profiles(
    model: &InelasticScalar,
    sqrt_s: f64,
    production: Production,
    boxes: &[DetectorBox],
    mc: &MonteCarlo,
    stored: Option<&EventSample>,
) -> Vec<(BoxAcceptance, DecayProfile)> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "event counts are far below 2^52"
    )]
    let weight = 1.0 / (mc.events as f64 * f64::from(AZIMUTHS));
    let targets: Vec<Target> = boxes.iter().map(Target::new).collect();
    let views: Vec<AzimuthalView> = boxes.iter().map(DetectorBox::azimuthal_view).collect();
    let per_chunk = over_events(
        model,
        sqrt_s,
        production,
        mc,
        stored,
        || -> Sums {
            (
                vec![[0.0; 3]; boxes.len()],
                vec![DecayProfileBuilder::default(); boxes.len()],
            )
        },
        |(sums, builders): &mut Sums, phi1: &LabPhi1, angles: &EventAngles| {
            for (((sum, builder), target), view) in sums
                .iter_mut()
                .zip(builders.iter_mut())
                .zip(&targets)
                .zip(&views)
            {
                let x = view.fraction(phi1.cos_theta, phi1.sin_theta);
                sum[0] += x;
                sum[1] += x * x;
                sum[2] += x * phi1.beta_gamma;
                for (t_in, t_out) in target.paths(phi1, angles.azimuth_offset) {
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

    /// The relative error of a fraction, and none for a fraction no event reached.
    #[test]
    fn relative_error_of_a_fraction() {
        let f = Fraction {
            value: 0.25,
            error: 0.01,
        };
        assert_eq!(f.relative_error(), Some(0.04));
        let empty = Fraction {
            value: 0.0,
            error: 0.0,
        };
        assert_eq!(empty.relative_error(), None);
    }

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
            None,
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
            assert_relative_eq!(
                mean,
                2.0 / 3.0 * numerator,
                max_relative = 1e-4,
                epsilon = 0.0
            );
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
            let phi1 = draw(&model, sqrt_s, Production::OnShell, &mc(1), &mut rng);
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
            // The same from the event's angles, through the three-vectors of the Monte Carlo.
            let angles = EventAngles {
                cos_theta: c,
                sin_theta: st,
                cos_star: c1,
                sin_star_cos_phi: s1 * cp,
                sin_star_sin_phi: s1 * phi1.sin(),
                azimuth_offset: 0.0,
            };
            let lab = Kinematics::new(&model, sqrt_s, Production::OnShell, 0.0).lab(&angles);
            assert_relative_eq!(
                lab.cos_theta,
                numerator / denominator,
                max_relative = 1e-12,
                epsilon = 0.0
            );
            assert_relative_eq!(
                lab.cos_theta.hypot(lab.sin_theta),
                1.0,
                max_relative = 1e-14,
                epsilon = 0.0
            );
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
                None,
            )[0];
            // The profile's total weight hit-counts the same events' lines through the front
            // face at the stratified azimuths; the acceptance averages over the azimuth
            // exactly. Equal in expectation, not event by event: 0.9987 of it at rest and
            // 1.0225 with the boost, where about 60 of the 1e5 events are accepted.
            let alone = acceptances(
                &model,
                10.58,
                Production::OnShell,
                std::slice::from_ref(&b),
                &settings,
                None,
            )[0];
            // The same events and the same estimator.
            assert_eq!(accepted, &alone);
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

    /// The boost to the lab in [`Kinematics::lab`] against the Lorentz transformation of the
    /// four-momentum written out: `E' = gamma (E + beta p_z)`, `p_z' = gamma (p_z + beta E)`;
    /// the invariant mass is kept.
    #[test]
    fn lab_boost_is_a_lorentz_transformation() {
        let model = table1(4.341);
        let beta: f64 = 3.0 / 11.0;
        let gamma = 1.0 / (1.0 - beta * beta).sqrt();
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let sampler = AngleSampler::new(10.58, 8.0, Production::OnShell, true);
        for production in [Production::OnShell, Production::OffShell] {
            let at_rest = Kinematics::new(&model, 10.58, production, 0.0);
            let boosted = Kinematics::new(&model, 10.58, production, beta);
            for _ in 0..100 {
                let angles = sampler.draw(&mut rng);
                let (cm, lab) = (at_rest.lab(&angles), boosted.lab(&angles));
                let m1 = model.m1_gev;
                let p = cm.beta_gamma * m1;
                let (pt, pz, e) = (p * cm.sin_theta, p * cm.cos_theta, p.hypot(m1));
                let (pz_lab, e_lab) = (gamma * (pz + beta * e), gamma * (e + beta * pz));
                let p_lab = lab.beta_gamma * m1;
                assert_relative_eq!(p_lab * lab.cos_theta, pz_lab, epsilon = 1e-12);
                assert_relative_eq!(p_lab * lab.sin_theta, pt, epsilon = 1e-12);
                assert_relative_eq!(p_lab.hypot(m1), e_lab, max_relative = 1e-12, epsilon = 0.0);
            }
        }
    }

    /// A stored [`EventSample`] gives exactly the numbers of drawing the events again, at
    /// other masses `m1` too, and is ignored by a Monte Carlo it was not drawn for (another
    /// seed, another `m_A'`).
    #[test]
    fn stored_events_give_the_same_numbers() {
        let b = vec![
            DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3),
            DetectorBox::forward("B", 7.0, 1.4, 0.2, 0.4),
        ];
        let settings = MonteCarlo {
            boost_beta: 3.0 / 11.0,
            ..mc(150_000)
        };
        let stored = EventSample::draw(EventKey::new(
            &table1(4.341),
            10.58,
            Production::OnShell,
            &settings,
        ))
        .expect("small enough to keep");
        let accept = |model: &InelasticScalar, settings: &MonteCarlo, stored| {
            acceptances(model, 10.58, Production::OnShell, &b, settings, stored)
        };
        for model in [table1(4.341), table1(3.9)] {
            let drawn =
                acceptances_with_profiles(&model, 10.58, Production::OnShell, &b, &settings, None);
            let reused = acceptances_with_profiles(
                &model,
                10.58,
                Production::OnShell,
                &b,
                &settings,
                Some(&stored),
            );
            assert_eq!(drawn, reused);
            assert_eq!(
                accept(&model, &settings, None),
                accept(&model, &settings, Some(&stored))
            );
        }
        // Another seed or another m_A': the stored events do not serve, the numbers are the
        // Monte Carlo's own.
        let other_seed = MonteCarlo {
            seed: 2,
            ..settings
        };
        let heavier = InelasticScalar::new(9.0, 4.341, 3.65, 1e-3, 0.1);
        for (model, settings) in [(table1(4.341), other_seed), (heavier, settings)] {
            assert_eq!(
                accept(&model, &settings, None),
                accept(&model, &settings, Some(&stored))
            );
        }
        let big = MonteCarlo {
            events: STORED_EVENTS_MAX + 1,
            ..settings
        };
        assert!(
            EventSample::draw(EventKey::new(
                &table1(4.341),
                10.58,
                Production::OnShell,
                &big
            ))
            .is_none()
        );
    }
}
