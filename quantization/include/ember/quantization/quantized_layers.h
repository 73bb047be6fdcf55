// The layers of a statically quantized model (PyTorch's nn.quantized): Quantize at the input,
// int8 Linear and Conv2d layers from quint8 to quint8, DeQuantize at the output. Layers that keep
// their input's parameters (ReLU, MaxPool2d, Flatten, Dropout) run on quantized tensors as they are.
#pragma once

#include "ember/nn/modules/conv.h"
#include "ember/quantization/int8_layer.h"

namespace ember::quantization {

// Quantizes its float input to quint8 with fixed parameters.
class Quantize final : public nn::UnaryModule {
 public:
  explicit Quantize(QParams output);
  Tensor forward(const Tensor& input) override;
  QParams output;

 private:
  std::string extra_repr() const override;
};

// Returns the real values of a quantized input.
class DeQuantize final : public nn::UnaryModule {
 public:
  DeQuantize() : UnaryModule("DeQuantize") {}
  Tensor forward(const Tensor& input) override;
};

// A quantized layer's output: its quint8 parameters, and whether a ReLU that followed the float
// layer is folded in (the output's zero point is then 0, so saturation at 0 is the ReLU).
struct QuantizedOutput {
  QParams qparams;
  bool relu = false;
};

// A Linear from quint8 [batch, in_features] to quint8: int8_matmul writes the output's integers.
class QuantizedLinear final : public Int8Linear {
 public:
  QuantizedLinear(const nn::Linear& linear, QuantizedOutput output);
  Tensor forward(const Tensor& input) override;
  QuantizedOutput output;

 private:
  std::string extra_repr() const override;
};

// A Conv2d from quint8 [N, C, H, W] to quint8: int8_conv2d writes the output's integers.
class QuantizedConv2d final : public Int8Layer {
 public:
  QuantizedConv2d(const nn::Conv2d& conv, QuantizedOutput output);
  Tensor forward(const Tensor& input) override;
  const nn::functional::Conv2dOptions options;
  QuantizedOutput output;

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::quantization
