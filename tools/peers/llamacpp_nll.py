#!/usr/bin/env python3
"""llama.cpp peer (llama-cpp-python, CPU): golden per-token NLL and greedy tokens for the project's
real models → tests/golden/llamacpp_<model>.json, compared by tests/test_peers_llamacpp.cpp.

For each model (SmolLM2, Gemma 3):
  * tokens: the whole TinyStories text tokenized by llama.cpp itself as its perplexity tool does
    (add_special = the model's add_bos_token, parse_special = false, so "<|endoftext|>" lines are
    plain text), first N_TOKENS ids kept. SmolLM2 (add_bos_token false) starts without BOS;
    Gemma 3 (add_bos_token true) starts with BOS 2.
  * per-token NLL from llama.cpp's logits (logits_all=True, one batch), for plain RoPE and for
    llama.cpp's own linear and YaRN scaling passed through its context parameters.
  * greedy generation (argmax of the logits, i.e. temperature 0, no penalties) of N_GEN tokens
    from a short prompt, token by token through the KV cache.

With --f32 the same runs go to an F32 copy of the file (gguf_f32_copy.py: every tensor
dequantized by gguf.quants) with an F32 KV cache and flash attention off, written to
tests/golden/llamacpp_<model>_f32.json: llama.cpp computing in float32 from exactly the weights
extrapolab reads, without the 8-bit activation quantization of its quantized matmuls.

Usage: tools/peers/llamacpp_nll.py [--f32] [smollm2] [gemma3]   (default: both; needs llama-cpp-python)
"""
import os
import tempfile
import sys
import time

import numpy as np

import llama_cpp
import peer_common as pc

N_TOKENS = 1024
N_GEN = 32
N_THREADS = 2
PROMPT = "Once upon a time, there was a little girl named Lily. She"
FACTOR = 4  # linear and YaRN scale factor s (positions / frequencies divided by 4)


def runs_for(train_ctx):
    """The context parameters of each run (llama.cpp's names; unlisted ones at the binding's
    defaults). yarn_ext_factor -1 lets llama.cpp choose (0 for linear); YaRN gets it explicitly."""
    return [
        {"name": "none", "params": {"rope_scaling_type": llama_cpp.LLAMA_ROPE_SCALING_TYPE_NONE}},
        {"name": "linear", "params": {"rope_scaling_type": llama_cpp.LLAMA_ROPE_SCALING_TYPE_LINEAR,
                                      "rope_freq_scale": 1.0 / FACTOR}},
        {"name": "yarn", "params": {"rope_scaling_type": llama_cpp.LLAMA_ROPE_SCALING_TYPE_YARN,
                                    "rope_freq_scale": 1.0 / FACTOR, "yarn_orig_ctx": train_ctx,
                                    "yarn_ext_factor": 1.0, "yarn_attn_factor": 1.0,
                                    "yarn_beta_fast": 32.0, "yarn_beta_slow": 1.0}},
    ]


F32_CONTEXT = {}  # --f32: {"type_k": 0, "type_v": 0, "flash_attn": False} (GGML_TYPE_F32 = 0)


def open_model(path, n_ctx, params):
    return llama_cpp.Llama(str(path), n_ctx=n_ctx, n_batch=n_ctx, n_threads=N_THREADS,
                           n_threads_batch=N_THREADS, logits_all=True, verbose=False, **F32_CONTEXT, **params)


def versions():
    libs = pc.pathlib.Path(llama_cpp.__file__).parent / "lib"
    sonames = sorted(p.name for p in libs.glob("lib*.so.*.*.*")) if libs.is_dir() else []
    return {"llama_cpp_python": llama_cpp.__version__, "libraries": sonames,
            "system_info": llama_cpp.llama_print_system_info().decode().strip()}


def tokenize(llm, text):
    return llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)


