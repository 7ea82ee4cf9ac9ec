// Presets and view state as JSON: round trips, strict validation naming the file and the key,
// and the "current session intact on failure" contract.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/io/preset_io.hpp"

namespace {

std::string bad_message(const std::string& json) {
    try {
        xl::session_from_json(json, "bad.json");
    } catch (const xl::Error& e) {
        CHECK(e.kind() == xl::ErrorKind::BadArgument);
        CHECK(e.subject() == "bad.json");
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("session: preset json round trip keeps every field") {
    xl::Session s = xl::default_session();
    s.name = "Round trip";
    s.model = "assets/stories260K.bin";
    s.configs = {{"none"}, {"linear:s=4", false}, {"yarn:s=4,orig=512"}};
    s.lengths = {128, 4096};
    s.protocol = "sliding:256";
    s.max_windows = 3;
    s.panels = {"perplexity", "attention", "needle"};
    s.needle_lengths = {256, 1024};
    s.needle_depths = {0, 0.5};
    s.needle_tasks = "sentence";
    s.evict_cpu = true;
    s.lesson_title = "Why";
    s.lesson = "First paragraph.\n\nSecond, with \"quotes\".";
    const xl::Session t = xl::session_from_json(xl::session_to_json(s), "rt.json");
    CHECK(t == s);
}

TEST_CASE("session: unknown keys, wrong types and out-of-range values are named") {
    CHECK(bad_message(R"({"name": "x", "colour": "red"})").find("unknown key 'colour'") != std::string::npos);
    CHECK(bad_message(R"({"eval_length": 1})").find("'eval_length'") != std::string::npos);
    CHECK(bad_message(R"({"eval_length": "long"})").find("must be an integer") != std::string::npos);
    CHECK(bad_message(R"({"lengths": [256, 999999]})").find("999999") != std::string::npos);
    CHECK(bad_message(R"({"configs": ["none", "none", "none", "none", "none"]})").find("1 to 4") != std::string::npos);
    CHECK(bad_message(R"({"configs": ["warp:s=4"]})").find("configuration A") != std::string::npos);
    CHECK(bad_message(R"({"configs": [{"method": "none", "weight": 2}]})").find("configs[0]") != std::string::npos);
    CHECK(bad_message(R"({"protocol": "diagonal"})").find("'protocol'") != std::string::npos);
    CHECK(bad_message(R"({"panels": ["perplexity", "tea"]})").find("unknown panel 'tea'") != std::string::npos);
    CHECK(bad_message(R"({"needle_depths": [0.5, 1.5]})").find("'needle_depths'") != std::string::npos);
    CHECK(bad_message(R"({"needle_lengths": [8]})").find("needle length 8") != std::string::npos);
    CHECK(bad_message(R"({"needle_tasks": "passkey,hay"})").find("'needle_tasks'") != std::string::npos);
    CHECK(bad_message(R"({"extrapolab_preset": 7})").find("extrapolab_preset") != std::string::npos);
    CHECK(bad_message("{ not json").find("not valid JSON") != std::string::npos);
}

TEST_CASE("session: a failed load leaves the current session intact - save writes whole files") {
    const auto dir = std::filesystem::temp_directory_path() / ("xl_preset_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string good = (dir / "good.json").string(), bad = (dir / "bad.json").string();
    xl::Session current = xl::default_session();
    current.name = "current";
    xl::save_preset(current, good);
    xl::write_file_atomic(bad, R"({"name": "broken", "eval_length": -5})");
    const xl::Session before = current;
    try {
        current = xl::load_preset(bad);
        FAIL("a bad preset loaded");
    } catch (const xl::Error& e) {
        CHECK(std::string(e.what()).find(bad) == 0);
    }
    CHECK(current == before);
    const xl::Session loaded = xl::load_preset(good);
    CHECK(loaded.name == "current");
    CHECK(loaded.base_dir == dir.string());
    std::filesystem::remove_all(dir);
}

TEST_CASE("session: relative paths resolve against the preset directory and its parent") {
    const auto dir = std::filesystem::temp_directory_path() / ("xl_resolve_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "presets");
    std::ofstream(dir / "model.bin") << "x";
    CHECK(xl::resolve_path("model.bin", (dir / "presets").string()) == (dir / "model.bin").string());
    CHECK(xl::resolve_path("/abs/m.bin", "whatever") == "/abs/m.bin");
    std::filesystem::remove_all(dir);
}

TEST_CASE("session: view state round trip and validation") {
    xl::ViewState v;
    v.layer = 3;
    v.head = -1;
    v.colormap = "magma";
    v.plots["ppl_vs_length"] = {256, 4096, 3, 40, false};
    CHECK(xl::view_state_from_json(xl::view_state_to_json(v), "view.json") == v);
    CHECK_THROWS_AS(xl::view_state_from_json(R"({"colormap": "jet"})", "view.json"), xl::Error);
    CHECK_THROWS_AS(xl::view_state_from_json(R"({"zoom": 2})", "view.json"), xl::Error);
}
