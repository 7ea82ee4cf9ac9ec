// Regression tests for the faults a fuzzing run (and a reading of the readers) found: each case
// is the reproducer cut down, and each expects one typed xl::Error naming the file and the
// problem, quickly and without a large allocation.
#include <doctest/doctest.h>

#include <chrono>
#include <climits>
#include <cstring>

#include "core/error.hpp"
#include "error_of.hpp"
#include "core/model/gguf_reader.hpp"
#include "core/model/llama2c_reader.hpp"
#include "core/model/minbpe_tokenizer.hpp"
#include "core/model/pickle_reader.hpp"
#include "core/model/pth_reader.hpp"
#include "gguf_writer_for_tests.hpp"
#include "model_test_files.hpp"
#include "pth_writer_for_tests.hpp"

namespace {

using xl::ErrorKind;
using Clock = std::chrono::steady_clock;

using xl::test::error_of;
using xl::test::has;

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

TEST_CASE("hostile input: llama2.c vocab_size INT32_MIN is rejected before it is negated") {
    xl::test::TempDir tmp;
    const int32_t h[7] = {8, 16, 1, 2, 1, INT32_MIN, 16};  // the 28-byte reproducer
    std::vector<uint8_t> b(28);
    std::memcpy(b.data(), h, 28);
    CHECK_FALSE(xl::looks_like_llama2c(b.data(), b.size()));
    const std::string p = tmp.write("intmin.bin", b);
    const xl::Error e = error_of([&] { xl::load_llama2c_model(p); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(e.subject() == p);
    CHECK(has(e, "implausible header"));
}

TEST_CASE("hostile input: a pickle list put into itself is refused (no recursion, no leak)") {
    // ]2a. : EMPTY_LIST, DUP, APPEND -> the list contains itself.
    for (const std::string& pk : {std::string("]2a."), std::string("\x80\x02]2a."), std::string("}22s."),
                                  std::string("]q\x00h\x00\x85" "a.", 7)}) {
        CAPTURE(pk);
        const xl::Error e = error_of([&] { xl::read_pickle(bytes(pk), "cycle.pth", "archive/data.pkl"); });
        CHECK(e.kind() == ErrorKind::BadFile);
        CHECK(e.subject() == "cycle.pth");
        CHECK(has(e, "reference cycle"));
    }
    // Through a .pth, where the old reader reached repr() in an error message.
    xl::test::TempDir tmp;
    const std::string p = tmp.write("cycle.pth", xl::test::stored_zip({{"archive/data.pkl", bytes("\x80\x02]2a.")}}));
    const xl::Error e = error_of([&] { xl::load_pth_model(p, ""); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, p));
}

TEST_CASE("hostile input: shared pickle sub-objects (3^20 leaves) print in bounded time") {
    // L0 = []; L(k+1) = [Lk, Lk, Lk] through the memo: 20 levels, 3^20 leaves as a tree.
    std::string pk("\x80\x02]q\x00" "0", 6);
    for (int k = 0; k < 20; ++k)
        pk += std::string("](h") + char(k) + "h" + char(k) + "h" + char(k) + "eq" + char(k + 1) + "0";
    const auto t0 = Clock::now();
    xl::PyRef root = xl::read_pickle(bytes(pk + "h\x14."), "dag.pkl");
    const std::string text = root->repr();
    CHECK(text.size() <= 256);
    CHECK(text.substr(0, 4) == "[[[[");
    // The same DAG as _rebuild_tensor_v2 arguments reaches repr() in the error message.
    const std::string bad = pk + "ctorch._utils\n_rebuild_tensor_v2\n" + "h\x14\x85R.";
    const xl::Error e = error_of([&] { xl::read_pickle(bytes(bad), "dag.pth"); });
    CHECK(has(e, "malformed _rebuild_tensor_v2 arguments"));
    CHECK(std::strlen(e.what()) < 600);
    CHECK(seconds_since(t0) < 2.0);
}

TEST_CASE("hostile input: deeply nested pickle containers are refused") {
    std::string pk = "\x80\x02)";
    pk += std::string(100000, '\x85');  // TUPLE1 around the previous value, 100000 times
    const xl::Error e = error_of([&] { xl::read_pickle(bytes(pk + "."), "deep.pkl"); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, "nested deeper than 256"));
}

TEST_CASE("hostile input: .pth storage offset near INT64_MAX is a truncated-data error") {
    xl::test::TempDir tmp;
    xl::test::TinyAlilama a;
    a.embed_offset = INT64_MAX - 10;  // offset + numel overflowed before the bounds check
    const std::string p = tmp.write("offset.pth", a.pth());
    const xl::Error e = error_of([&] { xl::load_pth_model(p, ""); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, p));
    CHECK(has(e, "truncated tensor data for 'embed.weight'"));
}

TEST_CASE("hostile input: .pth heads x head width overflow and implausible params") {
    xl::test::TempDir tmp;
    xl::test::TinyAlilama a;
    a.params["num_heads"] = 65536;
    a.params["head_width"] = 65536;  // 2^32: overflowed int before
    xl::Error e = error_of([&] { xl::load_pth_model(tmp.write("heads.pth", a.pth()), ""); });
    CHECK(e.kind() == ErrorKind::Unsupported);
    CHECK(has(e, "num_heads * head_width != d_model (65536 * 65536 != 8)"));
    a.params["num_heads"] = int64_t(1) << 40;
    e = error_of([&] { xl::load_pth_model(tmp.write("heads2.pth", a.pth()), ""); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, "params.num_heads = 1099511627776 is not a plausible size"));
    xl::test::TinyAlilama b;
    b.params["blocks"] = 1 << 20;  // would have listed 10 million missing names
    e = error_of([&] { xl::load_pth_model(tmp.write("blocks.pth", b.pth()), ""); });
    CHECK(has(e, "params.blocks 1048576 but the state_dict has 1 blocks"));
}

TEST_CASE("hostile input: .pth d_model 40000 is refused before allocating d_model^2") {
    xl::test::TempDir tmp;
    xl::test::TinyAlilama a;
    a.vocab = 1;
    a.dim = 40000;
    a.params["d_model"] = 40000;
    a.max_storage = 40000;  // every storage holds 160 KB; the q/k/v weights claim 40000 x 40000
    const std::string p = tmp.write("dmodel.pth", a.pth());
    const auto t0 = Clock::now();
    const xl::Error e = error_of([&] { xl::load_pth_model(p, ""); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, "truncated tensor data for 'blocks.0.MHSA.q.weight'"));
    CHECK(seconds_since(t0) < 2.0);
}

TEST_CASE("hostile input: a .pth embedding with one row loads") {
    xl::test::TempDir tmp;
    xl::test::TinyAlilama a;
    a.vocab = 1;  // was "shape 1 x 8, expected 1 x 8"
    const xl::Model m = xl::load_pth_model(tmp.write("onerow.pth", a.pth()), "");
    CHECK(m.config.vocab_size == 1);
    CHECK(m.weights.token_embedding.rows == 1);
    CHECK(m.weights.layers.size() == 1);
    CHECK(m.weights.layers[0].wo.rows == 8);
}

TEST_CASE("hostile input: minbpe special-token id and doubling merges are capped") {
    xl::test::TempDir tmp;
    std::string t = "minbpe v1\n\n1\n<|big|> 2000000000\n";  // resized the vocabulary to 2e9 entries
    xl::Error e = error_of([&] { xl::load_minbpe_tokenizer(tmp.write("special.model", bytes(t))); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, "special token '<|big|>' has id 2000000000"));
    std::string m = "minbpe v1\n\n0\n0 0\n";  // token 256 = 2 bytes, then each merge doubles
    for (int k = 256; k < 256 + 40; ++k) m += std::to_string(k) + " " + std::to_string(k) + "\n";
    const auto t0 = Clock::now();
    e = error_of([&] { xl::load_minbpe_tokenizer(tmp.write("double.model", bytes(m))); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, "bytes of token text"));
    CHECK(seconds_since(t0) < 2.0);
}

TEST_CASE("hostile input: GGUF duplicate checks are linear (20k keys, 20k tensors)") {
    xl::test::TempDir tmp;
    xl::test::GgufWriter w;
    for (int k = 0; k < 20000; ++k) w.add_u32("k" + std::to_string(k), uint32_t(k));
    for (int k = 0; k < 20000; ++k) w.add_tensor("t" + std::to_string(k), xl::test::kGgmlF32, {1}, xl::test::to_f32({1.f}));
    const std::string p = tmp.write("many.gguf", w.bytes());
    const auto t0 = Clock::now();
    const xl::GgufFile g = xl::read_gguf(xl::MappedFile::open(p));
    CHECK(seconds_since(t0) < 3.0);  // 45 s before
    CHECK(g.kv.size() == 20000);
    REQUIRE(g.find("k19999"));
    CHECK(g.find("k19999")->i == 19999);
    REQUIRE(g.find_tensor("t12345"));
    CHECK(g.find_tensor("t12345")->name == "t12345");
    CHECK(g.find("nope") == nullptr);

    xl::test::GgufWriter d;
    d.add_u32("a", 1);
    d.add_u32("a", 2);
    xl::Error e = error_of([&] { xl::read_gguf(xl::MappedFile::open(tmp.write("dup.gguf", d.bytes()))); });
    CHECK(has(e, "duplicate metadata key 'a'"));
    xl::test::GgufWriter dt;
    dt.add_tensor("x", xl::test::kGgmlF32, {1}, xl::test::to_f32({1.f}));
    dt.add_tensor("x", xl::test::kGgmlF32, {1}, xl::test::to_f32({1.f}));
    e = error_of([&] { xl::read_gguf(xl::MappedFile::open(tmp.write("dupt.gguf", dt.bytes()))); });
    CHECK(has(e, "duplicate tensor 'x'"));
}
