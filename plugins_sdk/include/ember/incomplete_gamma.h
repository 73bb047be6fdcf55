// The regularized incomplete gamma functions P(a, x) = gamma(a, x) / Gamma(a) and Q = 1 - P, as
// torch.special.gammainc and gammaincc, for plugin kernels, host and device alike. Both work in
// double whatever T is, summing until T's precision is reached. Each is computed where it does not cancel: P by its power series, Q by its
// continued fraction for x > 1.1 and by the series of Q itself below, the other one as 1 minus
// these; near the transition a ~ x for large a, where neither converges well, by Temme's uniform
// expansion (DLMF 8.12). The regions are those of Cephes as SciPy revised it, which PyTorch follows.
#pragma once

#include <cmath>
#include <limits>

#include "ember/host_device.h"
#include "ember/incomplete_gamma_coefficients.h"

namespace ember::sdk {
namespace incomplete_gamma_detail {

constexpr double kEpsilon = 1.1102230246251565e-16;  // 2^-53
constexpr int kMaxTerms = 2000;
constexpr double kTiny = 1e-300;
constexpr double kEulerGamma = 0.57721566490153286061;
constexpr double kPi = 3.14159265358979323846;

// ln(1 + s) - s for |s| < 1/2 without its cancellation: with t = s / (2 + s), ln(1 + s) = 2 atanh t,
// and 2t - s = -s^2 / (2 + s) exactly, so what is left are the odd powers t^3, t^5, ...
EMBER_HOST_DEVICE inline double log1p_minus_small(double s) {
  const double t = s / (2 + s), t2 = t * t;
  double power = t * t2, sum = 0;
  for (int k = 3; k < 80; k += 2) {
    const double term = power / k;
    sum += term;
    if (EMBER_MATH(fabs)(term) <= kEpsilon * EMBER_MATH(fabs)(sum)) break;
    power *= t2;
  }
  return -s * s / (2 + s) + 2 * sum;
}

// ln(x / a) - (x - a) / a: ln(1 + s) - s with s = (x - a) / a, from the ratio itself when s is not
// small, so that x << a keeps the ratio's relative precision.
EMBER_HOST_DEVICE inline double log_ratio_minus_excess(double a, double x) {
  const double s = (x - a) / a;
  return EMBER_MATH(fabs)(s) < 0.5 ? log1p_minus_small(s) : EMBER_MATH(log)(x / a) - s;
}

// x^a e^-x / Gamma(a), the factor every expansion shares. For a >= 10 through Stirling's series,
// ln Gamma(a) = (a - 1/2) ln a - a + ln(2 pi) / 2 + sum B_2k / (2k (2k - 1) a^(2k - 1)) (seven
// terms reach double precision there), which turns it into sqrt(a / 2 pi) e^(a (ln(x/a) - (x-a)/a))
// without the large, cancelling a ln x and ln Gamma(a).
EMBER_HOST_DEVICE inline double power_exponential_factor(double a, double x) {
  if (a < 10) return EMBER_MATH(exp)(a * EMBER_MATH(log)(x) - x - EMBER_MATH(lgamma)(a));
  const double r = 1 / (a * a);
  const double stirling =
      (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r * (1.0 / 1188 - r * (691.0 / 360360 - r / 156)))))) / a;
  return EMBER_MATH(sqrt)(a / (2 * kPi)) * EMBER_MATH(exp)(a * log_ratio_minus_excess(a, x) - stirling);
}

// P by gamma(a, x) = x^a e^-x sum_n x^n / (a (a + 1) ... (a + n)), every term positive.
EMBER_HOST_DEVICE inline double lower_series(double a, double x, double tolerance) {
  const double factor = power_exponential_factor(a, x);
  if (factor == 0) return 0;
  double term = 1, sum = 1;
  for (int n = 1; n < kMaxTerms; ++n) {
    term *= x / (a + n);
    sum += term;
    if (term <= tolerance * sum) break;
  }
  return sum * factor / a;
}

