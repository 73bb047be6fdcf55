// The small layers: activations' options, pooling, dropout, embedding, flatten, distances and
// upsampling.
#include <algorithm>
#include <cmath>

#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/modules/activation.h"
#include "ember/nn/modules/distance.h"
#include "ember/nn/modules/dropout.h"
#include "ember/nn/modules/embedding.h"
#include "ember/nn/modules/flatten.h"
#include "ember/nn/modules/fold.h"
#include "ember/nn/modules/normalization.h"
#include "ember/nn/modules/padding.h"
#include "ember/nn/modules/pooling.h"
#include "ember/nn/modules/upsampling.h"

namespace ember::nn {
namespace {

// One value where all agree, else "(a, b)": PyTorch's repr of a size argument.
std::string size_repr(IntArrayRef v) {
  const bool uniform = std::all_of(v.begin(), v.end(), [&](int64_t x) { return x == v[0]; });
  return uniform ? std::to_string(v[0]) : fmt::format("({})", fmt::join(v, ", "));
}

template <size_t N>
std::string window_str(const std::array<int64_t, N>& v) { return size_repr(IntArrayRef(v.data(), N)); }

// A double as Python's repr writes it: 1.0 rather than 1, so that layers print as PyTorch's do.
std::string python_float(double v) {
  std::string s = fmt::format("{}", v);
  if (std::isfinite(v) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

void check_finite(const char* type, const char* name, double v) {
  EMBER_CHECK(std::isfinite(v), "[{}] {}: expected a finite value, got {}", type, name, v);
}

}  // namespace

Hardtanh::Hardtanh(double min_value, double max_value) : UnaryModule("Hardtanh"), min_val(min_value), max_val(max_value) {
  EMBER_CHECK(min_val <= max_val, "[Hardtanh] max_val: expected at least min_val {}, got {}", min_val, max_val);
}
Tensor Hardtanh::forward(const Tensor& input) { return functional::hardtanh(input, min_val, max_val); }

Tensor Softmax2d::forward(const Tensor& input) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "[Softmax2d] input: expected a [N, C, H, W] or [C, H, W] tensor, got {}",
              shape_str(input.sizes()));
  return input.softmax(-3);
}
std::string Hardtanh::extra_repr() const {
  return fmt::format("min_val={}, max_val={}", python_float(min_val), python_float(max_val));
}

GELU::GELU(std::string approximate_kind) : UnaryModule("GELU"), approximate(std::move(approximate_kind)) {
  EMBER_CHECK(approximate == "none" || approximate == "tanh",
              "[GELU] approximate: expected 'none' or 'tanh', got '{}'", approximate);
}

LeakyReLU::LeakyReLU(double slope) : UnaryModule("LeakyReLU"), negative_slope(slope) {
  check_finite("LeakyReLU", "negative_slope", negative_slope);
}
Tensor LeakyReLU::forward(const Tensor& input) { return functional::leaky_relu(input, negative_slope); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + python_float(negative_slope); }

RReLU::RReLU(double lower_bound, double upper_bound) : UnaryModule("RReLU"), lower(lower_bound), upper(upper_bound) {
  EMBER_CHECK(0 <= lower && lower <= upper, "[RReLU] upper: expected 0 <= lower <= upper, got lower {} and upper {}",
              lower, upper);
}
std::string RReLU::extra_repr() const { return fmt::format("lower={}, upper={}", python_float(lower), python_float(upper)); }

ELU::ELU(double alpha_value) : UnaryModule("ELU"), alpha(alpha_value) { check_finite("ELU", "alpha", alpha); }
Tensor ELU::forward(const Tensor& input) { return functional::elu(input, alpha); }
std::string ELU::extra_repr() const { return "alpha=" + python_float(alpha); }

Softplus::Softplus(double beta_value, double threshold_value)
    : UnaryModule("Softplus"), beta(beta_value), threshold(threshold_value) {
  EMBER_CHECK(beta != 0 && std::isfinite(beta), "[Softplus] beta: expected a finite non-zero value, got {}", beta);
}
Tensor Softplus::forward(const Tensor& input) { return functional::softplus(input, beta, threshold); }
std::string Softplus::extra_repr() const {
  return fmt::format("beta={}, threshold={}", python_float(beta), python_float(threshold));
}

template <Tensor (*Fn)(const Tensor&, double)>
std::string ScalarActivation<Fn>::extra_repr() const {
  return std::string(option_) + "=" + python_float(value);
}
template class ScalarActivation<&functional::celu>;
template class ScalarActivation<&functional::softshrink>;
template class ScalarActivation<&functional::hardshrink>;

std::string Threshold::extra_repr() const {
  return fmt::format("threshold={}, value={}", python_float(threshold), python_float(value));
}

PReLU::PReLU(int64_t num_parameters, double init) : UnaryModule("PReLU") {
  EMBER_CHECK(num_parameters > 0, "[PReLU] num_parameters: expected a positive count, got {}", num_parameters);
  weight = full({num_parameters}, init);
  register_parameter("weight", weight);
}
std::string PReLU::extra_repr() const { return fmt::format("num_parameters={}", weight.numel()); }

std::string MaxPool1d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}", kernel_size,
                     options.stride.value_or(kernel_size), options.padding, options.dilation,
                     options.ceil_mode ? "True" : "False");
}

