// Linear: y = x W^T + b, initialised as PyTorch does (uniform in +-1/sqrt(in_features)).
#pragma once

#include "ember/nn/module.h"

namespace ember::nn {

class Linear : public UnaryModule {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& input) override;

  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features], undefined without bias

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
