// The scaled complementary error function and the standard normal quantile for plugin kernels,
// host and device alike. Both work in double whatever T is: their errors grow with x^2 in the
// tails, which float's rounding of the intermediate values would multiply.
#pragma once

#include <cmath>
#include <limits>

#include "ember/host_device.h"

namespace ember::sdk {

// e^(x^2) erfc(x): 1 at 0, falling as 1 / (x sqrt(pi)) for large x and overflowing below about
// -26.6 (to infinity, as PyTorch's). From 12 on, the asymptotic series
// 1 / (x sqrt(pi)) sum_k (-1)^k (2k - 1)!! / (2x^2)^k, whose terms shrink past double precision
// within a dozen; below, the product itself, with x^2 split exactly into hi + lo so that e^(x^2)
// is not spoiled by x^2's rounding (x^2 eps relative, 144 ulp at 12).
template <typename T>
EMBER_HOST_DEVICE T erfcx(T value) {
  const double x = static_cast<double>(value);
  const double inv_sqrt_pi = 0.56418958354775628695;
  if (x != x) return value;
  if (x < -26.7) return std::numeric_limits<T>::infinity();
  if (x >= 12) {
    const double r = 1 / (2 * x * x);
    double term = 1, sum = 1;
    for (int k = 1; k < 40; ++k) {
      term *= -(2 * k - 1) * r;
      sum += term;
      if (EMBER_MATH(fabs)(term) <= std::numeric_limits<double>::epsilon() * sum) break;
    }
    return static_cast<T>(sum * inv_sqrt_pi / x);
  }
  const double hi = x * x, lo = EMBER_MATH(fma)(x, x, -hi);
  return static_cast<T>(EMBER_MATH(exp)(hi) * (1 + lo) * EMBER_MATH(erfc)(x));
}

// The x with Phi(x) = p, Phi the standard normal distribution function: -infinity at 0,
// infinity at 1, NaN outside [0, 1]. Computed on the lower tail q = min(p, 1 - p), where
// Phi(x) = erfc(-x / sqrt 2) / 2 keeps its relative precision: Abramowitz and Stegun's 26.2.23
// (absolute error below 4.5e-4) starts Halley's iteration on Phi(x) = q, which triples the
// correct digits a step (Phi'' = -x Phi' makes the step u / (1 + x u / 2), u = (Phi(x) - q) / Phi'(x)).
template <typename T>
EMBER_HOST_DEVICE T normal_quantile(T value) {
  const double p = static_cast<double>(value);
  if (!(p >= 0 && p <= 1)) return std::numeric_limits<T>::quiet_NaN();
  if (p == 0) return -std::numeric_limits<T>::infinity();
  if (p == 1) return std::numeric_limits<T>::infinity();
  const bool upper = p > 0.5;
  const double q = upper ? 1 - p : p;  // exact for p in [0.5, 1]
  const double t = EMBER_MATH(sqrt)(-2 * EMBER_MATH(log)(q));
  double x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  const double inv_sqrt_2 = 0.70710678118654752440, inv_sqrt_2pi = 0.39894228040143267794;
  for (int step = 0; step < 3; ++step) {
    const double density = inv_sqrt_2pi * EMBER_MATH(exp)(-x * x / 2);
    if (density == 0) break;
    const double u = (EMBER_MATH(erfc)(-x * inv_sqrt_2) / 2 - q) / density;
    x -= u / (1 + x * u / 2);
  }
  return static_cast<T>(upper ? -x : x);
}

}  // namespace ember::sdk
