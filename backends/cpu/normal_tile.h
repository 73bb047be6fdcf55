// Normal draws in float for a tile of Philox blocks, eight blocks at a time through glibc's vector
// logf, sinf and cosf (libmvec) where the processor has AVX2.
#pragma once

#include <cstdint>

#include "philox_tile.h"

namespace ember::cpu {

// The pairs of normal values (mean, deviation) of `count` blocks into values[0 .. 2 count): the
// SDK's normal_pair formula (ember/random_draws.h) to within libmvec's 4 ulp. Returns false, and
// writes nothing, where the processor lacks AVX2.
bool normal_tile(const uint32_t (&words)[4][kPhiloxTile], int64_t count, float mean, float deviation,
                 float (&values)[2 * kPhiloxTile]);

}  // namespace ember::cpu
