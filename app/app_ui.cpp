#include "app/app_ui.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <filesystem>

#include "app/app_jobs.hpp"
#include "app/app_results.hpp"
#include "app/panels/panels.hpp"
#include "core/io/preset_io.hpp"
#include "core/session/figures.hpp"
#include "core/session/headless_figures.hpp"

namespace xl {

namespace {

const double kMinScale = 0.25, kMaxScale = 4;

struct PlotPanel {
    const char* id;
    const char* title;
    void (*draw)(Session&, ViewState&, const Results&);
};

const PlotPanel kPanels[] = {
    {"perplexity", "Perplexity", perplexity_panel},     {"attention", "Attention map", attention_panel},
    {"rope_phase", "RoPE phase", rope_phase_panel},     {"freq_remap", "Frequency remap", freq_remap_panel},
    {"logit_decay", "Logit decay", logit_decay_panel},  {"alibi", "ALiBi", alibi_panel},
    {"positions", "Positions", positions_panel},        {"entropy", "Entropy", entropy_panel},
    {"posvec", "Positional vectors", posvec_panel},     {"evict", "KV eviction", evict_panel},
    {"needle", "Needle", needle_panel},                 {"logit_spread", "Attention logits", logit_spread_panel},
};

void menu_bar(AppState& app, const Results* r) {
    if (!ImGui::BeginMenuBar()) return;
    if (ImGui::BeginMenu("File")) {
        ImGui::TextDisabled("Open preset (path):");
        ImGui::SetNextItemWidth(320);
        if (ImGui::InputText("##openpreset", &app.preset_input, ImGuiInputTextFlags_EnterReturnsTrue)) open_preset(app, app.preset_input);
        ImGui::TextDisabled("Save session as preset (path):");
        ImGui::SetNextItemWidth(320);
        if (ImGui::InputText("##savepreset", &app.save_input, ImGuiInputTextFlags_EnterReturnsTrue)) {
            try {
                Session s = app.session;
                save_preset(s, app.save_input);
                app.view.notice = "saved " + app.save_input;
            } catch (const std::exception& e) {
                app.error = e.what();
            }
        }
        ImGui::TextDisabled("Open results (merged .json or shard folder):");
        ImGui::SetNextItemWidth(320);
        if (ImGui::InputText("##openresults", &app.results_input, ImGuiInputTextFlags_EnterReturnsTrue))
            open_results(app, app.results_input);
        ImGui::Separator();
        ImGui::SetNextItemWidth(220);
        ImGui::InputText("export folder", &app.view.export_dir);
        ImGui::SetNextItemWidth(220);
        ImGui::SliderScalar("PNG scale", ImGuiDataType_Double, &app.view.export_scale, &kMinScale, &kMaxScale, "%.2f");
        const char* fonts[] = {"DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"};
        ImGui::SetNextItemWidth(220);
        if (ImGui::BeginCombo("figure font", app.view.font_family.c_str())) {
            for (const char* f : fonts)
                if (ImGui::Selectable(f, app.view.font_family == f)) app.view.font_family = f;
            ImGui::EndCombo();
        }
        if (r && ImGui::MenuItem("Export all figures (SVG, PNG, CSV)")) export_all_figures(app);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Presets")) {
        for (const std::string& p : app.preset_files)
            if (ImGui::MenuItem(std::filesystem::path(p).stem().string().c_str())) open_preset(app, p);
        ImGui::EndMenu();
    }
    ImGui::TextDisabled("  %s", app.session.name.c_str());
    ImGui::EndMenuBar();
}

void status_bar(AppState& app, const Results* r) {
    const JobStatus st = app.runner.status();
    if (st.busy) {
        ImGui::SetNextItemWidth(260);
        ImGui::ProgressBar(float(st.progress), ImVec2(260, 0), st.message.c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel")) app.runner.cancel();
    } else {
        ImGui::TextDisabled("idle");
    }
    ImGui::SameLine();
    if (r && r->preview_of > 0) {  // drawn while the hand moves; the full result follows when it rests
        ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "| %s", preview_label(*r).c_str());
        ImGui::SameLine();
    }
    ImGui::Text("| %s | frame %.1f ms (worst %.1f) | update latency %.0f ms", r ? r->device.c_str() : "-", app.frame_ms,
                app.worst_frame_ms, app.last_latency_ms);
    if (!app.view.notice.empty()) {
        ImGui::SameLine();
        const bool bad = app.view.notice.rfind("error", 0) == 0;
        ImGui::TextColored(bad ? ImVec4(1, 0.45f, 0.4f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1), "| %s", app.view.notice.c_str());
    }
}

void error_modal(AppState& app) {
    if (!app.error.empty() && !ImGui::IsPopupOpen("Error")) ImGui::OpenPopup("Error");
    ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
    if (ImGui::BeginPopupModal("Error", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        if (app.error.empty()) ImGui::CloseCurrentPopup();  // dismissed elsewhere (scripted sessions)
        ImGui::PushTextWrapPos(540);
        ImGui::TextUnformatted(app.error.c_str());
        ImGui::PopTextWrapPos();
        if (ImGui::Button("OK", ImVec2(120, 0))) {
            app.error.clear();
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
}

void plot_tabs(AppState& app, const Results* r) {
    if (!r) {
        ImGui::TextDisabled(request_failed(app) ? "No results: the computation failed (the error is shown in the dialog)."
                                                : "Computing the first results...");
        return;
    }
    if (!ImGui::BeginTabBar("panels")) return;
    for (const PlotPanel& p : kPanels) {
        if (!shows_panel(app.session, p.id)) continue;
        ImGuiTabItemFlags flags = 0;
        if (app.select_tab && app.active_tab == p.id) flags |= ImGuiTabItemFlags_SetSelected;
        if (ImGui::BeginTabItem(p.title, nullptr, flags)) {
            if (!app.select_tab) app.active_tab = p.id;
            ImGui::BeginChild(p.id);
            if (std::string(p.id) == "perplexity") opened_sweep_section(app);  // above the live plots
            p.draw(app.session, app.view, *r);
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
    }
    ImGui::EndTabBar();
    app.select_tab = false;
}

}  // namespace

void draw_app_ui(AppState& app) {
    const std::shared_ptr<const Results> results = app.runner.latest();
    const Results* r = results.get();
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::Begin("extrapolab", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_MenuBar | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                             ImGuiWindowFlags_NoBackground);  // the renderer clears to the window colour
    menu_bar(app, r);
    const float status_h = ImGui::GetFrameHeightWithSpacing() + 4;
    const float left_w = std::min(430.f, vp->WorkSize.x * 0.3f);
    ImGui::BeginChild("left", ImVec2(left_w, -status_h), true);
    if (!app.session.lesson.empty()) {
        lesson_panel(app.session);
        ImGui::Separator();
    }
    if (ImGui::CollapsingHeader("Model", app.session.lesson.empty() ? ImGuiTreeNodeFlags_DefaultOpen : 0)) model_panel(app, r);
    if (ImGui::CollapsingHeader("Method", ImGuiTreeNodeFlags_DefaultOpen)) method_panel(app, r);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("right", ImVec2(0, -status_h), false);
    plot_tabs(app, r);
    ImGui::EndChild();
    status_bar(app, r);
    error_modal(app);
    ImGui::End();
}

}  // namespace xl
