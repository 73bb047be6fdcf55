#include "ember/optim/rprop.h"

#include "ember/ember.h"

namespace ember::optim {

Rprop::Rprop(std::vector<Tensor> params, RpropOptions options)
    : Rprop(std::vector<ParamGroup<RpropOptions>>{{std::move(params), options}}) {}

Rprop::Rprop(std::vector<ParamGroup<RpropOptions>> groups) : GroupedOptimizer(groups, "Rprop") {
  for (const RpropOptions& options : group_options()) {
    EMBER_CHECK(options.etaminus > 0 && options.etaminus < 1 && options.etaplus > 1,
                "[Rprop] etas: expected 0 < etaminus < 1 < etaplus, got {} and {}", options.etaminus, options.etaplus);
    EMBER_CHECK(options.step_min >= 0 && options.step_min <= options.step_max,
                "[Rprop] step_sizes: expected 0 <= step_min <= step_max, got {} and {}", options.step_min, options.step_max);
  }
}

void Rprop::step() {
  each_gradient([](size_t) { return 0.0; }, [&](size_t i, const Tensor& p, const Tensor& g) {
    const RpropOptions& options = options_of(i);
    Tensor& previous = buffer(i, "prev");
    Tensor& step_size = buffer(i, "step_size", lr_of(i));
    const Tensor agreement = sign(g * previous);  // 1: the sign held, -1: it flipped, 0: a zero
    const Tensor factor = where(gt(agreement, 0), full_like(step_size, options.etaplus),
                                where(lt(agreement, 0), full_like(step_size, options.etaminus), ones_like(step_size)));
    step_size.copy_(clamp(step_size * factor, options.step_min, options.step_max));
    const Tensor held = g.masked_fill(lt(agreement, 0), 0);  // a flipped element waits a step
    p.sub_(sign(held) * step_size);
    previous.copy_(held);
  });
}

}  // namespace ember::optim
