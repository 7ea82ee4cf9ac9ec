// The desktop lab's entry point: window, renderer, ImGui context, state restore, the frame loop
// (compute never blocks it: edits submit jobs, frames draw the last finished Results) and the
// smoke-test path (max_frames + screenshot).
#include "app/desktop_app.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_vulkan.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app/app_jobs.hpp"
#include "app/app_results.hpp"
#include "app/app_script.hpp"
#include "app/app_ui.hpp"
#include "app/drag_probe.hpp"
#include "app/vk_window.hpp"
#include "core/gpu/context.hpp"
#include "core/io/png_writer.hpp"

#ifndef XL_APP_SOURCE_DIR
#define XL_APP_SOURCE_DIR "."
#endif

namespace xl {

namespace {

AppOptions with_environment(AppOptions o) {
    if (const char* v = std::getenv("XL_APP_MAX_FRAMES")) o.max_frames = std::atoi(v);
    if (const char* v = std::getenv("XL_APP_SCREENSHOT")) o.screenshot_path = v;
    if (const char* v = std::getenv("XL_APP_PANEL")) o.panel = v;
    if (const char* v = std::getenv("XL_APP_PRESET")) o.preset_path = v;
    if (const char* v = std::getenv("XL_APP_SIZE")) std::sscanf(v, "%dx%d", &o.width, &o.height);
    return o;
}

std::string state_directory(const AppOptions& o) {
    if (const char* v = std::getenv("XL_STATE_DIR")) return v;
    if (o.max_frames > 0) return "";
    if (const char* x = std::getenv("XDG_CONFIG_HOME")) return std::string(x) + "/extrapolab";
    if (const char* h = std::getenv("HOME")) return std::string(h) + "/.config/extrapolab";
    return "";
}

void setup_app_state(AppState& app, const AppOptions& o) {
    const std::string src = XL_APP_SOURCE_DIR;
    app.defaults.model = o.model_path.empty() ? src + "/assets/stories260K.bin" : o.model_path;
    app.defaults.tokenizer = o.model_path.empty() ? src + "/assets/tok512.bin" : o.tokenizer_path;
    app.defaults.text = o.text_path.empty() ? src + "/assets/tinystories-valid-first201.txt" : o.text_path;
    app.engine = std::make_shared<Engine>(o.device_index);
    app.session = default_session();
    app.state_dir = state_directory(o);
    restore_state(app);
    list_presets(app, src + "/presets");
    if (!o.preset_path.empty()) open_preset(app, o.preset_path);
    if (!o.results_path.empty()) open_results(app, o.results_path);
    if (!o.panel.empty()) app.active_tab = o.panel;
    if (app.active_tab.empty()) app.active_tab = "perplexity";
    app.settled = app.session;
    app.tokenizer_input = app.session.tokenizer;
    app.model_input = app.session.model;
}

void drop_callback(GLFWwindow* w, int count, const char** paths) {
    auto* app = static_cast<AppState*>(glfwGetWindowUserPointer(w));
    for (int i = 0; i < count; ++i) app->dropped.push_back(paths[i]);
}

void setup_imgui_style() {
    ImGui::StyleColorsDark();
    ImGuiStyle& s = ImGui::GetStyle();
    s.FrameRounding = 3;
    s.WindowRounding = 0;
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // layout is fixed; session and view state are persisted by the app
    const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (std::filesystem::exists(font)) {
        static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2010, 0x22FF, 0};  // Latin, Greek, math
        io.Fonts->AddFontFromFileTTF(font, 15.f, nullptr, ranges);
    }
}

// Frame pacing (DESIGN.md #8). The UI shares the CPU with the compute worker, and on a software
// renderer (lavapipe) drawing costs CPU too: while anything moves, frames come at most every
// kActiveFrame; when nothing has happened for a few frames and no job runs, the loop sleeps
// until an input event (or kIdleWake, so the status line stays current).
constexpr auto kActiveFrame = std::chrono::milliseconds(25);
constexpr double kIdleWake = 0.25;  // seconds
constexpr int kSettleFrames = 4;    // frames drawn after the last input before sleeping

bool had_input() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || io.MouseWheel != 0 || io.MouseWheelH != 0 ||
        io.InputQueueCharacters.Size > 0)
        return true;
    for (bool down : io.MouseDown)
        if (down) return true;
    for (bool down : io.KeysDown)
        if (down) return true;
    return false;
}

// The renderer's device. XL_APP_UI_LP_THREADS=N gives it N lavapipe threads (LP_NUM_THREADS is read
// when lavapipe's device is enumerated; the compute core's device, made later on the worker,
// keeps the machine's setting): frame pacing against the compute on a shared CPU.
bool init_renderer(VkWindow& vw, GLFWwindow* window, int device_index, std::string* error) {
    const char* ui_threads = std::getenv("XL_APP_UI_LP_THREADS");
    const char* before = std::getenv("LP_NUM_THREADS");
    const std::string saved = before ? before : "";
    if (ui_threads) setenv("LP_NUM_THREADS", ui_threads, 1);
    const bool ok = vw.init(window, device_index, error);
    if (ui_threads) {
        if (before) setenv("LP_NUM_THREADS", saved.c_str(), 1);
        else unsetenv("LP_NUM_THREADS");
    }
    return ok;
}

