// One operator: its schema, its dispatch table, and the typed and boxed ways to call it.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "ember/dispatcher/kernel_function.h"
#include "ember/dispatcher/local_dispatch_key_set.h"
#include "ember/schema/function_schema.h"

namespace ember {

namespace detail {
extern bool g_trace_dispatch;  // EMBER_LOG=dispatch
}

// A kernel registered at one key, with who registered it (for dumps and errors).
struct KernelRegistration {
  KernelFunction kernel;
  std::string owner;
};

class OperatorHandle {
 public:
  OperatorHandle(int id, schema::FunctionSchema schema, const std::type_info* signature);

  int id() const { return id_; }
  const std::string& name() const { return name_; }
  const schema::FunctionSchema& schema() const { return schema_; }
  // The C++ signature typed calls and kernels must have; nullptr for operators defined at run
  // time (callable boxed only).
  const std::type_info* signature() const { return signature_; }

  // Calls the operator: computes the key set of the arguments and runs the highest key's kernel.
  // The template arguments are the operator's C++ signature, spelled out by the generated code.
  template <typename Ret, typename... Args>
  Ret call(Args... args) const {
    const LocalDispatchKeySet& tls = tls_local_dispatch_key_set;
    const DispatchKeySet keys =
        (boxing::keys_of(args...) | always_included_ | tls.included) - tls.excluded;
    return redispatch<Ret, Args...>(keys, std::forward<Args>(args)...);
  }

  // Calls the kernel of the highest key in `keys`: what a kernel uses to run the keys below it.
  template <typename Ret, typename... Args>
  Ret redispatch(DispatchKeySet keys, Args... args) const {
    keys = keys & DispatchKeySet(dispatch_mask_);
    const int index = keys.highest_index();
    const KernelFunction& kernel = __builtin_expect(index >= 0 && !detail::g_trace_dispatch, 1)
                                       ? table_[index]
                                       : slow_lookup(keys, index);
    if (__builtin_expect(kernel.unboxed() != nullptr, 1)) {
      EMBER_DASSERT(*kernel.signature() == typeid(Ret(Args...)));
      return reinterpret_cast<UnboxedKernelFn<Ret, Args...>>(kernel.unboxed())(
          kernel.functor(), *this, keys, std::forward<Args>(args)...);
    }
    return call_boxed_kernel<Ret, Args...>(kernel, keys, index, std::forward<Args>(args)...);
  }

  // Boxed call: arguments in schema order on the stack; returns replace them.
  void call_boxed(Stack& stack) const;
  void redispatch_boxed(DispatchKeySet keys, Stack& stack) const;

  // The kernel that serves key `index`, invalid when there is none.
  const KernelFunction& table_entry(int index) const { return table_[index]; }
  // Where that kernel comes from.
  enum class KernelSource { None, Own, Composite, Fallback };
  KernelSource kernel_source(int index) const;
  // Keys that reach a kernel; functionality keys with no kernel fall through.
  DispatchKeySet dispatch_mask() const { return DispatchKeySet(dispatch_mask_); }
  DispatchKeySet always_included() const { return always_included_; }
  // Every registration and the computed table, one line each (ember-info, tests).
  std::string dump() const;
  // Backends that have a kernel of their own or through a composite.
  std::string backends_with_kernels() const;
  // Throws when the arguments of a call with key set `keys` live on more than one backend.
  void check_one_backend(DispatchKeySet keys) const;

  // Structured operators: the meta kind, and for derived inplace/out variants the functional op.
  const std::string& structured_kind() const { return structured_kind_; }
  const std::string& composite_kind() const { return composite_kind_; }

 private:
  friend class Dispatcher;
  void recompute_table(const std::array<std::optional<KernelRegistration>, kNumDispatchKeys>& fallbacks);
  [[noreturn]] void report_missing_kernel(DispatchKeySet keys, int index) const;
  // The kernel for a call that has no key (a composite may still serve it) or that is traced.
  const KernelFunction& slow_lookup(DispatchKeySet keys, int index) const;

  // The typed call of a kernel that has only a boxed form (every plugin kernel). Out of line so
  // that redispatch stays small enough to inline into its callers.
  template <typename Ret, typename... Args>
  [[gnu::noinline]] Ret call_boxed_kernel(const KernelFunction& kernel, DispatchKeySet keys, int index,
                                          Args... args) const {
    if (!kernel.valid()) report_missing_kernel(keys, index);
    Stack stack;
    (boxing::push_argument(stack, args), ...);
    kernel.call_boxed(*this, keys, stack);
    return boxing::PopReturns<Ret>::get(stack);
  }

  std::array<KernelFunction, kNumDispatchKeys> table_;
  uint64_t dispatch_mask_ = 0;
  DispatchKeySet always_included_;
  int id_;
  std::string name_;
  schema::FunctionSchema schema_;
  const std::type_info* signature_;
  std::string structured_kind_;
  std::string composite_kind_;
  std::array<std::optional<KernelRegistration>, kNumDispatchKeys> direct_;
  std::optional<KernelRegistration> composite_implicit_;
  std::optional<KernelRegistration> composite_explicit_;
  std::array<const KernelRegistration*, kNumDispatchKeys> table_source_{};  // for dump()
};

}  // namespace ember
