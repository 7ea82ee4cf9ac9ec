#!/usr/bin/env python3
"""Golden token ids from Hugging Face `tokenizers` for a tokenizer.json built from SmolLM2's GGUF
vocabulary (the layout SmolLM2's own tokenizer.json has: BPE with merges, pre-tokenizer
Sequence[Digits(individual_digits), ByteLevel(use_regex)], control tokens as special added tokens).
tests/test_tokenizer_json.cpp writes the same JSON from the GGUF file and loads it with
load_tokenizer_json, so the 2 MB file itself is not committed.

  python3 tools/peers/hf_tokenizer_json_tokens.py --models-dir "$XL_MODELS_DIR"
writes tests/golden/tokens_smollm2_hf.json (ids of the hard set of llamacpp_tokens.py and the
count / FNV-1a hash / first 512 ids of the TinyStories text), with the tokenizers version.
"""
import argparse
import json
import os
import sys

import tokenizers
from gguf import GGUFReader

sys.path.insert(0, os.path.dirname(__file__))
from llamacpp_tokens import HARD, fnv1a64  # noqa: E402


def tokenizer_json_from_gguf(path):
    r = GGUFReader(path)
    tokens = r.fields["tokenizer.ggml.tokens"].contents()
    types = r.fields["tokenizer.ggml.token_type"].contents()
    merges = r.fields["tokenizer.ggml.merges"].contents()
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, (t, k) in enumerate(zip(tokens, types)) if k == 3]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": list(merges)},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", default=os.environ.get("XL_MODELS_DIR", "cache/models"))
    ap.add_argument("--text", default="assets/tinystories-valid-first201.txt")
    ap.add_argument("--out", default="tests/golden/tokens_smollm2_hf.json")
    a = ap.parse_args()
    tj = tokenizer_json_from_gguf(os.path.join(a.models_dir, "SmolLM2-135M-Instruct.Q4_1.gguf"))
    tok = tokenizers.Tokenizer.from_str(json.dumps(tj))
    cases = [{"name": n, "text": t, "ids": tok.encode(t).ids} for n, t in HARD]
    text = open(a.text, encoding="utf-8").read()
    ids = tok.encode(text).ids
    g = {"peer": "tokenizers " + tokenizers.__version__, "model": "SmolLM2-135M-Instruct.Q4_1.gguf vocabulary",
         "cases": cases, "tinystories": {"count": len(ids), "fnv1a64": "%016x" % fnv1a64(ids), "head": ids[:512]}}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(g, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(a.out, len(ids), "story tokens", file=sys.stderr)


if __name__ == "__main__":
    main()
