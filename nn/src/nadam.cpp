#include "ember/optim/nadam.h"

#include <cmath>

#include "ember/ember.h"

namespace ember::optim {

NAdam::NAdam(std::vector<Tensor> params, NAdamOptions options)
    : NAdam(std::vector<ParamGroup<NAdamOptions>>{{std::move(params), options}}) {}

NAdam::NAdam(std::vector<ParamGroup<NAdamOptions>> groups)
    : GroupedOptimizer(groups, "NAdam"), products_(groups.size(), std::vector<double>{1.0}) {
  require_moment_options();
  for (const NAdamOptions& options : group_options()) {
    require_non_negative("momentum_decay", options.momentum_decay);
  }
}

double NAdam::momentum_at(size_t group, int64_t t) const {
  const NAdamOptions& options = group_options()[group];
  return options.beta1 * (1 - 0.5 * std::pow(0.96, static_cast<double>(t) * options.momentum_decay));
}

double NAdam::momentum_product(size_t group, int64_t t) {
  std::vector<double>& products = products_[group];
  while (static_cast<int64_t>(products.size()) <= t) {
    products.push_back(products.back() * momentum_at(group, static_cast<int64_t>(products.size())));
  }
  return products[static_cast<size_t>(t)];
}

void NAdam::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const NAdamOptions& options = options_of(i);
    const int64_t t = parameter_steps(i);
    const size_t group = group_of(i);
    const double mu = momentum_at(group, t), mu_next = momentum_at(group, t + 1);
    const double product = momentum_product(group, t), product_next = product * mu_next;
    Tensor& m = buffer(i, "exp_avg");
    Tensor& v = buffer(i, "exp_avg_sq");
    m.mul_(options.beta1).add_(g, 1 - options.beta1);
    v.mul_(options.beta2).add_(g * g, 1 - options.beta2);
    const double correction2 = 1 - std::pow(options.beta2, static_cast<double>(t));
    const Tensor denominator = sqrt(v / correction2) + options.eps;
    // Nesterov: this step's gradient at its own momentum weight, plus the momentum looked ahead.
    p.sub_(g / denominator, lr_of(i) * (1 - mu) / (1 - product));
    p.sub_(m / denominator, lr_of(i) * mu_next / (1 - product_next));
  });
}

}  // namespace ember::optim
