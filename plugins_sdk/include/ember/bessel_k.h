// The modified Bessel functions of the second kind of orders 0 and 1 for plugin kernels, host and
// device alike, plain (K0, K1) and scaled by e^x (K0e, K1e), which stay finite where the plain
// ones underflow. Real only for x > 0: +inf at 0, NaN below. Float types are evaluated in double
// and rounded once.
#pragma once

#include <cmath>
#include <limits>

#include "ember/bessel_chebyshev.h"
#include "ember/bessel_functions.h"
#include "ember/host_device.h"

namespace ember::sdk {
namespace bessel_k_detail {

constexpr double kFarFrom = 2;

// K_order(x) for finite x > 0, or e^x K_order(x) when `scaled` (generated series). Up to 2,
// K0 = -ln(x / 2) I0(x) plus a series in t = x^2 / 2 - 1 and K1 = ln(x / 2) I1(x) + 1 / x plus x
// times one; ln(x / 2) vanishes at the top of the interval, where the sum would otherwise cancel.
// Beyond 2, sqrt(x) e^x K in t = 4 / x - 1. Each form is scaled or unscaled only when asked, so
// the usual case takes no extra rounding.
template <bool kFloat>
EMBER_HOST_DEVICE double evaluate_finite(int order, double x, bool scaled) {
  if (x > kFarFrom) {
    const double t = 4 / x - 1;
    const double series = order == 0 ? bessel_chebyshev::k0e_far<kFloat>(t) : bessel_chebyshev::k1e_far<kFloat>(t);
    const double value = series / EMBER_MATH(sqrt)(x);
    if (scaled) return value;
    // e^-x in two halves, so that K just above double's smallest value is not lost to e^-x underflowing first.
    const double half = EMBER_MATH(exp)(-x / 2);
    return value * half * half;
  }
  const double t = x * x / 2 - 1;
  const double log_half = log_of_half(x);
  const double plain = order == 0
                           ? bessel_chebyshev::k0_near<kFloat>(t) - log_half * bessel_i0(x)
                           : log_half * bessel_i1(x) + 1 / x + x * bessel_chebyshev::k1_near<kFloat>(t);
  return scaled ? plain * EMBER_MATH(exp)(x) : plain;
}

// The edges first: NaN for NaN and x < 0, +inf at 0, 0 at +inf for the plain functions and the
// scaled ones alike.
template <typename T>
EMBER_HOST_DEVICE T evaluate(int order, T x, bool scaled) {
  const double a = static_cast<double>(x);
  if (!(a >= 0)) return std::numeric_limits<T>::quiet_NaN();
  if (a == 0) return std::numeric_limits<T>::infinity();
  if (a == std::numeric_limits<double>::infinity()) return T(0);
  return T(evaluate_finite<(sizeof(T) < sizeof(double))>(order, a, scaled));
}

}  // namespace bessel_k_detail

template <typename T> EMBER_HOST_DEVICE T bessel_k0(T x) { return bessel_k_detail::evaluate(0, x, false); }
template <typename T> EMBER_HOST_DEVICE T bessel_k1(T x) { return bessel_k_detail::evaluate(1, x, false); }
template <typename T> EMBER_HOST_DEVICE T bessel_k0e(T x) { return bessel_k_detail::evaluate(0, x, true); }
template <typename T> EMBER_HOST_DEVICE T bessel_k1e(T x) { return bessel_k_detail::evaluate(1, x, true); }

}  // namespace ember::sdk
