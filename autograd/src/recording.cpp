#include "ember/autograd/recording.h"

#include <algorithm>

#include "ember/ember.h"

namespace ember::autograd {
namespace {

// The node standing in for an operator without a derivative formula.
class NotImplementedBackward final : public Node {
 public:
  explicit NotImplementedBackward(std::string op) : op_(std::move(op)) {}
  TensorVector apply(TensorVector&&) override {
    EMBER_FAIL("[{}] the derivative is not implemented: ops.yaml has no derivatives entry for this operator, so "
               "backward cannot pass through it", op_);
  }
  std::string name() const override { return "NotImplementedBackward(" + op_ + ")"; }

 private:
  std::string op_;
};

bool stack_requires_grad(const Stack& stack, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (stack[i].is_tensor() && stack[i].tensor_ref().requires_grad()) return true;
    if (stack[i].is_tensor_list()) {
      for (const Tensor& t : stack[i].to_tensor_list()) {
        if (t.requires_grad()) return true;
      }
    }
  }
  return false;
}

void autograd_fallback(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  const size_t num_args = op.schema().arguments.size();
  const bool requires_grad = grad_mode_enabled() && stack_requires_grad(stack, num_args);
  EMBER_CHECK(!requires_grad || !(op.schema().is_inplace() || op.schema().is_out()),
              "[{}] in-place and out= operators cannot take tensors that require grad yet; run it under "
              "NoGradGuard or on detach()ed tensors",
              op.name());
  std::vector<Edge> edges;
  std::vector<const TensorImpl*> inputs;
  if (requires_grad) {
    for (size_t i = 0; i < num_args; ++i) {
      if (!stack[i].is_tensor()) continue;
      edges.push_back(gradient_edge(stack[i].tensor_ref()));
      inputs.push_back(stack[i].tensor_impl());
    }
  }
  {
    ExcludeDispatchKeyGuard below(DispatchKey::Autograd);
    op.redispatch_boxed(keys.below(static_cast<int>(DispatchKey::Autograd)), stack);
  }
  if (!requires_grad) return;
  std::shared_ptr<Node> node;
  for (size_t i = 0; i < stack.size(); ++i) {
    if (!stack[i].is_tensor() || !is_floating(stack[i].tensor_ref().dtype())) continue;
    const TensorImpl* out = stack[i].tensor_impl();
    if (std::find(inputs.begin(), inputs.end(), out) != inputs.end()) continue;  // an input handed back
    if (!node) {
      node = std::make_shared<NotImplementedBackward>(op.name());
      node->set_next_edges(edges);
    }
    set_history(stack[i].tensor_ref(), node, static_cast<uint32_t>(i));
  }
}

}  // namespace

bool any_requires_grad(std::initializer_list<const Tensor*> tensors) {
  if (!grad_mode_enabled()) return false;
  for (const Tensor* t : tensors) {
    if (t->defined() && t->requires_grad()) return true;
  }
  return false;
}

bool returns_an_input(const Tensor& result, std::initializer_list<const Tensor*> inputs) {
  for (const Tensor* t : inputs) {
    if (result.is_same(*t)) return true;
  }
  return false;
}

std::vector<Edge> collect_next_edges(std::initializer_list<const Tensor*> tensors) {
  std::vector<Edge> edges;
  edges.reserve(tensors.size());
  for (const Tensor* t : tensors) edges.push_back(gradient_edge(*t));
  return edges;
}

void set_history(const Tensor& result, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  AutogradMeta& meta = ensure_meta(result);
  meta.grad_fn = node;
  meta.output_nr = output_nr;
  meta.requires_grad = true;
  meta.view_version = result.impl()->version();
  result.impl()->add_keys(DispatchKey::Autograd);
}

Tensor reduce_to(const Tensor& grad, IntArrayRef sizes, DType dtype) {
  Tensor g = grad;
  const int64_t lead = g.dim() - static_cast<int64_t>(sizes.size());
  if (lead > 0) {
    DimVector leading;
    for (int64_t d = 0; d < lead; ++d) leading.push_back(d);
    g = g.sum(leading.ref());
  }
  DimVector ones_dims;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1 && g.size(static_cast<int64_t>(d)) != 1) ones_dims.push_back(static_cast<int64_t>(d));
  }
  if (!ones_dims.empty()) g = g.sum(ones_dims.ref(), true);
  return g.dtype() == dtype ? g : g.to(dtype);
}

Tensor sum_backward(const Tensor& grad, IntArrayRef sizes, IntArrayRef dim, bool keepdim) {
  Tensor g = grad;
  if (!keepdim && !sizes.empty()) {
    if (dim.empty()) {
      g = g.reshape(DimVector(sizes.size(), 1));
    } else {
      DimVector wrapped;
      for (int64_t d : dim) wrapped.push_back(wrap_dim(d, static_cast<int64_t>(sizes.size()), "sum_backward"));
      std::sort(wrapped.begin(), wrapped.end());
      for (int64_t d : wrapped) g = g.unsqueeze(d);
    }
  }
  return g.expand(sizes);
}

int64_t reduced_numel(IntArrayRef sizes, IntArrayRef dim) {
  int64_t n = 1;
  if (dim.empty()) {
    for (int64_t s : sizes) n *= s;
    return n;
  }
  for (int64_t d : dim) n *= sizes[wrap_dim(d, static_cast<int64_t>(sizes.size()), "reduced_numel")];
  return n;
}

DimVector inverse_permutation(IntArrayRef dims) {
  DimVector inverse(dims.size(), 0);
  for (size_t i = 0; i < dims.size(); ++i) {
    inverse[wrap_dim(dims[i], static_cast<int64_t>(dims.size()), "permute")] = static_cast<int64_t>(i);
  }
  return inverse;
}

void check_inplace(const Tensor& self, const char* op) {
  EMBER_CHECK(!(self.requires_grad() && self.is_leaf()),
              "[{}] self: a leaf tensor that requires grad cannot be modified in place while gradients are "
              "recorded; modify it under NoGradGuard (an optimizer step) or work on a copy",
              op);
  EMBER_CHECK(!self.impl()->is_view(),
              "[{}] self: in-place changes to a view are not recorded by autograd yet; apply the operator "
              "out of place, or to the tensor the view was taken from",
              op);
}

RegistrationHandle register_autograd_fallback(Dispatcher& dispatcher) {
  return dispatcher.fallback(static_cast<int>(DispatchKey::Autograd), KernelFunction::from_boxed(&autograd_fallback),
                             "autograd fallback");
}

}  // namespace ember::autograd
