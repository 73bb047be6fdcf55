#include "ember/nn/modules/conv.h"

#include <cmath>

#include "ember/nn/init.h"

namespace ember::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, functional::Pair kernel_size,
               functional::Conv2dOptions conv_options, bool with_bias)
    : UnaryModule("Conv2d"), options(conv_options) {
  EMBER_CHECK(in_channels > 0 && out_channels > 0, "[Conv2d] channels: expected positive counts, got {} and {}",
              in_channels, out_channels);
  EMBER_CHECK(kernel_size[0] > 0 && kernel_size[1] > 0, "[Conv2d] kernel_size: expected values of at least 1, got [{}, {}]",
              kernel_size[0], kernel_size[1]);
  EMBER_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0,
              "[Conv2d] groups: expected a divisor of in_channels ({}) and out_channels ({}), got {}", in_channels,
              out_channels, options.groups);
  weight = empty({out_channels, in_channels / options.groups, kernel_size[0], kernel_size[1]});
  const double bound = 1.0 / std::sqrt(static_cast<double>(init::fan_in(weight)));
  init::uniform_(weight, -bound, bound);  // PyTorch's default: kaiming_uniform with a = sqrt(5)
  if (with_bias) {
    bias = empty({out_channels});
    init::uniform_(bias, -bound, bound);
  }
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Conv2d::forward(const Tensor& input) { return functional::conv2d(input, weight, bias, options); }

std::string Conv2d::extra_repr() const {
  auto pair = [](const functional::Pair& p) { return fmt::format("({}, {})", p[0], p[1]); };
  std::string out = fmt::format("{}, {}, kernel_size={}, stride={}", weight.size(1) * options.groups, weight.size(0),
                                pair({weight.size(2), weight.size(3)}), pair(options.stride));
  if (options.padding != functional::Pair{0, 0}) out += ", padding=" + pair(options.padding);
  if (options.dilation != functional::Pair{1, 1}) out += ", dilation=" + pair(options.dilation);
  if (options.groups != 1) out += fmt::format(", groups={}", options.groups);
  if (!bias.defined()) out += ", bias=False";
  return out;
}

}  // namespace ember::nn
