// Runs the recorded graph backwards.
#pragma once

#include "ember/autograd/node.h"

namespace ember::autograd {

// Propagates `grad_outputs` (one per root; undefined means ones) from `roots` through the graph.
// With `inputs` empty, gradients accumulate into the leaves' grad(); otherwise the gradients
// with respect to `inputs` are returned and no leaf is touched.
TensorVector run_backward(const TensorVector& roots, const TensorVector& grad_outputs, bool retain_graph,
                          bool create_graph, const TensorVector& inputs);

// Accumulates the gradients of `tensors` (seeded with `grad_tensors`, one per tensor; undefined
// means ones) into the leaves' grad() (PyTorch's torch.autograd.backward). With `inputs`, into
// theirs only, non-leaves included, running only the nodes that lead to them.
void backward(const TensorVector& tensors, const TensorVector& grad_tensors = {}, bool retain_graph = false,
              bool create_graph = false, const TensorVector& inputs = {});

// The gradients of `outputs` with respect to `inputs` (PyTorch's torch.autograd.grad). An input
// the outputs do not depend on is an error, unless `allow_unused` lets its gradient be undefined.
TensorVector grad(const TensorVector& outputs, const TensorVector& inputs, const TensorVector& grad_outputs = {},
                  bool retain_graph = false, bool create_graph = false, bool allow_unused = false);

}  // namespace ember::autograd
