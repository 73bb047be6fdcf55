// A Poisson count for one rate from the SDK's Philox blocks, host and device alike: element i of
// a call uses counter offset + i, round r of its sampler block (offset + i, r), so the count
// depends on the seed and the element only, whatever the backend or its threading.
//
// Note [Poisson draws]
// Below a rate of 10, inversion: a draw u is the count k whose cumulative probability first
// exceeds it, the probabilities built term by term (p_k = p_{k-1} rate / k); a count stops also
// where the terms left cannot move the sum in float64, so that u near 1, above a sum rounded short
// of 1, still ends. From 10 on, Hoermann's transformed rejection with squeeze (PTRS, 1993): a
// candidate floor((2a / us + b) U + rate + 0.43) from two uniforms, taken at once inside the
// squeeze and otherwise by comparing the hat's log density with the Poisson log probability; it
// accepts about nine candidates in ten. Both run in float64 whatever the tensor's dtype.
#pragma once

#include <math.h>
#include <stdint.h>

#include <cfloat>
#include <cmath>

#include "ember/host_device.h"
#include "ember/philox.h"
#include "ember/transformed_rejection.h"

namespace ember::sdk {

inline constexpr double kPoissonInversionBelow = 10;

// The count for `rate`; NaN for a rate that is not finite and non-negative, which the rejection
// loop would never settle (poisson checks its rates before it draws).
EMBER_HOST_DEVICE inline double poisson_draw(double rate, uint64_t seed, uint64_t counter) {
  if (!(rate >= 0 && rate <= DBL_MAX)) return NAN;
  if (rate < kPoissonInversionBelow) {
    const double u = Philox(seed, counter).uniform(0);
    double term = EMBER_MATH(exp)(-rate), cumulative = term, count = 0;
    while (u > cumulative) {
      count += 1;
      term *= rate / count;
      cumulative += term;
      if (term <= cumulative * 0x1p-52) break;  // the rest cannot move the sum
    }
    return count;
  }
  const double b = 0.931 + 2.53 * EMBER_MATH(sqrt)(rate);
  const double a = -0.059 + 0.02483 * b;
  const double log_inverse_alpha = EMBER_MATH(log)(1.1239 + 1.1328 / (b - 3.4));
  const double squeeze = 0.9277 - 3.6224 / (b - 2);
  const double log_rate = EMBER_MATH(log)(rate);
  for (uint64_t round = 0;; ++round) {
    const TransformedRejectionRound r(Philox(seed, counter, round), a, b, rate + 0.43);
    const double k = r.candidate;
    if (r.squeezed(squeeze)) return k;
    if (k < 0 || (r.us < 0.013 && r.v > r.us)) continue;
    if (EMBER_MATH(log)(r.v) + log_inverse_alpha - EMBER_MATH(log)(r.hat(a, b)) <=
        k * log_rate - rate - EMBER_MATH(lgamma)(k + 1)) {
      return k;
    }
  }
}

}  // namespace ember::sdk
