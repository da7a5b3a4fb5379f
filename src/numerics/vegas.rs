//! VEGAS importance sampling (G. P. Lepage, J. Comput. Phys. 27 (1978) 192): a separable
//! map of the unit hypercube whose bins, one grid per dimension, are adapted so that each
//! carries an equal share of the integrand's variance.
//!
//! A point `y` uniform in `[0, 1)^d` lands in bin `i = floor(y N)` of each dimension and is
//! mapped linearly into that bin's interval `[x_i, x_{i+1})`; the Jacobian is the product of
//! `N (x_{i+1} - x_i)`. Integrating `f(x) J` over uniform `y` gives the integral of `f` for
//! any grid (the estimate is unbiased; only its variance depends on the grid), as long as every
//! bin keeps a positive width: [`Grid::refine`] keeps a floor under the new bin densities.
//! The training is the caller's: it accumulates `(f J)^2` per bin with [`Grid::accumulate`]
//! and calls [`Grid::refine`] between iterations.

/// Share of the mean bin density that every bin keeps after refinement (so that no region of
/// the hypercube, however unlikely in training, is ever left unsampled).
const DENSITY_FLOOR: f64 = 0.01;

/// A separable VEGAS grid on `[0, 1]^d`.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Bin edges of each dimension, `bins + 1` increasing numbers from 0 to 1.
    edges: Vec<Vec<f64>>,
}

/// Where a point fell: the bin of each dimension.
pub type Bins = Vec<usize>;

impl Grid {
    /// A uniform grid of `bins` bins in each of `dims` dimensions.
    #[must_use]
    pub fn uniform(dims: usize, bins: usize) -> Self {
        let bins = bins.max(1);
        #[expect(clippy::cast_precision_loss, reason = "bin counts are small")]
        let edges = (0..=bins).map(|i| i as f64 / bins as f64).collect();
        Self {
            edges: vec![edges; dims],
        }
    }

    /// The grid of the bin `edges` of each dimension (as [`Grid::edges`] gives them); `None`
    /// unless every dimension has the same number of edges (at least two), from exactly 0 to
    /// exactly 1 and strictly increasing.
    #[must_use]
    pub fn from_edges(edges: Vec<Vec<f64>>) -> Option<Self> {
        let n = edges.first()?.len();
        let valid = |e: &Vec<f64>| {
            e.len() == n
                && n >= 2
                && e[0] == 0.0
                && e[n - 1] == 1.0
                && e.windows(2).all(|w| w[0] < w[1])
        };
        edges.iter().all(valid).then_some(Self { edges })
    }

    /// The bin edges of each dimension.
    #[must_use]
    pub fn edges(&self) -> &[Vec<f64>] {
        &self.edges
    }

    /// Number of dimensions.
    #[must_use]
    pub fn dims(&self) -> usize {
        self.edges.len()
    }

    /// Bins per dimension.
    #[must_use]
    pub fn bins(&self) -> usize {
        self.edges.first().map_or(0, |e| e.len() - 1)
    }

