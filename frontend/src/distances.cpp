// Distances between vectors: cdist (every pair of rows of two sets) and pairwise_distance
// (corresponding rows), through the p-norm, whose gradient at a zero distance is 0.
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {

Tensor cdist(const Tensor& x1, const Tensor& x2, double p) {
  EMBER_CHECK(p >= 0, "[cdist] p: expected a non-negative norm order, got {}", p);
  EMBER_CHECK(x1.dim() >= 2 && x2.dim() >= 2, "[cdist] x1: expected [*, P, M] and [*, R, M] tensors, got {} and {}",
              shape_str(x1.sizes()), shape_str(x2.sizes()));
  EMBER_CHECK(x1.size(-1) == x2.size(-1), "[cdist] x2: expected rows of {} elements like x1's, got {}", x1.size(-1),
              x2.size(-1));
  EMBER_CHECK(is_floating(x1.dtype()) && is_floating(x2.dtype()), "[cdist] x1: expected floating tensors, got {} and {}",
              dtype_name(x1.dtype()), dtype_name(x2.dtype()));
  // [*, P, 1, M] - [*, 1, R, M]: every pair's difference, then its norm over M.
  return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, IntArrayRef{-1});
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  EMBER_CHECK(is_floating(x1.dtype()) && is_floating(x2.dtype()),
              "[pairwise_distance] x1: expected floating tensors, got {} and {}", dtype_name(x1.dtype()),
              dtype_name(x2.dtype()));
  const Tensor difference = x1 - x2 + eps;
  if (difference.dim() == 0) return difference.abs();
  return difference.norm(p, IntArrayRef{-1}, keepdim);
}

}  // namespace ember::composite
