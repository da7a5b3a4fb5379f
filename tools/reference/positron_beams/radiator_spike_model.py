"""A model of darksens' spread kernel for a positron on electrons at rest with radiation.

At rest and without a beam spread the kernel in z = ln(s / 2 m_e E) is the bare Kuraev-Fadin
radiator, M(x) = (1 + 3b/4) x^b - b (x - x^2/4) with x = 1 - e^z, whose x^(b - 1) spike puts
about 0.6 of it in the cell at z = 0. For a resonance narrower than a cell the tabulated cross
section is the kernel itself, and the yield is its integral against the track length. This
script builds the kernel as darksens does (cell masses from the closed form; densities at the
cell centres, each mass less 1/24 of its second difference, with the masses beyond the ends
taken as zero or, as now, equal to the end cells'), integrates the interpolated densities
against a smooth weight, and compares with the exact integral (the radiator's spike removed by
u = x^b). It prints the relative error of four ways of interpolating, for steps 8e-4 to
2.5e-5 (darksens' default step is 2e-4):

    python3 tools/reference/positron_beams/radiator_spike_model.py

needs numpy and scipy; a few seconds. docs/validation.md §17 quotes its numbers.
"""

import numpy as np
from scipy import integrate

BETA = 0.04
A = 1.0 + 0.75 * BETA
Z_RANGE = 0.5  # the kernel from z = -0.5 to 0


def cumulative(x):
    """M(x), the radiator's mass below x."""
    x = np.asarray(x, float)
    return np.where(x > 0, A * np.power(np.maximum(x, 1e-300), BETA) - BETA * (x - 0.25 * x * x), 0.0)


def weight(z):
    """A smooth stand-in for the track length and the Jacobian."""
    return np.exp(2 * z) * (1 + 0.3 * np.sin(7 * z))


def exact():
    """integral dM(x) w(ln(1 - x)) with u = x^beta, so that the spike is a constant."""
    x_max = 1 - np.exp(-Z_RANGE)

    def f(u):
        x = u ** (1 / BETA)
        dm_du = A - (1 - x / 2) * u ** (1 / BETA - 1)
        return dm_du * weight(np.log1p(-x))

    value, _ = integrate.quad(f, 0, x_max**BETA, limit=500, epsabs=0, epsrel=1e-13)
    return value


def cubic_weights(t):
    return np.array([-t * (t - 1) * (t - 2) / 6, (t + 1) * (t - 1) * (t - 2) / 2,
                     -(t + 1) * t * (t - 2) / 2, (t + 1) * t * (t - 1) / 6])


def model(step, ends, interpolation, clip=True):
    """The integral of the interpolated kernel against the weight."""
    first = int(round(-Z_RANGE / step)) - 2
    j = np.arange(first, 1)
    lo, hi = (j - 0.5) * step, (j + 0.5) * step
    mass_below = lambda z: cumulative(-np.expm1(np.minimum(z, 0)))
    masses = np.maximum(mass_below(lo), 0) - np.where(hi >= 0, 0, mass_below(hi))
    if ends == "zero":
        padded = np.concatenate([[0], masses, [0]])
    else:
        padded = np.concatenate([[masses[0]], masses, [masses[-1]]])
    curvature = padded[2:] - 2 * padded[1:-1] + padded[:-2]
    values = np.concatenate([(masses - curvature / 24) / step, [0, 0]])
    z0, n = first * step, len(values)
    nodes, weights = np.polynomial.legendre.leggauss(12)
    total = 0.0
    for i in range(n - 1):
        za, zb = max(z0 + i * step, -Z_RANGE), z0 + (i + 1) * step
        if zb <= za:
            continue
        z = 0.5 * (za + zb) + 0.5 * (zb - za) * nodes
        s = (z - z0) / step
        if interpolation == "cubic":
            k = np.clip(np.floor(s).astype(int), 1, n - 3)
            c = cubic_weights(s - k)
            y = c[0] * values[k - 1] + c[1] * values[k] + c[2] * values[k + 1] + c[3] * values[k + 2]
        else:
            k = np.clip(np.floor(s).astype(int), 0, n - 2)
            t = s - k
            y = (1 - t) * values[k] + t * values[k + 1]
        if clip:
            y = np.maximum(y, 0)
        total += np.sum(0.5 * (zb - za) * weights * y * weight(z))
    return total


def main():
    reference = exact()
    print(f"exact {reference:.15f}")
    print("step     | cubic, cut at 0: zeros beyond / end cells beyond | linear: zeros beyond / end cells beyond")
    for step in [8e-4, 4e-4, 2e-4, 1e-4, 5e-5, 2.5e-5]:
        errors = [model(step, ends, interpolation) / reference - 1
                  for interpolation in ["cubic", "linear"] for ends in ["zero", "end"]]
        print(f"{step:.1e}  | {errors[0]:+.2e} / {errors[1]:+.2e} | {errors[2]:+.2e} / {errors[3]:+.2e}")


if __name__ == "__main__":
    main()
