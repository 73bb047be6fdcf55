// MaxPool2d and AvgPool2d over [N, C, H, W] (or [C, H, W]).
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

class MaxPool2d final : public UnaryModule {
 public:
  explicit MaxPool2d(functional::Pair kernel_size, functional::MaxPool2dOptions options = {})
      : UnaryModule("MaxPool2d"), kernel_size(kernel_size), options(options) {}
  Tensor forward(const Tensor& input) override { return functional::max_pool2d(input, kernel_size, options); }

  const functional::Pair kernel_size;
  const functional::MaxPool2dOptions options;

 private:
  std::string extra_repr() const override;
};

class AvgPool2d final : public UnaryModule {
 public:
  explicit AvgPool2d(functional::Pair kernel_size, functional::AvgPool2dOptions options = {})
      : UnaryModule("AvgPool2d"), kernel_size(kernel_size), options(options) {}
  Tensor forward(const Tensor& input) override { return functional::avg_pool2d(input, kernel_size, options); }

  const functional::Pair kernel_size;
  const functional::AvgPool2dOptions options;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
