use darksens::detectors::yields::*;
use darksens::materials::CSI;
use darksens::models::DarkPhoton;
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
    for delta in [0.0, 1e-3] {
        let setup = ThickTargetSetup {
            spectrum: spectrum.clone(),
            luminosity_ab: 50.0,
            material: CSI,
            thickness_x0: 16.0,
            brem_thickness_x0: 1.0,
            incident: Incident::Positron,
            second_generation_multiplicity: 2.0,
            max_visible_fraction: 0.05,
            min_energy_loss_fraction: delta,
        };
        let t0 = Instant::now();
        let search = ThickTargetSearch::new(setup, Resolution::default());
        println!(
            "delta {delta} build {:?} flux err {:.2e} N_pos {:.4e}",
            t0.elapsed(),
            search.annihilation_flux().interpolation_error(),
            search.n_incident()
        );
        for m in [
            1.0, 10.0, 50.0, 66.0, 66.66, 66.72, 70.0, 75.0, 80.0, 85.0, 100.0, 300.0, 1000.0,
        ] {
            let dp = DarkPhoton {
                mass_gev: m * 1e-3,
                alpha_d: 1e-3,
                mchi_over_mmed: 1.0 / 3.0,
            };
            let t = Instant::now();
            let y = search.yields(&dp);
            let el = t.elapsed();
            let eps = ((2.71f64 * 94.0).sqrt() / y.total()).sqrt();
            println!(
                "m {m:7.2} ann {:.6e} (err {:.1e}, n {}, {}) brem {:.6e} (err {:.1e}, n {}, {}) eps {:.4e} time {:?}",
                y.annihilation.value,
                y.annihilation.relative_error(),
                y.annihilation.evaluations,
                y.annihilation.converged,
                y.bremsstrahlung.value,
                y.bremsstrahlung.relative_error(),
                y.bremsstrahlung.evaluations,
                y.bremsstrahlung.converged,
                eps,
                el
            );
        }
    }
}
