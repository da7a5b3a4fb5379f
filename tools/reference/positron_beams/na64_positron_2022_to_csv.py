#!/usr/bin/env python3
"""Convert the NA64 e+ 2022 digitisation (Na64/NA64e+_2022.csv of ESPP2026-PPG/Quasi-elastic-DM)
into the limit-library format `mass_gev,epsilon` with strictly increasing masses.

The input is NOT shipped with darksens: that repository carries no licence (see
limits/na64_positron/README.md). Run this only on a copy you are allowed to use:

    python3 na64_positron_2022_to_csv.py NA64e+_2022.csv NA64_positron2022.csv

Input: no header, two comma-separated columns, m_A' [GeV] and eps (invisible dark photon).
What the conversion does, and why:
  1. drops the last row (0.0829 GeV, 1.60e-3): it lies far off the curve and after the
     resonance points; the repository's own notebook drops it too (`[:-1]`);
  2. keeps the rows below the resonance minimum as they are (their masses already increase);
  3. on the steep high-mass edge of the resonance dip (masses above the minimum, where the
     digitised points are out of order and some masses repeat) keeps the conservative upper
     envelope: points are taken in increasing mass (equal masses: larger eps first) and a point
     is kept only if its eps exceeds that of the last kept point. This never claims more
     exclusion than any digitised point, and makes the masses strictly increasing.
No unit conversion is needed: the masses are already in GeV.
"""
import hashlib
import sys

EXPECTED_SHA256 = "2d6787dff458b551977b15eb227bfc7397e401ca73260cd288af05cc9a9e2d42"


def read_rows(path):
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != EXPECTED_SHA256:
        print(f"warning: sha256 {digest} differs from the file documented ({EXPECTED_SHA256})",
              file=sys.stderr)
    rows = []
    for line in raw.decode().splitlines():
        if line.strip():
            m, e = line.split(",")
            rows.append((float(m), float(e)))
    return rows


def convert(rows):
    rows = rows[:-1]  # step 1
    i_min = min(range(len(rows)), key=lambda i: rows[i][1] if rows[i][0] > 0.2 else float("inf"))
    m_min = rows[i_min][0]
    left = [r for r in rows if r[0] <= m_min]
    left.sort()
    for a, b in zip(left, left[1:]):
        if not b[0] > a[0]:
            raise ValueError(f"unexpected repeated mass below the resonance minimum: {a} {b}")
    right = sorted((r for r in rows if r[0] > m_min), key=lambda r: (r[0], -r[1]))
    out = list(left)
    for m, e in right:  # step 3
        if m > out[-1][0] and e > out[-1][1]:
            out.append((m, e))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out = convert(read_rows(sys.argv[1]))
    with open(sys.argv[2], "w") as f:
        f.write("mass_gev,epsilon\n")
        for m, e in out:
            f.write(f"{m:.6e},{e:.6e}\n")
    print(f"{len(out)} points, {out[0][0]:.4g}-{out[-1][0]:.4g} GeV", file=sys.stderr)


if __name__ == "__main__":
    main()
