// Philox blocks in bulk for the random fills: sixteen counters at a time in AVX2 vectors where the
// processor has AVX2, the SDK's scalar Philox (ember/philox.h) elsewhere. Both give the same words.
#pragma once

#include <cstdint>

namespace ember::cpu {

constexpr int64_t kPhiloxTile = 256;

// The blocks for counters first, first + 1, ..., first + count - 1 (count <= kPhiloxTile) in the
// given sampler round (sdk::Philox's upper counter half): word i of block j lands in words[i][j].
void philox_tile(uint64_t seed, uint64_t first, int64_t count, uint32_t (&words)[4][kPhiloxTile], uint64_t round = 0);

}  // namespace ember::cpu
