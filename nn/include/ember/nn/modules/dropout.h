// Dropout: zeroes elements with probability p in training; the identity in evaluation.
#pragma once

#include "ember/nn/module.h"

namespace ember::nn {

class Dropout final : public UnaryModule {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& input) override;
  const double p;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
