#include "ember/quantization/quantized_layers.h"

#include <fmt/format.h>

#include "ember/core/quantizer.h"
#include "ember/ember.h"

namespace ember::quantization {
namespace {

std::string output_repr(const QuantizedOutput& output) {
  return fmt::format("scale={}, zero_point={}{}", output.qparams.scale, output.qparams.zero_point,
                     output.relu ? ", relu" : "");
}

}  // namespace

Quantize::Quantize(QParams output_) : UnaryModule("Quantize"), output(output_) {}

Tensor Quantize::forward(const Tensor& input) {
  const Tensor q = quantize_per_tensor(input, output.scale, output.zero_point, DType::QUInt8);
  if (output.quant_min == 0 && output.quant_max == 255) return q;
  return make_quantized(clamp(integers_of(q), output.quant_min, output.quant_max), DType::QUInt8,
                        q.impl()->quantizer());
}

std::string Quantize::extra_repr() const {
  return fmt::format("scale={}, zero_point={}, quant_max={}, dtype=quint8", output.scale, output.zero_point,
                     output.quant_max);
}

Tensor DeQuantize::forward(const Tensor& input) { return dequantize(input); }

QuantizedLinear::QuantizedLinear(const nn::Linear& linear, QuantizedOutput output_)
    : Int8Linear("QuantizedLinear", linear), output(output_) {}

Tensor QuantizedLinear::forward(const Tensor& input) {
  const QParams in = quint8_input(type_name(), input, 2);
  EMBER_CHECK(input.size(1) == weight.size(1), "[QuantizedLinear] input: expected {} features, got shape {}",
              weight.size(1), shape_str(input.sizes()));
  return as_quint8(product(integers_of(input), in, output.qparams), output.qparams);
}

std::string QuantizedLinear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, {}", weight.size(1), weight.size(0), output_repr(output));
}

QuantizedConv2d::QuantizedConv2d(const nn::Conv2d& conv, QuantizedOutput output_)
    : Int8Layer("QuantizedConv2d", conv.weight, conv.bias), options(conv.options), output(output_) {}

Tensor QuantizedConv2d::forward(const Tensor& input) {
  const QParams in = quint8_input(type_name(), input, 4);
  const Int8Epilogue e = epilogue(in.scale, output.qparams);
  const Tensor integers = int8_conv2d(integers_of(input), in.zero_point, weight, e.scales, e.bias,
                                      {options.stride[0], options.stride[1]}, {options.padding[0], options.padding[1]},
                                      {options.dilation[0], options.dilation[1]}, options.groups, e.output_zero_point,
                                      e.output_max);
  return as_quint8(integers, output.qparams);
}

std::string QuantizedConv2d::extra_repr() const {
  return fmt::format("{}, {}, kernel_size=({}, {}), stride=({}, {}), padding=({}, {}), {}", weight.size(1) * options.groups,
                     weight.size(0), weight.size(2), weight.size(3), options.stride[0], options.stride[1],
                     options.padding[0], options.padding[1], output_repr(output));
}

}  // namespace ember::quantization
