// HeatmapTextures: the per-frame part — the content-hash cache, uploads recorded before the
// render pass, and the ImDrawList callback that draws one textured quad.
#include "app/heatmap_textures.hpp"

#include <algorithm>
#include <cstring>

#include "core/io/colormap.hpp"

namespace xl {

namespace {

// Frames a texture may stay unused before it is released (more than the frames in flight).
constexpr uint64_t kKeepFrames = 8;

// FNV-1a over 8-byte words (then the tail bytes): a cheap content key, computed every frame.
uint64_t fnv1a(uint64_t h, const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * 1099511628211ull;
    }
    for (; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

uint64_t content_hash(const Heatmap& h) {
    uint64_t k = 1469598103934665603ull;
    k = fnv1a(k, &h.rows, sizeof h.rows);
    k = fnv1a(k, &h.cols, sizeof h.cols);
    k = fnv1a(k, h.values.data(), h.values.size() * sizeof(float));
    k = fnv1a(k, h.colormap.data(), h.colormap.size());
    const double range[2] = {h.vmin, h.vmax};
    k = fnv1a(k, range, sizeof range);
    return fnv1a(k, &h.log_scale, sizeof h.log_scale);
}

}  // namespace

void HeatmapTextures::begin_frame() {
    ++frame_;
    draws_.clear();
    for (auto it = textures_.begin(); it != textures_.end();) {
        if (it->second.last_used + kKeepFrames < frame_) {
            destroy_texture(it->second);
            it = textures_.erase(it);
        } else {
            ++it;
        }
    }
}

HeatmapTextures::Texture& HeatmapTextures::texture_for(const Heatmap& h) {
    const uint64_t key = content_hash(h);
    auto it = textures_.find(key);
    if (it == textures_.end()) {
        it = textures_.emplace(key, Texture{}).first;
        create_texture(it->second, heatmap_rgba(h), h.cols, h.rows);
    }
    it->second.last_used = frame_;
    return it->second;
}

void HeatmapTextures::record_uploads(VkCommandBuffer cb) {
    for (auto& [key, t] : textures_) {
        if (t.uploaded) continue;
        VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
        b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
        b.image = t.image;
        b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
        b.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
        b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
        b.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0, nullptr, 1, &b);
        VkBufferImageCopy copy{};
        copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        copy.imageExtent = {uint32_t(t.width), uint32_t(t.height), 1};
        vkCmdCopyBufferToImage(cb, t.staging, t.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &copy);
        b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
        b.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
        b.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
        vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, 0, nullptr, 0, nullptr, 1, &b);
        t.uploaded = true;
    }
}

void HeatmapTextures::draw(ImDrawList* dl, const Heatmap& h, ImVec2 min, ImVec2 max, float c0, float c1, float r0, float r1) {
    Texture& t = texture_for(h);
    DrawRecord& d = draws_.emplace_back();
    d.owner = this;
    d.set = t.set;
    d.rect[0] = min.x; d.rect[1] = min.y; d.rect[2] = max.x; d.rect[3] = max.y;
    d.uv[0] = c0 / float(h.cols); d.uv[1] = r0 / float(h.rows);
    d.uv[2] = c1 / float(h.cols); d.uv[3] = r1 / float(h.rows);
    dl->AddCallback(draw_callback, &d);
    dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);  // ImGui rebinds its pipeline
}

void HeatmapTextures::draw_callback(const ImDrawList*, const ImDrawCmd* cmd) {
    const DrawRecord& d = *static_cast<const DrawRecord*>(cmd->UserCallbackData);
    const HeatmapTextures& self = *d.owner;
    const ImDrawData* dd = ImGui::GetDrawData();
    if (!self.cb_ || !dd) return;
    const ImVec2 pos = dd->DisplayPos, size = dd->DisplaySize, scale = dd->FramebufferScale;
    const float fb_w = size.x * scale.x, fb_h = size.y * scale.y;
    VkViewport vp{0, 0, fb_w, fb_h, 0, 1};
    const float x0 = std::max(0.f, (cmd->ClipRect.x - pos.x) * scale.x), y0 = std::max(0.f, (cmd->ClipRect.y - pos.y) * scale.y);
    const float x1 = std::min(fb_w, (cmd->ClipRect.z - pos.x) * scale.x), y1 = std::min(fb_h, (cmd->ClipRect.w - pos.y) * scale.y);
    if (x1 <= x0 || y1 <= y0) return;
    VkRect2D scissor{{int32_t(x0), int32_t(y0)}, {uint32_t(x1 - x0), uint32_t(y1 - y0)}};
    float pc[8];
    for (int i = 0; i < 2; ++i) {  // screen pixels -> normalised device coordinates
        pc[2 * i] = (d.rect[2 * i] - pos.x) / size.x * 2.f - 1.f;
        pc[2 * i + 1] = (d.rect[2 * i + 1] - pos.y) / size.y * 2.f - 1.f;
    }
    std::memcpy(pc + 4, d.uv, sizeof d.uv);
    vkCmdBindPipeline(self.cb_, VK_PIPELINE_BIND_POINT_GRAPHICS, self.pipeline_);
    vkCmdBindDescriptorSets(self.cb_, VK_PIPELINE_BIND_POINT_GRAPHICS, self.layout_, 0, 1, &d.set, 0, nullptr);
    vkCmdSetViewport(self.cb_, 0, 1, &vp);
    vkCmdSetScissor(self.cb_, 0, 1, &scissor);
    vkCmdPushConstants(self.cb_, self.layout_, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof pc, pc);
    vkCmdDraw(self.cb_, 4, 1, 0, 0);
}

bool draw_heatmap_texture(ImDrawList* dl, const Heatmap& h, ImVec2 min, ImVec2 max, float c0, float c1, float r0, float r1) {
    auto* tex = static_cast<HeatmapTextures*>(ImGui::GetIO().UserData);
    if (!tex || h.rows <= 0 || h.cols <= 0) return false;
    tex->draw(dl, h, min, max, c0, c1, r0, r1);
    return true;
}

}  // namespace xl
