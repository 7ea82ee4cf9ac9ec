// The suite's own hygiene: doctest_discover_tests hands each test case's name to CTest, which cuts
// a name at ';' (its list separator) into entries whose filters match no test case and so "pass"
// without running anything (23 test cases ran in no CTest run that way). Names keep ';' out.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

TEST_CASE("tests: no test case name holds a semicolon (CTest would split it into entries that run nothing)") {
    const std::regex test_case(R"re(TEST_CASE\("([^"]*)")re");
    int files = 0, names = 0;
    for (const auto& e : fs::directory_iterator(fs::path(XL_SOURCE_DIR) / "tests")) {
        const std::string file = e.path().filename().string();
        if (file.rfind("test_", 0) != 0 || e.path().extension() != ".cpp") continue;
        std::ifstream in(e.path());
        std::stringstream text;
        text << in.rdbuf();
        const std::string s = text.str();
        ++files;
        for (std::sregex_iterator m(s.begin(), s.end(), test_case), end; m != end; ++m) {
            ++names;
            INFO(file << ": " << (*m)[1]);
            CHECK((*m)[1].str().find(';') == std::string::npos);
        }
    }
    CHECK(files > 50);
    CHECK(names > 300);
}