// Q by the continued fraction Gamma(a, x) = x^a e^-x / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...)),
// evaluated forward by the modified Lentz method (tiny values stand in for zero denominators).
EMBER_HOST_DEVICE inline double upper_continued_fraction(double a, double x, double tolerance) {
  const double factor = power_exponential_factor(a, x);
  if (factor == 0) return 0;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, fraction = d;
  for (int i = 1; i < kMaxTerms; ++i) {
    const double numerator = -i * (i - a);
    b += 2;
    d = numerator * d + b;
    if (EMBER_MATH(fabs)(d) < kTiny) d = kTiny;
    c = b + numerator / c;
    if (EMBER_MATH(fabs)(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    fraction *= step;
    if (EMBER_MATH(fabs)(step - 1) <= tolerance) break;
  }
  return fraction * factor;
}

// ln Gamma(1 + a) for 0 < a < 3/2 without the cancellation near a = 0 and a = 1: around 0 from its
// Taylor series -gamma a + sum (-1)^k zeta(k) a^k / k, written as a (1 - gamma) - ln(1 + a) plus the
// fast sum over zeta(k) - 1; around 1 as ln a + ln Gamma(a).
EMBER_HOST_DEVICE inline double log_gamma_one_plus(double a) {
  const auto near_zero = [](double s) {
    return s * (1 - kEulerGamma) - EMBER_MATH(log1p)(s) + incomplete_gamma_coefficients::zeta_minus_one_series(s);
  };
  if (EMBER_MATH(fabs)(a) <= 0.5) return near_zero(a);
  if (EMBER_MATH(fabs)(a - 1) < 0.5) return EMBER_MATH(log)(a) + near_zero(a - 1);
  return EMBER_MATH(lgamma)(1 + a);
}

// Q for small x directly: Q = 1 - x^a / Gamma(1 + a) - x^a / Gamma(a) sum_(n >= 1) (-x)^n / (n! (a + n)),
// the first difference taken by expm1 so that Q keeps its digits when it is small.
EMBER_HOST_DEVICE inline double upper_series(double a, double x, double tolerance) {
  double power = 1, sum = 0;
  for (int n = 1; n < kMaxTerms; ++n) {
    power *= -x / n;
    const double term = power / (a + n);
    sum += term;
    if (EMBER_MATH(fabs)(term) <= tolerance * EMBER_MATH(fabs)(sum)) break;
  }
  const double log_x = EMBER_MATH(log)(x);
  return -EMBER_MATH(expm1)(a * log_x - log_gamma_one_plus(a)) -
         EMBER_MATH(exp)(a * log_x - EMBER_MATH(lgamma)(a)) * sum;
}

// Temme: with eta the signed root of eta^2 / 2 = (x - a) / a - ln(x / a),
// Q = erfc(eta sqrt(a / 2)) / 2 + e^(-a eta^2 / 2) / sqrt(2 pi a) sum_k c_k(eta) a^-k and
// P = erfc(-eta sqrt(a / 2)) / 2 minus the same sum; upper picks Q. The sum is asymptotic: it stops
// where its terms stop shrinking.
EMBER_HOST_DEVICE inline double uniform_expansion(double a, double x, bool upper, double tolerance) {
  const double root = EMBER_MATH(sqrt)(-2 * log_ratio_minus_excess(a, x));
  const double eta = x > a ? root : x < a ? -root : 0.0;
  double sum = 0, power = 1, previous = std::numeric_limits<double>::infinity();
  for (int k = 0; k < incomplete_gamma_coefficients::kTemmeTerms; ++k) {
    const double term = incomplete_gamma_coefficients::temme(k, eta) * power;
    if (EMBER_MATH(fabs)(term) > previous) break;
    sum += term;
    if (EMBER_MATH(fabs)(term) <= tolerance * EMBER_MATH(fabs)(sum)) break;
    previous = EMBER_MATH(fabs)(term);
    power /= a;
  }
  const double sign = upper ? 1 : -1;
  const double remainder = EMBER_MATH(exp)(-a * eta * eta / 2) / EMBER_MATH(sqrt)(2 * kPi * a) * sum;
  return EMBER_MATH(erfc)(sign * eta * EMBER_MATH(sqrt)(a / 2)) / 2 + sign * remainder;
}

// Where both series converge slowly: a large and x within 30% of it. (Cephes narrows the band to
// 4.5 sqrt(a) beyond a = 200; but there the power series needs some 8 sqrt(a) terms at its edge,
// thousands for a = 10^6, while the expansion holds its precision across the whole band.)
EMBER_HOST_DEVICE inline bool near_transition(double a, double x) {
  return a > 20 && EMBER_MATH(fabs)(x - a) / a < 0.3;
}

EMBER_HOST_DEVICE inline double upper_regular(double a, double x, double tolerance);

// P(a, x) for finite a > 0 and finite x > 0.
EMBER_HOST_DEVICE inline double lower_regular(double a, double x, double tolerance) {
  if (near_transition(a, x)) return uniform_expansion(a, x, false, tolerance);
  if (x > 1 && x > a) return 1 - upper_regular(a, x, tolerance);
  return lower_series(a, x, tolerance);
}

// Q(a, x) for finite a > 0 and finite x > 0.
EMBER_HOST_DEVICE inline double upper_regular(double a, double x, double tolerance) {
  if (near_transition(a, x)) return uniform_expansion(a, x, true, tolerance);
  if (x > 1.1) return x < a ? 1 - lower_series(a, x, tolerance) : upper_continued_fraction(a, x, tolerance);
  // Below, Q's own series serves while a is small enough for it to converge to Q's digits.
  const bool small_a = x <= 0.5 ? a <= -0.4 / EMBER_MATH(log)(x) : a <= 1.1 * x;
  return small_a ? upper_series(a, x, tolerance) : 1 - lower_series(a, x, tolerance);
}

// Where the sums stop: half a unit in the last place of T, whose rounding of the double result
// then adds at most as much again.
template <typename T>
EMBER_HOST_DEVICE constexpr double precision_of() {
  return std::numeric_limits<T>::epsilon() / 2;
}

// The edges of the domain, as PyTorch's: NaN for a NaN, a negative a or x, and for a = x = 0 or
// a = x = infinity; otherwise a = 0 and x = infinity give the limits P = 1, and x = 0 or a = infinity
// P = 0. Returns false where the value is not an edge's.
EMBER_HOST_DEVICE inline bool lower_at_edge(double a, double x, double& value) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (EMBER_MATH(isnan)(a) || EMBER_MATH(isnan)(x) || a < 0 || x < 0) return value = nan, true;
  if (a == 0) return value = x > 0 ? 1.0 : nan, true;
  if (x == 0) return value = 0, true;
  if (EMBER_MATH(isinf)(a)) return value = EMBER_MATH(isinf)(x) ? nan : 0.0, true;
  if (EMBER_MATH(isinf)(x)) return value = 1, true;
  return false;
}

}  // namespace incomplete_gamma_detail

// P(a, x), torch.special.gammainc.
template <typename T>
EMBER_HOST_DEVICE T gammainc(T a, T x) {
  double value = 0;
  if (!incomplete_gamma_detail::lower_at_edge(a, x, value)) {
    value = incomplete_gamma_detail::lower_regular(a, x, incomplete_gamma_detail::precision_of<T>());
  }
  return static_cast<T>(value);
}

// Q(a, x) = 1 - P(a, x), torch.special.gammaincc: NaN where P is, 1 - P at every other edge.
template <typename T>
EMBER_HOST_DEVICE T gammaincc(T a, T x) {
  double value = 0;
  if (incomplete_gamma_detail::lower_at_edge(a, x, value)) return static_cast<T>(1 - value);
  return static_cast<T>(incomplete_gamma_detail::upper_regular(a, x, incomplete_gamma_detail::precision_of<T>()));
}

}  // namespace ember::sdk
