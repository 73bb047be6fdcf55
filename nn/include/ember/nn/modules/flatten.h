// Flatten: merges dimensions start_dim..end_dim (by default all but the batch dimension).
#pragma once

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

}  // namespace ember::nn
