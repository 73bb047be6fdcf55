// What max_unpool1d, 2d and 3d share: the output size and the scatter that puts each value back.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "ember/nn/functional.h"
#include "window_checks.h"

namespace ember::nn::functional {

// Note [Max unpooling]
// The values go into a zero plane (or volume) per channel, flattened, by one scatter at the
// positions max_pool2d_with_indices or max_pool3d_with_indices gave (h * W + w, d * H * W + h * W
// + w), so autograd differentiates it: the input's gradient is the output gradient gathered back
// from those positions. The output size along each dimension is (size - 1) stride - 2 padding +
// kernel, or output_size where given, which PyTorch allows within a stride of that.
//
// max_unpool2d and max_unpool3d: `input` [N, C, spatial...] or unbatched, `indices` int64 of its
// shape, `options` the layer's stride, padding and output_size.
template <size_t N, typename Options>
Tensor max_unpool(const char* op, const Tensor& input, const Tensor& indices, std::array<int64_t, N> kernel,
                  const Options& options) {
  const std::array<int64_t, N> stride = options.stride.value_or(kernel), padding = options.padding;
  check_pool_window(op, kernel, stride, padding);
  const char* spatial = N == 3 ? "D, H, W" : "H, W";
  const int64_t batched_rank = static_cast<int64_t>(N) + 2;
  EMBER_CHECK(input.dim() == batched_rank || input.dim() == batched_rank - 1,
              "[{}] input: expected a [N, C, {}] or [C, {}] tensor, got {}", op, spatial, spatial,
              shape_str(input.sizes()));
  EMBER_CHECK(indices.dtype() == DType::Int64, "[{}] indices: expected int64 positions, got {}", op,
              dtype_name(indices.dtype()));
  EMBER_CHECK(indices.sizes().equals(input.sizes()), "[{}] indices: expected the input's shape {}, got {}", op,
              shape_str(input.sizes()), shape_str(indices.sizes()));
  const bool batched = input.dim() == batched_rank;
  const Tensor batch = batched ? input : input.unsqueeze(0);
  const std::optional<std::array<int64_t, N>>& output_size = options.output_size;
  std::array<int64_t, N> out{};
  for (size_t i = 0; i < N; ++i) {
    const __int128 natural = static_cast<__int128>(batch.size(2 + i) - 1) * stride[i] - 2 * padding[i] + kernel[i];
    EMBER_CHECK(natural > 0 && natural <= INT64_MAX, "[{}] input: the output would have size {}; expected a positive "
                "size that int64 holds", op, static_cast<double>(natural));
    out[i] = static_cast<int64_t>(natural);
    if (output_size) {
      const int64_t asked = (*output_size)[i];
      EMBER_CHECK(asked > out[i] - stride[i] && asked < out[i] + stride[i],
                  "[{}] output_size: expected sizes from {} to {} at dimension {}, got {}", op,
                  std::max<int64_t>(out[i] - stride[i] + 1, 1), out[i] + stride[i] - 1, i, asked);
      out[i] = asked;
    }
  }
  const char* outputs = N == 3 ? "volumes" : "planes";
  __int128 volume = 1;
  for (const int64_t size : out) {
    volume *= size;
    EMBER_CHECK(volume <= INT64_MAX, "[{}] output_size: {} {} hold more elements than int64 counts", op,
                fmt::join(out, "x"), outputs);
  }
  const Tensor positions = (batched ? indices : indices.unsqueeze(0)).flatten(2).to(batch.device());
  if (positions.numel() > 0) {
    const auto [lowest, highest] = ember::aminmax(positions);
    const int64_t lo = lowest.item<int64_t>(), hi = highest.item<int64_t>();
    EMBER_CHECK(lo >= 0 && hi < static_cast<int64_t>(volume), "[{}] indices: expected positions in [0, {}) (the {} "
                "output {}), got {}", op, static_cast<int64_t>(volume), fmt::join(out, "x"), outputs, lo < 0 ? lo : hi);
  }
  DimVector shape{batch.size(0), batch.size(1)};
  for (const int64_t size : out) shape.push_back(size);
  const Tensor zero = zeros({batch.size(0), batch.size(1), static_cast<int64_t>(volume)}, batch.dtype(), batch.device());
  const Tensor unpooled = zero.scatter(2, positions, batch.flatten(2)).view(shape);
  return batched ? unpooled : unpooled.squeeze(0);
}

}  // namespace ember::nn::functional
