// The state behind a Tensor handle: storage, shape, strides, dtype and dispatch keys.
#pragma once

#include <cstdint>
#include <memory>

#include "ember/core/autograd_meta.h"
#include "ember/core/block_pool.h"
#include "ember/core/dispatch_key_set.h"
#include "ember/core/dtype.h"
#include "ember/core/small_vector.h"
#include "ember/core/storage.h"

namespace ember {

struct Quantizer;

// Writes the row-major strides of `sizes` to `out` (as many): a dimension of size 0 or 1 steps
// as if it had size 1, as in PyTorch.
void contiguous_strides(IntArrayRef sizes, int64_t* out);

class TensorImpl : public RefCounted {
 public:
  TensorImpl(Storage storage, DType dtype, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
  // A contiguous tensor at offset 0: strides, numel and contiguity in one pass.
  TensorImpl(Storage storage, DType dtype, IntArrayRef sizes, int64_t numel);
  static void* operator new(size_t) { return detail::pool_allocate(detail::PoolClass::Large); }
  static void operator delete(void* p) { detail::pool_release(detail::PoolClass::Large, p); }

  const Storage& storage() const { return storage_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  IntArrayRef sizes() const { return sizes_; }
  IntArrayRef strides() const { return strides_; }
  int64_t storage_offset() const { return offset_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  bool is_contiguous() const { return is_contiguous_; }
  // For a tensor made by make_view: the tensor at the root of its chain of views (null otherwise).
  const IntrusivePtr<TensorImpl>& view_base() const { return view_base_; }
  bool is_view() const { return static_cast<bool>(view_base_); }
  void set_view_base(IntrusivePtr<TensorImpl> base) { view_base_ = std::move(base); }
  DispatchKeySet key_set() const { return key_set_; }

  // Replaces the shape and strides (views and resizes); the storage must already hold them.
  void set_sizes_and_strides(IntArrayRef sizes, IntArrayRef strides, int64_t offset);
  void add_keys(DispatchKeySet keys) { key_set_ = key_set_ | keys; }
  void remove_keys(DispatchKeySet keys) { key_set_ = key_set_ - keys; }

  // Bumped by every in-place write through this tensor or any view of its storage; autograd
  // compares it with the version it saved.
  uint32_t version() const { return storage_->version(); }
  void bump_version() { storage_->bump_version(); }

  // How a quantized tensor's integers map to reals; null for other tensors.
  const std::shared_ptr<const Quantizer>& quantizer() const { return quantizer_; }
  void set_quantizer(std::shared_ptr<const Quantizer> quantizer) { quantizer_ = std::move(quantizer); }

  // Autograd's state for this tensor; null for tensors autograd never saw.
  AutogradMetaInterface* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaInterface> meta) { autograd_meta_ = std::move(meta); }

 private:
  void refresh_numel_and_contiguity();

  Storage storage_;
  DimVector sizes_;
  DimVector strides_;
  int64_t offset_ = 0;
  int64_t numel_ = 0;
  DispatchKeySet key_set_;
  std::unique_ptr<AutogradMetaInterface> autograd_meta_;
  IntrusivePtr<TensorImpl> view_base_;
  std::shared_ptr<const Quantizer> quantizer_;
  DType dtype_;
  bool is_contiguous_ = true;
};
static_assert(sizeof(TensorImpl) <= detail::kPoolBlockSize[1]);

// The product of `sizes`; throws on overflow or a negative size.
int64_t checked_numel(IntArrayRef sizes, const char* op);

}  // namespace ember
