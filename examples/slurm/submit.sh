#!/bin/bash
# Submits a sharded darksens scan and its merge to Slurm.
#
#   examples/slurm/submit.sh SCENARIO OUTDIR SHARDS [darksens scan options]
#
# e.g. examples/slurm/submit.sh configs/belle2_dp.toml results/ 8 --set model.alpha_d=0.1
# Set DARKSENS to the binary's path if it is not on PATH on the compute nodes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scenario="$1"
out="$2"
shards="$3"
shift 3
if ! [[ "$shards" =~ ^[0-9]+$ ]] || ((shards < 2)); then
    echo "submit.sh: SHARDS must be a whole number of at least 2 (for one, run darksens scan in one job)" >&2
    exit 2
fi
# The shard files are named after the scenario's CSV (its [output] csv, which a --set may
# change): darksens says which, and refuses an invalid scenario before anything is submitted.
sets=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
    --set) sets+=(--set "${args[i + 1]:-}") && i=$((i + 1)) ;;
    --set=*) sets+=("${args[i]}") ;;
    esac
done
csv="$("${DARKSENS:-darksens}" check --quiet --outputs "$scenario" ${sets[@]+"${sets[@]}"} | sed -n 1p)"
name="$(basename "$csv" .csv)"
array=$(sbatch --parsable --array=1-"$shards" "$here/scan_array.sbatch" "$scenario" "$out" "$@")
merge=$(sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch" "$out" "$name" "$shards")
echo "scan array job $array ($shards tasks), merge job $merge; results in $out"
