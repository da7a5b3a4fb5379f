//! Radiative Bhabha cross section with the paper's cuts [DPT App. F]: sigma and timing, with
//! the VEGAS-adapted generator and with flat phase space.
//!
//!     cargo run --release --example rbs_sigma -- [POINTS [THETA_MIN THETA_MAX E_MIN DELTA_R ALPHA_INVERSE DELTA_R_LEPTONS]]
use darksens::sources::radiative_bhabha::{Settings, generate, integrate_flat};

fn arg(k: usize, default: f64) -> f64 {
    std::env::args()
        .nth(k)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let points = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<f64>().ok())
        .filter(|p| p.is_finite() && *p >= 1.0 && *p < 1e15)
        .map_or(4_000_000, |p| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a positive count below 1e15, checked above"
            )]
            let points = p as u64;
            points
        });
    let settings = Settings {
        theta_min_deg: arg(2, 32.2),
        theta_max_deg: arg(3, 128.7),
        min_energy_gev: arg(4, 2.0),
        min_delta_r: arg(5, 0.1),
        alpha_inverse: arg(6, 1.0 / darksens::units::ALPHA),
        min_delta_r_leptons: arg(7, 0.4),
        points,
        ..Settings::belle2_paper()
    };
    let started = std::time::Instant::now();
    match generate(&settings) {
        Ok(g) => println!(
            "sigma = {:.3} +- {:.3} pb ({:.2}%), {} of {} points accepted, {:.2} s on {} threads; positrons {:.3}-{:.3} GeV",
            g.sigma_pb,
            g.sigma_error_pb,
            100.0 * g.sigma_error_pb / g.sigma_pb,
            g.accepted,
            points,
            started.elapsed().as_secs_f64(),
            rayon::current_num_threads(),
            g.spectrum.e_min_gev(),
            g.spectrum.e_max_gev()
        ),
        Err(e) => eprintln!("error: {e}"),
    }
    let started = std::time::Instant::now();
    let (sigma, error) = integrate_flat(&settings);
    println!(
        "flat phase space (RAMBO), the same points: sigma = {sigma:.3} +- {error:.3} pb ({:.2}%), {:.2} s",
        100.0 * error / sigma,
        started.elapsed().as_secs_f64()
    );
}
