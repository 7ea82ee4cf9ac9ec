// End to end: stories260K on the Vulkan forward pass vs the CPU reference (xl::CpuForward):
// per-token NLL within 1e-3 on a 2048-token window of the TinyStories text (plain RoPE),
// last-token logits, an attention probe, and validation-layer cleanliness.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

const std::string kModelDir = std::string(XL_SHARED_DIR) + "/models/stories260K/";

struct Stories {
    Model model = load_model(kModelDir + "stories260K.bin", kModelDir + "tok512.bin");
    TokenStream text = load_token_stream(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt",
                                         *model.tokenizer);
    ForwardRequest request(int n, const std::string& method = "none") const {
        ForwardRequest r;
        r.tokens.assign(text.tokens.begin(), text.tokens.begin() + n);
        r.plan = make_plan(parse_method_spec(method), model.config, n);
        return r;
    }
};

}  // namespace

TEST_CASE("gpu forward: stories260K NLL equals the CPU reference on 2048 tokens") {
    Stories s;
    REQUIRE(s.text.tokens.size() >= 2048);
    VulkanForward gpu(s.model, test::gpu_context());
    CpuForward cpu(s.model);
    const ForwardRequest req = s.request(2048);
    const ForwardResult g = gpu.run(req), c = cpu.run(req);
    REQUIRE(g.nll.size() == 2047);
    REQUIRE(c.nll.size() == 2047);
    double worst = 0, mean_g = 0, mean_c = 0;
    for (size_t i = 0; i < g.nll.size(); ++i) {
        worst = std::max(worst, std::fabs(double(g.nll[i]) - double(c.nll[i])));
        mean_g += g.nll[i] / 2047.0;
        mean_c += c.nll[i] / 2047.0;
    }
    MESSAGE("max |Δ nll| = " << worst << ", mean nll gpu " << mean_g << " cpu " << mean_c << " on " << gpu.device_name());
    CHECK(worst < 1e-3);
    CHECK(mean_g > 0.5);  // a trained model on its own domain: neither degenerate nor random (ln 512 = 6.2)
    CHECK(mean_g < 3.0);
    test::check_validation_clean(gpu.context());
}

TEST_CASE("gpu forward: last logits, an attention probe and a windowed far-branch plan match the CPU") {
    Stories s;
    VulkanForward gpu(s.model, test::gpu_context());
    CpuForward cpu(s.model);
    ForwardRequest req = s.request(300, "none");
    req.want_last_logits = true;
    req.want_attention = true;
    req.probe = {2, -1, 16};
    const ForwardResult g = gpu.run(req), c = cpu.run(req);
    REQUIRE(g.last_logits.size() == 512);
    CHECK(test::max_abs_diff(g.last_logits, c.last_logits) < 1e-3);
    REQUIRE(g.attention_rows == 16);
    CHECK(test::max_abs_diff(g.attention, c.attention) < 1e-5);

    // Only the last logits (generation): no NLL comes back.
    ForwardRequest gen = s.request(40);
    gen.want_nll = false;
    gen.want_last_logits = true;
    const ForwardResult gg = gpu.run(gen), cg = cpu.run(gen);
    CHECK(gg.nll.empty());
    CHECK(test::max_abs_diff(gg.last_logits, cg.last_logits) < 1e-3);

    // A plan with a sliding window, sinks and the far branch (hand-made from the plain plan).
    ForwardRequest w = s.request(300, "none");
    w.plan.window = 64;
    w.plan.sinks = 4;
    w.plan.far.enabled = true;
    w.plan.far.neighbour_window = 32;
    w.plan.far.pos.q_pos.assign(300, 32.f);
    w.plan.far.pos.k_pos.assign(300, 0.f);
    const ForwardResult gw = gpu.run(w), cw = cpu.run(w);
    CHECK(test::max_abs_diff(gw.nll, cw.nll) < 1e-3);
    test::check_validation_clean(gpu.context());
}

TEST_CASE("gpu forward: memory bound and bad requests are typed errors") {
    Stories s;
    VulkanForward gpu(s.model, test::gpu_context());
    CHECK(gpu.max_tokens() >= 32768);
    CHECK(!gpu.device_name().empty());
    ForwardRequest too_long;
    too_long.tokens.assign(size_t(gpu.max_tokens()) + 1, 1);
    too_long.plan.query_scale.assign(too_long.tokens.size(), 1.f);
    try {
        gpu.run(too_long);
        FAIL("expected an OutOfMemory error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::OutOfMemory);
    }
    ForwardRequest bad = s.request(10);
    bad.tokens[3] = 100000;
    CHECK_THROWS_AS(gpu.run(bad), Error);
    ForwardRequest short_plan = s.request(10);
    short_plan.tokens.push_back(5);
    CHECK_THROWS_AS(gpu.run(short_plan), Error);
}
