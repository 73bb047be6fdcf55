#include "ember/optim/rmsprop.h"

#include "ember/ember.h"

namespace ember::optim {

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : Optimizer(std::move(params), options.lr, "RMSprop"), options_(options) {
  require_non_negative("alpha", options.alpha);
  require_non_negative("eps", options.eps);
  require_non_negative("weight_decay", options.weight_decay);
  require_non_negative("momentum", options.momentum);
}

void RMSprop::step() {
  each_gradient(options_.weight_decay, [&](size_t i, const Tensor& p, const Tensor& g) {
    Tensor& square_avg = buffer(i, "square_avg");
    square_avg.mul_(options_.alpha).add_(g * g, 1 - options_.alpha);
    Tensor mean_square = square_avg;
    if (options_.centered) {
      Tensor& grad_avg = buffer(i, "grad_avg");
      grad_avg.mul_(options_.alpha).add_(g, 1 - options_.alpha);
      mean_square = square_avg - grad_avg * grad_avg;  // the variance about the running mean
    }
    const Tensor scaled = g / (sqrt(mean_square) + options_.eps);
    if (options_.momentum > 0) {
      Tensor& momentum = buffer(i, "momentum_buffer");
      momentum.mul_(options_.momentum).add_(scaled);
      p.sub_(momentum, lr());
    } else {
      p.sub_(scaled, lr());
    }
  });
}

}  // namespace ember::optim
