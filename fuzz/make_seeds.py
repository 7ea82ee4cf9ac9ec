#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/ (committed; CI never runs this).

Seeds are small: tiny synthetic files of each format (valid, so the fuzzer starts past the
first checks) and the real files of the repository cut to a few KB. Needs numpy and gguf
(the golden-tool Python packages). Run from the repository root:
    python3 fuzz/make_seeds.py [--models DIR]   # DIR: the real GGUF models, optional
"""
import argparse, collections, io, json, os, pickle, struct, sys, types, zipfile
import numpy as np

OUT = "fuzz/corpus"
SHARED = "../shared/models"


def put(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def head(path, n):
    with open(path, "rb") as f:
        return f.read(n)


# ---- GGUF -------------------------------------------------------------------------------

def tiny_vocab():
    pieces = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in (0x0A, 0x41, 0xFF)] + \
             ["\u2581", "\u2581a", "a", "b", "ab", "\u2581ab", "e", "t", "et", "\u2581t"]
    scores = [0.0] * 6 + [-float(i) for i in range(len(pieces) - 6)]
    types_ = [2, 3, 3] + [6] * 3 + [1] * (len(pieces) - 6)
    return pieces, scores, types_


def tiny_gguf(path, extra_types=(), vocab=True, tensors=True):
    import gguf
    from gguf import GGMLQuantizationType as Q
    w = gguf.GGUFWriter(path, "llama")
    dim, hidden, heads, kv, layers = 32, 32, 2, 1, 1
    pieces, scores, types_ = tiny_vocab()
    w.add_context_length(64)
    w.add_embedding_length(dim)
    w.add_block_count(layers)
    w.add_feed_forward_length(hidden)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    w.add_rope_dimension_count(dim // heads)
    if vocab:
        w.add_tokenizer_model("llama")
        w.add_token_list(pieces)
        w.add_token_scores(scores)
        w.add_token_types(types_)
        w.add_bos_token_id(1)
        w.add_eos_token_id(2)
    rng = np.random.default_rng(1)
    hd = dim // heads

    def t(name, rows, cols, qtype=Q.F32):
        x = rng.standard_normal((rows, cols)).astype(np.float32) * 0.1 if rows > 1 else np.ones((cols,), np.float32)
        if qtype == Q.F32:
            w.add_tensor(name, x)
        elif qtype == Q.F16:
            w.add_tensor(name, x.astype(np.float16))
        else:
            data = gguf.quants.quantize(x.reshape(rows, cols) if rows > 1 else x.reshape(1, cols), qtype)
            w.add_tensor(name, data, raw_shape=data.shape, raw_dtype=qtype)
    if tensors:
        t("token_embd.weight", len(pieces), dim, Q.F16)
        for l in range(layers):
            b = f"blk.{l}."
            t(b + "attn_norm.weight", 1, dim)
            t(b + "attn_q.weight", heads * hd, dim, Q.Q8_0)
            t(b + "attn_k.weight", kv * hd, dim, Q.BF16)
            t(b + "attn_v.weight", kv * hd, dim)
            t(b + "attn_output.weight", dim, heads * hd, Q.Q8_0)
            t(b + "ffn_norm.weight", 1, dim)
            t(b + "ffn_gate.weight", hidden, dim, Q.F16)
            t(b + "ffn_down.weight", dim, hidden)
            t(b + "ffn_up.weight", hidden, dim)
        t("output_norm.weight", 1, dim)
        for qt in extra_types:  # one 256-element tensor per further type, random block bytes
            block, size = gguf.GGML_QUANT_SIZES[qt]
            raw = rng.integers(0, 256, size=(1, 256 // block * size), dtype=np.uint8)
            w.add_tensor(f"extra.{qt.name.lower()}.weight", raw, raw_dtype=qt)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with open(path, "rb") as f:
        return f.read()


def gguf_seeds(models):
    from gguf import GGMLQuantizationType as Q
    tmp = "/tmp/xl_seed.gguf"
    put("gguf", "tiny-llama-f32-f16-bf16-q8.gguf", tiny_gguf(tmp))
    put("gguf", "tiny-llama-kquants.gguf", tiny_gguf(tmp, extra_types=(Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q4_K, Q.Q6_K)))
    put("gguf", "stories260K-cut4k.gguf", head(f"{SHARED}/stories260K/stories260K.gguf", 4096))
    put("gguf_vocab", "tiny-llama-vocab.gguf", tiny_gguf(tmp, tensors=False))
    put("gguf_vocab", "stories260K-cut16k.gguf", head(f"{SHARED}/stories260K/stories260K.gguf", 16384))
    if models:
        for f, n in (("SmolLM2-135M-Instruct.Q4_1.gguf", 4096), ("gemma-3-270m-q4_k_m.gguf", 4096)):
            p = os.path.join(models, f)
            if os.path.exists(p):
                put("gguf", f.replace(".gguf", "-cut4k.gguf"), head(p, n))
                put("gguf_vocab", f.replace(".gguf", "-cut8k.gguf"), head(p, 8192))


# ---- llama2.c ---------------------------------------------------------------------------

def llama2c_seeds():
    rng = np.random.default_rng(2)
    for vocab_sign, name in ((1, "tiny-shared.bin"), (-1, "tiny-unshared.bin")):
        dim, hidden, L, H, KV, V, S = 8, 16, 1, 2, 1, 8, 16
        hd = dim // H
        n = V * dim + L * (dim + dim * dim + 2 * KV * hd * dim + dim * dim + dim + 3 * hidden * dim) + dim + S * hd
        if vocab_sign < 0:
            n += V * dim
        head_ = struct.pack("<7i", dim, hidden, L, H, KV, vocab_sign * V, S)
        put("llama2c", name, head_ + (rng.standard_normal(n).astype("<f4") * 0.1).tobytes())
    put("llama2c", "stories260K-cut4k.bin", head(f"{SHARED}/stories260K/stories260K.bin", 4096))
    put("llama2c_tokenizer", "tok512.bin", head(f"{SHARED}/stories260K/tok512.bin", 1 << 20))
    put("llama2c_tokenizer", "tok105.bin", head(f"{SHARED}/babyllama/tok105.bin", 1 << 20))


# ---- zip + pickle + .pth ----------------------------------------------------------------

def fake_torch():
    """Module objects named like torch's, so pickle writes the globals torch.save writes."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils

    def _rebuild_tensor_v2(*a):
        raise RuntimeError
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    stypes = {}
    for n in ("FloatStorage", "HalfStorage"):
        cls = type(n, (), {"__module__": "torch", "__qualname__": n})
        setattr(torch, n, cls)
        stypes[n] = cls
    return _rebuild_tensor_v2, stypes


