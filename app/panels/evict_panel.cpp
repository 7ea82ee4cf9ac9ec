// KV-cache eviction panel: perplexity against cache budget for every policy (window,
// StreamingLLM sinks, H2O, SnapKV) × position bookkeeping (solid: reassigned slots, dashed:
// original positions) for each configuration's method, with the full context as a line, and
// the kept-token map of one cell over the probe layer's attention (layer/head of the Attention
// panel). Simulated chunk by chunk in the job thread (progress and cancel in the status bar) on
// the session's Vulkan engine, or on the CPU reference when ticked (shorter length cap).
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/ref/eviction_policy.hpp"
#include "core/session/figures.hpp"

namespace xl {

namespace {

void choice(const char* label, std::string& value, const std::vector<std::string>& options) {
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo(label, value.c_str())) {
        for (const std::string& o : options)
            if (ImGui::Selectable(o.c_str(), o == value)) value = o;
        ImGui::EndCombo();
    }
}

void cell_table(const EvictionSweep& s) {
    std::vector<int> budgets;
    for (const EvictionCell& c : s.cells)
        if (std::find(budgets.begin(), budgets.end(), c.budget) == budgets.end()) budgets.push_back(c.budget);
    if (!ImGui::BeginTable("evict_cells", int(budgets.size()) + 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) return;
    ImGui::TableSetupColumn("method");
    ImGui::TableSetupColumn("policy");
    ImGui::TableSetupColumn("positions");
    for (int b : budgets) ImGui::TableSetupColumn(("B=" + std::to_string(b)).c_str());
    ImGui::TableHeadersRow();
    for (size_t mi = 0; mi < s.methods.size(); ++mi)
        for (size_t k = 0; k < s.cells.size(); k += budgets.size()) {
            const EvictionCell& first = s.cells[k];
            if (first.method != s.methods[mi]) continue;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%s (full %.3f)", first.method.c_str(), s.full_perplexity[mi]);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(policy_name(first.policy).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(bookkeeping_name(first.positions).c_str());
            for (size_t b = 0; b < budgets.size() && k + b < s.cells.size(); ++b) {
                ImGui::TableNextColumn();
                ImGui::Text("%.3f%s", s.cells[k + b].perplexity, s.cells[k + b].evictions ? "" : "*");
            }
        }
    ImGui::EndTable();
}

}  // namespace

void evict_panel(Session& s, ViewState& v, const Results& r) {
    if (r.configs.empty()) return;
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("tokens##evict", &s.evict_tokens, 64, s.evict_cpu ? kEvictCpuMaxTokens : kEvictMaxTokens, "%d",
                     ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    if (ImGui::Checkbox("CPU reference##evict", &s.evict_cpu) && s.evict_cpu)
        s.evict_tokens = std::min(s.evict_tokens, kEvictCpuMaxTokens);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderInt("chunk##evict", &s.evict_chunk, 1, 256, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::SliderInt("sinks##evict", &s.evict_sinks, 0, std::max(0, *std::min_element(s.evict_budgets.begin(), s.evict_budgets.end()) - 1));
    ImGui::SameLine();
    ImGui::TextUnformatted("map:");
    ImGui::SameLine();
    choice("##evict_policy", s.evict_map_policy, {"window", "streaming", "h2o", "snapkv"});
    ImGui::SameLine();
    choice("##evict_positions", s.evict_map_positions, {"reassigned", "original"});
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    if (ImGui::BeginCombo("budget##evict", std::to_string(s.evict_map_budget).c_str())) {
        for (int b : s.evict_budgets)
            if (b > s.evict_sinks && ImGui::Selectable(std::to_string(b).c_str(), b == s.evict_map_budget)) s.evict_map_budget = b;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("The text is processed in chunks; each layer keeps a cache of the K/V computed when each token\n"
                          "was processed, cut back to the budget after every chunk by the policy:\n"
                          "  window: the last B; streaming: the first sinks + the last (StreamingLLM);\n"
                          "  h2o: half recent, half by attention accumulated over all queries (H2O);\n"
                          "  snapkv: the last 8 + the rest by the chunk's last 8 queries' votes, max-pooled (SnapKV).\n"
                          "Positions: reassigned = keys cached before rotation, rotated at their slot each step\n"
                          "(queries at cache length + offset); original = at their token index (a cache of rotated keys).\n"
                          "Map: the probe layer/head of the Attention panel; blank = evicted. * = nothing evicted.");
    ImGui::TextDisabled("GPU: the budget is bounded by device memory; CPU reference: at most %d tokens. The grid runs "
                        "in the background with progress and cancel in the status bar", kEvictCpuMaxTokens);
    if (!r.evict) {
        ImGui::TextDisabled("KV eviction: computing %zu policies x 2 bookkeepings x %zu budgets per configuration over %d tokens...",
                            size_t(4), s.evict_budgets.size(), s.evict_tokens);
        return;
    }
    ImGui::TextDisabled("%d tokens in chunks of %d on %s; grid %.1f s", r.evict->tokens, r.evict->chunk,
                        r.evict->device.c_str(), r.evict->seconds);
    if (ImGui::CollapsingHeader("perplexity table##evict")) cell_table(*r.evict);
    // The figures (the map reduces an N×N matrix) are built once per computed grid and map, not per frame.
    static const void* built_for[2] = {nullptr, nullptr};
    static std::vector<FigureSpec> figs;
    if (built_for[0] != r.evict.get() || built_for[1] != r.evict_map.get()) {
        figs = evict_figures(r);
        built_for[0] = r.evict.get();
        built_for[1] = r.evict_map.get();
    }
    const float h = plot_height(1);
    if (ImGui::BeginTable("evict", std::min(3, int(figs.size())))) {
        for (const FigureSpec& f : figs) {
            ImGui::TableNextColumn();
            plot_figure(f, v, h);
        }
        ImGui::EndTable();
    }
}

}  // namespace xl
