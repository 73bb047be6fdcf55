#include "ember/optim/adam.h"

#include <cmath>

#include "ember/ember.h"

namespace ember::optim {

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::vector<ParamGroup<AdamOptions>>{{std::move(params), options}}) {}

Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups) : Adam(std::move(groups), false, "Adam") {}

Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups, bool decoupled_weight_decay, const char* name)
    : GroupedOptimizer(groups, name), decoupled_weight_decay_(decoupled_weight_decay) {
  require_moment_options();
}

void Adam::step() {
  // AdamW decays the parameters themselves below, not through the gradient.
  const auto l2_penalty = [&](size_t i) { return decoupled_weight_decay_ ? 0.0 : options_of(i).weight_decay; };
  each_gradient(l2_penalty, [&](size_t i, const Tensor& p, const Tensor& g) {
    const AdamOptions& options = options_of(i);
    const double t = static_cast<double>(parameter_steps(i));
    const double correction1 = 1 - std::pow(options.beta1, t);
    const double correction2 = 1 - std::pow(options.beta2, t);
    if (decoupled_weight_decay_ && options.weight_decay != 0) {
      p.mul_(scalar_tensor(1 - lr_of(i) * options.weight_decay, p.dtype(), p.device()));
    }
    Tensor& m = buffer(i, "exp_avg");
    Tensor& v = buffer(i, "exp_avg_sq");
    m = m * options.beta1 + g * (1 - options.beta1);
    v = v * options.beta2 + g * g * (1 - options.beta2);
    Tensor second_moment = v;
    if (options.amsgrad) {
      Tensor& largest = buffer(i, "max_exp_avg_sq");
      largest = maximum(largest, v);
      second_moment = largest;
    }
    const Tensor denominator = sqrt(second_moment) / std::sqrt(correction2) + options.eps;
    p.sub_(m / denominator, lr_of(i) / correction1);
  });
}

AdamW::AdamW(std::vector<Tensor> params, AdamOptions options)
    : AdamW(std::vector<ParamGroup<AdamOptions>>{{std::move(params), options}}) {}

AdamW::AdamW(std::vector<ParamGroup<AdamOptions>> groups) : Adam(std::move(groups), true, "AdamW") {}

}  // namespace ember::optim
