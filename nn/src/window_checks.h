// Argument checks the convolutions and poolings of every rank share.
#pragma once

#include <algorithm>
#include <array>

#include "ember/nn/functional.h"

namespace ember::nn::functional {

// Every value of a kernel size, stride, padding or dilation at least `min`; throws
// "[op] name: expected values of at least 1, got [0, 2]".
template <size_t N>
void check_at_least(const char* op, const char* name, const std::array<int64_t, N>& values, int64_t min) {
  EMBER_CHECK(std::all_of(values.begin(), values.end(), [min](int64_t v) { return v >= min; }),
              "[{}] {}: expected values of at least {}, got [{}]", op, name, min, fmt::join(values, ", "));
}

// A convolution's stride and dilation of at least 1, its padding of at least 0.
template <typename Options>
void check_conv_geometry(const char* op, const Options& options) {
  check_at_least(op, "stride", options.stride, 1);
  check_at_least(op, "dilation", options.dilation, 1);
  check_at_least(op, "padding", options.padding, 0);
}

// A convolution weight [*, *, kernel...] whose kernel has at least one tap in every dimension.
inline void check_kernel_taps(const char* op, const Tensor& weight) {
  bool taps = true;
  for (int64_t d = 2; d < weight.dim(); ++d) taps = taps && weight.size(d) >= 1;
  EMBER_CHECK(taps, "[{}] weight: expected a kernel of at least 1 in every dimension, got shape {}", op,
              shape_str(weight.sizes()));
}

// A transposed convolution's geometry, groups dividing the weight's input channels, and an
// output padding below the stride.
template <typename Options>
void check_transposed_geometry(const char* op, const Tensor& weight, const Options& options) {
  check_conv_geometry(op, options);
  check_kernel_taps(op, weight);
  EMBER_CHECK(options.groups >= 1 && weight.size(0) % options.groups == 0,
              "[{}] groups: expected a positive divisor of the weight's {} input channels, got {}", op, weight.size(0),
              options.groups);
  bool below = true;
  for (size_t i = 0; i < options.stride.size(); ++i) below = below && options.output_padding[i] >= 0 && options.output_padding[i] < options.stride[i];
  EMBER_CHECK(below, "[{}] output_padding: expected values from 0 to below the stride [{}], got [{}]", op,
              fmt::join(options.stride, ", "), fmt::join(options.output_padding, ", "));
}

// A transposed convolution's input: as many channels as the weight's first dimension.
inline void check_transposed_input(const char* op, const Tensor& input, const Tensor& weight) {
  EMBER_CHECK(input.size(1) == weight.size(0), "[{}] input: expected {} channels (the weight's first dimension), got {}",
              op, weight.size(0), input.size(1));
}

// A transposed convolution's output size along one dimension, (size - 1) stride - 2 padding +
// dilation (kernel - 1) + output_padding + 1; in 128 bits, so that a stride or dilation near
// INT64_MAX gives an error rather than a wrapped size.
inline __int128 transposed_extent(int64_t size, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                                  int64_t output_padding) {
  return static_cast<__int128>(size - 1) * stride - 2 * static_cast<__int128>(padding) +
         static_cast<__int128>(dilation) * (kernel - 1) + output_padding + 1;
}

// Pooling windows: a kernel and stride of at least 1, padding from 0 to half the kernel.
template <size_t N>
void check_pool_window(const char* op, const std::array<int64_t, N>& kernel, const std::array<int64_t, N>& stride,
                       const std::array<int64_t, N>& padding) {
  check_at_least(op, "kernel_size", kernel, 1);
  check_at_least(op, "stride", stride, 1);
  bool within = true;
  for (size_t i = 0; i < N; ++i) within = within && padding[i] >= 0 && padding[i] * 2 <= kernel[i];
  EMBER_CHECK(within, "[{}] padding: expected values from 0 to half the kernel size [{}], got [{}]", op,
              fmt::join(kernel, ", "), fmt::join(padding, ", "));
}

// An average pooling's divisor_override: absent, or any divisor but 0 (PyTorch's rule).
inline void check_divisor_override(const char* op, std::optional<int64_t> divisor) {
  EMBER_CHECK(!divisor || *divisor != 0, "[{}] divisor_override: expected a non-zero divisor, got 0", op);
}

// An optional per-channel tensor (a bias, a norm's weight): undefined, or of shape [channels].
inline void check_per_channel(const char* op, const char* name, const Tensor& t, int64_t channels) {
  EMBER_CHECK(!t.defined() || (t.dim() == 1 && t.size(0) == channels), "[{}] {}: expected shape [{}], got {}", op,
              name, channels, shape_str(t.sizes()));
}

}  // namespace ember::nn::functional
