// A convolution's geometry arguments, read the same way by every built-in backend.
#pragma once

#include <cstdint>

#include "ember/plugin.hpp"

namespace ember::backends {

struct ConvGeometry {
  int64_t stride[2], padding[2], dilation[2], groups;
};

// stride, padding, dilation (int[2] each) and groups, from argument `first` on.
inline ConvGeometry read_conv_geometry(const sdk::KernelArgs& args, int first) {
  ConvGeometry g{};
  for (int d = 0; d < 2; ++d) {
    g.stride[d] = args.to_int_list(first).first[d];
    g.padding[d] = args.to_int_list(first + 1).first[d];
    g.dilation[d] = args.to_int_list(first + 2).first[d];
  }
  g.groups = args.to_int(first + 3);
  return g;
}

}  // namespace ember::backends
