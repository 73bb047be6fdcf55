#include "ember/dispatcher/ivalue.h"

#include "ember/dispatcher/boxing.h"

namespace ember {

IValue::IValue(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Int: tag_ = Tag::Int; u_.i = s.to_int(); break;
    case Scalar::Kind::Double: tag_ = Tag::Double; u_.d = s.to_double(); break;
    case Scalar::Kind::Bool: tag_ = Tag::Bool; u_.b = s.to_bool(); break;
  }
}

const char* IValue::tag_name() const {
  switch (tag_) {
    case Tag::None: return "None";
    case Tag::Tensor: return "Tensor";
    case Tag::Int: return "int";
    case Tag::Double: return "float";
    case Tag::Bool: return "bool";
    case Tag::IntList: return "int[]";
    case Tag::TensorList: return "Tensor[]";
    case Tag::String: return "str";
    case Tag::DType: return "ScalarType";
    case Tag::Device: return "Device";
  }
  return "?";
}

void IValue::wrong_tag(const char* wanted) const {
  EMBER_FAIL("[boxing] value: expected {}, got {}", wanted, tag_name());
}

Tensor IValue::to_tensor() const {
  if (tag_ == Tag::None) return Tensor();
  return tensor_ref();
}

Tensor IValue::take_tensor() {
  if (tag_ == Tag::None) return Tensor();
  Tensor out = borrowed_ ? tensor_ref() : std::move(tensor_slot());
  if (!borrowed_) tensor_slot().~Tensor();
  tag_ = Tag::None;
  borrowed_ = false;
  return out;
}
int64_t IValue::to_int() const {
  if (tag_ == Tag::Int) return u_.i;
  if (tag_ == Tag::Bool) return u_.b;
  wrong_tag("int");
}
double IValue::to_double() const {
  if (tag_ == Tag::Double) return u_.d;
  if (tag_ == Tag::Int) return static_cast<double>(u_.i);
  wrong_tag("float");
}
bool IValue::to_bool() const {
  if (tag_ != Tag::Bool) wrong_tag("bool");
  return u_.b;
}
Scalar IValue::to_scalar() const {
  switch (tag_) {
    case Tag::Int: return Scalar(u_.i);
    case Tag::Double: return Scalar(u_.d);
    case Tag::Bool: return Scalar(u_.b);
    default: wrong_tag("Scalar");
  }
}
IntArrayRef IValue::to_int_list() const {
  if (tag_ != Tag::IntList) wrong_tag("int[]");
  return IntArrayRef(u_.ints.data, u_.ints.size);
}
TensorList IValue::to_tensor_list() const {
  if (tag_ != Tag::TensorList) wrong_tag("Tensor[]");
  return TensorList(u_.tensors.data, u_.tensors.size);
}
std::string_view IValue::to_string() const {
  if (tag_ != Tag::String) wrong_tag("str");
  return std::string_view(u_.str.data, u_.str.size);
}
DType IValue::to_dtype() const {
  if (tag_ != Tag::DType) wrong_tag("ScalarType");
  return u_.dtype;
}
Device IValue::to_device() const {
  if (tag_ != Tag::Device) wrong_tag("Device");
  return u_.device;
}

DispatchKeySet IValue::key_set() const {
  if (tag_ == Tag::Tensor) return tensor_ref().key_set();
  if (tag_ == Tag::TensorList) return boxing::keys_of_arg(to_tensor_list());
  return DispatchKeySet();
}

void Stack::drop_front(size_t n) {
  EMBER_ASSERT(n <= size_);
  for (size_t i = n; i < size_; ++i) slot(i - n) = std::move(slot(i));
  for (size_t i = size_ - n; i < size_; ++i) slot(i).~IValue();
  size_ -= n;
}

}  // namespace ember
