#!/usr/bin/env bash
# Sharded sweeps without Slurm, on the bundled stories260K:
#  1. a shard killed (SIGKILL) mid-run leaves only whole files: merge names the missing cells
#     (exit 2), `--resume` computes just those, and the merged CSV equals the unsharded one;
#  2. `table` and `passkey` split in 2 shards merge to their unsharded outputs byte for byte;
#  3. merge refuses (exit 2, naming the problem) shards of different sweeps and duplicate cells.
#
#   bash tests/shell/shard_resume_test.sh build/extrapolab
set -euo pipefail
bin=$(readlink -f "${1:?usage: shard_resume_test.sh path/to/extrapolab}")
T=$(mktemp -d /tmp/xl_shards.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'echo "FAILED: command at line $LINENO exited $?" >&2' ERR
fail() { echo "FAILED: $*" >&2; exit 1; }
say() { echo "[shards] $*"; }

sweep=(eval --method "none;linear:s=2;ntk:a=2;yarn:s=2,orig=512;abf:base=40000;logn" --lengths 256,512 --windows 2)
"$bin" "${sweep[@]}" --format csv --out "$T/unsharded.csv" 2>/dev/null

# 1. Kill a run once some (not all) of its 12 cells are stored, then resume it.
D=$T/killed
"$bin" "${sweep[@]}" --shard-dir "$D" 2>"$T/killed.log" &
pid=$!
for _ in $(seq 2000); do
  n=$( (cat "$D/eval-shard-0-of-1.jsonl" 2>/dev/null || true) | wc -l)
  [ "$n" -ge 3 ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.01
done
kill -0 $pid 2>/dev/null || fail "the run finished before it could be killed"
kill -9 $pid
wait $pid 2>/dev/null || true
done_cells=$(wc -l <"$D/eval-shard-0-of-1.jsonl")
say "killed pid $pid (SIGKILL) with $done_cells of 12 cells stored; folder: $(ls "$D" | tr '\n' ' ')"
[ "$done_cells" -lt 12 ] || fail "the killed run had already stored every cell"
if ls "$D" | grep -q 'tmp'; then fail "a temporary file was left behind: $(ls "$D")"; fi
rc=0
"$bin" merge "$D" --format csv >/dev/null 2>"$T/merge_killed.err" || rc=$?
[ $rc -eq 2 ] || fail "merge of the killed sweep exited $rc, expected 2"
grep -q "missing $((12 - done_cells)) of 12 cells" "$T/merge_killed.err" || fail "merge did not name the missing cells: $(cat "$T/merge_killed.err")"
say "merge of the killed sweep: $(cat "$T/merge_killed.err")"
"$bin" "${sweep[@]}" --shard-dir "$D" --resume 2>"$T/resume.log"
grep -q "shard 0/1: $((12 - done_cells)) cells to compute of 12" "$T/resume.log" || fail "resume recomputed: $(cat "$T/resume.log")"
say "resume: $(grep 'cells to compute' "$T/resume.log")"
"$bin" merge "$D" --format csv --out "$T/resumed.csv" 2>/dev/null
cmp "$T/unsharded.csv" "$T/resumed.csv" || fail "the resumed sweep differs from the unsharded run"
say "killed + resumed == unsharded, byte for byte"

# 2. table and passkey in 2 shards.
table=(table --factors 1 --windows 1)
"$bin" "${table[@]}" --format csv --out "$T/table.csv" 2>/dev/null
for i in 0 1; do "$bin" "${table[@]}" --shard $i/2 --shard-dir "$T/table" 2>/dev/null; done
"$bin" merge "$T/table" --format csv --out "$T/table_merged.csv" 2>/dev/null
cmp "$T/table.csv" "$T/table_merged.csv" || fail "the merged table differs from the unsharded one"
say "table: 2 shards merged == unsharded ($(grep -vc '^#' "$T/table.csv") CSV lines)"
passkey=(passkey --lengths 256,384 --depths 0,1 --trials 2)
"$bin" "${passkey[@]}" --format csv --out "$T/passkey.csv" 2>/dev/null
for i in 0 1; do "$bin" "${passkey[@]}" --shard $i/2 --shard-dir "$T/passkey" 2>/dev/null; done
"$bin" merge "$T/passkey" --format csv --out "$T/passkey_merged.csv" 2>/dev/null
cmp "$T/passkey.csv" "$T/passkey_merged.csv" || fail "the merged passkey grid differs from the unsharded one"
say "passkey: 2 shards merged == unsharded"

# 3. Conflicts: another --windows in one shard; a cell stored twice.
small=(eval --method "none;linear:s=2" --lengths 256)
"$bin" "${small[@]}" --windows 1 --shard 0/2 --shard-dir "$T/conflict" 2>/dev/null
"$bin" "${small[@]}" --windows 2 --shard 1/2 --shard-dir "$T/conflict" 2>/dev/null
rc=0
"$bin" merge "$T/conflict" >/dev/null 2>"$T/conflict.err" || rc=$?
[ $rc -eq 2 ] && grep -q "differ in sweep.windows (1 vs 2)" "$T/conflict.err" || fail "conflict not named (exit $rc): $(cat "$T/conflict.err")"
say "conflicting shards: $(cat "$T/conflict.err")"
"$bin" "${small[@]}" --windows 1 --shard 1/2 --shard-dir "$T/dup" 2>/dev/null
"$bin" "${small[@]}" --windows 1 --shard 0/1 --shard-dir "$T/dup" 2>/dev/null
rc=0
"$bin" merge "$T/dup" >/dev/null 2>"$T/dup.err" || rc=$?
[ $rc -eq 2 ] && grep -q "cell 1 is in 2 files" "$T/dup.err" || fail "duplicate not named (exit $rc): $(cat "$T/dup.err")"
say "duplicate cells: $(cat "$T/dup.err")"
say "all checks passed"
