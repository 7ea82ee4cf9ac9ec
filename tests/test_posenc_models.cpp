// Position plans on the real models: stories260K (RoPE, trained at 512, GGUF says 2048) and
// alilama (ALiBi, trained at 128): model-derived defaults and the family checks.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"

using namespace xl;

namespace {
const std::string kShared = XL_SHARED_DIR;
}

TEST_CASE("posenc on stories260K: .bin and .gguf give the same plans - orig follows the training length") {
    const Model bin = load_model(kShared + "/models/stories260K/stories260K.bin",
                                 kShared + "/models/stories260K/tok512.bin");
    Model gguf = load_model(kShared + "/models/stories260K/stories260K.gguf");
    // The GGUF says 2048 (a converter default, kept with a warning); model-derived defaults follow
    // train_context_length, which the user corrects (the CLI's training-length override).
    CHECK(make_plan(parse_method_spec("yarn:s=4"), gguf.config, 64).method.find("orig=2048") != std::string::npos);
    gguf.config.train_context_length = 512;
    for (const char* spec : {"none", "linear:s=4", "ntk:a=4", "dynntk:s=4", "yarn:s=4,orig=512", "abf:base=40000",
                             "logn", "rerope:w=128", "selfextend:G=4,W=128"}) {
        CAPTURE(spec);
        const auto a = make_plan(parse_method_spec(spec), bin.config, 2048);
        const auto b = make_plan(parse_method_spec(spec), gguf.config, 2048);
        CHECK(a.inv_freq.size() == 4);
        CHECK(a.inv_freq == b.inv_freq);
        CHECK(a.query_scale == b.query_scale);
        CHECK(a.mscale == b.mscale);
        CHECK(a.method == b.method);
        CHECK(a.query_scale[0] == doctest::Approx(1 / std::sqrt(8.0)));
    }
    const auto y = make_plan(parse_method_spec("yarn:s=4"), gguf.config, 2048);
    CHECK(y.method.find("orig=512") != std::string::npos);  // the training length, not the GGUF's 2048
    // dynntk at 4 × the training length: α = 4·4 − 3 = 13
    const auto d = make_plan(parse_method_spec("dynntk:s=4"), bin.config, 2048);
    CHECK(d.inv_freq[3] == doctest::Approx(std::pow(1e4 * std::pow(13.0, 8.0 / 6), -6.0 / 8)).epsilon(1e-6));
}

TEST_CASE("posenc on alilama: the model's ALiBi slopes - RoPE methods refused with the model named") {
    const Model m = load_model(kShared + "/models/alilama/alilama_batches_512_470K.pth",
                               kShared + "/models/alilama/tokenizer.model");
    const auto p = make_plan(parse_method_spec("none"), m.config, 256);
    REQUIRE(p.alibi_slopes.size() == 8);
    for (int h = 0; h < 8; ++h) CHECK(p.alibi_slopes[h] == doctest::Approx(std::pow(2.0, -(h + 1))).epsilon(1e-7));
    CHECK(p.inv_freq.empty());
    const auto i = make_plan(parse_method_spec("alibi:interp=2"), m.config, 256);
    CHECK(i.alibi_slopes[0] == doctest::Approx(0.25));
    CHECK(make_plan(parse_method_spec("logn"), m.config, 256).query_scale[255] >
          make_plan(parse_method_spec("logn"), m.config, 256).query_scale[127]);  // L = 128
    try {
        make_plan(parse_method_spec("yarn:s=4"), m.config, 256);
        FAIL("yarn on an ALiBi model must fail");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::BadArgument);
        CHECK(std::string(e.what()).find("ALiBi") != std::string::npos);
        CHECK(std::string(e.what()).find(m.config.name) != std::string::npos);
    }
}
