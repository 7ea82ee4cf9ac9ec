// Model panel: open a GGUF / llama2.c / .pth model (path field, or drop the file on the window),
// the evaluation text, the real models tools/fetch-models.sh fetched (one click opens one), and
// an inspector of the configuration and position settings read from the file. A file that fails
// to load is reported and the session keeps its previous model.
#include <cstdio>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "app/app_jobs.hpp"
#include "app/panels/panels.hpp"
#include "core/error.hpp"
#include "core/model/fetched_models.hpp"
#include "core/model/layer_kinds_text.hpp"
#include "core/model/load_model.hpp"

namespace xl {

namespace {

const char* signal(PositionSignal p) {
    return p == PositionSignal::RoPE ? "RoPE" : p == PositionSignal::ALiBi ? "ALiBi" : "none";
}

// The fetched models (read once per run of the app), each with a button that opens it.
void fetched_list(AppState& app) {
    static const std::vector<FetchedModel> models = fetched_models();
    if (models.empty()) {
        ImGui::TextDisabled("no fetched models in %s (tools/fetch-models.sh fetches SmolLM2 and Gemma 3)",
                            models_dir().c_str());
        return;
    }
    ImGui::TextUnformatted("fetched models (tools/fetch-models.sh), click to open:");
    for (const FetchedModel& m : models) {
        const std::string label = m.name + " (" + std::to_string(m.bytes >> 20) + " MiB)";
        if (ImGui::SmallButton(label.c_str())) {
            app.model_input = m.path;
            app.tokenizer_input.clear();
            open_model(app, m.path, "");
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nsha256 %s", m.path.c_str(), m.sha256.c_str());
    }
}

void inspector(const Results& r) {
    const ModelConfig& c = r.config;
    if (ImGui::BeginTable("cfg", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        auto row = [](const char* k, const std::string& v) {
            ImGui::TableNextColumn(); ImGui::TextUnformatted(k);
            ImGui::TableNextColumn(); ImGui::TextWrapped("%s", v.c_str());
        };
        row("name", c.name);
        row("format / arch", c.format + " / " + c.architecture);
        row("dim / hidden", std::to_string(c.dim) + " / " + std::to_string(c.hidden_dim));
        row("layers / heads / kv", std::to_string(c.n_layers) + " / " + std::to_string(c.n_heads) + " / " + std::to_string(c.n_kv_heads));
        row("head dim / vocab", std::to_string(c.head_dim) + " / " + std::to_string(c.vocab_size));
        row("position", signal(c.position));
        if (c.position == PositionSignal::RoPE) {
            char base[32];
            std::snprintf(base, sizeof base, "%g", double(c.rope_base));
            row("rope base / dims", std::string(base) + " / " + std::to_string(c.rope_dim));
            row("pair layout", c.rope_layout == RopeLayout::NeoX ? "neox (j, j+d/2)" : "normal (2j, 2j+1)");
            if (!c.rope_scaling.type.empty()) row("file rope scaling", c.rope_scaling.type + " x" + std::to_string(c.rope_scaling.factor));
        }
        if (c.alibi_max_bias > 0) row("alibi max bias", std::to_string(c.alibi_max_bias));
        row("layer kinds", layer_kinds_text(c));
        row("layer pattern", layer_kind_pattern(c));
        row("context (file / train)", std::to_string(c.file_context_length) + " / " + std::to_string(c.train_context_length));
        row("device", r.device);
        if (r.memory.total() > 0)
            row("memory (estimate)", describe_memory(r.memory) + " at " +
                                         std::to_string(r.preview_of > 0 ? r.preview_of : r.eval_length) + " tokens");
        row("text", r.text_path + " (" + std::to_string(r.text_tokens) + " tokens)");
        ImGui::EndTable();
    }
    for (const std::string& w : c.warnings) ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "warning: %s", w.c_str());
    if (!c.metadata.empty() && ImGui::TreeNode("file metadata")) {
        for (const auto& [k, v] : c.metadata) ImGui::Text("%s = %.80s", k.c_str(), v.c_str());
        ImGui::TreePop();
    }
}

}  // namespace

// Validates by loading once here (declared in app_jobs.hpp); only a successful load changes the session.
void open_model(AppState& app, const std::string& model, const std::string& tokenizer) {
    try {
        const Model m = load_model(model, tokenizer);
        app.session.model = model;
        app.session.tokenizer = tokenizer;
        follow_training_context(app.session, m.config);
        app.view.notice = "opened " + model + " (" + m.config.name + ")";
    } catch (const std::exception& e) {
        app.error = std::string("Could not open the model; the session keeps its previous model.\n\n") + e.what();
    }
}

void model_panel(AppState& app, const Results* r) {
    ImGui::SetNextItemWidth(-70);
    ImGui::InputTextWithHint("##model", "model file (.gguf, .bin, .pth) or drop it on the window", &app.model_input);
    ImGui::SameLine();
    if (ImGui::Button("Open")) open_model(app, app.model_input, app.tokenizer_input);
    ImGui::SetNextItemWidth(-70);
    ImGui::InputTextWithHint("##tok", "tokenizer (llama2.c tokenizer.bin, minbpe .model)", &app.tokenizer_input);
    fetched_list(app);
    ImGui::TextDisabled("model: %s", app.session.model.empty() ? "bundled stories260K" : app.session.model.c_str());
    if (r) inspector(*r);
}

}  // namespace xl
