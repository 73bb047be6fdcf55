// Adagrad: steps scaled by the root of every squared gradient so far, with PyTorch's learning-rate
// decay and initial accumulator value.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdagradOptions {
  double lr = 0.01;
  double lr_decay = 0;  // the rate at step t is lr / (1 + (t - 1) * lr_decay)
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
};

class Adagrad final : public GroupedOptimizer<AdagradOptions> {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions options);
  explicit Adagrad(std::vector<ParamGroup<AdagradOptions>> groups);
  void step() override;
};

}  // namespace ember::optim