def tiny_pth(half=False):
    rebuild, stypes = fake_torch()
    dim, hidden, heads, vocab, blocks = 8, 16, 2, 12, 1
    store = {}

    class Storage:
        def __init__(self, key, data):
            self.key, self.data = key, data

    class T:
        def __init__(self, shape):
            key = str(len(store))
            n = int(np.prod(shape))
            data = (np.arange(n, dtype=np.float32) * 0.01).astype(np.float16 if half else np.float32)
            store[key] = data.tobytes()
            self.storage, self.shape = Storage(key, data), tuple(shape)

        def __reduce__(self):
            stride = tuple(int(np.prod(self.shape[i + 1:])) for i in range(len(self.shape)))
            return (rebuild, (self.storage, 0, self.shape, stride, False, collections.OrderedDict()))

    sd = collections.OrderedDict()
    sd["embed.weight"] = T((vocab, dim))
    for b in range(blocks):
        p = f"blocks.{b}."
        for n in ("norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"):
            sd[p + n] = T((dim,))
        for n in ("MHSA.q.weight", "MHSA.k.weight", "MHSA.v.weight"):
            sd[p + n] = T((dim, dim))
        sd[p + "MLP.p1.weight"] = T((hidden, dim))
        sd[p + "MLP.p2.weight"] = T((dim, hidden))
    root = {"state_dict": sd, "params": {"d_model": dim, "num_heads": heads, "blocks": blocks, "hidden_dim": hidden,
                                          "max_seq_len": 32, "model_name": "tiny"}, "step": 7}

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                st = stypes["HalfStorage" if half else "FloatStorage"]
                return ("storage", st, obj.key, "cpu", obj.data.size)
            return None
    buf = io.BytesIO()
    P(buf, protocol=2).dump(root)
    pkl = buf.getvalue()
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/byteorder", "little")
        for k, v in store.items():
            zf.writestr(f"archive/data/{k}", v)
        zf.writestr("archive/version", "3\n")
    return pkl, z.getvalue()


def pth_seeds():
    pkl, pth = tiny_pth()
    put("pth", "tiny-alilama-f32.pth", pth)
    put("zip", "tiny-alilama-f32.pth", pth)
    put("pickle", "tiny-alilama.pkl", pkl)
    pkl16, pth16 = tiny_pth(half=True)
    put("pth", "tiny-alilama-f16.pth", pth16)
    with zipfile.ZipFile(f"{SHARED}/alilama/alilama_batches_512_470K.pth") as zf:
        real = zf.read([n for n in zf.namelist() if n.endswith("data.pkl")][0])
    put("pickle", "alilama-data.pkl", real[:4096] if len(real) > 4096 else real)
    # Protocol 4 with framing and MEMOIZE, and a shared sub-object (memo GET).
    shared = [1, 2.5, "x"]
    put("pickle", "proto4-shared.pkl", pickle.dumps({"a": (shared, shared), "b": [None, True, b"\x00\x01"]}, protocol=4))
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a/b.txt", "hello")
        zf.writestr("c", b"\x00" * 70)
    put("zip", "two-entries.zip", z.getvalue())


