// The dimensions an operator's list names, wrapped and checked once each.
#pragma once

#include <algorithm>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::composite {

// One flag per dimension of `self` (one for a 0-dim tensor, which takes dim 0 or -1), set for
// each dimension `dims` names; a dimension out of range or named twice is refused, naming `op`
// and the argument `arg`.
inline std::vector<bool> marked_dims(const Tensor& self, IntArrayRef dims, const char* op, const char* arg) {
  std::vector<bool> marked(static_cast<size_t>(std::max<int64_t>(self.dim(), 1)), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, self.dim(), op);
    EMBER_CHECK(!marked[w], "[{}] {}: dimension {} appears more than once", op, arg, d);
    marked[w] = true;
  }
  return marked;
}

}  // namespace ember::composite