// One frame: events, settled-edit bookkeeping, job submission, UI, render.
bool frame(GLFWwindow* window, VkWindow& vw, AppState& app, bool capture) {
    if (app.quiet_frames > kSettleFrames) glfwWaitEventsTimeout(kIdleWake);
    else glfwPollEvents();
    for (const std::string& p : app.dropped) open_path(app, p);
    app.dropped.clear();
    vw.begin_frame();
    ImGui_ImplVulkan_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    draw_app_ui(app);
    app.dragging = ImGui::IsAnyItemActive() || app.scripted_drag;  // previews while the hand moves
    if (!ImGui::IsAnyItemActive() && !(app.session == app.settled)) {
        app.undo.record(app.settled);  // an edit settled: it becomes one undo step
        app.settled = app.session;
    }
    submit_if_changed(app);
    track_latency(app);
    finish_pending_export(app);
    ImGui::Render();
    vw.render(ImGui::GetDrawData(), capture);
    const bool busy = app.runner.status().busy || !app.dropped.empty() || !app.error.empty();
    app.quiet_frames = had_input() || busy ? 0 : app.quiet_frames + 1;
    return !glfwWindowShouldClose(window);
}

int run_loop(GLFWwindow* window, VkWindow& vw, AppState& app, const AppOptions& o) {
    const char* drag_env = std::getenv("XL_APP_DRAG");
    const char* drag_start = std::getenv("XL_APP_DRAG_START");
    DragProbe drag(drag_env ? std::atoi(drag_env) : 0, drag_start && std::string(drag_start) == "idle");
    AppScript script;
    bool scripted = false;
    if (const char* v = std::getenv("XL_APP_SCRIPT")) {
        try {
            script = AppScript::load(v);
            scripted = true;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "extrapolab: %s\n", e.what());
            return 2;
        }
    }
    std::string script_shot;  // the script asked for a screenshot of the next frame
    using clock = std::chrono::steady_clock;
    int frames = 0;
    const auto start = clock::now();
    auto last = clock::now();
    for (;;) {
        // With a screenshot, count only consecutive frames that show finished results, or the
        // error dialog of a job that failed (no results will come: waiting would hang 300 s).
        const bool settled = (app.runner.latest() || request_failed(app)) && !app.runner.status().busy;
        if (o.screenshot_path.empty() || settled || clock::now() - start > std::chrono::seconds(300)) ++frames;
        else frames = 0;
        const bool last_frame = !script.active() && !drag.active() &&
                                ((o.max_frames > 0 && frames >= o.max_frames) || drag.reported());
        const auto frame_start = clock::now();
        if (drag.active() || script.active()) app.quiet_frames = 0;  // probes count as interaction
        const bool open = frame(window, vw, app, (last_frame && !o.screenshot_path.empty()) || !script_shot.empty());
        if (!script_shot.empty()) {
            write_png_image(script_shot, vw.capture_rgba(), vw.capture_width(), vw.capture_height());
            script_shot.clear();
        }
        if (scripted) {
            if (!script.active()) return script.failed() ? 1 : 0;
            script_shot = script.step(app);
            if (script.failed()) return 1;
        }
        if (app.quiet_frames <= kSettleFrames) std::this_thread::sleep_until(frame_start + kActiveFrame);
        const auto now = clock::now();
        app.frame_ms = std::chrono::duration<double, std::milli>(now - last).count();
        if (frames > 5) app.worst_frame_ms = std::max(app.worst_frame_ms * 0.995, app.frame_ms);
        last = now;
        drag.after_frame(app, app.frame_ms);
        if (last_frame) {
            if (!o.screenshot_path.empty()) {
                try {
                    write_png_image(o.screenshot_path, vw.capture_rgba(), vw.capture_width(), vw.capture_height());
                    std::printf("screenshot: %s (%dx%d)\n", o.screenshot_path.c_str(), vw.capture_width(), vw.capture_height());
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "extrapolab: %s\n", e.what());
                    return 2;
                }
            }
            std::printf("frames: %d, last frame %.1f ms, update latency %.0f ms\n", frames, app.frame_ms, app.last_latency_ms);
            return 0;
        }
        if (!open) return 0;
    }
}

}  // namespace

int run_desktop_app(const AppOptions& options) {
    const AppOptions o = with_environment(options);
    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    if ((!display || !*display) && (!wayland || !*wayland)) {
        std::fprintf(stderr, "extrapolab: no display (DISPLAY is not set), so the desktop app cannot open.\n"
                             "Use the headless commands instead: extrapolab eval | figure | rope | info | generate | bench"
                             " (see `extrapolab --help`).\n");
        return 2;
    }
    if (!glfwInit()) {
        std::fprintf(stderr, "extrapolab: cannot open a window on this display; use the headless commands (`extrapolab --help`).\n");
        return 2;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
    GLFWwindow* window = glfwCreateWindow(o.width, o.height, "extrapolab", nullptr, nullptr);
    if (!window) {
        glfwTerminate();
        std::fprintf(stderr, "extrapolab: cannot create a window; use the headless commands (`extrapolab --help`).\n");
        return 2;
    }
    int rc = 2;
    {
        AppState app;
        glfwSetWindowUserPointer(window, &app);
        glfwSetDropCallback(window, drop_callback);
        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        setup_imgui_style();
        ImGui_ImplGlfw_InitForVulkan(window, true);
        VkWindow vw;
        std::string error;
        // One device for both: the renderer draws on the device the compute core chose.
        AppOptions shared = o;
        if (shared.device_index < 0) shared.device_index = gpu::Context::automatic_device_index();
        if (!init_renderer(vw, window, shared.device_index, &error)) {
            std::fprintf(stderr, "extrapolab: cannot start the Vulkan renderer: %s\n", error.c_str());
        } else {
            setup_app_state(app, shared);
            rc = run_loop(window, vw, app, shared);
            save_state(app);
            app.runner.cancel();
        }
        vw.shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    glfwDestroyWindow(window);
    glfwTerminate();
    return rc;
}

}  // namespace xl
