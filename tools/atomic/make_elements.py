#!/usr/bin/env python3
"""
Writes data/atomic/elements.csv: symbol, atomic number and molar mass of the elements Z = 1-92,
which darksens reads (embedded in the binary) to resolve a user-defined material's composition
(`[[material]] composition = { Si = 1, O = 2 }`) into nuclei for the radiation length (Tsai's
formula), the electron and nucleus densities and the bremsstrahlung flux.

Source: the `periodictable` package (PyPI, version 2.1.0, public domain; P. Kienzle, NIST),
`periodictable.elements[Z].mass`, which is the IUPAC abridged standard atomic weight
(T. Prohaska et al., "Standard atomic weights of the elements 2021", Pure Appl. Chem. 94 (2022)
573, DOI 10.1515/pac-2019-0603). Elements without a standard atomic weight (Tc, Pm, Po, At, Rn,
Fr, Ra, Ac) carry the mass number of their longest-lived isotope, flagged `longest_lived_isotope`.

Run:  python3 -m venv /tmp/el && /tmp/el/bin/pip install periodictable==2.1.0 \
      && /tmp/el/bin/python tools/atomic/make_elements.py
"""
import pathlib

import periodictable

EXPECTED_VERSION = "2.1.0"
Z_MAX = 92
# Elements whose `mass` is not a standard atomic weight (no stable isotope, no characteristic
# terrestrial composition): periodictable gives the longest-lived isotope's mass number.
NO_STANDARD_WEIGHT = {"Tc", "Pm", "Po", "At", "Rn", "Fr", "Ra", "Ac"}


def main() -> None:
    if periodictable.__version__ != EXPECTED_VERSION:
        raise SystemExit(
            f"periodictable {periodictable.__version__} installed; this table was made with "
            f"{EXPECTED_VERSION} (pip install periodictable=={EXPECTED_VERSION})"
        )
    out = pathlib.Path(__file__).resolve().parents[2] / "data" / "atomic" / "elements.csv"
    rows = ["Z,symbol,name,atomic_weight_g_mol,weight_kind"]
    for z in range(1, Z_MAX + 1):
        element = periodictable.elements[z]
        kind = (
            "longest_lived_isotope"
            if element.symbol in NO_STANDARD_WEIGHT
            else "iupac_2021_abridged"
        )
        rows.append(f"{z},{element.symbol},{element.name},{element.mass:.6g},{kind}")
    out.write_text("\n".join(rows) + "\n")
    print(f"wrote {out} ({Z_MAX} elements)")


if __name__ == "__main__":
    main()
