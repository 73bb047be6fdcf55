// Views: new geometry over the same storage. Registered CompositeExplicit (valid on every
// device, metadata only); reshape is implicit (a view when possible, else a copy).
#include <algorithm>
#include <numeric>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

// Resolves one -1 in `size` from the number of elements.
DimVector infer_size(IntArrayRef size, int64_t numel, const char* op) {
  DimVector out(size);
  int64_t known = 1;
  int infer_at = -1;
  for (size_t i = 0; i < size.size(); ++i) {
    if (size[i] == -1) {
      EMBER_CHECK(infer_at < 0, "[{}] size: only one dimension can be -1, got {}", op, shape_str(size));
      infer_at = static_cast<int>(i);
    } else {
      EMBER_CHECK(size[i] >= 0, "[{}] size: invalid size {} in {}", op, size[i], shape_str(size));
      EMBER_CHECK(!__builtin_mul_overflow(known, size[i], &known), "[{}] size: shape {} has more elements than int64 counts",
                  op, shape_str(size));
    }
  }
  if (infer_at >= 0) {
    EMBER_CHECK(known != 0 && numel % known == 0, "[{}] size: shape {} is invalid for {} elements", op,
                shape_str(size), numel);
    out[infer_at] = numel / known;
  } else {
    EMBER_CHECK(known == numel, "[{}] size: shape {} is invalid for input of {} elements", op,
                shape_str(size), numel);
  }
  return out;
}

// Strides that let `new_size` view memory laid out as (sizes, strides), or nothing when the
// layout cannot be viewed that way (dimensions that are merged must be contiguous together).
std::optional<DimVector> view_strides(IntArrayRef sizes, IntArrayRef strides, IntArrayRef new_size) {
  DimVector out(new_size.size(), 0);
  // Without elements there is no layout to keep: any shape of zero elements views it, with the
  // tensor's own strides for its own shape and contiguous ones otherwise.
  if (std::find(sizes.begin(), sizes.end(), 0) != sizes.end()) {
    if (sizes.equals(new_size)) return DimVector(strides);
    contiguous_strides(new_size, out.data());
    return out;
  }
  if (sizes.empty()) {
    for (auto& s : out) s = 1;
    return out;
  }
  int64_t view_d = static_cast<int64_t>(new_size.size()) - 1;
  int64_t chunk_base_stride = strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_size[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_size[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

// Errors name `op`: mT, mH and adjoint are the same view of real tensors.
Tensor matrices_transposed(const char* op, const Tensor& self) {
  EMBER_CHECK(self.dim() >= 2, "[{}] self: expected a matrix or a batch of them (2 or more dimensions), got shape {}",
              op, shape_str(self.sizes()));
  return self.transpose(-2, -1);
}

}  // namespace

Tensor view(const Tensor& self, IntArrayRef size) {
  const DimVector shape = infer_size(size, self.numel(), "view");
  const auto strides = view_strides(self.sizes(), self.strides(), shape);
  EMBER_CHECK(strides.has_value(),
              "[view] size: shape {} is not compatible with the input's size {} and stride {} "
              "(at least one dimension spans two contiguous subspaces); use .reshape(...) instead",
              shape_str(shape), shape_str(self.sizes()), shape_str(self.strides()));
  return make_view(self, shape, *strides, self.storage_offset());
}

// Equal widths keep the geometry. A narrower dtype splits each element of the contiguous last
// dimension into `ratio` (every other stride and the offset scale with it); a wider one joins
// `ratio` of them, which needs the last size, the other strides and the offset to divide evenly.
// Quantized values mean nothing without their scale, and only bools are bools: other bytes would
// be values a bool cannot hold.
Tensor view_dtype(const Tensor& self, DType dtype) {
  EMBER_CHECK(!is_quantized(self.dtype()) && !is_quantized(dtype), "[view] dtype: quantized tensors have no view as "
              "another dtype, got {} as {}", dtype_name(self.dtype()), dtype_name(dtype));
  EMBER_CHECK(dtype != DType::Bool || self.dtype() == DType::Bool, "[view] dtype: only bool tensors can be viewed as "
              "bool (other bytes are not bools), got {}", dtype_name(self.dtype()));
  const int64_t from = static_cast<int64_t>(itemsize(self.dtype())), to = static_cast<int64_t>(itemsize(dtype));
  if (from == to) return make_view(self, self.sizes(), self.strides(), self.storage_offset(), dtype);
  EMBER_CHECK(self.dim() > 0, "[view] dtype: a 0-dim tensor can only be viewed as a dtype of its width ({} bytes), "
              "got {} ({} bytes)", from, dtype_name(dtype), to);
  const int64_t last = self.dim() - 1;
  EMBER_CHECK(self.strides()[last] == 1, "[view] dtype: the last dimension must be contiguous (stride 1) to view {} "
              "as {}, got stride {}", dtype_name(self.dtype()), dtype_name(dtype), self.strides()[last]);
  DimVector sizes(self.sizes()), strides(self.strides());
  int64_t offset = self.storage_offset();
  if (to < from) {
    const int64_t ratio = from / to;
    sizes[last] *= ratio;
    for (int64_t d = 0; d < last; ++d) strides[d] *= ratio;
    offset *= ratio;
  } else {
    const int64_t ratio = to / from;
    EMBER_CHECK(sizes[last] % ratio == 0, "[view] dtype: the last dimension's size {} must be a multiple of {} to view "
                "{} as {}", sizes[last], ratio, dtype_name(self.dtype()), dtype_name(dtype));
    EMBER_CHECK(offset % ratio == 0, "[view] dtype: the storage offset {} must be a multiple of {} to view {} as {}",
                offset, ratio, dtype_name(self.dtype()), dtype_name(dtype));
    for (int64_t d = 0; d < last; ++d) {
      EMBER_CHECK(strides[d] % ratio == 0, "[view] dtype: stride {} of dimension {} must be a multiple of {} to view "
                  "{} as {}", strides[d], d, ratio, dtype_name(self.dtype()), dtype_name(dtype));
      strides[d] /= ratio;
    }
    sizes[last] /= ratio;
    offset /= ratio;
  }
  return make_view(self, sizes, strides, offset, dtype);
}

Tensor reshape(const Tensor& self, IntArrayRef shape) {
  const DimVector size = infer_size(shape, self.numel(), "reshape");
  if (view_strides(self.sizes(), self.strides(), size)) return self.view(size);
  return self.clone().view(size);
}

Tensor permute(const Tensor& self, IntArrayRef dims) {
  const int64_t n = self.dim();
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == n, "[permute] dims: expected {} dimensions, got {}",
              n, dims.size());
  DimVector sizes(n, 0), strides(n, 0);
  std::vector<bool> seen(n, false);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t d = wrap_dim(dims[i], n, "permute");
    EMBER_CHECK(!seen[d], "[permute] dims: dimension {} repeats in {}", d, shape_str(dims));
    seen[d] = true;
    sizes[i] = self.sizes()[d];
    strides[i] = self.strides()[d];
  }
  return make_view(self, sizes, strides, self.storage_offset());
}

