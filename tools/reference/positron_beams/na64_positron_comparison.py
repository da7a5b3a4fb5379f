#!/usr/bin/env python3
"""Draw darksens' NA64 positron-run limit against NA64's published one:
docs/na64_positron_comparison.png.

    pip install matplotlib numpy
    cargo build --release
    python3 tools/reference/positron_beams/na64_positron_comparison.py [path/to/darksens]

Runs `darksens scan configs/na64_positron.toml` (alpha_D = 0.1, m_chi = m/3) over 150-400 MeV,
with darksens' default physics (bound electrons, radiation) and with the paper idealisation
(electrons at rest, no radiation), and marks seven values of NA64's published exclusion
(PRD 109 (2024) L031103). Those seven values are read from the only public digitisation of the
curve (Na64/NA64e+_2022.csv of GitHub ESPP2026-PPG/Quasi-elastic-DM, commit 4321816); it has no
licence, so the curve itself is not shipped (limits/na64_positron/README.md) and only these
values are quoted, as in docs/validation.md §21 and tests/positron_beam.rs.
"""
import csv
import pathlib
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]

# (m_A' in MeV, eps) quoted from the digitisation, as in docs/validation.md §21.
NA64_QUOTED = [(233.4, 4.79e-4), (245.7, 4.79e-4), (257.6, 4.97e-4), (274.1, 5.19e-4),
               (298.6, 5.41e-4), (309.2, 5.63e-4), (316.4, 6.93e-4)]


def scan(darksens, out, extra):
    args = [darksens, "scan", "configs/na64_positron.toml", "-q", "-o", str(out),
            "--set", "scan.log_range=[150.0, 400.0]", "--set", "scan.points=251",
            "--set", "scan.dense_range=[300.0, 325.0]", "--set", "scan.dense_points=101"]
    for e in extra:
        args += ["--set", e]
    subprocess.run(args, cwd=ROOT, check=True)
    m, eps = [], []
    with open(out / "na64_positron.csv") as f:
        for row in csv.DictReader(f):
            if row["curve"] == "α_D = 0.1" and row["status"] == "ok":
                m.append(float(row["mass_mev"]))
                eps.append(float(row["epsilon_limit"]))
    return m, eps


def main():
    darksens = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target/release/darksens")
    with tempfile.TemporaryDirectory() as tmp:
        realistic = scan(darksens, pathlib.Path(tmp) / "realistic", [])
        paper = scan(darksens, pathlib.Path(tmp) / "paper",
                     ['target.atomic_electrons="at-rest"', "target.initial_state_radiation=false"])
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.plot(*realistic, color="C0", lw=2,
            label="darksens: bound electrons and radiation (shipped config)")
    ax.plot(*paper, color="C0", lw=1.5, ls="--",
            label="darksens: electrons at rest, no radiation")
    ax.plot([m for m, _ in NA64_QUOTED], [e for _, e in NA64_QUOTED], "ks", mfc="none",
            label="NA64 2022 run, published limit (7 values of the digitisation)")
    ax.axvline(319.7, color="grey", lw=0.8, ls=":")
    ax.text(320.5, 3.2e-3, r"$\sqrt{2 m_e E_0}$", color="grey", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlim(150, 400)
    ax.set_ylim(2e-4, 1e-2)
    ax.set_xlabel("$m_{A'}$ (MeV)")
    ax.set_ylabel(r"$\varepsilon$ (90% CL upper limit)")
    ax.set_title(r"NA64, 1.01e10 positrons of 100 GeV, $\alpha_D = 0.1$, $m_\chi = m_{A'}/3$")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    target = ROOT / "docs/na64_positron_comparison.png"
    fig.savefig(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
