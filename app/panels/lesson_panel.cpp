// Lesson panel: the teaching text of the current preset.
#include <imgui.h>

#include "app/panels/panels.hpp"

namespace xl {

void lesson_panel(const Session& s) {
    if (s.lesson.empty()) return;
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.f, 0.92f, 0.7f, 1.f));
    ImGui::TextWrapped("%s", s.lesson_title.empty() ? "Lesson" : s.lesson_title.c_str());
    ImGui::PopStyleColor();
    ImGui::Separator();
    ImGui::TextWrapped("%s", s.lesson.c_str());
}

}  // namespace xl
