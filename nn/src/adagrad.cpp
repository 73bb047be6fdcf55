#include "ember/optim/adagrad.h"

#include "ember/ember.h"

namespace ember::optim {

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad(std::vector<ParamGroup<AdagradOptions>>{{std::move(params), options}}) {}

Adagrad::Adagrad(std::vector<ParamGroup<AdagradOptions>> groups) : GroupedOptimizer(groups, "Adagrad") {
  for (const AdagradOptions& options : group_options()) {
    require_non_negative("lr_decay", options.lr_decay);
    require_non_negative("weight_decay", options.weight_decay);
    require_non_negative("initial_accumulator_value", options.initial_accumulator_value);
    require_non_negative("eps", options.eps);
  }
}

void Adagrad::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const AdagradOptions& options = options_of(i);
    const double rate = lr_of(i) / (1 + static_cast<double>(parameter_steps(i) - 1) * options.lr_decay);
    Tensor& sum = buffer(i, "sum", options.initial_accumulator_value);
    sum.add_(g * g);
    p.sub_(g / (sqrt(sum) + options.eps), rate);
  });
}

}  // namespace ember::optim
