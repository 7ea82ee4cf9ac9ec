#!/usr/bin/env python3
"""Golden ids for the other gpt2 pre-tokenizers: llama.cpp (llama-cpp-python, vocabulary only)
reads SmolLM2's vocabulary with tokenizer.ggml.pre overridden (kv_overrides) to llama-bpe, qwen2,
gpt-2 and default, and tokenizes the hard set of llamacpp_tokens.py (add_bos=True, special=True).

  python3 tools/peers/llamacpp_pretokenizers.py --models-dir "$XL_MODELS_DIR"
writes tests/golden/tokens_smollm2_pre.json.
"""
import argparse
import json
import os
import sys

import llama_cpp

sys.path.insert(0, os.path.dirname(__file__))
from llamacpp_tokens import HARD  # noqa: E402

PRES = ["llama-bpe", "qwen2", "gpt-2", "default"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", default=os.environ.get("XL_MODELS_DIR", "cache/models"))
    ap.add_argument("--out", default="tests/golden/tokens_smollm2_pre.json")
    a = ap.parse_args()
    path = os.path.join(a.models_dir, "SmolLM2-135M-Instruct.Q4_1.gguf")
    out = {"peer": "llama-cpp-python " + llama_cpp.__version__, "model": os.path.basename(path), "pre": {}}
    for pre in PRES:
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False, kv_overrides={"tokenizer.ggml.pre": pre})
        out["pre"][pre] = [{"name": n, "text": t, "ids": llm.tokenize(t.encode(), add_bos=True, special=True)}
                           for n, t in HARD]
        del llm
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
