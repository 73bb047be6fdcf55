// Static post-training quantization of Sequential models of Linear and ReLU layers, as PyTorch's
// prepare / calibrate / convert: activations become quint8 (per tensor) between layers.
#pragma once

#include "ember/nn/modules/container.h"
#include "ember/quantization/int8_linear.h"
#include "ember/quantization/observer.h"

namespace ember::quantization {

// Quantizes its float input with fixed parameters (PyTorch's nn.quantized.Quantize).
class Quantize final : public nn::UnaryModule {
 public:
  Quantize(double scale, int64_t zero_point);
  Tensor forward(const Tensor& input) override;
  double scale;
  int64_t zero_point;

 private:
  std::string extra_repr() const override;
};

// Returns the real values of a quantized input (PyTorch's nn.quantized.DeQuantize).
class DeQuantize final : public nn::UnaryModule {
 public:
  DeQuantize() : UnaryModule("DeQuantize") {}
  Tensor forward(const Tensor& input) override;
};

// A Linear from quint8 to quint8: int8 weights per output channel, the product in int8
// (int8_matmul), the result requantized with the output's parameters.
class QuantizedLinear final : public Int8Linear {
 public:
  QuantizedLinear(const nn::Linear& linear, double output_scale, int64_t output_zero_point);
  Tensor forward(const Tensor& input) override;

  double output_scale;
  int64_t output_zero_point;

 private:
  std::string extra_repr() const override;
};

// A copy of `model`'s layer list with an observer on its input and after every layer; run
// calibration data through it, then convert. Activation observers use `activations` (seven-bit
// quint8 by default: exact int8 products on CPUs without VNNI, as PyTorch's default qconfig).
std::shared_ptr<nn::Sequential> prepare(const nn::Sequential& model,
                                        ObserverOptions activations = {.reduce_range = true});

// The quantized model of a prepared, calibrated one: Quantize, then QuantizedLinear for each
// Linear and ReLU (which runs on quantized tensors as they are), then DeQuantize.
std::shared_ptr<nn::Sequential> convert(const nn::Sequential& prepared);

}  // namespace ember::quantization