    /// Maps `y` in `[0, 1)^d` to `x` (written into `x`), returns the Jacobian `dx/dy` and
    /// records the bins in `bins`.
    pub fn map(&self, y: &[f64], x: &mut [f64], bins: &mut Bins) -> f64 {
        let n = self.bins();
        #[expect(clippy::cast_precision_loss, reason = "bin counts are small")]
        let nf = n as f64;
        bins.clear();
        let mut jacobian = 1.0;
        for ((edges, &yd), xd) in self.edges.iter().zip(y).zip(x.iter_mut()) {
            let scaled = yd * nf;
            // Truncation is the floor here (0 <= scaled), without a call to `floor`.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "0 <= scaled < n"
            )]
            let i = (scaled as usize).min(n - 1);
            #[expect(clippy::cast_precision_loss, reason = "bin counts are small")]
            let within = scaled - i as f64;
            let width = edges[i + 1] - edges[i];
            *xd = edges[i] + within * width;
            jacobian *= nf * width;
            bins.push(i);
        }
        jacobian
    }

    /// Adds `(f J)^2` of one point to the per-bin sums `sums[dim][bin]`.
    pub fn accumulate(sums: &mut [Vec<f64>], bins: &Bins, f_times_jacobian: f64) {
        let w2 = f_times_jacobian * f_times_jacobian;
        for (sum, &bin) in sums.iter_mut().zip(bins) {
            sum[bin] += w2;
        }
    }

    /// Zeroed per-bin sums for [`Grid::accumulate`].
    #[must_use]
    pub fn empty_sums(&self) -> Vec<Vec<f64>> {
        vec![vec![0.0; self.bins()]; self.dims()]
    }

    /// Lepage's refinement: smooth each dimension's sums over neighbouring bins, compress them
    /// with `((1 - r)/ln(1/r))^alpha` (`alpha` about 1.5; 0 keeps the grid), keep a floor of
    /// `DENSITY_FLOOR` of the mean, and move the edges so that every new bin holds an equal
    /// share. A dimension with no weight keeps its grid.
    pub fn refine(&mut self, sums: &[Vec<f64>], alpha: f64) {
        for (edges, d) in self.edges.iter_mut().zip(sums) {
            refine_dimension(edges, d, alpha);
        }
    }
}

