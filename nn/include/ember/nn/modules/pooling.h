// MaxPool2d, AvgPool2d and AdaptiveAvgPool2d over [N, C, H, W] (or [C, H, W]).
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// A pooling layer: a kernel size and the options of its functional form `Pool`.
template <typename Options, Tensor (*Pool)(const Tensor&, functional::Pair, Options)>
class Pool2d : public UnaryModule {
 public:
  Pool2d(const char* type_name, functional::Pair kernel_size, Options options)
      : UnaryModule(type_name), kernel_size(kernel_size), options(options) {}
  Tensor forward(const Tensor& input) override { return Pool(input, kernel_size, options); }

  const functional::Pair kernel_size;
  const Options options;
};

class MaxPool2d final : public Pool2d<functional::MaxPool2dOptions, &functional::max_pool2d> {
 public:
  explicit MaxPool2d(functional::Pair kernel_size, functional::MaxPool2dOptions options = {})
      : Pool2d("MaxPool2d", kernel_size, options) {}

 private:
  std::string extra_repr() const override;
};

// Padded positions count as zeros in the mean (PyTorch's count_include_pad=true).
class AvgPool2d final : public Pool2d<functional::AvgPool2dOptions, &functional::avg_pool2d> {
 public:
  explicit AvgPool2d(functional::Pair kernel_size, functional::AvgPool2dOptions options = {})
      : Pool2d("AvgPool2d", kernel_size, options) {}

 private:
  std::string extra_repr() const override;
};

// The mean over an output_size grid of windows, whatever the input's height and width.
class AdaptiveAvgPool2d final : public UnaryModule {
 public:
  explicit AdaptiveAvgPool2d(functional::Pair output_size);
  Tensor forward(const Tensor& input) override { return functional::adaptive_avg_pool2d(input, output_size); }
  const functional::Pair output_size;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
