// Embedded SPIR-V of every compiled shader variant (generated at build time from shaders/).
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace xl {
std::span<const uint32_t> find_spirv(std::string_view name);  // empty span if unknown
}
