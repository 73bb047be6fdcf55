#include "ember/optim/adam.h"

#include <cmath>

#include "ember/ember.h"

namespace ember::optim {

Adam::Adam(std::vector<Tensor> params, AdamOptions options) : Adam(std::move(params), options, false, "Adam") {}

Adam::Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled_weight_decay, const char* name)
    : Optimizer(std::move(params), options.lr, name),
      options_(options),
      decoupled_weight_decay_(decoupled_weight_decay) {
  EMBER_CHECK(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1,
              "[{}] betas: expected values in [0, 1), got ({}, {})", name, options.beta1, options.beta2);
  EMBER_CHECK(options.eps >= 0, "[{}] eps: expected a non-negative value, got {}", name, options.eps);
  EMBER_CHECK(options.weight_decay >= 0, "[{}] weight_decay: expected a non-negative value, got {}", name,
              options.weight_decay);
}

void Adam::step() {
  autograd::NoGradGuard no_grad;
  ++step_count_;
  const double t = static_cast<double>(step_count_);
  const double correction1 = 1 - std::pow(options_.beta1, t);
  const double correction2 = 1 - std::pow(options_.beta2, t);
  for (size_t i = 0; i < parameters().size(); ++i) {
    const Tensor& p = parameters()[i];
    if (!p.grad().defined()) continue;
    Tensor g = p.grad();
    if (options_.weight_decay != 0) {
      if (decoupled_weight_decay_) {
        p.mul_(scalar_tensor(1 - lr() * options_.weight_decay, p.dtype(), p.device()));
      } else {
        g = g + p * options_.weight_decay;
      }
    }
    Tensor& m = buffer(i, "exp_avg");
    Tensor& v = buffer(i, "exp_avg_sq");
    m = m * options_.beta1 + g * (1 - options_.beta1);
    v = v * options_.beta2 + g * g * (1 - options_.beta2);
    const Tensor denominator = sqrt(v) / std::sqrt(correction2) + options_.eps;
    p.sub_(m / denominator, lr() / correction1);
  }
}

AdamW::AdamW(std::vector<Tensor> params, AdamOptions options) : Adam(std::move(params), options, true, "AdamW") {}

}  // namespace ember::optim
