// quantize_per_tensor, quantize_per_channel, dequantize, int_repr and quantized_add, written with other
// operators so that every backend runs them. The arithmetic is PyTorch's:
// q = clamp(zero_point + round(x * (1 / scale)), qmin, qmax) in float32, rounding half to even;
// x = (q - zero_point) * scale.
#include "ember/core/quantizer.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

// The shape [1, ..., n, ..., 1] that lines a per-channel vector up with dimension `axis`.
DimVector channel_shape(const Tensor& like, int64_t axis) {
  DimVector shape(static_cast<size_t>(like.dim()), 1);
  shape[static_cast<size_t>(axis)] = like.size(axis);
  return shape;
}

// zero_point + round(x * inverse_scale), clamped to dtype's range, as dtype's integers.
Tensor quantized_integers(const Tensor& self, const Tensor& inverse_scale, const Tensor& zero_point, DType dtype) {
  const auto [lo, hi] = quantized_range(dtype);
  const Tensor scaled = ember::round(self.to(DType::Float32) * inverse_scale) + zero_point;
  return ember::clamp(scaled, lo, hi).to(underlying_dtype(dtype));
}

void check_floating(const char* op, const Tensor& self) {
  EMBER_CHECK(is_floating(self.dtype()), "[{}] self: expected a floating-point tensor, got {}", op,
              dtype_name(self.dtype()));
}

}  // namespace

Tensor quantize_per_tensor(const Tensor& self, double scale, int64_t zero_point, DType dtype) {
  check_floating("quantize_per_tensor", self);
  std::shared_ptr<const Quantizer> quantizer = Quantizer::per_tensor(scale, zero_point);
  const auto [lo, hi] = quantized_range(dtype);
  EMBER_CHECK(zero_point >= lo && zero_point <= hi, "[quantize_per_tensor] zero_point: expected in [{}, {}] for {}, got {}",
              lo, hi, dtype_name(dtype), zero_point);
  const float inverse = 1.0f / static_cast<float>(scale);
  const Tensor integers = quantized_integers(self, scalar_tensor(static_cast<double>(inverse), DType::Float32, self.device()),
                                             scalar_tensor(zero_point, DType::Float32, self.device()), dtype);
  return make_quantized(integers, dtype, std::move(quantizer));
}

Tensor quantize_per_channel(const Tensor& self, const Tensor& scales, const Tensor& zero_points, int64_t axis, DType dtype) {
  check_floating("quantize_per_channel", self);
  axis = wrap_dim(axis, self.dim(), "quantize_per_channel");
  EMBER_CHECK(scales.dim() == 1 && scales.size(0) == self.size(axis),
              "[quantize_per_channel] scales: expected {} values (the size of dim {}), got shape {}", self.size(axis),
              axis, shape_str(scales.sizes()));
  std::vector<int64_t> zps = to_vector<int64_t>(zero_points);
  const auto [lo, hi] = quantized_range(dtype);
  for (const int64_t zp : zps) {
    EMBER_CHECK(zp >= lo && zp <= hi, "[quantize_per_channel] zero_points: expected values in [{}, {}] for {}, got {}",
                lo, hi, dtype_name(dtype), zp);
  }
  std::shared_ptr<const Quantizer> quantizer = Quantizer::per_channel(to_vector<double>(scales), std::move(zps), axis);
  const DimVector shape = channel_shape(self, axis);
  const Tensor inverse = ember::div(ember::ones({scales.size(0)}, DType::Float32, self.device()),
                                   scales.to(DType::Float32).to(self.device()));
  const Tensor integers = quantized_integers(self, inverse.reshape(shape),
                                             zero_points.to(DType::Float32).to(self.device()).reshape(shape), dtype);
  return make_quantized(integers, dtype, std::move(quantizer));
}

Tensor dequantize(const Tensor& self) {
  const std::shared_ptr<const Quantizer>& quantizer = self.impl()->quantizer();
  if (!quantizer) return self;
  // (q - zero_point) * scale is exact in float64 before the one rounding to float32.
  const Tensor q = integers_of(self).to(DType::Float64);
  if (quantizer->scheme == Quantizer::Scheme::PerTensorAffine) {
    return ((q - static_cast<double>(quantizer->zero_point())) * quantizer->scale()).to(DType::Float32);
  }
  const DimVector shape = channel_shape(self, quantizer->axis);
  const int64_t n = static_cast<int64_t>(quantizer->scales.size());
  const Tensor scales = from_host(quantizer->scales.data(), quantizer->scales.size(), DType::Float64, {n}, self.device());
  const Tensor zps = from_host(quantizer->zero_points.data(), quantizer->zero_points.size(), DType::Int64, {n}, self.device());
  return ((q - zps.to(DType::Float64).reshape(shape)) * scales.reshape(shape)).to(DType::Float32);
}

Tensor int_repr(const Tensor& self) { return integers_of(self).clone(); }

Tensor quantized_add(const Tensor& self, const Tensor& other, double scale, int64_t zero_point) {
  for (const auto& [name, t] : {std::pair<const char*, const Tensor&>{"self", self}, {"other", other}}) {
    const std::shared_ptr<const Quantizer>& quantizer = t.impl()->quantizer();
    EMBER_CHECK(quantizer && quantizer->scheme == Quantizer::Scheme::PerTensorAffine,
                "[quantized_add] {}: expected a tensor quantized per tensor, got {}", name,
                quantizer ? "per-channel quantization" : dtype_name(t.dtype()));
  }
  EMBER_CHECK(self.dtype() == other.dtype(), "[quantized_add] other: expected {} as self, got {}",
              dtype_name(self.dtype()), dtype_name(other.dtype()));
  // The real values (float32, as dequantize gives them), their sum quantized with the output's parameters.
  return ember::quantize_per_tensor(ember::dequantize(self) + ember::dequantize(other), scale, zero_point, self.dtype());
}

}  // namespace ember::composite
