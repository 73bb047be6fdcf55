// Operators that build matrices from pieces: diag, diag_embed and diagflat, block_diag, rot90,
// cartesian_prod and kron.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <vector>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {

Tensor diag_embed(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  EMBER_CHECK(self.dim() >= 1, "[diag_embed] self: expected at least one dimension, got a 0-D tensor");
  const int64_t result_dims = self.dim() + 1;
  const int64_t d1 = wrap_dim(dim1, result_dims, "diag_embed"), d2 = wrap_dim(dim2, result_dims, "diag_embed");
  EMBER_CHECK(d1 != d2, "[diag_embed] dim2: expected a dimension other than dim1 ({}), got {}", dim1, dim2);
  const int64_t n = self.size(-1);
  int64_t m = 0;
  EMBER_CHECK(offset != std::numeric_limits<int64_t>::min() && !__builtin_add_overflow(n, std::abs(offset), &m),
              "[diag_embed] offset: {} puts the diagonal of {} values past what int64 sizes hold", offset, n);
  DimVector shape(self.sizes());
  shape[shape.size() - 1] = m;
  shape.push_back(m);
  checked_numel(shape, "diag_embed");  // refused here, before m * m or the positions below can overflow
  // Entry i lands in row i, column i + offset (or row i - offset, column i) of an m x m matrix
  // stored row-major in the last dimension: one index_copy, which autograd follows.
  const Tensor positions =
      ember::arange(n, DType::Int64, self.device()) * (m + 1) + (offset >= 0 ? offset : -offset * m);
  DimVector flat_shape(self.sizes());
  flat_shape[flat_shape.size() - 1] = m * m;
  const Tensor matrices = ember::zeros(flat_shape, self.dtype(), self.device())
                              .index_copy(-1, positions, self)
                              .unflatten(-1, {m, m});
  return matrices.movedim({result_dims - 2, result_dims - 1}, {d1, d2});
}

Tensor diag(const Tensor& self, int64_t diagonal) {
  EMBER_CHECK(self.dim() == 1 || self.dim() == 2, "[diag] self: expected a 1-D or 2-D tensor, got a {}-D tensor",
              self.dim());
  if (self.dim() == 1) return ember::diag_embed(self, diagonal);
  return self.diagonal(diagonal).contiguous();
}

Tensor diagflat(const Tensor& self, int64_t offset) { return ember::diag_embed(self.reshape({-1}), offset); }

Tensor block_diag(TensorList tensors) {
  if (tensors.empty()) return ember::zeros({0, 0});
  std::vector<Tensor> blocks;
  DType dtype = tensors[0].dtype();
  int64_t columns = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.dim() <= 2, "[block_diag] tensors: expected tensors of at most 2 dimensions, tensor {} has {}", i,
                t.dim());
    blocks.push_back(t.dim() == 2 ? t : t.reshape({1, -1}));
    dtype = promote_types(dtype, t.dtype());
    columns += blocks.back().size(1);
  }
  // Each block's rows: zeros to its left and right.
  std::vector<Tensor> rows;
  int64_t before = 0;
  for (const Tensor& block : blocks) {
    const int64_t r = block.size(0), c = block.size(1);
    const Device device = block.device();
    rows.push_back(ember::cat({ember::zeros({r, before}, dtype, device), block.to(dtype),
                               ember::zeros({r, columns - before - c}, dtype, device)}, 1));
    before += c;
  }
  return ember::cat(rows, 0);
}

Tensor rot90(const Tensor& self, int64_t k, IntArrayRef dims) {
  EMBER_CHECK(dims.size() == 2, "[rot90] dims: expected two dimensions, got {}", dims.size());
  EMBER_CHECK(self.dim() >= 2, "[rot90] self: expected at least two dimensions, got {}", self.dim());
  const int64_t from = wrap_dim(dims[0], self.dim(), "rot90"), to = wrap_dim(dims[1], self.dim(), "rot90");
  EMBER_CHECK(from != to, "[rot90] dims: expected two different dimensions, got [{}, {}]", dims[0], dims[1]);
  switch (((k % 4) + 4) % 4) {
    case 1: return self.flip({to}).transpose(from, to);
    case 2: return self.flip({from, to});
    case 3: return self.flip({from}).transpose(from, to);
    default: return self.clone();
  }
}

Tensor cartesian_prod(TensorList tensors) {
  EMBER_CHECK(!tensors.empty(), "[cartesian_prod] tensors: expected at least one tensor, got none");
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].dim() == 1, "[cartesian_prod] tensors: expected 1-D tensors, tensor {} has {} dimensions",
                i, tensors[i].dim());
  }
  if (tensors.size() == 1) return tensors[0];
  std::vector<Tensor> columns;
  for (const Tensor& grid : ember::meshgrid(tensors, "ij")) columns.push_back(grid.reshape({-1}));
  return ember::stack(columns, 1);
}

Tensor kron(const Tensor& self, const Tensor& other) {
  const int64_t rank = std::max(self.dim(), other.dim());
  // self as [a0, 1, a1, 1, ...] times other as [1, b0, 1, b1, ...], then each pair merged.
  DimVector self_shape, other_shape, result_shape;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t a = d < rank - self.dim() ? 1 : self.size(d - (rank - self.dim()));
    const int64_t b = d < rank - other.dim() ? 1 : other.size(d - (rank - other.dim()));
    self_shape.push_back(a);
    self_shape.push_back(1);
    other_shape.push_back(1);
    other_shape.push_back(b);
    result_shape.push_back(a * b);
  }
  return (self.reshape(self_shape) * other.reshape(other_shape)).reshape(result_shape);
}

}  // namespace ember::composite
