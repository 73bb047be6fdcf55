// Tensor: a reference-counted handle to a TensorImpl. Copies share the same data; operators
// live in the generated methods below and in the free functions of ember/ops.h.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/core/array_ref.h"
#include "ember/core/error.h"
#include "ember/core/scalar.h"
#include "ember/core/tensor_accessor.h"
#include "ember/core/tensor_impl.h"

namespace ember {

namespace autograd {
class Node;
}
namespace indexing {
class TensorIndex;  // ember/indexing.h
}

class Tensor;
using TensorList = ArrayRef<Tensor>;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(IntrusivePtr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  const IntrusivePtr<TensorImpl>& impl_ptr() const { return impl_; }

  // An undefined tensor (default-constructed) has none of these: asking throws.
  DType dtype() const { return defined_impl("dtype").dtype(); }
  Device device() const { return defined_impl("device").device(); }
  int64_t dim() const { return defined_impl("dim").dim(); }
  int64_t numel() const { return defined_impl("numel").numel(); }
  IntArrayRef sizes() const { return defined_impl("sizes").sizes(); }
  IntArrayRef strides() const { return defined_impl("strides").strides(); }
  // Size of dimension `d`; negative `d` counts from the end. A 0-dim tensor has none.
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t storage_offset() const { return defined_impl("storage_offset").storage_offset(); }
  bool is_contiguous() const { return defined_impl("is_contiguous").is_contiguous(); }
  DispatchKeySet key_set() const { return defined_impl("key_set").key_set(); }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // Pointer to the first element; the tensor must live in host-accessible memory and hold T.
  template <typename T>
  T* data_ptr() const {
    check_host_data(dtype_of<T>(), "data_ptr");
    return static_cast<T*>(impl_->storage()->data()) + impl_->storage_offset();
  }
  // a[i][j] over a host tensor of N dimensions holding T (const T to read only); see tensor_accessor.h.
  template <typename T, size_t N>
  TensorAccessor<T, N> accessor() const {
    static_assert(N > 0, "accessor needs at least one dimension; item() reads a 0-dim tensor");
    using Element = std::remove_const_t<T>;
    check_host_data(dtype_of<Element>(), "accessor");
    EMBER_CHECK(dim() == static_cast<int64_t>(N), "[accessor] tensor: expected {} dimensions, got {}", N, dim());
    return TensorAccessor<T, N>(static_cast<Element*>(impl_->storage()->data()) + impl_->storage_offset(),
                                sizes().data(), strides().data());
  }
  // Untyped pointer to the first element, on whatever device holds it.
  void* raw_data() const;
  // The value of a one-element tensor, copied to the host if needed.
  Scalar item() const;
  template <typename T>
  T item() const;

  std::string str() const;

  // Autograd (defined in autograd/): see autograd/README.md.
  // Marks this leaf tensor as one whose gradient backward() accumulates into grad().
  const Tensor& requires_grad_(bool requires_grad = true) const;
  bool requires_grad() const;
  // The gradient accumulated into this leaf (or non-leaf that retains grad) by backward();
  // undefined before the first.
  Tensor grad() const;
  // Makes backward() keep this non-leaf's gradient in grad(), accumulating as a leaf's does
  // (a no-op on leaves, which always do).
  void retain_grad() const;
  bool retains_grad() const;
  // Replaces or clears (with an undefined tensor) the accumulated gradient.
  void set_grad(const Tensor& grad) const;
  // The node that produced this tensor, or null for leaves and tensors outside autograd.
  std::shared_ptr<autograd::Node> grad_fn() const;
  bool is_leaf() const;
  // Computes the gradients of this tensor with respect to the leaves that require grad.
  // With `inputs`, only their grad() is accumulated (non-leaves included), and only the part of
  // the graph that leads to them runs.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false, bool create_graph = false,
                const std::vector<Tensor>& inputs = {}) const;
  // The same data, cut from the graph: never requires grad.
  Tensor detach() const;
  // Calls `hook` with this tensor's gradient whenever backward computes it; a defined return
  // value replaces the gradient. Leaves run hooks before accumulating into grad().
  void register_hook(std::function<Tensor(const Tensor&)> hook) const;

  // t[i]: the view select(0, i), as in PyTorch (a negative i counts from the end).
  Tensor operator[](int64_t index) const;
  // PyTorch's t[...] (libtorch's Tensor::index): integers, Slice, None, Ellipsis, bools and
  // index tensors (int64, int32 or bool), as in ember/indexing.h. Without index tensors the
  // result is a view.
  Tensor index(ArrayRef<indexing::TensorIndex> indices) const;
  // t[...] = values (broadcast to what index() would return, cast to this tensor's dtype), or
  // t[...] += values with `accumulate`, where repeated indices add up. Returns this tensor.
  Tensor index_put_(ArrayRef<indexing::TensorIndex> indices, const Tensor& values, bool accumulate = false) const;
  Tensor index_put_(ArrayRef<indexing::TensorIndex> indices, const Scalar& value) const;

#include "ember/generated/tensor_methods.inc"

 private:
  const TensorImpl& defined_impl(const char* what) const {
    if (__builtin_expect(!impl_, 0)) throw_undefined(what);
    return *impl_;
  }
  [[noreturn]] static void throw_undefined(const char* what);
  // Throws, naming `op`, unless the tensor is defined, holds `expected` and lives in host memory.
  void check_host_data(DType expected, const char* op) const;
  IntrusivePtr<TensorImpl> impl_;
};

template <> inline double Tensor::item<double>() const { return item().to_double(); }
template <> inline float Tensor::item<float>() const { return static_cast<float>(item().to_double()); }
template <> inline int64_t Tensor::item<int64_t>() const { return item().to_int(); }
template <> inline bool Tensor::item<bool>() const { return item().to_bool(); }

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Wraps a new TensorImpl over `storage`. Dispatch keys start as the device's backend bit.
Tensor make_tensor(Storage storage, DType dtype, IntArrayRef sizes, IntArrayRef strides,
                   int64_t offset);
// Allocates an uninitialised contiguous tensor on `device` without dispatching (the kernel
// behind ember::empty, and the allocator of structured outputs).
Tensor empty_on(IntArrayRef sizes, DType dtype, Device device);
// A view of `base`'s storage with new geometry (it shares base's bytes and version counter) that
// remembers the root of its chain of views, so in-place changes to it can reach the root's history.
Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
// The same, its bytes read as `dtype` (offset in its elements).
Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset, DType dtype);
// The same bytes with new geometry, remembering nothing (detach()).
Tensor make_alias(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
Tensor make_alias(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset, DType dtype);

// Wraps a negative dimension and checks its range: "[op] dim: expected in [-n, n-1], got d".
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
// A shape as error messages print it: "[2, 3]".
std::string shape_str(IntArrayRef sizes);

}  // namespace ember
