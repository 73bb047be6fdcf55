#include "ember/autograd/function.h"

#include <algorithm>
#include <boost/core/demangle.hpp>

#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/recording.h"
#include "ember/core/broadcast.h"
#include "ember/ember.h"

namespace ember::autograd {
namespace {

// "MulConstantBackward" for ns::MulConstant: the struct's own name, as built-in nodes are named.
std::string node_name(const std::type_info& function) {
  std::string name = boost::core::demangle(function.name());
  const size_t template_start = std::min(name.find('<'), name.size());
  const size_t last_scope = name.rfind("::", template_start);
  if (last_scope != std::string::npos) name.erase(0, last_scope + 2);
  return name + "Backward";
}

bool contains(const TensorVector& tensors, const Tensor& t) {
  return std::any_of(tensors.begin(), tensors.end(), [&](const Tensor& u) { return u.is_same(t); });
}

}  // namespace

TensorVector AutogradContext::get_saved_variables() const {
  TensorVector tensors;
  tensors.reserve(saved_.size());
  const std::shared_ptr<Node> owner = node_->shared_from_this();
  for (const SavedTensor& saved : saved_) tensors.push_back(saved.unpack(owner));
  return tensors;
}

bool AutogradContext::needs_input_grad(size_t position) const { return node_->needs_input_grad(position); }

FunctionNode::FunctionNode(const std::type_info& function) : name_(node_name(function)) { ctx_.node_ = this; }

bool FunctionNode::begin(const FunctionArguments& arguments, bool records_always) {
  std::vector<Edge> edges;
  edges.reserve(arguments.tensors.size());
  bool any_requires_grad = false;
  for (const Tensor& t : arguments.tensors) {
    if (!t.defined()) {
      edges.emplace_back();
      inputs_.emplace_back();
      continue;
    }
    any_requires_grad = any_requires_grad || t.requires_grad();
    edges.push_back(t.requires_grad() ? gradient_edge(t) : Edge());
    inputs_.push_back(TensorShape{DimVector(t.sizes()), t.dtype(), t.device()});
  }
  set_next_edges(std::move(edges));
  return (any_requires_grad || records_always) && grad_mode_enabled();
}

void FunctionNode::finish(TensorVector& outputs, const FunctionArguments& arguments) {
  for (const Tensor& dirty : ctx_.dirty_) {
    EMBER_CHECK(contains(arguments.tensors, dirty),
                "[{}] mark_dirty: got a tensor that is not an argument of forward; only inputs modified in place "
                "can be marked dirty", name_);
    EMBER_CHECK(contains(outputs, dirty), "[{}] mark_dirty: forward must return the inputs it modified in place",
                name_);
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor& out = outputs[i];
    if (!out.defined()) {
      outputs_.emplace_back();
      continue;
    }
    outputs_.push_back(TensorShape{DimVector(out.sizes()), out.dtype(), out.device()});
    const auto slot = static_cast<uint32_t>(i);
    const bool differentiable = !contains(ctx_.non_differentiable_, out) && is_floating(out.dtype());
    if (contains(ctx_.dirty_, out)) {
      check_inplace(out, name_.c_str());
      out.impl()->bump_version();  // forward may have written through a data pointer
      if (!differentiable) continue;
      if (!out.impl()->is_view()) {
        set_history(out, shared_from_this(), slot);
        continue;
      }
      // CopySlices passes the view's gradient to this node's first output and takes its first
      // input's gradient as the view's (Note [In-place through views]).
      EMBER_CHECK(i == 0 && outputs.size() == 1 && arguments.tensors[0].is_same(out),
                  "[{}] mark_dirty: a view modified in place is recorded only as forward's first argument and "
                  "only output", name_);
      rebase_history(out, shared_from_this(), true);
      continue;
    }
    // An input handed back unchanged becomes a view of it, with a history of its own.
    if (contains(arguments.tensors, out)) out = make_view(out, out.sizes(), out.strides(), out.storage_offset());
    if (differentiable) set_history(out, shared_from_this(), slot);
  }
  for (const Tensor& t : ctx_.to_save_) ctx_.saved_.emplace_back(t, t.defined() && contains(outputs, t));
  // Holding outputs here past forward would be a reference cycle through their grad_fn.
  ctx_.to_save_.clear();
  ctx_.dirty_.clear();
  ctx_.non_differentiable_.clear();
}

TensorVector FunctionNode::apply(TensorVector&& grads) {
  grads.resize(outputs_.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (grads[i].defined() || !ctx_.materialize_grads_ || !outputs_[i]) continue;
    grads[i] = zeros(outputs_[i]->sizes, outputs_[i]->dtype, outputs_[i]->device);
  }
  return checked_gradients(call_backward(&ctx_, std::move(grads)));
}

TensorVector FunctionNode::checked_gradients(TensorVector grads) const {
  const size_t expected = inputs_.size();
  while (grads.size() > expected && !grads.back().defined()) grads.pop_back();
  EMBER_CHECK(grads.size() == expected,
              "[{}] backward: returned {} gradients, expected {}: one per argument of forward, an undefined "
              "Tensor for an argument that is not a tensor",
              name_, grads.size(), expected);
  for (size_t i = 0; i < expected; ++i) {
    Tensor& grad = grads[i];
    if (!grad.defined()) continue;
    EMBER_CHECK(inputs_[i].has_value(),
                "[{}] backward: gradient {} is defined, but forward's argument {} is not a tensor; return an "
                "undefined Tensor there", name_, i, i);
    if (!needs_input_grad(i)) {
      grad = Tensor();  // the input does not require grad
      continue;
    }
    const TensorShape& input = *inputs_[i];
    EMBER_CHECK(grad.device() == input.device, "[{}] backward: gradient {} is on {}, expected {} like its input",
                name_, i, grad.device().str(), input.device.str());
    if (!grad.sizes().equals(input.sizes)) {
      EMBER_CHECK(broadcasts_to(input.sizes, grad.sizes()),
                  "[{}] backward: gradient {} has shape {}, expected its input's shape {} (or one that shape "
                  "broadcasts to, summed back)", name_, i, shape_str(grad.sizes()), shape_str(input.sizes));
      grad = reduce_to(grad, input.sizes, input.dtype);
    } else if (grad.dtype() != input.dtype) {
      grad = grad.to(input.dtype);
    }
  }
  return grads;
}

void FunctionNode::release_saved() {
  for (SavedTensor& saved : ctx_.saved_) saved.release();
}

}  // namespace ember::autograd
