//! Divided differences of the exponential function, evaluated without cancellation.
//!
//! The second-generation track length [DPT Eq. A.3] is a second divided difference of
//! `exp(z t)` in disguise; integrated over depth it becomes a third divided difference (see
//! `showers::track_length`). Its removable 0/0 points are where divided-difference nodes
//! coincide, so a stable evaluation is what keeps NaN out of the table.

/// Divided difference `exp[z_0, ..., z_n]` of the exponential at the given nodes (any order,
/// coincident nodes allowed: the confluent limit is returned).
///
/// Nodes are sorted; a group whose spread is at most 1 is summed as the Taylor series about its
/// midpoint `c`, `exp[z] = e^c sum_k h_k(z - c) / (n + k)!` with `h_k` the complete homogeneous
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
    sorted.sort_by(f64::total_cmp);
    sorted_exp_dd(sorted)
}

fn sorted_exp_dd(z: &[f64]) -> f64 {
    let n = z.len() - 1;
    if n == 0 {
        return z[0].exp();
    }
    let spread = z[n] - z[0];
    if spread <= 1.0 {
        return taylor_exp_dd(z);
    }
    (sorted_exp_dd(&z[1..]) - sorted_exp_dd(&z[..n])) / spread
}

/// Number of Taylor terms: with |z_i - c| <= 1/2 the k-th term is below
/// C(n+k, k) 2^-k / (n+k)! < 1e-17 relative for k = 20 and n <= 7.
const TAYLOR_TERMS: usize = 20;

fn taylor_exp_dd(z: &[f64]) -> f64 {
    let n = z.len() - 1;
    let c = 0.5 * (z[0] + z[n]);
    // h[k] = h_k(y_0..y_j), built one node at a time: h_k(.., y_j) = h_k(..) + y_j h_{k-1}(.., y_j).
    let mut h = [0.0; TAYLOR_TERMS];
    h[0] = 1.0;
    let y0 = z[0] - c;
    for k in 1..TAYLOR_TERMS {
        h[k] = h[k - 1] * y0;
    }
    for &zj in &z[1..] {
        let y = zj - c;
        for k in 1..TAYLOR_TERMS {
            h[k] += y * h[k - 1];
        }
    }
    // sum_k h_k / (n+k)!
    let mut factorial = (1..=n).map(|i| i as f64).product::<f64>();
    let mut sum = 0.0;
    for (k, hk) in h.iter().enumerate() {
        if k > 0 {
            factorial *= (n + k) as f64;
        }
        sum += hk / factorial;
    }
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
            max_relative = 1e-14
        );
    }

    #[test]
    fn confluent_limits_are_derivatives_over_factorials() {
        // exp[z, z, z] = e^z / 2 and exp[z, z, z, z] = e^z / 6 (closed forms).
        let z = -1.7_f64;
        assert_relative_eq!(
            exp_divided_difference(&[z, z, z]),
            z.exp() / 2.0,
            max_relative = 1e-14
        );
        assert_relative_eq!(
            exp_divided_difference(&[z, z, z, z]),
            z.exp() / 6.0,
            max_relative = 1e-14
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
            max_relative = 1e-14
        );
        let near = exp_divided_difference(&[-1.0, -1.0 + 1e-9, -1.0 + 2e-9]);
        assert_relative_eq!(near, (-1.0f64 + 1e-9).exp() / 2.0, max_relative = 1e-12);
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
            max_relative = 1e-10
        );
    }
}
