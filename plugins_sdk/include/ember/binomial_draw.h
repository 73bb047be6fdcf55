// A binomial count (trials n, success probability p) for one element from the SDK's Philox
// blocks, host and device alike: element i of a call uses counter offset + i, with its sampler's
// rounds in the counter's upper half as poisson_draw.h does.
//
// Note [Binomial draws]
// With p above 1/2 the draw is n minus a draw for 1 - p, so the work below sees p <= 1/2. Where
// n p < 10, inversion: u against the cumulative probabilities, built from q^n by
// f(k + 1) = f(k) (n - k) p / ((k + 1) q). From 10 on, Hoermann's transformed rejection with
// squeeze (BTRS, 1993): a candidate floor((2a / us + b) U + n p + 0.5) from two uniforms, taken
// inside the squeeze or by comparing the hat with the binomial probability relative to the mode's.
#pragma once

#include <math.h>
#include <stdint.h>

#include <cfloat>
#include <cmath>

#include "ember/host_device.h"
#include "ember/philox.h"
#include "ember/transformed_rejection.h"

namespace ember::sdk {

// The count for n trials of probability p; NaN unless n is a non-negative whole number below
// 2^53 and p a probability, which the samplers need to end.
EMBER_HOST_DEVICE inline double binomial_draw(double n, double p, uint64_t seed, uint64_t counter) {
  if (!(n >= 0 && n < 0x1p53 && EMBER_MATH(floor)(n) == n && p >= 0 && p <= 1)) return NAN;
  const bool flipped = p > 0.5;
  const double s = flipped ? 1 - p : p, q = 1 - s;
  double count = 0;
  if (n * s < 10) {
    const double u = Philox(seed, counter).uniform(0);
    double term = EMBER_MATH(exp)(n * EMBER_MATH(log1p)(-s)), cumulative = term;
    const double odds = s / q;
    while (u > cumulative && count < n) {
      term *= (n - count) / (count + 1) * odds;
      count += 1;
      cumulative += term;
      if (term <= cumulative * 0x1p-52 && count > n * s) break;  // the rest cannot move the sum
    }
  } else {
    const double spq = EMBER_MATH(sqrt)(n * s * q);
    const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * s, c = n * s + 0.5;
    const double squeeze = 0.92 - 4.2 / b, alpha = (2.83 + 5.1 / b) * spq, log_odds = EMBER_MATH(log)(s / q);
    const double mode = EMBER_MATH(floor)((n + 1) * s);
    const double log_mode = EMBER_MATH(lgamma)(mode + 1) + EMBER_MATH(lgamma)(n - mode + 1);
    for (uint64_t round = 0;; ++round) {
      const TransformedRejectionRound r(Philox(seed, counter, round), a, b, c);
      const double k = r.candidate;
      if (k < 0 || k > n) continue;
      if (r.squeezed(squeeze)) {
        count = k;
        break;
      }
      const double log_v = EMBER_MATH(log)(r.v * alpha / r.hat(a, b));
      if (log_v <= log_mode - EMBER_MATH(lgamma)(k + 1) - EMBER_MATH(lgamma)(n - k + 1) + (k - mode) * log_odds) {
        count = k;
        break;
      }
    }
  }
  return flipped ? n - count : count;
}

}  // namespace ember::sdk
