// Constant padding: crops with narrow, pads with cat, so that autograd differentiates both.
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
    // Crops first: -before and -after elements must leave the dimension non-negative.
    const int64_t crop_before = std::max<int64_t>(-before, 0), crop_after = std::max<int64_t>(-after, 0);
    EMBER_CHECK(crop_before <= size && crop_after <= size - crop_before,
                "[pad] pad: cropping {} and {} elements from dimension {} of size {} leaves fewer than none",
                crop_before, crop_after, dim, size);
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
