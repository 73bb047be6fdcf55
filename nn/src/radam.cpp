#include "ember/optim/radam.h"

#include <cmath>

#include "ember/ember.h"

namespace ember::optim {

RAdam::RAdam(std::vector<Tensor> params, RAdamOptions options)
    : RAdam(std::vector<ParamGroup<RAdamOptions>>{{std::move(params), options}}) {}

RAdam::RAdam(std::vector<ParamGroup<RAdamOptions>> groups) : GroupedOptimizer(groups, "RAdam") {
  require_moment_options();
}

void RAdam::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const RAdamOptions& options = options_of(i);
    const double t = static_cast<double>(parameter_steps(i));
    Tensor& m = buffer(i, "exp_avg");
    Tensor& v = buffer(i, "exp_avg_sq");
    m.mul_(options.beta1).add_(g, 1 - options.beta1);
    v.mul_(options.beta2).add_(g * g, 1 - options.beta2);
    const double correction1 = 1 - std::pow(options.beta1, t), correction2 = 1 - std::pow(options.beta2, t);
    // The length of the second moment's simple moving average (rho), and its limit.
    const double rho_limit = 2 / (1 - options.beta2) - 1;
    const double rho = rho_limit - 2 * t * std::pow(options.beta2, t) / correction2;
    if (rho <= 5) {
      p.sub_(m, lr_of(i) / correction1);  // too few steps for a trustworthy variance: momentum alone
      return;
    }
    const double rectification =
        std::sqrt((rho - 4) * (rho - 2) * rho_limit / ((rho_limit - 4) * (rho_limit - 2) * rho));
    p.sub_(m / (sqrt(v) + options.eps), lr_of(i) * rectification * std::sqrt(correction2) / correction1);
  });
}

}  // namespace ember::optim
