//! Integrals of a smooth function times a tabulated one, from Chebyshev moments of the table.
//!
//! A [`UniformTable`] is a piecewise cubic whose slope jumps at every node, so an adaptive rule
//! applied to `f g`, with `f` smooth and `g` the table, resolves those kinks one by one even where
//! `f` hardly varies. Here the table is integrated once against Chebyshev polynomials instead:
//! on a panel `[c - r, c + r]`, `M_k = integral g(y) T_k((y - c)/r) dy`. If `f` is interpolated at
//! the `n + 1` Chebyshev–Lobatto points of the panel, `f ~ sum'' c_k T_k` (the Chebyshev
//! coefficients of the interpolant, first and last halved; Trefethen, "Approximation Theory and
//! Approximation Practice", SIAM 2013, ch. 3), then `integral f g ~ sum'' c_k M_k`: exact for the
//! table, as good as the interpolant for `f`. An `f` analytic inside the Bernstein ellipse of
//! parameter `rho` around the panel has `|c_k| <= 2 max|f| rho^-k` (ibid., Thm. 8.1), so the
//! last coefficients bound the error, and a pole or branch point of `f` at complex distance
//! gives the panel's `rho` before any evaluation.
//!
//! Moments are kept on dyadic panels: leaves of [`LEAF_CELLS`] table cells, each parent the union
//! of two children. A leaf's moments are exact (Gauss–Legendre on each cell, which integrates the
//! cubic times `T_k` exactly); a parent's follow from its children's by the exact change of
//! basis `T_n((s -+ 1)/2) = sum_k A^-+_nk T_k(s)`; the quadrature weights of a panel,
//! `sum'' c_k M_k` written as `sum_j w_j f(y_j)`, are worked out when it is first tried.
//!
//! An integral over `[lo, hi]` first sorts the panels from the root down: a panel inside the
//! range and far enough from every singular point of `f` is kept whole; leaves that are cut by
//! the range, or lie next to a singular point, go to the caller's adaptive rule, neighbours
//! together, and are integrated first (next to a resonance they carry most of the integral).
//! The kept panels then share half the relative tolerance times that sum as an absolute
//! tolerance, in proportion to their width; each tries degree 8, 16 and 32 (nested points, so
//! no evaluation is repeated) and is accepted when its error bound meets its tolerance
//! (absolute share, or relative to its own value); otherwise its children are tried.

use super::quadrature::{Estimate, Tolerance};
use super::table::{UniformTable, cubic_weights};
use rayon::prelude::*;

/// Highest degree of the interpolants of `f` (and of the moments kept): 8, 16, then 32.
pub const DEGREE: usize = 32;

/// Number of moments per panel.
const MOMENTS: usize = DEGREE + 1;

/// Table cells per leaf panel.
pub const LEAF_CELLS: usize = 16;

/// Gauss–Legendre points per table cell for the leaf moments: exact to degree `2 Q - 1 = 39`,
/// above the cubic times `T_32`.
const CELL_POINTS: usize = 20;

/// A panel is tried only when every singular point of `f` lies outside its Bernstein ellipse of
/// this parameter: the coefficients then fall at least like `2^-k`.
const RHO_MIN: f64 = 2.0;

/// The panels share this fraction of the relative tolerance times the pieces' integral as an
/// absolute tolerance (module docs).
const SHARE_OF_THE_PIECES: f64 = 0.5;

/// A point where the integrand `f` is not analytic: a pole at `centre +- i half_width` (a
/// Breit–Wigner), or a branch point on the axis (`half_width = 0`, e.g. a threshold).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Singularity {
    /// Real part.
    pub centre: f64,
    /// Distance from the real axis.
    pub half_width: f64,
}

/// The moments of one panel and its mass `integral |g|` (which scales the error bound).
#[derive(Debug, Clone, PartialEq)]
struct Panel {
    moments: [f64; MOMENTS],
    absolute_mass: f64,
}

/// The degrees tried, in order; each one's points contain the previous one's.
const DEGREES: [usize; 3] = [8, 16, 32];

