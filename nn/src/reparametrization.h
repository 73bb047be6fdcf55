// How nn::utils::weight_norm and spectral_norm take a parameter over: it leaves the module's
// parameters, its member then holding what a forward pre-hook computes before every call from
// tensors the module owns under names of their own (weight_g and weight_v, say), as PyTorch's
// hooks do. Undoing it drops those and makes the member a parameter again.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

class Reparametrization {
 public:
  // The parameter `name` of `module`, checked to be one and not taken over yet (`op` names the caller).
  static Tensor& parameter(UnaryModule& module, const std::string& name, std::string_view op);
  // Takes the parameter over: `recompute` runs before every forward until restore, updating its
  // state in training mode; and once now, without.
  static void take_over(UnaryModule& module, const std::string& name, std::function<void(bool update)> recompute);
  // Registers `value` as a parameter (or a buffer) the module owns; returns its slot.
  static Tensor& own(Module& module, std::string name, Tensor value, bool parameter);
  // The slot of the tensor the module owns under `name`, or null.
  static Tensor* owned(Module& module, std::string_view name);
  // Undoes take_over: the member made a parameter again, holding its last recomputation (no state
  // updated), and the owned tensors `dropped` removed. `name` must have been taken over by `by`,
  // those tensors owned; otherwise "[op] name: <by> of \"weight\" not found in Linear".
  static void restore(UnaryModule& module, const std::string& name, const std::vector<std::string>& dropped,
                      std::string_view op, std::string_view by);

 private:
  // The entry named `name`, or end(): one lookup for slots and records alike.
  template <typename Named>
  static auto find_named(std::vector<Named>& entries, std::string_view name) {
    return std::find_if(entries.begin(), entries.end(), [&](const Named& e) { return e.name == name; });
  }
};

}  // namespace ember::nn
