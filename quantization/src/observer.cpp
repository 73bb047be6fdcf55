#include "ember/quantization/observer.h"

#include <algorithm>
#include <cmath>

#include "ember/ember.h"

namespace ember::quantization {

std::pair<double, int64_t> affine_qparams(double lo, double hi, int64_t quant_max) {
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi,
              "[observer] expected a finite range with min <= max, got [{}, {}]", lo, hi);
  EMBER_CHECK(quant_max >= 1 && quant_max <= 255, "[observer] quant_max: expected in [1, 255], got {}", quant_max);
  const double min_neg = std::min(lo, 0.0), max_pos = std::max(hi, 0.0);
  const double scale = std::max((max_pos - min_neg) / static_cast<double>(quant_max), kMinScale);
  const auto zero_point = static_cast<int64_t>(-std::nearbyint(min_neg / scale));
  return {scale, std::clamp<int64_t>(zero_point, 0, quant_max)};
}

std::pair<Tensor, Tensor> symmetric_per_channel_qparams(const Tensor& weight) {
  EMBER_CHECK(weight.dim() >= 1 && weight.numel() > 0, "[observer] weight: expected a non-empty tensor, got shape {}",
              shape_str(weight.sizes()));
  const int64_t channels = weight.size(0);
  const Tensor max_abs = amax(abs(weight.reshape({channels, weight.numel() / channels}).to(DType::Float64)), {1});
  const Tensor scales = clamp(max_abs / 127.5, kMinScale);
  return {scales, zeros({channels}, DType::Int64, weight.device())};
}

}  // namespace ember::quantization
