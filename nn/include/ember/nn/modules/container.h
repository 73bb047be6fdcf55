// Sequential (a chain of unary modules) and ModuleList (modules indexed by position); children
// are named "0", "1", ... as in PyTorch.
#pragma once

#include <memory>
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

}  // namespace ember::nn
