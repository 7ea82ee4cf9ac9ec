// Presets and saved state as JSON (nlohmann-json). Reading is strict: unknown keys, wrong types
// and out-of-range values throw Error(BadArgument, file, message) before anything is returned,
// so a caller that assigns only on success leaves its current session intact.
//
//   Session s = load_preset("presets/yarn_temperature.json");   // throws on bad input
//   save_preset(s, "mine.json");                                  // whole file or nothing
//   ViewState v = view_state_from_json(text, "view.json");
//
// Preset format (format 1):
//   { "extrapolab_preset": 1, "name": "...", "model": "assets/stories260K.bin",
//     "tokenizer": "assets/tok512.bin", "text": "assets/tinystories-valid-first201.txt",
//     "configs": ["none", {"method": "yarn:s=4,orig=512", "enabled": true}],
//     "eval_length": 1024, "lengths": [256, 512, 1024], "protocol": "all", "max_windows": 1,
//     "attention_grid": 128, "panels": ["perplexity", "attention"],
//     "lesson_title": "...", "lesson": ["paragraph", "paragraph"] }
// Relative paths resolve against the preset's directory, then its parent (the repository root
// for presets/), then the working directory.
#pragma once
#include <string>

#include "core/session/session.hpp"
#include "core/session/view_state.hpp"

namespace xl {

Session session_from_json(const std::string& text, const std::string& subject);
std::string session_to_json(const Session& s);
Session load_preset(const std::string& path);       // sets base_dir to the file's directory
void save_preset(const Session& s, const std::string& path);

ViewState view_state_from_json(const std::string& text, const std::string& subject);
std::string view_state_to_json(const ViewState& v);

}  // namespace xl
