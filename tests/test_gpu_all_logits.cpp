// The Vulkan forward pass returns the logits of every requested position (KL divergence, NBCE):
// equal to the CPU reference's over a grid of methods and first rows, within 2e-4 absolute
// (logits of order 10-20; the per-token NLL agrees to 1e-4), and `compare` then reports the KL
// divergence on the GPU without --cpu.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "test_cli_run.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

TEST_CASE("gpu all logits: every position's logits equal the CPU reference") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    const TokenStream text = load_token_stream(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt", *model.tokenizer);
    VulkanForward gpu(model, test::gpu_context());
    const int n = 600;
    const std::vector<int> tokens(text.tokens.begin(), text.tokens.begin() + n);
    for (const char* method : {"none", "yarn:s=4,orig=512", "rerope:w=128", "window:w=256"}) {
        for (int from : {0, 511}) {
            CAPTURE(method);
            CAPTURE(from);
            const PositionPlan plan = make_plan(parse_method_spec(method), model.config, n);
            ForwardRequest req;
            req.tokens = tokens;
            req.plan = plan;
            req.want_nll = false;
            req.want_all_logits = true;
            req.all_logits_from = from;
            const ForwardResult g = gpu.run(req);
            const std::vector<float> c = reference_all_logits(model, tokens, plan, from);
            REQUIRE(g.all_logits.size() == size_t(n - from) * size_t(model.config.vocab_size));
            REQUIRE(c.size() == g.all_logits.size());
            double worst = 0;
            for (size_t i = 0; i < c.size(); ++i) worst = std::max(worst, std::fabs(double(c[i]) - double(g.all_logits[i])));
            CHECK(worst < 2e-4);
            MESSAGE(std::string(method) << " from " << from << ": max |Δ logit| = " << worst);
        }
    }
    test::check_validation_clean(gpu.context());
}

TEST_CASE("cli compare: the GPU backend reports the KL divergence") {
    const CliRun r = run_cli("compare --base none --method yarn:s=4,orig=512 --length 1024 --windows 1 --format json");
    REQUIRE(r.code == 0);
    CHECK(r.out.find("\"kl_available\": true") != std::string::npos);
    CHECK(r.out.find("\"mean_kl\"") != std::string::npos);
    CHECK(r.err.find("KL divergence not computed") == std::string::npos);
}
