// unfold and fold: sliding blocks of an image as columns (im2col) and back, overlaps summed. Both
// address the zero-padded plane through one list of flat positions (Note [Blocks as positions]).
#include "ember/nn/functional.h"
#include "window_checks.h"

namespace ember::nn::functional {
namespace {

// Note [Blocks as positions]
// Element (ki, kj) of block (bi, bj) sits in row bi * stride + ki * dilation and column
// bj * stride + kj * dilation of the padded plane. Listed kernel-offset-major, then block-major,
// those flat positions are exactly unfold's [kH kW, L] column layout: unfold is one index_select
// of the flattened plane, and fold, its adjoint, one index_add into it (overlapping blocks add).
struct Blocks {
  int64_t padded_height, padded_width;
  int64_t kernel_elements, count;  // kH kW, and L = oH oW
  Tensor positions;                // [kH kW L] flat positions in the padded plane, int64
};

Blocks blocks_of(const char* op, int64_t height, int64_t width, Pair kernel_size, const FoldOptions& options,
                 Device device) {
  check_at_least(op, "kernel_size", kernel_size, 1);
  check_conv_geometry(op, options);
  // In 128 bits: a padding or dilation near INT64_MAX must give an error, not a wrapped size.
  const __int128 wide[2] = {height + 2 * static_cast<__int128>(options.padding[0]),
                            width + 2 * static_cast<__int128>(options.padding[1])};
  EMBER_CHECK(wide[0] <= INT64_MAX && wide[1] <= INT64_MAX, "[{}] padding: [{}, {}] makes a plane larger than int64 "
              "sizes hold", op, options.padding[0], options.padding[1]);
  const int64_t padded[2] = {static_cast<int64_t>(wide[0]), static_cast<int64_t>(wide[1])};
  int64_t blocks[2];
  for (int i = 0; i < 2; ++i) {
    const __int128 extent = static_cast<__int128>(options.dilation[i]) * (kernel_size[i] - 1) + 1;
    EMBER_CHECK(extent <= padded[i], "[{}] kernel_size: blocks of {}x{} with dilation [{}, {}] do not fit in the "
                "padded {}x{} plane", op, kernel_size[0], kernel_size[1], options.dilation[0], options.dilation[1],
                padded[0], padded[1]);
    blocks[i] = (padded[i] - static_cast<int64_t>(extent)) / options.stride[i] + 1;
  }
  // The positions, and the padded plane fold adds into, must be sizes int64 holds.
  checked_numel({kernel_size[0], kernel_size[1], blocks[0], blocks[1]}, op);
  checked_numel({padded[0], padded[1]}, op);
  const auto offsets = [&](int64_t n, int64_t step) { return arange(n, DType::Int64, device) * step; };
  const Tensor rows = offsets(kernel_size[0], options.dilation[0]).view({-1, 1, 1, 1}) +
                      offsets(blocks[0], options.stride[0]).view({1, 1, -1, 1});
  const Tensor columns = offsets(kernel_size[1], options.dilation[1]).view({1, -1, 1, 1}) +
                         offsets(blocks[1], options.stride[1]).view({1, 1, 1, -1});
  return {padded[0], padded[1], kernel_size[0] * kernel_size[1], blocks[0] * blocks[1],
          (rows * padded[1] + columns).reshape({-1})};
}

}  // namespace

Tensor unfold(const Tensor& input, Pair kernel_size, FoldOptions options) {
  const char* op = "unfold";
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "[{}] input: expected a [N, C, H, W] or [C, H, W] tensor, got {}",
              op, shape_str(input.sizes()));
  const Tensor batch = input.dim() == 4 ? input : input.unsqueeze(0);
  const int64_t n = batch.size(0), channels = batch.size(1);
  const Blocks b = blocks_of(op, batch.size(2), batch.size(3), kernel_size, options, input.device());
  const Tensor plane = pad(batch, {options.padding[1], options.padding[1], options.padding[0], options.padding[0]})
                           .reshape({n, channels, b.padded_height * b.padded_width});
  const Tensor columns = plane.index_select(2, b.positions).reshape({n, channels * b.kernel_elements, b.count});
  return input.dim() == 4 ? columns : columns.squeeze(0);
}

Tensor fold(const Tensor& input, Pair output_size, Pair kernel_size, FoldOptions options) {
  const char* op = "fold";
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "[{}] input: expected a [N, C kH kW, L] or [C kH kW, L] tensor, "
              "got {}", op, shape_str(input.sizes()));
  check_at_least(op, "output_size", output_size, 1);
  const Tensor batch = input.dim() == 3 ? input : input.unsqueeze(0);
  const Blocks b = blocks_of(op, output_size[0], output_size[1], kernel_size, options, input.device());
  EMBER_CHECK(batch.size(1) % b.kernel_elements == 0, "[{}] input: expected a multiple of kH kW = {} in dimension 1, "
              "got shape {}", op, b.kernel_elements, shape_str(input.sizes()));
  EMBER_CHECK(batch.size(2) == b.count, "[{}] input: expected {} blocks (the {}x{} output's), got {} in shape {}", op,
              b.count, output_size[0], output_size[1], batch.size(2), shape_str(input.sizes()));
  const int64_t n = batch.size(0), channels = batch.size(1) / b.kernel_elements;
  const Tensor plane = zeros({n, channels, b.padded_height * b.padded_width}, input.dtype(), input.device())
                           .index_add(2, b.positions, batch.reshape({n, channels, b.kernel_elements * b.count}));
  const Tensor image = plane.reshape({n, channels, b.padded_height, b.padded_width})
                           .narrow(2, options.padding[0], output_size[0])
                           .narrow(3, options.padding[1], output_size[1]);
  return input.dim() == 3 ? image : image.squeeze(0);
}

}  // namespace ember::nn::functional
