// ASGD: SGD with a decaying rate eta = lr / (1 + lambd lr t)^alpha and a running average of the
// parameters ("<index>.ax" in the state), updated from step t0 on; PyTorch's update rule. eta
// follows the optimizer's current learning rate, so a schedule that changes it takes effect at
// the next step.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct ASGDOptions {
  double lr = 0.01;
  double lambd = 1e-4;  // the decay term
  double alpha = 0.75;  // the power of eta's decay
  double t0 = 1e6;      // the step from which averaging starts
  double weight_decay = 0;
};

class ASGD final : public GroupedOptimizer<ASGDOptions> {
 public:
  ASGD(std::vector<Tensor> params, ASGDOptions options = {});
  explicit ASGD(std::vector<ParamGroup<ASGDOptions>> groups);
  void step() override;
  // The averaged parameter i (in the order of parameters()), once it has taken a step.
  const Tensor& averaged(size_t i);
};

}  // namespace ember::optim
