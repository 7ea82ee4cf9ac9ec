#!/usr/bin/env python3
"""PyTorch peer for `extrapolab bench --synthetic tinyllama-1.1b`: the same model shape as
Hugging Face LlamaForCausalLM (random weights, bf16, SDPA attention), one forward pass plus
per-token losses per length, median of repeated runs after warm-up. Needs torch + transformers
(on the GPU machine only; never used by tests). Prints one JSON object."""
import argparse, json, statistics, time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {  # real model shapes (config.json of the published checkpoints)
    "tinyllama-1.1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
                           num_attention_heads=32, num_key_value_heads=4, vocab_size=32000),
    "llama2-7b": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                      num_attention_heads=32, num_key_value_heads=32, vocab_size=32000),
}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="tinyllama-1.1b")
    ap.add_argument("--lengths", default="512,2048,4096")
    ap.add_argument("--repeats", type=int, default=10)
    a = ap.parse_args()
    cfg = LlamaConfig(**SHAPES[a.shape], max_position_embeddings=8192, rope_theta=10000.0,
                      attn_implementation="sdpa", torch_dtype=torch.bfloat16)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg).to(device="cuda", dtype=torch.bfloat16).eval()
    out = {"peer": "pytorch LlamaForCausalLM bf16 sdpa", "torch": torch.__version__,
           "device": torch.cuda.get_device_name(), "shape": a.shape, "lengths": []}
    for n in [int(x) for x in a.lengths.split(",")]:
        ids = torch.randint(0, cfg.vocab_size, (1, n), device="cuda")
        def run():
            with torch.inference_mode():
                logits = model(ids).logits.float()
                nll = torch.nn.functional.cross_entropy(logits[0, :-1], ids[0, 1:], reduction="none")
                return nll.cpu()
        for _ in range(3):
            run()
        torch.cuda.synchronize()
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter(); run(); torch.cuda.synchronize(); times.append(time.perf_counter() - t0)
        out["lengths"].append({"tokens": n, "median_ms": 1e3 * statistics.median(times),
                               "min_ms": 1e3 * min(times), "tokens_per_s": n / statistics.median(times)})
    print(json.dumps(out, indent=1))

if __name__ == "__main__":
    main()
