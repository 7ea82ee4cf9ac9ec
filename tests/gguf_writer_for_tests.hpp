// Test helper: builds GGUF files (v2/v3) in memory and writes them, so tests can make small
// models with F16/BF16/Q8_0 weights, broken headers or odd metadata. Header-only.
//
//   xl::test::GgufWriter w;
//   w.add_string("general.architecture", "llama");
//   w.add_u32("llama.block_count", 1);
//   w.add_tensor("token_embd.weight", xl::test::kGgmlF16, {dim, vocab}, xl::test::to_f16(values));
//   w.write(path);               // or std::vector<uint8_t> bytes = w.bytes();
//
// Tensor ne is in ggml order (ne[0] = cols). Data is padded to the alignment (default 32).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/model/half.hpp"

namespace xl::test {

inline constexpr uint32_t kGgmlF32 = 0, kGgmlF16 = 1, kGgmlQ4_0 = 2, kGgmlQ8_0 = 8, kGgmlBF16 = 30;

inline std::vector<uint8_t> to_f32(const std::vector<float>& v) {
    std::vector<uint8_t> out(v.size() * 4);
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}
inline std::vector<uint8_t> to_f16(const std::vector<float>& v) {
    std::vector<uint8_t> out;
    for (float f : v) { uint16_t h = f32_to_f16(f); out.push_back(uint8_t(h)); out.push_back(uint8_t(h >> 8)); }
    return out;
}
inline std::vector<uint8_t> to_bf16(const std::vector<float>& v) {
    std::vector<uint8_t> out;
    for (float f : v) { uint16_t h = f32_to_bf16(f); out.push_back(uint8_t(h)); out.push_back(uint8_t(h >> 8)); }
    return out;
}
// ggml's reference Q8_0 quantiser: d = max|x| / 127 per block of 32, q = round(x / d).
inline std::vector<uint8_t> to_q8_0(const std::vector<float>& v) {
    std::vector<uint8_t> out;
    for (size_t b = 0; b + kQ8BlockSize <= v.size(); b += kQ8BlockSize) {
        float amax = 0;
        for (int i = 0; i < kQ8BlockSize; ++i) amax = std::max(amax, std::abs(v[b + i]));
        const float d = amax / 127.f, id = d ? 1.f / d : 0.f;
        const uint16_t h = f32_to_f16(d);
        out.push_back(uint8_t(h));
        out.push_back(uint8_t(h >> 8));
        for (int i = 0; i < kQ8BlockSize; ++i) out.push_back(uint8_t(int8_t(std::lround(v[b + i] * id))));
    }
    return out;
}

class GgufWriter {
public:
    uint32_t version = 3;
    uint32_t alignment = 32;  // also written as general.alignment when not 32

    void add_u32(const std::string& k, uint32_t v) { key(k, 4); pod(v); ++n_kv_; }
    void add_i32(const std::string& k, int32_t v) { key(k, 5); pod(v); ++n_kv_; }
    void add_f32(const std::string& k, float v) { key(k, 6); pod(v); ++n_kv_; }
    void add_bool(const std::string& k, bool v) { key(k, 7); pod(uint8_t(v)); ++n_kv_; }
    void add_u64(const std::string& k, uint64_t v) { key(k, 10); pod(v); ++n_kv_; }
    void add_f64(const std::string& k, double v) { key(k, 12); pod(v); ++n_kv_; }
    void add_string(const std::string& k, const std::string& v) { key(k, 8); str(kv_, v); ++n_kv_; }
    void add_strings(const std::string& k, const std::vector<std::string>& v) {
        array_head(k, 8, v.size());
        for (const auto& s : v) str(kv_, s);
    }
    void add_f32s(const std::string& k, const std::vector<float>& v) {
        array_head(k, 6, v.size());
        for (float f : v) pod(f);
    }
    void add_i32s(const std::string& k, const std::vector<int32_t>& v) {
        array_head(k, 5, v.size());
        for (int32_t x : v) pod(x);
    }
    void add_tensor(const std::string& name, uint32_t ggml_type, const std::vector<uint64_t>& ne,
                    const std::vector<uint8_t>& data) {
        str(infos_, name);
        put(infos_, uint32_t(ne.size()));
        for (uint64_t x : ne) put(infos_, x);
        put(infos_, ggml_type);
        put(infos_, uint64_t(data_.size()));
        data_.insert(data_.end(), data.begin(), data.end());
        data_.resize((data_.size() + alignment - 1) / alignment * alignment, 0);
        ++n_tensors_;
    }

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out = {'G', 'G', 'U', 'F'};
        put(out, version);
        put(out, n_tensors_);
        std::vector<uint8_t> kv = kv_;
        uint64_t n_kv = n_kv_;
        if (alignment != 32) {
            str(kv, "general.alignment");
            put(kv, uint32_t(4));
            put(kv, alignment);
            ++n_kv;
        }
        put(out, n_kv);
        out.insert(out.end(), kv.begin(), kv.end());
        out.insert(out.end(), infos_.begin(), infos_.end());
        out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
        out.insert(out.end(), data_.begin(), data_.end());
        return out;
    }
    void write(const std::string& path) const {
        const std::vector<uint8_t> b = bytes();
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    }

private:
    template <class T>
    static void put(std::vector<uint8_t>& out, T v) {
        const size_t at = out.size();
        out.resize(at + sizeof(T));
        std::memcpy(out.data() + at, &v, sizeof(T));
    }
    static void str(std::vector<uint8_t>& out, const std::string& s) {
        put(out, uint64_t(s.size()));
        out.insert(out.end(), s.begin(), s.end());
    }
    template <class T>
    void pod(T v) { put(kv_, v); }
    void key(const std::string& k, uint32_t type) { str(kv_, k); put(kv_, type); }
    void array_head(const std::string& k, uint32_t elem, size_t n) {
        key(k, 9);
        put(kv_, elem);
        put(kv_, uint64_t(n));
        ++n_kv_;
    }

    std::vector<uint8_t> kv_, infos_, data_;
    uint64_t n_kv_ = 0, n_tensors_ = 0;
};

}  // namespace xl::test
