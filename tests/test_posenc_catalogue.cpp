// The method catalogue at a length factor (core/posenc/catalogue.hpp): every spec parses back to
// itself and compiles for the model at f x train, factor 1 reduces to the model's own positions
// (same per-token loss as `none` on a real model), and methods are filtered by position signal.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/catalogue.hpp"
#include "core/posenc/method_registry.hpp"
#include "core/ref/cpu_forward.hpp"
#include "model_test_files.hpp"

namespace {

const xl::CatalogueEntry* entry(const std::vector<xl::CatalogueEntry>& c, const std::string& label) {
    for (const auto& e : c)
        if (e.label == label) return &e;
    return nullptr;
}

std::set<std::string> labels(const std::vector<xl::CatalogueEntry>& c) {
    std::set<std::string> s;
    for (const auto& e : c) s.insert(e.label);
    return s;
}

// Mean per-token loss of `tokens` under `spec` on the CPU reference.
std::vector<float> losses(xl::CpuForward& cpu, const xl::Model& m, const std::vector<int>& tokens,
                          const xl::MethodSpec& spec) {
    xl::ForwardRequest req;
    req.tokens = tokens;
    req.plan = xl::make_plan(spec, m.config, int(tokens.size()));
    return cpu.run(req).nll;
}

std::string alilama_dir() { return xl::test::shared("models/alilama/"); }

}  // namespace

TEST_CASE("posenc catalogue: specs parse back, cover the registry and compile at f x train") {
    const xl::Model m = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    REQUIRE(m.config.train_context_length == 512);
    for (double f : {1.0, 2.0, 4.0, 8.0}) {
        const auto cat = xl::method_catalogue(m.config, f);
        const int L = xl::catalogue_length(m.config, f);
        CHECK(L == int(512 * f));
        CHECK(labels(cat).size() == cat.size());  // one row per method
        for (const auto& e : cat) {
            CAPTURE(e.label);
            if (!e.skipped.empty()) {
                CHECK(e.spec.empty());
                continue;
            }
            CHECK(xl::parse_method_spec(e.spec).canonical() == e.spec);
            CHECK(e.method.name == xl::find_method(e.label)->name);
            CHECK_FALSE(e.note.empty());
            CHECK_NOTHROW((void)xl::make_plan(e.method, m.config, L));
        }
        // Every registered method that applies to a RoPE model has a row (or a stated skip).
        for (const auto& info : xl::method_registry().methods())
            if (info.applies != xl::MethodApplies::ALiBi) CHECK_MESSAGE(entry(cat, info.name), info.name);
    }
    const auto f2 = xl::method_catalogue(m.config, 2);
    CHECK(entry(f2, "linear")->spec == "linear:s=2");
    CHECK(entry(f2, "ntk")->spec == "ntk:a=2");
    CHECK(entry(f2, "yarn")->spec.rfind("yarn:s=2,orig=512", 0) == 0);
    CHECK_FALSE(entry(f2, "file")->skipped.empty());
    const auto f8 = xl::method_catalogue(m.config, 8);
    // Self-Extend: W = 128, (512 − 128)·G + 128 >= 4096 → G = 11.
    CHECK(entry(f8, "selfextend")->method.get("G", 0) == 11);
    CHECK(entry(f8, "selfextend")->method.get("W", 0) == 128);
    // Leaky ReRoPE: distance 4096 maps to 128 + (4096 − 128)/k = 512.
    CHECK(128 + (4096 - 128) / entry(f8, "leakyrerope")->method.get("k", 0) == doctest::Approx(512));
    CHECK(entry(f8, "abf")->method.get("base", 0) > entry(f2, "abf")->method.get("base", 0));
    CHECK(entry(xl::method_catalogue(m.config, 1), "abf")->method.get("base", 0) == doctest::Approx(10000));
    CHECK_THROWS_AS(xl::method_catalogue(m.config, 0.5), xl::Error);
}

TEST_CASE("posenc catalogue: factor 1 gives the same losses as none (RoPE, stories260K)") {
    xl::Model m = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    m.config.train_context_length = 64;  // short windows keep the reference pass fast
    const auto stream = xl::load_token_stream(xl::test::shared("data/tinystories/valid-first201.txt"), *m.tokenizer);
    const std::vector<int> tokens(stream.tokens.begin(), stream.tokens.begin() + 64);
    xl::CpuForward cpu(m);
    const auto base = losses(cpu, m, tokens, xl::parse_method_spec("none"));
    // No signal; distances capped at w; a distance decay that does not depend on the length.
    const std::set<std::string> not_identity = {"nope", "rerope", "xpos"};
    for (const auto& e : xl::method_catalogue(m.config, 1)) {
        if (!e.skipped.empty() || e.note.rfind("registry defaults", 0) == 0) continue;  // methods without a rule
        CAPTURE(e.spec);
        const auto l = losses(cpu, m, tokens, e.method);
        double max_diff = 0;
        for (size_t i = 0; i < l.size(); ++i) max_diff = std::max(max_diff, double(std::fabs(l[i] - base[i])));
        if (not_identity.count(e.label)) CHECK(max_diff > 1e-3);
        else CHECK(max_diff < 1e-4);
    }
}

TEST_CASE("posenc catalogue: ALiBi models get the ALiBi and model-independent methods only") {
    const xl::Model m =
        xl::load_model(alilama_dir() + "alilama_batches_512_470K.pth", alilama_dir() + "tokenizer.model");
    REQUIRE(m.config.position == xl::PositionSignal::ALiBi);
    const auto cat = xl::method_catalogue(m.config, 4);
    for (const char* want : {"none", "nope", "alibi", "ntkalibi", "window", "sinks", "lminfinite"})
        CHECK_MESSAGE(entry(cat, want), want);
    for (const char* rope_only : {"linear", "ntk", "yarn", "longrope", "rerope", "selfextend", "abf"})
        CHECK_MESSAGE(!entry(cat, rope_only), rope_only);
    CHECK(entry(cat, "alibi")->spec == "alibi:interp=4");
    CHECK(entry(cat, "ntkalibi")->spec == "ntkalibi:a=4");
    for (const auto& e : cat)
        if (e.skipped.empty()) CHECK_NOTHROW((void)xl::make_plan(e.method, m.config, 4 * 128));

    // Factor 1: the ALiBi methods reduce to the model's own slopes.
    const auto one = xl::method_catalogue(m.config, 1);
    const std::vector<int> tokens = m.tokenizer->encode(" STARTSTORY Once upon a time there was a little girl", false);
    xl::CpuForward cpu(m);
    const auto base = losses(cpu, m, tokens, xl::parse_method_spec("none"));
    for (const char* name : {"alibi", "ntkalibi", "window"}) {
        const auto l = losses(cpu, m, tokens, entry(one, name)->method);
        for (size_t i = 0; i < l.size(); ++i) CHECK(l[i] == doctest::Approx(base[i]).epsilon(1e-5));
    }

    xl::Model rope = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    const auto rc = xl::method_catalogue(rope.config, 4);
    CHECK(!entry(rc, "alibi"));
    CHECK(!entry(rc, "ntkalibi"));
    CHECK(entry(rc, "yarn"));
}
