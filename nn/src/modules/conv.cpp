#include "ember/nn/modules/conv.h"

#include <algorithm>
#include <cmath>

#include "ember/nn/init.h"

namespace ember::nn {
namespace {

// PyTorch's tuples: (3,) and (3, 3).
std::string tuple(IntArrayRef values) {
  return values.size() == 1 ? fmt::format("({},)", values[0]) : fmt::format("({})", fmt::join(values, ", "));
}

bool all_equal(IntArrayRef values, int64_t x) {
  return std::all_of(values.begin(), values.end(), [x](int64_t e) { return e == x; });
}

}  // namespace

void ConvParameters::make_parameters(int64_t in_channels, int64_t out_channels, IntArrayRef kernel_size,
                                     int64_t groups, bool transposed, bool with_bias) {
  const std::string& type = type_name();
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
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

std::string ConvParameters::conv_repr(bool transposed, IntArrayRef stride, IntArrayRef padding,
                                      IntArrayRef output_padding, IntArrayRef dilation, int64_t groups) const {
  const int64_t rows = weight.size(0), columns = weight.size(1) * groups;
  const IntArrayRef kernel(weight.sizes().data() + 2, static_cast<size_t>(weight.dim() - 2));
  std::string out = fmt::format("{}, {}, kernel_size={}, stride={}", transposed ? rows : columns,
                                transposed ? columns : rows, tuple(kernel), tuple(stride));
  if (!all_equal(padding, 0)) out += ", padding=" + tuple(padding);
  if (!all_equal(output_padding, 0)) out += ", output_padding=" + tuple(output_padding);
  if (!all_equal(dilation, 1)) out += ", dilation=" + tuple(dilation);
  if (groups != 1) out += fmt::format(", groups={}", groups);
  if (!bias.defined()) out += ", bias=False";
  return out;
}

}  // namespace ember::nn
