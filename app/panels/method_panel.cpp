// Method panel: up to four configurations A-D, each a position method with its parameters as
// sliders built from the method registry (Ctrl+click a slider to type a value; the tooltip gives
// the key's meaning and the method's formula section), plus lengths, protocol and undo/redo.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>

#include "app/panels/panels.hpp"
#include "core/error.hpp"
#include "core/io/ticks.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/method_registry.hpp"

namespace xl {

namespace {

// Slider range for a numeric key by its name (log sliders for scale-like quantities).
void key_range(const std::string& k, double def, double& lo, double& hi, bool& log) {
    log = true;
    if (k == "s" || k == "a" || k == "factor") { lo = 1; hi = 64; }
    else if (k == "base") { lo = 1000; hi = 1e7; }
    else if (k == "orig" || k == "w" || k == "window" || k == "start") { lo = 8; hi = 65536; }
    else if (k == "beta_fast") { lo = 1; hi = 128; }
    else if (k == "beta_slow") { lo = 0.05; hi = 8; }
    else if (k.find("mscale") != std::string::npos || k.find("factor") != std::string::npos) { lo = 0.25; hi = 4; }
    else if (def > 0) { lo = def / 16; hi = def * 16; }
    else { lo = 0; hi = 16; log = false; }
}

std::string spec_text(const MethodSpec& m) {
    std::string t = m.name;
    char sep = ':';
    for (const auto& [k, v] : m.params) { t += sep + k + "=" + v; sep = ','; }
    for (const MethodSpec& e : m.extra) t += "+" + spec_text(e);
    return t;
}

void key_widget(MethodSpec& m, const MethodKey& key, bool& changed) {
    const auto it = m.params.find(key.name);
    const std::string current = it != m.params.end() ? it->second : key.def;
    if (key.kind == KeyKind::Choice) {
        ImGui::SetNextItemWidth(140);
        if (ImGui::BeginCombo(key.name.c_str(), current.c_str())) {
            for (const std::string& c : key.choices)
                if (ImGui::Selectable(c.c_str(), c == current)) { m.params[key.name] = c; changed = true; }
            ImGui::EndCombo();
        }
    } else if (key.kind == KeyKind::Number) {
        double v = current.empty() ? 0 : std::atof(current.c_str());
        double lo, hi;
        bool log;
        key_range(key.name, v, lo, hi, log);
        ImGui::SetNextItemWidth(180);
        if (ImGui::SliderScalar(key.name.c_str(), ImGuiDataType_Double, &v, &lo, &hi, "%.4g",
                                log ? ImGuiSliderFlags_Logarithmic : 0)) {
            m.params[key.name] = format_value(v, 6);
            changed = true;
        }
        if (current.empty() && it == m.params.end()) { ImGui::SameLine(); ImGui::TextDisabled("(from model)"); }
    } else {
        std::string text = current;
        ImGui::SetNextItemWidth(180);
        if (ImGui::InputText(key.name.c_str(), &text, ImGuiInputTextFlags_EnterReturnsTrue)) { m.params[key.name] = text; changed = true; }
    }
    if (ImGui::IsItemHovered() && !key.help.empty()) ImGui::SetTooltip("%s", key.help.c_str());
}

void method_combo(MethodSpec& m, bool& changed) {
    const MethodInfo* info = find_method(m.name);
    ImGui::SetNextItemWidth(140);
    if (ImGui::BeginCombo("method", m.name.c_str())) {
        for (const MethodInfo& mi : method_registry().methods()) {
            if (ImGui::Selectable(mi.name.c_str(), mi.name == m.name)) { m = MethodSpec{mi.name, {}, m.extra}; changed = true; }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", mi.description.c_str(), mi.section.c_str());
        }
        ImGui::EndCombo();
    }
    if (info && ImGui::IsItemHovered()) ImGui::SetTooltip("%s (position-methods.md %s)", info->description.c_str(), info->section.c_str());
}

void config_editor(AppState& app, int i) {
    Configuration& cfg = app.session.configs[size_t(i)];
    ImGui::PushID(i);
    ImGui::Checkbox("##on", &cfg.enabled);
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.6f, 0.8f, 1, 1), "%c", config_label(i));
    ImGui::SameLine();
    std::string text = cfg.method;
    ImGui::SetNextItemWidth(-30);
    if (ImGui::InputText("##spec", &text, ImGuiInputTextFlags_EnterReturnsTrue)) {
        try {
            parse_method_spec(text);
            cfg.method = text;
        } catch (const Error& e) {
            app.error = std::string("Method spec not changed:\n\n") + e.what();
        }
    }
    bool remove = false;
    if (app.session.configs.size() > 1) {
        ImGui::SameLine();
        remove = ImGui::SmallButton("x");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("remove configuration %c", config_label(i));
    }
    try {
        MethodSpec m = parse_method_spec(cfg.method);
        bool changed = false;
        ImGui::Indent();
        method_combo(m, changed);
        if (const MethodInfo* info = find_method(m.name)) {
            bool details = false;
            for (const MethodKey& key : info->keys) {
                if (key.detail) { details = true; continue; }
                key_widget(m, key, changed);
            }
            if (details && ImGui::TreeNode("more parameters")) {
                for (const MethodKey& key : info->keys)
                    if (key.detail) key_widget(m, key, changed);
                ImGui::TreePop();
            }
        }
        ImGui::Unindent();
        if (changed) {
            const std::string t = spec_text(m);
            try { parse_method_spec(t); cfg.method = t; } catch (const Error& e) { app.view.notice = std::string("error: ") + e.what(); }
        }
    } catch (const Error& e) {
        ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%s", e.what());
    }
    ImGui::PopID();
    if (remove) app.session.configs.erase(app.session.configs.begin() + i);
}

