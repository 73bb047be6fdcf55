// A vector of trivially copyable elements that keeps up to N of them inline. Sizes and strides
// live here so that a tensor of up to six dimensions costs no extra allocation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ember/core/array_ref.h"

namespace ember {

template <typename T, size_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  SmallVector() = default;
  SmallVector(ArrayRef<T> values) { assign(values); }
  SmallVector(std::initializer_list<T> values) { assign(ArrayRef<T>(values)); }
  SmallVector(size_t count, T value) {
    resize(count);
    std::fill(begin(), end(), value);
  }
  SmallVector(const SmallVector& other) { assign(other); }
  SmallVector& operator=(const SmallVector& other) {
    if (this != &other) assign(other);
    return *this;
  }
  ~SmallVector() {
    if (data_ != inline_) delete[] data_;
  }

  // Element by element: shapes are a handful of values, where a memmove call costs more.
  void assign(ArrayRef<T> values) {
    resize(values.size());
    const T* src = values.data();
    if (src + values.size() <= data_ || src >= data_ + values.size()) {
      for (size_t i = 0; i < values.size(); ++i) data_[i] = src[i];
    } else {
      std::memmove(data_, src, values.size() * sizeof(T));
    }
  }
  void resize(size_t count) {
    reserve(count);
    size_ = count;
  }
  void reserve(size_t count) {
    if (count <= capacity_) return;
    T* grown = new T[count];
    std::memcpy(grown, data_, size_ * sizeof(T));
    if (data_ != inline_) delete[] data_;
    data_ = grown;
    capacity_ = count;
  }
  void push_back(T value) {
    if (size_ == capacity_) reserve(capacity_ * 2);
    data_[size_++] = value;
  }
  void insert(size_t pos, T value) {
    push_back(value);
    std::rotate(begin() + pos, end() - 1, end());
  }
  void erase(size_t pos) {
    std::move(begin() + pos + 1, end(), begin() + pos);
    --size_;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  operator ArrayRef<T>() const { return ArrayRef<T>(data_, size_); }
  ArrayRef<T> ref() const { return ArrayRef<T>(data_, size_); }

 private:
  T inline_[N];
  T* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = N;
};

using DimVector = SmallVector<int64_t, 6>;

}  // namespace ember
