// Needle figures: accuracy and answer log-probability over depth × length per task, the retrieval
// score and needle attention per layer × head, the change of the retrieval map against A, and how
// far retrieval reaches (retrieval heads and log-probability vs the answer's distance to the needle).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/session/figures.hpp"

namespace xl {

namespace {

// Cell edges of a heatmap over sorted values: half a ratio around equal ratios (log axis; first
// when prefer_log, as for lengths), half a step around equally spaced values (linear axis), else
// the values' index.
struct Span {
    double lo = 0, hi = 1;
    AxisScale scale = AxisScale::Linear;
    std::vector<double> ticks;
    bool index = false;
};

Span span_of(const std::vector<double>& v, bool prefer_log) {
    Span s;
    if (v.empty()) return s;
    s.ticks = v;
    if (v.size() == 1) {
        const double w = v[0] > 0 ? v[0] * 0.25 : 0.05;
        s.lo = v[0] - w;
        s.hi = v[0] + w;
        return s;
    }
    const double step = (v.back() - v.front()) / double(v.size() - 1);
    bool linear = step > 0, ratio = v.front() > 0;
    const double r = ratio ? std::pow(v.back() / v.front(), 1.0 / double(v.size() - 1)) : 1;
    for (size_t i = 1; i < v.size(); ++i) {
        linear = linear && std::abs(v[i] - v[i - 1] - step) <= 1e-6 * std::max(1.0, std::abs(step));
        ratio = ratio && r > 1 && std::abs(v[i] / v[i - 1] - r) <= 1e-6 * r;
    }
    if (ratio && (prefer_log || !linear)) {
        s.scale = AxisScale::Log;
        s.lo = v.front() / std::sqrt(r);
        s.hi = v.back() * std::sqrt(r);
    } else if (linear) {
        s.lo = v.front() - step / 2;
        s.hi = v.back() + step / 2;
    } else {
        s.index = true;
        s.lo = -0.5;
        s.hi = double(v.size()) - 0.5;
        s.ticks.clear();
        for (size_t i = 0; i < v.size(); ++i) s.ticks.push_back(double(i));
    }
    return s;
}

void needle_meta(FigureSpec& f, const Results& r) {
    add_common_meta(f, r);
    f.meta["needle"] = "teacher-forced: prompt + true answer in one pass; correct = every answer token is its row's "
                       "argmax; logprob = sum of the answer tokens' log p (nats)";
    f.meta["retrieval score"] = "Wu et al. (2024): share of the copyable answer tokens for which the head's top-attended "
                                "key is that token inside the needle; retrieval heads >= 0.1";
}

// depth (rows) × length (cols) of one task; value(cell) per cell.
FigureSpec grid_heatmap(const Results& r, int ci, size_t task, const std::string& what, const std::string& unit,
                        double (*value)(const NeedleCell&)) {
    FigureSpec f;
    const ConfigResult& c = r.configs.at(size_t(ci));
    const NeedleGrid& g = *c.needle;
    const std::string task_name = needle_task_name(g.tasks.at(task));
    f.id = "needle_" + what + "_" + task_name + "_" + std::string(1, c.label);
    f.title = config_name(c) + " - " + task_name + " needle: " + (what == "accuracy" ? "correct" : "answer log p");
    std::vector<double> lengths(g.lengths.begin(), g.lengths.end());
    const Span sx = span_of(lengths, true), sy = span_of(g.depths, false);
    f.x = {sx.index ? "Prompt length (index)" : "Prompt length", sx.index ? "" : "tokens", sx.scale};
    f.x.csv_name = "length";
    f.x.ticks = sx.ticks;
    f.x.min = sx.lo;
    f.x.max = sx.hi;
    f.y = {sy.index ? "Needle depth (index)" : "Needle depth", "", AxisScale::Linear};
    f.y.csv_name = "depth";
    f.y.ticks = sy.ticks;
    f.y.min = sy.lo;
    f.y.max = sy.hi;
    f.legend = false;
    Heatmap h;
    h.rows = int(g.depths.size());
    h.cols = int(g.lengths.size());
    for (size_t d = 0; d < g.depths.size(); ++d)
        for (size_t l = 0; l < g.lengths.size(); ++l) h.values.push_back(float(value(g.cell(task, l, d))));
    h.x0 = sx.lo; h.x1 = sx.hi;
    h.y0 = sy.lo; h.y1 = sy.hi;
    h.y_down = false;
    h.colormap = "viridis";
    if (what == "accuracy") {
        h.vmin = 0;
        h.vmax = 1;
        h.colorbar_label = "correct (1) / wrong (0)";
    } else {
        h.colorbar_label = "log p(answer)" + (unit.empty() ? "" : " (" + unit + ")");
    }
    f.heatmap = std::move(h);
    if (r.train_length > 0 && !sx.index) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train", {1, 1, 1, 0.9f}});
    needle_meta(f, r);
    return f;
}

// layer (rows, 0 at the top) × head (cols) map.
FigureSpec head_map(const Results& r, const std::string& id, const std::string& title, const std::vector<double>& v,
                    int layers, int heads, const std::string& colormap, const std::string& label) {
    FigureSpec f;
    f.id = id;
    f.title = title;
    f.x = {"Head", "", AxisScale::Linear};
    f.x.csv_name = "head";
    f.y = {"Layer", "", AxisScale::Linear};
    f.y.csv_name = "layer";
    f.x.min = -0.5; f.x.max = heads - 0.5;
    f.y.min = -0.5; f.y.max = layers - 0.5;
    f.legend = false;
    f.height_in = std::clamp(1.2 + 0.09 * layers, 2.2, 4.5);
    Heatmap h;
    h.rows = layers;
    h.cols = heads;
    for (double x : v) h.values.push_back(float(x));
    h.x0 = -0.5; h.x1 = heads - 0.5;
    h.y0 = -0.5; h.y1 = layers - 0.5;
    h.y_down = true;
    h.colormap = colormap;
    if (colormap != "diverging") {
        h.vmin = 0;
        h.vmax = 1;
    }
    h.colorbar_label = label;
    f.heatmap = std::move(h);
    needle_meta(f, r);
    return f;
}

std::vector<double> cell_or_all(const NeedleGrid& g, int cell, bool retrieval) {
    if (cell < 0 || cell >= int(g.cells.size())) return retrieval ? g.retrieval() : g.needle_mass();
    const NeedleCell& c = g.cells[size_t(cell)];
    if (!retrieval) return c.needle_mass;
    std::vector<double> out;
    for (int l = 0; l < c.layers; ++l)
        for (int h = 0; h < c.heads; ++h) out.push_back(c.retrieval(l, h));
    return out;
}

std::string which_cells(const NeedleGrid& g, int cell) {
    if (cell < 0 || cell >= int(g.cells.size())) return "all " + std::to_string(g.cells.size()) + " cells";
    return needle_cell_name(g.cells[size_t(cell)]);
}

}  // namespace

std::string needle_cell_name(const NeedleCell& c) {
    char b[96];
    std::snprintf(b, sizeof b, "%s, %d tokens, depth %.2g", needle_task_name(c.task), c.target_tokens, c.depth);
    return b;
}

bool has_needle(const Results& r) {
    for (const ConfigResult& c : r.configs)
        if (c.needle && !c.needle->cells.empty()) return true;
    return false;
}

FigureSpec figure_needle_accuracy(const Results& r, int ci, int task) {
    return grid_heatmap(r, ci, size_t(task), "accuracy", "", [](const NeedleCell& c) { return c.correct ? 1.0 : 0.0; });
}

FigureSpec figure_needle_logprob(const Results& r, int ci, int task) {
    return grid_heatmap(r, ci, size_t(task), "logprob", "nats", [](const NeedleCell& c) { return c.logprob; });
}

FigureSpec figure_needle_retrieval(const Results& r, int ci, int cell) {
    const ConfigResult& c = r.configs.at(size_t(ci));
    const NeedleGrid& g = *c.needle;
    FigureSpec f = head_map(r, std::string("needle_retrieval_") + c.label,
                            std::string(1, c.label) + ": retrieval score (" + which_cells(g, cell) + ")",
                            cell_or_all(g, cell, true), g.layers, g.heads, "viridis", "retrieval score");
    f.meta["method"] = c.method;
    return f;
}

FigureSpec figure_needle_mass(const Results& r, int ci, int cell) {
    const ConfigResult& c = r.configs.at(size_t(ci));
    const NeedleGrid& g = *c.needle;
    FigureSpec f = head_map(r, std::string("needle_mass_") + c.label,
                            std::string(1, c.label) + ": answer attention on the needle (" + which_cells(g, cell) + ")",
                            cell_or_all(g, cell, false), g.layers, g.heads, "magma", "attention mass on needle");
    f.meta["method"] = c.method;
    return f;
}

FigureSpec figure_needle_retrieval_diff(const Results& r, int ci, int cell) {
    const ConfigResult& c = r.configs.at(size_t(ci));
    const NeedleGrid& g = *c.needle;
    const NeedleGrid& a = *r.configs.front().needle;
    const std::vector<double> x = cell_or_all(g, cell, true), y = cell_or_all(a, cell, true);
    std::vector<double> d(x.size(), NAN);
    if (x.size() == y.size())
        for (size_t i = 0; i < x.size(); ++i) d[i] = x[i] - y[i];
    FigureSpec f = head_map(r, std::string("needle_retrieval_diff_") + c.label,
                            std::string(1, c.label) + " - A: retrieval score (" + which_cells(g, cell) + ")", d, g.layers,
                            g.heads, "diverging", "retrieval score change");
    f.heatmap->vmin = -1;
    f.heatmap->vmax = 1;
    return f;
}

namespace {

// One series per configuration and task: a value of each cell vs the answer's distance to the needle.
FigureSpec needle_vs_distance(const Results& r, const std::string& id, const std::string& title, const Axis& y,
                              double (*value)(const NeedleCell&)) {
    FigureSpec f;
    f.id = id;
    f.title = title;
    f.x = {"Answer distance to the needle", "tokens", AxisScale::Linear};
    f.x.csv_name = "distance";
    f.y = y;
    for (size_t k = 0; k < r.configs.size(); ++k) {
        const ConfigResult& c = r.configs[k];
        if (!c.needle) continue;
        for (size_t t = 0; t < c.needle->tasks.size(); ++t) {
            std::vector<const NeedleCell*> cells;
            for (const NeedleCell& cell : c.needle->cells)
                if (cell.task == c.needle->tasks[t]) cells.push_back(&cell);
            std::sort(cells.begin(), cells.end(), [](auto* a, auto* b) { return a->distance() < b->distance(); });
            Series s{config_name(c) + " " + needle_task_name(c.needle->tasks[t]), {}, {}};
            s.color = palette_color(int(k));
            s.style = t == 0 ? LineStyle::Solid : LineStyle::Dashed;
            s.markers = true;
            for (const NeedleCell* cell : cells) {
                s.x.push_back(cell->distance());
                s.y.push_back(value(*cell));
            }
            f.series.push_back(std::move(s));
        }
    }
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
    needle_meta(f, r);
    return f;
}

}  // namespace

FigureSpec figure_needle_reach(const Results& r) {
    Axis y{"Retrieval heads", "score >= 0.1", AxisScale::Linear};
    y.csv_name = "retrieval_heads";
    y.min = 0;
    return needle_vs_distance(r, "needle_reach", "Retrieval heads vs distance to the needle", y,
                              [](const NeedleCell& c) { return double(c.retrieval_heads()); });
}

FigureSpec figure_needle_logprob_distance(const Results& r) {
    Axis y{"log p(answer)", "nats", AxisScale::Linear};
    y.csv_name = "logprob";
    return needle_vs_distance(r, "needle_logprob_distance", "Answer log-probability vs distance to the needle", y,
                              [](const NeedleCell& c) { return c.logprob; });
}

std::vector<FigureSpec> needle_figures(const Results& r, const ViewState& v) {
    std::vector<FigureSpec> out;
    if (!has_needle(r)) return out;
    for (size_t ci = 0; ci < r.configs.size(); ++ci) {
        const ConfigResult& c = r.configs[ci];
        if (!c.needle || c.needle->cells.empty()) continue;
        out.push_back(figure_needle_retrieval(r, int(ci), v.needle_cell));
        out.push_back(figure_needle_mass(r, int(ci), v.needle_cell));
        if (ci > 0 && r.configs.front().needle) out.push_back(figure_needle_retrieval_diff(r, int(ci), v.needle_cell));
        for (size_t t = 0; t < c.needle->tasks.size(); ++t) {
            out.push_back(figure_needle_accuracy(r, int(ci), int(t)));
            out.push_back(figure_needle_logprob(r, int(ci), int(t)));
        }
    }
    out.push_back(figure_needle_reach(r));
    out.push_back(figure_needle_logprob_distance(r));
    return out;
}

}  // namespace xl
