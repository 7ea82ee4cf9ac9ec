#!/usr/bin/env bash
# A long fuzzing campaign (tools/sanitize.sh is the short CI run): every harness at once, each in
# libFuzzer's fork mode with W workers for S seconds, corpora kept in DIR so that a second call
# continues where the first stopped (on this machine or on a bigger one: copy DIR along).
#   tools/fuzz-campaign.sh -s 1800 -w 1 -o out/fuzz gguf pth     # two harnesses, 30 min each
#   XL_FUZZ_BIN=path/to/fuzzers tools/fuzz-campaign.sh -s 540 -w 1 -o DIR   # every harness
# DIR/summary.tsv gets one line per harness and call: wall and CPU seconds (user + system of the
# workers, which is the fuzzing time), executions, coverage, features, corpus size, findings.
# Findings go to DIR/findings/ (reproduce: build-sanitize/fuzz/fuzz_<harness> <file>); the run
# exits 1 when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60 workers=1 dir=out/fuzz-campaign
while getopts "s:w:o:" opt; do
  case $opt in s) seconds=$OPTARG ;; w) workers=$OPTARG ;; o) dir=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
bin="${XL_FUZZ_BIN:-build-sanitize/fuzz}"
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.cpp; do grep -q LLVMFuzzerTestOneInput "$f" && harnesses+=("$(basename "$f" .cpp | sed 's/^fuzz_//')"); done
fi
for h in "${harnesses[@]}"; do
  [ -x "$bin/fuzz_$h" ] || { echo "fuzz-campaign: $bin/fuzz_$h: no such fuzzer (build with tools/sanitize.sh fuzz $h)" >&2; exit 2; }
done
mkdir -p "$dir/findings" "$dir/logs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0"
export XL_FUZZ_SOURCE_DIR="$PWD"   # the harnesses that build a Hugging Face folder read the checkout

one() {  # harness -> one summary line on stdout
  local h=$1 corpus="$dir/corpus/$1" log="$dir/logs/$1.$(date +%s).log"
  if [ ! -d "$corpus" ]; then mkdir -p "$corpus"; cp fuzz/corpus/"$h"/* "$corpus"/; fi
  local t0; t0=$(date +%s.%N)
  # A subshell whose `times` reports its children's CPU: the fork-mode parent and its workers.
  local cpu rc
  cpu=$( ( set +e; "$bin/fuzz_$h" "$corpus" -fork="$workers" -max_total_time="$seconds" -timeout=10 \
             -rss_limit_mb=2048 -malloc_limit_mb=2048 -artifact_prefix="$dir/findings/$h-" >"$log" 2>&1
           echo "rc=$?" >>"$log"; times ) | tail -1 | awk '{ for (i = 1; i <= 2; i++) { split($i, a, "m"); s += a[1] * 60 + a[2] } } END { printf "%.0f", s }')
  rc=$(grep -oE '^rc=[0-9]+' "$log" | tail -1 | cut -d= -f2)
  local wall; wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  # Fork mode's status lines: "#EXECS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: o/t/c time: Ts ..."
  local last; last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1)
  local execs cov ft corp bad
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$last")
  ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")
  corp=$(ls "$corpus" | wc -l)
  bad=$(sed -E 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/' <<<"$last")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$workers" "$wall" "$cpu" "${execs:-0}" "${cov:-0}" "${ft:-0}" "$corp" "${bad:-?}" "$rc"
}
export -f one
export bin dir seconds workers
[ -f "$dir/summary.tsv" ] || printf 'harness\tworkers\twall_s\tcpu_s\texecs\tcov\tft\tcorpus\toom/timeout/crash\trc\n' >"$dir/summary.tsv"
printf '%s\n' "${harnesses[@]}" | xargs -P "${#harnesses[@]}" -I{} bash -c 'one "$@"' _ {} | tee -a "$dir/summary.tsv"
if ls "$dir/findings"/* >/dev/null 2>&1; then
  echo "fuzz-campaign: findings:"; ls "$dir/findings" | sed 's/^/  /'; exit 1
fi
