//! A positive function of a positive variable that is smooth in the logarithms of both (a power
//! law times slowly varying factors, such as a bremsstrahlung yield against the mediator mass),
//! interpolated on panels built when first needed.
//!
//! `ln f` is interpolated against `u = ln x` on panels `[k w, (k + 1) w)` of fixed width `w`
//! (cut at an upper end `u_max` beyond which `f` is not smooth), each at 17, then 33, then 65
//! Chebyshev–Lobatto points until the interpolant of one level agrees with the function at the
//! next level's new points within the tolerance (geometric convergence for a function analytic
//! on the panel, [`crate::numerics::chebyshev`]). A panel that does not converge, or whose values
//! are not all positive and converged, is not used: its points are computed directly, or, with
//! [`LogPanels::bisecting`], taken from its halves, and theirs, down to a set depth (a function
//! smooth but for a few sharp features is then interpolated everywhere but next to them).
//! Panels depend only on their depth, their index and the function, never on which points were
//! asked for first or by which thread, so results are the same whatever the order and the
//! thread count.

use super::chebyshev::{ChebyshevInterpolant, lobatto};
use super::quadrature::Estimate;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Chebyshev levels of a panel: `2^k + 1` points for `k` in 4..=6.
const LEVELS: [u32; 4] = [3, 4, 5, 6];

/// A panel cut at `u_max` to less than this share of its width is not interpolated: the few
/// points in it are computed directly.
const NARROWEST_PANEL: f64 = 0.05;

/// One panel's interpolant of `ln f` and the bound on its error.
#[derive(Debug)]
struct Panel {
    interpolant: ChebyshevInterpolant,
    /// Bound on the relative error of `f` from the interpolant: the agreement of the last two
    /// levels plus the largest relative error of the points.
    relative_error: f64,
}

/// `f(x)` interpolated in `ln x` where it is smooth, computed directly elsewhere.
#[derive(Debug)]
pub struct LogPanels {
    /// Panel width in `ln x`.
    width: f64,
    /// `ln x` above which `f` is computed directly.
    u_max: f64,
    /// Accepted disagreement of two levels, in `ln f` (absolute, i.e. relative in `f`).
    tolerance: f64,
    /// Times a panel that does not converge is halved (0: computed directly at once).
    max_depth: u32,
    /// Panels by depth and index (width `width / 2^depth`), each built once (`None`: not
    /// interpolated).
    panels: Mutex<BTreeMap<(u32, i64), PanelCell>>,
}

/// A panel, built once by whichever thread asks first (`None`: not interpolated).
type PanelCell = Arc<OnceLock<Option<Panel>>>;

impl LogPanels {
    /// Panels of `width` in `ln x`, interpolated up to and including `x_max`, accepted when two
    /// levels agree to `tolerance` in `ln f`.
    #[must_use]
    pub fn new(width: f64, x_max: f64, tolerance: f64) -> Self {
        Self {
            width,
            u_max: x_max.ln(),
            tolerance,
            max_depth: 0,
            panels: Mutex::new(BTreeMap::new()),
        }
    }

    /// The same, with a panel that does not converge replaced by its two halves, up to
    /// `max_depth` times (the narrowest panels are `width / 2^max_depth` wide).
    #[must_use]
    pub fn bisecting(self, max_depth: u32) -> Self {
        Self { max_depth, ..self }
    }

    /// `f(x)`, from its panel's interpolant if it has one, else `direct(x)`; `direct` computes
    /// `f` (with its error estimate) and builds the panel when it is first needed. An
    /// interpolated value counts no evaluations (those of its panel's points belong to no
    /// single mass) and carries the panel's relative error bound.
    pub fn value<F: Fn(f64) -> Estimate>(&self, x: f64, direct: F) -> Estimate {
        let u = x.ln();
        if !(u.is_finite() && u <= self.u_max) {
            return direct(x);
        }
        for depth in 0..=self.max_depth {
            let width = self.panel_width(depth);
            #[expect(clippy::cast_possible_truncation, reason = "|ln x| / width is small")]
            let index = (u / width).floor() as i64;
            let cell = {
                let mut panels = self
                    .panels
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                Arc::clone(panels.entry((depth, index)).or_default())
            };
            if let Some(panel) = cell.get_or_init(|| self.build(depth, index, &direct)) {
                let value = panel.interpolant.eval(u).exp();
                return Estimate {
                    value,
                    error: panel.relative_error * value,
                    evaluations: 0,
                    converged: true,
                };
            }
        }
        direct(x)
    }

    /// Width in `ln x` of the panels at `depth`.
    fn panel_width(&self, depth: u32) -> f64 {
        self.width / f64::from(1_u32 << depth.min(31))
    }

