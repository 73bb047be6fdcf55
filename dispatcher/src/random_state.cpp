#include "ember/dispatcher/random_state.h"

#include <atomic>

namespace ember {
namespace {
std::atomic<uint64_t> g_seed{67280421310721ull};
std::atomic<uint64_t> g_offset{0};
}  // namespace

void manual_seed(uint64_t seed) {
  g_seed.store(seed);
  g_offset.store(0);
}

RandomDraw reserve_random(uint64_t count) {
  return {g_seed.load(), g_offset.fetch_add(count)};
}

RandomDraw random_state() { return {g_seed.load(), g_offset.load()}; }

void set_random_state(RandomDraw state) {
  g_seed.store(state.seed);
  g_offset.store(state.offset);
}

}  // namespace ember
