// interpolate: each spatial dimension resampled in turn, by index_select of the source positions
// (nearest) or of the two neighbours weighted (linear), so that the linear modes of several
// dimensions are the separable bilinear and trilinear interpolations.
#include <algorithm>
#include <cmath>

#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

enum class Mode { Nearest, NearestExact, Linear };

Mode parse_mode(const std::string& mode, int64_t spatial) {
  if (mode == "nearest") return Mode::Nearest;
  if (mode == "nearest-exact") return Mode::NearestExact;
  const char* linear_modes[] = {"linear", "bilinear", "trilinear"};
  const auto known = std::find(std::begin(linear_modes), std::end(linear_modes), mode);
  EMBER_CHECK(known != std::end(linear_modes),
              "[interpolate] mode: expected \"nearest\", \"nearest-exact\", \"linear\", \"bilinear\" or \"trilinear\", got \"{}\"",
              mode);
  const int64_t needs = known - std::begin(linear_modes) + 1;
  EMBER_CHECK(needs == spatial, "[interpolate] mode: \"{}\" needs a {}-D input, got {} spatial dimensions ({}-D)", mode,
              needs + 2, spatial, spatial + 2);
  return Mode::Linear;
}

// One value per spatial dimension from a list of one, or of one each.
template <typename T>
T for_dim(const std::vector<T>& values, size_t i) {
  return values.size() == 1 ? values[0] : values[i];
}

// Source coordinate of output position j along one dimension, as PyTorch's area_pixel_compute_*:
// scale is in / out, or 1 / factor when a factor was given; align_corners maps the ends onto each other.
double source_scale(int64_t in, int64_t out, std::optional<double> factor, bool align_corners) {
  if (align_corners) return out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  return factor ? 1.0 / *factor : static_cast<double>(in) / static_cast<double>(out);
}

Tensor resample(const Tensor& x, int64_t dim, int64_t out, double scale, Mode mode, bool align_corners) {
  const int64_t in = x.size(dim);
  // Host tensors rather than vectors: an absurd `out` is refused as an allocation, an ember::Error.
  const Device host("cpu");
  const Tensor low = empty({out}, DType::Int64, host), high = empty({out}, DType::Int64, host);
  const Tensor weight = empty({out}, DType::Float64, host);
  int64_t* low_at = low.data_ptr<int64_t>();
  int64_t* high_at = high.data_ptr<int64_t>();
  double* weight_at = weight.data_ptr<double>();
  for (int64_t j = 0; j < out; ++j) {
    const double position = static_cast<double>(j);
    if (mode != Mode::Linear) {
      const double source = mode == Mode::Nearest ? position * scale : (position + 0.5) * scale;
      low_at[j] = std::min(static_cast<int64_t>(std::floor(source)), in - 1);
      continue;
    }
    // Left of the first centre the first sample is taken whole, as PyTorch clamps there.
    const double source = align_corners ? position * scale : std::max((position + 0.5) * scale - 0.5, 0.0);
    low_at[j] = std::min(static_cast<int64_t>(source), in - 1);
    high_at[j] = std::min(low_at[j] + 1, in - 1);
    weight_at[j] = std::clamp(source - static_cast<double>(low_at[j]), 0.0, 1.0);
  }
  const Tensor first = x.index_select(dim, low.to(x.device()));
  if (mode != Mode::Linear) return first;
  DimVector shape(static_cast<size_t>(x.dim()), 1);
  shape[dim] = out;
  const Tensor w = weight.view(shape).to(x.dtype()).to(x.device());
  return first * (1 - w) + x.index_select(dim, high.to(x.device())) * w;
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateOptions& options) {
  const char* op = "interpolate";
  EMBER_CHECK(input.dim() >= 3 && input.dim() <= 5,
              "[{}] input: expected [N, C] and one to three spatial dimensions (3-D to 5-D), got {}", op,
              shape_str(input.sizes()));
  const int64_t spatial = input.dim() - 2;
  const Mode mode = parse_mode(options.mode, spatial);
  EMBER_CHECK(mode == Mode::Linear || !options.align_corners.has_value(),
              "[{}] align_corners: only the linear modes take it, not \"{}\"", op, options.mode);
  const bool align_corners = options.align_corners.value_or(false);
  EMBER_CHECK(options.size.empty() != options.scale_factor.empty(), "[{}] size: expected either size or scale_factor, {}",
              op, options.size.empty() ? "got neither" : "not both");
  const size_t given = std::max(options.size.size(), options.scale_factor.size());
  EMBER_CHECK(given == 1 || given == static_cast<size_t>(spatial),
              "[{}] {}: expected 1 or {} values (one per spatial dimension), got {}", op,
              options.size.empty() ? "scale_factor" : "size", spatial, given);
  EMBER_CHECK(mode != Mode::Linear || is_floating(input.dtype()), "[{}] input: the {} mode needs a floating-point tensor, got {}",
              op, options.mode, dtype_name(input.dtype()));
  DimVector sizes(input.sizes());
  std::vector<std::optional<double>> factors(static_cast<size_t>(spatial));
  for (int64_t i = 0; i < spatial; ++i) {
    const int64_t dim = i + 2, in = input.size(dim);
    std::optional<double> factor;
    int64_t size = 0;
    if (options.size.empty()) {
      factor = for_dim(options.scale_factor, static_cast<size_t>(i));
      EMBER_CHECK(std::isfinite(*factor) && *factor > 0, "[{}] scale_factor: expected positive finite factors, got {}",
                  op, *factor);
      const double scaled = std::floor(static_cast<double>(in) * *factor);
      EMBER_CHECK(scaled < 0x1p62, "[{}] scale_factor: {} times {} elements is more than a tensor holds", op, *factor, in);
      size = static_cast<int64_t>(scaled);
    } else {
      size = for_dim(options.size, static_cast<size_t>(i));
    }
    EMBER_CHECK(in > 0 && size > 0, "[{}] size: expected input and output sizes above 0, got {} -> {} in dimension {}",
                op, in, size, dim);
    sizes[dim] = size;
    factors[i] = factor;
  }
  // The output is allocated (and dropped) first, so that one no memory holds is refused as such
  // rather than after the positions are laid out for it.
  empty(sizes, input.dtype(), input.device());
  Tensor out = input;
  for (int64_t i = 0; i < spatial; ++i) {
    const int64_t dim = i + 2;
    const double scale = source_scale(input.size(dim), sizes[dim], factors[i], align_corners);
    out = resample(out, dim, sizes[dim], scale, mode, align_corners);
  }
  return out;
}

}  // namespace ember::nn::functional
