#!/usr/bin/env python3
"""Golden dequantisation data for tests/test_model_quant_types.cpp, from the gguf package's
reference implementation (gguf.quants.dequantize, llama.cpp's own Python port).

  python3 tools/peers/quant_golden.py                       # random blocks of every type
  python3 tools/peers/quant_golden.py --models DIR          # + rows of the real models in DIR

Writes tests/golden/quant_blocks.{bin,json} (random blocks: raw bytes, then the float32 values)
and, with --models, tests/golden/quant_real_rows.{bin,json} (float32 values of a few rows of one
tensor per type and model; the test reads the bytes from the model file itself). Random blocks
are uniform random bytes; a block whose dequantised values are not all finite (an f16 scale
that is inf or NaN) is drawn again, so every scale is a finite f16 (subnormals included).
"""
import argparse
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf.constants import GGML_QUANT_SIZES

# Types of the C++ table (core/model/tensor_types.cpp) and blocks drawn per type.
TYPES = ["F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K",
         "Q6_K", "IQ4_NL", "IQ4_XS"]
BLOCKS_LEGACY, BLOCKS_SUPER = 16, 8
ROWS_PER_TENSOR = 3


def gguf_version():
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:
        return "unknown"


def random_blocks(qtype, n, rng):
    block_elems, block_bytes = GGML_QUANT_SIZES[qtype]
    out = []
    while len(out) < n:
        b = rng.integers(0, 256, size=(1, block_bytes), dtype=np.uint8)
        v = gguf.quants.dequantize(b, qtype).astype(np.float32).reshape(-1)
        if np.all(np.isfinite(v)):
            out.append((b, v))
    return out


def write_random(out_dir):
    rng = np.random.default_rng(20260)
    entries, blob = [], bytearray()
    for name in TYPES:
        qtype = Q[name]
        block_elems, block_bytes = GGML_QUANT_SIZES[qtype]
        n = BLOCKS_SUPER if block_elems == 256 else BLOCKS_LEGACY
        if block_elems == 1:
            n = 64  # "blocks" of one element: 64 random halves
        blocks = random_blocks(qtype, n, rng)
        raw = b"".join(b.tobytes() for b, _ in blocks)
        values = np.concatenate([v for _, v in blocks]).astype("<f4").tobytes()
        entries.append({"type": name, "ggml_type": int(qtype), "blocks": n, "block_elems": block_elems,
                        "block_bytes": block_bytes, "bytes_offset": len(blob), "values_offset": len(blob) + len(raw)})
        blob += raw + values
    with open(os.path.join(out_dir, "quant_blocks.bin"), "wb") as f:
        f.write(blob)
    meta = {"peer": "gguf.quants.dequantize", "gguf_version": gguf_version(), "numpy_version": np.__version__,
            "file": "quant_blocks.bin", "types": entries}
    with open(os.path.join(out_dir, "quant_blocks.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"quant_blocks.bin: {len(blob)} bytes, {len(entries)} types")


def write_real(models_dir, out_dir):
    entries, blob = [], bytearray()
    for file in sorted(os.listdir(models_dir)):
        if not file.endswith(".gguf"):
            continue
        reader = gguf.GGUFReader(os.path.join(models_dir, file))
        seen = set()
        for t in reader.tensors:
            qtype = Q(int(t.tensor_type))
            if qtype.name in seen or qtype == Q.F32 or len(t.shape) < 2:
                continue
            seen.add(qtype.name)
            data = np.asarray(t.data)               # (rows, row bytes) for quantised tensors
            rows = data.reshape(-1, data.shape[-1])
            picks = sorted({0, len(rows) // 2, len(rows) - 1})[:ROWS_PER_TENSOR]
            for r in picks:
                v = gguf.quants.dequantize(rows[r:r + 1], qtype).astype("<f4").reshape(-1)
                entries.append({"model": file, "tensor": t.name, "type": qtype.name, "row": int(r),
                                "cols": int(v.size), "values_offset": len(blob)})
                blob += v.tobytes()
    with open(os.path.join(out_dir, "quant_real_rows.bin"), "wb") as f:
        f.write(blob)
    meta = {"peer": "gguf.quants.dequantize", "gguf_version": gguf_version(), "numpy_version": np.__version__,
            "file": "quant_real_rows.bin", "rows": entries}
    with open(os.path.join(out_dir, "quant_real_rows.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"quant_real_rows.bin: {len(blob)} bytes, {len(entries)} rows")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", help="folder of the fetched real models (tools/fetch-models.sh)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    write_random(a.out)
    if a.models:
        write_real(a.models, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
