// Adam, and AdamW (weight decay applied to the parameters, not the gradient); with amsgrad, steps
// are scaled by the largest second moment so far, as PyTorch's.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
};

class Adam : public GroupedOptimizer<AdamOptions> {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options);
  explicit Adam(std::vector<ParamGroup<AdamOptions>> groups);
  void step() override;

 protected:
  Adam(std::vector<ParamGroup<AdamOptions>> groups, bool decoupled_weight_decay, const char* name);

 private:
  bool decoupled_weight_decay_;
};

// AdamW's default weight decay is 0.01, as in PyTorch.
class AdamW final : public Adam {
 public:
  static constexpr AdamOptions kDefaults = {1e-3, 0.9, 0.999, 1e-8, 1e-2};
  AdamW(std::vector<Tensor> params, AdamOptions options = kDefaults);
  explicit AdamW(std::vector<ParamGroup<AdamOptions>> groups);
};

}  // namespace ember::optim
