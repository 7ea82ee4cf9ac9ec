// `extrapolab positions`: training-time position sampling (Randomized PE, PoSE;
// core/posenc/training_positions.hpp) as figures: the sampled ids of a few training sequences, and
// how often each relative distance up to the target is seen (plain vs Randomized PE vs PoSE).
// Writes SVG, PNG and CSV of both figures into --out; both are built before any file is written.
#include <cstdio>
#include <memory>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/error.hpp"
#include "core/posenc/training_positions.hpp"
#include "core/session/figures.hpp"
#include "core/session/headless_figures.hpp"

namespace xl::cli {

namespace {

struct PositionsOptions {
    std::string method = "pose", out = "figures";
    int train = 512, target = 4096, samples = 8, chunks = 2, coverage_samples = 256;
    uint64_t seed = 1;
};

int run_positions(const PositionsOptions& o) {
    TrainingPositionOptions t;
    t.method = parse_training_sampler(o.method);
    t.train = o.train;
    t.target = o.target;
    t.chunks = o.chunks;
    t.seed = o.seed;
    check_training_positions(t);
    if (o.samples < 1 || o.samples > 1000)
        throw Error(ErrorKind::BadArgument, "--samples " + std::to_string(o.samples), "must be in [1, 1000]");
    if (o.coverage_samples < 1 || o.coverage_samples > 100000)
        throw Error(ErrorKind::BadArgument, "--coverage-samples " + std::to_string(o.coverage_samples),
                    "must be in [1, 100000]");
    const std::vector<FigureSpec> figures = {
        figure_training_positions(t, sample_training_positions(t, o.samples)),
        figure_training_coverage(t, o.coverage_samples)};
    for (const FigureSpec& f : figures)
        for (const std::string& path : write_figure_files(f, o.out)) std::printf("%s\n", path.c_str());
    return 0;
}

}  // namespace

Command add_positions_command(CLI::App& root) {
    auto o = std::make_shared<PositionsOptions>();
    CLI::App* app = root.add_subcommand("positions", "Training-time position sampling (Randomized PE, PoSE) as figures");
    app->add_option("--method", o->method, "sampler whose sequences are drawn: randpe | pose | plain")
        ->capture_default_str();
    app->add_option("--train", o->train, "training window (tokens per sequence)")->capture_default_str();
    app->add_option("--target", o->target, "target length (position ids in [0, target))")->capture_default_str();
    app->add_option("--samples", o->samples, "sequences drawn in the ids figure")->capture_default_str();
    app->add_option("--seed", o->seed, "seed of the samplers")->capture_default_str();
    app->add_option("--chunks", o->chunks, "PoSE chunks per sequence")->capture_default_str();
    app->add_option("--coverage-samples", o->coverage_samples, "sequences per sampler in the coverage figure")
        ->capture_default_str();
    app->add_option("--out", o->out, "output directory (created if missing)")->capture_default_str();
    return {app, [o] { return run_positions(*o); }};
}

}  // namespace xl::cli
