// Undo/redo of session edits (the Method panel's Undo / Redo, Ctrl+Z / Ctrl+Y): snapshots of the
// whole Session taken when an edit settles (a slider released, a text field entered), so one
// drag is one step.
//
//   UndoStack u;  u.record(before);  u.undo(session);  u.redo(session);
#pragma once
#include <vector>

#include "core/session/session.hpp"

namespace xl {

struct UndoStack {
    std::vector<Session> past, future;
    void record(const Session& before) {
        if (!past.empty() && past.back() == before) return;
        past.push_back(before);
        if (past.size() > 200) past.erase(past.begin());
        future.clear();
    }
    bool undo(Session& s) {
        if (past.empty()) return false;
        future.push_back(s);
        s = past.back();
        past.pop_back();
        return true;
    }
    bool redo(Session& s) {
        if (future.empty()) return false;
        past.push_back(s);
        s = future.back();
        future.pop_back();
        return true;
    }
};

}  // namespace xl
