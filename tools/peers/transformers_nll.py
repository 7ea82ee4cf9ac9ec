#!/usr/bin/env python3
"""transformers peer (PyTorch, fp32, CPU): golden per-token NLL of the project's real models under
each Hugging Face rope type → tests/golden/transformers_<model>.json, compared by
tests/test_peers_transformers.cpp. Heavy (minutes per model); run once.

The model is the same GGUF file, loaded with `gguf_file=` (transformers dequantizes every tensor
to float32 with the gguf package). Tokens: the first N_TOKENS ids of the TinyStories text as
llama.cpp tokenizes it (vocabulary-only mode; the same rule as llamacpp_nll.py), so both golden
files share their prefix. For each run the model's rotary embedding module is rebuilt from a copy
of the config whose rope settings are replaced (no other weight or module changes); the golden
records the exact config keys (`hf_config`) so the C++ test imports them through extrapolab's own
config.json reader (core/posenc/hf_rope_config).

Usage: tools/peers/transformers_nll.py [--threads N] [--ids FILE] [smollm2] [gemma3]
  (needs torch, transformers, gguf, and llama-cpp-python for the token ids)
  tools/peers/transformers_nll.py --write-ids FILE [smollm2] [gemma3]
  (needs only llama-cpp-python: writes the ids, so that the peer can run where llama.cpp is not
  installed, e.g. the GPU machine, with --ids FILE)
"""
import argparse
import json
import copy
import importlib.metadata
import sys
import time
import traceback


import peer_common as pc

N_TOKENS = 2048
N_THREADS = 2


def longrope_factors(pairs, top):
    """A smooth LongRoPE-style factor set: 1 on the fastest pair rising to `top` on the slowest
    (λ_j = 1 + (top-1)·(j/(pairs-1))²), rounded so the golden and the C++ spec agree exactly."""
    return [round(1 + (top - 1) * (j / (pairs - 1)) ** 2, 4) for j in range(pairs)]


def runs_for(train_ctx, pairs):
    """(name, rope parameters, top-level config overrides). Factors are chosen so that every rule
    changes the frequencies at N_TOKENS: dynamic NTK gets max_position_embeddings 512 (its L0) and
    LongRoPE an original context of 1024, so the 2048-token pass is beyond both."""
    return [
        ("none", {"rope_type": "default"}, {}),
        ("linear", {"rope_type": "linear", "factor": 4.0}, {}),
        ("dynamic", {"rope_type": "dynamic", "factor": 4.0}, {"max_position_embeddings": 512}),
        ("yarn", {"rope_type": "yarn", "factor": 4.0, "beta_fast": 32.0, "beta_slow": 1.0,
                  "original_max_position_embeddings": train_ctx}, {}),
        ("llama3", {"rope_type": "llama3", "factor": 4.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                    "original_max_position_embeddings": train_ctx}, {}),
        ("longrope", {"rope_type": "longrope", "long_factor": longrope_factors(pairs, 8.0),
                      "short_factor": longrope_factors(pairs, 1.5), "original_max_position_embeddings": 1024,
                      "factor": train_ctx / 1024}, {}),
    ]


def set_rope(cfg, rope, overrides):
    """Puts `rope` into the config's v5 `rope_parameters`: one object, or for Gemma 3 one per
    attention type, where the rule goes to full-attention layers only (sliding layers keep their
    default RoPE with base 10000, as HF configures Gemma 3)."""
    for k, v in overrides.items():
        setattr(cfg, k, v)
    params = copy.deepcopy(cfg.rope_parameters)
    if "full_attention" in params:
        params["full_attention"] = {"rope_theta": params["full_attention"]["rope_theta"], **rope}
    else:
        params = {"rope_theta": params["rope_theta"], **rope}
    cfg.rope_parameters = params


def hf_config_record(cfg, overrides):
    """The config.json keys that decide the rope (after HF standardised them)."""
    rec = {"max_position_embeddings": cfg.max_position_embeddings, "head_dim": getattr(cfg, "head_dim", None),
           "hidden_size": cfg.hidden_size, "num_attention_heads": cfg.num_attention_heads}
    rec.update(overrides)
    rec["rope_parameters"] = copy.deepcopy(cfg.rope_parameters)
    return rec


def rebuild_rotary(model, cfg):
    """Replaces the decoder's rotary embedding module (v5: one per model, per layer type inside)
    by one built from `cfg`."""
    old = model.model.rotary_emb
    model.model.rotary_emb = type(old)(cfg)


def llamacpp_ids(key):
    """The first N_TOKENS ids of the text as llama.cpp tokenizes it, and llama-cpp-python's version."""
    import llama_cpp
    vocab = llama_cpp.Llama(str(pc.model_path(key)), vocab_only=True, verbose=False)
    ids = vocab.tokenize(pc.read_text().encode("utf-8"), add_bos=True, special=False)[:N_TOKENS]
    del vocab
    return {"ids": ids, "llama_cpp_python": llama_cpp.__version__, "model_sha256": pc.model_sha256(key)}


