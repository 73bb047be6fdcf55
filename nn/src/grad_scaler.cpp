#include "ember/optim/grad_scaler.h"

#include "ember/ember.h"

namespace ember::optim {

GradScaler::GradScaler(GradScalerOptions options) : options_(options), scale_(options.init_scale) {
  EMBER_CHECK(options.init_scale > 0, "[GradScaler] init_scale: expected a positive scale, got {}", options.init_scale);
  EMBER_CHECK(options.growth_factor > 1, "[GradScaler] growth_factor: expected more than 1, got {}",
              options.growth_factor);
  EMBER_CHECK(options.backoff_factor > 0 && options.backoff_factor < 1,
              "[GradScaler] backoff_factor: expected a factor in (0, 1), got {}", options.backoff_factor);
  EMBER_CHECK(options.growth_interval > 0, "[GradScaler] growth_interval: expected a positive count, got {}",
              options.growth_interval);
}

Tensor GradScaler::scale(const Tensor& loss) const { return options_.enabled ? loss * scale_ : loss; }

void GradScaler::unscale_(Optimizer& optimizer) {
  if (!options_.enabled) return;
  EMBER_CHECK(!found_inf_.count(&optimizer),
              "[GradScaler] unscale_: already called for this optimizer since the last update()");
  autograd::NoGradGuard no_grad;
  // One flag on the gradients' device, read once: no host round trip per parameter.
  Tensor nonfinite;
  for (const Tensor& p : optimizer.parameters()) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    g.mul_(1.0 / scale_);
    const Tensor bad = logical_not(isfinite(g)).any();
    nonfinite = nonfinite.defined() ? logical_or(nonfinite, bad.to(nonfinite.device())) : bad;
  }
  found_inf_[&optimizer] = nonfinite.defined() && nonfinite.item().to_int() != 0;
}

bool GradScaler::step(Optimizer& optimizer) {
  if (!options_.enabled) {
    optimizer.step();
    return true;
  }
  if (!found_inf_.count(&optimizer)) unscale_(optimizer);
  if (found_inf_.at(&optimizer)) return false;
  optimizer.step();
  return true;
}

void GradScaler::update() {
  if (!options_.enabled) return;
  bool overflow = false;
  for (const auto& [optimizer, found] : found_inf_) overflow = overflow || found;
  if (overflow) {
    scale_ *= options_.backoff_factor;
    growth_tracker_ = 0;
  } else if (!found_inf_.empty() && ++growth_tracker_ == options_.growth_interval) {
    scale_ *= options_.growth_factor;
    growth_tracker_ = 0;
  }
  found_inf_.clear();
}

StateDict GradScaler::state_dict() const {
  return {{"scale", scalar_tensor(scale_, DType::Float64)},
          {"growth_tracker", scalar_tensor(static_cast<double>(growth_tracker_), DType::Float64)}};
}

void GradScaler::load_state_dict(const StateDict& state) {
  for (const char* key : {"scale", "growth_tracker"}) {
    EMBER_CHECK(state.count(key), "[GradScaler] load_state_dict: state: missing \"{}\"", key);
  }
  const double scale = state.at("scale").item().to_double();
  EMBER_CHECK(scale > 0, "[GradScaler] load_state_dict: scale: expected a positive scale, got {}", scale);
  scale_ = scale;
  growth_tracker_ = static_cast<int64_t>(state.at("growth_tracker").item().to_double());
}

}  // namespace ember::optim
