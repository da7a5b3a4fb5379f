//! Published-limit files (`.lmt` text: two columns, three for a band, or a closed contour) on
//! arbitrary text: a curve or an error, never a panic; a curve's edges have increasing masses
//! (contours aside) and finite positive limits, and its lowest excluded eps inside its mass range
//! is a finite positive number, except in a gap (a missing value, `-`), where it is none.
#![no_main]

use darksens::published::PublishedLimit;
use darksens::published::curve::Boundary;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(curve) = PublishedLimit::parse_lmt(text, "fuzz.lmt") else {
        return;
    };
    let masses: Vec<f64> = match curve.boundary() {
        Boundary::Above(p) => p.iter().map(|q| q.0).collect(),
        Boundary::Between(p) => {
            assert!(p.iter().all(|q| q.1 < q.2));
            p.iter().map(|q| q.0).collect()
        }
        Boundary::Inside(_) => Vec::new(),
    };
    assert!(masses.windows(2).all(|w| w[0] < w[1]));
    let (outline, _) = curve.outline();
    assert!(outline.iter().all(|(m, e)| m.is_finite() && e.is_finite() && *e > 0.0));
    let (lo, hi) = curve.mass_range_gev();
    for t in [0.0, 0.25, 0.5, 1.0] {
        let mass = (lo + t * (hi - lo)).min(hi);
        let eps = curve.eps_at(mass);
        if curve.gap_around(mass).is_some() {
            assert_eq!(eps, None);
        } else {
            assert!(eps.is_some_and(|e| e.is_finite() && e > 0.0), "{eps:?}");
        }
    }
});
