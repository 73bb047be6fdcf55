// Conv2d over [N, C, H, W] (or [C, H, W]) images; oneDNN's convolution on the CPU.
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

class Conv2d : public UnaryModule {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
         functional::Conv2dOptions options = {}, bool bias = true);
  Tensor forward(const Tensor& input) override;

  Tensor weight;  // [out_channels, in_channels / groups, kH, kW]
  Tensor bias;    // [out_channels], undefined without bias
  const functional::Conv2dOptions options;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
