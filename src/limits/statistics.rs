//! Counting statistics: exact Poisson CLs upper limits, expected bands, a log-normal background
//! uncertainty, and the signal needed for a discovery.
//!
//! An experiment counts `n` events with expected background `b` and signal `s`.
//!
//! * Expected CLs upper limit (A. L. Read, "Presentation of search results: the CLs technique",
//!   J. Phys. G 28 (2002) 2693): `CLs(s) = P(n <= n_obs | s + b) / P(n <= n_obs | b) = 1 - CL`,
//!   solved for `s` by bisection, with `n_obs` the median of Poisson(b) (the expected limit) or
//!   its quantiles at -2, -1, +1, +2 sigma (the expected bands). For `b = 0` it is `-ln(1 - CL)`
//!   (2.303 at 90%); for large `b` it approaches `1.645 sqrt(b) = sqrt(2.71 b)` from above.
//! * Background uncertainty (R. D. Cousins and V. L. Highland, NIM A 320 (1992) 331): the
//!   Poisson probabilities are averaged over a log-normal background
//!   `b' = b exp(sigma z - sigma^2/2)`, `z ~ N(0, 1)`, `sigma = sqrt(ln(1 + r^2))`, which has mean
//!   `b` and relative standard deviation `r`: `P(n <= k | s + b) -> E_z[P(n <= k | s + b')]`. The
//!   expected `n_obs` stays the median of Poisson(b) at the nominal `b`.
//! * Discovery: the Asimov median significance `Z = sqrt(2((s + b) ln(1 + s/b) - s))`
//!   (G. Cowan, K. Cranmer, E. Gross, O. Vitells, EPJC 71 (2011) 1554, Eq. 97), with a background
//!   uncertainty `sigma_b = r b` in Cowan's form; or exactly: the smallest `s` whose median count
//!   reaches `n_crit`, the smallest `n` with `P(N >= n | b) <= 1 - Phi(Z)`.
//!
//! Reference values: `tools/reference/statistics/cls_reference.py` (mpmath + scipy brentq).

use crate::numerics::quadrature::{Tolerance, integrate};
use statrs::function::erf::erfc;
use statrs::function::gamma::gamma_ur;

/// Standard normal probability below `x`.
#[must_use]
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// `P(N <= k | mu)` for a Poisson mean `mu`: the regularised upper incomplete gamma `Q(k+1, mu)`.
#[must_use]
pub fn poisson_cdf(k: u64, mu: f64) -> f64 {
    if mu <= 0.0 {
        return 1.0;
    }
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    gamma_ur(k as f64 + 1.0, mu)
}

/// The largest background (events) for which the Poisson probabilities are trusted. `statrs`'
/// regularised incomplete gamma, against scipy's `gammaincc` at the median count `k = b`: 1e-11
/// at `b = 1e4`, 3e-10 at 1e6, 1.3e-7 at 1e8, 1.2e-5 at 1e10 (a shift of 3 counts, 2e-5 of the
/// limit), 9e-4 at 1e12 (1.4e-3 of the limit). Above it the Poisson criteria are refused; there
/// the Gaussian one (`sqrt-nb`) is exact to about `1/sqrt(b)`.
pub const POISSON_MAX_BACKGROUND: f64 = 1e10;

/// The largest background (events) for which the Poisson criteria take a background
/// uncertainty: each probability is then an average over the background, some hundreds of
/// incomplete gamma functions, whose cost in `statrs` grows with the count (a limit takes 0.07 s
/// at 1e6 events, 17 s at 1e7 on this project's 2-core machine). Above it the Gaussian
/// criteria (`sqrt-nb`, the Asimov discovery), which take the uncertainty in closed form, are
/// exact to about `1/sqrt(b)`.
pub const POISSON_MAX_BACKGROUND_WITH_UNCERTAINTY: f64 = 1e6;

/// A counting experiment: expected background and its relative uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counting {
    /// Expected background events `b`.
    pub background: f64,
    /// Relative standard deviation `r` of the background (log-normal); 0 for none.
    pub relative_uncertainty: f64,
}

