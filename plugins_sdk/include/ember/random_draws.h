// What uniform_, normal_ and random_ write, from the SDK's Philox blocks, host and device alike.
// One block of 128 bits serves two neighbouring elements: elements 2j and 2j + 1 of a call take
// the two values of block offset + j. Normal draws need both halves of a block for one angle, and
// Box-Muller gives two values per angle, so sharing the block halves the generator's work.
#pragma once

#include <math.h>
#include <stdint.h>

#include <cmath>
#include <type_traits>

#include "ember/half.h"
#include "ember/host_device.h"
#include "ember/next_after.h"
#include "ember/philox.h"
#include "ember/plugin.hpp"
#include "ember/plugin_api.h"

namespace ember::sdk {

enum class Distribution { Uniform, Normal, Integers };

// sin and cos of one angle at once: the C library's GNU sincos on the host, CUDA's and HIP's on
// the device.
EMBER_HOST_DEVICE inline void sin_and_cos(float x, float* s, float* c) { ::sincosf(x, s, c); }
EMBER_HOST_DEVICE inline void sin_and_cos(double x, double* s, double* c) { ::sincos(x, s, c); }

// Box-Muller's inputs from one block's words: u1 in (0, 1], so that its log is finite, and the
// angle 2 pi u2.
template <typename V>
EMBER_HOST_DEVICE void normal_inputs(const uint32_t (&w)[4], V& u1, V& angle) {
  u1 = static_cast<V>(1.0 - Philox::unit_double(w[0], w[1]));
  angle = static_cast<V>(6.283185307179586 * Philox::unit_double(w[2], w[3]));
}

// The two uniform values in [a, b) of one block's words, never above `top` (see largest_below).
template <typename V>
EMBER_HOST_DEVICE void uniform_pair(const uint32_t (&w)[4], double a, double b, V top, V (&out)[2]) {
  for (int half = 0; half < 2; ++half) {
    const V value = static_cast<V>(a + (b - a) * Philox::unit_double(w[2 * half], w[2 * half + 1]));
    out[half] = value > top ? top : value;
  }
}

// The two normal values (mean a, deviation b) of one block's words, in V's precision: float for
// float and the 16-bit floats, whose outputs cannot show more.
template <typename V>
EMBER_HOST_DEVICE void normal_pair(const uint32_t (&w)[4], double a, double b, V (&out)[2]) {
  V u1, angle, s, c;
  normal_inputs(w, u1, angle);
  const V radius = EMBER_MATH(sqrt)(V(-2) * EMBER_MATH(log)(u1));
  sin_and_cos(angle, &s, &c);
  out[0] = static_cast<V>(a) + static_cast<V>(b) * radius * c;
  out[1] = static_cast<V>(a) + static_cast<V>(b) * radius * s;
}

// The two integers of one block's words in [low, high): 64 bits each, reduced modulo the range,
// in int64 throughout so that ranges beyond 2^53 stay exact.
EMBER_HOST_DEVICE inline void integer_pair(const uint32_t (&w)[4], int64_t low, int64_t high, int64_t (&out)[2]) {
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  for (int half = 0; half < 2; ++half) {
    const uint64_t bits = (uint64_t{w[2 * half]} << 32) | w[2 * half + 1];
    out[half] = static_cast<int64_t>(static_cast<uint64_t>(low) + bits % range);
  }
}

// The largest value of a floating dtype below `bound` (host only). A uniform draw just under
// `to` can round up to `to` itself in the output's dtype: in float for draws within 2^-25 of 1,
// in bfloat16 for the top 2^-9. Clamping to this value keeps the range half-open.
inline double largest_below(double bound, int32_t dtype) {
  if (dtype == EMBER_DTYPE_FLOAT64) return std::nextafter(bound, -INFINITY);
  const float nearest = static_cast<float>(bound);
  if (dtype == EMBER_DTYPE_FLOAT32) return nearest < bound ? nearest : std::nextafter(nearest, -INFINITY);
  const bool is_half = dtype == EMBER_DTYPE_FLOAT16;
  const float rounded = is_half ? ember::half::fp16_to_float(ember::half::float_to_fp16(nearest))
                                : ember::half::bf16_to_float(ember::half::float_to_bf16(nearest));
  if (rounded < bound) return rounded;
  return next_after(rounded, -INFINITY, is_half ? kFloat16Format : kBFloat16Format);
}

// One call of uniform_, normal_ or random_, from the arguments the dispatcher passes:
// (self, a, b, seed, offset). Its block j, Philox(seed, offset + j), gives elements 2j and 2j + 1.
struct RandomFill {
  Distribution dist;
  double a, b;        // uniform's range, or normal's mean and deviation
  int64_t low, high;  // random_'s range
  uint64_t seed, offset;

  RandomFill(const KernelArgs& args, Distribution what)
      : dist(what), a(args.to_double(1)), b(args.to_double(2)),
        low(what == Distribution::Integers ? args.to_int(1) : 0),
        high(what == Distribution::Integers ? args.to_int(2) : 0),
        seed(static_cast<uint64_t>(args.to_int(3))), offset(static_cast<uint64_t>(args.to_int(4))) {}

  // The two values of a block with these words, in V: the compute type of a floating output (no
  // larger than `top`, see largest_below), int64 for an integer one.
  template <typename V>
  EMBER_HOST_DEVICE void values(const uint32_t (&w)[4], V top, V (&out)[2]) const {
    if constexpr (std::is_floating_point_v<V>) {
      if (dist == Distribution::Uniform) return uniform_pair(w, a, b, top, out);
      if (dist == Distribution::Normal) return normal_pair(w, a, b, out);
    }
    int64_t integers[2];
    integer_pair(w, low, high, integers);
    out[0] = static_cast<V>(integers[0]);
    out[1] = static_cast<V>(integers[1]);
  }
  // The clamp for uniform draws in `dtype` (host only): the largest value below b, unless none
  // lies in [a, b), as when a == b, where the draws are left as they round.
  double uniform_top(int32_t dtype) const {
    const double top = largest_below(b, dtype);
    return top >= a ? top : b;
  }

  template <typename V>
  EMBER_HOST_DEVICE void block_values(uint64_t block, V top, V (&out)[2]) const {
    values(Philox(seed, offset + block).out, top, out);
  }
};

}  // namespace ember::sdk
