#include "ember/nn/modules/transformer.h"

#include <cmath>
#include <limits>

#include "ember/ember.h"
#include "ember/nn/init.h"

namespace ember::nn {
namespace {

void check_layer(const char* op, int64_t d_model, int64_t nhead, const TransformerLayerOptions& options) {
  EMBER_CHECK(d_model > 0 && nhead > 0 && d_model % nhead == 0,
              "[{}] nhead: expected a positive divisor of d_model {}, got {}", op, d_model, nhead);
  EMBER_CHECK(options.dim_feedforward > 0, "[{}] dim_feedforward: expected a positive size, got {}", op,
              options.dim_feedforward);
  EMBER_CHECK(options.dropout >= 0 && options.dropout <= 1, "[{}] dropout: expected a probability in [0, 1], got {}",
              op, options.dropout);
  EMBER_CHECK(options.activation == "relu" || options.activation == "gelu",
              "[{}] activation: expected \"relu\" or \"gelu\", got \"{}\"", op, options.activation);
}

MultiheadAttentionOptions attention_options(const TransformerLayerOptions& options) {
  return {.dropout = options.dropout, .bias = options.bias, .batch_first = options.batch_first};
}

std::shared_ptr<LayerNorm> layer_norm(int64_t d_model, const TransformerLayerOptions& options) {
  return std::make_shared<LayerNorm>(std::vector<int64_t>{d_model}, options.layer_norm_eps, true, options.bias);
}

// One attention block's output (before its dropout): `query` attending to `source`.
Tensor attend(MultiheadAttention& attention, const Tensor& query, const Tensor& source, const AttentionMasks& masks) {
  // is_causal beside a mask only says that the mask is causal: the mask is used as it is.
  const bool make_causal = masks.is_causal && !masks.attn_mask.defined();
  return std::get<0>(attention.forward(query, source, source,
                                       {.key_padding_mask = masks.key_padding_mask,
                                        .attn_mask = masks.attn_mask,
                                        .need_weights = false,
                                        .is_causal = make_causal}));
}

Tensor feed_forward(const TransformerLayerOptions& options, Linear& linear1, Dropout& dropout, Linear& linear2,
                    const Tensor& x) {
  const Tensor hidden = linear1(x);
  return linear2(dropout(options.activation == "gelu" ? gelu(hidden) : relu(hidden)));
}

// A layer whose values are `original`'s: PyTorch's stacks deep-copy the layer they are given.
template <typename Layer>
std::shared_ptr<Layer> copy_of(const Layer& original) {
  auto copy = std::make_shared<Layer>(original.d_model, original.nhead, original.options);
  autograd::NoGradGuard no_grad;
  const NamedTensors from = original.named_parameters(), to = copy->named_parameters();
  for (size_t i = 0; i < from.size(); ++i) to[i].second.copy_(from[i].second);
  copy->train(original.is_training());
  return copy;
}

template <typename Layer>
std::shared_ptr<ModuleList> copies(const char* op, const Layer& layer, int64_t num_layers) {
  EMBER_CHECK(num_layers >= 1, "[{}] num_layers: expected at least 1, got {}", op, num_layers);
  auto list = std::make_shared<ModuleList>();
  for (int64_t i = 0; i < num_layers; ++i) list->push_back(copy_of(layer));
  return list;
}

}  // namespace

TransformerEncoderLayer::TransformerEncoderLayer(int64_t d_model_value, int64_t nhead_value,
                                                 TransformerLayerOptions layer_options)
    : Module("TransformerEncoderLayer"), d_model(d_model_value), nhead(nhead_value), options(std::move(layer_options)) {
  check_layer("TransformerEncoderLayer", d_model, nhead, options);
  self_attn = register_module("self_attn", std::make_shared<MultiheadAttention>(d_model, nhead, attention_options(options)));
  linear1 = register_module("linear1", std::make_shared<Linear>(d_model, options.dim_feedforward, options.bias));
  dropout = register_module("dropout", std::make_shared<Dropout>(options.dropout));
  linear2 = register_module("linear2", std::make_shared<Linear>(options.dim_feedforward, d_model, options.bias));
  norm1 = register_module("norm1", layer_norm(d_model, options));
  norm2 = register_module("norm2", layer_norm(d_model, options));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(options.dropout));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(options.dropout));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src, const AttentionMasks& src_masks) {
  auto self_attention = [&](const Tensor& x) { return (*dropout1)(attend(*self_attn, x, x, src_masks)); };
  auto ff = [&](const Tensor& x) { return (*dropout2)(feed_forward(options, *linear1, *dropout, *linear2, x)); };
  if (options.norm_first) {
    const Tensor x = src + self_attention((*norm1)(src));
    return x + ff((*norm2)(x));
  }
  const Tensor x = (*norm1)(src + self_attention(src));
  return (*norm2)(x + ff(x));
}

