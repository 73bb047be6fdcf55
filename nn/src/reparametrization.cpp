#include "reparametrization.h"

#include <algorithm>

#include "ember/core/error.h"

namespace ember::nn {

Tensor& Reparametrization::parameter(UnaryModule& module, const std::string& name, std::string_view op) {
  auto& taken = module.reparametrized_;
  EMBER_CHECK(find_named(taken, name) == taken.end(), "[{}] name: \"{}\" of {} is already re-parametrised", op,
              name, module.type_name());
  const auto slot = find_named(module.parameters_, name);
  EMBER_CHECK(slot != module.parameters_.end(), "[{}] name: {} has no parameter \"{}\"", op, module.type_name(), name);
  return *slot->tensor;
}

void Reparametrization::take_over(UnaryModule& module, const std::string& name,
                                  std::function<void(bool update)> recompute) {
  const auto slot = find_named(module.parameters_, name);
  Tensor* member = slot->tensor;
  module.parameters_.erase(slot);
  recompute(false);
  RemovableHandle hook = module.register_forward_pre_hook([recompute](Module& m, const Tensor&) {
    recompute(m.is_training());
    return std::optional<Tensor>();
  });
  module.reparametrized_.push_back({name, member, std::move(recompute), std::move(hook)});
}

Tensor& Reparametrization::own(Module& module, std::string name, Tensor value, bool parameter) {
  Tensor& slot = *module.owned_.emplace_back(std::make_unique<Tensor>(std::move(value)));
  if (parameter) {
    module.register_parameter(std::move(name), slot);
  } else {
    module.register_buffer(std::move(name), slot);
  }
  return slot;
}

Tensor* Reparametrization::owned(Module& module, std::string_view name) {
  for (auto* slots : {&module.parameters_, &module.buffers_}) {
    const auto slot = find_named(*slots, name);
    if (slot == slots->end()) continue;
    const bool is_owned = std::any_of(module.owned_.begin(), module.owned_.end(),
                                      [&](const std::unique_ptr<Tensor>& t) { return t.get() == slot->tensor; });
    return is_owned ? slot->tensor : nullptr;
  }
  return nullptr;
}

void Reparametrization::restore(UnaryModule& module, const std::string& name, const std::vector<std::string>& dropped,
                                std::string_view op, std::string_view by) {
  auto& taken = module.reparametrized_;
  const auto record = find_named(taken, name);
  const bool found = record != taken.end() &&
                     std::all_of(dropped.begin(), dropped.end(), [&](const std::string& d) { return owned(module, d); });
  EMBER_CHECK(found, "[{}] name: {} of \"{}\" not found in {}", op, by, name, module.type_name());
  record->recompute(false);
  Tensor& member = *record->member;
  member = member.detach();
  for (const std::string& d : dropped) {
    const Tensor* slot = owned(module, d);
    for (auto* slots : {&module.parameters_, &module.buffers_}) {
      std::erase_if(*slots, [&](const Module::Slot& s) { return s.tensor == slot; });
    }
    std::erase_if(module.owned_, [&](const std::unique_ptr<Tensor>& t) { return t.get() == slot; });
  }
  record->hook.remove();
  taken.erase(record);
  module.register_parameter(name, member);
}

}  // namespace ember::nn
