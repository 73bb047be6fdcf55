#include "ember/optim/adadelta.h"

#include "ember/ember.h"

namespace ember::optim {

Adadelta::Adadelta(std::vector<Tensor> params, AdadeltaOptions options)
    : Adadelta(std::vector<ParamGroup<AdadeltaOptions>>{{std::move(params), options}}) {}

Adadelta::Adadelta(std::vector<ParamGroup<AdadeltaOptions>> groups) : GroupedOptimizer(groups, "Adadelta") {
  for (const AdadeltaOptions& options : group_options()) {
    EMBER_CHECK(options.rho >= 0 && options.rho <= 1, "[Adadelta] rho: expected a value in [0, 1], got {}", options.rho);
    require_non_negative("eps", options.eps);
    require_non_negative("weight_decay", options.weight_decay);
  }
}

// delta = sqrt(E[delta^2] + eps) / sqrt(E[g^2] + eps) * g, the averages decaying by rho.
void Adadelta::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const AdadeltaOptions& options = options_of(i);
    Tensor& square_avg = buffer(i, "square_avg");
    Tensor& acc_delta = buffer(i, "acc_delta");
    square_avg.mul_(options.rho).add_(g * g, 1 - options.rho);
    const Tensor delta = sqrt(acc_delta + options.eps) / sqrt(square_avg + options.eps) * g;
    acc_delta.mul_(options.rho).add_(delta * delta, 1 - options.rho);
    p.sub_(delta, lr_of(i));
  });
}

}  // namespace ember::optim
