// The real models that tools/fetch-models.sh fetched: the rows of MANIFEST.tsv (name, sha256,
// size) in the models folder whose file is there with the recorded size. The folder is
// $XL_MODELS_DIR, else .models/ beside the build folder of the running executable
// (<checkout>/build/extrapolab → <checkout>/.models), else ./.models.
//
//   for (const FetchedModel& m : fetched_models()) open(m.path);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xl {

struct FetchedModel {
    std::string name;    // file name, e.g. SmolLM2-135M-Instruct.Q4_1.gguf
    std::string path;    // full path
    std::string sha256;  // as recorded by the fetch
    int64_t bytes = 0;
};

std::string models_dir();
// Rows of <dir>/MANIFEST.tsv whose file exists with the recorded size, in the manifest's order;
// empty when there is no manifest. Malformed rows are skipped.
std::vector<FetchedModel> fetched_models(const std::string& dir = models_dir());

}  // namespace xl
