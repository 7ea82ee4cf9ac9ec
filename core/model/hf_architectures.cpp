// The rows (see hf_architectures.hpp). Layer tensor names from transformers' modeling files:
// LlamaDecoderLayer (input_layernorm, self_attn.{q,k,v,o}_proj, post_attention_layernorm = the
// pre-MLP norm, mlp.{gate,up,down}_proj), Qwen2 (+ q/k/v biases), Qwen3 (+ self_attn.{q,k}_norm),
// Gemma3DecoderLayer (post_attention_layernorm is the attention output norm;
// pre_feedforward_layernorm / post_feedforward_layernorm sandwich the MLP), Phi3 (qkv_proj,
// gate_up_proj fused). Defaults are those of each transformers config class.
#include "core/model/hf_architectures.hpp"

#include <algorithm>

namespace xl {
namespace {

using S = HfSlot;

std::vector<HfLayerTensor> llama_like(bool biases_required) {
    return {
        {S::AttnNorm, "input_layernorm.weight", true},
        {S::Q, "self_attn.q_proj.weight", true},
        {S::K, "self_attn.k_proj.weight", true},
        {S::V, "self_attn.v_proj.weight", true},
        {S::BQ, "self_attn.q_proj.bias", biases_required},
        {S::BK, "self_attn.k_proj.bias", biases_required},
        {S::BV, "self_attn.v_proj.bias", biases_required},
        {S::O, "self_attn.o_proj.weight", true},
        {S::FfnNorm, "post_attention_layernorm.weight", true},
        {S::Gate, "mlp.gate_proj.weight", true},
        {S::Up, "mlp.up_proj.weight", true},
        {S::Down, "mlp.down_proj.weight", true},
    };
}

std::vector<HfLayerTensor> with_qk_norm(std::vector<HfLayerTensor> v) {
    v.push_back({S::QNorm, "self_attn.q_norm.weight", true});
    v.push_back({S::KNorm, "self_attn.k_norm.weight", true});
    return v;
}

std::vector<HfLayerTensor> gemma3_tensors() {
    return {
        {S::AttnNorm, "input_layernorm.weight", true},
        {S::Q, "self_attn.q_proj.weight", true},
        {S::K, "self_attn.k_proj.weight", true},
        {S::V, "self_attn.v_proj.weight", true},
        {S::QNorm, "self_attn.q_norm.weight", true},
        {S::KNorm, "self_attn.k_norm.weight", true},
        {S::O, "self_attn.o_proj.weight", true},
        {S::PostAttnNorm, "post_attention_layernorm.weight", true},
        {S::FfnNorm, "pre_feedforward_layernorm.weight", true},
        {S::Gate, "mlp.gate_proj.weight", true},
        {S::Up, "mlp.up_proj.weight", true},
        {S::Down, "mlp.down_proj.weight", true},
        {S::PostFfnNorm, "post_feedforward_layernorm.weight", true},
    };
}

std::vector<HfLayerTensor> phi3_tensors() {
    return {
        {S::AttnNorm, "input_layernorm.weight", true},
        {S::QKV, "self_attn.qkv_proj.weight", true},
        {S::O, "self_attn.o_proj.weight", true},
        {S::FfnNorm, "post_attention_layernorm.weight", true},
        {S::GateUp, "mlp.gate_up_proj.weight", true},
        {S::Down, "mlp.down_proj.weight", true},
    };
}

HfArchitecture row(const char* name, std::vector<std::string> types, std::vector<std::string> classes) {
    HfArchitecture a;
    a.name = name;
    a.model_types = std::move(types);
    a.classes = std::move(classes);
    return a;
}

std::vector<HfArchitecture> make_rows() {
    std::vector<HfArchitecture> rows;
    HfArchitecture llama = row("llama", {"llama", "mistral"}, {"LlamaForCausalLM", "MistralForCausalLM"});
    llama.activations = {"silu"};
    llama.layer_tensors = llama_like(false);
    rows.push_back(llama);

    HfArchitecture qwen2 = row("qwen2", {"qwen2"}, {"Qwen2ForCausalLM"});
    qwen2.activations = {"silu"};
    qwen2.layer_tensors = llama_like(true);
    rows.push_back(qwen2);

    HfArchitecture qwen3 = row("qwen3", {"qwen3"}, {"Qwen3ForCausalLM"});
    qwen3.activations = {"silu"};
    qwen3.default_head_dim = 128;
    qwen3.layer_tensors = with_qk_norm(llama_like(false));
    rows.push_back(qwen3);

    HfArchitecture gemma3 = row("gemma3", {"gemma3_text", "gemma3"}, {"Gemma3ForCausalLM", "Gemma3ForConditionalGeneration"});
    gemma3.mlp = MlpType::GeGLU;
    gemma3.activation_key = "hidden_activation";
    gemma3.activations = {"gelu_pytorch_tanh", "gelu_tanh"};
    gemma3.norm_plus_one = true;
    gemma3.scale_embeddings = true;
    gemma3.local_global = true;
    gemma3.default_theta = 1e6;
    gemma3.default_tied = true;
    gemma3.default_head_dim = 256;
    gemma3.layer_tensors = gemma3_tensors();
    rows.push_back(gemma3);

    HfArchitecture phi3 = row("phi3", {"phi3"}, {"Phi3ForCausalLM"});
    phi3.activations = {"silu"};
    phi3.default_eps = 1e-5;
    phi3.layer_tensors = phi3_tensors();
    rows.push_back(phi3);
    return rows;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

const std::vector<HfArchitecture>& hf_architectures() {
    static const std::vector<HfArchitecture> rows = make_rows();
    return rows;
}

const HfArchitecture* find_hf_architecture(const std::string& model_type, const std::vector<std::string>& classes) {
    for (const HfArchitecture& a : hf_architectures())
        if (contains(a.model_types, model_type)) return &a;
    for (const HfArchitecture& a : hf_architectures())
        for (const std::string& c : classes)
            if (contains(a.classes, c)) return &a;
    return nullptr;
}

std::string hf_supported_list() {
    std::string out;
    for (const HfArchitecture& a : hf_architectures()) {
        std::string types;
        for (const std::string& t : a.model_types) types += (types.empty() ? "" : ", ") + t;
        out += (out.empty() ? "" : "; ") + std::string(a.name) + " (model_type " + types + ")";
    }
    return out;
}

}  // namespace xl