fn refine_dimension(edges: &mut Vec<f64>, d: &[f64], alpha: f64) {
    let n = d.len();
    if n < 2 {
        return;
    }
    let smoothed: Vec<f64> = (0..n)
        .map(|i| {
            let (lo, hi) = (i.saturating_sub(1), (i + 1).min(n - 1));
            #[expect(clippy::cast_precision_loss, reason = "at most 3")]
            let count = (hi - lo + 1) as f64;
            d[lo..=hi].iter().sum::<f64>() / count
        })
        .collect();
    let total: f64 = smoothed.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return;
    }
    let mut r: Vec<f64> = smoothed
        .iter()
        .map(|&x| {
            let x = x / total;
            if x <= 0.0 {
                0.0
            } else if x >= 1.0 {
                1.0
            } else {
                ((1.0 - x) / -x.ln()).powf(alpha)
            }
        })
        .collect();
    #[expect(clippy::cast_precision_loss, reason = "bin counts are small")]
    let mean = r.iter().sum::<f64>() / n as f64;
    for ri in &mut r {
        *ri = ri.max(DENSITY_FLOOR * mean);
    }
    #[expect(clippy::cast_precision_loss, reason = "bin counts are small")]
    let share = r.iter().sum::<f64>() / n as f64;
    let mut new = Vec::with_capacity(n + 1);
    new.push(0.0);
    let (mut filled, mut i) = (0.0, 0);
    for k in 1..n {
        #[expect(clippy::cast_precision_loss, reason = "bin counts are small")]
        let target = share * k as f64;
        while i < n - 1 && filled + r[i] < target {
            filled += r[i];
            i += 1;
        }
        let fraction = ((target - filled) / r[i]).clamp(0.0, 1.0);
        new.push(edges[i] + fraction * (edges[i + 1] - edges[i]));
    }
    new.push(1.0);
    // Rounding can only make equal neighbours; keep the edges non-decreasing.
    for k in 1..new.len() {
        new[k] = new[k].max(new[k - 1]);
    }
    *edges = new;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Integrates `f` over the unit square with `iterations` training passes, then returns the
    /// estimate and its standard error from `points` points of the frozen grid.
    fn integrate(
        f: impl Fn(&[f64]) -> f64,
        dims: usize,
        iterations: usize,
        points: usize,
    ) -> (f64, f64) {
        let mut grid = Grid::uniform(dims, 50);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut y, mut x, mut bins) = (vec![0.0; dims], vec![0.0; dims], Vec::new());
        for _ in 0..iterations {
            let mut sums = grid.empty_sums();
            for _ in 0..points {
                for v in &mut y {
                    *v = rng.random();
                }
                let j = grid.map(&y, &mut x, &mut bins);
                Grid::accumulate(&mut sums, &bins, f(&x) * j);
            }
            grid.refine(&sums, 1.5);
        }
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..points {
            for v in &mut y {
                *v = rng.random();
            }
            let w = grid.map(&y, &mut x, &mut bins) * f(&x);
            s += w;
            s2 += w * w;
        }
        #[expect(clippy::cast_precision_loss, reason = "small")]
        let n = points as f64;
        let mean = s / n;
        (mean, ((s2 / n - mean * mean) / n).sqrt())
    }

    /// A narrow Gaussian peak (closed form: the product of error functions, here 1 to 1e-12):
    /// VEGAS finds it and its error estimate covers the truth; its error beats flat sampling's
    /// by a large factor.
    #[test]
    fn narrow_peak_is_integrated_and_the_error_is_honest() {
        let width = 0.01_f64;
        let norm = 1.0 / (width * (2.0 * std::f64::consts::PI).sqrt());
        let f = |x: &[f64]| {
            x.iter()
                .map(|&v| norm * (-0.5 * ((v - 0.3) / width).powi(2)).exp())
                .product::<f64>()
        };
        let (flat, flat_error) = integrate(f, 3, 0, 100_000);
        let (adapted, error) = integrate(f, 3, 8, 100_000);
        assert!((adapted - 1.0).abs() < 4.0 * error, "{adapted} +- {error}");
        assert!(error < 1e-2, "{error}");
        assert!(
            error * 20.0 < flat_error,
            "{error} against flat {flat_error} ({flat})"
        );
    }

    /// An integrable singularity `x^-0.5` on one axis (integral 2): unbiased within its error.
    #[test]
    fn integrable_singularity() {
        let (value, error) = integrate(|x: &[f64]| x[0].max(1e-300).powf(-0.5), 2, 6, 200_000);
        assert!((value - 2.0).abs() < 4.0 * error, "{value} +- {error}");
        assert!(error < 2e-3, "{error}");
    }

    /// Refinement keeps edges increasing from 0 to 1 and every bin wider than zero, even for a
    /// weight that vanishes in most bins.
    #[test]
    fn refined_edges_stay_ordered_and_positive() {
        let mut grid = Grid::uniform(1, 20);
        let mut sums = grid.empty_sums();
        sums[0][7] = 1.0;
        for _ in 0..10 {
            grid.refine(&sums, 1.5);
        }
        let edges = &grid.edges[0];
        assert_eq!((edges[0], edges[20]), (0.0, 1.0));
        assert!(edges.windows(2).all(|w| w[1] > w[0]), "{edges:?}");
    }

    /// A grid rebuilt from its edges is the same grid; edges that are not a grid are refused.
    #[test]
    fn edges_round_trip_and_bad_edges_are_refused() {
        let mut grid = Grid::uniform(2, 4);
        let mut sums = grid.empty_sums();
        Grid::accumulate(&mut sums, &vec![0, 3], 2.0);
        Grid::accumulate(&mut sums, &vec![1, 3], 1.0);
        grid.refine(&sums, 1.5);
        assert_eq!(Grid::from_edges(grid.edges().to_vec()), Some(grid));
        let bad = [
            vec![],
            vec![vec![0.0, 1.0], vec![0.0, 0.5, 1.0]],
            vec![vec![0.0, 0.5, 0.5, 1.0]],
            vec![vec![0.1, 0.5, 1.0]],
            vec![vec![0.0, 0.5, 0.9]],
            vec![vec![0.0, f64::NAN, 1.0]],
            vec![vec![0.0]],
        ];
        for edges in bad {
            assert_eq!(Grid::from_edges(edges.clone()), None, "{edges:?}");
        }
    }
}
