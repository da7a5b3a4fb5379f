//! [EMU Table 1]: the acceptances of the emulsion boxes with their statistical errors and the
//! time they take, with and without the `A'` spin correlation; and the model numbers at the
//! Table 1 points (cross section, branching ratio, `phi1` width and flight length).
//!
//!     cargo run --release --example emu_table1 -- [EVENTS]
use darksens::detectors::emulsion::DetectorBox;
use darksens::models::inelastic::{Channel, InelasticScalar};
use darksens::models::r_ratio::RRatio;
use darksens::processes::collider_production::sigma_gamma_aprime;
use darksens::sources::phi1::{MonteCarlo, Production, acceptances};
use darksens::units::gev2_to_pb;

const SQRT_S: f64 = 10.58;

fn physics(model: &InelasticScalar, r: &RRatio) {
    let width = |c| model.phi1_width_gev(c, r).value;
    println!(
        "m1 = {}: sigma(gamma A') = {:.4e} pb, BR(A' -> phi1 phi2) = {:.4}, Gamma(phi1) = {:.4e} GeV (e {:.3e}, mu {:.3e}, hadrons {:.3e}), d = {:.4} m",
        model.m1_gev,
        gev2_to_pb(sigma_gamma_aprime(
            SQRT_S * SQRT_S,
            model.m_aprime_gev,
            model.epsilon,
            1.0
        )),
        model.br_aprime_to_phi1_phi2(r),
        model.phi1_width_total_gev(r).value,
        width(Channel::Electrons),
        width(Channel::Muons),
        width(Channel::Hadrons),
        model.flight_length_m(SQRT_S, r).value
    );
}

fn main() {
    let events = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<f64>().ok())
        .filter(|e| e.is_finite() && *e >= 1.0 && *e < 1e15)
        .map_or(4_000_000, |e| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a positive count below 1e15, checked above"
            )]
            let events = e as u64;
            events
        });
    let r = RRatio::pdg();
    let boxes = [
        DetectorBox::forward("A", 7.0, 1.0, 0.2, 0.3),
        DetectorBox::forward("B", 7.0, 1.4, 0.2, 0.4),
    ];
    let central = [DetectorBox::central("central", 4.0, 0.3, 0.2)];
    let on_shell = [(4.341, [0.976, 0.065]), (4.333, [0.194, 0.816])];
    for (m1, _) in on_shell {
        physics(&InelasticScalar::new(8.0, m1, 3.65, 1e-3, 0.1), &r);
    }
    for spin_correlation in [true, false] {
        let mc = MonteCarlo {
            events,
            seed: 1,
            spin_correlation,
            boost_beta: 0.0,
        };
        let started = std::time::Instant::now();
        let mut rows = Vec::new();
        for (m1, paper) in on_shell {
            let model = InelasticScalar::new(8.0, m1, 3.65, 1e-3, 0.1);
            let found = acceptances(&model, SQRT_S, Production::OnShell, &boxes, &mc, None);
            for ((b, a), p) in boxes.iter().zip(found).zip(paper) {
                rows.push((format!("m1 = {m1}, box {}", b.name), a, p));
            }
        }
        let model = InelasticScalar::new(14.0, 5.0, 4.85, 1e-3, 0.1);
        let found = acceptances(&model, SQRT_S, Production::OffShell, &central, &mc, None)[0];
        rows.push(("off shell, central".into(), found, 0.045));
        let elapsed = started.elapsed().as_secs_f64();
        for (label, a, paper) in rows {
            let value = 100.0 * a.acceptance.value;
            println!(
                "spin correlation {spin_correlation}: {label}: {value:.4}% +- {:.4}% (paper {paper}%, {:+.1}%), <beta gamma> of the accepted {:.3}",
                100.0 * a.acceptance.error,
                100.0 * (value / paper - 1.0),
                a.mean_beta_gamma_accepted
            );
        }
        println!("{events} events x 5 acceptances: {elapsed:.2} s");
    }
}
