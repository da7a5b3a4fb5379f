#!/usr/bin/env bash
# Byte-for-byte comparison of what two darksens builds write for every shipped scenario: the scan
# outputs (CSV, PNG, SVG, JSON sidecar), `explain --json` at representative points, `check --print`
# and `plot`. Only the fields that record the run itself (darksens_version, wall_time_s) are
# blanked in the sidecars before comparing.
#
#   tools/compare_outputs.sh BASE_REV              # build BASE_REV in a worktree, compare with HEAD's build
#   tools/compare_outputs.sh --binaries OLD NEW    # compare two binaries already built
#
# Used to show that a refactoring changes no output (docs/architecture.md). Exit 0 when identical.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

if [ "${1:-}" = "--binaries" ]; then
    old="$(realpath "$2")"; new="$(realpath "$3")"
else
    base="${1:?usage: tools/compare_outputs.sh BASE_REV | --binaries OLD NEW}"
    work="$(mktemp -d)"
    trap 'git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    git worktree add --detach "$work/base" "$base" >/dev/null
    echo "building $base ..."
    (cd "$work/base" && CARGO_TARGET_DIR="$repo/target/compare-base" cargo build --release --quiet)
    old="$repo/target/compare-base/release/darksens"
    echo "building HEAD ..."
    cargo build --release --quiet
    new="$repo/target/release/darksens"
fi

run_all() { # binary outdir
    local bin="$1" dir="$2"
    mkdir -p "$dir"
    cp -r "$repo/configs" "$repo/limits" "$repo/tests" "$repo/data" "$dir/" 2>/dev/null || true
    (
        cd "$dir"
        export DARKSENS_CACHE="$dir/cache" DARKSENS_LIMITS=limits
        for config in configs/*.toml; do
            name="$(basename "$config" .toml)"
            "$bin" scan "$config" --out "out/$name" --threads 2 --no-checkpoint --quiet
            "$bin" check "$config" --print > "out/$name.check.txt"
        done
        for config in configs/belle2_dp.toml configs/belle2_dp_paper.toml configs/belle2_scalar.toml \
                      configs/belle2_control_electron.toml configs/belle2_rbs.toml; do
            name="$(basename "$config" .toml)"
            for m in 1.0 30.0 66.72 80.0 300.0; do
                "$bin" explain "$config" --mass-mev "$m" --json > "out/$name.explain.$m.json"
                "$bin" explain "$config" --mass-mev "$m" > "out/$name.explain.$m.txt"
            done
        done
        for m in 230.0 260.0 320.0; do
            "$bin" explain configs/na64_dp.toml --mass-mev "$m" --json > "out/na64_dp.explain.$m.json"
        done
        for config in configs/*emulsion*.toml; do
            name="$(basename "$config" .toml)"
            "$bin" explain "$config" --json > "out/$name.explain.json"
            "$bin" explain "$config" > "out/$name.explain.txt"
        done
        "$bin" scan configs/belle2_dp_alphad.toml --set 'scan.log_range=[1e-4,1.0]' \
            --set scan.points=9 --set model.mass_mev=66.7 --out out/alpha_scan --threads 2 --no-checkpoint --quiet
        "$bin" plot out/belle2_dp/belle2_dp.csv out/belle2_scalar/belle2_scalar.csv -o out/plot_two.png > /dev/null
        "$bin" plot out/belle2_dp/belle2_dp.csv -o out/plot_one.svg > /dev/null
        "$bin" list > out/list.txt
        find out -name '*.meta.json' -print0 | while IFS= read -r -d '' f; do
            sed -i -E 's/"(darksens_version|wall_time_s)": [^,]*(,?)$/"\1": null\2/' "$f"
        done
    )
}

status=0
python3 "$repo/tools/compare_bad_inputs.py" "$old" "$new" || status=1
tmp="$(mktemp -d)"
echo "running the old build ..."
run_all "$old" "$tmp/old"
echo "running the new build ..."
run_all "$new" "$tmp/new"
if diff -r -q "$tmp/old/out" "$tmp/new/out"; then
    echo "identical: $(find "$tmp/new/out" -type f | wc -l) files"
    rm -rf "$tmp"
else
    echo "outputs differ (kept in $tmp/old/out and $tmp/new/out)"
    status=1
fi
exit "$status"
