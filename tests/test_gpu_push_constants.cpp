// The push-constant structs of shaders/common/push_constants.h have the same field offsets in
// C++ (offsetof) and in the compiled SPIR-V (Offset decorations of the push-constant block).
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "core/gpu/spirv_registry.hpp"
#include "shaders/common/push_constants.h"

namespace {

// Offsets of the members of the struct held by the shader's push-constant block.
std::vector<uint32_t> push_constant_offsets(const std::string& shader) {
    const auto words = xl::find_spirv(shader);
    REQUIRE_MESSAGE(!words.empty(), shader);
    constexpr uint32_t OpTypeStruct = 30, OpTypePointer = 32, OpVariable = 59, OpMemberDecorate = 72;
    constexpr uint32_t PushConstant = 9, Offset = 35;
    std::vector<std::vector<uint32_t>> structs(words[3]);       // id -> member type ids
    std::vector<uint32_t> pointee(words[3], 0);                 // pointer id -> pointee id
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> offsets(words[3]);
    uint32_t pc_pointer = 0;
    for (size_t i = 5; i < words.size();) {
        const uint32_t count = words[i] >> 16, op = words[i] & 0xffff;
        REQUIRE(count > 0);
        if (op == OpTypeStruct) structs[words[i + 1]].assign(words.begin() + long(i) + 2, words.begin() + long(i + count));
        if (op == OpTypePointer) pointee[words[i + 1]] = words[i + 3];
        if (op == OpVariable && words[i + 3] == PushConstant) pc_pointer = words[i + 1];
        if (op == OpMemberDecorate && words[i + 3] == Offset) offsets[words[i + 1]].push_back({words[i + 2], words[i + 4]});
        i += count;
    }
    REQUIRE(pc_pointer != 0);
    const uint32_t block = pointee[pc_pointer];
    REQUIRE(structs[block].size() == 1);
    const uint32_t inner = structs[block][0];
    std::vector<uint32_t> out(structs[inner].size(), ~0u);
    for (auto [member, off] : offsets[inner]) out.at(member) = off;
    return out;
}

#define OFF(T, f) uint32_t(offsetof(xl::pc::T, f))
#define STATS_OFFSETS                                                                                              \
    {OFF(AttentionStats, n), OFF(AttentionStats, n_heads), OFF(AttentionStats, n_kv_heads), OFF(AttentionStats, window), \
     OFF(AttentionStats, sinks), OFF(AttentionStats, far_window), OFF(AttentionStats, has_alibi),                        \
     OFF(AttentionStats, sink_tokens), OFF(AttentionStats, histogram), OFF(AttentionStats, rows_offset),           \
     OFF(AttentionStats, mass_offset), OFF(AttentionStats, counts_offset)}

}  // namespace

