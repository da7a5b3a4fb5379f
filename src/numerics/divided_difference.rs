//! Divided differences of the exponential function, evaluated without cancellation.
//!
//! The second-generation track length [DPT Eq. A.3] is a second divided difference of
//! `exp(z t)` in disguise; integrated over depth it becomes a third divided difference (see
//! `showers::track_length`). Its removable 0/0 points are where divided-difference nodes
//! coincide, so a stable evaluation is what keeps NaN out of the table.

/// Divided difference `exp[z_0, ..., z_n]` of the exponential at the given nodes (any order,
/// coincident nodes allowed: the confluent limit is returned).
///
/// Nodes are sorted; two nodes `a <= b` at most 1 apart give `e^a expm1(b - a) / (b - a)`; a
/// larger group whose spread is at most 1 is summed as the Taylor series about its midpoint
/// `c`, `exp[z] = e^c sum_k h_k(z - c) / (n + k)!` with `h_k` the complete homogeneous
/// symmetric polynomials (de Boor, "Divided differences", Surveys in Approximation Theory 1,
/// 2005, Eq. 4); wider groups use the recurrence
/// `exp[z_0..z_n] = (exp[z_1..z_n] - exp[z_0..z_{n-1}]) / (z_n - z_0)` with the extreme nodes in
/// the denominator, which loses at most a factor `n / spread < n` to cancellation per level.
///
/// # Panics
/// If no node is given or more than 8 are given.
#[must_use]
pub fn exp_divided_difference(nodes: &[f64]) -> f64 {
    assert!(!nodes.is_empty() && nodes.len() <= 8, "1 to 8 nodes");
    let mut sorted = [0.0; 8];
    sorted[..nodes.len()].copy_from_slice(nodes);
    let sorted = &mut sorted[..nodes.len()];
    // Insertion sort: for at most 8 nodes quicker than the library's general sort.
    for i in 1..sorted.len() {
        let mut j = i;
        while j > 0 && sorted[j - 1].total_cmp(&sorted[j]).is_gt() {
            sorted.swap(j - 1, j);
            j -= 1;
        }
    }
    sorted_exp_dd(sorted)
}

fn sorted_exp_dd(z: &[f64]) -> f64 {
    let n = z.len() - 1;
    if n == 0 {
        return z[0].exp();
    }
    let spread = z[n] - z[0];
    if spread <= 1.0 {
        if n == 1 {
            // exp[a, b] = e^a (e^(b - a) - 1) / (b - a), exact to rounding through expm1.
            return if spread > 0.0 {
                z[0].exp() * spread.exp_m1() / spread
            } else {
                z[0].exp()
            };
        }
        return taylor_exp_dd(z);
    }
    (sorted_exp_dd(&z[1..]) - sorted_exp_dd(&z[..n])) / spread
}

/// `1/k!` for `k = 0..=26`, enough for [`TAYLOR_TERMS`] terms of up to 8 nodes.
const INVERSE_FACTORIALS: [f64; 27] = {
    let mut table = [1.0; 27];
    let mut k = 1;
    while k < 27 {
        #[expect(clippy::cast_precision_loss, reason = "k is at most 26")]
        let kf = k as f64;
        table[k] = table[k - 1] / kf;
        k += 1;
    }
    table
};

/// Most Taylor terms: with |z_i - c| <= r = 1/2 the k-th term is below
/// C(n+k, k) r^k / (n+k)! = r^k / (n! k!), and the sum above e^-r / n! (the mean-value form
/// `exp[z] = e^xi / n!`), so the terms from k on add at most 2 e^r r^k / k! relative: below
/// 1e-17 from k = 16 for r = 1/2, sooner for closer nodes.
const TAYLOR_TERMS: usize = 20;

/// Relative size below which the Taylor series is cut (a tenth of the rounding unit).
const TAYLOR_CUT: f64 = 1e-17;

/// The number of Taylor terms for nodes within `r` of their midpoint: the first `k` with
/// `2 e^r r^k / k! < `[`TAYLOR_CUT`] (see [`TAYLOR_TERMS`]).
fn taylor_terms(r: f64) -> usize {
    let mut bound = 2.0 * r.exp();
    for (k, inverse_factorial) in INVERSE_FACTORIALS.iter().enumerate().take(TAYLOR_TERMS) {
        if bound * inverse_factorial < TAYLOR_CUT {
            return k.max(1);
        }
        bound *= r;
    }
    TAYLOR_TERMS
}

