// grid_sample and affine_grid: each output position reads its four neighbours (or the nearest
// one) through one gather of the flattened input, weighted by its distance to them; made of
// operators, so autograd differentiates both the input and the grid, on every device.
#include <cmath>

#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

// Grid coordinates in [-1, 1] as pixel coordinates over `size` pixels.
Tensor unnormalize(const Tensor& coordinate, int64_t size, bool align_corners) {
  if (align_corners) return (coordinate + 1) * (0.5 * static_cast<double>(size - 1));
  return ((coordinate + 1) * static_cast<double>(size) - 1) * 0.5;
}

// The pixel coordinates of the output's positions along [-1, 1], as affine_grid lays them out.
Tensor base_coordinates(int64_t size, bool align_corners, const Tensor& like) {
  if (size == 1) return zeros({1}, like.dtype(), like.device());
  const Tensor steps = linspace(-1, 1, size, like.dtype(), like.device());
  return align_corners ? steps : steps * (static_cast<double>(size - 1) / static_cast<double>(size));
}

}  // namespace

Tensor grid_sample(const Tensor& input, const Tensor& grid, const GridSampleOptions& options) {
  const char* op = "grid_sample";
  EMBER_CHECK(input.dim() == 4 && is_floating(input.dtype()), "[{}] input: expected a floating [N, C, H, W] tensor, got {}",
              op, shape_str(input.sizes()));
  EMBER_CHECK(grid.dim() == 4 && grid.size(0) == input.size(0) && grid.size(3) == 2,
              "[{}] grid: expected [{}, H_out, W_out, 2], got {}", op, input.size(0), shape_str(grid.sizes()));
  EMBER_CHECK(options.mode == "bilinear" || options.mode == "nearest",
              "[{}] mode: expected 'bilinear' or 'nearest', got '{}'", op, options.mode);
  EMBER_CHECK(options.padding_mode == "zeros" || options.padding_mode == "border",
              "[{}] padding_mode: expected 'zeros' or 'border', got '{}'", op, options.padding_mode);
  const int64_t n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
  const int64_t out_h = grid.size(1), out_w = grid.size(2);
  const bool border = options.padding_mode == "border";
  Tensor x = unnormalize(grid.select(3, 0).to(input.dtype()), w, options.align_corners);
  Tensor y = unnormalize(grid.select(3, 1).to(input.dtype()), h, options.align_corners);
  if (border) {
    x = x.clamp(0, static_cast<double>(w - 1));
    y = y.clamp(0, static_cast<double>(h - 1));
  }
  const Tensor flat = input.reshape({n, c, h * w});
  // The input at integer positions (px, py) [N, Ho, Wo], zero outside, times `weight`.
  const auto tap = [&](const Tensor& px, const Tensor& py, const Tensor& weight) {
    const Tensor inside = logical_and(logical_and(ge(px, 0), lt(px, w)), logical_and(ge(py, 0), lt(py, h)));
    const Tensor index = (py.clamp(0, h - 1) * w + px.clamp(0, w - 1)).to(DType::Int64).reshape({n, 1, out_h * out_w});
    const Tensor values = flat.gather(2, index.expand({n, c, out_h * out_w})).reshape({n, c, out_h, out_w});
    return values * (weight * inside.to(weight.dtype())).unsqueeze(1);
  };
  if (options.mode == "nearest") {
    // Halfway cases round to even, as PyTorch's nearbyint.
    return tap(round(x), round(y), ones_like(x));
  }
  const Tensor x0 = floor(x), y0 = floor(y), x1 = x0 + 1, y1 = y0 + 1;
  const Tensor wx1 = x - x0, wx0 = 1 - wx1, wy1 = y - y0, wy0 = 1 - wy1;
  return tap(x0, y0, wx0 * wy0) + tap(x1, y0, wx1 * wy0) + tap(x0, y1, wx0 * wy1) + tap(x1, y1, wx1 * wy1);
}

Tensor affine_grid(const Tensor& theta, IntArrayRef size, bool align_corners) {
  const char* op = "affine_grid";
  EMBER_CHECK(size.size() == 4, "[{}] size: expected [N, C, H, W], got [{}]", op, fmt::join(size, ", "));
  EMBER_CHECK(theta.dim() == 3 && theta.size(0) == size[0] && theta.size(1) == 2 && theta.size(2) == 3 &&
                  is_floating(theta.dtype()),
              "[{}] theta: expected a floating [{}, 2, 3] tensor, got {}", op, size[0], shape_str(theta.sizes()));
  const int64_t h = size[2], w = size[3];
  // Homogeneous coordinates (x, y, 1) of every output position: [H * W, 3].
  const Tensor xs = base_coordinates(w, align_corners, theta).reshape({1, w}).expand({h, w});
  const Tensor ys = base_coordinates(h, align_corners, theta).reshape({h, 1}).expand({h, w});
  const Tensor base = stack({xs, ys, ones({h, w}, theta.dtype(), theta.device())}, 2).reshape({h * w, 3});
  return matmul(base, theta.transpose(1, 2)).reshape({size[0], h, w, 2});
}

}  // namespace ember::nn::functional
