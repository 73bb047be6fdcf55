// Operators that build matrices from pieces: diag, diag_embed and diagflat, block_diag, rot90,
// cartesian_prod, combinations, kron, the Vandermonde matrices and the triangles' indices.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <optional>
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

namespace {

// C(a, b), or nothing where it passes int64. Each running product is itself a binomial
// coefficient, so the division is exact; b is at most the length of a tensor.
std::optional<int64_t> binomial(int64_t a, int64_t b) {
  b = std::min(b, a - b);
  __int128 c = 1;
  for (int64_t i = 0; i < b; ++i) {
    c = c * (a - i) / (i + 1);
    if (c > std::numeric_limits<int64_t>::max()) return std::nullopt;
  }
  return static_cast<int64_t>(c);
}

// Note [Combinations by extension]
// The rows of k increasing positions among 0 .. m-1 (non-decreasing with `repeats`) grow a column
// at a time: every row so far paired with every position, kept where the new position follows
// the row's last (or equals it). The rows stay in lexicographic order, and memory holds m times
// the rows of one column fewer, where the grid of all m^k tuples would be far larger.
Tensor increasing_positions(int64_t m, int64_t k, bool repeats, Device device) {
  const Tensor positions = ember::arange(m, DType::Int64, device);
  Tensor chosen = positions.unsqueeze(1);
  for (int64_t column = 1; column < k; ++column) {
    const Tensor rows = chosen.repeat_interleave(m, 0);
    const Tensor next = positions.repeat({chosen.size(0)});
    const Tensor last = rows.select(1, column - 1);
    const Tensor kept = ember::nonzero(repeats ? ge(next, last) : gt(next, last)).reshape({-1});
    chosen = ember::cat({rows, next.unsqueeze(1)}, 1).index_select(0, kept);
  }
  return chosen;
}

}  // namespace

// The positions of every combination, then self's elements at them. The steps are bounded by
// self's length: without replacement r is at most n; with replacement and r >= n, stars and bars
// turn each multiset of r positions into n - 1 bars among n + r - 1 slots (its element t is the
// number of bars with at most t stars before them), and the bars' lexicographic order is the
// multisets' reversed. The result's size is counted first, so that an r no int64 counts is
// refused before anything is built.
Tensor combinations(const Tensor& self, int64_t r, bool with_replacement) {
  EMBER_CHECK(self.dim() == 1, "[combinations] self: expected a 1-D tensor, got {} dimensions", self.dim());
  EMBER_CHECK(r >= 0, "[combinations] r: expected a non-negative count, got {}", r);
  if (r == 0) return ember::empty({0}, self.dtype(), self.device());
  const int64_t n = self.size(0);
  if (n == 0 || (!with_replacement && r > n)) return ember::empty({0, r}, self.dtype(), self.device());
  if (n == 1) return self.repeat({r}).unsqueeze(0);
  const bool counted = !with_replacement || r <= std::numeric_limits<int64_t>::max() - n;
  const std::optional<int64_t> rows = !counted ? std::nullopt : with_replacement ? binomial(n + r - 1, r) : binomial(n, r);
  EMBER_CHECK(rows.has_value(), "[combinations] r: the combinations of {} of {} elements are more than int64 counts", r, n);
  checked_numel({*rows, r}, "combinations");
  const Device device = self.device();
  Tensor chosen;
  if (!with_replacement || r < n) {
    chosen = increasing_positions(n, r, with_replacement, device);
  } else {
    const Tensor bars = increasing_positions(n + r - 1, n - 1, false, device);
    const Tensor stars_before = bars - ember::arange(n - 1, DType::Int64, device);
    const Tensor t = ember::arange(r, DType::Int64, device).expand({*rows, r});
    chosen = ember::searchsorted(stars_before, t, false, true).flip({0});
  }
  return self.index_select(0, chosen.reshape({-1})).reshape({*rows, r});
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

// Columns of increasing powers x^0 .. x^(n-1) of the last dimension's elements: running products,
// so that x = 0 has a gradient (0^0 = 1 through no power function).
Tensor linalg_vander(const Tensor& x, std::optional<int64_t> N) {
  EMBER_CHECK(x.dim() >= 1, "[linalg_vander] x: expected at least one dimension, got a 0-dim tensor");
  const int64_t n = N.value_or(x.size(-1));
  EMBER_CHECK(n > 1, "[linalg_vander] N: expected more than one column, got {}", n);
  DimVector shape(x.sizes());
  shape.push_back(n - 1);
  const Tensor powers = x.unsqueeze(-1).expand(shape).cumprod(-1);
  shape[shape.size() - 1] = 1;
  return ember::cat({ember::ones(shape, powers.dtype(), x.device()), powers}, -1);
}

Tensor vander(const Tensor& x, std::optional<int64_t> N, bool increasing) {
  EMBER_CHECK(x.dim() == 1, "[vander] x: expected a 1-D tensor, got {} dimensions", x.dim());
  const int64_t n = N.value_or(x.size(0));
  EMBER_CHECK(n >= 0, "[vander] N: expected a non-negative number of columns, got {}", n);
  Tensor columns;
  if (n <= 1) {
    const DType dtype = is_floating(x.dtype()) ? x.dtype() : DType::Int64;
    columns = ember::ones({x.size(0), n}, dtype, x.device());
  } else {
    columns = ember::linalg_vander(x, n);
  }
  return increasing ? columns : columns.flip({1});
}

namespace {

// The (i, j) of a row x col grid, row by row, kept where the triangle holds them.
Tensor triangle_indices(int64_t row, int64_t col, int64_t offset, bool lower, std::optional<DType> dtype,
                        std::optional<Device> device, const char* op) {
  EMBER_CHECK(row >= 0 && col >= 0, "[{}] row: expected non-negative sizes, got {} x {}", op, row, col);
  checked_numel({row, col}, op);
  const Device where = device.value_or(default_device());
  const Tensor i = ember::arange(row, DType::Int64, where).unsqueeze(1).expand({row, col});
  const Tensor j = ember::arange(col, DType::Int64, where).unsqueeze(0).expand({row, col});
  const Tensor above = j - i;
  const Tensor kept = lower ? le(above, offset) : ge(above, offset);
  return ember::stack({i.masked_select(kept), j.masked_select(kept)}).to(dtype.value_or(DType::Int64));
}

}  // namespace

Tensor tril_indices(int64_t row, int64_t col, int64_t offset, std::optional<DType> dtype, std::optional<Device> device) {
  return triangle_indices(row, col, offset, true, dtype, device, "tril_indices");
}

Tensor triu_indices(int64_t row, int64_t col, int64_t offset, std::optional<DType> dtype, std::optional<Device> device) {
  return triangle_indices(row, col, offset, false, dtype, device, "triu_indices");
}

}  // namespace ember::composite
