// The Bessel functions of the first and second kind of orders 0 and 1 (J0, J1, Y0, Y1) for
// plugin kernels, host and device alike. J0 is even and J1 odd; Y is real only for x > 0, -inf at
// 0 and NaN below. Float types are evaluated in double and rounded once.
#pragma once

#include <cmath>
#include <limits>

#include "ember/bessel_chebyshev.h"
#include "ember/bessel_functions.h"
#include "ember/host_device.h"

namespace ember::sdk {
namespace bessel_jy_detail {

constexpr double kTwoOverPi = 0.6366197723675814;
constexpr double kFarFrom = 8;
// Below 2^-26 J0 is 1 and J1 is x / 2 to double's precision (the next terms are x^2 / 4 and x^2 / 8
// of them): exact there, where the series' product of factors would leave an ulp or two.
constexpr double kLeadingTermBelow = 0x1p-26;

// x^2 - z^2 for a zero z = hi + lo, as (x - hi - lo)(x + hi): near the zero x - hi is exact, so
// the product keeps J's relative precision where J itself crosses zero.
EMBER_HOST_DEVICE inline double distance_squared(double x, double hi, double lo) {
  return ((x - hi) - lo) * (x + hi);
}

// For |x| <= 8 (generated series in t = x^2 / 32 - 1): J0(|x|) and J1(|x|).
template <bool kFloat>
EMBER_HOST_DEVICE double j0_near(double a) {
  const double t = a * a / 32 - 1;
  namespace z = bessel_chebyshev;
  return distance_squared(a, z::j01_hi, z::j01_lo) * distance_squared(a, z::j02_hi, z::j02_lo) * z::j0_near<kFloat>(t);
}

template <bool kFloat>
EMBER_HOST_DEVICE double j1_near(double a) {
  const double t = a * a / 32 - 1;
  namespace z = bessel_chebyshev;
  return a * distance_squared(a, z::j11_hi, z::j11_lo) * distance_squared(a, z::j12_hi, z::j12_lo) *
         z::j1_near<kFloat>(t);
}

// For |x| > 8, Hankel's form: J = sqrt(2 / (pi x)) (P cos chi - Q sin chi) and Y = sqrt(2 / (pi x))
// (P sin chi + Q cos chi), chi = x - (2 order + 1) pi / 4. cos chi and sin chi are sums of cos x
// and sin x over sqrt(2), so only x itself is reduced, by the math library's exact reduction,
// rather than a chi already rounded.
struct Hankel {
  double first;   // J
  double second;  // Y
};

template <bool kFloat>
EMBER_HOST_DEVICE Hankel hankel(int order, double a) {
  const double t = 128 / (a * a) - 1;
  const double p = order == 0 ? bessel_chebyshev::p0_far<kFloat>(t) : bessel_chebyshev::p1_far<kFloat>(t);
  const double q = (order == 0 ? bessel_chebyshev::q0_far<kFloat>(t) : bessel_chebyshev::q1_far<kFloat>(t)) / a;
  const double c = EMBER_MATH(cos)(a), s = EMBER_MATH(sin)(a);
  // chi = x - pi/4: cos chi = (c + s) / sqrt 2, sin chi = (s - c) / sqrt 2; chi = x - 3 pi/4:
  // cos chi = (s - c) / sqrt 2, sin chi = -(c + s) / sqrt 2. The 1 / sqrt 2 joins sqrt(2 / (pi x)).
  const double cos_chi = order == 0 ? c + s : s - c;
  const double sin_chi = order == 0 ? s - c : -(c + s);
  const double amplitude = 1 / EMBER_MATH(sqrt)(3.141592653589793 * a);
  return {amplitude * (p * cos_chi - q * sin_chi), amplitude * (p * sin_chi + q * cos_chi)};
}

// Y's value where it is not given by the series: NaN for NaN and x < 0, -inf at 0, 0 at +inf.
template <typename T>
EMBER_HOST_DEVICE bool second_kind_edge(T x, T& value) {
  if (x > T(0) && x < std::numeric_limits<T>::infinity()) return false;
  if (x == T(0)) value = -std::numeric_limits<T>::infinity();
  else if (x > T(0)) value = T(0);
  else value = std::numeric_limits<T>::quiet_NaN();
  return true;
}

template <typename T>
constexpr bool is_float() {
  return sizeof(T) < sizeof(double);
}

}  // namespace bessel_jy_detail

// J_order(x): up to 8 the series with the zeros divided out, beyond Hankel's form; J0 even, J1 odd.
template <typename T>
EMBER_HOST_DEVICE T bessel_j(int order, T x) {
  namespace d = bessel_jy_detail;
  constexpr bool kFloat = d::is_float<T>();
  const double a = EMBER_MATH(fabs)(static_cast<double>(x));
  if (a != a) return x;
  if (a == std::numeric_limits<double>::infinity()) return T(0);
  if (a < d::kLeadingTermBelow) return order == 0 ? T(1) : T(static_cast<double>(x) / 2);
  double magnitude = 0;
  if (a > d::kFarFrom) magnitude = d::hankel<kFloat>(order, a).first;
  else magnitude = order == 0 ? d::j0_near<kFloat>(a) : d::j1_near<kFloat>(a);
  return T(order == 1 && x < T(0) ? -magnitude : magnitude);
}

// Y_order(x): near 0, Y0 = (2 / pi) ln(x / 2) J0(x) plus a series, Y1 = (2 / pi) (ln(x / 2) J1(x)
// - 1 / x) plus x times one; beyond 8, Hankel's form.
template <typename T>
EMBER_HOST_DEVICE T bessel_y(int order, T x) {
  namespace d = bessel_jy_detail;
  constexpr bool kFloat = d::is_float<T>();
  T edge;
  if (d::second_kind_edge(x, edge)) return edge;
  const double a = static_cast<double>(x);
  if (a > d::kFarFrom) return T(d::hankel<kFloat>(order, a).second);
  const double log_half = log_of_half(a), t = a * a / 32 - 1;
  if (order == 0) return T(d::kTwoOverPi * log_half * d::j0_near<kFloat>(a) + bessel_chebyshev::y0_near<kFloat>(t));
  return T(d::kTwoOverPi * (log_half * d::j1_near<kFloat>(a) - 1 / a) + a * bessel_chebyshev::y1_near<kFloat>(t));
}

template <typename T> EMBER_HOST_DEVICE T bessel_j0(T x) { return bessel_j(0, x); }
template <typename T> EMBER_HOST_DEVICE T bessel_j1(T x) { return bessel_j(1, x); }
template <typename T> EMBER_HOST_DEVICE T bessel_y0(T x) { return bessel_y(0, x); }
template <typename T> EMBER_HOST_DEVICE T bessel_y1(T x) { return bessel_y(1, x); }

// sin(x) / x, 1 at 0 and 0 at either infinity. Near 0 sin x / x is already exact to rounding, so
// it needs no series.
template <typename T>
EMBER_HOST_DEVICE T spherical_bessel_j0(T x) {
  const double a = static_cast<double>(x);
  if (a == 0) return T(1);
  if (EMBER_MATH(fabs)(a) == std::numeric_limits<double>::infinity()) return T(0);
  return T(EMBER_MATH(sin)(a) / a);
}

}  // namespace ember::sdk
