// The modified Bessel functions of the first kind of orders 0 and 1 for plugin kernels, host and
// device alike, plain (i0, i1) and scaled by e^-|x| (i0e, i1e), which stay finite where the plain
// ones overflow. I0 is even and I1 odd; at infinity I0 and |I1| are infinite, their scaled forms 0.
#pragma once

#include <cmath>
#include <limits>

#include "ember/host_device.h"

namespace ember::sdk {

// e^-|x| I_order(|x|), order 0 or 1. Below the seam the power series
// I_n(x) = (x/2)^n sum_k (x^2/4)^k / (k! (k + n)!): every term positive, so nothing cancels, and
// about |x| + 25 terms reach double precision. From the seam on the asymptotic series
// I_n(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k / x^k, a_k = prod_{j<=k} (4n^2 - (2j - 1)^2) / (k! 8^k),
// whose terms shrink until k ~ 2x, to about e^-2x of the sum: past double precision from 30, past
// float's from 10, where the power series would still need some 35 terms.
template <typename T>
EMBER_HOST_DEVICE T scaled_bessel_i(int order, T x) {
  const T a = EMBER_MATH(fabs)(x);
  if (a != a) return a;
  if (a == std::numeric_limits<T>::infinity()) return T(0);
  const T eps = std::numeric_limits<T>::epsilon();
  const T seam = sizeof(T) < sizeof(double) ? T(10) : T(30);
  if (a < seam) {
    const T quarter_square = a * a / T(4);
    T term = order == 0 ? T(1) : a / T(2), sum = term;
    for (int k = 1; k < 200; ++k) {
      term *= quarter_square / (T(k) * T(k + order));
      sum += term;
      if (term <= eps * sum) break;
    }
    return sum * EMBER_MATH(exp)(-a);
  }
  const T mu = T(4 * order * order);
  T term = T(1), sum = T(1);
  for (int k = 1; k < 60; ++k) {
    const T odd = T(2 * k - 1);
    term *= -(mu - odd * odd) / (T(8 * k) * a);
    sum += term;
    if (EMBER_MATH(fabs)(term) <= eps * EMBER_MATH(fabs)(sum)) break;
  }
  return sum / EMBER_MATH(sqrt)(T(2) * T(3.14159265358979323846) * a);
}

template <typename T>
EMBER_HOST_DEVICE T bessel_i0e(T x) {
  return scaled_bessel_i(0, x);
}

template <typename T>
EMBER_HOST_DEVICE T bessel_i1e(T x) {
  const T magnitude = scaled_bessel_i(1, x);
  return x < T(0) ? -magnitude : magnitude;
}

// The plain functions undo the scaling in two halves, e^(|x|/2) twice, so that a value just
// inside T's range is not lost to e^|x| overflowing first; past the range they are infinite (I0
// positive, I1 signed as x).
template <typename T>
EMBER_HOST_DEVICE T unscaled(T scaled, T x) {
  const T half = EMBER_MATH(exp)(EMBER_MATH(fabs)(x) / T(2));
  return scaled * half * half;
}

template <typename T>
EMBER_HOST_DEVICE T bessel_i0(T x) {
  if (EMBER_MATH(fabs)(x) == std::numeric_limits<T>::infinity()) return std::numeric_limits<T>::infinity();
  return unscaled(bessel_i0e(x), x);
}

template <typename T>
EMBER_HOST_DEVICE T bessel_i1(T x) {
  if (EMBER_MATH(fabs)(x) == std::numeric_limits<T>::infinity()) return x;
  return unscaled(bessel_i1e(x), x);
}

}  // namespace ember::sdk
