// Padding: constant mode crops with narrow and pads with cat; the reflect, replicate and circular
// modes pick each output position's source with one index_select per dimension. Both are made of
// operators, so that autograd differentiates them and every backend runs them. pixel_shuffle and
// pixel_unshuffle, also views and copies only, move blocks between the channels and the grid;
// channel_shuffle interleaves groups of channels.
#include <algorithm>

#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

enum class PadMode { Reflect, Replicate, Circular };

void check_pairs(const Tensor& input, IntArrayRef pad) {
  EMBER_CHECK(pad.size() % 2 == 0 && static_cast<int64_t>(pad.size()) / 2 <= input.dim(),
              "[pad] pad: expected pairs of counts for at most the input's {} dimensions, got {}", input.dim(),
              shape_str(pad));
}

// The source of output position p (from -before) of a dimension of `size` elements.
int64_t source_of(PadMode mode, int64_t p, int64_t size) {
  switch (mode) {
    case PadMode::Reflect: return p < 0 ? -p : p >= size ? 2 * (size - 1) - p : p;
    case PadMode::Replicate: return std::clamp<int64_t>(p, 0, size - 1);
    case PadMode::Circular: return (p % size + size) % size;
  }
  return p;
}

// What pixel_shuffle and pixel_unshuffle both need: a positive factor and an [*, C, H, W] input.
void check_pixel_input(const char* op, const char* factor_name, const Tensor& input, int64_t factor) {
  EMBER_CHECK(factor > 0, "[{}] {}: expected a positive factor, got {}", op, factor_name, factor);
  EMBER_CHECK(input.dim() >= 3, "[{}] input: expected [*, C, H, W], got {}", op, shape_str(input.sizes()));
}

// Moves blocks between the channels and the spatial grid: the last three dimensions of `input`
// are viewed as the five of `split`, permuted by `order` and merged into the three of `merged`;
// leading dimensions stay as they are.
Tensor regroup(const Tensor& input, std::initializer_list<int64_t> split, std::initializer_list<int64_t> order,
               std::initializer_list<int64_t> merged) {
  const int64_t lead = input.dim() - 3;
  DimVector split_shape(IntArrayRef(input.sizes().data(), static_cast<size_t>(lead)));
  DimVector merged_shape = split_shape, permutation;
  for (int64_t s : split) split_shape.push_back(s);
  for (int64_t s : merged) merged_shape.push_back(s);
  for (int64_t d = 0; d < lead; ++d) permutation.push_back(d);
  for (int64_t d : order) permutation.push_back(lead + d);
  return input.reshape(split_shape).permute(permutation).reshape(merged_shape);
}

}  // namespace

Tensor pad(const Tensor& input, IntArrayRef pad, double value) {
  check_pairs(input, pad);
  const int64_t pairs = static_cast<int64_t>(pad.size()) / 2;
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

Tensor pad(const Tensor& input, IntArrayRef pad, std::string_view mode, double value) {
  if (mode == "constant") return functional::pad(input, pad, value);
  EMBER_CHECK(mode == "reflect" || mode == "replicate" || mode == "circular",
              "[pad] mode: expected \"constant\", \"reflect\", \"replicate\" or \"circular\", got \"{}\"", mode);
  const PadMode kind = mode == "reflect" ? PadMode::Reflect : mode == "replicate" ? PadMode::Replicate : PadMode::Circular;
  check_pairs(input, pad);
  Tensor out = input;
  for (int64_t i = 0; i < static_cast<int64_t>(pad.size()) / 2; ++i) {
    const int64_t dim = input.dim() - 1 - i, before = pad[2 * i], after = pad[2 * i + 1];
    const int64_t size = out.size(dim);
    // Reflection never repeats the edge, so it reaches size - 1 elements; a wrap reaches size.
    const int64_t most = kind == PadMode::Reflect ? size - 1 : kind == PadMode::Circular ? size : INT64_MAX;
    EMBER_CHECK(before >= 0 && after >= 0 && before <= most && after <= most && size > 0,
                "[pad] pad: the {} mode takes counts from 0 to {} for dimension {} of size {}, got {} and {}", mode,
                kind == PadMode::Replicate ? std::string("any") : std::to_string(std::max<int64_t>(most, 0)), dim, size,
                before, after);
    int64_t length = 0;
    EMBER_CHECK(!__builtin_add_overflow(size, before, &length) && !__builtin_add_overflow(length, after, &length),
                "[pad] pad: {} + {} + {} elements overflow int64", before, size, after);
    DimVector padded(out.sizes());
    padded[dim] = length;
    empty(padded, out.dtype(), out.device());  // refused here if no memory holds the result
    // A host tensor rather than a vector: an absurd count is refused as an allocation, an ember::Error.
    const Tensor index = empty({length}, DType::Int64, Device("cpu"));
    int64_t* at = index.data_ptr<int64_t>();
    for (int64_t p = 0; p < length; ++p) at[p] = source_of(kind, p - before, size);
    out = out.index_select(dim, index.to(out.device()));
  }
  return out;
}

Tensor pixel_shuffle(const Tensor& input, int64_t upscale_factor) {
  const int64_t r = upscale_factor;
  check_pixel_input("pixel_shuffle", "upscale_factor", input, r);
  const int64_t c = input.size(-3), h = input.size(-2), w = input.size(-1);
  int64_t block = 0;
  EMBER_CHECK(!__builtin_mul_overflow(r, r, &block), "[pixel_shuffle] upscale_factor: {} squared overflows int64", r);
  EMBER_CHECK(c % block == 0, "[pixel_shuffle] input: expected channels divisible by upscale_factor^2 = {}, got {}", block, c);
  checked_numel({h, r}, "pixel_shuffle");
  checked_numel({w, r}, "pixel_shuffle");
  // [*, C, r, r, H, W] -> [*, C, H, r, W, r]
  return regroup(input, {c / block, r, r, h, w}, {0, 3, 1, 4, 2}, {c / block, h * r, w * r});
}

Tensor pixel_unshuffle(const Tensor& input, int64_t downscale_factor) {
  const int64_t r = downscale_factor;
  check_pixel_input("pixel_unshuffle", "downscale_factor", input, r);
  const int64_t c = input.size(-3), h = input.size(-2), w = input.size(-1);
  EMBER_CHECK(h % r == 0 && w % r == 0,
              "[pixel_unshuffle] input: expected a height and width divisible by downscale_factor {}, got {} x {}", r, h, w);
  checked_numel({c, r, r}, "pixel_unshuffle");
  // [*, C, H, r, W, r] -> [*, C, r, r, H, W]
  return regroup(input, {c, h / r, r, w / r, r}, {0, 2, 4, 1, 3}, {c * r * r, h / r, w / r});
}

Tensor channel_shuffle(const Tensor& input, int64_t groups) {
  EMBER_CHECK(input.dim() >= 3, "[channel_shuffle] input: expected [N, C, *] with at least 3 dimensions, got {}",
              shape_str(input.sizes()));
  const int64_t channels = input.size(1);
  EMBER_CHECK(groups > 0 && channels % groups == 0, "[channel_shuffle] groups: expected a positive divisor of the {} "
              "channels, got {}", channels, groups);
  // [N, groups, C / groups, *] with the two group dimensions swapped.
  DimVector split(input.sizes());
  split[1] = groups;
  split.insert(2, channels / groups);
  return input.reshape(split).transpose(1, 2).reshape(input.sizes());
}

}  // namespace ember::nn::functional
