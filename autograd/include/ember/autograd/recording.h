// What Autograd kernels (generated from ops.yaml's derivatives) use to record the graph, and the
// helpers their backward formulas call.
#pragma once

#include <initializer_list>
#include <memory>

#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/grad_mode.h"
#include "ember/dispatcher/dispatcher.h"

namespace ember::autograd {

// True when grad mode is on and any of `tensors` requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> tensors);
// True when `result` is one of `inputs` itself (x.to(x.dtype()) returns x): such a call is an
// identity and records nothing, or the input would become its own node's output.
bool returns_an_input(const Tensor& result, std::initializer_list<const Tensor*> inputs);
// The edges a node's gradients flow along, one per differentiable input.
std::vector<Edge> collect_next_edges(std::initializer_list<const Tensor*> tensors);
// Refuses an in-place change that autograd cannot record: to a leaf that requires grad, to a view
// of one, or to a view of a non-contiguous tensor.
void check_inplace(const Tensor& self, const char* op);
// Makes `self`, just changed in place, the output of `node`; for a view, the tensor it views gets
// the change through a CopySlices node (Note [In-place through views]). `self_is_input`: the
// node's first input is self's old value (false for copy_, which overwrites it).
void rebase_history(const Tensor& self, const std::shared_ptr<Node>& node, bool self_is_input);
// Makes `result` output `output_nr` of `node`: it now requires grad and has a grad_fn.
void set_history(const Tensor& result, const std::shared_ptr<Node>& node, uint32_t output_nr = 0);

// `grad` summed over broadcast dimensions down to `sizes`, in `dtype`: what an input of that
// shape and dtype receives from an elementwise operator's gradient.
Tensor reduce_to(const Tensor& grad, IntArrayRef sizes, DType dtype);
// The gradient of a sum over `dim` (all dims when empty) of an input of `sizes`.
Tensor sum_backward(const Tensor& grad, IntArrayRef sizes, IntArrayRef dim, bool keepdim);
// The number of elements a sum over `dim` of an input of `sizes` adds up.
int64_t reduced_numel(IntArrayRef sizes, IntArrayRef dim);
// The inverse of a permutation.
DimVector inverse_permutation(IntArrayRef dims);

// Registers the boxed Autograd fallback: operators without a formula run below Autograd, and
// their floating outputs get a node that raises, naming the operator, if backward reaches it.
// In-place and out= operators refuse tensors that require grad.
RegistrationHandle register_autograd_fallback(Dispatcher& dispatcher);

}  // namespace ember::autograd
