// The attention arithmetic that scaled_dot_product_attention and MultiheadAttention share.
#pragma once

#include <initializer_list>
#include <utility>

#include "ember/ember.h"

namespace ember::nn::detail {

struct Attended {
  Tensor output;   // weights @ value
  Tensor weights;  // softmax over the keys, after dropout
};

// A mask named for errors: undefined, bool (true where a query may not attend) or floating
// (added to the scores); it broadcasts to the scores [..., L, S].
using NamedMask = std::pair<const char*, Tensor>;

// softmax(query key^T * scale + masks) with dropout (when training), and its product with value.
Attended attend(const char* op, const Tensor& query, const Tensor& key, const Tensor& value, double scale,
                std::initializer_list<NamedMask> masks, double dropout_p, bool training);

// The mask attend takes: with is_causal, a bool [L, S] mask true above the diagonal (query i
// attends to keys 0..i), and then `mask` must be undefined; otherwise `mask` itself.
Tensor mask_or_causal(const char* op, const Tensor& mask, bool is_causal, int64_t queries, int64_t keys,
                      Device device);

}  // namespace ember::nn::detail
