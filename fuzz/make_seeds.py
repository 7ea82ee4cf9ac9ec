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


# ---- Hugging Face folders: safetensors, index, config.json, tokenizer.json; GGUF gpt2 vocab --

HF = "tests/data/hf"


def safetensors_bytes(tensors, metadata=None):
    """tensors: name -> (dtype, shape, raw bytes); the format's layout, header padded to 8."""
    header, buf = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(buf), len(buf) + len(raw)]}
        buf += raw
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + buf


def micro_llama_tensors(dtype):
    """The tensors of fuzz/data/micro_llama/config.json (vocab 16, hidden 8, 1 layer, 2 heads, 1 kv)."""
    rng = np.random.default_rng(3)
    shapes = {"model.embed_tokens.weight": (16, 8), "model.norm.weight": (8,),
              "model.layers.0.input_layernorm.weight": (8,), "model.layers.0.post_attention_layernorm.weight": (8,),
              "model.layers.0.self_attn.q_proj.weight": (8, 8), "model.layers.0.self_attn.k_proj.weight": (4, 8),
              "model.layers.0.self_attn.v_proj.weight": (4, 8), "model.layers.0.self_attn.o_proj.weight": (8, 8),
              "model.layers.0.mlp.gate_proj.weight": (8, 8), "model.layers.0.mlp.up_proj.weight": (8, 8),
              "model.layers.0.mlp.down_proj.weight": (8, 8)}
    out = {}
    for name, shape in shapes.items():
        x = (rng.standard_normal(shape) * 0.1).astype(np.float32)
        if dtype == "F32":
            raw = x.tobytes()
        elif dtype == "F16":
            raw = x.astype("<f2").tobytes()
        else:  # BF16: the upper half of each F32
            raw = (x.view("<u4") >> 16).astype("<u2").tobytes()
        out[name] = (dtype, shape, raw)
    return out


def gguf_kv_read(path):
    """The metadata of a GGUF v3 file, as (key, type, raw value bytes) in file order."""
    data = head(path, 1 << 22)
    assert data[:4] == b"GGUF"
    n_kv = struct.unpack_from("<Q", data, 16)[0]
    pos, out = 24, []
    fixed = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip(t, p):
        if t in fixed:
            return p + fixed[t]
        if t == 8:
            return p + 8 + struct.unpack_from("<Q", data, p)[0]
        et, n = struct.unpack_from("<IQ", data, p)
        p += 12
        for _ in range(n):
            p = skip(et, p)
        return p
    for _ in range(n_kv):
        kl = struct.unpack_from("<Q", data, pos)[0]
        key = data[pos + 8:pos + 8 + kl].decode()
        t = struct.unpack_from("<I", data, pos + 8 + kl)[0]
        start = pos + 12 + kl
        pos = skip(t, start)
        out.append((key, t, data[start:pos]))
    return out


def gguf_str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def gguf_str_array(items):
    return struct.pack("<IQ", 8, len(items)) + b"".join(gguf_str(x) for x in items)


def gguf_vocab_only(kvs, replace=None):
    """A GGUF with the given metadata and no tensors (what the vocabulary readers need)."""
    replace = replace or {}
    kvs = [(k, *replace[k]) if k in replace else (k, t, v) for k, t, v in kvs]
    body = b"".join(gguf_str(k) + struct.pack("<I", t) + v for k, t, v in kvs)
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + body


