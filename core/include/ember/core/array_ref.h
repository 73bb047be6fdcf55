// A non-owning view of contiguous elements that also binds to braced lists: f({2, 3}).
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <vector>

namespace ember {

template <typename T>
class ArrayRef {
 public:
  constexpr ArrayRef() = default;
  constexpr ArrayRef(const T& one) : data_(&one), size_(1) {}
  constexpr ArrayRef(const T* data, size_t size) : data_(data), size_(size) {}
  // The list must outlive the ArrayRef: fine for arguments, never for members.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  constexpr ArrayRef(std::initializer_list<T> list) : data_(list.begin()), size_(list.size()) {}
#pragma GCC diagnostic pop
  template <typename A>
  ArrayRef(const std::vector<T, A>& v) : data_(v.data()), size_(v.size()) {}
  template <size_t N>
  constexpr ArrayRef(const std::array<T, N>& a) : data_(a.data()), size_(N) {}

  constexpr const T* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const T* begin() const { return data_; }
  constexpr const T* end() const { return data_ + size_; }
  constexpr const T& operator[](size_t i) const { return data_[i]; }
  constexpr const T& back() const { return data_[size_ - 1]; }
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }
  bool equals(ArrayRef other) const {
    if (size_ != other.size_) return false;
    for (size_t i = 0; i < size_; ++i) {
      if (!(data_[i] == other.data_[i])) return false;
    }
    return true;
  }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};

using IntArrayRef = ArrayRef<int64_t>;

// An optional list of ints that also accepts one int, as libtorch's does: x.sum(1), x.sum({0, 2}),
// x.sum(std::nullopt). Like ArrayRef, it borrows.
class OptionalIntArrayRef {
 public:
  OptionalIntArrayRef() = default;
  OptionalIntArrayRef(std::nullopt_t) {}
  OptionalIntArrayRef(IntArrayRef values) : value_(values) {}
  OptionalIntArrayRef(const int64_t& one) : value_(IntArrayRef(one)) {}
  OptionalIntArrayRef(std::initializer_list<int64_t> list) : value_(IntArrayRef(list)) {}
  template <typename A>
  OptionalIntArrayRef(const std::vector<int64_t, A>& v) : value_(IntArrayRef(v)) {}

  bool has_value() const { return value_.has_value(); }
  explicit operator bool() const { return value_.has_value(); }
  const IntArrayRef& operator*() const { return *value_; }
  const IntArrayRef* operator->() const { return &*value_; }

 private:
  std::optional<IntArrayRef> value_;
};

}  // namespace ember
