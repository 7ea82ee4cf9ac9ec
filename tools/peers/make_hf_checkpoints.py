#!/usr/bin/env python3
"""Tiny random-weight checkpoints of each supported architecture, twice: as a Hugging Face folder
(config.json, safetensors written by the `safetensors` package, tokenizer.json) and as the same
weights in GGUF written by the `gguf` package with llama.cpp's tensor names and converter
conventions. The C++ tests (tests/test_model_hf_checkpoints.cpp) load both and require the same
per-token losses. Needs numpy, safetensors and gguf; no PyTorch.

    python3 tools/peers/make_hf_checkpoints.py --out tests/data/hf

Conventions of llama.cpp's HF->GGUF converter (convert_hf_to_gguf.py), reproduced here, not
imported:
  * llama: the rows of q_proj / k_proj are permuted from HF's rotate-half order (pairs j, j+d/2)
    to GGUF's interleaved order (pairs 2j, 2j+1), per head; k uses the key/value head count.
  * gemma3: every tensor whose name ends in "norm.weight" is stored as w + 1 (HF applies (1 + w)).
  * phi3: qkv_proj and gate_up_proj stay fused (attn_qkv, ffn_up holding gate then up); LongRoPE
    factor lists become the rope_factors_long / rope_factors_short tensors (F32) and the attention
    factor sqrt(1 + ln(s) / ln(orig)) a key.
  * 1-D tensors (norms, biases) are written as F32; matrices keep their dtype.
  * tied embeddings: no lm_head in the folder, no output.weight in the GGUF.
The tiny Gemma 3 keeps query_pre_attn_scalar = head_dim, as the released models but 27B do:
llama.cpp scales queries by 1/sqrt(head_dim) and has no key for another value.
"""
import argparse
import json
import math
import os
import re
import shutil
from collections import Counter

import numpy as np
import safetensors
import gguf

TEXT_SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "tinystories",
                           "valid-first201.txt")

# One row per architecture: shapes, dtype, and the config keys that make each family distinct.
ARCHS = {
    "llama": dict(cls="LlamaForCausalLM", model_type="llama", dim=64, hidden=96, layers=2, heads=4, kv=2,
                  dtype="BF16", tied=True, theta=1e5, eps=1e-5, max_pos=256),
    "qwen2": dict(cls="Qwen2ForCausalLM", model_type="qwen2", dim=64, hidden=96, layers=2, heads=4, kv=2,
                  dtype="F16", tied=True, theta=1e6, eps=1e-6, max_pos=512, shards=2),
    "qwen3": dict(cls="Qwen3ForCausalLM", model_type="qwen3", dim=64, hidden=96, layers=2, heads=4, kv=2,
                  head_dim=32, dtype="BF16", tied=True, theta=1e6, eps=1e-6, max_pos=512),
    "gemma3": dict(cls="Gemma3ForCausalLM", model_type="gemma3_text", dim=32, hidden=64, layers=6, heads=2, kv=1,
                   head_dim=32, dtype="BF16", tied=True, theta=1e6, local_theta=1e4, eps=1e-6, max_pos=1024,
                   window=8, query_pre_attn_scalar=32),
    "phi3": dict(cls="Phi3ForCausalLM", model_type="phi3", dim=32, hidden=64, layers=2, heads=2, kv=2,
                 dtype="F32", tied=False, theta=1e4, eps=1e-5, max_pos=1024, orig_max_pos=256,
                 partial_rotary_factor=0.5),
}


# ---------------------------------------------------------------- tokenizer (byte-level BPE)

def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
N_MERGES = 29  # 3 specials + 256 bytes + 29 merges = 288 tokens


def train_merges(text, n_merges):
    """Plain BPE training on words split like GPT-2's pre-tokenizer (ASCII approximation)."""
    b2u = bytes_to_unicode()
    words = re.findall(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+", text)
    counts = Counter("".join(b2u[b] for b in w.encode("utf-8")) for w in words)
    seqs = {w: list(w) for w in counts}
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, c in counts.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        for w in seqs:
            s, out, i = seqs[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


def make_tokenizer(text):
    b2u = bytes_to_unicode()
    merges = train_merges(text, N_MERGES)
    tokens = SPECIALS + [b2u[b] for b in range(256)] + [a + b for a, b in merges]
    assert len(set(tokens)) == len(tokens)
    vocab = {t: i for i, t in enumerate(tokens)}
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tj = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, s in enumerate(SPECIALS)],
        "normalizer": None, "pre_tokenizer": byte_level, "post_processor": byte_level,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges]},
    }
    tc = {"add_bos_token": False, "add_eos_token": False, "bos_token": SPECIALS[1], "eos_token": SPECIALS[2],
          "tokenizer_class": "GPT2Tokenizer", "model_max_length": 1024}
    return tokens, merges, tj, tc


