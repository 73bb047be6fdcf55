#include "ember/nn/module.h"

#include <algorithm>
#include <map>
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

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  std::unordered_set<const Module*> seen;
  const std::function<void(const std::string&, Module&)> visit = [&](const std::string& name, Module& m) {
    if (!seen.insert(&m).second) return;
    out.emplace_back(name, &m);
    for (const auto& [child_name, child] : m.children_) visit(name.empty() ? child_name : name + "." + child_name, *child);
  };
  visit("", *this);
  return out;
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (const auto& [name, child] : children_) child->apply(fn);
  fn(*this);
}

void Module::requires_grad_(bool requires_grad) {
  for (const Tensor& p : parameters()) p.requires_grad_(requires_grad);
}

Module::IncompatibleKeys Module::load_state_dict(const NamedTensors& state, bool strict) {
  return load_state(*this, state, strict, "load_state_dict", "state_dict");
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

void RemovableHandle::remove() {
  if (remove_) remove_();
  remove_ = nullptr;
}

namespace {

// Appends `hook` to the list `list` picks out of the shared hooks; the handle erases it again.
template <typename Hooks, typename Hook>
RemovableHandle add_hook(const std::shared_ptr<Hooks>& hooks, std::vector<std::pair<int64_t, Hook>> Hooks::*list,
                         Hook hook, const std::string& type_name) {
  EMBER_CHECK(static_cast<bool>(hook), "[{}] hook: expected a function, got an empty one", type_name);
  const int64_t id = hooks->next_id++;
  ((*hooks).*list).emplace_back(id, std::move(hook));
  return RemovableHandle([weak = std::weak_ptr<Hooks>(hooks), id, list] {
    const std::shared_ptr<Hooks> alive = weak.lock();
    if (!alive) return;
    auto& entries = (*alive).*list;
    entries.erase(std::remove_if(entries.begin(), entries.end(), [id](const auto& e) { return e.first == id; }),
                  entries.end());
  });
}

}  // namespace

Tensor UnaryModule::operator()(const Tensor& input) {
  if (hooks_->pre.empty() && hooks_->post.empty()) return forward(input);  // the usual call, nothing copied
  // Copies: a hook may register or remove hooks while it runs.
  const std::shared_ptr<Hooks> hooks = hooks_;
  Tensor x = input;
  for (const auto& [id, hook] : std::vector(hooks->pre)) {
    if (std::optional<Tensor> replaced = hook(*this, x)) x = std::move(*replaced);
  }
  Tensor y = forward(x);
  for (const auto& [id, hook] : std::vector(hooks->post)) {
    if (std::optional<Tensor> replaced = hook(*this, x, y)) y = std::move(*replaced);
  }
  return y;
}

RemovableHandle UnaryModule::register_forward_pre_hook(ForwardPreHook hook) {
  return add_hook(hooks_, &Hooks::pre, std::move(hook), type_name());
}

RemovableHandle UnaryModule::register_forward_hook(ForwardHook hook) {
  return add_hook(hooks_, &Hooks::post, std::move(hook), type_name());
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << module.str(); }

Module::IncompatibleKeys load_state(Module& module, const NamedTensors& state, bool strict, std::string_view op,
                                    std::string_view source) {
  std::map<std::string, Tensor> stored(state.begin(), state.end());
  Module::IncompatibleKeys keys;
  std::vector<std::string> mismatched;
  const NamedTensors targets = module.state_dict();
  for (const auto& [name, t] : targets) {
    const auto it = stored.find(name);
    if (it == stored.end()) {
      keys.missing_keys.push_back(name);
      continue;
    }
    if (!it->second.sizes().equals(t.sizes())) {
      mismatched.push_back(fmt::format("{} (state {}, module {})", name, shape_str(it->second.sizes()), shape_str(t.sizes())));
    }
  }
  std::map<std::string, Tensor> wanted(targets.begin(), targets.end());
  for (const auto& [name, t] : stored) {
    if (wanted.count(name) == 0) keys.unexpected_keys.push_back(name);
  }
  std::string problems;
  auto list = [&](const char* what, const std::vector<std::string>& names) {
    if (!names.empty()) problems += fmt::format("; {}: {}", what, fmt::join(names, ", "));
  };
  if (strict) {
    list("missing", keys.missing_keys);
    list("unexpected", keys.unexpected_keys);
  }
  list("mis-shaped", mismatched);
  EMBER_CHECK(problems.empty(), "[{}] {}: does not match the module{}", op, source, problems);

  autograd::NoGradGuard no_grad;
  for (const auto& [name, t] : targets) {
    const auto it = stored.find(name);
    if (it != stored.end()) t.copy_(it->second.to(t.device()));
  }
  return keys;
}

}  // namespace ember::nn
