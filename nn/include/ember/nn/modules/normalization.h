// BatchNorm1d/2d/3d (batch statistics in training, running ones in evaluation), InstanceNorm1d/2d/3d,
// LayerNorm, GroupNorm and RMSNorm.
#pragma once

#include <optional>
#include <vector>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;               // learn a per-channel weight and bias
  bool track_running_stats = true;  // keep running mean/var for evaluation
};

// The per-channel weight and bias (with affine) and running statistics (when tracked) of batch
// and instance normalisation, registered under PyTorch's names.
class ChannelStatistics : public UnaryModule {
 public:
  Tensor weight, bias;                                   // [C], when affine
  Tensor running_mean, running_var, num_batches_tracked;  // when tracking
  const int64_t num_features;

 protected:
  ChannelStatistics(const char* type_name, int64_t num_features, bool affine, bool track_running_stats);
  // Counts a training step, when tracking.
  void count_batch();
  // "4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True", as PyTorch prints it.
  std::string statistics_repr(double eps, double momentum) const;
};

class BatchNorm : public ChannelStatistics {
 public:
  Tensor forward(const Tensor& input) override;
  const BatchNormOptions options;

 protected:
  // `ranks`: the input dimensions the layer accepts (BatchNorm1d: 2 or 3, BatchNorm2d: 4).
  BatchNorm(const char* type_name, int64_t num_features, BatchNormOptions options, std::vector<int64_t> ranks);

 private:
  std::string extra_repr() const override { return statistics_repr(options.eps, options.momentum); }
  std::vector<int64_t> ranks_;
};

// Over [N, C] or [N, C, L].
class BatchNorm1d final : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, BatchNormOptions options = {})
      : BatchNorm("BatchNorm1d", num_features, options, {2, 3}) {}
};

// Over [N, C, H, W].
class BatchNorm2d final : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, BatchNormOptions options = {})
      : BatchNorm("BatchNorm2d", num_features, options, {4}) {}
};

// Over [N, C, D, H, W].
class BatchNorm3d final : public BatchNorm {
 public:
  explicit BatchNorm3d(int64_t num_features, BatchNormOptions options = {})
      : BatchNorm("BatchNorm3d", num_features, options, {5}) {}
};

class LayerNorm final : public UnaryModule {
 public:
  // Without `bias` an affine layer learns only the weight, as PyTorch's bias=False.
  explicit LayerNorm(std::vector<int64_t> normalized_shape, double eps = 1e-5, bool elementwise_affine = true,
                     bool bias = true);
  Tensor forward(const Tensor& input) override;

  Tensor weight, bias;  // normalized_shape, when elementwise_affine (bias also when asked for)
  const std::vector<int64_t> normalized_shape;
  const double eps;

 private:
  std::string extra_repr() const override;
};

struct InstanceNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = false;               // learn a per-channel weight and bias
  bool track_running_stats = false;  // keep running mean/var, and normalise by them in evaluation
};

// Each channel of each sample normalised over its positions: InstanceNorm1d over [N, C, L] (or
// [C, L]), InstanceNorm2d over [N, C, H, W] (or [C, H, W]), InstanceNorm3d over [N, C, D, H, W]
// (or [C, D, H, W]); a per-channel weight and bias with affine. With track_running_stats,
// training also keeps the mean over the batch of the instances' means and unbiased variances,
// and evaluation normalises by those (PyTorch's behaviour).
class InstanceNorm : public ChannelStatistics {
 public:
  Tensor forward(const Tensor& input) override;
  const InstanceNormOptions options;

 protected:
  InstanceNorm(const char* type_name, int spatial_dims, int64_t num_features, InstanceNormOptions options);

 private:
  std::string extra_repr() const override { return statistics_repr(options.eps, options.momentum); }
  const int spatial_dims_;
};

class InstanceNorm1d final : public InstanceNorm {
 public:
  explicit InstanceNorm1d(int64_t num_features, InstanceNormOptions options = {})
      : InstanceNorm("InstanceNorm1d", 1, num_features, options) {}
};

class InstanceNorm2d final : public InstanceNorm {
 public:
  explicit InstanceNorm2d(int64_t num_features, InstanceNormOptions options = {})
      : InstanceNorm("InstanceNorm2d", 2, num_features, options) {}
};

class InstanceNorm3d final : public InstanceNorm {
 public:
  explicit InstanceNorm3d(int64_t num_features, InstanceNormOptions options = {})
      : InstanceNorm("InstanceNorm3d", 3, num_features, options) {}
};

// Over [N, C, *], in num_groups groups of channels.
class GroupNorm final : public UnaryModule {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor forward(const Tensor& input) override;

  Tensor weight, bias;  // [C], when affine
  const int64_t num_groups, num_channels;
  const double eps;

 private:
  std::string extra_repr() const override;
};

// Each element over (k + alpha / size * the squares of `size` channels around it)^beta.
class LocalResponseNorm final : public UnaryModule {
 public:
  explicit LocalResponseNorm(int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);
  Tensor forward(const Tensor& input) override { return functional::local_response_norm(input, size, alpha, beta, k); }
  const int64_t size;
  const double alpha, beta, k;

 private:
  std::string extra_repr() const override;
};

// x / sqrt(mean(x^2) + eps) over the trailing normalized_shape, times a learnt weight.
class RMSNorm final : public UnaryModule {
 public:
  explicit RMSNorm(std::vector<int64_t> normalized_shape, std::optional<double> eps = std::nullopt,
                   bool elementwise_affine = true);
  Tensor forward(const Tensor& input) override;

  Tensor weight;  // normalized_shape, when elementwise_affine
  const std::vector<int64_t> normalized_shape;
  const std::optional<double> eps;  // the input dtype's machine epsilon when not given

 private:
  std::string extra_repr() const override;
};

}  // namespace ember::nn
