// Shared pieces of the `extrapolab` subcommands: where the bundled assets are, list parsing,
// model + backend set-up, and writing outputs (stdout, or a file replaced atomically).
//
//   Assets a = find_assets();                       // XL_ASSETS env, next to the executable, source tree
//   LoadedModel m = load_cli_model(opts.model, opts.tokenizer, a);
//   std::unique_ptr<Forward> f = make_backend(m.model, opts.cpu, opts.device);
//   emit_output(text, opts.out);                    // "" = stdout
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/forward/forward.hpp"
#include "core/model/model.hpp"
#include "core/posenc/method.hpp"

namespace xl::cli {

struct Assets {
    std::string dir;        // "" when not found
    std::string model() const { return dir.empty() ? "" : dir + "/stories260K.bin"; }
    std::string tokenizer() const { return dir.empty() ? "" : dir + "/tok512.bin"; }
    std::string text() const { return dir.empty() ? "" : dir + "/tinystories-valid-first201.txt"; }
};
// Looks in $XL_ASSETS, then assets/ next to (or one level above) the executable, then the source
// tree's assets/ (XL_ASSETS_DIR compile definition). A directory counts when it holds stories260K.bin.
Assets find_assets();

// "256,512,1024" -> {256, 512, 1024}. Error(BadArgument) naming `what` on anything else.
std::vector<int> parse_int_list(const std::string& text, const std::string& what);
// "0,0.5,1" -> {0, 0.5, 1}, each in [0, 1]. Error(BadArgument) naming `what` otherwise.
std::vector<double> parse_fraction_list(const std::string& text, const std::string& what);
// Repeatable --method values, each possibly a ';'-separated list; empty -> {"none"}.
std::vector<MethodSpec> parse_method_list(const std::vector<std::string>& values);

struct LoadedModel {
    Model model;
    std::string path, tokenizer_path;
};
// Empty model path = the bundled stories260K (+ tok512.bin unless a tokenizer is given).
// train_ctx > 0 overrides config.train_context_length (--train-ctx).
LoadedModel load_cli_model(const std::string& model_path, const std::string& tokenizer_path, int train_ctx = 0);

// CPU reference when `cpu`, else the Vulkan engine on device `device` (-1 = automatic).
std::unique_ptr<Forward> make_backend(const Model& model, bool cpu, int device);

// Writes `text` to stdout, or to `path` through a temporary file renamed into place (never a
// half-written file). Error(BadFile) naming the path when it cannot be written.
void emit_output(const std::string& text, const std::string& path);

// Pretty JSON text + newline; invalid UTF-8 in strings (e.g. cut metadata) becomes U+FFFD.
std::string json_text(const nlohmann::json& j);

// A number for tables, printf'd with `fmt`; `missing` when it is not finite.
std::string format_number(double v, const char* fmt = "%.4f", const char* missing = "-");
// A number for JSON: null when it is not finite.
nlohmann::json json_number(double v);

// Progress / information line on stderr.
void info(const std::string& line);

}  // namespace xl::cli
