// MaxPool1d and AvgPool1d over [N, C, L] (or [C, L]); MaxPool2d and AvgPool2d over [N, C, H, W]
// (or [C, H, W]); MaxPool3d and AvgPool3d over [N, C, D, H, W] (or [C, D, H, W]); the adaptive
// average and max poolings over any of them; MaxUnpool1d, MaxUnpool2d and MaxUnpool3d.
#pragma once

#include <optional>
#include <string>
#include <type_traits>

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

// A size argument's values: one, or each of an array's.
template <typename Size>
IntArrayRef size_values(const Size& size) {
  if constexpr (std::is_integral_v<Size>) {
    return IntArrayRef(size);
  } else {
    return IntArrayRef(size.data(), size.size());
  }
}

// "kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)", "(2,)" in 1-D: every size a tuple, as
// PyTorch prints a MaxUnpool layer.
std::string unpool_repr(IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding);

// max_unpool1d, 2d or 3d as a layer: forward takes the pooled values and their indices, and an
// output size within a stride of the natural one where the pooled input's was ambiguous.
template <typename Size, typename Options, Tensor (*Unpool)(const Tensor&, const Tensor&, Size, Options)>
class UnpoolLayer : public Module {
 public:
  UnpoolLayer(const char* type_name, Size kernel_size, std::optional<Size> stride, Size padding)
      : Module(type_name), kernel_size(kernel_size), stride(stride), padding(padding) {}
  Tensor forward(const Tensor& input, const Tensor& indices, std::optional<Size> output_size = std::nullopt) {
    return Unpool(input, indices, kernel_size, {.stride = stride, .padding = padding, .output_size = output_size});
  }
  Tensor operator()(const Tensor& input, const Tensor& indices) { return forward(input, indices); }
  const Size kernel_size;
  const std::optional<Size> stride;
  const Size padding;

 private:
  std::string extra_repr() const override {
    return unpool_repr(size_values(kernel_size), size_values(stride.value_or(kernel_size)), size_values(padding));
  }
};

class MaxUnpool1d final : public UnpoolLayer<int64_t, functional::MaxUnpool1dOptions, &functional::max_unpool1d> {
 public:
  explicit MaxUnpool1d(int64_t kernel_size, std::optional<int64_t> stride = std::nullopt, int64_t padding = 0)
      : UnpoolLayer("MaxUnpool1d", kernel_size, stride, padding) {}
};

class MaxUnpool2d final
    : public UnpoolLayer<functional::Pair, functional::MaxUnpool2dOptions, &functional::max_unpool2d> {
 public:
  explicit MaxUnpool2d(functional::Pair kernel_size, std::optional<functional::Pair> stride = std::nullopt,
                       functional::Pair padding = {0, 0})
      : UnpoolLayer("MaxUnpool2d", kernel_size, stride, padding) {}
};

class MaxUnpool3d final
    : public UnpoolLayer<functional::Triple, functional::MaxUnpool3dOptions, &functional::max_unpool3d> {
 public:
  explicit MaxUnpool3d(functional::Triple kernel_size, std::optional<functional::Triple> stride = std::nullopt,
                       functional::Triple padding = {0, 0, 0})
      : UnpoolLayer("MaxUnpool3d", kernel_size, stride, padding) {}
};

// The p-norm over each window (power-average pooling); the stride is the kernel size unless given.
class LPPool1d final : public UnaryModule {
 public:
  LPPool1d(double norm_type, int64_t kernel_size, std::optional<int64_t> stride = std::nullopt, bool ceil_mode = false);
  Tensor forward(const Tensor& input) override {
    return functional::lp_pool1d(input, norm_type, kernel_size, stride, ceil_mode);
  }
  const double norm_type;
  const int64_t kernel_size;
  const std::optional<int64_t> stride;
  const bool ceil_mode;

 private:
  std::string extra_repr() const override;
};

class LPPool2d final : public UnaryModule {
 public:
  LPPool2d(double norm_type, functional::Pair kernel_size, std::optional<functional::Pair> stride = std::nullopt,
           bool ceil_mode = false);
  Tensor forward(const Tensor& input) override {
    return functional::lp_pool2d(input, norm_type, kernel_size, stride, ceil_mode);
  }
  const double norm_type;
  const functional::Pair kernel_size;
  const std::optional<functional::Pair> stride;
  const bool ceil_mode;

 private:
  std::string extra_repr() const override;
};

// "output_size=2" or "output_size=(2, 3)", as PyTorch prints an adaptive pooling layer.
std::string output_size_repr(IntArrayRef output_size);
// Refuses an output size below 1 as the layer is built: "[AdaptiveAvgPool2d] output_size: ...".
void check_output_size(const char* type_name, IntArrayRef output_size);

// An adaptive pooling layer: the output size of its functional form `Pool`, whatever the input's
// spatial size.
template <typename Size, Tensor (*Pool)(const Tensor&, Size)>
class AdaptivePoolLayer : public UnaryModule {
 public:
  AdaptivePoolLayer(const char* type_name, Size output_size) : UnaryModule(type_name), output_size(output_size) {
    check_output_size(type_name, size_values(output_size));
  }
  Tensor forward(const Tensor& input) override { return Pool(input, output_size); }
  const Size output_size;

 private:
  std::string extra_repr() const override { return output_size_repr(size_values(output_size)); }
};

class AdaptiveAvgPool1d final : public AdaptivePoolLayer<int64_t, &functional::adaptive_avg_pool1d> {
 public:
  explicit AdaptiveAvgPool1d(int64_t output_size) : AdaptivePoolLayer("AdaptiveAvgPool1d", output_size) {}
};
class AdaptiveAvgPool2d final : public AdaptivePoolLayer<functional::Pair, &functional::adaptive_avg_pool2d> {
 public:
  explicit AdaptiveAvgPool2d(functional::Pair output_size) : AdaptivePoolLayer("AdaptiveAvgPool2d", output_size) {}
};
class AdaptiveAvgPool3d final : public AdaptivePoolLayer<functional::Triple, &functional::adaptive_avg_pool3d> {
 public:
  explicit AdaptiveAvgPool3d(functional::Triple output_size) : AdaptivePoolLayer("AdaptiveAvgPool3d", output_size) {}
};
class AdaptiveMaxPool1d final : public AdaptivePoolLayer<int64_t, &functional::adaptive_max_pool1d> {
 public:
  explicit AdaptiveMaxPool1d(int64_t output_size) : AdaptivePoolLayer("AdaptiveMaxPool1d", output_size) {}
};
class AdaptiveMaxPool2d final : public AdaptivePoolLayer<functional::Pair, &functional::adaptive_max_pool2d> {
 public:
  explicit AdaptiveMaxPool2d(functional::Pair output_size) : AdaptivePoolLayer("AdaptiveMaxPool2d", output_size) {}
};
class AdaptiveMaxPool3d final : public AdaptivePoolLayer<functional::Triple, &functional::adaptive_max_pool3d> {
 public:
  explicit AdaptiveMaxPool3d(functional::Triple output_size) : AdaptivePoolLayer("AdaptiveMaxPool3d", output_size) {}
};

}  // namespace ember::nn
