// RAdam: Adam whose adaptive step is rectified by the variance of its second-moment estimate,
// plain momentum SGD until that estimate is trustworthy (rho_t > 5), as PyTorch's.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct RAdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

class RAdam final : public GroupedOptimizer<RAdamOptions> {
 public:
  RAdam(std::vector<Tensor> params, RAdamOptions options = {});
  explicit RAdam(std::vector<ParamGroup<RAdamOptions>> groups);
  void step() override;
};

}  // namespace ember::optim