def tokens_for(key, ids_file):
    """Ids from --ids FILE (written by --write-ids on a machine with llama-cpp-python), else llama.cpp."""
    if ids_file is None:
        return llamacpp_ids(key)
    entry = json.loads(open(ids_file, encoding="utf-8").read())[key]
    if entry["model_sha256"] != pc.model_sha256(key):
        raise SystemExit(f"{ids_file}: ids of {key} were made from another file (sha256 differs)")
    return entry


def nll_of(model, ids):
    """Per-token NLL from the float32 logits, log-softmax in float64 over row chunks (Gemma 3's
    2048 x 262144 logits are 2 GiB in float32)."""
    out = []
    with torch.inference_mode():
        logits = model(torch.tensor([ids])).logits[0, :-1]
        targets = torch.tensor(ids[1:])
        for a in range(0, logits.shape[0], 256):
            logp = torch.log_softmax(logits[a:a + 256].double(), dim=-1)
            out.append(-logp[torch.arange(logp.shape[0]), targets[a:a + 256]])
    return torch.cat(out).numpy()


def golden_for(key, ids_file):
    path = pc.model_path(key)
    print(f"{key}: {path.name} (transformers {transformers.__version__}, torch {torch.__version__})")
    tok = tokens_for(key, ids_file)
    ids = tok["ids"]
    t0 = time.perf_counter()
    base_cfg = AutoConfig.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, config=base_cfg,
                                                 torch_dtype=torch.float32).eval()
    load_seconds = time.perf_counter() - t0
    print(f"  loaded as {type(model).__name__} in {load_seconds:.1f} s")
    head_dim = getattr(base_cfg, "head_dim", None) or base_cfg.hidden_size // base_cfg.num_attention_heads
    runs = []
    for name, rope, overrides in runs_for(pc.MODELS[key]["train_ctx"], head_dim // 2):
        cfg = copy.deepcopy(base_cfg)
        set_rope(cfg, rope, overrides)
        rebuild_rotary(model, cfg)
        t1 = time.perf_counter()
        nll = nll_of(model, ids)
        seconds = time.perf_counter() - t1
        run = {"name": name, "hf_config": hf_config_record(cfg, overrides),
               "seconds": round(seconds, 1), **pc.summary(nll), "nll": pc.rounded(nll)}
        print(f"  {name:8s} mean nll {run['mean_nll']:.5f}  ppl {run['perplexity']:.4f}  ({seconds:.1f} s)")
        runs.append(run)
    data = {
        "peer": "transformers (PyTorch, float32, CPU)",
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__,
                     "gguf": importlib.metadata.version("gguf"),
                     "llama_cpp_python (tokenizer)": tok["llama_cpp_python"]},
        "model": path.name, "model_sha256": pc.model_sha256(key), "model_class": type(model).__name__,
        "train_ctx": pc.MODELS[key]["train_ctx"], "torch_threads": torch.get_num_threads(),
        "attn_implementation": getattr(model.config, "_attn_implementation", "?"),
        "text": pc.TEXT,
        "tokenization": f"llama.cpp vocabulary-only tokenize(whole text, add_special=model add_bos_token, "
                        f"parse_special=false), first {N_TOKENS} ids",
        "nll_definition": "nll[i] = -log softmax(logits[i])[tokens[i+1]] in float64 from float32 logits",
        "load_seconds": round(load_seconds, 1),
        "tokens": ids,
        "runs": runs,
    }
    pc.write_golden(f"transformers_{key}", data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="*", default=list(pc.MODELS))
    ap.add_argument("--threads", type=int, default=N_THREADS)
    ap.add_argument("--ids", help="token ids written by --write-ids (instead of llama-cpp-python)")
    ap.add_argument("--write-ids", help="write the token ids of each model to this file and stop")
    args = ap.parse_args()
    for key in args.models:
        if key not in pc.MODELS:
            raise SystemExit(f"unknown model '{key}'; known: {', '.join(pc.MODELS)}")
    if args.write_ids:
        with open(args.write_ids, "w", encoding="utf-8") as f:
            json.dump({key: llamacpp_ids(key) for key in args.models}, f)
        print(f"wrote {args.write_ids}")
        return
    global torch, transformers, AutoConfig, AutoModelForCausalLM
    import torch
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM
    torch.set_num_threads(args.threads)
    failed = []
    for key in args.models:
        try:
            golden_for(key, args.ids)
        except Exception:  # report and go on with the next model (e.g. an unsupported GGUF arch)
            traceback.print_exc()
            failed.append(key)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
