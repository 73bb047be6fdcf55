#include "ember/optim/sgd.h"

#include "ember/ember.h"

namespace ember::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params), options.lr, "SGD"), options_(options) {
  require_non_negative("momentum", options.momentum);
  require_non_negative("weight_decay", options.weight_decay);
  EMBER_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
              "[SGD] nesterov: needs a positive momentum and zero dampening");
}

void SGD::step() {
  each_gradient(options_.weight_decay, [&](size_t i, const Tensor& p, const Tensor& g) {
    Tensor d = g;
    if (options_.momentum != 0) {
      // A parameter's first step starts its buffer at the gradient itself, as PyTorch does.
      const bool first = !has_buffer(i, "momentum_buffer");
      Tensor& momentum = buffer(i, "momentum_buffer");
      momentum = first ? d.clone() : momentum * options_.momentum + d * (1 - options_.dampening);
      d = options_.nesterov ? d + momentum * options_.momentum : momentum;
    }
    p.sub_(d, lr());
  });
}

}  // namespace ember::optim
