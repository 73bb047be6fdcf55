// A draw from the standard gamma distribution (shape alpha, scale 1) for one element, from the
// SDK's Philox blocks, host and device alike: element i of a call uses counter offset + i, with
// its sampler's rounds in the counter's upper half as poisson_draw.h does.
//
// Note [Gamma draws]
// Marsaglia and Tsang (2000): with d = alpha - 1/3 and c = 1 / sqrt(9d), a candidate d v for
// v = (1 + c z)^3 and z normal is taken when u < 1 - 0.0331 z^4 (the squeeze) or when
// log u < z^2 / 2 + d (1 - v + log v); it accepts at least 95% of candidates for any alpha >= 1.
// Each round r >= 1 draws z by Box-Muller from two 32-bit words of block (counter, r) and u from
// the other two. Below alpha = 1 the draw is Gamma(alpha + 1) u0^(1 / alpha), u0 from round 0,
// taken in logs. A tiny alpha can still underflow to 0: kernels raise their draws to the dtype's
// smallest normal value, as PyTorch does, so that a Dirichlet draw never divides 0 by 0.
// A kernel may form round 1 for many elements at once (GammaSampler takes its normal and uniform):
// the CPU's vector log and cos (libmvec) differ from the C library's by a few ulp, so its draws
// match gamma_draw's to about 1e-13, not bit for bit.
#pragma once

#include <math.h>
#include <stdint.h>

#include <cfloat>
#include <cmath>

#include "ember/host_device.h"
#include "ember/philox.h"
#include "ember/plugin_api.h"

namespace ember::sdk {

// Box-Muller's normal from two 32-bit words of a round's block: u1 = (w0 + 1) 2^-32 in (0, 1], so
// that its log is finite, and the angle 2 pi w1 2^-32. A vector kernel may take the inputs from
// here and form sqrt(-2 ln u1) cos(angle) itself.
EMBER_HOST_DEVICE inline void gamma_normal_inputs(uint32_t w0, uint32_t w1, double& u1, double& angle) {
  u1 = (w0 + 1.0) * 0x1p-32;
  angle = 6.283185307179586 * (w1 * 0x1p-32);
}

EMBER_HOST_DEVICE inline double gamma_round_normal(const Philox& round) {
  double u1 = 0, angle = 0;
  gamma_normal_inputs(round.out[0], round.out[1], u1, angle);
  return EMBER_MATH(sqrt)(-2 * EMBER_MATH(log)(u1)) * EMBER_MATH(cos)(angle);
}

// Note [Gamma draws] for one shape: round 1 from the caller (so that a kernel can form its normal
// in bulk), rounds 2, 3, ... here until one is accepted, then the boost below shape 1.
class GammaSampler {
 public:
  EMBER_HOST_DEVICE explicit GammaSampler(double alpha)
      : alpha_(alpha), d_((alpha < 1 ? alpha + 1 : alpha) - 1.0 / 3), c_(1 / EMBER_MATH(sqrt)(9 * d_)) {}

  // The draw, given round 1's normal z and uniform u; NaN for an alpha that is not positive and
  // finite, which no candidate would ever settle.
  EMBER_HOST_DEVICE double draw(double z, double u, uint64_t seed, uint64_t counter) const {
    if (!(alpha_ > 0 && alpha_ <= DBL_MAX)) return NAN;
    double value = 0;
    for (uint64_t round = 2; !accepts(z, u, value); ++round) {
      const Philox block(seed, counter, round);
      z = gamma_round_normal(block);
      u = block.uniform(2);
    }
    if (alpha_ >= 1) return value;
    const double u0 = 1 - Philox(seed, counter, 0).uniform(0);  // in (0, 1]
    return EMBER_MATH(exp)(EMBER_MATH(log)(value) + EMBER_MATH(log)(u0) / alpha_);
  }

 private:
  // Whether the candidate d v of normal z is taken by uniform u, into value.
  EMBER_HOST_DEVICE bool accepts(double z, double u, double& value) const {
    const double cube_root = 1 + c_ * z;
    if (cube_root <= 0) return false;
    const double v = cube_root * cube_root * cube_root;
    if (u < 1 - 0.0331 * (z * z) * (z * z) || EMBER_MATH(log)(u) < 0.5 * z * z + d_ * (1 - v + EMBER_MATH(log)(v))) {
      value = d_ * v;
      return true;
    }
    return false;
  }

  double alpha_, d_, c_;
};

// Gamma(alpha) in double: GammaSampler with round 1 formed here.
EMBER_HOST_DEVICE inline double gamma_draw(double alpha, uint64_t seed, uint64_t counter) {
  const Philox first(seed, counter, 1);
  return GammaSampler(alpha).draw(gamma_round_normal(first), first.uniform(2), seed, counter);
}

// The smallest positive normal value of a floating dtype (host only): the floor of gamma draws.
inline double smallest_normal(int32_t dtype) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT64: return DBL_MIN;
    case EMBER_DTYPE_FLOAT16: return 0x1p-14;
    default: return FLT_MIN;  // float32 and bfloat16 share float's exponent range
  }
}

}  // namespace ember::sdk
