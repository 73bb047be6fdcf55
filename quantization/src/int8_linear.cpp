#include "ember/quantization/int8_linear.h"

#include "ember/core/quantizer.h"
#include "ember/ember.h"
#include "ember/quantization/observer.h"

namespace ember::quantization {

Int8Linear::Int8Linear(std::string type_name, const nn::Linear& linear) : UnaryModule(std::move(type_name)) {
  const Tensor w = linear.weight.detach().to(DType::Float32);
  const auto [scales, zero_points] = symmetric_per_channel_qparams(w);
  weight = int_repr(quantize_per_channel(w, scales, zero_points, 0, DType::QInt8));
  weight_scale = scales.to(DType::Float32);
  if (linear.bias.defined()) bias = linear.bias.detach().to(DType::Float32).contiguous();
  register_buffer("weight", weight);
  register_buffer("weight_scale", weight_scale);
  register_buffer("bias", bias);
}

Tensor Int8Linear::quantized_weight() const {
  const int64_t out_features = weight.size(0);
  return make_quantized(weight, DType::QInt8,
                        Quantizer::per_channel(to_vector<double>(weight_scale),
                                               std::vector<int64_t>(static_cast<size_t>(out_features), 0), 0));
}

Tensor Int8Linear::product(const Tensor& integers, int64_t zero_point, double scale) const {
  // The weight as [in, out] through a transposed view: oneDNN reads the column-major layout.
  const Tensor y = int8_matmul(integers, zero_point, weight.transpose(0, 1), weight_scale * scale);
  return bias.defined() ? y + bias : y;
}

}  // namespace ember::quantization
