// PyTorch's indexing for C++ (libtorch's torch::indexing): what t[...] takes in Python, written
// t.index({...}) and t.index_put_({...}, values):
//
//   Python                      Ember
//   t[0, 1:, None]              t.index({0, Slice(1, None), None})
//   t[..., ::2]                 t.index({Ellipsis, Slice(None, None, 2)})
//   t[mask]                     t.index({mask})
//   t[idx, :] = 0               t.index_put_({idx, Slice()}, 0)
//
// Integers select (the dimension goes), slices narrow with a positive step, None inserts a
// dimension of size 1, Ellipsis stands for the dimensions no other index names, and bools add a
// dimension of size 1 (true) or 0 (false). Index tensors (int64 or int32, negative counting from
// the end, or bool masks, one per dimension they cover) follow NumPy's advanced indexing: they
// broadcast together, and the result has their shape where the indexed dimensions were when those
// are adjacent, in front otherwise.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <variant>

#include "ember/core/tensor.h"

namespace ember::indexing {

inline constexpr std::nullopt_t None = std::nullopt;

struct EllipsisIndexType {};
inline constexpr EllipsisIndexType Ellipsis{};

// start:stop:step, each end optional as in Python (None for open).
struct Slice {
  Slice(std::optional<int64_t> start = None, std::optional<int64_t> stop = None, std::optional<int64_t> step = None)
      : start(start), stop(stop), step(step.value_or(1)) {}
  std::optional<int64_t> start, stop;
  int64_t step;
};

class TensorIndex {
 public:
  TensorIndex(std::nullopt_t) : value_(std::nullopt) {}
  TensorIndex(EllipsisIndexType) : value_(Ellipsis) {}
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  TensorIndex(I integer) : value_(static_cast<int64_t>(integer)) {}
  TensorIndex(bool flag) : value_(flag) {}
  TensorIndex(Slice slice) : value_(slice) {}
  TensorIndex(Tensor tensor) : value_(std::move(tensor)) {}

  bool is_none() const { return std::holds_alternative<std::nullopt_t>(value_); }
  bool is_ellipsis() const { return std::holds_alternative<EllipsisIndexType>(value_); }
  bool is_integer() const { return std::holds_alternative<int64_t>(value_); }
  bool is_boolean() const { return std::holds_alternative<bool>(value_); }
  bool is_slice() const { return std::holds_alternative<Slice>(value_); }
  bool is_tensor() const { return std::holds_alternative<Tensor>(value_); }

  int64_t integer() const { return std::get<int64_t>(value_); }
  bool boolean() const { return std::get<bool>(value_); }
  const Slice& slice() const { return std::get<Slice>(value_); }
  const Tensor& tensor() const { return std::get<Tensor>(value_); }

 private:
  using Value = std::variant<int64_t, bool, Slice, Tensor, std::nullopt_t, EllipsisIndexType>;
  Value value_;
};

}  // namespace ember::indexing
