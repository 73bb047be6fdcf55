#include "ember/nn/modules/normalization.h"

#include <algorithm>

#include "ember/autograd/grad_mode.h"
#include "ember/nn/functional.h"

namespace ember::nn {

BatchNorm::BatchNorm(const char* type_name, int64_t num_features, BatchNormOptions batch_options,
                     std::vector<int64_t> ranks)
    : UnaryModule(type_name), options(batch_options), ranks_(std::move(ranks)) {
  EMBER_CHECK(num_features > 0, "[{}] num_features: expected a positive count, got {}", type_name, num_features);
  if (options.affine) {
    weight = ones({num_features});
    bias = zeros({num_features});
  }
  if (options.track_running_stats) {
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

Tensor BatchNorm::forward(const Tensor& input) {
  EMBER_CHECK(std::find(ranks_.begin(), ranks_.end(), input.dim()) != ranks_.end(),
              "[{}] input: expected {} dimensions, got shape {}", type_name(), fmt::join(ranks_, " or "),
              shape_str(input.sizes()));
  if (is_training() && num_batches_tracked.defined()) {
    autograd::NoGradGuard no_grad;
    num_batches_tracked.add_(wrapped_number(1, num_batches_tracked.device()));
  }
  return functional::batch_norm(input, running_mean, running_var, weight, bias,
                                is_training() || !options.track_running_stats, options.momentum, options.eps);
}

std::string BatchNorm::extra_repr() const {
  const int64_t features = weight.defined() ? weight.size(0) : running_mean.defined() ? running_mean.size(0) : 0;
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", features, options.eps,
                     options.momentum, options.affine ? "True" : "False",
                     options.track_running_stats ? "True" : "False");
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

InstanceNorm::InstanceNorm(const char* type_name, int spatial_dims, int64_t features, double epsilon, bool affine)
    : UnaryModule(type_name), num_features(features), eps(epsilon), spatial_dims_(spatial_dims) {
  EMBER_CHECK(num_features > 0, "[{}] num_features: expected a positive count, got {}", type_name, num_features);
  if (affine) {
    weight = ones({num_features});
    bias = zeros({num_features});
  }
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor InstanceNorm::forward(const Tensor& input) {
  const int64_t batched = spatial_dims_ + 2;
  EMBER_CHECK(input.dim() == batched || input.dim() == batched - 1, "[{}] input: expected {}-D or unbatched {}-D input, got {}",
              type_name(), batched, batched - 1, shape_str(input.sizes()));
  const bool unbatched = input.dim() == batched - 1;
  const Tensor x = unbatched ? input.unsqueeze(0) : input;
  EMBER_CHECK(x.size(1) == num_features, "[{}] input: expected {} channels, got {}", type_name(), num_features,
              shape_str(input.sizes()));
  const Tensor out = functional::instance_norm(x, weight, bias, eps);
  return unbatched ? out.squeeze(0) : out;
}

std::string InstanceNorm::extra_repr() const {
  return fmt::format("{}, eps={}, momentum=0.1, affine={}, track_running_stats=False", num_features, eps,
                     weight.defined() ? "True" : "False");
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
