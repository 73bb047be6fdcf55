// What the int8 products (int8_matmul, int8_conv2d) share: the epilogue that turns int32 sums
// into their results, and when oneDNN's int8 kernels are exact on this CPU.
//
// Note [Int8 epilogue]
// Each output channel c has y = scales[c] * acc + bias[c], where acc sums
// (activation - zero point) * weight exactly in int32. The result is y in float32, or, given an
// output zero point, the uint8 round(y) + zero_point saturated to [0, output_max] (rounding half to
// even; output_max is 127 for seven-bit activations, which keeps the next product exact):
// a quantized layer folds its input scale, weight scales and 1 / output scale into `scales`, and
// bias / output scale into `bias`, so that it writes the next layer's quint8 directly. oneDNN 2.x
// computes scales[c] * (acc + b[c]) instead, so it is given b[c] = bias[c] / scales[c].
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dnnl_engine.h"

namespace ember::cpu {

class Int8Epilogue {
 public:
  // scales, bias (optional), output_zero_point (optional) and output_max at these argument indices.
  Int8Epilogue(const sdk::KernelArgs& args, int scales, int bias, int output_zero_point, int output_max)
      : scales_(args.tensor(scales)), output_max_(static_cast<float>(args.to_int(output_max))) {
    if (!args.is_none(bias)) bias_ = args.tensor(bias);
    if (!args.is_none(output_zero_point)) zero_point_ = static_cast<int32_t>(args.to_int(output_zero_point));
  }

  float scale(int64_t c) const { return scales_.data<float>()[c * scales_.stride(0)]; }
  float bias(int64_t c) const { return bias_ ? bias_->data<float>()[c * bias_->stride(0)] : 0.0f; }
  bool has_bias() const { return bias_.has_value(); }

  // The result for channel c from its exact sum, stored at element `offset` of `out`.
  void store(const sdk::TensorView& out, int64_t offset, int64_t c, int64_t acc) const {
    const float y = scale(c) * static_cast<float>(acc) + bias(c);
    if (!zero_point_) {
      out.data<float>()[offset] = y;
      return;
    }
    const float q = std::nearbyint(y) + static_cast<float>(*zero_point_);
    out.data<uint8_t>()[offset] = static_cast<uint8_t>(std::fmin(output_max_, std::fmax(0.0f, q)));
  }

  // The scales as a vector (oneDNN's convolution takes them when it is created).
  std::vector<float> scale_values() const {
    std::vector<float> values(static_cast<size_t>(scales_.size(0)));
    for (int64_t c = 0; c < scales_.size(0); ++c) values[c] = scale(c);
    return values;
  }

  // The bias in oneDNN's terms, bias[c] / scales[c]; nullopt where a scale is zero (no such bias
  // exists) so that the caller takes its exact loop.
  std::optional<std::vector<float>> dnnl_bias() const {
    std::vector<float> values(static_cast<size_t>(scales_.size(0)), 0.0f);
    for (int64_t c = 0; bias_ && c < scales_.size(0); ++c) {
      if (scale(c) == 0.0f) return std::nullopt;
      values[c] = bias(c) / scale(c);
    }
    return values;
  }

  // The attributes: per-channel scales (at creation, or at run time where `scales` is empty), the
  // source zero point at run time, and for uint8 results the output's zero point at run time and
  // its upper bound as a clip before the zero point is added.
  dnnl::primitive_attr dnnl_attributes(const std::vector<float>& scales) const {
    dnnl::primitive_attr attr;
    attr.set_output_scales(/*mask: per channel, dim 1 of dst*/ 1 << 1,
                           scales.empty() ? std::vector<float>{DNNL_RUNTIME_F32_VAL} : scales);
    attr.set_zero_points(DNNL_ARG_SRC, /*mask: one value*/ 0, {DNNL_RUNTIME_S32_VAL});
    if (zero_point_) {
      attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
      if (output_max_ < 255.0f) {
        dnnl::post_ops clip;
        clip.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, -std::numeric_limits<float>::max(),
                             output_max_ - static_cast<float>(*zero_point_));
        attr.set_post_ops(clip);
      }
    }
    return attr;
  }

  // What the primitive is created for, past the tensors' layouts: part of a cache key.
  std::string dnnl_key() const {
    std::string key = bias_ ? "|b" : "|-";
    if (zero_point_) key += "|u8:" + std::to_string(*zero_point_) + ":" + std::to_string(output_max_);
    return key;
  }

  // The run-time arguments past the tensors: the source zero point, the bias in oneDNN's terms
  // (`bias`, laid out as `bias_desc`) and, for uint8 results, the output's zero point. The memories
  // point at `bias` and at `zero_points` ({source, output}, the latter filled in here), which must
  // outlive the run.
  std::vector<std::pair<int, dnnl::memory>> dnnl_arguments(std::array<int32_t, 2>& zero_points,
                                                           const std::vector<float>& bias,
                                                           const dnnl::memory::desc& bias_desc) const {
    const dnnl::engine& engine = dnnl_engine();
    const dnnl::memory::desc one_int({1}, dnnl::memory::data_type::s32, {1});
    std::vector<std::pair<int, dnnl::memory>> args{
        {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, dnnl::memory(one_int, engine, &zero_points[0])}};
    if (bias_) args.emplace_back(DNNL_ARG_BIAS, dnnl::memory(bias_desc, engine, const_cast<float*>(bias.data())));
    if (zero_point_) {
      zero_points[1] = *zero_point_;
      args.emplace_back(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, dnnl::memory(one_int, engine, &zero_points[1]));
    }
    return args;
  }

  dnnl::memory::data_type dnnl_output_type() const {
    return zero_point_ ? dnnl::memory::data_type::u8 : dnnl::memory::data_type::f32;
  }

 private:
  sdk::TensorView scales_;
  std::optional<sdk::TensorView> bias_;
  float output_max_;
  std::optional<int32_t> zero_point_;
};

// Without VNNI, oneDNN's int8 GEMM multiplies u8 by s8 and adds pairs of products in saturating
// int16 (vpmaddubsw): exact only while the activations stay below 128.
inline bool pairs_saturate() {
  static const bool saturate = [] {
    using isa = dnnl::cpu_isa;
    switch (dnnl::get_effective_cpu_isa()) {
      case isa::avx512_core_vnni: case isa::avx512_core_bf16: case isa::avx512_core_amx: case isa::avx2_vnni:
        return false;
      default:
        return true;
    }
  }();
  return saturate;
}

// Whether every uint8 element of `t` (any rank, any strides) is below 128.
inline bool all_below_128(const sdk::TensorView& t) {
  if (t.is_contiguous()) {
    const uint8_t* data = t.data<uint8_t>();
    uint8_t high = 0;
    for (int64_t i = 0; i < t.numel(); ++i) high |= data[i];  // vectorizes; no early exit
    return high < 128;
  }
  auto walk = [&](auto&& self, int64_t dim, int64_t offset) -> bool {
    if (dim == t.ndim()) return t.data<uint8_t>()[offset] < 128;
    for (int64_t i = 0; i < t.size(dim); ++i) {
      if (!self(self, dim + 1, offset + i * t.stride(dim))) return false;
    }
    return true;
  };
  return walk(walk, 0, 0);
}

}  // namespace ember::cpu
