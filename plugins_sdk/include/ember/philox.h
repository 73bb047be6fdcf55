// Counter-based random numbers (Philox 4x32-10) for plugin kernels, host and device alike: a
// block of 128 bits is a pure function of the seed and the counter, so every backend that uses
// this header produces the same values for the same seed, whatever its threading.
#pragma once

#include <stdint.h>

#include "ember/host_device.h"

namespace ember::sdk {

struct Philox {
  uint32_t out[4];
  // `round` fills the counter's upper half: a sampler that may need more draws for one element
  // takes them from rounds 1, 2, ... of that element's counter.
  EMBER_HOST_DEVICE Philox(uint64_t seed, uint64_t counter, uint64_t round = 0) {
    uint32_t c[4] = {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), static_cast<uint32_t>(round),
                     static_cast<uint32_t>(round >> 32)};
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
  // A double in [0, 1) from words i and i + 1.
  EMBER_HOST_DEVICE double uniform(int i) const { return unit_double(out[i], out[i + 1]); }

  // A double in [0, 1) from the top 53 of 64 bits.
  EMBER_HOST_DEVICE static double unit_double(uint32_t high, uint32_t low) {
    const uint64_t bits = (uint64_t{high} << 21) ^ (low >> 11);
    return static_cast<double>(bits & ((uint64_t{1} << 53) - 1)) * 0x1.0p-53;
  }
};

}  // namespace ember::sdk
