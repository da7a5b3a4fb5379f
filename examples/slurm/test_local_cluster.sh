#!/bin/bash
# A real Slurm cluster on this machine: installs Slurm and MUNGE from the distribution's packages
# if needed, starts a single-node cluster on localhost, runs a sharded darksens scan as a job
# array (sbatch --wait), merges it with merge.sbatch, and checks that the CSV and PNG are
# byte-identical to a single-process scan.
#
#   examples/slurm/test_local_cluster.sh [path/to/darksens]
#
# Exit codes: 0 passed, 1 failed, 3 this machine cannot run a cluster (not root, no apt, daemons
# that do not start): the reason is printed. keep=1 keeps the cluster's directory (logs, outputs).
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
darksens="${1:-$repo/target/release/darksens}"
here="$repo/examples/slurm"
cannot() { echo "cannot run a local Slurm cluster here: $*" >&2; exit 3; }
fail() { echo "FAILED: $*" >&2; exit 1; }

[ -x "$darksens" ] || fail "no darksens binary at $darksens (cargo build --release first)"
[ "$(id -u)" -eq 0 ] || cannot "not root (the daemons need it)"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || cannot "slurm-wlm is not installed and there is no apt-get"
    echo "installing slurm-wlm and munge (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/tmp/darksens-slurm-apt.log 2>&1 ||
        cannot "apt-get install slurm-wlm munge failed (log: /tmp/darksens-slurm-apt.log)"
fi

work="$(mktemp -d /tmp/darksens-slurm.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
    scancel --user=root >/dev/null 2>&1 || true
    for pid in "${pids[@]}"; do kill "$pid" >/dev/null 2>&1 || true; done
    sleep 1
    [ -n "${keep:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# MUNGE authenticates the daemons and the clients.
if ! pgrep -x munged >/dev/null; then
    [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key 2>/dev/null; chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged || cannot "munged does not start"
fi
munge -n | unmunge >/dev/null 2>&1 || cannot "MUNGE credentials do not verify"

host="$(hostname -s)"
cpus="$(nproc)"
mkdir -p "$work/state" "$work/spool"
cat >"$work/slurm.conf" <<CONF
ClusterName=darksens-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

slurmctld -D -i >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D >"$work/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
    state="$(sinfo -h -N -o %t 2>/dev/null | head -1)"
    [ "$state" = "idle" ] && break
    sleep 1
done
if [ "${state:-}" != "idle" ]; then
    tail -5 "$work/slurmctld.log" "$work/slurmd.log" "$work/slurmctld.out" "$work/slurmd.out" >&2 2>/dev/null
    cannot "the node did not come up (state '${state:-none}')"
fi
echo "cluster up: node $host, $cpus CPUs"

cd "$repo"
set=(--set scan.points=60 --set scan.dense_points=31)
shards=3
out="$work/sharded"
mkdir -p "$out"
export DARKSENS="$darksens"
sbatch --wait --chdir="$repo" --output="$work/task-%a.out" --cpus-per-task=1 \
    --array=1-$shards "$here/scan_array.sbatch" configs/belle2_dp.toml "$out" "${set[@]}" ||
    { cat "$work"/task-*.out >&2; fail "the job array failed"; }
sbatch --wait --chdir="$repo" --output="$work/merge.out" \
    "$here/merge.sbatch" "$out" belle2_dp "$shards" ||
    { cat "$work/merge.out" >&2; fail "the merge job failed"; }

single="$work/single"
"$darksens" scan configs/belle2_dp.toml --out "$single" --quiet --no-checkpoint "${set[@]}" ||
    fail "the single-process scan failed"
for ext in csv png; do
    cmp "$out/belle2_dp.$ext" "$single/belle2_dp.$ext" ||
        fail "belle2_dp.$ext from $shards Slurm tasks differs from a single-process run"
done
echo "ok: $shards Slurm array tasks merged give the same CSV and PNG bytes as one process"

# submit.sh as a user runs it, on a scenario whose [output] names its CSV itself (the shard files
# and the merge follow the CSV's name, not the scenario file's).
renamed="$work/renamed.toml"
grep -q '^\[output\]' configs/belle2_dp.toml && fail "configs/belle2_dp.toml has an [output] table now: name the CSV in it"
{ cat configs/belle2_dp.toml; printf '\n[output]\ncsv = "renamed_limits.csv"\n'; } >"$renamed"
submitted="$work/submitted"
(cd "$work" && "$here/submit.sh" "$renamed" "$submitted" "$shards" "${set[@]}") || fail "submit.sh failed"
for _ in $(seq 300); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h 2>/dev/null)" ] || fail "the jobs submit.sh queued did not finish in 300 s"
cmp "$submitted/renamed_limits.csv" "$single/belle2_dp.csv" ||
    { cat "$work"/darksens-*.out >&2 2>/dev/null; fail "submit.sh's scan and merge did not give the single-process CSV"; }
echo "ok: submit.sh's job array and merge follow the CSV's own name"
