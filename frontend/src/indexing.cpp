// Tensor::index and Tensor::index_put_: PyTorch's t[...] (ember/indexing.h). The basic indices
// become views; the index tensors become one flat index into the view with the indexed dimensions
// moved to the front, so that index is one index_select and index_put_ one index_copy_ or
// index_add_, and autograd follows through them as through any operator.
#include <numeric>

#include "ember/core/broadcast.h"
#include "ember/ember.h"

namespace ember {
namespace {

using indexing::TensorIndex;

// An index tensor and the dimension of the (basic-indexed) view it indexes.
struct TensorAt {
  int64_t dim;
  Tensor index;
};

// What the basic indices leave: the view, and the index tensors still to apply to it.
struct BasicIndexed {
  Tensor view;
  std::vector<TensorAt> tensors;
};

bool is_mask(const Tensor& t) { return t.dtype() == DType::Bool; }

// How many of self's dimensions an index names (Ellipsis none: it takes what the others leave).
int64_t dims_named(const TensorIndex& index) {
  if (index.is_integer() || index.is_slice()) return 1;
  if (index.is_tensor()) return is_mask(index.tensor()) ? index.tensor().dim() : 1;
  return 0;
}

void check_index_tensor(const char* op, const Tensor& t) {
  EMBER_CHECK(t.defined(), "[{}] indices: expected defined index tensors, got an undefined one", op);
  EMBER_CHECK(is_mask(t) || t.dtype() == DType::Int64 || t.dtype() == DType::Int32,
              "[{}] indices: expected index tensors of int64, int32 or bool, got {}", op, dtype_name(t.dtype()));
}

// A bool (or a 0-dim mask) inserts a dimension of size 1 and indexes it with [0] when true and
// with [] when false, as PyTorch's.
void index_with_flag(BasicIndexed& r, int64_t& d, bool flag) {
  r.view = r.view.unsqueeze(d);
  r.tensors.push_back({d++, zeros({flag ? 1 : 0}, DType::Int64, r.view.device())});
}

// A bool mask covers as many dimensions as it has, each indexed by a column of its nonzero().
void index_with_mask(const char* op, BasicIndexed& r, int64_t& d, const Tensor& mask) {
  if (mask.dim() == 0) return index_with_flag(r, d, mask.item<bool>());
  const IntArrayRef covered(r.view.sizes().data() + d, static_cast<size_t>(mask.dim()));
  EMBER_CHECK(covered.equals(mask.sizes()),
              "[{}] indices: a mask of shape {} does not match the shape {} it indexes from dimension {}", op,
              shape_str(mask.sizes()), shape_str(covered), d);
  const Tensor coordinates = nonzero(mask);
  for (int64_t j = 0; j < mask.dim(); ++j) r.tensors.push_back({d++, coordinates.select(1, j)});
}

BasicIndexed apply_basic_indices(const char* op, const Tensor& self, ArrayRef<TensorIndex> indices) {
  int64_t named = 0, ellipses = 0;
  for (const TensorIndex& index : indices) {
    if (index.is_tensor()) check_index_tensor(op, index.tensor());
    named += dims_named(index);
    ellipses += index.is_ellipsis();
  }
  EMBER_CHECK(ellipses <= 1, "[{}] indices: expected at most one Ellipsis, got {}", op, ellipses);
  EMBER_CHECK(named <= self.dim(), "[{}] indices: too many indices for a tensor of dimension {} ({} given)", op,
              self.dim(), named);
  BasicIndexed r{self, {}};
  int64_t d = 0;  // the dimension of r.view the next index applies to
  for (const TensorIndex& index : indices) {
    if (index.is_integer()) {
      const int64_t size = r.view.size(d), i = index.integer();
      EMBER_CHECK(i >= -size && i < size, "[{}] indices: index {} is out of range for dimension {} of size {}", op,
                  i, d, size);
      r.view = r.view.select(d, i);
    } else if (index.is_slice()) {
      const indexing::Slice& s = index.slice();
      EMBER_CHECK(s.step > 0, "[{}] indices: expected a slice step of at least 1, got {}", op, s.step);
      r.view = r.view.slice(d++, s.start, s.stop, s.step);
    } else if (index.is_none()) {
      r.view = r.view.unsqueeze(d++);
    } else if (index.is_ellipsis()) {
      d += self.dim() - named;
    } else if (index.is_boolean()) {
      index_with_flag(r, d, index.boolean());
    } else if (is_mask(index.tensor())) {
      index_with_mask(op, r, d, index.tensor().to(self.device()));
    } else {
      r.tensors.push_back({d++, index.tensor().to(self.device())});
    }
  }
  return r;
}

void check_in_range(const char* op, const Tensor& index, int64_t dim, int64_t size) {
  if (index.numel() == 0) return;
  const Tensor out_of_range = logical_or(lt(index, -size), ge(index, size));
  if (!out_of_range.any().item<bool>()) return;
  EMBER_FAIL("[{}] indices: index {} is out of range for dimension {} of size {}", op,
             index.masked_select(out_of_range)[0].item<int64_t>(), dim, size);
}

// The view with its indexed dimensions moved to the front, addressed as one by `flat_index`.
struct Flattened {
  Tensor front;
  Tensor flat_index;       // 1-D int64, into the product of the indexed sizes
  int64_t indexed_numel;   // that product
  DimVector index_shape;   // the index tensors' broadcast shape
  DimVector rest;          // the sizes of the dimensions no index tensor names
  int64_t insert_at;       // where index_shape goes in the result: in place when adjacent
};

Flattened flatten_indexed(const char* op, const BasicIndexed& r) {
  const Tensor& view = r.view;
  DimVector index_shape(r.tensors.front().index.sizes());
  for (const TensorAt& t : r.tensors) index_shape = broadcast_shapes(index_shape, t.index.sizes(), op, "indices");
  DimVector order;
  std::vector<bool> indexed(static_cast<size_t>(view.dim()), false);
  bool adjacent = true;
  Tensor flat;
  int64_t indexed_numel = 1;
  for (const TensorAt& t : r.tensors) {
    adjacent = adjacent && (order.empty() || t.dim == IntArrayRef(order).back() + 1);
    order.push_back(t.dim);
    indexed[t.dim] = true;
    const int64_t size = view.size(t.dim);
    const Tensor index = t.index.to(DType::Int64);
    check_in_range(op, index, t.dim, size);
    // Wrapped into [0, size); row-major, so the earlier dimensions weigh more (Horner's scheme).
    const Tensor wrapped = index.remainder(size);
    flat = flat.defined() ? flat * size + wrapped : wrapped;
    indexed_numel *= size;
  }
  DimVector rest;
  for (int64_t d = 0; d < view.dim(); ++d) {
    if (indexed[d]) continue;
    order.push_back(d);
    rest.push_back(view.size(d));
  }
  return {view.permute(order), flat.expand(index_shape).reshape({-1}), indexed_numel, index_shape, rest,
          adjacent ? r.tensors.front().dim : 0};
}

// `base` with `inserted` placed before its element `at`.
DimVector spliced(IntArrayRef base, int64_t at, IntArrayRef inserted) {
  DimVector out(IntArrayRef(base.data(), static_cast<size_t>(at)));
  for (int64_t s : inserted) out.push_back(s);
  for (size_t i = static_cast<size_t>(at); i < base.size(); ++i) out.push_back(base[i]);
  return out;
}

// Moves the `count` dimensions starting at `from` to start at `to`.
Tensor move_dims(const Tensor& t, size_t count, int64_t from, int64_t to) {
  if (from == to || count == 0) return t;
  DimVector source(count), destination(count);
  std::iota(source.begin(), source.end(), from);
  std::iota(destination.begin(), destination.end(), to);
  return t.movedim(source, destination);
}

// The shape index() gives: the index shape among the other dimensions.
DimVector result_shape(const Flattened& f) { return spliced(f.rest, f.insert_at, f.index_shape); }

// The front view's shape with the indexed dimensions as one.
DimVector flat_shape(const Flattened& f) { return spliced(f.rest, 0, f.indexed_numel); }

}  // namespace

Tensor Tensor::index(ArrayRef<TensorIndex> indices) const {
  const BasicIndexed r = apply_basic_indices("index", *this, indices);
  if (r.tensors.empty()) return r.view;
  const Flattened f = flatten_indexed("index", r);
  const Tensor gathered = f.front.reshape(flat_shape(f)).index_select(0, f.flat_index);
  return move_dims(gathered.view(spliced(f.rest, 0, f.index_shape)), f.index_shape.size(), 0, f.insert_at);
}

Tensor Tensor::index_put_(ArrayRef<TensorIndex> indices, const Tensor& values, bool accumulate) const {
  EMBER_CHECK(values.defined(), "[index_put_] values: expected a defined tensor, got an undefined one");
  const BasicIndexed r = apply_basic_indices("index_put_", *this, indices);
  const Tensor source = values.to(device()).to(dtype());
  if (r.tensors.empty()) {
    const DimVector shape = broadcast_shapes(r.view.sizes(), source.sizes(), "index_put_", "values");
    EMBER_CHECK(r.view.sizes().equals(shape), "[index_put_] values: shape {} does not broadcast to the indexed shape {}",
                shape_str(values.sizes()), shape_str(r.view.sizes()));
    accumulate ? r.view.add_(source) : r.view.copy_(source);
    return *this;
  }
  const Flattened f = flatten_indexed("index_put_", r);
  const DimVector shape = result_shape(f);
  EMBER_CHECK(IntArrayRef(broadcast_shapes(shape, source.sizes(), "index_put_", "values")).equals(shape),
              "[index_put_] values: shape {} does not broadcast to the indexed shape {}", shape_str(values.sizes()),
              shape_str(shape));
  const Tensor rows = move_dims(source.expand(shape), f.index_shape.size(), f.insert_at, 0)
                          .reshape(spliced(f.rest, 0, f.flat_index.numel()));
  // Written in place where the front view can be flattened as a view; through a copy otherwise.
  const Tensor target = f.front.reshape(flat_shape(f));
  const bool is_view = target.impl()->storage().get() == f.front.impl()->storage().get();
  accumulate ? target.index_add_(0, f.flat_index, rows) : target.index_copy_(0, f.flat_index, rows);
  if (!is_view) f.front.copy_(target.view(f.front.sizes()));
  return *this;
}

Tensor Tensor::index_put_(ArrayRef<TensorIndex> indices, const Scalar& value) const {
  return index_put_(indices, scalar_tensor(value, dtype(), device()));
}

}  // namespace ember
