#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) seconds, seeded from the shipped scenarios and
# limit files. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(scenario limit_file spectrum_files)

mkdir -p corpus/scenario corpus/limit_file corpus/spectrum_files
cp ../configs/*.toml corpus/scenario/
find ../tests/bad_inputs -name '*.toml' -exec cp {} corpus/scenario/ \; 2>/dev/null || true
cp ../limits/darkcast/original/*.lmt corpus/limit_file/
mkdir -p corpus/spectrum_files
for f in ../tests/bad_inputs/files/*.lhe; do { printf '\001'; cat "$f"; } > "corpus/spectrum_files/$(basename "$f")"; done
for f in ../tests/bad_inputs/files/spectrum_*.csv; do { printf '\000'; cat "$f"; } > "corpus/spectrum_files/$(basename "$f")"; done

# Exit code 3: the targets do not build here (a toolchain problem, not a finding).
if ! cargo +nightly fuzz build -O >/tmp/darksens-fuzz-build.log 2>&1; then
    tail -20 /tmp/darksens-fuzz-build.log >&2
    echo "cannot build the fuzz targets (log above)" >&2
    exit 3
fi

for target in "${targets[@]}"; do
    echo "fuzzing $target for $seconds s"
    log="$(mktemp)"
    status=0
    cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|SUMMARY)|panicked|ERROR" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -40 "$log" >&2
        echo "fuzz target $target FAILED (exit $status); the crashing input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
