// Linear: y = x W^T + b; Bilinear: y = x1^T W x2 + b; initialised as PyTorch does (uniform in
// +-1/sqrt(in_features), of the first input for Bilinear).
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

class Bilinear : public Module {
 public:
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& input1, const Tensor& input2);
  Tensor operator()(const Tensor& input1, const Tensor& input2) { return forward(input1, input2); }

  Tensor weight;  // [out_features, in1_features, in2_features]
  Tensor bias;    // [out_features], undefined without bias

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
