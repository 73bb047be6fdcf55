// The inverse error function for plugin kernels, host and device alike: erfinv(y) for y in
// [-1, 1], +-infinity at +-1 and NaN outside (as PyTorch's). Winitzki's closed-form approximation
// (relative error below 2e-3) starts three Newton steps, each doubling the correct digits; in
// the tails the steps solve erfc(x) = 1 - |y| instead, which keeps its precision where erf(x)
// rounds to 1.
#pragma once

#include <cmath>
#include <limits>

#include "ember/host_device.h"

namespace ember::sdk {

template <typename T>
EMBER_HOST_DEVICE T inverse_erf(T y) {
  if (!(y >= T(-1) && y <= T(1))) return std::numeric_limits<T>::quiet_NaN();
  if (y == T(1) || y == T(-1)) return y * std::numeric_limits<T>::infinity();
  const T magnitude = y < T(0) ? -y : y;
  // Winitzki: x = sqrt(sqrt(t^2 - ln(1 - y^2) / a) - t), t = 2 / (pi a) + ln(1 - y^2) / 2, a = 0.147.
  const T a = T(0.147), log_term = EMBER_MATH(log)((T(1) - magnitude) * (T(1) + magnitude));
  const T t = T(2) / (T(3.14159265358979323846) * a) + log_term / T(2);
  T x = EMBER_MATH(sqrt)(EMBER_MATH(sqrt)(t * t - log_term / a) - t);
  const T slope = T(1.12837916709551257390);  // 2 / sqrt(pi): erf'(x) = slope exp(-x^2)
  const bool tail = magnitude > T(0.5);
  const T complement = T(1) - magnitude;  // exact for magnitude in [0.5, 1]
  for (int step = 0; step < 3; ++step) {
    const T derivative = slope * EMBER_MATH(exp)(-x * x);
    if (derivative == T(0)) break;
    // erf(x) - |y|, or equally 1 - |y| - erfc(x): both rise with x at the rate `derivative`.
    const T error = tail ? complement - EMBER_MATH(erfc)(x) : EMBER_MATH(erf)(x) - magnitude;
    x -= error / derivative;
  }
  return y < T(0) ? -x : x;
}

}  // namespace ember::sdk