/// Weights of all three degrees, one after the other.
const RULE_WEIGHTS: usize = 9 + 17 + 33;

/// A panel's integration rules: `integral f g ~ sum_j w_j f(y_j)` at the Lobatto points of
/// each degree, `w_j = h_j (2/n) sum''_k cos(pi j k/n) M_k` (`h_j` halves the end points),
/// which is `sum'' c_k M_k` with the interpolant's coefficients written out.
#[derive(Debug, Clone, PartialEq)]
struct PanelRule {
    weights: [f64; RULE_WEIGHTS],
    absolute_mass: f64,
}

impl PanelRule {
    fn new(panel: &Panel) -> Self {
        let mut weights = [0.0; RULE_WEIGHTS];
        for (w, row) in weights.iter_mut().zip(rule_matrix()) {
            *w = row.iter().zip(&panel.moments).map(|(a, m)| a * m).sum();
        }
        Self {
            weights,
            absolute_mass: panel.absolute_mass,
        }
    }
}

/// Row `j` of degree `n` (rows of the degrees one after the other): the coefficients
/// `h_j h_k (2/n) cos(pi j k/n)` of the moments `M_k` in the weight `w_j`.
fn rule_matrix() -> &'static [[f64; MOMENTS]; RULE_WEIGHTS] {
    static MATRIX: std::sync::OnceLock<[[f64; MOMENTS]; RULE_WEIGHTS]> = std::sync::OnceLock::new();
    MATRIX.get_or_init(|| {
        let cosines = lobatto_cosines();
        let mut matrix = [[0.0; MOMENTS]; RULE_WEIGHTS];
        let mut offset = 0;
        for n in DEGREES {
            let stride = DEGREE / n;
            #[expect(clippy::cast_precision_loss, reason = "a small degree")]
            let scale = 2.0 / n as f64;
            for j in 0..=n {
                for k in 0..=n {
                    matrix[offset + j][k] =
                        halved(j, n) * halved(k, n) * scale * cosines[((j * k) % (2 * n)) * stride];
                }
            }
            offset += n + 1;
        }
        matrix
    })
}

/// `1/2` at the ends of a Lobatto sum `0..=n`, else 1.
fn halved(j: usize, n: usize) -> f64 {
    if j == 0 || j == n { 0.5 } else { 1.0 }
}

/// Chebyshev moments of a [`UniformTable`] on dyadic panels (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct TableMoments {
    /// Left end of leaf 0 (the table's first node).
    origin: f64,
    /// Width of a leaf.
    leaf_width: f64,
    /// Right end of the table (the function is zero beyond it).
    table_end: f64,
    /// `levels[0]` the leaves, `levels[d]` the panels of `2^d` leaves; the last level has one.
    /// Each panel's rules are worked out from its moments when it is first tried (most leaves
    /// never are: they lie next to a peak or are not needed).
    levels: Vec<Vec<(Panel, std::sync::OnceLock<PanelRule>)>>,
}

