// Tensor's autograd methods, and the leaf node that accumulates gradients into grad().
#include "ember/autograd/autograd_meta.h"

#include "ember/autograd/engine.h"
#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"

namespace ember {
namespace autograd {
namespace {

// Adds incoming gradients into a leaf's grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor leaf) : leaf_(std::move(leaf)) {}
  TensorVector apply(TensorVector&& grads) override {
    Tensor incoming = grads[0];
    if (!incoming.defined()) return {};
    AutogradMeta& meta = ensure_meta(leaf_);
    for (const GradientHook& hook : meta.leaf_hooks) apply_hook(hook, incoming);
    accumulate_grad(meta.grad, incoming);
    return {};
  }
  std::string name() const override { return "AccumulateGrad"; }

 private:
  Tensor leaf_;
};

}  // namespace

AutogradMeta* meta_of(const Tensor& t) {
  return t.defined() ? static_cast<AutogradMeta*>(t.impl()->autograd_meta()) : nullptr;
}

AutogradMeta& ensure_meta(const Tensor& t) {
  if (AutogradMeta* meta = meta_of(t)) return *meta;
  t.impl()->set_autograd_meta(std::make_unique<AutogradMeta>());
  return *meta_of(t);
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* meta = meta_of(t);
  if (!meta || !meta->requires_grad) return {};
  // Note [Stale views]: a view's history describes its bytes as they were when it was taken; a
  // later in-place write to the shared storage makes that history wrong.
  EMBER_CHECK(!meta->grad_fn || !t.impl()->is_view() || t.impl()->version() == meta->view_version,
              "[autograd] a view whose storage was modified in place after the view was taken is used by an "
              "operator that records gradients; take the view again after the in-place change");
  if (meta->grad_fn) return {meta->grad_fn, meta->output_nr};
  std::shared_ptr<Node> accumulator = meta->grad_accumulator.lock();
  if (!accumulator) {
    accumulator = make_node<AccumulateGrad>(t);
    meta->grad_accumulator = accumulator;
  }
  return {accumulator, 0};
}

void accumulate_grad(Tensor& grad, const Tensor& incoming) {
  const Tensor update = grad_mode_enabled() ? incoming : incoming.detach();
  grad = grad.defined() ? add(grad, update) : update;
}

void retain_grad_from_grad_fn(AutogradMeta& meta) {
  meta.retained_grad = std::make_shared<Tensor>();
  // Weak: the node must not keep the tensor's cell alive, nor write into one that was replaced.
  std::weak_ptr<Tensor> cell = meta.retained_grad;
  meta.grad_fn->add_pre_hook(meta.output_nr, [cell](const Tensor& grad) {
    if (const std::shared_ptr<Tensor> retained = cell.lock()) accumulate_grad(*retained, grad);
    return Tensor();
  });
}

}  // namespace autograd

const Tensor& Tensor::requires_grad_(bool requires_grad) const {
  EMBER_CHECK(defined(), "[requires_grad_] tensor: expected a defined tensor");
  EMBER_CHECK(is_leaf(), "[requires_grad_] tensor: only leaves can change requires_grad; use detach() to "
              "make a new leaf from {}", grad_fn()->name());
  EMBER_CHECK(!requires_grad || is_floating(dtype()),
              "[requires_grad_] tensor: only floating-point tensors can require grad, got {}", dtype_name(dtype()));
  autograd::ensure_meta(*this).requires_grad = requires_grad;
  if (requires_grad) {
    impl()->add_keys(DispatchKey::Autograd);
  } else {
    impl()->remove_keys(DispatchKey::Autograd);
  }
  return *this;
}

bool Tensor::requires_grad() const {
  const autograd::AutogradMeta* meta = autograd::meta_of(*this);
  return meta && meta->requires_grad;
}

Tensor Tensor::grad() const {
  autograd::AutogradMeta* meta = autograd::meta_of(*this);
  return meta ? autograd::grad_slot(*meta) : Tensor();
}

void Tensor::retain_grad() const {
  EMBER_CHECK(requires_grad(), "[retain_grad] tensor: expected a tensor that requires grad");
  autograd::AutogradMeta& meta = autograd::ensure_meta(*this);
  if (meta.grad_fn && !meta.retained_grad) autograd::retain_grad_from_grad_fn(meta);
}

bool Tensor::retains_grad() const {
  const autograd::AutogradMeta* meta = autograd::meta_of(*this);
  return meta && meta->retained_grad;
}

void Tensor::set_grad(const Tensor& grad) const {
  EMBER_CHECK(!grad.defined() || grad.sizes().equals(sizes()),
              "[set_grad] grad: expected shape [{}], got [{}]", fmt::join(sizes(), ", "), fmt::join(grad.sizes(), ", "));
  EMBER_CHECK(!grad.defined() || (grad.dtype() == dtype() && grad.device() == device()),
              "[set_grad] grad: expected a {} tensor on {} like the tensor, got {} on {}", dtype_name(dtype()),
              device().str(), dtype_name(grad.dtype()), grad.device().str());
  autograd::AutogradMeta& meta = autograd::ensure_meta(*this);
  autograd::grad_slot(meta) = grad;
}

std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  const autograd::AutogradMeta* meta = autograd::meta_of(*this);
  return meta ? meta->grad_fn : nullptr;
}

bool Tensor::is_leaf() const { return grad_fn() == nullptr; }

void Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  EMBER_CHECK(requires_grad(), "[register_hook] tensor: expected a tensor that requires grad");
  autograd::AutogradMeta& meta = autograd::ensure_meta(*this);
  if (meta.grad_fn) {
    meta.grad_fn->add_pre_hook(meta.output_nr, std::move(hook));
  } else {
    meta.leaf_hooks.push_back(std::move(hook));
  }
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph,
                      const std::vector<Tensor>& inputs) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph, inputs);
}

Tensor Tensor::detach() const {
  EMBER_CHECK(defined(), "[detach] tensor: expected a defined tensor");
  Tensor alias = make_alias(*this, sizes(), strides(), storage_offset());
  alias.impl()->remove_keys(DispatchKey::Autograd);
  return alias;
}

}  // namespace ember
