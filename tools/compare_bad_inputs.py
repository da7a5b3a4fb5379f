"""Runs every case of the bad-input catalogue (tests/bad_inputs/cases.toml) with two darksens
binaries and compares their exit codes and whole stderr, so that a refactoring is shown to keep
every message, not only the fragments the catalogue asserts.

    python3 tools/compare_bad_inputs.py OLD_BINARY NEW_BINARY

Exit 0 when every case gives the same exit code and the same stderr (scratch paths aside).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "tests" / "bad_inputs"


def slug(name):
    return "".join(c.lower() if c.isascii() and c.isalnum() else "_" for c in name)


def run(binary, case, root):
    work = root / slug(case["name"])
    shutil.rmtree(work, ignore_errors=True)
    inputs, out = work / "inputs", work / "out"
    inputs.mkdir(parents=True)

    def fill(s, scenario):
        return (s.replace("{here}", str(HERE)).replace("{repo}", str(REPO))
                .replace("{scenario}", str(scenario)).replace("{out}", str(out)))

    if "file" in case:
        scenario = HERE / case["file"]
    else:
        text = (HERE / "base.toml").read_text()
        for old, new in case.get("edit", []):
            text = text.replace(old, fill(new, Path("")), 1)
        scenario = inputs / f"{slug(case['name'])}.toml"
        scenario.write_text(text)
    args = [fill(a, scenario) for a in case.get("args", ["scan", "{scenario}", "--out", "{out}"])]
    # Both builds find the repository's library (a build's own default path differs between
    # a worktree and the repository); a case may still set its own.
    env = dict(os.environ, DARKSENS_LIMITS=str(REPO / "limits"))
    env.update({k: fill(v, scenario) for k, v in case.get("env", {}).items()})
    done = subprocess.run([binary, *args], cwd=work, env=env, capture_output=True, timeout=600)
    stderr = done.stderr.decode(errors="replace").replace(str(root), "<root>")
    return done.returncode, re.sub(r"\d+\.\d+ s\b", "<time>", stderr)


def main():
    cases = tomllib.loads((HERE / "cases.toml").read_text())["case"]
    differ = 0
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as bins:
        # Both binaries under the name `darksens`, as usage lines print it.
        old, new = Path(bins, "old", "darksens"), Path(bins, "new", "darksens")
        for link, target in ((old, sys.argv[1]), (new, sys.argv[2])):
            link.parent.mkdir()
            link.symlink_to(Path(target).resolve())
        for case in cases:
            first = run(old, case, Path(a))
            second = run(new, case, Path(a))
            if first != second:
                differ += 1
                print(f"--- {case['name']}\nold: exit {first[0]}\n{first[1]}\nnew: exit {second[0]}\n{second[1]}")
    print(f"{len(cases) - differ} of {len(cases)} bad-input cases give the same exit code and message")
    sys.exit(1 if differ else 0)


main()
