use darksens::numerics::quadrature::*;
use darksens::sources::*;
fn main() {
    let collider = AsymmetricCollider {
        electron_energy_gev: 7.0,
        positron_energy_gev: 4.0,
    };
    let b = BhabhaSpectrum::new(collider, 32.2f64.to_radians(), 128.7f64.to_radians());
    let (a, c) = (b.e_min_gev(), b.e_max_gev());
    let one = gauss_kronrod_21(&mut |e| b.dsigma_de_cm2_per_gev(e.clamp(a, c)), a, c);
    println!(
        "{:?} exact {:e} rel {:e}",
        one,
        b.sigma_cm2(),
        (one.value / b.sigma_cm2() - 1.0)
    );
    let m = 0.5 * (a + c);
    let two = gauss_kronrod_21(&mut |e| b.dsigma_de_cm2_per_gev(e.clamp(a, c)), a, m)
        + gauss_kronrod_21(&mut |e| b.dsigma_de_cm2_per_gev(e.clamp(a, c)), m, c);
    println!("{:?} rel {:e}", two, (two.value / b.sigma_cm2() - 1.0));
}
