// Differentiable operations written by the user: a struct with a static forward and a static
// backward, recorded as one node (libtorch's torch::autograd::Function).
//
//   struct MulConstant : autograd::Function<MulConstant> {
//     static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x, double c) {
//       ctx->saved_data["c"] = c;
//       return x * c;
//     }
//     static autograd::TensorVector backward(autograd::AutogradContext* ctx, autograd::TensorVector grads) {
//       return {grads[0] * std::any_cast<double>(ctx->saved_data["c"]), Tensor()};
//     }
//   };
//   Tensor y = MulConstant::apply(x, 5.0);  // y.grad_fn()->name() == "MulConstantBackward"
//
// Note [Gradient positions]
// backward returns one gradient per position of forward's arguments: a Tensor argument is one
// position, each element of a TensorVector argument one, any other argument one (its gradient
// must be undefined). needs_input_grad counts positions the same way. Gradients are checked on
// the way out: a wrong count or device is an error naming the function, a gradient wider than
// its input (a broadcast) is summed back to the input's shape, and a dtype is cast to the input's.
#pragma once

#include <any>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/node.h"

namespace ember::autograd {

class FunctionNode;

// What forward leaves for backward, and how forward's outputs are to be recorded.
class AutogradContext {
 public:
  // Tensors backward needs, inputs or outputs; unpacking checks they were not modified in place.
  void save_for_backward(TensorVector tensors) { to_save_ = std::move(tensors); }
  // The saved tensors; throws when one was modified in place since, or freed by an earlier backward.
  TensorVector get_saved_variables() const;
  // Inputs forward modified in place; forward returns them, and they take this node as history.
  void mark_dirty(const TensorVector& inputs) { dirty_.insert(dirty_.end(), inputs.begin(), inputs.end()); }
  // Outputs without a gradient (indices, masks): they do not require grad, and backward gets
  // zeros for them.
  void mark_non_differentiable(const TensorVector& outputs) {
    non_differentiable_.insert(non_differentiable_.end(), outputs.begin(), outputs.end());
  }
  // With false, backward gets undefined gradients, instead of zeros, for outputs no gradient reached.
  void set_materialize_grads(bool value) { materialize_grads_ = value; }
  // Whether the gradient at `position` (Note [Gradient positions]) is wanted; valid in forward too.
  bool needs_input_grad(size_t position) const;

  // Whatever else backward needs: sizes, scalars, options. A tensor kept here instead of through
  // save_for_backward escapes the in-place checks, and an output kept here is a reference cycle.
  std::unordered_map<std::string, std::any> saved_data;

 private:
  friend class FunctionNode;
  FunctionNode* node_ = nullptr;
  TensorVector to_save_;
  std::vector<SavedTensor> saved_;
  TensorVector dirty_;
  TensorVector non_differentiable_;
  bool materialize_grads_ = true;
};

// Forward's arguments, one entry per gradient position: the tensor, or undefined for the rest.
struct FunctionArguments {
  TensorVector tensors;
  std::vector<bool> is_tensor;

  void add(const Tensor& t) {
    tensors.push_back(t);
    is_tensor.push_back(true);
  }
  void add(const TensorVector& list) {
    for (const Tensor& t : list) add(t);
  }
  void add(const std::optional<Tensor>& t) { add(t.value_or(Tensor())); }
  template <typename T>
  void add(const T&) {
    tensors.emplace_back();
    is_tensor.push_back(false);
  }
};

// The node a Function's call records. Function<T>::apply drives it; it is not used directly.
class FunctionNode : public Node {
 public:
  TensorVector apply(TensorVector&& grads) final;
  std::string name() const final { return name_; }
  void release_saved() final;

  AutogradContext* context() { return &ctx_; }
  // Before forward: whether anything will be recorded, with the inputs' edges and metadata kept.
  bool begin(const FunctionArguments& arguments, bool records_always);
  // After forward: gives the outputs this node as history (replacing returned inputs by views of
  // them) and packs the saved tensors.
  void finish(TensorVector& outputs, const FunctionArguments& arguments);

 protected:
  explicit FunctionNode(const std::type_info& function);
  virtual TensorVector call_backward(AutogradContext* ctx, TensorVector grads) = 0;

 private:
  struct TensorShape {
    DimVector sizes;
    DType dtype;
    Device device;
  };
  TensorVector checked_gradients(TensorVector grads) const;

  std::string name_;
  AutogradContext ctx_;
  std::vector<std::optional<TensorShape>> inputs_;   // per gradient position; empty where not a tensor
  std::vector<std::optional<TensorShape>> outputs_;  // empty for undefined outputs
};

template <typename T>
class FunctionNodeOf final : public FunctionNode {
 public:
  FunctionNodeOf() : FunctionNode(typeid(T)) {}

 private:
  TensorVector call_backward(AutogradContext* ctx, TensorVector grads) override {
    return T::backward(ctx, std::move(grads));
  }
};

// The base of a user's function struct T, which provides
//   static Tensor or TensorVector forward(AutogradContext*, arguments...);
//   static TensorVector backward(AutogradContext*, TensorVector grad_outputs);
// and may declare `static constexpr bool kRecordsAlways = true` when forward reads tensors that
// require grad besides its arguments (parameters it reaches itself), so that it records even when
// no argument requires grad.
template <typename T>
struct Function {
  // Runs T::forward without recording inside it, and records it as one node when grad mode is
  // on and a tensor argument requires grad (or T records always).
  template <typename... Args>
  static auto apply(Args&&... args) {
    using Result = decltype(T::forward(std::declval<AutogradContext*>(), std::forward<Args>(args)...));
    static_assert(std::is_same_v<Result, Tensor> || std::is_same_v<Result, TensorVector>,
                  "forward must return a Tensor or a TensorVector");
    FunctionArguments arguments;
    (arguments.add(args), ...);
    auto node = make_node<FunctionNodeOf<T>>();
    const bool recording = node->begin(arguments, records_always());
    Result result;
    {
      NoGradGuard no_grad;
      result = T::forward(node->context(), std::forward<Args>(args)...);
    }
    if (!recording) return result;
    if constexpr (std::is_same_v<Result, Tensor>) {
      TensorVector outputs = {std::move(result)};
      node->finish(outputs, arguments);
      return outputs[0];
    } else {
      node->finish(result, arguments);
      return result;
    }
  }

 private:
  static constexpr bool records_always() {
    if constexpr (requires { T::kRecordsAlways; }) {
      return T::kRecordsAlways;
    } else {
      return false;
    }
  }
};

}  // namespace ember::autograd
