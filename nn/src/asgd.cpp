#include "ember/optim/asgd.h"

#include <algorithm>
#include <cmath>

#include "ember/ember.h"

namespace ember::optim {

ASGD::ASGD(std::vector<Tensor> params, ASGDOptions options)
    : ASGD(std::vector<ParamGroup<ASGDOptions>>{{std::move(params), options}}) {}

ASGD::ASGD(std::vector<ParamGroup<ASGDOptions>> groups) : GroupedOptimizer(groups, "ASGD") {
  for (const ASGDOptions& options : group_options()) {
    require_non_negative("lambd", options.lambd);
    require_non_negative("alpha", options.alpha);
    require_non_negative("weight_decay", options.weight_decay);
  }
}

// Step t (from 1) shrinks p by lambd eta, steps by eta g, and moves the average ax towards p by
// mu, with eta and mu those PyTorch computes after step t - 1: eta = lr / (1 + lambd lr (t - 1))^alpha,
// mu = 1 / max(1, t - 1 - t0) (so ax is p itself until t0 steps have passed).
void ASGD::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const ASGDOptions& options = options_of(i);
    const double before = static_cast<double>(parameter_steps(i) - 1);
    const double eta = lr_of(i) / std::pow(1 + options.lambd * lr_of(i) * before, options.alpha);
    const double mu = 1 / std::max(1.0, before - options.t0);
    p.mul_(1 - options.lambd * eta).sub_(g, eta);
    Tensor& average = buffer(i, "ax");
    if (mu == 1) {
      average.copy_(p);
    } else {
      average.add_((p - average) * mu);
    }
  });
}

const Tensor& ASGD::averaged(size_t i) {
  EMBER_CHECK(i < parameters().size() && has_buffer(i, "ax"),
              "[ASGD] averaged: parameter {} has no average yet (it takes one at its first step)", i);
  return buffer(i, "ax");
}

}  // namespace ember::optim
