// Every shipped preset loads, validates, names files that exist, and carries a lesson.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include <map>
#include <set>

#include "core/io/preset_io.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/method_registry.hpp"

TEST_CASE("session: shipped presets load, resolve their files and teach something") {
    namespace fs = std::filesystem;
    int count = 0;
    for (const auto& e : fs::directory_iterator(fs::path(XL_SOURCE_DIR) / "presets")) {
        if (e.path().extension() != ".json") continue;
        ++count;
        CAPTURE(e.path().string());
        const xl::Session s = xl::load_preset(e.path().string());
        CHECK_FALSE(s.lesson.empty());
        CHECK_FALSE(s.panels.empty());
        for (const std::string& p : {s.model, s.tokenizer, s.text})
            if (!p.empty()) CHECK_MESSAGE(fs::exists(xl::resolve_path(p, s.base_dir)), p);
        // Saving and loading again gives the same session.
        CHECK(xl::session_from_json(xl::session_to_json(s), "again") == [&] { xl::Session t = s; t.base_dir.clear(); return t; }());
    }
    CHECK(count >= 6);
}

TEST_CASE("session: every registered method is in a shipped preset, and every preset's plans build on its model") {
    namespace fs = std::filesystem;
    std::set<std::string> used;
    std::map<std::string, xl::Model> models;
    for (const auto& e : fs::directory_iterator(fs::path(XL_SOURCE_DIR) / "presets")) {
        if (e.path().extension() != ".json") continue;
        CAPTURE(e.path().string());
        const xl::Session s = xl::load_preset(e.path().string());
        const std::string model = xl::resolve_path(s.model.empty() ? "assets/stories260K.bin" : s.model, s.base_dir);
        // The bundled model's tokenizer is the default only for the bundled model (a GGUF has its own).
        const std::string tok = s.model.empty()         ? xl::resolve_path("assets/tok512.bin", s.base_dir)
                                : s.tokenizer.empty() ? std::string()
                                                      : xl::resolve_path(s.tokenizer, s.base_dir);
        if (!models.count(model)) models.emplace(model, xl::load_model(model, tok));
        for (const xl::Configuration& c : s.configs) {
            CAPTURE(c.method);
            const xl::MethodSpec spec = xl::parse_method_spec(c.method);
            used.insert(spec.name);
            for (const xl::MethodSpec& x : spec.extra) used.insert(x.name);
            for (int n : {s.eval_length, s.lengths.front(), s.lengths.back()})
                CHECK_NOTHROW(xl::make_plan(spec, models.at(model).config, n));
        }
    }
    for (const xl::MethodInfo& m : xl::method_registry().methods()) {
        const bool in_preset = used.count(m.name) > 0 ||
                               std::any_of(m.aliases.begin(), m.aliases.end(), [&](const std::string& a) { return used.count(a) > 0; });
        CHECK_MESSAGE(in_preset, "method '" << m.name << "' is in no shipped preset");
    }
}