/// The quantiles of the expected bands, `Phi(-2), Phi(-1), Phi(1), Phi(2)`.
#[must_use]
pub fn band_probabilities() -> [f64; 4] {
    [
        normal_cdf(-2.0),
        normal_cdf(-1.0),
        normal_cdf(1.0),
        normal_cdf(2.0),
    ]
}

impl Counting {
    /// The largest background the Poisson criteria take with this uncertainty:
    /// [`POISSON_MAX_BACKGROUND`], or [`POISSON_MAX_BACKGROUND_WITH_UNCERTAINTY`] when `r > 0`.
    #[must_use]
    pub fn poisson_max_background(&self) -> f64 {
        if self.relative_uncertainty > 0.0 {
            POISSON_MAX_BACKGROUND_WITH_UNCERTAINTY
        } else {
            POISSON_MAX_BACKGROUND
        }
    }

    /// `P(n <= k | s + b)`, averaged over the log-normal background when `r > 0`.
    ///
    /// The average is over the standard normal `z` of the background `b exp(sigma z -
    /// sigma^2/2)`, `sigma^2 = ln(1 + r^2)`. For a large count the Poisson probability falls
    /// from 1 to 0 within a few `sqrt(k)` of the mean `k + 1`, a step of width about
    /// `1/(sigma sqrt(k))` in `z`: the step gets break points of its own
    /// (`Counting::step_breaks`), or the adaptive rule would hunt for it panel by panel
    /// (minutes for a background of 1e9 events).
    #[must_use]
    pub fn cdf(&self, k: u64, signal: f64) -> f64 {
        let b = self.background;
        let r = self.relative_uncertainty;
        if r == 0.0 || b == 0.0 {
            return poisson_cdf(k, signal + b);
        }
        let sigma = (1.0 + r * r).ln().sqrt();
        let density = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        integrate(
            |z| density(z) * poisson_cdf(k, signal + b * (sigma * z - 0.5 * sigma * sigma).exp()),
            &self.step_breaks(k, signal, sigma),
            Tolerance::relative(1e-12),
        )
        .value
    }

    /// Break points in `z` for [`Counting::cdf`]: -12, -4, 0, 4, 12 and, inside, where the
    /// mean `s + b exp(sigma z - sigma^2/2)` is `k + 1` and `k + 1 +- 2, 8` standard deviations
    /// `sqrt(k + 1)` (the Poisson probability's step), sorted.
    fn step_breaks(&self, k: u64, signal: f64, sigma: f64) -> Vec<f64> {
        let mut breaks = vec![-12.0, -4.0, 0.0, 4.0, 12.0];
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
        let centre = k as f64 + 1.0;
        for deviations in [-8.0, -2.0, 0.0, 2.0, 8.0] {
            let mean = centre + deviations * centre.sqrt();
            if mean > signal {
                let z = (((mean - signal) / self.background).ln() + 0.5 * sigma * sigma) / sigma;
                if z > -12.0 && z < 12.0 {
                    breaks.push(z);
                }
            }
        }
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        breaks
    }

    /// Smallest `n` with `P(N <= n | b) >= q`: the `q` quantile of the background-only count at
    /// the nominal background. The outcome that defines an expected limit is drawn from the
    /// best estimate of `b`; the uncertainty enters only the CLs probabilities. (Quantiles of the
    /// smeared distribution would fall with the uncertainty, since a mean-preserving log-normal
    /// has its median below `b`, and the expected limit would not grow monotonically with it.)
    #[must_use]
    pub fn quantile(&self, q: f64) -> u64 {
        smallest_count(|n| poisson_cdf(n, self.background) >= q)
    }

    /// The CLs upper limit on `s` at confidence level `cl` for `n_obs` observed events.
    #[must_use]
    pub fn cls_upper_limit(&self, n_obs: u64, cl: f64) -> f64 {
        let denominator = self.cdf(n_obs, 0.0);
        let excess = |s: f64| self.cdf(n_obs, s) / denominator - (1.0 - cl);
        bisect(excess)
    }

