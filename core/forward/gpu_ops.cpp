#include "core/forward/gpu_ops.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/gpu/context.hpp"
#include "shaders/common/attention_coop_tiles.h"
#include "shaders/common/attention_stats.h"
#include "shaders/common/attention_tiles.h"
#include "shaders/common/matmul_coop_tiles.h"
#include "shaders/common/push_constants.h"

namespace xl {
namespace {

uint32_t ceil_div(uint64_t a, uint64_t b) { return uint32_t((a + b - 1) / b); }

// A 1-D range of `groups` workgroups as a 2-D grid (x ≤ 65535); shaders use flat_group().
std::pair<uint32_t, uint32_t> split_groups(uint32_t groups) {
    const uint32_t gx = groups < 65535u ? groups : 65535u;
    return {gx, ceil_div(groups, gx)};
}

// Shader variant of a weight type: matmul_<variant>, embedding_<variant> (tensor_types.cpp).
std::string weight_variant(const char* op, TensorType t) { return std::string(op) + "_" + type_info(t).variant; }

// Attention shaders keep per-query vectors in registers sized at compile time: one variant per
// head_dim (shaders/attention.variants).
std::string head_dim_variant(const std::string& base, int head_dim) {
    for (int d : {8, 16, 32, 64, 80, 96, 128, 256})
        if (d == head_dim) return std::string(base) + "_hd" + std::to_string(d);
    throw Error(ErrorKind::Unsupported, "head_dim " + std::to_string(head_dim),
                "no attention shader variant for this head size (8, 16, 32, 64, 80, 96, 128, 256)");
}

// Texel view of a GPU weight (shaders/common/weights.glsl).
gpu::Binding weight_texels(const GpuTensor& w) {
    return gpu::texel(w.data, weight_texel_format(type_info(w.type).gpu_layout));
}

// Variant family of the cooperative-matrix attention (shaders/attention_coop.variants), from
// XL_COOP_ATTN: "split" (default: q, k, P and V as two fp16 terms; heads ≤ 64 take the fused
// variant, K and V staged together with the next block in flight), "unfused" (split, staged one
// at a time, every head), "qk" (q and k split only), "f16" (plain fp16 operands), "0" (the
// scalar kernel). Read once. On the H200 (tools/gpu/README.md) plain fp16 is 6 % faster than
// split but its per-token |ΔNLL| reaches 0.16 on stories260K, "qk" 1e-2, split 2.2e-4.
const std::string& coop_attention_mode() {
    static const std::string mode = [] {
        const char* env = std::getenv("XL_COOP_ATTN");
        return std::string(env ? env : "split");
    }();
    return mode;
}

std::string coop_attention_variant(int head_dim) {
    const std::string& m = coop_attention_mode();
    const bool fused = m != "unfused" && m != "qk" && m != "f16";
    if (fused && head_dim <= 64) return head_dim_variant("attention_coop_fused", head_dim);
    if (m == "qk" || m == "f16") return head_dim_variant("attention_coop_" + m, head_dim);
    return head_dim_variant("attention_coop", head_dim);
}

}  // namespace

GpuOps::MatmulTiling GpuOps::matmul_tiling(int n) {
    const uint32_t want = uint32_t(std::max(n, 1));
    MatmulTiling t{1, XL_MATMUL_MIN_LANES};
    while (t.tokens_per_lane < XL_MATMUL_TOKENS_PER_LANE && t.tokens() < want) t.tokens_per_lane *= 2;
    while (t.token_lanes < XL_MATMUL_GROUP && t.tokens() < want) t.token_lanes *= 2;
    return t;
}

void GpuOps::matmul(const GpuTensor& w, const gpu::Buffer& x, gpu::Buffer& y, int n, bool accumulate,
                    uint32_t x_offset, uint32_t y_offset) {
    assert(n > 0 && w.rows > 0);
    if (w.cols % 4 != 0 || x_offset % 4 != 0)
        throw Error(ErrorKind::Unsupported, "matmul", "input features must be a multiple of 4 (got " +
                                                          std::to_string(w.cols) + ")");
    pc::Matmul p{};
    p.n = uint32_t(n);
    p.rows = uint32_t(w.rows);
    p.cols = uint32_t(w.cols);
    p.w_stride = w.stride;
    p.x_offset = x_offset;
    p.x_stride = uint32_t(w.cols);
    p.y_offset = y_offset;
    p.y_stride = uint32_t(w.rows);
    p.accumulate = accumulate ? 1u : 0u;
    std::string name = weight_variant("matmul", w.type);
    const MatmulTiling tiling = matmul_tiling(n);
    std::vector<uint32_t> constants = {tiling.tokens_per_lane, tiling.token_lanes};
    uint32_t tile_tokens = tiling.tokens(), tile_rows = tiling.rows();
    if (ctx_.has_coop_matrix() && w.cols % XL_COOP_BK == 0) {
        // Cooperative matrices (shaders/matmul_coop.comp, a variant per weight type); the large
        // tile once both sides fill it.
        const bool large = p.n >= XL_COOP_LARGE_BM && p.rows >= XL_COOP_LARGE_BN;
        name = weight_variant("matmul_coop", w.type) + (large ? "_large" : "");
        tile_tokens = large ? XL_COOP_LARGE_BM : XL_COOP_SMALL_BM;
        tile_rows = large ? XL_COOP_LARGE_BN : XL_COOP_SMALL_BN;
        constants.clear();
    }
    rec_.dispatch(ctx_.pipelines().get(name, "tts", sizeof(p), constants), {weight_texels(w), gpu::texel(x), gpu::out(y)}, p,
                  ceil_div(p.n, tile_tokens), ceil_div(p.rows, tile_rows));
}

void GpuOps::rmsnorm(const gpu::Buffer& x, const gpu::Buffer& weight, gpu::Buffer& y, int n, int dim, float eps) {
    pc::Norm p{uint32_t(n), uint32_t(dim), eps, 0};
    const auto [gx, gy] = split_groups(uint32_t(n));
    rec_.dispatch(ctx_.pipelines().get("rmsnorm", "sss", sizeof(p)), {gpu::in(x), gpu::in(weight), gpu::out(y)}, p, gx, gy);
}

void GpuOps::rmsnorm_add(const gpu::Buffer& x, const gpu::Buffer& weight, gpu::Buffer& y, int n, int dim, float eps) {
    pc::Norm p{uint32_t(n), uint32_t(dim), eps, 0};
    const auto [gx, gy] = split_groups(uint32_t(n));
    rec_.dispatch(ctx_.pipelines().get("rmsnorm_add", "sss", sizeof(p)), {gpu::in(x), gpu::in(weight), gpu::out(y)}, p,
                  gx, gy);
}

void GpuOps::layernorm(const gpu::Buffer& x, const gpu::Buffer& weight, const gpu::Buffer* bias, gpu::Buffer& y,
                       int n, int dim, float eps) {
    pc::Norm p{uint32_t(n), uint32_t(dim), eps, bias ? 1u : 0u};
    const auto [gx, gy] = split_groups(uint32_t(n));
    rec_.dispatch(ctx_.pipelines().get("layernorm", "ssss", sizeof(p)),
                  {gpu::in(x), gpu::in(weight), gpu::in(bias ? *bias : weight), gpu::out(y)}, p, gx, gy);
}

void GpuOps::embedding(const GpuTensor& table, const gpu::Buffer& tokens, gpu::Buffer& out, int n) {
    pc::Embedding p{uint32_t(n), uint32_t(table.cols), table.stride};
    const auto [gx, gy] = split_groups(ceil_div(uint64_t(n) * table.cols, 256));
    rec_.dispatch(ctx_.pipelines().get(weight_variant("embedding", table.type), "tss", sizeof(p)),
                  {weight_texels(table), gpu::in(tokens), gpu::out(out)}, p, gx, gy);
}

std::vector<float> xpos_log2_zeta(const PositionPlan& plan) {
    std::vector<float> out;
    for (float z : plan.xpos.zeta) out.push_back(float(std::log2(double(z))));
    return out;
}

double xpos_max_log2_magnitude(const PositionPlan& plan, int n) {
    double zeta = 0;
    for (float z : plan.xpos.zeta) zeta = std::max(zeta, std::fabs(std::log2(double(z))));
    const double c = plan.xpos.centre, reach = std::max(std::fabs(c), std::fabs(double(n - 1) - c));
    return zeta * reach / plan.xpos.scale_base;
}

void GpuOps::rope_apply(const gpu::Buffer& x, const gpu::Buffer& positions, const gpu::Buffer& inv_freq,
                        gpu::Buffer& out, int n, int heads, int head_dim, int pairs, bool neox, float mscale,
                        const RopeXpos& xpos) {
    assert(2 * pairs <= head_dim);
    const float rate = xpos.log2_zeta ? xpos.rate : 0.f;
    pc::Rope p{uint32_t(n), uint32_t(heads), uint32_t(head_dim), uint32_t(pairs), neox ? 1u : 0u, mscale,
               rate, xpos.centre};
    const auto [gx, gy] = split_groups(ceil_div(uint64_t(n) * heads, 64));
    const char* name = ctx_.has_fp64() ? "rope_apply" : "rope_apply_nofp64";
    // Without xPos the shader does not read binding 4; inv_freq stands in for it.
    rec_.dispatch(ctx_.pipelines().get(name, "sssss", sizeof(p)),
                  {gpu::in(x), gpu::in(positions), gpu::in(inv_freq), gpu::out(out),
                   gpu::in(xpos.log2_zeta ? *xpos.log2_zeta : inv_freq)},
                  p, gx, gy);
}

bool uses_coop_attention(const gpu::Context& ctx, int head_dim) {
    return ctx.has_coop_matrix() && coop_attention_mode() != "0" && head_dim <= XL_ATTN_COOP_MAX_HD;
}

// Segments of a causal attention dispatch over `groups` query blocks: about kSegmentPairs
// query-key pairs × heads each (a few GFLOP: a tenth of a second on lavapipe), split where the
// cumulative causal work (∝ block²) crosses k/S of the whole.
namespace {
constexpr double kSegmentPairs = 8.0 * (1 << 20);
std::vector<uint32_t> attention_segments(uint32_t groups, const AttentionShape& s) {
    const double work = 0.5 * double(s.n) * double(s.n) * s.n_heads;
    const uint32_t count = uint32_t(std::clamp(std::ceil(work / kSegmentPairs), 1.0, double(groups)));
    std::vector<uint32_t> ends;
    for (uint32_t k = 1; k < count; ++k) {
        const uint32_t e = uint32_t(std::lround(groups * std::sqrt(double(k) / count)));
        if (e > (ends.empty() ? 0u : ends.back()) && e < groups) ends.push_back(e);
    }
    ends.push_back(groups);
    return ends;
}
}  // namespace

void GpuOps::attention(const AttentionInputs& in, const AttentionShape& s, gpu::Buffer& out, gpu::Buffer& lse,
                       const std::function<void(double)>& between) {
    assert(s.n_kv_heads > 0 && s.n_heads % s.n_kv_heads == 0);
    const bool far = in.q_far && in.k_far, keyset = in.keyset();
    assert(!keyset || s.keys > 0);
    pc::Attention p{uint32_t(s.n), uint32_t(s.n_heads), uint32_t(s.n_kv_heads), uint32_t(s.window),
                    uint32_t(s.sinks), uint32_t(s.far_window), in.slopes ? 1u : 0u, uint32_t(keyset ? s.keys : s.n), 0u};
    std::string name = head_dim_variant(keyset ? "attention_keyset" : "attention", s.head_dim);
    uint32_t per_group = XL_ATTENTION_GROUP * XL_ATTENTION_QUERIES_PER_LANE(s.head_dim);
    if (!keyset && !s.fp32_operands && uses_coop_attention(ctx_, s.head_dim)) {  // flash attention on cooperative matrices, same bindings
        name = coop_attention_variant(s.head_dim);
        per_group = XL_ATTN_COOP_QUERIES(s.head_dim);
    }
    const gpu::Binding texels[] = {gpu::texel(*in.k_near), gpu::texel(far ? *in.k_far : *in.k_near), gpu::texel(*in.v)};
    const gpu::Buffer& qf = far ? *in.q_far : *in.q_near;
    const gpu::Buffer& slopes = in.slopes ? *in.slopes : *in.query_scale;
    const uint32_t gx = ceil_div(uint32_t(s.n), per_group), gy = uint32_t(s.n_heads);
    if (keyset) {  // the KEYSET variant: two index bindings more
        rec_.dispatch(ctx_.pipelines().get(name, "tttssssssss", sizeof(p), {far ? 1u : 0u}),
                      {texels[0], texels[1], texels[2], gpu::in(*in.q_near), gpu::in(qf), gpu::in(*in.query_scale),
                       gpu::in(slopes), gpu::out(out), gpu::out(lse), gpu::in(*in.query_index), gpu::in(*in.key_index)},
                      p, gx, gy);
        return;
    }
    const auto& pipe = ctx_.pipelines().get(name, "tttssssss", sizeof(p), {far ? 1u : 0u});
    const std::vector<uint32_t> ends = between ? attention_segments(gx, s) : std::vector<uint32_t>{gx};
    for (size_t k = 0; k < ends.size(); ++k) {
        p.first_group = k == 0 ? 0u : ends[k - 1];
        rec_.dispatch(pipe,
                      {texels[0], texels[1], texels[2], gpu::in(*in.q_near), gpu::in(qf), gpu::in(*in.query_scale),
                       gpu::in(slopes), gpu::out(out), gpu::out(lse)},
                      p, ends[k] - p.first_group, gy);
        if (k + 1 < ends.size()) between(double(ends[k]) * ends[k] / (double(gx) * gx));
    }
}

void GpuOps::attention_probs(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse, int head,
                             int grid, gpu::Buffer& out) {
    const bool far = in.q_far && in.k_far;
    const uint32_t g = grid > 0 ? uint32_t(grid) : uint32_t(s.n);
    // Rows of a cell per dispatch: (heads × rows × (cols + 1)) loop iterations per invocation stay
    // under 32768 (llvmpipe stops an invocation's loops after 65535 iterations in all).
    const uint64_t side = ceil_div(uint64_t(s.n), g), heads = head < 0 ? uint64_t(s.n_heads) : 1;
    const uint32_t slices = uint32_t(std::clamp<uint64_t>(ceil_div(heads * side * (side + 1), 32768), 1, side));
    const auto& pipe =
        ctx_.pipelines().get(head_dim_variant("attention_probs", s.head_dim), "ssssssss", sizeof(pc::AttentionProbs),
                             {far ? 1u : 0u});
    const auto [gx, gy] = split_groups(ceil_div(uint64_t(g) * g, 64));
    for (uint32_t slice = 0; slice < slices; ++slice) {
        pc::AttentionProbs p{uint32_t(s.n), uint32_t(s.n_heads), uint32_t(s.n_kv_heads), uint32_t(s.window),
                             uint32_t(s.sinks), uint32_t(s.far_window), in.slopes ? 1u : 0u, head, g, slice, slices};
        rec_.dispatch(pipe,
                      {gpu::in(*in.q_near), gpu::in(*in.k_near), gpu::in(far ? *in.q_far : *in.q_near),
                       gpu::in(far ? *in.k_far : *in.k_near), gpu::in(*in.query_scale),
                       gpu::in(in.slopes ? *in.slopes : *in.query_scale), gpu::in(lse), gpu::out(out)},
                      p, gx, gy);
    }
}

void GpuOps::attention_rows(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse,
                            const gpu::Buffer& rows, int row_count, gpu::Buffer& out, uint32_t out_offset) {
    const bool far = in.q_far && in.k_far, keyset = in.keyset();
    const uint32_t keys = uint32_t(keyset ? s.keys : s.n);
    pc::AttentionRows p{keys,               uint32_t(s.n_heads),     uint32_t(s.n_kv_heads),
                        uint32_t(s.window), uint32_t(s.sinks),       uint32_t(s.far_window),
                        in.slopes ? 1u : 0u, uint32_t(row_count),    out_offset};
    const auto [gx, gy] = split_groups(ceil_div(uint32_t(row_count) * keys, 64));
    const gpu::Binding common[] = {gpu::in(*in.q_near), gpu::in(*in.k_near), gpu::in(far ? *in.q_far : *in.q_near),
                                   gpu::in(far ? *in.k_far : *in.k_near), gpu::in(*in.query_scale),
                                   gpu::in(in.slopes ? *in.slopes : *in.query_scale), gpu::in(lse), gpu::in(rows)};
    if (keyset) {  // the KEYSET variant: two index bindings more
        rec_.dispatch(ctx_.pipelines().get(head_dim_variant("attention_rows_keyset", s.head_dim), "sssssssssss",
                                           sizeof(p), {far ? 1u : 0u}),
                      {common[0], common[1], common[2], common[3], common[4], common[5], common[6], common[7],
                       gpu::out(out), gpu::in(*in.query_index), gpu::in(*in.key_index)},
                      p, gx, gy, uint32_t(s.n_heads));
        return;
    }
    rec_.dispatch(ctx_.pipelines().get(head_dim_variant("attention_rows", s.head_dim), "sssssssss", sizeof(p),
                                       {far ? 1u : 0u}),
                  {common[0], common[1], common[2], common[3], common[4], common[5], common[6], common[7], gpu::out(out)},
                  p, gx, gy, uint32_t(s.n_heads));
}

void GpuOps::attention_key_mass(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse,
                                int first_query, gpu::Buffer& out, uint32_t out_offset) {
    assert(in.keyset() && s.keys > 0);
    const bool far = in.q_far && in.k_far;
    const auto& pipe = ctx_.pipelines().get(head_dim_variant("attention_keymass", s.head_dim), "ttttssssss",
                                            sizeof(pc::AttentionKeyMass), {far ? 1u : 0u});
    const auto [gx, gy] = split_groups(ceil_div(uint32_t(s.keys), 64));  // one invocation per key
    // Query slices of at most 16384 / heads queries: heads × queries loop iterations per invocation
    // stay under llvmpipe's cap (65535 over all loops); later slices add to the first.
    const int first = std::clamp(first_query, 0, s.n), slice = std::max(1, 16384 / s.n_heads);
    int t0 = first;
    do {  // once at least: an empty range (first_query = n) writes zeros
        pc::AttentionKeyMass p{uint32_t(s.n),      uint32_t(s.n_heads),    uint32_t(s.n_kv_heads),
                               uint32_t(s.window), uint32_t(s.sinks),      uint32_t(s.far_window),
                               in.slopes ? 1u : 0u, uint32_t(s.keys),      uint32_t(t0),
                               uint32_t(std::min(t0 + slice, s.n)), t0 > first ? 1u : 0u, out_offset};
        rec_.dispatch(pipe,
                      {gpu::texel(*in.k_near), gpu::texel(far ? *in.k_far : *in.k_near), gpu::texel(*in.q_near),
                       gpu::texel(far ? *in.q_far : *in.q_near), gpu::in(*in.query_scale),
                       gpu::in(in.slopes ? *in.slopes : *in.query_scale), gpu::in(lse), gpu::in(*in.query_index),
                       gpu::in(*in.key_index), gpu::out(out)},
                      p, gx, gy);
        t0 += slice;
    } while (t0 < s.n);
}

void GpuOps::attention_stats(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse,
                             int sink_tokens, int layer, gpu::Buffer& rows, gpu::Buffer& mass, gpu::Buffer* counts) {
    const bool far = in.q_far && in.k_far;
    pc::AttentionStats p{uint32_t(s.n), uint32_t(s.n_heads), uint32_t(s.n_kv_heads), uint32_t(s.window),
                         uint32_t(s.sinks), uint32_t(s.far_window), in.slopes ? 1u : 0u,
                         uint32_t(std::max(sink_tokens, 0)), counts ? 1u : 0u,
                         uint32_t(layer) * 2u * uint32_t(s.n_heads) * uint32_t(s.n),
                         uint32_t(layer) * uint32_t(s.n_heads) * uint32_t(s.n),
                         uint32_t(layer) * uint32_t(XL_STATS_BUCKETS * XL_STATS_BINS)};
    const gpu::Buffer& qf = far ? *in.q_far : *in.q_near;
    const gpu::Buffer& kf = far ? *in.k_far : *in.k_near;
    const gpu::Buffer& slopes = in.slopes ? *in.slopes : *in.query_scale;
    // Keys (and, for the diagonal walk, queries) through texel views, as attention.comp reads them.
    const uint32_t row_groups = ceil_div(uint32_t(s.n), uint32_t(XL_STATS_GROUP * XL_ATTENTION_QUERIES_PER_LANE(s.head_dim)));
    rec_.dispatch(ctx_.pipelines().get(head_dim_variant("attention_rowstats", s.head_dim), "ttssssss", sizeof(p),
                                       {far ? 1u : 0u}),
                  {gpu::texel(*in.k_near), gpu::texel(kf), gpu::in(*in.q_near), gpu::in(qf), gpu::in(*in.query_scale),
                   gpu::in(slopes), gpu::in(lse), gpu::out(rows)},
                  p, row_groups, uint32_t(s.n_heads));
    // Without a histogram the shader does not touch binding 8; `mass` stands in for it.
    rec_.dispatch(ctx_.pipelines().get(head_dim_variant("attention_diagstats", s.head_dim), "ttttsssss", sizeof(p),
                                       {far ? 1u : 0u}),
                  {gpu::texel(*in.k_near), gpu::texel(kf), gpu::texel(*in.q_near), gpu::texel(qf), gpu::in(*in.query_scale),
                   gpu::in(slopes), gpu::in(lse), gpu::out(mass), gpu::out(counts ? *counts : mass)},
                  p, ceil_div(uint32_t(s.n), XL_STATS_GROUP), uint32_t(s.n_heads));
}

void GpuOps::swiglu(const gpu::Buffer& gate, const gpu::Buffer& up, gpu::Buffer& out, int count) {
    pc::Elementwise p{uint32_t(count)};
    const auto [gx, gy] = split_groups(ceil_div(uint32_t(count), 256));
    rec_.dispatch(ctx_.pipelines().get("swiglu", "sss", sizeof(p)), {gpu::in(gate), gpu::in(up), gpu::out(out)}, p, gx, gy);
}

void GpuOps::geglu(const gpu::Buffer& gate, const gpu::Buffer& up, gpu::Buffer& out, int count) {
    pc::Elementwise p{uint32_t(count)};
    const auto [gx, gy] = split_groups(ceil_div(uint32_t(count), 256));
    rec_.dispatch(ctx_.pipelines().get("geglu", "sss", sizeof(p)), {gpu::in(gate), gpu::in(up), gpu::out(out)}, p, gx, gy);
}

void GpuOps::affine(gpu::Buffer& y, int count, float scale, const gpu::Buffer* bias, int width) {
    pc::Affine p{uint32_t(count), uint32_t(std::max(width, 1)), scale, bias ? 1u : 0u};
    const auto [gx, gy] = split_groups(ceil_div(uint32_t(count), 256));
    // Without a bias the shader does not read binding 1; y stands in for it.
    rec_.dispatch(ctx_.pipelines().get("affine", "ss", sizeof(p)), {gpu::out(y), gpu::in(bias ? *bias : y)}, p, gx, gy);
}

void GpuOps::silu(const gpu::Buffer& x, gpu::Buffer& out, int count) {
    pc::Elementwise p{uint32_t(count)};
    const auto [gx, gy] = split_groups(ceil_div(uint32_t(count), 256));
    rec_.dispatch(ctx_.pipelines().get("silu", "ss", sizeof(p)), {gpu::in(x), gpu::out(out)}, p, gx, gy);
}

void GpuOps::add(gpu::Buffer& y, const gpu::Buffer& x, int count) {
    pc::Elementwise p{uint32_t(count)};
    const auto [gx, gy] = split_groups(ceil_div(uint32_t(count), 256));
    rec_.dispatch(ctx_.pipelines().get("add", "ss", sizeof(p)), {gpu::out(y), gpu::in(x)}, p, gx, gy);
}

void GpuOps::nll(const gpu::Buffer& logits, const gpu::Buffer& targets, gpu::Buffer& out, int n, int vocab,
                 uint32_t target_offset, uint32_t out_offset) {
    pc::Nll p{uint32_t(n), uint32_t(vocab), target_offset, out_offset};
    const auto [gx, gy] = split_groups(uint32_t(n));
    rec_.dispatch(ctx_.pipelines().get("nll", "sss", sizeof(p)), {gpu::in(logits), gpu::in(targets), gpu::out(out)}, p,
                  gx, gy);
}

}  // namespace xl
