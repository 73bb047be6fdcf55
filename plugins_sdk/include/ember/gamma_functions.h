// Digamma, polygamma and the Hurwitz zeta function for plugin kernels, host and device alike
// (lgamma is the C library's). Their values at the poles follow PyTorch's: digamma(+-0) is
// -+infinity and NaN at the negative integers; polygamma(n >= 1) is infinite at every pole, its
// sign (-1)^(n+1).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "ember/host_device.h"

namespace ember::sdk {

// psi(x) = d/dx ln Gamma(x). Below 10 the recurrence psi(x) = psi(x + 1) - 1/x moves the argument
// up; there the asymptotic series ln x - 1/(2x) - sum B_2k / (2k x^2k), seven terms, is exact to
// double precision. Negative arguments reflect: psi(x) = psi(1 - x) - pi / tan(pi x), with the
// tangent of x's fractional part, which is exact, so large |x| keeps its digits.
template <typename T>
EMBER_HOST_DEVICE T digamma(T x) {
  const T pi = T(3.14159265358979323846);
  if (x == T(0)) return EMBER_MATH(copysign)(std::numeric_limits<T>::infinity(), -x);
  T reflected = T(0);
  if (x < T(0)) {
    const T whole = EMBER_MATH(floor)(x);
    if (x == whole) return std::numeric_limits<T>::quiet_NaN();  // a pole, or -infinity
    reflected = -pi / EMBER_MATH(tan)(pi * (x - whole));
    x = T(1) - x;
  }
  T shifted = T(0);
  while (x < T(10)) {
    shifted += T(1) / x;
    x += T(1);
  }
  const T r = T(1) / (x * x);
  const T series =
      r * (T(1) / 12 -
           r * (T(1) / 120 - r * (T(1) / 252 - r * (T(1) / 240 - r * (T(1) / 132 - r * (T(691) / 32760 - r / 12))))));
  return EMBER_MATH(log)(x) - T(0.5) / x - series - shifted + reflected;
}

// zeta(s, q) = sum over k >= 0 of (q + k)^-s, for s > 1 and q > 0. The first terms are summed
// until q passes 10 + s (s capped at 64, past which the first term is all there is), the rest
// is Euler-Maclaurin's q^(1-s)/(s-1) + q^-s/2 + sum B_2j/(2j)! s(s+1)...(s+2j-2) q^(1-s-2j),
// whose terms shrink there by (s + 2j)^2 / (2 pi q)^2 each.
template <typename T>
EMBER_HOST_DEVICE T hurwitz_zeta_positive(T s, T q) {
  if (q == std::numeric_limits<T>::infinity()) return T(0);
  const T start = T(10) + (s < T(64) ? s : T(64));
  T sum = T(0);
  while (q < start) {
    sum += EMBER_MATH(pow)(q, -s);
    q += T(1);
  }
  const T power = EMBER_MATH(pow)(q, -s);
  sum += EMBER_MATH(pow)(q, T(1) - s) / (s - T(1)) + power / T(2);
  // B_2j / (2j)! for j = 1..9.
  const T bernoulli_over_factorial[9] = {
      T(1.0 / 12),           T(-1.0 / 720),        T(1.0 / 30240),
      T(-1.0 / 1209600),     T(1.0 / 47900160),    T(-691.0 / 1307674368000),
      T(1.0 / 74724249600),  T(-3617.0 / 10670622842880000), T(43867.0 / 5109094217170944000)};
  T rising = s;            // s (s + 1) ... (s + 2j - 2)
  T q_power = power / q;   // q^(1 - s - 2j)
  for (int j = 0; j < 9; ++j) {
    const T term = bernoulli_over_factorial[j] * rising * q_power;
    sum += term;
    if (EMBER_MATH(fabs)(term) <= std::numeric_limits<T>::epsilon() * EMBER_MATH(fabs)(sum)) break;
    rising *= (s + T(2 * j + 1)) * (s + T(2 * j + 2));
    q_power /= q * q;
  }
  return sum;
}

// zeta(s, q) for a whole s >= 2 and any q: infinite at q = 0, -1, -2, ...; below 0 the terms with
// q + k < 0 are, up to the sign (-1)^s, the terms of zeta(s, r) - zeta(s, 1 - q) with r = 1 - frac(q),
// so every zeta evaluated has a positive argument and no sum runs over |q| terms.
template <typename T>
EMBER_HOST_DEVICE T hurwitz_zeta(T s, T q) {
  if (!(q > -std::numeric_limits<T>::infinity())) return std::numeric_limits<T>::quiet_NaN();
  if (q > T(0)) return hurwitz_zeta_positive(s, q);
  const T whole = EMBER_MATH(floor)(q);
  if (q == whole) return std::numeric_limits<T>::infinity();
  const T fraction = q - whole;
  const T negative_terms = hurwitz_zeta_positive(s, T(1) - fraction) - hurwitz_zeta_positive(s, T(1) - q);
  const bool odd = EMBER_MATH(fmod)(s, T(2)) != T(0);
  return hurwitz_zeta_positive(s, fraction) + (odd ? -negative_terms : negative_terms);
}

// zeta(x, q), torch.special.zeta, over Cephes' domain: NaN below x = 1 (and for q < 0 unless x
// is whole, q^-x having no real value), infinite at x = 1 and at q = 0, -1, -2, ...; at x = inf
// only the first term is left (0, 1 or inf as q is above, at or below 1).
template <typename T>
EMBER_HOST_DEVICE T zeta(T x, T q) {
  const T inf = std::numeric_limits<T>::infinity();
  if (x != x || q != q || x < T(1)) return std::numeric_limits<T>::quiet_NaN();
  if (x == T(1)) return inf;
  if (x == inf) return q > T(1) ? T(0) : q == T(1) ? T(1) : inf;
  if (q < T(0) && q != EMBER_MATH(floor)(q) && x != EMBER_MATH(floor)(x)) return std::numeric_limits<T>::quiet_NaN();
  return hurwitz_zeta(x, q);
}

// The n-th derivative of digamma: (-1)^(n+1) n! zeta(n + 1, x) for n >= 1.
template <typename T>
EMBER_HOST_DEVICE T polygamma(int64_t n, T x) {
  if (n == 0) return digamma(x);
  T factorial = T(1);
  for (int64_t k = 2; k <= n && factorial < std::numeric_limits<T>::infinity(); ++k) factorial *= T(k);
  const T value = factorial * hurwitz_zeta(T(n + 1), x);
  return n % 2 == 1 ? value : -value;
}

}  // namespace ember::sdk
