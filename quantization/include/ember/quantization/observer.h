// Observers: ranges seen in calibration turned into quantization parameters, by PyTorch's rules
// (torch.ao.quantization's MinMaxObserver and MovingAverageMinMaxObserver).
#pragma once

#include <utility>

#include "ember/nn/module.h"

namespace ember::quantization {

// The smallest scale handed out, so that an all-zero range still quantizes (PyTorch's eps).
constexpr double kMinScale = 1.1920928955078125e-07;

struct ObserverOptions {
  DType dtype = DType::QUInt8;      // qint8 or quint8
  bool symmetric = false;           // scale from max|x|, zero point fixed (0 for qint8, mid-range for quint8)
  bool reduce_range = false;        // one bit fewer: int8 products stay exact on CPUs without VNNI
  double averaging_constant = 1.0;  // 1: min/max over all data seen; below 1: a moving average
};

// A quantized tensor's parameters, per tensor, and the integers it may use: [0, 127] for
// seven-bit quint8 (reduce_range), the dtype's range otherwise.
struct QParams {
  double scale;
  int64_t zero_point;
  int64_t quant_min = 0, quant_max = 255;
};

// Scale and zero point for the range [lo, hi], widened to include 0 so that zero is exact.
// Affine: scale = (max - min) / (qmax - qmin), zero_point = qmin - round(min / scale).
// Symmetric: scale = max(|min|, max) / ((qmax - qmin) / 2).
QParams range_qparams(double lo, double hi, const ObserverOptions& options = {});

// Symmetric per-channel parameters for qint8 weights along dim 0: scale = max|w| / 127.5 per
// output channel, zero point 0. Returns float64 scales and int64 zero points.
std::pair<Tensor, Tensor> symmetric_per_channel_qparams(const Tensor& weight);

// Records the range of every tensor it sees (a module, so it sits in a model during
// calibration) and passes the tensor on unchanged.
class MinMaxObserver final : public nn::UnaryModule {
 public:
  explicit MinMaxObserver(ObserverOptions options = {});
  Tensor forward(const Tensor& input) override;
  // The range so far; throws when nothing was observed.
  std::pair<double, double> range() const;
  QParams qparams() const { return range_qparams(range().first, range().second, options_); }

 private:
  std::string extra_repr() const override;
  ObserverOptions options_;
  bool observed_ = false;
  double min_ = 0, max_ = 0;
};

// PyTorch's MovingAverageMinMaxObserver: a MinMaxObserver whose range follows the data.
inline std::shared_ptr<MinMaxObserver> moving_average_observer(ObserverOptions options = {}) {
  options.averaging_constant = 0.01;
  return std::make_shared<MinMaxObserver>(options);
}

}  // namespace ember::quantization