def hf_seeds(models):
    # safetensors: the micro llama in each dtype (loads as a model), with metadata; the real
    # headers of the tiny checkpoints with their data cut to 1 KB.
    put("safetensors", "micro-llama-f16.safetensors", safetensors_bytes(micro_llama_tensors("F16"), {"format": "pt"}))
    put("safetensors", "micro-llama-bf16.safetensors", safetensors_bytes(micro_llama_tensors("BF16")))
    put("safetensors", "micro-llama-f32.safetensors", safetensors_bytes(micro_llama_tensors("F32")))
    for arch, f in (("llama", "model.safetensors"), ("phi3", "model.safetensors"), ("qwen2", "model-00002-of-00002.safetensors")):
        p = os.path.join(HF, arch, f)
        n = struct.unpack("<Q", head(p, 8))[0]
        put("safetensors", f"{arch}-{f.replace('.safetensors', '')}-cut.safetensors", head(p, 8 + n + 1024))
    # the index: the real one, one without the second shard's names, one in the other order
    idx = json.loads(head(os.path.join(HF, "qwen2", "model.safetensors.index.json"), 1 << 20))
    put("hf_index", "qwen2-index.json", json.dumps(idx, indent=2))
    wm = idx["weight_map"]
    put("hf_index", "qwen2-index-reversed.json", json.dumps({"metadata": {}, "weight_map": dict(reversed(list(wm.items())))}))
    put("hf_index", "qwen2-index-one-shard.json",
        json.dumps({"weight_map": {k: v for k, v in wm.items() if v.endswith("00001-of-00002.safetensors")}}))
    # config.json of every architecture of the table, and variants of the Gemma 3 forms
    for arch in sorted(os.listdir(HF)):
        p = os.path.join(HF, arch, "config.json")
        if os.path.isfile(p):
            put("hf_config", f"{arch}.json", head(p, 1 << 16))
    g = json.loads(head(os.path.join(HF, "gemma3", "config.json"), 1 << 16))
    g.pop("layer_types", None)
    g["sliding_window_pattern"] = 3
    put("hf_config", "gemma3-pattern.json", json.dumps(g, indent=1))
    put("hf_config", "gemma3-multimodal.json", json.dumps({"model_type": "gemma3", "architectures":
        ["Gemma3ForConditionalGeneration"], "text_config": g, "tie_word_embeddings": True}, indent=1))
    # tokenizer.json: the tiny checkpoints' (288 tokens, ByteLevel), and the same vocabulary with
    # each other pre-tokenizer form, [a, b] merges, added tokens and a BOS template
    tj = json.loads(head(os.path.join(HF, "llama", "tokenizer.json"), 1 << 20))
    put("tokenizer_json", "tiny-bytelevel.json", json.dumps(tj, ensure_ascii=False))
    bl = lambda regex: {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": regex}
    llama3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    qwen2 = llama3.replace(r"\p{N}{1,3}", r"\p{N}")
    forms = {
        "smollm": {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True}, bl(True)]},
        "llama3": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": llama3},
                   "behavior": "Isolated", "invert": False}, bl(False)]},
        "qwen2": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": qwen2},
                  "behavior": "Isolated", "invert": False}, bl(False)]},
    }
    n = len(tj["model"]["vocab"])
    for name, pre in forms.items():
        t = json.loads(json.dumps(tj))
        t["pre_tokenizer"] = pre
        t["model"]["merges"] = [m.split(" ", 1) if isinstance(m, str) else m for m in t["model"]["merges"]]
        t["model"]["ignore_merges"] = name == "llama3"
        t["added_tokens"] = [{"id": n, "content": "<|begin_of_text|>", "special": True},
                             {"id": n + 1, "content": "<|endoftext|>", "special": True},
                             {"id": n + 2, "content": " user", "special": False}]
        t["post_processor"] = {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>",
                               "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                               "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [n],
                               "tokens": ["<|begin_of_text|>"]}}}
        put("tokenizer_json", f"tiny-{name}.json", json.dumps(t, ensure_ascii=False))
    # GGUF gpt2 vocabularies without tensors: the tiny qwen2 checkpoint's twin, once per
    # pre-tokenizer name, and SmolLM2's real vocabulary cut to its first 400 tokens and merges
    kvs = [kv for kv in gguf_kv_read(os.path.join(HF, "qwen2.gguf")) if kv[0].startswith(("general.", "tokenizer."))]
    for pre in ("qwen2", "smollm", "llama-bpe", "gpt-2", "default"):
        put("gguf_bpe", f"tiny-qwen2-vocab-{pre}.gguf", gguf_vocab_only(kvs, {"tokenizer.ggml.pre": (8, gguf_str(pre))}))
    # fuzz_gguf_vocab's own seeds reach no gpt2 vocabulary (its SmolLM2 cut ends inside the token list)
    put("gguf_vocab", "tiny-qwen2-vocab.gguf", gguf_vocab_only(kvs))
    smol = os.path.join(models or "", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if models and os.path.exists(smol):
        kvs = gguf_kv_read(smol)
        def cut_array(v, count):  # first `count` items of a string / i32 array value
            et, n = struct.unpack_from("<IQ", v, 0)
            if et == 8:
                p, items = 12, []
                for _ in range(min(n, count)):
                    l = struct.unpack_from("<Q", v, p)[0]
                    items.append(v[p + 8:p + 8 + l])
                    p += 8 + l
                return gguf_str_array(items)
            return struct.pack("<IQ", et, min(n, count)) + v[12:12 + 4 * min(n, count)]
        small = [(k, t, cut_array(v, 400) if t == 9 and k.startswith("tokenizer.ggml.") else v)
                 for k, t, v in kvs if k.startswith(("general.", "tokenizer."))]
        put("gguf_bpe", "SmolLM2-vocab-cut400.gguf", gguf_vocab_only(small))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=os.environ.get("XL_MODELS_DIR", ""))
    ap.add_argument("--only", default="", help="one group of seeds: hf")
    a = ap.parse_args()
    if a.only == "hf":  # needs only numpy
        return hf_seeds(a.models)
    hf_seeds(a.models)
    gguf_seeds(a.models)
    llama2c_seeds()
    pth_seeds()
    minbpe_seeds()
    json_seeds()


if __name__ == "__main__":
    main()
