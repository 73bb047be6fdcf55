#include "ember/quantization/observer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ember/core/quantizer.h"
#include "ember/ember.h"

namespace ember::quantization {

QParams range_qparams(double lo, double hi, const ObserverOptions& options) {
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi,
              "[observer] expected a finite range with min <= max, got [{}, {}]", lo, hi);
  EMBER_CHECK(options.dtype == DType::QInt8 || options.dtype == DType::QUInt8,
              "[observer] dtype: expected qint8 or quint8, got {}", dtype_name(options.dtype));
  auto [qmin, qmax] = quantized_range(options.dtype);
  if (options.reduce_range) {
    qmin /= 2;
    qmax /= 2;
  }
  const double min_neg = std::min(lo, 0.0), max_pos = std::max(hi, 0.0);
  const auto steps = static_cast<double>(qmax - qmin);
  if (options.symmetric) {
    const double scale = std::max(std::max(-min_neg, max_pos) / (steps / 2), kMinScale);
    return {scale, options.dtype == DType::QInt8 ? 0 : (qmin + qmax + 1) / 2, qmin, qmax};
  }
  const double scale = std::max((max_pos - min_neg) / steps, kMinScale);
  const auto zero_point = qmin - static_cast<int64_t>(std::nearbyint(min_neg / scale));
  return {scale, std::clamp(zero_point, qmin, qmax), qmin, qmax};
}

std::pair<Tensor, Tensor> symmetric_per_channel_qparams(const Tensor& weight) {
  EMBER_CHECK(weight.dim() >= 1 && weight.numel() > 0, "[observer] weight: expected a non-empty tensor, got shape {}",
              shape_str(weight.sizes()));
  const int64_t channels = weight.size(0);
  const Tensor max_abs = amax(abs(weight.reshape({channels, weight.numel() / channels}).to(DType::Float64)), {1});
  const Tensor scales = clamp(max_abs / 127.5, kMinScale);
  return {scales, zeros({channels}, DType::Int64, weight.device())};
}

MinMaxObserver::MinMaxObserver(ObserverOptions options) : UnaryModule("MinMaxObserver"), options_(options) {
  EMBER_CHECK(options.averaging_constant > 0 && options.averaging_constant <= 1,
              "[MinMaxObserver] averaging_constant: expected in (0, 1], got {}", options.averaging_constant);
  range_qparams(0, 0, options_);  // checks the dtype now rather than after calibration
}

Tensor MinMaxObserver::forward(const Tensor& input) {
  if (input.numel() == 0) return input;
  const Tensor values = input.detach();
  const double lo = amin(values).item<double>(), hi = amax(values).item<double>();
  const double c = options_.averaging_constant;
  if (!observed_) {
    min_ = lo;
    max_ = hi;
    observed_ = true;
  } else if (c == 1.0) {
    min_ = std::min(min_, lo);
    max_ = std::max(max_, hi);
  } else {
    min_ += c * (lo - min_);
    max_ += c * (hi - max_);
  }
  return input;
}

std::pair<double, double> MinMaxObserver::range() const {
  EMBER_CHECK(observed_, "[MinMaxObserver] no tensor was observed: run calibration data through the model first");
  return {min_, max_};
}

std::string MinMaxObserver::extra_repr() const {
  const std::string seen = observed_ ? fmt::format(", min_val={}, max_val={}", min_, max_) : "";
  return fmt::format("dtype={}, averaging_constant={}{}", dtype_name(options_.dtype), options_.averaging_constant, seen);
}

}  // namespace ember::quantization
