// Runs a shell command and returns its exit code and combined stdout + stderr (GUI tests).
//   CommandRun r = run_command("xvfb-run -a extrapolab ...");   // r.rc, r.out
#pragma once
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <sys/wait.h>

struct CommandRun {
    int rc = -1;
    std::string out;
};

inline CommandRun run_command(const std::string& cmd) {
    CommandRun r;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[512];
    while (fgets(buf, sizeof buf, p)) r.out += buf;
    const int status = pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}
