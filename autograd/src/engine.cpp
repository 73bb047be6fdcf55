// Note [Backward engine]
// Dependency counting over the nodes reachable from the roots, then a ready queue ordered by
// creation (later first). Each node's incoming gradients are summed in a buffer until all its
// producers have run. Without retain_graph each node frees its saved tensors once it has run.
// autograd::grad runs only the nodes on a path from the roots to an input it captures: the rest
// of the graph keeps its saved tensors for a later backward, and costs nothing.
#include "ember/autograd/engine.h"

#include <map>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "ember/autograd/anomaly_mode.h"
#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/grad_mode.h"
#include "ember/ember.h"

namespace ember::autograd {
namespace {

struct LaterFirst {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence_nr() < b->sequence_nr();
  }
};

void accumulate(TensorVector& buffer, uint32_t slot, const Tensor& grad) {
  if (buffer.size() <= slot) buffer.resize(slot + 1);
  buffer[slot] = buffer[slot].defined() ? add(buffer[slot], grad) : grad;
}

std::unordered_map<Node*, int> count_dependencies(const std::vector<Edge>& roots) {
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> stack;
  std::unordered_map<Node*, bool> seen;
  for (const Edge& e : roots) {
    if (!seen[e.node.get()]) {
      seen[e.node.get()] = true;
      stack.push_back(e.node.get());
    }
  }
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& next : node->next_edges()) {
      if (!next.valid()) continue;
      ++deps[next.node.get()];
      if (!seen[next.node.get()]) {
        seen[next.node.get()] = true;
        stack.push_back(next.node.get());
      }
    }
  }
  return deps;
}

// The nodes from which a path leads to a captured node: those autograd::grad must run. Found
// children first, by an explicit stack, since recurrent graphs are deep.
std::unordered_set<Node*> nodes_leading_to(const std::vector<Edge>& roots, const std::unordered_set<Node*>& captured) {
  std::unordered_set<Node*> leading;
  std::unordered_set<Node*> visited;
  std::vector<std::pair<Node*, size_t>> stack;  // a node and the next of its edges to visit
  for (const Edge& root : roots) {
    if (!visited.insert(root.node.get()).second) continue;
    stack.emplace_back(root.node.get(), 0);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      const std::vector<Edge>& edges = node->next_edges();
      if (next < edges.size()) {
        Node* child = edges[next++].node.get();
        if (child && visited.insert(child).second) stack.emplace_back(child, 0);
        continue;
      }
      for (const Edge& e : edges) {
        if (e.valid() && (captured.count(e.node.get()) || leading.count(e.node.get()))) {
          leading.insert(node);
          break;
        }
      }
      stack.pop_back();
    }
  }
  return leading;
}

}  // namespace

