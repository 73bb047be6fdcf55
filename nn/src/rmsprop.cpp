#include "ember/optim/rmsprop.h"

#include "ember/ember.h"

namespace ember::optim {

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : RMSprop(std::vector<ParamGroup<RMSpropOptions>>{{std::move(params), options}}) {}

RMSprop::RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups) : GroupedOptimizer(groups, "RMSprop") {
  for (const RMSpropOptions& options : group_options()) {
    require_non_negative("alpha", options.alpha);
    require_non_negative("eps", options.eps);
    require_non_negative("weight_decay", options.weight_decay);
    require_non_negative("momentum", options.momentum);
  }
}

void RMSprop::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const RMSpropOptions& options = options_of(i);
    Tensor& square_avg = buffer(i, "square_avg");
    square_avg.mul_(options.alpha).add_(g * g, 1 - options.alpha);
    Tensor mean_square = square_avg;
    if (options.centered) {
      Tensor& grad_avg = buffer(i, "grad_avg");
      grad_avg.mul_(options.alpha).add_(g, 1 - options.alpha);
      mean_square = square_avg - grad_avg * grad_avg;  // the variance about the running mean
    }
    const Tensor scaled = g / (sqrt(mean_square) + options.eps);
    if (options.momentum > 0) {
      Tensor& momentum = buffer(i, "momentum_buffer");
      momentum.mul_(options.momentum).add_(scaled);
      p.sub_(momentum, lr_of(i));
    } else {
      p.sub_(scaled, lr_of(i));
    }
  });
}

}  // namespace ember::optim
