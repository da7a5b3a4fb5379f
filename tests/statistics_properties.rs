//! Properties of the counting statistics that must hold for any background (proptest).

use darksens::limits::statistics::Counting;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A larger background uncertainty never gives a stronger expected limit.
    #[test]
    fn limit_grows_with_background_uncertainty(b in 0.0f64..2000.0, r1 in 0.0f64..1.5, r2 in 0.0f64..1.5) {
        let (lo, hi) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
        let weak = Counting { background: b, relative_uncertainty: lo }.expected_upper_limit(0.9);
        let strong = Counting { background: b, relative_uncertainty: hi }.expected_upper_limit(0.9);
        prop_assert!(strong >= weak * (1.0 - 1e-9), "b = {b}: r = {lo} gives {weak}, r = {hi} gives {strong}");
    }

    /// (The expected limit is not monotone in b itself: between two jumps of the median count it
    /// falls as b grows, then jumps up. Only the envelope grows.)
    ///
    /// The exact CLs limit is never below the asymptotic 1.645 sqrt(b) and is at least -ln(0.1).
    #[test]
    fn cls_limit_bounds(b in 0.0f64..5000.0) {
        let s = Counting { background: b, relative_uncertainty: 0.0 }.expected_upper_limit(0.9);
        prop_assert!(s >= (2.705_543_454_095_404 * b).sqrt() * (1.0 - 1e-9));
        prop_assert!(s >= std::f64::consts::LN_10 * (1.0 - 1e-9));
    }
}
