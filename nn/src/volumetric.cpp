// 3-D convolution, transposed convolution and pooling by depth taps (Note [Depth taps]): written
// with the 2-D operators, so autograd differentiates them and every backend with a 2-D
// convolution runs them.
#include <algorithm>
#include <limits>
#include <tuple>
#include <vector>

#include "ember/nn/functional.h"
#include "ember/autograd/grad_mode.h"
#include "pool_windows.h"
#include "unpooling.h"
#include "window_checks.h"

namespace ember::nn::functional {
namespace {

// Note [Depth taps]
// Output depth o of a 3-D window operation reads input depths o * stride + k * dilation for the
// kernel's depth taps k. For one tap, those planes of every output depth are one strided slice;
// folded into the batch ([N * out_depth, C, H, W]) they are a single 2-D operation with that
// tap's kernel. A convolution sums the taps' results, a pooling takes their max or mean: kD
// calls of the 2-D operator, each over the whole volume. A transposed convolution runs the other
// way: each tap's 2-D result for every input depth is added at the output depths it reaches.

// The planes tap k reads, for every output depth, as one batch [N * out_depth, C, H, W].
Tensor tap_planes(const Tensor& x, int64_t k, int64_t stride, int64_t dilation, int64_t out_depth) {
  const int64_t start = k * dilation;
  const Tensor planes = x.slice(2, start, start + (out_depth - 1) * stride + 1, stride);
  return planes.transpose(1, 2).reshape({x.size(0) * out_depth, x.size(1), x.size(3), x.size(4)});
}

// [N * out_depth, C, H, W] back to [N, C, out_depth, H, W].
Tensor unfold_depth(const Tensor& y, int64_t n, int64_t out_depth) {
  return y.reshape({n, out_depth, y.size(1), y.size(2), y.size(3)}).transpose(1, 2).contiguous();
}

// Runs `f` on a 5-D batch: an unbatched [C, D, H, W] volume gets a batch dimension around the call.
template <typename F>
Tensor on_volumes(const char* op, const Tensor& input, F f) {
  EMBER_CHECK(input.dim() == 4 || input.dim() == 5,
              "[{}] input: expected a [N, C, D, H, W] or [C, D, H, W] tensor, got {}", op, shape_str(input.sizes()));
  return input.dim() == 5 ? f(input) : f(input.unsqueeze(0)).squeeze(0);
}

Pair tail(Triple t) { return {t[1], t[2]}; }

}  // namespace

Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, Conv3dOptions options) {
  const char* op = "conv3d";
  EMBER_CHECK(weight.dim() == 5, "[{}] weight: expected [out_channels, in_channels / groups, kD, kH, kW], got {}", op,
              shape_str(weight.sizes()));
  check_conv_geometry(op, options);
  check_kernel_taps(op, weight);
  return on_volumes(op, input, [&](const Tensor& x) {
    const int64_t groups = options.groups;
    EMBER_CHECK(groups >= 1 && x.size(1) % groups == 0 && weight.size(0) % groups == 0 &&
                    weight.size(1) * groups == x.size(1),
                "[{}] weight: expected {} input channels per group for an input with {} channels and groups={}, got "
                "weight shape {}", op, groups >= 1 ? x.size(1) / groups : 0, x.size(1), groups, shape_str(weight.sizes()));
    const int64_t out_depth =
        windows(op, "depth", x.size(2), weight.size(2), options.stride[0], options.padding[0], options.dilation[0], false);
    const Tensor padded = pad(x, {0, 0, 0, 0, options.padding[0], options.padding[0]});
    const Conv2dOptions plane = {.stride = tail(options.stride), .padding = tail(options.padding),
                                 .dilation = tail(options.dilation), .groups = groups};
    Tensor sum;
    for (int64_t k = 0; k < weight.size(2); ++k) {
      const Tensor tap = conv2d(tap_planes(padded, k, options.stride[0], options.dilation[0], out_depth),
                                weight.select(2, k), Tensor(), plane);
      sum = sum.defined() ? sum + tap : tap;
    }
    const Tensor out = unfold_depth(sum, x.size(0), out_depth);
    if (!bias.defined()) return out;
    check_per_channel(op, "bias", bias, weight.size(0));
    return out + bias.view({-1, 1, 1, 1});
  });
}

Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvTranspose3dOptions options) {
  const char* op = "conv_transpose3d";
  EMBER_CHECK(weight.dim() == 5, "[{}] weight: expected [in_channels, out_channels / groups, kD, kH, kW], got {}", op,
              shape_str(weight.sizes()));
  check_transposed_geometry(op, weight, options);
  return on_volumes(op, input, [&](const Tensor& x) {
    check_transposed_input(op, x, weight);
    const int64_t n = x.size(0), depth = x.size(2), s = options.stride[0], d = options.dilation[0];
    // Input depth i reaches depth i * stride + k * dilation of the uncropped output through tap k.
    const __int128 out_depth = transposed_extent(depth, weight.size(2), s, options.padding[0], d, options.output_padding[0]);
    const __int128 full = out_depth + 2 * static_cast<__int128>(options.padding[0]);
    EMBER_CHECK(out_depth > 0 && full <= INT64_MAX, "[{}] input: the output depth would be {}; expected a positive "
                "size that int64 holds", op, static_cast<double>(out_depth));
    const Tensor planes = x.transpose(1, 2).reshape({n * depth, x.size(1), x.size(3), x.size(4)});
    const ConvTranspose2dOptions plane = {.stride = tail(options.stride), .padding = tail(options.padding),
                                          .output_padding = tail(options.output_padding), .groups = options.groups,
                                          .dilation = tail(options.dilation)};
    Tensor sum;
    for (int64_t k = 0; k < weight.size(2); ++k) {
      const Tensor tap = unfold_depth(conv_transpose2d(planes, weight.select(2, k), Tensor(), plane), n, depth);
      if (!sum.defined()) {
        DimVector shape(tap.sizes());
        shape[2] = static_cast<int64_t>(full);
        sum = zeros(shape, tap.dtype(), tap.device());
      }
      sum = sum.index_add(2, arange(depth, DType::Int64, x.device()) * s + k * d, tap);
    }
    const Tensor out = sum.narrow(2, options.padding[0], static_cast<int64_t>(out_depth));
    if (!bias.defined()) return out;
    check_per_channel(op, "bias", bias, out.size(1));
    return out + bias.view({-1, 1, 1, 1});
  });
}

