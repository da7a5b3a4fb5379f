//! Spectrum tables (CSV) and Les Houches event files on arbitrary bytes: a spectrum, events or
//! an error, never a panic; a spectrum that parses has a finite positive cross section.
#![no_main]

use darksens::sources::TabulatedSpectrum;
use darksens::sources::lhe::parse_events;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        if let Ok(spectrum) = TabulatedSpectrum::parse_csv(text, "fuzz.csv", false) {
            let sigma = spectrum.sigma_cm2();
            assert!(sigma.is_finite() && sigma > 0.0, "{sigma}");
            let e = 0.5 * (spectrum.e_min_gev() + spectrum.e_max_gev());
            let v = spectrum.dsigma_de_cm2_per_gev(e);
            assert!(v.is_finite() && v >= 0.0, "{v}");
        }
    } else {
        let mut weights = 0.0_f64;
        let _ = parse_events(rest, "fuzz.lhe", |event| {
            weights += event.weight;
            assert!(event.particles.iter().all(|(_, p)| p.iter().all(|x| x.is_finite())));
        });
    }
});
