// MultiheadAttention: PyTorch's layer, its parameters named and laid out as PyTorch's state_dict
// has them (in_proj_weight [3E, E], in_proj_bias [3E], out_proj.weight, out_proj.bias).
#pragma once

#include <memory>
#include <tuple>

#include "ember/nn/module.h"
#include "ember/nn/modules/linear.h"

namespace ember::nn {

struct MultiheadAttentionOptions {
  double dropout = 0.0;      // on the attention weights, in training
  bool bias = true;          // in_proj_bias and out_proj.bias
  bool batch_first = false;  // inputs and output [N, L, E] rather than [L, N, E]
};

struct MultiheadAttentionInputs {
  Tensor key_padding_mask;  // [N, S] (or [S] unbatched): bool, true for keys to ignore; or floating, added
  Tensor attn_mask;         // [L, S] or [N * num_heads, L, S]: bool, true where attending is not allowed; or floating, added
  bool need_weights = true;
  bool average_attn_weights = true;  // weights [N, L, S] averaged over the heads, else [N, num_heads, L, S]
  bool is_causal = false;            // query i attends to keys 0..i (no attn_mask with it)
};

class MultiheadAttention final : public Module {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options = {});
  // query [L, N, E], key and value [S, N, E] (batch first, or unbatched [L, E] and [S, E]):
  // (attention output shaped as the query, attention weights or undefined without need_weights).
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const MultiheadAttentionInputs& inputs = {});

  Tensor in_proj_weight, in_proj_bias;
  std::shared_ptr<Linear> out_proj;
  const int64_t embed_dim, num_heads;
  const MultiheadAttentionOptions options;
};

}  // namespace ember::nn
