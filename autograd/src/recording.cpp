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
               "backward cannot pass through it; call it inside an autograd::Function that gives its backward",
               op_);
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
      node = make_node<NotImplementedBackward>(op.name());
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
  if (meta.retained_grad) retain_grad_from_grad_fn(meta);  // an in-place change: the new value's gradient
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
  EMBER_CHECK(!(self.requires_grad() && self.is_leaf() && !self.impl()->is_view()),
              "[{}] self: a leaf tensor that requires grad cannot be modified in place while gradients are "
              "recorded; modify it under NoGradGuard (an optimizer step) or work on a copy",
              op);
  if (!self.impl()->is_view()) return;
  const Tensor base(self.impl()->view_base());
  EMBER_CHECK(!(base.requires_grad() && base.is_leaf()),
              "[{}] self: a view of a leaf tensor that requires grad cannot be modified in place while gradients "
              "are recorded",
              op);
  EMBER_CHECK(base.is_contiguous(),
              "[{}] self: in-place changes to a view are recorded only when the tensor it views is contiguous; "
              "call contiguous() on that tensor first",
              op);
}

namespace {

// The part of a contiguous tensor shaped like `base` that `view` covers: the same geometry
// relative to the start, since both are laid out the same way.
struct Region {
  DimVector sizes, strides;
  int64_t offset = 0;
  Tensor of(const Tensor& like_base) const {
    return make_view(like_base, sizes, strides, like_base.storage_offset() + offset);
  }
};

// Note [In-place through views]
// After an in-place op on a view, the base's new value equals its old value outside the view's
// region and the op's result inside it. CopySlices, installed on the base, passes the gradient
// outside the region straight to the base's old history, and runs the op's own node on the
// gradient inside the region (PyTorch's CopySlices).
// `fn`'s first input is the view's old value when `self_is_input`; otherwise (copy_) the view was
// overwritten and its old value gets no gradient.
class CopySlices final : public Node {
 public:
  CopySlices(Region region, std::shared_ptr<Node> fn, bool self_is_input, Edge base_edge)
      : region_(std::move(region)), fn_(std::move(fn)), first_other_(self_is_input ? 1 : 0) {
    std::vector<Edge> edges = {std::move(base_edge)};
    for (size_t i = first_other_; i < fn_->next_edges().size(); ++i) edges.push_back(fn_->next_edges()[i]);
    set_next_edges(std::move(edges));
  }
  TensorVector apply(TensorVector&& grads) override {
    const Tensor result = grads[0].clone();
    const Tensor inside = region_.of(result);
    TensorVector fn_grads = fn_->apply({inside.clone()});
    if (first_other_ == 1 && fn_grads[0].defined()) {
      inside.copy_(fn_grads[0]);
    } else {
      inside.fill_(0);
    }
    TensorVector out = {result};
    for (size_t i = first_other_; i < fn_grads.size(); ++i) out.push_back(fn_grads[i]);
    return out;
  }
  std::string name() const override { return "CopySlices(" + fn_->name() + ")"; }
  void release_saved() override { fn_->release_saved(); }

 private:
  Region region_;
  std::shared_ptr<Node> fn_;
  size_t first_other_;
};

// A view's history after an in-place change: its gradient is the base's, restricted to the region.
class ViewOfBaseBackward final : public Node {
 public:
  ViewOfBaseBackward(Region region, DimVector base_sizes) : region_(std::move(region)), base_sizes_(std::move(base_sizes)) {}
  TensorVector apply(TensorVector&& grads) override {
    Tensor out = zeros(base_sizes_, grads[0].dtype(), grads[0].device());
    region_.of(out).copy_(grads[0]);
    return {out};
  }
  std::string name() const override { return "ViewOfBaseBackward"; }

 private:
  Region region_;
  DimVector base_sizes_;
};

}  // namespace

void rebase_history(const Tensor& self, const std::shared_ptr<Node>& node, bool self_is_input) {
  if (!self.impl()->is_view()) return set_history(self, node);
  const Tensor base(self.impl()->view_base());
  Region region{DimVector(self.sizes()), DimVector(self.strides()), self.storage_offset() - base.storage_offset()};
  const Edge base_edge = gradient_edge(base);  // its history before the change
  auto copy_slices = make_node<CopySlices>(region, node, self_is_input, base_edge);
  set_history(base, copy_slices);
  auto view_node = make_node<ViewOfBaseBackward>(region, DimVector(base.sizes()));
  view_node->set_next_edges({gradient_edge(base)});
  set_history(self, view_node);
}

RegistrationHandle register_autograd_fallback(Dispatcher& dispatcher) {
  return dispatcher.fallback(static_cast<int>(DispatchKey::Autograd), KernelFunction::from_boxed(&autograd_fallback),
                             "autograd fallback");
}

}  // namespace ember::autograd
