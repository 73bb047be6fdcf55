// Learning-rate schedules: call step() once per epoch, after the optimizer's steps. Each sets the
// optimizer's learning rate from PyTorch's closed form for the epoch, starting from the rate the
// optimizer had when the schedule was made.
#pragma once

#include <functional>

#include "ember/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  // Advances one epoch and sets the learning rate for it.
  void step();
  int64_t last_epoch() const { return epoch_; }

 protected:
  explicit LRScheduler(Optimizer& optimizer) : base_lr_(optimizer.lr()), optimizer_(optimizer) {}
  // Sets the learning rate of the current epoch: a derived constructor calls it, so that a
  // schedule that starts below the base rate (LinearLR's warm-up) takes effect at once.
  void apply() { optimizer_.set_lr(lr_at(epoch_)); }
  virtual double lr_at(int64_t epoch) const = 0;
  const double base_lr_;

 private:
  Optimizer& optimizer_;
  int64_t epoch_ = 0;
};

// Multiplies the learning rate by `gamma` every `step_size` epochs.
class StepLR final : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 private:
  double lr_at(int64_t epoch) const override;
  int64_t step_size_;
  double gamma_;
};

// Multiplies the learning rate by `gamma` every epoch.
class ExponentialLR final : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 private:
  double lr_at(int64_t epoch) const override;
  double gamma_;
};

// Scales the learning rate linearly from start_factor to end_factor over total_iters epochs (a
// warm-up by default), then holds it.
class LinearLR final : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 private:
  double lr_at(int64_t epoch) const override;
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// The base learning rate times lr_lambda(epoch).
class LambdaLR final : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda);

 private:
  double lr_at(int64_t epoch) const override { return base_lr_ * lr_lambda_(epoch); }
  std::function<double(int64_t)> lr_lambda_;
};

// Anneals from the initial learning rate to `eta_min` along a half cosine over `t_max` epochs.
class CosineAnnealingLR final : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0);

 private:
  double lr_at(int64_t epoch) const override;
  int64_t t_max_;
  double eta_min_;
};

}  // namespace ember::optim
