// The base of every optimizer: the parameters it updates, their per-parameter state, and saving
// and restoring that state.
#pragma once

#include <functional>
#include <map>
#include <optional>
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

  // The learning rate of a parameter group (the first by default); set_lr(lr) sets every group's.
  double lr(size_t group = 0) const;
  void set_lr(double lr);
  void set_lr(size_t group, double lr);
  size_t num_groups() const { return group_lrs_.size(); }
  // The momentum of a parameter group, which OneCycleLR cycles: SGD's and RMSprop's momentum, the
  // Adam family's beta1; none for the optimizers without one. set_momentum refuses those.
  virtual std::optional<double> momentum(size_t group) const;
  virtual void set_momentum(size_t group, double momentum);
  // Every group's parameters, in order.
  const std::vector<Tensor>& parameters() const { return params_; }

  // The per-parameter buffers ("<index>.<name>"), each parameter's step count ("<index>.step", 0-dim)
  // and the optimizer's ("step"), copied; indices count through the groups in order.
  virtual StateDict state_dict() const;
  // Restores what state_dict() gave; throws naming any missing or mis-shaped entry.
  virtual void load_state_dict(const StateDict& state);

 protected:
  // groups[g] holds the parameters of group g, lrs[g] its learning rate.
  Optimizer(const std::vector<std::vector<Tensor>>& groups, const std::vector<double>& lrs, const char* name);
  // Refuses a group index past the last group.
  void check_group(size_t group) const;
  // Refuses a negative hyper-parameter, naming it.
  void require_non_negative(const char* option, double value) const;
  // Refuses moment decay rates outside [0, 1), as Adam and its relatives take them.
  void require_betas(double beta1, double beta2) const;
  // One step: counts it, then calls update(i, p, g) without recording gradients for each parameter
  // that has a gradient, g being that gradient plus weight_decay(i) * p (PyTorch's L2 penalty),
  // after counting the parameter's own step.
  void each_gradient(const std::function<double(size_t)>& weight_decay,
                     const std::function<void(size_t, const Tensor&, const Tensor&)>& update);
  size_t group_of(size_t i) const { return group_of_[i]; }
  double lr_of(size_t i) const { return group_lrs_[group_of_[i]]; }
  // The buffer `name` of parameter `i`, created like it, filled with `initial`, on first use.
  Tensor& buffer(size_t i, const std::string& name, double initial = 0);
  bool has_buffer(size_t i, const std::string& name) const { return buffers_[i].count(name) != 0; }
  // The steps parameter `i` has taken, this one included: a parameter that first had a gradient
  // late (unfrozen while fine-tuning) counts from there, as in PyTorch's per-parameter state.
  int64_t parameter_steps(size_t i) const { return parameter_steps_[i]; }
  int64_t step_count_ = 0;
  const char* const name_;

 private:
  std::vector<Tensor> params_;
  std::vector<size_t> group_of_;
  std::vector<double> group_lrs_;
  std::vector<int64_t> parameter_steps_;
  std::vector<std::map<std::string, Tensor>> buffers_;
};

// Parameters that share options: PyTorch's param groups (a backbone and a head at different
// rates, biases without weight decay).
template <typename Options>
struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

// An optimizer whose options may differ from group to group; the learning rate lives in the base,
// where schedules change it.
template <typename Options>
class GroupedOptimizer : public Optimizer {
 protected:
  GroupedOptimizer(const std::vector<ParamGroup<Options>>& groups, const char* name)
      : Optimizer(params_of(groups), lrs_of(groups), name) {
    for (const ParamGroup<Options>& group : groups) group_options_.push_back(group.options);
  }
  const Options& options_of(size_t i) const { return group_options_[group_of(i)]; }
  const std::vector<Options>& group_options() const { return group_options_; }
  // The checks every group's options share in the Adam family: moment decay rates in [0, 1), a
  // non-negative eps and weight decay.
  void require_moment_options() const {
    for (const Options& options : group_options_) {
      require_betas(options.beta1, options.beta2);
      require_non_negative("eps", options.eps);
      require_non_negative("weight_decay", options.weight_decay);
    }
  }

 public:
  std::optional<double> momentum(size_t group) const override {
    check_group(group);
    if constexpr (requires(Options o) { o.beta1; }) {
      return group_options_[group].beta1;
    } else if constexpr (requires(Options o) { o.momentum; }) {
      return group_options_[group].momentum;
    } else {
      return Optimizer::momentum(group);
    }
  }
  void set_momentum(size_t group, double value) override {
    check_group(group);
    if constexpr (requires(Options o) { o.beta1; }) {
      group_options_[group].beta1 = value;
    } else if constexpr (requires(Options o) { o.momentum; }) {
      group_options_[group].momentum = value;
    } else {
      Optimizer::set_momentum(group, value);
    }
  }

 private:
  static std::vector<std::vector<Tensor>> params_of(const std::vector<ParamGroup<Options>>& groups) {
    std::vector<std::vector<Tensor>> params;
    for (const ParamGroup<Options>& group : groups) params.push_back(group.params);
    return params;
  }
  static std::vector<double> lrs_of(const std::vector<ParamGroup<Options>>& groups) {
    std::vector<double> lrs;
    for (const ParamGroup<Options>& group : groups) lrs.push_back(group.options.lr);
    return lrs;
  }
  std::vector<Options> group_options_;
};

}  // namespace ember::optim
