// Dynamic quantization of Linear layers, as PyTorch's torch.ao.quantization.quantize_dynamic:
// int8 weights fixed at conversion, activations quantized per batch at run time.
#pragma once

#include "ember/nn/modules/container.h"
#include "ember/quantization/int8_layer.h"

namespace ember::quantization {

// y = x W^T + b with W in qint8 (per output channel, symmetric) and x quantized per call over
// its own range to 7-bit quint8; the product runs in int8 (int8_matmul), the result is float32.
class DynamicLinear final : public Int8Linear {
 public:
  explicit DynamicLinear(const nn::Linear& linear) : Int8Linear("DynamicQuantizedLinear", linear) {}
  Tensor forward(const Tensor& input) override;

 private:
  std::string extra_repr() const override;
};

// Replaces every Linear in `model`, and in the Sequentials nested in it, by a DynamicLinear;
// returns how many it replaced. The model should be in evaluation mode.
int quantize_dynamic(nn::Sequential& model);

}  // namespace ember::quantization
