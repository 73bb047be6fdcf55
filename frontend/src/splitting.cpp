// split, split_with_sizes, chunk, unbind, tensor_split (and hsplit, vsplit, dsplit),
// broadcast_tensors and meshgrid: lists of views, each made by a recorded operator.
#include <algorithm>

#include "ember/core/broadcast.h"
#include "ember/ember.h"

namespace ember {
namespace {

// The size of dimension `dim` of `self`, checked as `op` takes it.
int64_t split_dim_size(const Tensor& self, int64_t& dim, const char* op) {
  EMBER_CHECK(self.dim() > 0, "[{}] self: cannot split a 0-dim tensor", op);
  dim = wrap_dim(dim, self.dim(), op);
  return self.size(dim);
}

}  // namespace

std::vector<Tensor> split_with_sizes(const Tensor& self, IntArrayRef split_sizes, int64_t dim) {
  const int64_t n = split_dim_size(self, dim, "split_with_sizes");
  auto check = [&](bool valid) {
    EMBER_CHECK(valid, "[split_with_sizes] split_sizes: expected non-negative sizes summing to {} (dimension {}), got {}",
                n, dim, shape_str(split_sizes));
  };
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    check(s >= 0 && s <= n - total);  // before adding, so that no running total overflows
    total += s;
  }
  check(total == n);
  std::vector<Tensor> pieces;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    pieces.push_back(self.narrow(dim, start, s));
    start += s;
  }
  return pieces;
}

std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim) {
  const int64_t n = split_dim_size(self, dim, "split");
  EMBER_CHECK(split_size > 0 || (split_size == 0 && n == 0),
              "[split] split_size: expected a positive size (0 only for an empty dimension), got {}", split_size);
  if (n == 0) return {self.narrow(dim, 0, 0)};
  std::vector<Tensor> pieces;
  for (int64_t start = 0; start < n; start += std::min(split_size, n - start)) {
    pieces.push_back(self.narrow(dim, start, std::min(split_size, n - start)));
  }
  return pieces;
}

std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim) {
  EMBER_CHECK(chunks > 0, "[chunk] chunks: expected a positive number, got {}", chunks);
  const int64_t n = split_dim_size(self, dim, "chunk");
  // An empty dimension gives one empty piece, as split's does (PyTorch's gives `chunks` of them,
  // which a huge count would turn into an allocation failure).
  return split(self, n / chunks + (n % chunks != 0), dim);
}

std::vector<Tensor> unbind(const Tensor& self, int64_t dim) {
  const int64_t n = split_dim_size(self, dim, "unbind");
  std::vector<Tensor> pieces;
  for (int64_t i = 0; i < n; ++i) pieces.push_back(self.select(dim, i));
  return pieces;
}

std::vector<Tensor> tensor_split(const Tensor& self, int64_t sections, int64_t dim) {
  EMBER_CHECK(sections > 0, "[tensor_split] sections: expected a positive number, got {}", sections);
  const int64_t n = split_dim_size(self, dim, "tensor_split");
  // The first n % sections pieces take one more element. Sections past the size only add empty
  // views; past 2^20 of them the count is refused rather than allocated.
  const int64_t most = std::max<int64_t>(n, int64_t{1} << 20);
  EMBER_CHECK(sections <= most, "[tensor_split] sections: expected at most {} pieces of dimension {} (size {}), got {}",
              most, dim, n, sections);
  std::vector<int64_t> sizes(static_cast<size_t>(sections), n / sections);
  for (int64_t i = 0; i < n % sections; ++i) ++sizes[static_cast<size_t>(i)];
  return split_with_sizes(self, sizes, dim);
}

std::vector<Tensor> tensor_split(const Tensor& self, IntArrayRef indices, int64_t dim) {
  const int64_t n = split_dim_size(self, dim, "tensor_split");
  std::vector<Tensor> pieces;
  int64_t start = 0;
  for (int64_t index : indices) {
    const int64_t end = std::clamp<int64_t>(index < 0 ? index + n : index, 0, n);
    pieces.push_back(self.narrow(dim, std::min(start, end), std::max<int64_t>(end - start, 0)));
    start = std::max(start, end);
  }
  pieces.push_back(self.narrow(dim, start, n - start));
  return pieces;
}

namespace {

// hsplit, vsplit, dsplit: `sections` equal pieces along `dim`, as NumPy refuses unequal ones.
std::vector<Tensor> equal_split(const char* op, const Tensor& self, int64_t sections, int64_t dim, int64_t min_dims) {
  EMBER_CHECK(self.dim() >= min_dims, "[{}] self: expected at least {} dimensions, got shape {}", op, min_dims,
              shape_str(self.sizes()));
  EMBER_CHECK(sections > 0 && self.size(dim) % sections == 0,
              "[{}] sections: expected a positive divisor of dimension {}'s size {}, got {}", op, dim, self.size(dim),
              sections);
  return split(self, self.size(dim) / sections, dim);
}

}  // namespace

std::vector<Tensor> hsplit(const Tensor& self, int64_t sections) {
  return equal_split("hsplit", self, sections, self.dim() == 1 ? 0 : 1, 1);
}
std::vector<Tensor> vsplit(const Tensor& self, int64_t sections) { return equal_split("vsplit", self, sections, 0, 2); }
std::vector<Tensor> dsplit(const Tensor& self, int64_t sections) { return equal_split("dsplit", self, sections, 2, 3); }

std::vector<Tensor> broadcast_tensors(TensorList tensors) {
  DimVector shape;
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].defined(), "[broadcast_tensors] tensors: expected defined tensors, got an undefined one at {}", i);
    shape = broadcast_shapes(shape, tensors[i].sizes(), "broadcast_tensors", "tensors");
  }
  std::vector<Tensor> expanded;
  for (const Tensor& t : tensors) expanded.push_back(t.expand(shape));
  return expanded;
}

std::vector<Tensor> meshgrid(TensorList tensors, std::string_view indexing) {
  EMBER_CHECK(indexing == "ij" || indexing == "xy", "[meshgrid] indexing: expected 'ij' or 'xy', got '{}'", indexing);
  DimVector shape;
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].defined() && tensors[i].dim() <= 1,
                "[meshgrid] tensors: expected 0-dim or 1-D tensors, got {} at {}",
                tensors[i].defined() ? shape_str(tensors[i].sizes()) : "an undefined tensor", i);
    shape.push_back(tensors[i].numel());
  }
  // 'xy' is Cartesian: the first tensor varies along the second dimension, as NumPy's.
  const bool swap = indexing == "xy" && tensors.size() >= 2;
  if (swap) std::swap(shape[0], shape[1]);
  std::vector<Tensor> grids;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const size_t along = swap && i < 2 ? 1 - i : i;
    DimVector view(shape.size(), 1);
    view[along] = shape[along];
    grids.push_back(tensors[i].reshape(view).expand(shape));
  }
  return grids;
}

}  // namespace ember
