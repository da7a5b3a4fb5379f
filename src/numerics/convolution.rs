//! Discrete linear convolution by the fast Fourier transform (the `rustfft` crate).
//!
//! `(a * b)[n] = sum_k a[k] b[n - k]` for `n = 0 .. len(a) + len(b) - 2`, computed in
//! `O(N log N)` instead of `O(len(a) len(b))`: the broadened annihilation fluxes convolve tables
//! of 1e3-1e5 cells. The transform is done in double precision on a zero-padded length
//! `2^i 3^j`, so the result is exact up to round-off, which is bounded by [`Convolution::round_off`]
//! (absolute, the usual `O(eps log2 N)` bound of an FFT times the size of the sums).

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A convolution with the bound on its round-off error.
#[derive(Debug, Clone, PartialEq)]
pub struct Convolution {
    /// `(a * b)[n]`.
    pub values: Vec<f64>,
    /// Bound on the absolute round-off error of every value.
    pub round_off: f64,
}

/// The forward transform of length `size`, planned once per process: planning a long transform
/// (its twiddle factors) costs as much as running it, and the broadened fluxes repeat their
/// lengths. The inverse transform is taken with the same plan, as the conjugate of the forward
/// transform of the conjugate, so each length is planned once. Each length gets a planner of
/// its own, so that its plan depends on the length only: one planner shared by every length
/// reuses the inner transforms it has built for other lengths, which changes the plan and its
/// round-off with the lengths planned before (a scan split into shards then differed from one
/// run in the last bit). So results depend neither on which thread planned a length nor on
/// what else the process computed.
fn plan(size: usize) -> Arc<dyn Fft<f64>> {
    type Plans = HashMap<usize, Arc<dyn Fft<f64>>>;
    static PLANS: OnceLock<Mutex<Plans>> = OnceLock::new();
    PLANS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(size)
        .or_insert_with(|| FftPlanner::new().plan_fft_forward(size))
        .clone()
}

/// The shortest transform length `2^i 3^j` that holds `n` values: the transforms of such
/// lengths are as fast per value as those of powers of two, and up to a third shorter.
fn transform_length(n: usize) -> usize {
    let mut best = n.next_power_of_two();
    let mut three = 1;
    while three < best {
        let mut length = three;
        while length < n {
            length *= 2;
        }
        best = best.min(length);
        three *= 3;
    }
    best
}

/// The linear convolution of `a` and `b` (both non-empty).
///
/// # Panics
/// If either sequence is empty (a programming error).
#[must_use]
pub fn convolve(a: &[f64], b: &[f64]) -> Convolution {
    convolve_sum(&[(a, b)])
}

