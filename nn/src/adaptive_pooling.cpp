// Adaptive average and max pooling over 1, 2 or 3 trailing spatial dimensions, one dimension at a
// time (a window's mean is the mean of its rows' means, its maximum the maximum of theirs).
#include <algorithm>
#include <array>

#include "ember/nn/functional.h"
#include "window_checks.h"

namespace ember::nn::functional {
namespace {

// The mean or the maximum (NaN winning) of each of `out` windows along `dim`, window i spanning
// [floor(i n / out), ceil((i + 1) n / out)) of the n positions, as PyTorch's adaptive pooling.
// Windows of one length are a reshape; otherwise the k-th element of every window is gathered at
// once, for k up to the longest window (at most n / out + 2 steps, however large `out` is). A
// shorter window repeats its last element past its end: masked out of a mean, harmless to a max.
Tensor adaptive_windows(const Tensor& x, int64_t dim, int64_t out, bool max) {
  const int64_t n = x.size(dim);
  if (n % out == 0) {
    DimVector windows(x.sizes());
    windows[dim] = out;
    windows.insert(static_cast<size_t>(dim + 1), n / out);
    const Tensor grouped = x.reshape(windows);
    return max ? grouped.amax(dim + 1) : grouped.mean(dim + 1);
  }
  // Host tensors rather than vectors: an absurd `out` is refused as an allocation, an ember::Error.
  const Tensor bounds = empty({2, out}, DType::Int64);
  int64_t* start = bounds.data_ptr<int64_t>();
  int64_t* end = start + out;
  int64_t longest = 0;
  for (int64_t i = 0; i < out; ++i) {
    start[i] = static_cast<int64_t>(static_cast<__int128>(i) * n / out);
    end[i] = static_cast<int64_t>((static_cast<__int128>(i + 1) * n + out - 1) / out);
    longest = std::max(longest, end[i] - start[i]);
  }
  DimVector along(x.dim(), 1);
  along[dim] = out;
  Tensor combined;
  for (int64_t k = 0; k < longest; ++k) {
    const Tensor index = empty({out}, DType::Int64), inside = empty(along, DType::Bool);
    int64_t* position = index.data_ptr<int64_t>();
    bool* valid = inside.data_ptr<bool>();
    for (int64_t i = 0; i < out; ++i) {
      valid[i] = start[i] + k < end[i];
      position[i] = start[i] + std::min(k, end[i] - start[i] - 1);
    }
    Tensor picked = x.index_select(dim, index.to(x.device()));
    if (!max) picked = picked * inside.to(x.device());
    combined = k == 0 ? picked : max ? maximum(combined, picked) : combined + picked;
  }
  if (max) return combined;
  const Tensor counts = (bounds.select(0, 1) - bounds.select(0, 0)).to(x.dtype()).view(along);
  return combined / counts.to(x.device());
}

// "[N, C, D, H, W] or [C, D, H, W]" and "depth, height and width" for K spatial dimensions.
constexpr const char* kLayouts[] = {"[N, C, L] or [C, L]", "[N, C, H, W] or [C, H, W]",
                                    "[N, C, D, H, W] or [C, D, H, W]"};
constexpr const char* kExtents[] = {"length", "height and width", "depth, height and width"};

template <size_t K>
Tensor adaptive_pool(const char* op, const Tensor& input, const std::array<int64_t, K>& output_size, bool max) {
  check_at_least(op, "output_size", output_size, 1);
  const int64_t spatial = static_cast<int64_t>(K);
  EMBER_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, "[{}] input: expected a {} tensor, got {}", op,
              kLayouts[K - 1], shape_str(input.sizes()));
  EMBER_CHECK(is_floating(input.dtype()), "[{}] input: expected a floating-point tensor, got {}", op,
              dtype_name(input.dtype()));
  const int64_t first = input.dim() - spatial;
  DimVector result_shape(IntArrayRef(input.sizes().data(), static_cast<size_t>(first)));
  for (size_t i = 0; i < K; ++i) {
    EMBER_CHECK(input.size(first + static_cast<int64_t>(i)) > 0, "[{}] input: expected a non-empty {}, got {}", op,
                kExtents[K - 1], shape_str(input.sizes()));
    result_shape.push_back(output_size[i]);
  }
  // The output is allocated (and dropped) before the windows' bounds are laid out for it, so
  // that an output no memory holds is refused as such rather than after gigabytes of bounds.
  empty(result_shape, input.dtype(), input.device());
  Tensor x = input;
  for (size_t i = 0; i < K; ++i) x = adaptive_windows(x, first + static_cast<int64_t>(i), output_size[i], max);
  return x;
}

}  // namespace

Tensor adaptive_avg_pool1d(const Tensor& input, int64_t output_size) {
  return adaptive_pool<1>("adaptive_avg_pool1d", input, {output_size}, false);
}
Tensor adaptive_avg_pool2d(const Tensor& input, Pair output_size) {
  return adaptive_pool("adaptive_avg_pool2d", input, output_size, false);
}
Tensor adaptive_avg_pool3d(const Tensor& input, Triple output_size) {
  return adaptive_pool("adaptive_avg_pool3d", input, output_size, false);
}
Tensor adaptive_max_pool1d(const Tensor& input, int64_t output_size) {
  return adaptive_pool<1>("adaptive_max_pool1d", input, {output_size}, true);
}
Tensor adaptive_max_pool2d(const Tensor& input, Pair output_size) {
  return adaptive_pool("adaptive_max_pool2d", input, output_size, true);
}
Tensor adaptive_max_pool3d(const Tensor& input, Triple output_size) {
  return adaptive_pool("adaptive_max_pool3d", input, output_size, true);
}

}  // namespace ember::nn::functional
