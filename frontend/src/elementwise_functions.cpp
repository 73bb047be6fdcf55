// Elementwise mathematical functions written with other operators: hypot, xlogy and xlog1py,
// fmax and fmin, logaddexp2, ldexp, float_power, div's rounding modes, copysign, frac, sinc,
// deg2rad and rad2deg, heaviside, logit and mvlgamma. Where a formula has a singular point that a
// `where` discards (0/0, log 0), the operand is first moved off it, so that the discarded branch's
// gradient stays finite too.
#include <cmath>
#include <numbers>

#include "ember/ember.h"
#include "ember/generated/composite.h"
#include "floating.h"

namespace ember::composite {
namespace {

void check_floating_operands(const char* op, const Tensor& self, const Tensor& other) {
  EMBER_CHECK(is_floating(promote_types(self.dtype(), other.dtype())),
              "[{}] self: expected floating-point operands, got {} and {}", op, dtype_name(self.dtype()),
              dtype_name(other.dtype()));
}

// The result dtype of a binary operator that computes in floating point.
DType floating_result(const Tensor& self, const Tensor& other) {
  const DType promoted = promote_types(self.dtype(), other.dtype());
  return is_floating(promoted) ? promoted : DType::Float32;
}

}  // namespace

Tensor hypot(const Tensor& self, const Tensor& other) {
  check_floating_operands("hypot", self, other);
  const Tensor a = abs(self), b = abs(other);
  const Tensor larger = maximum(a, b), smaller = minimum(a, b);
  // larger * sqrt(1 + (smaller / larger)^2): the ratio is at most 1. Where larger is 0 so is
  // smaller, and dividing by 1 instead gives the 0 wanted; an infinite operand makes the result
  // infinite even beside a NaN, as C's hypot.
  const Tensor ratio = smaller / larger.masked_fill(eq(larger, 0), 1);
  const Tensor result = larger * sqrt(ratio * ratio + 1);
  return result.masked_fill(ember::logical_or(ember::isinf(a), ember::isinf(b)), INFINITY);
}

namespace {

// self * f(other), 0 where self is 0 and other is not NaN: there `other` is replaced by `neutral`,
// where f is 0, so neither the product nor its gradient meets 0 * inf.
Tensor x_times(const Tensor& self, const Tensor& other, Tensor (*f)(const Tensor&), double neutral) {
  const Tensor x = as_floating(self), y = as_floating(other);
  const Tensor zero_term = ember::logical_and(eq(x, 0), ember::logical_not(ember::isnan(y)));
  return x * f(where(zero_term, full_like(y, neutral), y));
}

}  // namespace

Tensor xlogy(const Tensor& self, const Tensor& other) {
  return x_times(self, other, [](const Tensor& y) { return log(y); }, 1);
}

Tensor xlog1py(const Tensor& self, const Tensor& other) {
  return x_times(self, other, [](const Tensor& y) { return log1p(y); }, 0);
}

// Where one operand is NaN the other is taken (both NaN: NaN); elsewhere maximum or minimum,
// whose gradients they share.
Tensor fmax(const Tensor& self, const Tensor& other) {
  return where(ember::isnan(other), self, where(ember::isnan(self), other, maximum(self, other)));
}

Tensor fmin(const Tensor& self, const Tensor& other) {
  return where(ember::isnan(other), self, where(ember::isnan(self), other, minimum(self, other)));
}

Tensor logaddexp2(const Tensor& self, const Tensor& other) {
  return logaddexp(as_floating(self) * std::numbers::ln2, as_floating(other) * std::numbers::ln2) / std::numbers::ln2;
}

// 2^other in the result's dtype, so a float64 self takes exponents float32 cannot hold.
Tensor ldexp(const Tensor& self, const Tensor& other) {
  const DType dtype = promote_types(as_floating(self).dtype(), as_floating(other).dtype());
  return self.to(dtype) * exp2(other.to(dtype));
}

// The exponent is read from the bits: x = 1.f * 2^(field - bias) = 0.1f * 2^(field - bias + 1).
// Subnormals are first scaled into the normal range by 2^(fraction bits + 1), exactly, and their
// exponent lowered to match. The mantissa is x scaled by a power of two, so the gradient flows.
// The 16-bit floats go through float32, which holds their every value.
std::tuple<Tensor, Tensor> frexp(const Tensor& self) {
  check_floating("frexp", "self", self);
  if (itemsize(self.dtype()) == 2) {
    const auto [mantissa, exponent] = ember::frexp(self.to(DType::Float32));
    return {mantissa.to(self.dtype()), exponent};
  }
  const bool wide = self.dtype() == DType::Float64;
  const int64_t fraction_bits = wide ? 52 : 23, field_mask = wide ? 0x7ff : 0xff, bias = wide ? 1023 : 127;
  const double smallest_normal = wide ? 0x1p-1022 : 0x1p-126;
  const Tensor subnormal = ember::logical_and(ne(self, 0), lt(abs(self), smallest_normal));
  const Tensor x = where(subnormal, self * std::ldexp(1.0, static_cast<int>(fraction_bits + 1)), self);
  const Tensor field = (x.detach().contiguous().view(wide ? DType::Int64 : DType::Int32) >> fraction_bits) & field_mask;
  const Tensor exponent = field - (bias - 1);  // of x, within the normal range
  const Tensor special = ember::logical_or(eq(self, 0), ember::logical_not(ember::isfinite(self)));
  const Tensor mantissa = where(special, self, x * exp2(-exponent.to(self.dtype())));
  const Tensor lowered = exponent - subnormal.to(exponent.dtype()) * (fraction_bits + 1);
  return {mantissa, lowered.masked_fill(special, 0).to(DType::Int32)};
}

Tensor float_power_Tensor_Tensor(const Tensor& self, const Tensor& exponent) {
  return pow(self.to(DType::Float64), exponent.to(DType::Float64));
}

Tensor float_power_Tensor_Scalar(const Tensor& self, const Scalar& exponent) { return pow(self.to(DType::Float64), exponent); }

Tensor div_Tensor_mode(const Tensor& self, const Tensor& other, std::optional<std::string_view> rounding_mode) {
  if (!rounding_mode) return ember::div(self, other);
  if (*rounding_mode == "floor") return floor_divide(self, other);
  EMBER_CHECK(*rounding_mode == "trunc", "[div] rounding_mode: expected 'trunc', 'floor' or None, got '{}'",
              *rounding_mode);
  // An integer quotient is exact once fmod's remainder, which takes the dividend's sign, is removed.
  if (!is_floating(promote_types(self.dtype(), other.dtype()))) return floor_divide(self - fmod(self, other), other);
  return trunc(ember::div(self, other));
}

Tensor copysign(const Tensor& self, const Tensor& other) {
  const DType dtype = floating_result(self, other);
  const Tensor magnitude = abs(self.to(dtype));
  Tensor negative = lt(other, 0);
  // -0.0 equals 0 but its reciprocal is -inf.
  if (is_floating(other.dtype())) {
    negative = ember::logical_or(negative, ember::logical_and(eq(other, 0), lt(reciprocal(other), 0)));
  }
  return where(negative, -magnitude, magnitude);
}

Tensor frac(const Tensor& self) {
  check_floating("frac", "self", self);
  return self - trunc(self);
}

Tensor sinc(const Tensor& self) {
  const Tensor x = as_floating(self) * std::numbers::pi;
  const Tensor at_zero = eq(x, 0);
  const Tensor safe = x.masked_fill(at_zero, 1);
  return (sin(safe) / safe).masked_fill(at_zero, 1);
}

Tensor deg2rad(const Tensor& self) { return as_floating(self) * (std::numbers::pi / 180); }

Tensor rad2deg(const Tensor& self) { return as_floating(self) * (180 / std::numbers::pi); }

Tensor heaviside(const Tensor& self, const Tensor& values) {
  EMBER_CHECK(values.dtype() == self.dtype(), "[heaviside] values: expected dtype {} as self's, got {}",
              dtype_name(self.dtype()), dtype_name(values.dtype()));
  return where(eq(self, 0), values, gt(self, 0).to(self.dtype()));
}

Tensor logit(const Tensor& self, std::optional<double> eps) {
  Tensor p = as_floating(self);
  if (eps) {
    EMBER_CHECK(*eps >= 0 && *eps <= 0.5, "[logit] eps: expected a value in [0, 0.5], got {}", *eps);
    p = p.clamp(*eps, 1 - *eps);
  }
  return log(p / (1 - p));
}

Tensor mvlgamma(const Tensor& self, int64_t p) {
  EMBER_CHECK(p >= 1, "[mvlgamma] p: expected a dimension of at least 1, got {}", p);
  const Tensor x = as_floating(self);
  const double least = static_cast<double>(p - 1) / 2;
  EMBER_CHECK(x.numel() == 0 || ember::gt(x, least).all().item<bool>(),
              "[mvlgamma] self: expected every element to exceed (p - 1) / 2 = {}", least);
  // Gamma_p(x) = pi^(p(p-1)/4) prod over i < p of Gamma(x - i/2), in logarithms.
  const Tensor halves = ember::arange(0, p, 1, x.dtype(), x.device()) * 0.5;
  const double log_pi_term = static_cast<double>(p * (p - 1)) / 4 * std::log(std::numbers::pi);
  return lgamma(x.unsqueeze(-1) - halves).sum(-1) + log_pi_term;
}

}  // namespace ember::composite
