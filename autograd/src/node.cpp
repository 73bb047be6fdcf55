#include "ember/autograd/node.h"

#include <atomic>

#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/recording.h"

namespace ember::autograd {
namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
}

Node::Node() : sequence_nr_(g_next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {}

void apply_hook(const GradientHook& hook, Tensor& grad) {
  Tensor replaced = hook(grad);
  if (!replaced.defined()) return;
  EMBER_CHECK(replaced.sizes().equals(grad.sizes()) && replaced.dtype() == grad.dtype() &&
                  replaced.device() == grad.device(),
              "[register_hook] hook: returned a {} {} tensor on {} for a gradient of {} {} on {}; a hook may "
              "change a gradient's values only", shape_str(replaced.sizes()), dtype_name(replaced.dtype()),
              replaced.device().str(), shape_str(grad.sizes()), dtype_name(grad.dtype()), grad.device().str());
  grad = std::move(replaced);
}

void Node::run_pre_hooks(TensorVector& grads) const {
  for (const auto& [slot, hook] : pre_hooks_) {
    if (slot < grads.size() && grads[slot].defined()) apply_hook(hook, grads[slot]);
  }
}

SavedTensor::SavedTensor(const Tensor& tensor, bool is_output) : is_output_(is_output) {
  if (!tensor.defined()) return;
  version_ = tensor.impl()->version();
  requires_grad_ = tensor.requires_grad();
  // An output is kept as a plain alias: holding it with its grad_fn would be a cycle. So is an
  // input with a history, beside that history (Note [Saved history]); a leaf is kept itself.
  const AutogradMeta* meta = meta_of(tensor);
  if (meta && meta->grad_fn) {
    output_nr_ = meta->output_nr;  // which of its node's outputs it is, restored on unpacking
    if (!is_output) grad_fn_ = meta->grad_fn;
  }
  data_ = is_output || grad_fn_ ? tensor.detach() : tensor;
}

Tensor SavedTensor::unpack(const std::shared_ptr<Node>& owner) const {
  EMBER_CHECK(!released_,
              "[backward] {}: its saved tensors were freed by an earlier backward; pass retain_graph=true to "
              "the first backward to run through the graph a second time",
              owner->name());
  if (!data_.defined()) return data_;
  EMBER_CHECK(data_.impl()->version() == version_,
              "[backward] {}: a tensor it saved was modified in place after it was saved (version {} now, {} "
              "when saved)",
              owner->name(), data_.impl()->version(), version_);
  if (!requires_grad_ || (!is_output_ && !grad_fn_)) return data_;
  // Given back its history, so that a formula using it is differentiable: the node's own result
  // gets this node, an input the grad_fn it was saved with.
  Tensor alias = data_.detach();
  if (is_output_) {
    set_history(alias, owner, output_nr_);
  } else {
    set_history(alias, grad_fn_, output_nr_);
  }
  return alias;
}

}  // namespace ember::autograd
