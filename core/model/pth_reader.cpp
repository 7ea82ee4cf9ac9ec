#include "core/model/pth_reader.hpp"

#include "core/error.hpp"

namespace xl {

Model load_pth_model(const std::string& path, const std::string&) {
    throw Error(ErrorKind::Unsupported, path, "PyTorch checkpoints are not supported yet");
}

}  // namespace xl
