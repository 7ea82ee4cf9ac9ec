#!/usr/bin/env bash
# One call on the GPU machine: GPU-vs-CPU correctness of the ops and of the catalogue methods,
# then `extrapolab bench` with and without cooperative matrices next to the PyTorch peer.
# Run from the repository root there, with carried folders:
#   .gpulibs/  the Vulkan loader (../shared/tools/gpu-vulkan-libs.sh)
#   .gpurun/   extrapolab and xltests built here (tools/gpu/stage.sh), shared/ models, SRC (build path)
# Usage: tools/gpu/device-run.sh [lengths]   (writes logs to $OUT when set)
set -uo pipefail
lengths=${1:-512,2048,4096,8192,16384}
out=${OUT:-/tmp}
export LD_LIBRARY_PATH=$PWD/.gpulibs:$PWD/.gpurun/lib:${LD_LIBRARY_PATH:-}
# The test binary reads its source tree and ../shared at the paths it was built with.
src=$(cat .gpurun/SRC)
mkdir -p "$(dirname "$src")"
[ -e "$src" ] || ln -s "$PWD" "$src"
[ -e "$(dirname "$src")/shared" ] || ln -s "$PWD/.gpurun/shared" "$(dirname "$src")/shared"
bin=.gpurun
nvidia-smi --query-gpu=name,driver_version,clocks.sm,memory.used --format=csv,noheader
echo "== GPU ops and methods against the CPU reference"
$bin/xltests -tc="gpu ops*,gpu methods*,gpu forward*" > "$out/tests.log" 2>&1
python3 - "$out/tests.log" <<'PY'
import re, sys
worst = []
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"MESSAGE: (.*) \((\d+) tokens\): max \|Δ nll\| = ([0-9.e+-]+)", line)
    if m: worst.append((float(m.group(3)), m.group(1), m.group(2)))
worst.sort(reverse=True)
print(f"{len(worst)} method runs; largest max |Δ nll|:")
for w in worst[:6]: print(f"  {w[0]:.2e}  {w[1]} ({w[2]} tokens)")
PY
grep -E "ERROR|^\[doctest\] (test cases|assertions)" "$out/tests.log" | head -n 12
echo "== bench (cooperative matrices on)"
$bin/extrapolab bench --synthetic tinyllama-1.1b --lengths "$lengths" --repeats 5 --format json --out "$out/bench_coop.json"
$bin/extrapolab bench --synthetic tinyllama-1.1b --lengths 4096 --repeats 3 --profile 2>&1 | tail -n 12
echo "== bench (scalar path, XL_COOP=0)"
XL_COOP=0 $bin/extrapolab bench --synthetic tinyllama-1.1b --lengths 512,4096 --repeats 3 --format json --out "$out/bench_scalar.json"
echo "== weight types at 4096 (q8_0 against f16)"
$bin/extrapolab bench --synthetic tinyllama-1.1b --weights q8_0 --lengths 4096 --repeats 3 2>&1 | grep median
echo "== PyTorch peer"
python3 tools/bench_pytorch_peer.py --lengths "$lengths" > "$out/bench_torch.json"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
def rows(f):
    j = json.load(open(f"{d}/{f}"))
    if "results" in j:  # extrapolab bench
        return {r["length"]: 1e3 * r["median_s"] for r in j["results"]}
    return {r["tokens"]: r["median_ms"] for r in j["lengths"]}
coop, scalar, torch = rows("bench_coop.json"), rows("bench_scalar.json"), rows("bench_torch.json")
print("tokens | coop ms | scalar ms | pytorch ms | coop/pytorch")
for n in sorted(coop):
    print(f"{n} | {coop[n]:.1f} | {scalar.get(n, float('nan')):.1f} | {torch.get(n, float('nan')):.1f} | {coop[n] / torch.get(n, float('nan')):.2f}")
PY
echo "== Llama-2-7B shape at 4096"
$bin/extrapolab bench --synthetic llama2-7b --lengths 4096 --repeats 3 2>&1 | grep -E "median|device"
python3 tools/bench_pytorch_peer.py --shape llama2-7b --lengths 4096 --repeats 5 | grep median_ms
