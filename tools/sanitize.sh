#!/usr/bin/env bash
# The sanitizer step of CI (after tools/test.sh): builds core, the unit tests and the
# libFuzzer harnesses with clang under AddressSanitizer + UndefinedBehaviorSanitizer into
# build-sanitize/ (reusing the SPIR-V of build/), then runs the unit tests once (not the GPU-heavy or
# GUI ones) and each fuzzer for XL_FUZZ_SECONDS (default 60) from its committed corpus, as one pool of
# XL_FUZZ_JOBS (default 2) jobs. Any sanitizer report,
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
# The SPIR-V of the normal build (tools/test.sh made it) serves here too: brought up to date first.
shaders=()
if [ -f build/build.ninja ]; then
  cmake --build build --target xlshaders >/dev/null
  shaders=(-DXL_PREBUILT_SHADERS="$PWD/build/generated/shaders")
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 \
  -DCMAKE_CXX_COMPILER=clang++ -DXL_FUZZ=ON -DXL_BUILD_APP=OFF -DXL_TESTS_UNIT_ONLY=ON -DXL_PCH=ON \
  "${shaders[@]}" "${launcher[@]}" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0"

mode="${1:-all}"
harnesses=()
if [ "$mode" = "fuzz" ] && [ $# -gt 1 ]; then
  shift; harnesses=("$@")
else
  # Every fuzz/fuzz_*.cpp that defines a harness (fuzz_common.cpp and fuzz_folder.cpp are helpers).
  for f in fuzz/fuzz_*.cpp; do grep -q LLVMFuzzerTestOneInput "$f" && harnesses+=("$(basename "$f" .cpp | sed 's/^fuzz_//')"); done
fi
# One build of everything (the fuzzers share xlcore with the unit tests), then one pool of jobs:
# the unit tests are the first job, beside the first fuzzer, so both cores stay busy and every
# fuzzer still has a core of its own for its whole XL_FUZZ_SECONDS.
jobs_list=(); targets=()
[ "$mode" != "fuzz" ] && { jobs_list+=(unit); targets+=(xltests); }
for h in "${harnesses[@]}"; do jobs_list+=("$h"); targets+=("fuzz_$h"); done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
stamp "built ${targets[*]}"

findings="$build/fuzz-findings"
mkdir -p "$findings" "$build/fuzz-logs"
run_unit() {  # the unit tests once; exit status 1 on a failure or a sanitizer report
  local log="$build/unit-tests.log" t0=$SECONDS
  # XL_TESTS_UNIT_ONLY left out the Vulkan/GUI/CLI-process and real-model peer files (GPU drivers are
  # not ours to sanitize, and CLI tests would only re-run the same code in a child process). Left out
  # by name: cases that need a Vulkan device, and the needle test's naive check (320 CPU-reference
  # passes of numerics, 9 of the 12 minutes under ASan; every needle function runs in the others).
  if "$build"/tests/xltests --test-case-exclude='*GPU*,*gpu*,session *,needle: accuracy*' \
       --no-intro=true >"$log" 2>&1; then
    echo "unit tests under ASan + UBSan: $(grep -E '^\[doctest\] test cases' "$log" | sed 's/^\[doctest\] //') ($((SECONDS - t0)) s)"
  else
    echo "FAILED: unit tests under ASan + UBSan (log: $log):"
    grep -E "ERROR|SUMMARY: |runtime error|==[0-9]+==|test cases" "$log" | head -12 | sed "s/^/  unit: /"
    return 1
  fi
}
run_one() {  # harness -> log in $build/fuzz-logs/<harness>.log; exit status 1 on a finding
  local h=$1 work="$build/fuzz-work/$1" log="$build/fuzz-logs/$1.log"
  [ "$h" = unit ] && { run_unit; return; }
  mkdir -p "$work"
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
export -f run_one run_unit
export build seconds findings
if printf '%s\n' "${jobs_list[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}; then
  done_unit=""; [ "$mode" != "fuzz" ] && done_unit="unit tests passed and "
  stamp "${done_unit}${#harnesses[@]} fuzzers ran ${seconds} s each without findings"
else
  stamp "failures or findings (above)"
  exit 1
fi