Tensor transpose_int(const Tensor& self, int64_t dim0, int64_t dim1) {
  const int64_t n = self.dim();
  if (n == 0) return make_view(self, {}, {}, self.storage_offset());
  DimVector order(n, 0);
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[wrap_dim(dim0, n, "transpose")], order[wrap_dim(dim1, n, "transpose")]);
  return composite::permute(self, order);
}

Tensor t(const Tensor& self) {
  EMBER_CHECK(self.dim() <= 2, "[t] self: expected at most 2 dimensions, got {}", shape_str(self.sizes()));
  return self.transpose(0, self.dim() == 2 ? 1 : 0);  // a view even of a vector
}

Tensor mT(const Tensor& self) { return matrices_transposed("mT", self); }
Tensor mH(const Tensor& self) { return matrices_transposed("mH", self); }
Tensor adjoint(const Tensor& self) { return matrices_transposed("adjoint", self); }

Tensor slice_Tensor(const Tensor& self, int64_t dim, std::optional<int64_t> start,
                    std::optional<int64_t> end, int64_t step) {
  EMBER_CHECK(self.dim() > 0, "[slice] self: cannot slice a 0-dim tensor");
  EMBER_CHECK(step > 0, "[slice] step: expected a positive step, got {}", step);
  const int64_t d = wrap_dim(dim, self.dim(), "slice");
  const int64_t n = self.sizes()[d];
  auto clamp_index = [n](int64_t i) {
    if (i < 0) i += n;
    return std::clamp<int64_t>(i, 0, n);
  };
  const int64_t from = clamp_index(start.value_or(0));
  const int64_t to = std::max(from, clamp_index(end.value_or(n)));
  DimVector sizes(self.sizes()), strides(self.strides());
  // Written so that no step overflows, however large `step`: past the first element it is less
  // than the dimension's size, so the new stride stays within the tensor's extent.
  sizes[d] = (to - from) / step + ((to - from) % step != 0);
  if (sizes[d] > 1) strides[d] *= step;
  return make_view(self, sizes, strides, self.storage_offset() + from * self.strides()[d]);
}

Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length) {
  EMBER_CHECK(self.dim() > 0, "[narrow] self: cannot narrow a 0-dim tensor");
  const int64_t d = wrap_dim(dim, self.dim(), "narrow");
  const int64_t n = self.sizes()[d];
  EMBER_CHECK(start >= -n && start <= n, "[narrow] start: expected a value in [{}, {}] for dimension {} of size {}, got {}",
              -n, n, d, n, start);
  const int64_t from = start < 0 ? start + n : start;
  EMBER_CHECK(length >= 0 && length <= n - from,
              "[narrow] length: expected a value in [0, {}] ({} elements of dimension {} from {}), got {}", n - from, n,
              d, from, length);
  return self.slice(d, from, from + length);  // through the dispatcher, so that autograd records it
}

