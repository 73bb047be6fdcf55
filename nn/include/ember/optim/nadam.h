// NAdam: Adam with Nesterov momentum, the momentum coefficient warmed up by momentum_decay
// (Dozat's schedule, as PyTorch's).
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct NAdamOptions {
  double lr = 2e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum_decay = 4e-3;
};

class NAdam final : public GroupedOptimizer<NAdamOptions> {
 public:
  NAdam(std::vector<Tensor> params, NAdamOptions options = {});
  explicit NAdam(std::vector<ParamGroup<NAdamOptions>> groups);
  void step() override;

 private:
  // The momentum coefficient at step t, and the product of those of steps 1..t, per group: a pure
  // function of the step count, so it needs no state of its own.
  double momentum_at(size_t group, int64_t t) const;
  double momentum_product(size_t group, int64_t t);
  std::vector<std::vector<double>> products_;  // products_[group][t]
};

}  // namespace ember::optim
