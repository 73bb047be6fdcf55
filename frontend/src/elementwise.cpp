// Elementwise operators written with other operators: square, lerp, addcmul and addcdiv,
// nan_to_num, the isnan family, isclose and the logical operators.
#include <cmath>

#include "ember/core/broadcast.h"
#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "floating.h"
#include "truth.h"

namespace ember::composite {
namespace {

Tensor bool_filled(const Tensor& like, bool value) {
  return ember::full(like.sizes(), Scalar(value), DType::Bool, like.device());
}

void check_lerp_operands(const char* op, const Tensor& self, const Tensor& end) {
  check_floating(op, "self", self);
  EMBER_CHECK(end.dtype() == self.dtype(), "[{}] end: expected dtype {} as self's, got {}", op,
              dtype_name(self.dtype()), dtype_name(end.dtype()));
  broadcast_shapes(self.sizes(), end.sizes(), op, "end");
}

// A replacement value must be one the dtype holds, as fill_ would demand under its own name.
double replacement(const char* arg, std::optional<double> value, double otherwise, DType dtype) {
  const double v = value.value_or(otherwise);
  EMBER_CHECK(!std::isfinite(v) || std::fabs(v) <= largest_finite(dtype),
              "[nan_to_num] {}: {} cannot be converted to {} without overflow", arg, v, dtype_name(dtype));
  return v;
}

}  // namespace

Tensor square(const Tensor& self) { return self * self; }

Tensor zero_(const Tensor& self) { return self.fill_(0); }

// As PyTorch's kernel: from self below a weight of 0.5 and from end above it, so that a weight of
// exactly 0 or 1 gives self or end exactly.
Tensor lerp_Scalar(const Tensor& self, const Tensor& end, const Scalar& weight) {
  check_lerp_operands("lerp", self, end);
  const double w = weight.to_double();
  if (std::abs(w) < 0.5) return self + weight * (end - self);
  return end - (end - self) * (1 - w);
}

Tensor lerp_Tensor(const Tensor& self, const Tensor& end, const Tensor& weight) {
  check_lerp_operands("lerp", self, end);
  EMBER_CHECK(weight.dtype() == self.dtype(), "[lerp] weight: expected dtype {} as self's, got {}",
              dtype_name(self.dtype()), dtype_name(weight.dtype()));
  const Tensor from_self = self + weight * (end - self);
  const Tensor from_end = end - (end - self) * (1 - weight);
  return where(lt(abs(weight), 0.5), from_self, from_end);
}

Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) {
  EMBER_CHECK(is_floating(promote_types(tensor1.dtype(), tensor2.dtype())) || !value.is_floating(),
              "[addcmul] value: integer tensors take an integer value, got {}", value.to_double());
  return self + value * tensor1 * tensor2;
}

Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) {
  EMBER_CHECK(is_floating(tensor1.dtype()) || is_floating(tensor2.dtype()),
              "[addcdiv] tensor1, tensor2: integer division is refused (as PyTorch's); convert one "
              "of them to a floating dtype, got {} and {}", dtype_name(tensor1.dtype()), dtype_name(tensor2.dtype()));
  return self + value * tensor1 / tensor2;
}

Tensor nan_to_num(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!is_floating(self.dtype())) return self.clone();  // integers hold no NaN or infinity
  const double largest = largest_finite(self.dtype());
  return self.masked_fill(ember::isnan(self), replacement("nan", nan, 0, self.dtype()))
      .masked_fill(eq(self, INFINITY), replacement("posinf", posinf, largest, self.dtype()))
      .masked_fill(eq(self, -INFINITY), replacement("neginf", neginf, -largest, self.dtype()));
}

Tensor isnan(const Tensor& self) { return ne(self, self); }

Tensor isinf(const Tensor& self) {
  if (!is_floating(self.dtype())) return bool_filled(self, false);
  return eq(abs(self), INFINITY);
}

// Floats are read as integers of their width, whose sign is the sign bit; the 16-bit floats widen
// to float32 first, which keeps the sign of zeros and NaNs.
Tensor signbit(const Tensor& self) {
  if (self.dtype() == DType::Bool) return bool_filled(self, false);
  if (!is_floating(self.dtype())) return lt(self, 0);
  const Tensor x = itemsize(self.dtype()) == 2 ? self.to(DType::Float32) : self.contiguous();
  return lt(x.view(x.dtype() == DType::Float64 ? DType::Int64 : DType::Int32), 0);
}

Tensor isposinf(const Tensor& self) {
  if (!is_floating(self.dtype())) return bool_filled(self, false);
  return eq(self, INFINITY);
}

Tensor isneginf(const Tensor& self) {
  if (!is_floating(self.dtype())) return bool_filled(self, false);
  return eq(self, -INFINITY);
}

// x - x is 0 for every finite x and NaN for the rest.
Tensor isfinite(const Tensor& self) {
  if (!is_floating(self.dtype())) return bool_filled(self, true);
  return eq(self - self, 0);
}

// As PyTorch's: equal elements are close whatever the tolerances (so are infinities of one sign);
// otherwise the error must be finite and within atol + |rtol * other|.
Tensor isclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  EMBER_CHECK(other.dtype() == self.dtype(), "[isclose] other: expected dtype {} as self's, got {}",
              dtype_name(self.dtype()), dtype_name(other.dtype()));
  EMBER_CHECK(rtol >= 0, "[isclose] rtol: expected a non-negative tolerance, got {}", rtol);
  EMBER_CHECK(atol >= 0, "[isclose] atol: expected a non-negative tolerance, got {}", atol);
  Tensor close = eq(self, other);
  if (equal_nan && is_floating(self.dtype())) {
    close = ember::logical_or(close, ember::logical_and(ember::isnan(self), ember::isnan(other)));
  }
  if (rtol == 0 && atol == 0) return close;
  const bool booleans = self.dtype() == DType::Bool;
  const Tensor a = booleans ? self.to(DType::Float32) : self, b = booleans ? other.to(DType::Float32) : other;
  const Tensor error = abs(a - b);
  return ember::logical_or(close, ember::logical_and(ember::isfinite(error), le(error, abs(b * rtol) + atol)));
}

Tensor logical_not(const Tensor& self) { return eq(self, 0); }
// On bool tensors mul is `and` and maximum is `or`.
Tensor logical_and(const Tensor& self, const Tensor& other) { return mul(truth(self), truth(other)); }
Tensor logical_or(const Tensor& self, const Tensor& other) { return maximum(truth(self), truth(other)); }
Tensor logical_xor(const Tensor& self, const Tensor& other) { return ne(truth(self), truth(other)); }

Tensor clamp_min(const Tensor& self, const Scalar& min) { return self.clamp(min, std::nullopt); }
Tensor clamp_max(const Tensor& self, const Scalar& max) { return self.clamp(std::nullopt, max); }

}  // namespace ember::composite
