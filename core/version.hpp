// The extrapolab version: CMake's project(VERSION ...), written into every shard row and merged
// output so that numbers from different builds are never silently mixed.
//
//   std::string v = xl::extrapolab_version();   // "0.1"
#pragma once

namespace xl {

const char* extrapolab_version();

}  // namespace xl
