#include "app/app_results.hpp"

#include <imgui.h>

#include <algorithm>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/metrics/sweep_results.hpp"
#include "core/session/figures.hpp"

namespace xl {

void open_results(AppState& app, const std::string& path) {
    try {
        app.opened_sweep = std::make_shared<const EvalTable>(open_sweep_results(path));
        app.opened_sweep_path = path;
        app.view.notice = "opened " + path + " (" + std::to_string(app.opened_sweep->rows().size()) + " cells)";
        app.active_tab = "perplexity";
        app.select_tab = true;
    } catch (const std::exception& e) {
        app.error = e.what();
    }
}

void opened_sweep_section(AppState& app) {
    if (!app.opened_sweep) return;
    const EvalTable& t = *app.opened_sweep;
    const EvalInfo& i = t.info();
    ImGui::Text("Opened sweep: %s  (%zu cells)", app.opened_sweep_path.c_str(), t.rows().size());
    ImGui::SameLine();
    if (ImGui::SmallButton("Close")) {
        app.opened_sweep.reset();
        return;
    }
    ImGui::TextDisabled("model %s | text %s | protocol %s | device %s", i.model_name.c_str(), i.text.c_str(),
                        t.protocol().c_str(), i.device.c_str());
    plot_figure(figure_sweep_ppl(t, app.opened_sweep_path), app.view,
                std::max(180.f, ImGui::GetContentRegionAvail().y * 0.4f));
    ImGui::Separator();
}

}  // namespace xl