Tensor select_int(const Tensor& self, int64_t dim, int64_t index) {
  EMBER_CHECK(self.dim() > 0, "[select] self: cannot select from a 0-dim tensor");
  const int64_t d = wrap_dim(dim, self.dim(), "select");
  const int64_t n = self.sizes()[d];
  EMBER_CHECK(index >= -n && index < n, "[select] index: {} is out of range for dimension {} of size {}",
              index, d, n);
  const int64_t i = index < 0 ? index + n : index;
  DimVector sizes(self.sizes()), strides(self.strides());
  sizes.erase(d);
  strides.erase(d);
  return make_view(self, sizes, strides, self.storage_offset() + i * self.strides()[d]);
}

Tensor expand(const Tensor& self, IntArrayRef size) {
  const int64_t n = static_cast<int64_t>(size.size());
  EMBER_CHECK(n >= self.dim(), "[expand] size: expected at least {} dimensions, got {}", self.dim(), n);
  DimVector sizes(n, 0), strides(n, 0);
  for (int64_t i = n - 1, j = self.dim() - 1; i >= 0; --i, --j) {
    const int64_t have = j >= 0 ? self.sizes()[j] : 1;
    const int64_t want = size[i] == -1 ? have : size[i];
    EMBER_CHECK(j >= 0 || size[i] != -1, "[expand] size: -1 is not allowed in a new leading dimension");
    EMBER_CHECK(have == want || have == 1,
                "[expand] size: the expanded size {} must match the existing size {} at dimension {}",
                want, have, i);
    sizes[i] = want;
    strides[i] = (j >= 0 && have == want) ? self.strides()[j] : 0;
  }
  // Expanded views cost nothing to make, so a negative size or one past int64 is refused here.
  checked_numel(sizes, "expand");
  return make_view(self, sizes, strides, self.storage_offset());
}

Tensor unsqueeze(const Tensor& self, int64_t dim) {
  const int64_t d = wrap_dim(dim, self.dim() + 1, "unsqueeze");
  DimVector sizes(self.sizes()), strides(self.strides());
  const int64_t stride = d < self.dim() ? self.sizes()[d] * self.strides()[d] : 1;
  sizes.insert(d, 1);
  strides.insert(d, stride);
  return make_view(self, sizes, strides, self.storage_offset());
}

Tensor diagonal(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t n = self.dim();
  EMBER_CHECK(n >= 2, "[diagonal] self: expected at least 2 dimensions, got {}", n);
  const int64_t d1 = wrap_dim(dim1, n, "diagonal"), d2 = wrap_dim(dim2, n, "diagonal");
  EMBER_CHECK(d1 != d2, "[diagonal] dim2: expected a dimension other than dim1 ({}), got {}", dim1, dim2);
  // Above the main diagonal the columns start at `offset`, below it the rows at -offset; an
  // offset past either side leaves an empty diagonal (compared before negating: INT64_MIN).
  const int64_t rows = self.size(d1), cols = self.size(d2);
  int64_t length = 0, start = self.storage_offset();
  if (offset >= 0 && offset < cols) {
    length = std::min(rows, cols - offset);
    start += offset * self.strides()[d2];
  } else if (offset < 0 && offset > -rows) {
    length = std::min(rows + offset, cols);
    start -= offset * self.strides()[d1];
  }
  DimVector sizes, strides;
  for (int64_t d = 0; d < n; ++d) {
    if (d == d1 || d == d2) continue;
    sizes.push_back(self.size(d));
    strides.push_back(self.strides()[d]);
  }
  sizes.push_back(length);
  strides.push_back(self.strides()[d1] + self.strides()[d2]);
  return make_view(self, sizes, strides, length > 0 ? start : self.storage_offset());
}

Tensor squeeze_dim(const Tensor& self, int64_t dim) {
  if (self.dim() == 0) return make_view(self, {}, {}, self.storage_offset());
  const int64_t d = wrap_dim(dim, self.dim(), "squeeze");
  if (self.sizes()[d] != 1) return make_view(self, self.sizes(), self.strides(), self.storage_offset());
  DimVector sizes(self.sizes()), strides(self.strides());
  sizes.erase(d);
  strides.erase(d);
  return make_view(self, sizes, strides, self.storage_offset());
}

Tensor swapaxes(const Tensor& self, int64_t axis0, int64_t axis1) { return self.transpose(axis0, axis1); }
Tensor swapdims(const Tensor& self, int64_t dim0, int64_t dim1) { return self.transpose(dim0, dim1); }
Tensor view_as(const Tensor& self, const Tensor& other) { return self.view(other.sizes()); }
Tensor expand_as(const Tensor& self, const Tensor& other) { return self.expand(other.sizes()); }
Tensor reshape_as(const Tensor& self, const Tensor& other) { return self.reshape(other.sizes()); }

}  // namespace ember::composite

namespace ember {

Tensor Tensor::operator[](int64_t index) const { return select(0, index); }

}  // namespace ember
