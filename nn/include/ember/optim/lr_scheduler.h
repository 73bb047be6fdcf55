// Learning-rate schedules: call step() once per epoch, after the optimizer's steps.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

// Multiplies the learning rate by `gamma` every `step_size` epochs.
class StepLR {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  void step();

 private:
  Optimizer& optimizer_;
  double base_lr_;
  int64_t step_size_;
  double gamma_;
  int64_t epoch_ = 0;
};

// Anneals from the initial learning rate to `eta_min` along a half cosine over `t_max` epochs.
class CosineAnnealingLR {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0);
  void step();

 private:
  Optimizer& optimizer_;
  double base_lr_;
  int64_t t_max_;
  double eta_min_;
  int64_t epoch_ = 0;
};

}  // namespace ember::optim
