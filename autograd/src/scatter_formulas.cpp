// Backward formulas of the scatters. src may be larger than index (only its elements within
// index's extent are scattered): its gradient is computed on that extent and zero-padded to
// src's shape.
#include <string_view>

#include "ember/autograd/formulas.h"
#include "ember/ember.h"

namespace ember::autograd {
namespace {

// How many scattered values reach each element of self, in self's dtype.
Tensor arrivals(const Tensor& self, int64_t dim, const Tensor& index) {
  return zeros_like(self).scatter_add(dim, index, ones(index.sizes(), self.dtype(), self.device()));
}

// src's elements within index's extent.
Tensor scattered_part(const Tensor& src, const Tensor& index) {
  Tensor part = src;
  for (int64_t d = 0; d < index.dim(); ++d) part = part.narrow(d, 0, index.size(d));
  return part;
}

// `g`, shaped as index, zero-padded at the end of each dimension to `sizes`.
Tensor padded_to(Tensor g, IntArrayRef sizes) {
  for (int64_t d = 0; d < g.dim(); ++d) {
    if (g.size(d) == sizes[d]) continue;
    DimVector shape(g.sizes());
    shape[d] = sizes[d] - g.size(d);
    g = cat({g, zeros(shape, g.dtype(), g.device())}, d);
  }
  return g;
}

// amax and amin: each element of self's shape, its gradient divided by how many values equal the
// result there (self's value among them when it took part).
Tensor shared_among_winners(const Tensor& grad, const Tensor& self, int64_t dim, const Tensor& index,
                            const Tensor& src, bool include_self, const Tensor& result) {
  const Tensor self_wins = include_self ? eq(self, result) : eq(arrivals(self, dim, index), 0);
  const Tensor src_wins = eq(scattered_part(src, index), result.gather(dim, index));
  const Tensor winners = self_wins.to(grad.dtype()).scatter_add(dim, index, src_wins.to(grad.dtype()));
  return grad / winners.clamp_min(1);  // no winner only beside a NaN result
}

}  // namespace

Tensor scattered_src_backward(const Tensor& grad, int64_t dim, const Tensor& index, IntArrayRef src_sizes) {
  return padded_to(grad.gather(dim, index), src_sizes);
}

Tensor scatter_reduce_backward_self(const Tensor& grad, const Tensor& self, int64_t dim, const Tensor& index,
                                    const Tensor& src, std::string_view reduce, bool include_self,
                                    const Tensor& result) {
  // Left out, self's value survives only where nothing arrives.
  if (!include_self) return grad.masked_fill(gt(arrivals(self, dim, index), 0), 0);
  if (reduce == "sum") return grad;
  if (reduce == "mean") return grad / (arrivals(self, dim, index) + 1);
  if (reduce == "prod") {
    // The product of the other values: the scatter again over self with its zeros read as ones.
    const Tensor nonzero_self = self.masked_fill(eq(self, 0), 1);
    return grad * nonzero_self.scatter_reduce(dim, index, src, "prod", true) / nonzero_self;
  }
  return eq(self, result).to(grad.dtype()) * shared_among_winners(grad, self, dim, index, src, true, result);
}

Tensor scatter_reduce_backward_src(const Tensor& grad, const Tensor& self, int64_t dim, const Tensor& index,
                                   const Tensor& src, std::string_view reduce, bool include_self,
                                   const Tensor& result) {
  const Tensor values = scattered_part(src, index);
  Tensor g;
  if (reduce == "sum") {
    g = grad.gather(dim, index);
  } else if (reduce == "mean") {
    const Tensor count = arrivals(self, dim, index) + (include_self ? 1 : 0);
    g = (grad / count.clamp_min(1)).gather(dim, index);
  } else if (reduce == "prod") {
    // result / value, but a value that is its target's only zero takes the product of the others
    // (the scatter again with it read as one), and beside another zero every value takes 0.
    const Tensor is_zero = eq(values, 0);
    const Tensor zeros_there = zeros_like(self).scatter_add(dim, index, is_zero.to(self.dtype())).gather(dim, index);
    const Tensor lone_zero = logical_and(is_zero, eq(zeros_there, 1));
    const Tensor others = self.scatter_reduce(dim, index, values.masked_fill(lone_zero, 1), "prod", include_self);
    g = where(lone_zero, (grad * others).gather(dim, index),
              (grad * result).gather(dim, index) / values.masked_fill(is_zero, 1));
  } else {
    const Tensor shares = shared_among_winners(grad, self, dim, index, src, include_self, result);
    g = eq(values, result.gather(dim, index)).to(grad.dtype()) * shares.gather(dim, index);
  }
  return padded_to(g, src.sizes());
}

}  // namespace ember::autograd
