#include "ember/core/quantizer.h"

#include <fmt/format.h>

#include "ember/core/error.h"
#include "ember/core/tensor.h"

namespace ember {

std::shared_ptr<const Quantizer> Quantizer::per_tensor(double scale, int64_t zero_point) {
  EMBER_CHECK(scale > 0 && std::isfinite(scale), "[quantize] scale: expected a positive finite number, got {}", scale);
  auto q = std::make_shared<Quantizer>();
  q->scales = {scale};
  q->zero_points = {zero_point};
  return q;
}

std::shared_ptr<const Quantizer> Quantizer::per_channel(std::vector<double> scales, std::vector<int64_t> zero_points,
                                                        int64_t axis) {
  EMBER_CHECK(scales.size() == zero_points.size(),
              "[quantize_per_channel] zero_points: expected {} values, one per scale, got {}", scales.size(),
              zero_points.size());
  for (const double scale : scales) {
    EMBER_CHECK(scale > 0 && std::isfinite(scale),
                "[quantize_per_channel] scales: expected positive finite numbers, got {}", scale);
  }
  auto q = std::make_shared<Quantizer>();
  q->scheme = Scheme::PerChannelAffine;
  q->scales = std::move(scales);
  q->zero_points = std::move(zero_points);
  q->axis = axis;
  return q;
}

std::string Quantizer::str() const {
  if (scheme == Scheme::PerTensorAffine) {
    return fmt::format("quantization_scheme=per_tensor_affine, scale={}, zero_point={}", scales[0], zero_points[0]);
  }
  return fmt::format("quantization_scheme=per_channel_affine, scale=[{}], zero_point=[{}], axis={}",
                     fmt::join(scales, ", "), fmt::join(zero_points, ", "), axis);
}

std::pair<int64_t, int64_t> quantized_range(DType dtype) {
  switch (dtype) {
    case DType::QInt8: return {-128, 127};
    case DType::QUInt8: return {0, 255};
    case DType::QInt32: return {INT32_MIN, INT32_MAX};
    default: EMBER_FAIL("[quantize] dtype: expected qint8, quint8 or qint32, got {}", dtype_name(dtype));
  }
}

Tensor make_quantized(const Tensor& integers, DType dtype, std::shared_ptr<const Quantizer> quantizer) {
  EMBER_CHECK(is_quantized(dtype) && integers.dtype() == underlying_dtype(dtype),
              "[quantize] expected {} integers for a {} tensor, got {}", dtype_name(underlying_dtype(dtype)),
              dtype_name(dtype), dtype_name(integers.dtype()));
  if (quantizer->scheme == Quantizer::Scheme::PerChannelAffine) {
    EMBER_CHECK(quantizer->axis >= 0 && quantizer->axis < integers.dim() &&
                    static_cast<size_t>(integers.size(quantizer->axis)) == quantizer->scales.size(),
                "[quantize_per_channel] expected {} scales along axis {} of shape {}, got {}",
                quantizer->axis < integers.dim() && quantizer->axis >= 0 ? integers.size(quantizer->axis) : 0,
                quantizer->axis, shape_str(integers.sizes()), quantizer->scales.size());
  }
  Tensor q = make_tensor(integers.impl()->storage(), dtype, integers.sizes(), integers.strides(),
                         integers.storage_offset());
  q.impl()->set_quantizer(std::move(quantizer));
  q.impl()->add_keys(DispatchKey::Quantized);
  return q;
}

Tensor integers_of(const Tensor& t) {
  EMBER_CHECK(is_quantized(t.dtype()), "[int_repr] self: expected a quantized tensor, got {}", dtype_name(t.dtype()));
  return make_tensor(t.impl()->storage(), underlying_dtype(t.dtype()), t.sizes(), t.strides(), t.storage_offset());
}

}  // namespace ember
