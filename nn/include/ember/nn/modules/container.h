// The containers: Sequential (a chain of unary modules), ModuleList (modules by position),
// ModuleDict (modules by name), ParameterList and ParameterDict (parameters by position or by
// name). Children and parameters are named "0", "1", ... or by their keys, as in PyTorch, so
// they reach named_parameters() and state_dict() under those names.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

class Sequential final : public UnaryModule {
 public:
  Sequential() : UnaryModule("Sequential") {}
  Sequential(std::initializer_list<std::shared_ptr<UnaryModule>> modules);
  void push_back(std::shared_ptr<UnaryModule> module);
  Tensor forward(const Tensor& input) override;

  size_t size() const { return modules_.size(); }
  const std::shared_ptr<UnaryModule>& operator[](size_t i) const;
  // Swaps the module at `i` (quantization replaces layers this way).
  void replace(size_t i, std::shared_ptr<UnaryModule> module);

 private:
  std::vector<std::shared_ptr<UnaryModule>> modules_;
};

class ModuleList final : public Module {
 public:
  ModuleList() : Module("ModuleList") {}
  ModuleList(std::initializer_list<std::shared_ptr<Module>> modules);
  void push_back(std::shared_ptr<Module> module);

  size_t size() const { return modules_.size(); }
  const std::shared_ptr<Module>& operator[](size_t i) const;
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

// In insertion order; inserting under a name already held replaces that module where it stands.
// Names are non-empty and without dots (a dot would make state_dict names ambiguous).
class ModuleDict final : public Module {
 public:
  using Item = std::pair<std::string, std::shared_ptr<Module>>;
  ModuleDict() : Module("ModuleDict") {}
  ModuleDict(std::initializer_list<Item> modules);
  void insert(std::string name, std::shared_ptr<Module> module);

  size_t size() const { return modules_.size(); }
  bool contains(const std::string& name) const;
  // Throws "[ModuleDict] key: no module named 'x'" for a name it does not hold.
  const std::shared_ptr<Module>& operator[](const std::string& name) const;
  std::vector<std::string> keys() const;
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  std::vector<Item> modules_;
};

// Each tensor is registered as a parameter (made to require gradients), named by position.
class ParameterList final : public Module {
 public:
  ParameterList() : Module("ParameterList") {}
  ParameterList(std::initializer_list<Tensor> parameters);
  void push_back(Tensor parameter);

  size_t size() const { return parameters_.size(); }
  const Tensor& operator[](size_t i) const;

 private:
  std::string extra_repr() const override;
  // A deque: register_parameter keeps each element's address, which growth must not move.
  std::deque<Tensor> parameters_;
};

// Parameters by name, in insertion order; inserting under a name already held replaces the
// tensor. Names as ModuleDict's.
class ParameterDict final : public Module {
 public:
  ParameterDict() : Module("ParameterDict") {}
  ParameterDict(std::initializer_list<std::pair<std::string, Tensor>> parameters);
  void insert(std::string name, Tensor parameter);

  size_t size() const { return parameters_.size(); }
  bool contains(const std::string& name) const;
  const Tensor& operator[](const std::string& name) const;
  std::vector<std::string> keys() const;

 private:
  std::string extra_repr() const override;
  std::deque<std::pair<std::string, Tensor>> parameters_;
};

}  // namespace ember::nn
