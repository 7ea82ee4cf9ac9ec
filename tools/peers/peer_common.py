"""Shared helpers of the peer golden-file generators (tools/peers/*.py).

The generators run a peer (llama.cpp through llama-cpp-python, or transformers on PyTorch) on the
project's real models and write compact JSON golden files under tests/golden/ that the C++ tests
(tests/test_peers_*.cpp) compare extrapolab against. CI never runs these scripts: the golden files
are committed, each recording the peer's version and every parameter it ran with.

Model files come from tools/fetch-models.sh ($XL_MODELS_DIR, default <repo>/.models).
"""
import json
import math
import os
import pathlib

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
TEXT = "assets/tinystories-valid-first201.txt"

# The two real models of the project (tools/fetch-models.sh) and their training contexts
# (GGUF <arch>.context_length).
MODELS = {
    "smollm2": {"file": "SmolLM2-135M-Instruct.Q4_1.gguf", "train_ctx": 8192},
    "gemma3": {"file": "gemma-3-270m-q4_k_m.gguf", "train_ctx": 32768},
}


def models_dir():
    return pathlib.Path(os.environ.get("XL_MODELS_DIR") or REPO / ".models")


def model_path(key):
    path = models_dir() / MODELS[key]["file"]
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run tools/fetch-models.sh")
    return path


def model_sha256(key):
    """The sha256 fetch-models.sh recorded for the model (MANIFEST.tsv), or None."""
    manifest = models_dir() / "MANIFEST.tsv"
    if manifest.is_file():
        for line in manifest.read_text().splitlines():
            cols = line.split("\t")
            if len(cols) >= 2 and cols[0] == MODELS[key]["file"]:
                return cols[1]
    return None


def read_text():
    return (REPO / TEXT).read_text(encoding="utf-8")


def nll_from_logits(logits, tokens):
    """Per-token NLL: nll[i] = -log softmax(logits[i])[tokens[i+1]], i = 0..n-2, in float64.
    `logits` has at least n-1 rows (row i predicts token i+1)."""
    n = len(tokens)
    out = np.empty(n - 1, dtype=np.float64)
    for i in range(n - 1):
        row = np.asarray(logits[i], dtype=np.float64)
        m = row.max()
        out[i] = m + math.log(np.exp(row - m).sum()) - row[tokens[i + 1]]
    return out


def summary(nll):
    nll = np.asarray(nll, dtype=np.float64)
    return {"mean_nll": round(float(nll.mean()), 7), "perplexity": round(float(np.exp(nll.mean())), 6)}


def rounded(values, digits=6):
    """A list of floats rounded to `digits` decimals (compact JSON, far below every tolerance)."""
    return [round(float(v), digits) for v in values]


def write_golden(name, data):
    """Writes tests/golden/<name>.json compactly (one key per line at the top level)."""
    path = REPO / "tests" / "golden" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in data.items()]
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    tmp.replace(path)
    print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size} bytes)")
    return path