# ---------------------------------------------------------------- weights

def bf16_bits(x):
    """float32 -> bfloat16 bit patterns, round to nearest even."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


class Stored:
    """One tensor as the checkpoint stores it: dtype name and the raw array (uint16 for BF16)."""

    def __init__(self, values, dtype):
        self.dtype = dtype
        if dtype == "BF16":
            self.raw = bf16_bits(values)
        elif dtype == "F16":
            self.raw = values.astype(np.float16)
        else:
            self.raw = values.astype(np.float32)

    def f32(self):
        return bf16_to_f32(self.raw) if self.dtype == "BF16" else self.raw.astype(np.float32)


def head_dim_of(a):
    return a.get("head_dim", a["dim"] // a["heads"])


def make_weights(name, a, rng, vocab):
    d, h, hd = a["dim"], a["hidden"], head_dim_of(a)
    q_dim, kv_dim = a["heads"] * hd, a["kv"] * hd
    gemma = name == "gemma3"

    def mat(rows, cols, gain=1.0):
        return rng.standard_normal((rows, cols)).astype(np.float32) * (gain / math.sqrt(cols))

    def norm(n):  # Gemma stores w and applies (1 + w); the others store the multiplier
        w = 0.2 * rng.standard_normal(n).astype(np.float32)
        return w if gemma else 1.0 + w

    t = {"model.embed_tokens.weight": 0.5 * rng.standard_normal((vocab, d)).astype(np.float32)}
    for l in range(a["layers"]):
        p = f"model.layers.{l}."
        t[p + "input_layernorm.weight"] = norm(d)
        q, k, v = mat(q_dim, d, 2.0), mat(kv_dim, d, 2.0), mat(kv_dim, d)
        if name == "phi3":
            t[p + "self_attn.qkv_proj.weight"] = np.concatenate([q, k, v])
        else:
            t[p + "self_attn.q_proj.weight"], t[p + "self_attn.k_proj.weight"], t[p + "self_attn.v_proj.weight"] = q, k, v
        if name == "qwen2":
            for s, n in (("q", q_dim), ("k", kv_dim), ("v", kv_dim)):
                t[p + f"self_attn.{s}_proj.bias"] = 0.3 * rng.standard_normal(n).astype(np.float32)
        if name in ("qwen3", "gemma3"):
            t[p + "self_attn.q_norm.weight"], t[p + "self_attn.k_norm.weight"] = norm(hd), norm(hd)
        t[p + "self_attn.o_proj.weight"] = mat(d, q_dim)
        t[p + "post_attention_layernorm.weight"] = norm(d)
        if gemma:
            t[p + "pre_feedforward_layernorm.weight"] = norm(d)
            t[p + "post_feedforward_layernorm.weight"] = norm(d)
        gate, up = mat(h, d), mat(h, d)
        if name == "phi3":
            t[p + "mlp.gate_up_proj.weight"] = np.concatenate([gate, up])
        else:
            t[p + "mlp.gate_proj.weight"], t[p + "mlp.up_proj.weight"] = gate, up
        t[p + "mlp.down_proj.weight"] = mat(d, h)
    t["model.norm.weight"] = norm(d)
    if not a["tied"]:
        t["lm_head.weight"] = mat(vocab, d, 2.0)
    return {k: Stored(v, a["dtype"]) for k, v in t.items()}


# ---------------------------------------------------------------- Hugging Face folder

ST_DTYPE = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


def write_safetensors(path, tensors):
    keep = {k: np.ascontiguousarray(s.raw) for k, s in tensors.items()}
    spec = {k: safetensors.TensorSpec(dtype=ST_DTYPE[tensors[k].dtype], shape=list(v.shape), data_ptr=v.ctypes.data,
                                      data_len=v.nbytes) for k, v in keep.items()}
    safetensors.serialize_file(spec, path, {"format": "pt"})


def longrope_factors(a, rng):
    pairs = int(a["partial_rotary_factor"] * a["dim"]) // a["heads"] // 2
    long = np.round(1 + 3 * np.linspace(0, 1, pairs) ** 2, 4).tolist()
    short = np.round(1 + 0.5 * rng.random(pairs), 4).tolist()
    return long, short


def hf_config(name, a, vocab, rope_extra):
    c = {"architectures": [a["cls"]], "model_type": a["model_type"], "vocab_size": vocab,
         "hidden_size": a["dim"], "intermediate_size": a["hidden"], "num_hidden_layers": a["layers"],
         "num_attention_heads": a["heads"], "num_key_value_heads": a["kv"], "max_position_embeddings": a["max_pos"],
         "rms_norm_eps": a["eps"], "rope_theta": a["theta"], "tie_word_embeddings": a["tied"],
         "torch_dtype": ST_DTYPE[a["dtype"]], "bos_token_id": 1, "eos_token_id": 2}
    if "head_dim" in a:
        c["head_dim"] = head_dim_of(a)
    if name == "llama":
        c.update(hidden_act="silu", attention_bias=False, mlp_bias=False, rope_scaling=None)
    if name == "qwen2":
        c.update(hidden_act="silu", use_sliding_window=False, sliding_window=None, rope_scaling=None)
    if name == "qwen3":
        c.update(hidden_act="silu", attention_bias=False, rope_scaling=None)
    if name == "gemma3":
        # The older form (rope_local_base_freq + sliding_window_pattern); the test derives the others.
        c.update(hidden_activation="gelu_pytorch_tanh", query_pre_attn_scalar=a["query_pre_attn_scalar"],
                 sliding_window=a["window"], sliding_window_pattern=6, rope_local_base_freq=a["local_theta"],
                 final_logit_softcapping=None, attn_logit_softcapping=None, rope_scaling=None)
    if name == "phi3":
        c.update(hidden_act="silu", original_max_position_embeddings=a["orig_max_pos"],
                 partial_rotary_factor=a["partial_rotary_factor"], sliding_window=None, rope_scaling=rope_extra)
    return c


def write_hf_folder(folder, name, a, tensors, tokenizer_json, tokenizer_config, config):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json, f, ensure_ascii=False)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tokenizer_config, f, indent=2)
    n = a.get("shards", 1)
    if n == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
        return
    names = sorted(tensors)
    weight_map, total = {}, 0
    for i in range(n):
        part = {k: tensors[k] for k in names[i::n]}
        fname = f"model-{i + 1:05d}-of-{n:05d}.safetensors"
        write_safetensors(os.path.join(folder, fname), part)
        for k, s in part.items():
            weight_map[k] = fname
            total += s.raw.nbytes
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


# ---------------------------------------------------------------- GGUF twin

GGUF_ARCH = {"llama": gguf.MODEL_ARCH.LLAMA, "qwen2": gguf.MODEL_ARCH.QWEN2, "qwen3": gguf.MODEL_ARCH.QWEN3,
             "gemma3": gguf.MODEL_ARCH.GEMMA3, "phi3": gguf.MODEL_ARCH.PHI3}


def llama_permute(w, n_head, n_head_kv):
    """HF rotate-half rows -> GGUF interleaved rows, per head (the converter's LlamaModel.permute)."""
    heads = n_head_kv if n_head_kv is not None and n_head != n_head_kv else n_head
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def gguf_tensor(name, arch_name, a, hf_name, s):
    """The converter's per-tensor changes; returns (values for the writer, raw dtype or None)."""
    raw = s.raw
    if arch_name == "llama" and hf_name.endswith("self_attn.q_proj.weight"):
        raw = llama_permute(raw, a["heads"], a["heads"])
    if arch_name == "llama" and hf_name.endswith("self_attn.k_proj.weight"):
        raw = llama_permute(raw, a["heads"], a["kv"])
    if raw.ndim == 1 or (arch_name == "gemma3" and hf_name.endswith("norm.weight")):
        v = bf16_to_f32(raw) if s.dtype == "BF16" else raw.astype(np.float32)
        if arch_name == "gemma3" and hf_name.endswith("norm.weight"):
            v = v + np.float32(1.0)
        return np.ascontiguousarray(v, dtype=np.float32), None
    if s.dtype == "BF16":
        return np.ascontiguousarray(raw), gguf.GGMLQuantizationType.BF16
    return np.ascontiguousarray(raw), None


def write_gguf_vocab(w, tokens, merges):
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")  # llama.cpp LLAMA_VOCAB_PRE_TYPE_GPT2
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.CONTROL] * len(SPECIALS) + [gguf.TokenType.NORMAL] * (len(tokens) - len(SPECIALS)))
    w.add_token_merges([f"{x} {y}" for x, y in merges])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(False)


