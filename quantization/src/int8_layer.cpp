#include "ember/quantization/int8_layer.h"

#include "ember/core/quantizer.h"
#include "ember/ember.h"
#include "ember/quantization/observer.h"

namespace ember::quantization {

Int8Epilogue int8_epilogue(std::string_view op, const Tensor& weight_scales, const Tensor& bias, double input_scale,
                           const std::optional<QParams>& output) {
  // y = input_scale * weight_scale[c] * acc + bias[c]; its quantization divides it by the output scale.
  const double divisor = output ? output->scale : 1.0;
  Int8Epilogue e{weight_scales * (input_scale / divisor), std::nullopt, std::nullopt};
  if (bias.defined()) e.bias = output ? bias * (1.0 / divisor) : bias;
  if (output) {
    EMBER_CHECK(output->quant_min == 0, "[{}] output: expected quint8 parameters (quant_min 0), got quant_min {}", op,
                output->quant_min);
    e.output_zero_point = output->zero_point;
    e.output_max = output->quant_max;
  }
  return e;
}

Tensor as_quint8(const Tensor& integers, const QParams& q) {
  return make_quantized(integers, DType::QUInt8, Quantizer::per_tensor(q.scale, q.zero_point));
}

QParams quint8_input(std::string_view op, const Tensor& input, int64_t rank) {
  EMBER_CHECK(input.dtype() == DType::QUInt8 && input.dim() == rank,
              "[{}] input: expected a {}-D quint8 tensor, got {} of shape {}", op, rank, dtype_name(input.dtype()),
              shape_str(input.sizes()));
  const Quantizer& quantizer = *input.impl()->quantizer();
  EMBER_CHECK(quantizer.scheme == Quantizer::Scheme::PerTensorAffine,
              "[{}] input: expected per-tensor quantization, got per-channel", op);
  return {quantizer.scale(), quantizer.zero_point()};
}

DynamicInput quantize_dynamic_input(std::string_view op, const Tensor& input, int64_t features) {
  EMBER_CHECK(input.dim() >= 1 && input.size(-1) == features,
              "[{}] input: expected a last dimension of {} (in_features), got shape {}", op, features,
              shape_str(input.sizes()));
  const Tensor x = input.reshape({input.numel() / features, features}).to(DType::Float32);
  // An empty batch has no range: any parameters quantize its no values.
  const bool empty_batch = x.numel() == 0;
  const QParams qparams = range_qparams(empty_batch ? 0.0 : amin(x).item<double>(),
                                        empty_batch ? 0.0 : amax(x).item<double>(), {.reduce_range = true});
  return {integers_of(quantize_per_tensor(x, qparams.scale, qparams.zero_point, DType::QUInt8)), qparams};
}

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

Int8Linear::Int8Linear(std::string type_name, const nn::Linear& linear)
    : Int8Layer(std::move(type_name), linear.weight, linear.bias) {
  weight_sum = weight.to(DType::Int64).sum({1}).to(DType::Float32);  // exact: |sum| < 2^24 below 130k features
  register_buffer("weight_sum", weight_sum);
}

Tensor Int8Linear::product(const Tensor& integers, const QParams& input, const std::optional<QParams>& output) const {
  const Int8Epilogue e = epilogue(input.scale, output);
  // (x - zero_point) . w = x . w - zero_point * sum(w): the product runs with no source zero point,
  // whose correction oneDNN's int8 GEMM would otherwise recompute from the whole weight per call.
  Tensor correction = e.scales * (weight_sum * static_cast<double>(-input.zero_point));
  const Tensor bias = e.bias ? *e.bias + correction : correction;
  // The weight as [in, out] through a transposed view: oneDNN reads the column-major layout.
  return int8_matmul(integers, 0, weight.transpose(0, 1), e.scales, bias, e.output_zero_point, e.output_max);
}

}  // namespace ember::quantization
