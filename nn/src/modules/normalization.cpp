#include "ember/nn/modules/normalization.h"

#include <algorithm>

#include "ember/autograd/grad_mode.h"
#include "ember/nn/functional.h"

namespace ember::nn {

ChannelStatistics::ChannelStatistics(const char* type_name, int64_t features, bool affine, bool track_running_stats)
    : UnaryModule(type_name), num_features(features) {
  EMBER_CHECK(num_features > 0, "[{}] num_features: expected a positive count, got {}", type_name, num_features);
  if (affine) {
    weight = ones({num_features});
    bias = zeros({num_features});
  }
  if (track_running_stats) {
    running_mean = zeros({num_features});
    running_var = ones({num_features});
    num_batches_tracked = zeros({}, DType::Int64);
  }
  register_parameter("weight", weight);
  register_parameter("bias", bias);
  register_buffer("running_mean", running_mean);
  register_buffer("running_var", running_var);
  register_buffer("num_batches_tracked", num_batches_tracked);
}

void ChannelStatistics::count_batch() {
  if (!is_training() || !num_batches_tracked.defined()) return;
  autograd::NoGradGuard no_grad;
  num_batches_tracked.add_(wrapped_number(1, num_batches_tracked.device()));
}

std::string ChannelStatistics::statistics_repr(double eps, double momentum) const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features, eps, momentum,
                     weight.defined() ? "True" : "False", running_mean.defined() ? "True" : "False");
}

BatchNorm::BatchNorm(const char* type_name, int64_t num_features, BatchNormOptions batch_options,
                     std::vector<int64_t> ranks)
    : ChannelStatistics(type_name, num_features, batch_options.affine, batch_options.track_running_stats),
      options(batch_options), ranks_(std::move(ranks)) {}

Tensor BatchNorm::forward(const Tensor& input) {
  EMBER_CHECK(std::find(ranks_.begin(), ranks_.end(), input.dim()) != ranks_.end(),
              "[{}] input: expected {} dimensions, got shape {}", type_name(), fmt::join(ranks_, " or "),
              shape_str(input.sizes()));
  count_batch();
  return functional::batch_norm(input, running_mean, running_var, weight, bias,
                                is_training() || !options.track_running_stats, options.momentum, options.eps);
}

namespace {

void check_normalized_shape(const char* type, const std::vector<int64_t>& shape) {
  EMBER_CHECK(!shape.empty() && std::all_of(shape.begin(), shape.end(), [](int64_t size) { return size > 0; }),
              "[{}] normalized_shape: expected one or more positive sizes, got {}", type, shape_str(shape));
}

}  // namespace

LayerNorm::LayerNorm(std::vector<int64_t> shape, double epsilon, bool elementwise_affine, bool with_bias)
    : UnaryModule("LayerNorm"), normalized_shape(std::move(shape)), eps(epsilon) {
  check_normalized_shape("LayerNorm", normalized_shape);
  if (elementwise_affine) {
    weight = ones(normalized_shape);
    if (with_bias) bias = zeros(normalized_shape);
  }
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor LayerNorm::forward(const Tensor& input) {
  return functional::layer_norm(input, normalized_shape, weight, bias, eps);
}

std::string LayerNorm::extra_repr() const {
  return fmt::format("({},), eps={}, elementwise_affine={}", fmt::join(normalized_shape, ", "), eps,
                     weight.defined() ? "True" : "False");
}

GroupNorm::GroupNorm(int64_t groups, int64_t channels, double epsilon, bool affine)
    : UnaryModule("GroupNorm"), num_groups(groups), num_channels(channels), eps(epsilon) {
  EMBER_CHECK(num_channels > 0 && num_groups > 0 && num_channels % num_groups == 0,
              "[GroupNorm] num_groups: expected a positive divisor of num_channels {}, got {}", num_channels,
              num_groups);
  if (affine) {
    weight = ones({num_channels});
    bias = zeros({num_channels});
  }
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor GroupNorm::forward(const Tensor& input) {
  return functional::group_norm(input, num_groups, weight, bias, eps);
}

std::string GroupNorm::extra_repr() const {
  return fmt::format("{}, {}, eps={}, affine={}", num_groups, num_channels, eps, weight.defined() ? "True" : "False");
}

InstanceNorm::InstanceNorm(const char* type_name, int spatial_dims, int64_t num_features, InstanceNormOptions norm_options)
    : ChannelStatistics(type_name, num_features, norm_options.affine, norm_options.track_running_stats),
      options(norm_options), spatial_dims_(spatial_dims) {}

Tensor InstanceNorm::forward(const Tensor& input) {
  const int64_t batched = spatial_dims_ + 2;
  EMBER_CHECK(input.dim() == batched || input.dim() == batched - 1, "[{}] input: expected {}-D or unbatched {}-D input, got {}",
              type_name(), batched, batched - 1, shape_str(input.sizes()));
  const bool unbatched = input.dim() == batched - 1;
  const Tensor x = unbatched ? input.unsqueeze(0) : input;
  EMBER_CHECK(x.size(1) == num_features, "[{}] input: expected {} channels, got {}", type_name(), num_features,
              shape_str(input.sizes()));
  Tensor out;
  if (options.track_running_stats && !is_training()) {
    // Every instance normalised by the running statistics: batch normalisation's evaluation.
    out = functional::batch_norm(x, running_mean, running_var, weight, bias, false, options.momentum, options.eps);
  } else {
    if (options.track_running_stats) {
      count_batch();
      autograd::NoGradGuard no_grad;
      std::vector<int64_t> positions;
      for (int64_t d = 2; d < x.dim(); ++d) positions.push_back(d);
      const Tensor keep = wrapped_number(1 - options.momentum, running_mean.device());
      running_mean.mul_(keep).add_(x.mean(positions).mean(0) * options.momentum);
      running_var.mul_(keep).add_(x.var(positions).mean(0) * options.momentum);
    }
    out = functional::instance_norm(x, weight, bias, options.eps);
  }
  return unbatched ? out.squeeze(0) : out;
}

RMSNorm::RMSNorm(std::vector<int64_t> shape, std::optional<double> epsilon, bool elementwise_affine)
    : UnaryModule("RMSNorm"), normalized_shape(std::move(shape)), eps(epsilon) {
  check_normalized_shape("RMSNorm", normalized_shape);
  if (elementwise_affine) weight = ones(normalized_shape);
  register_parameter("weight", weight);
}

Tensor RMSNorm::forward(const Tensor& input) { return functional::rms_norm(input, normalized_shape, weight, eps); }

std::string RMSNorm::extra_repr() const {
  return fmt::format("({},), eps={}, elementwise_affine={}", fmt::join(normalized_shape, ", "),
                     eps ? fmt::format("{}", *eps) : "None", weight.defined() ? "True" : "False");
}

}  // namespace ember::nn
