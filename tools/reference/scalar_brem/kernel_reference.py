"""The scalar bremsstrahlung kernel by numerical integration over u, for tests.

The improved Weizsaecker-Williams recipe (NOTES.md, section 1): for a mediator of mass m radiated
with energy fraction x,

    dsigma/dx = eps^2 alpha^3 chi beta (1 - x) * integral_{-inf}^{u_max} du A(u, x) / u^2,
    u_max = -D/x,  D = m^2 (1 - x) + m_e^2 x^2,

with the scalar's 2->2 amplitude factor A_S = x^2/(1 - x) + 2 (m^2 - 4 m_e^2)(u x + D)/u^2. In
the normalisation of [DPT Eq. 4.6] (4 alpha^3 eps^2 phi_N / E' times the kernel) the kernel is
a quarter of (1 - x) times the u integral. This script does that integral numerically (scipy
QUAD, relative tolerance 1e-12, after u = u_max/s, s in (0, 1]), with no closed form, and writes
the kernel at three masses and several x, where the m_e^2 numerator term matters (1 MeV) and
where it does not (100 MeV), to kernel_reference.json.

    python3 kernel_reference.py        # needs scipy; a few seconds
"""

import json

from scipy.integrate import quad

M_E_GEV = 0.51099895e-3  # electron mass, GeV (CODATA 2018, as darksens)


def amplitude_scalar(u, x, m):
    d = m**2 * (1 - x) + M_E_GEV**2 * x**2
    return x**2 / (1 - x) + 2 * (m**2 - 4 * M_E_GEV**2) * (u * x + d) / u**2


def kernel_scalar(x, m):
    d = m**2 * (1 - x) + M_E_GEV**2 * x**2
    u_max = -d / x

    def integrand(s):
        u = u_max / s
        return amplitude_scalar(u, x, m) / u**2 * (-u_max) / s**2

    value, error = quad(integrand, 0, 1, epsabs=0, epsrel=1e-12, limit=500)
    return (1 - x) * value / 4, (1 - x) * error / 4


def main():
    points = []
    for m in (0.001, 0.017, 0.1):
        for x in (0.05, 0.3, 0.7, 0.9, 0.99, 0.999):
            k, err = kernel_scalar(x, m)
            points.append({"mass_gev": m, "x": x, "kernel_gev_minus2": k, "quad_error": err})
    out = {
        "_about": "Scalar bremsstrahlung kernel (DPT Eq. 4.6 normalisation) from the numerical "
        "u integral of the scalar 2->2 amplitude factor; see kernel_reference.py",
        "m_e_gev": M_E_GEV,
        "points": points,
    }
    with open("kernel_reference.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
