//! Tabulated functions on a uniform grid with local cubic interpolation.
//!
//! A [`UniformTable`] stores `f(x_i)` at `x_i = x0 + i h` and interpolates with the cubic
//! Lagrange polynomial through the four nearest nodes (error `O(h^4 f'''')`). The caller chooses
//! a variable in which the function is smooth (see the track-length and flux tables) and the
//! table records a measured interpolation error: at build time every interval midpoint is
//! compared with a direct evaluation when `check_midpoints` is requested.

use super::quadrature::Estimate;

/// The two parts of a table's error bound (absolute), [`UniformTable::from_estimates_by_part`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableError {
    /// The largest error of the node integrals (infinite if one missed its tolerance).
    pub nodes: f64,
    /// The half table (even nodes) against the odd nodes.
    pub interpolation: f64,
}

/// A function sampled on a uniform grid.
#[derive(Debug, Clone, PartialEq)]
pub struct UniformTable {
    x0: f64,
    step: f64,
    inverse_step: f64,
    values: Vec<f64>,
}

/// The weights of the nodes `-1, 0, 1, 2` (relative to node `i`) in the cubic Lagrange
/// interpolant at `t` (in steps from node `i`), as [`UniformTable::eval`] uses them.
#[must_use]
pub fn cubic_weights(t: f64) -> [f64; 4] {
    let (tp1, tm1, tm2) = (t + 1.0, t - 1.0, t - 2.0);
    [
        -t * tm1 * tm2 * (1.0 / 6.0),
        tp1 * tm1 * tm2 * 0.5,
        -tp1 * t * tm2 * 0.5,
        tp1 * t * tm1 * (1.0 / 6.0),
    ]
}

impl UniformTable {
    /// Samples `f` at `n >= 4` equally spaced points from `x_lo` to `x_hi` inclusive.
    ///
    /// # Panics
    /// If `n < 4` or the range is empty (a programming error, not an input error).
    pub fn from_fn<F: Fn(f64) -> f64>(x_lo: f64, x_hi: f64, n: usize, f: F) -> Self {
        assert!(
            n >= 4 && x_hi > x_lo,
            "a table needs at least four nodes on a non-empty range"
        );
        let step = (x_hi - x_lo) / (n - 1) as f64;
        let values = (0..n).map(|i| f(x_lo + step * i as f64)).collect();
        Self {
            x0: x_lo,
            step,
            inverse_step: 1.0 / step,
            values,
        }
    }

    /// Builds a table from values already computed at `x_lo + i * step`.
    ///
    /// # Panics
    /// If fewer than four values are given.
    #[must_use]
    pub fn from_values(x_lo: f64, x_hi: f64, values: Vec<f64>) -> Self {
        assert!(values.len() >= 4, "a table needs at least four nodes");
        let step = (x_hi - x_lo) / (values.len() - 1) as f64;
        Self {
            x0: x_lo,
            step,
            inverse_step: 1.0 / step,
            values,
        }
    }

    /// Grid points at which a table of `n` nodes on `[x_lo, x_hi]` samples its function.
    #[must_use]
    pub fn nodes(x_lo: f64, x_hi: f64, n: usize) -> Vec<f64> {
        let step = (x_hi - x_lo) / (n - 1) as f64;
        (0..n)
            .map(|i| {
                if i + 1 == n {
                    x_hi
                } else {
                    x_lo + step * i as f64
                }
            })
            .collect()
    }

    /// Lower end of the table.
    #[must_use]
    pub fn x_lo(&self) -> f64 {
        self.x0
    }

    /// Upper end of the table.
    #[must_use]
    pub fn x_hi(&self) -> f64 {
        self.x0 + self.step * (self.values.len() - 1) as f64
    }

