// RMSprop: steps scaled by a running root mean square of the gradient, optionally centred (the
// running mean's square taken off) and with momentum, following PyTorch's update rule.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct RMSpropOptions {
  double lr = 0.01;
  double alpha = 0.99;  // smoothing of the running mean square
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
};

class RMSprop final : public GroupedOptimizer<RMSpropOptions> {
 public:
  RMSprop(std::vector<Tensor> params, RMSpropOptions options);
  explicit RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups);
  void step() override;
};

}  // namespace ember::optim
