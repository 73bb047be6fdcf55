// Scaled dot-product attention, written with matmul, masked_fill and softmax so that autograd
// differentiates it and every backend runs it.
#include <cmath>

#include "attention_core.h"
#include "ember/core/broadcast.h"
#include "ember/nn/functional.h"

namespace ember::nn {
namespace detail {
namespace {

Tensor apply_mask(const char* op, const NamedMask& named, const Tensor& scores) {
  const auto& [name, mask] = named;
  if (!mask.defined()) return scores;
  EMBER_CHECK(mask.dtype() == DType::Bool || is_floating(mask.dtype()),
              "[{}] {}: expected a bool or floating-point mask, got {}", op, name, dtype_name(mask.dtype()));
  const DimVector shape = broadcast_shapes(scores.sizes(), mask.sizes(), op, name);
  EMBER_CHECK(IntArrayRef(shape).equals(scores.sizes()),
              "[{}] {}: expected a shape that broadcasts to the scores' {}, got {}", op, name,
              shape_str(scores.sizes()), shape_str(mask.sizes()));
  return mask.dtype() == DType::Bool ? scores.masked_fill(mask, -INFINITY) : scores + mask;
}

}  // namespace

Attended attend(const char* op, const Tensor& query, const Tensor& key, const Tensor& value, double scale,
                std::initializer_list<NamedMask> masks, double dropout_p, bool training) {
  Tensor scores = matmul(query, key.mT()) * scale;
  for (const NamedMask& mask : masks) scores = apply_mask(op, mask, scores);
  const Tensor weights = functional::dropout(scores.softmax(-1), dropout_p, training);
  return {matmul(weights, value), weights};
}

Tensor mask_or_causal(const char* op, const Tensor& mask, bool is_causal, int64_t queries, int64_t keys,
                      Device device) {
  if (!is_causal) return mask;
  EMBER_CHECK(!mask.defined(), "[{}] attn_mask: expected no mask with is_causal, which makes its own", op);
  return ones({queries, keys}, DType::Bool, device).triu(1);
}

}  // namespace detail

namespace functional {

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const ScaledDotProductAttentionOptions& options) {
  const char* op = "scaled_dot_product_attention";
  for (const auto& [name, t] : {std::pair{"query", &query}, std::pair{"key", &key}, std::pair{"value", &value}}) {
    EMBER_CHECK(t->dim() >= 2 && is_floating(t->dtype()),
                "[{}] {}: expected a floating-point tensor of at least 2 dimensions, got {} {}", op, name,
                dtype_name(t->dtype()), shape_str(t->sizes()));
  }
  EMBER_CHECK(key.size(-1) == query.size(-1), "[{}] key: expected {} features like the query, got shape {}", op,
              query.size(-1), shape_str(key.sizes()));
  EMBER_CHECK(value.size(-2) == key.size(-2), "[{}] value: expected {} positions like the key, got shape {}", op,
              key.size(-2), shape_str(value.sizes()));
  EMBER_CHECK(options.dropout_p >= 0 && options.dropout_p <= 1, "[{}] dropout_p: expected a probability, got {}", op,
              options.dropout_p);
  const double scale = options.scale.value_or(1 / std::sqrt(static_cast<double>(query.size(-1))));
  // Here a bool mask marks where attending is allowed (true), the reverse of attend's.
  const Tensor& given = options.attn_mask;
  const Tensor masked = given.defined() && given.dtype() == DType::Bool
                            ? eq(given, scalar_tensor(false, DType::Bool, given.device()))
                            : given;
  const Tensor mask =
      detail::mask_or_causal(op, masked, options.is_causal, query.size(-2), key.size(-2), query.device());
  return detail::attend(op, query, key, value, scale, {{"attn_mask", mask}}, options.dropout_p, true).output;
}

}  // namespace functional
}  // namespace ember::nn
