// Element access by index on host tensors (libtorch's TensorAccessor): t.accessor<float, 2>()
// gives a[i][j], walking the tensor's strides, so loops of one's own need no offset arithmetic.
// As libtorch's, indices are not checked and the accessor is valid while the tensor lives.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ember/core/array_ref.h"

namespace ember {

template <typename T, size_t N>
class TensorAccessor {
 public:
  TensorAccessor(T* data, const int64_t* sizes, const int64_t* strides) : data_(data), sizes_(sizes), strides_(strides) {}

  // a[i]: the accessor of one fewer dimension, or the element itself at the last.
  decltype(auto) operator[](int64_t i) const {
    if constexpr (N == 1) {
      return data_[i * strides_[0]];
    } else {
      return TensorAccessor<T, N - 1>(data_ + i * strides_[0], sizes_ + 1, strides_ + 1);
    }
  }
  int64_t size(size_t d) const { return sizes_[d]; }
  int64_t stride(size_t d) const { return strides_[d]; }
  IntArrayRef sizes() const { return {sizes_, N}; }
  IntArrayRef strides() const { return {strides_, N}; }
  T* data() const { return data_; }

 private:
  T* data_;
  const int64_t* sizes_;
  const int64_t* strides_;
};

}  // namespace ember
