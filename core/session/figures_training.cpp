// Training-time position sampling figures: Randomized PE and PoSE (sources in
// core/posenc/training_positions.hpp).
#include <algorithm>
#include <cmath>

#include "core/posenc/training_positions.hpp"
#include "core/session/figures.hpp"

namespace xl {

namespace {

void add_training_meta(FigureSpec& f, const TrainingPositionOptions& o) {
    f.meta["train_length"] = std::to_string(o.train);
    f.meta["target_length"] = std::to_string(o.target);
    f.meta["seed"] = std::to_string(o.seed);
    f.meta["pose_chunks"] = std::to_string(o.chunks);
    f.markers.push_back({MarkerKind::Horizontal, double(o.train), "train " + std::to_string(o.train)});
}

const char* title_name(TrainingSampler m) {
    switch (m) {
        case TrainingSampler::PoSE: return "PoSE";
        case TrainingSampler::RandPE: return "Randomized PE";
        case TrainingSampler::Plain: break;
    }
    return "Plain";
}

}  // namespace

FigureSpec figure_training_positions(const TrainingPositionOptions& o, const std::vector<PositionSample>& samples) {
    FigureSpec f;
    f.id = std::string("training_positions_") + to_string(o.method);
    f.title = std::string(title_name(o.method)) + " position ids, " + std::to_string(o.train) + " -> " + std::to_string(o.target);
    f.x = {"Token index", "", AxisScale::Linear};
    f.x.csv_name = "token_index";
    f.y = {"Position id", "", AxisScale::Linear};
    f.y.csv_name = "position_id";
    f.y.min = 0;
    f.y.max = o.target * 1.06;  // room for the target marker's label
    f.meta["method"] = to_string(o.method);
    add_training_meta(f, o);
    f.markers.push_back({MarkerKind::Horizontal, double(o.target), "target " + std::to_string(o.target)});
    for (size_t k = 0; k < samples.size(); ++k) {
        const PositionSample& s = samples[k];
        Series line{"sample " + std::to_string(k + 1), {}, {}};
        line.width_pt = 0.9f;
        size_t chunk = 1;
        for (size_t t = 0; t < s.ids.size(); ++t) {
            if (chunk < s.chunk_begin.size() && int(t) == s.chunk_begin[chunk]) {  // break at a PoSE skip
                line.x.push_back(t - 0.5);
                line.y.push_back(NAN);
                ++chunk;
            }
            line.x.push_back(double(t));
            line.y.push_back(double(s.ids[t]));
        }
        line.markers = o.method == TrainingSampler::RandPE && s.ids.size() <= 64;
        f.series.push_back(std::move(line));
    }
    return f;
}

FigureSpec figure_training_coverage(const TrainingPositionOptions& o, int samples) {
    FigureSpec f;
    f.id = "training_distance_coverage";
    f.title = "Distances seen in training, " + std::to_string(o.train) + " -> " + std::to_string(o.target);
    f.x = {"Relative distance", "tokens", AxisScale::Linear};
    f.x.csv_name = "distance";
    f.y = {"Pairs per sequence", "", AxisScale::Log};
    f.y.csv_name = "pairs_per_sequence";
    f.meta["samples_per_method"] = std::to_string(samples);
    add_training_meta(f, o);
    f.markers.clear();
    f.markers.push_back({MarkerKind::Vertical, double(o.train), "train " + std::to_string(o.train)});
    for (TrainingSampler m : {TrainingSampler::Plain, TrainingSampler::RandPE, TrainingSampler::PoSE}) {
        TrainingPositionOptions mo = o;
        mo.method = m;
        const auto cov = distance_coverage(sample_training_positions(mo, m == TrainingSampler::Plain ? 1 : samples),
                                           o.target);
        Series s{to_string(m), {}, {}};
        for (size_t d = 0; d < cov.size(); ++d) {
            s.x.push_back(double(d));
            s.y.push_back(cov[d] > 0 ? cov[d] : NAN);  // unseen distances: a gap on the log axis
        }
        f.series.push_back(std::move(s));
    }
    return f;
}

std::vector<FigureSpec> training_figures(const Results& r, const ViewState& v) {
    constexpr int kSamples = 8;
    TrainingPositionOptions o;
    o.method = parse_training_sampler(v.training_sampler, "training_sampler");
    o.train = r.train_length > 0 ? r.train_length : 512;
    o.target = o.train * std::max(1, v.training_factor);
    std::vector<FigureSpec> out = {figure_training_positions(o, sample_training_positions(o, kSamples)),
                                   figure_training_coverage(o, kSamples)};
    for (FigureSpec& f : out) add_common_meta(f, r);
    return out;
}

}  // namespace xl
