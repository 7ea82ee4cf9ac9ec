#include "app/plot_widget.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "app/plot_draw.hpp"
#include "core/error.hpp"
#include "core/io/csv_writer.hpp"
#include "core/io/png_writer.hpp"
#include "core/io/svg_writer.hpp"
#include "core/io/ticks.hpp"

namespace xl {

std::string export_figure(const FigureSpec& fig, const ViewState& view, const char* kind) {
    FigureSpec f = fig;
    f.font_family = view.font_family;
    try {
        std::filesystem::create_directories(view.export_dir);
        const std::string path = (std::filesystem::path(view.export_dir) / f.id).string() + "." + kind;
        if (std::string(kind) == "svg") write_svg(f, path);
        else if (std::string(kind) == "png") write_png(f, path, view.export_scale);
        else write_figure_csv(f, path);
        return "wrote " + path;
    } catch (const std::exception& e) {
        return std::string("error: ") + e.what();
    }
}

namespace {

void header(const FigureSpec& f, ViewState& view) {
    ImGui::PushID(f.id.c_str());
    const float w = ImGui::CalcTextSize("SVG").x + ImGui::CalcTextSize("PNG").x + ImGui::CalcTextSize("CSV").x +
                    ImGui::CalcTextSize("Fit").x + 8 * ImGui::GetStyle().FramePadding.x + 4 * ImGui::GetStyle().ItemSpacing.x;
    // A title longer than the room left of the buttons is shortened; the full title is its tooltip.
    const float x0 = ImGui::GetCursorScreenPos().x, avail = ImGui::GetContentRegionAvail().x;
    const float room = avail - w - 10;
    std::string title = f.title;
    if (ImGui::CalcTextSize(title.c_str()).x > room) {
        while (!title.empty() && ImGui::CalcTextSize((title + "...").c_str()).x > room) title.pop_back();
        title += "...";
    }
    ImGui::TextUnformatted(title.c_str());
    if (title != f.title && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", f.title.c_str());
    ImGui::SameLine();  // the buttons at the right end of this column
    ImGui::SetCursorScreenPos(ImVec2(std::max(ImGui::GetCursorScreenPos().x + 10, x0 + avail - w), ImGui::GetCursorScreenPos().y));
    if (ImGui::SmallButton("Fit")) view.plots[f.id].fit = true;
    for (const char* kind : {"svg", "png", "csv"}) {
        ImGui::SameLine();
        std::string label = kind;
        for (char& c : label) c = char(std::toupper(static_cast<unsigned char>(c)));
        if (ImGui::SmallButton(label.c_str())) view.notice = export_figure(f, view, kind);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Export %s to %s/%s.%s%s", label.c_str(), view.export_dir.c_str(), f.id.c_str(), kind,
                              std::string(kind) == "png" ? " (figure size x dpi x export scale)" : "");
    }
    ImGui::PopID();
}

// Zoom around the cursor in (possibly log) axis space; pan by mouse drag.
void interact(const FigureSpec& f, PlotView& pv, const PlotArea& a, bool hovered) {
    ImGuiIO& io = ImGui::GetIO();
    const bool xlog = f.x.scale == AxisScale::Log, ylog = f.y.scale == AxisScale::Log;
    auto fwd = [](double v, bool log) { return log ? std::log10(v) : v; };
    auto inv = [](double v, bool log) { return log ? std::pow(10.0, v) : v; };
    if (!hovered) return;
    if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) { pv.fit = true; return; }
    double x0 = fwd(a.x0, xlog), x1 = fwd(a.x1, xlog), y0 = fwd(a.y0, ylog), y1 = fwd(a.y1, ylog);
    bool changed = false;
    if (io.MouseWheel != 0) {
        const double k = std::pow(0.85, io.MouseWheel);
        const double cx = fwd(a.data_x(io.MousePos.x), xlog), cy = fwd(a.data_y(io.MousePos.y), ylog);
        if (!io.KeyCtrl) { x0 = cx + (x0 - cx) * k; x1 = cx + (x1 - cx) * k; }
        if (!io.KeyShift) { y0 = cy + (y0 - cy) * k; y1 = cy + (y1 - cy) * k; }
        changed = true;
    }
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left) && ImGui::IsItemActive()) {
        const ImVec2 d = io.MouseDelta;
        const double dx = -d.x / a.rect_w() * (x1 - x0);
        const double dy = (a.y_inverted ? -1 : 1) * d.y / a.rect_h() * (y1 - y0);
        x0 += dx; x1 += dx; y0 += dy; y1 += dy;
        changed = d.x != 0 || d.y != 0;
    }
    if (changed && x1 > x0 && y1 > y0) pv = {inv(x0, xlog), inv(x1, xlog), inv(y0, ylog), inv(y1, ylog), false};
}

}  // namespace

void plot_figure(const FigureSpec& f, ViewState& view, float height) {
    header(f, view);
    PlotView& pv = view.plots[f.id];
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const ImVec2 size(std::max(120.f, avail.x), std::max(80.f, height));
    ImGui::PushID(f.id.c_str());
    ImGui::InvisibleButton("plot", size);
    const bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    PlotArea a = make_plot_area(f, pv, p0, size);
    interact(f, pv, a, hovered);
    a = make_plot_area(f, pv, p0, size);
    if (pv.fit) pv = {a.x0, a.x1, a.y0, a.y1, true};
    draw_plot(f, a, hovered);
}

}  // namespace xl
