// interpolate: each spatial dimension resampled in turn. The nearest modes index_select the source
// positions; the weighted modes (linear, cubic, and their antialiased forms) gather a few taps per
// output position at once and sum them weighted, so that the modes of several dimensions are the
// separable bilinear, bicubic and trilinear interpolations; area is adaptive average pooling.
#include <algorithm>
#include <cmath>

#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

enum class Mode { Nearest, NearestExact, Linear, Cubic, Area };

bool is_weighted(Mode mode) { return mode == Mode::Linear || mode == Mode::Cubic; }

Mode parse_mode(const std::string& mode, int64_t spatial) {
  if (mode == "nearest") return Mode::Nearest;
  if (mode == "nearest-exact") return Mode::NearestExact;
  if (mode == "area") return Mode::Area;
  // Each of the other modes names the number of spatial dimensions it resamples.
  struct Named {
    const char* name;
    Mode mode;
    int64_t spatial;
  };
  constexpr Named kNamed[] = {{"linear", Mode::Linear, 1},
                              {"bilinear", Mode::Linear, 2},
                              {"trilinear", Mode::Linear, 3},
                              {"bicubic", Mode::Cubic, 2}};
  const auto known = std::find_if(std::begin(kNamed), std::end(kNamed), [&](const Named& n) { return mode == n.name; });
  EMBER_CHECK(known != std::end(kNamed),
              "[interpolate] mode: expected \"nearest\", \"nearest-exact\", \"linear\", \"bilinear\", \"bicubic\", "
              "\"trilinear\" or \"area\", got \"{}\"",
              mode);
  EMBER_CHECK(known->spatial == spatial, "[interpolate] mode: \"{}\" needs a {}-D input, got {} spatial dimensions ({}-D)",
              mode, known->spatial + 2, spatial, spatial + 2);
  return known->mode;
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

// The interpolation kernels, as functions of the distance from a sample: the triangle of linear
// interpolation, and Keys' cubic convolution with parameter a (-0.75 as OpenCV and PyTorch resample
// without antialiasing, -0.5 as PIL and PyTorch with it).
double triangle(double distance) { return std::max(1.0 - std::abs(distance), 0.0); }

double cubic(double distance, double a) {
  const double x = std::abs(distance);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// Every output position's taps along one dimension: `count` source positions (clamped into the
// input) and their weights, as [count, out] tensors on the host.
struct Taps {
  int64_t count;
  Tensor positions;  // Int64
  Tensor weights;    // Float64
};

// Host tensors rather than vectors: an absurd `out` is refused as an allocation, an ember::Error.
Taps allocate_taps(int64_t count, int64_t out) {
  const Device host("cpu");
  return {count, empty({count, out}, DType::Int64, host), zeros({count, out}, DType::Float64, host)};
}

// Without antialiasing, as PyTorch's upsample kernels: the two (linear) or four (cubic) samples
// around the source coordinate, the coordinate's integer part clamped to the last sample and its
// fraction to [0, 1]. Left of the first centre, linear takes the first sample whole; cubic does not
// clamp there, and its outer taps read the edge sample again.
Taps interpolation_taps(int64_t in, int64_t out, double scale, Mode mode, bool align_corners) {
  const bool cubic_mode = mode == Mode::Cubic;
  Taps taps = allocate_taps(cubic_mode ? 4 : 2, out);
  int64_t* position = taps.positions.data_ptr<int64_t>();
  double* weight = taps.weights.data_ptr<double>();
  for (int64_t j = 0; j < out; ++j) {
    const double at = static_cast<double>(j);
    double source = align_corners ? at * scale : (at + 0.5) * scale - 0.5;
    if (!cubic_mode) source = std::max(source, 0.0);
    const int64_t whole = std::min(static_cast<int64_t>(std::floor(source)), in - 1);
    const double fraction = std::clamp(source - static_cast<double>(whole), 0.0, 1.0);
    // Tap k sits at whole + k - centre_tap, at distance fraction - (k - centre_tap).
    const int64_t centre_tap = taps.count / 2 - 1;
    for (int64_t k = 0; k < taps.count; ++k) {
      const double distance = fraction - static_cast<double>(k - centre_tap);
      position[k * out + j] = std::clamp<int64_t>(whole + k - centre_tap, 0, in - 1);
      weight[k * out + j] = cubic_mode ? cubic(distance, -0.75) : triangle(distance);
    }
  }
  return taps;
}

// With antialiasing, as PIL and PyTorch's antialiased resampling: when shrinking, the kernel is
// stretched by the scale so that every source sample under the output's footprint contributes; the
// taps inside the input are normalised to sum to one.
Taps antialiased_taps(int64_t in, int64_t out, double scale, Mode mode) {
  const double half_width = mode == Mode::Cubic ? 2.0 : 1.0;
  const double stretch = std::max(scale, 1.0);
  const double support = half_width * stretch;
  Taps taps = allocate_taps(static_cast<int64_t>(std::ceil(support)) * 2 + 1, out);
  int64_t* position = taps.positions.data_ptr<int64_t>();
  double* weight = taps.weights.data_ptr<double>();
  for (int64_t j = 0; j < out; ++j) {
    const double centre = scale * (static_cast<double>(j) + 0.5);
    const int64_t first = std::max<int64_t>(static_cast<int64_t>(centre - support + 0.5), 0);
    const int64_t past = std::min<int64_t>(static_cast<int64_t>(centre + support + 0.5), in);
    const int64_t used = std::clamp<int64_t>(past - first, 0, taps.count);
    double total = 0;
    for (int64_t k = 0; k < taps.count; ++k) {
      const double distance = (static_cast<double>(first + k) - centre + 0.5) / stretch;
      const double w = k >= used ? 0.0 : mode == Mode::Cubic ? cubic(distance, -0.5) : triangle(distance);
      position[k * out + j] = std::min(first + k, in - 1);
      weight[k * out + j] = w;
      total += w;
    }
    if (total == 0) continue;
    for (int64_t k = 0; k < used; ++k) weight[k * out + j] /= total;
  }
  return taps;
}

// Dimension `dim` of x resampled to `out` positions: the nearest modes pick one source each; the
// weighted modes gather every tap of every position in one index_select and sum them weighted.
Tensor resample(const Tensor& x, int64_t dim, int64_t out, double scale, Mode mode, bool align_corners, bool antialias) {
  const int64_t in = x.size(dim);
  if (!is_weighted(mode)) {
    const Tensor positions = empty({out}, DType::Int64, Device("cpu"));
    int64_t* position = positions.data_ptr<int64_t>();
    for (int64_t j = 0; j < out; ++j) {
      const double at = static_cast<double>(j);
      const double source = mode == Mode::Nearest ? at * scale : (at + 0.5) * scale;
      position[j] = std::min(static_cast<int64_t>(std::floor(source)), in - 1);
    }
    return x.index_select(dim, positions.to(x.device()));
  }
  const Taps taps = antialias ? antialiased_taps(in, out, scale, mode)
                              : interpolation_taps(in, out, scale, mode, align_corners);
  DimVector split(x.sizes());
  split[dim] = out;
  split.insert(static_cast<size_t>(dim), taps.count);
  DimVector along(split.size(), 1);
  along[dim] = taps.count;
  along[dim + 1] = out;
  const Tensor gathered = x.index_select(dim, taps.positions.flatten().to(x.device())).reshape(split);
  const Tensor weights = taps.weights.view(along).to(x.dtype()).to(x.device());
  return (gathered * weights).sum(dim);
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateOptions& options) {
  const char* op = "interpolate";
  EMBER_CHECK(input.dim() >= 3 && input.dim() <= 5,
              "[{}] input: expected [N, C] and one to three spatial dimensions (3-D to 5-D), got {}", op,
              shape_str(input.sizes()));
  const int64_t spatial = input.dim() - 2;
  const Mode mode = parse_mode(options.mode, spatial);
  EMBER_CHECK(is_weighted(mode) || !options.align_corners.has_value(),
              "[{}] align_corners: only the linear and cubic modes take it, not \"{}\"", op, options.mode);
  EMBER_CHECK(is_weighted(mode) || !options.antialias,
              "[{}] antialias: only the linear and cubic modes take it, not \"{}\"", op, options.mode);
  const bool align_corners = options.align_corners.value_or(false);
  EMBER_CHECK(options.size.empty() != options.scale_factor.empty(), "[{}] size: expected either size or scale_factor, {}",
              op, options.size.empty() ? "got neither" : "not both");
  const size_t given = std::max(options.size.size(), options.scale_factor.size());
  EMBER_CHECK(given == 1 || given == static_cast<size_t>(spatial),
              "[{}] {}: expected 1 or {} values (one per spatial dimension), got {}", op,
              options.size.empty() ? "scale_factor" : "size", spatial, given);
  const bool averages = mode != Mode::Nearest && mode != Mode::NearestExact;
  EMBER_CHECK(!averages || is_floating(input.dtype()), "[{}] input: the {} mode needs a floating-point tensor, got {}",
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
  // As PyTorch's, area is adaptive average pooling to the output size, whatever factor gave it.
  if (mode == Mode::Area) {
    if (spatial == 1) return adaptive_avg_pool1d(input, sizes[2]);
    if (spatial == 2) return adaptive_avg_pool2d(input, {sizes[2], sizes[3]});
    return adaptive_avg_pool3d(input, {sizes[2], sizes[3], sizes[4]});
  }
  // The output is allocated (and dropped) first, so that one no memory holds is refused as such
  // rather than after the positions are laid out for it.
  empty(sizes, input.dtype(), input.device());
  Tensor out = input;
  for (int64_t i = 0; i < spatial; ++i) {
    const int64_t dim = i + 2;
    const double scale = source_scale(input.size(dim), sizes[dim], factors[i], align_corners);
    out = resample(out, dim, sizes[dim], scale, mode, align_corners, options.antialias);
  }
  return out;
}

}  // namespace ember::nn::functional
