#!/usr/bin/env python3
"""An F32 copy of a GGUF file: the same metadata, every tensor dequantized with gguf.quants (the
reference dequantization, which extrapolab's equals bit for bit) and stored as F32. llama.cpp run on
the copy with an F32 KV cache computes in float32 from the same weights extrapolab reads from the
quantized file: the peer without its 8-bit activation quantization (llamacpp_nll.py --f32).

Usage: tools/peers/gguf_f32_copy.py SRC.gguf DST.gguf
"""
import sys

import numpy as np
from gguf import GGUFReader, GGUFValueType, GGUFWriter
from gguf.constants import GGMLQuantizationType
from gguf.quants import dequantize


def copy_f32(src, dst):
    r = GGUFReader(src)
    arch = r.fields["general.architecture"].contents()
    w = GGUFWriter(dst, arch)
    for name, f in r.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        value = f.contents()
        if name == "general.file_type":
            value = 0  # LLAMA_FTYPE_ALL_F32
        vtype = GGUFValueType(f.types[0])
        sub = GGUFValueType(f.types[-1]) if vtype == GGUFValueType.ARRAY else None
        w.add_key_value(name, value, vtype, sub)
    for t in r.tensors:
        shape = tuple(int(d) for d in reversed(t.shape))
        arr = dequantize(t.data, GGMLQuantizationType(t.tensor_type)).astype(np.float32).reshape(shape)
        w.add_tensor(t.name, arr)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    copy_f32(sys.argv[1], sys.argv[2])
