// Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm of the
// gradients, following PyTorch's update rule.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdamaxOptions {
  double lr = 2e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

class Adamax final : public GroupedOptimizer<AdamaxOptions> {
 public:
  Adamax(std::vector<Tensor> params, AdamaxOptions options = {});
  explicit Adamax(std::vector<ParamGroup<AdamaxOptions>> groups);
  void step() override;
};

}  // namespace ember::optim
