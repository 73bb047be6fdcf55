// The recorded graph: a Node per differentiable operator call, with edges to the nodes that
// produced its inputs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/core/block_pool.h"
#include "ember/core/tensor.h"

namespace ember::autograd {

class Node;

// Where a gradient goes: input `input_nr` of `node` (null node: nowhere).
struct Edge {
  std::shared_ptr<Node> node;
  uint32_t input_nr = 0;
  bool valid() const { return node != nullptr; }
};

using TensorVector = std::vector<Tensor>;
using GradientHook = std::function<Tensor(const Tensor&)>;

// Runs `hook` on `grad`; a defined result replaces it, and must have its shape, dtype and device.
void apply_hook(const GradientHook& hook, Tensor& grad);

class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;
  // The gradients with respect to this node's inputs, from those with respect to its outputs.
  virtual TensorVector apply(TensorVector&& grads) = 0;
  // "MulBackward": shown in errors and by grad_fn()->name().
  virtual std::string name() const = 0;
  // Frees saved tensors after a backward that did not retain the graph.
  virtual void release_saved() {}

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  void set_next_edges(std::vector<Edge> edges) { next_edges_ = std::move(edges); }
  // Whether the gradient for input `i` is wanted by anyone.
  bool needs_input_grad(size_t i) const { return i < next_edges_.size() && next_edges_[i].valid(); }
  // Creation order: later nodes run first when several are ready.
  uint64_t sequence_nr() const { return sequence_nr_; }
  // Runs `hook` on the gradient arriving at input `input_nr`, before apply.
  void add_pre_hook(uint32_t input_nr, GradientHook hook) { pre_hooks_.emplace_back(input_nr, std::move(hook)); }
  // Applies the pre-hooks to the incoming gradients.
  void run_pre_hooks(TensorVector& grads) const;

 protected:
  Node();

 private:
  std::vector<Edge> next_edges_;
  std::vector<std::pair<uint32_t, GradientHook>> pre_hooks_;
  uint64_t sequence_nr_;
};

// A new node, from the block pool when it fits: every recorded operator call makes one.
template <typename T, typename... Args>
std::shared_ptr<T> make_node(Args&&... args) {
  return std::allocate_shared<T>(detail::PoolAllocator<T>(), std::forward<Args>(args)...);
}

// A tensor a node keeps for its backward formula. It remembers the tensor's version, so an
// in-place change before backward is caught, and can be released after backward.
//
// Note [Saved history]
// A saved tensor that has a history is kept as a plain alias beside the grad_fn it had when it
// was saved, as PyTorch's SavedVariable does, never through the tensor's own autograd state:
// that state changes when an in-place operator rebases the tensor's history, and in
// x.mul_(x) it would point at the very node that saves x, a reference cycle that leaks.
class SavedTensor {
 public:
  SavedTensor() = default;
  // `is_output`: the tensor is this node's own result; it is kept without its grad_fn (no
  // reference cycle) and given it back when unpacked.
  SavedTensor(const Tensor& tensor, bool is_output);
  // The saved tensor; throws when it was released or modified in place since it was saved.
  Tensor unpack(const std::shared_ptr<Node>& owner) const;
  void release() {
    data_ = Tensor();
    grad_fn_.reset();
    released_ = true;
  }
  bool defined() const { return data_.defined() || released_; }

 private:
  Tensor data_;
  std::shared_ptr<Node> grad_fn_;  // an input's history when it was saved (Note [Saved history])
  uint32_t output_nr_ = 0;
  uint32_t version_ = 0;
  bool is_output_ = false;
  bool requires_grad_ = false;
  bool released_ = false;
};

}  // namespace ember::autograd
