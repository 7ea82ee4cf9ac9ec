#include "core/model/quantize_rtn.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/model/half.hpp"

namespace xl {
namespace {

void store_u16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v & 0xff);
    p[1] = uint8_t(v >> 8);
}

int clamp_round(float v, int lo, int hi) { return std::clamp(int(std::lround(v)), lo, hi); }

float max_abs(const float* x, int n) {
    float m = 0;
    for (int i = 0; i < n; ++i) m = std::max(m, std::fabs(x[i]));
    return m;
}

// Q8_0: d = max|x|/127, q = round(x/d) (ggml quantize_row_q8_0_ref).
void q8_0(const float* x, uint8_t* b) {
    const float d = max_abs(x, 32) / 127.f, inv = d > 0 ? 1.f / d : 0.f;
    store_u16(b, f32_to_f16(d));
    for (int i = 0; i < 32; ++i) b[2 + i] = uint8_t(int8_t(clamp_round(x[i] * inv, -127, 127)));
}

// Nibble j of a 32-value legacy block: j < 16 low nibble of qs[j], else high nibble of qs[j-16].
void put_nibbles(const int* q, uint8_t* qs) {
    for (int j = 0; j < 16; ++j) qs[j] = uint8_t(q[j] | q[j + 16] << 4);
}

// Q4_0: d = max|x|/8 with the sign of the extreme value (ggml), q = round(x/d) + 8.
void q4_0(const float* x, uint8_t* b) {
    float ext = 0;
    for (int i = 0; i < 32; ++i)
        if (std::fabs(x[i]) > std::fabs(ext)) ext = x[i];
    const float d = ext / -8.f, inv = d != 0 ? 1.f / d : 0.f;
    int q[32];
    for (int i = 0; i < 32; ++i) q[i] = clamp_round(x[i] * inv + 8.f, 0, 15);
    store_u16(b, f32_to_f16(d));
    put_nibbles(q, b + 2);
}

// Q4_1: m = min, d = (max − min)/15, q = round((x − m)/d).
void q4_1(const float* x, uint8_t* b) {
    const float lo = *std::min_element(x, x + 32), hi = *std::max_element(x, x + 32);
    const float d = (hi - lo) / 15.f, inv = d > 0 ? 1.f / d : 0.f;
    int q[32];
    for (int i = 0; i < 32; ++i) q[i] = clamp_round((x[i] - lo) * inv, 0, 15);
    store_u16(b, f32_to_f16(d));
    store_u16(b + 2, f32_to_f16(lo));
    put_nibbles(q, b + 4);
}

// Q4_K: 8 sub-blocks of 32 with 6-bit scale sc and min m (value = d·sc·q − dmin·m), packed as
// ggml's get_scale_min_k4 reads them; q = (qs[32·(e/64) + e%32] >> 4·(s%2)) & 15.
void q4_k(const float* x, uint8_t* b) {
    float scale[8], minus[8];  // per sub-block: step and −min (≥ 0)
    for (int s = 0; s < 8; ++s) {
        const float lo = std::min(0.f, *std::min_element(x + 32 * s, x + 32 * s + 32));
        const float hi = *std::max_element(x + 32 * s, x + 32 * s + 32);
        scale[s] = (hi - lo) / 15.f;
        minus[s] = -lo;
    }
    const float d = *std::max_element(scale, scale + 8) / 63.f, dmin = *std::max_element(minus, minus + 8) / 63.f;
    store_u16(b, f32_to_f16(d));
    store_u16(b + 2, f32_to_f16(dmin));
    const float dq = f16_to_f32(load_u16(b)), mq = f16_to_f32(load_u16(b + 2));
    int sc[8], mn[8];
    for (int s = 0; s < 8; ++s) {
        sc[s] = dq > 0 ? clamp_round(scale[s] / dq, 0, 63) : 0;
        mn[s] = mq > 0 ? clamp_round(minus[s] / mq, 0, 63) : 0;
    }
    uint8_t* p = b + 4;
    for (int s = 0; s < 4; ++s) {
        p[s] = uint8_t(sc[s] | (sc[s + 4] >> 4) << 6);
        p[s + 4] = uint8_t(mn[s] | (mn[s + 4] >> 4) << 6);
        p[s + 8] = uint8_t((sc[s + 4] & 15) | (mn[s + 4] & 15) << 4);
    }
    uint8_t* qs = b + 16;
    std::memset(qs, 0, 128);
    for (int e = 0; e < 256; ++e) {
        const int s = e / 32;
        const float step = dq * float(sc[s]);
        const int q = step > 0 ? clamp_round((x[e] + mq * float(mn[s])) / step, 0, 15) : 0;
        qs[32 * (e / 64) + e % 32] |= uint8_t(q << (4 * (s % 2)));
    }
}