/// The sum of the linear convolutions `sum_n a_n * b_n` of the given pairs (every sequence
/// non-empty), with one transform per pair and one inverse transform in all.
///
/// Each pair is transformed as the complex sequence `a + i b`: with `Z` its transform, those of
/// `a` and `b` are `(Z_k + conj Z_(N-k))/2` and `(Z_k - conj Z_(N-k))/(2i)`, so their product is
/// `(Z_k^2 - conj Z_(N-k)^2)/(4i)` (Press et al., Numerical Recipes, 3rd ed., §12.3.1). `a` and
/// `b` are first scaled to equal norms (`a s`, `b/s`), so that neither's round-off is set by
/// the other's size and the bound of [`Convolution::round_off`] holds pair by pair.
///
/// # Panics
/// If no pair is given or a sequence is empty (a programming error).
#[must_use]
pub fn convolve_sum(pairs: &[(&[f64], &[f64])]) -> Convolution {
    assert!(
        !pairs.is_empty() && pairs.iter().all(|(a, b)| !a.is_empty() && !b.is_empty()),
        "convolution of an empty sequence"
    );
    let n = pairs
        .iter()
        .map(|(a, b)| a.len() + b.len() - 1)
        .max()
        .unwrap_or(1);
    let size = transform_length(n);
    let forward = plan(size);
    let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
    // One buffer for the sum of the pairs' transforms, one for each pair's and one scratch for
    // every transform, kept per thread between calls: large buffers allocated afresh cost more
    // in page faults than the transforms themselves.
    thread_local! {
        static BUFFERS: RefCell<[Vec<Complex<f64>>; 3]> = const { RefCell::new([Vec::new(), Vec::new(), Vec::new()]) };
    }
    let mut bound = 0.0;
    let values: Vec<f64> = BUFFERS.with_borrow_mut(|[total, z, scratch]| {
        let zero = Complex::new(0.0, 0.0);
        total.clear();
        total.resize(size, zero);
        z.resize(size, zero);
        scratch.resize(forward.get_inplace_scratch_len(), zero);
        for (a, b) in pairs {
            let (norm_a, norm_b) = (norm(a), norm(b));
            bound += norm_a * norm_b;
            if norm_a == 0.0 || norm_b == 0.0 {
                continue;
            }
            let scale = (norm_b / norm_a).sqrt();
            for (k, zk) in z.iter_mut().take(size).enumerate() {
                let re = a.get(k).map_or(0.0, |v| v * scale);
                let im = b.get(k).map_or(0.0, |v| v / scale);
                *zk = Complex::new(re, im);
            }
            forward.process_with_scratch(&mut z[..size], scratch);
            for (k, t) in total.iter_mut().enumerate() {
                // Index N - k, with N for k = 0 wrapped to 0.
                let mirror = z[if k == 0 { 0 } else { size - k }].conj();
                // (Z_k^2 - conj Z_(N-k)^2) / (4i) = -i (Z_k^2 - mirror^2) / 4, summed as its
                // conjugate i (conj Z_k^2 - conj mirror^2) / 4 for the inverse transform below.
                let d = z[k] * z[k] - mirror * mirror;
                *t += Complex::new(0.25 * d.im, 0.25 * d.re);
            }
        }
        // The inverse transform's real part: that of the forward transform of the conjugate.
        forward.process_with_scratch(total, scratch);
        #[expect(clippy::cast_precision_loss, reason = "a transform length")]
        let scale = 1.0 / size as f64;
        total.iter().take(n).map(|c| c.re * scale).collect()
    });
    #[expect(clippy::cast_precision_loss, reason = "a transform length")]
    let log_size = (size as f64).log2().max(1.0);
    // Each output is a sum bounded by |a|_2 |b|_2 per pair (Cauchy-Schwarz); the transforms
    // add a relative error of a few eps per stage.
    let round_off = 10.0 * f64::EPSILON * log_size * bound;
    Convolution { values, round_off }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The transform length is the least `2^i 3^j` that holds `n` values, against a search
    /// over every length.
    #[test]
    fn transform_lengths_are_the_least_products_of_twos_and_threes() {
        let smooth = |mut m: usize| {
            for p in [2, 3] {
                while m.is_multiple_of(p) {
                    m /= p;
                }
            }
            m == 1
        };
        for n in 1..5000 {
            let expected = (n..=2 * n)
                .find(|&m| smooth(m))
                .expect("a power of two within");
            assert_eq!(transform_length(n), expected, "n = {n}");
        }
    }

    /// Against the direct sum, for lengths that are and are not powers of two, and transform
    /// lengths with and without a factor 3.
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

    /// A sum of convolutions against the direct sums, with pairs of very different sizes
    /// (1e-12 against 1e6) and lengths, so that packing `a + i b` into one transform is seen
    /// to keep each pair's round-off within its own bound.
    #[test]
    fn a_sum_of_convolutions_agrees_with_the_direct_sums() {
        let a1: Vec<f64> = (0..300)
            .map(|i| 1e-12 * (f64::from(i) * 0.3).cos())
            .collect();
        let b1: Vec<f64> = (0..41).map(|i| 1e6 / (1.0 + f64::from(i))).collect();
        let a2: Vec<f64> = (0..77).map(|i| (-0.05 * f64::from(i)).exp()).collect();
        let b2: Vec<f64> = (0..200).map(|i| (f64::from(i) * 1.1).sin()).collect();
        let sum = convolve_sum(&[(&a1, &b1), (&a2, &b2)]);
        assert_eq!(sum.values.len(), 340);
        let direct = |a: &[f64], b: &[f64], n: usize| -> f64 {
            (0..a.len())
                .filter(|&k| n >= k && n - k < b.len())
                .map(|k| a[k] * b[n - k])
                .sum()
        };
        for (n, value) in sum.values.iter().enumerate() {
            let expected = direct(&a1, &b1, n) + direct(&a2, &b2, n);
            assert!(
                (value - expected).abs() <= sum.round_off,
                "at {n}: {value} against {expected} (bound {})",
                sum.round_off
            );
        }
        // The small pair alone is resolved far below the large pair's size.
        let small = convolve(&a1, &b1);
        for (n, value) in small.values.iter().enumerate() {
            let expected = direct(&a1, &b1, n);
            assert!((value - expected).abs() <= 1e-14 * 1e-6 * 41.0, "at {n}");
        }
    }
}
