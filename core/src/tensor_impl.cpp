#include "ember/core/tensor_impl.h"

#include <algorithm>
#include <cstdint>

#include "ember/core/error.h"

namespace ember {

int64_t checked_numel(IntArrayRef sizes, const char* op) {
  for (int64_t s : sizes) EMBER_CHECK(s >= 0, "[{}] size: expected non-negative sizes, got {}", op, s);
  // A size 0 anywhere makes no elements, however large the others multiply.
  if (std::find(sizes.begin(), sizes.end(), 0) != sizes.end()) return 0;
  int64_t numel = 1;
  for (int64_t s : sizes) {
    EMBER_CHECK(!__builtin_mul_overflow(numel, s, &numel), "[{}] size: the number of elements overflows int64", op);
  }
  return numel;
}

void contiguous_strides(IntArrayRef sizes, int64_t* out) {
  int64_t running = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    out[i] = running;
    // Only a shape without elements can multiply past int64 here (a size 0 elsewhere), and its
    // strides never address memory: they saturate rather than overflow.
    if (__builtin_mul_overflow(running, sizes[i] > 1 ? sizes[i] : 1, &running)) running = INT64_MAX;
  }
}

TensorImpl::TensorImpl(Storage storage, DType dtype, IntArrayRef sizes, IntArrayRef strides,
                       int64_t offset)
    : storage_(std::move(storage)),
      sizes_(sizes),
      strides_(strides),
      offset_(offset),
      key_set_(DispatchKeySet::backend(storage_->device().slot())),
      dtype_(dtype) {
  refresh_numel_and_contiguity();
}

TensorImpl::TensorImpl(Storage storage, DType dtype, IntArrayRef sizes, int64_t numel)
    : storage_(std::move(storage)),
      sizes_(sizes),
      numel_(numel),
      key_set_(DispatchKeySet::backend(storage_->device().slot())),
      dtype_(dtype) {
  strides_.resize(sizes.size());
  contiguous_strides(sizes, strides_.data());
}

void TensorImpl::set_sizes_and_strides(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  EMBER_ASSERT(sizes.size() == strides.size());
  sizes_.assign(sizes);
  strides_.assign(strides);
  offset_ = offset;
  refresh_numel_and_contiguity();
}

void TensorImpl::refresh_numel_and_contiguity() {
  // Without elements a tensor is contiguous (as PyTorch's), and its other sizes may multiply past
  // int64.
  if (std::find(sizes_.begin(), sizes_.end(), 0) != sizes_.end()) {
    numel_ = 0;
    is_contiguous_ = true;
    return;
  }
  numel_ = 1;
  for (int64_t s : sizes_) numel_ *= s;
  is_contiguous_ = true;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      is_contiguous_ = false;
      break;
    }
    expected *= sizes_[i];
  }
}

}  // namespace ember