// Q6_K: 16 sub-blocks of 16 with int8 scales (value = d·scale·(q − 32)); low 4 bits of q in
// ql[64·(e/128) + w%64] >> 4·(w/64), high 2 in qh[32·(e/128) + w%32] >> 2·(w/32), w = e%128.
void q6_k(const float* x, uint8_t* b) {
    float scale[16];
    for (int s = 0; s < 16; ++s) scale[s] = max_abs(x + 16 * s, 16) / 31.f;
    const float d = *std::max_element(scale, scale + 16) / 127.f;
    store_u16(b + 208, f32_to_f16(d));
    const float dq = f16_to_f32(load_u16(b + 208));
    int8_t* scales = reinterpret_cast<int8_t*>(b + 192);
    uint8_t* ql = b;
    uint8_t* qh = b + 128;
    std::memset(b, 0, 192);
    for (int s = 0; s < 16; ++s) scales[s] = int8_t(dq > 0 ? clamp_round(scale[s] / dq, 0, 127) : 0);
    for (int e = 0; e < 256; ++e) {
        const float step = dq * float(scales[e / 16]);
        const int q = step > 0 ? clamp_round(x[e] / step + 32.f, 0, 63) : 32;
        const int a = e / 128, w = e % 128;
        ql[64 * a + w % 64] |= uint8_t((q & 15) << (4 * (w / 64)));
        qh[32 * a + w % 32] |= uint8_t((q >> 4) << (2 * (w / 32)));
    }
}

}  // namespace

bool can_quantize(TensorType type) {
    switch (type) {
        case TensorType::F32: case TensorType::F16: case TensorType::BF16: case TensorType::Q4_0:
        case TensorType::Q4_1: case TensorType::Q8_0: case TensorType::Q4_K: case TensorType::Q6_K:
            return true;
        default:
            return false;
    }
}

void quantize_row(TensorType type, const float* x, int64_t n, uint8_t* out) {
    const TensorTypeInfo& info = type_info(type);
    if (!can_quantize(type))
        throw Error(ErrorKind::Unsupported, to_string(type), "no quantiser (F32, F16, BF16, Q4_0, Q4_1, Q8_0, Q4_K, Q6_K)");
    if (n % info.block_elems != 0)
        throw Error(ErrorKind::BadArgument, to_string(type), "row of " + std::to_string(n) + " values is not whole blocks");
    for (int64_t b = 0; b < n / info.block_elems; ++b) {
        const float* xb = x + b * info.block_elems;
        uint8_t* ob = out + b * info.block_bytes;
        switch (type) {
            case TensorType::F32: std::memcpy(ob, xb, 4); break;
            case TensorType::F16: store_u16(ob, f32_to_f16(*xb)); break;
            case TensorType::BF16: store_u16(ob, uint16_t(f32_to_bits(*xb) >> 16)); break;
            case TensorType::Q4_0: q4_0(xb, ob); break;
            case TensorType::Q4_1: q4_1(xb, ob); break;
            case TensorType::Q8_0: q8_0(xb, ob); break;
            case TensorType::Q4_K: q4_k(xb, ob); break;
            case TensorType::Q6_K: q6_k(xb, ob); break;
            default: break;
        }
    }
}

}  // namespace xl
