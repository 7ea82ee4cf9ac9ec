// Overflow-checked arithmetic for sizes read from files and numbers read from specs: every
// reader computes "count × element size" or "offset + length" with these instead of raw
// operators, so a hostile value gives a typed error instead of signed overflow or a wrapped
// bound (the classes of GGUF/pickle reader faults llama.cpp and others have fixed).
//
//   int64_t bytes;
//   if (!xl::checked_mul(numel, elem, bytes)) throw Error(BadFile, path, "tensor size overflows");
//   int w;
//   if (!xl::whole_int(v, 1, INT32_MAX, w)) fail("'w' must be a whole number >= 1");
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

namespace xl {

// out = a * b / a + b; false on overflow (out is then unspecified).
inline bool checked_mul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
inline bool checked_add(int64_t a, int64_t b, int64_t& out) { return !__builtin_add_overflow(a, b, &out); }
inline bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
inline bool checked_add(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }

// Whether v lies in [lo, hi] (NaN never does). Compares in double before any conversion, so
// converting afterwards is defined behaviour.
inline bool in_range(double v, double lo, double hi) { return v >= lo && v <= hi; }

// v as an int in [lo, hi] when it is a whole number there; false otherwise (out untouched).
inline bool whole_int(double v, int lo, int hi, int& out) {
    if (!in_range(v, double(lo), double(hi)) || v != std::floor(v)) return false;
    out = int(v);
    return true;
}

// v truncated toward zero as an int in [lo, hi]; false when outside (or NaN).
inline bool truncated_int(double v, int lo, int hi, int& out) {
    if (!in_range(v, double(lo), double(hi) + 0.999)) return false;
    out = int(v);
    return true;
}

constexpr int kIntMax = std::numeric_limits<int>::max();

}  // namespace xl
