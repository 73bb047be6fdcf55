// Quantization parameters from observed ranges, computed as PyTorch's MinMaxObserver does.
#pragma once

#include <utility>

#include "ember/core/tensor.h"

namespace ember::quantization {

// The smallest scale handed out, so that an all-zero range still quantizes (PyTorch's eps).
constexpr double kMinScale = 1.1920928955078125e-07;

// Affine parameters for quint8 integers in [0, quant_max] over [min(lo, 0), max(hi, 0)] (zero
// stays exact): scale = (max - min) / quant_max, zero_point = -round(min / scale). quant_max 127
// is PyTorch's reduce_range, which keeps int8 products exact on CPUs without VNNI.
std::pair<double, int64_t> affine_qparams(double lo, double hi, int64_t quant_max = 255);

// Symmetric per-channel parameters for qint8 weights along dim 0: scale = max|w| / 127.5 per
// output channel, zero point 0. Returns float64 scales and int64 zero points.
std::pair<Tensor, Tensor> symmetric_per_channel_qparams(const Tensor& weight);

}  // namespace ember::quantization
