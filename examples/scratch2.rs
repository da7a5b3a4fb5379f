use darksens::detectors::yields::*;
use darksens::materials::CSI;
use darksens::models::DarkPhoton;
use darksens::numerics::quadrature::*;
use darksens::showers::track_length::Incident;
use darksens::sources::*;
use std::time::Instant;
fn main() {
    let collider = AsymmetricCollider {
        electron_energy_gev: 7.0,
        positron_energy_gev: 4.0,
    };
    let spectrum = PositronSpectrum::Bhabha(BhabhaSpectrum::new(
        collider,
        32.2f64.to_radians(),
        128.7f64.to_radians(),
    ));
    let setup = ThickTargetSetup {
        spectrum: spectrum.clone(),
        luminosity_ab: 50.0,
        material: CSI,
        thickness_x0: 16.0,
        brem_thickness_x0: 1.0,
        incident: Incident::Positron,
        second_generation_multiplicity: 2.0,
        max_visible_fraction: 0.05,
        min_energy_loss_fraction: 0.0,
    };
    for tol in [1e-5, 1e-6, 1e-7] {
        let search = ThickTargetSearch::new(
            setup.clone(),
            Resolution {
                relative_tolerance: tol,
                ..Resolution::default()
            },
        );
        for m in [1.0, 66.72, 300.0, 1000.0] {
            let dp = DarkPhoton {
                mass_gev: m * 1e-3,
                alpha_d: 1e-3,
                mchi_over_mmed: 1.0 / 3.0,
            };
            let t = Instant::now();
            let n = 200;
            let mut y = search.yields(&dp);
            for _ in 1..n {
                y = search.yields(&dp);
            }
            let el = t.elapsed() / n;
            println!(
                "tol {tol:e} m {m:7.2} ann {:.8e} (n {}) brem {:.8e} (n {}) time {:?}",
                y.annihilation.value,
                y.annihilation.evaluations,
                y.bremsstrahlung.value,
                y.bremsstrahlung.evaluations,
                el
            );
        }
    }
}
