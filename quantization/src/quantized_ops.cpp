// quantized_linear, quantized_linear_dynamic and quantized_conv2d: PyTorch's quantized operators
// on quantized tensors, written with the int8 products so that every backend runs them.
#include "ember/core/quantizer.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "ember/quantization/int8_layer.h"

namespace ember::composite {
namespace {

using quantization::QParams;

// A symmetric qint8 weight's integers and its float32 scales, one per output channel (dim 0).
std::pair<Tensor, Tensor> symmetric_weight(const char* op, const Tensor& weight) {
  const std::shared_ptr<const Quantizer>& quantizer = weight.impl()->quantizer();
  EMBER_CHECK(weight.dtype() == DType::QInt8, "[{}] weight: expected a qint8 tensor, got {}", op,
              dtype_name(weight.dtype()));
  const bool per_channel = quantizer->scheme == Quantizer::Scheme::PerChannelAffine;
  EMBER_CHECK(!per_channel || quantizer->axis == 0,
              "[{}] weight: expected quantization per output channel (axis 0), got axis {}", op, quantizer->axis);
  for (const int64_t zero_point : quantizer->zero_points) {
    EMBER_CHECK(zero_point == 0, "[{}] weight: expected symmetric quantization (zero points 0), got zero point {}", op,
                zero_point);
  }
  const int64_t channels = weight.size(0);
  const Tensor scales = per_channel ? from_host(quantizer->scales.data(), quantizer->scales.size(), DType::Float64,
                                                {channels}, weight.device())
                                    : ember::full({channels}, quantizer->scale(), DType::Float64, weight.device());
  return {integers_of(weight), scales.to(DType::Float32)};
}

Tensor float_bias(const std::optional<Tensor>& bias) {
  return bias && bias->defined() ? bias->to(DType::Float32) : Tensor();
}

// What quantized_linear and quantized_conv2d start from: the input's parameters, the weight's
// integers, and the epilogue that writes the output's integers with (scale, zero_point).
struct QuantizedProduct {
  QParams input, output;
  Tensor weight;
  quantization::Int8Epilogue epilogue;
};

QuantizedProduct quantized_product(const char* op, const Tensor& self, int64_t rank, const Tensor& weight,
                                   const std::optional<Tensor>& bias, double scale, int64_t zero_point) {
  const QParams input = quantization::quint8_input(op, self, rank);
  const auto [integers, scales] = symmetric_weight(op, weight);
  const QParams output{scale, zero_point};
  return {input, output, integers, quantization::int8_epilogue(op, scales, float_bias(bias), input.scale, output)};
}

}  // namespace

Tensor quantized_linear(const Tensor& self, const Tensor& weight, const std::optional<Tensor>& bias, double scale,
                        int64_t zero_point) {
  const QuantizedProduct p = quantized_product("quantized_linear", self, 2, weight, bias, scale, zero_point);
  const quantization::Int8Epilogue& e = p.epilogue;
  return quantization::as_quint8(int8_matmul(integers_of(self), p.input.zero_point, p.weight.transpose(0, 1), e.scales,
                                             e.bias, e.output_zero_point, e.output_max),
                                 p.output);
}

Tensor quantized_linear_dynamic(const Tensor& self, const Tensor& weight, const std::optional<Tensor>& bias) {
  const auto [integers, scales] = symmetric_weight("quantized_linear_dynamic", weight);
  const quantization::DynamicInput x = quantization::quantize_dynamic_input("quantized_linear_dynamic", self, integers.size(1));
  const quantization::Int8Epilogue e =
      quantization::int8_epilogue("quantized_linear_dynamic", scales, float_bias(bias), x.qparams.scale, std::nullopt);
  DimVector shape(self.sizes());
  shape[shape.size() - 1] = integers.size(0);
  return int8_matmul(x.integers, x.qparams.zero_point, integers.transpose(0, 1), e.scales, e.bias).reshape(shape);
}

Tensor quantized_conv2d(const Tensor& self, const Tensor& weight, const std::optional<Tensor>& bias, double scale,
                        int64_t zero_point, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                        int64_t groups) {
  const QuantizedProduct p = quantized_product("quantized_conv2d", self, 4, weight, bias, scale, zero_point);
  const quantization::Int8Epilogue& e = p.epilogue;
  return quantization::as_quint8(int8_conv2d(integers_of(self), p.input.zero_point, p.weight, e.scales, e.bias, stride,
                                             padding, dilation, groups, e.output_zero_point, e.output_max),
                                 p.output);
}

}  // namespace ember::composite
