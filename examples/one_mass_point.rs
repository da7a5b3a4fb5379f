//! Library use without a scenario file: yields and the expected limit of the Belle II
//! disappearing-positron-track search at one dark-photon mass.
//!
//! Run with `cargo run --release --example one_mass_point`.

use darksens::backgrounds::{NeutronBackground, NeutronInputs, PhotonBackground};
use darksens::limits::{LimitCriterion, epsilon_limit};
use darksens::materials::CSI;
use darksens::materials::compton::AtomicElectrons;
use darksens::models::DarkPhoton;
use darksens::showers::track_length::{Incident, SecondGeneration};
use darksens::signal::thick_target::{BremMethod, Resolution, ThickTargetSearch, ThickTargetSetup};
use darksens::sources::{AsymmetricCollider, BhabhaSpectrum, PositronSpectrum, Source};

fn main() {
    // Bhabha positrons in the ECL barrel of SuperKEKB/Belle II [DPT Sec. 2].
    let collider = AsymmetricCollider {
        electron_energy_gev: 7.0,
        positron_energy_gev: 4.0,
    };
    let spectrum = BhabhaSpectrum::new(collider, 32.2_f64.to_radians(), 128.7_f64.to_radians());
    let setup = ThickTargetSetup {
        source: Source::Collider {
            spectrum: PositronSpectrum::Bhabha(spectrum),
            luminosity_ab: 50.0,
        },
        material: CSI,
        thickness_x0: 16.0,
        brem_thickness_x0: 1.0,
        incident: Incident::Positron,
        // The paper's second generation (both particles of each conversion counted);
        // `SecondGeneration::Positrons` follows one positron per conversion.
        second_generation: SecondGeneration::TsaiWhitisPairs { multiplicity: 2.0 },
        // The paper's electrons at rest; `AtomicElectrons::ComptonProfile` binds them.
        atomic_electrons: AtomicElectrons::AtRest,
        initial_state_radiation: darksens::signal::thick_target::InitialStateRadiation::Off,
        front_layers: Vec::new(),
        max_visible_fraction: 0.05,
        min_energy_loss_fraction: 0.0,
        brem: BremMethod::Computed,
    };
    let search = ThickTargetSearch::new(setup, Resolution::default());

    let n_positrons = search.n_incident();
    let photons = PhotonBackground::new(n_positrons, 16.0, 0.05, 4.5e-4);
    let neutrons = NeutronBackground::new(
        n_positrons,
        &NeutronInputs {
            simulated_positrons: 1e9,
            single_neutron_events: 13.0,
            multi_neutron_events: 51.0,
            ecl_lambda: 0.75,
            klm_lambda: 3.9,
            escape_probability: None,
        },
    );
    let n_background = photons.events + neutrons.events;

    let dark_photon = DarkPhoton {
        mass_gev: 0.06672,
        alpha_d: 1e-3,
        mchi_over_mmed: 1.0 / 3.0,
    };
    let yields = search.yields(dark_photon);
    let n_required = LimitCriterion::SqrtBackground { delta_chi2: 2.71 }.n_required(n_background);
    println!("positrons            {n_positrons:.4e}");
    println!(
        "background           {n_background:.2} (photons {:.2}, neutrons {:.2})",
        photons.events, neutrons.events
    );
    println!(
        "annihilation / eps^2 {:.4e} +- {:.1e}",
        yields.annihilation.value, yields.annihilation.error
    );
    println!(
        "brem / eps^2         {:.4e} +- {:.1e}",
        yields.bremsstrahlung.value, yields.bremsstrahlung.error
    );
    println!(
        "eps limit (90% CL)   {:.4e} at m = 66.72 MeV",
        epsilon_limit(n_required, yields.total())
    );
}
