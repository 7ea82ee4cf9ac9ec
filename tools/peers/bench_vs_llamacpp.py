#!/usr/bin/env python3
"""Speed of extrapolab against llama.cpp on the same machine, in the same run (issue 8, "Speed"):
per length, `extrapolab bench` (forward + per-token losses; Vulkan, lavapipe on a machine without a
GPU) and then llama.cpp on the CPU (forward + logits of every position, llamacpp_speed.py), both on
SmolLM2, alternating length by length so that both see the same load. Prints the medians and
extrapolab's time as a multiple of llama.cpp's. Not a test: timings depend on what else runs.

Usage: tools/peers/bench_vs_llamacpp.py [--lengths 512,2048,8192] [--repeats 3] [--threads 2]
                                        [--extrapolab build/extrapolab]
"""
import argparse
import json
import statistics
import subprocess

import llama_cpp
import llamacpp_speed
import peer_common as pc


def extrapolab_median(binary, model, n, repeats):
    out = subprocess.run([binary, "bench", "--model", str(model), "--lengths", str(n), "--repeats", str(repeats),
                          "--format", "json"], check=True, capture_output=True, text=True).stdout
    doc = json.loads(out)
    return doc["device"], doc["results"][0]["median_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", default="512,2048,8192")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--extrapolab", default=str(pc.REPO / "build" / "extrapolab"))
    a = ap.parse_args()
    path = pc.model_path("smollm2")
    vocab = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    tokens = vocab.tokenize(pc.read_text().encode("utf-8"), add_bos=True, special=False)
    lengths = [int(x) for x in a.lengths.split(",")]
    while len(tokens) < max(lengths):
        tokens += tokens
    del vocab
    print(f"SmolLM2 ({path.name}), median of {a.repeats} runs after 1 warm-up each; "
          f"llama.cpp: llama-cpp-python {llama_cpp.__version__}, CPU, {a.threads} threads")
    print(f"{'tokens':>8} {'extrapolab s':>13} {'llama.cpp s':>12} {'ratio':>7}  device")
    for n in lengths:
        device, ours = extrapolab_median(a.extrapolab, path, n, a.repeats)
        peer = statistics.median(llamacpp_speed.time_length(path, tokens, n, a.repeats, a.threads))
        print(f"{n:8d} {ours:13.3f} {peer:12.3f} {ours / peer:6.2f}x  {device}", flush=True)


if __name__ == "__main__":
    main()
