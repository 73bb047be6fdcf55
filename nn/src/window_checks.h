// Argument checks the convolutions and poolings of every rank share.
#pragma once

#include <algorithm>
#include <array>

#include "ember/nn/functional.h"

namespace ember::nn::functional {

// Every value of a kernel size, stride, padding or dilation at least `min`; throws
// "[op] name: expected values of at least 1, got [0, 2]".
template <size_t N>
void check_at_least(const char* op, const char* name, const std::array<int64_t, N>& values, int64_t min) {
  EMBER_CHECK(std::all_of(values.begin(), values.end(), [min](int64_t v) { return v >= min; }),
              "[{}] {}: expected values of at least {}, got [{}]", op, name, min, fmt::join(values, ", "));
}

// An optional per-channel tensor (a bias, a norm's weight): undefined, or of shape [channels].
inline void check_per_channel(const char* op, const char* name, const Tensor& t, int64_t channels) {
  EMBER_CHECK(!t.defined() || (t.dim() == 1 && t.size(0) == channels), "[{}] {}: expected shape [{}], got {}", op,
              name, channels, shape_str(t.sizes()));
}

}  // namespace ember::nn::functional
