// What the int8 layers share: a float layer's weight in qint8 per output channel and the
// epilogue that finishes their int8 products.
#pragma once

#include <optional>

#include "ember/nn/modules/linear.h"
#include "ember/quantization/observer.h"

namespace ember::quantization {

// The weight of a Linear or Conv2d in qint8 per output channel (dim 0, symmetric), its scales and
// the float bias, kept as buffers so that state_dict and safetensors carry them.
class Int8Layer : public nn::UnaryModule {
 public:
  // The weight as a qint8 tensor, per channel along dim 0, built from the buffers below.
  Tensor quantized_weight() const;

  Tensor weight;        // int8, the float weight's shape: the quantized weight's integers
  Tensor weight_scale;  // float32 [out_channels]: one scale per output channel (zero points are 0)
  Tensor bias;          // float32 [out_channels], undefined without bias

 protected:
  Int8Layer(std::string type_name, const Tensor& float_weight, const Tensor& float_bias);

  // The int8 products' scales, bias, output zero point and largest integer (Note [Int8 epilogue])
  // for an input quantized with `input_scale`: float32 results, or, given `output`, the integers of
  // their quint8 quantization.
  struct Epilogue {
    Tensor scales;
    std::optional<Tensor> bias;
    std::optional<int64_t> output_zero_point;
    int64_t output_max = 255;
  };
  Epilogue epilogue(double input_scale, const std::optional<QParams>& output) const;
};

// The quantized Linear layers' product (int8_matmul): uint8 [batch, in_features] integers times
// the weight transposed, float32 or quint8 integers as epilogue() says.
class Int8Linear : public Int8Layer {
 public:
  Tensor weight_sum;  // float32 [out_features]: each row's sum of integers, for the input's zero point

 protected:
  Int8Linear(std::string type_name, const nn::Linear& linear);
  Tensor product(const Tensor& integers, const QParams& input, const std::optional<QParams>& output) const;
};

}  // namespace ember::quantization
