// The containers: children and parameters registered under their positions or names.
#include <algorithm>

#include "ember/nn/modules/container.h"

namespace ember::nn {
namespace {

template <typename List>
const auto& checked_at(const char* type, const List& list, size_t i) {
  EMBER_CHECK(i < list.size(), "[{}] index: expected a position below {}, got {}", type, list.size(), i);
  return list[i];
}

// A name for a child or parameter: non-empty and without dots, which would make state_dict
// names ambiguous ("a.b" as a child "a"'s "b").
void check_key(const char* type, const std::string& name) {
  EMBER_CHECK(!name.empty() && name.find('.') == std::string::npos,
              "[{}] key: expected a non-empty name without dots, got '{}'", type, name);
}

// The entry of `items` (pairs) named `name`, or end.
template <typename Items>
auto find_named(Items& items, const std::string& name) {
  return std::find_if(items.begin(), items.end(), [&](const auto& item) { return item.first == name; });
}

template <typename Items>
std::vector<std::string> names_of(const Items& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.first);
  return names;
}

// A parameter's tensor: a leaf stays itself (a weight tied to another module stays tied); one
// with history is detached first, as nn.Parameter takes a tensor's data.
Tensor as_parameter(const char* type, Tensor t) {
  EMBER_CHECK(t.defined(), "[{}] parameter: expected a defined tensor", type);
  EMBER_CHECK(is_floating(t.dtype()), "[{}] parameter: expected a floating-point tensor, got {}", type,
              dtype_name(t.dtype()));
  return t.is_leaf() ? t : t.detach();
}

// "(name): Parameter containing: [float32 of size 3x4]" per line, as PyTorch prints the
// parameter containers.
template <typename Items>
std::string parameter_lines(const Items& items) {
  if (items.empty()) return "";
  std::string out = "\n";
  for (const auto& [name, t] : items) {
    std::vector<std::string> sizes;
    for (int64_t s : t.sizes()) sizes.push_back(std::to_string(s));
    const std::string where = t.device().backend_name() == "cpu" ? "" : " on " + t.device().str();
    out += fmt::format("  ({}): Parameter containing: [{} of size {}{}]\n", name, dtype_name(t.dtype()),
                       sizes.empty() ? "()" : fmt::format("{}", fmt::join(sizes, "x")), where);
  }
  return out;
}

}  // namespace

Sequential::Sequential(std::initializer_list<std::shared_ptr<UnaryModule>> modules) : Sequential() {
  for (const auto& m : modules) push_back(m);
}

void Sequential::push_back(std::shared_ptr<UnaryModule> module) {
  EMBER_CHECK(module != nullptr, "[Sequential] module: expected a module, got null");
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

void Sequential::replace(size_t i, std::shared_ptr<UnaryModule> module) {
  EMBER_CHECK(module != nullptr, "[Sequential] module: expected a module, got null");
  checked_at("Sequential", modules_, i);
  replace_child(std::to_string(i), module);
  modules_[i] = std::move(module);
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& m : modules_) x = (*m)(x);  // through the call, so that each layer's hooks run
  return x;
}

const std::shared_ptr<UnaryModule>& Sequential::operator[](size_t i) const {
  return checked_at("Sequential", modules_, i);
}

ModuleList::ModuleList(std::initializer_list<std::shared_ptr<Module>> modules) : ModuleList() {
  for (const auto& m : modules) push_back(m);
}

void ModuleList::push_back(std::shared_ptr<Module> module) {
  EMBER_CHECK(module != nullptr, "[ModuleList] module: expected a module, got null");
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

const std::shared_ptr<Module>& ModuleList::operator[](size_t i) const { return checked_at("ModuleList", modules_, i); }

ModuleDict::ModuleDict(std::initializer_list<Item> modules) : ModuleDict() {
  for (const auto& [name, module] : modules) insert(name, module);
}

void ModuleDict::insert(std::string name, std::shared_ptr<Module> module) {
  check_key("ModuleDict", name);
  EMBER_CHECK(module != nullptr, "[ModuleDict] module: expected a module, got null");
  const auto held = find_named(modules_, name);
  if (held != modules_.end()) {
    replace_child(name, module);
    held->second = std::move(module);
    return;
  }
  register_module(name, module);
  modules_.emplace_back(std::move(name), std::move(module));
}

bool ModuleDict::contains(const std::string& name) const { return find_named(modules_, name) != modules_.end(); }

const std::shared_ptr<Module>& ModuleDict::operator[](const std::string& name) const {
  const auto held = find_named(modules_, name);
  EMBER_CHECK(held != modules_.end(), "[ModuleDict] key: no module named '{}'", name);
  return held->second;
}

std::vector<std::string> ModuleDict::keys() const { return names_of(modules_); }

ParameterList::ParameterList(std::initializer_list<Tensor> parameters) : ParameterList() {
  for (const Tensor& t : parameters) push_back(t);
}

void ParameterList::push_back(Tensor parameter) {
  parameters_.push_back(as_parameter("ParameterList", std::move(parameter)));
  register_parameter(std::to_string(parameters_.size() - 1), parameters_.back());
}

const Tensor& ParameterList::operator[](size_t i) const { return checked_at("ParameterList", parameters_, i); }

std::string ParameterList::extra_repr() const {
  std::vector<std::pair<std::string, Tensor>> items;
  for (size_t i = 0; i < parameters_.size(); ++i) items.emplace_back(std::to_string(i), parameters_[i]);
  return parameter_lines(items);
}

ParameterDict::ParameterDict(std::initializer_list<std::pair<std::string, Tensor>> parameters) : ParameterDict() {
  for (const auto& [name, t] : parameters) insert(name, t);
}

void ParameterDict::insert(std::string name, Tensor parameter) {
  check_key("ParameterDict", name);
  Tensor tensor = as_parameter("ParameterDict", std::move(parameter));
  const auto held = find_named(parameters_, name);
  if (held != parameters_.end()) {
    held->second = tensor.requires_grad_();  // the registered slot, now holding the new tensor
    return;
  }
  parameters_.emplace_back(name, std::move(tensor));
  register_parameter(std::move(name), parameters_.back().second);
}

bool ParameterDict::contains(const std::string& name) const { return find_named(parameters_, name) != parameters_.end(); }

const Tensor& ParameterDict::operator[](const std::string& name) const {
  const auto held = find_named(parameters_, name);
  EMBER_CHECK(held != parameters_.end(), "[ParameterDict] key: no parameter named '{}'", name);
  return held->second;
}

std::vector<std::string> ParameterDict::keys() const { return names_of(parameters_); }

std::string ParameterDict::extra_repr() const { return parameter_lines(parameters_); }

}  // namespace ember::nn
