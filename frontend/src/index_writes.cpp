// Writes into the slices along a dimension that an index names, beyond the backend's index_copy
// and scatter_reduce: index_fill (one index_copy of the value broadcast), index_reduce (one
// scatter_reduce with the index spread over source's slices), select_scatter and slice_scatter
// (one index_copy each), so autograd differentiates them all.
#include <string_view>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

// A 0-D or 1-D integer index as a 1-D int64 one, negative entries counted from the end of a
// dimension of `size` (PyTorch's index_fill and index_reduce take them). The range is checked
// here, so that an error names the operator called (on a GPU, a wait for the index).
Tensor wrapped_index(const char* op, const Tensor& index, int64_t size) {
  EMBER_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32,
              "[{}] index: expected dtype int64 or int32, got {}", op, dtype_name(index.dtype()));
  EMBER_CHECK(index.dim() <= 1, "[{}] index: expected a 0-D or 1-D tensor, got shape {}", op, shape_str(index.sizes()));
  const Tensor flat = index.reshape({-1}).to(DType::Int64);
  if (flat.numel() > 0) {
    const auto [lowest, highest] = ember::aminmax(flat);
    const int64_t lo = lowest.item<int64_t>(), hi = highest.item<int64_t>();
    EMBER_CHECK(lo >= -size && hi < size, "[{}] index: expected entries in [{}, {}), got {}", op, -size, size,
                lo < -size ? lo : hi);
  }
  return where(lt(flat, 0), flat + size, flat);
}

// `value` (0-dim, of self's dtype and device) in the slices `index` names. The index is made
// unique first, so that a repeated slice gives value's gradient once, as PyTorch's.
Tensor fill_slices(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value) {
  const Tensor target = self.dim() == 0 ? self.reshape({1}) : self;  // a scalar is its own slice 0
  const int64_t d = wrap_dim(dim, target.dim(), "index_fill");
  const Tensor slices = std::get<0>(ember::unique(wrapped_index("index_fill", index, target.size(d))));
  DimVector shape(target.sizes());
  shape[d] = slices.size(0);
  return target.index_copy(d, slices.to(target.device()), value.expand(shape)).view(self.sizes());
}

// src written over the slices `positions` (int64, 1-D) of self along dim: one index_copy, so
// gradients reach self (elsewhere) and src. src must have self's shape with positions' count
// along dim.
Tensor write_slices(const char* op, const Tensor& self, const Tensor& src, int64_t dim, const Tensor& positions) {
  DimVector expected(self.sizes());
  expected[dim] = positions.size(0);
  EMBER_CHECK(src.sizes().equals(expected), "[{}] src: expected shape {}, got {}", op, shape_str(expected),
              shape_str(src.sizes()));
  return self.index_copy(dim, positions, src.to(self.dtype()));
}

}  // namespace

Tensor index_fill_int_Scalar(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  return fill_slices(self, dim, index, scalar_tensor(value, self.dtype(), self.device()));
}

Tensor index_fill_int_Tensor(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value) {
  EMBER_CHECK(value.dim() == 0, "[index_fill] value: expected a 0-dim tensor, got shape {}", shape_str(value.sizes()));
  return fill_slices(self, dim, index, value.to(self.dtype()).to(self.device()));
}

Tensor index_fill__int_Scalar(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  return self.copy_(ember::index_fill(self, dim, index, value));
}

Tensor index_fill__int_Tensor(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value) {
  return self.copy_(ember::index_fill(self, dim, index, value));
}

// Slice i of source along dim reduces into slice index[i] of self: index_reduce is scatter_reduce
// with index[i] at every position of source's slice i.
Tensor index_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                    std::string_view reduce, bool include_self) {
  EMBER_CHECK(reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin",
              "[index_reduce] reduce: expected 'prod', 'mean', 'amax' or 'amin', got '{}'", reduce);
  EMBER_CHECK(self.dim() > 0, "[index_reduce] self: expected a tensor with at least one dimension, got a 0-dim one");
  const int64_t d = wrap_dim(dim, self.dim(), "index_reduce");
  const Tensor slices = wrapped_index("index_reduce", index, self.size(d));
  DimVector expected(self.sizes());
  expected[d] = slices.size(0);
  EMBER_CHECK(source.sizes().equals(expected),
              "[index_reduce] source: expected shape {} (self's, with index's {} entries along dim {}), got {}",
              shape_str(expected), slices.size(0), d, shape_str(source.sizes()));
  DimVector along(static_cast<size_t>(self.dim()), 1);
  along[d] = -1;
  const Tensor spread = slices.to(self.device()).view(along).expand(source.sizes());
  return self.scatter_reduce(d, spread, source, reduce, include_self);
}

Tensor index_reduce_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                     std::string_view reduce, bool include_self) {
  return self.copy_(ember::index_reduce(self, dim, index, source, reduce, include_self));
}

Tensor select_scatter(const Tensor& self, const Tensor& src, int64_t dim, int64_t index) {
  EMBER_CHECK(self.dim() > 0, "[select_scatter] self: expected a tensor with at least one dimension, got a 0-dim one");
  const int64_t d = wrap_dim(dim, self.dim(), "select_scatter");
  const int64_t n = self.size(d);
  EMBER_CHECK(index >= -n && index < n, "[select_scatter] index: expected a position in [{}, {}), got {}", -n, n, index);
  const Tensor position = ember::full({1}, index < 0 ? index + n : index, DType::Int64, self.device());
  return write_slices("select_scatter", self, src.unsqueeze(d), d, position);
}

// The positions slice(dim, start, end, step) takes, written from src.
Tensor slice_scatter(const Tensor& self, const Tensor& src, int64_t dim, std::optional<int64_t> start,
                     std::optional<int64_t> end, int64_t step) {
  EMBER_CHECK(self.dim() > 0, "[slice_scatter] self: expected a tensor with at least one dimension, got a 0-dim one");
  const int64_t d = wrap_dim(dim, self.dim(), "slice_scatter");
  const Tensor positions = ember::arange(self.size(d), DType::Int64, self.device()).slice(0, start, end, step);
  return write_slices("slice_scatter", self, src, d, positions);
}

}  // namespace ember::composite
