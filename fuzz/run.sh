#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) seconds, seeded from the shipped scenarios,
# limit files, spectrum tables and event files, with libFuzzer's memory limit at 2 GB (an input
# that makes darksens hold more is a finding). Needs cargo-fuzz (`cargo install cargo-fuzz`) and
# a nightly compiler: FUZZ_TOOLCHAIN (default +nightly; .ci/run may use +stable with
# RUSTC_BOOTSTRAP=1). The targets are built first: a build failure is a failure.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(scenario limit_file spectrum_files checkpoint)

mkdir -p corpus/scenario corpus/limit_file corpus/spectrum_files corpus/checkpoint
cp ../configs/*.toml corpus/scenario/
find ../tests/bad_inputs -name '*.toml' -exec cp {} corpus/scenario/ \; 2>/dev/null || true
cp ../limits/darkcast/original/*.lmt ../tests/bad_inputs/files/*.lmt corpus/limit_file/
mkdir -p corpus/spectrum_files
for f in ../tests/bad_inputs/files/*.lhe; do { printf '\001'; cat "$f"; } > "corpus/spectrum_files/$(basename "$f")"; done
for f in ../tests/bad_inputs/files/spectrum_*.csv; do { printf '\000'; cat "$f"; } > "corpus/spectrum_files/$(basename "$f")"; done
cp ../tests/fixtures/checkpoints/*.jsonl corpus/checkpoint/

toolchain="${FUZZ_TOOLCHAIN:-+nightly}"
if ! cargo "$toolchain" fuzz build -O >/tmp/darksens-fuzz-build.log 2>&1; then
    tail -20 /tmp/darksens-fuzz-build.log >&2
    echo "the fuzz targets do not build (log above)" >&2
    exit 1
fi

for target in "${targets[@]}"; do
    echo "fuzzing $target for $seconds s"
    log="$(mktemp)"
    status=0
    cargo "$toolchain" fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|SUMMARY)|panicked|ERROR" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -40 "$log" >&2
        echo "fuzz target $target FAILED (exit $status); the crashing input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
