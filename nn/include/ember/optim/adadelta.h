// Adadelta: steps scaled by the ratio of running root-mean-squares of past steps and of
// gradients, so that the learning rate (1 by default) only scales a unit-consistent update;
// PyTorch's update rule.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;  // the decay of both running averages
  double eps = 1e-6;
  double weight_decay = 0;
};

class Adadelta final : public GroupedOptimizer<AdadeltaOptions> {
 public:
  Adadelta(std::vector<Tensor> params, AdadeltaOptions options = {});
  explicit Adadelta(std::vector<ParamGroup<AdadeltaOptions>> groups);
  void step() override;
};

}  // namespace ember::optim
