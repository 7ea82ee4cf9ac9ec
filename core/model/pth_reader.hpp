// PyTorch zip checkpoints (torch.save of a dict holding `state_dict` and `params`), read with
// a zip reader and the subset of the pickle protocol that PyTorch writes. Used for the real
// ALiBi model (alilama): LayerNorm, residual after the first norm, plain SiLU MLP, no final norm.
#pragma once
#include <string>

#include "core/model/model.hpp"

namespace xl {

// tokenizer_path: the minbpe tokenizer.model beside the checkpoint (may be empty).
Model load_pth_model(const std::string& path, const std::string& tokenizer_path);

}  // namespace xl
