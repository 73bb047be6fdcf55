// Constant padding: crops with narrow, pads with cat, so that autograd differentiates both.
#include <algorithm>

#include "ember/nn/functional.h"

namespace ember::nn::functional {

Tensor pad(const Tensor& input, IntArrayRef pad, double value) {
  const int64_t pairs = static_cast<int64_t>(pad.size()) / 2;
  EMBER_CHECK(pad.size() % 2 == 0 && pairs <= input.dim(),
              "[pad] pad: expected pairs of counts for at most the input's {} dimensions, got {}", input.dim(),
              shape_str(pad));
  Tensor out = input;
  for (int64_t i = 0; i < pairs; ++i) {
    const int64_t dim = input.dim() - 1 - i, before = pad[2 * i], after = pad[2 * i + 1];
    const int64_t size = out.size(dim);
    // Crops first. The counts are compared before any is negated, so that none overflows.
    EMBER_CHECK(before >= -size && after >= -size - std::min<int64_t>(before, 0),
                "[pad] pad: counts {} and {} crop more than the {} elements of dimension {}", before, after, size, dim);
    const int64_t crop_before = before < 0 ? -before : 0, crop_after = after < 0 ? -after : 0;
    out = out.narrow(dim, crop_before, size - crop_before - crop_after);
    std::vector<Tensor> parts;
    for (int64_t count : {before, after}) {
      if (count <= 0) continue;
      DimVector block(out.sizes());
      block[dim] = count;
      checked_numel(block, "pad");
      parts.push_back(full(block, value, out.dtype(), out.device()));
    }
    if (parts.empty()) continue;
    parts.insert(before > 0 ? parts.begin() + 1 : parts.begin(), out);
    out = cat(parts, dim);
  }
  return out;
}

}  // namespace ember::nn::functional
