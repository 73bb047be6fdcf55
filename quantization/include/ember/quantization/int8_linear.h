// What the quantized Linear layers share: int8 weights and the int8 product.
#pragma once

#include "ember/nn/modules/linear.h"

namespace ember::quantization {

// A Linear's weight in qint8 per output channel (symmetric), its scales and the float bias, kept
// as buffers so that state_dict and safetensors carry them.
class Int8Linear : public nn::UnaryModule {
 public:
  // The weight as a qint8 tensor, per channel along dim 0, built from the buffers below.
  Tensor quantized_weight() const;

  Tensor weight;        // int8 [out_features, in_features]: the quantized weight's integers
  Tensor weight_scale;  // float32 [out_features]: one scale per output channel (zero points are 0)
  Tensor bias;          // float32 [out_features], undefined without bias

 protected:
  Int8Linear(std::string type_name, const nn::Linear& linear);
  // (integers - zero_point) * scale @ weight^T + bias in float32, from uint8 [batch, in] integers.
  Tensor product(const Tensor& integers, int64_t zero_point, double scale) const;
};

}  // namespace ember::quantization
