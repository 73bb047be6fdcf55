// The process-wide random stream: a seed and a counter, so that random kernels on any device
// draw the same numbers for the same seed (counter-based generation, Philox-style).
#pragma once

#include <cstdint>

namespace ember {

// Restarts the stream at `seed`.
void manual_seed(uint64_t seed);

struct RandomDraw {
  uint64_t seed;
  uint64_t offset;  // first counter value this draw owns
};
// Reserves `count` counter values for one kernel call.
RandomDraw reserve_random(uint64_t count);

}  // namespace ember
