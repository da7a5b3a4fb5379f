//! Published-limit files (`.lmt` two-column text) on arbitrary text: a curve or an error, never a
//! panic; a curve has increasing masses and finite positive limits, and interpolating it inside
//! its range gives a finite positive number.
#![no_main]

use darksens::published::PublishedLimit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(curve) = PublishedLimit::parse_lmt(text, "fuzz.lmt") else {
        return;
    };
    let points = curve.points();
    assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(points.iter().all(|(m, e)| m.is_finite() && e.is_finite() && *e > 0.0));
    let (lo, hi) = curve.mass_range_gev();
    for t in [0.0, 0.25, 0.5, 1.0] {
        let eps = curve.eps_at((lo + t * (hi - lo)).min(hi));
        assert!(eps.is_some_and(|e| e.is_finite() && e > 0.0), "{eps:?}");
    }
});
