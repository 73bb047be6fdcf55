#include "ember/quantization/int8_layer.h"

#include "ember/core/quantizer.h"
#include "ember/ember.h"
#include "ember/quantization/observer.h"

namespace ember::quantization {

Int8Layer::Int8Layer(std::string type_name, const Tensor& float_weight, const Tensor& float_bias)
    : UnaryModule(std::move(type_name)) {
  const Tensor w = float_weight.detach().to(DType::Float32);
  const auto [scales, zero_points] = symmetric_per_channel_qparams(w);
  weight = int_repr(quantize_per_channel(w, scales, zero_points, 0, DType::QInt8));
  weight_scale = scales.to(DType::Float32);
  if (float_bias.defined()) bias = float_bias.detach().to(DType::Float32).contiguous();
  register_buffer("weight", weight);
  register_buffer("weight_scale", weight_scale);
  register_buffer("bias", bias);
}

Tensor Int8Layer::quantized_weight() const {
  const int64_t out_channels = weight.size(0);
  return make_quantized(weight, DType::QInt8,
                        Quantizer::per_channel(to_vector<double>(weight_scale),
                                               std::vector<int64_t>(static_cast<size_t>(out_channels), 0), 0));
}

Int8Layer::Epilogue Int8Layer::epilogue(double input_scale, const std::optional<QParams>& output) const {
  // y = input_scale * weight_scale[c] * acc + bias[c]; its quantization divides it by the output scale.
  const double divisor = output ? output->scale : 1.0;
  Epilogue e{weight_scale * (input_scale / divisor), std::nullopt, std::nullopt};
  if (bias.defined()) e.bias = output ? bias * (1.0 / divisor) : bias;
  if (output) {
    EMBER_CHECK(output->quant_min == 0, "[{}] output: expected quint8 parameters (quant_min 0), got quant_min {}",
                type_name(), output->quant_min);
    e.output_zero_point = output->zero_point;
    e.output_max = output->quant_max;
  }
  return e;
}

Int8Linear::Int8Linear(std::string type_name, const nn::Linear& linear)
    : Int8Layer(std::move(type_name), linear.weight, linear.bias) {
  weight_sum = weight.to(DType::Int64).sum({1}).to(DType::Float32);  // exact: |sum| < 2^24 below 130k features
  register_buffer("weight_sum", weight_sum);
}

Tensor Int8Linear::product(const Tensor& integers, const QParams& input, const std::optional<QParams>& output) const {
  const Epilogue e = epilogue(input.scale, output);
  // (x - zero_point) . w = x . w - zero_point * sum(w): the product runs with no source zero point,
  // whose correction oneDNN's int8 GEMM would otherwise recompute from the whole weight per call.
  Tensor correction = e.scales * (weight_sum * static_cast<double>(-input.zero_point));
  const Tensor bias = e.bias ? *e.bias + correction : correction;
  // The weight as [in, out] through a transposed view: oneDNN reads the column-major layout.
  return int8_matmul(integers, 0, weight.transpose(0, 1), e.scales, bias, e.output_zero_point, e.output_max);
}

}  // namespace ember::quantization
