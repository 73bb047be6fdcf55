// A kernel as the dispatch table stores it: unboxed (typed function pointer, the fast path),
// boxed (a Stack), or both. A typed kernel gets its boxed form generated from its signature.
#pragma once

#include <string>
#include <typeinfo>

#include "ember/dispatcher/boxing.h"

namespace ember {

class OperatorHandle;
class KernelFunction;

// Boxed kernels read their arguments from the front of the stack and leave their returns there.
using BoxedKernelFn = void (*)(const KernelFunction& kernel, const OperatorHandle& op,
                               DispatchKeySet keys, Stack& stack);

// Unboxed kernels receive the kernel's own functor pointer, the operator and the key set that
// selected them (what redispatch starts from), then the operator's typed arguments.
template <typename Ret, typename... Args>
using UnboxedKernelFn = Ret (*)(void* functor, const OperatorHandle& op, DispatchKeySet keys,
                                Args... args);

class KernelFunction {
 public:
  KernelFunction() = default;

  // A typed kernel; `functor` is handed back to it on every call.
  template <typename Ret, typename... Args>
  static KernelFunction from_unboxed(UnboxedKernelFn<Ret, Args...> fn, void* functor = nullptr) {
    KernelFunction k;
    k.unboxed_ = reinterpret_cast<void*>(fn);
    k.boxed_ = &boxed_from_unboxed<Ret, Args...>;
    k.functor_ = functor;
    k.signature_ = &typeid(Ret(Args...));
    return k;
  }
  // A boxed-only kernel: serves any signature.
  static KernelFunction from_boxed(BoxedKernelFn fn, void* functor = nullptr) {
    KernelFunction k;
    k.boxed_ = fn;
    k.functor_ = functor;
    return k;
  }

  bool valid() const { return boxed_ != nullptr; }
  void* unboxed() const { return unboxed_; }
  BoxedKernelFn boxed() const { return boxed_; }
  void* functor() const { return functor_; }
  // The C++ signature of a typed kernel; nullptr for a boxed-only kernel.
  const std::type_info* signature() const { return signature_; }

  void call_boxed(const OperatorHandle& op, DispatchKeySet keys, Stack& stack) const {
    boxed_(*this, op, keys, stack);
  }

 private:
  template <typename Ret, typename... Args>
  static void boxed_from_unboxed(const KernelFunction& self, const OperatorHandle& op,
                                 DispatchKeySet keys, Stack& stack) {
    EMBER_ASSERT(stack.size() >= sizeof...(Args));
    auto fn = reinterpret_cast<UnboxedKernelFn<Ret, Args...>>(self.unboxed_);
    invoke_from_stack<Ret, Args...>(fn, self.functor_, op, keys, stack,
                                    std::index_sequence_for<Args...>());
  }

  template <typename Ret, typename... Args, size_t... I>
  static void invoke_from_stack(UnboxedKernelFn<Ret, Args...> fn, void* functor,
                                const OperatorHandle& op, DispatchKeySet keys, Stack& stack,
                                std::index_sequence<I...>) {
    if constexpr (std::is_void_v<Ret>) {
      fn(functor, op, keys, boxing::Unbox<Args>::get(stack[I])...);
      stack.clear();
    } else {
      Ret result = fn(functor, op, keys, boxing::Unbox<Args>::get(stack[I])...);
      stack.clear();
      boxing::push_returns(stack, std::move(result));
    }
  }

  void* unboxed_ = nullptr;
  BoxedKernelFn boxed_ = nullptr;
  void* functor_ = nullptr;
  const std::type_info* signature_ = nullptr;
};

}  // namespace ember
