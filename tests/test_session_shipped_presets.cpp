// Every shipped preset loads, validates, names files that exist, and carries a lesson.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/io/preset_io.hpp"
#include "core/posenc/method.hpp"

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
