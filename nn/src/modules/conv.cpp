#include "ember/nn/modules/conv.h"

#include <algorithm>
#include <cmath>

#include "ember/nn/init.h"

namespace ember::nn {
namespace {

// Checks a convolution layer's channels, kernel and groups, and makes its weight [rows,
// columns / groups, *kernel] ([out, in / groups] for a convolution, [in, out / groups] for a
// transposed one) and bias [out] with PyTorch's default initialisation: uniform within
// 1 / sqrt(fan_in), fan_in counted over the weight's second dimension and the kernel.
void init_conv(const char* type, int64_t in_channels, int64_t out_channels, IntArrayRef kernel_size, int64_t groups,
               bool transposed, bool with_bias, Tensor& weight, Tensor& bias) {
  EMBER_CHECK(in_channels > 0 && out_channels > 0, "[{}] channels: expected positive counts, got {} and {}", type,
              in_channels, out_channels);
  EMBER_CHECK(std::all_of(kernel_size.begin(), kernel_size.end(), [](int64_t k) { return k > 0; }),
              "[{}] kernel_size: expected values of at least 1, got [{}]", type, fmt::join(kernel_size, ", "));
  EMBER_CHECK(groups > 0 && in_channels % groups == 0 && out_channels % groups == 0,
              "[{}] groups: expected a divisor of in_channels ({}) and out_channels ({}), got {}", type, in_channels,
              out_channels, groups);
  DimVector shape = {transposed ? in_channels : out_channels, (transposed ? out_channels : in_channels) / groups};
  for (int64_t k : kernel_size) shape.push_back(k);
  weight = empty(shape);
  const double bound = 1.0 / std::sqrt(static_cast<double>(init::fan_in(weight)));
  init::uniform_(weight, -bound, bound);  // PyTorch's default: kaiming_uniform with a = sqrt(5)
  if (with_bias) {
    bias = empty({out_channels});
    init::uniform_(bias, -bound, bound);
  }
}

// PyTorch's tuples: (3,) and (3, 3).
std::string tuple(IntArrayRef values) {
  return values.size() == 1 ? fmt::format("({},)", values[0]) : fmt::format("({})", fmt::join(values, ", "));
}

// "in, out, kernel_size=..., stride=..." and the options that differ from their defaults.
std::string conv_repr(int64_t in_channels, int64_t out_channels, IntArrayRef kernel, IntArrayRef stride,
                      IntArrayRef padding, IntArrayRef output_padding, IntArrayRef dilation, int64_t groups, bool bias) {
  auto all = [](IntArrayRef v, int64_t x) { return std::all_of(v.begin(), v.end(), [x](int64_t e) { return e == x; }); };
  std::string out = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels, out_channels, tuple(kernel), tuple(stride));
  if (!all(padding, 0)) out += ", padding=" + tuple(padding);
  if (!all(output_padding, 0)) out += ", output_padding=" + tuple(output_padding);
  if (!all(dilation, 1)) out += ", dilation=" + tuple(dilation);
  if (groups != 1) out += fmt::format(", groups={}", groups);
  if (!bias) out += ", bias=False";
  return out;
}

template <size_t N>
IntArrayRef dims_ref(const std::array<int64_t, N>& p) {
  return IntArrayRef(p.data(), p.size());
}

}  // namespace

Conv1d::Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, functional::Conv1dOptions conv_options,
               bool with_bias)
    : ConvLayer("Conv1d", conv_options) {
  init_conv("Conv1d", in_channels, out_channels, {kernel_size}, options.groups, false, with_bias, weight, bias);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Conv1d::forward(const Tensor& input) { return functional::conv1d(input, weight, bias, options); }

std::string Conv1d::extra_repr() const {
  return conv_repr(weight.size(1) * options.groups, weight.size(0), {weight.size(2)}, {options.stride},
                   {options.padding}, {0}, {options.dilation}, options.groups, bias.defined());
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
               functional::Conv2dOptions conv_options, bool with_bias)
    : ConvLayer("Conv2d", conv_options) {
  init_conv("Conv2d", in_channels, out_channels, dims_ref(kernel_size), options.groups, false, with_bias, weight, bias);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Conv2d::forward(const Tensor& input) { return functional::conv2d(input, weight, bias, options); }

std::string Conv2d::extra_repr() const {
  return conv_repr(weight.size(1) * options.groups, weight.size(0), {weight.size(2), weight.size(3)},
                   dims_ref(options.stride), dims_ref(options.padding), {0, 0}, dims_ref(options.dilation), options.groups,
                   bias.defined());
}

Conv3d::Conv3d(int64_t in_channels, int64_t out_channels, functional::Triple kernel_size,
               functional::Conv3dOptions conv_options, bool with_bias)
    : ConvLayer("Conv3d", conv_options) {
  init_conv("Conv3d", in_channels, out_channels, dims_ref(kernel_size), options.groups, false, with_bias, weight, bias);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Conv3d::forward(const Tensor& input) { return functional::conv3d(input, weight, bias, options); }

std::string Conv3d::extra_repr() const {
  return conv_repr(weight.size(1) * options.groups, weight.size(0), {weight.size(2), weight.size(3), weight.size(4)},
                   dims_ref(options.stride), dims_ref(options.padding), {0, 0, 0}, dims_ref(options.dilation), options.groups,
                   bias.defined());
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
                                 functional::ConvTranspose2dOptions conv_options, bool with_bias)
    : ConvLayer("ConvTranspose2d", conv_options) {
  init_conv("ConvTranspose2d", in_channels, out_channels, dims_ref(kernel_size), options.groups, true, with_bias, weight,
            bias);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor ConvTranspose2d::forward(const Tensor& input) { return functional::conv_transpose2d(input, weight, bias, options); }

std::string ConvTranspose2d::extra_repr() const {
  return conv_repr(weight.size(0), weight.size(1) * options.groups, {weight.size(2), weight.size(3)},
                   dims_ref(options.stride), dims_ref(options.padding), dims_ref(options.output_padding), dims_ref(options.dilation),
                   options.groups, bias.defined());
}

}  // namespace ember::nn
