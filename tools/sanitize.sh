#!/usr/bin/env bash
# The sanitizer step of CI (after tools/test.sh): builds core, the CLI, the unit tests and the
# libFuzzer harnesses with clang under AddressSanitizer + UndefinedBehaviorSanitizer into
# build-sanitize/, runs the unit tests once (not the GPU-heavy or GUI ones), then each fuzzer for
# XL_FUZZ_SECONDS (default 60) from its committed corpus, two at a time. Any sanitizer report,
# crash, leak, timeout or out-of-memory fails the run; the reproducer's path is printed as
# "FINDING: <harness>: <path>" (reproduce: build-sanitize/fuzz/fuzz_<harness> <path>).
#   tools/sanitize.sh            # everything
#   tools/sanitize.sh fuzz gguf  # only the given harnesses (no unit tests)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${XL_FUZZ_SECONDS:-60}"
jobs="${XL_FUZZ_JOBS:-2}"
build=build-sanitize

need=(clang libclang-rt-14-dev)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

start=$(date +%s)
stamp() { echo "sanitize: $1 ($(( $(date +%s) - start )) s)"; }

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 \
  -DCMAKE_CXX_COMPILER=clang++ -DXL_FUZZ=ON -DXL_BUILD_APP=OFF "${launcher[@]}" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0"

mode="${1:-all}"
if [ "$mode" != "fuzz" ]; then
  cmake --build "$build" -j"$(nproc)" --target xltests extrapolab
  stamp "built the unit tests"
  # Unit tests: everything but the Vulkan/GUI/CLI-process and real-model peer files (GPU drivers are not ours to
  # sanitize, and CLI tests would only re-run the same code in a child process).
  "$build"/tests/xltests --source-file-exclude='*test_gpu_*,*test_app_*,*test_cli_*,*test_session_*,*test_io_atomic_kill*,*test_peers_*' \
    --test-case-exclude='*GPU*,*gpu*' --no-intro=true
  stamp "unit tests passed under ASan + UBSan"
fi

harnesses=()
if [ "$mode" = "fuzz" ] && [ $# -gt 1 ]; then
  shift; harnesses=("$@")
else
  # Every fuzz/fuzz_*.cpp that defines a harness (fuzz_common.cpp and fuzz_folder.cpp are helpers).
  for f in fuzz/fuzz_*.cpp; do grep -q LLVMFuzzerTestOneInput "$f" && harnesses+=("$(basename "$f" .cpp | sed 's/^fuzz_//')"); done
fi
targets=(); for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
stamp "built ${#targets[@]} fuzzers"

findings="$build/fuzz-findings"
mkdir -p "$findings"
run_one() {  # harness -> log in $build/fuzz-logs/<harness>.log; exit status 1 on a finding
  local h=$1 work="$build/fuzz-work/$1" log="$build/fuzz-logs/$1.log"
  mkdir -p "$work" "$(dirname "$log")"
  if "$build/fuzz/fuzz_$h" "$work" "fuzz/corpus/$h" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$findings/$h-" >"$log" 2>&1; then
    echo "fuzz $h: $(grep -E '^#[0-9]+.*DONE' "$log" | tail -1 | sed 's/ *$//') $(grep stat::number_of_executed_units "$log" | awk '{print "execs="$2}')"
  else
    echo "FINDING: $h: $(grep -oE "(Test unit written to|artifact_prefix.*Test unit written to) [^ ]+" "$log" | awk '{print $NF}' | tail -1)"
    grep -E "ERROR: |SUMMARY: |runtime error|==[0-9]+==" "$log" | head -5 | sed "s/^/  $h: /"
    return 1
  fi
}
export -f run_one
export build seconds findings
if printf '%s\n' "${harnesses[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}; then
  stamp "fuzzers ran ${seconds} s each without findings"
else
  stamp "fuzzing found faults (reproducers above)"
  exit 1
fi
