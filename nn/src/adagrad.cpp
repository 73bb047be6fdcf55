#include "ember/optim/adagrad.h"

#include "ember/ember.h"

namespace ember::optim {

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Optimizer(std::move(params), options.lr, "Adagrad"), options_(options) {
  require_non_negative("lr_decay", options.lr_decay);
  require_non_negative("weight_decay", options.weight_decay);
  require_non_negative("initial_accumulator_value", options.initial_accumulator_value);
  require_non_negative("eps", options.eps);
}

void Adagrad::step() {
  each_gradient(options_.weight_decay, [&](size_t i, const Tensor& p, const Tensor& g) {
    const double rate = lr() / (1 + static_cast<double>(parameter_steps(i) - 1) * options_.lr_decay);
    Tensor& sum = buffer(i, "sum", options_.initial_accumulator_value);
    sum.add_(g * g);
    p.sub_(g / (sqrt(sum) + options_.eps), rate);
  });
}

}  // namespace ember::optim
