//! Discrete linear convolution by the fast Fourier transform (the `rustfft` crate).
//!
//! `(a * b)[n] = sum_k a[k] b[n - k]` for `n = 0 .. len(a) + len(b) - 2`, computed in
//! `O(N log N)` instead of `O(len(a) len(b))`: the broadened annihilation fluxes convolve tables
//! of 1e3-1e5 cells. The transform is done in double precision on a zero-padded power-of-two
//! length, so the result is exact up to round-off, which is bounded by [`Convolution::round_off`]
//! (absolute, the usual `O(eps log2 N)` bound of an FFT times the size of the sums).

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::sync::{Arc, Mutex, OnceLock};

/// A convolution with the bound on its round-off error.
#[derive(Debug, Clone, PartialEq)]
pub struct Convolution {
    /// `(a * b)[n]`.
    pub values: Vec<f64>,
    /// Bound on the absolute round-off error of every value.
    pub round_off: f64,
}

/// The forward and inverse transforms of length `size`, planned once per process: planning a
/// long transform (its twiddle factors) costs more than running it, and the broadened fluxes
/// repeat their lengths. The plan depends on the length only, so results do not depend on which
/// thread planned it.
fn plans(size: usize) -> (Arc<dyn Fft<f64>>, Arc<dyn Fft<f64>>) {
    static PLANNER: OnceLock<Mutex<FftPlanner<f64>>> = OnceLock::new();
    let mut planner = PLANNER
        .get_or_init(|| Mutex::new(FftPlanner::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    (
        planner.plan_fft_forward(size),
        planner.plan_fft_inverse(size),
    )
}

/// The linear convolution of `a` and `b` (both non-empty).
///
/// # Panics
/// If either sequence is empty (a programming error).
#[must_use]
pub fn convolve(a: &[f64], b: &[f64]) -> Convolution {
    assert!(
        !a.is_empty() && !b.is_empty(),
        "convolution of an empty sequence"
    );
    let n = a.len() + b.len() - 1;
    let size = n.next_power_of_two();
    let (forward, inverse) = plans(size);
    let padded = |x: &[f64]| {
        let mut v: Vec<Complex<f64>> = x.iter().map(|&r| Complex::new(r, 0.0)).collect();
        v.resize(size, Complex::new(0.0, 0.0));
        v
    };
    let (mut fa, mut fb) = (padded(a), padded(b));
    forward.process(&mut fa);
    forward.process(&mut fb);
    for (x, y) in fa.iter_mut().zip(&fb) {
        *x *= *y;
    }
    inverse.process(&mut fa);
    #[expect(clippy::cast_precision_loss, reason = "a transform length")]
    let scale = 1.0 / size as f64;
    let values = fa.iter().take(n).map(|c| c.re * scale).collect();
    let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
    #[expect(clippy::cast_precision_loss, reason = "a transform length")]
    let log_size = (size as f64).log2().max(1.0);
    // Each output is a sum bounded by |a|_2 |b|_2 (Cauchy-Schwarz); the transforms add a
    // relative error of a few eps per stage.
    let round_off = 10.0 * f64::EPSILON * log_size * norm(a) * norm(b);
    Convolution { values, round_off }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the direct sum, for lengths that are and are not powers of two.
    #[test]
    fn agrees_with_the_direct_sum() {
        for (na, nb) in [(1, 1), (3, 5), (17, 64), (100, 37)] {
            let a: Vec<f64> = (0..na).map(|i| (f64::from(i) * 0.7).sin() + 1.5).collect();
            let b: Vec<f64> = (0..nb).map(|i| 1.0 / (1.0 + f64::from(i))).collect();
            let fast = convolve(&a, &b);
            assert_eq!(fast.values.len(), a.len() + b.len() - 1);
            for (n, value) in fast.values.iter().enumerate() {
                let direct: f64 = (0..a.len())
                    .filter(|&k| n >= k && n - k < b.len())
                    .map(|k| a[k] * b[n - k])
                    .sum();
                assert!(
                    (value - direct).abs() <= fast.round_off,
                    "({na}, {nb}) at {n}: {value} against {direct} (bound {})",
                    fast.round_off
                );
            }
        }
    }
}
