// Private state of VulkanForward (core/forward/vulkan_forward.cpp records the pass,
// vulkan_forward_setup.cpp uploads weights and sizes buffers). Not a public interface.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/forward/gpu_ops.hpp"
#include "core/forward/gpu_tensor.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/gpu/context.hpp"
#include "core/gpu/recorder.hpp"
#include "core/ref/kv_eviction.hpp"

namespace xl {

struct GpuLayer {
    gpu::Buffer attn_norm, attn_norm_bias, ffn_norm, ffn_norm_bias;  // biases only for LayerNorm
    GpuTensor wq, wk, wv, wo, w1, w2, w3;                            // w3 only for gated MLPs
    gpu::Buffer bq, bk, bv, q_norm, k_norm, post_attn_norm, post_ffn_norm;  // optional (invalid = absent)
    int kind = 0;                                                     // index of its layer kind's plan
};

// The plan of one layer kind on the device (position arrays, query scales, frequencies).
struct GpuPlanBuffers {
    gpu::Buffer q_pos, k_pos, qf_pos, kf_pos, query_scale, slopes, inv_freq;
    gpu::Buffer xpos_log2_zeta;                     // log2 ζ_j of xPos (ref §14), when the plan has them
};

// Activation and plan buffers for up to `capacity` tokens (grow-only).
struct GpuActivations {
    int capacity = 0;
    int chunk = 0;                                  // classifier rows per chunk
    int mlp_chunk = 0;                              // tokens per MLP chunk (h1, h3 hold one chunk)
    gpu::Buffer tokens, x, xb, q, k, v, qf, kf, att, lse, h1, h3, logits, nll;
    std::vector<GpuPlanBuffers> plans;              // one per layer kind (ModelConfig::layer_kinds)
    gpu::Buffer probs;                              // attention map (probe), sized on demand
    gpu::Buffer rows, row_probs;                    // attention_rows: row indices, [L][H][R][n], on demand
    gpu::Buffer stat_rows, stat_mass, stat_counts;  // attention statistics of one layer, sized on demand
};

struct VulkanForward::Impl {
    Impl(const Model& m, std::shared_ptr<gpu::Context> c);

    void upload_weights();
    void ensure_capacity(int n);
    int64_t max_tokens() const;
    // Device memory left beside the weights, the activations of an n-token pass (or the larger
    // ones held), a classifier chunk and the driver's headroom (XL_TEST_DEVICE_MEMORY_MB applies).
    int64_t free_device_bytes(int n) const;
    int64_t bytes_per_token() const;        // every activation but the MLP's hidden pair
    int64_t activation_bytes(int64_t n) const;  // all activations at n tokens (the MLP's per chunk)
    int64_t storage_range() const;          // largest storage binding (fault_injection.hpp can shrink it)
    int64_t mlp_chunk_tokens() const;
    int64_t chunk_rows(int n) const;
    void check_request(const ForwardRequest& r) const;

    // Recording (vulkan_forward.cpp).
    // Where run() may stop inside a layer: submits what is recorded, then calls the request's
    // checkpoint with the fraction of the pass done (layer l, part f of it: (l + f) / layers). A
    // no-op outside run() or without a checkpoint (eviction's own passes, benchmarks).
    void stop_point(int l, double f);
    const std::function<void(double)>* checkpoint = nullptr;  // run()'s request's, while it runs
    void upload_plan(const ForwardRequest& r);
    void upload_kind_plan(const PositionPlan& p, size_t n, GpuPlanBuffers& b);
    void record_norm(GpuOps& ops, const gpu::Buffer& w, const gpu::Buffer& b, const gpu::Buffer& x, gpu::Buffer& y,
                     int n);
    // `in` is scratch after q/k/v are projected (post-norm layers write the sub-block output there).
    void record_attention(GpuOps& ops, int l, const ForwardRequest& r, gpu::Buffer& in, gpu::Buffer& out,
                          ForwardResult& result);
    void record_stats(GpuOps& ops, int l, const AttentionInputs& ai, const AttentionShape& shape,
                      const AttentionStatsRequest& want, AttentionStats& out);
    void record_qkv(GpuOps& ops, const GpuLayer& g, const gpu::Buffer& in, int n);
    // Rows to rotate (vulkan_forward.cpp: record_rope): n query rows of act.q at positions pos
    // (far branch far_pos, into act.qf), n key rows of src into near (may be src) at pos (far
    // branch: far_pos, into far).
    struct RopeQueries {
        const gpu::Buffer& pos;
        const gpu::Buffer& far_pos;
        int n;
    };
    struct RopeKeys {
        const gpu::Buffer& src;
        gpu::Buffer& near;
        gpu::Buffer& far;
        const gpu::Buffer& pos;
        const gpu::Buffer& far_pos;
        int n;
    };
    void record_rope(GpuOps& ops, const PositionPlan& p, const GpuPlanBuffers& pb, const RopeQueries& q, const RopeKeys& k);
    void record_attention_output(GpuOps& ops, const GpuLayer& g, gpu::Buffer& in, gpu::Buffer& out, int n);
    void record_residual(GpuOps& ops, const gpu::Buffer& post_norm, const gpu::Buffer& y, gpu::Buffer& x, int n);
    void record_mlp(GpuOps& ops, int l, gpu::Buffer& in, gpu::Buffer& out, int n);
    void record_head(GpuOps& ops, const ForwardRequest& r, const gpu::Buffer& final_x, ForwardResult& result);
    // Logits of rows all_logits_from..n-1 in classifier chunks, each submitted and handed to the
    // request's sink or appended to result.all_logits (vulkan_logits.cpp).
    void record_all_logits(GpuOps& ops, const ForwardRequest& r, const gpu::Buffer& final_x, ForwardResult& result);
    const GpuTensor& classifier() const { return tied ? embedding : output; }
    void mark(const std::string& label);

    const Model& model;
    std::shared_ptr<gpu::Context> ctx;
    GpuTensor embedding, output;
    bool tied = true;
    gpu::Buffer output_norm, output_norm_bias;
    std::vector<GpuLayer> layers;
    uint64_t weight_bytes = 0;
    GpuActivations act;
    std::unique_ptr<gpu::Recorder> rec;
    bool profiling = false;
    std::vector<std::pair<std::string, double>> timings;
    // The eviction simulation on this engine (vulkan_eviction.cpp), made on first use; last, so
    // that its device buffers go before the context.
    struct Eviction;
    std::unique_ptr<EvictionEngine> eviction;
    EvictionEngine& eviction_engine(VulkanForward& owner);
};

}  // namespace xl
