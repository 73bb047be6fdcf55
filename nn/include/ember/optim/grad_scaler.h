// Loss scaling for float16 training (torch.amp.GradScaler): the loss is multiplied by a large
// scale so that small gradients survive float16, the gradients are divided by it before the
// step, and a step whose gradients overflowed is skipped while the scale backs off.
//
//   GradScaler scaler;
//   scaler.scale(loss).backward();
//   scaler.step(optimizer);   // unscales, steps unless a gradient is inf or NaN
//   scaler.update();          // backs off after an overflow, grows after a run without one
#pragma once

#include <unordered_map>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct GradScalerOptions {
  double init_scale = 65536.0;
  double growth_factor = 2.0;     // after growth_interval steps in a row without inf or NaN
  double backoff_factor = 0.5;    // after a step with one
  int64_t growth_interval = 2000;
  bool enabled = true;            // false: every method passes through
};

class GradScaler {
 public:
  explicit GradScaler(GradScalerOptions options = {});

  // `loss` times the current scale.
  Tensor scale(const Tensor& loss) const;
  // Divides `optimizer`'s gradients by the scale in place (once per optimizer between updates),
  // noting whether any is inf or NaN: call it before clipping gradients.
  void unscale_(Optimizer& optimizer);
  // Unscales unless unscale_ did, then steps unless a gradient was inf or NaN; returns whether
  // it stepped.
  bool step(Optimizer& optimizer);
  // Adjusts the scale from the steps since the last update, and starts a new round.
  void update();

  double get_scale() const { return scale_; }
  bool is_enabled() const { return options_.enabled; }
  // "scale" and "growth_tracker", as 0-dim float64 tensors.
  StateDict state_dict() const;
  void load_state_dict(const StateDict& state);

 private:
  GradScalerOptions options_;
  double scale_;
  int64_t growth_tracker_ = 0;
  // The optimizers unscaled since the last update, and whether each had an inf or NaN gradient.
  std::unordered_map<const Optimizer*, bool> found_inf_;
};

}  // namespace ember::optim
