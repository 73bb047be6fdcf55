// A number of unspecified tensor type: an integer, a float or a bool.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "ember/core/dtype.h"

namespace ember {

class Scalar {
 public:
  enum class Kind : uint8_t { Int, Double, Bool };

  Scalar() : Scalar(int64_t{0}) {}
  Scalar(bool v) : kind_(Kind::Bool) { i_ = v; }
  Scalar(double v) : kind_(Kind::Double) { d_ = v; }
  Scalar(float v) : Scalar(static_cast<double>(v)) {}
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Int) { i_ = static_cast<int64_t>(v); }

  Kind kind() const { return kind_; }
  bool is_integral() const { return kind_ == Kind::Int; }
  bool is_floating() const { return kind_ == Kind::Double; }
  bool is_bool() const { return kind_ == Kind::Bool; }

  double to_double() const { return kind_ == Kind::Double ? d_ : static_cast<double>(i_); }
  int64_t to_int() const { return kind_ == Kind::Double ? static_cast<int64_t>(d_) : i_; }
  bool to_bool() const { return kind_ == Kind::Double ? d_ != 0.0 : i_ != 0; }
  // The dtype a tensor made from this scalar gets by default: float32, int64 or bool.
  DType default_dtype() const {
    return kind_ == Kind::Double ? DType::Float32 : kind_ == Kind::Int ? DType::Int64 : DType::Bool;
  }
  std::string to_string() const;
  bool operator==(const Scalar& o) const {
    return kind_ == o.kind_ && (kind_ == Kind::Double ? d_ == o.d_ : i_ == o.i_);
  }

 private:
  Kind kind_;
  union {
    int64_t i_;
    double d_;
  };
};

}  // namespace ember
