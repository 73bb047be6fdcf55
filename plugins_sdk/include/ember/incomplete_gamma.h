// The regularized incomplete gamma functions P(a, x) = gamma(a, x) / Gamma(a) and Q = 1 - P, as
// torch.special.gammainc and gammaincc, for plugin kernels, host and device alike. Both work in
// double whatever T is, summing until T's precision is reached. Each is computed where it does not cancel: P by its power series, Q by its
// continued fraction for x > 1.1 and by the series of Q itself below, the other one as 1 minus
// these; near the transition a ~ x for large a, where neither converges well, by Temme's uniform
// expansion (DLMF 8.12). The regions are those of Cephes as SciPy revised it, which PyTorch follows.
// Each expansion can also carry its derivative in a, term by term, for P's slope in a
// (gammainc_slope) and the gradient of a gamma draw in its shape (standard_gamma_slope); the
// derivative of 1 - Q is -dQ/da exactly, so the slope keeps its digits wherever the value does.
#pragma once

#include <cmath>
#include <limits>

#include "ember/gamma_functions.h"
#include "ember/host_device.h"
#include "ember/incomplete_gamma_coefficients.h"

namespace ember::sdk {
namespace incomplete_gamma_detail {

constexpr double kEpsilon = 1.1102230246251565e-16;  // 2^-53
constexpr int kMaxTerms = 2000;
constexpr double kTiny = 1e-300;
constexpr double kEulerGamma = 0.57721566490153286061;
constexpr double kPi = 3.14159265358979323846;

// P or Q at one point, with its derivative in a. Each expansion below computes the slope only when
// kSlope asks for it (slope stays 0 otherwise), so that igamma itself pays nothing for it.
struct ValueAndSlope {
  double value, slope;
};

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

// d/da ln(x^a e^-x / Gamma(a)) = ln x - psi(a).
EMBER_HOST_DEVICE inline double log_factor_slope(double a, double x) {
  return EMBER_MATH(log)(x) - digamma(a);
}

// P by gamma(a, x) = x^a e^-x sum_n x^n / (a (a + 1) ... (a + n)), every term positive. Term n
// falls with a by 1/(a + 1) + ... + 1/(a + n) of itself.
template <bool kSlope>
EMBER_HOST_DEVICE ValueAndSlope lower_series(double a, double x, double tolerance) {
  const double factor = power_exponential_factor(a, x);
  if (factor == 0) return {0, 0};
  double term = 1, sum = 1, harmonic = 0, sum_slope = 0;
  for (int n = 1; n < kMaxTerms; ++n) {
    term *= x / (a + n);
    sum += term;
    if constexpr (kSlope) {
      harmonic += 1 / (a + n);
      sum_slope -= term * harmonic;
    }
    if (term <= tolerance * sum) break;
  }
  const double value = sum * factor / a;
  if constexpr (!kSlope) return {value, 0};
  return {value, value * (log_factor_slope(a, x) - 1 / a) + sum_slope * factor / a};
}

// Q by the continued fraction Gamma(a, x) = x^a e^-x / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...)),
// evaluated forward by the modified Lentz method (tiny values stand in for zero denominators); the
// derivative in a follows each step of the recurrence, where b falls with a by 1 and the numerator
// -i (i - a) rises by i.
template <bool kSlope>
EMBER_HOST_DEVICE ValueAndSlope upper_continued_fraction(double a, double x, double tolerance) {
  const double factor = power_exponential_factor(a, x);
  if (factor == 0) return {0, 0};
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, fraction = d;
  double c_slope = 0, d_slope = d * d, fraction_slope = d_slope;
  for (int i = 1; i < kMaxTerms; ++i) {
    const double numerator = -i * (i - a);
    b += 2;
    const double denominator = numerator * d + b;
    if constexpr (kSlope) {
      const double over_c = 1 / c;
      c_slope = -1 + (i - numerator * c_slope * over_c) * over_c;
    }
    c = b + numerator / c;
    if (EMBER_MATH(fabs)(c) < kTiny) c = kTiny, c_slope = 0;
    const double previous_d = d;
    d = 1 / (EMBER_MATH(fabs)(denominator) < kTiny ? kTiny : denominator);
    const double step = d * c;
    double slope_change = 0;
    if constexpr (kSlope) {
      d_slope = EMBER_MATH(fabs)(denominator) < kTiny ? 0 : -(i * previous_d + numerator * d_slope - 1) * d * d;
      slope_change = fraction_slope * (step - 1) + fraction * (d_slope * c + d * c_slope);
      fraction_slope += slope_change;
    }
    fraction *= step;
    // At a whole a the numerator reaches 0 and the fraction ends, but not its derivative.
    if (EMBER_MATH(fabs)(step - 1) <= tolerance &&
        EMBER_MATH(fabs)(slope_change) <= tolerance * EMBER_MATH(fabs)(fraction_slope)) {
      break;
    }
  }
  if constexpr (!kSlope) return {fraction * factor, 0};
  return {fraction * factor, factor * (fraction * log_factor_slope(a, x) + fraction_slope)};
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
template <bool kSlope>
EMBER_HOST_DEVICE ValueAndSlope upper_series(double a, double x, double tolerance) {
  double power = 1, sum = 0, sum_slope = 0;
  for (int n = 1; n < kMaxTerms; ++n) {
    power *= -x / n;
    const double term = power / (a + n);
    sum += term;
    if constexpr (kSlope) sum_slope -= term / (a + n);
    if (EMBER_MATH(fabs)(term) <= tolerance * EMBER_MATH(fabs)(sum)) break;
  }
  const double log_x = EMBER_MATH(log)(x);
  const double leading = a * log_x - log_gamma_one_plus(a);     // ln(x^a / Gamma(1 + a))
  const double scale = EMBER_MATH(exp)(a * log_x - EMBER_MATH(lgamma)(a));  // x^a / Gamma(a)
  const double value = -EMBER_MATH(expm1)(leading) - scale * sum;
  if constexpr (!kSlope) return {value, 0};
  return {value,
          -EMBER_MATH(exp)(leading) * log_factor_slope(1 + a, x) -
              scale * (log_factor_slope(a, x) * sum + sum_slope)};
}

// Temme: with eta the signed root of eta^2 / 2 = (x - a) / a - ln(x / a),
// Q = erfc(eta sqrt(a / 2)) / 2 + e^(-a eta^2 / 2) / sqrt(2 pi a) sum_k c_k(eta) a^-k and
// P = erfc(-eta sqrt(a / 2)) / 2 minus the same sum; upper picks Q. The sum is asymptotic: it stops
// where its terms stop shrinking.
// In a: eta falls by mu / (a eta) with mu = (x - a) / a (mu / eta tends to 1 at x = a), and
// a eta^2 / 2 by ln(x / a); so Q's derivative is the same Gaussian factor times
// mu / eta - eta / 2 (from the erfc term) + (ln(x / a) - 1 / 2a) sum + d sum / da.
template <bool kSlope>
EMBER_HOST_DEVICE ValueAndSlope uniform_expansion(double a, double x, bool upper, double tolerance) {
  const double root = EMBER_MATH(sqrt)(-2 * log_ratio_minus_excess(a, x));
  const double eta = x > a ? root : x < a ? -root : 0.0;
  const double mu_over_eta = eta == 0 ? 1.0 : (x - a) / a / eta;
  const double eta_slope = -mu_over_eta / a;
  double sum = 0, sum_slope = 0, power = 1, previous = std::numeric_limits<double>::infinity();
  for (int k = 0; k < incomplete_gamma_coefficients::kTemmeTerms; ++k) {
    double coefficient_slope = 0;
    const double coefficient = incomplete_gamma_coefficients::temme(k, eta, coefficient_slope);
    const double term = coefficient * power;
    if (EMBER_MATH(fabs)(term) > previous) break;
    sum += term;
    if constexpr (kSlope) sum_slope += (coefficient_slope * eta_slope - k * coefficient / a) * power;
    if (EMBER_MATH(fabs)(term) <= tolerance * EMBER_MATH(fabs)(sum)) break;
    previous = EMBER_MATH(fabs)(term);
    power /= a;
  }
  const double sign = upper ? 1 : -1;
  const double gaussian = EMBER_MATH(exp)(-a * eta * eta / 2) / EMBER_MATH(sqrt)(2 * kPi * a);
  const double value = EMBER_MATH(erfc)(sign * eta * EMBER_MATH(sqrt)(a / 2)) / 2 + sign * gaussian * sum;
  if constexpr (!kSlope) return {value, 0};
  const double log_ratio = EMBER_MATH(log)(x / a);
  return {value, sign * gaussian * (mu_over_eta - eta / 2 + (log_ratio - 1 / (2 * a)) * sum + sum_slope)};
}

// Where both series converge slowly: a large and x within 30% of it. (Cephes narrows the band to
// 4.5 sqrt(a) beyond a = 200; but there the power series needs some 8 sqrt(a) terms at its edge,
// thousands for a = 10^6, while the expansion holds its precision across the whole band.)
EMBER_HOST_DEVICE inline bool near_transition(double a, double x) {
  return a > 20 && EMBER_MATH(fabs)(x - a) / a < 0.3;
}

EMBER_HOST_DEVICE inline ValueAndSlope complement(ValueAndSlope f) { return {1 - f.value, -f.slope}; }

// Q(a, x) for finite a > 0 and finite x > 0.
template <bool kSlope>
EMBER_HOST_DEVICE ValueAndSlope upper_regular(double a, double x, double tolerance) {
  if (near_transition(a, x)) return uniform_expansion<kSlope>(a, x, true, tolerance);
  if (x > 1.1) {
    return x < a ? complement(lower_series<kSlope>(a, x, tolerance)) : upper_continued_fraction<kSlope>(a, x, tolerance);
  }
  // Below, Q's own series serves while a is small enough for it to converge to Q's digits.
  const bool small_a = x <= 0.5 ? a <= -0.4 / EMBER_MATH(log)(x) : a <= 1.1 * x;
  return small_a ? upper_series<kSlope>(a, x, tolerance) : complement(lower_series<kSlope>(a, x, tolerance));
}

// P(a, x) for finite a > 0 and finite x > 0.
template <bool kSlope>
EMBER_HOST_DEVICE ValueAndSlope lower_regular(double a, double x, double tolerance) {
  if (near_transition(a, x)) return uniform_expansion<kSlope>(a, x, false, tolerance);
  if (x > 1 && x > a) return complement(upper_regular<kSlope>(a, x, tolerance));
  return lower_series<kSlope>(a, x, tolerance);
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
    value = incomplete_gamma_detail::lower_regular<false>(a, x, incomplete_gamma_detail::precision_of<T>()).value;
  }
  return static_cast<T>(value);
}

// Q(a, x) = 1 - P(a, x), torch.special.gammaincc: NaN where P is, 1 - P at every other edge.
template <typename T>
EMBER_HOST_DEVICE T gammaincc(T a, T x) {
  double value = 0;
  if (incomplete_gamma_detail::lower_at_edge(a, x, value)) return static_cast<T>(1 - value);
  return static_cast<T>(incomplete_gamma_detail::upper_regular<false>(a, x, incomplete_gamma_detail::precision_of<T>()).value);
}

// dP(a, x)/da, igamma's derivative in a (which PyTorch's lacks). NaN where P is NaN and at a = 0,
// whose one-sided limit -E1(x) is not computed; zero at the other edges, where P is flat in a.
template <typename T>
EMBER_HOST_DEVICE T gammainc_slope(T a, T x) {
  double value = 0;
  if (incomplete_gamma_detail::lower_at_edge(a, x, value)) {
    return static_cast<T>(EMBER_MATH(isnan)(value) || a == T(0) ? std::numeric_limits<double>::quiet_NaN() : 0.0);
  }
  return static_cast<T>(incomplete_gamma_detail::lower_regular<true>(a, x, incomplete_gamma_detail::precision_of<T>()).slope);
}

// How a standard gamma draw x moves with its shape a at a fixed quantile P(a, x), the implicit
// reparameterisation gradient: dx/da = -(dP/da) / (dP/dx), where dP/dx = x^(a-1) e^-x / Gamma(a).
// NaN unless a and x are positive and finite.
template <typename T>
EMBER_HOST_DEVICE T standard_gamma_slope(T shape, T draw) {
  const double a = shape, x = draw;
  if (!(a > 0 && x > 0) || EMBER_MATH(isinf)(a) || EMBER_MATH(isinf)(x)) {
    return static_cast<T>(std::numeric_limits<double>::quiet_NaN());
  }
  const double slope = incomplete_gamma_detail::lower_regular<true>(a, x, incomplete_gamma_detail::precision_of<T>()).slope;
  return static_cast<T>(-slope * x / incomplete_gamma_detail::power_exponential_factor(a, x));
}

}  // namespace ember::sdk