// The maximum of each window by depth taps (Note [Depth taps]), and its position d * H * W +
// h * W + w in the input volume, as PyTorch's return_indices=True gives it: the first maximum in
// depth, height, width order, NaN winning.
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, Triple kernel_size, MaxPool3dOptions options) {
  const char* op = "max_pool3d";
  const Triple stride = options.stride.value_or(kernel_size);
  check_pool_window(op, kernel_size, stride, options.padding);
  check_at_least(op, "dilation", options.dilation, 1);
  Tensor indices;
  const Tensor values = on_volumes(op, input, [&](const Tensor& x) {
    const int64_t p = options.padding[0], s = stride[0], d = options.dilation[0], depth = x.size(2);
    const int64_t out_depth = windows(op, "depth", depth, kernel_size[0], s, p, d, options.ceil_mode);
    // Padded depths must never win: below every element (every window holds one, as the padding
    // is at most half the kernel). The right side also covers ceil_mode's last window.
    const int64_t right = std::max(p, (out_depth - 1) * s + d * (kernel_size[0] - 1) + 1 - depth - p);
    const double lowest = is_floating(x.dtype()) ? -std::numeric_limits<double>::infinity() : x.amin().item<double>();
    const Tensor padded = pad(x, {0, 0, 0, 0, p, right}, lowest);
    const MaxPool2dOptions plane = {.stride = tail(stride), .padding = tail(options.padding),
                                    .dilation = tail(options.dilation), .ceil_mode = options.ceil_mode};
    // Input depth of each tap for every row [N * out_depth] of the taps' batches.
    const Tensor row_depth = arange(x.size(0) * out_depth, DType::Int64, x.device()).remainder(out_depth) * s - p;
    std::vector<Tensor> tap_values, tap_positions, tap_depths;
    for (int64_t k = 0; k < kernel_size[0]; ++k) {
      auto [maxima, positions] = max_pool2d_with_indices(tap_planes(padded, k, s, d, out_depth), tail(kernel_size), plane);
      tap_values.push_back(maxima);
      tap_positions.push_back(positions);
      tap_depths.push_back((row_depth + k * d).view({-1, 1, 1, 1}));
    }
    // max with indices: a tie's gradient goes to one tap, as PyTorch's to one element.
    const Tensor stacked = stack(tap_values);
    const Tensor maxima = std::get<0>(stacked.max(0));
    {
      autograd::NoGradGuard no_grad;
      // The winning tap is the first inside the input that holds the maximum (or a NaN): a padded
      // tap ties with an input of lowest values, and must not lend its depth.
      const Tensor tap_depth = stack(tap_depths);
      const Tensor inside = logical_and(tap_depth >= 0, tap_depth < depth);
      const Tensor holds = logical_and(logical_or(stacked == maxima, isnan(stacked)), inside);
      const Tensor tap = holds.to(DType::Int32).argmax(0, true);
      const Tensor plane_position = stack(tap_positions).gather(0, tap).squeeze(0);
      const Tensor volume_position =
          tap_depth.expand(stacked.sizes()).gather(0, tap).squeeze(0) * (x.size(3) * x.size(4)) + plane_position;
      const Tensor batched = unfold_depth(volume_position, x.size(0), out_depth);
      indices = input.dim() == 5 ? batched : batched.squeeze(0);
    }
    return unfold_depth(maxima, x.size(0), out_depth);
  });
  return {values, indices};
}

