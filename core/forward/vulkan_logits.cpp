// VulkanForward: logits of many positions without an n × vocab buffer. The classifier runs over
// chunks of act.chunk rows into the one chunk-sized logits buffer; each chunk is submitted and
// handed to the caller before the next (memory stays linear in n whatever the vocabulary: Gemma 3's
// 262k entries at 4096 tokens would be 4 GiB in one buffer). Also the memory estimate.
#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "core/forward/vulkan_forward_impl.hpp"

namespace xl {

void VulkanForward::Impl::record_all_logits(GpuOps& ops, const ForwardRequest& r, const gpu::Buffer& x,
                                            ForwardResult& result) {
    const int n = int(r.tokens.size()), V = model.config.vocab_size, dim = model.config.dim;
    const int from = std::max(0, r.all_logits_from), total = n - from;
    std::vector<float> chunk;
    if (!r.logits_sink) result.all_logits.reserve(size_t(total) * size_t(V));  // the caller asked for all rows
    for (int t0 = 0; t0 < total; t0 += act.chunk) {
        const int rows = std::min(act.chunk, total - t0);
        ops.matmul(classifier(), x, act.logits, rows, false, uint32_t(from + t0) * uint32_t(dim), 0);
        chunk.resize(size_t(rows) * size_t(V));
        rec->download(act.logits, chunk.data(), chunk.size() * 4);
        rec->submit();
        if (r.logits_sink) r.logits_sink(t0, rows, chunk.data());
        else result.all_logits.insert(result.all_logits.end(), chunk.begin(), chunk.end());
        if (r.checkpoint) r.checkpoint(1.0);
    }
}

bool VulkanForward::head_logits(const float* hidden, int rows,
                                const std::function<void(int first_row, int rows, const float* logits)>& sink) {
    Impl& s = *impl_;
    const ModelConfig& c = s.model.config;
    if (rows <= 0) return true;
    const gpu::DiscardOnThrow discard(*s.rec);
    s.ensure_capacity(std::min(rows, int(s.chunk_rows(rows))));
    GpuOps ops(*s.ctx, *s.rec);
    std::vector<float> chunk;
    for (int t0 = 0; t0 < rows; t0 += s.act.chunk) {
        const int m = std::min(s.act.chunk, rows - t0);
        s.rec->upload(s.act.xb, hidden + size_t(t0) * c.dim, size_t(m) * c.dim * 4);
        ops.matmul(s.classifier(), s.act.xb, s.act.logits, m);
        chunk.resize(size_t(m) * size_t(c.vocab_size));
        s.rec->download(s.act.logits, chunk.data(), chunk.size() * 4);
        s.rec->submit();
        sink(t0, m, chunk.data());
    }
    return true;
}

MemoryEstimate VulkanForward::memory_estimate(int64_t n) const {
    const Impl& s = *impl_;
    MemoryEstimate e;
    e.weights = int64_t(s.weight_bytes);
    e.activations = s.activation_bytes(n);
    e.logits = s.chunk_rows(int(std::min<int64_t>(n, 1 << 30))) * int64_t(s.model.config.vocab_size) * 4;
    e.available = int64_t(s.ctx->device_local_bytes());
    return e;
}

}  // namespace xl