fn taylor_exp_dd(z: &[f64]) -> f64 {
    let n = z.len() - 1;
    let c = 0.5 * (z[0] + z[n]);
    let terms = taylor_terms(0.5 * (z[n] - z[0]));
    // h[k] = h_k(y_0..y_j), built one node at a time: h_k(.., y_j) = h_k(..) + y_j h_{k-1}(.., y_j).
    let mut h = [0.0; TAYLOR_TERMS];
    h[0] = 1.0;
    let y0 = z[0] - c;
    for k in 1..terms {
        h[k] = h[k - 1] * y0;
    }
    for &zj in &z[1..] {
        let y = zj - c;
        for k in 1..terms {
            h[k] += y * h[k - 1];
        }
    }
    // sum_k h_k / (n+k)!
    let sum: f64 = h[..terms]
        .iter()
        .zip(&INVERSE_FACTORIALS[n..])
        .map(|(hk, inverse)| hk * inverse)
        .sum();
    c.exp() * sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn first_difference_matches_direct_formula_when_separated() {
        let (a, b) = (-3.0_f64, 0.5_f64);
        assert_relative_eq!(
            exp_divided_difference(&[a, b]),
            (b.exp() - a.exp()) / (b - a),
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }

    #[test]
    fn confluent_limits_are_derivatives_over_factorials() {
        // exp[z, z, z] = e^z / 2 and exp[z, z, z, z] = e^z / 6 (closed forms).
        let z = -1.7_f64;
        assert_relative_eq!(
            exp_divided_difference(&[z, z, z]),
            z.exp() / 2.0,
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_relative_eq!(
            exp_divided_difference(&[z, z, z, z]),
            z.exp() / 6.0,
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }

    #[test]
    fn nearly_coincident_nodes_stay_accurate() {
        // Closed form for three nodes: exp[a,b,c] = (exp[a,b] - exp[b,c]) / (a - c), evaluated
        // here where it is well conditioned, then moved close to the confluent point.
        let exact3 = |a: f64, b: f64, c: f64| {
            ((a.exp() - b.exp()) / (a - b) - (b.exp() - c.exp()) / (b - c)) / (a - c)
        };
        assert_relative_eq!(
            exp_divided_difference(&[-2.0, -0.5, 1.5]),
            exact3(-2.0, -0.5, 1.5),
            max_relative = 1e-14,
            epsilon = 0.0
        );
        let near = exp_divided_difference(&[-1.0, -1.0 + 1e-9, -1.0 + 2e-9]);
        assert_relative_eq!(
            near,
            (-1.0f64 + 1e-9).exp() / 2.0,
            max_relative = 1e-12,
            epsilon = 0.0
        );
    }

    /// Against the symmetric form `sum_i e^(z_i) / prod_(j != i) (z_i - z_j)` evaluated with
    /// 40 digits (mpmath): two close nodes (the `expm1` form), and three and four nodes within
    /// 1 of each other (the truncated Taylor series).
    #[test]
    fn close_nodes_against_forty_digit_values() {
        assert_relative_eq!(
            exp_divided_difference(&[0.25, 0.250_000_1]),
            1.284_025_480_889_014_5,
            max_relative = 2e-16,
            epsilon = 0.0
        );
        assert_relative_eq!(
            exp_divided_difference(&[-5.0, -4.3]),
            0.009_758_017_161_593_52,
            max_relative = 4e-16,
            epsilon = 0.0
        );
        assert_relative_eq!(
            exp_divided_difference(&[0.2, -0.3, 0.1]),
            0.502_873_314_720_795_4,
            max_relative = 4e-16,
            epsilon = 0.0
        );
        assert_relative_eq!(
            exp_divided_difference(&[-2.5, -2.4, -2.05, -1.6]),
            0.019_908_732_212_051_63,
            max_relative = 4e-16,
            epsilon = 0.0
        );
    }

    #[test]
    fn mixed_clusters_against_mean_value_form() {
        // exp[z0..zn] = integral over the simplex of exp, so for nodes in [lo, hi] it lies
        // between e^lo/n! and e^hi/n!.
        let nodes = [-40.0, -12.4, -12.4 + 1e-12, 0.0];
        let dd = exp_divided_difference(&nodes);
        assert!(dd > (-40.0f64).exp() / 6.0 && dd < 1.0 / 6.0);
        // Against the direct recurrence with exact arithmetic replaced by a confluent node:
        // exp[a, b, b, 0] with b double: ((exp[b,b,0] - exp[a,b,b]) / (0 - a)).
        let b = -12.4_f64;
        let a = -40.0_f64;
        let e_bb0 = (1.0 - b.exp() + b * b.exp()) / (b * b); // exp[b,b,0] closed form
        let e_bb = b.exp();
        let e_ab = (b.exp() - a.exp()) / (b - a);
        let e_abb = (e_bb - e_ab) / (b - a);
        let expected = (e_bb0 - e_abb) / (0.0 - a);
        assert_relative_eq!(
            exp_divided_difference(&[a, b, b, 0.0]),
            expected,
            max_relative = 1e-10,
            epsilon = 0.0
        );
    }
}
