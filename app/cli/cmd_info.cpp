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
#include "core/model/layer_kinds_text.hpp"
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
                                &l.ffn_norm_bias, &l.w1, &l.w2, &l.w3, &l.bq, &l.bk, &l.bv, &l.q_norm, &l.k_norm,
                                &l.post_attn_norm, &l.post_ffn_norm})
            add(*t);
    add(w.output_norm);
    add(w.output_norm_bias);
    if (w.output.data != w.token_embedding.data) add(w.output);
    return s;
}

const char* mlp_text(MlpType m) { return m == MlpType::SwiGLU ? "SwiGLU" : m == MlpType::GeGLU ? "GeGLU (GELU-tanh)" : "SiLU"; }

// Block options present in the first layer (q/k/v biases, q/k norms, post-norms), as text.
std::string block_options(const ModelConfig& c, const ModelWeights& w) {
    std::string out;
    auto add = [&](bool on, const char* what) { if (on) out += (out.empty() ? "" : ", ") + std::string(what); };
    const LayerWeights* l = w.layers.empty() ? nullptr : &w.layers[0];
    add(l && !l->bq.empty(), "q/k/v biases");
    add(l && !l->q_norm.empty(), "per-head q/k RMSNorm");
    add(l && !l->post_attn_norm.empty(), "post-attention and post-FFN norms");
    add(c.embedding_scale != 1.f, ("embeddings x " + std::to_string(c.embedding_scale)).c_str());
    add(c.attention_scale > 0, ("query scale " + std::to_string(c.attention_scale)).c_str());
    return out.empty() ? "none" : out;
}

nlohmann::json kinds_json(const ModelConfig& c) {
    nlohmann::json kinds = nlohmann::json::array();
    for (const LayerKind& k : layer_kinds_of(c))
        kinds.push_back({{"name", k.name}, {"signal", k.position == PositionSignal::RoPE ? "RoPE" : k.position == PositionSignal::ALiBi ? "ALiBi" : "none"},
                         {"rope_base", k.rope_base}, {"window", k.window}});
    return {{"kinds", kinds}, {"pattern", layer_kind_pattern(c)}};
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
                  {"mlp", c.mlp == MlpType::SwiGLU ? "swiglu" : c.mlp == MlpType::GeGLU ? "geglu" : "silu"},
                  {"final_norm", c.final_norm}, {"tied_output", c.tied_output},
                  {"options", block_options(c, lm.model.weights)}};
    j["layers"] = kinds_json(c);
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
                  mlp_text(c.mlp), c.final_norm ? "yes" : "no",
                  c.tied_output ? "tied to the embedding" : "separate");
    o << buf;
    o << "block options: " << block_options(c, lm.model.weights) << "\n";
    o << "layer kinds: " << layer_kinds_text(c) << "; pattern " << layer_kind_pattern(c) << "\n";
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
    if (!c.rope_scaling.method.empty()) o << "rope scaling from the config: " << c.rope_scaling.method << " (method `file`)\n";
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
