// The Quantized key's kernels (Note [Quantized tensors]): operators that read quantized tensors
// themselves pass through to the backends; views, copies, max pooling and relu run on the stored
// integers and keep the quantizer; a boxed fallback dequantizes the arguments of every other
// operator.
#include <cstdio>
#include <mutex>
#include <set>

#include "ember/core/quantizer.h"
#include "ember/ember.h"

namespace ember::quantization {
namespace {

constexpr int kQuantized = static_cast<int>(DispatchKey::Quantized);

// Operators whose own kernels take quantized tensors: they run below this key unchanged.
constexpr const char* kPassThrough[] = {"dequantize",       "int_repr",         "quantized_add",
                                        "quantized_linear", "quantized_conv2d", "quantized_linear_dynamic"};
// Operators that keep each element's channel: per-channel tensors go through them too.
constexpr const char* kCopies[] = {"clone", "contiguous", "to.device"};
// Views, which may move or drop the channel dimension: per-tensor quantization only.
constexpr const char* kViews[] = {"view",      "reshape",   "permute", "transpose.int", "slice.Tensor",
                                  "select.int", "expand",    "unsqueeze", "squeeze.dim", "squeeze",
                                  "flatten",    "unflatten", "movedim", "diagonal"};

void pass_through(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  op.redispatch_boxed(keys.below(kQuantized), stack);
}

// Runs the operator on self's integers and gives the result self's quantizer.
void run_on_integers(const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  const Tensor self = stack[0].to_tensor();
  std::shared_ptr<const Quantizer> quantizer = self.impl()->quantizer();
  stack[0] = IValue(integers_of(self));
  op.redispatch_boxed(keys.below(kQuantized), stack);
  stack[0] = IValue(make_quantized(stack[0].to_tensor(), self.dtype(), std::move(quantizer)));
}

void copy_kernel(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  run_on_integers(op, keys, stack);
}

// Max pooling picks among integers of one channel: the same choice as among their real values.
void max_pool_kernel(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  const Quantizer& quantizer = *stack[0].tensor_impl()->quantizer();
  EMBER_CHECK(quantizer.scheme == Quantizer::Scheme::PerTensorAffine || quantizer.axis < 2,
              "[{}] self: per-channel quantization along spatial dim {} does not survive pooling; dequantize first",
              op.name(), quantizer.axis);
  run_on_integers(op, keys, stack);
}

void view_kernel(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  EMBER_CHECK(stack[0].tensor_impl()->quantizer()->scheme == Quantizer::Scheme::PerTensorAffine,
              "[{}] self: views of per-channel quantized tensors are not supported (the channel axis would "
              "move); dequantize first, or use clone/contiguous/to", op.name());
  run_on_integers(op, keys, stack);
}

// Says once per operator, in the dispatch trace, that it ran on dequantized arguments.
void trace_once(const OperatorHandle& op) {
  if (!detail::g_trace_dispatch) return;
  static std::mutex mutex;
  static std::set<int> traced;
  std::lock_guard lock(mutex);
  if (traced.insert(op.id()).second) {
    std::fprintf(stderr, "[dispatch] %s has no quantized kernel: its quantized arguments are dequantized\n",
                 op.name().c_str());
  }
}

void dequantizing_fallback(const KernelFunction& self, const OperatorHandle& op, DispatchKeySet keys, Stack& stack);

// relu keeps per-tensor quantization: max(q, zero_point) on the integers. Per channel, it runs
// dequantized.
void relu_kernel(const KernelFunction& self, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  const Tensor input = stack[0].to_tensor();
  std::shared_ptr<const Quantizer> quantizer = input.impl()->quantizer();
  if (quantizer->scheme != Quantizer::Scheme::PerTensorAffine) return dequantizing_fallback(self, op, keys, stack);
  const Tensor integers = clamp(integers_of(input), quantizer->zero_point());
  stack.clear();
  stack.push(make_quantized(integers, input.dtype(), std::move(quantizer)));
}

void dequantizing_fallback(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  trace_once(op);
  const auto& arguments = op.schema().arguments;
  std::vector<std::vector<Tensor>> lists;
  lists.reserve(stack.size());  // stable: the stack borrows each list
  for (size_t i = 0; i < stack.size(); ++i) {
    IValue& v = stack[i];
    if (v.is_tensor() && is_quantized(v.tensor_ref().dtype())) {
      const auto& alias = arguments[i].type.alias;
      EMBER_CHECK(!(alias && alias->is_write), "[{}] {}: writing into a quantized tensor is not supported; "
                  "dequantize it, or quantize the result", op.name(), arguments[i].name);
      v = IValue(dequantize(v.tensor_ref()));
    } else if (v.is_tensor_list()) {
      std::vector<Tensor>& list = lists.emplace_back();
      for (const Tensor& t : v.to_tensor_list()) list.push_back(t.defined() ? dequantize(t) : t);
      v = IValue(TensorList(list));
    }
  }
  op.redispatch_boxed(keys.below(kQuantized), stack);
}

}  // namespace

std::vector<RegistrationHandle> register_quantized_kernels(Dispatcher& dispatcher) {
  std::vector<RegistrationHandle> handles;
  const std::string owner = "quantization";
  auto add = [&](const char* name, BoxedKernelFn fn) {
    handles.push_back(dispatcher.impl(dispatcher.get(name), DispatchKey::Quantized, KernelFunction::from_boxed(fn), owner));
  };
  for (const char* name : kPassThrough) add(name, &pass_through);
  for (const char* name : kCopies) add(name, &copy_kernel);
  for (const char* name : kViews) add(name, &view_kernel);
  add("relu", &relu_kernel);
  add("max_pool2d_with_indices", &max_pool_kernel);
  handles.push_back(dispatcher.fallback(kQuantized, KernelFunction::from_boxed(&dequantizing_fallback),
                                        "quantization (dequantizing fallback)"));
  return handles;
}

}  // namespace ember::quantization
