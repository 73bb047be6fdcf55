// Convolution layers: Conv1d and ConvTranspose1d over [N, C, L], Conv2d and ConvTranspose2d over
// [N, C, H, W], Conv3d and ConvTranspose3d over [N, C, D, H, W] (each also unbatched); oneDNN's
// convolution on the CPU.
#pragma once

#include <array>
#include <string>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// The parameters of a convolution layer, made and registered with PyTorch's initialisation.
class ConvParameters : public UnaryModule {
 public:
  Tensor weight;  // [out, in / groups, *kernel]; [in, out / groups, *kernel] when transposed
  Tensor bias;    // [out_channels], undefined without bias

 protected:
  using UnaryModule::UnaryModule;
  // Checks the channels, kernel and groups, and makes the weight and the bias uniform within
  // 1 / sqrt(fan_in), fan_in counted over the weight's second dimension and the kernel; then
  // registers both.
  void make_parameters(int64_t in_channels, int64_t out_channels, IntArrayRef kernel_size, int64_t groups,
                       bool transposed, bool with_bias);
  // "in, out, kernel_size=(3, 3), stride=(1, 1)" and the options that differ from their defaults.
  std::string conv_repr(bool transposed, IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding,
                        IntArrayRef dilation, int64_t groups) const;
};

// An option of every rank as a list: one value for the 1-D layers, an array for the others.
inline IntArrayRef option_values(const int64_t& value) { return IntArrayRef(value); }
template <size_t N>
IntArrayRef option_values(const std::array<int64_t, N>& values) {
  return IntArrayRef(values.data(), N);
}

// A convolution layer: its parameters, and the options of its functional form `Conv`; transposed
// when the options have an output padding.
template <typename Kernel, typename Options, Tensor (*Conv)(const Tensor&, const Tensor&, const Tensor&, Options)>
class ConvLayer : public ConvParameters {
 public:
  static constexpr bool kTransposed = requires(Options o) { o.output_padding; };
  const Options options;

  Tensor forward(const Tensor& input) override { return Conv(input, weight, bias, options); }

 protected:
  ConvLayer(const char* type_name, int64_t in_channels, int64_t out_channels, Kernel kernel_size, Options options,
            bool with_bias)
      : ConvParameters(type_name), options(options) {
    make_parameters(in_channels, out_channels, option_values(kernel_size), options.groups, kTransposed, with_bias);
  }

 private:
  std::string extra_repr() const override {
    IntArrayRef output_padding;
    if constexpr (kTransposed) output_padding = option_values(options.output_padding);
    return conv_repr(kTransposed, option_values(options.stride), option_values(options.padding), output_padding,
                     option_values(options.dilation), options.groups);
  }
};

class Conv1d final : public ConvLayer<int64_t, functional::Conv1dOptions, &functional::conv1d> {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, functional::Conv1dOptions options = {},
         bool bias = true)
      : ConvLayer("Conv1d", in_channels, out_channels, kernel_size, options, bias) {}
};

class Conv2d final : public ConvLayer<functional::Pair, functional::Conv2dOptions, &functional::conv2d> {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
         functional::Conv2dOptions options = {}, bool bias = true)
      : ConvLayer("Conv2d", in_channels, out_channels, kernel_size, options, bias) {}
};

class Conv3d final : public ConvLayer<functional::Triple, functional::Conv3dOptions, &functional::conv3d> {
 public:
  Conv3d(int64_t in_channels, int64_t out_channels, functional::Triple kernel_size,
         functional::Conv3dOptions options = {}, bool bias = true)
      : ConvLayer("Conv3d", in_channels, out_channels, kernel_size, options, bias) {}
};

// The gradients of Conv1d, Conv2d and Conv3d with respect to their input, as layers: they
// upsample by the stride.
class ConvTranspose1d final
    : public ConvLayer<int64_t, functional::ConvTranspose1dOptions, &functional::conv_transpose1d> {
 public:
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                  functional::ConvTranspose1dOptions options = {}, bool bias = true)
      : ConvLayer("ConvTranspose1d", in_channels, out_channels, kernel_size, options, bias) {}
};

class ConvTranspose2d final
    : public ConvLayer<functional::Pair, functional::ConvTranspose2dOptions, &functional::conv_transpose2d> {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
                  functional::ConvTranspose2dOptions options = {}, bool bias = true)
      : ConvLayer("ConvTranspose2d", in_channels, out_channels, kernel_size, options, bias) {}
};

class ConvTranspose3d final
    : public ConvLayer<functional::Triple, functional::ConvTranspose3dOptions, &functional::conv_transpose3d> {
 public:
  ConvTranspose3d(int64_t in_channels, int64_t out_channels, functional::Triple kernel_size,
                  functional::ConvTranspose3dOptions options = {}, bool bias = true)
      : ConvLayer("ConvTranspose3d", in_channels, out_channels, kernel_size, options, bias) {}
};

}  // namespace ember::nn