TransformerDecoderLayer::TransformerDecoderLayer(int64_t d_model_value, int64_t nhead_value,
                                                 TransformerLayerOptions layer_options)
    : Module("TransformerDecoderLayer"), d_model(d_model_value), nhead(nhead_value), options(std::move(layer_options)) {
  check_layer("TransformerDecoderLayer", d_model, nhead, options);
  self_attn = register_module("self_attn", std::make_shared<MultiheadAttention>(d_model, nhead, attention_options(options)));
  multihead_attn =
      register_module("multihead_attn", std::make_shared<MultiheadAttention>(d_model, nhead, attention_options(options)));
  linear1 = register_module("linear1", std::make_shared<Linear>(d_model, options.dim_feedforward, options.bias));
  dropout = register_module("dropout", std::make_shared<Dropout>(options.dropout));
  linear2 = register_module("linear2", std::make_shared<Linear>(options.dim_feedforward, d_model, options.bias));
  norm1 = register_module("norm1", layer_norm(d_model, options));
  norm2 = register_module("norm2", layer_norm(d_model, options));
  norm3 = register_module("norm3", layer_norm(d_model, options));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(options.dropout));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(options.dropout));
  dropout3 = register_module("dropout3", std::make_shared<Dropout>(options.dropout));
}

Tensor TransformerDecoderLayer::forward(const Tensor& tgt, const Tensor& memory, const AttentionMasks& tgt_masks,
                                        const AttentionMasks& memory_masks) {
  auto self_attention = [&](const Tensor& x) { return (*dropout1)(attend(*self_attn, x, x, tgt_masks)); };
  auto cross_attention = [&](const Tensor& x) { return (*dropout2)(attend(*multihead_attn, x, memory, memory_masks)); };
  auto ff = [&](const Tensor& x) { return (*dropout3)(feed_forward(options, *linear1, *dropout, *linear2, x)); };
  if (options.norm_first) {
    const Tensor x = tgt + self_attention((*norm1)(tgt));
    const Tensor y = x + cross_attention((*norm2)(x));
    return y + ff((*norm3)(y));
  }
  const Tensor x = (*norm1)(tgt + self_attention(tgt));
  const Tensor y = (*norm2)(x + cross_attention(x));
  return (*norm3)(y + ff(y));
}

TransformerEncoder::TransformerEncoder(const TransformerEncoderLayer& layer, int64_t num_layers,
                                       std::shared_ptr<LayerNorm> final_norm)
    : Module("TransformerEncoder") {
  layers = register_module("layers", copies("TransformerEncoder", layer, num_layers));
  if (final_norm) norm = register_module("norm", std::move(final_norm));
}

Tensor TransformerEncoder::forward(const Tensor& src, const AttentionMasks& src_masks) {
  Tensor x = src;
  for (const auto& layer : *layers) x = static_cast<TransformerEncoderLayer&>(*layer).forward(x, src_masks);
  return norm ? (*norm)(x) : x;
}

TransformerDecoder::TransformerDecoder(const TransformerDecoderLayer& layer, int64_t num_layers,
                                       std::shared_ptr<LayerNorm> final_norm)
    : Module("TransformerDecoder") {
  layers = register_module("layers", copies("TransformerDecoder", layer, num_layers));
  if (final_norm) norm = register_module("norm", std::move(final_norm));
}

Tensor TransformerDecoder::forward(const Tensor& tgt, const Tensor& memory, const AttentionMasks& tgt_masks,
                                   const AttentionMasks& memory_masks) {
  Tensor x = tgt;
  for (const auto& layer : *layers) {
    x = static_cast<TransformerDecoderLayer&>(*layer).forward(x, memory, tgt_masks, memory_masks);
  }
  return norm ? (*norm)(x) : x;
}

Transformer::Transformer(TransformerOptions transformer_options)
    : Module("Transformer"), options(std::move(transformer_options)) {
  const TransformerLayerOptions& layer = options.layer;
  encoder = register_module("encoder", std::make_shared<TransformerEncoder>(
                                           TransformerEncoderLayer(options.d_model, options.nhead, layer),
                                           options.num_encoder_layers, layer_norm(options.d_model, layer)));
  decoder = register_module("decoder", std::make_shared<TransformerDecoder>(
                                           TransformerDecoderLayer(options.d_model, options.nhead, layer),
                                           options.num_decoder_layers, layer_norm(options.d_model, layer)));
  for (const Tensor& p : parameters()) {
    if (p.dim() > 1) init::xavier_uniform_(p);
  }
}

Tensor Transformer::forward(const Tensor& src, const Tensor& tgt, const TransformerMasks& masks) {
  const int64_t batch_dim = options.layer.batch_first ? 0 : 1;
  EMBER_CHECK(src.dim() == tgt.dim() && (src.dim() == 2 || src.size(batch_dim) == tgt.size(batch_dim)),
              "[Transformer] tgt: expected the batch of src {}, got {}", shape_str(src.sizes()), shape_str(tgt.sizes()));
  EMBER_CHECK(src.size(-1) == options.d_model && tgt.size(-1) == options.d_model,
              "[Transformer] src, tgt: expected {} features (d_model), got {} and {}", options.d_model,
              shape_str(src.sizes()), shape_str(tgt.sizes()));
  const Tensor memory = encoder->forward(src, masks.src);
  return decoder->forward(tgt, memory, masks.tgt, masks.memory);
}

Tensor Transformer::generate_square_subsequent_mask(int64_t size, std::optional<Device> device) {
  EMBER_CHECK(size >= 0, "[generate_square_subsequent_mask] size: expected a non-negative size, got {}", size);
  return full({size, size}, -std::numeric_limits<double>::infinity(), DType::Float32, device).triu(1);
}

}  // namespace ember::nn