def nll_run(path, tokens, run):
    llm = open_model(path, N_TOKENS, run["params"])
    t0 = time.perf_counter()
    llm.eval(tokens)
    seconds = time.perf_counter() - t0
    nll = pc.nll_from_logits(llm.scores[: len(tokens) - 1], tokens)
    del llm
    out = {"name": run["name"], "params": run["params"], "seconds": round(seconds, 2), **pc.summary(nll),
           "nll": pc.rounded(nll)}
    print(f"  {run['name']:7s} mean nll {out['mean_nll']:.5f}  ppl {out['perplexity']:.4f}  ({seconds:.1f} s)")
    return out


def greedy(llm, prompt_tokens):
    llm.reset()
    llm.eval(prompt_tokens)
    out = []
    for _ in range(N_GEN):
        nxt = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        out.append(nxt)
        llm.eval([nxt])
    return out


def golden_for(key, f32_dir=None):
    path = pc.model_path(key)
    source = path
    if f32_dir:
        from gguf_f32_copy import copy_f32
        path = pc.pathlib.Path(f32_dir) / (path.stem + ".f32.gguf")
        copy_f32(str(source), str(path))
    train_ctx = pc.MODELS[key]["train_ctx"]
    print(f"{key}: {path.name}")
    t_start = time.perf_counter()
    llm = open_model(path, N_TOKENS, {})
    add_bos = llm.metadata.get("tokenizer.ggml.add_bos_token", "unset")
    tokens = tokenize(llm, pc.read_text())[:N_TOKENS]
    prompt_tokens = tokenize(llm, PROMPT)
    gen = greedy(llm, prompt_tokens)
    print(f"  greedy: {llm.detokenize(gen).decode('utf-8', 'replace')!r}")
    info = {"n_ctx": llm.n_ctx(), "n_batch": llm.n_batch, "n_ubatch": llm.context_params.n_ubatch,
            "kv_cache_type": {0: "f32", 1: "f16"}.get(int(llm.context_params.type_k), int(llm.context_params.type_k)),
            "flash_attn_type": int(llm.context_params.flash_attn_type)}  # llama.h: -1 auto, 0 off, 1 on
    del llm
    runs = [nll_run(path, tokens, r) for r in runs_for(train_ctx)]
    data = {
        "peer": "llama.cpp (llama-cpp-python, CPU)", "versions": versions(),
        "model": source.name, "model_sha256": pc.model_sha256(key), "train_ctx": train_ctx,
        "weights": ("F32 copy of the model (gguf_f32_copy.py: gguf.quants.dequantize), F32 KV cache, flash attention off"
                    if f32_dir else "the model file as it is (llama.cpp's quantized matmuls)"),
        "n_threads": N_THREADS, "context": info,
        "text": pc.TEXT,
        "tokenization": "llama.cpp tokenize(whole text, add_special=model add_bos_token, parse_special=false), "
                        f"first {N_TOKENS} ids",
        "add_bos_token": add_bos,
        "nll_definition": "nll[i] = -log softmax(logits[i])[tokens[i+1]], float64 from llama.cpp's float32 logits",
        "tokens": tokens,
        "runs": runs,
        "greedy": {"prompt": PROMPT, "prompt_tokens": prompt_tokens, "rule": "argmax of the logits",
                   "tokens": gen},
        "generation_seconds": round(time.perf_counter() - t_start, 1),
    }
    pc.write_golden(f"llamacpp_{key}" + ("_f32" if f32_dir else ""), data)
    if f32_dir:
        os.remove(path)


def main():
    args = sys.argv[1:]
    f32 = "--f32" in args
    keys = [a for a in args if a != "--f32"] or list(pc.MODELS)
    if f32:
        F32_CONTEXT.update({"type_k": 0, "type_v": 0, "flash_attn": False})
    for key in keys:
        if key not in pc.MODELS:
            raise SystemExit(f"unknown model '{key}'; known: {', '.join(pc.MODELS)}")
        if f32:
            with tempfile.TemporaryDirectory(dir=pc.models_dir()) as tmp:
                golden_for(key, tmp)
        else:
            golden_for(key)


if __name__ == "__main__":
    main()
