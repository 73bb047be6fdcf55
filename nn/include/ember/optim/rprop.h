// Rprop: each element moves by its own step size in the direction of its gradient's sign; the
// step grows by etaplus while the sign holds and shrinks by etaminus when it flips (and that
// element then waits a step), within [step_min, step_max]. PyTorch's update rule; full-batch
// training is what it is for.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct RpropOptions {
  double lr = 0.01;  // every element's first step size
  double etaminus = 0.5;
  double etaplus = 1.2;
  double step_min = 1e-6;
  double step_max = 50;
};

class Rprop final : public GroupedOptimizer<RpropOptions> {
 public:
  Rprop(std::vector<Tensor> params, RpropOptions options = {});
  explicit Rprop(std::vector<ParamGroup<RpropOptions>> groups);
  void step() override;
};

}  // namespace ember::optim
