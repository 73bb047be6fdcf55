// cat and stack: one allocation, then one copy_ per input into its slice of the result (or,
// while autograd records, a chain of index_add, which it can differentiate); NumPy's stacks
// (hstack, vstack, dstack, column_stack) as cat of reshaped inputs.
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

bool records_gradients(TensorList tensors) {
  if (!autograd::grad_mode_enabled()) return false;
  for (const Tensor& t : tensors) {
    if (t.requires_grad()) return true;
  }
  return false;
}

}  // namespace

Tensor cat(TensorList tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "[cat] tensors: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  EMBER_CHECK(first.dim() > 0, "[cat] tensors[0]: zero-dimensional tensors cannot be concatenated");
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  DType dtype = first.dtype();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.dim() == first.dim(), "[cat] tensors[{}]: expected {} dimensions, got {}", i, first.dim(), t.dim());
    EMBER_CHECK(t.device() == first.device(), "[cat] tensors[{}]: expected a tensor on {}, got {}", i,
                first.device().str(), t.device().str());
    for (int64_t k = 0; k < t.dim(); ++k) {
      EMBER_CHECK(k == d || t.sizes()[k] == first.sizes()[k],
                  "[cat] tensors[{}]: expected size {} at dimension {}, got {}", i, first.sizes()[k], k,
                  t.sizes()[k]);
    }
    dtype = promote_types(dtype, t.dtype());
    total += t.sizes()[d];
  }
  DimVector shape(first.sizes());
  shape[d] = total;
  if (records_gradients(tensors)) {
    // Each piece added at its positions: built from differentiable operators, so autograd
    // records the concatenation. Copying into slices in place would not be.
    Tensor out = ember::zeros(shape, dtype, first.device());
    int64_t offset = 0;
    for (const Tensor& t : tensors) {
      const int64_t n = t.sizes()[d];
      out = index_add(out, d, arange(offset, offset + n, 1, DType::Int64, first.device()), t.to(dtype));
      offset += n;
    }
    return out;
  }
  Tensor out = ember::empty(shape, dtype, first.device());
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    out.slice(d, offset, offset + t.sizes()[d]).copy_(t);
    offset += t.sizes()[d];
  }
  return out;
}

Tensor stack(TensorList tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "[stack] tensors: expected a non-empty list of tensors");
  const int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  expanded.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].sizes().equals(tensors[0].sizes()),
                "[stack] tensors[{}]: expected shape [{}], got [{}]", i, fmt::join(tensors[0].sizes(), ", "),
                fmt::join(tensors[i].sizes(), ", "));
    expanded.push_back(tensors[i].unsqueeze(d));
  }
  return ember::cat(expanded, d);
}

namespace {

// Each tensor through `shape`, then cat along `dim`: NumPy's stacks.
template <typename Shape>
Tensor cat_shaped(const char* op, TensorList tensors, int64_t dim, Shape shape) {
  EMBER_CHECK(!tensors.empty(), "[{}] tensors: expected a non-empty list of tensors", op);
  std::vector<Tensor> shaped;
  for (const Tensor& t : tensors) shaped.push_back(shape(t));
  return ember::cat(shaped, dim);
}

}  // namespace

Tensor hstack(TensorList tensors) {
  const bool vectors = !tensors.empty() && tensors[0].dim() <= 1;
  return cat_shaped("hstack", tensors, vectors ? 0 : 1, [](const Tensor& t) { return ember::atleast_1d(t); });
}

Tensor vstack(TensorList tensors) {
  return cat_shaped("vstack", tensors, 0, [](const Tensor& t) { return ember::atleast_2d(t); });
}

Tensor row_stack(TensorList tensors) { return ember::vstack(tensors); }

Tensor dstack(TensorList tensors) {
  return cat_shaped("dstack", tensors, 2, [](const Tensor& t) { return ember::atleast_3d(t); });
}

// Vectors (and scalars) become columns [n, 1]; matrices join as they are.
Tensor column_stack(TensorList tensors) {
  return cat_shaped("column_stack", tensors, 1, [](const Tensor& t) { return t.dim() <= 1 ? t.reshape({-1, 1}) : t; });
}

}  // namespace ember::composite
