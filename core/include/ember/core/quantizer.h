// How a quantized tensor's stored integers map to real numbers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/dtype.h"

namespace ember {

class Tensor;

// Note [Quantized tensors]
// A quantized tensor (qint8, quint8, qint32) stores integers q, and its Quantizer maps them to
// reals: x = (q - zero_point) * scale, with one scale and zero point for the whole tensor
// (per_tensor_affine) or one per index along `axis` (per_channel_affine). The tensor carries
// the Quantized dispatch key, whose kernels run above the backends: operators with a quantized
// kernel run on the integers (passing scale and zero point as arguments), views and copies run
// on the integers and keep the quantizer, and every other operator gets dequantized arguments
// through a boxed fallback. Backends therefore see plain int8/uint8/int32 tensors only.
struct Quantizer {
  enum class Scheme { PerTensorAffine, PerChannelAffine };
  Scheme scheme = Scheme::PerTensorAffine;
  std::vector<double> scales;        // one, or one per channel
  std::vector<int64_t> zero_points;  // likewise
  int64_t axis = 0;                  // the channel dimension (per channel only)

  static std::shared_ptr<const Quantizer> per_tensor(double scale, int64_t zero_point);
  static std::shared_ptr<const Quantizer> per_channel(std::vector<double> scales, std::vector<int64_t> zero_points,
                                                      int64_t axis);
  double scale(int64_t channel = 0) const { return scales[scheme == Scheme::PerTensorAffine ? 0 : channel]; }
  int64_t zero_point(int64_t channel = 0) const {
    return zero_points[scheme == Scheme::PerTensorAffine ? 0 : channel];
  }
  // The real number the stored integer `q` stands for in `channel`.
  double dequantize(int64_t q, int64_t channel = 0) const {
    return static_cast<double>(q - zero_point(channel)) * scale(channel);
  }
  // "per_tensor_affine, scale=0.1, zero_point=3", as PyTorch prints it.
  std::string str() const;
};

// The range of integers a quantized dtype holds: [-128, 127] for qint8.
std::pair<int64_t, int64_t> quantized_range(DType dtype);

// A quantized tensor of dtype `dtype` over the integers of `integers` (int8 for qint8, ...):
// the same storage, sizes and strides, no copy.
Tensor make_quantized(const Tensor& integers, DType dtype, std::shared_ptr<const Quantizer> quantizer);
// The stored integers of quantized `t` as a plain tensor: the same storage, no copy.
Tensor integers_of(const Tensor& t);

}  // namespace ember