impl TableMoments {
    /// The moments of `table`, zero outside its range.
    ///
    /// # Panics
    /// If the table has fewer than four nodes.
    #[must_use]
    pub fn new(table: &UniformTable) -> Self {
        let values = table.values();
        let n = values.len();
        assert!(n >= 4, "a cubic table has at least four nodes");
        #[expect(clippy::cast_precision_loss, reason = "a node count")]
        let step = (table.x_hi() - table.x_lo()) / (n - 1) as f64;
        let cells = n - 1;
        let leaves = cells.div_ceil(LEAF_CELLS);
        let weights = interior_leaf_weights(step);
        let leaf_panels: Vec<Panel> = (0..leaves)
            .into_par_iter()
            .map(|leaf| {
                let first_cell = leaf * LEAF_CELLS;
                // Every cell of an interior leaf uses the centred stencil (nodes c - 1 ..= c + 2).
                if first_cell >= 1 && first_cell + LEAF_CELLS < cells {
                    let nodes = &values[first_cell - 1..first_cell + LEAF_CELLS + 2];
                    let mut moments = [0.0; MOMENTS];
                    for (row, g) in weights.iter().zip(nodes) {
                        for (m, w) in moments.iter_mut().zip(row) {
                            *m += w * g;
                        }
                    }
                    let absolute_mass = step
                        * nodes[1..=LEAF_CELLS + 1]
                            .iter()
                            .map(|g| g.abs())
                            .sum::<f64>();
                    Panel {
                        moments,
                        absolute_mass,
                    }
                } else {
                    edge_leaf(table, first_cell, step)
                }
            })
            .collect();
        let mut levels = vec![leaf_panels];
        let (left, right) = child_to_parent();
        while levels.last().is_some_and(|l| l.len() > 1) {
            let children = levels.last().expect("a level");
            let parents = children
                .chunks(2)
                .map(|pair| {
                    let mut moments = [0.0; MOMENTS];
                    let mut absolute_mass = 0.0;
                    for (child, matrix) in pair.iter().zip([&left, &right]) {
                        for (n, m) in moments.iter_mut().enumerate() {
                            *m += matrix[n]
                                .iter()
                                .zip(&child.moments)
                                .map(|(a, c)| a * c)
                                .sum::<f64>();
                        }
                        absolute_mass += child.absolute_mass;
                    }
                    Panel {
                        moments,
                        absolute_mass,
                    }
                })
                .collect();
            levels.push(parents);
        }
        #[expect(clippy::cast_precision_loss, reason = "a cell count")]
        let leaf_width = step * LEAF_CELLS as f64;
        let levels = levels
            .into_iter()
            .map(|level| {
                level
                    .into_iter()
                    .map(|p| (p, std::sync::OnceLock::new()))
                    .collect()
            })
            .collect();
        Self {
            origin: table.x_lo(),
            leaf_width,
            table_end: table.x_hi(),
            levels,
        }
    }

    /// `integral_lo^hi f(y) g(y) dy` with `g` the table, `f` analytic on the range but at the
    /// `singular` points. `fallback(a, b, tol)` integrates `f g` over a piece `[a, b]` of a leaf
    /// that the moments cannot take (cut by the range, or next to a singular point). Every
    /// fallback piece meets `tol` on its own (relative to its value, or its share of
    /// `tol.absolute` by width); every panel meets `tol.relative` of its own value, or its share
    /// by width of the larger of `tol.absolute` and half `tol.relative` times the pieces' sum.
    /// For `f g >= 0` the sum's error bound is then at most `1.5 tol.relative` times the sum
    /// (or `tol.absolute`); the bound returned is the sum of the pieces' and panels' own.
    pub fn integrate<F, B>(
        &self,
        mut f: F,
        (lo, hi): (f64, f64),
        singular: &[Singularity],
        tol: Tolerance,
        mut fallback: B,
    ) -> Estimate
    where
        F: FnMut(f64) -> f64,
        B: FnMut(f64, f64, Tolerance) -> Estimate,
    {
        // Beyond the table the function is zero: the range ends there.
        let hi = hi.min(self.table_end);
        if hi <= lo {
            return Estimate::exact(0.0);
        }
        let mut descent = Descent {
            moments: self,
            lo,
            hi,
            singular,
            tol,
            f: &mut f,
            fallback: &mut fallback,
            total: Estimate::exact(0.0),
        };
        // The pieces next to the singular points (where a resonance puts most of the integral)
        // first: half the tolerance of their sum is then shared by the panels in proportion to
        // their width.
        let mut panels = Vec::new();
        let mut pieces = Vec::new();
        let top = self.levels.len() - 1;
        for index in 0..self.levels[top].len() {
            descent.plan(top, index, &mut panels, &mut pieces);
        }
        // Neighbouring pieces (those around a peak) go to the fallback together.
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pieces.len());
        for (a, b) in pieces {
            match merged.last_mut() {
                Some(last) if last.1 == a => last.1 = b,
                _ => merged.push((a, b)),
            }
        }
        for (a, b) in merged {
            let share = descent.share(a, b);
            let piece = (descent.fallback)(a, b, share);
            descent.total = descent.total + piece;
        }
        descent.tol.absolute = tol
            .absolute
            .max(SHARE_OF_THE_PIECES * tol.relative * descent.total.value.abs());
        for (level, index) in panels {
            descent.visit(level, index);
        }
        descent.total
    }

    /// `[a, b]` of panel `index` at `level`.
    fn panel_range(&self, level: usize, index: usize) -> (f64, f64) {
        #[expect(clippy::cast_precision_loss, reason = "panel indices are small")]
        let (width, index) = (self.leaf_width * f64::from(1_u32 << level), index as f64);
        let a = self.origin + index * width;
        (a, a + width)
    }
}

