// Moving typed arguments into a Stack and back: the glue between unboxed and boxed kernels.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "ember/dispatcher/ivalue.h"

namespace ember::boxing {

// Unboxes one argument as the C++ parameter type T of the kernel.
template <typename T> struct Unbox;
#define EMBER_UNBOX(T, expr)                                  \
  template <> struct Unbox<T> {                               \
    static auto get(const IValue& v) { return expr; }         \
  };
EMBER_UNBOX(int64_t, v.to_int())
EMBER_UNBOX(double, v.to_double())
EMBER_UNBOX(bool, v.to_bool())
EMBER_UNBOX(const Scalar&, v.to_scalar())
EMBER_UNBOX(IntArrayRef, v.to_int_list())
EMBER_UNBOX(TensorList, v.to_tensor_list())
EMBER_UNBOX(std::string_view, v.to_string())
EMBER_UNBOX(DType, v.to_dtype())
EMBER_UNBOX(Device, v.to_device())
#undef EMBER_UNBOX

// A tensor argument is read in place: no reference is taken for the call.
template <> struct Unbox<const Tensor&> {
  static const Tensor& get(const IValue& v) {
    static const Tensor kUndefined;
    return v.is_none() ? kUndefined : v.tensor_ref();
  }
};

template <typename T> struct Unbox<std::optional<T>> {
  static std::optional<T> get(const IValue& v) {
    if (v.is_none()) return std::nullopt;
    return Unbox<T>::get(v);
  }
};
template <typename T> struct Unbox<const std::optional<T>&> : Unbox<std::optional<T>> {};
template <> struct Unbox<const std::optional<Tensor>&> {
  static std::optional<Tensor> get(const IValue& v) {
    if (v.is_none()) return std::nullopt;
    return v.to_tensor();
  }
};
template <> struct Unbox<const std::optional<Scalar>&> {
  static std::optional<Scalar> get(const IValue& v) {
    if (v.is_none()) return std::nullopt;
    return v.to_scalar();
  }
};
template <> struct Unbox<OptionalIntArrayRef> {
  static OptionalIntArrayRef get(const IValue& v) {
    if (v.is_none()) return std::nullopt;
    return v.to_int_list();
  }
};

// Pushes a typed call's argument: tensors borrowed, since the call's caller holds them.
template <typename T>
void push_argument(Stack& stack, const T& value) {
  stack.push(value);
}
inline void push_argument(Stack& stack, const Tensor& value) { stack.push_borrowed(value); }
inline void push_argument(Stack& stack, const std::optional<Tensor>& value) {
  if (value) {
    stack.push_borrowed(*value);
  } else {
    stack.push(IValue());
  }
}

// Pushes a kernel's return value(s).
inline void push_returns(Stack& stack, Tensor value) { stack.push(std::move(value)); }
template <typename... Ts>
void push_returns(Stack& stack, std::tuple<Ts...> values) {
  std::apply([&](auto&... v) { (stack.push(std::move(v)), ...); }, values);
}

// Pops a boxed call's return value(s) as Ret.
template <typename Ret> struct PopReturns;
template <> struct PopReturns<void> {
  static void get(Stack&) {}
};
template <> struct PopReturns<Tensor> {
  static Tensor get(Stack& stack) { return stack[0].take_tensor(); }
};
template <typename... Ts> struct PopReturns<std::tuple<Ts...>> {
  static std::tuple<Ts...> get(Stack& stack) {
    return get_each(stack, std::index_sequence_for<Ts...>());
  }
  template <size_t... I>
  static std::tuple<Ts...> get_each(Stack& stack, std::index_sequence<I...>) {
    return std::tuple<Ts...>(stack[I].take_tensor()...);
  }
};

// The dispatch keys of every tensor argument of a typed call.
inline DispatchKeySet keys_of_arg(const Tensor& t) { return t.defined() ? t.key_set() : DispatchKeySet(); }
inline DispatchKeySet keys_of_arg(const std::optional<Tensor>& t) {
  return t && t->defined() ? t->key_set() : DispatchKeySet();
}
inline DispatchKeySet keys_of_arg(TensorList list) {
  DispatchKeySet keys;
  for (const Tensor& t : list) keys = keys | keys_of_arg(t);
  return keys;
}
template <typename T>
DispatchKeySet keys_of_arg(const T&) {
  return DispatchKeySet();
}
template <typename... Args>
DispatchKeySet keys_of(const Args&... args) {
  return (DispatchKeySet() | ... | keys_of_arg(args));
}

}  // namespace ember::boxing
