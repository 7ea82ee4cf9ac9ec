// The needle view on the Vulkan pass against the CPU reference (stories260K, training length 512):
// the answer rows' attention over every key in every layer and head (ForwardRequest::attention_rows,
// shaders/attention_rows.comp) and the numbers the Needle view shows (answer log-probability,
// argmax, needle mass, copies) at 1× under none and a sliding window, and at 4× under YaRN, Self-
// Extend and ReRoPE (the far branch). Tolerances: attention probabilities within 1e-4 absolute
// (float32 matmuls in a different order over five layers), log-probability within 1e-3 nats per
// answer token, needle mass within 1e-4; argmax tokens and copies equal.
#include <doctest/doctest.h>

#include <cmath>

#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/needle.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

const std::string kDir = std::string(XL_SHARED_DIR) + "/models/stories260K/";

void compare(const std::string& method, int length) {
    Model model = load_model(kDir + "stories260K.bin", kDir + "tok512.bin");
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    const ModelConfig& cfg = model.config;
    for (NeedleTask task : {NeedleTask::Passkey, NeedleTask::Sentence}) {
        const NeedlePrompt p = build_needle_prompt(*model.tokenizer, task, length, 0.4, 68194);
        const int n = int(p.tokens.size());
        const PositionPlan plan = make_plan(parse_method_spec(method), cfg, n);
        ForwardRequest req;
        req.tokens = p.tokens;
        req.plan = plan;
        req.want_nll = false;
        req.attention_rows = {0, p.prompt_tokens - 1, n - 1};
        const ForwardResult g = gpu.run(req), c = cpu.run(req);
        REQUIRE(g.row_attention.size() == size_t(cfg.n_layers) * cfg.n_heads * 3 * n);
        REQUIRE(c.row_attention.size() == g.row_attention.size());
        const double worst = test::max_abs_diff(g.row_attention, c.row_attention);
        const NeedleCell gc = score_needle(gpu, cfg, p, plan), cc = score_needle(cpu, cfg, p, plan);
        double mass = 0;
        for (size_t i = 0; i < gc.needle_mass.size(); ++i) mass = std::max(mass, std::abs(gc.needle_mass[i] - cc.needle_mass[i]));
        MESSAGE(method << " " << std::string(needle_task_name(task)) << " n=" << n << ": max |dp| " << worst
                       << ", logprob " << gc.logprob << " vs " << cc.logprob << ", max |d mass| " << mass);
        CHECK(worst <= 1e-4);
        CHECK(std::abs(gc.logprob - cc.logprob) <= 1e-3 * p.answer_tokens());
        CHECK(mass <= 1e-4);
        CHECK(gc.argmax_ids == cc.argmax_ids);
        CHECK(gc.copies == cc.copies);
        CHECK(gc.copyable == cc.copyable);
    }
    test::check_validation_clean(gpu.context());
}

}  // namespace

TEST_CASE("gpu needle: answer-row attention and the view's numbers at 1x under none match the CPU reference") {
    compare("none", 512);
}
TEST_CASE("gpu needle: answer-row attention and the view's numbers at 1x under a window match the CPU reference") {
    compare("window:w=128", 512);
}
TEST_CASE("gpu needle: answer-row attention and the view's numbers at 4x under yarn match the CPU reference") {
    compare("yarn:s=4", 2048);
}
TEST_CASE("gpu needle: answer-row attention and the view's numbers at 4x under selfextend and rerope match the CPU reference") {
    compare("selfextend:G=4,W=128", 2048);
    compare("rerope:w=128", 2048);
}
