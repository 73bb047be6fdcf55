#include "ember/optim/optimizer.h"

#include <charconv>
#include <optional>
#include <unordered_map>

#include "ember/ember.h"

namespace ember::optim {

Optimizer::Optimizer(const std::vector<std::vector<Tensor>>& groups, const std::vector<double>& lrs, const char* name)
    : name_(name), group_lrs_(lrs) {
  EMBER_CHECK(!groups.empty(), "[{}] params: expected at least one parameter group", name_);
  for (size_t g = 0; g < groups.size(); ++g) {
    EMBER_CHECK(!groups[g].empty(), "[{}] params: expected at least one parameter{}", name_,
                groups.size() > 1 ? fmt::format(" in group {}", g) : std::string());
    EMBER_CHECK(lrs[g] >= 0, "[{}] lr: expected a non-negative learning rate, got {}", name_, lrs[g]);
    for (const Tensor& p : groups[g]) {
      params_.push_back(p);
      group_of_.push_back(g);
    }
  }
  parameter_steps_.resize(params_.size());
  buffers_.resize(params_.size());
  std::unordered_map<const TensorImpl*, size_t> seen;
  for (size_t i = 0; i < params_.size(); ++i) {
    EMBER_CHECK(params_[i].defined() && is_floating(params_[i].dtype()),
                "[{}] params[{}]: expected a defined floating-point tensor", name_, i);
    // A non-leaf's .grad is never filled, and a step would write into a value computed from
    // others; a repeated tensor would take every step twice.
    EMBER_CHECK(params_[i].is_leaf(), "[{}] params[{}]: expected a leaf tensor, got one computed by {}; optimize "
                "the tensor it was computed from, or a detach()ed copy", name_, i, params_[i].grad_fn()->name());
    const auto [first, inserted] = seen.emplace(params_[i].impl(), i);
    EMBER_CHECK(inserted, "[{}] params[{}]: the same tensor as params[{}]; list each parameter once", name_, i,
                first->second);
  }
}

void Optimizer::check_group(size_t group) const {
  EMBER_CHECK(group < group_lrs_.size(), "[{}] group: expected one of the {} parameter groups, got {}", name_,
              group_lrs_.size(), group);
}

double Optimizer::lr(size_t group) const {
  check_group(group);
  return group_lrs_[group];
}

void Optimizer::set_lr(double lr) {
  for (size_t g = 0; g < group_lrs_.size(); ++g) set_lr(g, lr);
}

void Optimizer::set_lr(size_t group, double lr) {
  check_group(group);
  group_lrs_[group] = lr;
}

std::optional<double> Optimizer::momentum(size_t group) const {
  check_group(group);
  return std::nullopt;
}

void Optimizer::set_momentum(size_t group, double) {
  check_group(group);
  EMBER_CHECK(false, "[{}] momentum: this optimizer has no momentum (nor beta1) to set", name_);
}

void Optimizer::require_non_negative(const char* option, double value) const {
  EMBER_CHECK(value >= 0, "[{}] {}: expected a non-negative value, got {}", name_, option, value);
}

void Optimizer::require_betas(double beta1, double beta2) const {
  EMBER_CHECK(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "[{}] betas: expected values in [0, 1), got ({}, {})",
              name_, beta1, beta2);
}

void Optimizer::each_gradient(const std::function<double(size_t)>& weight_decay,
                              const std::function<void(size_t, const Tensor&, const Tensor&)>& update) {
  autograd::NoGradGuard no_grad;
  ++step_count_;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    if (!p.grad().defined()) continue;
    ++parameter_steps_[i];
    const double decay = weight_decay(i);
    update(i, p, decay != 0 ? p.grad() + p * decay : p.grad());
  }
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) p.set_grad(Tensor());
}

Tensor& Optimizer::buffer(size_t i, const std::string& name, double initial) {
  auto& slot = buffers_[i][name];
  if (!slot.defined()) slot = full(params_[i].sizes(), initial, params_[i].dtype(), params_[i].device());
  return slot;
}

StateDict Optimizer::state_dict() const {
  StateDict state;
  state["step"] = scalar_tensor(step_count_, DType::Int64);
  for (size_t i = 0; i < buffers_.size(); ++i) {
    for (const auto& [name, value] : buffers_[i]) state[std::to_string(i) + "." + name] = value.clone();
    if (parameter_steps_[i] > 0) state[std::to_string(i) + ".step"] = scalar_tensor(parameter_steps_[i], DType::Int64);
  }
  return state;
}

void Optimizer::load_state_dict(const StateDict& state) {
  const auto step = state.find("step");
  EMBER_CHECK(step != state.end(), "[{}] state: expected a 'step' entry", name_);
  std::vector<std::map<std::string, Tensor>> loaded(params_.size());
  std::vector<std::optional<int64_t>> loaded_steps(params_.size());
  for (const auto& [key, value] : state) {
    if (key == "step") continue;
    const size_t dot = key.find('.');
    size_t index = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + (dot == std::string::npos ? 0 : dot), index);
    EMBER_CHECK(dot != std::string::npos && ec == std::errc() && end == key.data() + dot && index < params_.size(),
                "[{}] state['{}']: expected '<parameter index>.<buffer>' with an index below {}", name_, key,
                params_.size());
    if (key.compare(dot + 1, std::string::npos, "step") == 0) {
      EMBER_CHECK(value.dim() == 0 && !is_floating(value.dtype()) && value.item<int64_t>() >= 0,
                  "[{}] state['{}']: expected a non-negative integer step count (0-dim), got {} {}", name_, key,
                  dtype_name(value.dtype()), shape_str(value.sizes()));
      loaded_steps[index] = value.item<int64_t>();
      continue;
    }
    EMBER_CHECK(value.sizes().equals(params_[index].sizes()),
                "[{}] state['{}']: expected shape [{}] like parameter {}, got [{}]", name_, key,
                fmt::join(params_[index].sizes(), ", "), index, fmt::join(value.sizes(), ", "));
    loaded[index][key.substr(dot + 1)] = value.to(params_[index].dtype()).to(params_[index].device()).clone();
  }
  step_count_ = step->second.item<int64_t>();
  // A state without per-parameter counts: every parameter that has buffers took every step.
  for (size_t i = 0; i < params_.size(); ++i) {
    parameter_steps_[i] = loaded_steps[i].value_or(loaded[i].empty() ? 0 : step_count_);
  }
  buffers_ = std::move(loaded);
}

}  // namespace ember::optim