/// The state of one integral's descent through the panels.
struct Descent<'a, F, B> {
    moments: &'a TableMoments,
    lo: f64,
    hi: f64,
    singular: &'a [Singularity],
    tol: Tolerance,
    f: &'a mut F,
    fallback: &'a mut B,
    total: Estimate,
}

impl<F, B> Descent<'_, F, B>
where
    F: FnMut(f64) -> f64,
    B: FnMut(f64, f64, Tolerance) -> Estimate,
{
    /// Sorts the panels from `(level, index)` down into those the moments may take and the
    /// leaf pieces that go to the fallback.
    fn plan(
        &self,
        level: usize,
        index: usize,
        panels: &mut Vec<(usize, usize)>,
        pieces: &mut Vec<(f64, f64)>,
    ) {
        if index >= self.moments.levels[level].len() {
            return;
        }
        let (a, b) = self.moments.panel_range(level, index);
        let (a_in, b_in) = (a.max(self.lo), b.min(self.hi));
        if b_in <= a_in {
            return;
        }
        if self.whole(a, b) && self.far_from_singular_points(a, b) {
            panels.push((level, index));
        } else if level == 0 {
            pieces.push((a_in, b_in));
        } else {
            self.plan(level - 1, 2 * index, panels, pieces);
            self.plan(level - 1, 2 * index + 1, panels, pieces);
        }
    }

    /// Whether the panel `[a, b]` lies in the range; one reaching past the table's end is whole
    /// when the range runs to that end (the function is zero beyond it).
    fn whole(&self, a: f64, b: f64) -> bool {
        a >= self.lo && (b <= self.hi || self.hi >= self.moments.table_end)
    }

    /// The tolerance of the part `[a, b]` of the range: the relative one, and the absolute one
    /// in proportion to its width.
    fn share(&self, a: f64, b: f64) -> Tolerance {
        Tolerance {
            absolute: self.tol.absolute * (b - a) / (self.hi - self.lo),
            ..self.tol
        }
    }

    /// Integrates panel `(level, index)` by its moments, or by its children when they do not
    /// converge, down to the fallback for leaves.
    fn visit(&mut self, level: usize, index: usize) {
        let Some((moments, rule)) = self.moments.levels[level].get(index) else {
            return;
        };
        let (a, b) = self.moments.panel_range(level, index);
        let (a_in, b_in) = (a.max(self.lo), b.min(self.hi));
        if b_in <= a_in {
            return;
        }
        let share = self.share(a_in, b_in);
        if self.whole(a, b)
            && self.far_from_singular_points(a, b)
            && let Some(estimate) =
                self.by_moments(rule.get_or_init(|| PanelRule::new(moments)), a, b, share)
        {
            self.total = self.total + estimate;
            return;
        }
        if level == 0 {
            let piece = (self.fallback)(a_in, b_in, share);
            self.total = self.total + piece;
        } else {
            self.visit(level - 1, 2 * index);
            self.visit(level - 1, 2 * index + 1);
        }
    }

    /// Whether every singular point lies outside the panel's Bernstein ellipse of [`RHO_MIN`].
    fn far_from_singular_points(&self, a: f64, b: f64) -> bool {
        let (c, r) = (0.5 * (a + b), 0.5 * (b - a));
        self.singular.iter().all(|s| {
            let (x, y) = ((s.centre - c) / r, s.half_width / r);
            // The ellipse with foci +-1 through x + iy: semi-major axis (|z - 1| + |z + 1|)/2.
            let y2 = y * y;
            let semi_major =
                0.5 * (((x - 1.0).powi(2) + y2).sqrt() + ((x + 1.0).powi(2) + y2).sqrt());
            semi_major + (semi_major * semi_major - 1.0).max(0.0).sqrt() >= RHO_MIN
        })
    }

    /// The panel's integral from its rules, at the first degree (8, 16, 32) whose error bound
    /// (the last three Chebyshev coefficients of `f` times `integral |g|`) meets `tol`; `None`
    /// if none does.
    fn by_moments(
        &mut self,
        panel: &PanelRule,
        a: f64,
        b: f64,
        tol: Tolerance,
    ) -> Option<Estimate> {
        let (c, r) = (0.5 * (a + b), 0.5 * (b - a));
        let cosines = lobatto_cosines();
        // f at the Lobatto points cos(pi j/32), filled as the degree grows.
        let mut samples = [f64::NAN; MOMENTS];
        let mut evaluations = 0;
        let mut offset = 0;
        for n in DEGREES {
            let stride = DEGREE / n;
            for j in (0..=DEGREE).step_by(stride) {
                if samples[j].is_nan() {
                    samples[j] = (self.f)(c + r * cosines[j]);
                    evaluations += 1;
                }
            }
            let value: f64 = (0..=n)
                .map(|j| panel.weights[offset + j] * samples[j * stride])
                .sum();
            offset += n + 1;
            #[expect(clippy::cast_precision_loss, reason = "a small degree")]
            let scale = 2.0 / n as f64;
            let tail: f64 = (n - 2..=n)
                .map(|k| {
                    let ck: f64 = (0..=n)
                        .map(|j| {
                            halved(j, n)
                                * samples[j * stride]
                                * cosines[((j * k) % (2 * n)) * stride]
                        })
                        .sum();
                    (scale * ck).abs()
                })
                .sum();
            let error = tail * panel.absolute_mass;
            if !value.is_finite() || !error.is_finite() {
                return None;
            }
            if error <= tol.absolute.max(tol.relative * value.abs()) {
                return Some(Estimate {
                    value,
                    error,
                    evaluations,
                    converged: true,
                });
            }
        }
        None
    }
}