    /// The expected CLs upper limit (median background-only count).
    #[must_use]
    pub fn expected_upper_limit(&self, cl: f64) -> f64 {
        self.cls_upper_limit(self.quantile(0.5), cl)
    }

    /// The limits at the -2, -1, +1, +2 sigma quantiles of the background-only count.
    #[must_use]
    pub fn expected_bands(&self, cl: f64) -> [f64; 4] {
        band_probabilities().map(|q| self.cls_upper_limit(self.quantile(q), cl))
    }

    /// Signal for a median significance `z` from the Asimov formula, with Cowan's form for a
    /// background uncertainty `sigma_b = r b` (EPJC 71 (2011) 1554; arXiv:1007.1727 and Cowan's
    /// "Discovery sensitivity for a counting experiment with background uncertainty", 2012).
    /// Not defined without background (the significance of any signal is infinite): NaN for
    /// `b <= 0`.
    #[must_use]
    pub fn discovery_asimov(&self, z: f64) -> f64 {
        let b = self.background;
        if b.is_nan() || b <= 0.0 {
            return f64::NAN;
        }
        let sb2 = (self.relative_uncertainty * b).powi(2);
        let significance = |s: f64| {
            if sb2 == 0.0 {
                (2.0 * ((s + b) * (s / b).ln_1p() - s)).max(0.0).sqrt()
            } else {
                let n = s + b;
                let first = n * ((n * (b + sb2)) / (b * b + n * sb2)).ln();
                let second = b * b / sb2 * (sb2 * s / (b * (b + sb2))).ln_1p();
                (2.0 * (first - second)).max(0.0).sqrt()
            }
        };
        bisect(|s| z - significance(s))
    }

    /// Signal for a median significance `z` with exact Poisson probabilities: the median of
    /// Poisson(s + b) reaches `n_crit`, the smallest count whose background-only p-value
    /// `P(N >= n | b)` is at most `1 - Phi(z)` (with the background uncertainty when `r > 0`).
    #[must_use]
    pub fn discovery_exact(&self, z: f64) -> f64 {
        let p_value = normal_cdf(-z);
        let n_crit = if self.background > 0.0 {
            smallest_count(|n| 1.0 - self.cdf(n, 0.0) <= p_value) + 1
        } else {
            1
        };
        // The median of Poisson(mu) reaches n_crit when P(N <= n_crit - 1 | mu) drops to 1/2.
        bisect(|s| self.cdf(n_crit - 1, s) - 0.5)
    }
}

