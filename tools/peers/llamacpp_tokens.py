#!/usr/bin/env python3
"""Golden token ids from llama.cpp (llama-cpp-python, vocabulary-only mode) for the tokenizer tests.

For each model: the whole TinyStories text and a hard set (code, emoji, CJK, digit runs,
whitespace runs, tabs, empty lines, accented Latin, contractions, chat-template specials),
tokenized with tokenize(text, add_bos=True, special=True) -- add_bos=True means "add what the
vocabulary adds" (llama.cpp's add_special), special=True parses control tokens written in the
text. "detok" is llama.cpp's token_to_piece(special=False) concatenated over the ids.

  python3 tools/peers/llamacpp_tokens.py --models-dir "$XL_MODELS_DIR"
writes tests/golden/tokens_smollm2.json and tests/golden/tokens_gemma3.json (compact JSON with
the llama-cpp-python version). The TinyStories ids are stored with their count and FNV-1a hash
plus the first 512 ids, to keep the files small.
"""
import argparse
import ctypes
import json
import os
import sys

import llama_cpp

MODELS = {"smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf", "gemma3": "gemma-3-270m-q4_k_m.gguf"}

HARD = [
    ("empty", ""),
    ("space", " "),
    ("hello", "Hello world"),
    ("leading_spaces", "   leading spaces and trailing   "),
    ("whitespace_runs", "a  b   c    d     e\t\tf \t g"),
    ("tabs", "\tindented\n\t\tmore\n"),
    ("newlines", "line one\n\nline three\n\n\n\nafter blank lines\n"),
    ("crlf", "windows\r\nline\r\n\r\nend"),
    ("digits", "1 12 123 1234 12345 123456 1234567 3.14159 2024-01-31 10,000,000"),
    ("long_digits", "31415926535897932384626433832795028841971693993751058209749445923"),
    ("contractions", "I'm sure you'll see they've said it's John's, we'd, I'LL, DON'T, o'clock"),
    ("accented", "Café naïve résumé façade Ærøskøbing Ångström niño über straße"),
    ("cjk", "你好，世界！这是一个测试。日本語のテキストです。한국어 문장입니다."),
    ("emoji", "I love 🍕 and 🎉🎉! 👩‍👩‍👧‍👦 family, flags 🇫🇷🇯🇵, ❤️ hearts"),
    ("code", "def f(x):\n    return x**2 + 1  # square\n\nfor i in range(10):\n\tprint(f\"{i}: {f(i)}\")\n"),
    ("cpp", "int main() { std::vector<int> v{1,2,3}; return v[0] == 1 ? 0 : -1; }\n"),
    ("punctuation", "Wait... what?! (yes) [no] {maybe} <tag> a+b=c; x|y ~z ^w $5 @me #tag 100% &amp;"),
    ("mixed_scripts", "Ελληνικά русский עברית العربية हिन्दी ไทย"),
    ("specials_chatml", "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n"),
    ("specials_gemma", "<start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n"),
    ("specials_inline", "text<|endoftext|>more <bos>text<eos> and <unk>"),
    ("unicode_spaces", "no\u00a0break\u2003em\u3000ideographic"),
    ("symbols", "© ® ™ ° ± × ÷ → ← ∞ ≠ ≤ ≥ € £ ¥"),
    ("long_word", "Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism"),
    ("url", "https://example.com/path?query=1&b=two#frag user@example.org"),
]


def fnv1a64(ids):
    h = 0xCBF29CE484222325
    for t in ids:
        for k in range(4):
            h ^= (t >> (8 * k)) & 0xFF
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def detokenize(llm, ids):
    vocab = llm._model.vocab
    buf = ctypes.create_string_buffer(1024)
    out = b""
    for t in ids:
        n = llama_cpp.llama_token_to_piece(vocab, t, buf, len(buf), 0, False)
        assert 0 <= n <= len(buf)
        out += buf.raw[:n]
    return out.decode("utf-8", errors="replace")


def golden(path, text):
    llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    cases = []
    for name, t in HARD:
        ids = llm.tokenize(t.encode(), add_bos=True, special=True)
        cases.append({"name": name, "text": t, "ids": ids, "detok": detokenize(llm, ids)})
    ids = llm.tokenize(text.encode(), add_bos=True, special=True)
    story = {"count": len(ids), "fnv1a64": "%016x" % fnv1a64(ids), "head": ids[:512],
             "detok_equals_text": detokenize(llm, ids) == text}
    return {"peer": "llama-cpp-python " + llama_cpp.__version__, "model": os.path.basename(path),
            "add_bos": True, "special": True, "bos": llm.token_bos(), "cases": cases, "tinystories": story}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", default=os.environ.get("XL_MODELS_DIR", "cache/models"))
    ap.add_argument("--text", default="assets/tinystories-valid-first201.txt")
    ap.add_argument("--out", default="tests/golden")
    a = ap.parse_args()
    text = open(a.text, encoding="utf-8").read()
    for key, name in MODELS.items():
        g = golden(os.path.join(a.models_dir, name), text)
        out = os.path.join(a.out, "tokens_%s.json" % key)
        with open(out, "w", encoding="utf-8") as f:
            json.dump(g, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        print(out, g["tinystories"]["count"], "story tokens", file=sys.stderr)


if __name__ == "__main__":
    main()
