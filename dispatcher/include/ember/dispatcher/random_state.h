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

// Where the stream stands: its seed and the next draw's offset. Setting it back replays the same
// draws (a checkpointed forward, run again in backward, gets the dropout masks it had).
RandomDraw random_state();
void set_random_state(RandomDraw state);

}  // namespace ember
