#include "ember/nn/modules/attention.h"

#include <cmath>

#include "../attention_core.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {
namespace {

// [N, T, E] -> [N, heads, T, E / heads].
Tensor split_heads(const Tensor& x, int64_t heads) {
  return x.reshape({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}

}  // namespace

MultiheadAttention::MultiheadAttention(int64_t embed_dim_value, int64_t num_heads_value,
                                       MultiheadAttentionOptions attention_options)
    : Module("MultiheadAttention"), embed_dim(embed_dim_value), num_heads(num_heads_value), options(attention_options) {
  EMBER_CHECK(embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0,
              "[MultiheadAttention] num_heads: expected a positive divisor of embed_dim {}, got {}", embed_dim,
              num_heads);
  EMBER_CHECK(options.dropout >= 0 && options.dropout <= 1,
              "[MultiheadAttention] dropout: expected a probability in [0, 1], got {}", options.dropout);
  checked_numel({3, embed_dim, embed_dim}, "MultiheadAttention");
  in_proj_weight = empty({3 * embed_dim, embed_dim});
  init::xavier_uniform_(in_proj_weight);
  register_parameter("in_proj_weight", in_proj_weight);
  out_proj = register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, options.bias));
  if (options.bias) {
    in_proj_bias = zeros({3 * embed_dim});
    init::zeros_(out_proj->bias);
  }
  register_parameter("in_proj_bias", in_proj_bias);
}

std::tuple<Tensor, Tensor> MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                       const MultiheadAttentionInputs& inputs) {
  const char* op = "MultiheadAttention";
  EMBER_CHECK((query.dim() == 2 || query.dim() == 3) && query.size(-1) == embed_dim,
              "[{}] query: expected [{}, {}] (or [L, {}] unbatched), got {}", op,
              options.batch_first ? "N, L" : "L, N", embed_dim, embed_dim, shape_str(query.sizes()));
  const bool batched = query.dim() == 3;
  for (const auto& [name, t] : {std::pair{"key", &key}, std::pair{"value", &value}}) {
    EMBER_CHECK(t->dim() == query.dim() && t->size(-1) == embed_dim,
                "[{}] {}: expected {} dimensions like the query, the last of size {}, got {}", op, name,
                query.dim(), embed_dim, shape_str(t->sizes()));
  }
  EMBER_CHECK(key.sizes().equals(value.sizes()), "[{}] value: expected the key's shape {}, got {}", op,
              shape_str(key.sizes()), shape_str(value.sizes()));
  // Everything below runs batch first: [N, T, E].
  auto batch_first = [&](const Tensor& t) { return !batched ? t.unsqueeze(0) : options.batch_first ? t : t.transpose(0, 1); };
  const Tensor q_in = batch_first(query), k_in = batch_first(key), v_in = batch_first(value);
  EMBER_CHECK(k_in.size(0) == q_in.size(0), "[{}] key: expected a batch of {} like the query, got {}", op,
              q_in.size(0), shape_str(key.sizes()));
  const int64_t n = q_in.size(0), l = q_in.size(1), s = k_in.size(1);

  auto project = [&](const Tensor& x, int64_t part) {
    const Tensor w = in_proj_weight.narrow(0, part * embed_dim, embed_dim);
    const Tensor b = in_proj_bias.defined() ? in_proj_bias.narrow(0, part * embed_dim, embed_dim) : Tensor();
    return split_heads(functional::linear(x, w, b), num_heads);
  };
  const Tensor q = project(q_in, 0), k = project(k_in, 1), v = project(v_in, 2);

  // Masks in attend's convention (bool true = masked), shaped to broadcast to [N, heads, L, S].
  Tensor attn_mask = detail::mask_or_causal(op, inputs.attn_mask, inputs.is_causal, l, s, query.device());
  if (attn_mask.defined() && attn_mask.dim() == 3) {
    EMBER_CHECK(attn_mask.sizes().equals({n * num_heads, l, s}), "[{}] attn_mask: expected [{}, {}] or [{}, {}, {}], got {}",
                op, l, s, n * num_heads, l, s, shape_str(attn_mask.sizes()));
    attn_mask = attn_mask.reshape({n, num_heads, l, s});
  }
  Tensor padding = inputs.key_padding_mask;
  if (padding.defined()) {
    EMBER_CHECK(padding.sizes().equals(batched ? IntArrayRef({n, s}) : IntArrayRef({s})),
                "[{}] key_padding_mask: expected [{}{}], got {}", op, batched ? fmt::format("{}, ", n) : "", s,
                shape_str(padding.sizes()));
    padding = padding.reshape({n, 1, 1, s});
  }
  const double scale = 1 / std::sqrt(static_cast<double>(embed_dim / num_heads));
  const detail::Attended attended = detail::attend(op, q, k, v, scale, {{"attn_mask", attn_mask}, {"key_padding_mask", padding}},
                                                   options.dropout, is_training());

  Tensor out = (*out_proj)(attended.output.transpose(1, 2).reshape({n, l, embed_dim}));
  out = !batched ? out.squeeze(0) : options.batch_first ? out : out.transpose(0, 1);
  if (!inputs.need_weights) return {out, Tensor()};
  Tensor weights = inputs.average_attn_weights ? attended.weights.mean(1) : attended.weights;
  return {out, batched ? weights : weights.squeeze(0)};
}

}  // namespace ember::nn
