#include "ember/autograd/functional.h"

#include "ember/autograd/engine.h"
#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"

namespace ember::autograd::functional {
namespace {

// Leaves standing for `inputs`. With create_graph, an input that requires grad is stood for by an
// alias that keeps its history, so that the results reach back to it.
TensorVector as_leaves(const TensorVector& inputs, bool create_graph, const char* op) {
  TensorVector leaves;
  leaves.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    EMBER_CHECK(x.defined() && is_floating(x.dtype()), "[{}] inputs[{}]: expected a defined floating tensor", op, i);
    if (create_graph && x.requires_grad()) {
      leaves.push_back(x.view(x.sizes()));
    } else {
      Tensor leaf = x.detach();
      leaf.requires_grad_();
      leaves.push_back(leaf);
    }
  }
  return leaves;
}

// f evaluated at leaves standing for `inputs`; the caller keeps grad mode on.
struct Evaluation {
  TensorVector leaves;
  Tensor out;
};
Evaluation evaluate(const DifferentiableFunction& f, const TensorVector& inputs, bool create_graph, const char* op) {
  TensorVector leaves = as_leaves(inputs, create_graph, op);
  Tensor out = f(leaves);
  return {std::move(leaves), std::move(out)};
}

// grad's result with the gradients of inputs `out` does not reach filled in as zeros.
TensorVector gradients(const Tensor& out, const TensorVector& leaves, const Tensor& seed, bool create_graph) {
  TensorVector grads(leaves.size());
  if (out.requires_grad()) grads = grad({out}, leaves, {seed}, true, create_graph, true);
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) grads[i] = zeros_like(leaves[i]);
  }
  return grads;
}

// <a, b> summed over the pairs: the scalar whose gradient is a Jacobian-vector product.
Tensor inner_product(const TensorVector& a, const TensorVector& b, const Tensor& like) {
  Tensor total = zeros({}, like.dtype(), like.device());
  for (size_t i = 0; i < a.size(); ++i) total = total + (a[i] * b[i]).sum();
  return total;
}

// d out / d leaves, one tensor per leaf of shape out.shape + leaf.shape, a backward per element of out.
TensorVector jacobian_of(const Tensor& out, const TensorVector& leaves, bool create_graph) {
  std::vector<TensorVector> rows(leaves.size());
  for (int64_t k = 0; k < out.numel(); ++k) {
    Tensor seed = zeros({out.numel()}, out.dtype(), out.device());
    seed.select(0, k).fill_(1);
    const TensorVector grads = gradients(out, leaves, seed.view(out.sizes()), create_graph);
    for (size_t i = 0; i < leaves.size(); ++i) rows[i].push_back(grads[i]);
  }
  TensorVector jacobians;
  for (size_t i = 0; i < leaves.size(); ++i) {
    DimVector shape(out.sizes());
    for (int64_t size : leaves[i].sizes()) shape.push_back(size);
    jacobians.push_back(rows[i].empty() ? zeros(shape, leaves[i].dtype(), leaves[i].device())
                                        : stack(rows[i]).view(shape));
  }
  return jacobians;
}

void check_one_element(const Tensor& out, const char* op) {
  EMBER_CHECK(out.numel() == 1, "[{}] f: expected a one-element output, got shape {}", op, shape_str(out.sizes()));
}

// `v` checked against `inputs` (one tensor per input, shaped like it), or ones for one-element inputs.
TensorVector vectors_for(const TensorVector& inputs, const TensorVector& v, const char* op) {
  if (v.empty()) {
    TensorVector ones_v;
    for (size_t i = 0; i < inputs.size(); ++i) {
      EMBER_CHECK(inputs[i].numel() == 1, "[{}] v: required unless every input has one element; inputs[{}] has shape {}",
                  op, i, shape_str(inputs[i].sizes()));
      ones_v.push_back(ones_like(inputs[i]));
    }
    return ones_v;
  }
  EMBER_CHECK(v.size() == inputs.size(), "[{}] v: expected {} tensors, one per input, got {}", op, inputs.size(),
              v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EMBER_CHECK(v[i].defined() && v[i].sizes().equals(inputs[i].sizes()),
                "[{}] v[{}]: expected shape {} like inputs[{}], got {}", op, i, shape_str(inputs[i].sizes()), i,
                v[i].defined() ? shape_str(v[i].sizes()) : "an undefined tensor");
  }
  return v;
}

Tensor result(const Tensor& t, bool create_graph) { return create_graph ? t : t.detach(); }

}  // namespace

TensorVector jacobian(const DifferentiableFunction& f, const TensorVector& inputs, bool create_graph) {
  EnableGradGuard enable_grad;
  const auto [leaves, out] = evaluate(f, inputs, create_graph, "jacobian");
  return jacobian_of(out, leaves, create_graph);
}

std::vector<TensorVector> hessian(const DifferentiableFunction& f, const TensorVector& inputs, bool create_graph) {
  EnableGradGuard enable_grad;
  const auto [leaves, out] = evaluate(f, inputs, create_graph, "hessian");
  check_one_element(out, "hessian");
  std::vector<TensorVector> blocks;
  for (const Tensor& g : gradients(out, leaves, ones_like(out), true)) blocks.push_back(jacobian_of(g, leaves, create_graph));
  return blocks;
}

std::pair<Tensor, TensorVector> vjp(const DifferentiableFunction& f, const TensorVector& inputs, const Tensor& v,
                                    bool create_graph) {
  EnableGradGuard enable_grad;
  const auto [leaves, out] = evaluate(f, inputs, create_graph, "vjp");
  if (!v.defined()) check_one_element(out, "vjp");
  EMBER_CHECK(!v.defined() || v.sizes().equals(out.sizes()), "[vjp] v: expected shape {} like f's output, got {}",
              shape_str(out.sizes()), v.defined() ? shape_str(v.sizes()) : "");
  return {result(out, create_graph), gradients(out, leaves, v.defined() ? v : ones_like(out), create_graph)};
}

std::pair<Tensor, Tensor> jvp(const DifferentiableFunction& f, const TensorVector& inputs, const TensorVector& v,
                              bool create_graph) {
  EnableGradGuard enable_grad;
  const TensorVector directions = vectors_for(inputs, v, "jvp");
  const auto [leaves, out] = evaluate(f, inputs, create_graph, "jvp");
  // J^T u is linear in u, so the gradient of <J^T u, v> with respect to u is J v (at any u).
  Tensor u = zeros_like(out);
  u.requires_grad_();
  const Tensor transposed = inner_product(gradients(out, leaves, u, true), directions, out);
  return {result(out, create_graph), gradients(transposed, {u}, Tensor(), create_graph)[0]};
}

std::pair<Tensor, TensorVector> hvp(const DifferentiableFunction& f, const TensorVector& inputs, const TensorVector& v,
                                    bool create_graph) {
  EnableGradGuard enable_grad;
  const TensorVector directions = vectors_for(inputs, v, "hvp");
  const auto [leaves, out] = evaluate(f, inputs, create_graph, "hvp");
  check_one_element(out, "hvp");
  const Tensor directional = inner_product(gradients(out, leaves, ones_like(out), true), directions, out);
  return {result(out, create_graph), gradients(directional, leaves, Tensor(), create_graph)};
}

}  // namespace ember::autograd::functional
