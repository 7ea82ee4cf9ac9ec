#!/usr/bin/env python3
"""llama.cpp CPU speed peer for `extrapolab bench` (issue 8, "Speed"): wall time of one forward
pass with the logits of every position (what per-token losses need) on SmolLM2, 2 threads, at
512 / 2048 / 8192 tokens; median of a few runs after one warm-up run. Prints a table (and, with
--json, one JSON object) so that it can be run next to `extrapolab bench` in the same session.
Not a test: timings depend on what else the machine runs.

Usage: tools/peers/llamacpp_speed.py [--lengths 512,2048,8192] [--repeats 3] [--threads 2] [--json]
"""
import argparse
import json
import statistics
import time

import llama_cpp
import peer_common as pc


def time_length(path, tokens, n, repeats, threads):
    llm = llama_cpp.Llama(str(path), n_ctx=n, n_batch=n, n_threads=threads, n_threads_batch=threads,
                          logits_all=True, verbose=False)
    ids = tokens[:n]
    times = []
    for i in range(repeats + 1):  # the first run warms caches and is not counted
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(ids)
        if i > 0:
            times.append(time.perf_counter() - t0)
    del llm
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", default="512,2048,8192")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default="smollm2", choices=sorted(pc.MODELS))
    ap.add_argument("--json", action="store_true", help="also print one JSON object")
    a = ap.parse_args()
    path = pc.model_path(a.model)
    vocab = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    text = pc.read_text()
    tokens = vocab.tokenize(text.encode("utf-8"), add_bos=True, special=False)
    lengths = [int(x) for x in a.lengths.split(",")]
    while len(tokens) < max(lengths):  # the text repeated when a length exceeds it
        tokens += tokens
    del vocab
    rows = []
    print(f"llama.cpp (llama-cpp-python {llama_cpp.__version__}) CPU, {a.threads} threads, {path.name}, "
          f"forward + logits of every position, median of {a.repeats} after 1 warm-up")
    print(f"{'tokens':>8} {'median s':>10} {'min s':>8} {'tokens/s':>10}")
    for n in lengths:
        times = time_length(path, tokens, n, a.repeats, a.threads)
        med = statistics.median(times)
        rows.append({"tokens": n, "median_s": round(med, 4), "min_s": round(min(times), 4), "runs_s": times})
        print(f"{n:8d} {med:10.3f} {min(times):8.3f} {n / med:10.1f}", flush=True)
    if a.json:
        print(json.dumps({"peer": "llama.cpp", "llama_cpp_python": llama_cpp.__version__, "threads": a.threads,
                          "model": path.name, "rows": rows}))


if __name__ == "__main__":
    main()
