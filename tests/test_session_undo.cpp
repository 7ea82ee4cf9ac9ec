// Undo/redo of session edits: one step per settled edit, redo cleared by a new edit.
#include <doctest/doctest.h>

#include "core/session/undo_stack.hpp"

TEST_CASE("session: undo and redo walk settled edits") {
    xl::UndoStack u;
    xl::Session s = xl::default_session();
    const xl::Session v0 = s;
    u.record(s);
    s.configs[0].method = "linear:s=2";
    const xl::Session v1 = s;
    u.record(s);
    u.record(s);  // recording the same state twice is one step
    s.configs[0].method = "linear:s=4";
    CHECK(u.undo(s));
    CHECK(s == v1);
    CHECK(u.undo(s));
    CHECK(s == v0);
    CHECK_FALSE(u.undo(s));
    CHECK(u.redo(s));
    CHECK(s == v1);
    u.record(s);
    s.eval_length = 256;      // a new edit after undo drops the redo branch
    CHECK_FALSE(u.redo(s));
    CHECK(s.eval_length == 256);
}
