#include "ember/optim/sgd.h"

#include "ember/ember.h"

namespace ember::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params), options.lr, "SGD"), options_(options) {
  EMBER_CHECK(options.momentum >= 0, "[SGD] momentum: expected a non-negative value, got {}", options.momentum);
  EMBER_CHECK(options.weight_decay >= 0, "[SGD] weight_decay: expected a non-negative value, got {}",
              options.weight_decay);
  EMBER_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
              "[SGD] nesterov: needs a positive momentum and zero dampening");
}

void SGD::step() {
  autograd::NoGradGuard no_grad;
  ++step_count_;
  for (size_t i = 0; i < parameters().size(); ++i) {
    const Tensor& p = parameters()[i];
    if (!p.grad().defined()) continue;
    Tensor d = p.grad();
    if (options_.weight_decay != 0) d = d + p * options_.weight_decay;
    if (options_.momentum != 0) {
      Tensor& momentum = buffer(i, "momentum_buffer");
      // The first step starts the buffer at the gradient itself, as PyTorch does.
      momentum = step_count_ == 1 ? d.clone() : momentum * options_.momentum + d * (1 - options_.dampening);
      d = options_.nesterov ? d + momentum * options_.momentum : momentum;
    }
    p.sub_(d, lr());
  }
}

}  // namespace ember::optim
