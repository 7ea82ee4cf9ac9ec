// Eval sweeps over a fake forward pass: checks before running (memory, text length), row order,
// the names every output carries; and the synthetic benchmark models' shapes.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/metrics/eval_report.hpp"
#include "core/metrics/eval_sweep.hpp"
#include "core/metrics/synthetic_model.hpp"

namespace {

class ConstForward : public xl::Forward {
public:
    int64_t limit = 4096;
    int runs = 0;
    xl::ForwardResult run(const xl::ForwardRequest& req) override {
        ++runs;
        xl::ForwardResult r;
        r.nll.assign(req.tokens.size() - 1, float(std::log(3.0)));  // PPL 3 everywhere
        return r;
    }
    std::string device_name() const override { return "const device"; }
    int64_t max_tokens() const override { return limit; }
};

xl::TokenStream stream_of(int n) {
    xl::TokenStream s;
    s.path = "fake.txt";
    s.tokens.assign(size_t(n), 5);
    s.documents = 1;
    s.bos = 1;
    return s;
}

xl::ErrorKind kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const xl::Error& e) {
        return e.kind();
    }
    FAIL("expected an xl::Error");
    return xl::ErrorKind::Device;
}

}  // namespace

TEST_CASE("metrics sweep: rows method-major with counts and names in every format") {
    const xl::Model model = xl::make_synthetic_model("stories260k", xl::TensorType::F32);
    ConstForward fwd;
    xl::EvalSweep sweep{{xl::parse_method_spec("none"), xl::parse_method_spec("linear:s=2")},
                        {64, 128},
                        xl::parse_protocol("half"),
                        3};
    xl::EvalInfo info;
    info.model = "m.bin";
    info.device = fwd.device_name();
    const xl::EvalTable t = xl::run_eval_sweep(sweep, fwd, model.config, stream_of(1000), info);
    REQUIRE(t.rows().size() == 4);
    CHECK(fwd.runs == 4 * 3);
    CHECK(t.rows()[0].method == "none");
    CHECK(t.rows()[1].length == 128);
    CHECK(t.rows()[2].method.rfind("linear", 0) == 0);
    CHECK(t.rows()[2].resolved.find("s=2") != std::string::npos);
    CHECK(t.rows()[3].tokens_scored == 3 * (128 - 1 - 64));
    for (const auto& r : t.rows()) {
        CHECK(r.ppl == doctest::Approx(3.0));
        CHECK(r.protocol == "half");
        CHECK(r.position_loss.size() == size_t(r.length));
    }
    const std::string table = xl::format_eval_table(t), csv = xl::format_eval_csv(t);
    for (const std::string* s : {&table, &csv}) {
        CHECK(s->find("protocol: half") != std::string::npos);
        CHECK(s->find("device: const device") != std::string::npos);
        CHECK(s->find("m.bin") != std::string::npos);
    }
    const auto j = xl::eval_to_json(t, true);
    CHECK(j["protocol"]["name"] == "half");
    CHECK(j["results"][0]["position_loss"][0].is_null());
    CHECK(j["results"][0]["position_loss"][63].get<double>() == doctest::Approx(std::log(3.0)));
}

TEST_CASE("metrics sweep: too long for memory or for the text fails before running") {
    const xl::Model model = xl::make_synthetic_model("stories260k", xl::TensorType::F32);
    ConstForward fwd;
    fwd.limit = 512;
    xl::EvalSweep sweep{{xl::parse_method_spec("none")}, {256, 1024}, xl::parse_protocol("all"), 0};
    CHECK(kind_of([&] { xl::check_eval_sweep(sweep, fwd, stream_of(5000)); }) == xl::ErrorKind::OutOfMemory);
    sweep.lengths = {256, 512};
    CHECK(kind_of([&] { xl::check_eval_sweep(sweep, fwd, stream_of(300)); }) == xl::ErrorKind::BadArgument);
    try {
        xl::check_eval_sweep(sweep, fwd, stream_of(300));
    } catch (const xl::Error& e) {
        CHECK(std::string(e.what()).find("fake.txt") != std::string::npos);
        CHECK(std::string(e.what()).find("300 tokens") != std::string::npos);
    }
    CHECK(fwd.runs == 0);
}

TEST_CASE("metrics synthetic: models have the named shape in every storage type") {
    for (xl::TensorType type : {xl::TensorType::F32, xl::TensorType::F16, xl::TensorType::Q8_0}) {
        const xl::Model m = xl::make_synthetic_model("stories260k", type, 7);
        const xl::ModelConfig& c = m.config;
        CHECK(c.dim == 64);
        CHECK(c.n_kv_heads == 4);
        REQUIRE(m.weights.layers.size() == 5);
        const xl::Tensor& wk = m.weights.layers[2].wk;
        CHECK(wk.rows == 4 * 8);
        CHECK(wk.cols == 64);
        CHECK(wk.type == type);
        const auto v = xl::dequantize(wk);
        double sq = 0;
        for (float x : v) sq += double(x) * x;
        CHECK(std::sqrt(sq / double(v.size())) == doctest::Approx(0.02).epsilon(0.1));
        CHECK(xl::dequantize(m.weights.layers[0].attn_norm)[3] == 1.f);
    }
    CHECK_THROWS_AS(xl::make_synthetic_model("gpt-17", xl::TensorType::F16), xl::Error);
}
