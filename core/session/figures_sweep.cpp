// The figure of an opened sweep (File > Open results): perplexity vs length, one series per
// method (and convention), the training length marked, everything the numbers depend on in meta.
#include <algorithm>

#include "core/session/figures.hpp"

namespace xl {

FigureSpec figure_sweep_ppl(const EvalTable& t, const std::string& source) {
    FigureSpec f;
    f.id = "sweep_ppl_vs_length";
    f.title = "Opened sweep: perplexity vs evaluation length";
    f.x = {"Evaluation length", "tokens", AxisScale::Log};
    f.x.csv_name = "length_tokens";
    f.y = {"Perplexity", "", AxisScale::Log};
    f.y.csv_name = "perplexity";
    for (const EvalRow& r : t.rows()) {
        const std::string name = r.convention.empty() ? r.method : r.method + " (" + r.convention + ")";
        auto it = std::find_if(f.series.begin(), f.series.end(), [&](const Series& s) { return s.name == name; });
        if (it == f.series.end()) {
            f.series.push_back({name, {}, {}});
            f.series.back().markers = true;
            it = f.series.end() - 1;
        }
        it->x.push_back(r.length);
        it->y.push_back(r.ppl);
        if (std::find(f.x.ticks.begin(), f.x.ticks.end(), double(r.length)) == f.x.ticks.end())
            f.x.ticks.push_back(r.length);
    }
    std::sort(f.x.ticks.begin(), f.x.ticks.end());
    const EvalInfo& i = t.info();
    if (i.train_context > 0)
        f.markers.push_back({MarkerKind::Vertical, double(i.train_context), "train " + std::to_string(i.train_context)});
    f.meta["source"] = source;
    f.meta["model"] = i.model_name + " (" + i.model + ")";
    f.meta["text"] = i.text + " (" + std::to_string(i.text_tokens) + " tokens)";
    f.meta["protocol"] = t.protocol();
    f.meta["device"] = i.device;
    return f;
}

}  // namespace xl
