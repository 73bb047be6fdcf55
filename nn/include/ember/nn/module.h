// The base of every layer: named parameters, buffers and submodules, training/evaluation mode,
// moving between devices and dtypes, and printing in PyTorch's layout.
#pragma once

#include <deque>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::nn {

class Reparametrization;
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Modules are held by shared_ptr and never copied or moved: the registry keeps the addresses of
// the members it names (Linear::weight), so `to()` can replace what they hold.
class Module {
 public:
  explicit Module(std::string type_name) : type_name_(std::move(type_name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& type_name() const { return type_name_; }

  // This module's and (with `recurse`) every submodule's, in registration order, the names
  // joined by dots ("features.0.weight") as in PyTorch's state_dict. A tensor reached twice (a
  // tied weight, a submodule used twice) is listed once, under its first name.
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_parameters(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  // Parameters then buffers: everything that describes the trained model, under every name.
  NamedTensors state_dict() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  // This module (named "") and every module below it, depth-first in registration order, each
  // once under its first name ("encoder.layers.0"), as PyTorch's named_modules.
  std::vector<std::pair<std::string, Module*>> named_modules();

  // Copies `state` into the parameters and buffers of the same names (casting the dtype, moving
  // to the tensor's device), as PyTorch's load_state_dict. A mis-shaped tensor is an error, and
  // so with `strict` is a name either side lacks; everything is checked before anything changes.
  // Returns the names the module has and the state lacks, and the other way round.
  struct IncompatibleKeys {
    std::vector<std::string> missing_keys, unexpected_keys;
  };
  IncompatibleKeys load_state_dict(const NamedTensors& state, bool strict = true);

  // Calls fn on every submodule (children before their parents, as PyTorch's) and then on this
  // one: custom initialisation, say.
  void apply(const std::function<void(Module&)>& fn);
  // Makes every parameter require gradients, or not (freezing a backbone).
  void requires_grad_(bool requires_grad = true);

  // Training mode (the default) or evaluation mode, for this module and all below it; Dropout and
  // BatchNorm behave differently in each.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Moves every parameter and buffer, keeping requires_grad. Create optimizers afterwards: they
  // hold the tensors they were given.
  void to(Device device);
  // Casts floating-point parameters and buffers (integer buffers such as counters stay).
  void to(DType dtype);
  // Clears the gradient of every parameter.
  void zero_grad();

  // The module tree, one module per line: "Linear(in_features=4, out_features=2, bias=true)".
  std::string str() const;

 protected:
  // Registers `slot` (a member of the derived class) under `name`; parameters are made to require
  // gradients. Undefined tensors (a layer built without bias) are skipped.
  void register_parameter(std::string name, Tensor& slot);
  void register_buffer(std::string name, Tensor& slot);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    children_.emplace_back(std::move(name), module);
    return module;
  }
  // Puts `module` where the child named `name` was (containers swapping a layer).
  void replace_child(const std::string& name, std::shared_ptr<Module> module);
  // What goes between the parentheses when the module is printed.
  virtual std::string extra_repr() const { return ""; }

 private:
  friend class Reparametrization;
  struct Slot {
    std::string name;
    Tensor* tensor;
  };
  void collect(const std::string& prefix, bool recurse, bool buffers, NamedTensors& out) const;
  // Replaces every parameter and buffer that `convert` changes; parameters become fresh leaves.
  template <typename Convert>
  void convert_tensors(Convert convert);

  std::string type_name_;
  std::vector<Slot> parameters_, buffers_;
  // Parameters and buffers that no member holds (a re-parametrisation's weight_g, weight_u): one
  // allocation each, so that their slots stay put as others come and go.
  std::vector<std::unique_ptr<Tensor>> owned_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

std::ostream& operator<<(std::ostream& os, const Module& module);

// load_state_dict's work, its errors reading "[op] source: does not match the module; missing:
// ..." (nn::load names its file).
Module::IncompatibleKeys load_state(Module& module, const NamedTensors& state, bool strict, std::string_view op,
                                    std::string_view source);

// Removes the hook it was returned for; harmless once the module is gone or the hook removed.
class RemovableHandle {
 public:
  RemovableHandle() = default;
  explicit RemovableHandle(std::function<void()> remove) : remove_(std::move(remove)) {}
  void remove();

 private:
  std::function<void()> remove_;
};

// A module that maps one tensor to one: what Sequential chains. Calling it runs its forward hooks
// around forward(), as PyTorch's __call__ does (forward() itself runs none): each pre-hook may
// replace the input, each hook the output, by returning a tensor (nullopt keeps it), in the order
// they were registered.
class UnaryModule : public Module {
 public:
  using Module::Module;
  virtual Tensor forward(const Tensor& input) = 0;
  Tensor operator()(const Tensor& input);

  using ForwardPreHook = std::function<std::optional<Tensor>(Module& module, const Tensor& input)>;
  using ForwardHook = std::function<std::optional<Tensor>(Module& module, const Tensor& input, const Tensor& output)>;
  RemovableHandle register_forward_pre_hook(ForwardPreHook hook);
  RemovableHandle register_forward_hook(ForwardHook hook);

 private:
  friend class Reparametrization;
  // Shared with the handles, which hold them weakly: a handle outliving its module does nothing.
  struct Hooks {
    std::vector<std::pair<int64_t, ForwardPreHook>> pre;
    std::vector<std::pair<int64_t, ForwardHook>> post;
    int64_t next_id = 0;
  };
  std::shared_ptr<Hooks> hooks_ = std::make_shared<Hooks>();
  // The parameters a re-parametrisation computes (nn::utils::weight_norm): the member that held
  // each, what recomputes it (updating any state it keeps, spectral_norm's power iteration, when
  // told to), and the handle of the pre-hook that calls that before every forward.
  struct Reparametrized {
    std::string name;
    Tensor* member;
    std::function<void(bool update)> recompute;
    RemovableHandle hook;
  };
  std::vector<Reparametrized> reparametrized_;
};

}  // namespace ember::nn
