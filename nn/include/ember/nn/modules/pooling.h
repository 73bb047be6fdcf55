// MaxPool1d and AvgPool1d over [N, C, L] (or [C, L]); MaxPool2d, AvgPool2d and AdaptiveAvgPool2d
// over [N, C, H, W] (or [C, H, W]); MaxPool3d and AvgPool3d over [N, C, D, H, W] (or [C, D, H, W]).
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// A pooling layer: a kernel size and the options of its functional form `Pool`.
template <typename Kernel, typename Options, Tensor (*Pool)(const Tensor&, Kernel, Options)>
class PoolLayer : public UnaryModule {
 public:
  PoolLayer(const char* type_name, Kernel kernel_size, Options options)
      : UnaryModule(type_name), kernel_size(kernel_size), options(options) {}
  Tensor forward(const Tensor& input) override { return Pool(input, kernel_size, options); }

  const Kernel kernel_size;
  const Options options;
};

class MaxPool1d final : public PoolLayer<int64_t, functional::MaxPool1dOptions, &functional::max_pool1d> {
 public:
  explicit MaxPool1d(int64_t kernel_size, functional::MaxPool1dOptions options = {})
      : PoolLayer("MaxPool1d", kernel_size, options) {}

 private:
  std::string extra_repr() const override;
};

class AvgPool1d final : public PoolLayer<int64_t, functional::AvgPool1dOptions, &functional::avg_pool1d> {
 public:
  explicit AvgPool1d(int64_t kernel_size, functional::AvgPool1dOptions options = {})
      : PoolLayer("AvgPool1d", kernel_size, options) {}

 private:
  std::string extra_repr() const override;
};

class MaxPool2d final : public PoolLayer<functional::Pair, functional::MaxPool2dOptions, &functional::max_pool2d> {
 public:
  explicit MaxPool2d(functional::Pair kernel_size, functional::MaxPool2dOptions options = {})
      : PoolLayer("MaxPool2d", kernel_size, options) {}

 private:
  std::string extra_repr() const override;
};

// Padded positions count as zeros in the mean (PyTorch's count_include_pad=true).
class AvgPool2d final : public PoolLayer<functional::Pair, functional::AvgPool2dOptions, &functional::avg_pool2d> {
 public:
  explicit AvgPool2d(functional::Pair kernel_size, functional::AvgPool2dOptions options = {})
      : PoolLayer("AvgPool2d", kernel_size, options) {}

 private:
  std::string extra_repr() const override;
};

class MaxPool3d final : public PoolLayer<functional::Triple, functional::MaxPool3dOptions, &functional::max_pool3d> {
 public:
  explicit MaxPool3d(functional::Triple kernel_size, functional::MaxPool3dOptions options = {})
      : PoolLayer("MaxPool3d", kernel_size, options) {}

 private:
  std::string extra_repr() const override;
};

// Padded positions count as zeros in the mean (PyTorch's count_include_pad=true).
class AvgPool3d final : public PoolLayer<functional::Triple, functional::AvgPool3dOptions, &functional::avg_pool3d> {
 public:
  explicit AvgPool3d(functional::Triple kernel_size, functional::AvgPool3dOptions options = {})
      : PoolLayer("AvgPool3d", kernel_size, options) {}

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
