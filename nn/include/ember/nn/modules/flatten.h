// Flatten merges dimensions start_dim..end_dim (by default all but the batch dimension);
// Unflatten splits one back.
#pragma once

#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

class Flatten final : public UnaryModule {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : UnaryModule("Flatten"), start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) override;
  const int64_t start_dim, end_dim;

 private:
  std::string extra_repr() const override;
};

// Dimension `dim` split into `unflattened_size` (one entry may be -1, inferred), a view where
// the strides allow: Flatten's inverse.
class Unflatten final : public UnaryModule {
 public:
  Unflatten(int64_t dim, std::vector<int64_t> unflattened_size)
      : UnaryModule("Unflatten"), dim(dim), unflattened_size(std::move(unflattened_size)) {}
  Tensor forward(const Tensor& input) override { return input.unflatten(dim, unflattened_size); }
  const int64_t dim;
  const std::vector<int64_t> unflattened_size;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
