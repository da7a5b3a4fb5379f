#!/usr/bin/env python3
"""Time the work users wait for, whole process, against the CPU yardstick T0.

T0 is a pure-Python loop, sum(i*i for i in range(10**7)), timed between the runs, so that the
ratios survive a shared machine's drift (docs/performance.md). Each piece of work is run
`--runs` times (the default scan, being short, five times as often); the medians of wall and
CPU time (user + system of the child) are printed with the median T0 of the session.

    python3 tools/speed_targets.py [--bin target/release/darksens] [--runs 5]

Run it from the repository root after `cargo build --release`. It writes into a temporary
directory and leaves nothing behind.
"""

import argparse
import resource
import statistics
import subprocess
import tempfile
import time

# (name, arguments after the binary, target, its unit: "T0" or "s"). The default scan's target
# is ten times a careful scipy implementation's 0.57 ms per mass, 0.024 s for 421 masses, measured
# at T0 = 0.59 s: 0.041 T0.
WORK = [
    ("scan configs/belle2_dp.toml", ["scan", "configs/belle2_dp.toml"], 0.041, "T0"),
    (
        "the same, --set scan.points=100000",
        ["scan", "configs/belle2_dp.toml", "--set", "scan.points=100000"],
        2.0,
        "T0",
    ),
    (
        "scan configs/belle2_emulsion_splitting.toml",
        ["scan", "configs/belle2_emulsion_splitting.toml"],
        1.0,
        "T0",
    ),
    (
        "generate configs/belle2_rbs.toml --events 100000",
        ["generate", "configs/belle2_rbs.toml", "--events", "100000", "-o", "{out}/events.lhe.gz"],
        1.0,
        "T0",
    ),
    ("reproduce --all --quick", ["reproduce", "--all", "--quick", "-q"], 0.5, "s"),
]


def yardstick() -> float:
    start = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - start


def run(binary: str, args: list, out: str) -> tuple:
    args = [a.replace("{out}", out) for a in args]
    if args[0] == "scan":
        args += ["-o", out, "--no-checkpoint"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    if "-q" not in args:
        args.append("-q")
    subprocess.run([binary, *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="target/release/darksens")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    t0s = [yardstick()]
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for name, args, target, unit in WORK:
            runs = options.runs * (5 if name == WORK[0][0] else 1)
            walls, cpus = [], []
            run(options.bin, args, out)  # warm the file cache
            for k in range(runs):
                wall, cpu = run(options.bin, args, out)
                walls.append(wall)
                cpus.append(cpu)
                if k % 5 == 4:
                    t0s.append(yardstick())
            rows.append((name, statistics.median(walls), statistics.median(cpus), target, unit))
            t0s.append(yardstick())
    t0 = statistics.median(t0s)
    print(f"T0 = {t0:.3f} s (median of {len(t0s)}, range {min(t0s):.3f}-{max(t0s):.3f} s)")
    print("| work | wall | CPU | in T0 | target |")
    print("|---|---|---|---|---|")
    for name, wall, cpu, target, unit in rows:
        met = (wall / t0 if unit == "T0" else wall) <= target
        verdict = "met" if met else "not met"
        print(f"| `{name}` | {wall:.3f} s | {cpu:.3f} s | {wall / t0:.3f} | <= {target} {unit}: {verdict} |")


if __name__ == "__main__":
    main()
