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
#pragma once

#include <math.h>
#include <stdint.h>

#include <cfloat>
#include <cmath>

#include "ember/host_device.h"
#include "ember/philox.h"
#include "ember/plugin_api.h"

namespace ember::sdk {

// Gamma(alpha) in double; NaN for an alpha that is not positive and finite, which no candidate
// would ever settle.
EMBER_HOST_DEVICE inline double gamma_draw(double alpha, uint64_t seed, uint64_t counter) {
  if (!(alpha > 0 && alpha <= DBL_MAX)) return NAN;
  const bool boosted = alpha < 1;
  const double d = (boosted ? alpha + 1 : alpha) - 1.0 / 3, c = 1 / EMBER_MATH(sqrt)(9 * d);
  double draw = 0;
  for (uint64_t round = 1;; ++round) {
    const Philox r(seed, counter, round);
    // z by Box-Muller from 32-bit uniforms: u1 in (0, 1], so that its log is finite.
    const double u1 = (r.out[0] + 1.0) * 0x1p-32, u2 = r.out[1] * 0x1p-32;
    const double z = EMBER_MATH(sqrt)(-2 * EMBER_MATH(log)(u1)) * EMBER_MATH(cos)(6.283185307179586 * u2);
    const double cube_root = 1 + c * z;
    if (cube_root <= 0) continue;
    const double v = cube_root * cube_root * cube_root, u = r.uniform(2);
    if (u < 1 - 0.0331 * (z * z) * (z * z) || EMBER_MATH(log)(u) < 0.5 * z * z + d * (1 - v + EMBER_MATH(log)(v))) {
      draw = d * v;
      break;
    }
  }
  if (!boosted) return draw;
  const double u0 = 1 - Philox(seed, counter, 0).uniform(0);  // in (0, 1]
  return EMBER_MATH(exp)(EMBER_MATH(log)(draw) + EMBER_MATH(log)(u0) / alpha);
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
