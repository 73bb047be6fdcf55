// take and take_along_dim: gathers by flat positions, and gathers whose operands broadcast.
#include "ember/core/broadcast.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

void check_positions(const char* op, const char* arg, const Tensor& index) {
  EMBER_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32,
              "[{}] {}: expected dtype int64 or int32, got {}", op, arg, dtype_name(index.dtype()));
}

}  // namespace

Tensor take(const Tensor& self, const Tensor& index) {
  check_positions("take", "index", index);
  const Tensor flat = self.reshape({-1});
  // index_select checks each position against the flat size and counts negatives from the end.
  return flat.index_select(0, index.reshape({-1})).reshape(index.sizes());
}

Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim) {
  check_positions("take_along_dim", "indices", indices);
  if (!dim) return ember::take(self, indices);
  EMBER_CHECK(self.dim() == indices.dim(), "[take_along_dim] indices: expected {} dimensions like self, got {}",
              self.dim(), indices.dim());
  const int64_t d = wrap_dim(*dim, self.dim(), "take_along_dim");
  // Every dimension but d broadcasts; along d, self keeps its size and indices its count.
  DimVector self_shape(self.sizes()), index_shape(indices.sizes());
  self_shape[d] = index_shape[d] = 1;
  DimVector shape = broadcast_shapes(self_shape, index_shape, "take_along_dim", "indices");
  shape[d] = self.size(d);
  const Tensor source = self.expand(shape);
  shape[d] = indices.size(d);
  return source.gather(d, indices.expand(shape));
}

}  // namespace ember::composite