/// `cos(pi m/DEGREE)` for `m` in `0..2 DEGREE`.
fn lobatto_cosines() -> &'static [f64; 2 * DEGREE] {
    static COSINES: std::sync::OnceLock<[f64; 2 * DEGREE]> = std::sync::OnceLock::new();
    COSINES.get_or_init(|| {
        std::array::from_fn(|m| {
            #[expect(clippy::cast_precision_loss, reason = "a small index")]
            let angle = std::f64::consts::PI * m as f64 / DEGREE as f64;
            angle.cos()
        })
    })
}

/// Gauss–Legendre points and weights of `n` points on `[0, 1]`, by Newton's iteration on the
/// Legendre polynomial from the estimate `cos(pi (i - 1/4)/(n + 1/2))` (Abramowitz and Stegun
/// 25.4.29; the three-term recurrence for `P_n` and its derivative).
fn gauss_legendre_unit(n: usize) -> Vec<(f64, f64)> {
    #[expect(clippy::cast_precision_loss, reason = "a small point count")]
    let nf = n as f64;
    (1..=n)
        .map(|i| {
            #[expect(clippy::cast_precision_loss, reason = "a small index")]
            let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (nf + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=n {
                    #[expect(clippy::cast_precision_loss, reason = "a small degree")]
                    let kf = k as f64;
                    let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
                    p0 = p1;
                    p1 = p2;
                }
                derivative = nf * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / derivative;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            let weight = 2.0 / ((1.0 - x * x) * derivative * derivative);
            (0.5 * (1.0 - x), 0.5 * weight)
        })
        .collect()
}

/// `T_0..=T_DEGREE` at `t`.
fn chebyshev_values(t: f64) -> [f64; MOMENTS] {
    let mut values = [0.0; MOMENTS];
    values[0] = 1.0;
    values[1] = t;
    for k in 2..MOMENTS {
        values[k] = 2.0 * t * values[k - 1] - values[k - 2];
    }
    values
}

/// For a leaf whose cells all use the centred stencil: the moments are `sum_r W[r][k] g_r` over
/// the leaf's nodes from one before its first to two after its last (`LEAF_CELLS + 3` rows).
fn interior_leaf_weights(step: f64) -> Vec<[f64; MOMENTS]> {
    let mut weights = vec![[0.0; MOMENTS]; LEAF_CELLS + 3];
    #[expect(clippy::cast_precision_loss, reason = "a small cell count")]
    let cells = LEAF_CELLS as f64;
    for cell in 0..LEAF_CELLS {
        for &(tau, w) in &gauss_legendre_unit(CELL_POINTS) {
            #[expect(clippy::cast_precision_loss, reason = "a small cell index")]
            let t = -1.0 + 2.0 * (cell as f64 + tau) / cells;
            let chebyshev = chebyshev_values(t);
            for (j, lagrange) in cubic_weights(tau).iter().enumerate() {
                for (slot, tk) in weights[cell + j].iter_mut().zip(&chebyshev) {
                    *slot += w * step * lagrange * tk;
                }
            }
        }
    }
    weights
}

/// The moments of a leaf at an end of the table (shifted stencils, or cells beyond the last
/// node, where the function is zero), by Gauss–Legendre on each cell with the table's own
/// interpolant.
fn edge_leaf(table: &UniformTable, first_cell: usize, step: f64) -> Panel {
    let cells = table.values().len() - 1;
    let rule = gauss_legendre_unit(CELL_POINTS);
    let mut moments = [0.0; MOMENTS];
    let mut absolute_mass = 0.0;
    #[expect(clippy::cast_precision_loss, reason = "small cell indices")]
    let leaf_cells = LEAF_CELLS as f64;
    for local in 0..LEAF_CELLS {
        let cell = first_cell + local;
        if cell >= cells {
            break;
        }
        for &(tau, w) in &rule {
            #[expect(clippy::cast_precision_loss, reason = "small cell indices")]
            let (y, t) = (
                table.x_lo() + (cell as f64 + tau) * step,
                -1.0 + 2.0 * (local as f64 + tau) / leaf_cells,
            );
            let g = table.eval(y);
            absolute_mass += w * step * g.abs();
            for (m, tk) in moments.iter_mut().zip(chebyshev_values(t)) {
                *m += w * step * g * tk;
            }
        }
    }
    Panel {
        moments,
        absolute_mass,
    }
}

/// The change of basis from a child's Chebyshev polynomials to its parent's: row `n` of the
/// left (right) matrix holds the coefficients of `T_n((s - 1)/2)` (`T_n((s + 1)/2)`) in
/// `T_0(s)..T_n(s)`, from `T_(n+1)(t) = 2 t T_n(t) - T_(n-1)(t)` with `2 t = s -+ 1` and
/// `s T_k = (T_(k+1) + T_|k-1|)/2`.
fn child_to_parent() -> (Vec<[f64; MOMENTS]>, Vec<[f64; MOMENTS]>) {
    let matrix = |shift: f64| {
        let mut rows = vec![[0.0; MOMENTS]; MOMENTS];
        rows[0][0] = 1.0;
        // T_1(t) = t = (s + shift)/2.
        rows[1][0] = 0.5 * shift;
        rows[1][1] = 0.5;
        for n in 1..DEGREE {
            let mut next = [0.0; MOMENTS];
            for (k, &a) in rows[n].iter().enumerate() {
                if a == 0.0 {
                    continue;
                }
                // (s + shift) T_k
                next[k] += shift * a;
                if k + 1 < MOMENTS {
                    next[k + 1] += if k == 0 { a } else { 0.5 * a };
                }
                if k >= 1 {
                    next[k - 1] += 0.5 * a;
                }
            }
            for (x, p) in next.iter_mut().zip(&rows[n - 1]) {
                *x -= p;
            }
            rows[n + 1] = next;
        }
        rows
    };
    (matrix(-1.0), matrix(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::quadrature::integrate;

    /// The change of basis reproduces `T_n` of the parent's variable at points of each child.
    #[test]
    fn child_polynomials_rebuild_the_parents() {
        let (left, right) = child_to_parent();
        for s in [-1.0, -0.7, 0.1, 0.93, 1.0] {
            let child = chebyshev_values(s);
            for (matrix, t) in [(&left, 0.5 * (s - 1.0)), (&right, 0.5 * (s + 1.0))] {
                let parent = chebyshev_values(t);
                for n in 0..MOMENTS {
                    let rebuilt: f64 = matrix[n].iter().zip(&child).map(|(a, c)| a * c).sum();
                    assert!((rebuilt - parent[n]).abs() < 1e-12, "n = {n}, s = {s}");
                }
            }
        }
    }

    /// Gauss–Legendre on [0, 1] integrates x^k exactly up to k = 2n - 1.
    #[test]
    fn gauss_legendre_is_exact_for_polynomials() {
        let rule = gauss_legendre_unit(CELL_POINTS);
        for k in 0..i32::try_from(2 * CELL_POINTS).expect("small") {
            let sum: f64 = rule.iter().map(|(x, w)| w * x.powi(k)).sum();
            assert!((sum - 1.0 / f64::from(k + 1)).abs() < 1e-14, "k = {k}");
        }
    }

    /// A table with kinks (|sin| sampled coarsely) times smooth functions, against adaptive
    /// Gauss–Kronrod on the table's interpolant: every panel moment is exact, so the two agree
    /// to the tolerance; a Lorentzian whose pole is next to the range is handed to the fallback.
    #[test]
    fn agrees_with_adaptive_quadrature_of_the_interpolant() {
        let table = UniformTable::from_fn(-1.0, 3.0, 1001, |y: f64| (5.0 * y).sin().abs() + 0.1);
        let moments = TableMoments::new(&table);
        let tol = Tolerance::relative(1e-10);
        let cases: [(f64, f64, f64, f64); 4] = [
            (-1.0, 3.0, 10.0, 0.3),
            (-0.53, 2.71, -2.0, 0.05),
            (0.2, 2.9, 0.1, 1e-3),
            (-1.0, 3.0, 1.4, 1e-4),
        ];
        for (lo, hi, centre, width) in cases {
            let f = |y: f64| width / ((y - centre).powi(2) + width * width) * (0.5 * y).exp();
            let mut fallbacks = 0;
            let ours = moments.integrate(
                f,
                (lo, hi),
                &[Singularity {
                    centre,
                    half_width: width,
                }],
                tol,
                |a, b, tol| {
                    fallbacks += 1;
                    let mut breaks = vec![a];
                    if centre > a && centre < b {
                        breaks.push(centre);
                    }
                    breaks.push(b);
                    integrate(|y| f(y) * table.eval(y), &breaks, tol)
                },
            );
            // The reference: adaptive on every cell of the table (kinks at the nodes).
            let mut breaks: Vec<f64> = UniformTable::nodes(-1.0, 3.0, 1001)
                .into_iter()
                .filter(|&y| y > lo && y < hi)
                .collect();
            breaks.insert(0, lo);
            breaks.push(hi);
            if centre > lo && centre < hi {
                breaks.push(centre);
                breaks.sort_by(f64::total_cmp);
            }
            let reference = integrate(
                |y| f(y) * table.eval(y),
                &breaks,
                Tolerance::relative(1e-13),
            );
            let relative = (ours.value / reference.value - 1.0).abs();
            assert!(
                relative < 3e-10,
                "[{lo}, {hi}], pole {centre} +- {width}i: {relative:e} after {} evaluations, {fallbacks} fallbacks",
                ours.evaluations
            );
            assert!(ours.converged);
        }
    }
}