// PyTorch keeps AvgPool1d's sizes as 1-tuples, and prints them so.
std::string AvgPool1d::extra_repr() const {
  return fmt::format("kernel_size=({},), stride=({},), padding=({},)", kernel_size, options.stride.value_or(kernel_size),
                     options.padding);
}

std::string unpool_repr(IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding) {
  auto tuple = [](IntArrayRef v) { return v.size() == 1 ? fmt::format("({},)", v[0]) : fmt::format("({})", fmt::join(v, ", ")); };
  return fmt::format("kernel_size={}, stride={}, padding={}", tuple(kernel_size), tuple(stride), tuple(padding));
}

std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}", window_str(kernel_size),
                     window_str(options.stride.value_or(kernel_size)), window_str(options.padding),
                     window_str(options.dilation), options.ceil_mode ? "True" : "False");
}

std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", window_str(kernel_size),
                     window_str(options.stride.value_or(kernel_size)), window_str(options.padding));
}

std::string MaxPool3d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}", window_str(kernel_size),
                     window_str(options.stride.value_or(kernel_size)), window_str(options.padding),
                     window_str(options.dilation), options.ceil_mode ? "True" : "False");
}

std::string AvgPool3d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", window_str(kernel_size),
                     window_str(options.stride.value_or(kernel_size)), window_str(options.padding));
}

std::string output_size_repr(IntArrayRef output_size) { return "output_size=" + size_repr(output_size); }

void check_output_size(const char* type_name, IntArrayRef output_size) {
  EMBER_CHECK(std::all_of(output_size.begin(), output_size.end(), [](int64_t s) { return s >= 1; }),
              "[{}] output_size: expected values of at least 1, got [{}]", type_name, fmt::join(output_size, ", "));
}

std::string dropout_repr(double p) { return "p=" + python_float(p); }

void check_dropout_probability(const char* type_name, double p) {
  EMBER_CHECK(p >= 0 && p <= 1, "[{}] p: expected a probability in [0, 1], got {}", type_name, p);
}

namespace {

std::optional<int64_t> wrapped_padding(const char* type, std::optional<int64_t> padding_idx, int64_t num_embeddings) {
  if (!padding_idx) return std::nullopt;
  EMBER_CHECK(*padding_idx >= -num_embeddings && *padding_idx < num_embeddings,
              "[{}] padding_idx: expected a row in [{}, {}), got {}", type, -num_embeddings, num_embeddings, *padding_idx);
  return *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
}

// An embedding table as PyTorch makes it: N(0, 1), the padding row zeroed.
Tensor embedding_table(const char* type, int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding) {
  EMBER_CHECK(num_embeddings > 0 && embedding_dim > 0, "[{}] sizes: expected positive sizes, got {} and {}", type,
              num_embeddings, embedding_dim);
  Tensor weight = empty({num_embeddings, embedding_dim});
  init::normal_(weight);
  if (padding) init::zeros_(weight[*padding]);
  return weight;
}

}  // namespace

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding)
    : UnaryModule("Embedding"), padding_idx(wrapped_padding("Embedding", padding, num_embeddings)) {
  weight = embedding_table("Embedding", num_embeddings, embedding_dim, padding_idx);
  register_parameter("weight", weight);
}
Tensor Embedding::forward(const Tensor& indices) { return functional::embedding(indices, weight, padding_idx); }
std::string Embedding::extra_repr() const {
  const std::string sizes = fmt::format("{}, {}", weight.size(0), weight.size(1));
  return padding_idx ? fmt::format("{}, padding_idx={}", sizes, *padding_idx) : sizes;
}

