#!/usr/bin/env bash
# A real single-node Slurm (Debian's slurmctld + slurmd on localhost, munge for authentication)
# runs tools/slurm/sweep.sbatch as a 4-task job array over a small stories260K eval sweep; the
# merged CSV must equal the unsharded run's CSV byte for byte. Everything (slurm.conf, munge key
# and socket, state, spool, logs) lives in a temporary folder; every daemon started here is
# stopped at the end, on failure too.
#
#   bash tests/shell/slurm_sweep_test.sh build/extrapolab      # by hand; ctest runs the same
# XL_KEEP_TMP=1 keeps the temporary folder.
set -euo pipefail
bin=$(readlink -f "${1:?usage: slurm_sweep_test.sh path/to/extrapolab}")
src=$(cd "$(dirname "$0")/../.." && pwd)
start=$(date +%s)
log() { echo "[slurm-test +$(($(date +%s) - start))s] $*"; }
fail() { echo "[slurm-test] FAILED: $*" >&2; exit 1; }

for tool in munged munge slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$tool" >/dev/null || fail "$tool not found: install Debian's slurm-wlm and munge (tools/install-deps.sh)"
done

T=$(mktemp -d /tmp/xl_slurm.XXXXXX)
chmod 755 "$T"
cleanup() {
  local rc=$?
  for pidfile in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ $rc -ne 0 ]; then
    for f in "$T"/log/*.log; do [ -f "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }; done
  fi
  if [ -z "${XL_KEEP_TMP:-}" ]; then rm -rf "$T"; else echo "[slurm-test] kept $T"; fi
  log "daemons stopped"
  exit $rc
}
trap cleanup EXIT
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/out"
chmod 700 "$T/munge"

# Two free TCP ports on the loopback interface.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free TCP port found"
}
ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))

# munge: own key, socket, pid, seed and log in the temporary folder.
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
socket=$T/munge/munge.socket
munged --force --socket="$socket" --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" \
  --seed-file="$T/munge/munged.seed" --log-file="$T/log/munged.log" \
  || fail "munged could not start (see $T/log/munged.log)"
munge -S "$socket" -n | unmunge -S "$socket" >/dev/null || fail "munge cannot encode/decode a credential"
log "munged up (socket $socket)"

user=$(id -un)
cat >"$T/slurm.conf" <<CONF
ClusterName=xltest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=$user
SlurmdUser=$user
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=localhost CPUs=$(nproc) State=UNKNOWN
PartitionName=xl Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$T/slurm.conf
slurmctld -f "$SLURM_CONF" || fail "slurmctld could not start (see $T/log/slurmctld.log)"
slurmd -f "$SLURM_CONF" -N localhost || fail "slurmd could not start (see $T/log/slurmd.log)"
for i in $(seq 100); do
  state=$(sinfo -h -N -o %T 2>/dev/null || true)
  [ "$state" = "idle" ] && break
  [ "$i" -eq 100 ] && fail "the Slurm node never became idle (state '$state'); the daemons cannot run here"
  sleep 0.2
done
log "slurmctld (port $ctld_port) and slurmd (port $slurmd_port) up; node localhost idle"

# The sweep: 4 methods x 2 lengths on stories260K, 2 windows per cell = 8 cells.
sweep=(eval --method "none;linear:s=2;ntk:a=2;yarn:s=2,orig=512" --lengths 256,512 --windows 2)
"$bin" "${sweep[@]}" --format csv --out "$T/out/unsharded.csv" 2>"$T/log/unsharded.log" \
  || fail "the unsharded run failed: $(tail -n 3 "$T/log/unsharded.log")"
log "unsharded reference written ($(grep -vc '^#' "$T/out/unsharded.csv") CSV lines)"

cd "$T/out"
job=$(SBATCH_GRES=none XL_BIN="$bin" XL_SHARD_DIR="$T/out/shards" \
  sbatch --parsable --array=0-3 --output="$T/out/slurm-%A_%a.out" "$src/tools/slurm/sweep.sbatch" "${sweep[@]}") \
  || fail "sbatch refused the job array"
log "submitted job array $job (sbatch --array=0-3 tools/slurm/sweep.sbatch ${sweep[*]})"
for i in $(seq 750); do
  left=$(squeue -h -j "$job" -o "%i %T" 2>/dev/null || true)
  [ -z "$left" ] && break
  [ "$i" -eq 750 ] && fail "the job array did not finish within 150 s: $left"
  sleep 0.2
done
log "job array finished"
scontrol -o show job "$job" | while read -r record; do
  echo "  $(grep -Eo '(^| )(JobId|ArrayTaskId|JobState|ExitCode|RunTime|NodeList)=[^ ]+' <<<"$record" | tr '\n' ' ')"
done
bad=$(scontrol -o show job "$job" | grep -Eo 'JobState=[A-Z_]+' | grep -vc 'JobState=COMPLETED' || true)
for f in "$T"/out/slurm-*.out; do echo "--- $(basename "$f")"; sed 's/^/  /' "$f"; done
[ "$bad" -eq 0 ] || fail "$bad array task(s) did not complete"

"$bin" merge "$T/out/shards" --format csv --out "$T/out/merged.csv" || fail "merge failed"
log "merged $(ls "$T"/out/shards/*.jsonl | wc -l) shard files into merged.csv"
cmp "$T/out/unsharded.csv" "$T/out/merged.csv" || { diff "$T/out/unsharded.csv" "$T/out/merged.csv" | head -20; \
  fail "the merged CSV differs from the unsharded run"; }
log "merged CSV == unsharded CSV, byte for byte ($(wc -c <"$T/out/merged.csv") bytes)"
