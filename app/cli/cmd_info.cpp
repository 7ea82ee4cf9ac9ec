// `extrapolab info M`: what a model file holds — format, block recipe and shapes, a summary of
// its tensors, its vocabulary, its position settings, every metadata key, and warnings (a missing
// RoPE base, a context length that looks like a converter default).
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/model/tokenizer.hpp"

namespace xl::cli {

namespace {

struct InfoOptions {
    std::string model, tokenizer, format = "table";
    bool all_metadata = false;
};

const char* signal_text(PositionSignal p) {
    return p == PositionSignal::RoPE ? "RoPE" : p == PositionSignal::ALiBi ? "ALiBi" : "none";
}

struct TensorSummary {
    int64_t count = 0, params = 0, bytes = 0;
    std::map<std::string, int64_t> by_type;  // type -> tensor count
};

TensorSummary summarize(const ModelWeights& w) {
    TensorSummary s;
    auto add = [&](const Tensor& t) {
        if (t.empty()) return;
        s.count += 1;
        s.params += t.rows * t.cols;
        s.bytes += int64_t(t.nbytes());
        s.by_type[to_string(t.type)] += 1;
    };
    add(w.token_embedding);
    for (const auto& l : w.layers)
        for (const Tensor* t : {&l.attn_norm, &l.attn_norm_bias, &l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_norm,
                                &l.ffn_norm_bias, &l.w1, &l.w2, &l.w3})
            add(*t);
    add(w.output_norm);
    add(w.output_norm_bias);
    if (w.output.data != w.token_embedding.data) add(w.output);
    return s;
}

std::string short_value(const std::string& v) { return v.size() > 96 ? v.substr(0, 93) + "..." : v; }

nlohmann::json info_json(const LoadedModel& lm, const TensorSummary& ts, bool all_metadata) {
    const ModelConfig& c = lm.model.config;
    const Tokenizer& tok = *lm.model.tokenizer;
    nlohmann::json j;
    j["tool"] = "extrapolab info";
    j["file"] = lm.path;
    j["format"] = c.format;
    j["architecture"] = c.architecture;
    j["name"] = c.name;
    j["shapes"] = {{"dim", c.dim}, {"hidden_dim", c.hidden_dim}, {"n_layers", c.n_layers}, {"n_heads", c.n_heads},
                   {"n_kv_heads", c.n_kv_heads}, {"head_dim", c.head_dim}, {"vocab_size", c.vocab_size}};
    j["block"] = {{"norm", c.norm == NormType::RMSNorm ? "rmsnorm" : "layernorm"}, {"norm_eps", c.norm_eps},
                  {"residual", c.residual == Residual::PreNorm ? "pre-norm" : "post-first-norm"},
                  {"mlp", c.mlp == MlpType::SwiGLU ? "swiglu" : "silu"}, {"final_norm", c.final_norm},
                  {"tied_output", c.tied_output}};
    nlohmann::json types = nlohmann::json::object();
    for (const auto& [k, n] : ts.by_type) types[k] = n;
    j["tensors"] = {{"count", ts.count}, {"parameters", ts.params}, {"bytes", ts.bytes}, {"types", types}};
    j["tokenizer"] = {{"kind", tok.kind()}, {"vocab_size", tok.vocab_size()}, {"bos", tok.bos()}, {"eos", tok.eos()},
                      {"file", lm.tokenizer_path}};
    j["position"] = {{"signal", signal_text(c.position)}, {"rope_base", c.rope_base}, {"rope_dim", c.rope_dim},
                     {"rope_layout", c.rope_layout == RopeLayout::Normal ? "normal" : "neox"},
                     {"file_context_length", c.file_context_length},
                     {"train_context_length", c.train_context_length},
                     {"rope_scaling", {{"type", c.rope_scaling.type}, {"factor", c.rope_scaling.factor},
                                       {"original_context", c.rope_scaling.original_context},
                                       {"attn_factor", c.rope_scaling.attn_factor}}},
                     {"rope_freq_factors", c.rope_freq_factors.size()},
                     {"alibi_max_bias", c.alibi_max_bias}, {"alibi_slopes", c.alibi_slopes}};
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : c.metadata) meta[k] = all_metadata ? v : short_value(v);
    j["metadata"] = std::move(meta);
    j["warnings"] = c.warnings;
    return j;
}

std::string info_text(const LoadedModel& lm, const TensorSummary& ts, bool all_metadata) {
    const ModelConfig& c = lm.model.config;
    const Tokenizer& tok = *lm.model.tokenizer;
    std::ostringstream o;
    char buf[256];
    o << "file: " << lm.path << "\nformat: " << c.format << ", architecture " << c.architecture << ", name "
      << c.name << "\n";
    o << "shapes: dim " << c.dim << ", hidden " << c.hidden_dim << ", layers " << c.n_layers << ", heads "
      << c.n_heads << " (kv " << c.n_kv_heads << "), head dim " << c.head_dim << ", vocab " << c.vocab_size << "\n";
    std::snprintf(buf, sizeof buf, "block: %s (eps %g), %s residual, %s MLP, final norm %s, output %s\n",
                  c.norm == NormType::RMSNorm ? "RMSNorm" : "LayerNorm", double(c.norm_eps),
                  c.residual == Residual::PreNorm ? "pre-norm" : "post-first-norm",
                  c.mlp == MlpType::SwiGLU ? "SwiGLU" : "SiLU", c.final_norm ? "yes" : "no",
                  c.tied_output ? "tied to the embedding" : "separate");
    o << buf;
    o << "tensors: " << ts.count << " (" << ts.params << " parameters, " << ts.bytes << " bytes;";
    for (const auto& [k, n] : ts.by_type) o << " " << k << " x" << n;
    o << ")\n";
    o << "tokenizer: " << tok.kind() << ", " << tok.vocab_size() << " tokens, BOS " << tok.bos() << ", EOS "
      << tok.eos() << (lm.tokenizer_path.empty() ? ", embedded" : ", from " + lm.tokenizer_path) << "\n";
    o << "position: " << signal_text(c.position);
    if (c.position == PositionSignal::RoPE) {
        std::snprintf(buf, sizeof buf, ", base %g, %d rotated dims per head, %s pair layout", double(c.rope_base),
                      c.rope_dim, c.rope_layout == RopeLayout::Normal ? "normal (2j,2j+1)" : "neox (j,j+d/2)");
        o << buf;
    }
    if (c.alibi_max_bias > 0 || !c.alibi_slopes.empty()) o << ", ALiBi max bias " << c.alibi_max_bias;
    o << "\ncontext: file says " << c.file_context_length << ", training length used " << c.train_context_length << "\n";
    if (!c.rope_scaling.type.empty())
        o << "rope scaling in file: " << c.rope_scaling.type << " factor " << c.rope_scaling.factor << ", original "
          << c.rope_scaling.original_context << "\n";
    if (!c.rope_freq_factors.empty()) o << "rope_freqs tensor: " << c.rope_freq_factors.size() << " factors\n";
    o << "metadata (" << c.metadata.size() << " keys):\n";
    for (const auto& [k, v] : c.metadata) o << "  " << k << " = " << (all_metadata ? v : short_value(v)) << "\n";
    for (const auto& w : c.warnings) o << "warning: " << w << "\n";
    return o.str();
}

int run_info(const InfoOptions& o) {
    LoadedModel lm = load_cli_model(o.model, o.tokenizer);
    const TensorSummary ts = summarize(lm.model.weights);
    emit_output(o.format == "json" ? json_text(info_json(lm, ts, o.all_metadata)) : info_text(lm, ts, o.all_metadata), "");
    return 0;
}

}  // namespace

Command add_info_command(CLI::App& root) {
    auto o = std::make_shared<InfoOptions>();
    CLI::App* app = root.add_subcommand("info", "Metadata, shapes, tensors and position settings of a model file");
    app->add_option("model", o->model, "model file (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file (llama2.c: found beside the model when omitted)");
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json"}));
    app->add_flag("--all-metadata", o->all_metadata, "print metadata values in full (else cut at 96 characters)");
    return {app, [o] { return run_info(*o); }};
}

}  // namespace xl::cli
