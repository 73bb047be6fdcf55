#include "ember/nn/module.h"

#include <ostream>
#include <unordered_set>

#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"

namespace ember::nn {

void Module::register_parameter(std::string name, Tensor& slot) {
  if (!slot.defined()) return;
  slot.requires_grad_();
  parameters_.push_back({std::move(name), &slot});
}

void Module::register_buffer(std::string name, Tensor& slot) {
  if (!slot.defined()) return;
  buffers_.push_back({std::move(name), &slot});
}

void Module::replace_child(const std::string& name, std::shared_ptr<Module> module) {
  for (auto& [child_name, child] : children_) {
    if (child_name == name) {
      child = std::move(module);
      return;
    }
  }
  EMBER_FAIL("[{}] no submodule named '{}'", type_name_, name);
}

void Module::collect(const std::string& prefix, bool recurse, bool buffers, NamedTensors& out) const {
  for (const Slot& s : buffers ? buffers_ : parameters_) out.emplace_back(prefix + s.name, *s.tensor);
  if (!recurse) return;
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", true, buffers, out);
}

namespace {

// Each tensor once, under the first name that reaches it: a weight tied between two layers, or a
// submodule registered twice, would otherwise be stepped twice by an optimizer.
NamedTensors without_repeats(NamedTensors all) {
  std::unordered_set<const TensorImpl*> seen;
  NamedTensors out;
  for (auto& entry : all) {
    if (seen.insert(entry.second.impl()).second) out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out;
  collect("", recurse, false, out);
  return without_repeats(std::move(out));
}

NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect("", recurse, true, out);
  return without_repeats(std::move(out));
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters(recurse)) out.push_back(std::move(t));
  return out;
}

// Every name, repeats included, as PyTorch's state_dict() keeps a tied weight under each.
NamedTensors Module::state_dict() const {
  NamedTensors out;
  collect("", true, false, out);
  collect("", true, true, out);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& [name, child] : children_) child->train(on);
}

template <typename Convert>
void Module::convert_tensors(Convert convert) {
  autograd::NoGradGuard no_grad;
  for (const Slot& s : parameters_) {
    const Tensor converted = convert(*s.tensor);
    if (converted.is_same(*s.tensor)) continue;
    converted.requires_grad_(s.tensor->requires_grad());  // a new leaf: no history under NoGradGuard
    *s.tensor = converted;
  }
  for (const Slot& s : buffers_) *s.tensor = convert(*s.tensor);
  for (const auto& [name, child] : children_) child->convert_tensors(convert);
}

void Module::to(Device device) {
  convert_tensors([&](const Tensor& t) { return t.device() == device ? t : t.to(device); });
}

void Module::to(DType dtype) {
  convert_tensors([&](const Tensor& t) { return is_floating(t.dtype()) && t.dtype() != dtype ? t.to(dtype) : t; });
}

void Module::zero_grad() {
  for (const Tensor& p : parameters()) p.set_grad(Tensor());
}

std::string Module::str() const {
  std::string out = type_name_ + "(" + extra_repr();
  if (children_.empty()) return out + ")";
  out += "\n";
  for (const auto& [name, child] : children_) {
    std::string child_text = child->str();
    for (size_t at = child_text.find('\n'); at != std::string::npos; at = child_text.find('\n', at + 1)) {
      child_text.insert(at + 1, "  ");  // nested modules indent one level more
    }
    out += "  (" + name + "): " + child_text + "\n";
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << module.str(); }

}  // namespace ember::nn
