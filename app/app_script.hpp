// Scripted sessions for the GUI tests (XL_APP_SCRIPT=FILE): the app runs one command per frame
// through the same functions its menus and panels call, while it keeps rendering, and prints
// "script: ok ..." / "script: FAILED ..." lines. A failed step ends the app with exit code 1.
//
//   preset PATH            open a preset (Presets menu; drag-and-drop)
//   model PATH [TOKENIZER] open a model (Model panel)
//   results PATH           File > Open results: a merged sweep (.json) or a shard folder
//   expect-results N       an opened sweep with N cells is shown
//   shrink                 cap eval length, lengths and windows (positional vectors' too; needle grid 256
//                          tokens, two depths) so a test computes quickly
//   wait [FRAMES]          until the latest edit's job has ended: its results complete (sweep
//                          included) or it failed (the error dialog is then open); fails after
//                          FRAMES frames (default 20000: long grids on a real model need more)
//   panel ID               select a tab
//   export DIR             File > Export all figures
//   expect-error TEXT      the error dialog is open and mentions TEXT; press OK
//   expect-name NAME       the session is named NAME (e.g. unchanged after bad input)
//   screenshot PATH        save the next frame as PNG
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "app/app_state.hpp"

namespace xl {

class AppScript {
public:
    static AppScript load(const std::string& path);  // throws on an unreadable file
    bool active() const { return next_ < steps_.size(); }
    // Runs at most one step; returns a screenshot path when the step asks for one.
    std::string step(AppState& app);
    bool failed() const { return failed_; }

private:
    std::vector<std::vector<std::string>> steps_;
    size_t next_ = 0;
    bool failed_ = false;
    std::optional<std::chrono::steady_clock::time_point> waiting_since_;  // start of the current wait
    int dialog_frames_ = 0;  // frames a failed request's error dialog has been up during a wait
    bool exporting_ = false;
    void fail(const std::string& what);
};

}  // namespace xl