EmbeddingBag::EmbeddingBag(int64_t num_embeddings, int64_t embedding_dim, functional::EmbeddingBagOptions bag_options)
    : Module("EmbeddingBag"), options(std::move(bag_options)) {
  options.padding_idx = wrapped_padding("EmbeddingBag", options.padding_idx, num_embeddings);
  EMBER_CHECK(options.mode == "sum" || options.mode == "mean" || options.mode == "max",
              "[EmbeddingBag] mode: expected 'sum', 'mean' or 'max', got '{}'", options.mode);
  weight = embedding_table("EmbeddingBag", num_embeddings, embedding_dim, options.padding_idx);
  register_parameter("weight", weight);
}
Tensor EmbeddingBag::forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights) {
  return functional::embedding_bag(input, weight, offsets, options, per_sample_weights);
}
std::string EmbeddingBag::extra_repr() const {
  std::string out = fmt::format("{}, {}, mode='{}'", weight.size(0), weight.size(1), options.mode);
  if (options.include_last_offset) out += ", include_last_offset=True";
  if (options.padding_idx) out += fmt::format(", padding_idx={}", *options.padding_idx);
  return out;
}

Tensor Flatten::forward(const Tensor& input) { return functional::flatten(input, start_dim, end_dim); }
std::string Flatten::extra_repr() const { return fmt::format("start_dim={}, end_dim={}", start_dim, end_dim); }
std::string Unflatten::extra_repr() const {
  return fmt::format("dim={}, unflattened_size=({}{})", dim, fmt::join(unflattened_size, ", "),
                     unflattened_size.size() == 1 ? "," : "");
}

CosineSimilarity::CosineSimilarity(int64_t dim, double eps) : Module("CosineSimilarity"), dim(dim), eps(eps) {
  check_finite("CosineSimilarity", "eps", eps);
}
Tensor CosineSimilarity::forward(const Tensor& x1, const Tensor& x2) { return functional::cosine_similarity(x1, x2, dim, eps); }

PairwiseDistance::PairwiseDistance(double p, double eps, bool keepdim)
    : Module("PairwiseDistance"), norm(p), eps(eps), keepdim(keepdim) {
  check_finite("PairwiseDistance", "eps", eps);
}
Tensor PairwiseDistance::forward(const Tensor& x1, const Tensor& x2) {
  return ember::pairwise_distance(x1, x2, norm, eps, keepdim);
}

Upsample::Upsample(functional::InterpolateOptions interpolate_options)
    : UnaryModule("Upsample"), options(std::move(interpolate_options)) {
  EMBER_CHECK(options.size.empty() != options.scale_factor.empty(),
              "[Upsample] size: expected either size or scale_factor, {}", options.size.empty() ? "got neither" : "not both");
}

Tensor Upsample::forward(const Tensor& input) { return functional::interpolate(input, options); }

// As PyTorch's: one value bare, several as a tuple; factors as floats; the mode quoted.
std::string Upsample::extra_repr() const {
  auto listed = [](const auto& values, auto format) {
    std::vector<std::string> parts;
    for (const auto& v : values) parts.push_back(format(v));
    return parts.size() == 1 ? parts[0] : fmt::format("({})", fmt::join(parts, ", "));
  };
  const std::string given = options.size.empty()
                                ? "scale_factor=" + listed(options.scale_factor, python_float)
                                : "size=" + listed(options.size, [](int64_t v) { return std::to_string(v); });
  return fmt::format("{}, mode='{}'", given, options.mode);
}

PixelShuffle::PixelShuffle(int64_t factor) : UnaryModule("PixelShuffle"), upscale_factor(factor) {
  EMBER_CHECK(factor > 0, "[PixelShuffle] upscale_factor: expected a positive factor, got {}", factor);
}
Tensor PixelShuffle::forward(const Tensor& input) { return functional::pixel_shuffle(input, upscale_factor); }
std::string PixelShuffle::extra_repr() const { return fmt::format("upscale_factor={}", upscale_factor); }

PixelUnshuffle::PixelUnshuffle(int64_t factor) : UnaryModule("PixelUnshuffle"), downscale_factor(factor) {
  EMBER_CHECK(factor > 0, "[PixelUnshuffle] downscale_factor: expected a positive factor, got {}", factor);
}
Tensor PixelUnshuffle::forward(const Tensor& input) { return functional::pixel_unshuffle(input, downscale_factor); }
std::string PixelUnshuffle::extra_repr() const { return fmt::format("downscale_factor={}", downscale_factor); }