/// The smallest count `n` for which `holds(n)`, a condition that once true stays true for every
/// larger count (a cumulative probability reaching a level): doubling, then bisection, so that a
/// background of 1e12 events takes some 80 evaluations instead of 1e12.
fn smallest_count(holds: impl Fn(u64) -> bool) -> u64 {
    if holds(0) {
        return 0;
    }
    // holds(lo) is false and holds(hi) true.
    let (mut lo, mut hi) = (0_u64, 1_u64);
    while !holds(hi) {
        lo = hi;
        hi = hi.saturating_mul(2);
        if lo == u64::MAX {
            return u64::MAX;
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Root of a decreasing function of `s >= 0` that is positive at 0. Brackets by doubling, then
/// bisects to relative 1e-12.
fn bisect<F: Fn(f64) -> f64>(f: F) -> f64 {
    let g = |s: f64| f(s);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while g(hi) > 0.0 {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn counting(background: f64) -> Counting {
        Counting {
            background,
            relative_uncertainty: 0.0,
        }
    }

    /// Closed forms: b = 0 gives -ln(1 - CL); large b approaches 1.645 sqrt(b) from above.
    #[test]
    fn limits_of_the_cls_limit() {
        assert_relative_eq!(
            counting(0.0).expected_upper_limit(0.9),
            -(0.1f64).ln(),
            max_relative = 1e-10,
            epsilon = 0.0
        );
        assert_relative_eq!(
            counting(0.0).expected_upper_limit(0.95),
            -(0.05f64).ln(),
            max_relative = 1e-10,
            epsilon = 0.0
        );
        let mut previous_ratio = f64::INFINITY;
        for b in [100.0, 1e3, 1e4, 1e5] {
            let ratio = counting(b).expected_upper_limit(0.9) / (2.71_f64 * b).sqrt();
            assert!(
                ratio > 1.0 && ratio < previous_ratio,
                "b = {b}: ratio {ratio}"
            );
            previous_ratio = ratio;
        }
        assert!(previous_ratio < 1.01);
    }

    /// Without background the Asimov significance of any signal is infinite: no signal is
    /// returned (NaN), rather than the bisection's last step towards zero.
    #[test]
    fn asimov_without_background_has_no_value() {
        assert!(counting(0.0).discovery_asimov(5.0).is_nan());
        assert!(counting(1e-9).discovery_asimov(5.0) > 0.0);
    }

    /// The Asimov significance reduces to s/sqrt(b) for s << b.
    #[test]
    fn asimov_small_signal_limit() {
        let b = 1e6;
        assert_relative_eq!(
            counting(b).discovery_asimov(5.0),
            5.0 * b.sqrt(),
            max_relative = 2e-3,
            epsilon = 0.0
        );
    }

    /// The counts searched by doubling and bisection are the first counts where the condition
    /// holds, as a count-by-count search finds them, and the largest background allowed, 1e10
    /// events (1e10 evaluations count by count: hours), takes moments: its median lies in
    /// `[b - ln 2, b + 1/3]` (Choi, Proc. AMS 121 (1994) 245), the CLs limit and the exact
    /// discovery signal approach `1.645 sqrt(b)` and `z sqrt(b)`.
    #[test]
    fn counts_are_found_by_bisection() {
        let count_by_count = |holds: &dyn Fn(u64) -> bool| {
            (0..100_000).find(|&n| holds(n)).expect("a count below 1e5")
        };
        for b in [0.0, 0.05, 1.0, 3.0, 94.0, 1000.0] {
            for q in [0.5, 0.02275, 0.1587, 0.8413, 0.97725] {
                let holds = |n: u64| poisson_cdf(n, b) >= q;
                assert_eq!(
                    counting(b).quantile(q),
                    count_by_count(&holds),
                    "b {b} q {q}"
                );
            }
            let p = normal_cdf(-5.0);
            let n_crit = 1 + count_by_count(&|n| 1.0 - poisson_cdf(n, b) <= p);
            let signal = counting(b).discovery_exact(5.0);
            assert!(b == 0.0 || poisson_cdf(n_crit - 1, signal + b) <= 0.5 + 1e-9);
        }
        let b = POISSON_MAX_BACKGROUND;
        #[expect(clippy::cast_precision_loss, reason = "a count near 1e10")]
        let median = counting(b).quantile(0.5) as f64;
        // Within the incomplete gamma's error (3 counts at 1e10, POISSON_MAX_BACKGROUND).
        assert!(
            median >= b - 2f64.ln() - 3.0 && median <= b + 1.0 / 3.0 + 3.0,
            "{median}"
        );
        assert_relative_eq!(
            counting(b).expected_upper_limit(0.9),
            1.6449 * b.sqrt(),
            max_relative = 1e-3,
            epsilon = 0.0
        );
        assert_relative_eq!(
            counting(b).discovery_exact(5.0),
            5.0 * b.sqrt(),
            max_relative = 1e-3,
            epsilon = 0.0
        );
    }

    /// Cowan's formula with a vanishing uncertainty equals the plain Asimov formula.
    #[test]
    fn asimov_uncertainty_limit() {
        let plain = counting(94.0).discovery_asimov(5.0);
        let tiny = Counting {
            background: 94.0,
            relative_uncertainty: 1e-6,
        }
        .discovery_asimov(5.0);
        assert_relative_eq!(plain, tiny, max_relative = 1e-6, epsilon = 0.0);
    }
}
