// Layer kinds as text, for `extrapolab info` and the app's Model panel (layer_kinds.cpp):
//   layer_kinds_text(c)   -> "global x3 (RoPE base 1e+06, full attention); local x15 (RoPE base 10000, window 512)"
//   layer_kind_pattern(c) -> "LLLLLGLLLLLGLLLLLG" (first letter of each layer's kind, upper case)
#pragma once
#include <string>

#include "core/model/model.hpp"

namespace xl {

std::string layer_kinds_text(const ModelConfig& c);
std::string layer_kind_pattern(const ModelConfig& c);

}  // namespace xl
