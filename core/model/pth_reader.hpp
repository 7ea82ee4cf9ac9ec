// PyTorch zip checkpoints (torch.save of a dict holding `state_dict` and `params`), read with
// a zip reader and the subset of the pickle protocol that PyTorch writes. Used for the real
// ALiBi model (alilama): LayerNorm, residual after the first norm, plain SiLU MLP, no final norm.
//
//   xl::Model m = xl::load_pth_model("alilama_batches_512_470K.pth", "tokenizer.model");
//   m.config.position == xl::PositionSignal::ALiBi;  m.config.alibi_slopes[0] == 0.5f;
//   m.weights.layers[0].wq.rows == 64;   // views into the mapped file (m.storage keeps it alive)
//
// Mapping of the alilama state_dict (training code: Alilama model.py):
//   embed.weight -> token_embedding (and output: last_lin.weight is tied to it)
//   blocks.N.norm1.{weight,bias} -> attn_norm(+_bias); blocks.N.norm2.{weight,bias} -> ffn_norm(+_bias)
//   blocks.N.MHSA.{q,k,v}.weight -> wq, wk, wv (separate [dim][dim]; head h = rows h*hw..h*hw+hw-1)
//   blocks.N.MLP.p1.weight -> w1 [hidden][dim], blocks.N.MLP.p2.weight -> w2 [dim][hidden]
//   wo = identity: the attention has no output projection (the "preadditive" weights are unused)
#pragma once
#include <string>

#include "core/model/model.hpp"

namespace xl {

// tokenizer_path: the minbpe tokenizer.model; when empty, "tokenizer.model" beside the
// checkpoint is used if it exists (else the model has no tokenizer and a warning says so).
Model load_pth_model(const std::string& path, const std::string& tokenizer_path);

}  // namespace xl
