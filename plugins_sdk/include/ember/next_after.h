// nextafter for plugin kernels, host and device alike: the next value of the tensor's own dtype
// after `from` in the direction of `to`. float and double have the math library's; the 16-bit
// floats, which compute as float, step by their own spacing, computed in float.
#pragma once

#include <cmath>

#include "ember/host_device.h"

namespace ember::sdk {

// A binary floating format narrower than float: its significand's digits (the leading one
// included), its smallest normal exponent and its largest finite value.
struct NarrowFloat {
  int digits;
  int min_exponent;
  float largest;
};
inline constexpr NarrowFloat kFloat16Format = {11, -14, 65504.0f};
inline constexpr NarrowFloat kBFloat16Format = {8, -126, 3.3895313892515355e38f};

template <typename C>
EMBER_HOST_DEVICE C next_after(C from, C to) {
  return EMBER_MATH(nextafter)(from, to);
}

// `from` and `to` hold values of `format`; so does the result, once rounded to it (a step past
// the largest value rounds to infinity there, as it should).
EMBER_HOST_DEVICE inline float next_after(float from, float to, NarrowFloat format) {
  if (from != from || to != to) return from + to;
  if (from == to) return to;
  const float smallest_subnormal = EMBER_MATH(ldexp)(1.0f, format.min_exponent - (format.digits - 1));
  if (from == 0) return to > 0 ? smallest_subnormal : -smallest_subnormal;
  const bool up = to > from;
  if (EMBER_MATH(isinf)(from)) return from > 0 ? format.largest : -format.largest;
  const int exponent = EMBER_MATH(ilogb)(from) < format.min_exponent ? format.min_exponent : EMBER_MATH(ilogb)(from);
  float step = EMBER_MATH(ldexp)(1.0f, exponent - (format.digits - 1));
  // Toward zero from a power of two the spacing below is half the spacing above (not among the
  // subnormals, which are evenly spaced).
  const bool toward_zero = up == (from < 0);
  if (toward_zero && EMBER_MATH(fabs)(from) == EMBER_MATH(ldexp)(1.0f, exponent) && exponent > format.min_exponent) step /= 2;
  const float next = up ? from + step : from - step;
  return next == 0 ? EMBER_MATH(copysign)(0.0f, from) : next;  // zero keeps the sign it was approached from
}

}  // namespace ember::sdk
