// Upsample: interpolate as a layer, as PyTorch's nn.Upsample (a size or a scale factor, and the mode).
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

class Upsample final : public UnaryModule {
 public:
  explicit Upsample(functional::InterpolateOptions options);
  Tensor forward(const Tensor& input) override;
  const functional::InterpolateOptions options;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
