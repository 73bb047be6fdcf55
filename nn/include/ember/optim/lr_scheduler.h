// Learning-rate schedules: call step() once per epoch, after the optimizer's steps. Each sets the
// learning rate of every parameter group from PyTorch's closed form for the epoch, starting from
// the rate that group had when the schedule was made.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  // Advances one epoch and sets the learning rate for it.
  void step();
  int64_t last_epoch() const { return epoch_; }

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // Sets the learning rates of the current epoch: a derived constructor calls it, so that a
  // schedule that starts below the base rate (LinearLR's warm-up) takes effect at once.
  void apply();
  // The rate at `epoch` of a group whose rate was `base_lr` when the schedule was made.
  virtual double lr_at(double base_lr, int64_t epoch) const = 0;
  // What a schedule sets beside the rates at `epoch` (OneCycleLR's momentum); nothing by default.
  virtual void apply_besides_lr(Optimizer&, int64_t /*epoch*/) const {}

 private:
  std::vector<double> base_lrs_;
  Optimizer& optimizer_;
  int64_t epoch_ = 0;
};

// Multiplies the learning rate by `gamma` every `step_size` epochs.
class StepLR final : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  int64_t step_size_;
  double gamma_;
};

// Multiplies the learning rate by `gamma` every epoch.
class ExponentialLR final : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  double gamma_;
};

// Scales the learning rate linearly from start_factor to end_factor over total_iters epochs (a
// warm-up by default), then holds it.
class LinearLR final : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// The base learning rate times lr_lambda(epoch).
class LambdaLR final : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda);

 private:
  double lr_at(double base_lr, int64_t epoch) const override { return base_lr * lr_lambda_(epoch); }
  std::function<double(int64_t)> lr_lambda_;
};

// The learning rate times `factor` for the first total_iters epochs, then the rate itself.
class ConstantLR final : public LRScheduler {
 public:
  ConstantLR(Optimizer& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  double factor_;
  int64_t total_iters_;
};

// The rate of the epoch before times lr_lambda(epoch): the base rate times the product of
// lr_lambda(1..epoch).
class MultiplicativeLR final : public LRScheduler {
 public:
  MultiplicativeLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  std::function<double(int64_t)> lr_lambda_;
};

struct CyclicLROptions {
  int64_t step_size_up = 2000;          // steps from base_lr up to max_lr
  int64_t step_size_down = 0;           // steps back down; step_size_up where 0
  std::string mode = "triangular";      // "triangular2" halves the height each cycle; "exp_range"
                                        // scales it by gamma^step
  double gamma = 1.0;
  bool cycle_momentum = true;           // move the momentum (beta1) against the rate
  double base_momentum = 0.8;           // the momentum at the top rate
  double max_momentum = 0.9;            // the momentum at base_lr
};
// Cyclical learning rates, stepped once per batch: the rate rises from base_lr to max_lr and
// falls back along straight lines, each cycle's height scaled by the mode, as PyTorch's
// CyclicLR. With cycle_momentum the optimizer's momentum goes the other way (an optimizer without
// one is refused unless cycle_momentum is false). The optimizer's own rate is not used.
class CyclicLR final : public LRScheduler {
 public:
  CyclicLR(Optimizer& optimizer, double base_lr, double max_lr, CyclicLROptions options = {});

 private:
  double lr_at(double base_lr, int64_t step) const override;
  void apply_besides_lr(Optimizer& optimizer, int64_t step) const override;
  // How far up the cycle `step` is (0 at base_lr, 1 at max_lr), times the mode's scale.
  double height(int64_t step) const;
  double base_lr_, max_lr_;
  CyclicLROptions options_;
};

// Anneals from the initial learning rate to `eta_min` along a half cosine over `t_max` epochs (and,
// as PyTorch's, rises again along the same cosine past them).
class CosineAnnealingLR final : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  int64_t t_max_;
  double eta_min_;
};

// Multiplies the learning rate by `gamma` at each milestone epoch reached.
class MultiStepLR final : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  std::vector<int64_t> milestones_;  // sorted
  double gamma_;
};

// Decays the learning rate as (1 - epoch / total_iters)^power, reaching 0 at total_iters.
class PolynomialLR final : public LRScheduler {
 public:
  PolynomialLR(Optimizer& optimizer, int64_t total_iters = 5, double power = 1.0);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  int64_t total_iters_;
  double power_;
};

// Cosine annealing from the initial rate to eta_min over t_0 epochs, then restarting, each period
// t_mult times the last (SGDR).
class CosineAnnealingWarmRestarts final : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t t_0, int64_t t_mult = 1, double eta_min = 0);

 private:
  double lr_at(double base_lr, int64_t epoch) const override;
  int64_t t_0_, t_mult_;
  double eta_min_;
};

struct OneCycleOptions {
  double pct_start = 0.3;           // the share of the steps spent rising
  std::string anneal_strategy = "cos";  // or "linear"
  double div_factor = 25;           // the first rate is max_lr / div_factor
  double final_div_factor = 1e4;    // the last is that divided again by final_div_factor
  bool three_phase = false;         // fall back to the first rate before the final descent
  bool cycle_momentum = true;       // move the momentum (beta1) against the rate
  double base_momentum = 0.85;      // the momentum at the top rate
  double max_momentum = 0.95;       // the momentum at the lowest rates
};
// The 1cycle policy, stepped once per batch for total_steps steps: up from max_lr / div_factor to
// max_lr, then down far below the start, as PyTorch's OneCycleLR. With cycle_momentum the
// optimizer's momentum (SGD's, RMSprop's, or the Adam family's beta1) goes the other way, from
// max_momentum down to base_momentum and back; an optimizer without one is refused unless
// cycle_momentum is false. The optimizer's own rate is not used.
class OneCycleLR final : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps, OneCycleOptions options = {});

 private:
  double lr_at(double base_lr, int64_t step) const override;
  void apply_besides_lr(Optimizer& optimizer, int64_t step) const override;
  struct Phase {
    double end_step, start_lr, end_lr, start_momentum, end_momentum;
  };
  // The phase that `step` falls in, and how far through it.
  std::pair<const Phase*, double> locate(int64_t step) const;
  double anneal(double start, double end, double pct) const;
  std::vector<Phase> phases_;
  int64_t total_steps_;
  bool linear_, cycle_momentum_;
};

struct ReduceLROnPlateauOptions {
  std::string mode = "min";          // "min": lower metrics are better; "max": higher
  double factor = 0.1;               // the rate is multiplied by it on a plateau
  int64_t patience = 10;             // epochs without improvement tolerated
  double threshold = 1e-4;           // how much better counts as better
  std::string threshold_mode = "rel";  // "rel": relative to the best; "abs": absolute
  int64_t cooldown = 0;              // epochs after a reduction before counting again
  double min_lr = 0;
  double eps = 1e-8;                 // smaller reductions are skipped
};
// Reduces the learning rate when a metric has stopped improving: call step(metric) once per epoch.
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  void step(double metric);
  int64_t num_bad_epochs() const { return num_bad_epochs_; }

 private:
  bool better(double metric) const;
  Optimizer& optimizer_;
  const ReduceLROnPlateauOptions options_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0;
};

}  // namespace ember::optim
