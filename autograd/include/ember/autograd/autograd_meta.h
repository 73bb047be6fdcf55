// Autograd's state on a tensor: the gradient, the node that produced it, the leaf flag.
#pragma once

#include <memory>

#include "ember/autograd/node.h"
#include "ember/core/autograd_meta.h"

namespace ember::autograd {

struct AutogradMeta final : AutogradMetaInterface {
  Tensor grad;
  std::shared_ptr<Node> grad_fn;             // null for leaves
  std::weak_ptr<Node> grad_accumulator;      // leaves: the node that accumulates into grad
  uint32_t output_nr = 0;                    // which output of grad_fn this tensor is
  bool requires_grad = false;
  uint32_t view_version = 0;                 // views: the storage version their history is valid for
  std::vector<GradientHook> leaf_hooks;      // leaves: run before accumulating
};

// The meta of `t`, or null.
AutogradMeta* meta_of(const Tensor& t);
// The meta of `t`, created when missing.
AutogradMeta& ensure_meta(const Tensor& t);

// The edge a gradient for `t` flows along: its grad_fn, or its leaf's accumulator.
Edge gradient_edge(const Tensor& t);

}  // namespace ember::autograd
