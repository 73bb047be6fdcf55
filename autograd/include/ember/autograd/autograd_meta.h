// Autograd's state on a tensor: the gradient, the node that produced it, the leaf flag.
#pragma once

#include <memory>

#include "ember/autograd/node.h"
#include "ember/core/autograd_meta.h"
#include "ember/core/block_pool.h"

namespace ember::autograd {

// Every tensor a recorded operator returns gets one, so it comes from the block pool.
struct AutogradMeta final : AutogradMetaInterface {
  static void* operator new(size_t) { return detail::pool_allocate(detail::PoolClass::Large); }
  static void operator delete(void* p) { detail::pool_release(detail::PoolClass::Large, p); }

  Tensor grad;
  std::shared_ptr<Node> grad_fn;             // null for leaves
  std::weak_ptr<Node> grad_accumulator;      // leaves: the node that accumulates into grad
  uint32_t output_nr = 0;                    // which output of grad_fn this tensor is
  bool requires_grad = false;
  uint32_t view_version = 0;                 // views: the storage version their history is valid for
  std::vector<GradientHook> leaf_hooks;      // leaves: run before accumulating
  // Non-leaves after retain_grad(): the cell their grad_fn's hook accumulates into. Replaced
  // when the history moves (an in-place change), which leaves the old node's hook writing nowhere.
  std::shared_ptr<Tensor> retained_grad;
};
static_assert(sizeof(AutogradMeta) <= detail::kPoolBlockSize[static_cast<int>(detail::PoolClass::Large)]);

// The meta of `t`, or null.
AutogradMeta* meta_of(const Tensor& t);
// The meta of `t`, created when missing.
AutogradMeta& ensure_meta(const Tensor& t);

// Adds `incoming` into `grad` (leaving it a plain tensor outside create_graph), as a leaf's
// grad() accumulates.
void accumulate_grad(Tensor& grad, const Tensor& incoming);

// Where grad() reads the tensor's gradient: the retained cell of a non-leaf that retains grad,
// else its own slot.
inline Tensor& grad_slot(AutogradMeta& meta) { return meta.retained_grad ? *meta.retained_grad : meta.grad; }

// Gives `meta`'s non-leaf tensor a fresh cell for its gradient and has its grad_fn fill it.
void retain_grad_from_grad_fn(AutogradMeta& meta);

// The edge a gradient for `t` flows along: its grad_fn, or its leaf's accumulator.
Edge gradient_edge(const Tensor& t);

}  // namespace ember::autograd
