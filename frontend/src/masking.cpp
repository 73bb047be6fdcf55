// masked_fill (with where) and flip (with index_select): element choices PyTorch users reach for.
#include <algorithm>

#include "ember/core/broadcast.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {

Tensor masked_fill_Scalar(const Tensor& self, const Tensor& mask, const Scalar& value) {
  EMBER_CHECK(mask.dtype() == DType::Bool, "[masked_fill] mask: expected a bool tensor, got {}",
              dtype_name(mask.dtype()));
  EMBER_CHECK(mask.device() == self.device(), "[masked_fill] mask: expected a tensor on {}, got {}",
              self.device().str(), mask.device().str());
  const DimVector shape = broadcast_shapes(self.sizes(), mask.sizes(), "masked_fill", "mask");
  EMBER_CHECK(std::ranges::equal(IntArrayRef(shape), self.sizes()),
              "[masked_fill] mask: shape {} does not broadcast to self's shape {}", shape_str(mask.sizes()),
              shape_str(self.sizes()));
  return where(mask, scalar_tensor(value, self.dtype(), self.device()), self);
}

Tensor masked_fill__Scalar(const Tensor& self, const Tensor& mask, const Scalar& value) {
  return self.copy_(masked_fill(self, mask, value));
}

Tensor flip(const Tensor& self, IntArrayRef dims) {
  std::vector<bool> flipped(static_cast<size_t>(std::max<int64_t>(self.dim(), 1)), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, self.dim(), "flip");
    EMBER_CHECK(!flipped[w], "[flip] dims: dimension {} appears more than once", d);
    flipped[w] = true;
  }
  Tensor out = self.clone();  // a copy even when nothing flips, as in PyTorch
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (!flipped[d]) continue;
    const int64_t n = self.sizes()[d];
    out = out.index_select(d, arange(n - 1, -1, -1, DType::Int64, self.device()));
  }
  return out;
}

}  // namespace ember::composite
