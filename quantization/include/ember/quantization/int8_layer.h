// What the int8 layers and the quantized operators share: the epilogue that finishes their int8
// products, their inputs' checks, and a float layer's weight in qint8 per output channel.
#pragma once

#include <optional>
#include <string_view>

#include "ember/nn/modules/linear.h"
#include "ember/quantization/observer.h"

namespace ember::quantization {

// The int8 products' scales, bias, output zero point and largest integer (Note [Int8 epilogue])
// for an input quantized with `input_scale` and weights with `weight_scales` (float32, one per
// output channel; zero points 0): float32 results, or, given `output`, the integers of their quint8
// quantization. `bias` may be undefined.
struct Int8Epilogue {
  Tensor scales;
  std::optional<Tensor> bias;
  std::optional<int64_t> output_zero_point;
  int64_t output_max = 255;
};
Int8Epilogue int8_epilogue(std::string_view op, const Tensor& weight_scales, const Tensor& bias, double input_scale,
                           const std::optional<QParams>& output);

// uint8 integers as a quint8 tensor with parameters `q`.
Tensor as_quint8(const Tensor& integers, const QParams& q);

// A quint8 input's parameters, after checking it has `rank` dimensions and is quantized per tensor.
QParams quint8_input(std::string_view op, const Tensor& input, int64_t rank);

// A float input as [rows, features] (its leading dimensions flattened), quantized to seven-bit
// quint8 over its own range, as PyTorch's dynamic Linear (reduce_range: exact int8 products on any
// CPU): its integers and parameters.
struct DynamicInput {
  Tensor integers;
  QParams qparams;
};
DynamicInput quantize_dynamic_input(std::string_view op, const Tensor& input, int64_t features);

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
  Int8Epilogue epilogue(double input_scale, const std::optional<QParams>& output) const {
    return int8_epilogue(type_name(), weight_scale, bias, input_scale, output);
  }
};

// The quantized Linear layers' product (int8_matmul): uint8 [batch, in_features] integers times
// the weight transposed, float32 or quint8 integers as int8_epilogue() says.
class Int8Linear : public Int8Layer {
 public:
  Tensor weight_sum;  // float32 [out_features]: each row's sum of integers, for the input's zero point

 protected:
  Int8Linear(std::string type_name, const nn::Linear& linear);
  Tensor product(const Tensor& integers, const QParams& input, const std::optional<QParams>& output) const;
};

}  // namespace ember::quantization