# ---- minbpe ----------------------------------------------------------------------------

def minbpe_seeds():
    real = head(f"{SHARED}/alilama/tokenizer.model", 1 << 20).decode()
    lines = real.split("\n")
    put("minbpe", "alilama-cut4k.model", "\n".join(lines[:400]) + "\n")
    body = "\n".join(lines[3:200])
    put("minbpe", "basic-specials.model", "minbpe v1\n\n2\n<|endoftext|> 456\n<|pad|> 457\n" + body + "\n")
    gpt2 = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
    put("minbpe", "gpt2-split.model", "minbpe v1\n" + gpt2 + "\n0\n" + body + "\n")


# ---- JSON: config.json, presets, view state; method specs ------------------------------

def json_seeds():
    configs = {
        "llama3": {"rope_theta": 500000.0, "max_position_embeddings": 131072, "hidden_size": 4096,
                   "num_attention_heads": 32, "rope_scaling": {"rope_type": "llama3", "factor": 8.0,
                   "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}},
        "yarn": {"rope_theta": 1000000.0, "max_position_embeddings": 131072, "head_dim": 128,
                 "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}},
        "yarn-v5": {"max_position_embeddings": 131072, "head_dim": 64, "rope_parameters": {"rope_type": "yarn",
                    "rope_theta": 150000, "factor": 32.0, "beta_fast": 32, "beta_slow": 1, "truncate": False,
                    "original_max_position_embeddings": 4096}},
        "deepseek": {"model_type": "deepseek_v3", "rope_theta": 10000, "max_position_embeddings": 163840,
                     "qk_rope_head_dim": 64, "head_dim": 64, "rope_scaling": {"type": "yarn", "factor": 40,
                     "mscale": 1.0, "mscale_all_dim": 1.0, "original_max_position_embeddings": 4096}},
        "longrope": {"rope_theta": 10000.0, "max_position_embeddings": 131072, "original_max_position_embeddings": 4096,
                     "hidden_size": 96, "num_attention_heads": 12, "partial_rotary_factor": 0.5,
                     "rope_scaling": {"type": "longrope", "long_factor": [1.0, 1.5], "short_factor": [1.0, 1.1]}},
        "dynamic": {"rope_theta": 10000.0, "max_position_embeddings": 2048, "head_dim": 64,
                    "rope_scaling": {"type": "dynamic", "factor": 2.0}},
        "linear": {"rope_theta": 10000.0, "head_dim": 64, "rope_scaling": {"type": "linear", "factor": 4}},
        "plain": {"rope_theta": 10000.0, "head_dim": 64, "rope_scaling": None},
    }
    for k, v in configs.items():
        put("hf_rope_config", f"{k}.json", json.dumps(v, indent=1))
    for f in sorted(os.listdir("presets")):
        if f.endswith(".json"):
            put("preset", f, head(os.path.join("presets", f), 1 << 16))
    view = {"layer": 1, "head": -1, "active_config": 0, "colormap": "magma", "log_color": True, "smoothing": 8,
            "loss_diff": True, "phase_pairs": 8, "positions_tokens": 64, "training_sampler": "pose",
            "training_factor": 4, "font_family": "sans", "export_scale": 2.0, "export_dir": "figures",
            "plots": {"perplexity": {"x0": 0, "x1": 4096, "y0": 1, "y1": 100, "fit": False}}}
    put("view_state", "view.json", json.dumps(view, indent=1))
    put("view_state", "minimal.json", "{}")
    specs = ["none", "linear:s=4", "ntk:a=4", "dynntk:s=4", "yarn:s=4,orig=512", "yarn:s=4+logn", "ntkparts:s=8",
             "llama3:s=8,low=1,high=4,orig=16", "longrope:long=1/1.5/2/2.5/3/3.5/4/4.5,short=1/1/1/1/1/1/1/1",
             "rerope:w=8", "leakyrerope:w=8,k=4", "selfextend:G=4,W=8", "window:w=16", "sinks:start=4,recent=12",
             "lminfinite:local=16,global=2", "alibi", "ntkalibi:s=4", "xpos", "abf:base=500000+yarn:s=2",
             "qwenntk", "dynyarn:s=4", "yarn_deepseek:s=4,mscale=1,mscale_all_dim=1", "nope", "dynpi:s=2"]
    for i, s in enumerate(specs):
        put("method_spec", f"spec{i:02d}.txt", s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=os.environ.get("XL_MODELS_DIR", ""))
    a = ap.parse_args()
    gguf_seeds(a.models)
    llama2c_seeds()
    pth_seeds()
    minbpe_seeds()
    json_seeds()


if __name__ == "__main__":
    main()
