// The host side of a plugin kernel: one boxed kernel serves every structured operator and its
// functional, in-place and out= variants (Note [Structured kernels]).
#pragma once

#include <string>

#include "ember/dispatcher/kernel_function.h"
#include "ember/plugin_api.h"
#include "structured_meta.h"

namespace ember {

// Note [Structured kernels]
// A backend kernel never allocates or infers shapes. For `add.Tensor`, `add_.Tensor` and
// `add.out` alike the host runs the meta function, allocates (functional), reuses self
// (in-place) or checks `out`, casts inputs to the compute dtype, and hands the plugin C views:
// outputs first, then the functional arguments in schema order. After meta, a `dim` argument
// always arrives as a normalised INT_LIST; random kernels get two trailing INTs, seed and offset.
struct StructuredKernel {
  // WritesSelf: copy_, fill_ and random kernels fill self and have no result of their own.
  enum class Variant { Functional, Inplace, Out, WritesSelf };
  ember_kernel_fn fn = nullptr;
  void* user_data = nullptr;
  std::string owner;  // "cpu plugin"
  structured::MetaFn meta = nullptr;
  Variant variant = Variant::Functional;
  size_t num_functional_args = 0;
  bool cpu_fallback = false;  // a call the kernel declines runs on the CPU (Note [CPU fallback])
  bool draws_random = false;  // the kernel receives a seed and an offset after its arguments (random, sampling)
};

// Builds the functor for `op`; throws when `op` is not structured.
StructuredKernel make_structured_kernel(const OperatorHandle& op, ember_kernel_fn fn,
                                        void* user_data, std::string owner, bool cpu_fallback);

// The boxed kernel whose functor is a StructuredKernel.
void call_structured_kernel(const KernelFunction& self, const OperatorHandle& op,
                            DispatchKeySet keys, Stack& stack);

}  // namespace ember
