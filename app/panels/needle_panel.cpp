// Needle panel: needle in a haystack, teacher-forced (core/metrics/needle.hpp). Top row: the
// retrieval score per layer × head of every configuration side by side (Wu et al., 2024), so that
// a method's change of which heads retrieve shows at a glance; then, for the selected
// configuration, the answer's attention on the needle per head, accuracy and answer log-probability
// over depth × length for each needle, the retrieval map minus A's; and, over all configurations,
// how many heads still retrieve and how likely the answer stays as the needle moves away.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

namespace {

void cell_selector(const NeedleGrid& g, ViewState& v) {
    if (v.needle_cell >= int(g.cells.size())) v.needle_cell = -1;
    const std::string current = v.needle_cell < 0 ? "all cells" : needle_cell_name(g.cells[size_t(v.needle_cell)]);
    ImGui::SetNextItemWidth(260);
    if (ImGui::BeginCombo("head maps of##needle", current.c_str())) {
        if (ImGui::Selectable("all cells", v.needle_cell < 0)) v.needle_cell = -1;
        for (size_t i = 0; i < g.cells.size(); ++i)
            if (ImGui::Selectable((needle_cell_name(g.cells[i]) + "##" + std::to_string(i)).c_str(), v.needle_cell == int(i)))
                v.needle_cell = int(i);
        ImGui::EndCombo();
    }
}

}  // namespace

void needle_panel(Session& s, ViewState& v, const Results& r) {
    if (r.configs.empty()) return;
    config_selector(r, v);
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Each cell: the haystack prompt (task line, filler, the needle at a depth, a question) and\n"
                          "the true answer in one pass. Correct = every answer token is its row's argmax (greedy\n"
                          "would answer right); log p = sum over the answer tokens.\n"
                          "Retrieval score of a head (Wu et al., 2024): share of the answer tokens found in the\n"
                          "needle for which the head's top-attended key is that token inside the needle\n"
                          "(>= 0.1: a retrieval head). Needle mass: attention of the answer rows on the needle.");
    std::string grid = "needles " + s.needle_tasks + "; lengths";
    for (int n : s.needle_lengths.empty() ? std::vector<int>{512} : s.needle_lengths) grid += " " + std::to_string(n);
    grid += "; depths";
    for (double d : s.needle_depths) {
        char b[16];
        std::snprintf(b, sizeof b, " %.2g", d);
        grid += b;
    }
    if (!has_needle(r)) {
        ImGui::TextDisabled("needle: computing (%s) ...", grid.c_str());
        return;
    }
    const int ci = std::min<int>(v.active_config, int(r.configs.size()) - 1);
    const ConfigResult& active = r.configs[size_t(ci)];
    std::string timing;
    for (const ConfigResult& c : r.configs) {
        char b[96];
        if (c.needle) std::snprintf(b, sizeof b, "  %c: %.0f%% correct, %.1f s", c.label, 100 * c.needle->accuracy(), c.needle->seconds);
        else std::snprintf(b, sizeof b, "  %c: pending", c.label);
        timing += b;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("%s;%s", grid.c_str(), timing.c_str());
    if (!active.needle) {
        ImGui::TextDisabled("%c: pending", active.label);
        return;
    }
    cell_selector(*active.needle, v);
    std::vector<FigureSpec> figs;
    for (size_t k = 0; k < r.configs.size(); ++k)
        if (r.configs[k].needle) figs.push_back(figure_needle_retrieval(r, int(k), v.needle_cell));
    const size_t top = figs.size();
    figs.push_back(figure_needle_mass(r, ci, v.needle_cell));
    if (ci > 0 && r.configs.front().needle) figs.push_back(figure_needle_retrieval_diff(r, ci, v.needle_cell));
    for (size_t t = 0; t < active.needle->tasks.size(); ++t) {
        figs.push_back(figure_needle_accuracy(r, ci, int(t)));
        figs.push_back(figure_needle_logprob(r, ci, int(t)));
    }
    figs.push_back(figure_needle_reach(r));
    figs.push_back(figure_needle_logprob_distance(r));
    const int cols = std::max<int>(3, int(top));
    const float h = plot_height(1 + int((figs.size() - top + size_t(cols) - 1) / size_t(cols)));
    if (ImGui::BeginTable("needle", cols)) {
        for (size_t i = 0; i < figs.size(); ++i) {
            if (i == top) ImGui::TableNextRow();  // the per-configuration figures start a row
            ImGui::TableNextColumn();
            plot_figure(figs[i], v, h);
        }
        ImGui::EndTable();
    }
}

}  // namespace xl