TEST_CASE("gpu push constants: C++ offsets equal the compiled GLSL offsets") {
    struct Case {
        const char* shader;
        std::vector<uint32_t> expected;
        size_t size;
    };
    const std::vector<Case> cases = {
        {"matmul_f16",
         {OFF(Matmul, n), OFF(Matmul, rows), OFF(Matmul, cols), OFF(Matmul, w_stride), OFF(Matmul, x_offset),
          OFF(Matmul, x_stride), OFF(Matmul, y_offset), OFF(Matmul, y_stride), OFF(Matmul, accumulate)},
         sizeof(xl::pc::Matmul)},
        {"rmsnorm", {OFF(Norm, n), OFF(Norm, dim), OFF(Norm, eps), OFF(Norm, has_bias)}, sizeof(xl::pc::Norm)},
        {"layernorm", {OFF(Norm, n), OFF(Norm, dim), OFF(Norm, eps), OFF(Norm, has_bias)}, sizeof(xl::pc::Norm)},
        {"embedding_q8_0", {OFF(Embedding, n), OFF(Embedding, dim), OFF(Embedding, w_stride)}, sizeof(xl::pc::Embedding)},
        {"rope_apply",
         {OFF(Rope, n), OFF(Rope, heads), OFF(Rope, head_dim), OFF(Rope, pairs), OFF(Rope, neox), OFF(Rope, mscale),
          OFF(Rope, xpos_rate), OFF(Rope, xpos_centre)},
         sizeof(xl::pc::Rope)},
        {"attention",
         {OFF(Attention, n), OFF(Attention, n_heads), OFF(Attention, n_kv_heads), OFF(Attention, window),
          OFF(Attention, sinks), OFF(Attention, far_window), OFF(Attention, has_alibi), OFF(Attention, keys),
          OFF(Attention, first_group)},
         sizeof(xl::pc::Attention)},
        {"attention_keyset_hd64",
         {OFF(Attention, n), OFF(Attention, n_heads), OFF(Attention, n_kv_heads), OFF(Attention, window),
          OFF(Attention, sinks), OFF(Attention, far_window), OFF(Attention, has_alibi), OFF(Attention, keys),
          OFF(Attention, first_group)},
         sizeof(xl::pc::Attention)},
        {"attention_keymass_hd64",
         {OFF(AttentionKeyMass, n), OFF(AttentionKeyMass, n_heads), OFF(AttentionKeyMass, n_kv_heads),
          OFF(AttentionKeyMass, window), OFF(AttentionKeyMass, sinks), OFF(AttentionKeyMass, far_window),
          OFF(AttentionKeyMass, has_alibi), OFF(AttentionKeyMass, keys), OFF(AttentionKeyMass, first_query),
          OFF(AttentionKeyMass, end_query), OFF(AttentionKeyMass, accumulate), OFF(AttentionKeyMass, out_offset)},
         sizeof(xl::pc::AttentionKeyMass)},
        {"attention_probs",
         {OFF(AttentionProbs, n), OFF(AttentionProbs, n_heads), OFF(AttentionProbs, n_kv_heads),
          OFF(AttentionProbs, window), OFF(AttentionProbs, sinks), OFF(AttentionProbs, far_window),
          OFF(AttentionProbs, has_alibi), OFF(AttentionProbs, head), OFF(AttentionProbs, grid), OFF(AttentionProbs, slice),
          OFF(AttentionProbs, slices)},
         sizeof(xl::pc::AttentionProbs)},
        {"attention_rows_hd64",
         {OFF(AttentionRows, n), OFF(AttentionRows, n_heads), OFF(AttentionRows, n_kv_heads),
          OFF(AttentionRows, window), OFF(AttentionRows, sinks), OFF(AttentionRows, far_window),
          OFF(AttentionRows, has_alibi), OFF(AttentionRows, rows), OFF(AttentionRows, out_offset)},
         sizeof(xl::pc::AttentionRows)},
        {"attention_rowstats_hd64", STATS_OFFSETS, sizeof(xl::pc::AttentionStats)},
        {"attention_diagstats_hd64", STATS_OFFSETS, sizeof(xl::pc::AttentionStats)},
        {"swiglu", {OFF(Elementwise, count)}, sizeof(xl::pc::Elementwise)},
        {"silu", {OFF(Elementwise, count)}, sizeof(xl::pc::Elementwise)},
        {"add", {OFF(Elementwise, count)}, sizeof(xl::pc::Elementwise)},
        {"geglu", {OFF(Elementwise, count)}, sizeof(xl::pc::Elementwise)},
        {"affine", {OFF(Affine, count), OFF(Affine, width), OFF(Affine, scale), OFF(Affine, has_bias)},
         sizeof(xl::pc::Affine)},
        {"rmsnorm_add", {OFF(Norm, n), OFF(Norm, dim), OFF(Norm, eps), OFF(Norm, has_bias)}, sizeof(xl::pc::Norm)},
        {"nll", {OFF(Nll, n), OFF(Nll, vocab), OFF(Nll, target_offset), OFF(Nll, out_offset)}, sizeof(xl::pc::Nll)},
    };
    for (const Case& c : cases) {
        CAPTURE(c.shader);
        const auto got = push_constant_offsets(c.shader);
        CHECK(got == c.expected);
        CHECK(c.expected.size() * 4 == c.size);  // only 32-bit scalars, no padding
    }
}
