#include "ember/optim/adamax.h"

#include <cmath>

#include "ember/ember.h"

namespace ember::optim {

Adamax::Adamax(std::vector<Tensor> params, AdamaxOptions options)
    : Adamax(std::vector<ParamGroup<AdamaxOptions>>{{std::move(params), options}}) {}

Adamax::Adamax(std::vector<ParamGroup<AdamaxOptions>> groups) : GroupedOptimizer(groups, "Adamax") {
  require_moment_options();
}

void Adamax::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const AdamaxOptions& options = options_of(i);
    Tensor& m = buffer(i, "exp_avg");
    Tensor& norm = buffer(i, "exp_inf");
    m.mul_(options.beta1).add_(g, 1 - options.beta1);
    norm = maximum(norm * options.beta2, abs(g) + options.eps);  // the decayed infinity norm
    const double correction = 1 - std::pow(options.beta1, static_cast<double>(parameter_steps(i)));
    p.sub_(m / norm, lr_of(i) / correction);
  });
}

}  // namespace ember::optim
