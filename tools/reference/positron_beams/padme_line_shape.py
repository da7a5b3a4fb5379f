#!/usr/bin/env python3
"""Draw darksens' X17 line shape against PADME's expected signal: docs/padme_x17_line_shape.png.

    pip install matplotlib numpy
    cargo build --release
    python3 tools/reference/positron_beams/padme_line_shape.py [path/to/darksens]

Runs `darksens scan configs/padme_x17.toml` (g_ve = 1e-3, m = 17 MeV) at 0.1 MeV steps with a
0.5% beam spread, with and without the radiation of the pair, and draws beside it:

  * PADME's expected signal with carbon's Compton profiles at the same beam spread: the 16 points
    of the signal-model figure of the PADME Run III analysis (figure macro
    plotmaking/signalMacro.C of github.com/tommasoSpadaro/PADMERunIIISensitivity, commit 6b10a6e,
    "BES = 0.005, from [12]", 5% error bars). That repository has no licence; the values are
    quoted here as reference numbers, as in tests/thin_target.rs.
  * PADME's signal model used in its statistical analysis (statConfig.C of the same repository):
    g_ve^2 x 13.56 per MeV of beam energy times a unit-area Voigt profile in E_beam - E_res, with
    Lorentzian half width 1.72 MeV (the electrons' motion) and Gaussian sigma = spread x E_res,
    E_res = (M^2 - 2 m_e^2) / (2 m_e).

The numbers behind the figure are in docs/validation.md §22.
"""
import csv
import pathlib
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
M_E_MEV = 0.51099895

PADME_BEAM_MEV = [274.486, 275.7399, 278.0296, 279.7196, 280.919, 282.2274, 282.9361, 283.5358,
                  283.9174, 284.5171, 285.3894, 285.7165, 286.5343, 288.1698, 290.1324, 291.877]
PADME_SIGNAL_PER_POT = [1.442496e-07, 1.96416e-07, 4.479024e-07, 1.004291e-06, 1.508302e-06,
                        1.739074e-06, 1.675802e-06, 1.518018e-06, 1.370794e-06, 1.107938e-06,
                        7.9244e-07, 6.767728e-07, 4.348432e-07, 2.136992e-07, 1.290432e-07,
                        7.59968e-08]


def voigt(x, sigma, gamma, n=4001):
    """Unit-area Voigt profile at x (numerical convolution of a Lorentzian and a Gaussian)."""
    t = np.linspace(-8 * sigma, 8 * sigma, n)
    gauss = np.exp(-0.5 * (t / sigma) ** 2)
    gauss /= np.trapezoid(gauss, t)
    lorentz = gamma / np.pi / ((x[:, None] - t[None, :]) ** 2 + gamma ** 2)
    return np.trapezoid(lorentz * gauss[None, :], t, axis=1)


def padme_model(e_beam_mev, g_ve=1e-3, spread=0.005, mass_mev=17.0):
    e_res = (mass_mev ** 2 - 2 * M_E_MEV ** 2) / (2 * M_E_MEV)
    return g_ve ** 2 * 13.56 * voigt(e_beam_mev - e_res, spread * e_res, 1.72)


def scan(darksens, out, radiation):
    subprocess.run([darksens, "scan", "configs/padme_x17.toml", "-q", "-o", str(out),
                    "--set", "source.energy_spread=0.005",
                    "--set", f"target.initial_state_radiation={str(radiation).lower()}",
                    "--set", "scan.points=341"], cwd=ROOT, check=True)
    e, y = [], []
    with open(out / "padme_x17.csv") as f:
        rows = list(csv.DictReader(f))
    # The first curve of the config, g_ve = 1e-3 (labelled "g_ve = 10^-3"): by position, so
    # that a new label does not empty the figure.
    first = rows[0]["curve"]
    for row in rows:
        if row["curve"] == first:
            e.append(float(row["source.beam_energy_gev"]) * 1e3)
            y.append(float(row["signal_per_pot_at_g_ve"]))
    return np.array(e), np.array(y)


def main():
    darksens = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target/release/darksens")
    with tempfile.TemporaryDirectory() as tmp:
        e, bare = scan(darksens, pathlib.Path(tmp) / "bare", radiation=False)
        _, radiating = scan(darksens, pathlib.Path(tmp) / "radiating", radiation=True)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.plot(e, bare * 1e6, color="C0", lw=2,
            label="darksens: Compton profiles (free-atom HF), no radiation")
    ax.plot(e, radiating * 1e6, color="C0", lw=1.5, ls="--",
            label="darksens: the same with the pair's radiation")
    ax.plot(e, padme_model(e) * 1e6, color="C3", lw=1.5, ls=":",
            label="PADME analysis model: Voigt, area 13.56 g$^2$, $\\Gamma/2$ = 1.72 MeV")
    p = np.array(PADME_SIGNAL_PER_POT)
    ax.errorbar(PADME_BEAM_MEV, p * 1e6, yerr=0.05 * p * 1e6, fmt="o", mfc="none",
                color="k", capsize=2, label="PADME expected signal (Compton profile), 5% bars")
    ax.set_xlim(262, 296)
    ax.set_ylim(0, None)
    ax.set_xlabel("beam energy $E_0$ (MeV)")
    ax.set_ylabel("X17 per positron on target ($10^{-6}$)")
    ax.set_title("X17 (17 MeV, $g_{ve} = 10^{-3}$) on 100 µm diamond, 0.5% beam spread")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    target = ROOT / "docs/padme_x17_line_shape.png"
    fig.savefig(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