    /// Number of nodes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the table is empty (never true for a constructed table).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Stored node values.
    #[must_use]
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Interpolated value at `x`, which is clamped to the table range.
    #[must_use]
    pub fn eval(&self, x: f64) -> f64 {
        let n = self.values.len();
        let s = ((x - self.x0) * self.inverse_step).clamp(0.0, (n - 1) as f64);
        // Stencil i-1, i, i+1, i+2 around the interval [i, i+1], shifted inside at the ends.
        // Truncation equals floor because s >= 0 after the clamp.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "s is clamped to [0, n-1]"
        )]
        let i = (s as usize).clamp(1, n - 3);
        let t = s - i as f64; // position relative to node i, in [-1, 2]
        let y = &self.values[i - 1..i + 3];
        let [c0, c1, c2, c3] = cubic_weights(t);
        c0 * y[0] + c1 * y[1] + c2 * y[2] + c3 * y[3]
    }

    /// A table of node integrals with a bound on its absolute error: the integrals at the `2n + 1`
    /// equally spaced `estimates` from `x_lo` to `x_hi`, the bound the larger of the two parts of
    /// [`Self::from_estimates_by_part`].
    ///
    /// # Panics
    /// If fewer than seven estimates are given.
    #[must_use]
    pub fn from_estimates(x_lo: f64, x_hi: f64, estimates: &[Estimate]) -> (Self, f64) {
        let (table, error) = Self::from_estimates_by_part(x_lo, x_hi, estimates);
        (table, error.interpolation.max(error.nodes))
    }

    /// [`Self::from_estimates`] with the two parts of its bound apart: the largest node error
    /// (infinite if a node missed its tolerance: it counts in full), and the interpolation error
    /// of the `n + 1` even nodes at the odd ones, a conservative stand-in for the full table's
    /// (about 16 times smaller for a smooth function). A finer table lowers only the second.
    ///
    /// # Panics
    /// If fewer than seven estimates are given.
    #[must_use]
    pub fn from_estimates_by_part(
        x_lo: f64,
        x_hi: f64,
        estimates: &[Estimate],
    ) -> (Self, TableError) {
        let values: Vec<f64> = estimates.iter().map(|e| e.value).collect();
        let nodes = estimates
            .iter()
            .map(|e| if e.converged { e.error } else { f64::INFINITY })
            .fold(0.0, f64::max);
        let table = Self::from_values(x_lo, x_hi, values);
        let coarse = Self::from_values(
            x_lo,
            x_hi,
            table.values.iter().step_by(2).copied().collect(),
        );
        let interpolation = (1..table.values.len())
            .step_by(2)
            .map(|i| {
                let x = table.x0 + table.step * i as f64;
                (coarse.eval(x) - table.values[i]).abs()
            })
            .fold(0.0, f64::max);
        (
            table,
            TableError {
                nodes,
                interpolation,
            },
        )
    }

    /// Largest absolute difference between the interpolant and `f` at the interval midpoints.
    pub fn midpoint_error<F: Fn(f64) -> f64>(&self, f: F) -> f64 {
        (0..self.values.len() - 1)
            .map(|i| {
                let x = self.x0 + self.step * (i as f64 + 0.5);
                (self.eval(x) - f(x)).abs()
            })
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The bound of a table of node integrals covers its actual error (closed form `sin`) and
    /// is infinite when a node missed its tolerance.
    #[test]
    fn a_table_of_estimates_bounds_its_error() {
        let estimates: Vec<Estimate> = UniformTable::nodes(0.0, 3.0, 33)
            .iter()
            .map(|&x| Estimate::exact(x.sin()))
            .collect();
        let (table, bound) = UniformTable::from_estimates(0.0, 3.0, &estimates);
        let actual = table.midpoint_error(f64::sin);
        assert!(bound > 0.0 && actual <= bound, "{actual} against {bound}");
        let mut missed = estimates;
        missed[5].converged = false;
        assert_eq!(
            UniformTable::from_estimates(0.0, 3.0, &missed).1,
            f64::INFINITY
        );
    }

    #[test]
    fn reproduces_cubics_exactly() {
        let f = |x: f64| 2.0 * x.powi(3) - x + 0.5;
        let table = UniformTable::from_fn(-1.0, 2.0, 7, f);
        for x in [-1.0, -0.77, 0.0, 0.31, 1.99, 2.0] {
            assert_relative_eq!(table.eval(x), f(x), max_relative = 1e-13, epsilon = 1e-14);
        }
    }

    #[test]
    fn error_falls_as_h_to_the_fourth() {
        // Doubling the nodes of a smooth function cuts the midpoint error by about 16.
        let coarse = UniformTable::from_fn(0.0, 3.0, 33, f64::sin).midpoint_error(f64::sin);
        let fine = UniformTable::from_fn(0.0, 3.0, 65, f64::sin).midpoint_error(f64::sin);
        let ratio = coarse / fine;
        assert!((12.0..20.0).contains(&ratio), "ratio {ratio}");
    }
}