Tensor max_pool3d(const Tensor& input, Triple kernel_size, MaxPool3dOptions options) {
  return std::get<0>(max_pool3d_with_indices(input, kernel_size, options));
}

// Note [Max unpooling]
Tensor max_unpool3d(const Tensor& input, const Tensor& indices, Triple kernel_size, MaxUnpool3dOptions options) {
  return max_unpool("max_unpool3d", input, indices, kernel_size, options);
}

// Each depth tap's plane means over the plane windows' own counts (or plain sums, under
// divisor_override), summed over the taps and divided by the depth window's count: the counts
// multiply (Note [Average pooling]).
Tensor avg_pool3d(const Tensor& input, Triple kernel_size, AvgPool3dOptions options) {
  const char* op = "avg_pool3d";
  const Triple stride = options.stride.value_or(kernel_size);
  check_pool_window(op, kernel_size, stride, options.padding);
  check_divisor_override(op, options.divisor_override);
  return on_volumes(op, input, [&](const Tensor& x) {
    const int64_t p = options.padding[0];
    const AverageWindows depths = average_windows(op, "depth", x.size(2), kernel_size[0], stride[0], p,
                                                  options.ceil_mode, options.count_include_pad);
    const Tensor padded = pad(x, {0, 0, 0, 0, p, p + depths.overhang});  // zeros
    const AvgPool2dOptions plane = {.stride = tail(stride), .padding = tail(options.padding),
                                    .ceil_mode = options.ceil_mode, .count_include_pad = options.count_include_pad,
                                    .divisor_override = options.divisor_override ? std::optional<int64_t>(1) : std::nullopt};
    Tensor sum;
    for (int64_t k = 0; k < kernel_size[0]; ++k) {
      const Tensor tap = avg_pool2d(tap_planes(padded, k, stride[0], 1, depths.count), tail(kernel_size), plane);
      sum = sum.defined() ? sum + tap : tap;
    }
    const Tensor volume = unfold_depth(sum, x.size(0), depths.count);
    if (options.divisor_override) return volume / static_cast<double>(*options.divisor_override);
    if (depths.uniform()) return volume / depths.divisors[0];
    return volume / tensor<double>(depths.divisors, {depths.count, 1, 1}, x.device()).to(volume.dtype());
  });
}

}  // namespace ember::nn::functional
