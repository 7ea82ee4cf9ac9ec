// The fetched-models list of the Model panel (core/model/fetched_models): rows of MANIFEST.tsv
// whose file is there with the recorded size; missing, truncated and malformed rows are left out.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/model/fetched_models.hpp"
#include "tests/model_test_files.hpp"

namespace fs = std::filesystem;

TEST_CASE("fetched models: manifest rows whose file has the recorded size, in order") {
    const fs::path dir = fs::temp_directory_path() / ("xl_fetched_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "a.gguf") << "12345";
    std::ofstream(dir / "short.gguf") << "12";
    std::ofstream(dir / "MANIFEST.tsv") << "a.gguf\tabc\t5\nshort.gguf\tdef\t5\nmissing.gguf\t0\t3\n"
                                        << "bad size\tx\t1e3\n../escape.gguf\tx\t5\nnot a row\n";
    const auto got = xl::fetched_models(dir.string());
    REQUIRE(got.size() == 1);
    CHECK(got[0].name == "a.gguf");
    CHECK(got[0].sha256 == "abc");
    CHECK(got[0].bytes == 5);
    CHECK(got[0].path == (dir / "a.gguf").string());
    CHECK(xl::fetched_models((dir / "nothing").string()).empty());
    fs::remove_all(dir);
}

TEST_CASE("fetched models: the project's two real models are listed from the fetch's manifest") {
    const fs::path smol = xl::test::smollm2_gguf(), gemma = xl::test::gemma3_gguf();
    const auto got = xl::fetched_models(smol.parent_path().string());
    REQUIRE(got.size() >= 2);
    CHECK(got[0].path == smol.string());
    CHECK(got[1].path == gemma.string());
    CHECK(got[0].sha256.size() == 64);
}
