// Counter-based random numbers (Philox 4x32-10) for plugin kernels, host and device alike:
// element i of a call draws from counter offset + i under the call's seed, so every backend
// that uses this header produces the same values for the same seed, whatever its threading.
#pragma once

#include <math.h>
#include <stdint.h>

#include "ember/host_device.h"

namespace ember::sdk {

struct Philox {
  uint32_t out[4];
  EMBER_HOST_DEVICE Philox(uint64_t seed, uint64_t counter) {
    uint32_t c[4] = {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0, 0};
    uint32_t k[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
    for (int round = 0; round < 10; ++round) {
      const uint64_t p0 = uint64_t{0xD2511F53} * c[0];
      const uint64_t p1 = uint64_t{0xCD9E8D57} * c[2];
      const uint32_t next[4] = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
                                static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
      for (int i = 0; i < 4; ++i) c[i] = next[i];
      k[0] += 0x9E3779B9;
      k[1] += 0xBB67AE85;
    }
    for (int i = 0; i < 4; ++i) out[i] = c[i];
  }
  // A double in [0, 1) from two words.
  EMBER_HOST_DEVICE double uniform(int i) const {
    const uint64_t bits = (uint64_t{out[i]} << 21) ^ (out[i + 1] >> 11);
    return static_cast<double>(bits & ((uint64_t{1} << 53) - 1)) * 0x1.0p-53;
  }
};

enum class Distribution { Uniform, Normal, Integers };

// The value element `counter` draws: uniform in [a, b), normal with mean a and deviation b
// (Box-Muller), or an integer in [a, b).
EMBER_HOST_DEVICE inline double random_value(Distribution dist, uint64_t seed, uint64_t counter, double a, double b) {
  const Philox r(seed, counter);
  if (dist == Distribution::Uniform) return a + (b - a) * r.uniform(0);
  if (dist == Distribution::Normal) {
    const double u1 = 1.0 - r.uniform(0), u2 = r.uniform(2);  // u1 in (0, 1]
    return a + b * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
  }
  const uint64_t range = static_cast<uint64_t>(static_cast<int64_t>(b) - static_cast<int64_t>(a));
  const uint64_t bits = (uint64_t{r.out[0]} << 32) | r.out[1];
  return static_cast<double>(static_cast<int64_t>(a) + static_cast<int64_t>(bits % range));
}

}  // namespace ember::sdk
