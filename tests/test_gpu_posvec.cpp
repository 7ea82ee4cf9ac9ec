// Positional vectors on the Vulkan pass against the CPU reference (stories260K, its training
// length 512): the hidden-state read-back of every layer, and the numbers the Positional vectors
// view shows (norms, explained variance, PC coordinates, in-plane share beyond the training
// length) at 1× under none and at 4× under YaRN and Self-Extend (the far branch).
// Tolerances: mean hidden states within 5e-5 of the largest |value| (float32 matmuls in a
// different order); norms within 1e-4 relative; explained variance and in-plane share within
// 1e-3 absolute; PC coordinates within 1e-3 of the component's range.
#include <doctest/doctest.h>

#include <cmath>

#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/positional_vectors.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

const std::string kDir = std::string(XL_SHARED_DIR) + "/models/stories260K/";

void compare(const std::string& method, int n, int windows) {
    Model model = load_model(kDir + "stories260K.bin", kDir + "tok512.bin");
    const TokenStream text =
        load_token_stream(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt", *model.tokenizer);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    const PositionPlan plan = make_plan(parse_method_spec(method), model.config, n);
    PositionalVectorOptions o;
    o.length = n;
    o.windows = windows;
    o.train_length = 512;
    const int bos = model.tokenizer->bos();
    const MeanHidden g = mean_hidden_states(gpu, model.config, text.tokens, bos, plan, o);
    const MeanHidden c = mean_hidden_states(cpu, model.config, text.tokens, bos, plan, o);
    REQUIRE(g.layers.size() == size_t(model.config.n_layers));
    REQUIRE(g.windows == windows);
    for (size_t k = 0; k < g.layers.size(); ++k) {
        double worst = 0, scale = 0;
        for (size_t i = 0; i < g.mean[k].size(); ++i) {
            worst = std::max(worst, std::abs(double(g.mean[k][i]) - c.mean[k][i]));
            scale = std::max(scale, std::abs(double(c.mean[k][i])));
        }
        MESSAGE(method << " n=" << n << " layer " << k << ": max |Δ mean| " << worst << " of " << scale);
        CHECK(worst <= 5e-5 * scale);  // measured on lavapipe: 2.5e-6
    }
    const PositionalVectors pg = analyse_positional_vectors(g, o), pc = analyse_positional_vectors(c, o);
    for (size_t k = 0; k < pg.layers.size(); ++k) {
        const LayerPositionalVectors &a = pg.layers[k], &b = pc.layers[k];
        CHECK(b.converged);
        for (int t = 0; t < n; ++t) CHECK(std::abs(a.norm[size_t(t)] - b.norm[size_t(t)]) <= 1e-4 * b.norm[size_t(t)]);
        REQUIRE(a.explained.size() == b.explained.size());
        for (size_t i = 0; i < a.explained.size(); ++i) {
            CHECK(std::abs(a.explained[i] - b.explained[i]) <= 1e-3);
            double lo = 1e300, hi = -1e300, worst = 0;
            for (int t = 0; t < n; ++t) {
                lo = std::min(lo, b.pc[i][size_t(t)]);
                hi = std::max(hi, b.pc[i][size_t(t)]);
                worst = std::max(worst, std::abs(a.pc[i][size_t(t)] - b.pc[i][size_t(t)]));
            }
            CHECK(worst <= 1e-3 * (hi - lo));
        }
        if (n > 512) CHECK(std::abs(a.beyond_in_plane - b.beyond_in_plane) <= 1e-3);
        else CHECK(std::isnan(a.beyond_in_plane));
    }
    test::check_validation_clean(gpu.context());
}

}  // namespace

TEST_CASE("gpu posvec: positional vectors at 1x under none match the CPU reference") { compare("none", 512, 3); }
TEST_CASE("gpu posvec: positional vectors at 4x under yarn match the CPU reference") { compare("yarn:s=4", 2048, 2); }
TEST_CASE("gpu posvec: positional vectors at 4x under selfextend match the CPU reference") {
    compare("selfextend:G=4,W=128", 2048, 2);
}