TensorVector run_backward(const TensorVector& roots, const TensorVector& grad_outputs, bool retain_graph,
                          bool create_graph, const TensorVector& inputs) {
  EMBER_CHECK(grad_outputs.empty() || grad_outputs.size() == roots.size(),
              "[backward] grad_outputs: expected {} gradients, one per output, got {}", roots.size(),
              grad_outputs.size());
  std::vector<Edge> root_edges;
  TensorVector root_grads;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    EMBER_CHECK(root.defined() && root.requires_grad(),
                "[backward] tensors[{}]: does not require grad and has no grad_fn", i);
    Tensor g = i < grad_outputs.size() ? grad_outputs[i] : Tensor();
    if (!g.defined()) {
      EMBER_CHECK(root.numel() == 1, "[backward] tensors[{}]: a gradient can be created implicitly only for "
                  "one-element outputs, got shape [{}]; pass one", i, fmt::join(root.sizes(), ", "));
      NoGradGuard no_grad;
      g = ones(root.sizes(), root.dtype(), root.device());
    }
    EMBER_CHECK(g.sizes().equals(root.sizes()), "[backward] grad_outputs[{}]: expected shape [{}], got [{}]", i,
                fmt::join(root.sizes(), ", "), fmt::join(g.sizes(), ", "));
    root_edges.push_back(gradient_edge(root));
    root_grads.push_back(g);
  }

  // What autograd::grad asks for: the gradient arriving at each input's edge.
  std::map<std::pair<Node*, uint32_t>, std::vector<size_t>> captures;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Edge e = gradient_edge(inputs[i]);
    EMBER_CHECK(e.valid(), "[grad] inputs[{}]: does not require grad", i);
    captures[{e.node.get(), e.input_nr}].push_back(i);
  }
  const bool capturing = !inputs.empty();
  TensorVector results(inputs.size());
  std::unordered_set<Node*> to_run;
  if (capturing) {
    std::unordered_set<Node*> captured;
    for (const auto& [edge, _] : captures) captured.insert(edge.first);
    to_run = nodes_leading_to(root_edges, captured);
  }

  std::unordered_map<Node*, int> deps = count_dependencies(root_edges);
  std::unordered_map<Node*, TensorVector> buffers;
  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, LaterFirst> ready;
  for (size_t i = 0; i < root_edges.size(); ++i) accumulate(buffers[root_edges[i].node.get()], root_edges[i].input_nr, root_grads[i]);
  for (const Edge& e : root_edges) {
    if (deps[e.node.get()] == 0 && buffers.count(e.node.get())) {
      ready.push(e.node);
      deps[e.node.get()] = -1;  // queued once
    }
  }

  std::unique_ptr<NoGradGuard> no_grad;
  std::unique_ptr<EnableGradGuard> enable_grad;
  if (create_graph) {
    enable_grad = std::make_unique<EnableGradGuard>();
  } else {
    no_grad = std::make_unique<NoGradGuard>();
  }
  while (!ready.empty()) {
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    TensorVector buffer = std::move(buffers[node.get()]);
    buffers.erase(node.get());
    node->run_pre_hooks(buffer);
    for (size_t slot = 0; slot < buffer.size(); ++slot) {
      auto it = captures.find({node.get(), static_cast<uint32_t>(slot)});
      if (it == captures.end()) continue;
      for (size_t index : it->second) results[index] = buffer[slot];
    }
    // autograd::grad leaves the leaves' grad() alone, and the graph below its inputs.
    if (capturing && !to_run.count(node.get())) continue;
    TensorVector outputs = node->apply(std::move(buffer));
    if (anomaly_mode_enabled()) check_for_nan(*node, outputs);
    if (!retain_graph) node->release_saved();
    const auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      const Edge& e = edges[i];
      if (!e.valid()) continue;
      if (i < outputs.size() && outputs[i].defined()) accumulate(buffers[e.node.get()], e.input_nr, outputs[i]);
      if (--deps[e.node.get()] == 0) ready.push(e.node);
    }
  }
  return results;
}

void backward(const TensorVector& tensors, const TensorVector& grad_tensors, bool retain_graph, bool create_graph,
              const TensorVector& inputs) {
  if (inputs.empty()) {
    run_backward(tensors, grad_tensors, retain_graph, create_graph, {});
    return;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "[backward] inputs[{}]: does not require grad", i);
  }
  // The gradients arriving at the inputs, then added where grad() reads them: a leaf's through
  // its accumulator (its hooks included), a non-leaf's into its own slot.
  const TensorVector arrived = run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs);
  std::unique_ptr<NoGradGuard> no_grad;
  if (!create_graph) no_grad = std::make_unique<NoGradGuard>();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!arrived[i].defined()) continue;
    if (inputs[i].is_leaf()) {
      gradient_edge(inputs[i]).node->apply({arrived[i]});
    } else {
      accumulate_grad(grad_slot(ensure_meta(inputs[i])), arrived[i]);
    }
  }
}

TensorVector grad(const TensorVector& outputs, const TensorVector& inputs, const TensorVector& grad_outputs,
                  bool retain_graph, bool create_graph, bool allow_unused) {
  EMBER_CHECK(!inputs.empty(), "[grad] inputs: expected at least one tensor");
  TensorVector results = run_backward(outputs, grad_outputs, retain_graph || create_graph, create_graph, inputs);
  for (size_t i = 0; i < results.size(); ++i) {
    EMBER_CHECK(allow_unused || results[i].defined(),
                "[grad] inputs[{}]: the outputs do not depend on it; pass allow_unused=true to get an undefined "
                "gradient for it", i);
  }
  return results;
}

}  // namespace ember::autograd
