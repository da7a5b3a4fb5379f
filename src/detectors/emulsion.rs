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
    fn frame(&self) -> [Direction; 3] {
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
        let [c, e_theta, e_phi] = self.frame();
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

    /// Whether the straight line along `n` crosses the front face.
    #[must_use]
    pub fn hit(&self, n: &Direction) -> bool {
        self.path_through(n).is_some()
    }

    /// The fraction of azimuths (rotations about the beam axis) that put a direction of polar
    /// angle `theta` onto the front face: the exact average of [`Self::hit`] over a uniform
    /// azimuth. With `x = cos(phi - phi_box)` the face's two conditions are linear and quadratic
    /// in `x`, solved here in closed form.
    #[must_use]
    pub fn azimuthal_fraction(&self, theta: f64) -> f64 {
        let theta_c = self.centre_polar_rad();
        let (s1, c1, sc, cc) = (theta.sin(), theta.cos(), theta_c.sin(), theta_c.cos());
        // n.c = C x + D; n.e_theta = A x - B; n.e_phi = s1 sin(phi).
        let (a, b, c, d) = (s1 * cc, c1 * sc, s1 * sc, c1 * cc);
        let k = 0.5 * self.face_polar_m / self.distance_m;
        let k2 = 0.5 * self.face_azimuthal_m / self.distance_m;
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
        let allowed: Vec<(f64, f64)> = if qa <= 0.0 {
            // theta = 0 and a face straight ahead: every azimuth is the same point.
            if qc >= 0.0 { vec![(lo, hi)] } else { vec![] }
        } else {
            let disc = qb * qb - 4.0 * qa * qc;
            if disc <= 0.0 {
                vec![(lo, hi)]
            } else {
                let root = disc.sqrt();
                let (r1, r2) = ((-qb - root) / (2.0 * qa), (-qb + root) / (2.0 * qa));
                vec![(lo, hi.min(r1)), (lo.max(r2), hi)]
            }
        };
        let span: f64 = allowed
            .into_iter()
            .filter(|(x0, x1)| x1 > x0)
            .map(|(x0, x1)| x0.clamp(-1.0, 1.0).acos() - x1.clamp(-1.0, 1.0).acos())
            .sum();
        span / PI
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
}