def write_gguf(path, name, a, tensors, tokens, merges, rope_extra):
    arch = GGUF_ARCH[name]
    w = gguf.GGUFWriter(path, gguf.MODEL_ARCH_NAMES[arch])
    hd = head_dim_of(a)
    w.add_name(f"tiny-{name}")
    w.add_context_length(a["max_pos"])
    w.add_embedding_length(a["dim"])
    w.add_block_count(a["layers"])
    w.add_feed_forward_length(a["hidden"])
    w.add_head_count(a["heads"])
    w.add_head_count_kv(a["kv"])
    w.add_layer_norm_rms_eps(a["eps"])
    w.add_rope_freq_base(a["theta"])
    if "head_dim" in a:
        w.add_key_length(hd)
        w.add_value_length(hd)
    if name == "llama":
        w.add_vocab_size(len(tokens))
        w.add_rope_dimension_count(hd)
    if name == "gemma3":
        w.add_sliding_window(a["window"])
    if name == "phi3":
        w.add_rope_scaling_orig_ctx_len(a["orig_max_pos"])
        w.add_rope_dimension_count(int(a["partial_rotary_factor"] * a["dim"]) // a["heads"])
        w.add_sliding_window(0)
        s = a["max_pos"] / a["orig_max_pos"]
        w.add_rope_scaling_attn_factors(math.sqrt(1 + math.log(s) / math.log(a["orig_max_pos"])))
    write_gguf_vocab(w, tokens, merges)
    names = gguf.get_tensor_name_map(arch, a["layers"])
    for hf_name, s in tensors.items():
        gname = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        assert gname, hf_name
        values, raw_dtype = gguf_tensor(gname, name, a, hf_name, s)
        w.add_tensor(gname, values, raw_dtype=raw_dtype)
    if rope_extra:
        w.add_tensor("rope_factors_long.weight", np.array(rope_extra["long_factor"], dtype=np.float32))
        w.add_tensor("rope_factors_short.weight", np.array(rope_extra["short_factor"], dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tests/data/hf")
    ap.add_argument("--text", default=TEXT_SAMPLE, help="text the tiny BPE merges are trained on")
    args = ap.parse_args()
    with open(args.text, encoding="utf-8") as f:
        text = f.read()[:20000]
    tokens, merges, tj, tc = make_tokenizer(text)
    os.makedirs(args.out, exist_ok=True)
    for i, (name, a) in enumerate(ARCHS.items()):
        rng = np.random.default_rng(1000 + i)
        tensors = make_weights(name, a, rng, len(tokens))
        rope_extra = None
        if name == "phi3":
            long, short = longrope_factors(a, rng)
            rope_extra = {"type": "longrope", "long_factor": long, "short_factor": short}
        folder = os.path.join(args.out, name)
        shutil.rmtree(folder, ignore_errors=True)
        write_hf_folder(folder, name, a, tensors, tj, tc, hf_config(name, a, len(tokens), rope_extra))
        write_gguf(os.path.join(args.out, name + ".gguf"), name, a, tensors, tokens, merges, rope_extra)
    with open(os.path.join(args.out, "VERSIONS.txt"), "w") as f:
        f.write(f"made by tools/peers/make_hf_checkpoints.py with numpy {np.__version__}, "
                f"safetensors {safetensors.__version__}, gguf {gguf_version()}\n")
    total = sum(os.path.getsize(os.path.join(r, x)) for r, _, fs in os.walk(args.out) for x in fs)
    print(f"wrote {len(ARCHS)} architectures to {args.out}: {total} bytes")


def gguf_version():
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:
        return "unknown"


if __name__ == "__main__":
    main()
