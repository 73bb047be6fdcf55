// PyTorch's transformer: encoder and decoder layers (post-norm, or pre-norm with norm_first), their
// stacks and the whole encoder-decoder model, with PyTorch's submodule and parameter names
// (self_attn.in_proj_weight, linear1.weight, norm1.weight, layers.0..., encoder.norm...), so a
// PyTorch state_dict loads as it is. Sequences are [T, N, E] ([N, T, E] batch first, [T, E] unbatched).
#pragma once

#include <memory>
#include <string>

#include "ember/nn/modules/attention.h"
#include "ember/nn/modules/container.h"
#include "ember/nn/modules/dropout.h"
#include "ember/nn/modules/linear.h"
#include "ember/nn/modules/normalization.h"

namespace ember::nn {

struct TransformerLayerOptions {
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";  // or "gelu", in the feed-forward block
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;  // normalise before each block rather than after its residual sum
  bool bias = true;         // in the linear layers, the attention and the layer norms
};

// The masks of one attention, as MultiheadAttention takes them: attn_mask [L, S] or
// [N * nhead, L, S], key_padding_mask [N, S]; bool true where attending is not allowed, or
// floating and added. is_causal alone asks for the causal mask; beside attn_mask it says that mask is causal.
struct AttentionMasks {
  Tensor attn_mask;
  Tensor key_padding_mask;
  bool is_causal = false;
};

class TransformerEncoderLayer final : public Module {
 public:
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions options = {});
  Tensor forward(const Tensor& src, const AttentionMasks& src_masks = {});

  std::shared_ptr<MultiheadAttention> self_attn;
  std::shared_ptr<Linear> linear1, linear2;
  std::shared_ptr<Dropout> dropout, dropout1, dropout2;
  std::shared_ptr<LayerNorm> norm1, norm2;
  const int64_t d_model, nhead;
  const TransformerLayerOptions options;
};

class TransformerDecoderLayer final : public Module {
 public:
  TransformerDecoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions options = {});
  // tgt attends to itself under tgt_masks, then to memory (the encoder's output) under memory_masks.
  Tensor forward(const Tensor& tgt, const Tensor& memory, const AttentionMasks& tgt_masks = {},
                 const AttentionMasks& memory_masks = {});

  std::shared_ptr<MultiheadAttention> self_attn, multihead_attn;
  std::shared_ptr<Linear> linear1, linear2;
  std::shared_ptr<Dropout> dropout, dropout1, dropout2, dropout3;
  std::shared_ptr<LayerNorm> norm1, norm2, norm3;
  const int64_t d_model, nhead;
  const TransformerLayerOptions options;
};

// num_layers copies of `layer` (its current values, as PyTorch's deep copies: every layer starts
// alike), then `norm` when given.
class TransformerEncoder final : public Module {
 public:
  TransformerEncoder(const TransformerEncoderLayer& layer, int64_t num_layers, std::shared_ptr<LayerNorm> norm = nullptr);
  Tensor forward(const Tensor& src, const AttentionMasks& src_masks = {});

  std::shared_ptr<ModuleList> layers;
  std::shared_ptr<LayerNorm> norm;
};

class TransformerDecoder final : public Module {
 public:
  TransformerDecoder(const TransformerDecoderLayer& layer, int64_t num_layers, std::shared_ptr<LayerNorm> norm = nullptr);
  Tensor forward(const Tensor& tgt, const Tensor& memory, const AttentionMasks& tgt_masks = {},
                 const AttentionMasks& memory_masks = {});

  std::shared_ptr<ModuleList> layers;
  std::shared_ptr<LayerNorm> norm;
};

struct TransformerOptions {
  int64_t d_model = 512;
  int64_t nhead = 8;
  int64_t num_encoder_layers = 6;
  int64_t num_decoder_layers = 6;
  TransformerLayerOptions layer = {};
};

struct TransformerMasks {
  AttentionMasks src, tgt, memory;  // memory: the decoder's attention to the encoder's output
};

// The encoder-decoder model: both stacks end in a LayerNorm, and every parameter of two or more
// dimensions starts Xavier-uniform, as PyTorch's nn.Transformer.
class Transformer final : public Module {
 public:
  explicit Transformer(TransformerOptions options = {});
  Tensor forward(const Tensor& src, const Tensor& tgt, const TransformerMasks& masks = {});
  // [size, size] float: 0 on and below the diagonal, -inf above it.
  static Tensor generate_square_subsequent_mask(int64_t size, std::optional<Device> device = std::nullopt);

  std::shared_ptr<TransformerEncoder> encoder;
  std::shared_ptr<TransformerDecoder> decoder;
  const TransformerOptions options;
};

}  // namespace ember::nn
