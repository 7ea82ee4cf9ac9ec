#include <imgui.h>

#include <algorithm>

#include "app/panels/panels.hpp"
#include "core/session/figures.hpp"

namespace xl {

void config_selector(const Results& r, ViewState& v) {
    if (r.configs.size() <= 1) return;
    ImGui::TextUnformatted("Configuration:");
    for (size_t i = 0; i < r.configs.size(); ++i) {
        ImGui::SameLine();
        ImGui::RadioButton(config_name(r.configs[i]).c_str(), &v.active_config, int(i));
    }
}

float plot_height(int count) {
    const float avail = ImGui::GetContentRegionAvail().y;
    const float per = avail / std::max(1, count) - 2 * ImGui::GetFrameHeightWithSpacing();
    return std::max(140.f, per);
}

}  // namespace xl
