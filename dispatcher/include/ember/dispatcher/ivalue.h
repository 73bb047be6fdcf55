// IValue: one boxed argument or return; Stack: the arguments of a boxed call.
#pragma once

#include <cstring>
#include <new>
#include <optional>
#include <string_view>

#include "ember/core/tensor.h"

namespace ember {

// Note [IValue borrows lists]
// Lists and strings in an IValue borrow the caller's memory: a Stack is built for one call and
// never outlives the arguments it was built from. Tensors are owned: the payload holds a Tensor
// handle, constructed in place, so a typed kernel reads it by reference and a return moves in
// and out without touching the reference count. A Tensor is one pointer, so moving a payload
// bitwise is a valid move. Scalars box as Int, Double or Bool, as in the plugin ABI.
// The tensor arguments of a typed call made boxed are borrowed too (IValue::borrow): the caller's
// handles outlive the call, and taking and dropping a reference to each is two atomic operations,
// a fifth of a small operator's cost. A borrowed tensor becomes owned wherever it leaves the
// stack: a copy of the IValue, to_tensor and take_tensor each take a reference.
class IValue {
 public:
  enum class Tag : uint8_t { None, Tensor, Int, Double, Bool, IntList, TensorList, String, DType, Device };

  IValue() : tag_(Tag::None) {}
  IValue(const Tensor& t) : tag_(t.defined() ? Tag::Tensor : Tag::None) {
    if (t.defined()) new (u_.tensor) Tensor(t);
  }
  IValue(Tensor&& t) : tag_(t.defined() ? Tag::Tensor : Tag::None) {
    if (t.defined()) new (u_.tensor) Tensor(std::move(t));
  }
  IValue(int64_t v) : tag_(Tag::Int) { u_.i = v; }
  IValue(int v) : IValue(static_cast<int64_t>(v)) {}
  IValue(double v) : tag_(Tag::Double) { u_.d = v; }
  IValue(bool v) : tag_(Tag::Bool) { u_.b = v; }
  IValue(const Scalar& s);
  IValue(IntArrayRef v) : tag_(Tag::IntList) { u_.ints = {v.data(), v.size()}; }
  IValue(TensorList v) : tag_(Tag::TensorList) { u_.tensors = {v.data(), v.size()}; }
  IValue(std::string_view v) : tag_(Tag::String) { u_.str = {v.data(), v.size()}; }
  IValue(const char* v) : IValue(std::string_view(v)) {}  // not IValue(bool)
  IValue(DType v) : tag_(Tag::DType) { u_.dtype = v; }
  IValue(Device v) : tag_(Tag::Device) { u_.device = v; }
  template <typename T>
  IValue(const std::optional<T>& v) : IValue() {
    if (v) *this = IValue(*v);
  }
  IValue(const OptionalIntArrayRef& v) : IValue() {
    if (v) *this = IValue(*v);
  }

  // The tensor without taking a reference: `t` must outlive this value and every move of it.
  static IValue borrow(const Tensor& t) {
    IValue v;
    if (!t.defined()) return v;
    v.tag_ = Tag::Tensor;
    v.borrowed_ = true;
    std::memcpy(v.u_.tensor, static_cast<const void*>(&t), sizeof(Tensor));
    return v;
  }

  IValue(const IValue& o) : tag_(o.tag_), u_(o.u_) {
    if (tag_ == Tag::Tensor) new (u_.tensor) Tensor(o.tensor_ref());
  }
  IValue(IValue&& o) noexcept : tag_(o.tag_), borrowed_(o.borrowed_), u_(o.u_) { o.tag_ = Tag::None; }
  IValue& operator=(IValue o) noexcept {
    std::swap(tag_, o.tag_);
    std::swap(borrowed_, o.borrowed_);
    std::swap(u_, o.u_);
    return *this;
  }
  ~IValue() {
    if (tag_ == Tag::Tensor && !borrowed_) tensor_slot().~Tensor();
  }

  Tag tag() const { return tag_; }
  bool is_none() const { return tag_ == Tag::None; }
  bool is_tensor() const { return tag_ == Tag::Tensor; }
  bool is_tensor_list() const { return tag_ == Tag::TensorList; }

  Tensor to_tensor() const;  // None gives an undefined Tensor
  // The tensor, borrowed for as long as this IValue lives: no reference is taken.
  const Tensor& tensor_ref() const {
    if (tag_ != Tag::Tensor) wrong_tag("Tensor");
    return const_cast<IValue*>(this)->tensor_slot();
  }
  const TensorImpl* tensor_impl() const { return tensor_ref().impl(); }
  // Moves the tensor out (None gives an undefined Tensor), leaving this None.
  Tensor take_tensor();
  int64_t to_int() const;
  double to_double() const;
  bool to_bool() const;
  Scalar to_scalar() const;
  IntArrayRef to_int_list() const;
  TensorList to_tensor_list() const;
  std::string_view to_string() const;
  DType to_dtype() const;
  Device to_device() const;
  // The dispatch keys this value contributes to a call.
  DispatchKeySet key_set() const;
  // "Tensor", "int", ... for error messages.
  const char* tag_name() const;

 private:
  [[noreturn]] void wrong_tag(const char* wanted) const;
  Tensor& tensor_slot() { return *std::launder(reinterpret_cast<Tensor*>(u_.tensor)); }

  Tag tag_;
  bool borrowed_ = false;  // a Tensor payload the caller owns
  union Payload {
    alignas(Tensor) unsigned char tensor[sizeof(Tensor)];
    int64_t i;
    double d;
    bool b;
    struct { const int64_t* data; size_t size; } ints;
    struct { const Tensor* data; size_t size; } tensors;
    struct { const char* data; size_t size; } str;
    DType dtype;
    Device device;
    Payload() : i(0) {}
  } u_;
};

// The arguments of a boxed call, then its returns. Capacity is fixed so that a boxed call
// allocates nothing; no operator comes near it.
class Stack {
 public:
  static constexpr size_t kCapacity = 16;
  Stack() = default;
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  ~Stack() { clear(); }

  // Constructs the value in its slot: a temporary IValue moved in would be read back as a
  // whole union right after its payload was written, which stalls the store forwarding.
  template <typename T>
  void push(T&& v) {
    EMBER_ASSERT(size_ < kCapacity);
    new (&slot(size_++)) IValue(std::forward<T>(v));
  }
  // A tensor argument that outlives the call (Note [IValue borrows lists]).
  void push_borrowed(const Tensor& t) {
    EMBER_ASSERT(size_ < kCapacity);
    new (&slot(size_++)) IValue(IValue::borrow(t));
  }
  IValue pop() {
    EMBER_ASSERT(size_ > 0);
    IValue v = std::move(slot(--size_));
    slot(size_).~IValue();
    return v;
  }
  void clear() {
    while (size_ > 0) slot(--size_).~IValue();
  }
  size_t size() const { return size_; }
  IValue& operator[](size_t i) { return slot(i); }
  const IValue& operator[](size_t i) const { return const_cast<Stack*>(this)->slot(i); }
  // Drops the first `n` values and moves the rest down (arguments consumed, returns remain).
  void drop_front(size_t n);

 private:
  IValue& slot(size_t i) { return reinterpret_cast<IValue*>(storage_)[i]; }
  alignas(IValue) unsigned char storage_[kCapacity * sizeof(IValue)];
  size_t size_ = 0;
};

}  // namespace ember