ChannelShuffle::ChannelShuffle(int64_t group_count) : UnaryModule("ChannelShuffle"), groups(group_count) {
  EMBER_CHECK(groups > 0, "[ChannelShuffle] groups: expected a positive count, got {}", groups);
}
std::string ChannelShuffle::extra_repr() const { return fmt::format("groups={}", groups); }

LocalResponseNorm::LocalResponseNorm(int64_t window, double alpha_value, double beta_value, double k_value)
    : UnaryModule("LocalResponseNorm"), size(window), alpha(alpha_value), beta(beta_value), k(k_value) {
  EMBER_CHECK(size >= 1, "[LocalResponseNorm] size: expected at least 1 channel, got {}", size);
}
std::string LocalResponseNorm::extra_repr() const {
  return fmt::format("{}, alpha={}, beta={}, k={}", size, python_float(alpha), python_float(beta), python_float(k));
}

LPPool1d::LPPool1d(double p, int64_t kernel, std::optional<int64_t> step, bool ceil)
    : UnaryModule("LPPool1d"), norm_type(p), kernel_size(kernel), stride(step), ceil_mode(ceil) {
  EMBER_CHECK(norm_type > 0, "[LPPool1d] norm_type: expected a positive order, got {}", norm_type);
}
std::string LPPool1d::extra_repr() const {
  return fmt::format("norm_type={}, kernel_size={}, stride={}, ceil_mode={}", python_float(norm_type), kernel_size,
                     stride ? std::to_string(*stride) : "None", ceil_mode ? "True" : "False");
}

LPPool2d::LPPool2d(double p, functional::Pair kernel, std::optional<functional::Pair> step, bool ceil)
    : UnaryModule("LPPool2d"), norm_type(p), kernel_size(kernel), stride(step), ceil_mode(ceil) {
  EMBER_CHECK(norm_type > 0, "[LPPool2d] norm_type: expected a positive order, got {}", norm_type);
}
std::string LPPool2d::extra_repr() const {
  return fmt::format("norm_type={}, kernel_size={}, stride={}, ceil_mode={}", python_float(norm_type),
                     window_str(kernel_size), stride ? window_str(*stride) : "None", ceil_mode ? "True" : "False");
}

namespace {

// The options as PyTorch prints them: "dilation=1, padding=0, stride=1".
std::string fold_repr(const functional::FoldOptions& options) {
  return fmt::format("dilation={}, padding={}, stride={}", window_str(options.dilation), window_str(options.padding),
                     window_str(options.stride));
}

}  // namespace

Unfold::Unfold(functional::Pair kernel, functional::FoldOptions options)
    : UnaryModule("Unfold"), kernel_size(kernel), options(options) {}
std::string Unfold::extra_repr() const {
  return fmt::format("kernel_size={}, {}", window_str(kernel_size), fold_repr(options));
}

Fold::Fold(functional::Pair output, functional::Pair kernel, functional::FoldOptions options)
    : UnaryModule("Fold"), output_size(output), kernel_size(kernel), options(options) {}
std::string Fold::extra_repr() const {
  return fmt::format("output_size={}, kernel_size={}, {}", window_str(output_size), window_str(kernel_size),
                     fold_repr(options));
}

PadLayer::PadLayer(const std::string& kind, int dims, std::vector<int64_t> counts, std::string pad_mode, double pad_value)
    : UnaryModule(fmt::format("{}{}d", kind, dims)),
      padding(counts.size() == 1 ? std::vector<int64_t>(static_cast<size_t>(2 * dims), counts[0]) : std::move(counts)),
      mode(std::move(pad_mode)),
      value(pad_value) {
  EMBER_CHECK(padding.size() == static_cast<size_t>(2 * dims), "[{}] padding: expected 1 or {} counts, got {}",
              type_name(), 2 * dims, padding.size());
}

Tensor PadLayer::forward(const Tensor& input) { return functional::pad(input, padding, mode, value); }

// As PyTorch's: the counts as a tuple; ConstantPad adds its value.
std::string PadLayer::extra_repr() const {
  const std::string counts = fmt::format("({})", fmt::join(padding, ", "));
  if (type_name().rfind("ConstantPad", 0) == 0) return fmt::format("padding={}, value={}", counts, python_float(value));
  return counts;
}

}  // namespace ember::nn
