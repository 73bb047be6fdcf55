// Convolution layers: Conv1d over [N, C, L], Conv2d and ConvTranspose2d over [N, C, H, W], Conv3d
// over [N, C, D, H, W] (each also unbatched); oneDNN's convolution on the CPU.
#pragma once

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

// A convolution layer: its parameters and the options of its functional form.
template <typename Options>
class ConvLayer : public UnaryModule {
 public:
  Tensor weight;  // layout given by each layer
  Tensor bias;    // [out_channels], undefined without bias
  const Options options;

 protected:
  ConvLayer(const char* type_name, Options options) : UnaryModule(type_name), options(options) {}
};

// weight [out_channels, in_channels / groups, kernel_size]
class Conv1d final : public ConvLayer<functional::Conv1dOptions> {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, functional::Conv1dOptions options = {},
         bool bias = true);
  Tensor forward(const Tensor& input) override;

 private:
  std::string extra_repr() const override;
};

// weight [out_channels, in_channels / groups, kH, kW]
class Conv2d final : public ConvLayer<functional::Conv2dOptions> {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
         functional::Conv2dOptions options = {}, bool bias = true);
  Tensor forward(const Tensor& input) override;

 private:
  std::string extra_repr() const override;
};

// weight [out_channels, in_channels / groups, kD, kH, kW]
class Conv3d final : public ConvLayer<functional::Conv3dOptions> {
 public:
  Conv3d(int64_t in_channels, int64_t out_channels, functional::Triple kernel_size,
         functional::Conv3dOptions options = {}, bool bias = true);
  Tensor forward(const Tensor& input) override;

 private:
  std::string extra_repr() const override;
};

// The gradient of Conv2d with respect to its input, as a layer: upsamples by the stride.
// weight [in_channels, out_channels / groups, kH, kW]
class ConvTranspose2d final : public ConvLayer<functional::ConvTranspose2dOptions> {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
                  functional::ConvTranspose2dOptions options = {}, bool bias = true);
  Tensor forward(const Tensor& input) override;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