    /// The panel `index` at `depth`, or `None` when it cannot be interpolated.
    fn build<F: Fn(f64) -> Estimate>(&self, depth: u32, index: i64, direct: &F) -> Option<Panel> {
        let width = self.panel_width(depth);
        #[expect(clippy::cast_precision_loss, reason = "a small panel index")]
        let a = index as f64 * width;
        let b = (a + width).min(self.u_max);
        if b - a < NARROWEST_PANEL * width {
            return None;
        }
        // ln f at the points of a level, reusing the previous level's (its even points).
        let mut node_error = 0.0_f64;
        let mut sample = |u: f64| -> Option<f64> {
            let e = direct(u.exp());
            let ok = e.converged && e.value > 0.0 && e.value.is_finite();
            node_error = node_error.max(e.error / e.value);
            ok.then(|| e.value.ln())
        };
        let mut current: Option<ChebyshevInterpolant> = None;
        for level in LEVELS {
            let nodes = lobatto(a, b, (1 << level) + 1);
            let values: Vec<f64> = match &current {
                None => nodes.iter().map(|&u| sample(u)).collect::<Option<_>>()?,
                Some(previous) => nodes
                    .iter()
                    .enumerate()
                    .map(|(j, &u)| {
                        if j % 2 == 0 {
                            Some(previous.values()[j / 2])
                        } else {
                            sample(u)
                        }
                    })
                    .collect::<Option<_>>()?,
            };
            let finer = ChebyshevInterpolant::from_values(a, b, values);
            if let Some(previous) = &current {
                let disagreement = nodes
                    .iter()
                    .zip(finer.values())
                    .skip(1)
                    .step_by(2)
                    .map(|(&u, &v)| (previous.eval(u) - v).abs())
                    .fold(0.0, f64::max);
                if disagreement <= self.tolerance {
                    return Some(Panel {
                        interpolant: finer,
                        relative_error: disagreement.exp_m1() + node_error,
                    });
                }
            }
            current = Some(finer);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A power law times a logarithm is reproduced to the tolerance with a few panels' points,
    /// and points above `x_max` are computed directly.
    #[test]
    fn interpolates_a_smooth_power_law() {
        let f = |x: f64| x.powf(-2.0) * (1.0 + 0.3 * (10.0 / x).ln().powi(2));
        let calls = AtomicUsize::new(0);
        let direct = |x: f64| {
            calls.fetch_add(1, Ordering::Relaxed);
            Estimate::exact(f(x))
        };
        let panels = LogPanels::new(1.0, 5.0, 1e-10);
        let mut worst = 0.0_f64;
        for i in 0..2000 {
            let x = 1e-3 * (1e4_f64).powf(f64::from(i) / 1999.0);
            let got = panels.value(x, direct);
            let error = (got.value / f(x) - 1.0).abs();
            assert!(error <= got.error.max(1e-15) / got.value * 10.0 + 1e-12);
            if x <= 5.0 {
                worst = worst.max(error);
            }
        }
        assert!(worst < 1e-9, "worst relative error {worst}");
        // 2000 points: the panels below ln 5 cost a few dozen points each; the 347 points above
        // x_max are direct.
        let n = calls.load(Ordering::Relaxed);
        assert!(n < 347 + 10 * 65, "{n} direct evaluations");
    }

    /// A kink inside a panel stops it from converging: its points are then computed directly,
    /// exactly.
    #[test]
    fn a_kink_falls_back_to_direct_evaluation() {
        let f = |x: f64| 1.0 + (x - 2.0).abs();
        let panels = LogPanels::new(1.0, 100.0, 1e-10);
        for x in [1.5, 2.0, 2.5] {
            let got = panels.value(x, |x| Estimate::exact(f(x)));
            assert_eq!(got.value, f(x));
        }
    }

    /// With bisection, a function smooth but for one kink is interpolated everywhere but next
    /// to the kink: every value within its stated error, points close to the kink computed
    /// directly, and far fewer evaluations than points.
    #[test]
    fn bisection_isolates_a_kink() {
        let f = |x: f64| x.powf(-1.5) * (1.0 + (x - 2.0).abs());
        let calls = AtomicUsize::new(0);
        let direct = |x: f64| {
            calls.fetch_add(1, Ordering::Relaxed);
            Estimate::exact(f(x))
        };
        let panels = LogPanels::new(1.0, 100.0, 1e-10).bisecting(12);
        let n: u32 = 20_000;
        let (mut interpolated, mut computed_near_kink) = (0, 0);
        for i in 0..n {
            let x = 0.5 * 100_f64.powf(f64::from(i) / f64::from(n - 1));
            let got = panels.value(x, direct);
            let error = (got.value / f(x) - 1.0).abs();
            assert!(error <= got.error / got.value + 1e-13, "{x}: {error:e}");
            // A direct value is exact here (no error); an interpolated one states its bound.
            if got.error > 0.0 {
                interpolated += 1;
            } else if (x / 2.0).ln().abs() < 1e-3 {
                computed_near_kink += 1;
            }
        }
        let calls = calls.load(Ordering::Relaxed);
        assert!(interpolated > n - 100, "{interpolated} of {n} interpolated");
        assert!(computed_near_kink > 0);
        assert!(calls < n as usize / 4, "{calls} evaluations for {n} points");
    }
}
