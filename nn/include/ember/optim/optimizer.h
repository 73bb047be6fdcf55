// The base of every optimizer: the parameters it updates, their per-parameter state, and saving
// and restoring that state.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::optim {

// Named tensors: an optimizer's state, as state_dict() gives it and load_state_dict() takes it.
using StateDict = std::map<std::string, Tensor>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every parameter from its grad(); parameters without a gradient are skipped.
  // Runs without recording gradients.
  virtual void step() = 0;
  // Clears every parameter's gradient.
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  const std::vector<Tensor>& parameters() const { return params_; }

  // The per-parameter buffers ("<index>.<name>"), each parameter's step count ("<index>.step", 0-dim)
  // and the optimizer's ("step"), copied.
  StateDict state_dict() const;
  // Restores what state_dict() gave; throws naming any missing or mis-shaped entry.
  void load_state_dict(const StateDict& state);

 protected:
  Optimizer(std::vector<Tensor> params, double lr, const char* name);
  // Refuses a negative hyper-parameter, naming it.
  void require_non_negative(const char* option, double value) const;
  // One step: counts it, then calls update(i, p, g) without recording gradients for each parameter
  // that has a gradient, g being that gradient plus weight_decay * p (PyTorch's L2 penalty), after
  // counting the parameter's own step.
  void each_gradient(double weight_decay, const std::function<void(size_t, const Tensor&, const Tensor&)>& update);
  // The buffer `name` of parameter `i`, created like it, filled with `initial`, on first use.
  Tensor& buffer(size_t i, const std::string& name, double initial = 0);
  bool has_buffer(size_t i, const std::string& name) const { return buffers_[i].count(name) != 0; }
  // The steps parameter `i` has taken, this one included: a parameter that first had a gradient
  // late (unfrozen while fine-tuning) counts from there, as in PyTorch's per-parameter state.
  int64_t parameter_steps(size_t i) const { return parameter_steps_[i]; }
  int64_t step_count_ = 0;

 private:
  std::vector<Tensor> params_;
  std::vector<int64_t> parameter_steps_;
  std::vector<std::map<std::string, Tensor>> buffers_;
  double lr_;
  const char* name_;
};

}  // namespace ember::optim