void evaluation_settings(Session& s) {
    ImGui::SetNextItemWidth(160);
    ImGui::SliderInt("eval length", &s.eval_length, 64, 8192, "%d", ImGuiSliderFlags_Logarithmic);
    std::string lengths;
    for (int L : s.lengths) lengths += (lengths.empty() ? "" : ",") + std::to_string(L);
    ImGui::SetNextItemWidth(160);
    if (ImGui::InputText("sweep lengths", &lengths, ImGuiInputTextFlags_EnterReturnsTrue)) {
        std::vector<int> out;
        size_t p = 0;
        while (p < lengths.size()) {
            const int v = std::atoi(lengths.c_str() + p);
            if (v >= 2 && v <= 65536) out.push_back(v);
            p = lengths.find(',', p);
            if (p == std::string::npos) break;
            ++p;
        }
        if (!out.empty()) s.lengths = out;
    }
    const char* protocols[] = {"all", "half", "sliding:256"};
    ImGui::SetNextItemWidth(160);
    if (ImGui::BeginCombo("protocol", s.protocol.c_str())) {
        for (const char* p : protocols)
            if (ImGui::Selectable(p, s.protocol == p)) s.protocol = p;
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("all: non-overlapping windows, every token but the first scored\nhalf: llama.cpp's perplexity (second half)\n"
                          "sliding:S: the PI/YaRN papers' sliding window with stride S");
    ImGui::SetNextItemWidth(160);
    ImGui::SliderInt("windows per length", &s.max_windows, 0, 16);
}

}  // namespace

void method_panel(AppState& app, const Results* r) {
    if (ImGui::Button("Undo") || (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Z)))) {
        if (app.undo.undo(app.session)) app.settled = app.session;
    }
    ImGui::SameLine();
    if (ImGui::Button("Redo") || (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Y)))) {
        if (app.undo.redo(app.session)) app.settled = app.session;
    }
    ImGui::SameLine();
    if (int(app.session.configs.size()) < kMaxConfigs && ImGui::Button("+ configuration"))
        app.session.configs.push_back(app.session.configs.back());
    for (int i = 0; i < int(app.session.configs.size()); ++i) {
        ImGui::Separator();
        config_editor(app, i);
    }
    ImGui::Separator();
    evaluation_settings(app.session);
}

}  // namespace xl
