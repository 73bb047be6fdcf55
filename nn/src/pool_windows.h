// Where pooling windows fall along one dimension, shared by the poolings of every rank.
#pragma once

#include <algorithm>
#include <vector>

#include "ember/nn/functional.h"

namespace ember::nn::functional {

// PyTorch's output length of a window: ceil_mode rounds up while the last window still starts
// inside the input or its left padding. Written so that no sum overflows for any padding up to
// half a kernel; `dimension` names the size in errors.
inline int64_t windows(const char* op, const char* dimension, int64_t size, int64_t kernel, int64_t stride,
                       int64_t padding, int64_t dilation, bool ceil_mode) {
  const __int128 span = static_cast<__int128>(dilation) * (kernel - 1) + 1;
  const __int128 room = size + 2 * static_cast<__int128>(padding) - span;
  EMBER_CHECK(room >= 0, "[{}] input: a {} of {} padded by {} on each side is smaller than the kernel's span {}", op,
              dimension, size, padding, static_cast<double>(span));
  __int128 count = (room + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  if (ceil_mode && (count - 1) * stride >= size + static_cast<__int128>(padding)) --count;
  return static_cast<int64_t>(count);
}

// Note [Average pooling]
// A window's mean is its sum, a depthwise convolution with a kernel of ones over the input
// padded with zeros, divided by its element count. PyTorch counts a window's positions inside
// the padded input (count_include_pad) or inside the input alone, and in either case not past
// the right padding, where ceil_mode's last window may reach. The count is a product over the
// dimensions, so the divisors are an outer product of each dimension's. Where every window has
// the same one (no ceil_mode overhang, padding counted, the usual case) the division folds into
// the kernel: one convolution.
struct AverageWindows {
  int64_t count = 0;              // windows along the dimension
  int64_t overhang = 0;           // positions past the right padding the last window covers
  std::vector<double> divisors;   // each window's element count
  bool uniform() const { return std::all_of(divisors.begin(), divisors.end(), [&](double d) { return d == divisors[0]; }); }
};

inline AverageWindows average_windows(const char* op, const char* dimension, int64_t size, int64_t kernel,
                                      int64_t stride, int64_t padding, bool ceil_mode, bool count_include_pad) {
  AverageWindows axis;
  axis.count = windows(op, dimension, size, kernel, stride, padding, 1, ceil_mode);
  const __int128 last_end = static_cast<__int128>(axis.count - 1) * stride + kernel;
  axis.overhang = static_cast<int64_t>(std::max<__int128>(0, last_end - size - 2 * static_cast<__int128>(padding)));
  axis.divisors.reserve(static_cast<size_t>(axis.count));
  for (int64_t o = 0; o < axis.count; ++o) {
    __int128 start = static_cast<__int128>(o) * stride - padding;
    __int128 end = std::min<__int128>(start + kernel, size + static_cast<__int128>(padding));
    if (!count_include_pad) {
      start = std::max<__int128>(start, 0);
      end = std::min<__int128>(end, size);
    }
    axis.divisors.push_back(static_cast<double>(end - start));
  }
  return axis;
}

}  // namespace ember::nn::functional
