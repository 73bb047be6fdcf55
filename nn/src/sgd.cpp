#include "ember/optim/sgd.h"

#include "ember/ember.h"

namespace ember::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions options) : SGD(std::vector<ParamGroup<SGDOptions>>{{std::move(params), options}}) {}

SGD::SGD(std::vector<ParamGroup<SGDOptions>> groups) : GroupedOptimizer(groups, "SGD") {
  for (const SGDOptions& options : group_options()) {
    require_non_negative("momentum", options.momentum);
    require_non_negative("weight_decay", options.weight_decay);
    EMBER_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
                "[SGD] nesterov: needs a positive momentum and zero dampening");
  }
}

void SGD::step() {
  each_gradient([&](size_t i) { return options_of(i).weight_decay; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const SGDOptions& options = options_of(i);
    Tensor d = g;
    if (options.momentum != 0) {
      // A parameter's first step starts its buffer at the gradient itself, as PyTorch does.
      const bool first = !has_buffer(i, "momentum_buffer");
      Tensor& momentum = buffer(i, "momentum_buffer");
      momentum = first ? d.clone() : momentum * options.momentum + d * (1 - options.dampening);
      d = options.nesterov ? d + momentum * options.momentum : momentum;
    }
    p.sub_(d, lr_of(i));
  });
}

}  // namespace ember::optim
