// Derivatives of whole functions (torch.autograd.functional): Jacobians, Hessians and their
// products with vectors, built on autograd::grad.
//
// Each evaluates `f` at fresh leaves standing for `inputs`, with grad mode on. Without
// create_graph the results are plain tensors; with it they stay differentiable with respect to
// the inputs that require grad (a Hessian of a Hessian-vector product, a loss on a Jacobian).
// An input the output does not depend on gets zeros.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "ember/autograd/node.h"

namespace ember::autograd {

using DifferentiableFunction = std::function<Tensor(const TensorVector&)>;

namespace functional {

// One tensor per input, of shape output.shape + input.shape: d output / d input.
TensorVector jacobian(const DifferentiableFunction& f, const TensorVector& inputs, bool create_graph = false);

// For a one-element f: hessian[i][j], of shape inputs[i].shape + inputs[j].shape, holds
// d^2 f / d inputs[i] d inputs[j].
std::vector<TensorVector> hessian(const DifferentiableFunction& f, const TensorVector& inputs,
                                  bool create_graph = false);

// f(inputs) and v^T J, one tensor per input; `v` has the output's shape (undefined: 1 for a
// one-element output).
std::pair<Tensor, TensorVector> vjp(const DifferentiableFunction& f, const TensorVector& inputs,
                                    const Tensor& v = Tensor(), bool create_graph = false);

// f(inputs) and J v, shaped like the output; `v` has one tensor per input, shaped like it (empty:
// 1 for each of one-element inputs). Two backward passes (J v as the gradient of u -> v^T J^T u).
std::pair<Tensor, Tensor> jvp(const DifferentiableFunction& f, const TensorVector& inputs, const TensorVector& v = {},
                              bool create_graph = false);

// For a one-element f: f(inputs) and H v, one tensor per input; `v` as for jvp.
std::pair<Tensor, TensorVector> hvp(const DifferentiableFunction& f, const TensorVector& inputs,
                                    const TensorVector& v = {}, bool create_graph = false);

}  // namespace functional
}  // namespace ember::autograd
