// KV-cache eviction figures (see figures_evict.hpp).
#include "core/session/figures_evict.hpp"

#include "core/session/figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace xl {

FigureSpec figure_evict_ppl(const EvictionSweep& s, int method_index, const std::string& model) {
    FigureSpec f;
    const std::string method = s.methods.at(size_t(method_index));
    f.id = "evict_ppl_vs_budget" + (method_index > 0 ? "_" + std::to_string(method_index) : std::string());
    f.title = "Perplexity vs KV budget: " + method;
    f.x = {"Cache budget", "entries per layer", AxisScale::Log};
    f.y = {"Perplexity", "", AxisScale::Log};
    f.width_in = 4.2;  // room for a long method spec in the title
    std::vector<EvictionPolicy> policies;
    std::vector<int> budgets;
    for (const EvictionCell& c : s.cells) {
        if (std::find(policies.begin(), policies.end(), c.policy) == policies.end()) policies.push_back(c.policy);
        if (std::find(budgets.begin(), budgets.end(), c.budget) == budgets.end()) budgets.push_back(c.budget);
    }
    std::sort(budgets.begin(), budgets.end());
    f.x.ticks.assign(budgets.begin(), budgets.end());
    for (size_t pi = 0; pi < policies.size(); ++pi)
        for (auto b : {PositionBookkeeping::Reassigned, PositionBookkeeping::Original}) {
            Series line(policy_name(policies[pi]) + ", " + bookkeeping_name(b), {}, {});
            for (const EvictionCell& c : s.cells)
                if (c.method == method && c.policy == policies[pi] && c.positions == b) {
                    line.x.push_back(c.budget);
                    line.y.push_back(c.perplexity);
                }
            if (line.x.empty()) continue;
            line.color = palette_color(int(pi));
            line.style = b == PositionBookkeeping::Reassigned ? LineStyle::Solid : LineStyle::Dashed;
            line.markers = true;
            f.series.push_back(std::move(line));
        }
    const double full = s.full_perplexity.at(size_t(method_index));
    char label[64];
    std::snprintf(label, sizeof label, "full context %.3f", full);
    f.markers.push_back({MarkerKind::Horizontal, full, label});
    f.meta["model"] = model;
    f.meta["method"] = method;
    f.meta["text"] = std::to_string(s.tokens) + " tokens in chunks of " + std::to_string(s.chunk);
    f.meta["simulation"] = s.device + "; cached keys/values are those computed when the token was processed; "
                           "reassigned = keys rotated at their cache slot each step, original = at their token index";
    f.meta["full context"] = "perplexity " + std::string(label + 13) + " (nothing evicted)";
    return f;
}

std::vector<float> evict_map_values(const EvictionResult& r, int N, int chunk) {
    std::vector<float> v(size_t(N) * N, NAN);
    for (int i = 0; i < N; ++i) {
        const int step = i / chunk, s = step * chunk;
        for (int j : r.kept_before_chunk.at(size_t(step))) v[size_t(i) * N + j] = r.attention[size_t(i) * N + j];
        for (int j = s; j <= i; ++j) v[size_t(i) * N + j] = r.attention[size_t(i) * N + j];
    }
    return v;
}

namespace {

// The map's cells: block means of the available cells of the N×N map, at most grid per side, or
// the simulation's own block means (map_grid); floor 1e-6 (log colour scale).
std::vector<float> map_cells(const EvictionResult& r, int N, int chunk, int grid, int& side) {
    if (!r.map.empty()) {
        side = r.map_grid;
        std::vector<float> v = r.map;
        for (float& x : v)
            if (std::isfinite(x)) x = std::max(x, 1e-6f);
        return v;
    }
    const std::vector<float> full = evict_map_values(r, N, chunk);
    const int g = side = std::min(grid, N);
    std::vector<float> v(size_t(g) * g, NAN);
    for (int br = 0; br < g; ++br)
        for (int bc = 0; bc < g; ++bc) {
            const int64_t r0 = int64_t(br) * N / g, r1 = int64_t(br + 1) * N / g;
            const int64_t c0 = int64_t(bc) * N / g, c1 = int64_t(bc + 1) * N / g;
            double sum = 0;
            int count = 0;
            for (int64_t a = r0; a < r1; ++a)
                for (int64_t b = c0; b < c1; ++b) {
                    const float x = full[size_t(a * N + b)];
                    if (std::isfinite(x)) sum += x, ++count;
                }
            if (count) v[size_t(br) * g + bc] = float(std::max(sum / count, 1e-6));
        }
    return v;
}

}  // namespace

FigureSpec figure_evict_map(const EvictionResult& r, int N, const EvictionMapInfo& info, int grid) {
    Heatmap h;
    h.values = map_cells(r, N, info.chunk, grid, h.rows);
    h.cols = h.rows;
    h.x0 = h.y0 = 0;
    h.x1 = h.y1 = N;
    h.colormap = "magma";
    h.log_scale = true;
    h.vmin = 1e-4;
    h.vmax = 1;
    h.colorbar_label = "attention (blank: evicted)";
    FigureSpec f;
    f.id = "evict_kept_map";
    f.title = "Kept tokens: " + info.label;
    f.x = {"Key token", "original index"};
    f.y = {"Query token", ""};
    f.x.min = f.y.min = 0;
    f.x.max = f.y.max = N;
    f.heatmap = std::move(h);
    f.legend = false;
    f.width_in = f.height_in = 3.5;
    f.meta["model"] = info.model;
    f.meta["method"] = info.method;
    f.meta["cache"] = info.label + ", chunks of " + std::to_string(info.chunk);
    if (!info.device.empty()) f.meta["simulation"] = info.device;
    f.meta["probe"] = "layer " + std::to_string(info.layer) + ", " +
                      (info.head < 0 ? std::string("mean over heads") : "head " + std::to_string(info.head));
    f.meta["cells"] = "mean attention of the available keys in each block; blank = the key had been evicted (or is "
                      "in the future) when the query was processed; floor 1e-6";
    return f;
}

namespace {

// The common meta without what does not apply here: the simulation runs over its own token
// count on its own engine, not with the session's protocol and eval length.
void eviction_meta(FigureSpec& f, const Results& r) {
    add_common_meta(f, r);
    for (const char* k : {"protocol", "eval_length", "device"}) f.meta.erase(k);
    f.meta["device"] = r.evict->device;
}

}  // namespace

std::vector<FigureSpec> evict_figures(const Results& r) {
    std::vector<FigureSpec> out;
    if (!r.evict) return out;
    for (size_t i = 0; i < r.evict->methods.size(); ++i) {
        out.push_back(figure_evict_ppl(*r.evict, int(i), r.config.name));
        eviction_meta(out.back(), r);
    }
    if (r.evict_map) {
        const EvictionMapInfo info{r.config.name, r.evict_map_method, r.evict_map_label, r.evict_map_layer, r.evict_map_head,
                                   r.evict_chunk, r.evict->device};
        out.push_back(figure_evict_map(*r.evict_map, r.evict->tokens, info));
        eviction_meta(out.back(), r);
    }
    return out;
}

}  // namespace xl
